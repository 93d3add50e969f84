package revdiff

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/craftscode/craftscode/revdiff/revdifftest"
	"github.com/craftscode/craftscode/workflow"
)

// benchPlanSnapshot is the snapshot of a 30-action plan with about 150
// words in each action's text parts; revised changes a few words in five
// sections and rewrites one action's players.
func benchPlanSnapshot(tb testing.TB, revised bool) []byte {
	p := workflow.ActionPlan{Title: "Cselekvési terv", Language: "hu", SummaryEN: "Mentoring and shared workshops for craft SMEs.",
		OtherOrganisations: "BKIK", ContactName: "Kovács Erzsébet", PolicyContext: revdifftest.Text(0, 400), Actions: revdifftest.Actions()}
	if revised {
		revdifftest.Revise(p.Actions)
		p.PolicyContext = strings.Replace(p.PolicyContext, "kamara", "kereskedelmi és iparkamara", 1)
	}
	snap, _, err := workflow.Canonical(map[string]any{"kind": workflow.KindActionPlan, "project": map[string]any{"acronym": "CRAFTS"},
		"partner": map[string]any{"name": "Budapesti Vállalkozásfejlesztési Közalapítvány"}, "policy_instrument": map[string]any{"name": "VEKOP"},
		"content": p})
	if err != nil {
		tb.Fatal(err)
	}
	return snap
}

// BenchmarkRevisionDiff is what GET …/revisions/{n}/diff computes once it
// has read the two snapshots: both revisions' sections and their diff,
// for a 30-action plan (about 210 sections, 30,000 words) in which seven
// sections changed. It reports p50 and p95; the target is a p95 under
// 20 ms.
//
//	go test ./revdiff -run '^$' -bench 'RevisionDiff$' -benchtime 200x
func BenchmarkRevisionDiff(b *testing.B) {
	from, to := benchPlanSnapshot(b, false), benchPlanSnapshot(b, true)
	times := make([]time.Duration, 0, b.N)
	var d RevisionDiff
	for b.Loop() {
		t0 := time.Now()
		var err error
		if d, err = DiffRevisions(1, 2, from, to); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(t0))
	}
	if len(d.Changed) != 7 || len(d.Sections) < 200 {
		raw, _ := json.Marshal(d.Changed)
		b.Fatalf("changed %s of %d sections", raw, len(d.Sections))
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
}
