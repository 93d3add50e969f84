package api_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTemplateUploadIsCheckedFirst(t *testing.T) {
	e := setup(t, "sqlite")
	post := func(body map[string]any) response {
		return e.do(req{Method: "POST", Path: "/api/v1/templates", Token: e.admin, Body: body})
	}
	// A syntax error names its line.
	res := post(map[string]any{"name": "broken", "kind": "action_plan", "source": "# Plan\n\n{{.content.title}\n"})
	require.Equal(t, 422, res.Status, "%s", res.Body)
	p := res.problem(t)
	require.Equal(t, "template_invalid", p.Code)
	require.Len(t, p.Errors, 1)
	require.True(t, strings.HasPrefix(p.Errors[0].Field, "source:3:"), p.Errors[0].Field)

	// Unbounded loops and unknown functions are refused.
	for _, src := range []string{"{{range 100000000}}x{{end}}", "{{call .x}}", `{{define "a"}}{{template "a" .}}{{end}}{{template "a" .}}`} {
		res = post(map[string]any{"name": "bad", "kind": "action_plan", "source": src})
		require.Equal(t, 422, res.Status, "%s: %s", src, res.Body)
	}
	// A good one is accepted once per version and listed.
	good := map[string]any{"name": "short_plan", "kind": "action_plan", "source": "# {{.content.title}}\n\n{{.partner.name}}\n"}
	require.Equal(t, 201, post(good).Status)
	require.Equal(t, 409, post(good).Status, "the same version twice")
	var l struct {
		Items []struct {
			Name    string
			Builtin bool
		}
	}
	e.do(req{Method: "GET", Path: "/api/v1/templates", Token: e.admin}).json(t, &l)
	names := map[string]bool{}
	for _, it := range l.Items {
		names[it.Name] = it.Builtin
	}
	require.Equal(t, map[string]bool{"action_plan": true, "peer_review": true, "short_plan": false}, names)
}

func TestDocumentRequestsAreChecked(t *testing.T) {
	e := setup(t, "sqlite")
	c := e.consortium("DOCS")
	path := "/api/v1/action-plans/" + c.plan.ID + "/documents"
	res := e.do(req{Method: "POST", Path: path, Token: c.tokens["partner"], Body: map[string]any{"format": "odt"}})
	require.Equal(t, 422, res.Status)
	res = e.do(req{Method: "POST", Path: path, Token: c.tokens["partner"], Body: map[string]any{"format": "pdf", "template": "peer_review"}})
	require.Equal(t, 422, res.Status, "a template of another kind")
	draft := draftPlan(e, c)
	res = e.do(req{Method: "POST", Path: "/api/v1/action-plans/" + draft + "/documents", Token: c.tokens["partner"], Body: map[string]any{"format": "pdf"}})
	require.Equal(t, 409, res.Status, "never submitted: no revision to assemble")

	// The same request twice is the same document.
	var a, b struct{ ID, Status string }
	e.do(req{Method: "POST", Path: path, Token: c.tokens["partner"], Body: map[string]any{"format": "docx"}}).json(t, &a)
	e.do(req{Method: "POST", Path: path, Token: c.tokens["coordinator"], Body: map[string]any{"format": "docx"}}).json(t, &b)
	require.Equal(t, a.ID, b.ID)
	require.Equal(t, "pending", a.Status)
}
