package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/api"
	"github.com/craftscode/craftscode/storage/blobstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// A receiver that hangs must not hold up the transitions that notify it:
// they answer while their deliveries wait, and the deliveries go out once
// the receiver answers.
func TestSlowReceiverDoesNotBlockTransitions(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := webhookEnv(t, d, 0, 10*time.Millisecond) // the default 10 s limit per attempt
			release := make(chan struct{})
			rc := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
				select {
				case <-release:
				case <-r.Context().Done():
				}
			})
			blobs, err := blobstore.NewFS(t.TempDir())
			require.NoError(t, err)
			srv, err := api.New(api.Config{Store: s, Blobs: blobs, Registry: prometheus.NewRegistry(), WebhookAllowPrivate: true})
			require.NoError(t, err)
			hs := httptest.NewServer(srv)
			defer hs.Close()
			token, hash := workflow.NewToken()
			require.NoError(t, s.CreateUser(context.Background(), &workflow.User{Email: "admin@example.org", Name: "Admin", Admin: true}, hash, "test"))
			call := func(method, path, version string, body any) (int, time.Duration) {
				b, err := json.Marshal(body)
				require.NoError(t, err)
				r, err := http.NewRequest(method, hs.URL+path, bytes.NewReader(b))
				require.NoError(t, err)
				r.Header.Set("Authorization", "Bearer "+token)
				r.Header.Set("Content-Type", "application/json")
				if version != "" {
					r.Header.Set("If-Match", `"`+version+`"`)
				}
				start := time.Now()
				res, err := http.DefaultClient.Do(r)
				require.NoError(t, err)
				res.Body.Close()
				return res.StatusCode, time.Since(start)
			}
			plan := planIn(t, s)
			status, _ := call("POST", "/api/v1/projects/"+plan.Plan.ProjectID+"/webhooks", "", map[string]any{"url": rc.URL, "events": []string{"transition"}})
			require.Equal(t, http.StatusCreated, status)

			status, took := call("POST", "/api/v1/action-plans/"+plan.Plan.ID+"/transitions", "1", map[string]any{"trigger": "submit"})
			require.Equal(t, http.StatusOK, status)
			require.Less(t, took, 2*time.Second)
			select {
			case <-rc.seen: // the first delivery is now stuck in the receiver
			case <-time.After(30 * time.Second):
				t.Fatal("the delivery never reached the receiver")
			}
			status, took = call("POST", "/api/v1/action-plans/"+plan.Plan.ID+"/transitions", "2", map[string]any{"trigger": "request_changes", "note": "more detail"})
			require.Equal(t, http.StatusOK, status)
			require.Less(t, took, 2*time.Second, "a transition does not wait for a hanging receiver")

			close(release)
			require.Eventually(t, func() bool {
				ds, _, err := s.ListDeliveries(context.Background(), webhookID(t, s, plan.Plan.ProjectID), "", workflow.Page{Limit: 10})
				require.NoError(t, err)
				n := 0
				for _, d := range ds {
					if d.Status == workflow.DeliveryDelivered {
						n++
					}
				}
				return n == 2
			}, 60*time.Second, 20*time.Millisecond)
		})
	}
}

func webhookID(t *testing.T, s interface {
	ListWebhooks(context.Context, string, workflow.Page) ([]workflow.Webhook, string, error)
}, projectID string) string {
	ws, _, err := s.ListWebhooks(context.Background(), projectID, workflow.Page{Limit: 10})
	require.NoError(t, err)
	require.Len(t, ws, 1)
	return ws[0].ID
}
