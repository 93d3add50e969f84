package sqlstore_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// suggesting is a consultation whose revision 2 has texts to suggest
// wording for: the policy context and the actions' descriptions.
type suggesting struct {
	consultation
}

const (
	policyText = "A kézműves vállalkozások fejlesztése a régió stratégiájának része."
	mentorText = "Mentorok segítik a kezdő kézműveseket, havonta kétszer."
	courseText = "Képzés a digitális értékesítésről."
)

func setupSuggestions(t *testing.T, s *sqlstore.Store, acronym string) *suggesting {
	t.Helper()
	c := &suggesting{setupConsultation(t, s, acronym)}
	require.NoError(t, c.fire(s, c.owner, workflow.TriggerRequestChanges))
	c.edit(t, s, func(p *workflow.ActionPlan) {
		p.PolicyContext = policyText
		p.Actions[0].Description = mentorText
		p.Actions[1].Description = courseText
	})
	require.NoError(t, c.fire(s, c.owner, workflow.TriggerSubmit))
	return c
}

func (c *suggesting) edit(t *testing.T, s *sqlstore.Store, change func(*workflow.ActionPlan)) workflow.Deliverable {
	t.Helper()
	d, err := s.UpdateDeliverable(ctx, c.plan.Kind, c.plan.Plan.ID, c.version, func(d *workflow.Deliverable) error {
		change(d.Plan)
		return nil
	})
	require.NoError(t, err)
	c.version++
	return d
}

// suggest comments on section with suggested wording, as the stakeholder.
func (c *suggesting) suggest(t *testing.T, s *sqlstore.Store, section, text, of string) workflow.Comment {
	t.Helper()
	cm, err := s.AddComment(ctx, workflow.NewComment{Kind: c.plan.Kind, DeliverableID: c.plan.Plan.ID, Body: "Javaslat: " + section,
		Section: section, Suggestion: text, SuggestionOf: of, Principal: c.sh})
	require.NoError(t, err)
	return cm
}

func (c *suggesting) answer(t *testing.T, s *sqlstore.Store, cm workflow.Comment, status workflow.ResponseStatus) {
	t.Helper()
	_, err := s.RespondToComment(ctx, cm.ID, status, "Indoklás", c.owner)
	require.NoError(t, err)
}

func pendingIDs(ps []workflow.PendingSuggestion) map[string]workflow.PendingSuggestion {
	out := map[string]workflow.PendingSuggestion{}
	for _, p := range ps {
		out[p.Comment.ID] = p
	}
	return out
}

func applications(t *testing.T, s *sqlstore.Store, deliverableID string) int {
	t.Helper()
	var n int
	require.NoError(t, s.DB().QueryRowContext(ctx, `SELECT count(*) FROM suggestion_applications WHERE deliverable_id = $1`, deliverableID).Scan(&n))
	return n
}

func init() {
	suite["SuggestionsAreCheckedWhereTheyAreMade"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupSuggestions(t, s, "SUGV")
		add := func(nc workflow.NewComment) error {
			nc.Kind, nc.DeliverableID, nc.Principal = c.plan.Kind, c.plan.Plan.ID, c.sh
			if nc.Body == "" {
				nc.Body = "Megjegyzés"
			}
			_, err := s.AddComment(ctx, nc)
			return err
		}
		for _, section := range []string{"", "general", "part1.general", "part3.action.1", "part3.action.1.timeframe"} {
			err := add(workflow.NewComment{Section: section, Suggestion: "Új szöveg"})
			require.Equal(t, workflow.CodeInvalid, code(t, err), section)
			require.Contains(t, fieldsOf(t, err), "suggestion", section)
		}
		err := add(workflow.NewComment{Section: "part2.policy_context", Suggestion: "x", SuggestionOf: "nincs benne"})
		require.Equal(t, workflow.CodeInvalid, code(t, err))
		require.Equal(t, []string{"suggestion.of"}, fieldsOf(t, err))
		err = add(workflow.NewComment{Section: "part3.action.1.description", Suggestion: "x", SuggestionOf: "e"})
		require.Equal(t, workflow.CodeInvalid, code(t, err), "the words occur more than once")
		require.Contains(t, err.Error(), "suggestion.of")
		err = add(workflow.NewComment{Section: "part2.policy_context", SuggestionOf: "régió"})
		require.Equal(t, workflow.CodeInvalid, code(t, err), "of without text")
		err = add(workflow.NewComment{Section: "part2.policy_context", Suggestion: "a\x00b"})
		require.Equal(t, workflow.CodeInvalid, code(t, err), "control characters")
		top := c.suggest(t, s, "part2.policy_context", "Új szöveg", "régió")
		require.Equal(t, &workflow.Suggestion{Text: "Új szöveg", Of: "régió"}, top.Suggestion)
		err = add(workflow.NewComment{ParentID: top.ID, Suggestion: "válasz"})
		require.Equal(t, workflow.CodeInvalid, code(t, err), "a reply carries none")
		got, err := s.Comment(ctx, top.ID, c.owner)
		require.NoError(t, err)
		require.Equal(t, top.Suggestion, got.Suggestion)

		// The author may change or drop it while the consultation is open.
		ed, err := s.EditComment(ctx, top.ID, 1, workflow.CommentEdit{Body: "Más", Suggestion: "Másik", SuggestionOf: "nincs"}, c.sh)
		require.Equal(t, workflow.CodeInvalid, code(t, err), "of checked on edit: %v", ed)
		ed, err = s.EditComment(ctx, top.ID, 1, workflow.CommentEdit{Body: "Más", Suggestion: "Másik szöveg"}, c.sh)
		require.NoError(t, err)
		require.Equal(t, &workflow.Suggestion{Text: "Másik szöveg"}, ed.Suggestion)
		ed, err = s.EditComment(ctx, top.ID, 2, workflow.CommentEdit{Body: "Más"}, c.sh)
		require.NoError(t, err)
		require.Nil(t, ed.Suggestion)
		got, err = s.Comment(ctx, top.ID, c.sh)
		require.NoError(t, err)
		require.Nil(t, got.Suggestion)
	}

	suite["AcceptedSuggestionsAreAppliedOnTheNextDraft"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupSuggestions(t, s, "SUGA")
		whole := c.suggest(t, s, "part2.policy_context", "A régió stratégiája a kézművességre épít.", "")
		partial := c.suggest(t, s, "part3.action.1.description", "fiatal", "kezdő")
		rejected := c.suggest(t, s, "summary_en", "A better summary", "")
		noted := c.suggest(t, s, "part3.action.1.players", "Kamarák", "")
		changed := c.suggest(t, s, "part3.action.2.description", "Képzés a webáruházakról.", "")
		unanswered := c.suggest(t, s, "part3.action.2.players", "Iskolák", "")
		c.answer(t, s, whole, workflow.ResponseAccepted)
		c.answer(t, s, partial, workflow.ResponseAccepted)
		c.answer(t, s, rejected, workflow.ResponseRejected)
		c.answer(t, s, noted, workflow.ResponseNoted)
		c.answer(t, s, changed, workflow.ResponseAccepted)
		_ = unanswered

		// Not in draft: nothing can be applied yet.
		_, err := s.ApplySuggestions(ctx, c.plan.Kind, c.plan.Plan.ID, c.version, []string{whole.ID}, c.owner)
		require.Equal(t, workflow.CodeConflict, code(t, err))

		require.NoError(t, c.fire(s, c.owner, workflow.TriggerRequestChanges))
		c.edit(t, s, func(p *workflow.ActionPlan) { p.Actions[1].Description = "Képzés a közösségi médiáról." })

		ps, err := s.PendingSuggestions(ctx, c.plan.Kind, c.plan.Plan.ID, c.owner)
		require.NoError(t, err)
		byID := pendingIDs(ps)
		require.Len(t, ps, 3, "only the accepted ones: %v", byID)
		require.Equal(t, whole.ID, ps[0].Comment.ID, "oldest first")
		require.False(t, byID[whole.ID].Conflict)
		require.Equal(t, policyText, byID[whole.ID].RevisionText, "the field, not the section's 'Policy instrument:' line")
		require.Equal(t, "A régió stratégiája a kézművességre épít.", byID[whole.ID].ProposedText)
		require.False(t, byID[partial.ID].Conflict)
		require.Equal(t, "Mentorok segítik a fiatal kézműveseket, havonta kétszer.", byID[partial.ID].ProposedText)
		ch := byID[changed.ID]
		require.True(t, ch.Conflict)
		require.Equal(t, workflow.ConflictSectionChanged, ch.Reason)
		require.Equal(t, courseText, ch.RevisionText)
		require.Equal(t, "Képzés a közösségi médiáról.", ch.CurrentText)
		require.Empty(t, ch.ProposedText)

		// A conflict, a suggestion not accepted, a reply or an unknown id
		// is refused; so is a stale version.
		for _, ids := range [][]string{{changed.ID}, {rejected.ID}, {noted.ID}, {unanswered.ID}, {workflow.NewID()}, {whole.ID, whole.ID}, {}} {
			_, err = s.ApplySuggestions(ctx, c.plan.Kind, c.plan.Plan.ID, c.version, ids, c.owner)
			require.Equal(t, workflow.CodeInvalid, code(t, err), "%v", ids)
		}
		_, err = s.ApplySuggestions(ctx, c.plan.Kind, c.plan.Plan.ID, c.version-1, []string{whole.ID}, c.owner)
		require.Equal(t, workflow.CodePreconditionFailed, code(t, err))
		_, err = s.ApplySuggestions(ctx, c.plan.Kind, c.plan.Plan.ID, c.version, []string{whole.ID}, c.sh)
		require.Equal(t, workflow.CodeNotFound, code(t, err), "a stakeholder does not see the draft")
		_, err = s.ApplySuggestions(ctx, c.plan.Kind, c.plan.Plan.ID, c.version, []string{whole.ID}, c.observer)
		require.Equal(t, workflow.CodeForbidden, code(t, err))
		require.Zero(t, applications(t, s, c.plan.Plan.ID))

		d, err := s.ApplySuggestions(ctx, c.plan.Kind, c.plan.Plan.ID, c.version, []string{partial.ID, whole.ID}, c.owner)
		require.NoError(t, err)
		c.version++
		require.Equal(t, c.version, d.Plan.Version, "one edit")
		require.Equal(t, "A régió stratégiája a kézművességre épít.", d.Plan.PolicyContext)
		require.Equal(t, "Mentorok segítik a fiatal kézműveseket, havonta kétszer.", d.Plan.Actions[0].Description, "only its part")
		require.Equal(t, "Képzés a közösségi médiáról.", d.Plan.Actions[1].Description, "the conflict is not applied")
		stored, err := s.Deliverable(ctx, c.plan.Kind, c.plan.Plan.ID)
		require.NoError(t, err)
		require.Equal(t, d.Plan.PolicyContext, stored.Plan.PolicyContext)
		require.Equal(t, 2, applications(t, s, c.plan.Plan.ID))

		// Applied once: no longer pending, and a second time is refused.
		ps, err = s.PendingSuggestions(ctx, c.plan.Kind, c.plan.Plan.ID, c.coord)
		require.NoError(t, err)
		require.Len(t, ps, 1)
		require.Equal(t, changed.ID, ps[0].Comment.ID)
		_, err = s.ApplySuggestions(ctx, c.plan.Kind, c.plan.Plan.ID, c.version, []string{whole.ID}, c.coord)
		require.Equal(t, workflow.CodeConflict, code(t, err))

		// The record: who applied what.
		got, err := s.Comment(ctx, whole.ID, c.coord)
		require.NoError(t, err)
		require.NotNil(t, got.Suggestion.Applied)
		require.Equal(t, c.owner.User.ID, got.Suggestion.Applied.By)
		require.Equal(t, c.owner.User.Name, got.Suggestion.Applied.ByName)
		require.Equal(t, c.version, got.Suggestion.Applied.Version)
		threads, _, err := s.Comments(ctx, c.plan.Kind, c.plan.Plan.ID, 2, c.coord, workflow.Page{})
		require.NoError(t, err)
		applied := 0
		for _, th := range threads {
			if th.Suggestion != nil && th.Suggestion.Applied != nil {
				applied++
				require.Equal(t, c.owner.User.Name, th.Suggestion.Applied.ByName)
			}
		}
		require.Equal(t, 2, applied)
		history, _, err := s.CommentHistory(ctx, partial.ID, c.owner, workflow.Page{})
		require.NoError(t, err)
		last := history[len(history)-1]
		require.Equal(t, "applied", last.Event)
		require.Equal(t, c.owner.User.ID, last.ActorID)
		apps, err := s.AppliedSuggestions(ctx, c.plan.Kind, c.plan.Plan.ID, c.coord)
		require.NoError(t, err)
		require.Len(t, apps, 2)
		for _, a := range apps {
			require.Equal(t, c.owner.User.Name, a.ByName)
			require.Equal(t, 2, a.Revision)
			if a.CommentID == partial.ID {
				require.Equal(t, "part3.action.1.description", a.Section)
				require.Equal(t, mentorText, a.Before)
				require.Equal(t, "Mentorok segítik a fiatal kézműveseket, havonta kétszer.", a.After)
			}
		}
	}

	suite["SuggestionConflictsAreShownNotApplied"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupSuggestions(t, s, "SUGC")
		gone := c.suggest(t, s, "part3.action.2.description", "Új képzés", "")
		twice := c.suggest(t, s, "part2.policy_context", "ipari", "kézműves")
		tooLong := c.suggest(t, s, "part3.action.1.players", strings.Repeat("é", 3000), "")
		for _, cm := range []workflow.Comment{gone, twice, tooLong} {
			c.answer(t, s, cm, workflow.ResponseAccepted)
		}
		require.NoError(t, c.fire(s, c.owner, workflow.TriggerRequestChanges))
		ps, err := s.PendingSuggestions(ctx, c.plan.Kind, c.plan.Plan.ID, c.owner)
		require.NoError(t, err)
		require.Equal(t, workflow.ConflictInvalid, pendingIDs(ps)[tooLong.ID].Reason, "players hold 2000 characters")
		require.False(t, pendingIDs(ps)[twice.ID].Conflict)
		// The second action is dropped.
		c.edit(t, s, func(p *workflow.ActionPlan) { p.Actions = p.Actions[:1] })
		ps, err = s.PendingSuggestions(ctx, c.plan.Kind, c.plan.Plan.ID, c.owner)
		require.NoError(t, err)
		require.Equal(t, workflow.ConflictSectionGone, pendingIDs(ps)[gone.ID].Reason)
		_, err = s.ApplySuggestions(ctx, c.plan.Kind, c.plan.Plan.ID, c.version, []string{gone.ID}, c.owner)
		require.Equal(t, workflow.CodeInvalid, code(t, err))
		require.Zero(t, applications(t, s, c.plan.Plan.ID))
	}

	suite["ConcurrentApplyHasOneWinner"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupSuggestions(t, s, "SUGR")
		a := c.suggest(t, s, "part2.policy_context", "Új háttér.", "")
		b := c.suggest(t, s, "part3.action.1.description", "fiatal", "kezdő")
		c.answer(t, s, a, workflow.ResponseAccepted)
		c.answer(t, s, b, workflow.ResponseAccepted)
		require.NoError(t, c.fire(s, c.owner, workflow.TriggerRequestChanges))
		const n = 6
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			p := c.owner
			if i%2 == 1 {
				p = c.coord
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = s.ApplySuggestions(ctx, c.plan.Kind, c.plan.Plan.ID, c.version, []string{a.ID, b.ID}, p)
			}()
		}
		close(start)
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			require.Equal(t, workflow.CodePreconditionFailed, code(t, err), "%v", err)
		}
		require.Equal(t, 1, won)
		require.Equal(t, 2, applications(t, s, c.plan.Plan.ID), "one row a comment")
		d, err := s.Deliverable(ctx, c.plan.Kind, c.plan.Plan.ID)
		require.NoError(t, err)
		require.Equal(t, c.version+1, d.Plan.Version)
		require.Equal(t, "Mentorok segítik a fiatal kézműveseket, havonta kétszer.", d.Plan.Actions[0].Description, "applied once")
	}
}
