package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/workflow"
)

// withPhase2 gives the consortium's project a phase 2 from April 2019 to
// March 2021: periods 2019-S1 to 2021-S1, all due in the past.
func withPhase2(e *testEnv, c consortium) {
	_, err := e.store.DB().ExecContext(context.Background(), "UPDATE projects SET phase1_end = $1, phase2_end = $2 WHERE id = $3",
		workflow.MustDate("2019-03-31"), workflow.MustDate("2021-03-31"), c.project.ID)
	require.NoError(e.t, err)
}

// monitoredPlan is a fresh plan of the consortium's partner (on an
// instrument the stakeholder's group does not follow), walked to monitored.
func monitoredPlan(e *testEnv, c consortium) string {
	withPhase2(e, c)
	id := draftPlan(e, c)
	e.fire("action-plans", id, e.admin, "submit", 1, 200)
	require.Equal(e.t, 200, e.do(req{Method: "POST", Path: "/api/v1/action-plans/" + id + "/consultation/close", Token: e.admin}).Status)
	e.fire("action-plans", id, e.admin, "approve", 2, 200)
	e.fire("action-plans", id, e.admin, "start_monitoring", 3, 200)
	return id
}

// draftReport is the 2019-S2 draft report of a fresh monitored plan.
func draftReport(e *testEnv, c consortium) string {
	var r workflow.ProgressReport
	e.create("/api/v1/action-plans/"+monitoredPlan(e, c)+"/progress-reports", e.admin, map[string]any{"period": "2019-S2"}, &r)
	return r.ID
}

// completeReport is a draft report that may be submitted, at version 2.
func completeReport(e *testEnv, c consortium) string {
	id := draftReport(e, c)
	res := e.do(req{Method: "PATCH", Path: "/api/v1/progress-reports/" + id, Token: e.admin, Headers: ifMatch1,
		Body: map[string]any{"actions": []map[string]any{{"number": 1, "status": "in_progress", "narrative": "Elindult."}}}})
	require.Equal(e.t, 200, res.Status, "%s", res.Body)
	return id
}

// monitoredReview is a fresh peer review hosted by the consortium's
// partner, put in monitored directly (its walk is the lifecycle's tests'),
// and the id of its first recommendation.
func monitoredReview(e *testEnv, c consortium) (string, string) {
	id := draftReview(e, c)
	_, err := e.store.DB().ExecContext(context.Background(), "UPDATE deliverables SET state = 'monitored' WHERE id = $1", id)
	require.NoError(e.t, err)
	var r workflow.PeerReview
	e.do(req{Method: "GET", Path: "/api/v1/peer-reviews/" + id, Token: e.admin}).json(e.t, &r)
	return id, r.Recommendations[0].ID
}

// The monitoring rows of the role × endpoint matrix (auth_test.go). They
// are appended here so that parallel work on the matrix merges cleanly.
func init() {
	matrix = append(matrix,
		endpoint{"POST", "/api/v1/action-plans/{id}/indicators", nil,
			[]int{401, 401, 201, 201, 201, 404, 403, 403, 404, 404},
			on("/api/v1/action-plans/{id}/indicators", monitoredPlan, map[string]any{"name": "Mentored SMEs", "unit": "SMEs", "target": 60}, nil)},
		endpoint{"GET", "/api/v1/action-plans/{id}/indicators", nil,
			[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, on("/api/v1/action-plans/{id}/indicators", submittedPlan, nil, nil)},
		endpoint{"POST", "/api/v1/action-plans/{id}/progress-reports", nil,
			[]int{401, 401, 201, 201, 201, 404, 403, 403, 404, 404},
			on("/api/v1/action-plans/{id}/progress-reports", monitoredPlan, map[string]any{"period": "2020-S1"}, nil)},
		endpoint{"GET", "/api/v1/action-plans/{id}/progress-reports", nil,
			[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, on("/api/v1/action-plans/{id}/progress-reports", submittedPlan, nil, nil)},
		endpoint{"GET", "/api/v1/action-plans/{id}/periods", nil,
			[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, on("/api/v1/action-plans/{id}/periods", submittedPlan, nil, nil)},
		endpoint{"GET", "/api/v1/progress-reports/{rid}", nil,
			[]int{401, 401, 200, 200, 200, 404, 200, 200, 404, 404}, on("/api/v1/progress-reports/{id}", draftReport, nil, nil)},
		endpoint{"PATCH", "/api/v1/progress-reports/{rid}", nil,
			[]int{401, 401, 200, 200, 200, 404, 403, 403, 404, 404},
			on("/api/v1/progress-reports/{id}", draftReport, map[string]any{"actions": []map[string]any{{"number": 1, "status": "not_started"}}}, ifMatch1)},
		endpoint{"GET", "/api/v1/progress-reports/{rid}/transitions", nil,
			[]int{401, 401, 200, 200, 200, 404, 200, 200, 404, 404}, on("/api/v1/progress-reports/{id}/transitions", draftReport, nil, nil)},
		endpoint{"POST", "/api/v1/progress-reports/{rid}/transitions", nil,
			[]int{401, 401, 200, 200, 200, 404, 403, 403, 404, 404},
			on("/api/v1/progress-reports/{id}/transitions", completeReport, map[string]any{"trigger": "submit"}, map[string]string{"If-Match": `"2"`})},
		endpoint{"GET", "/api/v1/progress-reports/{rid}/history", nil,
			[]int{401, 401, 200, 200, 200, 404, 200, 200, 404, 404}, on("/api/v1/progress-reports/{id}/history", draftReport, nil, nil)},
		endpoint{"PUT", "/api/v1/peer-reviews/{id}/recommendations/{rid}/uptake", nil,
			[]int{401, 401, 200, 200, 200, 404, 403, 403, 404, 404},
			func(e *testEnv, c consortium) (string, any, map[string]string) {
				id, rec := monitoredReview(e, c)
				return "/api/v1/peer-reviews/" + id + "/recommendations/" + rec + "/uptake", map[string]any{"status": "adopted"}, nil
			}},
		endpoint{"GET", "/api/v1/peer-reviews/{id}/uptake", nil,
			[]int{401, 401, 200, 200, 200, 404, 200, 200, 404, 404}, on("/api/v1/peer-reviews/{id}/uptake", draftReview, nil, nil)},
	)
}

func TestProgressReportsAPI(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		require.NoError(t, e.store.UseBuiltinApprovalTemplates())
		c := e.consortium("MON")
		owner, secr := c.tokens["partner"], c.tokens["secretariat"]
		plan := monitoredPlan(e, c)
		base := "/api/v1/action-plans/" + plan

		// Indicators: numbers, named once per plan.
		var jobs workflow.Indicator
		e.create(base+"/indicators", owner, map[string]any{"name": "Munkahelyek", "unit": "FTE", "baseline": 2.5, "target": 40}, &jobs)
		require.Equal(t, 2.5, jobs.Baseline)
		res := e.do(req{Method: "POST", Path: base + "/indicators", Token: owner, Body: map[string]any{"name": "Munkahelyek", "unit": "FTE", "target": 1}})
		require.Equal(t, http.StatusConflict, res.Status, "%s", res.Body)
		res = e.do(req{Method: "POST", Path: base + "/indicators", Token: owner, Body: map[string]any{"name": "X", "unit": "FTE", "target": "many"}})
		require.Equal(t, http.StatusBadRequest, res.Status, "a definition of the wrong type is malformed")
		res = e.do(req{Method: "POST", Path: base + "/indicators", Token: owner, Body: map[string]any{"name": "X", "unit": "FTE"}})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status)
		require.Equal(t, "target", res.problem(t).Errors[0].Field)

		// The 422s of a new report.
		for name, r := range map[string]req{
			"a plan that is not monitored": {Path: "/api/v1/action-plans/" + c.plan.ID + "/progress-reports", Body: map[string]any{"period": "2019-S2"}},
			"a period before phase 2":      {Path: base + "/progress-reports", Body: map[string]any{"period": "2018-S2"}},
			"a period after phase 2":       {Path: base + "/progress-reports", Body: map[string]any{"period": "2021-S2"}},
			"a period that is no semester": {Path: base + "/progress-reports", Body: map[string]any{"period": "2019-Q3"}},
			"an empty period":              {Path: base + "/progress-reports", Body: map[string]any{"period": ""}},
		} {
			r.Method, r.Token = "POST", e.admin
			res := e.do(r)
			require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s: %s", name, res.Body)
			require.Equal(t, "validation_failed", res.problem(t).Code, name)
		}
		var rep workflow.ProgressReport
		e.create(base+"/progress-reports", owner, map[string]any{"period": "2020-S1"}, &rep)
		require.Equal(t, "2020-07-30", rep.DueDate.String())
		require.True(t, rep.Overdue)
		res = e.do(req{Method: "POST", Path: base + "/progress-reports", Token: e.admin, Body: map[string]any{"period": "2020-S1"}})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "a second report for the period")
		require.Equal(t, "period", res.problem(t).Errors[0].Field)

		path := "/api/v1/progress-reports/" + rep.ID
		res = e.do(req{Method: "GET", Path: path, Token: c.tokens["observer"]})
		require.Equal(t, 200, res.Status)
		require.Equal(t, `"1"`, res.Header.Get("ETag"))
		require.Contains(t, string(res.Body), `"overdue":true`)
		require.Contains(t, string(res.Body), `"due_date":"2020-07-30"`)

		// A report cites evidence of its own plan (see evidence_test.go).
		var ev workflow.Evidence
		up := e.upload(plan, owner, "?filename=mentorok.pdf", samplePDF, nil)
		require.Equal(t, http.StatusCreated, up.Status, "%s", up.Body)
		up.json(t, &ev)

		// Edits: 428, 412, and the content's 422s.
		good := map[string]any{
			"actions": []map[string]any{{"number": 1, "status": "delayed", "explanation": "A pályázat később nyílt meg.",
				"narrative": "A mentorok kiválasztása folyik.", "evidence_ids": []string{ev.ID}}},
			"indicator_values": []map[string]any{{"indicator_id": jobs.ID, "achieved": 7.5}},
			"improvements": []map[string]any{{"type": "strategic_focus", "description": "A kézművesség a regionális stratégiába került.",
				"date": "2020-03-02"}},
		}
		require.Equal(t, http.StatusPreconditionRequired, e.do(req{Method: "PATCH", Path: path, Token: owner, Body: good}).Status)
		require.Equal(t, http.StatusPreconditionFailed, e.do(req{Method: "PATCH", Path: path, Token: owner, Body: good,
			Headers: map[string]string{"If-Match": `"4"`}}).Status)
		for name, c := range map[string]struct {
			body  map[string]any
			field string
		}{
			"an achieved value given as a string": {map[string]any{"indicator_values": []map[string]any{{"indicator_id": jobs.ID, "achieved": "7"}}},
				"indicator_values.achieved"},
			"an achieved value left out": {map[string]any{"indicator_values": []map[string]any{{"indicator_id": jobs.ID}}},
				"indicator_values[0].achieved"},
			"delayed without an explanation": {map[string]any{"actions": []map[string]any{{"number": 1, "status": "delayed"}}},
				"actions[0].explanation"},
			"abandoned without an explanation": {map[string]any{"actions": []map[string]any{{"number": 1, "status": "abandoned", "explanation": "  "}}},
				"actions[0].explanation"},
			"an action the plan does not have": {map[string]any{"actions": []map[string]any{{"number": 2, "status": "completed"}}},
				"actions[0].number"},
			"an unknown status": {map[string]any{"actions": []map[string]any{{"number": 1, "status": "done"}}},
				"actions[0].status"},
			"an improvement of an unknown type": {map[string]any{"improvements": []map[string]any{{"type": "other", "description": "x", "date": "2020-01-01"}}},
				"improvements[0].type"},
		} {
			res := e.do(req{Method: "PATCH", Path: path, Token: owner, Body: c.body, Headers: ifMatch1})
			require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s: %s", name, res.Body)
			p := res.problem(t)
			require.Equal(t, "validation_failed", p.Code, name)
			require.Equal(t, c.field, p.Errors[0].Field, name)
		}
		res = e.do(req{Method: "PATCH", Path: path, Token: owner, Body: map[string]any{"actions": []map[string]any{}, "note": "x"}, Headers: ifMatch1})
		require.Equal(t, http.StatusBadRequest, res.Status, "an unknown field")
		res = e.do(req{Method: "PATCH", Path: path, Token: secr, Body: good, Headers: ifMatch1})
		require.Equal(t, http.StatusForbidden, res.Status)
		res = e.do(req{Method: "PATCH", Path: path, Token: owner, Body: good, Headers: ifMatch1})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		require.Equal(t, `"2"`, res.Header.Get("ETag"))
		var edited workflow.ProgressReport
		res.json(t, &edited)
		require.Equal(t, workflow.ActionDelayed, edited.Actions[0].Status)
		require.Equal(t, 7.5, edited.IndicatorValues[0].Achieved)
		require.Equal(t, "2020-03-02", edited.Improvements[0].Date.String())

		// The lifecycle: submit, return with a note, submit, accept.
		fire := func(token, trigger, note string, version, status int) response {
			t.Helper()
			r := e.do(req{Method: "POST", Path: path + "/transitions", Token: token, Body: map[string]any{"trigger": trigger, "note": note},
				Headers: map[string]string{"If-Match": fmt.Sprintf(`"%d"`, version)}})
			require.Equal(t, status, r.Status, "%s: %s", trigger, r.Body)
			return r
		}
		res = e.do(req{Method: "POST", Path: path + "/transitions", Token: owner, Body: map[string]any{"trigger": "approve"}, Headers: ifMatch1})
		require.Equal(t, http.StatusBadRequest, res.Status)
		require.Equal(t, "unknown_trigger", res.problem(t).Code)
		fire(owner, "accept", "", 2, http.StatusConflict)
		fire(owner, "submit", "", 1, http.StatusPreconditionFailed)
		res = fire(owner, "submit", "", 2, 200)
		require.Contains(t, string(res.Body), `"overdue":false`)
		res = e.do(req{Method: "PATCH", Path: path, Token: owner, Body: good, Headers: map[string]string{"If-Match": `"3"`}})
		require.Equal(t, http.StatusConflict, res.Status, "no edits once submitted")
		fire(owner, "accept", "", 3, http.StatusForbidden)
		res = fire(secr, "return", "", 3, http.StatusUnprocessableEntity)
		require.Equal(t, "guard_failed", res.problem(t).Code)
		require.Equal(t, "note", res.problem(t).Errors[0].Field)
		fire(secr, "return", "Please name the trainers.", 3, 200)
		var perm struct {
			State     string `json:"state"`
			Permitted []struct {
				Trigger string `json:"trigger"`
			} `json:"permitted"`
		}
		e.do(req{Method: "GET", Path: path + "/transitions", Token: owner}).json(t, &perm)
		require.Equal(t, "draft", perm.State)
		require.Len(t, perm.Permitted, 1)
		require.Equal(t, "submit", perm.Permitted[0].Trigger)
		fire(c.tokens["coordinator"], "submit", "", 4, 200)
		fire(secr, "accept", "", 5, 200)

		var hist struct {
			Items []workflow.ReportTransitionRecord `json:"items"`
		}
		e.do(req{Method: "GET", Path: path + "/history", Token: c.tokens["observer"]}).json(t, &hist)
		require.Len(t, hist.Items, 4)
		require.Equal(t, "Please name the trainers.", hist.Items[1].Note)
		require.Equal(t, workflow.ReportAccepted, hist.Items[3].To)

		// The accept queued the report's pdf and docx beside the plan's documents.
		var docs struct {
			Items []workflow.Document `json:"items"`
		}
		e.do(req{Method: "GET", Path: base + "/documents", Token: owner}).json(t, &docs)
		var formats []string
		for _, d := range docs.Items {
			if d.Kind == "progress_report" {
				require.Equal(t, rep.ID, d.ProgressReportID)
				require.Equal(t, "progress_report", d.Template)
				require.True(t, d.Approved)
				formats = append(formats, d.Format)
			}
		}
		require.ElementsMatch(t, []string{"pdf", "docx"}, formats)
		// Once stored, it downloads under a name apart from the plan's own.
		var pdf workflow.Document
		for _, d := range docs.Items {
			if d.Kind == "progress_report" && d.Format == "pdf" {
				pdf = d
			}
		}
		info, err := e.blobs.Put(t.Context(), "test/"+pdf.ID+".pdf", &pattern{left: 100}, 100, documents.PutOptions{ContentType: "application/pdf"})
		require.NoError(t, err)
		require.NoError(t, e.store.SetDocumentObject(t.Context(), pdf.ID, info.Key, info.SHA256, info.Size, "application/pdf"))
		require.NoError(t, e.store.FinishDocument(t.Context(), pdf.ID, nil))
		res = e.do(req{Method: "GET", Path: "/api/v1/documents/" + pdf.ID + "/content", Token: c.tokens["observer"]})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		require.Contains(t, res.Header.Get("Content-Disposition"), `(progress report, period 3).pdf"`, "2020-S1 is the third period")

		// The list carries due dates and the overdue flag.
		var second workflow.ProgressReport
		e.create(base+"/progress-reports", owner, map[string]any{"period": "2019-S1"}, &second)
		var list struct {
			Items      []workflow.ProgressReport `json:"items"`
			NextCursor string                    `json:"next_cursor"`
		}
		e.do(req{Method: "GET", Path: base + "/progress-reports?limit=1", Token: c.tokens["secretariat"]}).json(t, &list)
		require.Len(t, list.Items, 1)
		require.False(t, list.Items[0].Overdue, "accepted")
		require.NotEmpty(t, list.NextCursor)
		e.do(req{Method: "GET", Path: base + "/progress-reports?cursor=" + list.NextCursor, Token: c.tokens["secretariat"]}).json(t, &list)
		require.Equal(t, second.ID, list.Items[0].ID)
		require.True(t, list.Items[0].Overdue)
		require.Equal(t, "2019-07-30", list.Items[0].DueDate.String())

		// The periods: every semester of phase 2, missing ones overdue too.
		var periods struct {
			Items []workflow.PeriodStatus `json:"items"`
		}
		e.do(req{Method: "GET", Path: base + "/periods", Token: c.tokens["observer"]}).json(t, &periods)
		var got []string
		for _, p := range periods.Items {
			got = append(got, fmt.Sprintf("%s %s %t", p.Name, p.State, p.Overdue))
		}
		require.Equal(t, []string{"2019-S1 draft true", "2019-S2 missing true", "2020-S1 accepted false", "2020-S2 missing true",
			"2021-S1 missing true"}, got)
		require.Equal(t, second.ID, periods.Items[0].ReportID)
	})
}

func TestReportWorkflowGraph(t *testing.T) {
	e := setup(t, "sqlite")
	c := e.consortium("GRAPH")
	res := e.do(req{Method: "GET", Path: "/api/v1/workflows/progress-reports", Token: c.tokens["observer"]})
	require.Equal(t, 200, res.Status)
	require.Contains(t, string(res.Body), "submitted --> draft: return")
	res = e.do(req{Method: "GET", Path: "/api/v1/workflows/progress-reports?format=dot", Token: c.tokens["observer"]})
	require.Equal(t, 200, res.Status)
	require.Contains(t, res.Header.Get("Content-Type"), "graphviz")
}

func TestUptakeAPI(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("UPT")
		plan := monitoredPlan(e, c)
		review, rec := monitoredReview(e, c)
		path := "/api/v1/peer-reviews/" + review + "/recommendations/" + rec + "/uptake"
		host := c.tokens["partner"]

		res := e.do(req{Method: "PUT", Path: path, Token: host, Body: map[string]any{"status": "partially", "plan_id": plan, "action_number": 1}})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		var u workflow.Uptake
		res.json(t, &u)
		require.Equal(t, workflow.UptakePartially, u.Status)
		require.Equal(t, 1, u.ActionNumber)

		for name, body := range map[string]map[string]any{
			"an unknown status":          {"status": "maybe"},
			"an action without its plan": {"status": "adopted", "action_number": 1},
			"an action the plan lacks":   {"status": "adopted", "plan_id": plan, "action_number": 9},
			"a plan that does not exist": {"status": "adopted", "plan_id": workflow.NewID()},
		} {
			res := e.do(req{Method: "PUT", Path: path, Token: host, Body: body})
			require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s: %s", name, res.Body)
		}
		res = e.do(req{Method: "PUT", Path: "/api/v1/peer-reviews/" + review + "/recommendations/" + workflow.NewID() + "/uptake", Token: host,
			Body: map[string]any{"status": "adopted"}})
		require.Equal(t, http.StatusNotFound, res.Status)
		// Only a monitored review is followed up.
		res = e.do(req{Method: "PUT", Path: "/api/v1/peer-reviews/" + c.review.ID + "/recommendations/" + c.review.Recommendations[0].ID + "/uptake",
			Token: host, Body: map[string]any{"status": "adopted"}})
		require.Equal(t, http.StatusConflict, res.Status, "%s", res.Body)

		var list struct {
			Items []workflow.Uptake `json:"items"`
		}
		e.do(req{Method: "GET", Path: "/api/v1/peer-reviews/" + review + "/uptake", Token: c.tokens["observer"]}).json(t, &list)
		require.Len(t, list.Items, 1)
		require.Equal(t, plan, list.Items[0].PlanID)
	})
}
