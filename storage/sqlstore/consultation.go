package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/workflow"
)

// The stakeholder consultation: one window per frozen revision, comments
// pinned to the revision's sections, formal responses, and the append-only
// history of every comment. All SQL here uses $n placeholders and plain
// types, so it runs unchanged on PostgreSQL and SQLite; time comparisons
// are made in Go, because SQLite compares its DATETIME text, not instants.

// MaxConsultationWindow is the furthest a deadline may lie ahead.
const MaxConsultationWindow = 365 * 24 * time.Hour

// consultationDeadline is the submit's deadline, or the project's default
// window from at; it must lie in the future and at most a year ahead.
func consultationDeadline(asked *time.Time, days int, at time.Time) (time.Time, error) {
	if asked == nil {
		if days <= 0 {
			days = workflow.DefaultConsultationDays
		}
		return at.AddDate(0, 0, days), nil
	}
	d := asked.UTC().Truncate(time.Microsecond)
	if !d.After(at) || d.Sub(at) > MaxConsultationWindow {
		return d, workflow.Problems{workflow.Problem("consultation_deadline", "must be in the future and at most 365 days ahead")}.Err("the consultation deadline is not valid")
	}
	return d, nil
}

// reminderTime is when the stakeholders who have not commented are
// reminded: 48 hours before the deadline, or halfway through a window
// shorter than four days.
func reminderTime(opened, deadline time.Time) time.Time {
	before := deadline.Add(-48 * time.Hour)
	half := opened.Add(deadline.Sub(opened) / 2)
	if before.Before(half) {
		return half
	}
	return before
}

type consultationRow struct {
	DeliverableID string
	Revision      int
	ProjectID     string
	OpenedAt      time.Time
	Deadline      time.Time
	ClosedAt      *time.Time
	ClosedBy      string
	ClosedReason  string
	RemindedAt    *time.Time
}

func (consultationRow) TableName() string { return "consultations" }

func (r consultationRow) domain() workflow.Consultation {
	c := workflow.Consultation{DeliverableID: r.DeliverableID, Revision: r.Revision, OpenedAt: r.OpenedAt.UTC(),
		Deadline: r.Deadline.UTC(), ClosedBy: r.ClosedBy, ClosedReason: r.ClosedReason}
	if r.ClosedAt != nil {
		t := r.ClosedAt.UTC()
		c.ClosedAt = &t
	}
	return c
}

// closeConsultation closes the revision's consultation if it is still
// open, and tells subscribers; closed is false when it already was (or
// there is none: revisions frozen before consultations existed).
func (s *Store) closeConsultation(ctx context.Context, tx *gorm.DB, projectID, deliverableID string, revision int, actorID, reason string, at time.Time, hooks bool) (bool, error) {
	stx, err := sqlTx(tx)
	if err != nil {
		return false, err
	}
	res, err := stx.ExecContext(ctx, `UPDATE consultations SET closed_at = $1, closed_by = $2, closed_reason = $3
		WHERE deliverable_id = $4 AND revision = $5 AND closed_at IS NULL`, at, actorID, reason, deliverableID, revision)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	data := map[string]any{"deliverable_id": deliverableID, "revision": revision, "closed_at": at, "closed_by": actorID, "closed_reason": reason}
	return true, s.emitIf(ctx, tx, hooks, workflow.Event{ID: workflow.NewID(), Type: workflow.EventConsultationClosed, ProjectID: projectID,
		DeliverableID: deliverableID, At: at, Data: data})
}

// consultationFacts tells approve whether the revision's consultation is
// over and how many visible top-level comments still lack a response. A
// revision without a consultation row (frozen before they existed) has
// nothing open.
func consultationFacts(ctx context.Context, q querier, deliverableID string, revision int, at time.Time) (over bool, unanswered int, err error) {
	var closedAt *time.Time
	var deadline time.Time
	err = q.QueryRowContext(ctx, `SELECT c.closed_at, c.deadline,
			(SELECT count(*) FROM comments m WHERE m.deliverable_id = c.deliverable_id AND m.revision = c.revision
				AND m.parent_id IS NULL AND NOT m.hidden AND NOT m.deleted AND m.response_status = '')
		FROM consultations c WHERE c.deliverable_id = $1 AND c.revision = $2`, deliverableID, revision).Scan(&closedAt, &deadline, &unanswered)
	if errors.Is(err, sql.ErrNoRows) {
		return true, 0, nil
	}
	if err != nil {
		return false, 0, err
	}
	return closedAt != nil || !at.Before(deadline), unanswered, nil
}

// loadConsultation reads a consultation row; on PostgreSQL with a share
// lock when lock is set, so that a comment and a close of the same
// consultation serialise (SQLite's writers are serial anyway).
func (s *Store) loadConsultation(tx *gorm.DB, deliverableID string, revision int, lock bool) (consultationRow, error) {
	var r consultationRow
	stx, err := sqlTx(tx)
	if err != nil {
		return r, err
	}
	q := `SELECT deliverable_id, revision, project_id, opened_at, deadline, closed_at, closed_by, closed_reason, reminded_at
		FROM consultations WHERE deliverable_id = $1 AND revision = $2`
	if lock && s.dialect == Postgres {
		q += " FOR SHARE"
	}
	err = stx.QueryRowContext(tx.Statement.Context, q, deliverableID, revision).Scan(&r.DeliverableID, &r.Revision, &r.ProjectID,
		&r.OpenedAt, &r.Deadline, &r.ClosedAt, &r.ClosedBy, &r.ClosedReason, &r.RemindedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return r, workflow.Errorf(workflow.CodeNotFound, "this revision has no consultation")
	}
	return r, err
}

// Comments.

const commentColumns = `c.id, c.deliverable_id, c.project_id, c.revision, c.section, c.parent_id, c.thread_id, c.stance, c.body,
	c.author_id, COALESCE(u.name, ''), c.author_role, c.version, c.deleted, c.hidden, c.hidden_reason,
	c.response_status, c.response_body, c.response_by, COALESCE(ru.name, ''), c.response_at, c.created_at, c.updated_at,
	c.suggestion, c.suggestion_of, c.answered_body, c.answered_suggestion, c.carried_from`

const commentFrom = ` FROM comments c LEFT JOIN users u ON u.id = c.author_id LEFT JOIN users ru ON ru.id = c.response_by `

// commentRec is a comment with the thread it belongs to.
type commentRec struct {
	workflow.Comment
	threadID string
}

func scanComment(sc interface{ Scan(...any) error }) (commentRec, error) {
	var r commentRec
	c := &r.Comment
	var parent *string
	var status, rbody, rby, rname string
	var rat *time.Time
	var t commentTexts
	if err := sc.Scan(&c.ID, &c.DeliverableID, &c.ProjectID, &c.Revision, &c.Section, &parent, &r.threadID, &c.Stance, &c.Body,
		&c.AuthorID, &c.AuthorName, &c.AuthorRole, &c.Version, &c.Deleted, &c.Hidden, &c.HiddenReason,
		&status, &rbody, &rby, &rname, &rat, &c.CreatedAt, &c.UpdatedAt,
		&t.suggestion, &t.suggestionOf, &t.answeredBody, &t.answeredSuggestion, &t.carriedFrom); err != nil {
		return r, err
	}
	c.ParentID = deref(parent)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	c.Edited = edited(*c)
	if status != "" {
		resp := &workflow.Response{Status: workflow.ResponseStatus(status), Body: rbody, AuthorID: rby, AuthorName: rname}
		if rat != nil {
			resp.At = rat.UTC()
		}
		c.Response = resp
	}
	t.fill(c)
	return r, nil
}

// commentTexts are the columns of issue 18 a comment row adds: its
// suggested wording, the text its response answered, and where a carried
// thread came from.
type commentTexts struct {
	suggestion, suggestionOf, answeredBody, answeredSuggestion string
	carriedFrom                                                *int
}

// fill puts the texts on c, once c.Response is read.
func (t commentTexts) fill(c *workflow.Comment) {
	c.Suggestion = workflow.NewSuggestion(t.suggestion, t.suggestionOf)
	if c.Response != nil {
		c.Response.AnsweredBody, c.Response.AnsweredSuggestion = t.answeredBody, t.answeredSuggestion
	}
	afterResponse(c)
	if t.carriedFrom != nil {
		c.CarriedFrom = *t.carriedFrom
	}
}

// afterResponse works out EditedAfterResponse: the text (or suggested
// wording) is no longer the one the formal response answered.
func afterResponse(c *workflow.Comment) {
	c.EditedAfterResponse = false
	if r := c.Response; r != nil && !c.Deleted {
		suggestion := ""
		if c.Suggestion != nil {
			suggestion = c.Suggestion.Text
		}
		c.EditedAfterResponse = r.AnsweredBody != c.Body || r.AnsweredSuggestion != suggestion
	}
}

// edited tells an edited comment: its text changed after it was made.
// The version alone does not say so, since hiding bumps it too.
func edited(c workflow.Comment) bool { return !c.Deleted && c.UpdatedAt.After(c.CreatedAt) }

// loadCommentRow reads one comment.
func loadCommentRow(tx *gorm.DB, id string) (commentRec, error) {
	stx, err := sqlTx(tx)
	if err != nil {
		return commentRec{}, err
	}
	r, err := scanComment(stx.QueryRowContext(tx.Statement.Context, `SELECT `+commentColumns+commentFrom+`WHERE c.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, workflow.Errorf(workflow.CodeNotFound, "comment not found")
	}
	return r, err
}

// loadComment reads one comment and its deliverable, as p may see them:
// a comment p may not see is not_found.
func loadComment(tx *gorm.DB, id string, p workflow.Principal) (commentRec, workflow.Deliverable, error) {
	r, err := loadCommentRow(tx, id)
	if err != nil {
		return r, workflow.Deliverable{}, err
	}
	var row deliverableRow
	if err := tx.Select("id", "kind", "project_id", "partner_id", "policy_instrument_id", "title", "state", "version", "revision",
		"parties", "created_at", "updated_at").Where("id = ?", r.DeliverableID).Take(&row).Error; err != nil {
		return r, workflow.Deliverable{}, notFound(err, "comment")
	}
	row.Content = "{}"
	d, err := fromRow(row)
	if err != nil {
		return r, d, err
	}
	r.Kind = d.Kind
	if err := seeComment(p, d, r); err != nil {
		return r, d, err
	}
	stx, err := sqlTx(tx)
	if err != nil {
		return r, d, err
	}
	if err := appliedOne(tx.Statement.Context, stx, &r.Comment); err != nil {
		return r, d, err
	}
	// Hiding a comment hides its whole thread: a reply under a hidden
	// comment is as invisible as the hidden comment itself.
	if !answers(p, d) {
		hidden, err := hiddenAbove(tx, r)
		if err != nil {
			return r, d, err
		}
		if hidden {
			return r, d, workflow.Errorf(workflow.CodeNotFound, "comment not found")
		}
	}
	return r, d, nil
}

// hiddenAbove reports whether a comment or any comment above it (its
// parent, the parent's parent, up to the top of its thread) is hidden.
func hiddenAbove(tx *gorm.DB, r commentRec) (bool, error) {
	for range 1000 { // far deeper than any thread; stops a cycle
		if r.Hidden {
			return true, nil
		}
		if r.ParentID == "" {
			return false, nil
		}
		var err error
		if r, err = loadCommentRow(tx, r.ParentID); err != nil {
			if workflow.ErrorCode(err) == workflow.CodeNotFound {
				return false, nil
			}
			return false, err
		}
	}
	return true, nil
}

// answers reports whether p sees hidden comments and their reasons: the
// owner and the coordinator.
func answers(p workflow.Principal, d workflow.Deliverable) bool { return p.Answering(d) == nil }

// seeComment applies the deliverable's visibility and hides hidden
// comments from all but those who answer.
func seeComment(p workflow.Principal, d workflow.Deliverable, c commentRec) error {
	if err := p.SeeDeliverable(d); err != nil {
		return workflow.Errorf(workflow.CodeNotFound, "comment not found")
	}
	if c.Hidden && !answers(p, d) {
		return workflow.Errorf(workflow.CodeNotFound, "comment not found")
	}
	return nil
}

// openFor checks that comments are taken on the revision now: the
// deliverable is in stakeholder_review on that revision and its
// consultation is open.
func (s *Store) openFor(tx *gorm.DB, d workflow.Deliverable, revision int, at time.Time) error {
	h := d.Head()
	if h.State != workflow.StateStakeholderReview || h.Revision != revision {
		return workflow.Errorf(workflow.CodeConflict, "comments are taken only while the %s is in stakeholder_review; it is %s", d.Kind, h.State)
	}
	c, err := s.loadConsultation(tx, h.ID, revision, true)
	if workflow.ErrorCode(err) == workflow.CodeNotFound {
		return workflow.Errorf(workflow.CodeConflict, "this revision has no open consultation")
	}
	if err != nil {
		return err
	}
	if !c.domain().Open(at) {
		return workflow.Errorf(workflow.CodeConflict, "the consultation is closed")
	}
	return nil
}

func (s *Store) addEvent(ctx context.Context, tx *gorm.DB, ev workflow.CommentEvent) error {
	stx, err := sqlTx(tx)
	if err != nil {
		return err
	}
	_, err = stx.ExecContext(ctx, `INSERT INTO comment_events (id, comment_id, event, actor_id, body, stance, status, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		workflow.NewID(), ev.CommentID, ev.Event, ev.ActorID, ev.Body, string(ev.Stance), ev.Status, ev.At)
	return err
}

func roleIn(p workflow.Principal, projectID string) workflow.Role {
	if m, ok := p.Membership(projectID); ok {
		return m.Role
	}
	if p.User.Admin {
		return "admin"
	}
	return ""
}

func (s *Store) AddComment(ctx context.Context, nc workflow.NewComment) (workflow.Comment, error) {
	nc.Normalize()
	if err := nc.Validate(); err != nil {
		return workflow.Comment{}, err
	}
	// A reply is on its thread's section; a top-level comment without one
	// is on the document as a whole.
	named := nc.Section != ""
	if !named {
		nc.Section = workflow.GeneralSection
	}
	at := now()
	var out workflow.Comment
	err := s.tx(ctx, func(tx *gorm.DB) error {
		d, _, err := loadDeliverable(tx, nc.Kind, nc.DeliverableID)
		if err != nil {
			return err
		}
		if err := nc.Principal.Commenting(d); err != nil {
			return err
		}
		h := d.Head()
		if err := s.openFor(tx, d, h.Revision, at); err != nil {
			return err
		}
		var rev revisionRow
		if err := tx.Where("deliverable_id = ? AND number = ?", h.ID, h.Revision).Take(&rev).Error; err != nil {
			return notFound(err, "revision")
		}
		sections, err := workflow.Sections([]byte(rev.Snapshot))
		if err != nil {
			return err
		}
		if !workflow.HasSection(sections, nc.Section) {
			return workflow.Problems{workflow.Problem("section", "is not a section of revision %d; its sections are %s", h.Revision, workflow.AnchorList(sections))}.Err("the comment is not valid")
		}
		id := workflow.NewID()
		thread := id
		var parent *string
		if nc.ParentID != "" {
			pc, err := loadCommentRow(tx, nc.ParentID)
			if err != nil && workflow.ErrorCode(err) != workflow.CodeNotFound {
				return err
			}
			hidden := false
			if err == nil {
				if hidden, err = hiddenAbove(tx, pc); err != nil {
					return err
				}
			}
			if err != nil || pc.DeliverableID != h.ID || pc.Revision != h.Revision || hidden {
				return workflow.Problems{workflow.Problem("parent_id", "is not a comment on this revision")}.Err("the comment is not valid")
			}
			if named && pc.Section != nc.Section {
				return workflow.Problems{workflow.Problem("section", "a reply is on its thread's section, %s", pc.Section)}.Err("the comment is not valid")
			}
			thread, parent, nc.Section = pc.threadID, &nc.ParentID, pc.Section
		}
		if err := checkSuggestionOf(nc.Kind, rev.Snapshot, nc.Section, nc.SuggestionOf); err != nil {
			return err
		}
		stx, err := sqlTx(tx)
		if err != nil {
			return err
		}
		role := roleIn(nc.Principal, h.ProjectID)
		if _, err := stx.ExecContext(ctx, `INSERT INTO comments (id, deliverable_id, revision, project_id, section, parent_id, thread_id, stance, body,
				author_id, author_role, version, created_at, updated_at, suggestion, suggestion_of) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12, $13, $14)`,
			id, h.ID, h.Revision, h.ProjectID, nc.Section, parent, thread, string(nc.Stance), nc.Body,
			nc.Principal.User.ID, string(role), at, nc.Suggestion, nc.SuggestionOf); err != nil {
			return err
		}
		if err := s.addEvent(ctx, tx, workflow.CommentEvent{CommentID: id, Event: "created", ActorID: nc.Principal.User.ID,
			Body: nc.Body, Stance: nc.Stance, At: at}); err != nil {
			return err
		}
		out = workflow.Comment{ID: id, DeliverableID: h.ID, Kind: d.Kind, ProjectID: h.ProjectID, Revision: h.Revision, Section: nc.Section,
			ParentID: nc.ParentID, Stance: nc.Stance, Body: nc.Body, AuthorID: nc.Principal.User.ID, AuthorName: nc.Principal.User.Name,
			AuthorRole: role, Version: 1, CreatedAt: at, UpdatedAt: at, Suggestion: workflow.NewSuggestion(nc.Suggestion, nc.SuggestionOf)}
		if err := s.tellComment(ctx, tx, out, d); err != nil {
			return err
		}
		return s.emit(ctx, tx, workflow.Event{ID: workflow.NewID(), Type: workflow.EventCommentCreated, ProjectID: h.ProjectID,
			DeliverableID: h.ID, At: at, Data: out})
	})
	return out, err
}

func (s *Store) Comments(ctx context.Context, kind workflow.Kind, id string, revision int, p workflow.Principal, page workflow.Page) ([]workflow.Comment, string, error) {
	var out []workflow.Comment
	var next string
	err := s.commentsTx(ctx, kind, id, revision, p, func(stx *sql.Tx, d workflow.Deliverable, revision int, show bool) (err error) {
		defer func() {
			if err == nil {
				err = markOutdated(ctx, stx, d.Head().ID, revision, d.Head().Revision, out)
			}
		}()
		if page.Limit <= 0 {
			out, err = listThreads(ctx, stx, d, revision, show, "")
			return err
		}
		// A page is the threads whose top-level ids follow the cursor; ids
		// are UUIDv7, so their order is that of creation. One more than
		// asked tells whether another page follows.
		hidden := ""
		if !show {
			hidden = " AND NOT t.hidden"
		}
		where := fmt.Sprintf(` AND c.thread_id IN (SELECT t.id FROM comments t
			WHERE t.deliverable_id = $1 AND t.revision = $2 AND t.parent_id IS NULL AND t.id > $3%s ORDER BY t.id LIMIT $4)`, hidden)
		if out, err = listThreads(ctx, stx, d, revision, show, where, page.After, page.Limit+1); err != nil {
			return err
		}
		slices.SortStableFunc(out, func(a, b workflow.Comment) int { return strings.Compare(a.ID, b.ID) })
		if len(out) > page.Limit {
			out = out[:page.Limit]
			next = out[len(out)-1].ID
		}
		return nil
	})
	return out, next, err
}

// commentsTx runs read in a transaction once the caller may see the
// deliverable, with the revision (0: the latest) and whether the caller
// sees hidden comments.
func (s *Store) commentsTx(ctx context.Context, kind workflow.Kind, id string, revision int, p workflow.Principal,
	read func(stx *sql.Tx, d workflow.Deliverable, revision int, showHidden bool) error) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		d, _, err := loadDeliverable(tx, kind, id)
		if err != nil {
			return err
		}
		if err := p.SeeDeliverable(d); err != nil {
			return err
		}
		if revision == 0 {
			revision = d.Head().Revision
		}
		stx, err := sqlTx(tx)
		if err != nil {
			return err
		}
		return read(stx, d, revision, answers(p, d))
	})
}

// CommentThreads reads only the threads a page shows: a page of one
// section, or the overview's few most recent threads a section, rather
// than all of a consultation's thousands of comments. The tallies come
// from one GROUP BY over the revision.
func (s *Store) CommentThreads(ctx context.Context, kind workflow.Kind, id string, revision int, p workflow.Principal, q workflow.ThreadQuery) (workflow.ThreadSet, error) {
	var out workflow.ThreadSet
	err := s.commentsTx(ctx, kind, id, revision, p, func(stx *sql.Tx, d workflow.Deliverable, revision int, show bool) (err error) {
		if out.Sections, err = sectionTallies(ctx, stx, d.Head().ID, revision, show); err != nil {
			return err
		}
		if q.TalliesOnly {
			return nil
		}
		where, args := threadFilter(q, show)
		if out.Threads, err = listThreads(ctx, stx, d, revision, show, where, args...); err != nil {
			return err
		}
		if q.KeepCurrent {
			return nil
		}
		return markOutdated(ctx, stx, d.Head().ID, revision, d.Head().Revision, out.Threads)
	})
	return out, err
}

// visibleTo is the condition on comments c that leaves out, for a caller
// who does not see hidden comments, the hidden ones and the replies in a
// hidden thread: what listThreads leaves out.
const visibleTo = ` AND NOT c.hidden AND c.thread_id NOT IN (
	SELECT h.id FROM comments h WHERE h.deliverable_id = $1 AND h.revision = $2 AND h.parent_id IS NULL AND h.hidden)`

// sectionTallies counts each section's threads, comments and unanswered
// threads as the caller sees them.
func sectionTallies(ctx context.Context, stx *sql.Tx, deliverableID string, revision int, showHidden bool) (map[string]workflow.SectionTally, error) {
	q := `SELECT c.section, SUM(CASE WHEN c.parent_id IS NULL THEN 1 ELSE 0 END), COUNT(*),
			SUM(CASE WHEN c.parent_id IS NULL AND c.response_status = '' AND NOT c.hidden AND NOT c.deleted THEN 1 ELSE 0 END)
		FROM comments c WHERE c.deliverable_id = $1 AND c.revision = $2`
	if !showHidden {
		q += visibleTo
	}
	rows, err := stx.QueryContext(ctx, q+` GROUP BY c.section`, deliverableID, revision)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]workflow.SectionTally{}
	for rows.Next() {
		var sec string
		var t workflow.SectionTally
		if err := rows.Scan(&sec, &t.Threads, &t.Comments, &t.Unanswered); err != nil {
			return nil, err
		}
		out[sec] = t
	}
	return out, rows.Err()
}

// threadFilter is the condition on comments c (after $1 deliverable and
// $2 revision) that picks the threads q asks for. The most recent N of
// each section are ranked among the top-level comments the caller sees,
// so that a hidden thread does not take a place it would not be shown in.
func threadFilter(q workflow.ThreadQuery, showHidden bool) (string, []any) {
	var args []any
	section := ""
	if q.Section != "" {
		args = append(args, q.Section)
		section = " AND section = $3"
	}
	if q.PerSection <= 0 {
		if section == "" {
			return "", nil
		}
		return " AND c.section = $3", args
	}
	hidden := ""
	if !showHidden {
		hidden = " AND NOT hidden"
	}
	args = append(args, q.PerSection)
	return fmt.Sprintf(` AND c.thread_id IN (SELECT r.id FROM (
			SELECT id, ROW_NUMBER() OVER (PARTITION BY section ORDER BY created_at DESC, id DESC) AS n
			FROM comments WHERE deliverable_id = $1 AND revision = $2 AND parent_id IS NULL%s%s) r
		WHERE r.n <= $%d)`, hidden, section, len(args)+2), args
}

// listThreads reads a revision's comments in order of creation and nests
// each reply under its thread's top-level comment; where (a condition on
// comments c, its arguments from $3) narrows what it reads. Hidden comments
// (and everything under a hidden top-level comment) are left out unless
// showHidden. It is the hot read of a consultation (thousands of rows), so
// it selects only what differs between rows, looks the few authors' names
// up afterwards instead of joining users on every row (or running where
// again to find them), nests while scanning, and shares the strings that
// repeat (sections, stances, authors).
func listThreads(ctx context.Context, stx *sql.Tx, d workflow.Deliverable, revision int, showHidden bool, where string, whereArgs ...any) ([]workflow.Comment, error) {
	h := d.Head()
	args := append([]any{h.ID, revision}, whereArgs...)
	names := map[string]string{} // the authors', filled in once the rows are read
	rows, err := stx.QueryContext(ctx, `SELECT c.id, c.section, c.parent_id, c.thread_id, c.stance, c.body, c.author_id, c.author_role, c.version,
			c.deleted, c.hidden, c.hidden_reason, c.response_status, c.response_body, c.response_by, c.response_at, c.created_at, c.updated_at,
			c.suggestion, c.suggestion_of, c.answered_body, c.answered_suggestion, c.carried_from
		FROM comments c WHERE c.deliverable_id = $1 AND c.revision = $2`+where+` ORDER BY c.created_at, c.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	shared := map[string]string{}
	share := func(b sql.RawBytes) string {
		if v, ok := shared[string(b)]; ok {
			return v
		}
		v := string(b)
		shared[v] = v
		return v
	}
	out := make([]workflow.Comment, 0, 64)
	at := map[string]int{}
	type orphan struct {
		thread string
		c      workflow.Comment
	}
	var orphans []orphan // replies read before their thread's start (clock skew)
	var section, parent, thread, stance, author, role, status, by sql.RawBytes
	for rows.Next() {
		var c workflow.Comment
		var rbody string
		var rat *time.Time
		var t commentTexts
		if err := rows.Scan(&c.ID, &section, &parent, &thread, &stance, &c.Body, &author, &role, &c.Version,
			&c.Deleted, &c.Hidden, &c.HiddenReason, &status, &rbody, &by, &rat, &c.CreatedAt, &c.UpdatedAt,
			&t.suggestion, &t.suggestionOf, &t.answeredBody, &t.answeredSuggestion, &t.carriedFrom); err != nil {
			return nil, err
		}
		if c.Hidden && !showHidden {
			continue
		}
		c.DeliverableID, c.Kind, c.ProjectID, c.Revision = h.ID, d.Kind, h.ProjectID, revision
		c.Section, c.Stance, c.AuthorID, c.AuthorRole = share(section), workflow.Stance(share(stance)), share(author), workflow.Role(share(role))
		names[c.AuthorID] = ""
		c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
		c.Edited = edited(c)
		if len(status) > 0 {
			c.Response = &workflow.Response{Status: workflow.ResponseStatus(share(status)), Body: rbody, AuthorID: share(by)}
			names[c.Response.AuthorID] = ""
			if rat != nil {
				c.Response.At = rat.UTC()
			}
		}
		t.fill(&c)
		if parent == nil {
			at[c.ID] = len(out)
			out = append(out, c)
			continue
		}
		c.ParentID = string(parent)
		if i, ok := at[string(thread)]; ok {
			out[i].Replies = append(out[i].Replies, c)
		} else {
			orphans = append(orphans, orphan{string(thread), c})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close() // before the next query on the transaction's connection
	for _, o := range orphans {
		if i, ok := at[o.thread]; ok { // else its thread is hidden from this caller
			out[i].Replies = append(out[i].Replies, o.c)
			slices.SortStableFunc(out[i].Replies, func(a, b workflow.Comment) int { return a.CreatedAt.Compare(b.CreatedAt) })
		}
	}
	tops := make([]*workflow.Comment, len(out))
	for i := range out {
		tops[i] = &out[i]
	}
	if err := appliedIn(ctx, stx, h.ID, tops, names); err != nil {
		return nil, err
	}
	if err := lookUpNames(ctx, stx, names); err != nil {
		return nil, err
	}
	named := func(c *workflow.Comment) {
		c.AuthorName = names[c.AuthorID]
		if c.Response != nil {
			c.Response.AuthorName = names[c.Response.AuthorID]
		}
		if c.Suggestion != nil && c.Suggestion.Applied != nil {
			c.Suggestion.Applied.ByName = names[c.Suggestion.Applied.By]
		}
	}
	for i := range out {
		named(&out[i])
		for j := range out[i].Replies {
			named(&out[i].Replies[j])
		}
	}
	return out, nil
}

// lookUpNames fills in the names of the users whose IDs are names' keys,
// a few hundred at a time to stay under the databases' limits on
// parameters.
func lookUpNames(ctx context.Context, stx *sql.Tx, names map[string]string) error {
	ids := slices.Collect(maps.Keys(names))
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		args := make([]any, len(chunk))
		marks := make([]string, len(chunk))
		for i, id := range chunk {
			args[i], marks[i] = id, "$"+strconv.Itoa(i+1)
		}
		rows, err := stx.QueryContext(ctx, `SELECT id, name FROM users WHERE id IN (`+strings.Join(marks, ", ")+`)`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return err
			}
			names[id] = name
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) Comment(ctx context.Context, commentID string, p workflow.Principal) (workflow.Comment, error) {
	var out workflow.Comment
	err := s.tx(ctx, func(tx *gorm.DB) error {
		r, _, err := loadComment(tx, commentID, p)
		if err != nil {
			return err
		}
		out = r.Comment
		return nil
	})
	return out, err
}

// authorEdit runs the shared checks of an edit or delete: visible, the
// author's own, at the caller's version, not deleted, consultation open.
func (s *Store) authorEdit(tx *gorm.DB, commentID string, version int, p workflow.Principal, at time.Time) (commentRec, workflow.Deliverable, error) {
	r, d, err := loadComment(tx, commentID, p)
	if err != nil {
		return r, d, err
	}
	if r.AuthorID != p.User.ID {
		return r, d, workflow.Errorf(workflow.CodeForbidden, "only its author may change a comment")
	}
	if r.Version != version {
		return r, d, workflow.Errorf(workflow.CodePreconditionFailed, "the comment is at version %d, not %d", r.Version, version)
	}
	if r.Deleted {
		return r, d, workflow.Errorf(workflow.CodeConflict, "the comment was deleted")
	}
	return r, d, s.openFor(tx, d, r.Revision, at)
}

// casComment writes a comment change only at the version read.
func casComment(ctx context.Context, tx *gorm.DB, set string, args []any, id string, version int) error {
	stx, err := sqlTx(tx)
	if err != nil {
		return err
	}
	n := len(args)
	res, err := stx.ExecContext(ctx, `UPDATE comments SET `+set+`, version = version + 1 WHERE id = $`+strconv.Itoa(n+1)+` AND version = $`+strconv.Itoa(n+2),
		append(args, id, version)...)
	if err != nil {
		return err
	}
	if k, err := res.RowsAffected(); err != nil || k == 0 {
		if err == nil {
			err = workflow.Errorf(workflow.CodePreconditionFailed, "the comment changed meanwhile; reload it")
		}
		return err
	}
	return nil
}

func (s *Store) EditComment(ctx context.Context, commentID string, version int, e workflow.CommentEdit, p workflow.Principal) (workflow.Comment, error) {
	at := now()
	var out workflow.Comment
	err := s.tx(ctx, func(tx *gorm.DB) error {
		r, d, err := s.authorEdit(tx, commentID, version, p, at)
		if err != nil {
			return err
		}
		// The comment's own kind, section and place in its thread decide
		// what its new text may be, as for a new comment.
		nc := workflow.NewComment{Kind: d.Kind, Section: r.Section, ParentID: r.ParentID, Body: e.Body, Stance: e.Stance,
			Suggestion: e.Suggestion, SuggestionOf: e.SuggestionOf}
		nc.Normalize() // a top-level comment's empty stance is a suggestion
		if err := nc.Validate(); err != nil {
			return err
		}
		if nc.SuggestionOf != "" && (r.Suggestion == nil || r.Suggestion.Of != nc.SuggestionOf) {
			var rev revisionRow
			if err := tx.Where("deliverable_id = ? AND number = ?", r.DeliverableID, r.Revision).Take(&rev).Error; err != nil {
				return notFound(err, "revision")
			}
			if err := checkSuggestionOf(d.Kind, rev.Snapshot, r.Section, nc.SuggestionOf); err != nil {
				return err
			}
		}
		if err := casComment(ctx, tx, "body = $1, stance = $2, updated_at = $3, suggestion = $4, suggestion_of = $5",
			[]any{nc.Body, string(nc.Stance), at, nc.Suggestion, nc.SuggestionOf}, commentID, version); err != nil {
			return err
		}
		if err := s.addEvent(ctx, tx, workflow.CommentEvent{CommentID: commentID, Event: "edited", ActorID: p.User.ID,
			Body: nc.Body, Stance: nc.Stance, At: at}); err != nil {
			return err
		}
		out = r.Comment
		out.Body, out.Stance, out.Version, out.Edited, out.UpdatedAt = nc.Body, nc.Stance, version+1, true, at
		out.Suggestion = workflow.NewSuggestion(nc.Suggestion, nc.SuggestionOf)
		afterResponse(&out) // an edit after the response leaves it on the text it answered
		return nil
	})
	return out, err
}

func (s *Store) DeleteComment(ctx context.Context, commentID string, version int, p workflow.Principal) error {
	at := now()
	return s.tx(ctx, func(tx *gorm.DB) error {
		r, _, err := s.authorEdit(tx, commentID, version, p, at)
		if err != nil {
			return err
		}
		// A formal response answers the text: deleting it would erase
		// what was answered. An edit keeps both instead.
		if r.Response != nil {
			return workflow.Errorf(workflow.CodeConflict, "the comment has a formal response, so it cannot be deleted; edit it instead, and the response stays with the text it answered")
		}
		if err := casComment(ctx, tx, "body = '', suggestion = '', suggestion_of = '', deleted = $1, updated_at = $2", []any{true, at}, commentID, version); err != nil {
			return err
		}
		return s.addEvent(ctx, tx, workflow.CommentEvent{CommentID: commentID, Event: "deleted", ActorID: p.User.ID, At: at})
	})
}

func (s *Store) HideComment(ctx context.Context, commentID, reason string, p workflow.Principal) (workflow.Comment, error) {
	reason = strings.TrimSpace(reason)
	if err := workflow.CheckHideReason(reason); err != nil {
		return workflow.Comment{}, err
	}
	at := now()
	var out workflow.Comment
	err := s.tx(ctx, func(tx *gorm.DB) error {
		r, d, err := loadComment(tx, commentID, p)
		if err != nil {
			return err
		}
		if err := p.Moderating(d); err != nil {
			return err
		}
		if r.Hidden {
			return workflow.Errorf(workflow.CodeConflict, "the comment is already hidden")
		}
		if err := casComment(ctx, tx, "hidden = $1, hidden_reason = $2, hidden_by = $3", []any{true, reason, p.User.ID}, commentID, r.Version); err != nil {
			return err
		}
		if err := s.addEvent(ctx, tx, workflow.CommentEvent{CommentID: commentID, Event: "hidden", ActorID: p.User.ID, Body: reason, At: at}); err != nil {
			return err
		}
		out = r.Comment
		out.Hidden, out.HiddenReason, out.Version = true, reason, r.Version+1
		return nil
	})
	return out, err
}

func (s *Store) RespondToComment(ctx context.Context, commentID string, status workflow.ResponseStatus, body string, p workflow.Principal) (workflow.Comment, error) {
	body = strings.TrimSpace(body)
	if _, err := workflow.ValidateResponse(string(status), body); err != nil {
		return workflow.Comment{}, err
	}
	at := now()
	var out workflow.Comment
	err := s.tx(ctx, func(tx *gorm.DB) error {
		r, d, err := loadComment(tx, commentID, p)
		if err != nil {
			return err
		}
		if err := p.Answering(d); err != nil {
			return err
		}
		if r.ParentID != "" {
			return workflow.Problems{workflow.Problem("comment", "is a reply; answer its thread's first comment")}.Err("only top-level comments get a formal response")
		}
		h := d.Head()
		if h.State != workflow.StateStakeholderReview || h.Revision != r.Revision {
			return workflow.Errorf(workflow.CodeConflict, "responses are given only while the revision is in stakeholder_review")
		}
		stx, err := sqlTx(tx)
		if err != nil {
			return err
		}
		// The response answers the text of its day: an edit after it
		// leaves answered_body as it is.
		if _, err := stx.ExecContext(ctx, `UPDATE comments SET response_status = $1, response_body = $2, response_by = $3, response_at = $4,
				answered_body = body, answered_suggestion = suggestion WHERE id = $5`,
			string(status), body, p.User.ID, at, commentID); err != nil {
			return err
		}
		if err := s.addEvent(ctx, tx, workflow.CommentEvent{CommentID: commentID, Event: "responded", ActorID: p.User.ID,
			Body: body, Status: string(status), At: at}); err != nil {
			return err
		}
		out = r.Comment
		out.Response = &workflow.Response{Status: status, Body: body, AuthorID: p.User.ID, AuthorName: p.User.Name, At: at,
			AnsweredBody: r.Body}
		if r.Suggestion != nil {
			out.Response.AnsweredSuggestion = r.Suggestion.Text
		}
		afterResponse(&out) // false: the response answers the text as it is
		if err := s.tellResponse(ctx, tx, out, p.User.ID, at); err != nil {
			return err
		}
		return s.emit(ctx, tx, workflow.Event{ID: workflow.NewID(), Type: workflow.EventCommentResponded, ProjectID: h.ProjectID,
			DeliverableID: h.ID, At: at, Data: out})
	})
	return out, err
}

// CommentHistory is for the comment's author and for those who answer:
// it holds the text of edits and deletions, which others must not read.
func (s *Store) CommentHistory(ctx context.Context, commentID string, p workflow.Principal, pg workflow.Page) ([]workflow.CommentEvent, string, error) {
	var out []workflow.CommentEvent
	var next string
	if pg.Limit <= 0 {
		pg.Limit = 50
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		r, d, err := loadComment(tx, commentID, p)
		if err != nil {
			return err
		}
		if r.AuthorID != p.User.ID && !answers(p, d) {
			return workflow.Errorf(workflow.CodeForbidden, "only the author, the owner or the coordinator may read a comment's history")
		}
		stx, err := sqlTx(tx)
		if err != nil {
			return err
		}
		// Oldest first, a page at a time; the cursor is the id of the
		// previous page's last event.
		after := ""
		args := []any{commentID, pg.Limit + 1}
		if pg.After != "" {
			after = ` AND (e.at > a.at OR (e.at = a.at AND e.id > a.id))`
			args = append(args, pg.After)
		}
		from := `comment_events e`
		if after != "" {
			from = `comment_events e JOIN comment_events a ON a.id = $3 AND a.comment_id = e.comment_id`
		}
		rows, err := stx.QueryContext(ctx, `SELECT e.id, e.comment_id, e.event, e.actor_id, e.body, e.stance, e.status, e.at FROM `+from+`
			WHERE e.comment_id = $1`+after+` ORDER BY e.at, e.id LIMIT $2`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		out = []workflow.CommentEvent{}
		var ids []string
		for rows.Next() {
			var e workflow.CommentEvent
			var id string
			if err := rows.Scan(&id, &e.CommentID, &e.Event, &e.ActorID, &e.Body, &e.Stance, &e.Status, &e.At); err != nil {
				return err
			}
			e.At = e.At.UTC()
			out = append(out, e)
			ids = append(ids, id)
		}
		if len(out) > pg.Limit {
			out = out[:pg.Limit]
			next = ids[pg.Limit-1]
		}
		return rows.Err()
	})
	return out, next, err
}

func (s *Store) Consultation(ctx context.Context, kind workflow.Kind, id string, revision int, p workflow.Principal) (workflow.Consultation, error) {
	var out workflow.Consultation
	err := s.tx(ctx, func(tx *gorm.DB) error {
		d, _, err := loadDeliverable(tx, kind, id)
		if err != nil {
			return err
		}
		if err := p.SeeDeliverable(d); err != nil {
			return err
		}
		if revision == 0 {
			revision = d.Head().Revision
		}
		c, err := s.loadConsultation(tx, id, revision, false)
		out = c.domain()
		return err
	})
	return out, err
}

func (s *Store) CloseConsultation(ctx context.Context, kind workflow.Kind, id string, p workflow.Principal) (workflow.Consultation, error) {
	at := now()
	var out workflow.Consultation
	err := s.tx(ctx, func(tx *gorm.DB) error {
		d, _, err := loadDeliverable(tx, kind, id)
		if err != nil {
			return err
		}
		if err := p.Answering(d); err != nil {
			return err
		}
		h := d.Head()
		if err := s.openFor(tx, d, h.Revision, at); err != nil {
			return err
		}
		if _, err := s.closeConsultation(ctx, tx, h.ProjectID, h.ID, h.Revision, p.User.ID, "early", at, true); err != nil {
			return err
		}
		c, err := s.loadConsultation(tx, id, h.Revision, false)
		out = c.domain()
		return err
	})
	return out, err
}

func (s *Store) ExpireConsultation(ctx context.Context, deliverableID string, revision int) (bool, error) {
	at := now()
	var closed bool
	err := s.tx(ctx, func(tx *gorm.DB) error {
		c, err := s.loadConsultation(tx, deliverableID, revision, false)
		if err != nil {
			return err
		}
		if c.ClosedAt != nil || at.Before(c.Deadline) {
			return nil
		}
		closed, err = s.closeConsultation(ctx, tx, c.ProjectID, deliverableID, revision, "", "deadline", at, true)
		return err
	})
	return closed, err
}

// DueConsultation is an open consultation with work due: its deadline has
// passed (Close), or its reminder time has come and no reminder went out.
type DueConsultation struct {
	DeliverableID string
	Revision      int
	Close         bool
}

// DueConsultations lists what the consultation sweep has to do at now.
// Only open consultations are read, and each is closed within one sweep
// after its deadline, so the set stays small.
func (s *Store) DueConsultations(ctx context.Context, at time.Time) ([]DueConsultation, error) {
	rows, err := s.sql.QueryContext(ctx, `SELECT deliverable_id, revision, opened_at, deadline, reminded_at
		FROM consultations WHERE closed_at IS NULL ORDER BY deadline, deliverable_id, revision`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DueConsultation
	for rows.Next() {
		var c consultationRow
		if err := rows.Scan(&c.DeliverableID, &c.Revision, &c.OpenedAt, &c.Deadline, &c.RemindedAt); err != nil {
			return nil, err
		}
		switch {
		case !at.Before(c.Deadline):
			out = append(out, DueConsultation{DeliverableID: c.DeliverableID, Revision: c.Revision, Close: true})
		case c.RemindedAt == nil && !at.Before(reminderTime(c.OpenedAt, c.Deadline)):
			out = append(out, DueConsultation{DeliverableID: c.DeliverableID, Revision: c.Revision})
		}
	}
	return out, rows.Err()
}

func (s *Store) MyConsultations(ctx context.Context, p workflow.Principal) ([]workflow.ConsultationItem, error) {
	out := []workflow.ConsultationItem{}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		q := tx.Select("id", "kind", "project_id", "partner_id", "policy_instrument_id", "title", "state", "version", "revision",
			"parties", "created_at", "updated_at").Where("state = ?", string(workflow.StateStakeholderReview))
		if !p.User.Admin {
			var projects []string
			for _, m := range p.Memberships {
				projects = append(projects, m.ProjectID)
			}
			if len(projects) == 0 {
				return nil
			}
			q = q.Where("project_id IN ?", projects)
		}
		var rows []deliverableRow
		if err := q.Find(&rows).Error; err != nil {
			return err
		}
		byID := map[string]int{}
		var ids []string
		for _, row := range rows {
			row.Content = "{}"
			d, err := fromRow(row)
			if err != nil {
				return err
			}
			if p.SeeDeliverable(d) != nil {
				continue
			}
			byID[row.ID] = len(out)
			ids = append(ids, row.ID)
			out = append(out, workflow.ConsultationItem{Kind: d.Kind, Head: d.Head(), ID: row.ID, Title: row.Title,
				State: workflow.State(row.State), Revision: row.Revision})
		}
		if len(ids) == 0 {
			return nil
		}
		var cs []consultationRow
		if err := tx.Where("deliverable_id IN ?", ids).Find(&cs).Error; err != nil {
			return err
		}
		for _, c := range cs {
			if i := byID[c.DeliverableID]; out[i].Revision == c.Revision {
				out[i].Consultation = c.domain()
			}
		}
		type count struct {
			DeliverableID     string
			Revision          int
			Visible, Unanswer int
		}
		var counts []count
		// A hidden comment does not count, nor do the replies in its
		// thread.
		if err := tx.Raw(`SELECT c.deliverable_id, c.revision, count(*) AS visible,
				SUM(CASE WHEN c.parent_id IS NULL AND NOT c.deleted AND c.response_status = '' THEN 1 ELSE 0 END) AS unanswer
			FROM comments c WHERE c.deliverable_id IN ? AND NOT c.hidden
				AND NOT EXISTS (SELECT 1 FROM comments h WHERE h.id = c.thread_id AND h.hidden)
			GROUP BY c.deliverable_id, c.revision`, ids).Scan(&counts).Error; err != nil {
			return err
		}
		for _, n := range counts {
			if i := byID[n.DeliverableID]; out[i].Revision == n.Revision {
				out[i].Comments, out[i].Unanswered = n.Visible, n.Unanswer
			}
		}
		// Those without a consultation row (older revisions) go last.
		kept := out[:0]
		for _, it := range out {
			if !it.Consultation.Deadline.IsZero() {
				kept = append(kept, it)
			}
		}
		out = kept
		sort.SliceStable(out, func(i, j int) bool { return out[i].Consultation.Deadline.Before(out[j].Consultation.Deadline) })
		return nil
	})
	return out, err
}

// Reminder is the work of a consultation's reminder job: who to remind of
// which deliverable, by when.
type Reminder struct {
	Kind          workflow.Kind
	ProjectID     string
	DeliverableID string
	Title         string
	Revision      int
	Deadline      time.Time
	To            []workflow.User
}

// ConsultationReminder marks the consultation reminded (once), emits
// consultation.closing_soon, tells each stakeholder of the group who has
// not commented on the revision (a notification, mailed as they chose),
// all in one transaction, and returns them. Nothing is returned when the
// consultation is closed or was reminded already, so a retried sweep
// sends no second round.
func (s *Store) ConsultationReminder(ctx context.Context, deliverableID string, revision int) (Reminder, bool, error) {
	at := now()
	var out Reminder
	var due bool
	err := s.tx(ctx, func(tx *gorm.DB) error {
		c, err := s.loadConsultation(tx, deliverableID, revision, false)
		if err != nil {
			return err
		}
		if c.ClosedAt != nil || c.RemindedAt != nil || !at.Before(c.Deadline) {
			return nil
		}
		var row deliverableRow
		if err := tx.Select("id", "kind", "project_id", "title", "policy_instrument_id", "content").Where("id = ?", deliverableID).Take(&row).Error; err != nil {
			return notFound(err, "deliverable")
		}
		res := tx.Exec(`UPDATE consultations SET reminded_at = ? WHERE deliverable_id = ? AND revision = ? AND reminded_at IS NULL`, at, deliverableID, revision)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		due = true
		out = Reminder{Kind: workflow.Kind(row.Kind), ProjectID: row.ProjectID, DeliverableID: row.ID, Title: row.Title,
			Revision: revision, Deadline: c.Deadline.UTC()}
		if row.PolicyInstrumentID != nil {
			var users []userRow
			if err := tx.Raw(`SELECT u.* FROM users u
				JOIN memberships m ON m.user_id = u.id AND m.role = 'stakeholder' AND m.project_id = ?
				JOIN stakeholder_groups g ON g.id = m.stakeholder_group_id AND g.policy_instrument_id = ?
				WHERE u.id NOT IN (SELECT author_id FROM comments WHERE deliverable_id = ? AND revision = ?)
				ORDER BY u.id`, row.ProjectID, *row.PolicyInstrumentID, deliverableID, revision).Scan(&users).Error; err != nil {
				return err
			}
			for _, u := range users {
				out.To = append(out.To, u.domain())
			}
		}
		if row.PolicyInstrumentID != nil {
			// The reminder is a notification: mailed at once unless the
			// person chose otherwise. Detail carries the deadline.
			n := notice{kind: workflow.NoticeConsultationClosing, projectID: row.ProjectID, deliverableID: row.ID, title: row.Title,
				titleLang: contentLanguage(row.Kind, row.Content), detail: out.Deadline.Format(time.RFC3339), revision: revision, at: at}
			if err := s.tell(ctx, tx, n, whoStakeholders+` AND m.user_id NOT IN (SELECT author_id FROM comments WHERE deliverable_id = ? AND revision = ?)`,
				row.ProjectID, *row.PolicyInstrumentID, deliverableID, revision); err != nil {
				return err
			}
		}
		data := map[string]any{"deliverable_id": deliverableID, "revision": revision, "deadline": out.Deadline, "reminded": len(out.To)}
		return s.emit(ctx, tx, workflow.Event{ID: workflow.NewID(), Type: workflow.EventClosingSoon, ProjectID: row.ProjectID,
			DeliverableID: deliverableID, At: at, Data: data})
	})
	return out, due, err
}
