package sqlstore_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// The record after an answer (issue 18): a formal response stays on the
// text it answered; replies are not responses; open threads may be carried
// over to the next revision.

func (c *consultation) threadsOf(t *testing.T, s *sqlstore.Store, p workflow.Principal, revision int) []workflow.Comment {
	t.Helper()
	threads, _, err := s.Comments(ctx, c.plan.Kind, c.plan.Plan.ID, revision, p, workflow.Page{})
	require.NoError(t, err)
	return threads
}

func historyEvents(t *testing.T, s *sqlstore.Store, id string, p workflow.Principal) []workflow.CommentEvent {
	t.Helper()
	h, _, err := s.CommentHistory(ctx, id, p, workflow.Page{Limit: 50})
	require.NoError(t, err)
	return h
}

func init() {
	suite["EditAfterResponseKeepsTheAnsweredText"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupConsultation(t, s, "AFTER")
		cm := c.comment(t, s, c.sh, "part2.policy_context", "")
		resp, err := s.RespondToComment(ctx, cm.ID, workflow.ResponseAccepted, "Elfogadva", c.owner)
		require.NoError(t, err)
		require.Equal(t, cm.Body, resp.Response.AnsweredBody)
		require.False(t, resp.EditedAfterResponse)

		// The author's edit is a new version; the response stays on the
		// text it answered.
		ed, err := s.EditComment(ctx, cm.ID, resp.Version, workflow.CommentEdit{Body: "Egészen más szöveg", Stance: workflow.StanceConcern}, c.sh)
		require.NoError(t, err)
		require.Equal(t, resp.Version+1, ed.Version)
		require.True(t, ed.EditedAfterResponse, "the edit's answer says so at once")
		require.Equal(t, cm.Body, ed.Response.AnsweredBody)
		for _, p := range []workflow.Principal{c.sh, c.observer, c.owner} {
			got, err := s.Comment(ctx, cm.ID, p)
			require.NoError(t, err)
			require.Equal(t, "Egészen más szöveg", got.Body)
			require.True(t, got.EditedAfterResponse)
			require.Equal(t, cm.Body, got.Response.AnsweredBody, "the response stays on the answered text")
			require.Equal(t, workflow.ResponseAccepted, got.Response.Status)
			threads := c.threadsOf(t, s, p, 0)
			require.Len(t, threads, 1)
			require.True(t, threads[0].EditedAfterResponse)
			require.Equal(t, cm.Body, threads[0].Response.AnsweredBody)
		}
		h := historyEvents(t, s, cm.ID, c.sh)
		require.Equal(t, []string{"created", "responded", "edited"}, []string{h[0].Event, h[1].Event, h[2].Event})
		require.Equal(t, "Egészen más szöveg", h[2].Body, "the edited event holds the new text")

		// Deleting would erase what was answered: refused, and nothing changes.
		err = s.DeleteComment(ctx, cm.ID, ed.Version, c.sh)
		require.Equal(t, workflow.CodeConflict, code(t, err))
		require.ErrorContains(t, err, "formal response")
		got, err := s.Comment(ctx, cm.ID, c.sh)
		require.NoError(t, err)
		require.False(t, got.Deleted)
		require.Equal(t, ed.Version, got.Version)

		// The owner responds again: the new response answers the current
		// text; the earlier one stays in the history.
		again, err := s.RespondToComment(ctx, cm.ID, workflow.ResponsePartiallyAccepted, "Részben, az új szöveg szerint", c.owner)
		require.NoError(t, err)
		require.False(t, again.EditedAfterResponse)
		require.Equal(t, "Egészen más szöveg", again.Response.AnsweredBody)
		got, err = s.Comment(ctx, cm.ID, c.observer)
		require.NoError(t, err)
		require.False(t, got.EditedAfterResponse)
		require.Equal(t, "Egészen más szöveg", got.Response.AnsweredBody)
		require.Equal(t, workflow.ResponsePartiallyAccepted, got.Response.Status)
		h = historyEvents(t, s, cm.ID, c.owner)
		require.Len(t, h, 4)
		require.Equal(t, "responded", h[1].Event)
		require.Equal(t, "Elfogadva", h[1].Body, "the earlier response is kept")
		require.Equal(t, "accepted", h[1].Status)
		require.Equal(t, "responded", h[3].Event)

		// Editing back to the answered text is no longer "after the response".
		back, err := s.EditComment(ctx, cm.ID, got.Version, workflow.CommentEdit{Body: "Egészen más szöveg", Stance: workflow.StanceConcern}, c.sh)
		require.NoError(t, err)
		require.False(t, back.EditedAfterResponse)

		// A comment without a response may still be deleted.
		other := c.comment(t, s, c.sh, "general", "")
		require.NoError(t, s.DeleteComment(ctx, other.ID, 1, c.sh))
	}

	suite["RepliesAreNotResponses"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupConsultation(t, s, "REPLY")
		a := c.comment(t, s, c.sh, "part2.policy_context", "")
		c.comment(t, s, c.owner, "", a.ID) // the owner's reply: conversation, not an answer
		c.comment(t, s, c.coord, "", a.ID)
		b := c.comment(t, s, c.sh, "part2.policy_context", "")
		hidden := c.comment(t, s, c.sh, "part2.policy_context", "")
		deleted := c.comment(t, s, c.sh, "general", "")
		answered := c.comment(t, s, c.sh, "general", "")
		_, err := s.HideComment(ctx, hidden.ID, "sértő", c.coord)
		require.NoError(t, err)
		require.NoError(t, s.DeleteComment(ctx, deleted.ID, 1, c.sh))
		_, err = s.RespondToComment(ctx, answered.ID, workflow.ResponseNoted, "ok", c.owner)
		require.NoError(t, err)

		// a and b lack a response; the replies under a do not answer it.
		for _, p := range []workflow.Principal{c.owner, c.sh} {
			set, err := s.CommentThreads(ctx, c.plan.Kind, c.plan.Plan.ID, 0, p, workflow.ThreadQuery{})
			require.NoError(t, err)
			require.Equal(t, 2, set.Sections["part2.policy_context"].Unanswered, "%s", p.User.Email)
			require.Equal(t, 0, set.Sections["general"].Unanswered, "deleted and answered ones are not waiting")
		}
		items, err := s.MyConsultations(ctx, c.owner)
		require.NoError(t, err)
		require.Len(t, items, 1)
		require.Equal(t, 2, items[0].Unanswered)

		// The approve guard counts the same.
		require.NoError(t, s.DeleteComment(ctx, b.ID, 1, c.sh))
		_, err = s.CloseConsultation(ctx, c.plan.Kind, c.plan.Plan.ID, c.owner)
		require.NoError(t, err)
		err = c.fire(s, c.coord, workflow.TriggerApprove)
		require.Equal(t, workflow.CodeGuardFailed, code(t, err))
		require.ErrorContains(t, err, "1 top-level comments have no response", "a replied-to comment still waits for its response")
		_, err = s.RespondToComment(ctx, a.ID, workflow.ResponseAccepted, "Igen", c.owner)
		require.NoError(t, err)
		require.NoError(t, c.fire(s, c.coord, workflow.TriggerApprove))
	}

	suite["CarryOverOpenThreadsAtResubmit"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupConsultation(t, s, "CARRY")
		open1 := c.comment(t, s, c.sh, "part3.action.2.players", "") // action 2 goes in revision 2
		reply := c.comment(t, s, c.owner, "", open1.ID)
		open2 := c.comment(t, s, c.sh, "part2.policy_context", "")
		left := c.comment(t, s, c.sh, "general", "") // open, but not chosen
		answered := c.comment(t, s, c.sh, "general", "")
		hidden := c.comment(t, s, c.sh, "general", "")
		_, err := s.RespondToComment(ctx, answered.ID, workflow.ResponseNoted, "ok", c.owner)
		require.NoError(t, err)
		_, err = s.HideComment(ctx, hidden.ID, "off topic", c.coord)
		require.NoError(t, err)
		require.NoError(t, c.fire(s, c.owner, workflow.TriggerRequestChanges))
		_, err = s.UpdateDeliverable(ctx, c.plan.Kind, c.plan.Plan.ID, c.version, func(d *workflow.Deliverable) error {
			d.Plan.Actions = d.Plan.Actions[:1]
			return nil
		})
		require.NoError(t, err)
		c.version++

		submit := func(ids ...string) error {
			_, _, err := s.FireTransition(ctx, workflow.TransitionRequest{Kind: c.plan.Kind, ID: c.plan.Plan.ID, Version: c.version,
				Trigger: workflow.TriggerSubmit, Principal: c.owner, CarryOver: ids})
			return err
		}
		// Ineligible ids refuse the whole submit, which writes nothing.
		for _, bad := range [][]string{{answered.ID}, {hidden.ID}, {reply.ID}, {workflow.NewID()}, {open1.ID, "nope"}} {
			err := submit(bad...)
			require.Equal(t, workflow.CodeInvalid, code(t, err), "%v", bad)
			require.Equal(t, []string{"carry_over"}, fieldsOf(t, err)[:1])
			d, err := s.Deliverable(ctx, c.plan.Kind, c.plan.Plan.ID)
			require.NoError(t, err)
			require.Equal(t, workflow.StateDraft, d.Head().State)
			require.Equal(t, c.version, d.Head().Version)
		}
		_, _, err = s.FireTransition(ctx, workflow.TransitionRequest{Kind: c.plan.Kind, ID: c.plan.Plan.ID, Version: c.version,
			Trigger: workflow.TriggerRevise, Note: "x", Principal: c.owner, CarryOver: []string{open1.ID}})
		require.Equal(t, workflow.CodeInvalid, code(t, err), "only a submit carries over")

		require.NoError(t, submit(open1.ID, open2.ID, open1.ID))
		c.version++
		now := c.threadsOf(t, s, c.sh, 2)
		require.Len(t, now, 2)
		byID := map[string]workflow.Comment{}
		for _, th := range now {
			byID[th.ID] = th
			require.Equal(t, 1, th.CarriedFrom)
			require.Equal(t, 2, th.Revision)
		}
		require.Equal(t, workflow.GeneralSection, byID[open1.ID].Section, "action 2 is gone from revision 2")
		require.Equal(t, "part2.policy_context", byID[open2.ID].Section, "the section still exists")
		require.Len(t, byID[open1.ID].Replies, 1, "the whole thread moves")
		require.Equal(t, reply.ID, byID[open1.ID].Replies[0].ID)
		require.Equal(t, 1, byID[open1.ID].Replies[0].CarriedFrom)
		old := c.threadsOf(t, s, c.owner, 1)
		require.Len(t, old, 3, "the rest stay on revision 1")
		for _, th := range old {
			require.Contains(t, []string{left.ID, answered.ID, hidden.ID}, th.ID)
		}
		h := historyEvents(t, s, open1.ID, c.sh)
		require.Equal(t, "carried", h[len(h)-1].Event)
		require.Equal(t, c.owner.User.ID, h[len(h)-1].ActorID)
		require.Equal(t, open1.Body, h[len(h)-1].Body)
		require.Equal(t, "created", h[0].Event, "the history is kept")

		// On the new revision they are open and count for approval; they
		// are answered and edited there like any other.
		set, err := s.CommentThreads(ctx, c.plan.Kind, c.plan.Plan.ID, 0, c.owner, workflow.ThreadQuery{})
		require.NoError(t, err)
		require.Equal(t, 1, set.Sections["general"].Unanswered)
		_, err = s.RespondToComment(ctx, open1.ID, workflow.ResponseAccepted, "Kész", c.owner)
		require.NoError(t, err)
		ed, err := s.EditComment(ctx, open2.ID, 1, workflow.CommentEdit{Body: "Új szöveg", Stance: workflow.StanceConcern}, c.sh)
		require.NoError(t, err)
		require.Equal(t, 1, ed.CarriedFrom)

		// Carried again at the next resubmission, a thread keeps where it began.
		require.NoError(t, c.fire(s, c.owner, workflow.TriggerRequestChanges))
		require.NoError(t, submit(open2.ID))
		c.version++
		third := c.threadsOf(t, s, c.sh, 3)
		require.Len(t, third, 1)
		require.Equal(t, 1, third[0].CarriedFrom, "carried_from is where the thread was first written")

		// The first submit has no revision to carry from.
		pi := workflow.PolicyInstrument{ProjectID: c.project.ID, Name: "Fresh", Type: workflow.InstrumentOther, PartnerIDs: []string{c.partner.ID}}
		require.NoError(t, s.CreatePolicyInstrument(ctx, &pi))
		plan := completePlanFor(c.seedData, pi.ID)
		require.NoError(t, s.CreateDeliverable(ctx, &plan))
		_, _, err = s.FireTransition(ctx, workflow.TransitionRequest{Kind: plan.Kind, ID: plan.Plan.ID, Version: 1,
			Trigger: workflow.TriggerSubmit, Principal: c.owner, CarryOver: []string{left.ID}})
		require.Equal(t, workflow.CodeInvalid, code(t, err), "another deliverable's thread")
	}
}
