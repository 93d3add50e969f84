package jobs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/jobs"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// flakyRelay fails its first send, then passes mail on to the mailbox.
type flakyRelay struct {
	calls atomic.Int32
	box   mailbox
}

func (f *flakyRelay) Send(ctx context.Context, m workflow.Mail) error {
	if f.calls.Add(1) == 1 {
		return errors.New("421 service not available")
	}
	return f.box.Send(ctx, m)
}

// TestQueuedMail: mail queued in a transaction goes out once it commits,
// and is tried again when the relay fails; a rolled-back transaction
// sends nothing.
func TestQueuedMail(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			relay := &flakyRelay{}
			s, q, _ := storeWithQueue(t, d, func(_ *sqlstore.Store, w *jobs.Workers) { w.Mailer = relay })

			tx, err := s.DB().BeginTx(ctx, nil)
			require.NoError(t, err)
			require.NoError(t, q.EnqueueMail(ctx, tx, workflow.Mail{To: "never@crafts.example", Subject: "x", Body: "x"}))
			require.NoError(t, tx.Rollback())
			tx, err = s.DB().BeginTx(ctx, nil)
			require.NoError(t, err)
			require.NoError(t, q.EnqueueMail(ctx, tx, workflow.Mail{To: "ana@crafts.example", Subject: "Zárul a konzultáció", Body: "Kedves Ana"}))
			require.NoError(t, tx.Commit())

			runCtx, cancel := context.WithCancel(ctx)
			defer cancel()
			require.NoError(t, q.Start(runCtx))
			defer func() { _ = q.Stop(context.Background()) }()
			require.Eventually(t, func() bool { return len(relay.box.to()) > 0 }, 60*time.Second, 100*time.Millisecond)
			require.Equal(t, []string{"ana@crafts.example"}, relay.box.to(), "sent once, after one failure; the rolled-back one never")
			require.EqualValues(t, 2, relay.calls.Load())
		})
	}
}
