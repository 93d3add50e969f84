package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// TestConformance runs one suite against every backend.
func TestConformance(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			for name, fn := range suite {
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					fn(t, sqlstoretest.New(t, d))
				})
			}
		})
	}
}

var ctx = context.Background()

func code(t *testing.T, err error) workflow.Code {
	t.Helper()
	return workflow.ErrorCode(err)
}

// seed makes a project with one partner, instrument and group.
type seedData struct {
	project    workflow.Project
	partner    workflow.Partner
	instrument workflow.PolicyInstrument
	group      workflow.StakeholderGroup
}

func seed(t testing.TB, s *sqlstore.Store, acronym string) seedData {
	t.Helper()
	var d seedData
	d.project = workflow.Project{Acronym: acronym, Title: "Crafts as a driver of SME competitiveness",
		Phase1Start: ptr(workflow.MustDate("2016-04-01")), Phase1End: ptr(workflow.MustDate("2019-03-31"))}
	require.NoError(t, s.CreateProject(ctx, &d.project))
	d.partner = workflow.Partner{ProjectID: d.project.ID, Name: "Budapesti Vállalkozásfejlesztési Közalapítvány",
		Country: "HU", Region: "HU11", Role: workflow.PartnerPartner}
	require.NoError(t, s.CreatePartner(ctx, &d.partner))
	d.instrument = workflow.PolicyInstrument{ProjectID: d.project.ID, Name: "VEKOP", Type: workflow.InstrumentGrowthAndJobs,
		PartnerIDs: []string{d.partner.ID}}
	require.NoError(t, s.CreatePolicyInstrument(ctx, &d.instrument))
	d.group = workflow.StakeholderGroup{ProjectID: d.project.ID, Name: "Érintettek", PolicyInstrumentID: d.instrument.ID}
	require.NoError(t, s.CreateStakeholderGroup(ctx, &d.group))
	return d
}

func ptr[T any](v T) *T { return &v }

func newUser(t testing.TB, s *sqlstore.Store, email string) (workflow.User, string) {
	t.Helper()
	u := workflow.User{Email: email, Name: "Иван Петров"}
	tok, hash := workflow.NewToken()
	require.NoError(t, s.CreateUser(ctx, &u, hash, "test"))
	return u, tok
}

var suite = map[string]func(t *testing.T, s *sqlstore.Store){
	"MigrateTwice": func(t *testing.T, s *sqlstore.Store) {
		require.NoError(t, s.Migrate(ctx), "migrations are idempotent")
		require.NoError(t, s.Ping(ctx))
	},
	"UsersAndTokens": func(t *testing.T, s *sqlstore.Store) {
		u, tok := newUser(t, s, "ivan@example.org")
		require.True(t, workflow.ValidID(u.ID))
		p, err := s.Authenticate(ctx, workflow.HashToken(tok))
		require.NoError(t, err)
		require.Equal(t, u.ID, p.User.ID)
		require.Equal(t, "Иван Петров", p.User.Name)
		require.Empty(t, p.Memberships)

		_, err = s.Authenticate(ctx, workflow.HashToken(tok+"x"))
		require.Equal(t, workflow.CodeNotFound, code(t, err))

		_, hash := workflow.NewToken()
		err = s.CreateUser(ctx, &workflow.User{Email: "ivan@example.org", Name: "Other"}, hash, "test")
		require.Equal(t, workflow.CodeConflict, code(t, err))
		_, err = s.Authenticate(ctx, hash)
		require.Equal(t, workflow.CodeNotFound, code(t, err), "a failed create leaves no token behind")

		tok2, hash2 := workflow.NewToken()
		require.NoError(t, s.AddToken(ctx, u.ID, hash2, "second"))
		p2, err := s.Authenticate(ctx, workflow.HashToken(tok2))
		require.NoError(t, err)
		require.Equal(t, u.ID, p2.User.ID)

		got, err := s.UserByEmail(ctx, "ivan@example.org")
		require.NoError(t, err)
		require.Equal(t, u, got)
	},
	"TokensAreStoredHashed": func(t *testing.T, s *sqlstore.Store) {
		_, tok := newUser(t, s, "hash@example.org")
		var n int
		require.NoError(t, s.DB().QueryRowContext(ctx, "SELECT count(*) FROM api_tokens WHERE hash = $1", tok).Scan(&n))
		require.Zero(t, n, "the plain token must not be stored")
		require.NoError(t, s.DB().QueryRowContext(ctx, "SELECT count(*) FROM api_tokens WHERE hash = $1", workflow.HashToken(tok)).Scan(&n))
		require.Equal(t, 1, n)
	},
	"EnsureAdmin": func(t *testing.T, s *sqlstore.Store) {
		tok, hash := workflow.NewToken()
		u := workflow.User{Email: "admin@localhost", Name: "Administrator"}
		require.NoError(t, s.EnsureAdmin(ctx, &u, hash))
		require.NoError(t, s.EnsureAdmin(ctx, &workflow.User{Email: "admin@localhost", Name: "Administrator"}, hash), "idempotent")
		p, err := s.Authenticate(ctx, workflow.HashToken(tok))
		require.NoError(t, err)
		require.True(t, p.User.Admin)
		require.Equal(t, u.ID, p.User.ID)
		users, _, err := s.ListUsers(ctx, workflow.Page{Limit: 10})
		require.NoError(t, err)
		require.Len(t, users, 1)
	},
	"ProjectRoundTrip": func(t *testing.T, s *sqlstore.Store) {
		d := seed(t, s, "CRAFTS CODE")
		got, err := s.Project(ctx, d.project.ID)
		require.NoError(t, err)
		require.Equal(t, d.project, got)
		require.Equal(t, "2016-04-01", got.Phase1Start.String())
		require.Nil(t, got.Phase2End)
		byAcr, err := s.ProjectByAcronym(ctx, "CRAFTS CODE")
		require.NoError(t, err)
		require.Equal(t, d.project.ID, byAcr.ID)

		err = s.CreateProject(ctx, &workflow.Project{Acronym: "CRAFTS CODE", Title: "again"})
		require.Equal(t, workflow.CodeConflict, code(t, err))
		_, err = s.Project(ctx, workflow.NewID())
		require.Equal(t, workflow.CodeNotFound, code(t, err))
	},
	"PartnersKeepTheirNames": func(t *testing.T, s *sqlstore.Store) {
		d := seed(t, s, "P")
		bg := workflow.Partner{ProjectID: d.project.ID, Name: "РАМ Стара планина", ShortName: "RAM", Country: "BG", Region: "BG32", Role: workflow.PartnerPartner}
		require.NoError(t, s.CreatePartner(ctx, &bg))
		list, next, err := s.ListPartners(ctx, d.project.ID, workflow.Page{Limit: 10})
		require.NoError(t, err)
		require.Empty(t, next)
		require.Equal(t, []workflow.Partner{d.partner, bg}, list)

		dup := workflow.Partner{ProjectID: d.project.ID, Name: "РАМ Стара планина", Country: "BG", Role: workflow.PartnerPartner}
		require.Equal(t, workflow.CodeConflict, code(t, s.CreatePartner(ctx, &dup)))
	},
	"Pagination": func(t *testing.T, s *sqlstore.Store) {
		d := seed(t, s, "PAGE")
		for i := range 6 {
			p := workflow.Partner{ProjectID: d.project.ID, Name: fmt.Sprintf("Partner %d", i), Country: "FI", Role: workflow.PartnerPartner}
			require.NoError(t, s.CreatePartner(ctx, &p))
		}
		var all []workflow.Partner
		after := ""
		for pages := 0; ; pages++ {
			require.Less(t, pages, 10)
			list, next, err := s.ListPartners(ctx, d.project.ID, workflow.Page{Limit: 3, After: after})
			require.NoError(t, err)
			require.LessOrEqual(t, len(list), 3)
			all = append(all, list...)
			if next == "" {
				break
			}
			after = next
		}
		require.Len(t, all, 7)
		for i := 1; i < len(all); i++ {
			require.Less(t, all[i-1].ID, all[i].ID)
		}
	},
	"InstrumentsAndGroups": func(t *testing.T, s *sqlstore.Store) {
		d := seed(t, s, "PI")
		other := seed(t, s, "OTHER")
		list, _, err := s.ListPolicyInstruments(ctx, d.project.ID, workflow.Page{Limit: 10})
		require.NoError(t, err)
		require.Equal(t, []workflow.PolicyInstrument{d.instrument}, list)

		foreign := workflow.PolicyInstrument{ProjectID: d.project.ID, Name: "X", Type: workflow.InstrumentOther, PartnerIDs: []string{other.partner.ID}}
		err = s.CreatePolicyInstrument(ctx, &foreign)
		require.Equal(t, workflow.CodeInvalid, code(t, err), "a partner of another project")
		list, _, err = s.ListPolicyInstruments(ctx, d.project.ID, workflow.Page{Limit: 10})
		require.NoError(t, err)
		require.Len(t, list, 1, "nothing written on failure")

		second := workflow.StakeholderGroup{ProjectID: d.project.ID, Name: "Second", PolicyInstrumentID: d.instrument.ID}
		require.Equal(t, workflow.CodeConflict, code(t, s.CreateStakeholderGroup(ctx, &second)))
		cross := workflow.StakeholderGroup{ProjectID: d.project.ID, Name: "Cross", PolicyInstrumentID: other.instrument.ID}
		require.Equal(t, workflow.CodeInvalid, code(t, s.CreateStakeholderGroup(ctx, &cross)))
		groups, _, err := s.ListStakeholderGroups(ctx, d.project.ID, workflow.Page{Limit: 10})
		require.NoError(t, err)
		require.Equal(t, []workflow.StakeholderGroup{d.group}, groups)
	},
	"ConcurrentSecondGroup": func(t *testing.T, s *sqlstore.Store) {
		d := seed(t, s, "RACE")
		pi := workflow.PolicyInstrument{ProjectID: d.project.ID, Name: "Race", Type: workflow.InstrumentETC, PartnerIDs: []string{d.partner.ID}}
		require.NoError(t, s.CreatePolicyInstrument(ctx, &pi))
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() {
				g := workflow.StakeholderGroup{ProjectID: d.project.ID, Name: fmt.Sprintf("G%d", i), PolicyInstrumentID: pi.ID}
				errs[i] = s.CreateStakeholderGroup(ctx, &g)
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else {
				require.Equal(t, workflow.CodeConflict, code(t, err), "%v", err)
			}
		}
		require.Equal(t, 1, ok)
	},
	"Memberships": func(t *testing.T, s *sqlstore.Store) {
		d := seed(t, s, "M")
		other := seed(t, s, "M2")
		u, tok := newUser(t, s, "m@example.org")
		m := workflow.Membership{ProjectID: d.project.ID, UserID: u.ID, Role: workflow.RolePartner, PartnerID: d.partner.ID}
		require.NoError(t, s.CreateMembership(ctx, &m))
		p, err := s.Authenticate(ctx, workflow.HashToken(tok))
		require.NoError(t, err)
		require.Equal(t, []workflow.Membership{m}, p.Memberships)

		again := workflow.Membership{ProjectID: d.project.ID, UserID: u.ID, Role: workflow.RoleObserver}
		require.Equal(t, workflow.CodeConflict, code(t, s.CreateMembership(ctx, &again)))
		cross := workflow.Membership{ProjectID: d.project.ID, UserID: u.ID, Role: workflow.RolePartner, PartnerID: other.partner.ID}
		require.Equal(t, workflow.CodeInvalid, code(t, s.CreateMembership(ctx, &cross)))
		ghost := workflow.Membership{ProjectID: d.project.ID, UserID: workflow.NewID(), Role: workflow.RoleObserver}
		require.Equal(t, workflow.CodeInvalid, code(t, s.CreateMembership(ctx, &ghost)))
		sh := workflow.Membership{ProjectID: other.project.ID, UserID: u.ID, Role: workflow.RoleStakeholder, StakeholderGroupID: other.group.ID}
		require.NoError(t, s.CreateMembership(ctx, &sh))

		list, _, err := s.ListMemberships(ctx, d.project.ID, workflow.Page{Limit: 10})
		require.NoError(t, err)
		require.Equal(t, []workflow.Membership{m}, list)

		mine, _, err := s.ListProjects(ctx, u.ID, workflow.Page{Limit: 10})
		require.NoError(t, err)
		require.Len(t, mine, 2)
		stranger, _ := newUser(t, s, "stranger@example.org")
		none, _, err := s.ListProjects(ctx, stranger.ID, workflow.Page{Limit: 10})
		require.NoError(t, err)
		require.Empty(t, none)
		all, _, err := s.ListProjects(ctx, "", workflow.Page{Limit: 10})
		require.NoError(t, err)
		require.Len(t, all, 2)
	},
	"HistoryIsAppendOnly": func(t *testing.T, s *sqlstore.Store) {
		d := seed(t, s, "HIST")
		start, end := workflow.MustDate("2019-01-01"), workflow.MustDate("2019-12-31")
		plan := workflow.Deliverable{Kind: workflow.KindActionPlan, Plan: &workflow.ActionPlan{ProjectID: d.project.ID,
			PartnerID: d.partner.ID, PolicyInstrumentID: d.instrument.ID, Title: "Terv", Language: "en",
			Actions: []workflow.PlanAction{{Title: "A", Description: "d", Players: "p", TimeframeStart: &start, TimeframeEnd: &end}}}}
		require.NoError(t, s.CreateDeliverable(ctx, &plan))
		admin := workflow.Principal{User: workflow.User{ID: workflow.NewID(), Admin: true}}
		_, _, err := s.FireTransition(ctx, workflow.TransitionRequest{Kind: plan.Kind, ID: plan.Plan.ID, Version: 1, Trigger: workflow.TriggerSubmit, Principal: admin})
		require.NoError(t, err)
		for _, stmt := range []string{"UPDATE transitions SET note = 'rewritten'", "DELETE FROM transitions", "UPDATE revisions SET sha256 = sha256", "DELETE FROM revisions"} {
			_, err = s.DB().ExecContext(ctx, stmt)
			require.ErrorContains(t, err, "append-only", stmt)
		}
		h, _, err := s.History(ctx, plan.Kind, plan.Plan.ID, workflow.Page{Limit: 50})
		require.NoError(t, err)
		require.Len(t, h, 1)
		require.Equal(t, "", h[0].Note)
	},
	"IdempotencyKeys": func(t *testing.T, s *sqlstore.Store) {
		u, _ := newUser(t, s, "idem@example.org")
		rec := workflow.IdempotencyRecord{UserID: u.ID, Key: "k1", RequestHash: "h1"}
		got, claimed, err := s.ClaimIdempotencyKey(ctx, &rec)
		require.NoError(t, err)
		require.True(t, claimed)
		require.Equal(t, "h1", got.RequestHash)

		again, claimed, err := s.ClaimIdempotencyKey(ctx, &workflow.IdempotencyRecord{UserID: u.ID, Key: "k1", RequestHash: "h2"})
		require.NoError(t, err)
		require.False(t, claimed)
		require.Equal(t, "h1", again.RequestHash)
		require.Zero(t, again.Status, "still running")

		rec.Status, rec.Headers, rec.Body = 201, map[string]string{"Content-Type": "application/json"}, []byte(`{"ok":"ő"}`)
		require.NoError(t, s.CompleteIdempotencyKey(ctx, rec))
		done, claimed, err := s.ClaimIdempotencyKey(ctx, &workflow.IdempotencyRecord{UserID: u.ID, Key: "k1", RequestHash: "h1"})
		require.NoError(t, err)
		require.False(t, claimed)
		require.Equal(t, 201, done.Status)
		require.Equal(t, rec.Body, done.Body)
		require.Equal(t, rec.Headers, done.Headers)

		require.NoError(t, s.ReleaseIdempotencyKey(ctx, u.ID, "k1"))
		_, claimed, err = s.ClaimIdempotencyKey(ctx, &workflow.IdempotencyRecord{UserID: u.ID, Key: "k1", RequestHash: "h3"})
		require.NoError(t, err)
		require.True(t, claimed, "a released key can be claimed again")
	},
}
