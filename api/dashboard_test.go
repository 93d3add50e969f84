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
		require.Len(t, d.Deliverables, 10, "every kind and state, zeros included")
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
