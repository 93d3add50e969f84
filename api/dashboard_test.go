package api_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

func stateCount(d workflow.Dashboard, k workflow.Kind, s workflow.State) int {
	for _, c := range d.Deliverables {
		if c.Kind == k && c.State == s {
			return c.Count
		}
	}
	return -1
}

// TestDashboard reads the dashboard as the coordinator and as a partner
// that owns nothing, as JSON and as CSV.
func TestDashboard(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("DASH")
		base := "/api/v1/projects/" + c.project.ID
		e.create(base+"/action-plans", e.admin, completePlan(e.freshInstrument(c), c.partner.ID), nil) // a draft

		var d workflow.Dashboard
		res := e.do(req{Method: "GET", Path: base + "/dashboard", Token: c.tokens["coordinator"]})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, "Accept", res.Header.Get("Vary"))
		res.json(t, &d)
		require.Equal(t, "project", d.Scope)
		require.Len(t, d.Deliverables, 15, "every kind and state, zeros included")
		require.Equal(t, 1, stateCount(d, workflow.KindActionPlan, workflow.StateDraft))
		require.Equal(t, 1, stateCount(d, workflow.KindActionPlan, workflow.StateStakeholderReview))
		require.Equal(t, 1, stateCount(d, workflow.KindPeerReview, workflow.StateStakeholderReview))
		require.Equal(t, 0, stateCount(d, workflow.KindPeerReview, workflow.StateMonitored))

		// A partner of the project that is party to nothing sees zeros.
		var other workflow.Partner
		e.create(base+"/partners", e.admin, map[string]any{"name": "Artesis Plantijn Hogeschool", "country": "BE", "role": "partner"}, &other)
		var u struct{ ID, Token string }
		e.create("/api/v1/users", e.admin, map[string]any{"email": "be@dash.example", "name": "BE"}, &u)
		e.create(base+"/members", e.admin, map[string]any{"user_id": u.ID, "role": "partner", "partner_id": other.ID}, nil)
		var pd workflow.Dashboard
		e.do(req{Method: "GET", Path: base + "/dashboard", Token: u.Token}).json(t, &pd)
		require.Equal(t, "partner", pd.Scope)
		for _, sc := range pd.Deliverables {
			require.Zero(t, sc.Count, "%s %s", sc.Kind, sc.State)
		}
		// The HU partner sees its own plans and the review it hosts.
		var hu workflow.Dashboard
		e.do(req{Method: "GET", Path: base + "/dashboard", Token: c.tokens["partner"]}).json(t, &hu)
		require.Equal(t, 1, stateCount(hu, workflow.KindActionPlan, workflow.StateDraft))
		require.Equal(t, 1, stateCount(hu, workflow.KindPeerReview, workflow.StateStakeholderReview))

		// CSV, by query or by Accept; JSON stays the default.
		for _, r := range []req{
			{Method: "GET", Path: base + "/dashboard?format=csv", Token: c.tokens["observer"]},
			{Method: "GET", Path: base + "/dashboard", Token: c.tokens["observer"], Headers: map[string]string{"Accept": "application/json;q=0.5, text/csv"}},
		} {
			res := e.do(r)
			require.Equal(t, http.StatusOK, res.Status)
			require.Equal(t, "text/csv; charset=utf-8", res.Header.Get("Content-Type"))
			require.Contains(t, res.Header.Get("Content-Disposition"), "attachment")
			rows, err := csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
			require.NoError(t, err)
			require.Equal(t, "section", rows[0][0])
			found := false
			for _, row := range rows {
				if row[0] == "deliverables" && row[3] == "action_plan" && row[5] == "draft" {
					require.Equal(t, "1", row[7])
					found = true
				}
			}
			require.True(t, found, "%s", res.Body)
		}
		for accept, ct := range map[string]string{"": "application/json", "text/csv;q=0.4, application/json": "application/json", "*/*": "application/json"} {
			res := e.do(req{Method: "GET", Path: base + "/dashboard", Token: c.tokens["observer"], Headers: map[string]string{"Accept": accept}})
			require.Contains(t, res.Header.Get("Content-Type"), ct, "Accept: %q", accept)
		}
		res = e.do(req{Method: "GET", Path: base + "/dashboard?format=xlsx", Token: c.tokens["observer"]})
		require.Equal(t, http.StatusBadRequest, res.Status)
	})
}

func planCounts(t *testing.T, d workflow.Dashboard, planID string) (map[string]int, string) {
	t.Helper()
	for _, p := range d.Actions.Plans {
		if p.PlanID == planID {
			m := map[string]int{}
			for _, c := range p.Counts {
				m[c.Status] = c.Count
			}
			return m, p.LatestPeriod
		}
	}
	t.Fatalf("plan %s is not on the dashboard", planID)
	return nil, ""
}

// TestDashboardFollowsReports walks a plan to monitored and reports on it
// through the API, and reads the dashboard after each step.
func TestDashboardFollowsReports(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("DASHREP")
		withPhase2(e, c) // periods 2019-S1 to 2021-S1, all due
		owner := c.tokens["partner"]
		plan := draftPlan(e, c)
		res := e.do(req{Method: "POST", Path: "/api/v1/action-plans/" + plan + "/actions", Token: owner, Headers: ifMatch1,
			Body: map[string]any{"title": "Design lab", "description": "A shared lab for craft SMEs.", "players": "BVK",
				"timeframe_start": "2019-06-01", "timeframe_end": "2020-12-31"}})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		e.fire("action-plans", plan, e.admin, "submit", 2, 200)
		require.Equal(t, 200, e.do(req{Method: "POST", Path: "/api/v1/action-plans/" + plan + "/consultation/close", Token: e.admin}).Status)
		e.fire("action-plans", plan, e.admin, "approve", 3, 200)
		e.fire("action-plans", plan, e.admin, "start_monitoring", 4, 200)
		var ind workflow.Indicator
		e.create("/api/v1/action-plans/"+plan+"/indicators", owner, map[string]any{"name": "Mentored SMEs", "unit": "SMEs", "baseline": 10, "target": 50}, &ind)

		read := func() workflow.Dashboard {
			var d workflow.Dashboard
			res := e.do(req{Method: "GET", Path: "/api/v1/projects/" + c.project.ID + "/dashboard", Token: c.tokens["secretariat"]})
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			res.json(t, &d)
			return d
		}
		// Nothing reported: both actions (the one added in draft too) count
		// as not reported, and every period is overdue.
		d := read()
		counts, period := planCounts(t, d, plan)
		require.Equal(t, 2, counts[workflow.NotReported])
		require.Equal(t, "", period)
		require.Len(t, d.Overdue, 5)
		require.Equal(t, 1, d.Indicators.Summary.Indicators)
		require.Zero(t, d.Indicators.Summary.Reported)

		// A submitted 2019-S2 report counts; the period is no longer overdue.
		var rep workflow.ProgressReport
		e.create("/api/v1/action-plans/"+plan+"/progress-reports", owner, map[string]any{"period": "2019-S2"}, &rep)
		res = e.do(req{Method: "PATCH", Path: "/api/v1/progress-reports/" + rep.ID, Token: owner, Headers: ifMatch1, Body: map[string]any{
			"actions": []map[string]any{
				{"number": 1, "status": "completed", "narrative": "Kész."},
				{"number": 2, "status": "delayed", "explanation": "The building is late.", "narrative": "Várunk."}},
			"indicator_values": []map[string]any{{"indicator_id": ind.ID, "achieved": 30}},
		}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		d = read()
		counts, _ = planCounts(t, d, plan)
		require.Equal(t, 2, counts[workflow.NotReported], "a draft report says nothing yet")
		res = e.do(req{Method: "POST", Path: "/api/v1/progress-reports/" + rep.ID + "/transitions", Token: owner,
			Body: map[string]any{"trigger": "submit"}, Headers: map[string]string{"If-Match": `"2"`}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		d = read()
		counts, period = planCounts(t, d, plan)
		require.Equal(t, map[string]int{"completed": 1, "delayed": 1, "not_started": 0, "in_progress": 0, "abandoned": 0, workflow.NotReported: 0}, counts)
		require.Equal(t, "2019-S2", period)
		var periods []string
		for _, o := range d.Overdue {
			periods = append(periods, o.Period+" "+o.Status)
		}
		require.Equal(t, []string{"2019-S1 missing", "2020-S1 missing", "2020-S2 missing", "2021-S1 missing"}, periods)
		require.Len(t, d.Indicators.Plans, 1)
		a := d.Indicators.Plans[0].Indicators[0]
		require.Equal(t, 30.0, *a.Achieved)
		require.InDelta(t, 0.5, *a.Progress, 1e-9, "(30 - 10) / (50 - 10)")
		require.Equal(t, 1, d.Indicators.Summary.Reported)

		// A newer report in draft is overdue and does not replace the figures.
		e.create("/api/v1/action-plans/"+plan+"/progress-reports", owner, map[string]any{"period": "2020-S1"}, nil)
		d = read()
		_, period = planCounts(t, d, plan)
		require.Equal(t, "2019-S2", period)
		require.Equal(t, "2020-S1", d.Overdue[1].Period)
		require.Equal(t, "draft", d.Overdue[1].Status)
	})
}
