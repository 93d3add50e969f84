package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/workflow"
)

// Suggested wording applied to the next draft. A comment's suggestion
// whose formal response is "accepted" waits, once the deliverable is back
// in draft, for its owner to apply it; the chosen ones go in as one draft
// edit (updateDeliverable, as any edit), and suggestion_applications keeps
// each application once: its primary key is the comment.

// maxApplied is how many suggestions one apply takes.
const maxApplied = 500

// snapshotContent is the content a revision's snapshot froze.
func snapshotContent(snapshot string) ([]byte, error) {
	var snap struct {
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal([]byte(snapshot), &snap); err != nil {
		return nil, fmt.Errorf("revision snapshot: %w", err)
	}
	return snap.Content, nil
}

// checkSuggestionOf checks that of (when set) occurs exactly once in the
// text of the section's field in the revision, so that it names one place.
func checkSuggestionOf(kind workflow.Kind, snapshot, section, of string) error {
	if of == "" {
		return nil
	}
	content, err := snapshotContent(snapshot)
	if err != nil {
		return err
	}
	text, found, err := workflow.SuggestionFieldText(kind, content, section)
	if err != nil || !found {
		return err // the section's own check speaks of a missing one
	}
	switch n := strings.Count(text, of); {
	case n == 0:
		return workflow.Problems{workflow.Problem("suggestion.of", "does not occur in the text of section %s; quote the words exactly as they stand", section)}.Err("the comment is not valid")
	case n > 1:
		return workflow.Problems{workflow.Problem("suggestion.of", "occurs %d times in the text of section %s; quote enough words to name one place", n, section)}.Err("the comment is not valid")
	}
	return nil
}

// validContent applies the content's rules, as any edit of it must meet.
func validContent(d *workflow.Deliverable) error {
	switch {
	case d.Plan != nil:
		d.Plan.Normalize()
		return d.Plan.Validate()
	case d.Review != nil:
		d.Review.Normalize()
		return d.Review.Validate()
	case d.Practice != nil:
		d.Practice.Normalize()
		return d.Practice.Validate()
	}
	return fmt.Errorf("deliverable without content")
}

// pendingSuggestions reads the accepted suggestions not yet applied (not
// hidden, not deleted), oldest first, and weighs each against the
// deliverable's current content.
func pendingSuggestions(ctx context.Context, tx *gorm.DB, d workflow.Deliverable, row deliverableRow) ([]workflow.PendingSuggestion, error) {
	stx, err := sqlTx(tx)
	if err != nil {
		return nil, err
	}
	rows, err := stx.QueryContext(ctx, `SELECT `+commentColumns+commentFrom+`WHERE c.deliverable_id = $1 AND c.parent_id IS NULL
			AND c.suggestion <> '' AND c.response_status = $2 AND NOT c.deleted AND NOT c.hidden
			AND NOT EXISTS (SELECT 1 FROM suggestion_applications a WHERE a.comment_id = c.id)
		ORDER BY c.created_at, c.id`, row.ID, string(workflow.ResponseAccepted))
	if err != nil {
		return nil, err
	}
	var comments []workflow.Comment
	for rows.Next() {
		r, err := scanComment(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		r.Kind = d.Kind
		comments = append(comments, r.Comment)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	revisions := map[int][]byte{}
	out := make([]workflow.PendingSuggestion, 0, len(comments))
	for _, c := range comments {
		content, ok := revisions[c.Revision]
		if !ok {
			var rev revisionRow
			if err := tx.Where("deliverable_id = ? AND number = ?", row.ID, c.Revision).Take(&rev).Error; err != nil {
				return nil, notFound(err, "revision")
			}
			if content, err = snapshotContent(rev.Snapshot); err != nil {
				return nil, err
			}
			revisions[c.Revision] = content
		}
		p, err := weigh(d, row, c, content)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// weigh sets a suggestion against the current content: what it makes of
// its section, or why it cannot be applied as it is.
func weigh(d workflow.Deliverable, row deliverableRow, c workflow.Comment, revContent []byte) (workflow.PendingSuggestion, error) {
	p := workflow.PendingSuggestion{Comment: c, Section: c.Section, Revision: c.Revision}
	was, _, err := workflow.SuggestionFieldText(d.Kind, revContent, c.Section)
	if err != nil {
		return p, err
	}
	p.RevisionText = was
	now, found, err := workflow.SuggestionFieldText(d.Kind, []byte(row.Content), c.Section)
	if err != nil {
		return p, err
	}
	p.CurrentText = now
	conflict := func(reason string) (workflow.PendingSuggestion, error) {
		p.Conflict, p.Reason, p.ProposedText = true, reason, ""
		return p, nil
	}
	s := *c.Suggestion
	switch {
	case !found:
		return conflict(workflow.ConflictSectionGone)
	case c.Response != nil && c.Response.AnsweredSuggestion != s.Text:
		return conflict(workflow.ConflictEditedAfterward) // the "accepted" is of other words
	case now != was:
		return conflict(workflow.ConflictSectionChanged)
	}
	proposed, n := workflow.SuggestedText(now, s)
	switch {
	case n == 0:
		return conflict(workflow.ConflictOfMissing)
	case n > 1:
		return conflict(workflow.ConflictOfRepeated)
	}
	p.ProposedText = proposed
	// What the edit would save must meet the content's rules (a field's
	// length), or the suggestion would stop every apply.
	if d.Head().State == workflow.StateDraft {
		trial, err := fromRow(row)
		if err != nil {
			return p, err
		}
		if f, ok := workflow.SuggestionField(&trial, c.Section); ok {
			*f = proposed
		}
		if validContent(&trial) != nil {
			return conflict(workflow.ConflictInvalid)
		}
	}
	return p, nil
}

func (s *Store) PendingSuggestions(ctx context.Context, kind workflow.Kind, id string, p workflow.Principal) ([]workflow.PendingSuggestion, error) {
	var out []workflow.PendingSuggestion
	err := s.tx(ctx, func(tx *gorm.DB) error {
		d, row, err := loadDeliverable(tx, kind, id)
		if err != nil {
			return err
		}
		if err := p.SeeDeliverable(d); err != nil {
			return err
		}
		out, err = pendingSuggestions(ctx, tx, d, row)
		return err
	})
	return out, err
}

// checkApplyIDs checks the list of comments to apply: 1 to maxApplied
// valid ids, none twice.
func checkApplyIDs(ids []string) error {
	var p workflow.Problems
	switch {
	case len(ids) == 0:
		p.Add("comments", "is required: name the comments whose suggestions to apply")
	case len(ids) > maxApplied:
		p.Add("comments", "names more than %d comments", maxApplied)
	}
	seen := map[string]bool{}
	for i, id := range ids {
		f := "comments[" + strconv.Itoa(i) + "]"
		switch {
		case !workflow.ValidID(id):
			p.Add(f, "is not a valid id")
		case seen[id]:
			p.Add(f, "names a comment twice")
		}
		seen[id] = true
	}
	return p.Err("the suggestions to apply are not valid")
}

func (s *Store) ApplySuggestions(ctx context.Context, kind workflow.Kind, id string, version int, commentIDs []string, p workflow.Principal) (workflow.Deliverable, error) {
	if err := checkApplyIDs(commentIDs); err != nil {
		return workflow.Deliverable{}, err
	}
	at := now()
	var out workflow.Deliverable
	err := s.tx(ctx, func(tx *gorm.DB) error {
		d, row, err := loadDeliverable(tx, kind, id)
		if err != nil {
			return err
		}
		if err := p.EditDeliverable(d); err != nil {
			return err
		}
		if err := versionGate(kind, row.Version, version); err != nil {
			return err
		}
		if row.State != string(workflow.StateDraft) {
			return workflow.Errorf(workflow.CodeConflict, "suggestions are applied only to a draft; the %s is %s", workflow.KindNoun(kind), workflow.State(row.State))
		}
		// Take the row at the version asked for before reading what to
		// apply: a concurrent apply waits here, then finds the version
		// moved (412), rather than reading the first one's applications
		// as they commit.
		res := tx.Exec(`UPDATE deliverables SET version = version WHERE id = ? AND version = ?`, row.ID, version)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return workflow.Errorf(workflow.CodePreconditionFailed, "the deliverable changed meanwhile; reload it")
		}
		pending, err := pendingSuggestions(ctx, tx, d, row)
		if err != nil {
			return err
		}
		chosen, err := choose(ctx, tx, row.ID, pending, commentIDs)
		if err != nil {
			return err
		}
		out, err = updateDeliverable(tx, kind, id, version, func(d *workflow.Deliverable) error {
			return applyChosen(d, chosen)
		})
		if err != nil {
			return err
		}
		stx, err := sqlTx(tx)
		if err != nil {
			return err
		}
		version := out.Head().Version
		for _, c := range chosen {
			after := ""
			if f, ok := workflow.SuggestionField(&out, c.Section); ok {
				after = *f
			}
			// The primary key refuses a second application of a comment,
			// whatever else went wrong.
			if _, err := stx.ExecContext(ctx, `INSERT INTO suggestion_applications (comment_id, deliverable_id, revision, section,
					before_text, after_text, version, applied_by, applied_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				c.Comment.ID, row.ID, c.Revision, c.Section, c.CurrentText, after, version, p.User.ID, at); err != nil {
				return err
			}
			if err := s.addEvent(ctx, tx, workflow.CommentEvent{CommentID: c.Comment.ID, Event: "applied", ActorID: p.User.ID,
				Body: c.Comment.Suggestion.Text, At: at}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// choose picks the pending suggestions asked for, in the order they were
// made; one already applied is conflict, one unknown or in conflict is
// invalid.
func choose(ctx context.Context, tx *gorm.DB, deliverableID string, pending []workflow.PendingSuggestion, ids []string) ([]workflow.PendingSuggestion, error) {
	byID := map[string]int{}
	for i, ps := range pending {
		byID[ps.Comment.ID] = i
	}
	var problems workflow.Problems
	var applied []string
	picked := make([]bool, len(pending))
	for i, id := range ids {
		f := "comments[" + strconv.Itoa(i) + "]"
		j, ok := byID[id]
		if !ok {
			var n int64
			if err := tx.WithContext(ctx).Raw(`SELECT count(*) FROM suggestion_applications WHERE comment_id = ? AND deliverable_id = ?`, id, deliverableID).Scan(&n).Error; err != nil {
				return nil, err
			}
			if n > 0 {
				applied = append(applied, id)
				continue
			}
			problems.Add(f, "is not an accepted suggestion waiting to be applied here")
			continue
		}
		if pending[j].Conflict {
			problems.Add(f, "conflicts with the draft (%s): it is shown, not applied", pending[j].Reason)
			continue
		}
		picked[j] = true
	}
	if len(applied) > 0 {
		return nil, workflow.Errorf(workflow.CodeConflict, "the suggestion of comment %s was applied already", strings.Join(applied, ", "))
	}
	if err := problems.Err("the suggestions cannot be applied"); err != nil {
		return nil, err
	}
	var out []workflow.PendingSuggestion
	for i, ok := range picked {
		if ok {
			out = append(out, pending[i])
		}
	}
	return out, nil
}

// applyChosen writes the chosen suggestions into the draft's content, in
// order. Two on one section go in together only when each still names one
// place of the text the other left; one replacing a whole text takes no
// other.
func applyChosen(d *workflow.Deliverable, chosen []workflow.PendingSuggestion) error {
	var problems workflow.Problems
	per := map[string]int{}
	for _, c := range chosen {
		per[c.Section]++
	}
	for _, c := range chosen {
		s := *c.Comment.Suggestion
		if s.Of == "" && per[c.Section] > 1 {
			problems.Add("comments", "two chosen suggestions change section %s and one replaces its whole text; apply one, then look at the other", c.Section)
			per[c.Section] = 0 // said once
			continue
		}
		f, ok := workflow.SuggestionField(d, c.Section)
		if !ok {
			continue // weigh made it a conflict
		}
		next, n := workflow.SuggestedText(*f, s)
		if n != 1 {
			problems.Add("comments", "once the other suggestions on section %s are in, the words comment %s replaces no longer name one place", c.Section, c.Comment.ID)
			continue
		}
		*f = next
	}
	if err := problems.Err("the suggestions cannot be applied together"); err != nil {
		return err
	}
	return validContent(d)
}

// appliedIn fills Suggestion.Applied of the comments that carry a
// suggestion, from suggestion_applications: one read for the deliverable,
// only when one of them does. The appliers go into names, for the caller
// to look up.
func appliedIn(ctx context.Context, q querier, deliverableID string, comments []*workflow.Comment, names map[string]string) error {
	with := map[string]*workflow.Comment{}
	for _, c := range comments {
		if c.Suggestion != nil && c.Response != nil && c.Response.Status == workflow.ResponseAccepted {
			with[c.ID] = c
		}
	}
	if len(with) == 0 {
		return nil
	}
	rows, err := q.QueryContext(ctx, `SELECT comment_id, applied_by, applied_at, version FROM suggestion_applications WHERE deliverable_id = $1`, deliverableID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var a workflow.SuggestionApplied
		if err := rows.Scan(&id, &a.By, &a.At, &a.Version); err != nil {
			return err
		}
		if c := with[id]; c != nil {
			a.At = a.At.UTC()
			c.Suggestion.Applied = &a
			names[a.By] = ""
		}
	}
	return rows.Err()
}

// appliedOne fills one comment's Suggestion.Applied, with the applier's
// name.
func appliedOne(ctx context.Context, q querier, c *workflow.Comment) error {
	if c.Suggestion == nil || c.Response == nil || c.Response.Status != workflow.ResponseAccepted {
		return nil
	}
	var a workflow.SuggestionApplied
	err := q.QueryRowContext(ctx, `SELECT a.applied_by, COALESCE(u.name, ''), a.applied_at, a.version FROM suggestion_applications a
		LEFT JOIN users u ON u.id = a.applied_by WHERE a.comment_id = $1`, c.ID).Scan(&a.By, &a.ByName, &a.At, &a.Version)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return err
	}
	a.At = a.At.UTC()
	c.Suggestion.Applied = &a
	return nil
}

func (s *Store) AppliedSuggestions(ctx context.Context, kind workflow.Kind, id string, p workflow.Principal) ([]workflow.SuggestionApplication, error) {
	out := []workflow.SuggestionApplication{}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		d, row, err := loadDeliverable(tx, kind, id)
		if err != nil {
			return err
		}
		if err := p.SeeDeliverable(d); err != nil {
			return err
		}
		stx, err := sqlTx(tx)
		if err != nil {
			return err
		}
		rows, err := stx.QueryContext(ctx, `SELECT a.comment_id, a.section, a.revision, a.before_text, a.after_text, a.version,
				a.applied_by, COALESCE(u.name, ''), a.applied_at
			FROM suggestion_applications a LEFT JOIN users u ON u.id = a.applied_by
			WHERE a.deliverable_id = $1 ORDER BY a.applied_at, a.comment_id`, row.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a workflow.SuggestionApplication
			var at time.Time
			if err := rows.Scan(&a.CommentID, &a.Section, &a.Revision, &a.Before, &a.After, &a.Version, &a.By, &a.ByName, &at); err != nil {
				return err
			}
			a.At = at.UTC()
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}
