package api_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

// Finding 3 of issue 15: hiding a comment hides its whole thread. Its
// replies cannot be read one by one, nor replied to, and do not count in
// me/consultations, for those who may not see hidden comments.
func TestHidingACommentHidesItsThread(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("HIDE")
		sh, owner, coord := c.tokens["stakeholder"], c.tokens["partner"], c.tokens["coordinator"]
		path := "/api/v1/action-plans/" + c.plan.ID
		var top, reply, deeper workflow.Comment
		e.create(path+"/comments", sh, map[string]any{"body": "Off topic", "section": "general", "stance": "concern"}, &top)
		e.create(path+"/comments", owner, map[string]any{"body": "A reply", "parent_id": top.ID}, &reply)
		e.create(path+"/comments", sh, map[string]any{"body": "A reply to the reply", "parent_id": reply.ID}, &deeper)
		count := func() int {
			var mine struct{ Items []workflow.ConsultationItem }
			e.do(req{Method: "GET", Path: "/api/v1/me/consultations", Token: sh}).json(t, &mine)
			for _, it := range mine.Items {
				if it.ID == c.plan.ID {
					return it.Comments
				}
			}
			t.Fatal("the plan is not among my consultations")
			return 0
		}
		require.Equal(t, 3, count())

		res := e.do(req{Method: "POST", Path: "/api/v1/comments/" + top.ID + "/hide", Token: coord, Body: map[string]any{"reason": "off topic"}})
		require.Equal(t, 200, res.Status, "%s", res.Body)

		for _, id := range []string{top.ID, reply.ID, deeper.ID} {
			res := e.do(req{Method: "GET", Path: "/api/v1/comments/" + id, Token: sh})
			require.Equal(t, 404, res.Status, "comment %s of a hidden thread: %s", id, res.Body)
			// Those who answer still read it.
			require.Equal(t, 200, e.do(req{Method: "GET", Path: "/api/v1/comments/" + id, Token: coord}).Status)
		}
		require.Equal(t, 404, e.do(req{Method: "GET", Path: "/api/v1/comments/" + deeper.ID + "/history", Token: sh}).Status)
		require.Zero(t, count(), "replies in a hidden thread are counted")
		res = e.do(req{Method: "POST", Path: path + "/comments", Token: sh, Body: map[string]any{"body": "Still here?", "parent_id": deeper.ID}})
		require.Equal(t, 422, res.Status, "a reply into a hidden thread: %s", res.Body)
	})
}
