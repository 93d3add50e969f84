package sqlstore

// Carrying open threads over at resubmission: when the owner submits
// revision n+1, the threads of revision n that still wait for a formal
// response may move to the new revision, so that they are answered there
// rather than lost with the old consultation. A moved thread keeps its
// comments, replies and history; carried_from records where it began.

import (
	"context"
	"database/sql"
	"slices"

	"github.com/craftscode/craftscode/workflow"
)

// carryRequest checks the shape of a transition's carry_over: only a
// submit takes one, each id well formed, at most MaxCarryOver; it returns
// the ids without repeats, in the order given. Whether each names an open
// thread is checked where it is written, in carryThreads.
func carryRequest(r workflow.TransitionRequest) ([]string, error) {
	if len(r.CarryOver) == 0 {
		return nil, nil
	}
	var probs workflow.Problems
	if r.Trigger != workflow.TriggerSubmit {
		probs = append(probs, workflow.Problem("carry_over", "only a submit carries threads over"))
		return nil, probs.Err("the threads cannot be carried over")
	}
	if len(r.CarryOver) > workflow.MaxCarryOver {
		probs = append(probs, workflow.Problem("carry_over", "names more than %d threads", workflow.MaxCarryOver))
		return nil, probs.Err("the threads cannot be carried over")
	}
	out := make([]string, 0, len(r.CarryOver))
	for _, id := range r.CarryOver {
		if !workflow.ValidID(id) {
			probs = append(probs, workflow.Problem("carry_over", "%q is not a valid id", id))
			continue
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(probs) > 0 {
		return nil, probs.Err("the threads cannot be carried over")
	}
	return out, nil
}

// openThread is a top-level comment a submit may carry over.
type openThread struct{ section, body string }

// openThreads lists the threads of a revision that may be carried over:
// top-level, not hidden, not deleted, without a formal response (a reply
// is no response). On PostgreSQL the rows are locked, so that a hide
// committed meanwhile cannot slip between the check and the move.
func (s *Store) openThreads(ctx context.Context, q querier, deliverableID string, revision int) (map[string]openThread, error) {
	query := `SELECT id, section, body FROM comments WHERE deliverable_id = $1 AND revision = $2
		AND parent_id IS NULL AND NOT hidden AND NOT deleted AND response_status = ''`
	if s.dialect == Postgres {
		query += " FOR UPDATE"
	}
	rows, err := q.QueryContext(ctx, query, deliverableID, revision)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]openThread{}
	for rows.Next() {
		var id string
		var t openThread
		if err := rows.Scan(&id, &t.section, &t.body); err != nil {
			return nil, err
		}
		out[id] = t
	}
	return out, rows.Err()
}

// carryThreads moves the named threads of the previous revision to
// row.Revision, whose consultation row now exists: every comment of each
// thread, replies too. A thread stays on its section when the new
// revision (snapshot) still has it, else it goes to the document as a
// whole. Each moved top-level comment gets a 'carried' event by actorID,
// with its text. An id that is not an open thread of the previous
// revision refuses the whole submit.
func (s *Store) carryThreads(ctx context.Context, stx *sql.Tx, row deliverableRow, ids []string, snapshot []byte, actorID string) error {
	if len(ids) == 0 {
		return nil
	}
	from := row.Revision - 1
	open := map[string]openThread{}
	if from >= 1 {
		var err error
		if open, err = s.openThreads(ctx, stx, row.ID, from); err != nil {
			return err
		}
	}
	var probs workflow.Problems
	for _, id := range ids {
		if _, ok := open[id]; !ok && len(probs) < 20 {
			probs = append(probs, workflow.Problem("carry_over", "%s is not an open thread of revision %d", id, from))
		}
	}
	if len(probs) > 0 {
		return probs.Err("the threads cannot be carried over")
	}
	sections, err := workflow.Sections(snapshot)
	if err != nil {
		return err
	}
	for _, id := range ids {
		t := open[id]
		section := t.section
		if !workflow.HasSection(sections, section) {
			section = workflow.GeneralSection
		}
		if _, err := stx.ExecContext(ctx, `UPDATE comments SET revision = $1, carried_from = COALESCE(carried_from, $2), section = $3
			WHERE deliverable_id = $4 AND revision = $2 AND thread_id = $5`, row.Revision, from, section, row.ID, id); err != nil {
			return err
		}
		if _, err := stx.ExecContext(ctx, `INSERT INTO comment_events (id, comment_id, event, actor_id, body, stance, status, at)
			VALUES ($1, $2, 'carried', $3, $4, '', '', $5)`, workflow.NewID(), id, actorID, t.body, row.UpdatedAt); err != nil {
			return err
		}
	}
	return nil
}
