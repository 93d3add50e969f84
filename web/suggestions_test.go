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

// TestSuggestedWordingPages: a stakeholder suggests wording from the
// reading page (a refused form keeps it), the owner accepts it, returns
// the plan and applies it on the suggestions page; a stale form comes
// back with the choices kept; the history says who applied what.
func TestSuggestedWordingPages(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, d, nil)
			plan := "/ui/action-plans/" + s.planID
			reader, owner := s.browser(t), s.browser(t)
			reader.signIn(s.reader)
			owner.signIn(s.owner)

			// Only sections backed by one text ask for wording.
			res := reader.get(plan + "?section=part2.policy_context")
			requireHas(t, res.body, `name="suggestion"`)
			requireHas(t, res.body, `name="suggestion_of"`)
			requireLabels(t, res.body)
			res = reader.get(plan + "?section=part3.action.1.timeframe")
			requireLacks(t, res.body, `name="suggestion"`)

			// A refused form comes back with the wording kept.
			res = reader.post(plan+"/comments", url.Values{"section": {"part2.policy_context"}, "back": {"part2.policy_context"},
				"body": {"Be precise"}, "suggestion": {"Craft and design SMEs"}, "suggestion_of": {"not in the text"}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
			requireHas(t, res.body, ">Craft and design SMEs</textarea>")
			requireHas(t, res.body, ">not in the text</textarea>")

			res = reader.post(plan+"/comments", url.Values{"section": {"part2.policy_context"}, "back": {"part2.policy_context"},
				"body": {"Be precise"}, "suggestion": {"Craft and design SMEs"}, "suggestion_of": {"Craft SMEs"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			res = reader.post(plan+"/comments", url.Values{"section": {"part3.action.1.players"}, "back": {"part3.action.1.players"},
				"body": {"Add the city"}, "suggestion": {"Chamber of commerce, City of Florence"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			ownerP := principal(t, s, s.owner)
			comments, _, err := s.store.Comments(ctx, workflow.KindActionPlan, s.planID, 0, ownerP, workflow.Page{})
			require.NoError(t, err)
			require.Len(t, comments, 2)
			partial, whole := comments[0], comments[1]
			res = owner.get(plan + "?section=part2.policy_context")
			requireHas(t, res.body, "Replace «<del>Craft SMEs</del>» with «<ins>Craft and design SMEs</ins>»")

			for _, cm := range comments {
				_, err := s.store.RespondToComment(ctx, cm.ID, workflow.ResponseAccepted, "Yes", ownerP)
				require.NoError(t, err)
			}
			_, _, err = s.store.FireTransition(ctx, workflow.TransitionRequest{Kind: workflow.KindActionPlan, ID: s.planID, Version: 2,
				Trigger: workflow.TriggerRequestChanges, Principal: ownerP, Note: "Back to work"})
			require.NoError(t, err)

			res = owner.get(plan)
			requireHas(t, res.body, `href="`+plan+`/suggestions" id="suggestions-link" class="suggestions-link">2 accepted suggestions to apply</a>`)
			require.Equal(t, http.StatusNotFound, reader.get(plan+"/suggestions").status, "the stakeholder does not see the draft")

			res = owner.get(plan + "/suggestions")
			require.Equal(t, http.StatusOK, res.status)
			requireLabels(t, res.body)
			requireHas(t, res.body, `<dd class="body before"><del>Craft SMEs</del> in Florence.</dd>`)
			requireHas(t, res.body, `<dd class="body after"><ins>Craft and design SMEs</ins> in Florence.</dd>`)
			requireHas(t, res.body, `id="pick-`+partial.ID+`" name="comment" value="`+partial.ID+`" checked`)

			// Someone saves the draft meanwhile: the form is stale and comes
			// back with what was ticked.
			_, err = s.store.UpdateDeliverable(ctx, workflow.KindActionPlan, s.planID, 3, func(d *workflow.Deliverable) error {
				d.Plan.ContactName = "Giulia"
				return nil
			})
			require.NoError(t, err)
			res = owner.post(plan+"/suggestions", url.Values{"version": {"3"}, "comment": {whole.ID}})
			require.Equal(t, http.StatusConflict, res.status, res.body)
			requireHas(t, res.body, "The draft changed since you opened this page")
			requireHas(t, res.body, `id="pick-`+whole.ID+`" name="comment" value="`+whole.ID+`" checked`)
			requireHas(t, res.body, `id="pick-`+partial.ID+`" name="comment" value="`+partial.ID+`">`)
			requireHas(t, res.body, `name="version" value="4"`)

			res = owner.post(plan+"/suggestions", url.Values{"version": {"4"}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status)
			requireHas(t, res.body, "Tick at least one suggestion to apply.")

			res = owner.post(plan+"/suggestions", url.Values{"version": {"4"}, "comment": {whole.ID, partial.ID}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Equal(t, plan+"?done=applied", res.header.Get("Location"))
			res = owner.get(plan + "?done=applied")
			requireHas(t, res.body, "The suggestions are applied and the draft is saved.")
			requireLacks(t, res.body, "suggestions-link")
			dl, err := s.store.Deliverable(ctx, workflow.KindActionPlan, s.planID)
			require.NoError(t, err)
			require.Equal(t, "Craft and design SMEs in Florence.", dl.Plan.PolicyContext)
			require.Equal(t, "Chamber of commerce, City of Florence", dl.Plan.Actions[0].Players)

			res = owner.get(plan + "/history")
			require.Equal(t, http.StatusOK, res.status)
			requireHas(t, res.body, "Suggested wording applied")
			applied := res.body[strings.Index(res.body, `id="applied-h"`):]
			applied = applied[:strings.Index(applied, "</section>")]
			require.Equal(t, 2, strings.Count(applied, "by Giulia Owner · <time"), "each application says who: %s", applied)
			requireHas(t, applied, "<dt>Before</dt><dd class=\"body\"><del>Craft SMEs in Florence.</del></dd>")
			res = owner.get(plan + "/suggestions")
			requireHas(t, res.body, `id="none"`)
		})
	}
}
