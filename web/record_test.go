package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// TestRecordPages: a comment edited after its response shows both texts
// and offers the owner a new response; the reading page tells replies from
// responses and its "without a response" counter links to the list of
// those comments, each linking to its thread; the resubmit form offers the
// open threads to carry over, checked, keeps the choices when refused, and
// the carried thread says where it came from.
func TestRecordPages(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, d, nil)
			plan := "/ui/action-plans/" + s.planID
			const sec = "part2.policy_context"
			reader, owner, outsider := s.browser(t), s.browser(t), s.browser(t)
			reader.signIn(s.reader)
			owner.signIn(s.owner)
			outsider.signIn(s.outsider)
			ownerP, readerP := principal(t, s, s.owner), principal(t, s, s.reader)
			add := func(body, section, parent string, p workflow.Principal) workflow.Comment {
				cm, err := s.store.AddComment(ctx, workflow.NewComment{Kind: workflow.KindActionPlan, DeliverableID: s.planID, Body: body,
					Section: section, ParentID: parent, Principal: p})
				require.NoError(t, err)
				return cm
			}
			answered := add("The answered words", sec, "", readerP)
			waiting := add("Still waiting words", sec, "", readerP)
			add("Let us talk", "", waiting.ID, ownerP) // a reply is no response
			_, err := s.store.RespondToComment(ctx, answered.ID, workflow.ResponseAccepted, "Taken up", ownerP)
			require.NoError(t, err)
			_, err = s.store.EditComment(ctx, answered.ID, 1, workflow.CommentEdit{Body: "The later words", Stance: workflow.StanceConcern}, readerP)
			require.NoError(t, err)

			// Both texts, the answered one marked; the owner may respond again.
			res := owner.get(plan + "?section=" + sec)
			require.Equal(t, http.StatusOK, res.status)
			requireHas(t, res.body, "Edited after the response.")
			requireHas(t, res.body, "The text this response answered:")
			requireHas(t, res.body, `<blockquote class="answered"><p class="body">The answered words</p></blockquote>`)
			requireHas(t, res.body, `<p class="body">The later words</p>`)
			requireHas(t, res.body, "Respond again, to the edited text")
			requireHas(t, res.body, `id="reply-vs-response"`)
			requireLabels(t, res.body)
			rres := reader.get(plan + "?section=" + sec)
			requireHas(t, rres.body, `<blockquote class="answered"><p class="body">The answered words</p></blockquote>`)
			requireLacks(t, rres.body, "Respond again")

			// The counter: one without a response (the reply does not
			// count), linked to the list; the list links to the thread.
			res = owner.get(plan)
			requireHas(t, res.body, `<a href="`+plan+`/unanswered" id="unanswered-link">1 without a response</a>`)
			requireLacks(t, reader.get(plan).body, "/unanswered", "only those who answer")
			res = owner.get(plan + "/unanswered")
			require.Equal(t, http.StatusOK, res.status, res.body)
			requireHas(t, res.body, "1 comment waits for a formal response")
			requireHas(t, res.body, `href="`+plan+`?section=`+url.QueryEscape(sec)+`#c-`+waiting.ID+`"`)
			requireHas(t, res.body, "Still waiting words")
			requireHas(t, res.body, "1 reply")
			requireHas(t, res.body, "1 comment edited after its response")
			requireHas(t, res.body, `#c-`+answered.ID+`"`)
			requireLabels(t, res.body)
			require.Equal(t, http.StatusForbidden, reader.get(plan+"/unanswered").status)
			require.Equal(t, http.StatusNotFound, outsider.get(plan+"/unanswered").status)

			// The owner withdraws it and resubmits: the open thread is
			// offered, checked; a refused form keeps the choice.
			res = fire(t, owner, plan, "request_changes", url.Values{"note": {"Back to work"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			res = owner.get(plan + "/transitions/submit")
			require.Equal(t, http.StatusOK, res.status, res.body)
			requireHas(t, res.body, "Carry open threads of revision 1 over")
			requireHas(t, res.body, `name="carry_over" value="`+waiting.ID+`" checked>`)
			requireLacks(t, res.body, `value="`+answered.ID+`"`, "an answered thread is not open")
			requireLabels(t, res.body)
			version := versionField.FindStringSubmatch(res.body)[1]
			res = owner.post(plan+"/transitions/submit", url.Values{"version": {version}, "carry_shown": {"1"},
				"consultation_deadline": {"2001-01-01T10:00"}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
			requireHas(t, res.body, `name="carry_over" value="`+waiting.ID+`">`, "unchecked stays unchecked")
			res = owner.post(plan+"/transitions/submit", url.Values{"version": {version}, "carry_shown": {"1"}, "carry_over": {answered.ID}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
			requireHas(t, res.body, `id="f-carry-over-error"`)
			requireHas(t, res.body, `name="carry_over" value="`+waiting.ID+`">`)
			res = owner.post(plan+"/transitions/submit", url.Values{"version": {version}, "carry_shown": {"1"}, "carry_over": {waiting.ID}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)

			res = reader.get(plan + "?section=" + sec)
			require.Equal(t, http.StatusOK, res.status)
			requireHas(t, res.body, `<span class="carried">carried over from revision 1</span>`)
			requireHas(t, res.body, "Still waiting words")
			requireHas(t, res.body, "Let us talk")
			requireLacks(t, res.body, "The later words", "the answered thread stays on revision 1")
			require.True(t, strings.Contains(owner.get(plan).body, "1 without a response"))
		})
	}
}
