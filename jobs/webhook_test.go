package jobs_test

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/jobs"
	"github.com/craftscode/craftscode/notify"
	"github.com/craftscode/craftscode/storage/blobstore"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// received is one request as the receiver saw it.
type received struct {
	header http.Header
	body   []byte
	at     time.Time
}

// receiver is a real HTTP server that answers with reply(n) for its n-th
// request (from 1) and keeps what it got.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	got  []received
	seen chan struct{}
}

func newReceiver(t *testing.T, reply func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	rc := &receiver{seen: make(chan struct{}, 100)}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{header: r.Header.Clone(), body: b, at: time.Now()})
		n := len(rc.got)
		rc.mu.Unlock()
		rc.seen <- struct{}{}
		reply(n, w, r)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// webhookEnv is a store with a running queue that delivers webhooks.
func webhookEnv(t *testing.T, d sqlstore.Dialect, timeout, backoff time.Duration) *sqlstore.Store {
	ctx := context.Background()
	s := sqlstoretest.New(t, d)
	require.NoError(t, jobs.Migrate(ctx, s.DB(), jobs.Dialect(d)))
	blobs, err := blobstore.NewFS(t.TempDir())
	require.NoError(t, err)
	q, err := jobs.New(s.DB(), jobs.Dialect(d), slog.New(slog.DiscardHandler), &jobs.Workers{Documents: s, Blobs: blobs, WebhookAllowPrivate: true,
		Webhooks: s, WebhookBackoff: backoff, WebhookTimeout: timeout})
	require.NoError(t, err)
	s.SetJobQueue(q)
	runCtx, cancel := context.WithCancel(ctx)
	require.NoError(t, q.Start(runCtx))
	t.Cleanup(func() {
		cancel()
		_ = q.Stop(context.Background())
	})
	return s
}

func subscribe(t *testing.T, s *sqlstore.Store, projectID, url string) workflow.Webhook {
	w := workflow.Webhook{ProjectID: projectID, URL: url, Events: []workflow.EventType{workflow.EventTransition},
		Secret: workflow.NewWebhookSecret(), CreatedBy: admin.User.ID}
	require.NoError(t, s.CreateWebhook(context.Background(), &w))
	return w
}

func submit(t *testing.T, s *sqlstore.Store, plan workflow.Deliverable) workflow.TransitionRecord {
	_, rec, err := s.FireTransition(context.Background(), workflow.TransitionRequest{Kind: plan.Kind, ID: plan.Plan.ID, Version: 1,
		Trigger: workflow.TriggerSubmit, Principal: admin})
	require.NoError(t, err)
	return rec
}

// settled waits for the webhook's only delivery to leave pending.
func settled(t *testing.T, s *sqlstore.Store, webhookID string, want string) workflow.WebhookDelivery {
	var d workflow.WebhookDelivery
	require.Eventually(t, func() bool {
		ds, _, err := s.ListDeliveries(context.Background(), webhookID, "", workflow.Page{Limit: 10})
		require.NoError(t, err)
		require.Len(t, ds, 1)
		d = ds[0]
		return d.Status == want
	}, 60*time.Second, 20*time.Millisecond)
	return d
}

func TestWebhookDeliveryIsSignedAndReplaysAreRefused(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := webhookEnv(t, d, 0, 10*time.Millisecond)
			rc := newReceiver(t, func(int, http.ResponseWriter, *http.Request) {})
			plan := planIn(t, s)
			w := subscribe(t, s, plan.Plan.ProjectID, rc.URL+"/hook")
			rec := submit(t, s, plan)

			dl := settled(t, s, w.ID, workflow.DeliveryDelivered)
			require.Equal(t, 1, dl.Attempts)
			require.Equal(t, 200, dl.LastStatusCode)
			got := rc.requests()
			require.Len(t, got, 1)
			r := got[0]
			require.Equal(t, "application/json", r.header.Get("Content-Type"))
			require.Contains(t, r.header.Get("User-Agent"), "craftscode")
			require.Equal(t, "transition", r.header.Get(notify.HeaderEvent))
			require.Equal(t, dl.ID, r.header.Get(notify.HeaderDelivery))
			require.JSONEq(t, string(dl.Payload), string(r.body))
			require.Contains(t, string(r.body), `"id":"`+rec.ID+`"`)

			sig := r.header.Get(notify.HeaderSignature)
			require.NoError(t, notify.Verify([]byte(w.Secret), sig, r.body, 0), "the receiver can check it")
			require.ErrorIs(t, notify.Verify([]byte("not the secret at all"), sig, r.body, 0), notify.ErrSignatureMismatch)
			tampered := append([]byte(nil), r.body...)
			tampered[len(tampered)-2] = ' '
			require.ErrorIs(t, notify.Verify([]byte(w.Secret), sig, tampered, 0), notify.ErrSignatureMismatch)

			// The same request captured and sent again later is stale.
			time.Sleep(time.Until(r.at.Truncate(time.Second).Add(2100 * time.Millisecond)))
			require.ErrorIs(t, notify.Verify([]byte(w.Secret), sig, r.body, time.Second), notify.ErrSignatureStale)
		})
	}
}

func TestWebhookDeliveryRetriesUntilDelivered(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := webhookEnv(t, d, 0, 10*time.Millisecond)
			rc := newReceiver(t, func(n int, w http.ResponseWriter, _ *http.Request) {
				if n == 1 {
					w.WriteHeader(500)
					_, _ = w.Write([]byte("database \x00down"))
				}
			})
			plan := planIn(t, s)
			w := subscribe(t, s, plan.Plan.ProjectID, rc.URL)
			submit(t, s, plan)

			dl := settled(t, s, w.ID, workflow.DeliveryDelivered)
			require.Equal(t, 2, dl.Attempts)
			require.Equal(t, 200, dl.LastStatusCode)
			require.Empty(t, dl.LastError)
			got := rc.requests()
			require.Len(t, got, 2)
			require.Equal(t, got[0].body, got[1].body, "a retry sends the same event")
			require.Equal(t, got[0].header.Get(notify.HeaderDelivery), got[1].header.Get(notify.HeaderDelivery))
			for _, r := range got {
				require.NoError(t, notify.Verify([]byte(w.Secret), r.header.Get(notify.HeaderSignature), r.body, 0))
			}
		})
	}
}

func TestWebhookDeliveryGivesUp(t *testing.T) {
	t.Parallel()
	s := webhookEnv(t, sqlstore.SQLite, 0, 10*time.Millisecond)
	// A redirect is not followed: the signed body stays with the URL the
	// coordinator registered.
	elsewhere := newReceiver(t, func(int, http.ResponseWriter, *http.Request) {})
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL, http.StatusTemporaryRedirect)
	})
	plan := planIn(t, s)
	w := subscribe(t, s, plan.Plan.ProjectID, rc.URL)
	submit(t, s, plan)

	dl := settled(t, s, w.ID, workflow.DeliveryFailed)
	require.Equal(t, jobs.WebhookMaxAttempts, dl.Attempts)
	require.Equal(t, http.StatusTemporaryRedirect, dl.LastStatusCode)
	require.Contains(t, dl.LastError, "answered 307")
	require.Nil(t, dl.NextAttemptAt)
	require.Len(t, rc.requests(), jobs.WebhookMaxAttempts)
	require.Empty(t, elsewhere.requests())
}

func TestWebhookDeliveryTimesOut(t *testing.T) {
	t.Parallel()
	s := webhookEnv(t, sqlstore.SQLite, 200*time.Millisecond, 2*time.Second)
	release := make(chan struct{})
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
	})
	defer close(release)
	plan := planIn(t, s)
	w := subscribe(t, s, plan.Plan.ProjectID, rc.URL)
	submit(t, s, plan)

	// The first attempt hangs past the limit and is recorded as such, with
	// the retry two seconds on; the second is answered.
	var first workflow.WebhookDelivery
	require.Eventually(t, func() bool {
		ds, _, err := s.ListDeliveries(context.Background(), w.ID, "", workflow.Page{Limit: 10})
		require.NoError(t, err)
		first = ds[0]
		return first.Attempts == 1
	}, 30*time.Second, 10*time.Millisecond)
	require.Equal(t, workflow.DeliveryPending, first.Status)
	require.Contains(t, first.LastError, "time limit")
	require.Zero(t, first.LastStatusCode)
	require.WithinDuration(t, first.LastAttemptAt.Add(2*time.Second), *first.NextAttemptAt, 100*time.Millisecond)
	dl := settled(t, s, w.ID, workflow.DeliveryDelivered)
	require.Equal(t, 2, dl.Attempts)
	got := rc.requests()
	require.Len(t, got, 2)
}

// The server does not connect to link-local addresses such as cloud
// metadata services, whatever the URL's host.
func TestWebhookRefusesLinkLocalAddresses(t *testing.T) {
	t.Parallel()
	s := webhookEnv(t, sqlstore.SQLite, 0, time.Hour) // one attempt is enough to look at
	plan := planIn(t, s)
	w := subscribe(t, s, plan.Plan.ProjectID, "http://169.254.169.254/latest/meta-data/")
	submit(t, s, plan)
	var d workflow.WebhookDelivery
	require.Eventually(t, func() bool {
		ds, _, err := s.ListDeliveries(context.Background(), w.ID, "", workflow.Page{Limit: 10})
		require.NoError(t, err)
		d = ds[0]
		return d.Attempts == 1
	}, 30*time.Second, 10*time.Millisecond)
	require.Contains(t, d.LastError, "link-local")
	require.Zero(t, d.LastStatusCode)
}

// A delivery whose secret no longer opens (the server key was replaced)
// ends failed after its attempts instead of staying pending for ever.
func TestWebhookWithALostKeyFails(t *testing.T) {
	t.Parallel()
	s := webhookEnv(t, sqlstore.SQLite, 0, 10*time.Millisecond)
	rc := newReceiver(t, func(int, http.ResponseWriter, *http.Request) {})
	plan := planIn(t, s)
	w := subscribe(t, s, plan.Plan.ProjectID, rc.URL)
	key := make([]byte, notify.KeySize)
	_, _ = rand.Read(key)
	box, err := notify.NewBox(key)
	require.NoError(t, err)
	s.SetSecretBox(box)
	submit(t, s, plan)

	d := settled(t, s, w.ID, workflow.DeliveryFailed)
	require.Contains(t, d.LastError, "does not open")
	require.Empty(t, rc.requests(), "nothing unsigned or wrongly signed went out")
}

// Finding 11 of issue 15: what a private receiver answers with an error
// stays private; only its status is kept.
func TestWebhookKeepsOnlyTheStatusOfAPrivateReceiversError(t *testing.T) {
	t.Parallel()
	s := webhookEnv(t, sqlstore.SQLite, 0, time.Hour)
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("connection to db.internal:5432 failed, password=hunter2"))
	})
	plan := planIn(t, s)
	w := subscribe(t, s, plan.Plan.ProjectID, rc.URL)
	submit(t, s, plan)
	var d workflow.WebhookDelivery
	require.Eventually(t, func() bool {
		ds, _, err := s.ListDeliveries(context.Background(), w.ID, "", workflow.Page{Limit: 10})
		require.NoError(t, err)
		d = ds[0]
		return d.Attempts == 1
	}, 30*time.Second, 10*time.Millisecond)
	require.Equal(t, http.StatusInternalServerError, d.LastStatusCode)
	require.Equal(t, "the receiver answered 500", d.LastError)
}
