package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/web"
	"github.com/craftscode/craftscode/workflow"
)

// coordinator adds the project's coordinator to the site.
func (s *site) coordinator(t *testing.T) person {
	t.Helper()
	d, err := s.store.Deliverable(ctx, workflow.KindActionPlan, s.planID)
	require.NoError(t, err)
	u := workflow.User{Email: "coordinator@example.org", Name: "Ana Coordinator"}
	token, hash := workflow.NewToken()
	require.NoError(t, s.store.CreateUser(ctx, &u, hash, "test"))
	require.NoError(t, s.store.CreateMembership(ctx, &workflow.Membership{ProjectID: d.Head().ProjectID, UserID: u.ID, Role: workflow.RoleCoordinator}))
	return person{u, token}
}

// formVersion finds the version an edit or delete form of a comment carries.
func formVersion(t *testing.T, body, action, cid string) string {
	t.Helper()
	m := regexp.MustCompile(`action="/ui/comments/` + cid + `/` + action + `">\s*<input type="hidden" name="csrf" value="[^"]+">\s*<input type="hidden" name="version" value="(\d+)">`).FindStringSubmatch(body)
	require.NotNil(t, m, "no %s form for %s", action, cid)
	return m[1]
}

// TestEditDeleteHideComment: the author edits (a stale edit is refused
// and keeps the typed text) and deletes their comment; nobody else can,
// whatever they send; the coordinator hides a comment with a reason,
// after which stakeholders no longer see it and the owner sees it marked.
func TestEditDeleteHideComment(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, d, nil)
			plan := "/ui/action-plans/" + s.planID
			const sec = "part2.policy_context"
			page := plan + "?section=" + sec // the section's page has the comments' forms
			reader, owner, coord, outsider := s.browser(t), s.browser(t), s.browser(t), s.browser(t)
			reader.signIn(s.reader)
			owner.signIn(s.owner)
			coord.signIn(s.coordinator(t))
			outsider.signIn(s.outsider)
			reader.get(page)
			for _, body := range []string{"First words", "Rude words"} {
				res := reader.post(plan+"/comments", url.Values{"section": {sec}, "stance": {"concern"}, "body": {body}})
				require.Equal(t, http.StatusSeeOther, res.status, res.body)
			}
			ownerP := principal(t, s, s.owner)
			comments, _, err := s.store.Comments(ctx, workflow.KindActionPlan, s.planID, 0, ownerP, workflow.Page{})
			require.NoError(t, err)
			require.Len(t, comments, 2)
			cid, rude := comments[0].ID, comments[1].ID
			stored := func(id string) workflow.Comment {
				t.Helper()
				cm, err := s.store.Comment(ctx, id, ownerP)
				require.NoError(t, err)
				return cm
			}

			// The author gets the forms, with labels; the owner and the
			// coordinator do not get the author's forms, and only the
			// coordinator gets the hide form.
			res := reader.get(page)
			requireHas(t, res.body, `action="/ui/comments/`+cid+`/edit"`)
			requireHas(t, res.body, `action="/ui/comments/`+cid+`/delete"`)
			requireHas(t, res.body, `<textarea id="edit-body-`+cid+`" name="body" rows="4" maxlength="5000" required>First words</textarea>`)
			requireHas(t, res.body, `<option value="concern" selected>Concern</option>`)
			requireLacks(t, res.body, "/hide")
			requireLabels(t, res.body)
			version := formVersion(t, res.body, "edit", cid)
			for _, b := range []*browser{owner, coord} {
				body := b.get(page).body
				requireLacks(t, body, `/edit"`)
				requireLacks(t, body, `/delete"`)
			}
			requireLacks(t, owner.get(page).body, "/hide")
			body := coord.get(page).body
			requireHas(t, body, `action="/ui/comments/`+cid+`/hide"`)
			requireLabels(t, body)

			// A crafted edit or delete by someone else is refused and changes nothing.
			for _, b := range []*browser{owner, coord} {
				res = b.post("/ui/comments/"+cid+"/edit", url.Values{"version": {version}, "stance": {"support"}, "body": {"Not mine"}})
				require.Equal(t, http.StatusForbidden, res.status, res.body)
				requireHas(t, res.body, "only its author may change a comment")
				res = b.post("/ui/comments/"+cid+"/delete", url.Values{"version": {version}, "confirm": {"yes"}})
				require.Equal(t, http.StatusForbidden, res.status, res.body)
			}
			outsider.get("/ui/consultations")
			res = outsider.post("/ui/comments/"+cid+"/edit", url.Values{"version": {version}, "stance": {"support"}, "body": {"Not mine"}})
			require.Equal(t, http.StatusNotFound, res.status)
			res = outsider.post("/ui/comments/"+cid+"/delete", url.Values{"version": {version}, "confirm": {"yes"}})
			require.Equal(t, http.StatusNotFound, res.status)
			res = reader.post("/ui/comments/"+cid+"/hide", url.Values{"reason": {"I may not"}})
			require.Equal(t, http.StatusForbidden, res.status)
			res = owner.post("/ui/comments/"+cid+"/hide", url.Values{"reason": {"I may not"}})
			require.Equal(t, http.StatusForbidden, res.status)

			// Without the form's token, nothing is done.
			reader.get(page)
			res = reader.post("/ui/comments/"+cid+"/edit", url.Values{"version": {version}, "stance": {"support"}, "body": {"Forged"}, "csrf": {""}})
			require.Equal(t, http.StatusForbidden, res.status)
			res = reader.post("/ui/comments/"+cid+"/delete", url.Values{"version": {version}, "confirm": {"yes"}, "csrf": {"forged"}})
			require.Equal(t, http.StatusForbidden, res.status)
			coord.get(page)
			res = coord.post("/ui/comments/"+cid+"/hide", url.Values{"reason": {"Forged"}, "csrf": {""}})
			require.Equal(t, http.StatusForbidden, res.status)
			cm := stored(cid)
			require.Equal(t, "First words", cm.Body)
			require.False(t, cm.Hidden || cm.Deleted || cm.Edited)

			// The author edits, from the section's page, and lands back there.
			reader.get(page)
			res = reader.post("/ui/comments/"+cid+"/edit", url.Values{"version": {version}, "stance": {"question"}, "body": {"Better words"}, "back": {sec}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Equal(t, plan+"?done=edited&section="+sec+"#c-"+cid, res.header.Get("Location"))
			res = reader.get(res.header.Get("Location"))
			requireHas(t, res.body, "Your comment is saved.")
			requireHas(t, res.body, `<p class="body">Better words</p>`)
			requireHas(t, res.body, " · edited")
			requireHas(t, res.body, `<option value="question" selected>Question</option>`)
			requireHas(t, owner.get(page).body, "Better words")

			// An edit from a stale page (the old version) is refused in words;
			// the typed text comes back in the open form, escaped; nothing changes.
			typed := `Typed in another tab </textarea><script>alert(1)</script>`
			res = reader.post("/ui/comments/"+cid+"/edit", url.Values{"version": {version}, "stance": {"support"}, "body": {typed}})
			require.Equal(t, http.StatusConflict, res.status, res.body)
			requireHas(t, res.body, "was changed since you opened the form")
			requireHas(t, res.body, `required>Typed in another tab &lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>`)
			requireLacks(t, res.body, "<script>alert")
			requireHas(t, res.body, `<p class="body">Better words</p>`, "the current text shows")
			requireHas(t, res.body, `<option value="support" selected>Support</option>`, "the typed stance is kept")
			require.NotEqual(t, version, formVersion(t, res.body, "edit", cid), "the form now carries the current version")
			cm = stored(cid)
			require.Equal(t, "Better words", cm.Body)
			require.Equal(t, workflow.StanceQuestion, cm.Stance)

			// An empty edit is refused and shown, not a 500.
			res = reader.post("/ui/comments/"+cid+"/edit", url.Values{"version": {formVersion(t, res.body, "edit", cid)}, "stance": {"support"}, "body": {"  "}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)

			// Delete needs the box ticked; then the comment shows as deleted, without forms.
			version = formVersion(t, reader.get(page).body, "delete", cid)
			res = reader.post("/ui/comments/"+cid+"/delete", url.Values{"version": {version}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status)
			requireHas(t, res.body, "tick the box")
			require.False(t, stored(cid).Deleted)
			res = reader.post("/ui/comments/"+cid+"/delete", url.Values{"version": {version}, "confirm": {"yes"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			res = reader.get(res.header.Get("Location"))
			requireHas(t, res.body, "Your comment is deleted.")
			requireHas(t, res.body, "This comment was deleted by its author.")
			requireLacks(t, res.body, "Better words")
			requireLacks(t, res.body, `/ui/comments/`+cid+`/edit"`)
			require.True(t, stored(cid).Deleted)

			// The coordinator hides the other comment; a reason is required.
			coord.get(page)
			res = coord.post("/ui/comments/"+rude+"/hide", url.Values{"reason": {"  "}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status)
			requireHas(t, res.body, "the reason is not valid")
			res = coord.post("/ui/comments/"+rude+"/hide", url.Values{"reason": {"Off <i>topic</i>"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Equal(t, plan+"?done=hidden#c-"+rude, res.header.Get("Location"))
			res = coord.get(res.header.Get("Location"))
			requireHas(t, res.body, "The comment is hidden.")
			requireLacks(t, res.body, `/ui/comments/`+rude+`/hide"`, "hidden once")
			requireLacks(t, reader.get(page).body, "Rude words")
			res = owner.get(page)
			requireHas(t, res.body, `<article class="comment hidden" id="c-`+rude+`">`)
			requireHas(t, res.body, "Hidden by the coordinator: Off &lt;i&gt;topic&lt;/i&gt;")
			requireHas(t, res.body, "Rude words")
			// The hidden comment is not found for its author any more, whatever they send.
			res = reader.post("/ui/comments/"+rude+"/edit", url.Values{"version": {"2"}, "stance": {"support"}, "body": {"Sorry"}})
			require.Equal(t, http.StatusNotFound, res.status)
		})
	}
}

// TestEditRateLimit: edits share the comments' per-person rate limit, as
// in the API; a refused edit keeps the typed text.
func TestEditRateLimit(t *testing.T) {
	s := newSite(t, sqlstore.SQLite, func(c *web.Config) { c.CommentBurst, c.CommentRate = 1, 0.001 })
	plan := "/ui/action-plans/" + s.planID
	page := plan + "?section=general" // the section's page has the comments' forms
	reader := s.browser(t)
	reader.signIn(s.reader)
	reader.get(page)
	cid := postComment(t, reader, plan, "Fine")
	version := formVersion(t, reader.get(page).body, "edit", cid)
	res := reader.post("/ui/comments/"+cid+"/edit", url.Values{"version": {version}, "stance": {"concern"}, "body": {"Too fast"}})
	require.Equal(t, http.StatusTooManyRequests, res.status)
	require.NotEmpty(t, res.header.Get("Retry-After"))
	requireHas(t, res.body, "commenting very fast")
	requireHas(t, res.body, `required>Too fast</textarea>`, "the typed text is kept")
}

// TestEditAfterClose: once the consultation closes the author's forms go;
// an edit sent from a page loaded before is refused, and its text is
// shown to copy, since there is no form to put it in.
func TestEditAfterClose(t *testing.T) {
	s := newSite(t, sqlstore.SQLite, nil)
	plan := "/ui/action-plans/" + s.planID
	page := plan + "?section=general" // the section's page has the comments' forms
	reader, owner := s.browser(t), s.browser(t)
	reader.signIn(s.reader)
	owner.signIn(s.owner)
	reader.get(page)
	cid := postComment(t, reader, plan, "Fine")
	version := formVersion(t, reader.get(page).body, "edit", cid)

	owner.get(page)
	require.Equal(t, http.StatusSeeOther, owner.post(plan+"/consultation/close", url.Values{}).status)
	res := reader.get(page)
	requireLacks(t, res.body, `/edit"`)
	requireLacks(t, res.body, `/delete"`)
	res = reader.post("/ui/comments/"+cid+"/edit", url.Values{"version": {version}, "stance": {"concern"}, "body": {"Too late <b>now</b>"}})
	require.Equal(t, http.StatusConflict, res.status)
	requireHas(t, res.body, "the consultation is closed")
	requireHas(t, res.body, `readonly>Too late &lt;b&gt;now&lt;/b&gt;</textarea>`)
	requireLabels(t, res.body)
	res = reader.post("/ui/comments/"+cid+"/delete", url.Values{"version": {version}, "confirm": {"yes"}})
	require.Equal(t, http.StatusConflict, res.status)
	cm, err := s.store.Comment(ctx, cid, principal(t, s, s.owner))
	require.NoError(t, err)
	require.Equal(t, "Fine", cm.Body)
	require.False(t, cm.Deleted)
}

// postComment posts a comment on the general section and returns its id.
func postComment(t *testing.T, b *browser, plan, body string) string {
	t.Helper()
	res := b.post(plan+"/comments", url.Values{"section": {workflow.GeneralSection}, "stance": {"support"}, "body": {body}})
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	m := regexp.MustCompile(`#c-([A-Za-z0-9_-]+)$`).FindStringSubmatch(res.header.Get("Location"))
	require.NotNil(t, m, res.header.Get("Location"))
	return m[1]
}
