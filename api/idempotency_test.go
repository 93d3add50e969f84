package api_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

// Finding 2 of issue 15: the idempotency table never holds a token, a
// replay does not show it again, and keys expire after 24 hours.
func TestIdempotencyKeepsNoSecretAndExpires(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		db := e.store.DB()
		var me struct {
			ID string `json:"id"`
		}
		e.do(req{Method: "GET", Path: "/api/v1/me", Token: e.admin}).json(t, &me)
		// A record from two days ago, of another key: the next claim
		// sweeps it away.
		old := time.Now().UTC().Add(-48 * time.Hour)
		_, err := db.ExecContext(t.Context(), `INSERT INTO idempotency_keys (user_id, key, request_hash, status, headers, body, created_at)
			VALUES ($1, 'ancient', 'x', 201, '{}', $2, $3)`, me.ID, []byte(`{"token":"old-secret"}`), old)
		require.NoError(t, err)

		h := map[string]string{"Idempotency-Key": "new-user-1"}
		body := map[string]any{"email": "idem@example.org", "name": "Idem"}
		first := e.do(req{Method: "POST", Path: "/api/v1/users", Token: e.admin, Body: body, Headers: h})
		require.Equal(t, 201, first.Status, "%s", first.Body)
		var created struct {
			Token string `json:"token"`
		}
		first.json(t, &created)
		require.NotEmpty(t, created.Token)

		var n int
		require.NoError(t, db.QueryRowContext(t.Context(), "SELECT count(*) FROM idempotency_keys WHERE key = 'ancient'").Scan(&n))
		require.Zero(t, n, "an expired record is deleted")

		var stored []byte
		require.NoError(t, db.QueryRowContext(t.Context(), "SELECT body FROM idempotency_keys WHERE key = 'new-user-1'").Scan(&stored))
		require.NotContains(t, string(stored), created.Token, "the idempotency table holds the token")
		require.NotContains(t, string(stored), `"token"`)

		again := e.do(req{Method: "POST", Path: "/api/v1/users", Token: e.admin, Body: body, Headers: h})
		require.Equal(t, 201, again.Status, "%s", again.Body)
		require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
		require.NotContains(t, string(again.Body), created.Token, "the replay shows the token again")
		var replayed map[string]any
		again.json(t, &replayed)
		require.NotContains(t, replayed, "token")
		require.Equal(t, "idem@example.org", replayed["email"])

		// 24 hours on, the key is forgotten: the same request is fresh.
		pbody := map[string]any{"acronym": "EXPIRE", "title": "Once a day"}
		ph := map[string]string{"Idempotency-Key": "project-1"}
		require.Equal(t, 201, e.do(req{Method: "POST", Path: "/api/v1/projects", Token: e.admin, Body: pbody, Headers: ph}).Status)
		_, err = db.ExecContext(t.Context(), "UPDATE idempotency_keys SET created_at = $1 WHERE key = 'project-1'",
			time.Now().UTC().Add(-workflow.IdempotencyTTL-time.Minute))
		require.NoError(t, err)
		fresh := e.do(req{Method: "POST", Path: "/api/v1/projects", Token: e.admin, Body: pbody, Headers: ph})
		require.Empty(t, fresh.Header.Get("Idempotent-Replayed"), "a replay after 24 hours")
		require.Equal(t, 409, fresh.Status, "the request ran again and met the project it made the first time: %s", fresh.Body)
		require.Equal(t, 1, e.count("/api/v1/projects"))
	})
}
