package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
)

// call sends a JSON request and decodes a 2xx answer into out.
func call(t *testing.T, method, url, token string, body any, ifMatch int, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	r, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	r.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if ifMatch > 0 {
		r.Header.Set("If-Match", fmt.Sprintf(`"%d"`, ifMatch))
	}
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		return 0 // the server may be gone (killed on purpose)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		require.NoError(t, json.Unmarshal(b, out), "%s", b)
	}
	return res.StatusCode
}

// seedPlans makes a project with n complete action plans in draft.
func seedPlans(t *testing.T, url, admin string, n int) []string {
	t.Helper()
	var project, partner struct{ ID string }
	require.Equal(t, 201, call(t, "POST", url+"/api/v1/projects", admin, map[string]any{"acronym": "LOAD", "title": "Load"}, 0, &project))
	base := url + "/api/v1/projects/" + project.ID
	require.Equal(t, 201, call(t, "POST", base+"/partners", admin, map[string]any{"name": "BVK", "country": "HU", "role": "partner"}, 0, &partner))
	ids := make([]string, n)
	for i := range ids {
		var pi, plan struct{ ID string }
		require.Equal(t, 201, call(t, "POST", base+"/policy-instruments", admin, map[string]any{"name": fmt.Sprintf("I%d", i), "type": "other", "partner_ids": []string{partner.ID}}, 0, &pi))
		require.Equal(t, 201, call(t, "POST", base+"/action-plans", admin, map[string]any{
			"policy_instrument_id": pi.ID, "partner_id": partner.ID, "title": "Plan", "language": "en",
			"actions": []map[string]any{{"title": "A", "description": "d", "players": "p", "timeframe_start": "2019-01-01", "timeframe_end": "2019-02-01"}},
		}, 0, &plan))
		ids[i] = plan.ID
	}
	return ids
}

// churn moves plans back and forth (submit, request_changes) from several
// workers spread over the servers, all racing for the same plans, until
// stop is closed. It counts the transitions that won.
func churn(t *testing.T, urls []string, admin string, plans []string, workers int, stop <-chan struct{}) *atomic.Int64 {
	var won atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			url := urls[w%len(urls)]
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := plans[(i+w)%len(plans)]
				var cur struct {
					State   string
					Version int
				}
				if call(t, "GET", url+"/api/v1/action-plans/"+id, admin, nil, 0, &cur) != 200 {
					continue
				}
				trigger := "submit"
				if cur.State == "stakeholder_review" {
					trigger = "request_changes"
				}
				if call(t, "POST", url+"/api/v1/action-plans/"+id+"/transitions", admin, map[string]any{"trigger": trigger}, cur.Version, nil) == 200 {
					won.Add(1)
				}
			}
		})
	}
	t.Cleanup(wg.Wait)
	go func() { <-stop; wg.Wait() }()
	return &won
}

// checkInvariant: every plan's state is the "to" of its last history row,
// and its history versions run 2, 3, … up to its version without a gap.
func checkInvariant(t *testing.T, dsn string) int {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), `SELECT id, state, version FROM deliverables`)
	require.NoError(t, err)
	defer rows.Close()
	total := 0
	for rows.Next() {
		var id, state string
		var version int
		require.NoError(t, rows.Scan(&id, &state, &version))
		hist, err := db.QueryContext(context.Background(), `SELECT version, to_state FROM transitions WHERE deliverable_id = $1 ORDER BY version`, id)
		require.NoError(t, err)
		want, last := 2, "draft"
		for hist.Next() {
			var v int
			require.NoError(t, hist.Scan(&v, &last))
			require.Equal(t, want, v, "plan %s: history versions have a gap", id)
			want++
		}
		hist.Close()
		require.Equal(t, version, want-1, "plan %s: version %d but history ends at %d", id, version, want-1)
		require.Equal(t, last, state, "plan %s: state is not the last transition's", id)
		total += version - 1
	}
	require.NoError(t, rows.Err())
	return total
}

func postgresEnv(t *testing.T) (map[string]string, string) {
	dsn := sqlstoretest.DSN(t, sqlstore.Postgres)
	return map[string]string{
		"DATABASE_URL":           dsn,
		"CRAFTSCODE_DATA_DIR":    t.TempDir(),
		"CRAFTSCODE_ADMIN_TOKEN": "admin-token-for-the-concurrency-test-0123",
	}, dsn
}

// TestTwoServersOnePostgres: conflicting transitions sent to two processes
// at once never break the history.
func TestTwoServersOnePostgres(t *testing.T) {
	t.Parallel()
	env, dsn := postgresEnv(t)
	a := serve(t, copyEnv(env))
	b := serve(t, copyEnv(env))
	admin := env["CRAFTSCODE_ADMIN_TOKEN"]
	plans := seedPlans(t, a.url, admin, 8)
	stop := make(chan struct{})
	won := churn(t, []string{a.url, b.url}, admin, plans, 16, stop)
	time.Sleep(3 * time.Second) // a load window, not a timing assertion
	close(stop)
	time.Sleep(200 * time.Millisecond)
	n := won.Load()
	t.Logf("%d transitions won across two servers", n)
	require.Positive(t, n, "some transitions must have won")
	require.Equal(t, int(n), checkInvariant(t, dsn), "every won transition is in the history, once")
	stopServer(t, a)
	stopServer(t, b)
}

// TestKilledServerLeavesConsistentHistory: SIGKILL in the middle of a
// load, then a restart on the same database.
func TestKilledServerLeavesConsistentHistory(t *testing.T) {
	t.Parallel()
	env, dsn := postgresEnv(t)
	a := serve(t, copyEnv(env))
	admin := env["CRAFTSCODE_ADMIN_TOKEN"]
	plans := seedPlans(t, a.url, admin, 4)
	stop := make(chan struct{})
	won := churn(t, []string{a.url}, admin, plans, 8, stop)
	require.Eventually(t, func() bool { return won.Load() > 20 }, 60*time.Second, 10*time.Millisecond)
	require.NoError(t, a.cmd.Process.Kill()) // SIGKILL, mid-flight
	<-a.done
	close(stop)

	checkInvariant(t, dsn)
	b := serve(t, copyEnv(env))
	require.Equal(t, 200, get(t, b.url+"/readyz", "", nil))
	var cur struct{ Version int }
	require.Equal(t, 200, call(t, "GET", b.url+"/api/v1/action-plans/"+plans[0], admin, nil, 0, &cur))
	checkInvariant(t, dsn)
	stopServer(t, b)
}

func copyEnv(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
