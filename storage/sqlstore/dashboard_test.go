package sqlstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// dashNow is a day in 2026: every period of the seeded phase 2 is due.
var dashNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func counts(cs []workflow.StatusCount) map[string]int {
	m := map[string]int{}
	for _, c := range cs {
		m[c.Status] = c.Count
	}
	return m
}

// expectedActions recounts a plan from the fixture: the statuses of its
// latest submitted or accepted report, the rest not reported.
func expectedActions(p sqlstoretest.MonitoredPlan) (map[string]int, string) {
	want := map[string]int{}
	for _, s := range workflow.ImplementationStatuses {
		want[s] = 0
	}
	var latest *sqlstoretest.SeedReport
	for i := range p.Reports {
		r := &p.Reports[i]
		if r.State != workflow.ReportDraft && (latest == nil || r.Period.Index > latest.Period.Index) {
			latest = r
		}
	}
	period := ""
	if latest != nil {
		period = latest.Period.Name
		for _, st := range latest.Actions {
			want[string(st)]++
		}
	}
	want[workflow.NotReported] = p.Actions - min(p.Actions, len(latestActions(latest)))
	return want, period
}

func latestActions(r *sqlstoretest.SeedReport) []workflow.ActionStatus {
	if r == nil {
		return nil
	}
	return r.Actions
}

func TestDashboardMonitoring(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := sqlstoretest.New(t, d)
			m := sqlstoretest.GenerateMonitoring("DASH", 12, 4, 3, 2)
			m.Plans[0].Actions = 5   // revised after its last report: one action not reported
			m.Plans[1].Reports = nil // never reported
			m.Plans[2].State = workflow.StateClosed
			m.Plans[4].Indicators[1].Target = m.Plans[4].Indicators[1].Baseline // progress cannot be measured
			m.Plans[6].Indicators[0].Name = "=cmd|' /C calc'!A0"                // stays text in JSON
			require.NoError(t, sqlstoretest.InsertMonitoring(ctx, s.DB(), d, m))
			// Good practices are counted by kind too: two of plan 3's
			// partner, one of them approved.
			for i, title := range []string{"Shared ateliers", "Craft mentoring"} {
				gp := workflow.Deliverable{Kind: workflow.KindGoodPractice, Practice: &workflow.GoodPractice{ProjectID: m.Project.ID,
					PartnerID: m.Plans[3].PartnerID, Title: title, Location: workflow.Location{Country: "HU", City: "Budapest"}}}
				require.NoError(t, s.CreateDeliverable(ctx, &gp))
				if i == 1 {
					_, err := s.DB().ExecContext(ctx, "UPDATE deliverables SET state = 'approved' WHERE id = $1", gp.Practice.ID)
					require.NoError(t, err)
				}
			}

			got, err := s.Dashboard(ctx, m.Project.ID, workflow.Scope{All: true}, dashNow)
			require.NoError(t, err)
			require.Equal(t, "project", got.Scope)
			require.Len(t, got.Deliverables, 15)
			wantCounts := map[[2]string]int{{"action_plan", "monitored"}: 11, {"action_plan", "closed"}: 1,
				{"good_practice", "draft"}: 1, {"good_practice", "approved"}: 1}
			for _, sc := range got.Deliverables {
				require.Equal(t, wantCounts[[2]string{string(sc.Kind), string(sc.State)}], sc.Count, "%s %s", sc.Kind, sc.State)
			}

			// Actions, per plan and in total.
			require.Len(t, got.Actions.Plans, 12)
			byID := map[string]sqlstoretest.MonitoredPlan{}
			for _, p := range m.Plans {
				byID[p.ID] = p
			}
			total := map[string]int{}
			for _, pa := range got.Actions.Plans {
				want, period := expectedActions(byID[pa.PlanID])
				require.Equal(t, want, counts(pa.Counts), pa.Title)
				require.Equal(t, period, pa.LatestPeriod, pa.Title)
				for k, v := range want {
					total[k] += v
				}
			}
			require.Equal(t, total, counts(got.Actions.Totals))
			plan := func(i int) workflow.PlanActions {
				for _, pa := range got.Actions.Plans {
					if pa.PlanID == m.Plans[i].ID {
						return pa
					}
				}
				t.Fatalf("plan %d missing", i)
				return workflow.PlanActions{}
			}
			require.Equal(t, 1, counts(plan(0).Counts)[workflow.NotReported])
			require.Equal(t, 4, counts(plan(1).Counts)[workflow.NotReported])
			require.Equal(t, "", plan(1).LatestPeriod)
			require.Equal(t, "2020-S2", plan(3).LatestPeriod, "its 2021-S1 report is missing")
			require.Equal(t, "2020-S2", plan(5).LatestPeriod, "its 2021-S1 report is a draft")
			require.Equal(t, "2021-S1", plan(7).LatestPeriod)

			// Indicators: the latest report's value against the target.
			require.Equal(t, 24, got.Indicators.Summary.Indicators)
			require.Equal(t, 22, got.Indicators.Summary.Reported, "plan 1 reported none")
			for _, pi := range got.Indicators.Plans {
				p := byID[pi.PlanID]
				require.Len(t, pi.Indicators, 2)
				for _, a := range pi.Indicators {
					if p.ID == m.Plans[1].ID {
						require.Nil(t, a.Achieved)
						require.Nil(t, a.Progress)
						continue
					}
					require.NotNil(t, a.Achieved, a.Name)
				}
			}
			p7 := got.Indicators.Plans[7]
			require.Equal(t, m.Plans[7].ID, p7.PlanID, "plans are in title order")
			// Plan 7's 2021-S1 values are 3 and 6; baselines 0 and 1, targets 10 and 11.
			require.Equal(t, 3.0, *p7.Indicators[0].Achieved)
			require.Equal(t, "2021-S1", p7.Indicators[0].Period)
			require.InDelta(t, 0.3, *p7.Indicators[0].Progress, 1e-9)
			require.InDelta(t, 0.5, *p7.Indicators[1].Progress, 1e-9)
			require.InDelta(t, 0.4, p7.AvgProgress, 1e-9)
			require.Nil(t, got.Indicators.Plans[4].Indicators[1].Progress, "target equals baseline")
			require.NotNil(t, got.Indicators.Plans[4].Indicators[1].Achieved)
			require.Equal(t, "=cmd|' /C calc'!A0", got.Indicators.Plans[6].Indicators[0].Name)

			// Overdue: plan 1 all three periods, plans 3 and 10 their missing
			// 2021-S1, plan 5 its draft; plan 2 is closed. Oldest first.
			var over []string
			for _, o := range got.Overdue {
				over = append(over, fmt.Sprintf("%s %s %s", o.Title[:15], o.Period, o.Status))
				require.Positive(t, o.DaysLate)
			}
			require.Equal(t, []string{
				"Action plan 002 2020-S1 missing",
				"Action plan 002 2020-S2 missing",
				"Action plan 002 2021-S1 missing",
				"Action plan 004 2021-S1 missing",
				"Action plan 006 2021-S1 draft",
				"Action plan 011 2021-S1 missing",
			}, over)
			require.Equal(t, "2021-07-30", got.Overdue[3].DueAt.Format(time.DateOnly))

			// Before the first due date nothing is overdue.
			early, err := s.Dashboard(ctx, m.Project.ID, workflow.Scope{All: true}, time.Date(2020, 7, 30, 0, 0, 0, 0, time.UTC))
			require.NoError(t, err)
			require.Empty(t, early.Overdue)

			// A partner sees its own plan only.
			mine, err := s.Dashboard(ctx, m.Project.ID, workflow.Scope{PartnerID: m.Plans[3].PartnerID}, dashNow)
			require.NoError(t, err)
			require.Equal(t, "partner", mine.Scope)
			require.Len(t, mine.Actions.Plans, 1)
			require.Equal(t, m.Plans[3].ID, mine.Actions.Plans[0].PlanID)
			require.Len(t, mine.Indicators.Plans, 1)
			require.Equal(t, 2, mine.Indicators.Summary.Indicators)
			require.Len(t, mine.Overdue, 1)
			require.Equal(t, 4, sum(mine.Actions.Totals))
			for _, sc := range mine.Deliverables {
				want := map[[2]string]int{{"action_plan", "monitored"}: 1, {"good_practice", "draft"}: 1, {"good_practice", "approved"}: 1}[[2]string{string(sc.Kind), string(sc.State)}]
				require.Equal(t, want, sc.Count, "the partner's own: %s %s", sc.Kind, sc.State)
			}
			other, err := s.Dashboard(ctx, m.Project.ID, workflow.Scope{PartnerID: m.Plans[4].PartnerID}, dashNow)
			require.NoError(t, err)
			for _, sc := range other.Deliverables {
				if sc.Kind == workflow.KindGoodPractice {
					require.Zero(t, sc.Count, "another partner's practices are not on its dashboard: %s", sc.State)
				}
			}

			_, err = s.Dashboard(ctx, workflow.NewID(), workflow.Scope{All: true}, dashNow)
			require.Equal(t, workflow.CodeNotFound, workflow.ErrorCode(err))
		})
	}
}

func sum(cs []workflow.StatusCount) int {
	n := 0
	for _, c := range cs {
		n += c.Count
	}
	return n
}

// TestDashboardQueryCount shows the dashboard has no N+1: reading a
// project of 10 plans and one of 200 costs the same number of queries.
func TestDashboardQueryCount(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := sqlstoretest.New(t, d)
			queries := map[string]int64{} // by scope and number of plans
			n := s.CountQueries()
			for _, plans := range []int{10, 200} {
				m := sqlstoretest.GenerateMonitoring(fmt.Sprintf("Q%d", plans), plans, 3, 2, 2)
				require.NoError(t, sqlstoretest.InsertMonitoring(ctx, s.DB(), d, m))
				for _, scope := range []workflow.Scope{{All: true}, {PartnerID: m.Plans[0].PartnerID}} {
					before := n.Load()
					got, err := s.Dashboard(ctx, m.Project.ID, scope, dashNow)
					require.NoError(t, err)
					if scope.All {
						require.Len(t, got.Actions.Plans, plans)
						require.NotEmpty(t, got.Overdue)
					}
					key := fmt.Sprintf("all=%v plans=%d", scope.All, plans)
					queries[key] = n.Load() - before
					t.Logf("%s, %s: %d queries", d, key, queries[key])
				}
			}
			require.Positive(t, queries["all=true plans=10"], "the counter counts")
			require.Equal(t, queries["all=true plans=10"], queries["all=true plans=200"])
			require.Equal(t, queries["all=false plans=10"], queries["all=false plans=200"])
		})
	}
}
