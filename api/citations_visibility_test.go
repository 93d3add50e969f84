package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/api"
	"github.com/craftscode/craftscode/workflow"
)

// A citation, a trace and the minutes show only what the caller may see:
// a draft plan that cites a good practice, or a draft good practice or
// peer review that a plan cites, stays out of them for whoever may not
// read it. A reference to a deliverable the writer may not see is refused
// exactly as one to a deliverable that does not exist (issue 15, #1).
func TestCitationsShowOnlyWhatTheCallerSees(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("CITE")
		base := "/api/v1/projects/" + c.project.ID
		admin, hu := e.admin, c.tokens["partner"]

		// The Irish peer has a user, and a stakeholder group watches a
		// second instrument of the Hungarian partner.
		ie := e.memberToken(c, "ie@cite.example", map[string]any{"role": "partner", "partner_id": c.peers[0].ID})
		inst2 := e.freshInstrument(c)
		var g2 workflow.StakeholderGroup
		e.create(base+"/stakeholder-groups", admin, map[string]any{"name": "Második csoport", "policy_instrument_id": inst2}, &g2)
		sh2 := e.memberToken(c, "sh2@cite.example", map[string]any{"role": "stakeholder", "stakeholder_group_id": g2.ID})

		// A submitted good practice everyone sees; a draft one only its
		// owner and the coordinator see; a draft peer review of the
		// Hungarian host with the Spanish peer alone.
		var open, secret workflow.GoodPractice
		body := completePractice(c.partner.ID, "HU", "HU11")
		body["title"] = "Nyitott gyakorlat"
		e.create(base+"/good-practices", admin, body, &open)
		e.fire("good-practices", open.ID, admin, "submit", 1, 200)
		body["title"] = "Titkos gyakorlat"
		e.create(base+"/good-practices", admin, body, &secret)
		var review workflow.PeerReview
		rb := completeReview(c, inst2)
		rb["title"], rb["peer_partner_ids"] = "Titkos értékelés", []string{c.peers[1].ID}
		e.create(base+"/peer-reviews", admin, rb, &review)
		var ev workflow.LearningEvent
		e.create(base+"/events", admin, studyVisit(c), &ev)

		// A draft plan of the Hungarian partner cites the open practice
		// and the event.
		var draft workflow.ActionPlan
		pb := completePlan(e.freshInstrument(c), c.partner.ID)
		pb["title"] = "Titkos terv"
		pb["actions"].([]map[string]any)[0]["background"] = map[string]any{"good_practice_ids": []string{open.ID}, "event_ids": []string{ev.ID}}
		e.create(base+"/action-plans", admin, pb, &draft)

		var practice struct {
			Trace workflow.PracticeTrace `json:"trace"`
		}
		for who, tok := range map[string]string{"peer": ie, "stakeholder": c.tokens["stakeholder"], "stakeholder2": sh2} {
			res := e.do(req{Method: "GET", Path: "/api/v1/good-practices/" + open.ID, Token: tok})
			require.Equal(t, http.StatusOK, res.Status, "%s: %s", who, res.Body)
			require.NotContains(t, string(res.Body), "Titkos terv", who)
			require.NotContains(t, string(res.Body), draft.ID, who)
			res.json(t, &practice)
			require.Empty(t, practice.Trace.CitedBy, who)

			res = e.do(req{Method: "GET", Path: "/api/v1/events/" + ev.ID, Token: tok})
			require.Equal(t, http.StatusOK, res.Status, "%s: %s", who, res.Body)
			require.NotContains(t, string(res.Body), "Titkos terv", who)
			require.NotContains(t, string(res.Body), draft.ID, who)
		}
		for _, tok := range []string{hu, c.tokens["coordinator"]} {
			e.do(req{Method: "GET", Path: "/api/v1/good-practices/" + open.ID, Token: tok}).json(t, &practice)
			require.Equal(t, []workflow.PracticeCitation{{PlanID: draft.ID, PlanTitle: "Titkos terv", ActionNumber: 1, ActionTitle: "Mentorprogram"}},
				practice.Trace.CitedBy)
		}

		// A plan on the second instrument cites the draft practice, the
		// draft review and its recommendation; once submitted, its
		// stakeholders read it, but not what it cites that they may not see.
		var plan workflow.ActionPlan
		pb = completePlan(inst2, c.partner.ID)
		pb["actions"].([]map[string]any)[0]["background"] = map[string]any{"good_practice_ids": []string{open.ID, secret.ID},
			"event_ids": []string{ev.ID}, "peer_review_id": review.ID, "recommendation_id": review.Recommendations[0].ID}
		e.create(base+"/action-plans", admin, pb, &plan)
		e.fire("action-plans", plan.ID, admin, "submit", 1, 200)
		var cites struct {
			Items []workflow.Citation `json:"items"`
		}
		e.do(req{Method: "GET", Path: "/api/v1/action-plans/" + plan.ID + "/citations", Token: admin}).json(t, &cites)
		require.Len(t, cites.Items, 5)
		res := e.do(req{Method: "GET", Path: "/api/v1/action-plans/" + plan.ID + "/citations", Token: sh2})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		for _, hidden := range []string{"Titkos", secret.ID, review.ID, review.Recommendations[0].ID} {
			require.NotContains(t, string(res.Body), hidden)
		}
		res.json(t, &cites)
		require.Equal(t, []workflow.Citation{
			{ActionNumber: 1, Kind: "good_practice", ID: open.ID, Title: "Nyitott gyakorlat"},
			{ActionNumber: 1, Kind: "event", ID: ev.ID, Title: ev.Title},
		}, cites.Items)

		// The minutes of an event that presents the draft practice name it
		// only for those who see it.
		res = e.do(req{Method: "PATCH", Path: "/api/v1/events/" + ev.ID, Token: admin,
			Body: map[string]any{"good_practice_ids": []string{open.ID, secret.ID}}, Headers: map[string]string{"If-Match": `"1"`}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		for who, tok := range map[string]string{"peer": ie, "stakeholder": c.tokens["stakeholder"]} {
			res = e.do(req{Method: "GET", Path: "/api/v1/events/" + ev.ID + "/minutes?format=md", Token: tok})
			require.Equal(t, http.StatusOK, res.Status, "%s: %s", who, res.Body)
			require.Contains(t, string(res.Body), "- Nyitott gyakorlat", who)
			require.NotContains(t, string(res.Body), "Titkos gyakorlat", who)
			res = e.do(req{Method: "GET", Path: "/api/v1/events/" + ev.ID, Token: tok})
			require.NotContains(t, string(res.Body), secret.ID, who)
		}
		res = e.do(req{Method: "GET", Path: "/api/v1/events/" + ev.ID + "/minutes?format=md", Token: hu})
		require.Contains(t, string(res.Body), "- Titkos gyakorlat")

		// No existence oracle: the Irish peer's reference to the draft
		// practice or the draft review is refused as one to nothing.
		var ieInst workflow.PolicyInstrument
		e.create(base+"/policy-instruments", admin, map[string]any{"name": "BMW", "type": "other", "partner_ids": []string{c.peers[0].ID}}, &ieInst)
		absent := workflow.NewID()
		refusal := func(res response) api.Problem {
			t.Helper()
			require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
			p := res.problem(t)
			p.RequestID, p.Instance = "", ""
			return p
		}
		for _, bg := range []func(id string) map[string]any{
			func(id string) map[string]any { return map[string]any{"good_practice_ids": []string{id}} },
			func(id string) map[string]any { return map[string]any{"peer_review_id": id} },
		} {
			try := func(id string) api.Problem {
				pb := completePlan(ieInst.ID, c.peers[0].ID)
				pb["actions"].([]map[string]any)[0]["background"] = bg(id)
				return refusal(e.do(req{Method: "POST", Path: base + "/action-plans", Token: ie, Body: pb}))
			}
			hidden := secret.ID
			if _, ok := bg("x")["peer_review_id"]; ok {
				hidden = review.ID
			}
			require.Equal(t, try(absent), try(hidden))
		}
		// The same on a patch of its own plan, and on an event it hosts.
		var own workflow.ActionPlan
		e.create(base+"/action-plans", ie, completePlan(ieInst.ID, c.peers[0].ID), &own)
		patch := func(id string) api.Problem {
			return refusal(e.do(req{Method: "PATCH", Path: "/api/v1/action-plans/" + own.ID, Token: ie, Headers: map[string]string{"If-Match": `"1"`},
				Body: map[string]any{"actions": []map[string]any{{"title": "A", "description": "d", "players": "p",
					"background": map[string]any{"good_practice_ids": []string{id}}}}}}))
		}
		require.Equal(t, patch(absent), patch(secret.ID))
		visit := studyVisit(c)
		visit["host_partner_id"] = c.peers[0].ID
		event := func(id string) api.Problem {
			visit["good_practice_ids"] = []string{id}
			return refusal(e.do(req{Method: "POST", Path: base + "/events", Token: ie, Body: visit}))
		}
		require.Equal(t, event(absent), event(secret.ID))
		// What the writer sees is accepted.
		pb = completePlan(ieInst.ID, c.peers[0].ID)
		pb["actions"].([]map[string]any)[0]["background"] = map[string]any{"good_practice_ids": []string{open.ID}}
		res = e.do(req{Method: "PATCH", Path: "/api/v1/action-plans/" + own.ID, Token: ie, Headers: map[string]string{"If-Match": `"1"`},
			Body: map[string]any{"actions": pb["actions"]}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.False(t, strings.Contains(string(res.Body), secret.ID))

		// The coordinator has an event of the Irish peer present the draft
		// practice: the peer's edit keeps it, and its answer does not show it.
		var ieEvent workflow.LearningEvent
		visit["good_practice_ids"] = []string{open.ID, secret.ID}
		e.create(base+"/events", admin, visit, &ieEvent)
		res = e.do(req{Method: "PATCH", Path: "/api/v1/events/" + ieEvent.ID, Token: ie, Headers: map[string]string{"If-Match": `"1"`},
			Body: map[string]any{"title": "Látogatás Dublinban"}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.NotContains(t, string(res.Body), secret.ID)
		var kept workflow.LearningEvent
		e.do(req{Method: "GET", Path: "/api/v1/events/" + ieEvent.ID, Token: admin}).json(t, &kept)
		require.ElementsMatch(t, []string{open.ID, secret.ID}, kept.GoodPracticeIDs)

		// Nor do the thematic seminars' slots show it.
		seminar := studyVisit(c)
		seminar["type"], seminar["seminar_number"], seminar["good_practice_ids"] = "thematic_seminar", 1, []string{secret.ID}
		e.create(base+"/events", admin, seminar, nil)
		res = e.do(req{Method: "GET", Path: base + "/thematic-seminars", Token: c.tokens["stakeholder"]})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.NotContains(t, string(res.Body), secret.ID)
		require.Contains(t, string(e.do(req{Method: "GET", Path: base + "/thematic-seminars", Token: admin}).Body), secret.ID)
	})
}

// memberToken makes a user with the membership m in the consortium's
// project and returns the user's token.
func (e *testEnv) memberToken(c consortium, email string, m map[string]any) string {
	e.t.Helper()
	var u struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	e.create("/api/v1/users", e.admin, map[string]any{"email": email, "name": email}, &u)
	m["user_id"] = u.ID
	e.create("/api/v1/projects/"+c.project.ID+"/members", e.admin, m, nil)
	return u.Token
}

// A recommendation's uptake may name only a plan the caller sees: another
// partner's draft plan is refused as an absent one, its action count
// unrevealed (issue 15, #1, the same class of fault).
func TestUptakeRefusesAnInvisiblePlanLikeAnAbsentOne(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("UPTV")
		review, rec := monitoredReview(e, c)
		path := "/api/v1/peer-reviews/" + review + "/recommendations/" + rec + "/uptake"
		var ieInst workflow.PolicyInstrument
		e.create("/api/v1/projects/"+c.project.ID+"/policy-instruments", e.admin,
			map[string]any{"name": "BMW", "type": "other", "partner_ids": []string{c.peers[0].ID}}, &ieInst)
		var hidden workflow.ActionPlan
		e.create("/api/v1/projects/"+c.project.ID+"/action-plans", e.admin, completePlan(ieInst.ID, c.peers[0].ID), &hidden)
		put := func(body map[string]any) api.Problem {
			res := e.do(req{Method: "PUT", Path: path, Token: c.tokens["partner"], Body: body})
			require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
			p := res.problem(t)
			p.RequestID = ""
			return p
		}
		absent := workflow.NewID()
		require.Equal(t, put(map[string]any{"status": "adopted", "plan_id": absent}), put(map[string]any{"status": "adopted", "plan_id": hidden.ID}))
		require.Equal(t, put(map[string]any{"status": "adopted", "plan_id": absent, "action_number": 9}),
			put(map[string]any{"status": "adopted", "plan_id": hidden.ID, "action_number": 9}))
		// The coordinator sees it, and may name it.
		res := e.do(req{Method: "PUT", Path: path, Token: c.tokens["coordinator"], Body: map[string]any{"status": "adopted", "plan_id": hidden.ID}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	})
}
