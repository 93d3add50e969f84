package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// BenchmarkRevisionPage is GET /ui/action-plans/{id} (the overview) and
// GET /ui/action-plans/{id}?section=… (the busiest section's own page) on
// a revision with 5,000 comments in 20 sections, on PostgreSQL, over HTTP
// with a session cookie: the store's read, the page's template and the
// transfer, every request from the store (nothing is cached). The overview
// shows the 5 most recent threads of each section, each with a link to its
// forms on the section's page; the section's page has the forms: the
// stakeholder's reply, edit and delete forms, the owner's response forms as
// well. It reports p50, p95 and the page's size; the targets are a p95
// under 50 ms and an overview under 200 KB. BENCH_PAGE_DIR=dir keeps the
// last page of each, to look at.
//
//	TEST_DATABASE_URL=postgres://… go test ./web -run '^$' -bench 'RevisionPage$' -benchtime 100x
func BenchmarkRevisionPage(b *testing.B) {
	responseForm := regexp.MustCompile(`action="/ui/comments/[^"]+/response"`)
	responseLink := regexp.MustCompile(`<p class="acts"><a [^>]+>(Respond|Change the response)[ ·<]`)
	replyLink := regexp.MustCompile(`<p class="acts"><a [^>]+>(?:[^<]* · )?Reply[ ·<]`)
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

	// What each page must hold, counted in the database rather than by
	// the page's code. A stakeholder does not see hidden threads (nor
	// their replies); every seeded thread has one reply.
	type count struct{ threads, visible, comments, visibleComments int }
	var shown, shownVisible int // threads on the overview: at most 5 a section
	per := map[string]count{}
	rows, err := s.store.DB().QueryContext(ctx, `SELECT c.section, count(*) FILTER (WHERE c.parent_id IS NULL),
		count(*) FILTER (WHERE c.parent_id IS NULL AND NOT t.hidden), count(*), count(*) FILTER (WHERE NOT t.hidden)
		FROM comments c JOIN comments t ON t.id = c.thread_id WHERE c.deliverable_id = $1 GROUP BY c.section`, s.planID)
	require.NoError(b, err)
	for rows.Next() {
		var sec string
		var n count
		require.NoError(b, rows.Scan(&sec, &n.threads, &n.visible, &n.comments, &n.visibleComments))
		per[sec] = n
	}
	require.NoError(b, rows.Err())
	require.Len(b, per, 20)
	busiest := anchors[0] // the most comments a stakeholder sees
	total := count{}
	for _, a := range anchors {
		n := per[a]
		if n.visibleComments > per[busiest].visibleComments {
			busiest = a
		}
		total.threads += n.threads
		total.comments += n.comments
		total.visible += n.visible
		shown += min(n.threads, 5)
		shownVisible += min(n.visible, 5)
	}
	require.Equal(b, 5000, total.comments)
	require.Greater(b, total.threads, total.visible, "some threads are hidden")

	type want struct {
		articles  int // comments and replies on the page
		replies   int // reply forms (on a section's page) or links to them (on the overview): one per thread shown
		responses int // response forms or links to them: one per thread, for the owner only
		link      string
		sections  int // every section on the overview (an action's parts in its card), one on a section's page
	}
	bs := per[busiest]
	for _, page := range []struct {
		name string
		path string
		p    person
		want want
	}{
		// The overview: the 5 most recent threads of each section, with their replies.
		{"overview/stakeholder", "", s.reader, want{2 * shownVisible, shownVisible, 0,
			fmt.Sprintf(">All %d comments on this section</a>", bs.visibleComments), len(secs)}},
		{"overview/owner", "", s.owner, want{2 * shown, shown, shown,
			fmt.Sprintf(">All %d comments on this section</a>", bs.comments), len(secs)}},
		// The busiest section's own page: its first 40 threads, each with its reply.
		{"section/stakeholder", "?section=" + busiest, s.reader, want{2 * min(bs.visible, 40), min(bs.visible, 40), 0, "Back to the whole revision", 1}},
		{"section/owner", "?section=" + busiest, s.owner, want{2 * min(bs.threads, 40), min(bs.threads, 40), min(bs.threads, 40), "Back to the whole revision", 1}},
	} {
		b.Run(page.name, func(b *testing.B) {
			br := s.browser(b)
			br.signIn(page.p)
			url := s.url + "/ui/action-plans/" + s.planID + page.path
			last := timedGets(b, br, url)
			if dir := os.Getenv("BENCH_PAGE_DIR"); dir != "" { // to look at the page
				require.NoError(b, os.WriteFile(filepath.Join(dir, strings.ReplaceAll(page.name, "/", "-")+".html"), []byte(last), 0o644))
			}
			// The page must hold the comments, not an empty or error page.
			require.Equal(b, page.want.articles, strings.Count(last, `<article class="comment`))
			if page.path == "" {
				// The overview links to the section's page for the forms.
				require.Zero(b, strings.Count(last, `<summary>Reply</summary>`))
				require.Empty(b, responseForm.FindAllString(last, -1))
				require.Len(b, replyLink.FindAllString(last, -1), page.want.replies)
				require.Len(b, responseLink.FindAllString(last, -1), page.want.responses)
			} else {
				require.Equal(b, page.want.replies, strings.Count(last, `<summary>Reply</summary>`))
				require.Len(b, responseForm.FindAllString(last, -1), page.want.responses)
			}
			require.Contains(b, last, page.want.link)
			require.Equal(b, page.want.sections, strings.Count(last, ` id="sec-`))
			require.Contains(b, last, "&lt;b&gt;Comment ")
			require.NotContains(b, last, "<b>Comment ")
			b.ReportMetric(float64(len(last))/1024, "KiB/page")
		})
	}
}
