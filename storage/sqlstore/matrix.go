package sqlstore

// The consultation data of a render: what the comment-response matrix (and
// the action plan's annex) shows, read from the consultations and comments
// tables. It only reads; the consultation store writes these rows.

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/revdiff"
	"github.com/craftscode/craftscode/workflow"
)

type matrixWindowRow struct {
	OpenedAt     time.Time
	Deadline     time.Time
	ClosedAt     *time.Time
	ClosedReason string
}

type matrixCommentRow struct {
	ID             string
	Section        string
	ParentID       *string
	ThreadID       string
	Stance         string
	Body           string
	AuthorName     string
	AuthorRole     string
	AuthorOrg      string
	MatrixNames    string
	ResponseStatus string
	ResponseBody   string
	ResponderName  string
	ResponderRole  string
	ResponseAt     *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// What the response answered, and where a carried thread began.
	AnsweredBody       string
	AnsweredSuggestion string
	Suggestion         string
	CarriedFrom        *int
}

// A stakeholder is a private person: unless the project's matrix_names
// is "names", the matrix prints its organisation (its stakeholder group)
// instead of its name. Names are read here, at render time, so an erased
// user appears under its pseudonym in every document rendered after.
//
// Hidden and deleted comments never leave the database this way: the
// filter is in the query, not in the code that formats the rows. The
// responder's role is their membership's (admin for an administrator
// without one), as a comment's author_role is recorded.
const matrixCommentsSQL = `
SELECT c.id, c.section, c.parent_id, c.thread_id, c.stance, c.body,
       u.name AS author_name, c.author_role,
       COALESCE(ag.name, '') AS author_org, pr.matrix_names,
       c.response_status, c.response_body,
       COALESCE(r.name, '') AS responder_name,
       COALESCE(m.role, CASE WHEN r.admin THEN 'admin' ELSE '' END, '') AS responder_role,
       c.response_at, c.created_at, c.updated_at,
       c.answered_body, c.answered_suggestion, c.suggestion, c.carried_from
FROM comments c
JOIN users u ON u.id = c.author_id
JOIN projects pr ON pr.id = c.project_id
LEFT JOIN memberships am ON am.user_id = c.author_id AND am.project_id = c.project_id
LEFT JOIN stakeholder_groups ag ON ag.id = am.stakeholder_group_id
LEFT JOIN users r ON r.id = c.response_by
LEFT JOIN memberships m ON m.user_id = c.response_by AND m.project_id = c.project_id
WHERE c.deliverable_id = ? AND c.revision = ? AND NOT c.hidden AND NOT c.deleted
ORDER BY c.created_at, c.id`

// ConsultationMatrix reads the consultation of a revision as template
// data; ok is false when the revision has none. snapshot is the revision's
// frozen snapshot: it gives the sections, their order and their titles.
func (s *Store) ConsultationMatrix(ctx context.Context, deliverableID string, revision int, snapshot []byte) (c documents.Consultation, ok bool, err error) {
	db := s.db.WithContext(ctx)
	var w matrixWindowRow
	err = db.Raw(`SELECT opened_at, deadline, closed_at, closed_reason FROM consultations WHERE deliverable_id = ? AND revision = ?`,
		deliverableID, revision).Take(&w).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return c, false, nil
	}
	if err != nil {
		return c, false, translate(err)
	}
	var rows []matrixCommentRow
	if err := db.Raw(matrixCommentsSQL, deliverableID, revision).Scan(&rows).Error; err != nil {
		return c, false, translate(err)
	}
	sections, err := workflow.Sections(snapshot)
	if err != nil {
		return c, false, err
	}
	c = buildMatrix(sections, rows)
	if err := nextRevisionChanges(db, deliverableID, revision, sections, &c); err != nil {
		return c, false, err
	}
	c.Revision = revision
	c.OpenedAt, c.Deadline, c.ClosedReason = w.OpenedAt.UTC(), w.Deadline.UTC(), w.ClosedReason
	if w.ClosedAt != nil {
		t := w.ClosedAt.UTC()
		c.ClosedAt = &t
	}
	return c, true, nil
}

// buildMatrix groups visible comments (oldest first) into threads and the
// threads into the revision's sections, numbering the top-level comments in
// reading order. A reply whose top-level comment is hidden or deleted goes
// with it: without the comment it answers it would be read out of context.
// A comment on an anchor the revision does not list (the consultation store
// refuses those, but rows outlive code) is kept, under its anchor, after
// the known sections.
func buildMatrix(sections []workflow.Section, rows []matrixCommentRow) documents.Consultation {
	tops := map[string]*documents.ConsultationComment{}
	var order []*documents.ConsultationComment
	for _, r := range rows {
		if r.ParentID != nil {
			continue
		}
		cm := &documents.ConsultationComment{ID: r.ID, Section: r.Section, Stance: r.Stance, Body: r.Body,
			Author: r.author(),
			Edited: r.edited(), CreatedAt: r.CreatedAt.UTC(), Replies: []documents.ConsultationReply{}}
		if r.ResponseStatus != "" {
			resp := &documents.ConsultationResponse{Status: r.ResponseStatus, Body: r.ResponseBody,
				Author:       documents.ConsultationPerson{Name: r.ResponderName, Role: r.ResponderRole},
				AnsweredBody: r.AnsweredBody, AnsweredSuggestion: r.AnsweredSuggestion}
			if r.ResponseAt != nil {
				resp.At = r.ResponseAt.UTC()
			}
			cm.Response = resp
			cm.EditedAfterResponse = r.AnsweredBody != r.Body || r.AnsweredSuggestion != r.Suggestion
		}
		if r.CarriedFrom != nil {
			cm.CarriedFrom = *r.CarriedFrom
		}
		tops[r.ID] = cm
		order = append(order, cm)
	}
	var counts documents.ConsultationCounts
	for _, r := range rows {
		top, ok := tops[r.ThreadID]
		if r.ParentID == nil || !ok {
			continue
		}
		top.Replies = append(top.Replies, documents.ConsultationReply{ID: r.ID, Stance: r.Stance, Body: r.Body,
			Author: r.author(),
			Edited: r.edited(), CreatedAt: r.CreatedAt.UTC()})
		counts.Replies++
	}

	// Sections in reading order, then unknown anchors as first seen.
	index := map[string]int{}
	out := make([]documents.ConsultationSection, 0, len(sections))
	for _, s := range sections {
		index[s.Anchor] = len(out)
		out = append(out, documents.ConsultationSection{Anchor: s.Anchor, Title: s.Title, Name: s.Name})
	}
	for _, cm := range order {
		i, ok := index[cm.Section]
		if !ok {
			i = len(out)
			index[cm.Section] = i
			out = append(out, documents.ConsultationSection{Anchor: cm.Section, Title: cm.Section})
		}
		out[i].Comments = append(out[i].Comments, *cm)
	}
	kept := make([]documents.ConsultationSection, 0, len(out))
	for _, s := range out {
		if len(s.Comments) == 0 {
			continue
		}
		for i := range s.Comments {
			cm := &s.Comments[i]
			counts.Comments++
			cm.Number = counts.Comments
			if cm.Response == nil {
				counts.Unanswered++
				continue
			}
			counts.Answered++
			switch workflow.ResponseStatus(cm.Response.Status) {
			case workflow.ResponseAccepted:
				counts.Accepted++
			case workflow.ResponsePartiallyAccepted:
				counts.PartiallyAccepted++
			case workflow.ResponseRejected:
				counts.Rejected++
			case workflow.ResponseNoted:
				counts.Noted++
			}
		}
		kept = append(kept, s)
	}
	return documents.Consultation{Counts: counts, Sections: kept}
}

// nextRevisionChanges tells each comment whether the revision after this
// one, when there is one, changed or dropped its section: the matrix's
// "changed in revision N+1" column. One read of that snapshot.
func nextRevisionChanges(db *gorm.DB, deliverableID string, revision int, sections []workflow.Section, c *documents.Consultation) error {
	var next revisionRow
	err := db.Where("deliverable_id = ? AND number = ?", deliverableID, revision+1).Take(&next).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return translate(err)
	}
	after, err := workflow.Sections([]byte(next.Snapshot))
	if err != nil {
		return err
	}
	changed := revdiff.ChangedSections(sections, after)
	c.NextRevision = next.Number
	for i := range c.Sections {
		for j := range c.Sections[i].Comments {
			cm := &c.Sections[i].Comments[j]
			v := changed[cm.Section]
			cm.SectionChanged, cm.NextRevision = &v, next.Number
		}
	}
	return nil
}

// edited: only an edit of the text moves updated_at (a response or a hide
// raises the version but is not the author's edit).
func (r matrixCommentRow) edited() bool { return r.UpdatedAt.After(r.CreatedAt) }

// renderSnapshot is the data of a render: the frozen snapshot, with the
// revision's consultation added under "consultation" when it has one.
func (s *Store) renderSnapshot(ctx context.Context, deliverableID string, revision int, snapshot []byte) ([]byte, error) {
	c, ok, err := s.ConsultationMatrix(ctx, deliverableID, revision, snapshot)
	if err != nil || !ok {
		return snapshot, err
	}
	return documents.WithConsultation(snapshot, c)
}

// author is the comment's author as the matrix prints it: a stakeholder
// by its organisation unless the project chose names.
func (r matrixCommentRow) author() documents.ConsultationPerson {
	name := r.AuthorName
	if r.AuthorRole == string(workflow.RoleStakeholder) && r.MatrixNames != workflow.MatrixPersonNames {
		name = r.AuthorOrg
	}
	return documents.ConsultationPerson{Name: name, Role: r.AuthorRole}
}
