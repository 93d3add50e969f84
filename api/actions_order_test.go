package api_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

// TestMoveAndRemoveActions: an action plan's actions are reordered and
// removed under If-Match, in draft only; the numbers follow the order.
func TestMoveAndRemoveActions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("ORDER")
		partner := c.tokens["partner"]
		var plan workflow.ActionPlan
		body := completePlan(e.freshInstrument(c), c.partner.ID)
		body["actions"] = []map[string]any{
			{"title": "A", "description": "d", "players": "p", "timeframe_start": "2019-01-01", "timeframe_end": "2019-12-31"},
			{"title": "B", "description": "d", "players": "p", "timeframe_start": "2019-01-01", "timeframe_end": "2019-12-31"},
			{"title": "C", "description": "d", "players": "p", "timeframe_start": "2019-01-01", "timeframe_end": "2019-12-31"},
		}
		e.create("/api/v1/projects/"+c.project.ID+"/action-plans", partner, body, &plan)
		path := "/api/v1/action-plans/" + plan.ID
		at := func(v int) map[string]string { return map[string]string{"If-Match": fmt.Sprintf(`"%d"`, v)} }
		titles := func() string {
			var p workflow.ActionPlan
			e.do(req{Method: "GET", Path: path, Token: partner}).json(t, &p)
			s := ""
			for i, a := range p.Actions {
				require.Equal(t, i+1, a.Number)
				s += a.Title
			}
			return s
		}

		move := func(n string, to any, h map[string]string) response {
			return e.do(req{Method: "POST", Path: path + "/actions/" + n + "/move", Token: partner, Body: map[string]any{"to": to}, Headers: h})
		}
		require.Equal(t, 428, move("3", 1, nil).Status)
		require.Equal(t, 412, move("3", 1, at(7)).Status)
		res := move("3", 4, at(1))
		require.Equal(t, 422, res.Status, "%s", res.Body)
		require.Equal(t, "to", res.problem(t).Errors[0].Field)
		require.Equal(t, 422, move("3", 0, at(1)).Status)
		require.Equal(t, 404, move("4", 1, at(1)).Status)
		require.Equal(t, 400, move("x", 1, at(1)).Status)
		require.Equal(t, 400, move("3", "first", at(1)).Status)
		observer := e.do(req{Method: "POST", Path: path + "/actions/3/move", Token: c.tokens["observer"], Body: map[string]any{"to": 1}, Headers: at(1)})
		require.Equal(t, 403, observer.Status)
		outsider := e.do(req{Method: "POST", Path: path + "/actions/3/move", Token: c.tokens["outsider"], Body: map[string]any{"to": 1}, Headers: at(1)})
		require.Equal(t, 404, outsider.Status)
		require.Equal(t, "ABC", titles(), "refused moves change nothing")

		res = move("3", 1, at(1))
		require.Equal(t, 200, res.Status, "%s", res.Body)
		require.Equal(t, `"2"`, res.Header.Get("ETag"))
		require.Equal(t, "CAB", titles())
		require.Equal(t, 200, move("1", 3, at(2)).Status)
		require.Equal(t, "ABC", titles())

		remove := func(n string, h map[string]string) response {
			return e.do(req{Method: "DELETE", Path: path + "/actions/" + n, Token: partner, Headers: h})
		}
		require.Equal(t, 428, remove("2", nil).Status)
		require.Equal(t, 412, remove("2", at(1)).Status)
		require.Equal(t, 404, remove("9", at(3)).Status)
		res = remove("2", at(3))
		require.Equal(t, 200, res.Status, "%s", res.Body)
		require.Equal(t, `"4"`, res.Header.Get("ETag"))
		require.Equal(t, "AC", titles())

		// Past draft: 409.
		e.fire("action-plans", plan.ID, partner, "submit", 4, 200)
		require.Equal(t, 409, move("2", 1, at(5)).Status)
		require.Equal(t, 409, remove("1", at(5)).Status)
		require.Equal(t, "AC", titles())
	})
}
