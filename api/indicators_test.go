package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// monitoredIndicator is an indicator of a fresh monitored plan, at version 1.
func monitoredIndicator(e *testEnv, c consortium) string {
	var in workflow.Indicator
	e.create("/api/v1/action-plans/"+monitoredPlan(e, c)+"/indicators", e.admin,
		map[string]any{"name": "Mentored SMEs", "unit": "SMEs", "target": 60}, &in)
	return in.ID
}

// The indicator rows of the role × endpoint matrix (auth_test.go), appended
// here as the other monitoring rows are. Who may edit is who may create:
// the plan's owner and the coordinator. The plan's instrument is not the
// stakeholder's group's, so the stakeholder does not see it.
func init() {
	matrix = append(matrix,
		endpoint{"GET", "/api/v1/indicators/{iid}", nil,
			[]int{401, 401, 200, 200, 200, 404, 200, 200, 404, 404}, on("/api/v1/indicators/{id}", monitoredIndicator, nil, nil)},
		endpoint{"PATCH", "/api/v1/indicators/{iid}", nil,
			[]int{401, 401, 200, 200, 200, 404, 403, 403, 404, 404},
			on("/api/v1/indicators/{id}", monitoredIndicator, map[string]any{"baseline": 4}, ifMatch1)},
		endpoint{"DELETE", "/api/v1/indicators/{iid}", nil,
			[]int{401, 401, 204, 204, 204, 404, 403, 403, 404, 404}, on("/api/v1/indicators/{id}", monitoredIndicator, nil, ifMatch1)},
	)
}

func TestIndicatorEditsAPI(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("INDAPI")
		owner, secr, obs := c.tokens["partner"], c.tokens["secretariat"], c.tokens["observer"]
		plan := monitoredPlan(e, c)
		base := "/api/v1/action-plans/" + plan

		res := e.do(req{Method: "POST", Path: base + "/indicators", Token: owner,
			Body: map[string]any{"name": "Munkahelyek", "unit": "FTE", "baseline": 2.5, "target": 40}})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		require.Equal(t, `"1"`, res.Header.Get("ETag"))
		var jobs workflow.Indicator
		res.json(t, &jobs)
		require.Equal(t, 1, jobs.Version)
		var budget workflow.Indicator
		e.create(base+"/indicators", owner, map[string]any{"name": "Budget", "unit": "EUR", "target": 5000}, &budget)
		path := "/api/v1/indicators/" + jobs.ID
		at := func(v int) map[string]string { return map[string]string{"If-Match": fmt.Sprintf(`"%d"`, v)} }

		res = e.do(req{Method: "GET", Path: path, Token: obs})
		require.Equal(t, 200, res.Status)
		require.Equal(t, `"1"`, res.Header.Get("ETag"))
		require.Contains(t, string(res.Body), `"version":1`)

		// Outside the caller's scope it does not exist, whatever the headers.
		for _, who := range []string{"stakeholder", "outsider"} {
			require.Equal(t, http.StatusNotFound, e.do(req{Method: "GET", Path: path, Token: c.tokens[who]}).Status, who)
			require.Equal(t, http.StatusNotFound, e.do(req{Method: "PATCH", Path: path, Token: c.tokens[who], Body: map[string]any{"baseline": 1}}).Status, who)
			require.Equal(t, http.StatusNotFound, e.do(req{Method: "DELETE", Path: path, Token: c.tokens[who]}).Status, who)
		}
		require.Equal(t, http.StatusNotFound, e.do(req{Method: "GET", Path: "/api/v1/indicators/" + workflow.NewID(), Token: owner}).Status)

		// Edits: 428, 412, 403, then the body's 400s, 422 and 409.
		edit := map[string]any{"baseline": 3}
		res = e.do(req{Method: "PATCH", Path: path, Token: owner, Body: edit})
		require.Equal(t, http.StatusPreconditionRequired, res.Status)
		require.Equal(t, "precondition_required", res.problem(t).Code)
		res = e.do(req{Method: "PATCH", Path: path, Token: owner, Body: edit, Headers: at(2)})
		require.Equal(t, http.StatusPreconditionFailed, res.Status)
		require.Equal(t, "precondition_failed", res.problem(t).Code)
		for _, who := range []string{"secretariat", "observer"} {
			res = e.do(req{Method: "PATCH", Path: path, Token: c.tokens[who], Body: edit, Headers: at(1)})
			require.Equal(t, http.StatusForbidden, res.Status, who)
		}
		res = e.do(req{Method: "PATCH", Path: path, Token: owner, Body: map[string]any{"baseline": 3, "note": "x"}, Headers: at(1)})
		require.Equal(t, http.StatusBadRequest, res.Status, "an unknown field")
		res = e.do(req{Method: "PATCH", Path: path, Token: owner, Body: map[string]any{"baseline": "3"}, Headers: at(1)})
		require.Equal(t, http.StatusBadRequest, res.Status, "a number given as a string")
		res = e.do(req{Method: "PATCH", Path: path, Token: owner, Body: map[string]any{"name": " ", "unit": ""}, Headers: at(1)})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
		p := res.problem(t)
		require.Equal(t, "validation_failed", p.Code)
		require.Len(t, p.Errors, 2, "every problem is listed")
		require.Equal(t, "name", p.Errors[0].Field)
		require.Equal(t, "unit", p.Errors[1].Field)
		res = e.do(req{Method: "PATCH", Path: path, Token: owner, Body: map[string]any{"name": "Budget"}, Headers: at(1)})
		require.Equal(t, http.StatusConflict, res.Status, "a name the plan already uses")
		require.Contains(t, res.problem(t).Detail, "Budget")

		res = e.do(req{Method: "PATCH", Path: path, Token: owner, Body: edit, Headers: at(1)})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		require.Equal(t, `"2"`, res.Header.Get("ETag"))
		var got workflow.Indicator
		res.json(t, &got)
		require.Equal(t, 2, got.Version)
		require.Equal(t, 3.0, got.Baseline)
		require.Equal(t, "Munkahelyek", got.Name, "what is not sent stays")
		require.Equal(t, 40.0, got.Target)
		res = e.do(req{Method: "GET", Path: path, Token: obs})
		require.Equal(t, `"2"`, res.Header.Get("ETag"))
		res = e.do(req{Method: "PATCH", Path: path, Token: owner, Body: edit, Headers: at(1)})
		require.Equal(t, http.StatusPreconditionFailed, res.Status, "the old version is stale now")

		// Deletes: 428, 412, 403; with report values 409.
		require.Equal(t, http.StatusPreconditionRequired, e.do(req{Method: "DELETE", Path: path, Token: owner}).Status)
		require.Equal(t, http.StatusPreconditionFailed, e.do(req{Method: "DELETE", Path: path, Token: owner, Headers: at(1)}).Status)
		require.Equal(t, http.StatusForbidden, e.do(req{Method: "DELETE", Path: path, Token: secr, Headers: at(2)}).Status)
		var rep workflow.ProgressReport
		e.create(base+"/progress-reports", owner, map[string]any{"period": "2020-S1"}, &rep)
		res = e.do(req{Method: "PATCH", Path: "/api/v1/progress-reports/" + rep.ID, Token: owner, Headers: ifMatch1,
			Body: map[string]any{"indicator_values": []map[string]any{{"indicator_id": jobs.ID, "achieved": 7}}}})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		res = e.do(req{Method: "DELETE", Path: path, Token: owner, Headers: at(2)})
		require.Equal(t, http.StatusConflict, res.Status)
		require.Contains(t, res.problem(t).Detail, "progress report")
		res = e.do(req{Method: "PATCH", Path: path, Token: owner, Body: map[string]any{"unit": "jobs"}, Headers: at(2)})
		require.Equal(t, http.StatusConflict, res.Status, "values were given in FTE")
		res = e.do(req{Method: "PATCH", Path: path, Token: c.tokens["coordinator"], Body: map[string]any{"name": "Új munkahelyek", "target": 45}, Headers: at(2)})
		require.Equal(t, 200, res.Status, "name and target may still be corrected: %s", res.Body)
		require.Equal(t, `"3"`, res.Header.Get("ETag"))

		res = e.do(req{Method: "DELETE", Path: "/api/v1/indicators/" + budget.ID, Token: owner, Headers: at(1)})
		require.Equal(t, http.StatusNoContent, res.Status, "%s", res.Body)
		require.Equal(t, http.StatusNotFound, e.do(req{Method: "GET", Path: "/api/v1/indicators/" + budget.ID, Token: owner}).Status)
		var list struct {
			Items []workflow.Indicator `json:"items"`
		}
		e.do(req{Method: "GET", Path: base + "/indicators", Token: obs}).json(t, &list)
		require.Len(t, list.Items, 1)
		require.Equal(t, "Új munkahelyek", list.Items[0].Name)
		require.Equal(t, 3, list.Items[0].Version)
	})
}

// Twenty PATCHes with the same If-Match at once: one 200, the rest 412.
// Over HTTP the requests seldom pass the version read together, so the
// guarded UPDATE itself is raced by the store's
// MonitoringIndicatorConcurrentEdits.
func TestIndicatorConcurrentEditsAPI(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("INDRACE")
		id := monitoredIndicator(e, c)
		const n = 20
		sqlstoretest.WarmPool(t, e.store, n)
		statuses := make([]int, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				// Plain requests: require may not stop the test from here.
				hr, err := http.NewRequest("PATCH", e.url+"/api/v1/indicators/"+id, bytes.NewReader([]byte(fmt.Sprintf(`{"target":%d}`, 100+i))))
				if err != nil {
					errs[i] = err
					return
				}
				hr.Header.Set("Content-Type", "application/json")
				hr.Header.Set("Authorization", "Bearer "+c.tokens["partner"])
				hr.Header.Set("If-Match", `"1"`)
				res, err := http.DefaultClient.Do(hr)
				if err != nil {
					errs[i] = err
					return
				}
				res.Body.Close()
				statuses[i] = res.StatusCode
			}()
		}
		close(start)
		wg.Wait()
		count := map[int]int{}
		for i, s := range statuses {
			require.NoError(t, errs[i])
			count[s]++
		}
		require.Equal(t, map[int]int{200: 1, 412: n - 1}, count)
		res := e.do(req{Method: "GET", Path: "/api/v1/indicators/" + id, Token: e.admin})
		require.Equal(t, `"2"`, res.Header.Get("ETag"))
	})
}
