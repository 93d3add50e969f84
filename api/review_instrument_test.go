package api_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

// Finding 18 of issue 15: a peer review names an instrument of its host
// partner, as an action plan names one of its partner.
func TestPeerReviewInstrumentIsTheHosts(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("PRI")
		base := "/api/v1/projects/" + c.project.ID
		var foreign workflow.PolicyInstrument
		e.create(base+"/policy-instruments", e.admin, map[string]any{"name": "Irish instrument", "type": "other", "partner_ids": []string{c.peers[0].ID}}, &foreign)

		body := completeReview(c, foreign.ID)
		res := e.do(req{Method: "POST", Path: base + "/peer-reviews", Token: e.admin, Body: body})
		require.Equal(t, 422, res.Status, "%s", res.Body)
		p := res.problem(t)
		require.Equal(t, "policy_instrument_id", p.Errors[0].Field)

		// Nor may a draft be moved onto another partner's instrument.
		var draft workflow.PeerReview
		e.create(base+"/peer-reviews", e.admin, completeReview(c, e.freshInstrument(c)), &draft)
		res = e.do(req{Method: "PATCH", Path: "/api/v1/peer-reviews/" + draft.ID, Token: e.admin,
			Body: map[string]any{"policy_instrument_id": foreign.ID}, Headers: map[string]string{"If-Match": `"1"`}})
		require.Equal(t, 422, res.Status, "%s", res.Body)
		require.Equal(t, "policy_instrument_id", res.problem(t).Errors[0].Field)
	})
}
