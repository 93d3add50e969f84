package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/notify"
)

// TestWebhooksEndToEnd: `craftscode serve` delivers signed transition and
// document.ready events, and after a restart still signs with the same
// secret, opened under the key file it made.
func TestWebhooksEndToEnd(t *testing.T) {
	t.Parallel()
	type hit struct {
		event, sig string
		body       []byte
	}
	var mu sync.Mutex
	var hits []hit
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		hits = append(hits, hit{r.Header.Get(notify.HeaderEvent), r.Header.Get(notify.HeaderSignature), b})
		mu.Unlock()
	}))
	defer rc.Close()
	count := func(event string) int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, h := range hits {
			if h.event == event {
				n++
			}
		}
		return n
	}

	admin := "admin-token-for-the-webhook-test-0123"
	env := map[string]string{"CRAFTSCODE_DATA_DIR": t.TempDir(), "CRAFTSCODE_ADMIN_TOKEN": admin,
		"CRAFTSCODE_WEBHOOK_ALLOW_PRIVATE": "true"} // the receiver is on this host
	s := serve(t, env)
	ids := seedPlans(t, s.url, admin, 2)
	var plan struct {
		ProjectID string `json:"project_id"`
	}
	require.Equal(t, 200, call(t, "GET", s.url+"/api/v1/action-plans/"+ids[0], admin, nil, 0, &plan))
	var hook struct{ ID, Secret string }
	require.Equal(t, 201, call(t, "POST", s.url+"/api/v1/projects/"+plan.ProjectID+"/webhooks", admin,
		map[string]any{"url": rc.URL, "events": []string{"transition", "document.ready"}}, 0, &hook))

	require.Equal(t, 200, call(t, "POST", s.url+"/api/v1/action-plans/"+ids[0]+"/transitions", admin, map[string]any{"trigger": "submit"}, 1, nil))
	// approve needs the consultation closed; closing is not a subscribed event.
	require.Equal(t, 200, call(t, "POST", s.url+"/api/v1/action-plans/"+ids[0]+"/consultation/close", admin, nil, 0, nil))
	require.Equal(t, 200, call(t, "POST", s.url+"/api/v1/action-plans/"+ids[0]+"/transitions", admin, map[string]any{"trigger": "approve"}, 2, nil))
	// approve assembles the approved PDF and DOCX: two document.ready.
	require.Eventually(t, func() bool { return count("transition") == 2 && count("document.ready") == 2 }, 90*time.Second, 50*time.Millisecond)

	// The log, through the API: every delivery went out on its first try.
	var log struct {
		Items []struct {
			EventType      string `json:"event_type"`
			Status         string
			Attempts       int
			LastStatusCode int `json:"last_status_code"`
		}
	}
	// (The receiver answers before the worker records it: wait for that.)
	require.Eventually(t, func() bool {
		require.Equal(t, 200, call(t, "GET", s.url+"/api/v1/webhooks/"+hook.ID+"/deliveries", admin, nil, 0, &log))
		require.Len(t, log.Items, 4)
		for _, d := range log.Items {
			if d.Status != "delivered" {
				return false
			}
		}
		return true
	}, 30*time.Second, 50*time.Millisecond)
	for _, d := range log.Items {
		require.Equal(t, "delivered", d.Status, d.EventType)
		require.Equal(t, 1, d.Attempts)
		require.Equal(t, 200, d.LastStatusCode)
	}

	fi, err := os.Stat(filepath.Join(env["CRAFTSCODE_DATA_DIR"], notify.KeyFileName))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	stopServer(t, s)

	s = serve(t, env)
	require.Equal(t, 200, call(t, "POST", s.url+"/api/v1/action-plans/"+ids[1]+"/transitions", admin, map[string]any{"trigger": "submit"}, 1, nil))
	require.Eventually(t, func() bool { return count("transition") == 3 }, 60*time.Second, 50*time.Millisecond)
	stopServer(t, s)

	mu.Lock()
	defer mu.Unlock()
	for _, h := range hits {
		require.NoError(t, notify.Verify([]byte(hook.Secret), h.sig, h.body, 0), "%s", h.body)
	}
}
