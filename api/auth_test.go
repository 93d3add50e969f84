package api_test

import (
	"context"
	"fmt"
	"github.com/labstack/echo/v4"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

// callers, in the column order of the matrix below. "anonymous" sends no
// token, "unknown" a token nobody has, "outsider" is coordinator of another
// project and "nobody" a user without any membership.
var callers = []string{"anonymous", "unknown", "admin", "coordinator", "partner", "stakeholder", "secretariat", "observer", "outsider", "nobody"}

type endpoint struct {
	method, path string
	body         func(e *testEnv, c consortium) any
	want         []int // one status per caller
}

var seq atomic.Int64

func uniq(prefix string) string { return fmt.Sprintf("%s %d", prefix, seq.Add(1)) }

// The role × endpoint table: every endpoint built so far, every kind of
// caller, and the status each must get.
var matrix = []endpoint{
	{"GET", "/api/v1/me", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 200, 200}},
	{"POST", "/api/v1/users", func(*testEnv, consortium) any {
		return map[string]any{"email": strings.ReplaceAll(uniq("u"), " ", "") + "@example.org", "name": "Új Felhasználó"}
	}, []int{401, 401, 201, 403, 403, 403, 403, 403, 403, 403}},
	{"GET", "/api/v1/users", nil,
		[]int{401, 401, 200, 403, 403, 403, 403, 403, 403, 403}},
	{"POST", "/api/v1/projects", func(*testEnv, consortium) any {
		return map[string]any{"acronym": uniq("P"), "title": "A project"}
	}, []int{401, 401, 201, 403, 403, 403, 403, 403, 403, 403}},
	{"GET", "/api/v1/projects", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 200, 200}},
	{"GET", "/api/v1/projects/{pid}", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}},
	{"POST", "/api/v1/projects/{pid}/partners", func(*testEnv, consortium) any {
		return map[string]any{"name": uniq("РАМ Стара планина"), "country": "BG", "region": "BG32", "role": "partner"}
	}, []int{401, 401, 201, 201, 403, 403, 403, 403, 404, 404}},
	{"GET", "/api/v1/projects/{pid}/partners", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}},
	{"POST", "/api/v1/projects/{pid}/members", func(e *testEnv, c consortium) any {
		u := workflow.User{Email: strings.ReplaceAll(uniq("m"), " ", "") + "@example.org", Name: "Member"}
		_, hash := workflow.NewToken()
		require.NoError(e.t, e.store.CreateUser(context.Background(), &u, hash, "test"))
		return map[string]any{"user_id": u.ID, "role": "observer"}
	}, []int{401, 401, 201, 201, 403, 403, 403, 403, 404, 404}},
	{"GET", "/api/v1/projects/{pid}/members", nil,
		[]int{401, 401, 200, 200, 200, 403, 200, 200, 404, 404}},
	{"POST", "/api/v1/projects/{pid}/policy-instruments", func(_ *testEnv, c consortium) any {
		return map[string]any{"name": uniq("Instrument"), "type": "other", "partner_ids": []string{c.partner.ID}}
	}, []int{401, 401, 201, 201, 403, 403, 403, 403, 404, 404}},
	{"GET", "/api/v1/projects/{pid}/policy-instruments", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}},
	{"POST", "/api/v1/projects/{pid}/stakeholder-groups", func(e *testEnv, c consortium) any {
		pi := workflow.PolicyInstrument{ProjectID: c.project.ID, Name: uniq("PI"), Type: workflow.InstrumentOther, PartnerIDs: []string{c.partner.ID}}
		require.NoError(e.t, e.store.CreatePolicyInstrument(context.Background(), &pi))
		return map[string]any{"name": "Group", "policy_instrument_id": pi.ID}
	}, []int{401, 401, 201, 201, 403, 403, 403, 403, 404, 404}},
	{"GET", "/api/v1/projects/{pid}/stakeholder-groups", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}},
}

func TestAuthorizationMatrix(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("AUTH")
		c.tokens["unknown"] = "cct_not-a-token-anybody-has"
		for _, ep := range matrix {
			require.Len(t, ep.want, len(callers), "%s %s", ep.method, ep.path)
			for i, who := range callers {
				t.Run(ep.method+" "+ep.path+" as "+who, func(t *testing.T) {
					r := req{Method: ep.method, Path: strings.ReplaceAll(ep.path, "{pid}", c.project.ID), Token: c.tokens[who]}
					if ep.body != nil {
						r.Body = ep.body(e, c)
					}
					res := e.do(r)
					require.Equal(t, ep.want[i], res.Status, "%s", res.Body)
					if res.Status >= 400 {
						p := res.problem(t)
						require.Equal(t, map[int]string{401: "unauthenticated", 403: "forbidden", 404: "not_found"}[res.Status], p.Code)
					}
					if res.Status == 401 {
						require.Contains(t, res.Header.Get("WWW-Authenticate"), "Bearer")
					}
				})
			}
		}
	})
}

// Every route in the matrix, so that a new endpoint cannot be left out of it.
func TestMatrixCoversEveryRoute(t *testing.T) {
	inMatrix := map[string]bool{}
	for _, ep := range matrix {
		inMatrix[ep.method+" "+ep.path] = true
	}
	for _, r := range newServer(t).Routes() {
		path := toOpenAPIPath(r.Path)
		if r.Method == echo.RouteNotFound {
			continue
		}
		if !strings.HasPrefix(path, "/api/v1/") || path == "/api/v1/openapi.json" {
			continue
		}
		require.True(t, inMatrix[r.Method+" "+path], "%s %s is missing from the authorization matrix", r.Method, path)
	}
}

func TestListsAreScopedToTheCaller(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("SCOPE")
		var mine struct {
			Items []workflow.Project `json:"items"`
		}
		e.do(req{Method: "GET", Path: "/api/v1/projects", Token: c.tokens["partner"]}).json(t, &mine)
		require.Len(t, mine.Items, 1)
		require.Equal(t, c.project.ID, mine.Items[0].ID)

		var none struct {
			Items []workflow.Project `json:"items"`
		}
		e.do(req{Method: "GET", Path: "/api/v1/projects", Token: c.tokens["nobody"]}).json(t, &none)
		require.Empty(t, none.Items)

		var all struct {
			Items []workflow.Project `json:"items"`
		}
		e.do(req{Method: "GET", Path: "/api/v1/projects", Token: e.admin}).json(t, &all)
		require.Len(t, all.Items, 2)

		res := e.do(req{Method: "GET", Path: "/api/v1/projects/" + workflow.NewID(), Token: e.admin})
		require.Equal(t, http.StatusNotFound, res.Status, "an admin naming a project that does not exist")
	})
}
