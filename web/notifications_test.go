package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// notify writes a notification straight into the table, as the store's
// events do (the tests do not depend on which events write them).
func (s *site) notify(t *testing.T, to person, kind workflow.NoticeKind, deliverableID, title string, actor *person, at time.Time) string {
	t.Helper()
	var projectID string
	require.NoError(t, s.store.DB().QueryRowContext(ctx, `SELECT project_id FROM memberships WHERE user_id = $1`, to.user.ID).Scan(&projectID))
	id := workflow.NewID()
	var dl, actorID any
	if deliverableID != "" {
		dl = deliverableID
	}
	if actor != nil {
		actorID = actor.user.ID
	}
	_, err := s.store.DB().ExecContext(ctx, `INSERT INTO notifications (id, user_id, project_id, kind, deliverable_id, title, revision,
		actor_id, mail, created_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, 'digest', $8)`,
		id, to.user.ID, projectID, string(kind), dl, title, actorID, at.UTC())
	require.NoError(t, err)
	return id
}

// clearNotifications drops what the site's setup told people (the
// submitted plan's consultation), so that each test counts its own.
func (s *site) clearNotifications(t *testing.T) {
	t.Helper()
	_, err := s.store.DB().ExecContext(ctx, `DELETE FROM notifications`)
	require.NoError(t, err)
}

// TestNotificationsInbox: the inbox lists a person's notifications,
// newest first, each its line and link, unread ones marked in words; the
// menu counts the unread; one or all are marked read (POST, then back);
// someone else's cannot be; older ones are a page further.
func TestNotificationsInbox(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			s := newSite(t, d, nil)
			s.clearNotifications(t)
			t0 := time.Now().Add(-time.Hour)
			older := s.notify(t, s.reader, workflow.NoticeCommentReply, s.planID, "Crafts <b>plan</b>", &s.owner, t0)
			newer := s.notify(t, s.reader, workflow.NoticeConsultationOpened, s.planID, "Crafts <b>plan</b>", &s.owner, t0.Add(time.Minute))
			theirs := s.notify(t, s.outsider, workflow.NoticeInvited, "", "Pages", nil, t0)

			b := s.browser(t)
			b.signIn(s.reader)
			res := b.get("/ui/notifications")
			require.Equal(t, 200, res.status, res.body)
			requireHas(t, res.body, "<h1>Notifications</h1>")
			requireHas(t, res.body, `<span class="visually-hidden">Notifications, 2 unread</span>`)
			requireHas(t, res.body, `<a href="/ui/notifications" aria-current="page">`)
			reply := `Giulia Owner replied to your comment on “Crafts &lt;b&gt;plan&lt;/b&gt;”.`
			opened := `Giulia Owner opened a consultation for your stakeholder group on “Crafts &lt;b&gt;plan&lt;/b&gt;” (revision 1).`
			requireHas(t, res.body, reply)
			requireHas(t, res.body, opened)
			requireLacks(t, res.body, "<b>plan</b>")
			require.Less(t, strings.Index(res.body, opened), strings.Index(res.body, reply), "newest first")
			requireHas(t, res.body, `<a href="/ui/action-plans/`+s.planID+`" id="n-`+older+`">`)
			require.Equal(t, 2, strings.Count(res.body, `<span class="state">Unread:</span>`), "unread is said in words")
			requireHas(t, res.body, `action="/ui/notifications/`+newer+`/read"`)
			requireHas(t, res.body, "WEB · <time")
			requireLacks(t, res.body, theirs)

			// A title in another language than the page's carries its own.
			_, err := s.store.DB().ExecContext(ctx, `UPDATE notifications SET title_lang = 'hu' WHERE id = $1`, older)
			require.NoError(t, err)
			res = b.get("/ui/notifications")
			requireHas(t, res.body, `on “<span lang="hu">Crafts &lt;b&gt;plan&lt;/b&gt;</span>”.`)
			_, err = s.store.DB().ExecContext(ctx, `UPDATE notifications SET title_lang = '' WHERE id = $1`, older)
			require.NoError(t, err)

			// Another page shows the count in the menu too.
			requireHas(t, b.get("/ui/consultations").body, "Notifications, 2 unread")

			// Mark one read: back to the inbox, which says so.
			res = b.post("/ui/notifications/"+newer+"/read", url.Values{})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Equal(t, "/ui/notifications?done=read", res.header.Get("Location"))
			res = b.get(res.header.Get("Location"))
			requireHas(t, res.body, "The notification is marked as read.")
			requireHas(t, res.body, "Notifications, 1 unread")
			require.Equal(t, 1, strings.Count(res.body, `<span class="state">Unread:</span>`))
			requireLacks(t, res.body, `action="/ui/notifications/`+newer+`/read"`)
			n, err := s.store.UnreadNotifications(ctx, s.reader.user.ID)
			require.NoError(t, err)
			require.Equal(t, 1, n)

			// Without the form's token nothing is marked.
			res = b.post("/ui/notifications/read", url.Values{"csrf": {"forged"}})
			require.Equal(t, http.StatusForbidden, res.status)
			// Someone else's notification is not found.
			b.get("/ui/notifications")
			res = b.post("/ui/notifications/"+theirs+"/read", url.Values{})
			require.Equal(t, http.StatusNotFound, res.status)
			n, err = s.store.UnreadNotifications(ctx, s.outsider.user.ID)
			require.NoError(t, err)
			require.Equal(t, 1, n)

			// Mark all read.
			b.get("/ui/notifications")
			res = b.post("/ui/notifications/read", url.Values{})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			res = b.get(res.header.Get("Location"))
			requireHas(t, res.body, "All your notifications are marked as read.")
			requireLacks(t, res.body, "unread</span>")
			requireLacks(t, res.body, `<span class="state">`)
			requireLacks(t, res.body, `action="/ui/notifications/read"`)

			// Older ones are a page further; its forms come back to it.
			for i := range 30 {
				s.notify(t, s.reader, workflow.NoticeCommentCreated, s.planID, fmt.Sprintf("Plan %02d", i), &s.owner, t0.Add(time.Duration(i+2)*time.Minute))
			}
			res = b.get("/ui/notifications")
			requireHas(t, res.body, "Plan 29")
			requireLacks(t, res.body, reply, "the oldest is on the next page")
			next := regexpFind(t, res.body, `href="(/ui/notifications\?after=[^"]+)">Older notifications</a>`)
			res = b.get(strings.ReplaceAll(next, "&amp;", "&"))
			require.Equal(t, 200, res.status, res.body)
			requireHas(t, res.body, reply)
			requireHas(t, res.body, opened)
			requireLacks(t, res.body, "Plan 29")
			requireHas(t, res.body, `<a href="/ui/notifications">Back to the newest</a>`)
			// A cursor made up shows the first page.
			res = b.get("/ui/notifications?after=nonsense")
			require.Equal(t, 200, res.status)
			requireHas(t, res.body, "Plan 29")

			// Empty.
			ob := s.browser(t)
			ob.signIn(s.owner)
			res = ob.get("/ui/notifications")
			requireHas(t, res.body, "You have no notifications.")
			requireHas(t, res.body, `<a href="/ui/notifications" aria-current="page">Notifications</a>`)
			requireHas(t, ob.get("/ui/consultations").body, `<a href="/ui/notifications">Notifications</a>`)
		})
	}
}

// TestMailSettingsPage: "My data" shows a choice per kind (the defaults
// first), saves them, and a refused form comes back with what was chosen.
func TestMailSettingsPage(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			s := newSite(t, d, nil)
			b := s.browser(t)
			b.signIn(s.reader)
			res := b.get("/ui/me")
			require.Equal(t, 200, res.status, res.body)
			requireHas(t, res.body, `<h2 id="mail" tabindex="-1">Mail about notifications</h2>`)
			requireHas(t, res.body, `<label for="m-comment_reply">A reply to my comment</label>`)
			requireHas(t, res.body, `<option value="digest" selected>In the daily digest</option>`)
			requireHas(t, res.body, `<option value="now" selected>At once</option>`)
			require.Equal(t, len(workflow.NoticeKinds), strings.Count(res.body, `<select id="m-`))

			form := url.Values{}
			for _, k := range workflow.NoticeKinds {
				form.Set(string(k), string(workflow.DefaultMailChoice(k)))
			}
			form.Set("comment_reply", "off")
			form.Set("report_due", "now")
			res = b.post("/ui/me/mail", form)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Equal(t, "/ui/me?mail=saved#mail", res.header.Get("Location"))
			got, err := s.store.MailSettings(ctx, s.reader.user.ID)
			require.NoError(t, err)
			require.Equal(t, workflow.MailOff, got[workflow.NoticeCommentReply])
			require.Equal(t, workflow.MailNow, got[workflow.NoticeReportDue])
			require.Equal(t, workflow.MailDigest, got[workflow.NoticeCommentCreated])
			res = b.get(res.header.Get("Location"))
			requireHas(t, res.body, "Your mail settings are saved.")

			// Refused: one choice not offered. Nothing is saved, and the
			// page keeps every choice made.
			form.Set("comment_reply", "now")
			form.Set("document_ready", "sometimes")
			res = b.post("/ui/me/mail", form)
			require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
			requireHas(t, res.body, `<a href="#m-document_ready">A document I asked for is ready</a>: Choose one of the choices offered.`)
			requireHas(t, res.body, `aria-describedby="m-document_ready-error"`)
			sel := regexpFind(t, res.body, `(?s)<select id="m-comment_reply".*?</select>`)
			requireHas(t, sel, `<option value="now" selected>`)
			got, err = s.store.MailSettings(ctx, s.reader.user.ID)
			require.NoError(t, err)
			require.Equal(t, workflow.MailOff, got[workflow.NoticeCommentReply], "a refused form saves nothing")
		})
	}
}

// TestUnsubscribeLink: the link's page changes nothing; its button, or a
// mail client's one-click POST without cookies or a form token, turns
// off that kind for that person only; a tampered link gets 400; the
// digest's link turns off what came in the digest.
func TestUnsubscribeLink(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			s := newSite(t, d, nil)
			defaults := workflow.MailSettings{}
			for _, k := range workflow.NoticeKinds {
				defaults[k] = workflow.DefaultMailChoice(k)
			}
			settings := func(p person) workflow.MailSettings {
				got, err := s.store.MailSettings(ctx, p.user.ID)
				require.NoError(t, err)
				return got
			}
			token, err := s.store.UnsubscribeToken(s.reader.user.ID, workflow.NoticeConsultationOpened)
			require.NoError(t, err)
			link := "/ui/unsubscribe/" + token

			// GET shows the kind and a button, and changes nothing.
			anon := s.browser(t)
			res := anon.get(link)
			require.Equal(t, 200, res.status, res.body)
			requireHas(t, res.body, "A consultation opens for my group")
			requireHas(t, res.body, `<form method="post" action="`+link+`">`)
			require.Equal(t, defaults, settings(s.reader))

			// One-click: a bare POST, as a mail client sends it.
			r, err := http.NewRequest("POST", s.url+link, strings.NewReader("List-Unsubscribe=One-Click"))
			require.NoError(t, err)
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := http.DefaultClient.Do(r)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, 200, resp.StatusCode)
			want := workflow.MailSettings{}
			for k, c := range defaults {
				want[k] = c
			}
			want[workflow.NoticeConsultationOpened] = workflow.MailOff
			require.Equal(t, want, settings(s.reader), "only that kind")
			require.Equal(t, defaults, settings(s.owner), "only that person")
			require.Equal(t, defaults, settings(s.outsider))

			// The page's button, for another kind.
			token, err = s.store.UnsubscribeToken(s.reader.user.ID, workflow.NoticeCommentReply)
			require.NoError(t, err)
			anon.get("/ui/unsubscribe/" + token)
			res = anon.post("/ui/unsubscribe/"+token, url.Values{})
			require.Equal(t, 200, res.status, res.body)
			requireHas(t, res.body, "Done: you no longer get mail of this kind: A reply to my comment.")
			requireHas(t, res.body, `href="/ui/me#mail"`)
			require.Equal(t, workflow.MailOff, settings(s.reader)[workflow.NoticeCommentReply])

			// Tampered: another person's id, another kind, a changed
			// signature. Nothing changes.
			other, err := s.store.UnsubscribeToken(s.owner.user.ID, workflow.NoticeCommentReply)
			require.NoError(t, err)
			parts := strings.Split(other, ".")
			sig := []byte(parts[2])
			sig[0] ^= 1
			for _, bad := range []string{
				s.reader.user.ID + "." + parts[1] + "." + parts[2],
				parts[0] + ".deliverable_approved." + parts[2],
				parts[0] + "." + parts[1] + "." + string(sig),
				"nonsense",
			} {
				res = anon.get("/ui/unsubscribe/" + bad)
				require.Equal(t, http.StatusBadRequest, res.status, bad)
				requireHas(t, res.body, "This unsubscribe link is not valid")
				res = anon.post("/ui/unsubscribe/"+bad, url.Values{"List-Unsubscribe": {"One-Click"}})
				require.Equal(t, http.StatusBadRequest, res.status, bad)
				requireHas(t, res.body, "This unsubscribe link is not valid")
			}
			require.Equal(t, defaults, settings(s.owner))

			// The digest's link: what came in the digest is off, the rest
			// as it was.
			digest, err := s.store.UnsubscribeToken(s.owner.user.ID, workflow.NoticeDigest)
			require.NoError(t, err)
			res = anon.get("/ui/unsubscribe/" + digest)
			require.Equal(t, 200, res.status, res.body)
			requireHas(t, res.body, "stop the daily digest")
			require.Equal(t, defaults, settings(s.owner))
			res = anon.post("/ui/unsubscribe/"+digest, url.Values{})
			require.Equal(t, 200, res.status, res.body)
			requireHas(t, res.body, "Done: you no longer get the daily digest.")
			for k, c := range settings(s.owner) {
				if defaults[k] == workflow.MailDigest {
					require.Equal(t, workflow.MailOff, c, k)
				} else {
					require.Equal(t, defaults[k], c, k)
				}
			}
			// The links are lasting capabilities: the access log leaves
			// their tokens out.
			require.NotContains(t, s.log.String(), digest)
			require.NotContains(t, s.log.String(), parts[2])
			require.Contains(t, s.log.String(), `"path":"/ui/unsubscribe/[redacted]"`)
		})
	}
}

// regexpFind is the first match of pattern in body: its first group, or
// the whole match when it has none.
func regexpFind(t *testing.T, body, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(body)
	require.NotNil(t, m, "no %s in the page", pattern)
	return m[len(m)-1]
}
