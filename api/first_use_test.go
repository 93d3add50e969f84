package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Issue 21: errors name what the JSON body names, never a Go type.
func TestErrorsSpeakJSON(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("JSN")
		base := "/api/v1/projects/" + c.project.ID

		plan := completePlan(c.instrument.ID, c.partner.ID)
		plan["title"] = 42
		res := e.do(req{Method: "POST", Path: base + "/action-plans", Token: e.admin, Body: plan})
		require.Equal(t, http.StatusBadRequest, res.Status)
		p := res.problem(t)
		require.Equal(t, "wrong_type", p.Code)
		require.Equal(t, `field "title" must be a string, not number`, p.Detail)
		require.Equal(t, "title", p.Errors[0].Field)

		plan = completePlan(c.instrument.ID, c.partner.ID)
		plan["actions"] = []map[string]any{{"title": true}}
		res = e.do(req{Method: "POST", Path: base + "/action-plans", Token: e.admin, Body: plan})
		require.Equal(t, http.StatusBadRequest, res.Status)
		p = res.problem(t)
		require.Equal(t, "actions.title", p.Errors[0].Field)
		require.NotContains(t, p.Detail, "Fields")

		// A write without If-Match is told the version to quote.
		path := "/api/v1/action-plans/" + c.plan.ID
		res = e.do(req{Method: "GET", Path: path, Token: e.admin})
		etag := res.Header.Get("ETag")
		require.NotEmpty(t, etag)
		for _, r := range []req{
			{Method: "PATCH", Path: path, Token: e.admin, Body: map[string]any{"title": "X"}},
			{Method: "POST", Path: path + "/transitions", Token: e.admin, Body: map[string]any{"trigger": "approve"}},
			{Method: "PATCH", Path: base, Token: e.admin, Body: map[string]any{"acronym": "JSN2"}},
		} {
			res = e.do(r)
			require.Equal(t, http.StatusPreconditionRequired, res.Status, "%s %s: %s", r.Method, r.Path, res.Body)
			d := res.problem(t).Detail
			require.True(t, strings.Contains(d, `If-Match: "`), d)
			if r.Path == path || strings.HasSuffix(r.Path, "/transitions") {
				require.Contains(t, d, "If-Match: "+etag)
			}
		}
	})
}
