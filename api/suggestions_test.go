package api_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

// TestSuggestedWordingEndToEnd: a stakeholder suggests wording, the owner
// accepts it, returns the plan to draft and applies it; two owners
// applying at once give one winner and a 412, and nothing twice.
func TestSuggestedWordingEndToEnd(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("SUG")
		sh, owner, coord := c.tokens["stakeholder"], c.tokens["partner"], c.tokens["coordinator"]
		comments := "/api/v1/action-plans/" + c.plan.ID + "/comments"
		post := func(body map[string]any, status int) workflow.Comment {
			t.Helper()
			r := e.do(req{Method: "POST", Path: comments, Token: sh, Body: body})
			require.Equal(t, status, r.Status, "%s", r.Body)
			var cm workflow.Comment
			if status == http.StatusCreated {
				r.json(t, &cm)
			} else {
				r.problem(t)
			}
			return cm
		}
		partial := post(map[string]any{"body": "Fiatalokra is gondoljanak", "section": "part3.action.1.description",
			"suggestion": map[string]any{"text": "young craft SMEs", "of": "craft SMEs"}}, http.StatusCreated)
		require.Equal(t, &workflow.Suggestion{Text: "young craft SMEs", Of: "craft SMEs"}, partial.Suggestion)
		whole := post(map[string]any{"body": "Rövidebben", "section": "summary_en",
			"suggestion": map[string]any{"text": "A plan for craft SMEs"}}, http.StatusCreated)
		post(map[string]any{"body": "x", "suggestion": map[string]any{"text": "y"}}, http.StatusUnprocessableEntity)
		post(map[string]any{"body": "x", "section": "summary_en", "suggestion": map[string]any{"text": "y", "of": "nowhere"}}, http.StatusUnprocessableEntity)
		post(map[string]any{"body": "x", "parent_id": whole.ID, "suggestion": map[string]any{"text": "y"}}, http.StatusUnprocessableEntity)
		post(map[string]any{"body": "x", "section": "summary_en", "suggestion": map[string]any{"text": "y", "extra": 1}}, http.StatusBadRequest)

		// The author changes and drops the suggestion of a third comment.
		third := post(map[string]any{"body": "Harmadik", "section": "part3.action.1.players",
			"suggestion": map[string]any{"text": "BVK"}}, http.StatusCreated)
		patch := func(version int, body map[string]any, status int) workflow.Comment {
			t.Helper()
			r := e.do(req{Method: "PATCH", Path: "/api/v1/comments/" + third.ID, Token: sh, Body: body,
				Headers: map[string]string{"If-Match": etagOf(version)}})
			require.Equal(t, status, r.Status, "%s", r.Body)
			var cm workflow.Comment
			if status == http.StatusOK {
				r.json(t, &cm)
			}
			return cm
		}
		patch(1, map[string]any{"suggestion": map[string]any{"text": "BVK", "of": "semmi"}}, http.StatusUnprocessableEntity)
		cm := patch(1, map[string]any{"body": "Harmadik, javítva"}, http.StatusOK)
		require.Equal(t, &workflow.Suggestion{Text: "BVK"}, cm.Suggestion, "absent keeps it")
		cm = patch(2, map[string]any{"suggestion": map[string]any{"text": ""}}, http.StatusOK)
		require.Nil(t, cm.Suggestion, "an empty text drops it")

		for _, id := range []string{partial.ID, whole.ID} {
			r := e.do(req{Method: "POST", Path: "/api/v1/comments/" + id + "/response", Token: owner,
				Body: map[string]any{"status": "accepted", "body": "Köszönjük"}})
			require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		}
		e.fire("action-plans", c.plan.ID, owner, "request_changes", 2, http.StatusOK)

		pending := "/api/v1/action-plans/" + c.plan.ID + "/suggestions"
		r := e.do(req{Method: "GET", Path: pending, Token: owner})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		var list struct{ Items []workflow.PendingSuggestion }
		r.json(t, &list)
		require.Len(t, list.Items, 2)
		require.Equal(t, "Mentoring for young craft SMEs", list.Items[0].ProposedText)
		require.Equal(t, http.StatusNotFound, e.do(req{Method: "GET", Path: pending, Token: sh}).Status, "a stakeholder does not see the draft")

		apply := pending + "/apply"
		ids := map[string]any{"comments": []string{partial.ID, whole.ID}}
		r = e.do(req{Method: "POST", Path: apply, Token: owner, Body: ids})
		require.Equal(t, http.StatusPreconditionRequired, r.Status)
		r.problem(t)
		r = e.do(req{Method: "POST", Path: apply, Token: owner, Body: ids, Headers: map[string]string{"If-Match": `"2"`}})
		require.Equal(t, http.StatusPreconditionFailed, r.Status)
		r = e.do(req{Method: "POST", Path: apply, Token: owner, Body: map[string]any{"comments": []string{}}, Headers: map[string]string{"If-Match": `"3"`}})
		require.Equal(t, http.StatusUnprocessableEntity, r.Status)
		r = e.do(req{Method: "POST", Path: apply, Token: c.tokens["observer"], Body: ids, Headers: map[string]string{"If-Match": `"3"`}})
		require.Equal(t, http.StatusForbidden, r.Status)

		// The owning partner and the coordinator at once.
		statuses := make([]int, 2)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, tok := range []string{owner, coord} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				res := e.do(req{Method: "POST", Path: apply, Token: tok, Body: ids, Headers: map[string]string{"If-Match": `"3"`}})
				statuses[i] = res.Status
				if res.Status == http.StatusOK {
					require.Equal(t, `"4"`, res.Header.Get("ETag"))
					var p workflow.ActionPlan
					res.json(t, &p)
					require.Equal(t, "Mentoring for young craft SMEs", p.Actions[0].Description)
					require.Equal(t, "A plan for craft SMEs", p.SummaryEN)
				}
			}()
		}
		close(start)
		wg.Wait()
		require.ElementsMatch(t, []int{http.StatusOK, http.StatusPreconditionFailed}, statuses)

		r = e.do(req{Method: "POST", Path: apply, Token: coord, Body: ids, Headers: map[string]string{"If-Match": `"4"`}})
		require.Equal(t, http.StatusConflict, r.Status, "nothing twice: %s", r.Body)
		var n int
		require.NoError(t, e.store.DB().QueryRowContext(t.Context(), `SELECT count(*) FROM suggestion_applications WHERE deliverable_id = $1`, c.plan.ID).Scan(&n))
		require.Equal(t, 2, n)

		r = e.do(req{Method: "GET", Path: "/api/v1/comments/" + whole.ID, Token: coord})
		require.Equal(t, http.StatusOK, r.Status)
		var got workflow.Comment
		r.json(t, &got)
		require.NotNil(t, got.Suggestion.Applied)
		require.Equal(t, 4, got.Suggestion.Applied.Version)
		r = e.do(req{Method: "GET", Path: comments + "?revision=1", Token: coord})
		require.Equal(t, http.StatusOK, r.Status, "the list validates with applied suggestions: %s", r.Body)
		r = e.do(req{Method: "GET", Path: "/api/v1/comments/" + partial.ID + "/history", Token: owner})
		require.Equal(t, http.StatusOK, r.Status, "the history validates with an applied event: %s", r.Body)
		require.Contains(t, string(r.Body), `"applied"`)
	})
}

// The suggestion rows of the role × endpoint matrix (auth_test.go), on a
// fresh draft: whoever sees it reads the list; the owner and the
// coordinator may apply, and a comment that is no pending suggestion of it
// is 422 for them.
func init() {
	for _, k := range []struct {
		seg   string
		draft func(e *testEnv, c consortium) string
	}{{"action-plans", draftPlan}, {"peer-reviews", draftReview}, {"good-practices", draftPractice}} {
		list, apply := "/api/v1/"+k.seg+"/{id}/suggestions", "/api/v1/"+k.seg+"/{id}/suggestions/apply"
		matrix = append(matrix,
			endpoint{"GET", list, nil,
				[]int{401, 401, 200, 200, 200, 404, 200, 200, 404, 404}, on(list, k.draft, nil, nil)},
			endpoint{"POST", apply, nil,
				[]int{401, 401, 422, 422, 422, 404, 403, 403, 404, 404},
				on(apply, k.draft, map[string]any{"comments": []string{workflow.NewID()}}, ifMatch1)},
		)
	}
}
