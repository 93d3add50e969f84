package sqlstore_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// BenchmarkListThreads lists the threads of a revision holding 5,000
// comments (2,500 threads of a comment and a reply, half answered, a few
// hidden) over 20 sections, on PostgreSQL, and reports the p95 latency.
//
//	go test ./storage/sqlstore -run '^$' -bench ListThreads -benchtime 200x
func BenchmarkListThreads(b *testing.B) {
	if os.Getenv("TEST_DATABASE_URL") == "" && !sqlstoretest.RequireBackends() {
		b.Skip("TEST_DATABASE_URL is not set")
	}
	s := sqlstoretest.New(b, sqlstore.Postgres)
	c := setupConsultation(b, s, "BENCH")
	var snap string
	require.NoError(b, s.DB().QueryRowContext(ctx, "SELECT snapshot FROM revisions WHERE deliverable_id = $1", c.plan.Plan.ID).Scan(&snap))
	secs, err := workflow.Sections([]byte(snap))
	require.NoError(b, err)
	require.GreaterOrEqual(b, len(secs), 18)
	anchors := make([]string, 0, 20)
	for _, sec := range secs {
		anchors = append(anchors, sec.Anchor)
	}
	for len(anchors) < 20 { // pad with repeats of real anchors if the plan has fewer
		anchors = append(anchors, anchors[len(anchors)%len(secs)])
	}
	anchors = anchors[:20]
	authors := make([]string, 0, len(c.shUsers))
	for _, u := range c.shUsers {
		authors = append(authors, u.ID)
	}
	insertComments(b, s, c, anchors, authors, 2500)

	var n int
	require.NoError(b, s.DB().QueryRowContext(ctx, "SELECT count(*) FROM comments WHERE deliverable_id = $1", c.plan.Plan.ID).Scan(&n))
	require.Equal(b, 5000, n)
	for _, p := range []struct {
		name string
		who  workflow.Principal
	}{{"coordinator", c.coord}, {"stakeholder", c.sh}} {
		b.Run(p.name, func(b *testing.B) {
			times := make([]time.Duration, 0, b.N)
			for b.Loop() {
				t0 := time.Now()
				threads, err := s.Comments(ctx, c.plan.Kind, c.plan.Plan.ID, 0, p.who)
				times = append(times, time.Since(t0))
				if err != nil || len(threads) < 2400 {
					b.Fatalf("%d threads, %v", len(threads), err)
				}
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
		})
	}
}

// insertComments writes threads top-level comments, each with one reply,
// in multi-row INSERTs of 500.
func insertComments(b *testing.B, s *sqlstore.Store, c consultation, anchors, authors []string, threads int) {
	b.Helper()
	base := time.Now().UTC().Add(-time.Hour)
	type row []any
	var rows []row
	for i := range threads {
		top := workflow.NewID()
		at := base.Add(time.Duration(i) * time.Millisecond)
		status, by := "", ""
		var rat any
		if i%2 == 0 {
			status, by, rat = "accepted", c.owner.User.ID, at.Add(time.Minute)
		}
		sec := anchors[i%len(anchors)]
		rows = append(rows,
			row{top, nil, top, sec, fmt.Sprintf("Top-level comment %d on %s, with some text to read.", i, sec), authors[i%len(authors)], i%97 == 0, status, by, rat, at},
			row{workflow.NewID(), top, top, sec, fmt.Sprintf("Reply %d", i), c.owner.User.ID, false, "", "", nil, at.Add(time.Second)})
	}
	for start := 0; start < len(rows); start += 500 {
		chunk := rows[start:min(start+500, len(rows))]
		var sb strings.Builder
		sb.WriteString(`INSERT INTO comments (id, deliverable_id, revision, project_id, section, parent_id, thread_id, stance, body,
			author_id, author_role, version, hidden, response_status, response_by, response_at, created_at, updated_at) VALUES `)
		args := make([]any, 0, len(chunk)*11)
		for j, r := range chunk {
			if j > 0 {
				sb.WriteString(",")
			}
			k := len(args)
			fmt.Fprintf(&sb, "($%d, '%s', 1, '%s', $%d, $%d, $%d, 'suggestion', $%d, $%d, 'stakeholder', 1, $%d, $%d, $%d, $%d, $%d, $%d)",
				k+1, c.plan.Plan.ID, c.project.ID, k+4, k+2, k+3, k+5, k+6, k+7, k+8, k+9, k+10, k+11, k+11)
			args = append(args, r...)
		}
		_, err := s.DB().ExecContext(ctx, sb.String(), args...)
		require.NoError(b, err)
	}
	_, err := s.DB().ExecContext(ctx, "ANALYZE comments")
	require.NoError(b, err)
}
