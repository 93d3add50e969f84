package sqlstore

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/workflow"
)

// Who is told of what, at each event. Every function here runs inside
// the transaction of the event, so a notification exists exactly when the
// change that caused it commits.

// transitionNotice is what a deliverable's transition tells its owners,
// or the stakeholders for submit; "" when nobody is told.
func transitionNotice(row deliverableRow, t workflow.Transition) workflow.NoticeKind {
	switch t.Trigger {
	case workflow.TriggerSubmit:
		for _, e := range t.Effects {
			if e == workflow.EffectOpenConsultation && row.PolicyInstrumentID != nil {
				return workflow.NoticeConsultationOpened
			}
		}
	case workflow.TriggerRequestChanges:
		return workflow.NoticeReturned
	case workflow.TriggerApprove:
		return workflow.NoticeApproved
	case workflow.TriggerStartMonitoring:
		return workflow.NoticeMonitored
	case workflow.TriggerClose:
		return workflow.NoticeClosed
	}
	return ""
}

// tellTransition tells of a deliverable's transition: the stakeholder
// group that its consultation opened, or the owners what became of it
// (with the note of a return). eventID is the history row's.
func (s *Store) tellTransition(ctx context.Context, tx *gorm.DB, row deliverableRow, t workflow.Transition, eventID, actorID, note string, at time.Time) error {
	kind := transitionNotice(row, t)
	if kind == "" {
		return nil
	}
	n := notice{id: eventID, kind: kind, projectID: row.ProjectID, deliverableID: row.ID, title: row.Title,
		titleLang: contentLanguage(row.Kind, row.Content), revision: row.Revision, actorID: actorID, at: at}
	if kind == workflow.NoticeConsultationOpened {
		var groups []string
		if err := tx.Table("stakeholder_groups").Where("policy_instrument_id = ?", *row.PolicyInstrumentID).Pluck("id", &groups).Error; err != nil {
			return err
		}
		for _, g := range groups {
			if err := s.tellGroup(ctx, tx, n, g); err != nil {
				return err
			}
		}
		return nil
	}
	if kind == workflow.NoticeReturned {
		n.detail = note
	}
	return s.tell(ctx, tx, n, whoOwners, row.ProjectID, row.ID)
}

// tellComment tells of a new comment: the author of the comment it
// replies to, then the deliverable's owners and the coordinators. Both
// share the event's id, so an owner replied to is told once, of the reply.
func (s *Store) tellComment(ctx context.Context, tx *gorm.DB, c workflow.Comment, d workflow.Deliverable) error {
	n := notice{id: workflow.NewID(), projectID: c.ProjectID, deliverableID: c.DeliverableID, commentID: c.ID,
		title: d.Head().Title, titleLang: d.Language(), revision: c.Revision, actorID: c.AuthorID, at: c.CreatedAt}
	if c.ParentID != "" {
		n.kind = workflow.NoticeCommentReply
		if err := s.tell(ctx, tx, n, whoAuthor, c.ParentID); err != nil {
			return err
		}
	}
	n.kind = workflow.NoticeCommentCreated
	return s.tell(ctx, tx, n, whoOwnersAndCoordinators, c.ProjectID, c.DeliverableID)
}

// tellResponse tells a comment's author that it got its formal response.
func (s *Store) tellResponse(ctx context.Context, tx *gorm.DB, c workflow.Comment, actorID string, at time.Time) error {
	// The comment's reader loaded the deliverable without its content,
	// which has its language.
	var row deliverableRow
	if err := tx.Select("kind", "title", "content").Where("id = ?", c.DeliverableID).Take(&row).Error; err != nil {
		return err
	}
	return s.tell(ctx, tx, notice{kind: workflow.NoticeCommentResponse, projectID: c.ProjectID, deliverableID: c.DeliverableID,
		commentID: c.ID, title: row.Title, titleLang: contentLanguage(row.Kind, row.Content), revision: c.Revision, actorID: actorID, at: at},
		whoAuthor, c.ID)
}

// tellDocument tells the person who asked for a document that it is
// ready, or failed. Approval documents, which the approval queues by
// itself, tell nobody.
func (s *Store) tellDocument(ctx context.Context, tx *gorm.DB, id string, ready bool) error {
	var d documentRow
	if err := tx.Where("id = ?", id).Take(&d).Error; err != nil {
		return err
	}
	if d.Approved || d.RequestedBy == "" {
		return nil
	}
	var row deliverableRow
	if err := tx.Select("kind", "title", "content").Where("id = ?", d.DeliverableID).Take(&row).Error; err != nil {
		return err
	}
	kind := workflow.NoticeDocumentReady
	if !ready {
		kind = workflow.NoticeDocumentFailed
	}
	return s.tell(ctx, tx, notice{kind: kind, projectID: d.ProjectID, deliverableID: d.DeliverableID, documentID: d.ID,
		title: row.Title, titleLang: contentLanguage(row.Kind, row.Content), detail: d.Format, revision: d.Revision}, whoUser, d.RequestedBy)
}

// tellReport tells a plan's owners that its progress report was returned
// (with the note) or accepted.
func (s *Store) tellReport(ctx context.Context, tx *gorm.DB, r reportRow, plan workflow.Deliverable, trigger workflow.ReportTrigger, eventID, actorID, note string, at time.Time) error {
	n := notice{id: eventID, projectID: r.ProjectID, deliverableID: r.PlanID, period: r.Period, title: plan.Head().Title,
		titleLang: plan.Language(), actorID: actorID, at: at}
	switch trigger {
	case workflow.ReportReturn:
		n.kind, n.detail = workflow.NoticeReportReturned, note
	case workflow.ReportAccept:
		n.kind = workflow.NoticeReportAccepted
	default:
		return nil
	}
	return s.tell(ctx, tx, n, whoOwners, r.ProjectID, r.PlanID)
}

// tellMember tells a person they were made a member of a project, or
// that their role in it changed (Detail is the role). An invitation is
// in the inbox but not mailed from here: the caller mails the invitation
// itself, with its sign-in link.
func (s *Store) tellMember(ctx context.Context, tx *gorm.DB, kind workflow.NoticeKind, m workflow.Membership) error {
	var p projectRow
	if err := tx.Select("title", "language").Where("id = ?", m.ProjectID).Take(&p).Error; err != nil {
		return err
	}
	return s.tell(ctx, tx, notice{kind: kind, projectID: m.ProjectID, title: p.Title, titleLang: p.Language, detail: string(m.Role),
		inboxOnly: kind == workflow.NoticeInvited}, whoUser, m.UserID)
}

// tellGroup tells a stakeholder group, which may be hundreds of people,
// without making the event wait for a row each: it writes one row, which
// every member's inbox reads as theirs at once, and queues the job that
// writes each member's own row (FanOut) and so their mail. Without a
// queue (tests, tools) it writes them at once.
func (s *Store) tellGroup(ctx context.Context, tx *gorm.DB, n notice, groupID string) error {
	if n.at.IsZero() {
		n.at = now()
	}
	if err := tx.Exec(`INSERT INTO notification_fanouts (id, project_id, group_id, kind, deliverable_id, title, title_lang, revision, actor_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, n.id, n.projectID, groupID, string(n.kind), nullable(n.deliverableID), n.title, n.titleLang,
		n.revision, nullable(n.actorID), n.at.UTC()).Error; err != nil {
		return err
	}
	if s.jobs == nil {
		return s.fanOut(ctx, tx, n.id)
	}
	stx, err := sqlTx(tx)
	if err != nil {
		return err
	}
	return s.jobs.EnqueueFanOut(ctx, stx, n.id)
}

type fanoutRow struct {
	ID, ProjectID, GroupID, Kind, Title, TitleLang string
	DeliverableID, ActorID                         *string
	Revision                                       int
	CreatedAt                                      time.Time
}

func (fanoutRow) TableName() string { return "notification_fanouts" }

// FanOut writes a group notification's row for each member who was in
// the group when it happened; once, however often it is asked.
func (s *Store) FanOut(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx *gorm.DB) error { return s.fanOut(ctx, tx, id) })
}

func (s *Store) fanOut(ctx context.Context, tx *gorm.DB, id string) error {
	var rows []fanoutRow
	if err := tx.Where("id = ? AND done_at IS NULL", id).Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return err
	}
	f := rows[0]
	res := tx.Exec(`UPDATE notification_fanouts SET done_at = ? WHERE id = ? AND done_at IS NULL`, now(), id)
	if res.Error != nil || res.RowsAffected == 0 {
		return res.Error // another did it meanwhile
	}
	n := notice{id: f.ID, kind: workflow.NoticeKind(f.Kind), projectID: f.ProjectID, deliverableID: deref(f.DeliverableID),
		title: f.Title, titleLang: f.TitleLang, revision: f.Revision, actorID: deref(f.ActorID), at: f.CreatedAt.UTC()}
	return s.tell(ctx, tx, n, `SELECT user_id FROM memberships WHERE project_id = ? AND stakeholder_group_id = ? AND created_at <= ?`,
		f.ProjectID, f.GroupID, f.CreatedAt.UTC())
}

// contentLanguage is the language of a deliverable row's content
// (workflow.Deliverable.Language) without decoding the rest of it.
func contentLanguage(kind, content string) string {
	var c struct {
		Language string `json:"language"`
	}
	if kind != string(workflow.KindPeerReview) && json.Unmarshal([]byte(content), &c) == nil && c.Language != "" {
		return c.Language
	}
	return "en"
}
