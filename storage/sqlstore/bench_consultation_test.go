package sqlstore_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// BenchmarkListThreads lists the threads of a revision holding 5,000
// comments (2,500 threads of a comment and a reply, half answered, a few
// hidden) over 20 sections, on PostgreSQL: all of them, the overview's
// and one section's, and reports the p50 and p95 latency.
//
//	go test ./storage/sqlstore -run '^$' -bench ListThreads -benchtime 200x
func BenchmarkListThreads(b *testing.B) {
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
	sqlstoretest.SeedComments(b, s, sqlstoretest.Consultation{ProjectID: c.project.ID, DeliverableID: c.plan.Plan.ID, Revision: 1,
		Sections: anchors, Authors: authors, Owner: c.owner.User.ID})

	var n int
	require.NoError(b, s.DB().QueryRowContext(ctx, "SELECT count(*) FROM comments WHERE deliverable_id = $1", c.plan.Plan.ID).Scan(&n))
	require.Equal(b, 5000, n)
	// Comments reads every thread; CommentThreads what the overview (10
	// a section) and a section's page show.
	read := map[string]func(p workflow.Principal) (int, error){
		"all": func(p workflow.Principal) (int, error) {
			threads, _, err := s.Comments(ctx, c.plan.Kind, c.plan.Plan.ID, 0, p, workflow.Page{})
			return len(threads), err
		},
		"overview": func(p workflow.Principal) (int, error) {
			set, err := s.CommentThreads(ctx, c.plan.Kind, c.plan.Plan.ID, 0, p, workflow.ThreadQuery{PerSection: 10})
			return len(set.Threads), err
		},
		"section": func(p workflow.Principal) (int, error) {
			set, err := s.CommentThreads(ctx, c.plan.Kind, c.plan.Plan.ID, 0, p, workflow.ThreadQuery{Section: anchors[0]})
			return len(set.Threads), err
		},
	}
	least := map[string]int{"all": 2400, "overview": 18 * 10, "section": 100} // about 2,500, 200 and 125 threads
	for _, p := range []struct {
		name string
		who  workflow.Principal
	}{{"coordinator", c.coord}, {"stakeholder", c.sh}} {
		for _, what := range []string{"all", "overview", "section"} {
			b.Run(what+"/"+p.name, func(b *testing.B) {
				times := make([]time.Duration, 0, b.N)
				for b.Loop() {
					t0 := time.Now()
					n, err := read[what](p.who)
					times = append(times, time.Since(t0))
					if err != nil || n < least[what] {
						b.Fatalf("%d threads, %v", n, err)
					}
				}
				slices.Sort(times)
				b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
				b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
			})
		}
	}
}
