package api_test

import (
	"context"
	"fmt"
	"github.com/labstack/echo/v4"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

// callers, in the column order of the matrix below. "anonymous" sends no
// token, "unknown" a token nobody has, "outsider" is coordinator of another
// project and "nobody" a user without any membership.
var callers = []string{"anonymous", "unknown", "admin", "coordinator", "partner", "stakeholder", "secretariat", "observer", "outsider", "nobody"}

type endpoint struct {
	method, path string
	body         func(e *testEnv, c consortium) any
	want         []int // one status per caller
	// setup, when set, makes what the call needs and returns its concrete
	// path, body and headers (the path above then names the route).
	setup func(e *testEnv, c consortium) (string, any, map[string]string)
}

var ifMatch1 = map[string]string{"If-Match": `"1"`}

// draftPlan is a complete action plan in draft on a fresh instrument.
func draftPlan(e *testEnv, c consortium) string {
	var p workflow.ActionPlan
	e.create("/api/v1/projects/"+c.project.ID+"/action-plans", e.admin, completePlan(e.freshInstrument(c), c.partner.ID), &p)
	return p.ID
}

func draftReview(e *testEnv, c consortium) string {
	var r workflow.PeerReview
	e.create("/api/v1/projects/"+c.project.ID+"/peer-reviews", e.admin, completeReview(c, ""), &r)
	return r.ID
}

func on(path string, id func(e *testEnv, c consortium) string, body any, h map[string]string) func(e *testEnv, c consortium) (string, any, map[string]string) {
	return func(e *testEnv, c consortium) (string, any, map[string]string) {
		p := strings.ReplaceAll(path, "{id}", id(e, c))
		return strings.ReplaceAll(p, "{n}", "1"), body, h
	}
}

func etagOf(version int) string { return fmt.Sprintf("%q", fmt.Sprint(version)) }

// freshPartner, freshGroup and freshMember make a record nothing holds.
func freshPartner(e *testEnv, c consortium) string {
	p := workflow.Partner{ProjectID: c.project.ID, Name: uniq("Partner"), Country: "IT", Role: workflow.PartnerPartner}
	require.NoError(e.t, e.store.CreatePartner(context.Background(), &p))
	return p.ID
}

func freshGroup(e *testEnv, c consortium) string {
	g := workflow.StakeholderGroup{ProjectID: c.project.ID, Name: uniq("Group"), PolicyInstrumentID: e.freshInstrument(c)}
	require.NoError(e.t, e.store.CreateStakeholderGroup(context.Background(), &g))
	return g.ID
}

func freshMember(e *testEnv, c consortium) string {
	u := workflow.User{Email: strings.ReplaceAll(uniq("fm"), " ", "") + "@example.org", Name: "Member"}
	_, hash := workflow.NewToken()
	require.NoError(e.t, e.store.CreateUser(context.Background(), &u, hash, "test"))
	m := workflow.Membership{ProjectID: c.project.ID, UserID: u.ID, Role: workflow.RoleObserver}
	require.NoError(e.t, e.store.CreateMembership(context.Background(), &m))
	return m.ID
}

func submittedPlan(_ *testEnv, c consortium) string { return c.plan.ID }

// planDocument asks for a document of the submitted plan.
func planDocument(e *testEnv, c consortium) string {
	var d workflow.Document
	res := e.do(req{Method: "POST", Path: "/api/v1/action-plans/" + c.plan.ID + "/documents", Token: e.admin, Body: map[string]any{"format": "pdf"}})
	require.Equal(e.t, 202, res.Status, "%s", res.Body)
	res.json(e.t, &d)
	return d.ID
}
func submittedReview(_ *testEnv, c consortium) string { return c.review.ID }

// webhookOf subscribes a fresh webhook in the consortium's project. The
// matrix makes more than a project may hold, so earlier ones go first.
func webhookOf(e *testEnv, c consortium) string {
	old, _, err := e.store.ListWebhooks(context.Background(), c.project.ID, workflow.Page{Limit: 100})
	require.NoError(e.t, err)
	for _, w := range old {
		require.NoError(e.t, e.store.DeleteWebhook(context.Background(), w.ID))
	}
	var w workflow.Webhook
	e.create("/api/v1/projects/"+c.project.ID+"/webhooks", e.admin, map[string]any{"url": "https://hooks.example.org/in", "events": []string{"transition"}}, &w)
	return w.ID
}

var seq atomic.Int64

func uniq(prefix string) string { return fmt.Sprintf("%s %d", prefix, seq.Add(1)) }

// The role × endpoint table: every endpoint built so far, every kind of
// caller, and the status each must get.
var matrix = []endpoint{
	{"GET", "/api/v1/me", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 200, 200}, nil},
	{"POST", "/api/v1/users", func(*testEnv, consortium) any {
		return map[string]any{"email": strings.ReplaceAll(uniq("u"), " ", "") + "@example.org", "name": "Új Felhasználó"}
	}, []int{401, 401, 201, 403, 403, 403, 403, 403, 403, 403}, nil},
	{"GET", "/api/v1/users", nil,
		[]int{401, 401, 200, 403, 403, 403, 403, 403, 403, 403}, nil},
	{"PATCH", "/api/v1/me", func(*testEnv, consortium) any {
		return map[string]any{"language": "hu", "time_zone": "Europe/Budapest"}
	}, []int{401, 401, 200, 200, 200, 200, 200, 200, 200, 200}, nil},
	{"GET", "/api/v1/me/export", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 200, 200}, nil},
	// The inbox and mail settings: everyone's own, whatever the role.
	{"GET", "/api/v1/me/notifications", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 200, 200}, nil},
	{"POST", "/api/v1/me/notifications/read", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 200, 200}, nil},
	// Every member of both projects is told of one event; the admin and
	// nobody, members of neither, have no such notification.
	{"POST", "/api/v1/me/notifications/{nid}/read", nil,
		[]int{401, 401, 404, 204, 204, 204, 204, 204, 204, 404}, func(e *testEnv, c consortium) (string, any, map[string]string) {
			return "/api/v1/me/notifications/" + noticeToMembers(e, c) + "/read", nil, nil
		}},
	{"GET", "/api/v1/me/mail-settings", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 200, 200}, nil},
	{"PATCH", "/api/v1/me/mail-settings", func(*testEnv, consortium) any {
		return map[string]any{"comment_created": "off"}
	}, []int{401, 401, 200, 200, 200, 200, 200, 200, 200, 200}, nil},
	{"POST", "/api/v1/users/{uid}/erase", nil,
		[]int{401, 401, 200, 403, 403, 403, 403, 403, 403, 403},
		func(e *testEnv, c consortium) (string, any, map[string]string) {
			var u workflow.User
			e.create("/api/v1/users", e.admin, map[string]any{"email": strings.ReplaceAll(uniq("erase"), " ", "") + "@example.org", "name": "Törlendő"}, &u)
			return "/api/v1/users/" + u.ID + "/erase", nil, nil
		}},
	{"POST", "/api/v1/projects", func(*testEnv, consortium) any {
		return map[string]any{"acronym": uniq("P"), "title": "A project"}
	}, []int{401, 401, 201, 403, 403, 403, 403, 403, 403, 403}, nil},
	{"GET", "/api/v1/projects", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 200, 200}, nil},
	{"GET", "/api/v1/projects/{pid}", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, nil},
	{"PATCH", "/api/v1/projects/{pid}", nil, []int{401, 401, 200, 200, 403, 403, 403, 403, 404, 404},
		func(e *testEnv, c consortium) (string, any, map[string]string) {
			p, err := e.store.Project(context.Background(), c.project.ID)
			require.NoError(e.t, err)
			return "/api/v1/projects/" + c.project.ID, map[string]any{"matrix_names": "organisations", "phase2_end": "2021-03-31"},
				map[string]string{"If-Match": etagOf(p.Version)}
		}},
	{"POST", "/api/v1/projects/{pid}/partners", func(*testEnv, consortium) any {
		return map[string]any{"name": uniq("РАМ Стара планина"), "country": "BG", "region": "BG32", "role": "partner"}
	}, []int{401, 401, 201, 201, 403, 403, 403, 403, 404, 404}, nil},
	{"GET", "/api/v1/projects/{pid}/partners", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, nil},
	{"POST", "/api/v1/projects/{pid}/members", func(e *testEnv, c consortium) any {
		u := workflow.User{Email: strings.ReplaceAll(uniq("m"), " ", "") + "@example.org", Name: "Member"}
		_, hash := workflow.NewToken()
		require.NoError(e.t, e.store.CreateUser(context.Background(), &u, hash, "test"))
		return map[string]any{"user_id": u.ID, "role": "observer"}
	}, []int{401, 401, 201, 201, 403, 403, 403, 403, 404, 404}, nil},
	{"GET", "/api/v1/projects/{pid}/members", nil,
		[]int{401, 401, 200, 200, 200, 403, 200, 200, 404, 404}, nil},
	{"POST", "/api/v1/projects/{pid}/policy-instruments", func(_ *testEnv, c consortium) any {
		return map[string]any{"name": uniq("Instrument"), "type": "other", "partner_ids": []string{c.partner.ID}}
	}, []int{401, 401, 201, 201, 403, 403, 403, 403, 404, 404}, nil},
	{"GET", "/api/v1/projects/{pid}/policy-instruments", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, nil},
	{"POST", "/api/v1/projects/{pid}/stakeholder-groups", func(e *testEnv, c consortium) any {
		pi := workflow.PolicyInstrument{ProjectID: c.project.ID, Name: uniq("PI"), Type: workflow.InstrumentOther, PartnerIDs: []string{c.partner.ID}}
		require.NoError(e.t, e.store.CreatePolicyInstrument(context.Background(), &pi))
		return map[string]any{"name": "Group", "policy_instrument_id": pi.ID}
	}, []int{401, 401, 201, 201, 403, 403, 403, 403, 404, 404}, nil},
	{"GET", "/api/v1/projects/{pid}/stakeholder-groups", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, nil},

	// Editing the consortium (admin, coordinator), each on a fresh record
	// at version 1.
	{"PATCH", "/api/v1/partners/{id}", nil, []int{401, 401, 200, 200, 403, 403, 403, 403, 404, 404},
		on("/api/v1/partners/{id}", freshPartner, map[string]any{"short_name": "BVK"}, ifMatch1)},
	{"DELETE", "/api/v1/partners/{id}", nil, []int{401, 401, 204, 204, 403, 403, 403, 403, 404, 404},
		on("/api/v1/partners/{id}", freshPartner, nil, ifMatch1)},
	{"PATCH", "/api/v1/policy-instruments/{id}", nil, []int{401, 401, 200, 200, 403, 403, 403, 403, 404, 404},
		on("/api/v1/policy-instruments/{id}", func(e *testEnv, c consortium) string { return e.freshInstrument(c) }, map[string]any{"type": "etc"}, ifMatch1)},
	{"DELETE", "/api/v1/policy-instruments/{id}", nil, []int{401, 401, 204, 204, 403, 403, 403, 403, 404, 404},
		on("/api/v1/policy-instruments/{id}", func(e *testEnv, c consortium) string { return e.freshInstrument(c) }, nil, ifMatch1)},
	{"PATCH", "/api/v1/stakeholder-groups/{id}", nil, []int{401, 401, 200, 200, 403, 403, 403, 403, 404, 404},
		on("/api/v1/stakeholder-groups/{id}", freshGroup, map[string]any{"name": "Renamed"}, ifMatch1)},
	{"DELETE", "/api/v1/stakeholder-groups/{id}", nil, []int{401, 401, 204, 204, 403, 403, 403, 403, 404, 404},
		on("/api/v1/stakeholder-groups/{id}", freshGroup, nil, ifMatch1)},
	{"PATCH", "/api/v1/members/{id}", nil, []int{401, 401, 200, 200, 403, 403, 403, 403, 404, 404},
		on("/api/v1/members/{id}", freshMember, map[string]any{"role": "secretariat"}, ifMatch1)},
	{"DELETE", "/api/v1/members/{id}", nil, []int{401, 401, 204, 204, 403, 403, 403, 403, 404, 404},
		on("/api/v1/members/{id}", freshMember, nil, ifMatch1)},
	{"POST", "/api/v1/projects/{pid}/invitations", func(*testEnv, consortium) any {
		return map[string]any{"email": strings.ReplaceAll(uniq("invited"), " ", "") + "@example.org", "name": "Vendég", "role": "observer"}
	}, []int{401, 401, 201, 201, 403, 403, 403, 403, 404, 404}, nil},

	// Action plans: a partner acts on its own partner's plans; a stakeholder
	// sees its group's plans only once submitted.
	{"POST", "/api/v1/projects/{pid}/action-plans", func(e *testEnv, c consortium) any {
		return completePlan(e.freshInstrument(c), c.partner.ID)
	}, []int{401, 401, 201, 201, 201, 403, 403, 403, 404, 404}, nil},
	{"GET", "/api/v1/projects/{pid}/action-plans", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, nil},
	{"GET", "/api/v1/action-plans/{id}", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, on("/api/v1/action-plans/{id}", submittedPlan, nil, nil)},
	{"PATCH", "/api/v1/action-plans/{id}", nil,
		[]int{401, 401, 200, 200, 200, 404, 403, 403, 404, 404}, on("/api/v1/action-plans/{id}", draftPlan, map[string]any{"title": "Új cím"}, ifMatch1)},
	{"DELETE", "/api/v1/action-plans/{id}", nil,
		[]int{401, 401, 204, 204, 204, 404, 403, 403, 404, 404}, on("/api/v1/action-plans/{id}", draftPlan, nil, ifMatch1)},
	{"POST", "/api/v1/action-plans/{id}/actions", nil,
		[]int{401, 401, 201, 201, 201, 404, 403, 403, 404, 404}, on("/api/v1/action-plans/{id}/actions", draftPlan, map[string]any{"title": "Második", "description": "d", "players": "p"}, ifMatch1)},
	{"POST", "/api/v1/action-plans/{id}/actions/{number}/move", nil,
		[]int{401, 401, 200, 200, 200, 404, 403, 403, 404, 404}, on("/api/v1/action-plans/{id}/actions/1/move", draftPlan, map[string]any{"to": 1}, ifMatch1)},
	{"DELETE", "/api/v1/action-plans/{id}/actions/{number}", nil,
		[]int{401, 401, 200, 200, 200, 404, 403, 403, 404, 404}, on("/api/v1/action-plans/{id}/actions/1", draftPlan, nil, ifMatch1)},
	{"GET", "/api/v1/action-plans/{id}/transitions", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, on("/api/v1/action-plans/{id}/transitions", submittedPlan, nil, nil)},
	{"POST", "/api/v1/action-plans/{id}/transitions", nil,
		[]int{401, 401, 200, 200, 200, 404, 403, 403, 404, 404}, on("/api/v1/action-plans/{id}/transitions", draftPlan, map[string]any{"trigger": "submit"}, ifMatch1)},
	{"GET", "/api/v1/action-plans/{id}/history", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, on("/api/v1/action-plans/{id}/history", submittedPlan, nil, nil)},
	{"GET", "/api/v1/action-plans/{id}/revisions/{n}", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, on("/api/v1/action-plans/{id}/revisions/{n}", submittedPlan, nil, nil)},
	// Revision 1 has nothing before it: whoever sees it gets 422.
	{"GET", "/api/v1/action-plans/{id}/revisions/{n}/diff", nil,
		[]int{401, 401, 422, 422, 422, 422, 422, 422, 404, 404}, on("/api/v1/action-plans/{id}/revisions/{n}/diff", submittedPlan, nil, nil)},

	// Peer reviews: the host acts; peers may add recommendations.
	{"POST", "/api/v1/projects/{pid}/peer-reviews", func(e *testEnv, c consortium) any {
		return completeReview(c, "")
	}, []int{401, 401, 201, 201, 201, 403, 403, 403, 404, 404}, nil},
	{"GET", "/api/v1/projects/{pid}/peer-reviews", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, nil},
	{"GET", "/api/v1/peer-reviews/{id}", nil,
		[]int{401, 401, 200, 200, 200, 404, 200, 200, 404, 404}, on("/api/v1/peer-reviews/{id}", draftReview, nil, nil)},
	{"PATCH", "/api/v1/peer-reviews/{id}", nil,
		[]int{401, 401, 200, 200, 200, 404, 403, 403, 404, 404}, on("/api/v1/peer-reviews/{id}", draftReview, map[string]any{"findings": "Új megállapítások"}, ifMatch1)},
	{"DELETE", "/api/v1/peer-reviews/{id}", nil,
		[]int{401, 401, 204, 204, 204, 404, 403, 403, 404, 404}, on("/api/v1/peer-reviews/{id}", draftReview, nil, ifMatch1)},
	{"POST", "/api/v1/peer-reviews/{id}/recommendations", nil,
		[]int{401, 401, 201, 201, 201, 404, 403, 403, 404, 404}, on("/api/v1/peer-reviews/{id}/recommendations", draftReview, map[string]any{"title": "T", "body": "B"}, ifMatch1)},
	{"GET", "/api/v1/peer-reviews/{id}/transitions", nil,
		[]int{401, 401, 200, 200, 200, 404, 200, 200, 404, 404}, on("/api/v1/peer-reviews/{id}/transitions", draftReview, nil, nil)},
	{"POST", "/api/v1/peer-reviews/{id}/transitions", nil,
		[]int{401, 401, 200, 200, 200, 404, 403, 403, 404, 404}, on("/api/v1/peer-reviews/{id}/transitions", draftReview, map[string]any{"trigger": "submit"}, ifMatch1)},
	{"GET", "/api/v1/peer-reviews/{id}/history", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, on("/api/v1/peer-reviews/{id}/history", submittedReview, nil, nil)},
	{"GET", "/api/v1/peer-reviews/{id}/revisions/{n}", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, on("/api/v1/peer-reviews/{id}/revisions/{n}", submittedReview, nil, nil)},
	// Revision 1 has nothing before it: whoever sees it gets 422.
	{"GET", "/api/v1/peer-reviews/{id}/revisions/{n}/diff", nil,
		[]int{401, 401, 422, 422, 422, 422, 422, 422, 404, 404}, on("/api/v1/peer-reviews/{id}/revisions/{n}/diff", submittedReview, nil, nil)},

	// Documents: whoever sees a deliverable may assemble and read its documents.
	{"POST", "/api/v1/action-plans/{id}/documents", nil,
		[]int{401, 401, 202, 202, 202, 202, 202, 202, 404, 404}, on("/api/v1/action-plans/{id}/documents", submittedPlan, map[string]any{"format": "md"}, nil)},
	{"GET", "/api/v1/action-plans/{id}/documents", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, on("/api/v1/action-plans/{id}/documents", submittedPlan, nil, nil)},
	{"POST", "/api/v1/peer-reviews/{id}/documents", nil,
		[]int{401, 401, 202, 202, 202, 202, 202, 202, 404, 404}, on("/api/v1/peer-reviews/{id}/documents", submittedReview, map[string]any{"format": "html"}, nil)},
	{"GET", "/api/v1/peer-reviews/{id}/documents", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, on("/api/v1/peer-reviews/{id}/documents", submittedReview, nil, nil)},
	{"GET", "/api/v1/documents/{did}", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, on("/api/v1/documents/{id}", planDocument, nil, nil)},
	// Not rendered in these tests (no job worker runs), so 409 where allowed.
	{"GET", "/api/v1/documents/{did}/content", nil,
		[]int{401, 401, 409, 409, 409, 409, 409, 409, 404, 404}, on("/api/v1/documents/{id}/content", planDocument, nil, nil)},
	{"GET", "/api/v1/templates", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 200, 200}, nil},
	{"POST", "/api/v1/templates", func(*testEnv, consortium) any {
		return map[string]any{"name": strings.ReplaceAll(strings.ToLower(uniq("tpl")), " ", "_"), "kind": "action_plan", "source": "# {{.content.title}}\n"}
	}, []int{401, 401, 201, 403, 403, 403, 403, 403, 403, 403}, nil},

	// Consultation: everyone in scope but observers comments on a submitted
	// deliverable; the owner and coordinator answer and close; the
	// coordinator hides; the author edits and deletes.
	{"POST", "/api/v1/action-plans/{id}/comments", nil,
		[]int{401, 401, 201, 201, 201, 201, 201, 403, 404, 404}, on("/api/v1/action-plans/{id}/comments", submittedPlan, map[string]any{"body": "Jó terv", "section": "part3.action.1.players"}, nil)},
	{"GET", "/api/v1/action-plans/{id}/comments", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, on("/api/v1/action-plans/{id}/comments", submittedPlan, nil, nil)},
	{"POST", "/api/v1/peer-reviews/{id}/comments", nil,
		[]int{401, 401, 201, 201, 201, 201, 201, 403, 404, 404}, on("/api/v1/peer-reviews/{id}/comments", submittedReview, map[string]any{"body": "Agreed", "section": "recommendation.1", "stance": "support"}, nil)},
	{"GET", "/api/v1/peer-reviews/{id}/comments", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, on("/api/v1/peer-reviews/{id}/comments", submittedReview, nil, nil)},
	{"GET", "/api/v1/action-plans/{id}/consultation", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, on("/api/v1/action-plans/{id}/consultation", submittedPlan, nil, nil)},
	{"GET", "/api/v1/peer-reviews/{id}/consultation", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, on("/api/v1/peer-reviews/{id}/consultation", submittedReview, nil, nil)},
	// A fresh submitted one each time: closing is once. Its instrument is
	// not the stakeholder's group's, so the stakeholder does not see it.
	{"POST", "/api/v1/action-plans/{id}/consultation/close", nil,
		[]int{401, 401, 200, 200, 200, 404, 403, 403, 404, 404}, on("/api/v1/action-plans/{id}/consultation/close", freshSubmittedPlan, nil, nil)},
	{"POST", "/api/v1/peer-reviews/{id}/consultation/close", nil,
		[]int{401, 401, 200, 200, 200, 404, 403, 403, 404, 404}, on("/api/v1/peer-reviews/{id}/consultation/close", freshSubmittedReview, nil, nil)},
	// The comments below are the admin's, on the submitted plan.
	{"GET", "/api/v1/comments/{cid}", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, on("/api/v1/comments/{id}", adminComment, nil, nil)},
	{"PATCH", "/api/v1/comments/{cid}", nil,
		[]int{401, 401, 200, 403, 403, 403, 403, 403, 404, 404}, on("/api/v1/comments/{id}", adminComment, map[string]any{"body": "Javítva"}, ifMatch1)},
	{"DELETE", "/api/v1/comments/{cid}", nil,
		[]int{401, 401, 204, 403, 403, 403, 403, 403, 404, 404}, on("/api/v1/comments/{id}", adminComment, nil, ifMatch1)},
	{"POST", "/api/v1/comments/{cid}/response", nil,
		[]int{401, 401, 200, 200, 200, 403, 403, 403, 404, 404}, on("/api/v1/comments/{id}/response", adminComment, map[string]any{"status": "noted", "body": "Köszönjük"}, nil)},
	{"POST", "/api/v1/comments/{cid}/hide", nil,
		[]int{401, 401, 200, 200, 403, 403, 403, 403, 404, 404}, on("/api/v1/comments/{id}/hide", adminComment, map[string]any{"reason": "off topic"}, nil)},
	{"GET", "/api/v1/comments/{cid}/history", nil,
		[]int{401, 401, 200, 200, 200, 403, 403, 403, 404, 404}, on("/api/v1/comments/{id}/history", adminComment, nil, nil)},
	{"GET", "/api/v1/me/consultations", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 200, 200}, nil},

	// Webhooks: the coordinator (and admins) manage them; other members
	// get 403, outsiders 404.
	{"POST", "/api/v1/projects/{pid}/webhooks", func(*testEnv, consortium) any {
		return map[string]any{"url": "https://hooks.example.org/in", "events": []string{"transition"}}
	}, []int{401, 401, 201, 201, 403, 403, 403, 403, 404, 404}, nil},
	{"GET", "/api/v1/projects/{pid}/webhooks", nil,
		[]int{401, 401, 200, 200, 403, 403, 403, 403, 404, 404}, nil},
	{"GET", "/api/v1/webhooks/{wid}", nil,
		[]int{401, 401, 200, 200, 403, 403, 403, 403, 404, 404}, on("/api/v1/webhooks/{id}", webhookOf, nil, nil)},
	{"DELETE", "/api/v1/webhooks/{wid}", nil,
		[]int{401, 401, 204, 204, 403, 403, 403, 403, 404, 404}, on("/api/v1/webhooks/{id}", webhookOf, nil, nil)},
	{"GET", "/api/v1/webhooks/{wid}/deliveries", nil,
		[]int{401, 401, 200, 200, 403, 403, 403, 403, 404, 404}, on("/api/v1/webhooks/{id}/deliveries", webhookOf, nil, nil)},

	// Evidence: the plan's owner and the coordinator upload and delete;
	// whoever sees the plan lists, reads and downloads.
	{"POST", "/api/v1/action-plans/{id}/evidence", nil,
		[]int{401, 401, 201, 201, 201, 403, 403, 403, 404, 404}, on("/api/v1/action-plans/{id}/evidence", submittedPlan, samplePDF, nil)},
	{"GET", "/api/v1/action-plans/{id}/evidence", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, on("/api/v1/action-plans/{id}/evidence", submittedPlan, nil, nil)},
	{"GET", "/api/v1/evidence/{eid}", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, on("/api/v1/evidence/{id}", planEvidence, nil, nil)},
	{"GET", "/api/v1/evidence/{eid}/content", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, on("/api/v1/evidence/{id}/content", planEvidence, nil, nil)},
	{"DELETE", "/api/v1/evidence/{eid}", nil,
		[]int{401, 401, 204, 204, 204, 403, 403, 403, 404, 404}, on("/api/v1/evidence/{id}", planEvidence, nil, nil)},

	// The dashboard: whoever runs or follows the consortium reads it; a
	// partner reads it for its own deliverables; a stakeholder may not.
	{"GET", "/api/v1/projects/{pid}/dashboard", nil,
		[]int{401, 401, 200, 200, 200, 403, 200, 200, 404, 404}, nil},

	// What waits for the caller: every member asks for their own.
	{"GET", "/api/v1/projects/{pid}/needs-you", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, nil},

	{"GET", "/api/v1/workflows/{kind}", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 200, 200}, on("/api/v1/workflows/action-plans?format=dot", submittedPlan, nil, nil)},

	// Personal tokens: everyone signed in manages their own; an admin
	// lists and revokes anyone's and deactivates accounts.
	{"POST", "/api/v1/me/tokens", func(*testEnv, consortium) any {
		return map[string]any{"name": uniq("laptop")}
	}, []int{401, 401, 201, 201, 201, 201, 201, 201, 201, 201}, nil},
	{"GET", "/api/v1/me/tokens", nil,
		[]int{401, 401, 200, 200, 200, 200, 200, 200, 200, 200}, nil},
	// The token is the admin's: anyone else is told there is no such token.
	{"DELETE", "/api/v1/me/tokens/{tid}", nil,
		[]int{401, 401, 204, 404, 404, 404, 404, 404, 404, 404}, on("/api/v1/me/tokens/{id}", adminToken, nil, nil)},
	{"GET", "/api/v1/users/{uid}/tokens", nil,
		[]int{401, 401, 200, 403, 403, 403, 403, 403, 403, 403}, on("/api/v1/users/{id}/tokens", freshUser, nil, nil)},
	{"DELETE", "/api/v1/users/{uid}/tokens/{tid}", nil,
		[]int{401, 401, 204, 403, 403, 403, 403, 403, 403, 403},
		func(e *testEnv, c consortium) (string, any, map[string]string) {
			uid := freshUser(e, c)
			ts, _, err := e.store.ListTokens(context.Background(), uid, workflow.Page{Limit: 10})
			require.NoError(e.t, err)
			require.Len(e.t, ts, 1)
			return "/api/v1/users/" + uid + "/tokens/" + ts[0].ID, nil, nil
		}},
	{"POST", "/api/v1/users/{uid}/deactivate", nil,
		[]int{401, 401, 200, 403, 403, 403, 403, 403, 403, 403}, on("/api/v1/users/{id}/deactivate", freshUser, nil, nil)},
	// The verification is public: a token, known or not, changes nothing.
	{"GET", "/api/v1/verify/{sha256}", nil,
		[]int{200, 200, 200, 200, 200, 200, 200, 200, 200, 200}, func(*testEnv, consortium) (string, any, map[string]string) {
			return "/api/v1/verify/" + strings.Repeat("0", 64), nil, nil
		}},
	{"POST", "/api/v1/verify", func(*testEnv, consortium) any { return map[string]any{"sha256": strings.Repeat("0", 64)} },
		[]int{200, 200, 200, 200, 200, 200, 200, 200, 200, 200}, nil},
}

// noticeToMembers tells every member of the consortium's two projects of
// one new event and returns its id.
func noticeToMembers(e *testEnv, c consortium) string {
	id := workflow.NewID()
	rows, err := e.store.DB().QueryContext(e.t.Context(), "SELECT user_id, project_id FROM memberships WHERE project_id IN ($1, $2)", c.project.ID, c.other.ID)
	require.NoError(e.t, err)
	var told []testNotice
	for rows.Next() {
		n := testNotice{id: id, kind: workflow.NoticeInvited, title: "Crafts"}
		require.NoError(e.t, rows.Scan(&n.user, &n.project))
		told = append(told, n)
	}
	require.NoError(e.t, rows.Err())
	require.NoError(e.t, rows.Close())
	for _, n := range told {
		e.insertNotice(n)
	}
	return id
}

// freshUser makes a user (with one token) for a call that changes them.
func freshUser(e *testEnv, _ consortium) string {
	var u workflow.User
	e.create("/api/v1/users", e.admin, map[string]any{"email": strings.ReplaceAll(uniq("fresh"), " ", "") + "@example.org", "name": "Friss Felhasználó"}, &u)
	return u.ID
}

// adminToken makes a token of the admin's.
func adminToken(e *testEnv, _ consortium) string {
	var t workflow.Token
	e.create("/api/v1/me/tokens", e.admin, map[string]any{"name": uniq("spare")}, &t)
	return t.ID
}

func TestAuthorizationMatrix(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("AUTH")
		c.tokens["unknown"] = "cct_not-a-token-anybody-has"
		for _, ep := range matrix {
			require.Len(t, ep.want, len(callers), "%s %s", ep.method, ep.path)
			for i, who := range callers {
				t.Run(ep.method+" "+ep.path+" as "+who, func(t *testing.T) {
					r := req{Method: ep.method, Path: strings.ReplaceAll(ep.path, "{pid}", c.project.ID), Token: c.tokens[who]}
					if ep.body != nil {
						r.Body = ep.body(e, c)
					}
					if ep.setup != nil {
						r.Path, r.Body, r.Headers = ep.setup(e, c)
					}
					if raw, ok := r.Body.([]byte); ok { // an upload, sent as it is
						r.Raw, r.Body = raw, nil
					}
					res := e.do(r)
					require.Equal(t, ep.want[i], res.Status, "%s", res.Body)
					if res.Status == 401 || res.Status == 403 || res.Status == 404 {
						p := res.problem(t)
						require.Equal(t, map[int]string{401: "unauthenticated", 403: "forbidden", 404: "not_found"}[res.Status], p.Code)
					}
					if res.Status == 401 {
						require.Contains(t, res.Header.Get("WWW-Authenticate"), "Bearer")
					}
				})
			}
		}
	})
}

// Every route in the matrix, so that a new endpoint cannot be left out of it.
func TestMatrixCoversEveryRoute(t *testing.T) {
	inMatrix := map[string]bool{}
	for _, ep := range matrix {
		inMatrix[ep.method+" "+ep.path] = true
	}
	for _, r := range newServer(t).Routes() {
		path := toOpenAPIPath(r.Path)
		if r.Method == echo.RouteNotFound {
			continue
		}
		if !strings.HasPrefix(path, "/api/v1/") || path == "/api/v1/openapi.json" {
			continue
		}
		require.True(t, inMatrix[r.Method+" "+path], "%s %s is missing from the authorization matrix", r.Method, path)
	}
}

func TestListsAreScopedToTheCaller(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("SCOPE")
		var mine struct {
			Items []workflow.Project `json:"items"`
		}
		e.do(req{Method: "GET", Path: "/api/v1/projects", Token: c.tokens["partner"]}).json(t, &mine)
		require.Len(t, mine.Items, 1)
		require.Equal(t, c.project.ID, mine.Items[0].ID)

		var none struct {
			Items []workflow.Project `json:"items"`
		}
		e.do(req{Method: "GET", Path: "/api/v1/projects", Token: c.tokens["nobody"]}).json(t, &none)
		require.Empty(t, none.Items)

		var all struct {
			Items []workflow.Project `json:"items"`
		}
		e.do(req{Method: "GET", Path: "/api/v1/projects", Token: e.admin}).json(t, &all)
		require.Len(t, all.Items, 2)

		res := e.do(req{Method: "GET", Path: "/api/v1/projects/" + workflow.NewID(), Token: e.admin})
		require.Equal(t, http.StatusNotFound, res.Status, "an admin naming a project that does not exist")
	})
}
