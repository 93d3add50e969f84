package api_test

import (
	"encoding/base64"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

// testNotice is a notifications row, written with SQL as the store's
// hooks write it (the tests here do not depend on which events write one).
type testNotice struct {
	id, user, project            string
	kind                         workflow.NoticeKind
	deliverable, comment, period string
	title                        string
	at                           time.Time
}

func (e *testEnv) insertNotice(n testNotice) {
	e.t.Helper()
	if n.id == "" {
		n.id = workflow.NewID()
	}
	if n.at.IsZero() {
		n.at = time.Now()
	}
	null := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	_, err := e.store.DB().ExecContext(e.t.Context(), `INSERT INTO notifications (id, user_id, project_id, kind, deliverable_id, comment_id,
			period, title, mail, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'digest', $9)`,
		n.id, n.user, n.project, string(n.kind), null(n.deliverable), null(n.comment), n.period, n.title, n.at.UTC().Truncate(time.Microsecond))
	require.NoError(e.t, err)
}

// userID is the id of the token's user.
func (e *testEnv) userID(token string) string {
	e.t.Helper()
	var me workflow.User
	e.do(req{Method: "GET", Path: "/api/v1/me", Token: token}).json(e.t, &me)
	require.NotEmpty(e.t, me.ID)
	return me.ID
}

// emptyInbox clears what events wrote while the test set itself up, so
// that the test counts only the rows it inserts.
func (e *testEnv) emptyInbox(userID string) {
	e.t.Helper()
	_, err := e.store.DB().ExecContext(e.t.Context(), "DELETE FROM notifications WHERE user_id = $1", userID)
	require.NoError(e.t, err)
}

type inboxItem struct {
	workflow.Notification
	Path string `json:"path"`
}

type inbox struct {
	Items      []inboxItem `json:"items"`
	NextCursor string      `json:"next_cursor"`
	Unread     int         `json:"unread"`
}

func (e *testEnv) inbox(token, query string) inbox {
	e.t.Helper()
	res := e.do(req{Method: "GET", Path: "/api/v1/me/notifications" + query, Token: token})
	require.Equal(e.t, 200, res.Status, "%s", res.Body)
	var in inbox
	res.json(e.t, &in)
	return in
}

func ids(items []inboxItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

func TestInboxPagesNewestFirstAndMarksRead(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("INBOX")
		sh, partner := c.tokens["stakeholder"], c.tokens["partner"]
		me, other := e.userID(sh), e.userID(partner)
		e.emptyInbox(me)
		require.Equal(t, inbox{Items: []inboxItem{}}, e.inbox(sh, ""))

		// Five, the two newest at the same moment (the id orders them), and
		// one of someone else's.
		base := time.Now().Add(-time.Hour).UTC().Truncate(time.Microsecond)
		var want []string
		for i, at := range []time.Time{base.Add(4 * time.Minute), base.Add(4 * time.Minute), base.Add(3 * time.Minute), base.Add(2 * time.Minute), base} {
			n := testNotice{user: me, project: c.project.ID, kind: workflow.NoticeConsultationOpened, deliverable: c.plan.ID, title: c.plan.Title, at: at}
			if i == 4 {
				n = testNotice{user: me, project: c.project.ID, kind: workflow.NoticeInvited, title: c.project.Title, at: at}
			}
			n.id = workflow.NewID()
			e.insertNotice(n)
			want = append(want, n.id)
		}
		if want[0] < want[1] {
			want[0], want[1] = want[1], want[0]
		}
		theirs := workflow.NewID()
		e.insertNotice(testNotice{id: theirs, user: other, project: c.project.ID, kind: workflow.NoticeApproved, deliverable: c.plan.ID, title: c.plan.Title})

		var got []string
		query, pages := "?limit=2", 0
		for {
			in := e.inbox(sh, query)
			require.Equal(t, 5, in.Unread, "the count is of the whole inbox, not the page")
			require.LessOrEqual(t, len(in.Items), 2)
			got = append(got, ids(in.Items)...)
			pages++
			if in.NextCursor == "" {
				break
			}
			query = "?limit=2&cursor=" + in.NextCursor
		}
		require.Equal(t, want, got)
		require.Equal(t, 3, pages)

		all := e.inbox(sh, "")
		require.Len(t, all.Items, 5)
		require.Equal(t, "/ui/action-plans/"+c.plan.ID, all.Items[0].Path)
		require.Equal(t, workflow.KindActionPlan, all.Items[0].DeliverableKind)
		require.Equal(t, "INBOX", all.Items[0].ProjectAcronym)
		require.Equal(t, "/ui/projects/"+c.project.ID, all.Items[4].Path)
		require.Nil(t, all.Items[0].ReadAt)

		// One read: 204, the count goes down, again changes nothing.
		read := func(id, token string) response {
			return e.do(req{Method: "POST", Path: "/api/v1/me/notifications/" + id + "/read", Token: token})
		}
		require.Equal(t, 204, read(want[2], sh).Status)
		require.Equal(t, 204, read(want[2], sh).Status)
		all = e.inbox(sh, "")
		require.Equal(t, 4, all.Unread)
		require.NotNil(t, all.Items[2].ReadAt)
		require.Nil(t, all.Items[1].ReadAt)

		// Someone else's, one that does not exist, and a malformed id.
		res := read(theirs, sh)
		require.Equal(t, 404, res.Status)
		require.Equal(t, "not_found", res.problem(t).Code)
		require.Equal(t, 404, read(workflow.NewID(), sh).Status)
		require.Equal(t, 400, read("not-an-id", sh).Status)
		require.Equal(t, 1, e.inbox(partner, "").Unread, "the partner's stays unread")

		// All at once: how many were unread, then none.
		markAll := func(token string) int {
			res := e.do(req{Method: "POST", Path: "/api/v1/me/notifications/read", Token: token})
			require.Equal(t, 200, res.Status, "%s", res.Body)
			var out struct {
				Marked int `json:"marked"`
			}
			res.json(t, &out)
			return out.Marked
		}
		require.Equal(t, 4, markAll(sh))
		require.Equal(t, 0, markAll(sh))
		all = e.inbox(sh, "")
		require.Zero(t, all.Unread)
		for _, it := range all.Items {
			require.NotNil(t, it.ReadAt, it.ID)
		}
		require.Equal(t, 1, e.inbox(partner, "").Unread, "marking mine marks none of theirs")
	})
}

func TestInboxRefusesForeignCursorsAndLimits(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		enc := base64.RawURLEncoding.EncodeToString
		for _, q := range []string{
			"?cursor=" + enc([]byte(workflow.NewID())), // another list's cursor: a bare id
			"?cursor=" + enc([]byte("x."+workflow.NewID())),
			"?cursor=" + enc([]byte("17.not-an-id")),
			"?cursor=%%%",
			"?limit=0", "?limit=201", "?limit=ten",
		} {
			res := e.do(req{Method: "GET", Path: "/api/v1/me/notifications" + q, Token: e.admin})
			require.Equal(t, 400, res.Status, "%s: %s", q, res.Body)
			require.Equal(t, "invalid_parameter", res.problem(t).Code, q)
		}
	})
}

// The inbox shows only what the person may still see: a notification of a
// comment hidden since leaves it, and its count, and cannot be marked.
func TestInboxDropsHiddenComments(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("INHIDE")
		sh, coord := c.tokens["stakeholder"], c.tokens["coordinator"]
		var cm workflow.Comment
		e.create("/api/v1/action-plans/"+c.plan.ID+"/comments", sh, map[string]any{"body": "A question", "section": "general", "stance": "question"}, &cm)
		me := e.userID(sh)
		e.emptyInbox(me)
		id := workflow.NewID()
		e.insertNotice(testNotice{id: id, user: me, project: c.project.ID, kind: workflow.NoticeCommentResponse, deliverable: c.plan.ID, comment: cm.ID, title: c.plan.Title})
		e.insertNotice(testNotice{user: me, project: c.project.ID, kind: workflow.NoticeConsultationOpened, deliverable: c.plan.ID, title: c.plan.Title,
			at: time.Now().Add(-time.Minute)})

		in := e.inbox(sh, "")
		require.Equal(t, 2, in.Unread)
		require.Equal(t, id, in.Items[0].ID)
		require.Equal(t, "/ui/action-plans/"+c.plan.ID+"#c-"+cm.ID, in.Items[0].Path)

		res := e.do(req{Method: "POST", Path: "/api/v1/comments/" + cm.ID + "/hide", Token: coord, Body: map[string]any{"reason": "off topic"}})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		in = e.inbox(sh, "")
		require.Equal(t, 1, in.Unread)
		require.Len(t, in.Items, 1)
		require.NotEqual(t, id, in.Items[0].ID)
		require.Equal(t, 404, e.do(req{Method: "POST", Path: "/api/v1/me/notifications/" + id + "/read", Token: sh}).Status)
	})
}

type mailSettings map[workflow.NoticeKind]workflow.MailChoice

func (e *testEnv) mailSettings(token string) mailSettings {
	e.t.Helper()
	res := e.do(req{Method: "GET", Path: "/api/v1/me/mail-settings", Token: token})
	require.Equal(e.t, 200, res.Status, "%s", res.Body)
	var out mailSettings
	res.json(e.t, &out)
	return out
}

func TestMailSettings(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("MAILSET")
		sh, partner := c.tokens["stakeholder"], c.tokens["partner"]
		defaults := mailSettings{}
		for _, k := range workflow.NoticeKinds {
			defaults[k] = workflow.DefaultMailChoice(k)
		}
		require.Equal(t, defaults, e.mailSettings(sh))
		require.Equal(t, workflow.MailNow, defaults[workflow.NoticeConsultationOpened])
		require.Equal(t, workflow.MailDigest, defaults[workflow.NoticeCommentReply])

		patch := func(token string, body any) response {
			var raw []byte
			if s, ok := body.(string); ok {
				raw = []byte(s)
			}
			if raw != nil {
				return e.do(req{Method: "PATCH", Path: "/api/v1/me/mail-settings", Token: token, Raw: raw, Headers: map[string]string{"Content-Type": "application/json"}})
			}
			return e.do(req{Method: "PATCH", Path: "/api/v1/me/mail-settings", Token: token, Body: body})
		}
		res := patch(sh, map[string]any{"comment_reply": "off", "invited": "digest", "consultation_opened": "now"})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		want := maps.Clone(defaults)
		want[workflow.NoticeCommentReply], want[workflow.NoticeInvited] = workflow.MailOff, workflow.MailDigest
		var got mailSettings
		res.json(t, &got)
		require.Equal(t, want, got, "the answer is the whole settings")
		require.Equal(t, want, e.mailSettings(sh))
		require.Equal(t, defaults, e.mailSettings(partner), "only the caller's own")

		// An empty object changes nothing.
		res = patch(sh, map[string]any{})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		require.Equal(t, want, e.mailSettings(sh))

		// Refused, naming the field, and nothing of the body is saved.
		for _, bad := range []struct {
			body, code, field string
		}{
			{`{"comment_reply": "now", "birthday": "now"}`, "unknown_field", "birthday"},
			{`{"Comment_Reply": "now"}`, "unknown_field", "Comment_Reply"},
			{`{"comment_reply": "sometimes"}`, "invalid_parameter", "comment_reply"},
			{`{"comment_reply": "now", "invited": "NOW"}`, "invalid_parameter", "invited"},
			{`{"comment_reply": null}`, "wrong_type", "comment_reply"},
			{`{"comment_reply": ["off"], "birthday": "now"}`, "unknown_field", "comment_reply"},
			{`{"comment_reply": 1}`, "wrong_type", "comment_reply"},
			{`{"comment_reply": "now", "comment_reply": "off"}`, "duplicate_field", "comment_reply"},
		} {
			res := patch(sh, bad.body)
			require.Equal(t, 400, res.Status, "%s: %s", bad.body, res.Body)
			p := res.problem(t)
			require.Equal(t, bad.code, p.Code, bad.body)
			var fields []string
			for _, f := range p.Errors {
				fields = append(fields, f.Field)
			}
			require.Contains(t, fields, bad.field, bad.body)
			require.Equal(t, want, e.mailSettings(sh), bad.body)
		}
		for _, body := range []string{`null`, `[]`, `"now"`, ``} {
			res := patch(sh, body+" ")
			require.Equal(t, 400, res.Status, "%q: %s", body, res.Body)
		}
		res = e.do(req{Method: "PATCH", Path: "/api/v1/me/mail-settings", Token: sh, Raw: []byte(`{"invited":"off"}`), Headers: map[string]string{"Content-Type": "text/plain"}})
		require.Equal(t, 415, res.Status, "%s", res.Body)
		require.Equal(t, want, e.mailSettings(sh))
	})
}

// The contract names every kind, and only those: a kind added to workflow
// must be added to openapi.yaml.
func TestOpenAPINamesEveryNoticeKind(t *testing.T) {
	var kinds []string
	for _, k := range workflow.NoticeKinds {
		kinds = append(kinds, string(k))
	}
	slices.Sort(kinds)
	schemas := openapiDoc.Components.Schemas
	var enum []string
	for _, v := range schemas["NoticeKind"].Value.Enum {
		enum = append(enum, v.(string))
	}
	slices.Sort(enum)
	require.Equal(t, kinds, enum)
	for _, name := range []string{"MailSettings", "MailSettingsPatch"} {
		require.Equal(t, kinds, slices.Sorted(maps.Keys(schemas[name].Value.Properties)), name)
	}
	required := slices.Clone(schemas["MailSettings"].Value.Required)
	slices.Sort(required)
	require.Equal(t, kinds, required)
	var choices []string
	for _, v := range schemas["MailChoice"].Value.Enum {
		choices = append(choices, v.(string))
	}
	require.Equal(t, strings.Fields("now digest off"), choices)
}
