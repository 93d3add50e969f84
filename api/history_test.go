package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

// Finding 5 of issue 15: a transition note is at most 4,000 characters,
// and a history is paged like every other list, oldest first.
func TestTransitionNotesAreBoundedAndHistoryIsPaged(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("NOTES")
		owner := c.tokens["partner"]
		path := "/api/v1/action-plans/" + c.plan.ID
		var cur struct {
			Version int `json:"version"`
		}
		e.do(req{Method: "GET", Path: path, Token: owner}).json(t, &cur)
		version := cur.Version
		move := func(trigger, note string) response {
			return e.do(req{Method: "POST", Path: path + "/transitions", Token: owner,
				Body:    map[string]any{"trigger": trigger, "note": note},
				Headers: map[string]string{"If-Match": fmt.Sprintf(`"%d"`, version)}})
		}
		res := move("request_changes", strings.Repeat("é", workflow.MaxNote+1))
		require.Equal(t, 422, res.Status, "%s", res.Body)
		p := res.problem(t)
		require.Equal(t, "validation_failed", p.Code)
		require.Equal(t, "note", p.Errors[0].Field)

		// Twice back and forth, with notes at the limit: 4 more rows.
		for i := range 4 {
			trigger := []string{"request_changes", "submit"}[i%2]
			res := move(trigger, strings.Repeat("n", workflow.MaxNote))
			require.Equal(t, 200, res.Status, "%s: %s", trigger, res.Body)
			version++
		}

		var all []workflow.TransitionRecord
		cursor := ""
		pages := 0
		for {
			q := path + "/history?limit=2"
			if cursor != "" {
				q += "&cursor=" + cursor
			}
			res := e.do(req{Method: "GET", Path: q, Token: owner})
			require.Equal(t, 200, res.Status, "%s", res.Body)
			var l struct {
				Items      []workflow.TransitionRecord `json:"items"`
				NextCursor string                      `json:"next_cursor"`
			}
			res.json(t, &l)
			require.LessOrEqual(t, len(l.Items), 2)
			all = append(all, l.Items...)
			pages++
			if l.NextCursor == "" {
				break
			}
			cursor = l.NextCursor
		}
		require.Len(t, all, 5, "submit, then four moves")
		require.Equal(t, 3, pages)
		for i := 1; i < len(all); i++ {
			require.Less(t, all[i-1].Version, all[i].Version, "oldest first")
		}
		bad := e.do(req{Method: "GET", Path: path + "/history?limit=0", Token: owner})
		require.Equal(t, 400, bad.Status)
	})
}

// A comment's history is paged too.
func TestCommentHistoryIsPaged(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("CHIST")
		sh := c.tokens["stakeholder"]
		var cm workflow.Comment
		e.create("/api/v1/action-plans/"+c.plan.ID+"/comments", sh, map[string]any{"body": "v1", "section": "general", "stance": "question"}, &cm)
		for v := 1; v <= 4; v++ {
			res := e.do(req{Method: "PATCH", Path: "/api/v1/comments/" + cm.ID, Token: sh, Body: map[string]any{"body": fmt.Sprintf("v%d", v+1)},
				Headers: map[string]string{"If-Match": fmt.Sprintf(`"%d"`, v)}})
			require.Equal(t, 200, res.Status, "%s", res.Body)
		}
		var bodies []string
		cursor, pages := "", 0
		for {
			q := "/api/v1/comments/" + cm.ID + "/history?limit=2"
			if cursor != "" {
				q += "&cursor=" + cursor
			}
			res := e.do(req{Method: "GET", Path: q, Token: sh})
			require.Equal(t, 200, res.Status, "%s", res.Body)
			var l struct {
				Items      []workflow.CommentEvent `json:"items"`
				NextCursor string                  `json:"next_cursor"`
			}
			res.json(t, &l)
			require.LessOrEqual(t, len(l.Items), 2)
			for _, ev := range l.Items {
				bodies = append(bodies, ev.Body)
			}
			pages++
			if l.NextCursor == "" {
				break
			}
			cursor = l.NextCursor
		}
		require.Equal(t, []string{"v1", "v2", "v3", "v4", "v5"}, bodies, "every event once, oldest first")
		require.Equal(t, 3, pages)
	})
}
