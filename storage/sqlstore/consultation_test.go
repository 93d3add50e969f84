package sqlstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// consultation is a seeded project with a submitted action plan and a
// caller in each role that matters to the consultation.
type consultation struct {
	seedData
	plan                   workflow.Deliverable
	version                int
	coord, owner, observer workflow.Principal
	sh, sh2                workflow.Principal // sh2: another group's stakeholder
	shUsers                []workflow.User
}

func member(t testing.TB, s *sqlstore.Store, email string, m workflow.Membership) (workflow.Principal, workflow.User) {
	t.Helper()
	u, tok := newUser(t, s, email)
	m.UserID = u.ID
	require.NoError(t, s.CreateMembership(ctx, &m))
	p, err := s.Authenticate(ctx, workflow.HashToken(tok))
	require.NoError(t, err)
	return p, u
}

func completePlanFor(d seedData, instrumentID string) workflow.Deliverable {
	start, end := workflow.MustDate("2019-01-01"), workflow.MustDate("2019-12-31")
	p := &workflow.ActionPlan{ProjectID: d.project.ID,
		PartnerID: d.partner.ID, PolicyInstrumentID: instrumentID, Title: "Terv", Language: "hu", SummaryEN: "Plan",
		Actions: []workflow.PlanAction{
			{Title: "Mentor", Description: "d", Players: "p", TimeframeStart: &start, TimeframeEnd: &end},
			{Title: "Képzés", Description: "d", Players: "p", TimeframeStart: &start, TimeframeEnd: &end},
		}}
	p.Normalize() // numbers the actions, as the API does
	return workflow.Deliverable{Kind: workflow.KindActionPlan, Plan: p}
}

func setupConsultation(t testing.TB, s *sqlstore.Store, acronym string) consultation {
	t.Helper()
	c := consultation{seedData: seed(t, s, acronym)}
	pid := c.project.ID
	c.coord, _ = member(t, s, "coord@"+acronym, workflow.Membership{ProjectID: pid, Role: workflow.RoleCoordinator})
	c.owner, _ = member(t, s, "owner@"+acronym, workflow.Membership{ProjectID: pid, Role: workflow.RolePartner, PartnerID: c.partner.ID})
	c.observer, _ = member(t, s, "obs@"+acronym, workflow.Membership{ProjectID: pid, Role: workflow.RoleObserver})
	for i := range 3 {
		p, u := member(t, s, fmt.Sprintf("sh%d@%s", i, acronym), workflow.Membership{ProjectID: pid, Role: workflow.RoleStakeholder, StakeholderGroupID: c.group.ID})
		if i == 0 {
			c.sh = p
		}
		c.shUsers = append(c.shUsers, u)
	}
	other := workflow.PolicyInstrument{ProjectID: pid, Name: "Other", Type: workflow.InstrumentOther, PartnerIDs: []string{c.partner.ID}}
	require.NoError(t, s.CreatePolicyInstrument(ctx, &other))
	g2 := workflow.StakeholderGroup{ProjectID: pid, Name: "Other group", PolicyInstrumentID: other.ID}
	require.NoError(t, s.CreateStakeholderGroup(ctx, &g2))
	c.sh2, _ = member(t, s, "sh-other@"+acronym, workflow.Membership{ProjectID: pid, Role: workflow.RoleStakeholder, StakeholderGroupID: g2.ID})

	c.plan = completePlanFor(c.seedData, c.instrument.ID)
	require.NoError(t, s.CreateDeliverable(ctx, &c.plan))
	_, _, err := s.FireTransition(ctx, workflow.TransitionRequest{Kind: c.plan.Kind, ID: c.plan.Plan.ID, Version: 1, Trigger: workflow.TriggerSubmit, Principal: c.owner})
	require.NoError(t, err)
	c.version = 2
	return c
}

func (c *consultation) comment(t *testing.T, s *sqlstore.Store, p workflow.Principal, section, parent string) workflow.Comment {
	t.Helper()
	cm, err := s.AddComment(ctx, workflow.NewComment{Kind: c.plan.Kind, DeliverableID: c.plan.Plan.ID, Body: "Megjegyzés " + section,
		Section: section, ParentID: parent, Principal: p})
	require.NoError(t, err)
	return cm
}

func (c *consultation) fire(s *sqlstore.Store, p workflow.Principal, trigger workflow.Trigger) error {
	_, _, err := s.FireTransition(ctx, workflow.TransitionRequest{Kind: c.plan.Kind, ID: c.plan.Plan.ID, Version: c.version, Trigger: trigger, Principal: p, Note: "n"})
	if err == nil {
		c.version++
	}
	return err
}

// pastDeadline moves the consultation's deadline into the past, as if
// the window had run out.
func pastDeadline(t *testing.T, s *sqlstore.Store, id string) {
	t.Helper()
	_, err := s.DB().ExecContext(ctx, "UPDATE consultations SET deadline = $1 WHERE deliverable_id = $2", time.Now().UTC().Add(-time.Minute), id)
	require.NoError(t, err)
}

func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	var we *workflow.Error
	require.ErrorAs(t, err, &we)
	var out []string
	for _, f := range we.Fields {
		out = append(out, f.Field)
	}
	return out
}

func init() {
	suite["ConsultationOpensAtSubmit"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupConsultation(t, s, "OPEN")
		cs, err := s.Consultation(ctx, c.plan.Kind, c.plan.Plan.ID, 0, c.sh)
		require.NoError(t, err)
		require.Equal(t, 1, cs.Revision)
		require.Nil(t, cs.ClosedAt)
		require.WithinDuration(t, time.Now().AddDate(0, 0, workflow.DefaultConsultationDays), cs.Deadline, time.Minute, "the project's default window")
		_, err = s.Consultation(ctx, c.plan.Kind, c.plan.Plan.ID, 0, c.sh2)
		require.Equal(t, workflow.CodeNotFound, code(t, err), "another group's stakeholder")

		// A project's own window, and a deadline named at submit.
		p := workflow.Project{Acronym: "OPEN-3", Title: "Short", ConsultationDays: 3}
		require.NoError(t, s.CreateProject(ctx, &p))
		got, err := s.Project(ctx, p.ID)
		require.NoError(t, err)
		require.Equal(t, 3, got.ConsultationDays)
		def, err := s.Project(ctx, c.project.ID)
		require.NoError(t, err)
		require.Equal(t, 14, def.ConsultationDays, "0 when created means 14")

		pi := workflow.PolicyInstrument{ProjectID: c.project.ID, Name: "Second", Type: workflow.InstrumentOther, PartnerIDs: []string{c.partner.ID}}
		require.NoError(t, s.CreatePolicyInstrument(ctx, &pi))
		plan := completePlanFor(c.seedData, pi.ID)
		require.NoError(t, s.CreateDeliverable(ctx, &plan))
		for _, bad := range []time.Time{time.Now().Add(-time.Hour), time.Now().AddDate(0, 0, 366)} {
			_, _, err = s.FireTransition(ctx, workflow.TransitionRequest{Kind: plan.Kind, ID: plan.Plan.ID, Version: 1, Trigger: workflow.TriggerSubmit,
				Principal: c.owner, ConsultationDeadline: &bad})
			require.Equal(t, workflow.CodeInvalid, code(t, err), "%v", bad)
			require.Equal(t, []string{"consultation_deadline"}, fieldsOf(t, err))
		}
		d, err := s.Deliverable(ctx, plan.Kind, plan.Plan.ID)
		require.NoError(t, err)
		require.Equal(t, workflow.StateDraft, d.Head().State, "a refused deadline writes nothing")
		require.Equal(t, 1, d.Head().Version)
		want := time.Now().UTC().Add(36 * time.Hour).Truncate(time.Second)
		_, _, err = s.FireTransition(ctx, workflow.TransitionRequest{Kind: plan.Kind, ID: plan.Plan.ID, Version: 1, Trigger: workflow.TriggerSubmit,
			Principal: c.owner, ConsultationDeadline: &want})
		require.NoError(t, err)
		cs, err = s.Consultation(ctx, plan.Kind, plan.Plan.ID, 1, c.coord)
		require.NoError(t, err)
		require.True(t, want.Equal(cs.Deadline), "%v != %v", want, cs.Deadline)
	}

	suite["ReplyNeedsNoStance"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupConsultation(t, s, "RNS")
		top := c.comment(t, s, c.sh, "part2.policy_context", "")
		require.Equal(t, workflow.StanceSuggestion, top.Stance, "a top-level comment still takes one")
		reply := c.comment(t, s, c.owner, "", top.ID)
		require.Equal(t, workflow.Stance(""), reply.Stance, "a reply sent without one has none")
		threads, _, err := s.Comments(ctx, c.plan.Kind, c.plan.Plan.ID, 0, c.sh, workflow.Page{})
		require.NoError(t, err)
		require.Len(t, threads, 1)
		require.Equal(t, workflow.Stance(""), threads[0].Replies[0].Stance)
		// An edit keeps a reply without one; a top-level comment's empty
		// stance is still a suggestion.
		ed, err := s.EditComment(ctx, reply.ID, 1, workflow.CommentEdit{Body: "Köszönjük"}, c.owner)
		require.NoError(t, err)
		require.Equal(t, workflow.Stance(""), ed.Stance)
		ed, err = s.EditComment(ctx, top.ID, 1, workflow.CommentEdit{Body: "Átírva"}, c.sh)
		require.NoError(t, err)
		require.Equal(t, workflow.StanceSuggestion, ed.Stance)
		// A reply may still take one.
		q, err := s.AddComment(ctx, workflow.NewComment{Kind: c.plan.Kind, DeliverableID: c.plan.Plan.ID, Body: "?",
			ParentID: top.ID, Stance: workflow.StanceQuestion, Principal: c.sh})
		require.NoError(t, err)
		require.Equal(t, workflow.StanceQuestion, q.Stance)
		// The database holds the rule too: only a reply may have none.
		_, err = s.DB().ExecContext(ctx, "UPDATE comments SET stance = '' WHERE id = $1", top.ID)
		require.Error(t, err, "a top-level comment without a stance")
		_, err = s.DB().ExecContext(ctx, "UPDATE comments SET stance = 'rage' WHERE id = $1", reply.ID)
		require.Error(t, err, "an unknown stance")
	}

	suite["CommentsArePinnedAndThreaded"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupConsultation(t, s, "PIN")
		top := c.comment(t, s, c.sh, "part3.action.2.players", "")
		require.Equal(t, 1, top.Revision)
		require.Equal(t, workflow.StanceSuggestion, top.Stance, "the default stance")
		require.Equal(t, workflow.RoleStakeholder, top.AuthorRole)
		general := c.comment(t, s, c.sh, "", "")
		require.Equal(t, workflow.GeneralSection, general.Section)
		reply := c.comment(t, s, c.owner, "part3.action.2.players", top.ID)
		replyToReply := c.comment(t, s, c.sh, "part3.action.2.players", reply.ID)

		for _, bad := range []workflow.NewComment{
			{Section: "part3.action.9.players", Body: "x"}, // no action 9 in this revision
			{Section: "recommendation.1", Body: "x"},       // a peer review's anchor
			{ParentID: workflow.NewID(), Body: "x"},
			{Body: "   "},
			{Body: string(make([]rune, workflow.MaxCommentLength+1))},
			{Body: "x", Stance: "angry"},
		} {
			bad.Kind, bad.DeliverableID, bad.Principal = c.plan.Kind, c.plan.Plan.ID, c.sh
			_, err := s.AddComment(ctx, bad)
			require.Equal(t, workflow.CodeInvalid, code(t, err), "%+v", bad)
		}
		// A parent on another deliverable is not a parent here.
		pi := workflow.PolicyInstrument{ProjectID: c.project.ID, Name: "Elsewhere", Type: workflow.InstrumentOther, PartnerIDs: []string{c.partner.ID}}
		require.NoError(t, s.CreatePolicyInstrument(ctx, &pi))
		other := completePlanFor(c.seedData, pi.ID)
		require.NoError(t, s.CreateDeliverable(ctx, &other))
		_, _, err := s.FireTransition(ctx, workflow.TransitionRequest{Kind: other.Kind, ID: other.Plan.ID, Version: 1, Trigger: workflow.TriggerSubmit, Principal: c.owner})
		require.NoError(t, err)
		_, err = s.AddComment(ctx, workflow.NewComment{Kind: other.Kind, DeliverableID: other.Plan.ID, Body: "x", ParentID: top.ID, Principal: c.coord})
		require.Equal(t, workflow.CodeInvalid, code(t, err))
		require.Equal(t, []string{"parent_id"}, fieldsOf(t, err))

		// Who may comment.
		_, err = s.AddComment(ctx, workflow.NewComment{Kind: c.plan.Kind, DeliverableID: c.plan.Plan.ID, Body: "x", Principal: c.observer})
		require.Equal(t, workflow.CodeForbidden, code(t, err))
		_, err = s.AddComment(ctx, workflow.NewComment{Kind: c.plan.Kind, DeliverableID: c.plan.Plan.ID, Body: "x", Principal: c.sh2})
		require.Equal(t, workflow.CodeNotFound, code(t, err))

		threads, _, err := s.Comments(ctx, c.plan.Kind, c.plan.Plan.ID, 0, c.sh, workflow.Page{})
		require.NoError(t, err)
		require.Len(t, threads, 2)
		require.Equal(t, top.ID, threads[0].ID)
		require.Equal(t, c.sh.User.Name, threads[0].AuthorName)
		require.Equal(t, general.ID, threads[1].ID)
		require.Len(t, threads[0].Replies, 2, "a reply to a reply stays in its thread")
		require.Equal(t, reply.ID, threads[0].Replies[0].ID)
		require.Equal(t, replyToReply.ID, threads[0].Replies[1].ID)
		require.Equal(t, reply.ID, threads[0].Replies[1].ParentID)

		// A reply stamped before its thread's start (a clock step back)
		// still lands in its thread, in time order.
		_, err = s.DB().ExecContext(ctx, "UPDATE comments SET created_at = $1 WHERE id = $2", top.CreatedAt.Add(-time.Hour), replyToReply.ID)
		require.NoError(t, err)
		threads, _, err = s.Comments(ctx, c.plan.Kind, c.plan.Plan.ID, 0, c.owner, workflow.Page{})
		require.NoError(t, err)
		require.Len(t, threads, 2)
		require.Len(t, threads[0].Replies, 2)
		require.Equal(t, replyToReply.ID, threads[0].Replies[0].ID)

		// Closed early: no more comments, and nothing else is taken.
		_, err = s.CloseConsultation(ctx, c.plan.Kind, c.plan.Plan.ID, c.sh)
		require.Equal(t, workflow.CodeForbidden, code(t, err), "a stakeholder may not close")
		cs, err := s.CloseConsultation(ctx, c.plan.Kind, c.plan.Plan.ID, c.owner)
		require.NoError(t, err)
		require.Equal(t, "early", cs.ClosedReason)
		require.Equal(t, c.owner.User.ID, cs.ClosedBy)
		_, err = s.AddComment(ctx, workflow.NewComment{Kind: c.plan.Kind, DeliverableID: c.plan.Plan.ID, Body: "late", Principal: c.sh})
		require.Equal(t, workflow.CodeConflict, code(t, err))
		_, err = s.CloseConsultation(ctx, c.plan.Kind, c.plan.Plan.ID, c.owner)
		require.Equal(t, workflow.CodeConflict, code(t, err), "closing twice")
	}

	suite["ApproveGuardListsEveryUnmetCondition"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupConsultation(t, s, "GUARD")
		first := c.comment(t, s, c.sh, "part1.general", "")
		c.comment(t, s, c.owner, "part1.general", first.ID) // replies need no response
		second := c.comment(t, s, c.sh, "general", "")
		hidden := c.comment(t, s, c.sh, "general", "")
		gone := c.comment(t, s, c.sh, "general", "")

		err := c.fire(s, c.coord, workflow.TriggerApprove)
		require.Equal(t, workflow.CodeGuardFailed, code(t, err))
		require.ElementsMatch(t, []string{"consultation", "comments"}, fieldsOf(t, err))
		require.Contains(t, err.(*workflow.Error).Fields[1].Message+err.(*workflow.Error).Fields[0].Message, "4 top-level comments")

		perm, _, err := s.PermittedTransitions(ctx, c.plan.Kind, c.plan.Plan.ID, c.coord)
		require.NoError(t, err)
		require.Equal(t, []workflow.PermittedTrigger{{Trigger: workflow.TriggerRequestChanges, To: workflow.StateDraft}}, perm)

		// Hidden and deleted comments need no answer.
		_, err = s.HideComment(ctx, hidden.ID, "personal data", c.coord)
		require.NoError(t, err)
		require.NoError(t, s.DeleteComment(ctx, gone.ID, 1, c.sh))
		for _, cm := range []workflow.Comment{first, second} {
			_, err = s.RespondToComment(ctx, cm.ID, workflow.ResponseAccepted, "Beépítjük", c.owner)
			require.NoError(t, err)
		}
		err = c.fire(s, c.coord, workflow.TriggerApprove)
		require.Equal(t, []string{"consultation"}, fieldsOf(t, err), "only the window is left")

		// The deadline passes; the job's work closes it, once.
		closed, err := s.ExpireConsultation(ctx, c.plan.Plan.ID, 1)
		require.NoError(t, err)
		require.False(t, closed, "not before the deadline")
		pastDeadline(t, s, c.plan.Plan.ID)
		closed, err = s.ExpireConsultation(ctx, c.plan.Plan.ID, 1)
		require.NoError(t, err)
		require.True(t, closed)
		closed, err = s.ExpireConsultation(ctx, c.plan.Plan.ID, 1)
		require.NoError(t, err)
		require.False(t, closed, "idempotent")
		cs, err := s.Consultation(ctx, c.plan.Kind, c.plan.Plan.ID, 1, c.coord)
		require.NoError(t, err)
		require.Equal(t, "deadline", cs.ClosedReason)
		require.NotNil(t, cs.ClosedAt)

		require.NoError(t, c.fire(s, c.coord, workflow.TriggerApprove))
	}

	suite["PastDeadlineIsOverBeforeTheJobRuns"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupConsultation(t, s, "LATE")
		pastDeadline(t, s, c.plan.Plan.ID)
		_, err := s.AddComment(ctx, workflow.NewComment{Kind: c.plan.Kind, DeliverableID: c.plan.Plan.ID, Body: "late", Principal: c.sh})
		require.Equal(t, workflow.CodeConflict, code(t, err))
		require.NoError(t, c.fire(s, c.coord, workflow.TriggerApprove), "a passed deadline is over even while the row is open")
	}

	suite["EditAndDeleteByTheAuthorWithHistory"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupConsultation(t, s, "EDIT")
		cm := c.comment(t, s, c.sh, "general", "")
		_, err := s.EditComment(ctx, cm.ID, 1, workflow.CommentEdit{Body: "Más", Stance: workflow.StanceConcern}, c.coord)
		require.Equal(t, workflow.CodeForbidden, code(t, err), "not the author")
		ed, err := s.EditComment(ctx, cm.ID, 1, workflow.CommentEdit{Body: "  Átírva  ", Stance: workflow.StanceConcern}, c.sh)
		require.NoError(t, err)
		require.Equal(t, 2, ed.Version)
		require.Equal(t, "Átírva", ed.Body)
		require.True(t, ed.Edited)
		_, err = s.EditComment(ctx, cm.ID, 1, workflow.CommentEdit{Body: "stale", Stance: workflow.StanceConcern}, c.sh)
		require.Equal(t, workflow.CodePreconditionFailed, code(t, err))
		got, err := s.Comment(ctx, cm.ID, c.observer)
		require.NoError(t, err)
		require.Equal(t, "Átírva", got.Body)
		require.Equal(t, workflow.StanceConcern, got.Stance)

		require.Equal(t, workflow.CodePreconditionFailed, code(t, s.DeleteComment(ctx, cm.ID, 1, c.sh)))
		require.NoError(t, s.DeleteComment(ctx, cm.ID, 2, c.sh))
		got, err = s.Comment(ctx, cm.ID, c.sh)
		require.NoError(t, err)
		require.True(t, got.Deleted)
		require.Empty(t, got.Body)
		threads, _, err := s.Comments(ctx, c.plan.Kind, c.plan.Plan.ID, 0, c.sh, workflow.Page{})
		require.NoError(t, err)
		require.Len(t, threads, 1, "a deleted comment keeps its place in the thread")

		h, _, err := s.CommentHistory(ctx, cm.ID, c.sh, workflow.Page{Limit: 50})
		require.NoError(t, err)
		require.Len(t, h, 3)
		require.Equal(t, []string{"created", "edited", "deleted"}, []string{h[0].Event, h[1].Event, h[2].Event})
		require.Equal(t, "Megjegyzés general", h[0].Body, "the first text is kept")
		require.Equal(t, "Átírva", h[1].Body)
		_, _, err = s.CommentHistory(ctx, cm.ID, c.observer, workflow.Page{Limit: 50})
		require.Equal(t, workflow.CodeForbidden, code(t, err), "others may not read deleted text")
		owners, _, err := s.CommentHistory(ctx, cm.ID, c.owner, workflow.Page{Limit: 50})
		require.NoError(t, err)
		require.Len(t, owners, 3)
		for _, stmt := range []string{"UPDATE comment_events SET body = 'rewritten'", "DELETE FROM comment_events"} {
			_, err = s.DB().ExecContext(ctx, stmt)
			require.ErrorContains(t, err, "append-only", stmt)
		}

		// Once closed, the author can change nothing.
		other := c.comment(t, s, c.sh, "general", "")
		_, err = s.CloseConsultation(ctx, c.plan.Kind, c.plan.Plan.ID, c.coord)
		require.NoError(t, err)
		_, err = s.EditComment(ctx, other.ID, 1, workflow.CommentEdit{Body: "after", Stance: workflow.StanceSupport}, c.sh)
		require.Equal(t, workflow.CodeConflict, code(t, err))
		require.Equal(t, workflow.CodeConflict, code(t, s.DeleteComment(ctx, other.ID, 1, c.sh)))
	}

	suite["HiddenCommentsStayInTheAuditOnly"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupConsultation(t, s, "HIDE")
		cm := c.comment(t, s, c.sh, "general", "")
		reply := c.comment(t, s, c.owner, "general", cm.ID)
		_, err := s.HideComment(ctx, cm.ID, "sértő", c.owner)
		require.Equal(t, workflow.CodeForbidden, code(t, err), "the owner answers but does not moderate")
		_, err = s.HideComment(ctx, cm.ID, "  ", c.coord)
		require.Equal(t, workflow.CodeInvalid, code(t, err), "a reason is required")
		h, err := s.HideComment(ctx, cm.ID, "sértő", c.coord)
		require.NoError(t, err)
		require.True(t, h.Hidden)
		require.False(t, h.Edited, "hiding is not editing")
		_, err = s.HideComment(ctx, cm.ID, "again", c.coord)
		require.Equal(t, workflow.CodeConflict, code(t, err))

		for _, p := range []workflow.Principal{c.sh, c.observer} {
			threads, _, err := s.Comments(ctx, c.plan.Kind, c.plan.Plan.ID, 0, p, workflow.Page{})
			require.NoError(t, err)
			require.Empty(t, threads, "hidden, with its thread")
			_, err = s.Comment(ctx, cm.ID, p)
			require.Equal(t, workflow.CodeNotFound, code(t, err))
		}
		threads, _, err := s.Comments(ctx, c.plan.Kind, c.plan.Plan.ID, 0, c.owner, workflow.Page{})
		require.NoError(t, err)
		require.Len(t, threads, 1)
		require.True(t, threads[0].Hidden)
		require.Equal(t, "sértő", threads[0].HiddenReason)
		require.False(t, threads[0].Edited, "hiding is not editing")
		require.Equal(t, reply.ID, threads[0].Replies[0].ID)
		hist, _, err := s.CommentHistory(ctx, cm.ID, c.coord, workflow.Page{Limit: 50})
		require.NoError(t, err)
		require.Equal(t, "hidden", hist[len(hist)-1].Event)
		require.Equal(t, "sértő", hist[len(hist)-1].Body)
		items, err := s.MyConsultations(ctx, c.sh)
		require.NoError(t, err)
		require.Len(t, items, 1)
		require.Zero(t, items[0].Comments, "a hidden thread counts for nothing, its replies included")
	}

	suite["ResponsesByOwnerOrCoordinator"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupConsultation(t, s, "RESP")
		cm := c.comment(t, s, c.sh, "part2.policy_context", "")
		reply := c.comment(t, s, c.sh, "part2.policy_context", cm.ID)
		for _, p := range []workflow.Principal{c.sh, c.observer} {
			_, err := s.RespondToComment(ctx, cm.ID, workflow.ResponseNoted, "x", p)
			require.Equal(t, workflow.CodeForbidden, code(t, err))
		}
		_, err := s.RespondToComment(ctx, cm.ID, workflow.ResponseNoted, "x", c.sh2)
		require.Equal(t, workflow.CodeNotFound, code(t, err))
		_, err = s.RespondToComment(ctx, reply.ID, workflow.ResponseNoted, "x", c.owner)
		require.Equal(t, workflow.CodeInvalid, code(t, err), "replies get no formal response")
		_, err = s.RespondToComment(ctx, cm.ID, "maybe", "x", c.owner)
		require.Equal(t, workflow.CodeInvalid, code(t, err))

		r1, err := s.RespondToComment(ctx, cm.ID, workflow.ResponseRejected, "Nem illik ide", c.owner)
		require.NoError(t, err)
		require.Equal(t, workflow.ResponseRejected, r1.Response.Status)
		_, err = s.RespondToComment(ctx, cm.ID, workflow.ResponsePartiallyAccepted, "Részben", c.coord)
		require.NoError(t, err)
		got, err := s.Comment(ctx, cm.ID, c.sh)
		require.NoError(t, err)
		require.Equal(t, workflow.ResponsePartiallyAccepted, got.Response.Status, "the later response replaces the earlier")
		require.Equal(t, c.coord.User.ID, got.Response.AuthorID)
		h, _, err := s.CommentHistory(ctx, cm.ID, c.sh, workflow.Page{Limit: 50})
		require.NoError(t, err)
		require.Len(t, h, 3)
		require.Equal(t, "rejected", h[1].Status)
		require.Equal(t, "partially_accepted", h[2].Status)

		// Answers are given while in stakeholder_review, also after the
		// window closed; not once withdrawn to draft.
		_, err = s.CloseConsultation(ctx, c.plan.Kind, c.plan.Plan.ID, c.coord)
		require.NoError(t, err)
		_, err = s.RespondToComment(ctx, cm.ID, workflow.ResponseAccepted, "Mégis", c.owner)
		require.NoError(t, err)
		require.NoError(t, c.fire(s, c.owner, workflow.TriggerRequestChanges))
		_, err = s.RespondToComment(ctx, cm.ID, workflow.ResponseAccepted, "Draft", c.owner)
		require.Equal(t, workflow.CodeConflict, code(t, err))
	}

	suite["RequestChangesWithdrawsTheConsultation"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupConsultation(t, s, "WDRAW")
		c.comment(t, s, c.sh, "general", "")
		require.NoError(t, c.fire(s, c.owner, workflow.TriggerRequestChanges))
		cs, err := s.Consultation(ctx, c.plan.Kind, c.plan.Plan.ID, 1, c.coord)
		require.NoError(t, err)
		require.Equal(t, "withdrawn", cs.ClosedReason)
		require.Equal(t, c.owner.User.ID, cs.ClosedBy)
		require.NotNil(t, cs.ClosedAt)
		_, err = s.AddComment(ctx, workflow.NewComment{Kind: c.plan.Kind, DeliverableID: c.plan.Plan.ID, Body: "x", Principal: c.coord})
		require.Equal(t, workflow.CodeConflict, code(t, err), "a draft takes no comments")
		_, _, err = s.Comments(ctx, c.plan.Kind, c.plan.Plan.ID, 1, c.sh, workflow.Page{})
		require.Equal(t, workflow.CodeNotFound, code(t, err), "stakeholders do not see drafts")
		items, err := s.MyConsultations(ctx, c.sh)
		require.NoError(t, err)
		require.Empty(t, items)

		// The next submit opens a new consultation on revision 2; the old
		// revision's threads stay readable by number.
		require.NoError(t, c.fire(s, c.owner, workflow.TriggerSubmit))
		fresh, _, err := s.Comments(ctx, c.plan.Kind, c.plan.Plan.ID, 0, c.sh, workflow.Page{})
		require.NoError(t, err)
		require.Empty(t, fresh)
		old, _, err := s.Comments(ctx, c.plan.Kind, c.plan.Plan.ID, 1, c.sh, workflow.Page{})
		require.NoError(t, err)
		require.Len(t, old, 1)
		cm := c.comment(t, s, c.sh, "general", "")
		require.Equal(t, 2, cm.Revision)
	}

	suite["MyConsultations"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupConsultation(t, s, "MINE")
		a := c.comment(t, s, c.sh, "general", "")
		c.comment(t, s, c.owner, "general", a.ID)
		c.comment(t, s, c.sh, "general", "")
		_, err := s.RespondToComment(ctx, a.ID, workflow.ResponseNoted, "ok", c.owner)
		require.NoError(t, err)
		items, err := s.MyConsultations(ctx, c.sh)
		require.NoError(t, err)
		require.Len(t, items, 1)
		require.Equal(t, c.plan.Plan.ID, items[0].ID)
		require.Equal(t, 3, items[0].Comments)
		require.Equal(t, 1, items[0].Unanswered)
		require.Equal(t, 1, items[0].Consultation.Revision)
		none, err := s.MyConsultations(ctx, c.sh2)
		require.NoError(t, err)
		require.Empty(t, none, "another group's stakeholder")
		all, err := s.MyConsultations(ctx, c.coord)
		require.NoError(t, err)
		require.Len(t, all, 1)
	}

	suite["ReminderGoesToSilentStakeholdersOnce"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupConsultation(t, s, "REMIND")
		c.comment(t, s, c.sh, "general", "") // shUsers[0] has commented
		r, due, err := s.ConsultationReminder(ctx, c.plan.Plan.ID, 1)
		require.NoError(t, err)
		require.True(t, due)
		var to []string
		for _, u := range r.To {
			to = append(to, u.ID)
		}
		require.ElementsMatch(t, []string{c.shUsers[1].ID, c.shUsers[2].ID}, to, "the group's silent stakeholders, not the other group's")
		_, due, err = s.ConsultationReminder(ctx, c.plan.Plan.ID, 1)
		require.NoError(t, err)
		require.False(t, due, "a retried job sends no second round")
	}
}
