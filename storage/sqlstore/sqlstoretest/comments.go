package sqlstoretest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// Consultation says where SeedComments writes: a submitted deliverable's
// revision, its section anchors and the people who comment and answer.
type Consultation struct {
	ProjectID, DeliverableID string
	Revision                 int
	Sections                 []string // anchors of the revision, used in turn
	Authors                  []string // user IDs of the top-level comments' authors, used in turn
	Owner                    string   // user ID that replies to every thread and answers every other one
	Threads                  int      // default 2,500: the 5,000 comments
}

// SeedComments writes the consultation the performance goal is about:
// Threads top-level comments (default 2,500), each with one reply from the
// owner, spread over the sections, every other one answered and one in 97
// hidden. Bodies carry markup so that escaping is part of what is
// measured. It uses multi-row INSERTs rather than AddComment, which would
// take minutes, and ANALYZEs so that the planner sees the real table.
func SeedComments(t testing.TB, s *sqlstore.Store, c Consultation) {
	t.Helper()
	if c.Threads <= 0 {
		c.Threads = 2500
	}
	if len(c.Sections) == 0 || len(c.Authors) == 0 || c.Owner == "" {
		t.Fatal("SeedComments: sections, authors and an owner are required")
	}
	ctx := context.Background()
	stances := []workflow.Stance{workflow.StanceSuggestion, workflow.StanceConcern, workflow.StanceQuestion, workflow.StanceSupport}
	base := time.Now().UTC().Add(-time.Hour)
	var rows [][]any
	for i := range c.Threads {
		top := workflow.NewID()
		at := base.Add(time.Duration(i) * time.Millisecond)
		sec := c.Sections[i%len(c.Sections)]
		status, body, by := "", "", ""
		var rat any
		if i%2 == 0 {
			status, body, by, rat = string(workflow.ResponseAccepted), "Taken into the next revision.", c.Owner, at.Add(time.Minute)
		}
		rows = append(rows,
			[]any{top, sec, nil, top, string(stances[i%len(stances)]), fmt.Sprintf("<b>Comment %d</b> on %s: {{ .x }} with some text to read.", i, sec),
				c.Authors[i%len(c.Authors)], "stakeholder", i%97 == 0, status, body, by, rat, at},
			[]any{workflow.NewID(), sec, top, top, string(workflow.StanceSuggestion), fmt.Sprintf("Reply %d", i),
				c.Owner, "partner", false, "", "", "", nil, at.Add(time.Second)})
	}
	const perInsert = 500 // 14 parameters a row stays far below PostgreSQL's 65,535
	for start := 0; start < len(rows); start += perInsert {
		chunk := rows[start:min(start+perInsert, len(rows))]
		var sb strings.Builder
		sb.WriteString(`INSERT INTO comments (deliverable_id, revision, project_id, id, section, parent_id, thread_id, stance, body,
			author_id, author_role, hidden, response_status, response_body, response_by, response_at, created_at, updated_at) VALUES `)
		args := []any{c.DeliverableID, c.Revision, c.ProjectID}
		for j, r := range chunk {
			if j > 0 {
				sb.WriteString(",")
			}
			k := len(args)
			sb.WriteString("($1, $2, $3")
			for n := range len(r) {
				fmt.Fprintf(&sb, ", $%d", k+n+1)
			}
			fmt.Fprintf(&sb, ", $%d)", k+len(r)) // updated_at = created_at
			args = append(args, r...)
		}
		if _, err := s.DB().ExecContext(ctx, sb.String(), args...); err != nil {
			t.Fatalf("SeedComments: %v", err)
		}
	}
	var n int
	if err := s.DB().QueryRowContext(ctx, "SELECT count(*) FROM comments WHERE deliverable_id = $1 AND revision = $2", c.DeliverableID, c.Revision).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n < 2*c.Threads {
		t.Fatalf("SeedComments: %d comments on the revision, want at least %d", n, 2*c.Threads)
	}
	if _, err := s.DB().ExecContext(ctx, "ANALYZE comments"); err != nil {
		t.Fatal(err)
	}
}
