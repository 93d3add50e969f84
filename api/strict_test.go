package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// Finding 17 of issue 15: JSON keys match exactly and only once, If-Match
// takes only an ETag, every answer is nosniff, and token answers are not
// stored by caches.
func TestStrictJSONAndHeaders(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("STRICT")
		partners := "/api/v1/projects/" + c.project.ID + "/partners"
		before := e.count(partners)
		for _, tc := range []struct{ name, body, code string }{
			{"key in another case", `{"Name":"X","country":"IE","role":"partner"}`, "unknown_field"},
			{"key in upper case", `{"name":"X","COUNTRY":"IE","role":"partner"}`, "unknown_field"},
			{"key folded by Unicode", `{"name":"X","country":"IE","role":"partner","ſtate":"x"}`, "unknown_field"},
			{"duplicate key", `{"name":"X","name":"Y","country":"IE","role":"partner"}`, "duplicate_field"},
			{"duplicate key in two cases", `{"name":"X","country":"IE","role":"partner","Role":"partner"}`, "unknown_field"},
		} {
			res := e.do(req{Method: "POST", Path: partners, Token: c.tokens["coordinator"], Raw: []byte(tc.body)})
			require.Equal(t, 400, res.Status, "%s: %s", tc.name, res.Body)
			require.Equal(t, tc.code, res.problem(t).Code, tc.name)
		}
		// Nested objects and arrays are checked too.
		res := e.do(req{Method: "POST", Path: "/api/v1/projects/" + c.project.ID + "/policy-instruments", Token: c.tokens["coordinator"],
			Raw: []byte(`{"name":"X","type":"other","partner_ids":["` + c.partner.ID + `"],"partner_ids":[]}`)})
		require.Equal(t, 400, res.Status, "%s", res.Body)
		require.Equal(t, "duplicate_field", res.problem(t).Code)
		require.Equal(t, before, e.count(partners), "nothing was written")

		// If-Match: only "N" and W/"N".
		path := "/api/v1/action-plans/" + c.plan.ID
		for _, bad := range []string{`3`, `"+3"`, `"3`, `"03"`, `" 3"`, `"3" , "4"`, `W/3`} {
			res := e.do(req{Method: "PATCH", Path: path, Token: c.tokens["partner"], Body: map[string]any{"title": "x"}, Headers: map[string]string{"If-Match": bad}})
			require.Equal(t, 400, res.Status, "If-Match %s: %s", bad, res.Body)
			require.Equal(t, "invalid_parameter", res.problem(t).Code)
		}
		for _, ok := range []string{`"99"`, `W/"99"`} {
			res := e.do(req{Method: "PATCH", Path: path, Token: c.tokens["partner"], Body: map[string]any{"title": "x"}, Headers: map[string]string{"If-Match": ok}})
			require.NotEqual(t, 400, res.Status, "If-Match %s: %s", ok, res.Body)
		}

		// nosniff everywhere, no-store where a token is shown.
		for _, r := range []req{
			{Method: "GET", Path: "/api/v1/me", Token: e.admin},
			{Method: "GET", Path: "/api/v1/me"},
			{Method: "GET", Path: "/api/v1/projects/nope", Token: e.admin},
			{Method: "GET", Path: "/api/v1/openapi.json"},
			{Method: "GET", Path: "/healthz"},
		} {
			res := e.do(r)
			require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"), "%s %s", r.Method, r.Path)
		}
		user := e.do(req{Method: "POST", Path: "/api/v1/users", Token: e.admin, Body: map[string]any{"email": "strict@example.org", "name": "S"}})
		require.Equal(t, http.StatusCreated, user.Status, "%s", user.Body)
		require.Equal(t, "no-store", user.Header.Get("Cache-Control"))
		require.Equal(t, "nosniff", user.Header.Get("X-Content-Type-Options"))
		hook := e.do(req{Method: "POST", Path: "/api/v1/projects/" + c.project.ID + "/webhooks", Token: c.tokens["coordinator"],
			Body: map[string]any{"url": "https://hooks.example.org/in", "events": []string{"transition"}}})
		require.Equal(t, http.StatusCreated, hook.Status, "%s", hook.Body)
		require.Equal(t, "no-store", hook.Header.Get("Cache-Control"))
	})
}
