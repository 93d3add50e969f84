package api_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

// count reads how many items a project list holds.
func (e *testEnv) count(path string) int {
	e.t.Helper()
	var l struct {
		Items []map[string]any `json:"items"`
	}
	res := e.do(req{Method: "GET", Path: path + "?limit=200", Token: e.admin})
	require.Equal(e.t, 200, res.Status)
	res.json(e.t, &l)
	return len(l.Items)
}

func TestBadInputIsRefusedAndNothingIsWritten(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("BAD")
		base := "/api/v1/projects/" + c.project.ID
		partners := base + "/partners"
		good := `{"name":"Design and Crafts Council Ireland","country":"IE","region":"IE05","role":"partner"}`
		cases := []struct {
			name, path, body string
			status           int
			code             string
			token            string
			contentType      string
		}{
			{"unknown field", partners, `{"name":"X","country":"IE","role":"partner","colour":"green"}`, 400, "unknown_field", "", ""},
			{"wrong type", partners, `{"name":42,"country":"IE","role":"partner"}`, 400, "wrong_type", "", ""},
			{"wrong type in array", base + "/policy-instruments", `{"name":"X","type":"other","partner_ids":"` + c.partner.ID + `"}`, 400, "wrong_type", "", ""},
			{"invalid UTF-8", partners, "{\"name\":\"Bad \xff\xfe name\",\"country\":\"IE\",\"role\":\"partner\"}", 400, "invalid_utf8", "", ""},
			{"malformed JSON", partners, `{"name":"X",`, 400, "invalid_json", "", ""},
			{"two JSON values", partners, good + good, 400, "invalid_json", "", ""},
			{"empty body", partners, ``, 400, "invalid_json", "", ""},
			{"not JSON", partners, good, 415, "unsupported_media_type", "", "text/plain"},
			{"oversized body", partners, `{"name":"` + strings.Repeat("x", 70<<10) + `","country":"IE","role":"partner"}`, 413, "body_too_large", "", ""},
			{"unknown country", partners, `{"name":"X","country":"XX","role":"partner"}`, 422, "validation_failed", "", ""},
			{"region of another country", partners, `{"name":"X","country":"IE","region":"HU11","role":"partner"}`, 422, "validation_failed", "", ""},
			{"unknown partner role", partners, `{"name":"X","country":"IE","role":"boss"}`, 422, "validation_failed", "", ""},
			{"malformed project id", "/api/v1/projects/not-an-id/partners", good, 400, "invalid_id", "", ""},
			{"another project's data", "/api/v1/projects/" + c.other.ID + "/partners", good, 404, "not_found", c.tokens["coordinator"], ""},
			{"second stakeholder group", base + "/stakeholder-groups", `{"name":"Second","policy_instrument_id":"` + c.instrument.ID + `"}`, 409, "conflict", "", ""},
			{"instrument of another project", base + "/stakeholder-groups", `{"name":"X","policy_instrument_id":"` + workflow.NewID() + `"}`, 422, "validation_failed", "", ""},
			{"malformed date", "/api/v1/projects", `{"acronym":"D","title":"T","phase1_start":"2016-13-45"}`, 400, "invalid_json", "", ""},
			{"phases out of order", "/api/v1/projects", `{"acronym":"D","title":"T","phase1_start":"2019-01-01","phase1_end":"2016-01-01"}`, 422, "validation_failed", "", ""},
			{"control characters", partners, `{"name":"X\u0000Y","country":"IE","role":"partner"}`, 422, "validation_failed", "", ""},
			{"member without scope", base + "/members", `{"user_id":"` + workflow.NewID() + `","role":"partner"}`, 422, "validation_failed", "", ""},
			{"bad e-mail", "/api/v1/users", `{"email":"not an address","name":"N"}`, 422, "validation_failed", "", ""},
		}
		before := map[string]int{"partners": e.count(partners), "groups": e.count(base + "/stakeholder-groups"),
			"projects": e.count("/api/v1/projects"), "members": e.count(base + "/members"), "users": e.count("/api/v1/users")}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				token := tc.token
				if token == "" {
					token = c.tokens["coordinator"]
					if strings.HasPrefix(tc.path, "/api/v1/projects") && !strings.Contains(tc.path, "/projects/") || tc.path == "/api/v1/users" {
						token = e.admin
					}
				}
				r := req{Method: "POST", Path: tc.path, Token: token, Raw: []byte(tc.body)}
				if tc.contentType != "" {
					r.Headers = map[string]string{"Content-Type": tc.contentType}
				}
				res := e.do(r)
				require.Equal(t, tc.status, res.Status, "%s", res.Body)
				p := res.problem(t)
				require.Equal(t, tc.code, p.Code)
				require.NotEmpty(t, p.Detail)
				require.NotEmpty(t, p.RequestID)
				if tc.status == 422 {
					require.NotEmpty(t, p.Errors, "a validation problem names its fields")
				}
			})
		}
		after := map[string]int{"partners": e.count(partners), "groups": e.count(base + "/stakeholder-groups"),
			"projects": e.count("/api/v1/projects"), "members": e.count(base + "/members"), "users": e.count("/api/v1/users")}
		require.Equal(t, before, after, "refused requests must write nothing")
	})
}

func TestValidationListsEveryProblem(t *testing.T) {
	e := setup(t, "sqlite")
	c := e.consortium("ALL")
	res := e.do(req{Method: "POST", Path: "/api/v1/projects/" + c.project.ID + "/partners", Token: e.admin,
		Body: map[string]any{"name": "", "country": "ZZ", "role": "boss"}})
	require.Equal(t, 422, res.Status)
	fields := map[string]bool{}
	for _, f := range res.problem(t).Errors {
		fields[f.Field] = true
	}
	require.Equal(t, map[string]bool{"name": true, "country": true, "role": true}, fields)
}

func TestQueryParameters(t *testing.T) {
	e := setup(t, "sqlite")
	for _, q := range []string{"?limit=0", "?limit=201", "?limit=ten", "?cursor=%%%", "?cursor=bm90LWFuLWlk"} {
		res := e.do(req{Method: "GET", Path: "/api/v1/projects" + q, Token: e.admin})
		require.Equal(t, 400, res.Status, q)
		require.Equal(t, "invalid_parameter", res.problem(t).Code, q)
	}
}

func TestNamesSurviveTheRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("UTF")
		names := []string{"Őrségi Fazekasok Egyesülete – űrlap", "РАМ Стара планина", "Università", "Tørshavn Ærø", "€ <b>&amp;</b> {{.X}}"}
		for _, n := range names {
			e.create("/api/v1/projects/"+c.project.ID+"/partners", c.tokens["coordinator"], map[string]any{"name": n, "country": "BG", "role": "partner"}, nil)
		}
		var l struct {
			Items []workflow.Partner `json:"items"`
		}
		res := e.do(req{Method: "GET", Path: "/api/v1/projects/" + c.project.ID + "/partners", Token: c.tokens["observer"]})
		res.json(t, &l)
		got := map[string]bool{}
		for _, p := range l.Items {
			got[p.Name] = true
		}
		for _, n := range names {
			require.True(t, got[n], "%q did not come back intact", n)
		}
		require.NotContains(t, string(res.Body), "<b>", "markup is escaped in JSON")
	})
}

func TestPaginationOverHTTP(t *testing.T) {
	e := setup(t, "sqlite")
	c := e.consortium("PAGES")
	for i := range 7 {
		e.create("/api/v1/projects/"+c.project.ID+"/partners", e.admin, map[string]any{"name": fmt.Sprintf("P%d", i), "country": "FI", "role": "partner"}, nil)
	}
	seen := map[string]bool{}
	cursor := ""
	for pages := 1; ; pages++ {
		require.LessOrEqual(t, pages, 4)
		path := "/api/v1/projects/" + c.project.ID + "/partners?limit=3"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		var l struct {
			Items      []workflow.Partner `json:"items"`
			NextCursor string             `json:"next_cursor"`
		}
		e.do(req{Method: "GET", Path: path, Token: c.tokens["partner"]}).json(t, &l)
		for _, p := range l.Items {
			require.False(t, seen[p.ID], "no item twice")
			seen[p.ID] = true
		}
		if l.NextCursor == "" {
			break
		}
		cursor = l.NextCursor
	}
	require.Len(t, seen, 10, "the consortium's three partners and seven more")
}

func TestIdempotencyKey(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		body := map[string]any{"acronym": "IDEM", "title": "Once"}
		h := map[string]string{"Idempotency-Key": "create-idem-1"}
		first := e.do(req{Method: "POST", Path: "/api/v1/projects", Token: e.admin, Body: body, Headers: h})
		require.Equal(t, 201, first.Status)
		again := e.do(req{Method: "POST", Path: "/api/v1/projects", Token: e.admin, Body: body, Headers: h})
		require.Equal(t, 201, again.Status)
		require.Equal(t, first.Body, again.Body)
		require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
		require.Equal(t, first.Header.Get("Location"), again.Header.Get("Location"))
		require.Equal(t, 1, e.count("/api/v1/projects"))

		other := e.do(req{Method: "POST", Path: "/api/v1/projects", Token: e.admin, Body: map[string]any{"acronym": "IDEM2", "title": "Other"}, Headers: h})
		require.Equal(t, 422, other.Status)
		require.Equal(t, "idempotency_key_reused", other.problem(t).Code)

		// Concurrent repeats of one key do the work once.
		h2 := map[string]string{"Idempotency-Key": "create-idem-2"}
		body2 := map[string]any{"acronym": "IDEM-RACE", "title": "Race"}
		var wg sync.WaitGroup
		statuses := make([]int, 10)
		bodies := make([][]byte, 10)
		for i := range statuses {
			wg.Go(func() {
				r := e.do(req{Method: "POST", Path: "/api/v1/projects", Token: e.admin, Body: body2, Headers: h2})
				statuses[i], bodies[i] = r.Status, r.Body
			})
		}
		wg.Wait()
		for i := range statuses {
			require.Equal(t, 201, statuses[i], "%s", bodies[i])
			require.Equal(t, bodies[0], bodies[i])
		}
		require.Equal(t, 2, e.count("/api/v1/projects"))
	})
}

func TestHealthReadinessMetricsAndRequestIDs(t *testing.T) {
	e := setup(t, "sqlite")
	require.Equal(t, 200, e.do(req{Method: "GET", Path: "/healthz"}).Status)
	ready := e.do(req{Method: "GET", Path: "/readyz"})
	require.Equal(t, 200, ready.Status, "%s", ready.Body)

	res := e.do(req{Method: "GET", Path: "/api/v1/me", Token: e.admin, Headers: map[string]string{"X-Request-Id": "trace-42"}})
	require.Equal(t, "trace-42", res.Header.Get("X-Request-Id"))
	res = e.do(req{Method: "GET", Path: "/api/v1/me", Headers: map[string]string{"X-Request-Id": "<script>"}})
	require.NotEqual(t, "<script>", res.Header.Get("X-Request-Id"), "an unsafe request id is replaced")
	require.Equal(t, res.Header.Get("X-Request-Id"), res.problem(t).RequestID)

	doc := e.do(req{Method: "GET", Path: "/api/v1/openapi.json"})
	require.Equal(t, 200, doc.Status)
	require.Contains(t, string(doc.Body), `"openapi":"3.0.3"`)

	hr, err := http.Get(e.url + "/metrics")
	require.NoError(t, err)
	defer hr.Body.Close()
	b, _ := io.ReadAll(hr.Body)
	require.Equal(t, 200, hr.StatusCode)
	require.Contains(t, string(b), `craftscode_http_requests_total{method="GET",route="/api/v1/me",status="200"} 1`)
	require.Contains(t, string(b), `craftscode_http_requests_total{method="GET",route="/api/v1/me",status="401"} 1`)
	require.Contains(t, string(b), `craftscode_http_request_duration_seconds_bucket{method="GET",route="/readyz",status="200"`)
	require.True(t, bytes.Contains(b, []byte("go_goroutines")))
}
