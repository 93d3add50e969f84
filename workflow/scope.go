package workflow

import "time"

// Deliverable is an action plan or a peer review as the store keeps it:
// the lifecycle head plus the kind's content, and the parties that scope it.
type Deliverable struct {
	Kind   Kind
	Plan   *ActionPlan // set for KindActionPlan
	Review *PeerReview // set for KindPeerReview
	// Practice is set for KindGoodPractice.
	Practice *GoodPractice
	// Owners are the partners that own it: the plan's partner and the other
	// partners of a joint plan's instrument, or the review's host.
	Owners []string
	// Peers are a peer review's peer partners.
	Peers []string
}

// Head is what the lifecycle and the access rules look at.
type Head struct {
	ID, ProjectID, PartnerID, PolicyInstrumentID, Title string
	State                                               State
	Version, Revision                                   int
	UpdatedAt                                           time.Time
}

// Head returns the lifecycle head of either kind.
func (d Deliverable) Head() Head {
	if d.Plan != nil {
		p := d.Plan
		return Head{p.ID, p.ProjectID, p.PartnerID, p.PolicyInstrumentID, p.Title, p.State, p.Version, p.Revision, p.UpdatedAt}
	}
	if d.Practice != nil {
		g := d.Practice
		return Head{g.ID, g.ProjectID, g.PartnerID, "", g.Title, g.State, g.Version, g.Revision, g.UpdatedAt}
	}
	r := d.Review
	return Head{r.ID, r.ProjectID, r.HostPartnerID, r.PolicyInstrumentID, r.Title, r.State, r.Version, r.Revision, r.UpdatedAt}
}

// Language is the language the deliverable is written in: a plan's or a
// good practice's own, else English (peer reviews are written in the
// programme's working language).
func (d Deliverable) Language() string {
	switch {
	case d.Plan != nil && d.Plan.Language != "":
		return d.Plan.Language
	case d.Practice != nil && d.Practice.Language != "":
		return d.Practice.Language
	}
	return "en"
}

// Value is the kind's own struct, for the API to return.
func (d Deliverable) Value() any {
	if d.Plan != nil {
		return d.Plan
	}
	if d.Practice != nil {
		return d.Practice
	}
	return d.Review
}

// Scope narrows a list of deliverables to what a caller may see. The store
// turns it into a query; Principal.SeeDeliverable is the same rule for one.
type Scope struct {
	All          bool   // coordinator, secretariat, observer, admin
	PartnerID    string // a partner sees the deliverables it is a party to
	InstrumentID string // a stakeholder sees its group's instrument, past draft
}

// DeliverableScope is the list scope of the caller in a project. The
// caller's membership must have been checked (Authorize) before.
func (p Principal) DeliverableScope(projectID string) Scope {
	if p.User.Admin {
		return Scope{All: true}
	}
	m, _ := p.Membership(projectID)
	switch m.Role {
	case RoleCoordinator, RoleSecretariat, RoleObserver:
		return Scope{All: true}
	case RolePartner:
		return Scope{PartnerID: m.PartnerID}
	case RoleStakeholder:
		return Scope{InstrumentID: p.GroupInstruments[m.StakeholderGroupID]}
	}
	return Scope{}
}

// Visible reports whether a deliverable falls inside the scope.
func (s Scope) Visible(d Deliverable) bool {
	h := d.Head()
	switch {
	case s.All:
		return true
	case d.Kind == KindGoodPractice && (s.PartnerID != "" || s.InstrumentID != "") && h.State != StateDraft:
		// Good practices are there to be learnt from: every partner and
		// stakeholder group of the project sees them once submitted.
		return true
	case s.PartnerID != "":
		return contains(d.Owners, s.PartnerID) || contains(d.Peers, s.PartnerID)
	case s.InstrumentID != "":
		return h.PolicyInstrumentID == s.InstrumentID && h.State != StateDraft
	}
	return false
}

// SeeDeliverable answers not_found for what is outside the caller's scope,
// so that its existence is not revealed.
func (p Principal) SeeDeliverable(d Deliverable) error {
	if !p.DeliverableScope(d.Head().ProjectID).Visible(d) {
		return Errorf(CodeNotFound, "%s not found", d.Kind)
	}
	return nil
}

// Actor is the caller as the lifecycle sees it on this deliverable.
func (p Principal) Actor(d Deliverable) Actor {
	m, _ := p.Membership(d.Head().ProjectID)
	return Actor{UserID: p.User.ID, Role: m.Role, Admin: p.User.Admin,
		Owner: m.Role == RolePartner && contains(d.Owners, m.PartnerID)}
}

// EditDeliverable decides edits of content: the owner or the coordinator,
// after SeeDeliverable. Whether the state allows editing is the store's
// check, under the version.
func (p Principal) EditDeliverable(d Deliverable) error {
	if err := p.SeeDeliverable(d); err != nil {
		return err
	}
	a := p.Actor(d)
	if a.Admin || a.Role == RoleCoordinator || a.Owner {
		return nil
	}
	return Errorf(CodeForbidden, "only its owner or the coordinator may edit this %s", d.Kind)
}

// AddRecommendation decides who may add a peer review's recommendations:
// the host, the peers and the coordinator.
func (p Principal) AddRecommendation(d Deliverable) error {
	if err := p.EditDeliverable(d); err == nil || ErrorCode(err) == CodeNotFound {
		return err
	}
	m, _ := p.Membership(d.Head().ProjectID)
	if m.Role == RolePartner && contains(d.Peers, m.PartnerID) {
		return nil
	}
	return Errorf(CodeForbidden, "only the host, the peers or the coordinator may add recommendations")
}

// CreateDeliverable decides who may start a deliverable owned by partnerID:
// the coordinator, or a partner member of that partner.
func (p Principal) CreateDeliverable(projectID, partnerID string) error {
	if err := p.Authorize(projectID, ActionProjectRead); err != nil {
		return err
	}
	if p.User.Admin {
		return nil
	}
	m, _ := p.Membership(projectID)
	if m.Role == RoleCoordinator || m.Role == RolePartner && m.PartnerID == partnerID {
		return nil
	}
	return Errorf(CodeForbidden, "only the coordinator or the partner itself may start this")
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
