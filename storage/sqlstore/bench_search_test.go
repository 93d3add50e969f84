package sqlstore_test

import (
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/search"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// BenchmarkSearch searches 100,000 documents on PostgreSQL (1,000 plans of
// 50 actions and 50,000 good practices, seeded with bulk INSERTs) for a
// rare word, a common one, two words, a Cyrillic prefix and a word found
// nowhere, for the whole project, a partner and a stakeholder, a page of
// 50 each. It reports p50 and p95. CRAFTSCODE_BENCH_PLANS changes the
// number of plans (documents = 100 × plans).
//
//	go test ./storage/sqlstore -run '^$' -bench '^BenchmarkSearch$' -benchtime 200x
func BenchmarkSearch(b *testing.B) {
	plans := 1000
	if v, err := strconv.Atoi(os.Getenv("CRAFTSCODE_BENCH_PLANS")); err == nil && v > 0 {
		plans = v
	}
	s := sqlstoretest.New(b, sqlstore.Postgres)
	t0 := time.Now()
	c, err := sqlstoretest.SeedSearch(ctx, s.DB(), sqlstore.Postgres, plans, 50, 100)
	require.NoError(b, err)
	b.Logf("seeded %d documents in %s", c.Docs, time.Since(t0).Round(time.Millisecond))

	// The seeding is what it claims: every 997th document holds the rare word.
	rare, _, err := s.Search(ctx, workflow.SearchQuery{ProjectID: c.ProjectID, Terms: []string{"filigree"}, Scope: workflow.Scope{All: true}, Limit: 200})
	require.NoError(b, err)
	require.Len(b, rare, (c.Docs+c.Rare-1)/c.Rare)

	scopes := map[string]workflow.Scope{"project": {All: true}, "partner": {PartnerID: c.PartnerID}, "stakeholder": {InstrumentID: c.InstrumentID}}
	queries := []string{"filigree", "ceramics", "ceramics network", "ремес", "zzyzx"}
	for _, name := range []string{"project", "partner", "stakeholder"} {
		b.Run(name, func(b *testing.B) {
			times := make([]time.Duration, 0, b.N)
			i := 0
			for b.Loop() {
				q := workflow.SearchQuery{ProjectID: c.ProjectID, Terms: search.Terms(queries[i%len(queries)]), Scope: scopes[name], Limit: 50}
				i++
				t0 := time.Now()
				_, _, err := s.Search(ctx, q)
				times = append(times, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
		})
	}
}
