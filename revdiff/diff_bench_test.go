package revdiff

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/craftscode/craftscode/workflow"
)

// benchWords are the words the benchmark's plans are written in: Hungarian,
// with numbers and punctuation, as a partner writes.
var benchWords = strings.Fields(`a kézműves vállalkozások mentorálása képzés műhely Győr Budapest kamara
	szövetség fiatal mesterek tanoncok export tervezés pályázat forrás 2027-ben 2028-ig € 40 000 és vagy
	valamint közös eszközök bérlése, egyesület; önkormányzat: megyei fejlesztési ügynökség kőfaragó
	fazekas szövő üvegműves ötvös hálózat látogatás tanulmányút szeminárium értékesítés piac`)

// benchText is n words of deterministic text, seed picking where it starts.
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

// benchPlanSnapshot is the snapshot of a 30-action plan with about 150
// words in each action's text parts; revised changes a few words in five
// sections and rewrites one action's players.
func benchPlanSnapshot(tb testing.TB, revised bool) []byte {
	start, end := workflow.MustDate("2027-01-01"), workflow.MustDate("2028-12-31")
	p := workflow.ActionPlan{Title: "Cselekvési terv", Language: "hu", SummaryEN: "Mentoring and shared workshops for craft SMEs.",
		OtherOrganisations: "BKIK", ContactName: "Kovács Erzsébet", PolicyContext: benchText(0, 400)}
	for i := 1; i <= 30; i++ {
		p.Actions = append(p.Actions, workflow.PlanAction{Number: i, Title: fmt.Sprintf("Intézkedés %d: %s", i, benchText(i, 4)),
			Background: workflow.Background{Text: benchText(i*10+1, 150)}, Description: benchText(i*10+2, 200), Players: benchText(i*10+3, 60),
			TimeframeStart: &start, TimeframeEnd: &end, Costs: "€ 40 000", FundingSources: benchText(i*10+4, 30)})
	}
	if revised {
		for _, i := range []int{2, 9, 17, 23, 29} {
			a := &p.Actions[i]
			a.Description = strings.Replace(a.Description, " ", " közös műhely Győrben ", 1) + " Bővítve 2029-ig."
		}
		p.Actions[12].Players = benchText(999, 70)
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
//	go test ./workflow -run '^$' -bench 'RevisionDiff$' -benchtime 200x
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
