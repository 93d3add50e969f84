package workflow

import (
	"context"
	"strings"
)

// ConsortiumStore edits and removes the consortium's records: partners,
// policy instruments, stakeholder groups, memberships and the project's
// settings. Every change is one transaction at the version the caller
// last read (else precondition_failed) and bumps it. A removal that
// something still holds is conflict, naming what holds it (HeldError),
// and removes nothing.
type ConsortiumStore interface {
	// UpdateProject applies edit to the project at version; edit's
	// result is normalized and validated before it is saved.
	UpdateProject(ctx context.Context, id string, version int, edit func(*Project) error) (Project, error)

	Partner(ctx context.Context, id string) (Partner, error)
	UpdatePartner(ctx context.Context, id string, version int, edit func(*Partner) error) (Partner, error)
	// DeletePartner is conflict while the partner owns or reviews a
	// deliverable, hosts an event, addresses an instrument or scopes a
	// member.
	DeletePartner(ctx context.Context, id string, version int) error

	PolicyInstrument(ctx context.Context, id string) (PolicyInstrument, error)
	UpdatePolicyInstrument(ctx context.Context, id string, version int, edit func(*PolicyInstrument) error) (PolicyInstrument, error)
	// DeletePolicyInstrument is conflict while the instrument has a plan
	// or a stakeholder group.
	DeletePolicyInstrument(ctx context.Context, id string, version int) error

	StakeholderGroup(ctx context.Context, id string) (StakeholderGroup, error)
	UpdateStakeholderGroup(ctx context.Context, id string, version int, edit func(*StakeholderGroup) error) (StakeholderGroup, error)
	// DeleteStakeholderGroup is conflict while the group scopes a member
	// or has recorded a transfer interest.
	DeleteStakeholderGroup(ctx context.Context, id string, version int) error

	Membership(ctx context.Context, id string) (Membership, error)
	// UpdateMembership changes a member's role and scope; a project keeps
	// at least one coordinator (conflict).
	UpdateMembership(ctx context.Context, id string, version int, edit func(*Membership) error) (Membership, error)
	// DeleteMembership removes a member; the last coordinator stays
	// (conflict).
	DeleteMembership(ctx context.Context, id string, version int) error

	// Invite makes u (found by e-mail, or created without a token when the
	// address is unknown) a member as m says, in one transaction. created
	// tells whether the user is new; u and m are filled in.
	Invite(ctx context.Context, u *User, m *Membership) (created bool, err error)
}

// Invitation asks to make a person, by e-mail address, a member of a
// project.
type Invitation struct {
	Email              string
	Name               string
	Role               Role
	PartnerID          string
	StakeholderGroupID string
}

// Held lists the messages of a removal's holders, for the message of
// the conflict that HeldError makes.
func Held(holders Problems) string {
	msgs := make([]string, len(holders))
	for i, h := range holders {
		msgs[i] = h.Message
	}
	return strings.Join(msgs, "; ")
}

// HeldError is the conflict of a removal that something still holds: top
// says what cannot be removed (and Held(holders)), each holder is one of
// its Fields.
func HeldError(top *Error, holders Problems) *Error {
	top.Fields = holders
	return top
}
