package api_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

// TestRecordAfterAnswer: an edit after the formal response is a new
// version that leaves the response on the text it answered; deleting an
// answered comment is refused; the owner may respond again.
func TestRecordAfterAnswer(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("RECORD")
		sh, owner := c.tokens["stakeholder"], c.tokens["partner"]
		path := "/api/v1/action-plans/" + c.plan.ID
		var top workflow.Comment
		e.create(path+"/comments", sh, map[string]any{"body": "Az első szöveg", "section": "part2.policy_context"}, &top)
		res := e.do(req{Method: "POST", Path: "/api/v1/comments/" + top.ID + "/response", Token: owner, Body: map[string]any{"status": "accepted", "body": "Elfogadva"}})
		require.Equal(t, 200, res.Status, "%s", res.Body)

		cpath := "/api/v1/comments/" + top.ID
		res = e.do(req{Method: "PATCH", Path: cpath, Token: sh, Body: map[string]any{"body": "Egy egészen más szöveg"}, Headers: ifMatch1})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		require.Equal(t, `"2"`, res.Header.Get("ETag"), "a new version")
		var ed workflow.Comment
		res.json(t, &ed)
		require.Equal(t, "Egy egészen más szöveg", ed.Body)
		require.True(t, ed.EditedAfterResponse)
		require.Equal(t, "Az első szöveg", ed.Response.AnsweredBody)
		require.Equal(t, workflow.ResponseAccepted, ed.Response.Status)
		var got workflow.Comment
		e.do(req{Method: "GET", Path: cpath, Token: c.tokens["observer"]}).json(t, &got)
		require.True(t, got.EditedAfterResponse)
		require.Equal(t, "Az első szöveg", got.Response.AnsweredBody)

		res = e.do(req{Method: "DELETE", Path: cpath, Token: sh, Headers: map[string]string{"If-Match": `"2"`}})
		require.Equal(t, 409, res.Status, "%s", res.Body)
		p := res.problem(t)
		require.Equal(t, "conflict", p.Code)
		require.Contains(t, p.Detail, "formal response")
		e.do(req{Method: "GET", Path: cpath, Token: sh}).json(t, &got)
		require.False(t, got.Deleted)

		// The owner responds again, to the text as it is now.
		res = e.do(req{Method: "POST", Path: cpath + "/response", Token: owner, Body: map[string]any{"status": "rejected", "body": "Így már nem"}})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		res.json(t, &got)
		require.False(t, got.EditedAfterResponse)
		require.Equal(t, "Egy egészen más szöveg", got.Response.AnsweredBody)
		var hist struct{ Items []workflow.CommentEvent }
		e.do(req{Method: "GET", Path: cpath + "/history", Token: owner}).json(t, &hist)
		require.Len(t, hist.Items, 4, "created, responded, edited, responded")
		require.Equal(t, "Elfogadva", hist.Items[1].Body)
	})
}

// TestCarryOverAtResubmit: the submit's carry_over moves open threads of
// the previous revision to the new one; anything else is 422 and writes
// nothing.
func TestCarryOverAtResubmit(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("CARRY")
		sh, owner := c.tokens["stakeholder"], c.tokens["partner"]
		path := "/api/v1/action-plans/" + c.plan.ID
		var open, answered, reply workflow.Comment
		e.create(path+"/comments", sh, map[string]any{"body": "Nyitott kérdés", "section": "part2.policy_context", "stance": "question"}, &open)
		e.create(path+"/comments", owner, map[string]any{"body": "Beszélgetés", "parent_id": open.ID}, &reply)
		e.create(path+"/comments", sh, map[string]any{"body": "Megválaszolt", "section": "general"}, &answered)
		require.Equal(t, 200, e.do(req{Method: "POST", Path: "/api/v1/comments/" + answered.ID + "/response", Token: owner,
			Body: map[string]any{"status": "noted", "body": "ok"}}).Status)
		e.fire("action-plans", c.plan.ID, owner, "request_changes", 2, 200)

		submit := func(body map[string]any) response {
			body["trigger"] = "submit"
			return e.do(req{Method: "POST", Path: path + "/transitions", Token: owner, Body: body, Headers: map[string]string{"If-Match": `"3"`}})
		}
		for _, bad := range []any{[]string{answered.ID}, []string{reply.ID}, []string{workflow.NewID()}, []string{"not-an-id"}} {
			res := submit(map[string]any{"carry_over": bad})
			require.Equal(t, 422, res.Status, "%v: %s", bad, res.Body)
			require.Equal(t, "carry_over", res.problem(t).Errors[0].Field)
		}
		require.Equal(t, 400, submit(map[string]any{"carry_over": "open"}).Status, "an array of ids, nothing else")
		res := e.do(req{Method: "POST", Path: path + "/transitions", Token: owner, Headers: map[string]string{"If-Match": `"3"`},
			Body: map[string]any{"trigger": "revise", "note": "x", "carry_over": []string{open.ID}}})
		require.Contains(t, []int{409, 422}, res.Status, "%s", res.Body)

		res = submit(map[string]any{"carry_over": []string{open.ID}})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		var list struct{ Items []workflow.Comment }
		e.do(req{Method: "GET", Path: path + "/comments?revision=2", Token: sh}).json(t, &list)
		require.Len(t, list.Items, 1)
		require.Equal(t, open.ID, list.Items[0].ID)
		require.Equal(t, 1, list.Items[0].CarriedFrom)
		require.Equal(t, "part2.policy_context", list.Items[0].Section)
		require.Len(t, list.Items[0].Replies, 1)
		e.do(req{Method: "GET", Path: path + "/comments?revision=1", Token: sh}).json(t, &list)
		require.Len(t, list.Items, 1, "the answered thread stays")
		var hist struct{ Items []workflow.CommentEvent }
		e.do(req{Method: "GET", Path: fmt.Sprintf("/api/v1/comments/%s/history", open.ID), Token: owner}).json(t, &hist)
		require.Equal(t, "carried", hist.Items[len(hist.Items)-1].Event)
	})
}
