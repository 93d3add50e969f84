package api_test

import (
	"context"
	"fmt"
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

// BenchmarkListThreadsHTTP is GET /api/v1/action-plans/{id}/comments on a
// revision with 5,000 comments in 20 sections, on PostgreSQL: the store's
// read plus authentication and JSON. It reports the p95.
//
//	go test ./api -run '^$' -bench ListThreadsHTTP -benchtime 200x
func BenchmarkListThreadsHTTP(b *testing.B) {
	ctx := context.Background()
	store := sqlstoretest.New(b, sqlstore.Postgres)
	tok, hash := workflow.NewToken()
	adminUser := workflow.User{Email: "admin@bench.example", Name: "Admin", Admin: true}
	require.NoError(b, store.CreateUser(ctx, &adminUser, hash, "bench"))
	admin := workflow.Principal{User: adminUser}

	pr := workflow.Project{Acronym: "BENCH", Title: "Bench"}
	require.NoError(b, store.CreateProject(ctx, &pr))
	pa := workflow.Partner{ProjectID: pr.ID, Name: "BVK", Country: "HU", Role: workflow.PartnerPartner}
	require.NoError(b, store.CreatePartner(ctx, &pa))
	pi := workflow.PolicyInstrument{ProjectID: pr.ID, Name: "VEKOP", Type: workflow.InstrumentGrowthAndJobs, PartnerIDs: []string{pa.ID}}
	require.NoError(b, store.CreatePolicyInstrument(ctx, &pi))
	start, end := workflow.MustDate("2019-01-01"), workflow.MustDate("2019-12-31")
	plan := &workflow.ActionPlan{ProjectID: pr.ID, PartnerID: pa.ID, PolicyInstrumentID: pi.ID, Title: "Terv", Language: "hu", SummaryEN: "Plan"}
	for i := range 3 {
		plan.Actions = append(plan.Actions, workflow.PlanAction{Title: fmt.Sprintf("Action %d", i), Description: "d", Players: "p",
			TimeframeStart: &start, TimeframeEnd: &end})
	}
	plan.Normalize()
	d := workflow.Deliverable{Kind: workflow.KindActionPlan, Plan: plan}
	require.NoError(b, store.CreateDeliverable(ctx, &d))
	_, _, err := store.FireTransition(ctx, workflow.TransitionRequest{Kind: d.Kind, ID: plan.ID, Version: 1, Trigger: workflow.TriggerSubmit, Principal: admin})
	require.NoError(b, err)
	rev, err := store.Revision(ctx, d.Kind, plan.ID, 1)
	require.NoError(b, err)
	secs, err := workflow.Sections(rev.Snapshot)
	require.NoError(b, err)
	require.GreaterOrEqual(b, len(secs), 20)

	anchors := make([]string, 20)
	for i := range anchors {
		anchors[i] = secs[i].Anchor
	}
	// The admin is every author: one token sees everything.
	sqlstoretest.SeedComments(b, store, sqlstoretest.Consultation{ProjectID: pr.ID, DeliverableID: plan.ID, Revision: rev.Number,
		Sections: anchors, Authors: []string{adminUser.ID}, Owner: adminUser.ID})

	blobs, err := blobstore.NewFS(b.TempDir())
	require.NoError(b, err)
	srv, err := api.New(api.Config{Store: store, Blobs: blobs, Registry: prometheus.NewRegistry()})
	require.NoError(b, err)
	hs := httptest.NewServer(srv)
	b.Cleanup(hs.Close)
	url := hs.URL + "/api/v1/action-plans/" + plan.ID + "/comments"

	times := make([]time.Duration, 0, b.N)
	size := 0
	for b.Loop() {
		t0 := time.Now()
		r, _ := http.NewRequest("GET", url, nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		times = append(times, time.Since(t0))
		if err != nil || res.StatusCode != 200 {
			b.Fatalf("%d %v", res.StatusCode, err)
		}
		size = len(body)
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(size)/1024, "KiB/answer")
}
