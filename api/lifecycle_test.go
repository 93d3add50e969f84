package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

type history struct {
	Items []workflow.TransitionRecord `json:"items"`
}

func (e *testEnv) history(seg, id string) []workflow.TransitionRecord {
	var h history
	res := e.do(req{Method: "GET", Path: "/api/v1/" + seg + "/" + id + "/history", Token: e.admin})
	require.Equal(e.t, 200, res.Status)
	res.json(e.t, &h)
	return h.Items
}

func TestActionPlanLifecycle(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("LIFE")
		partner := c.tokens["partner"]
		pi := workflow.PolicyInstrument{ProjectID: c.project.ID, Name: "Grp instrument", Type: workflow.InstrumentOther, PartnerIDs: []string{c.partner.ID}}
		require.NoError(t, e.store.CreatePolicyInstrument(t.Context(), &pi))
		g := workflow.StakeholderGroup{ProjectID: c.project.ID, Name: "Second group", PolicyInstrumentID: pi.ID}
		require.NoError(t, e.store.CreateStakeholderGroup(t.Context(), &g))
		// The stakeholder of the consortium's group looks at c.instrument;
		// this plan is on c.instrument's sibling, so make a stakeholder of g.
		var su struct{ ID, Token string }
		e.create("/api/v1/users", e.admin, map[string]any{"email": "sh2@life.example", "name": "Stakeholder Két"}, &su)
		e.create("/api/v1/projects/"+c.project.ID+"/members", e.admin, map[string]any{"user_id": su.ID, "role": "stakeholder", "stakeholder_group_id": g.ID}, nil)
		stakeholder := su.Token

		// A partner starts an incomplete plan.
		var plan workflow.ActionPlan
		e.create("/api/v1/projects/"+c.project.ID+"/action-plans", partner, map[string]any{
			"policy_instrument_id": pi.ID, "partner_id": c.partner.ID, "title": "Terv <b>ő</b>", "language": "hu"}, &plan)
		require.Equal(t, workflow.StateDraft, plan.State)
		require.Equal(t, 1, plan.Version)
		path := "/api/v1/action-plans/" + plan.ID
		res := e.do(req{Method: "GET", Path: path, Token: partner})
		require.Equal(t, `"1"`, res.Header.Get("ETag"))
		require.Equal(t, 404, e.do(req{Method: "GET", Path: path, Token: stakeholder}).Status, "drafts are hidden from stakeholders")

		// Submitting it lists every unmet condition and leaves no trace.
		res = e.fire("action-plans", plan.ID, partner, "submit", 1, 422)
		p := res.problem(t)
		require.Equal(t, "guard_failed", p.Code)
		fields := map[string]bool{}
		for _, f := range p.Errors {
			fields[f.Field] = true
		}
		require.True(t, fields["actions"], "%v", p.Errors)
		require.True(t, fields["summary_en"], "%v", p.Errors)
		require.Empty(t, e.history("action-plans", plan.ID))

		// Edits need If-Match and the current version.
		require.Equal(t, 428, e.do(req{Method: "PATCH", Path: path, Token: partner, Body: map[string]any{"summary_en": "x"}}).Status)
		require.Equal(t, 412, e.do(req{Method: "PATCH", Path: path, Token: partner, Body: map[string]any{"summary_en": "x"}, Headers: map[string]string{"If-Match": `"7"`}}).Status)
		res = e.do(req{Method: "PATCH", Path: path, Token: partner, Body: map[string]any{"summary_en": "Craft SMEs plan"}, Headers: ifMatch1})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		require.Equal(t, `"2"`, res.Header.Get("ETag"))
		res = e.do(req{Method: "POST", Path: path + "/actions", Token: partner, Headers: map[string]string{"If-Match": `"2"`},
			Body: map[string]any{"title": "Mentorálás", "description": "Mentoring", "players": "BVK", "timeframe_start": "2019-04-01", "timeframe_end": "2019-12-31"}})
		require.Equal(t, 201, res.Status, "%s", res.Body)
		res.json(t, &plan)
		require.Equal(t, 3, plan.Version)
		require.Equal(t, 1, plan.Actions[0].Number)

		// Submit freezes revision 1.
		res = e.fire("action-plans", plan.ID, partner, "submit", 3, 200)
		var tr struct {
			State      workflow.State
			Version    int
			Revision   int
			Transition workflow.TransitionRecord
		}
		res.json(t, &tr)
		require.Equal(t, workflow.StateStakeholderReview, tr.State)
		require.Equal(t, 4, tr.Version)
		require.Equal(t, 1, tr.Revision)
		var rev struct {
			Number   int
			SHA256   string
			Snapshot map[string]any
		}
		res = e.do(req{Method: "GET", Path: path + "/revisions/1", Token: stakeholder})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		res.json(t, &rev)
		require.Len(t, rev.SHA256, 64)
		require.Equal(t, "Terv <b>ő</b>", rev.Snapshot["content"].(map[string]any)["title"])
		require.Equal(t, "Grp instrument", rev.Snapshot["policy_instrument"].(map[string]any)["name"])
		require.Equal(t, 404, e.do(req{Method: "GET", Path: path + "/revisions/2", Token: partner}).Status)

		// Now stakeholders of its group see it; editing is over.
		require.Equal(t, 200, e.do(req{Method: "GET", Path: path, Token: stakeholder}).Status)
		require.Equal(t, 409, e.do(req{Method: "PATCH", Path: path, Token: partner, Body: map[string]any{"title": "x"}, Headers: map[string]string{"If-Match": `"4"`}}).Status)

		// What each may fire now.
		var perm struct {
			State     workflow.State
			Permitted []workflow.PermittedTrigger
		}
		e.do(req{Method: "GET", Path: path + "/transitions", Token: c.tokens["secretariat"]}).json(t, &perm)
		require.Equal(t, []workflow.PermittedTrigger{{Trigger: "request_changes", To: "draft"}}, perm.Permitted, "approve waits for the consultation")
		e.do(req{Method: "GET", Path: path + "/transitions", Token: stakeholder}).json(t, &perm)
		require.Empty(t, perm.Permitted)

		// Bad transitions leave no trace.
		e.fire("action-plans", plan.ID, partner, "approve", 4, 403)
		e.fire("action-plans", plan.ID, partner, "close", 4, 409)
		res = e.do(req{Method: "POST", Path: path + "/transitions", Token: partner, Body: map[string]any{"trigger": "explode"}, Headers: map[string]string{"If-Match": `"4"`}})
		require.Equal(t, 400, res.Status)
		require.Equal(t, "unknown_trigger", res.problem(t).Code)
		require.Equal(t, 428, e.do(req{Method: "POST", Path: path + "/transitions", Token: partner, Body: map[string]any{"trigger": "approve"}}).Status)
		e.fire("action-plans", plan.ID, c.tokens["secretariat"], "approve", 3, 412)
		require.Len(t, e.history("action-plans", plan.ID), 1)

		// The owner closes the consultation early; then the secretariat
		// validates it; revise needs a note.
		require.Equal(t, 200, e.do(req{Method: "POST", Path: path + "/consultation/close", Token: partner}).Status)
		e.do(req{Method: "GET", Path: path + "/transitions", Token: c.tokens["secretariat"]}).json(t, &perm)
		require.Equal(t, []workflow.PermittedTrigger{{Trigger: "approve", To: "approved"}, {Trigger: "request_changes", To: "draft"}}, perm.Permitted)
		e.fire("action-plans", plan.ID, c.tokens["secretariat"], "approve", 4, 200)
		res = e.do(req{Method: "POST", Path: path + "/transitions", Token: partner, Body: map[string]any{"trigger": "revise"}, Headers: map[string]string{"If-Match": `"5"`}})
		require.Equal(t, 422, res.Status)
		require.Equal(t, "guard_failed", res.problem(t).Code)
		e.fire("action-plans", plan.ID, partner, "revise", 5, 200)
		e.fire("action-plans", plan.ID, partner, "submit", 6, 200)
		var final workflow.ActionPlan
		e.do(req{Method: "GET", Path: path, Token: partner}).json(t, &final)
		require.Equal(t, 2, final.Revision, "the next submit makes a new revision")

		// A deliverable with a history cannot be deleted.
		require.Equal(t, 409, e.do(req{Method: "DELETE", Path: path, Token: partner, Headers: map[string]string{"If-Match": `"7"`}}).Status)

		h := e.history("action-plans", plan.ID)
		require.Len(t, h, 4)
		for i, want := range []workflow.Trigger{"submit", "approve", "revise", "submit"} {
			require.Equal(t, want, h[i].Trigger)
			require.Equal(t, 4+i, h[i].Version, "history versions follow each other")
		}
		require.Equal(t, final.State, h[len(h)-1].To)
		require.NotEmpty(t, h[0].RequestID)
	})
}

func TestDeleteDraft(t *testing.T) {
	e := setup(t, "sqlite")
	c := e.consortium("DEL")
	id := draftPlan(e, c)
	path := "/api/v1/action-plans/" + id
	require.Equal(t, 428, e.do(req{Method: "DELETE", Path: path, Token: c.tokens["partner"]}).Status)
	require.Equal(t, 412, e.do(req{Method: "DELETE", Path: path, Token: c.tokens["partner"], Headers: map[string]string{"If-Match": `"2"`}}).Status)
	require.Equal(t, 204, e.do(req{Method: "DELETE", Path: path, Token: c.tokens["partner"], Headers: ifMatch1}).Status)
	require.Equal(t, 404, e.do(req{Method: "GET", Path: path, Token: c.tokens["partner"]}).Status)
}

func TestPeerReviewNeedsPeersFromTwoOtherCountries(t *testing.T) {
	e := setup(t, "sqlite")
	c := e.consortium("PEERS")
	body := completeReview(c, "")
	body["peer_partner_ids"] = []string{c.peers[0].ID}
	var r workflow.PeerReview
	e.create("/api/v1/projects/"+c.project.ID+"/peer-reviews", c.tokens["partner"], body, &r)
	res := e.fire("peer-reviews", r.ID, c.tokens["partner"], "submit", 1, 422)
	require.Contains(t, string(res.Body), "peer_partner_ids")
	e.do(req{Method: "PATCH", Path: "/api/v1/peer-reviews/" + r.ID, Token: c.tokens["partner"], Headers: ifMatch1,
		Body: map[string]any{"peer_partner_ids": []string{c.peers[0].ID, c.peers[1].ID}}})
	e.fire("peer-reviews", r.ID, c.tokens["partner"], "submit", 2, 200)
	var rev struct {
		Snapshot struct {
			Peers []struct{ Name, Country string }
		}
	}
	e.do(req{Method: "GET", Path: "/api/v1/peer-reviews/" + r.ID + "/revisions/1", Token: c.tokens["partner"]}).json(t, &rev)
	require.Len(t, rev.Snapshot.Peers, 2, "the revision names its peers for the report")
	require.Equal(t, "IE", rev.Snapshot.Peers[0].Country)
	// The secretariat validates action plans only.
	e.fire("peer-reviews", r.ID, c.tokens["secretariat"], "approve", 3, 403)
	e.fire("peer-reviews", r.ID, c.tokens["coordinator"], "approve", 3, 422) // the consultation is open
	require.Equal(t, 200, e.do(req{Method: "POST", Path: "/api/v1/peer-reviews/" + r.ID + "/consultation/close", Token: c.tokens["partner"]}).Status)
	e.fire("peer-reviews", r.ID, c.tokens["coordinator"], "approve", 3, 200)
}

// TestConcurrentSubmit: 100 submits at one version, exactly one wins.
func TestConcurrentSubmit(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("RACE")
		for _, withKey := range []bool{false, true} {
			t.Run(fmt.Sprintf("idempotency key %v", withKey), func(t *testing.T) {
				var plan workflow.ActionPlan
				e.create("/api/v1/projects/"+c.project.ID+"/action-plans", e.admin, completePlan(e.freshInstrument(c), c.partner.ID), &plan)
				const n = 100
				statuses := make([]int, n)
				bodies := make([]string, n)
				var wg sync.WaitGroup
				for i := range n {
					wg.Go(func() {
						h := map[string]string{"If-Match": `"1"`}
						if withKey {
							h["Idempotency-Key"] = "submit-" + plan.ID
						}
						r := e.do(req{Method: "POST", Path: "/api/v1/action-plans/" + plan.ID + "/transitions", Token: c.tokens["partner"],
							Body: map[string]any{"trigger": "submit"}, Headers: h})
						statuses[i], bodies[i] = r.Status, string(r.Body)
					})
				}
				wg.Wait()
				count := map[int]int{}
				for i, s := range statuses {
					count[s]++
					if withKey {
						require.Equal(t, bodies[0], bodies[i], "a repeated key gets the first answer")
					}
				}
				if withKey {
					require.Equal(t, map[int]int{200: n}, count)
				} else {
					require.Equal(t, map[int]int{200: 1, 412: n - 1}, count)
				}
				h := e.history("action-plans", plan.ID)
				require.Len(t, h, 1, "exactly one history row")
				require.Equal(t, 2, h[0].Version)
			})
		}
	})
}

func TestWorkflowGraphs(t *testing.T) {
	e := setup(t, "sqlite")
	res := e.do(req{Method: "GET", Path: "/api/v1/workflows/action-plans?format=mermaid", Token: e.admin})
	require.Equal(t, 200, res.Status)
	require.True(t, strings.HasPrefix(string(res.Body), "stateDiagram-v2"))
	require.Contains(t, string(res.Body), "stakeholder_review --> approved: approve")
	dot := e.do(req{Method: "GET", Path: "/api/v1/workflows/peer-reviews?format=dot", Token: e.admin})
	require.Equal(t, 200, dot.Status)
	require.Contains(t, string(dot.Body), "digraph")
	require.Equal(t, http.StatusBadRequest, e.do(req{Method: "GET", Path: "/api/v1/workflows/action-plans?format=svg", Token: e.admin}).Status)
	gp := e.do(req{Method: "GET", Path: "/api/v1/workflows/good-practices", Token: e.admin})
	require.Equal(t, 200, gp.Status)
	require.Contains(t, string(gp.Body), "approved --> monitored: start_monitoring")
	require.Equal(t, http.StatusNotFound, e.do(req{Method: "GET", Path: "/api/v1/workflows/learning-events", Token: e.admin}).Status)
}
