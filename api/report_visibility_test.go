package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

// A stakeholder of a plan's instrument reads its progress reports, and the
// evidence attached to them, only once accepted: a draft or submitted
// report is as hidden as a deliverable's draft, on every path (issue 15,
// #4). Evidence of the plan that no report holds stays readable.
func TestStakeholdersSeeOnlyAcceptedReports(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("REPV")
		admin, sh := e.admin, c.tokens["stakeholder"]
		// The consortium's plan is on the stakeholder's instrument: walk it
		// to monitored.
		withPhase2(e, c)
		plan := c.plan.ID
		require.Equal(t, 200, e.do(req{Method: "POST", Path: "/api/v1/action-plans/" + plan + "/consultation/close", Token: admin}).Status)
		e.fire("action-plans", plan, admin, "approve", 2, 200)
		e.fire("action-plans", plan, admin, "start_monitoring", 3, 200)

		var rep workflow.ProgressReport
		e.create("/api/v1/action-plans/"+plan+"/progress-reports", admin, map[string]any{"period": "2019-S2"}, &rep)
		upload := func(query string) string {
			res := e.do(req{Method: "POST", Path: "/api/v1/action-plans/" + plan + "/evidence?filename=a.pdf" + query, Token: admin, Body: samplePDF})
			require.Equal(t, 201, res.Status, "%s", res.Body)
			var ev workflow.Evidence
			res.json(t, &ev)
			return ev.ID
		}
		attached, loose := upload("&report_id="+rep.ID), upload("")
		res := e.do(req{Method: "PATCH", Path: "/api/v1/progress-reports/" + rep.ID, Token: admin, Headers: ifMatch1,
			Body: map[string]any{"actions": []map[string]any{{"number": 1, "status": "in_progress", "narrative": "Titkos haladás",
				"evidence_ids": []string{attached, loose}}}}})
		require.Equal(t, 200, res.Status, "%s", res.Body)

		hidden := func(state string) {
			t.Helper()
			for _, path := range []string{"/api/v1/progress-reports/" + rep.ID, "/api/v1/progress-reports/" + rep.ID + "/history",
				"/api/v1/progress-reports/" + rep.ID + "/transitions", "/api/v1/evidence/" + attached, "/api/v1/evidence/" + attached + "/content"} {
				res := e.do(req{Method: "GET", Path: path, Token: sh})
				require.Equal(t, http.StatusNotFound, res.Status, "%s report: GET %s: %s", state, path, res.Body)
			}
			for _, path := range []string{"/api/v1/action-plans/" + plan + "/progress-reports", "/api/v1/action-plans/" + plan + "/periods",
				"/api/v1/action-plans/" + plan + "/evidence"} {
				res := e.do(req{Method: "GET", Path: path, Token: sh})
				require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
				require.NotContains(t, string(res.Body), rep.ID, "%s report: GET %s", state, path)
				require.NotContains(t, string(res.Body), "Titkos haladás", "%s report: GET %s", state, path)
				require.NotContains(t, string(res.Body), attached, "%s report: GET %s", state, path)
			}
			// The loose file is the plan's, not the report's.
			require.Equal(t, http.StatusOK, e.do(req{Method: "GET", Path: "/api/v1/evidence/" + loose, Token: sh}).Status)
			// The plan's partner and the observer still read the report.
			for _, tok := range []string{c.tokens["partner"], c.tokens["observer"]} {
				require.Equal(t, http.StatusOK, e.do(req{Method: "GET", Path: "/api/v1/progress-reports/" + rep.ID, Token: tok}).Status)
				require.Equal(t, http.StatusOK, e.do(req{Method: "GET", Path: "/api/v1/evidence/" + attached, Token: tok}).Status)
			}
		}
		hidden("draft")
		e.fire("progress-reports", rep.ID, admin, "submit", 2, 200)
		hidden("submitted")
		e.fire("progress-reports", rep.ID, admin, "accept", 3, 200)

		// Accepted, the report and its evidence are the stakeholder's to read.
		for _, path := range []string{"/api/v1/progress-reports/" + rep.ID, "/api/v1/progress-reports/" + rep.ID + "/history",
			"/api/v1/evidence/" + attached, "/api/v1/evidence/" + attached + "/content"} {
			res := e.do(req{Method: "GET", Path: path, Token: sh})
			require.Equal(t, http.StatusOK, res.Status, "GET %s: %s", path, res.Body)
		}
		for _, path := range []string{"/api/v1/action-plans/" + plan + "/progress-reports", "/api/v1/action-plans/" + plan + "/evidence"} {
			res := e.do(req{Method: "GET", Path: path, Token: sh})
			require.Contains(t, string(res.Body), rep.ID+`"`, "GET %s", path)
		}
		res = e.do(req{Method: "GET", Path: "/api/v1/action-plans/" + plan + "/evidence", Token: sh})
		require.Contains(t, string(res.Body), attached)
		require.Contains(t, string(res.Body), loose)
	})
}
