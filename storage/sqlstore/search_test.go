package sqlstore_test

import (
	"fmt"
	"io/fs"
	"testing"

	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/migrations"
	"github.com/craftscode/craftscode/search"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

func searchFor(t *testing.T, s *sqlstore.Store, pid, q string, scope workflow.Scope) []workflow.SearchHit {
	t.Helper()
	hits, _, err := s.Search(ctx, workflow.SearchQuery{ProjectID: pid, Terms: search.Terms(q), Scope: scope, Limit: 50})
	require.NoError(t, err)
	return hits
}

func TestSearchActions(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := sqlstoretest.New(t, d)
			sd := seed(t, s, "SRCH")
			pid, all := sd.project.ID, workflow.Scope{All: true}
			plan := completePlanFor(sd, sd.instrument.ID)
			plan.Plan.Actions[0].Title = "Réseau des artisans à Kraków"
			plan.Plan.Actions[0].Description = "Ремёсла и дизайн для <b>малых</b> предприятий"
			plan.Plan.Actions[1].Title = "Mentoring"
			require.NoError(t, s.CreateDeliverable(ctx, &plan))
			id := plan.Plan.ID

			// Accents, case and Cyrillic fold alike on both sides; words match as prefixes.
			for _, q := range []string{"reseau KRAKOW", "Réseau", "ремесла", "РЕМЁСЛ", "дизайн малых"} {
				hits := searchFor(t, s, pid, q, all)
				require.Len(t, hits, 1, q)
				require.Equal(t, workflow.SearchAction, hits[0].Type)
				require.Equal(t, 1, hits[0].ActionNumber)
				require.Equal(t, id, hits[0].ID)
				require.Equal(t, "Terv", hits[0].PlanTitle)
				require.Equal(t, "/api/v1/action-plans/"+id, hits[0].Links["action_plan"])
			}
			hits := searchFor(t, s, pid, "малых", all)
			require.Contains(t, hits[0].Snippet, "&lt;b&gt;<mark>малых</mark>&lt;/b&gt;", "the snippet is escaped and marked")
			require.Empty(t, searchFor(t, s, pid, "krakow mentoring", all), "every word must match in one document")
			require.Empty(t, searchFor(t, s, pid, "akow", all), "a word matches from its start")
			require.Len(t, searchFor(t, s, pid, "mentor", all), 1)

			// An edit re-indexes in its own transaction.
			_, err := s.UpdateDeliverable(ctx, workflow.KindActionPlan, id, 1, func(d *workflow.Deliverable) error {
				d.Plan.Actions[1].Title = "Apprenticeships"
				return nil
			})
			require.NoError(t, err)
			require.Empty(t, searchFor(t, s, pid, "mentoring", all))
			require.Len(t, searchFor(t, s, pid, "apprentice", all), 1)

			// Scope: a stakeholder sees its instrument's plan only past draft;
			// a partner that is no party and another instrument see nothing.
			require.Empty(t, searchFor(t, s, pid, "reseau", workflow.Scope{InstrumentID: sd.instrument.ID}))
			require.Empty(t, searchFor(t, s, pid, "reseau", workflow.Scope{PartnerID: workflow.NewID()}))
			require.Len(t, searchFor(t, s, pid, "reseau", workflow.Scope{PartnerID: sd.partner.ID}), 1)
			require.Empty(t, searchFor(t, s, pid, "reseau", workflow.Scope{}))
			require.Empty(t, searchFor(t, s, workflow.NewID(), "reseau", all), "another project")
			owner, _ := member(t, s, "owner@srch", workflow.Membership{ProjectID: pid, Role: workflow.RolePartner, PartnerID: sd.partner.ID})
			_, _, err = s.FireTransition(ctx, workflow.TransitionRequest{Kind: workflow.KindActionPlan, ID: id, Version: 2, Trigger: workflow.TriggerSubmit, Principal: owner})
			require.NoError(t, err)
			require.Len(t, searchFor(t, s, pid, "reseau", workflow.Scope{InstrumentID: sd.instrument.ID}), 1)
			require.Empty(t, searchFor(t, s, pid, "reseau", workflow.Scope{InstrumentID: workflow.NewID()}))
			// Good practices: every partner and group sees them once submitted.
			g := workflow.Deliverable{Kind: workflow.KindGoodPractice, Practice: &workflow.GoodPractice{ProjectID: pid, PartnerID: sd.partner.ID,
				Title: "Ateliers partagés", Summary: "Shared <i>workshops</i> for young crafts people in Sofia (София)",
				Location: workflow.Location{Country: "BG", NUTS2: "BG41", City: "София"}}}
			require.NoError(t, s.CreateDeliverable(ctx, &g))
			hits = searchFor(t, s, pid, "atelier софия", all)
			require.Len(t, hits, 1)
			require.Equal(t, workflow.SearchGoodPractice, hits[0].Type)
			require.Equal(t, "/api/v1/good-practices/"+g.Practice.ID, hits[0].Links["good_practice"])
			require.Contains(t, hits[0].Snippet, "&lt;i&gt;workshops&lt;/i&gt;")
			require.Empty(t, searchFor(t, s, pid, "atelier", workflow.Scope{PartnerID: workflow.NewID()}), "a draft practice is its owner's")
			require.Empty(t, searchFor(t, s, pid, "atelier", workflow.Scope{InstrumentID: workflow.NewID()}))
			_, err = s.DB().ExecContext(ctx, "UPDATE deliverables SET state = 'stakeholder_review' WHERE id = $1", g.Practice.ID)
			require.NoError(t, err)
			require.Len(t, searchFor(t, s, pid, "atelier", workflow.Scope{PartnerID: workflow.NewID()}), 1)
			require.Len(t, searchFor(t, s, pid, "atelier", workflow.Scope{InstrumentID: workflow.NewID()}), 1)
			require.Len(t, searchFor(t, s, pid, "p", workflow.Scope{InstrumentID: workflow.NewID()}), 1, "but not the other group's plan")

			gp, _, err := s.Search(ctx, workflow.SearchQuery{ProjectID: pid, Terms: []string{"reseau"}, Kind: workflow.SearchGoodPractice, Scope: all, Limit: 5})
			require.NoError(t, err)
			require.Empty(t, gp, "the type filter")
			acts, _, err := s.Search(ctx, workflow.SearchQuery{ProjectID: pid, Terms: []string{"p"}, Kind: workflow.SearchAction, Scope: all, Limit: 5})
			require.NoError(t, err)
			require.Len(t, acts, 2)

			// A partner's search runs once per kind and merges: pages of one
			// walk over both kinds in order, each item once.
			var seen []string
			var after workflow.SearchCursor
			for range 5 {
				hits, next, err := s.Search(ctx, workflow.SearchQuery{ProjectID: pid, Terms: []string{"p"}, Scope: workflow.Scope{PartnerID: sd.partner.ID}, Limit: 1, After: after})
				require.NoError(t, err)
				require.Len(t, hits, 1)
				seen = append(seen, fmt.Sprintf("%s/%d", hits[0].ID, hits[0].ActionNumber))
				if next == nil {
					break
				}
				after = *next
			}
			require.ElementsMatch(t, []string{id + "/1", id + "/2", g.Practice.ID + "/0"}, seen)
			require.IsIncreasing(t, seen)
		})
	}
}

func TestSearchPagesAndRebuild(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := sqlstoretest.New(t, d)
			sd := seed(t, s, "PAGE")
			pid, all := sd.project.ID, workflow.Scope{All: true}
			plan := completePlanFor(sd, sd.instrument.ID)
			for i := range 3 {
				a := plan.Plan.Actions[0]
				a.Title = fmt.Sprintf("Craft fair %d", i)
				plan.Plan.Actions = append(plan.Plan.Actions, a)
			}
			plan.Plan.Normalize()
			require.NoError(t, s.CreateDeliverable(ctx, &plan))

			// Pages of two: 2, 2, 1, each once, in action order.
			var got []int
			var after workflow.SearchCursor
			for pages := 1; ; pages++ {
				hits, next, err := s.Search(ctx, workflow.SearchQuery{ProjectID: pid, Terms: []string{"d"}, Scope: all, Limit: 2, After: after})
				require.NoError(t, err)
				for _, h := range hits {
					got = append(got, h.ActionNumber)
				}
				require.Less(t, pages, 4, "the cursor must move on")
				if next == nil {
					require.Equal(t, 3, pages)
					break
				}
				after = *next
			}
			require.Equal(t, []int{1, 2, 3, 4, 5}, got)

			// The migration fills the index from existing content: roll
			// back to before it (later migrations too), then up again.
			dir, err := fs.Sub(migrations.FS, string(d))
			require.NoError(t, err)
			gd := goose.DialectPostgres
			if d == sqlstore.SQLite {
				gd = goose.DialectSQLite3
			}
			p, err := goose.NewProvider(gd, s.DB(), dir)
			require.NoError(t, err)
			_, err = p.DownTo(ctx, 11)
			require.NoError(t, err)
			require.NoError(t, s.Migrate(ctx))
			require.Len(t, searchFor(t, s, pid, "craft fair", all), 3)

			// Deleting a draft takes its entries with it.
			require.NoError(t, s.DeleteDeliverable(ctx, workflow.KindActionPlan, plan.Plan.ID, 1))
			var n int
			require.NoError(t, s.DB().QueryRowContext(ctx, "SELECT count(*) FROM search_documents").Scan(&n))
			require.Zero(t, n)
		})
	}
}
