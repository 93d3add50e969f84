package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestNeedsYou: each member gets what waits for them, by the home page's
// rules: the stakeholder its group's open consultations, the owner and the
// coordinator the comments to answer and the drafts, nobody else's drafts
// to a stakeholder or an observer.
func TestNeedsYou(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("NEED")
		base := "/api/v1/projects/" + c.project.ID
		var draft struct{ ID string }
		e.create(base+"/action-plans", c.tokens["partner"], completePlan(e.freshInstrument(c), c.partner.ID), &draft)
		e.create("/api/v1/action-plans/"+c.plan.ID+"/comments", c.tokens["stakeholder"],
			map[string]any{"body": "Who runs the mentoring?", "section": "general", "stance": "question"}, nil)

		type item struct {
			ID         string `json:"id"`
			Kind       string `json:"kind"`
			Unanswered int    `json:"unanswered"`
		}
		needs := func(role string) (n struct{ Drafts, Consultations, Responses, Approvals []item }) {
			t.Helper()
			r := e.do(req{Method: "GET", Path: base + "/needs-you", Token: c.tokens[role]})
			require.Equal(t, http.StatusOK, r.Status, "%s: %s", role, r.Body)
			r.json(t, &n)
			return n
		}
		ids := func(items []item) (out []string) {
			for _, it := range items {
				out = append(out, it.ID)
			}
			return out
		}

		st := needs("stakeholder")
		require.ElementsMatch(t, []string{c.plan.ID, c.review.ID}, ids(st.Consultations), "its group's open consultations")
		require.Empty(t, st.Drafts)
		require.Empty(t, st.Responses)

		pa := needs("partner")
		require.Equal(t, []string{draft.ID}, ids(pa.Drafts))
		require.Equal(t, []string{c.plan.ID}, ids(pa.Responses), "the comment waits for the owner's response")
		require.Equal(t, 1, pa.Responses[0].Unanswered)
		require.Empty(t, pa.Consultations)

		co := needs("coordinator")
		require.Contains(t, ids(co.Drafts), draft.ID)
		require.Equal(t, []string{c.plan.ID}, ids(co.Responses))
		require.Empty(t, co.Approvals, "the consultations are still open")

		ob := needs("observer")
		require.Empty(t, ob.Drafts)
		require.Empty(t, ob.Responses)

		r := e.do(req{Method: "GET", Path: "/api/v1/projects/" + c.other.ID + "/needs-you", Token: c.tokens["partner"]})
		require.Equal(t, http.StatusNotFound, r.Status, "another project is not found")
	})
}
