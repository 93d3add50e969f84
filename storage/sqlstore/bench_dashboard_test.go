package sqlstore_test

import (
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// BenchmarkDashboard reads the dashboard of a project at the issue's
// scale on PostgreSQL: 200 monitored action plans × 20 actions × 8
// periods, 50 indicators per plan (1,600 reports, 32,000 action statuses,
// 80,000 indicator values), seeded with bulk INSERTs. It reports p50 and
// p95 and the queries per read, for the whole project and for one
// partner. CRAFTSCODE_BENCH_PLANS changes the number of plans.
//
//	go test ./storage/sqlstore -run '^$' -bench Dashboard -benchtime 200x
func BenchmarkDashboard(b *testing.B) {
	plans := 200
	if v, err := strconv.Atoi(os.Getenv("CRAFTSCODE_BENCH_PLANS")); err == nil && v > 0 {
		plans = v
	}
	s := sqlstoretest.New(b, sqlstore.Postgres)
	m := sqlstoretest.GenerateMonitoring("BENCH", plans, 20, 8, 50)
	t0 := time.Now()
	require.NoError(b, sqlstoretest.InsertMonitoring(ctx, s.DB(), sqlstore.Postgres, m))
	b.Logf("seeded %d plans in %s", plans, time.Since(t0).Round(time.Millisecond))
	var values int
	require.NoError(b, s.DB().QueryRowContext(ctx, "SELECT count(*) FROM progress_report_indicators").Scan(&values))
	require.Greater(b, values, plans*50*7)
	queries := s.CountQueries()
	now := time.Now()
	for _, c := range []struct {
		name  string
		scope workflow.Scope
		plans int
	}{{"project", workflow.Scope{All: true}, plans}, {"partner", workflow.Scope{PartnerID: m.Plans[0].PartnerID}, 1}} {
		b.Run(c.name, func(b *testing.B) {
			times := make([]time.Duration, 0, b.N)
			q0 := queries.Load()
			for b.Loop() {
				t0 := time.Now()
				d, err := s.Dashboard(ctx, m.Project.ID, c.scope, now)
				times = append(times, time.Since(t0))
				if err != nil || len(d.Actions.Plans) != c.plans || len(d.Indicators.Plans) != c.plans {
					b.Fatalf("%d plans, %v", len(d.Actions.Plans), err)
				}
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(queries.Load()-q0)/float64(len(times)), "queries/op")
		})
	}
}
