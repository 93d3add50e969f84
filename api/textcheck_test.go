package api_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

// Finding 14 of issue 15: text with NUL, invalid UTF-8 or control
// characters, and dates outside 1900–2200, are refused with 4xx on both
// databases (PostgreSQL answered 500), and nothing is stored.
func TestBadTextAndDatesAreRefused(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("TEXT")
		owner, coord, sh := c.tokens["partner"], c.tokens["coordinator"], c.tokens["stakeholder"]
		plan := "/api/v1/action-plans/" + c.plan.ID
		projects := e.count("/api/v1/projects")
		refused := func(what string, res response) {
			t.Helper()
			require.True(t, res.Status >= 400 && res.Status < 500, "%s: %d %s", what, res.Status, res.Body)
		}

		// A transition note with NUL.
		var cur struct {
			Version int `json:"version"`
		}
		e.do(req{Method: "GET", Path: plan, Token: owner}).json(t, &cur)
		res := e.do(req{Method: "POST", Path: plan + "/transitions", Token: owner,
			Body: map[string]any{"trigger": "request_changes", "note": "why\x00not"}, Headers: map[string]string{"If-Match": fmt.Sprintf(`"%d"`, cur.Version)}})
		refused("note with NUL", res)
		require.Len(t, e.history("action-plans", c.plan.ID), 1, "no transition was written")

		// A hide reason with NUL.
		var cm workflow.Comment
		e.create(plan+"/comments", sh, map[string]any{"body": "A remark", "section": "general", "stance": "question"}, &cm)
		for _, reason := range []string{"off\x00topic", "off\x01topic", "off\u0085topic"} {
			refused("hide reason", e.do(req{Method: "POST", Path: "/api/v1/comments/" + cm.ID + "/hide", Token: coord, Body: map[string]any{"reason": reason}}))
		}

		// A template source with NUL.
		refused("template with NUL", e.do(req{Method: "POST", Path: "/api/v1/templates", Token: e.admin,
			Body: map[string]any{"name": "nul", "kind": "action_plan", "source": "# Plan\x00\n{{.content.title}}\n"}}))

		// Image captions with NUL, invalid UTF-8 and a control character.
		practice := "/api/v1/good-practices/" + draftPractice(e, c) + "/images"
		for _, caption := range []string{"a\x00b", "a\xffb", "a\x1bb", "a\rb"} {
			refused(fmt.Sprintf("caption %q", caption), e.do(req{Method: "POST", Path: practice + "?caption=" + url.QueryEscape(caption), Token: e.admin, Raw: pngImage(t, 4, 4)}))
		}

		// Year 0000 and other dates out of range.
		for _, d := range []string{"0000-01-01", "1899-12-31", "2201-01-01"} {
			refused("project date "+d, e.do(req{Method: "POST", Path: "/api/v1/projects", Token: e.admin,
				Body: map[string]any{"acronym": "D" + d[:4], "title": "T", "phase1_start": d}}))
			body := completeReview(c, c.instrument.ID)
			body["visit_start"] = d
			refused("visit date "+d, e.do(req{Method: "POST", Path: "/api/v1/projects/" + c.project.ID + "/peer-reviews", Token: e.admin, Body: body}))
		}
		require.Equal(t, projects, e.count("/api/v1/projects"), "no project was stored")
		// The edges are dates.
		res = e.do(req{Method: "POST", Path: "/api/v1/projects", Token: e.admin, Body: map[string]any{"acronym": "EDGE", "title": "T", "phase1_start": "1900-01-01", "phase1_end": "2200-12-31"}})
		require.Equal(t, 201, res.Status, "%s", res.Body)
	})
}
