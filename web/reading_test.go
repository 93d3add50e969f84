package web_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// roleMember adds a person of the project with a role.
func (s *site) roleMember(t *testing.T, email, name string, role workflow.Role) person {
	t.Helper()
	d, err := s.store.Deliverable(ctx, workflow.KindActionPlan, s.planID)
	require.NoError(t, err)
	u := workflow.User{Email: email, Name: name}
	token, hash := workflow.NewToken()
	require.NoError(t, s.store.CreateUser(ctx, &u, hash, "test"))
	require.NoError(t, s.store.CreateMembership(ctx, &workflow.Membership{ProjectID: d.Head().ProjectID, UserID: u.ID, Role: role}))
	return person{u, token}
}

var versionField = regexp.MustCompile(`name="version" value="(\d+)"`)

// fire goes through a transition's confirmation page and confirms it.
func fire(t *testing.T, b *browser, plan, trigger string, form url.Values) page {
	t.Helper()
	res := b.get(plan + "/transitions/" + trigger)
	require.Equal(t, http.StatusOK, res.status, res.body)
	m := versionField.FindStringSubmatch(res.body)
	require.NotNil(t, m, "the confirmation page carries the version")
	if form == nil {
		form = url.Values{}
	}
	form.Set("version", m[1])
	return b.post(plan+"/transitions/"+trigger, form)
}

// controls is what a page lets its reader do.
type controls struct {
	comment, transitions, close, panel bool
	heading                            string // the panel's heading
}

func requireControls(t *testing.T, body string, want controls, who string) {
	t.Helper()
	has := func(s string) bool { return strings.Contains(body, s) }
	require.Equal(t, want.comment, has("Comment on this section"), "%s: comment forms", who)
	require.Equal(t, want.transitions, has("/transitions/"), "%s: transitions", who)
	require.Equal(t, want.close, has(`id="close-consultation"`), "%s: close", who)
	require.Equal(t, want.panel, has(`id="owner-h"`), "%s: panel", who)
	if want.heading != "" {
		require.Contains(t, body, `<h2 id="owner-h">`+want.heading+`</h2>`, who)
	}
	require.Contains(t, body, `<h2 id="documents-h">Documents</h2>`, "%s: every reader sees the documents", who)
	require.Contains(t, body, "/history\">History of this deliverable</a>", who)
	requireLabels(t, body)
}

// TestReadingPageRoles: every role reads the plan in each state, with
// exactly the controls its rights give: the stakeholder comments while
// the consultation is open; the owner and the coordinator answer, close
// and move it; the secretariat approves; the observer changes nothing.
func TestReadingPageRoles(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, d, nil)
			plan := "/ui/action-plans/" + s.planID
			sec := plan + "?section=part2.policy_context"
			browsers := map[string]*browser{}
			for name, p := range map[string]person{"stakeholder": s.reader, "owner": s.owner,
				"coordinator": s.roleMember(t, "coord@example.org", "Ana Coordinator", workflow.RoleCoordinator),
				"secretariat": s.roleMember(t, "jts@example.org", "Joint Secretariat", workflow.RoleSecretariat),
				"observer":    s.roleMember(t, "obs@example.org", "Olga Observer", workflow.RoleObserver)} {
				b := s.browser(t)
				b.signIn(p)
				browsers[name] = b
			}
			check := func(state string, want map[string]controls) {
				t.Helper()
				for who, w := range want {
					res := browsers[who].get(plan)
					require.Equal(t, http.StatusOK, res.status, "%s in %s", who, state)
					require.Contains(t, res.body, `<dd id="state">`+state+`</dd>`)
					requireControls(t, res.body, w, who+" in "+state)
				}
			}

			// Open for comments, with one comment to answer.
			reader := browsers["stakeholder"]
			reader.get(plan)
			res := reader.post(plan+"/comments", url.Values{"section": {"part2.policy_context"}, "stance": {"question"}, "body": {"Who pays?"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			check("Stakeholder review", map[string]controls{
				"stakeholder": {comment: true},
				"owner":       {comment: true, transitions: true, close: true, panel: true, heading: "For the owner (partner)"},
				"coordinator": {comment: true, transitions: true, close: true, panel: true, heading: "For the coordinator"},
				"secretariat": {comment: true, transitions: true, panel: true, heading: "For the secretariat"},
				"observer":    {},
			})
			// The comment shows its author's organisation; the answerers get
			// the jump to it, and response forms on the section's page, with
			// no status chosen for them.
			body := browsers["owner"].get(plan).body
			requireHas(t, body, "<strong>Niccolò Reader</strong>, Group Firenze (Stakeholder)")
			requireHas(t, body, `id="first-unanswered"`)
			requireLacks(t, reader.get(plan).body, `id="first-unanswered"`)
			body = browsers["owner"].get(sec).body
			requireHas(t, body, `name="status" required><option value="">Choose…</option>`)
			for _, who := range []string{"stakeholder", "secretariat", "observer"} {
				requireLacks(t, browsers[who].get(sec).body, "/response\"", who)
			}
			requireLacks(t, browsers["observer"].get(sec).body, "<summary>Reply</summary>")
			// Approve is not offered while the consultation runs.
			requireLacks(t, browsers["coordinator"].get(plan).body, "/transitions/approve")

			// Closed early by the owner through its confirmation page, and answered.
			owner := browsers["owner"]
			res = owner.get(plan + "/consultation/close")
			require.Equal(t, http.StatusOK, res.status, res.body)
			requireHas(t, res.body, "Yes, close the consultation")
			require.Equal(t, http.StatusForbidden, reader.get(plan+"/consultation/close").status)
			require.Equal(t, http.StatusSeeOther, owner.post(plan+"/consultation/close", url.Values{}).status)
			comments, _, err := s.store.Comments(ctx, workflow.KindActionPlan, s.planID, 0, principal(t, s, s.owner), workflow.Page{})
			require.NoError(t, err)
			owner.get(sec)
			res = owner.post("/ui/comments/"+comments[0].ID+"/response", url.Values{"status": {"accepted"}, "body": {"The region."}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			check("Stakeholder review", map[string]controls{
				"stakeholder": {},
				"owner":       {transitions: true, panel: true},
				"coordinator": {transitions: true, panel: true},
				"secretariat": {transitions: true, panel: true},
				"observer":    {},
			})
			// Comments closed: a section without any has no comment column;
			// the one with the comment keeps its thread.
			body = reader.get(plan).body
			requireHas(t, body, `<div class="row wide">`)
			require.Equal(t, 1, strings.Count(body, `class="thread"`), "only the commented section has a thread column")
			requireHas(t, browsers["secretariat"].get(plan).body, "/transitions/approve\"")
			requireLacks(t, owner.get(plan).body, "/transitions/approve\"")

			// Approved by the secretariat: everyone still reads it, with the
			// comments and the answers.
			res = fire(t, browsers["secretariat"], plan, "approve", url.Values{"note": {"Fine."}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			check("Approved", map[string]controls{
				"stakeholder": {},
				"owner":       {transitions: true, panel: true},
				"coordinator": {transitions: true, panel: true},
				"secretariat": {},
				"observer":    {},
			})
			for who, b := range browsers {
				body := b.get(plan).body
				requireHas(t, body, "Who pays?", who)
				requireHas(t, body, "The region.", who)
				requireLacks(t, body, "Comment on this section", who)
			}
			// Monitored, then closed, by the coordinator: still read by all,
			// the answers with them. Phase 1 has ended, phase 2 runs.
			setPhases := func(phase2End string) {
				t.Helper()
				_, err := s.store.DB().ExecContext(ctx, `UPDATE projects SET phase1_start = '2019-01-01', phase1_end = '2020-12-31', phase2_end = '`+phase2End+`'`)
				require.NoError(t, err)
			}
			setPhases(time.Now().AddDate(1, 0, 0).Format("2006-01-02"))
			res = fire(t, browsers["coordinator"], plan, "start_monitoring", nil)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			check("Monitored", map[string]controls{
				"stakeholder": {},
				"owner":       {transitions: true, panel: true},
				"coordinator": {transitions: true, panel: true},
				"secretariat": {},
				"observer":    {},
			})
			setPhases(time.Now().AddDate(0, 0, -1).Format("2006-01-02"))
			res = fire(t, browsers["coordinator"], plan, "close", url.Values{"note": {"Done."}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			check("Closed", map[string]controls{
				"stakeholder": {}, "owner": {}, "coordinator": {}, "secretariat": {}, "observer": {},
			})
			for who, b := range browsers {
				body := b.get(plan).body
				requireHas(t, body, "Who pays?", who)
				requireHas(t, body, "The region.", who)
				requireLacks(t, body, `/edit"`, who)
			}
		})
	}
}

// TestTransitionPages: each transition says what it will do before it is
// done; revise without a note is refused next to the note field, keeping
// what was typed; submit takes a chosen deadline; a submit refused as
// incomplete goes to the edit page's check; a stale page is told so.
func TestTransitionPages(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, d, nil)
			plan := "/ui/action-plans/" + s.planID
			owner, reader := s.browser(t), s.browser(t)
			owner.signIn(s.owner)
			reader.signIn(s.reader)
			coord := s.browser(t)
			coord.signIn(s.roleMember(t, "coord@example.org", "Ana Coordinator", workflow.RoleCoordinator))

			// request_changes explains itself; a trigger not permitted now is refused.
			res := owner.get(plan + "/transitions/request_changes")
			require.Equal(t, http.StatusOK, res.status)
			requireHas(t, res.body, "returns to draft, and its consultation is withdrawn")
			requireHas(t, res.body, `<label for="note">Note`)
			requireLabels(t, res.body)
			require.Equal(t, http.StatusConflict, owner.get(plan+"/transitions/approve").status)
			require.Equal(t, http.StatusConflict, reader.get(plan+"/transitions/request_changes").status)
			require.Equal(t, http.StatusSeeOther, s.browser(t).get(plan+"/transitions/request_changes").status, "not signed in")

			// Approve fired while the consultation runs and a comment waits
			// for its answer: each unmet condition is listed.
			reader.get(plan)
			res = reader.post(plan+"/comments", url.Values{"section": {"general"}, "stance": {"support"}, "body": {"Good."}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			m := versionField.FindStringSubmatch(coord.get(plan + "/transitions/request_changes").body)
			res = coord.post(plan+"/transitions/approve", url.Values{"version": {m[1]}})
			require.Equal(t, http.StatusConflict, res.status, res.body)
			requireHas(t, res.body, "consultation: is still open")
			requireHas(t, res.body, "comments: 1 top-level comments have no response")
			comments, _, err := s.store.Comments(ctx, workflow.KindActionPlan, s.planID, 0, principal(t, s, s.owner), workflow.Page{})
			require.NoError(t, err)
			res = owner.post("/ui/comments/"+comments[0].ID+"/response", url.Values{"status": {"noted"}, "body": {"Thanks."}, "csrf": {owner.csrf}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)

			// A stale version is refused on the confirmation page, which then
			// carries the current one.
			res = owner.post(plan+"/transitions/request_changes", url.Values{"version": {"1"}, "note": {"kept"}})
			require.Equal(t, http.StatusConflict, res.status)
			requireHas(t, res.body, "changed this in the meantime")
			requireHas(t, res.body, ">kept</textarea>")

			// Close, approve, then revise without a note: refused, the note's
			// field says why, and the typed text stays.
			owner.get(plan)
			require.Equal(t, http.StatusSeeOther, owner.post(plan+"/consultation/close", url.Values{}).status)
			res = fire(t, coord, plan, "approve", nil)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			res = owner.get(plan + "/transitions/revise")
			requireHas(t, res.body, "Say why in the note")
			requireHas(t, res.body, `name="note" rows="3" maxlength="2000" required`)
			version := versionField.FindStringSubmatch(res.body)[1]
			res = owner.post(plan+"/transitions/revise", url.Values{"version": {version}, "note": {"   "}})
			require.Equal(t, http.StatusConflict, res.status, res.body)
			requireHas(t, res.body, `<p class="field-error" id="note-error">is required: a revision says why</p>`)
			requireHas(t, res.body, `aria-invalid="true"`)
			requireHas(t, res.body, ">   </textarea>")
			res = owner.post(plan+"/transitions/revise", url.Values{"version": {version}, "note": {"New funding"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)

			// Back in draft: the owner and the coordinator get the Edit link;
			// the secretariat and observers still read it, and change nothing.
			requireHas(t, owner.get(plan).body, `<a href="`+plan+`/edit" id="edit-link">`)
			requireHas(t, coord.get(plan).body, `<a href="`+plan+`/edit" id="edit-link">`)
			for _, p := range []person{s.roleMember(t, "jts@example.org", "Joint Secretariat", workflow.RoleSecretariat),
				s.roleMember(t, "obs@example.org", "Olga Observer", workflow.RoleObserver)} {
				b := s.browser(t)
				b.signIn(p)
				res := b.get(plan)
				require.Equal(t, http.StatusOK, res.status, p.user.Name)
				requireHas(t, res.body, `<dd id="state">Draft</dd>`)
				requireLacks(t, res.body, `/edit"`, p.user.Name)
				requireLacks(t, res.body, "/transitions/", p.user.Name)
			}

			// Submit: the page names the group and the project's window, and
			// offers it as the deadline; a deadline in the past is refused
			// next to its field; a chosen one is the consultation's.
			res = owner.get(plan + "/transitions/submit")
			require.Equal(t, http.StatusOK, res.status)
			requireHas(t, res.body, "a consultation of 14 days opens for Group Firenze; its members are told")
			def := time.Now().UTC().AddDate(0, 0, 14).Format("2006-01-02T")
			requireHas(t, res.body, `type="datetime-local" value="`+def)
			requireLabels(t, res.body)
			version = versionField.FindStringSubmatch(res.body)[1]
			res = owner.post(plan+"/transitions/submit", url.Values{"version": {version}, "consultation_deadline": {"2001-01-01T10:00"}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
			requireHas(t, res.body, `id="consultation-deadline-error"`)
			requireHas(t, res.body, `value="2001-01-01T10:00"`)
			chosen := time.Now().UTC().Add(72 * time.Hour).Truncate(time.Minute)
			res = owner.post(plan+"/transitions/submit", url.Values{"version": {version}, "consultation_deadline": {chosen.Format("2006-01-02T15:04")}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			cons, err := s.store.Consultation(ctx, workflow.KindActionPlan, s.planID, 0, principal(t, s, s.owner))
			require.NoError(t, err)
			require.True(t, chosen.Equal(cons.Deadline), "%v != %v", chosen, cons.Deadline)
			requireHas(t, reader.get(plan).body, "(in 2 days)")

			// An incomplete draft's submit goes to the edit page's check.
			pl, err := s.store.Deliverable(ctx, workflow.KindActionPlan, s.planID)
			require.NoError(t, err)
			pi := workflow.PolicyInstrument{ProjectID: pl.Plan.ProjectID, Name: "Another instrument", Type: workflow.InstrumentOther, PartnerIDs: []string{pl.Plan.PartnerID}}
			require.NoError(t, s.store.CreatePolicyInstrument(ctx, &pi))
			draft := workflow.Deliverable{Kind: workflow.KindActionPlan, Plan: &workflow.ActionPlan{ProjectID: pl.Plan.ProjectID,
				PartnerID: pl.Plan.PartnerID, PolicyInstrumentID: pi.ID, Title: "Half a plan", Language: "hu"}}
			require.NoError(t, s.store.CreateDeliverable(ctx, &draft))
			path := "/ui/action-plans/" + draft.Plan.ID
			res = owner.get(path)
			requireHas(t, res.body, `<h1 lang="hu">Half a plan</h1>`)
			requireLacks(t, res.body, "/transitions/submit", "only permitted triggers show")
			requireHas(t, res.body, `<a href="`+path+`/edit?check=submit" id="check-submit">`)
			res = owner.get(path + "/transitions/submit")
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Equal(t, path+"/edit?check=submit", res.header.Get("Location"))
			res = owner.post(path+"/transitions/submit", url.Values{"version": {"1"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Equal(t, path+"/edit?check=submit", res.header.Get("Location"))
			d, err := s.store.Deliverable(ctx, workflow.KindActionPlan, draft.Plan.ID)
			require.NoError(t, err)
			require.Equal(t, workflow.StateDraft, d.Head().State)
		})
	}
}

// TestDocumentsPanel: stakeholders, the secretariat and observers see the
// documents with their labels and download them; anyone who reads the
// plan may ask for another format or the comment-response matrix.
func TestDocumentsPanel(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, d, nil)
			plan := "/ui/action-plans/" + s.planID
			doc, _, err := s.store.RequestDocument(ctx, workflow.DocumentRequest{Kind: workflow.KindActionPlan, DeliverableID: s.planID,
				Format: "md", Template: "action_plan", TemplateVersion: "test", Principal: principal(t, s, s.owner)})
			require.NoError(t, err)
			content := bytes.Repeat([]byte("# Piano\n"), 300)
			key := "documents/" + doc.ID + ".md"
			info, err := s.blobs.Put(ctx, key, bytes.NewReader(content), int64(len(content)), documents.PutOptions{ContentType: "text/markdown"})
			require.NoError(t, err)
			require.NoError(t, s.store.SetDocumentObject(ctx, doc.ID, key, info.SHA256, info.Size, "text/markdown; charset=utf-8"))
			require.NoError(t, s.store.FinishDocument(ctx, doc.ID, nil))

			for _, p := range []person{s.reader, s.roleMember(t, "jts@example.org", "Joint Secretariat", workflow.RoleSecretariat),
				s.roleMember(t, "obs@example.org", "Olga Observer", workflow.RoleObserver)} {
				b := s.browser(t)
				b.signIn(p)
				body := b.get(plan).body
				requireHas(t, body, `<a href="/ui/documents/`+doc.ID+`">Action plan, Markdown</a>`, p.user.Name)
				requireHas(t, body, "revision 1 · made in the state Stakeholder review · 2.4 kB", p.user.Name)
				require.Equal(t, http.StatusOK, b.get("/ui/documents/"+doc.ID).status, p.user.Name)
			}

			reader := s.browser(t)
			reader.signIn(s.reader)
			reader.get(plan)
			res := reader.post(plan+"/documents", url.Values{"format": {"docx"}, "template": {"comment_response_matrix"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Equal(t, plan+"?done=document#documents", res.header.Get("Location"))
			res = reader.get(res.header.Get("Location"))
			requireHas(t, res.body, "The document is being prepared")
			requireHas(t, res.body, "Comment-response matrix, DOCX: Pending")
			docs, _, err := s.store.ListDocuments(ctx, s.planID, workflow.Page{Limit: 10})
			require.NoError(t, err)
			require.Len(t, docs, 2)
			res = reader.post(plan+"/documents", url.Values{"format": {"odt"}, "template": {"action_plan"}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status)
			requireHas(t, res.body, "Choose PDF, DOCX, HTML or Markdown.")
			res = reader.post(plan+"/documents", url.Values{"format": {"pdf"}, "template": {"peer_review"}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status)
			outsider := s.browser(t)
			outsider.signIn(s.outsider)
			outsider.get("/ui/consultations")
			require.Equal(t, http.StatusNotFound, outsider.post(plan+"/documents", url.Values{"format": {"pdf"}}).status)
		})
	}
}

// TestHistoryPage: the revisions with their SHA-256 and the transitions
// with who, when and the note, for whoever reads the plan.
func TestHistoryPage(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, d, nil)
			plan := "/ui/action-plans/" + s.planID
			owner := s.browser(t)
			owner.signIn(s.owner)
			res := fire(t, owner, plan, "request_changes", url.Values{"note": {"Missing costs"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			rev, err := s.store.Revision(ctx, workflow.KindActionPlan, s.planID, 1)
			require.NoError(t, err)

			res = owner.get(plan + "/history")
			require.Equal(t, http.StatusOK, res.status)
			requireHas(t, res.body, "<strong>Revision 1</strong>")
			requireHas(t, res.body, "<code>"+rev.SHA256+"</code>")
			requireHas(t, res.body, "<strong>Request changes</strong>: from Stakeholder review to Draft")
			requireHas(t, res.body, "<strong>Submit</strong>: from Draft to Stakeholder review")
			requireHas(t, res.body, "by Giulia Owner")
			requireHas(t, res.body, "Missing costs")
			require.Less(t, strings.Index(res.body, "Request changes"), strings.Index(res.body, "<strong>Submit"), "newest first")
			require.Equal(t, http.StatusNotFound, owner.get(plan+"/history?page=2").status)

			// A long history is paged: 22 transitions and 11 revisions make two pages.
			op := principal(t, s, s.owner)
			for i := range 10 {
				for _, tr := range []workflow.Trigger{workflow.TriggerSubmit, workflow.TriggerRequestChanges} {
					d, err := s.store.Deliverable(ctx, workflow.KindActionPlan, s.planID)
					require.NoError(t, err)
					_, _, err = s.store.FireTransition(ctx, workflow.TransitionRequest{Kind: workflow.KindActionPlan, ID: s.planID,
						Version: d.Head().Version, Trigger: tr, Note: fmt.Sprintf("round %d", i), Principal: op})
					require.NoError(t, err)
				}
			}
			res = owner.get(plan + "/history")
			require.Equal(t, 20, strings.Count(res.body, "<li><strong>"), "a page of transitions")
			requireHas(t, res.body, "<strong>Revision 11</strong> (the latest)")
			requireHas(t, res.body, "<strong>Revision 1</strong>", "11 revisions fit on a page")
			requireHas(t, res.body, `href="`+plan+`/history?page=2" rel="next"`)
			requireHas(t, res.body, "Page 1 of 2")
			res = owner.get(plan + "/history?page=2")
			require.Equal(t, http.StatusOK, res.status)
			require.Equal(t, 2, strings.Count(res.body, "<li><strong>"))
			requireLacks(t, res.body, "Revisions</h2>")
			requireHas(t, res.body, "<strong>Submit</strong>: from Draft to Stakeholder review", "the oldest, last")
			requireHas(t, res.body, `rel="prev"`)
			outsider := s.browser(t)
			outsider.signIn(s.outsider)
			require.Equal(t, http.StatusNotFound, outsider.get(plan+"/history").status)
		})
	}
}

// TestSectionThreadsPaged: a section's page shows its threads 40 at a time,
// oldest first, with links to the neighbouring pages; a new comment posted
// there comes back on the last page, and a reply on the page it was on.
func TestSectionThreadsPaged(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, d, nil)
			plan := "/ui/action-plans/" + s.planID
			const sec = "part2.policy_context"
			reader := s.browser(t)
			reader.signIn(s.reader)
			p := principal(t, s, s.reader)
			var first string
			for i := range 55 {
				cm, err := s.store.AddComment(ctx, workflow.NewComment{Kind: workflow.KindActionPlan, DeliverableID: s.planID,
					Body: fmt.Sprintf("Remark %02d", i), Section: sec, Stance: workflow.StanceConcern, Principal: p})
				require.NoError(t, err)
				if i == 0 {
					first = cm.ID
				}
			}
			res := reader.get(plan + "?section=" + sec)
			require.Equal(t, http.StatusOK, res.status, res.body)
			require.Equal(t, 40, strings.Count(res.body, `<article class="comment`))
			requireHas(t, res.body, "Remark 00")
			requireHas(t, res.body, "Remark 39")
			requireLacks(t, res.body, "Remark 40")
			requireHas(t, res.body, "Page 1 of 2")
			requireHas(t, res.body, `?section=part2.policy_context&amp;page=2" rel="next">Later comments</a>`)

			res = reader.get(plan + "?section=" + sec + "&page=2")
			require.Equal(t, 15, strings.Count(res.body, `<article class="comment`))
			requireHas(t, res.body, "Remark 54")
			requireHas(t, res.body, `rel="prev">Earlier comments</a>`)
			requireLacks(t, res.body, "Later comments")
			require.Equal(t, 15, strings.Count(reader.get(plan+"?section="+sec+"&page=9").body, `<article class="comment`), "past the end: the last page")

			// A new comment from the section's page lands on its last page.
			res = reader.post(plan+"/comments", url.Values{"section": {sec}, "stance": {"support"}, "body": {"The newest remark"}, "back": {sec}, "page": {"last"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			res = reader.get(res.header.Get("Location"))
			requireHas(t, res.body, "The newest remark")
			requireHas(t, res.body, "Page 2 of 2")
			// A reply to the oldest, from page 1, comes back to page 1.
			res = reader.post(plan+"/comments", url.Values{"section": {sec}, "parent_id": {first}, "stance": {"support"}, "body": {"A reply on page one"}, "back": {sec}, "page": {"1"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Contains(t, res.header.Get("Location"), "page=1")
			requireHas(t, reader.get(res.header.Get("Location")).body, "A reply on page one")
		})
	}
}
