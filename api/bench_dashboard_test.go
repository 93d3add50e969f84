package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/api"
	"github.com/craftscode/craftscode/storage/blobstore"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// BenchmarkDashboardHTTP is GET /api/v1/projects/{pid}/dashboard on a
// project of 200 monitored plans × 20 actions × 8 periods with 50
// indicators each, on PostgreSQL: the store's read plus authentication
// and the JSON (about 2 MB) or the CSV. It reports p50 and p95.
//
//	go test ./api -run '^$' -bench DashboardHTTP -benchtime 100x
func BenchmarkDashboardHTTP(b *testing.B) {
	ctx := context.Background()
	store := sqlstoretest.New(b, sqlstore.Postgres)
	tok, hash := workflow.NewToken()
	require.NoError(b, store.CreateUser(ctx, &workflow.User{Email: "admin@bench.example", Name: "Admin", Admin: true}, hash, "bench"))
	m := sqlstoretest.GenerateMonitoring("BENCH", 200, 20, 8, 50)
	require.NoError(b, sqlstoretest.InsertMonitoring(ctx, store.DB(), sqlstore.Postgres, m))
	blobs, err := blobstore.NewFS(b.TempDir())
	require.NoError(b, err)
	srv, err := api.New(api.Config{Store: store, Blobs: blobs, Registry: prometheus.NewRegistry()})
	require.NoError(b, err)
	hs := httptest.NewServer(srv)
	b.Cleanup(hs.Close)
	for _, format := range []string{"json", "csv"} {
		b.Run(format, func(b *testing.B) {
			times := make([]time.Duration, 0, b.N)
			var size int
			for b.Loop() {
				req, _ := http.NewRequest("GET", hs.URL+"/api/v1/projects/"+m.Project.ID+"/dashboard?format="+format, nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				t0 := time.Now()
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, res.Body)
				res.Body.Close()
				times = append(times, time.Since(t0))
				if res.StatusCode != http.StatusOK {
					b.Fatalf("status %d", res.StatusCode)
				}
				size = int(n)
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(size)/1e6, "MB")
		})
	}
}
