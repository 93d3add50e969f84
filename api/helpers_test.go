package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/api"
	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/storage/blobstore"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// testEnv is a real server on 127.0.0.1:0 over a fresh store, and a client
// that checks every answer against the OpenAPI document.
type testEnv struct {
	t      *testing.T
	url    string
	store  *sqlstore.Store
	blobs  documents.BlobStore
	router routers.Router
	admin  string // an admin's token
}

var openapiDoc = func() *openapi3.T {
	doc, err := api.LoadOpenAPI()
	if err != nil {
		panic(err)
	}
	doc.Servers = nil // match paths on any host
	return doc
}()

func setup(t *testing.T, d sqlstore.Dialect) *testEnv {
	t.Helper()
	return setupWith(t, d, nil)
}

// setupWith is setup with a change to the server's configuration.
func setupWith(t *testing.T, d sqlstore.Dialect, configure func(*api.Config)) *testEnv {
	t.Helper()
	return setupServer(t, d, configure, nil)
}

// setupServer is setupWith with the http.Server tuned (its timeouts) as
// serve's is.
func setupServer(t *testing.T, d sqlstore.Dialect, configure func(*api.Config), server func(*http.Server)) *testEnv {
	t.Helper()
	store := sqlstoretest.New(t, d)
	blobs, err := blobstore.NewFS(t.TempDir())
	require.NoError(t, err)
	cfg := api.Config{Store: store, Blobs: blobs, Registry: prometheus.NewRegistry(), BodyLimit: 64 << 10}
	if configure != nil {
		configure(&cfg)
	}
	srv, err := api.New(cfg)
	require.NoError(t, err)
	hs := httptest.NewUnstartedServer(srv)
	if server != nil {
		server(hs.Config)
	}
	hs.Start()
	t.Cleanup(hs.Close)
	router, err := legacy.NewRouter(openapiDoc)
	require.NoError(t, err)
	e := &testEnv{t: t, url: hs.URL, store: store, blobs: blobs, router: router}
	tok, hash := workflow.NewToken()
	require.NoError(t, store.CreateUser(context.Background(), &workflow.User{Email: "admin@example.org", Name: "Admin", Admin: true}, hash, "test"))
	e.admin = tok
	return e
}

// forEachBackend runs fn against a server on SQLite and on PostgreSQL.
func forEachBackend(t *testing.T, fn func(t *testing.T, e *testEnv)) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, setup(t, d))
		})
	}
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.Body, v), "body: %s", r.Body)
}

func (r response) problem(t *testing.T) api.Problem {
	t.Helper()
	require.Equal(t, "application/problem+json", r.Header.Get("Content-Type"), "body: %s", r.Body)
	var p api.Problem
	r.json(t, &p)
	require.Equal(t, r.Status, p.Status)
	return p
}

// req describes one request; Raw bodies are sent as they are.
type req struct {
	Method  string
	Path    string
	Token   string
	Body    any
	Raw     []byte
	Headers map[string]string
}

// do sends r and validates the answer against the OpenAPI document: the
// route, the status and the body must all be documented.
func (e *testEnv) do(r req) response {
	t := e.t
	t.Helper()
	var body io.Reader
	var sent []byte
	switch {
	case r.Raw != nil:
		sent = r.Raw
	case r.Body != nil:
		if raw, ok := r.Body.([]byte); ok { // a file, sent as it is
			sent = raw
			break
		}
		b, err := json.Marshal(r.Body)
		require.NoError(t, err)
		sent = b
	}
	if sent != nil {
		body = bytes.NewReader(sent)
	}
	hr, err := http.NewRequest(r.Method, e.url+r.Path, body)
	require.NoError(t, err)
	if sent != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.Token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Headers {
		hr.Header.Set(k, v)
	}
	res, err := noRedirects.Do(hr)
	require.NoError(t, err)
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	out := response{Status: res.StatusCode, Header: res.Header, Body: got}
	e.validate(hr, out)
	return out
}

// noRedirects hands back a 302 as it is, so a test sees (and the OpenAPI
// check validates) the service's own answer.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// follow fetches a redirect's Location as a browser without the service's
// credentials would, with headers (a Range) of its own.
func follow(t *testing.T, res response, headers map[string]string) response {
	t.Helper()
	require.Equal(t, http.StatusFound, res.Status, "%s", res.Body)
	loc := res.Header.Get("Location")
	require.NotEmpty(t, loc)
	hr, err := http.NewRequest("GET", loc, nil)
	require.NoError(t, err)
	for k, v := range headers {
		hr.Header.Set(k, v)
	}
	got, err := noRedirects.Do(hr)
	require.NoError(t, err)
	defer got.Body.Close()
	body, err := io.ReadAll(got.Body)
	require.NoError(t, err)
	return response{Status: got.StatusCode, Header: got.Header, Body: body}
}

func (e *testEnv) validate(hr *http.Request, res response) {
	t := e.t
	t.Helper()
	route, params, err := e.router.FindRoute(hr)
	require.NoError(t, err, "%s %s is not in the OpenAPI document", hr.Method, hr.URL.Path)
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: hr, PathParams: params, Route: route},
		Status:                 res.Status,
		Header:                 res.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	in.SetBodyBytes(res.Body)
	err = openapi3filter.ValidateResponse(context.Background(), in)
	require.NoError(t, err, "%s %s answered %d, which the OpenAPI document does not allow: %s", hr.Method, hr.URL.Path, res.Status, res.Body)
}

// create posts body and requires 201, decoding the answer into out.
func (e *testEnv) create(path, token string, body, out any) {
	e.t.Helper()
	r := e.do(req{Method: "POST", Path: path, Token: token, Body: body})
	require.Equal(e.t, http.StatusCreated, r.Status, "POST %s: %s", path, r.Body)
	if out != nil {
		r.json(e.t, out)
	}
}

// consortium is a small project with a user in every role, plus an
// outsider who belongs to another project.
type consortium struct {
	project    workflow.Project
	partner    workflow.Partner   // HU, the partner user's partner
	peers      []workflow.Partner // IE and ES, peers for peer reviews
	instrument workflow.PolicyInstrument
	group      workflow.StakeholderGroup
	tokens     map[string]string // by role name
	other      workflow.Project
	plan       workflow.ActionPlan // on instrument, submitted
	review     workflow.PeerReview // hosted by partner, on instrument, submitted
}

func (e *testEnv) consortium(acronym string) consortium {
	e.t.Helper()
	return e.consortiumWith(acronym, nil)
}

// consortiumWith is consortium with more fields in the project's create
// body (matrix_names, say).
func (e *testEnv) consortiumWith(acronym string, project map[string]any) consortium {
	t := e.t
	t.Helper()
	var c consortium
	body := map[string]any{"acronym": acronym, "title": "Crafts", "phase1_start": "2016-04-01"}
	for k, v := range project {
		body[k] = v
	}
	e.create("/api/v1/projects", e.admin, body, &c.project)
	e.create("/api/v1/projects", e.admin, map[string]any{"acronym": acronym + "-other", "title": "Another project"}, &c.other)
	base := "/api/v1/projects/" + c.project.ID
	e.create(base+"/partners", e.admin, map[string]any{"name": "Budapesti Vállalkozásfejlesztési Közalapítvány", "country": "HU", "region": "HU11", "role": "partner"}, &c.partner)
	e.create(base+"/policy-instruments", e.admin, map[string]any{"name": "VEKOP", "type": "growth_and_jobs", "partner_ids": []string{c.partner.ID}}, &c.instrument)
	e.create(base+"/stakeholder-groups", e.admin, map[string]any{"name": "Érintettek", "policy_instrument_id": c.instrument.ID}, &c.group)
	c.tokens = map[string]string{"admin": e.admin}
	for _, role := range []string{"coordinator", "partner", "stakeholder", "secretariat", "observer", "outsider", "nobody"} {
		var u struct {
			ID    string `json:"id"`
			Token string `json:"token"`
		}
		e.create("/api/v1/users", e.admin, map[string]any{"email": role + "@" + strings.ToLower(acronym) + ".example", "name": role}, &u)
		c.tokens[role] = u.Token
		m := map[string]any{"user_id": u.ID, "role": role}
		pid := c.project.ID
		switch role {
		case "partner":
			m["partner_id"] = c.partner.ID
		case "stakeholder":
			m["stakeholder_group_id"] = c.group.ID
		case "outsider":
			m["role"], pid = "coordinator", c.other.ID
		case "nobody":
			continue
		}
		e.create("/api/v1/projects/"+pid+"/members", e.admin, m, nil)
	}
	for _, p := range []map[string]any{
		{"name": "Design and Crafts Council Ireland", "country": "IE", "region": "IE05", "role": "partner"},
		{"name": "FUNDESARTE", "country": "ES", "region": "ES30", "role": "partner"},
	} {
		var peer workflow.Partner
		e.create(base+"/partners", e.admin, p, &peer)
		c.peers = append(c.peers, peer)
	}
	e.create(base+"/action-plans", e.admin, completePlan(c.instrument.ID, c.partner.ID), &c.plan)
	e.fire("action-plans", c.plan.ID, e.admin, "submit", 1, 200)
	e.create(base+"/peer-reviews", e.admin, completeReview(c, c.instrument.ID), &c.review)
	e.fire("peer-reviews", c.review.ID, e.admin, "submit", 1, 200)
	return c
}

// completePlan is a create body that passes the submit guard.
func completePlan(instrumentID, partnerID string) map[string]any {
	return map[string]any{
		"policy_instrument_id": instrumentID, "partner_id": partnerID,
		"title": "Cselekvési terv a kézműipar versenyképességéért", "language": "hu",
		"summary_en": "Action plan for the competitiveness of craft SMEs",
		"actions": []map[string]any{{
			"title": "Mentorprogram", "description": "Mentoring for craft SMEs", "players": "BVK, kamarák",
			"timeframe_start": "2019-04-01", "timeframe_end": "2020-03-31", "costs": "€ 40 000",
		}},
	}
}

// completeReview is a peer review create body that passes the submit guard.
func completeReview(c consortium, instrumentID string) map[string]any {
	return map[string]any{
		"host_partner_id": c.partner.ID, "title": "Peer review in Budapest",
		"peer_partner_ids": []string{c.peers[0].ID, c.peers[1].ID}, "policy_instrument_id": instrumentID,
		"visit_start": "2017-10-10", "visit_end": "2017-10-11", "findings": "Strong network of craft associations.",
		"recommendations": []map[string]any{{"title": "Open a design lab", "body": "Shared equipment for craft SMEs."}},
	}
}

// freshInstrument adds an instrument of the consortium's partner, so that
// a new action plan can be made for it.
func (e *testEnv) freshInstrument(c consortium) string {
	var pi workflow.PolicyInstrument
	e.create("/api/v1/projects/"+c.project.ID+"/policy-instruments", e.admin,
		map[string]any{"name": uniq("Instrument"), "type": "other", "partner_ids": []string{c.partner.ID}}, &pi)
	return pi.ID
}

// fire posts a transition and requires the status.
func (e *testEnv) fire(seg, id, token, trigger string, version, status int) response {
	e.t.Helper()
	r := e.do(req{Method: "POST", Path: "/api/v1/" + seg + "/" + id + "/transitions", Token: token,
		Body: map[string]any{"trigger": trigger, "note": "by the test"}, Headers: map[string]string{"If-Match": fmt.Sprintf(`"%d"`, version)}})
	require.Equal(e.t, status, r.Status, "%s %s: %s", trigger, id, r.Body)
	return r
}
