package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/craftscode/craftscode/api"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// principalOf is the caller behind a token, as the store knows it.
func (e *testEnv) principalOf(token string) workflow.Principal {
	e.t.Helper()
	p, err := e.store.Authenticate(context.Background(), workflow.HashToken(token))
	require.NoError(e.t, err)
	return p
}

// adminComment is a fresh comment of the admin's on the submitted plan,
// made through the store so that fixtures do not spend the admin's
// comment rate.
func adminComment(e *testEnv, c consortium) string {
	cm, err := e.store.AddComment(context.Background(), workflow.NewComment{Kind: workflow.KindActionPlan, DeliverableID: c.plan.ID,
		Body: "A fixture comment", Principal: e.principalOf(e.admin)})
	require.NoError(e.t, err)
	return cm.ID
}

func freshSubmittedPlan(e *testEnv, c consortium) string {
	id := draftPlan(e, c)
	e.fire("action-plans", id, e.admin, "submit", 1, 200)
	return id
}

func freshSubmittedReview(e *testEnv, c consortium) string {
	id := draftReview(e, c)
	e.fire("peer-reviews", id, e.admin, "submit", 1, 200)
	return id
}

// visibilityRoles are the table's columns.
var visibilityRoles = []string{"coordinator", "owner", "other partner", "stakeholder", "other stakeholder", "secretariat", "observer", "outsider"}

// visibilityCase is one action in one state, with the status each role gets.
type visibilityCase struct {
	state, action string
	want          []int
}

var visibilityTable = []visibilityCase{
	{"stakeholder_review", "list", []int{200, 200, 404, 200, 404, 200, 200, 404}},
	{"stakeholder_review", "read", []int{200, 200, 404, 200, 404, 200, 200, 404}},
	{"stakeholder_review", "comment", []int{201, 201, 404, 201, 404, 201, 403, 404}},
	{"stakeholder_review", "respond", []int{200, 200, 404, 403, 404, 403, 403, 404}},
	{"stakeholder_review", "hide", []int{200, 403, 404, 403, 404, 403, 403, 404}},
	{"stakeholder_review", "close", []int{200, 200, 404, 403, 404, 403, 403, 404}},
	// Back in draft: stakeholders see nothing; nothing is taken.
	{"draft", "list", []int{200, 200, 404, 404, 404, 200, 200, 404}},
	{"draft", "read", []int{200, 200, 404, 404, 404, 200, 200, 404}},
	{"draft", "comment", []int{409, 409, 404, 404, 404, 409, 403, 404}},
	{"draft", "respond", []int{409, 409, 404, 404, 404, 403, 403, 404}},
	{"draft", "hide", []int{200, 403, 404, 404, 404, 403, 403, 404}},
	{"draft", "close", []int{409, 409, 404, 404, 404, 403, 403, 404}},
}

// TestConsultationVisibility: role × action × state, each cell on a fresh
// peer review of the group's instrument hosted by the owner's partner.
func TestConsultationVisibility(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("VIS")
		tokens := map[string]string{"owner": c.tokens["partner"]}
		for _, r := range []string{"coordinator", "stakeholder", "secretariat", "observer", "outsider"} {
			tokens[r] = c.tokens[r]
		}
		base := "/api/v1/projects/" + c.project.ID
		var bg workflow.Partner
		e.create(base+"/partners", e.admin, map[string]any{"name": "Bulgarian crafts", "country": "BG", "role": "partner"}, &bg)
		tokens["other partner"] = e.newMember(c.project.ID, "other-partner", map[string]any{"role": "partner", "partner_id": bg.ID})
		var pi workflow.PolicyInstrument
		e.create(base+"/policy-instruments", e.admin, map[string]any{"name": "Other instrument", "type": "other", "partner_ids": []string{c.partner.ID}}, &pi)
		var g workflow.StakeholderGroup
		e.create(base+"/stakeholder-groups", e.admin, map[string]any{"name": "Other group", "policy_instrument_id": pi.ID}, &g)
		tokens["other stakeholder"] = e.newMember(c.project.ID, "other-stakeholder", map[string]any{"role": "stakeholder", "stakeholder_group_id": g.ID})

		for _, tc := range visibilityTable {
			for i, role := range visibilityRoles {
				t.Run(tc.state+" "+tc.action+" as "+role, func(t *testing.T) {
					id := freshReviewOn(e, c, c.instrument.ID)
					cid := adminCommentOn(e, workflow.KindPeerReview, id)
					if tc.state == "draft" {
						e.fire("peer-reviews", id, e.admin, "request_changes", 2, 200)
					}
					var r req
					switch tc.action {
					case "list":
						r = req{Method: "GET", Path: "/api/v1/peer-reviews/" + id + "/comments"}
					case "read":
						r = req{Method: "GET", Path: "/api/v1/comments/" + cid}
					case "comment":
						r = req{Method: "POST", Path: "/api/v1/peer-reviews/" + id + "/comments", Body: map[string]any{"body": "Vélemény"}}
					case "respond":
						r = req{Method: "POST", Path: "/api/v1/comments/" + cid + "/response", Body: map[string]any{"status": "accepted", "body": "ok"}}
					case "hide":
						r = req{Method: "POST", Path: "/api/v1/comments/" + cid + "/hide", Body: map[string]any{"reason": "off topic"}}
					case "close":
						r = req{Method: "POST", Path: "/api/v1/peer-reviews/" + id + "/consultation/close"}
					}
					r.Token = tokens[role]
					res := e.do(r)
					require.Equal(t, tc.want[i], res.Status, "%s", res.Body)
				})
			}
		}
	})
}

// newMember makes a user with a membership and returns the token.
func (e *testEnv) newMember(projectID, name string, m map[string]any) string {
	var u struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	e.create("/api/v1/users", e.admin, map[string]any{"email": strings.ReplaceAll(uniq(name), " ", "") + "@example.org", "name": name}, &u)
	m["user_id"] = u.ID
	e.create("/api/v1/projects/"+projectID+"/members", e.admin, m, nil)
	return u.Token
}

// freshReviewOn is a submitted peer review of the consortium's partner on
// an instrument.
func freshReviewOn(e *testEnv, c consortium, instrumentID string) string {
	var r workflow.PeerReview
	e.create("/api/v1/projects/"+c.project.ID+"/peer-reviews", e.admin, completeReview(c, instrumentID), &r)
	e.fire("peer-reviews", r.ID, e.admin, "submit", 1, 200)
	return r.ID
}

func adminCommentOn(e *testEnv, kind workflow.Kind, id string) string {
	cm, err := e.store.AddComment(context.Background(), workflow.NewComment{Kind: kind, DeliverableID: id,
		Body: "A fixture comment", Principal: e.principalOf(e.admin)})
	require.NoError(e.t, err)
	return cm.ID
}

// TestCommentsEndToEnd: a stakeholder comments and replies, the owner
// answers, the text comes back verbatim, and the contract's edges hold.
func TestCommentsEndToEnd(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("E2E")
		sh, owner := c.tokens["stakeholder"], c.tokens["partner"]
		path := "/api/v1/action-plans/" + c.plan.ID
		evil := `<script>alert("x")</script> <b>bold</b> {{ template "x" }} {{.Secret}}`
		res := e.do(req{Method: "POST", Path: path + "/comments", Token: sh, Body: map[string]any{"body": evil, "section": "part3.action.1.players", "stance": "concern"}})
		require.Equal(t, 201, res.Status, "%s", res.Body)
		require.NotContains(t, string(res.Body), "<script>", "HTML is escaped in JSON")
		var top workflow.Comment
		res.json(t, &top)
		require.Equal(t, evil, top.Body, "kept verbatim")
		require.Equal(t, `"1"`, res.Header.Get("ETag"))
		require.Equal(t, "/api/v1/comments/"+top.ID, res.Header.Get("Location"))

		var reply workflow.Comment
		e.create(path+"/comments", c.tokens["coordinator"], map[string]any{"body": "Thanks", "parent_id": top.ID}, &reply)
		require.Equal(t, "part3.action.1.players", reply.Section, "sent without a section, a reply is on its thread's")
		require.Empty(t, reply.Stance, "sent without a stance, a reply has none")
		require.NotContains(t, string(e.do(req{Method: "GET", Path: path + "/comments?revision=1", Token: sh}).Body), `"stance":""`)
		res = e.do(req{Method: "POST", Path: path + "/comments", Token: sh, Body: map[string]any{"body": "x", "parent_id": top.ID, "section": "general"}})
		require.Equal(t, 422, res.Status, "a reply in another section: %s", res.Body)

		// Bad input.
		for _, b := range []map[string]any{
			{"body": "x", "section": "part9.nothing"},
			{"body": ""},
			{"body": "x", "stance": "rage"},
		} {
			res = e.do(req{Method: "POST", Path: path + "/comments", Token: sh, Body: b})
			require.Equal(t, 422, res.Status, "%v: %s", b, res.Body)
		}
		res = e.do(req{Method: "POST", Path: path + "/comments", Token: sh, Body: map[string]any{"body": "x", "colour": "red"}})
		require.Equal(t, 400, res.Status)
		require.Equal(t, "unknown_field", res.problem(t).Code)

		// The owner answers; the stakeholder reads the answer in the thread.
		res = e.do(req{Method: "POST", Path: "/api/v1/comments/" + top.ID + "/response", Token: owner, Body: map[string]any{"status": "partially_accepted", "body": "<i>Részben</i>"}})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		var list struct{ Items []workflow.Comment }
		e.do(req{Method: "GET", Path: path + "/comments?revision=1", Token: sh}).json(t, &list)
		require.Len(t, list.Items, 1)
		require.Equal(t, evil, list.Items[0].Body)
		require.Equal(t, workflow.ResponsePartiallyAccepted, list.Items[0].Response.Status)
		require.Equal(t, "<i>Részben</i>", list.Items[0].Response.Body)
		require.Len(t, list.Items[0].Replies, 1)
		require.Equal(t, 400, e.do(req{Method: "GET", Path: path + "/comments?revision=zero", Token: sh}).Status)
		require.Equal(t, 400, e.do(req{Method: "GET", Path: path + "/comments?limit=201", Token: sh}).Status)
		require.Equal(t, 400, e.do(req{Method: "GET", Path: path + "/comments?cursor=nonsense", Token: sh}).Status)

		// Edits need If-Match on the comment's version.
		cpath := "/api/v1/comments/" + top.ID
		require.Equal(t, 428, e.do(req{Method: "PATCH", Path: cpath, Token: sh, Body: map[string]any{"body": "new"}}).Status)
		require.Equal(t, 412, e.do(req{Method: "PATCH", Path: cpath, Token: sh, Body: map[string]any{"body": "new"}, Headers: map[string]string{"If-Match": `"7"`}}).Status)
		res = e.do(req{Method: "PATCH", Path: cpath, Token: sh, Body: map[string]any{"stance": "question"}, Headers: ifMatch1})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		var edited workflow.Comment
		res.json(t, &edited)
		require.Equal(t, evil, edited.Body, "a patch without body keeps it")
		require.Equal(t, workflow.StanceQuestion, edited.Stance)
		require.Equal(t, `"2"`, res.Header.Get("ETag"))
		var hist struct{ Items []workflow.CommentEvent }
		e.do(req{Method: "GET", Path: cpath + "/history", Token: sh}).json(t, &hist)
		require.Len(t, hist.Items, 3, "created, responded, edited")

		// The consultation; my consultations; closing early stops comments.
		var cs workflow.Consultation
		e.do(req{Method: "GET", Path: path + "/consultation", Token: sh}).json(t, &cs)
		require.Equal(t, 1, cs.Revision)
		var mine struct{ Items []workflow.ConsultationItem }
		e.do(req{Method: "GET", Path: "/api/v1/me/consultations", Token: sh}).json(t, &mine)
		require.Len(t, mine.Items, 2, "the plan and the peer review of the group's instrument")
		require.Equal(t, 200, e.do(req{Method: "POST", Path: path + "/consultation/close", Token: owner}).Status)
		res = e.do(req{Method: "POST", Path: path + "/comments", Token: sh, Body: map[string]any{"body": "late"}})
		require.Equal(t, 409, res.Status)
		require.Equal(t, "conflict", res.problem(t).Code)
	})
}

// TestSubmitTakesAConsultationDeadline: RFC 3339, in the future, within
// a year.
func TestSubmitTakesAConsultationDeadline(t *testing.T) {
	e := setup(t, "sqlite")
	c := e.consortium("DEADLINE")
	id := draftPlan(e, c)
	path := "/api/v1/action-plans/" + id + "/transitions"
	submit := func(deadline any) response {
		return e.do(req{Method: "POST", Path: path, Token: e.admin, Body: map[string]any{"trigger": "submit", "consultation_deadline": deadline}, Headers: ifMatch1})
	}
	require.Equal(t, 400, submit("next week").Status)
	res := submit(time.Now().Add(-time.Hour).Format(time.RFC3339))
	require.Equal(t, 422, res.Status)
	require.Equal(t, "consultation_deadline", res.problem(t).Errors[0].Field)
	require.Equal(t, 422, submit(time.Now().AddDate(1, 0, 2).Format(time.RFC3339)).Status)
	want := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
	require.Equal(t, 200, submit(want.Format(time.RFC3339)).Status)
	var cs workflow.Consultation
	e.do(req{Method: "GET", Path: "/api/v1/action-plans/" + id + "/consultation", Token: e.admin}).json(t, &cs)
	require.True(t, want.Equal(cs.Deadline), "%v != %v", want, cs.Deadline)
}

// TestCommentRateLimit: per user, 429 with Retry-After past the burst.
func TestCommentRateLimit(t *testing.T) {
	e := setupWith(t, "sqlite", func(cfg *api.Config) { cfg.CommentRate, cfg.CommentBurst = rate.Every(time.Hour), 2 })
	c := e.consortium("RATE")
	path := "/api/v1/action-plans/" + c.plan.ID + "/comments"
	for range 2 {
		e.create(path, c.tokens["stakeholder"], map[string]any{"body": "ok"}, nil)
	}
	res := e.do(req{Method: "POST", Path: path, Token: c.tokens["stakeholder"], Body: map[string]any{"body": "one too many"}})
	require.Equal(t, 429, res.Status)
	require.Equal(t, "rate_limited", res.problem(t).Code)
	secs, err := strconv.Atoi(res.Header.Get("Retry-After"))
	require.NoError(t, err)
	require.Greater(t, secs, 3000, "about an hour")
	e.create(path, c.tokens["coordinator"], map[string]any{"body": "another user is not held back"}, nil)
}

// TestFiftyStakeholdersCommentAtOnce: no errors, and every accepted
// comment is in the database.
func TestFiftyStakeholdersCommentAtOnce(t *testing.T) {
	e := setup(t, sqlstore.Postgres)
	c := e.consortium("FIFTY")
	ctx := context.Background()
	tokens := make([]string, 50)
	for i := range tokens {
		tok, hash := workflow.NewToken()
		u := workflow.User{Email: fmt.Sprintf("sh%d@fifty.example", i), Name: fmt.Sprintf("Stakeholder %d", i)}
		require.NoError(t, e.store.CreateUser(ctx, &u, hash, "test"))
		require.NoError(t, e.store.CreateMembership(ctx, &workflow.Membership{ProjectID: c.project.ID, UserID: u.ID,
			Role: workflow.RoleStakeholder, StakeholderGroupID: c.group.ID}))
		tokens[i] = tok
	}
	var accepted, failed atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, tok := range tokens {
		wg.Go(func() {
			<-start
			body, _ := json.Marshal(map[string]any{"body": fmt.Sprintf("Comment %d", i), "section": "part3.action.1.description"})
			r, _ := http.NewRequest("POST", e.url+"/api/v1/action-plans/"+c.plan.ID+"/comments", bytes.NewReader(body))
			r.Header.Set("Authorization", "Bearer "+tok)
			r.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(r)
			if err != nil {
				failed.Add(1)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == 201 {
				accepted.Add(1)
			} else {
				failed.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	require.Zero(t, failed.Load())
	var n int64
	require.NoError(t, e.store.DB().QueryRowContext(ctx, "SELECT count(*) FROM comments WHERE deliverable_id = $1", c.plan.ID).Scan(&n))
	require.Equal(t, accepted.Load(), n)
	require.EqualValues(t, 50, n)

	// Read back in pages of 20 threads: 20, 20 and 10, each once.
	seen := map[string]bool{}
	var sizes []int
	for cursor, pages := "", 0; ; pages++ {
		require.Less(t, pages, 4)
		var page struct {
			Items      []workflow.Comment
			NextCursor string `json:"next_cursor"`
		}
		res := e.do(req{Method: "GET", Path: "/api/v1/action-plans/" + c.plan.ID + "/comments?limit=20&cursor=" + cursor, Token: c.tokens["partner"]})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		res.json(t, &page)
		sizes = append(sizes, len(page.Items))
		for _, cm := range page.Items {
			require.False(t, seen[cm.ID], "a thread comes once")
			seen[cm.ID] = true
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	require.Equal(t, []int{20, 20, 10}, sizes)
	require.Len(t, seen, 50)
}

// TestProjectConsultationDays: a project's default window, 14 when not
// given, and submit uses it.
func TestProjectConsultationDays(t *testing.T) {
	e := setup(t, "sqlite")
	var p workflow.Project
	e.create("/api/v1/projects", e.admin, map[string]any{"acronym": "DAYS", "title": "Days", "consultation_days": 5}, &p)
	require.Equal(t, 5, p.ConsultationDays)
	var def workflow.Project
	e.create("/api/v1/projects", e.admin, map[string]any{"acronym": "DAYS-0", "title": "Default"}, &def)
	require.Equal(t, 14, def.ConsultationDays)
	res := e.do(req{Method: "POST", Path: "/api/v1/projects", Token: e.admin, Body: map[string]any{"acronym": "DAYS-X", "title": "Too long", "consultation_days": 366}})
	require.Equal(t, 422, res.Status)

	base := "/api/v1/projects/" + p.ID
	var pa workflow.Partner
	e.create(base+"/partners", e.admin, map[string]any{"name": "Partner", "country": "FI", "role": "partner"}, &pa)
	var pi workflow.PolicyInstrument
	e.create(base+"/policy-instruments", e.admin, map[string]any{"name": "PI", "type": "other", "partner_ids": []string{pa.ID}}, &pi)
	var plan workflow.ActionPlan
	e.create(base+"/action-plans", e.admin, completePlan(pi.ID, pa.ID), &plan)
	e.fire("action-plans", plan.ID, e.admin, "submit", 1, 200)
	var cs workflow.Consultation
	e.do(req{Method: "GET", Path: "/api/v1/action-plans/" + plan.ID + "/consultation", Token: e.admin}).json(t, &cs)
	require.WithinDuration(t, time.Now().AddDate(0, 0, 5), cs.Deadline, time.Minute)
}
