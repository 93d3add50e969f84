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

// Issue 21: a revision lists the sections a comment may name, and an
// unknown anchor's error names them.
func TestRevisionListsItsSections(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("SEC")
		path := "/api/v1/action-plans/" + c.plan.ID
		var rev struct {
			Sections []struct{ Anchor, Title string }
		}
		res := e.do(req{Method: "GET", Path: path + "/revisions/1", Token: c.tokens["stakeholder"]})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		res.json(t, &rev)
		var anchors []string
		for _, s := range rev.Sections {
			require.NotEmpty(t, s.Title, s.Anchor)
			anchors = append(anchors, s.Anchor)
		}
		require.Equal(t, []string{"general", "summary_en", "part1.general", "part2.policy_context",
			"part3.action.1", "part3.action.1.background", "part3.action.1.description", "part3.action.1.players",
			"part3.action.1.timeframe", "part3.action.1.costs", "part3.action.1.funding_sources"}, anchors)
		require.Equal(t, "Action 1 – Mentorprogram: players involved", rev.Sections[7].Title)

		res = e.do(req{Method: "POST", Path: path + "/comments", Token: c.tokens["stakeholder"],
			Body: map[string]any{"body": "x", "section": "part3.action.2.players", "stance": "concern"}})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
		p := res.problem(t)
		require.Equal(t, "section", p.Errors[0].Field)
		require.Equal(t, "is not a section of revision 1; its sections are "+strings.Join(anchors, ", "), p.Errors[0].Message)
	})
}

// Issue 21: a document of a draft that was never submitted is a 409 that
// says how to get one.
func TestDocumentBeforeTheFirstSubmitSaysHow(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("DRF")
		id := draftPlan(e, c)
		res := e.do(req{Method: "POST", Path: "/api/v1/action-plans/" + id + "/documents", Token: e.admin, Body: map[string]any{"format": "pdf"}})
		require.Equal(t, http.StatusConflict, res.Status, "%s", res.Body)
		require.Contains(t, res.problem(t).Detail, "submit it first and then ask again")
	})
}
