package sqlstore_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// TestConsortiumEdits: versions, refusals that name what holds a record,
// and that a refused removal removes nothing, on both databases.
func TestConsortiumEdits(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			consortiumEdits(t, sqlstoretest.New(t, d))
		})
	}
}

func count(t *testing.T, s *sqlstore.Store, table, where string, args ...any) int {
	t.Helper()
	var n int
	for i := range args { // $1, $2…: both databases take them
		where = strings.Replace(where, "?", "$"+strconv.Itoa(i+1), 1)
	}
	require.NoError(t, s.DB().QueryRowContext(ctx, "SELECT count(*) FROM "+table+" WHERE "+where, args...).Scan(&n))
	return n
}

func consortiumEdits(t *testing.T, s *sqlstore.Store) {
	d := seed(t, s, "EDIT")
	require.Equal(t, 1, d.project.Version)
	require.Equal(t, 1, d.partner.Version)

	// The project: a change at the version read bumps it; a stale one is
	// refused and changes nothing.
	p, err := s.UpdateProject(ctx, d.project.ID, 1, func(p *workflow.Project) error {
		p.Phase2End = ptr(workflow.MustDate("2021-09-30"))
		p.Title = "  Extended  "
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, 2, p.Version)
	require.Equal(t, "Extended", p.Title)
	_, err = s.UpdateProject(ctx, d.project.ID, 1, func(p *workflow.Project) error { p.Title = "Lost"; return nil })
	require.Equal(t, workflow.CodePreconditionFailed, code(t, err))
	got, err := s.Project(ctx, d.project.ID)
	require.NoError(t, err)
	require.Equal(t, "Extended", got.Title)
	require.Equal(t, "2021-09-30", got.Phase2End.String())
	_, err = s.UpdateProject(ctx, d.project.ID, 2, func(p *workflow.Project) error {
		p.Phase2End = ptr(workflow.MustDate("2018-01-01")) // before phase 1 ends
		return nil
	})
	require.Equal(t, workflow.CodeInvalid, code(t, err))
	other := workflow.Project{Acronym: "TAKEN", Title: "Other"}
	require.NoError(t, s.CreateProject(ctx, &other))
	_, err = s.UpdateProject(ctx, d.project.ID, 2, func(p *workflow.Project) error { p.Acronym = "TAKEN"; return nil })
	require.Equal(t, workflow.CodeConflict, code(t, err))
	require.ErrorContains(t, err, `a project with acronym "TAKEN" exists`)
	// The older settings calls bump the version too.
	p, err = s.SetProjectLocale(ctx, d.project.ID, workflow.ProjectLocale{Language: "hu", TimeZone: "Europe/Budapest"})
	require.NoError(t, err)
	require.Equal(t, 3, p.Version)

	// A partner.
	pa, err := s.UpdatePartner(ctx, d.partner.ID, 1, func(p *workflow.Partner) error { p.ShortName = "BVK"; p.Region = "hu12"; return nil })
	require.NoError(t, err)
	require.Equal(t, 2, pa.Version)
	require.Equal(t, "HU12", pa.Region)
	_, err = s.UpdatePartner(ctx, d.partner.ID, 1, func(p *workflow.Partner) error { return nil })
	require.Equal(t, workflow.CodePreconditionFailed, code(t, err))
	_, err = s.UpdatePartner(ctx, d.partner.ID, 2, func(p *workflow.Partner) error { p.Country = "XX"; return nil })
	require.Equal(t, workflow.CodeInvalid, code(t, err))
	_, err = s.UpdatePartner(ctx, workflow.NewID(), 1, func(p *workflow.Partner) error { return nil })
	require.Equal(t, workflow.CodeNotFound, code(t, err))

	// A plan on the instrument and a member scoped to the partner hold them.
	start, end := workflow.MustDate("2019-01-01"), workflow.MustDate("2019-12-31")
	plan := workflow.Deliverable{Kind: workflow.KindActionPlan, Plan: &workflow.ActionPlan{ProjectID: d.project.ID,
		PartnerID: d.partner.ID, PolicyInstrumentID: d.instrument.ID, Title: "Kézműves terv", Language: "hu",
		Actions: []workflow.PlanAction{{Title: "A", Description: "d", Players: "p", TimeframeStart: &start, TimeframeEnd: &end}}}}
	require.NoError(t, s.CreateDeliverable(ctx, &plan))
	u, _ := newUser(t, s, "kovacs@example.org")
	m := workflow.Membership{ProjectID: d.project.ID, UserID: u.ID, Role: workflow.RolePartner, PartnerID: d.partner.ID}
	require.NoError(t, s.CreateMembership(ctx, &m))

	err = s.DeletePartner(ctx, d.partner.ID, 2)
	require.Equal(t, workflow.CodeConflict, code(t, err))
	require.ErrorContains(t, err, "owns action plan (1): Kézműves terv")
	require.ErrorContains(t, err, "addresses policy instruments (1): VEKOP")
	require.ErrorContains(t, err, "scopes members (1): Иван Петров")
	var we *workflow.Error
	require.ErrorAs(t, err, &we)
	require.Len(t, we.Fields, 3)
	require.Equal(t, 1, count(t, s, "partners", "id = ?", d.partner.ID), "nothing half-removed")
	require.Equal(t, 1, count(t, s, "policy_instrument_partners", "partner_id = ?", d.partner.ID))

	err = s.DeletePolicyInstrument(ctx, d.instrument.ID, 1)
	require.Equal(t, workflow.CodeConflict, code(t, err))
	require.ErrorContains(t, err, "has action plan (1): Kézműves terv")
	require.ErrorContains(t, err, "has stakeholder groups (1): Érintettek")
	require.Equal(t, 1, count(t, s, "policy_instruments", "id = ?", d.instrument.ID))
	require.Equal(t, 1, count(t, s, "policy_instrument_partners", "policy_instrument_id = ?", d.instrument.ID), "the links stay too")
	_, err = s.UpdatePolicyInstrument(ctx, d.instrument.ID, 1, func(i *workflow.PolicyInstrument) error {
		i.PartnerIDs = append(i.PartnerIDs, workflow.NewID())
		return nil
	})
	require.Equal(t, workflow.CodeInvalid, code(t, err), "an unknown partner")
	_, err = s.UpdatePartner(ctx, d.partner.ID, 2, func(p *workflow.Partner) error { p.Role = workflow.PartnerAdvisory; return nil })
	require.Equal(t, workflow.CodeInvalid, code(t, err), "a plan's partner cannot become advisory")

	// A stakeholder scoped to the group holds it.
	su, _ := newUser(t, s, "nagy@example.org")
	sm := workflow.Membership{ProjectID: d.project.ID, UserID: su.ID, Role: workflow.RoleStakeholder, StakeholderGroupID: d.group.ID}
	require.NoError(t, s.CreateMembership(ctx, &sm))
	err = s.DeleteStakeholderGroup(ctx, d.group.ID, 1)
	require.Equal(t, workflow.CodeConflict, code(t, err))
	require.ErrorContains(t, err, "scopes members (1)")
	g, err := s.UpdateStakeholderGroup(ctx, d.group.ID, 1, func(g *workflow.StakeholderGroup) error { g.Name = "Budapesti érintettek"; return nil })
	require.NoError(t, err)
	require.Equal(t, 2, g.Version)

	// Members: role and scope change at the version; the last coordinator
	// stays.
	m2, err := s.UpdateMembership(ctx, m.ID, 1, func(x *workflow.Membership) error {
		x.Role, x.PartnerID = workflow.RoleObserver, ""
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, 2, m2.Version)
	require.Equal(t, workflow.RoleObserver, m2.Role)
	_, err = s.UpdateMembership(ctx, m.ID, 2, func(x *workflow.Membership) error { x.Role = workflow.RolePartner; return nil })
	require.Equal(t, workflow.CodeInvalid, code(t, err), "a partner needs its partner")
	cu, _ := newUser(t, s, "coord@example.org")
	cm := workflow.Membership{ProjectID: d.project.ID, UserID: cu.ID, Role: workflow.RoleCoordinator}
	require.NoError(t, s.CreateMembership(ctx, &cm))
	require.Equal(t, workflow.CodeConflict, code(t, s.DeleteMembership(ctx, cm.ID, 1)))
	_, err = s.UpdateMembership(ctx, cm.ID, 1, func(x *workflow.Membership) error { x.Role = workflow.RoleObserver; return nil })
	require.Equal(t, workflow.CodeConflict, code(t, err))
	require.Equal(t, workflow.CodePreconditionFailed, code(t, s.DeleteMembership(ctx, m.ID, 1)))
	require.NoError(t, s.DeleteMembership(ctx, m.ID, 2))
	require.Equal(t, 0, count(t, s, "memberships", "id = ?", m.ID))
	// The removed member's access is gone from Authenticate at once.
	_, err = s.Membership(ctx, m.ID)
	require.Equal(t, workflow.CodeNotFound, code(t, err))

	// A record nothing holds goes, with its links.
	free := workflow.Partner{ProjectID: d.project.ID, Name: "Free", Country: "IT", Role: workflow.PartnerPartner}
	require.NoError(t, s.CreatePartner(ctx, &free))
	pi := workflow.PolicyInstrument{ProjectID: d.project.ID, Name: "POR FESR", Type: workflow.InstrumentOther, PartnerIDs: []string{free.ID}}
	require.NoError(t, s.CreatePolicyInstrument(ctx, &pi))
	require.Equal(t, workflow.CodeConflict, code(t, s.DeletePartner(ctx, free.ID, 1)), "it addresses an instrument")
	require.NoError(t, s.DeletePolicyInstrument(ctx, pi.ID, 1))
	require.Equal(t, 0, count(t, s, "policy_instrument_partners", "policy_instrument_id = ?", pi.ID))
	require.NoError(t, s.DeletePartner(ctx, free.ID, 1))
	require.Equal(t, 0, count(t, s, "partners", "id = ?", free.ID))

	// Invite: a new address becomes a user without a token; a known one
	// is found; a member twice is a conflict and makes no user.
	nu := workflow.User{Email: "uj@example.org", Name: "Új Tag"}
	nm := workflow.Membership{ProjectID: d.project.ID, Role: workflow.RoleObserver}
	created, err := s.Invite(ctx, &nu, &nm)
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, nu.ID, nm.UserID)
	require.Equal(t, 1, nm.Version)
	require.Equal(t, 0, count(t, s, "api_tokens", "user_id = ?", nu.ID))
	again := workflow.User{Email: "uj@example.org", Name: "Other"}
	_, err = s.Invite(ctx, &again, &workflow.Membership{ProjectID: d.project.ID, Role: workflow.RoleObserver})
	require.Equal(t, workflow.CodeConflict, code(t, err))
	known := workflow.User{Email: "kovacs@example.org", Name: "ignored"}
	km := workflow.Membership{ProjectID: d.project.ID, Role: workflow.RolePartner, PartnerID: d.partner.ID}
	created, err = s.Invite(ctx, &known, &km)
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, u.ID, known.ID)
	require.Equal(t, "Иван Петров", known.Name)
	bad := workflow.User{Email: "x@example.org", Name: "X"}
	_, err = s.Invite(ctx, &bad, &workflow.Membership{ProjectID: d.project.ID, Role: workflow.RolePartner, PartnerID: workflow.NewID()})
	require.Equal(t, workflow.CodeInvalid, code(t, err))
	require.Equal(t, 0, count(t, s, "users", "email = ?", "x@example.org"), "a refused invitation makes no user")
}
