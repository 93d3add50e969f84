package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// revise takes the site's plan back to draft, applies edit and submits
// it again, as its owner.
func (s *site) revise(t testing.TB, edit func(*workflow.Deliverable)) {
	t.Helper()
	owner, err := s.store.Authenticate(ctx, workflow.HashToken(s.owner.token))
	require.NoError(t, err)
	move := func(trigger workflow.Trigger) {
		d, err := s.store.Deliverable(ctx, workflow.KindActionPlan, s.planID)
		require.NoError(t, err)
		_, _, err = s.store.FireTransition(ctx, workflow.TransitionRequest{Kind: workflow.KindActionPlan, ID: s.planID,
			Version: d.Head().Version, Trigger: trigger, Principal: owner, Note: "revised"})
		require.NoError(t, err)
	}
	move(workflow.TriggerRequestChanges)
	d, err := s.store.Deliverable(ctx, workflow.KindActionPlan, s.planID)
	require.NoError(t, err)
	_, err = s.store.UpdateDeliverable(ctx, workflow.KindActionPlan, s.planID, d.Head().Version, func(d *workflow.Deliverable) error {
		edit(d)
		return nil
	})
	require.NoError(t, err)
	move(workflow.TriggerSubmit)
}

// TestDiffPage: the page of what changed marks insertions and deletions
// with <ins> and <del>, lists the earlier revision's threads by section,
// outdated where the section changed; the reading page and the history
// link to it.
func TestDiffPage(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, d, nil)
			reader := principal(t, s, s.reader)
			on := func(section, body string) workflow.Comment {
				c, err := s.store.AddComment(ctx, workflow.NewComment{Kind: workflow.KindActionPlan, DeliverableID: s.planID,
					Section: section, Body: body, Stance: workflow.StanceConcern, Principal: reader})
				require.NoError(t, err)
				return c
			}
			changed := on("part3.action.1.players", "Who else takes part?")
			same := on("part3.action.1.description", "Two hubs are enough.")
			plan := "/ui/action-plans/" + s.planID

			b := s.browser(t)
			b.signIn(s.reader)
			require.NotContains(t, b.get(plan).body, `id="diff-link"`, "revision 1 has nothing to compare with")

			s.revise(t, func(d *workflow.Deliverable) {
				d.Plan.Actions[0].Players = "Chamber of commerce and the guild of Prato"
				d.Plan.PolicyContext = "Craft SMEs in Tuscany."
			})

			res := b.get(plan + "/revisions/2/diff")
			require.Equal(t, http.StatusOK, res.status, "%s\n%s", res.body, s.log.String())
			body := res.body
			requireHas(t, body, `<h1>What changed in revision 2 since revision 1</h1>`)
			requireHas(t, body, `<ins><span class="vh" lang="en">insertion: </span> and the guild of Prato<span class="vh" lang="en"> end of insertion</span></ins>`)
			requireHas(t, body, `<del><span class="vh" lang="en">deletion: </span>Florence<span class="vh" lang="en"> end of deletion</span></del>`)
			requireHas(t, body, `<ins><span class="vh" lang="en">insertion: </span>Tuscany<span class="vh" lang="en"> end of insertion</span></ins>`)
			requireHas(t, body, "Sections changed: 2; added: 0; removed: 0.")
			requireHas(t, body, "Threads on revision 1: 2; outdated: 1.")
			// The changed section's thread is outdated and links to the new
			// text; the unchanged one's is still current.
			requireHas(t, body, `<li id="c-`+changed.ID+`">`)
			requireHas(t, body, `<strong class="outdated">Outdated: the section changed.</strong> <a href="`+plan+`#sec-part3-action-1-players">Read the new text</a>`)
			requireHas(t, body, `<li id="c-`+same.ID+`">`)
			requireHas(t, body, "Still current: the section did not change.")
			require.Equal(t, 1, strings.Count(body, "Outdated: the section changed."))
			requireHas(t, body, `<h2 id="legend-h">How the changes are marked</h2>`)
			requireHas(t, body, `Unchanged sections without threads:`)

			// The reading page links to the diff, and each section with
			// threads on revision 1 says so.
			read := b.get(plan).body
			requireHas(t, read, `<a href="`+plan+`/revisions/2/diff" id="diff-link">What changed since revision 1</a>`)
			requireHas(t, read, `<a href="/ui/action-plans/`+s.planID+`/revisions/2/diff#sec-part3-action-1-players">1 thread on revision 1: what changed</a>`)
			requireHas(t, read, `/revisions/2/diff#sec-part3-action-1-description">1 thread on revision 1: what changed</a>`)
			requireHas(t, b.get(plan+"/history").body, `<a href="`+plan+`/revisions/2/diff">What changed since revision 1</a>`)

			// Wrong revisions; a reader outside the plan's group.
			require.Equal(t, http.StatusNotFound, b.get(plan+"/revisions/3/diff").status)
			require.Equal(t, http.StatusNotFound, b.get(plan+"/revisions/x/diff").status)
			bad := b.get(plan + "/revisions/2/diff?from=2")
			require.Equal(t, http.StatusUnprocessableEntity, bad.status)
			requireHas(t, bad.body, "must be an earlier revision, from 1 to 1")
			require.Equal(t, http.StatusUnprocessableEntity, b.get(plan+"/revisions/1/diff").status)
			other := s.browser(t)
			other.signIn(s.outsider)
			require.Equal(t, http.StatusNotFound, other.get(plan+"/revisions/2/diff").status)
		})
	}
}
