package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/jobs"
	"github.com/craftscode/craftscode/workflow"
)

// matrixMD renders the comment-response matrix of a deliverable's latest
// revision as Markdown, the way the render job does, from the store as it
// is now.
func (e *testEnv) matrixMD(seg, id string) string {
	t := e.t
	t.Helper()
	var doc workflow.Document
	res := e.do(req{Method: "POST", Path: "/api/v1/" + seg + "/" + id + "/documents", Token: e.admin,
		Body: map[string]any{"format": "md", "template": "comment_response_matrix"}})
	require.Contains(t, []int{200, 202}, res.Status, "%s", res.Body)
	res.json(t, &doc)
	ctx := context.Background()
	doc, snap, created, err := e.store.RenderInput(ctx, doc.ID)
	require.NoError(t, err)
	var snapshot map[string]any
	dec := json.NewDecoder(bytes.NewReader(snap))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&snapshot))
	tmpl, err := jobs.LoadTemplate(ctx, e.store, doc.Template, doc.TemplateVersion)
	require.NoError(t, err)
	format, ok := documents.ParseFormat("md")
	require.True(t, ok)
	var buf bytes.Buffer
	require.NoError(t, documents.Assemble(&buf, tmpl, snapshot, documents.MetaFor(snapshot, doc.Approved, created, tmpl.Version), format))
	return buf.String()
}

// stakeholderComment makes a stakeholder (a user of the consortium's
// group) with a comment on the submitted plan, answered by the admin.
func (e *testEnv) stakeholderComment(c consortium, name string) (workflow.User, string, string) {
	t := e.t
	t.Helper()
	tok := e.newMember(c.project.ID, name, map[string]any{"role": "stakeholder", "stakeholder_group_id": c.group.ID})
	var me workflow.User
	res := e.do(req{Method: "GET", Path: "/api/v1/me", Token: tok})
	require.Equal(t, 200, res.Status)
	res.json(t, &me)
	var cm workflow.Comment
	e.create("/api/v1/action-plans/"+c.plan.ID+"/comments", tok,
		map[string]any{"body": "Who runs the mentoring?", "section": "general", "stance": "question"}, &cm)
	res = e.do(req{Method: "POST", Path: "/api/v1/comments/" + cm.ID + "/response", Token: e.admin,
		Body: map[string]any{"status": "accepted", "body": "The chamber does."}})
	require.Equal(t, 200, res.Status, "%s", res.Body)
	return me, tok, cm.ID
}

// TestExportMyData: a person takes away their profile, memberships (with
// the names they point at), comments with their history and the responses.
func TestExportMyData(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("EXPORT")
		me, tok, cid := e.stakeholderComment(c, "Kovács Anna")
		res := e.do(req{Method: "GET", Path: "/api/v1/me/export", Token: tok})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		require.True(t, strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment; "), res.Header.Get("Content-Disposition"))
		require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
		var data workflow.PersonalData
		res.json(t, &data)
		require.Equal(t, me.Email, data.Profile.Email)
		require.Equal(t, "Kovács Anna", data.Profile.Name)
		require.Len(t, data.Memberships, 1)
		m := data.Memberships[0]
		require.Equal(t, workflow.RoleStakeholder, m.Role)
		require.Equal(t, "EXPORT", m.ProjectAcronym)
		require.Equal(t, "Érintettek", m.StakeholderGroupName)
		require.Len(t, data.Comments, 1)
		pc := data.Comments[0]
		require.Equal(t, cid, pc.Comment.ID)
		require.Equal(t, workflow.KindActionPlan, pc.Comment.Kind)
		require.Equal(t, "Who runs the mentoring?", pc.Comment.Body)
		require.NotNil(t, pc.Comment.Response)
		require.Equal(t, "The chamber does.", pc.Comment.Response.Body)
		var events []string
		for _, ev := range pc.History {
			events = append(events, ev.Event)
		}
		require.Equal(t, []string{"created", "responded"}, events)

		// Someone else's export holds nothing of hers.
		res = e.do(req{Method: "GET", Path: "/api/v1/me/export", Token: c.tokens["partner"]})
		require.Equal(t, 200, res.Status)
		require.NotContains(t, string(res.Body), "Kovács Anna")
		require.NotContains(t, string(res.Body), "Who runs the mentoring?")
	})
}

// TestEraseUser: an erased person is signed out at once and shows under a
// pseudonym everywhere names are read, their comments and history kept.
func TestEraseUser(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortiumWith("ERASE", map[string]any{"matrix_names": "names"})
		me, tok, cid := e.stakeholderComment(c, "Kovács Anna")
		require.Contains(t, e.matrixMD("action-plans", c.plan.ID), "Kovács Anna")

		// A partner who submitted a plan: its name is in that plan's history page.
		var partner workflow.User
		res := e.do(req{Method: "GET", Path: "/api/v1/me", Token: c.tokens["partner"]})
		res.json(t, &partner)
		planID := draftPlan(e, c)
		e.fire("action-plans", planID, c.tokens["partner"], "submit", 1, 200)

		path := "/api/v1/users/" + me.ID + "/erase"
		for _, role := range []string{"coordinator", "stakeholder"} {
			res := e.do(req{Method: "POST", Path: path, Token: c.tokens[role]})
			require.Equal(t, 403, res.Status, role)
		}
		res = e.do(req{Method: "POST", Path: "/api/v1/users/" + workflow.NewID() + "/erase", Token: e.admin})
		require.Equal(t, 404, res.Status, "%s", res.Body)

		var erased workflow.User
		res = e.do(req{Method: "POST", Path: path, Token: e.admin})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		res.json(t, &erased)
		require.Regexp(t, `^Former stakeholder \d+ of Érintettek$`, erased.Name)
		require.NotEqual(t, me.Email, erased.Email)
		require.NotContains(t, erased.Email, "example.org")
		pseudonym := erased.Name

		// Twice is fine and changes nothing.
		var again workflow.User
		res = e.do(req{Method: "POST", Path: path, Token: e.admin})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		res.json(t, &again)
		require.Equal(t, erased, again)

		// Signed out at once.
		require.Equal(t, 401, e.do(req{Method: "GET", Path: "/api/v1/me", Token: tok}).Status)
		require.Equal(t, 401, e.do(req{Method: "GET", Path: "/api/v1/me/export", Token: tok}).Status)

		leaks := func(what, s string) {
			t.Helper()
			require.NotContains(t, s, "Kovács Anna", what)
			require.NotContains(t, s, me.Email, what)
		}
		// The comment stays, under the pseudonym.
		res = e.do(req{Method: "GET", Path: "/api/v1/action-plans/" + c.plan.ID + "/comments", Token: e.admin})
		require.Equal(t, 200, res.Status)
		leaks("comment list", string(res.Body))
		require.Contains(t, string(res.Body), pseudonym)
		require.Contains(t, string(res.Body), "Who runs the mentoring?")
		res = e.do(req{Method: "GET", Path: "/api/v1/comments/" + cid, Token: e.admin})
		require.Equal(t, 200, res.Status)
		require.Contains(t, string(res.Body), pseudonym)
		res = e.do(req{Method: "GET", Path: "/api/v1/comments/" + cid + "/history", Token: e.admin})
		require.Equal(t, 200, res.Status)
		leaks("comment history", string(res.Body))
		require.Contains(t, string(res.Body), "created")
		res = e.do(req{Method: "GET", Path: "/api/v1/users?limit=200", Token: e.admin})
		leaks("user list", string(res.Body))

		// The matrix rendered from now on.
		md := e.matrixMD("action-plans", c.plan.ID)
		leaks("matrix", md)
		require.Contains(t, md, pseudonym)

		// The partner: the history names it by its pseudonym.
		res = e.do(req{Method: "POST", Path: "/api/v1/users/" + partner.ID + "/erase", Token: e.admin})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		require.Equal(t, 401, e.do(req{Method: "GET", Path: "/api/v1/me", Token: c.tokens["partner"]}).Status)
		hist := e.history("action-plans", planID)
		require.Equal(t, partner.ID, hist[len(hist)-1].ActorID)
		names, err := e.store.UserNames(t.Context(), []string{partner.ID})
		require.NoError(t, err)
		require.Equal(t, "Former partner "+strings.TrimPrefix(strings.SplitN(names[partner.ID], " of ", 2)[0], "Former partner ")+" of "+c.partner.Name, names[partner.ID])

		// An admin may not erase themselves.
		admin := e.principalOf(e.admin)
		require.Equal(t, 409, e.do(req{Method: "POST", Path: "/api/v1/users/" + admin.User.ID + "/erase", Token: e.admin}).Status)
	})
}

// TestMatrixNames: the matrix prints a stakeholder's organisation (its
// group) unless the project chose names.
func TestMatrixNames(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("MORG")
		require.Equal(t, "organisations", c.project.MatrixNames)
		e.stakeholderComment(c, "Kovács Anna")
		md := e.matrixMD("action-plans", c.plan.ID)
		require.NotContains(t, md, "Kovács Anna")
		require.Contains(t, md, "Érintettek")
		require.Contains(t, md, "Who runs the mentoring?")

		// The coordinator may choose names; a partner may not.
		path := "/api/v1/projects/" + c.project.ID
		im := map[string]string{"If-Match": etagOf(c.project.Version)}
		require.Equal(t, 428, e.do(req{Method: "PATCH", Path: path, Token: c.tokens["coordinator"], Body: map[string]any{"matrix_names": "names"}}).Status)
		require.Equal(t, 403, e.do(req{Method: "PATCH", Path: path, Token: c.tokens["partner"], Body: map[string]any{"matrix_names": "names"}, Headers: im}).Status)
		require.Equal(t, 422, e.do(req{Method: "PATCH", Path: path, Token: c.tokens["coordinator"], Body: map[string]any{"matrix_names": "all"}, Headers: im}).Status)
		require.Equal(t, 422, e.do(req{Method: "PATCH", Path: path, Token: c.tokens["coordinator"], Body: map[string]any{}, Headers: im}).Status)
		var pr workflow.Project
		res := e.do(req{Method: "PATCH", Path: path, Token: c.tokens["coordinator"], Body: map[string]any{"matrix_names": "names"}, Headers: im})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		res.json(t, &pr)
		require.Equal(t, "names", pr.MatrixNames)
		require.Contains(t, e.matrixMD("action-plans", c.plan.ID), "Kovács Anna")
		res = e.do(req{Method: "PATCH", Path: path, Token: e.admin, Body: map[string]any{"matrix_names": "organisations"},
			Headers: map[string]string{"If-Match": etagOf(pr.Version)}})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		require.NotContains(t, e.matrixMD("action-plans", c.plan.ID), "Kovács Anna")

		n := e.consortiumWith("MNAME", map[string]any{"matrix_names": "names"})
		require.Equal(t, "names", n.project.MatrixNames)
		e.stakeholderComment(n, "Kovács Anna")
		require.Contains(t, e.matrixMD("action-plans", n.plan.ID), "Kovács Anna")

		res = e.do(req{Method: "POST", Path: "/api/v1/projects", Token: e.admin,
			Body: map[string]any{"acronym": "MBAD", "title": "Crafts", "matrix_names": "everyone"}})
		require.Equal(t, 422, res.Status, "%s", res.Body)
		require.Contains(t, string(res.Body), "matrix_names")
	})
}
