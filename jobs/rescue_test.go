package jobs_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/jobs"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// TestStuckJobIsRescued (issue 15, #13): a job left `running` by a
// process that died ten minutes ago is rescued once a queue starts, since
// the rescue bound fits the jobs' timeouts (River's default would wait an
// hour), on both databases.
func TestStuckJobIsRescued(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s, q, _ := storeWithQueue(t, d, nil)
			require.Equal(t, 3*time.Minute, q.RescueStuckJobsAfter(), "the render job's 2 minutes and a minute's margin")
			ctx := context.Background()
			tx, err := s.DB().BeginTx(ctx, nil)
			require.NoError(t, err)
			require.NoError(t, q.EnqueueRender(ctx, tx, workflow.NewID()))
			require.NoError(t, tx.Commit())
			var id int64
			require.NoError(t, s.DB().QueryRow("SELECT id FROM river_job WHERE kind = 'render_document'").Scan(&id))

			// The process that took it died ten minutes ago.
			dead := time.Now().Add(-10 * time.Minute).UTC()
			if d == sqlstore.Postgres {
				_, err = s.DB().Exec("UPDATE river_job SET state = 'running', attempt = 1, attempted_at = $1 WHERE id = $2", dead, id)
			} else {
				_, err = s.DB().Exec("UPDATE river_job SET state = 'running', attempt = 1, attempted_at = ? WHERE id = ?",
					dead.Round(time.Millisecond).Format("2006-01-02 15:04:05.000"), id)
			}
			require.NoError(t, err)

			qctx, stop := context.WithCancel(ctx)
			require.NoError(t, q.Start(qctx))
			t.Cleanup(func() {
				stop()
				sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				_ = q.Stop(sctx)
			})
			require.Eventually(t, func() bool {
				var state string
				var attempt int
				require.NoError(t, s.DB().QueryRow("SELECT state, attempt FROM river_job WHERE id = "+itoa(id)).Scan(&state, &attempt))
				return state != "running" || attempt > 1
			}, 30*time.Second, 100*time.Millisecond, "the stuck job is rescued")
		})
	}
}

// TestRescueBoundFitsTimeouts: the bound follows the longest job timeout,
// a webhook's included when it is longer.
func TestRescueBoundFitsTimeouts(t *testing.T) {
	_, q, _ := storeWithQueue(t, sqlstore.SQLite, func(s *sqlstore.Store, w *jobs.Workers) {
		w.Webhooks, w.WebhookTimeout = s, 5*time.Minute
	})
	require.Equal(t, 5*time.Minute+10*time.Second+time.Minute, q.RescueStuckJobsAfter())
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
