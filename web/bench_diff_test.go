package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/revdiff/revdifftest"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// BenchmarkRevisionDiffPage is GET /ui/action-plans/{id}/revisions/2/diff
// on SQLite, over HTTP with a stakeholder's session: a 30-action plan
// (about 210 sections, 30,000 words) returned and resubmitted with seven
// sections changed, and 90 threads on revision 1 (three on each action),
// a third of them on changed sections. Every request reads both
// revisions and the threads from the store and diffs them. It reports p50,
// p95 and the page's size; the target is a p95 under 50 ms.
// BENCH_PAGE_DIR=dir keeps the page, to look at.
//
//	go test ./web -run '^$' -bench 'RevisionDiffPage$' -benchtime 200x
func BenchmarkRevisionDiffPage(b *testing.B) {
	s := buildSite(b, sqlstore.SQLite, nil, revdifftest.Actions())
	reader, err := s.store.Authenticate(ctx, workflow.HashToken(s.reader.token))
	require.NoError(b, err)
	for i := 1; i <= 30; i++ {
		for _, part := range []string{"description", "players", "costs"} {
			_, err := s.store.AddComment(ctx, workflow.NewComment{Kind: workflow.KindActionPlan, DeliverableID: s.planID,
				Section: fmt.Sprintf("part3.action.%d.%s", i, part), Body: "Megjegyzés: " + revdifftest.Text(i, 25), Principal: reader})
			require.NoError(b, err)
		}
	}
	s.revise(b, func(d *workflow.Deliverable) {
		revdifftest.Revise(d.Plan.Actions)
		d.Plan.PolicyContext = "Craft SMEs in Florence and in Győr."
	})

	br := s.browser(b)
	br.signIn(s.reader)
	url := s.url + "/ui/action-plans/" + s.planID + "/revisions/2/diff"
	last := timedGets(b, br, url)
	if dir := os.Getenv("BENCH_PAGE_DIR"); dir != "" {
		require.NoError(b, os.WriteFile(filepath.Join(dir, "revision-diff.html"), []byte(last), 0o644))
	}
	// The page must be the diff, not an empty or error page: seven changed
	// sections, and the 90 threads, six of them outdated.
	require.Contains(b, last, "Sections changed: 7; added: 0; removed: 0.")
	require.Contains(b, last, "Threads on revision 1: 90; outdated: 6.")
	require.Equal(b, 6, strings.Count(last, `<strong class="outdated">`))
	require.Equal(b, 90, strings.Count(last, `<li id="c-`))
	require.Equal(b, 13, strings.Count(last, "<ins>"), "six descriptions with two insertions, a rewritten players section's one")
	b.ReportMetric(float64(len(last))/1024, "KiB/page")
}
