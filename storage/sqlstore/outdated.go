package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/craftscode/craftscode/revdiff"
	"github.com/craftscode/craftscode/workflow"
)

// markOutdated marks the top-level comments of an older revision whose
// section the deliverable's latest frozen revision (head) changed or
// dropped: Outdated, with OutdatedIn the revision whose text to read.
// Both snapshots come in one read, whatever the number of comments.
func markOutdated(ctx context.Context, stx *sql.Tx, deliverableID string, revision, head int, comments []workflow.Comment) error {
	if revision >= head || len(comments) == 0 {
		return nil
	}
	changed, err := changedSections(ctx, stx, deliverableID, revision, head)
	if err != nil {
		return err
	}
	for i := range comments {
		if changed[comments[i].Section] {
			comments[i].Outdated, comments[i].OutdatedIn = true, head
		}
	}
	return nil
}

// changedSections reads two frozen revisions of a deliverable and tells
// which sections of the first the second changed or dropped.
func changedSections(ctx context.Context, stx *sql.Tx, deliverableID string, from, to int) (map[string]bool, error) {
	rows, err := stx.QueryContext(ctx, `SELECT number, snapshot FROM revisions WHERE deliverable_id = $1 AND number IN ($2, $3)`,
		deliverableID, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	snaps := map[int][]byte{}
	for rows.Next() {
		var n int
		var snap []byte
		if err := rows.Scan(&n, &snap); err != nil {
			return nil, err
		}
		snaps[n] = snap
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(snaps) != 2 {
		return nil, fmt.Errorf("changed sections: revisions %d and %d of %s: found %d", from, to, deliverableID, len(snaps))
	}
	a, err := workflow.Sections(snaps[from])
	if err != nil {
		return nil, err
	}
	b, err := workflow.Sections(snaps[to])
	if err != nil {
		return nil, err
	}
	return revdiff.ChangedSections(a, b), nil
}
