package web_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// benchWords and benchText write the benchmark's plan: deterministic
// Hungarian text, as a partner writes it.
var benchWords = strings.Fields(`a kézműves vállalkozások mentorálása képzés műhely Győr Budapest kamara
	szövetség fiatal mesterek tanoncok export tervezés pályázat forrás 2027-ben 2028-ig € 40 000 és vagy
	valamint közös eszközök bérlése, egyesület; önkormányzat: megyei fejlesztési ügynökség kőfaragó
	fazekas szövő üvegműves ötvös hálózat látogatás tanulmányút szeminárium értékesítés piac`)

func benchText(seed, n int) string {
	var sb strings.Builder
	for i := range n {
		if i > 0 {
			sb.WriteByte(' ')
			if i%23 == 0 {
				sb.WriteString("\n\n")
			}
		}
		sb.WriteString(benchWords[(seed*7+i*i*3+i)%len(benchWords)])
	}
	sb.WriteByte('.')
	return sb.String()
}

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
	start, end := workflow.MustDate("2027-01-01"), workflow.MustDate("2028-12-31")
	var actions []workflow.PlanAction
	for i := 1; i <= 30; i++ {
		actions = append(actions, workflow.PlanAction{Number: i, Title: fmt.Sprintf("Intézkedés %d: %s", i, benchText(i, 4)),
			Background: workflow.Background{Text: benchText(i*10+1, 150)}, Description: benchText(i*10+2, 200), Players: benchText(i*10+3, 60),
			TimeframeStart: &start, TimeframeEnd: &end, Costs: "€ 40 000", FundingSources: benchText(i*10+4, 30)})
	}
	s := buildSite(b, sqlstore.SQLite, nil, actions)
	reader, err := s.store.Authenticate(ctx, workflow.HashToken(s.reader.token))
	require.NoError(b, err)
	changedActions := []int{2, 9, 12, 17, 23, 29}
	for i := 1; i <= 30; i++ {
		for _, part := range []string{"description", "players", "costs"} {
			_, err := s.store.AddComment(ctx, workflow.NewComment{Kind: workflow.KindActionPlan, DeliverableID: s.planID,
				Section: fmt.Sprintf("part3.action.%d.%s", i, part), Body: "Megjegyzés: " + benchText(i, 25), Principal: reader})
			require.NoError(b, err)
		}
	}
	s.revise(b, func(d *workflow.Deliverable) {
		for _, i := range changedActions {
			a := &d.Plan.Actions[i]
			if i == 12 {
				a.Players = benchText(999, 70)
				continue
			}
			a.Description = strings.Replace(a.Description, " ", " közös műhely Győrben ", 1) + " Bővítve 2029-ig."
		}
		d.Plan.PolicyContext = "Craft SMEs in Florence and in Győr."
	})

	br := s.browser(b)
	br.signIn(s.reader)
	url := s.url + "/ui/action-plans/" + s.planID + "/revisions/2/diff"
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
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(len(last))/1024, "KiB/page")
}
