package web_test

import (
	"fmt"
	"io"
	"net/http"
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

// BenchmarkRevisionPage is GET /ui/action-plans/{id} on a revision with
// 5,000 comments in 20 sections, on PostgreSQL, over HTTP with a session
// cookie: the store's read, the page's template and the transfer. The
// stakeholder gets a reply form per thread, the owner a response form as
// well. It reports p50, p95 and the page's size.
//
//	go test ./web -run '^$' -bench RevisionPage -benchtime 200x
func BenchmarkRevisionPage(b *testing.B) {
	if os.Getenv("TEST_DATABASE_URL") == "" && !sqlstoretest.RequireBackends() {
		b.Skip("TEST_DATABASE_URL is not set")
	}
	start, end := workflow.MustDate("2019-01-01"), workflow.MustDate("2019-12-31")
	var actions []workflow.PlanAction
	for i := 1; i <= 3; i++ { // three actions make the 20 sections
		actions = append(actions, workflow.PlanAction{Number: i, Title: fmt.Sprintf("Action %d", i), Description: "d", Players: "p",
			TimeframeStart: &start, TimeframeEnd: &end})
	}
	s := buildSite(b, sqlstore.Postgres, nil, actions)
	d, err := s.store.Deliverable(ctx, workflow.KindActionPlan, s.planID)
	require.NoError(b, err)
	rev, err := s.store.Revision(ctx, workflow.KindActionPlan, s.planID, d.Head().Revision)
	require.NoError(b, err)
	secs, err := workflow.Sections(rev.Snapshot)
	require.NoError(b, err)
	require.GreaterOrEqual(b, len(secs), 20)
	anchors := make([]string, 20)
	for i := range anchors {
		anchors[i] = secs[i].Anchor
	}
	sqlstoretest.SeedComments(b, s.store, sqlstoretest.Consultation{ProjectID: d.Head().ProjectID, DeliverableID: s.planID,
		Revision: rev.Number, Sections: anchors, Authors: []string{s.reader.user.ID}, Owner: s.owner.user.ID})
	var hiddenThreads int
	require.NoError(b, s.store.DB().QueryRowContext(ctx, "SELECT count(*) FROM comments WHERE deliverable_id = $1 AND hidden AND parent_id IS NULL",
		s.planID).Scan(&hiddenThreads))
	require.Positive(b, hiddenThreads)

	for _, who := range []struct {
		name      string
		p         person
		comments  int // articles on the page: a stakeholder does not see hidden threads
		responses int // response forms: one per thread, for the owner only
	}{
		{"stakeholder", s.reader, 5000 - 2*hiddenThreads, 0},
		{"owner", s.owner, 5000, 2500},
	} {
		b.Run(who.name, func(b *testing.B) {
			br := s.browser(b)
			br.signIn(who.p)
			url := s.url + "/ui/action-plans/" + s.planID
			var last string
			times := make([]time.Duration, 0, b.N)
			for b.Loop() {
				t0 := time.Now()
				res, err := br.c.Get(url)
				if err != nil {
					b.Fatal(err)
				}
				body, err := io.ReadAll(res.Body)
				res.Body.Close()
				times = append(times, time.Since(t0))
				if err != nil || res.StatusCode != http.StatusOK {
					b.Fatalf("%d %v", res.StatusCode, err)
				}
				last = string(body)
			}
			// The page must hold the comments, not an empty or error page.
			require.Equal(b, who.comments, strings.Count(last, `<article class="comment`))
			require.Equal(b, who.responses, strings.Count(last, `action="/ui/comments/`))
			require.Contains(b, last, "&lt;b&gt;Comment 1&lt;/b&gt;")
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(len(last))/1024, "KiB/page")
		})
	}
}
