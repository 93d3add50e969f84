package main

import (
	"encoding/json"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestConfigTokenTTL(t *testing.T) {
	c, err := loadConfig(envOf(nil))
	require.NoError(t, err)
	require.Equal(t, 90*24*time.Hour, c.TokenTTL, "tokens last 90 days unless configured")
	for v, want := range map[string]time.Duration{"30d": 30 * 24 * time.Hour, "720h": 720 * time.Hour, "1h": time.Hour} {
		c, err = loadConfig(envOf(map[string]string{"CRAFTSCODE_TOKEN_TTL": v}))
		require.NoError(t, err, v)
		require.Equal(t, want, c.TokenTTL, v)
	}
	for _, v := range []string{"soon", "0", "10m", "-5d", "3650d", "d"} {
		_, err = loadConfig(envOf(map[string]string{"CRAFTSCODE_TOKEN_TTL": v}))
		require.ErrorContains(t, err, "CRAFTSCODE_TOKEN_TTL", v)
	}
}

// TestTokenRevokeAndUserDeactivate: the command line revokes a token and
// deactivates a user while the service runs; the service refuses them
// within its cache time (another process made the change).
func TestTokenRevokeAndUserDeactivate(t *testing.T) {
	t.Parallel()
	env := map[string]string{"CRAFTSCODE_DATA_DIR": t.TempDir(), "CRAFTSCODE_TOKEN_TTL": "7d"}
	var a, b struct{ ID, Email, Token string }
	require.NoError(t, json.Unmarshal(runCLI(t, env, "user", "create", "--email", "anna@example.org", "--name", "Anna"), &a))
	require.NoError(t, json.Unmarshal(runCLI(t, env, "user", "create", "--email", "bela@example.org", "--name", "Béla"), &b))
	s := serve(t, env)
	defer stopServer(t, s)
	var mine struct {
		Items []struct {
			ID        string
			ExpiresAt *time.Time `json:"expires_at"`
		}
	}
	require.Equal(t, 200, get(t, s.url+"/api/v1/me/tokens", a.Token, &mine))
	require.Len(t, mine.Items, 1)
	require.NotNil(t, mine.Items[0].ExpiresAt)
	require.WithinDuration(t, time.Now().Add(7*24*time.Hour), *mine.Items[0].ExpiresAt, time.Hour, "CRAFTSCODE_TOKEN_TTL")

	var revoked struct{ Revoked struct{ ID string } }
	require.NoError(t, json.Unmarshal(runCLI(t, env, "token", "revoke", mine.Items[0].ID), &revoked))
	require.Equal(t, mine.Items[0].ID, revoked.Revoked.ID)
	refusedWithin(t, s.url, a.Token, 3*time.Second)

	require.Equal(t, 200, get(t, s.url+"/api/v1/me", b.Token, nil))
	var u struct {
		ID            string
		DeactivatedAt *time.Time `json:"deactivated_at"`
	}
	require.NoError(t, json.Unmarshal(runCLI(t, env, "user", "deactivate", "Bela@Example.org"), &u))
	require.Equal(t, b.ID, u.ID)
	require.NotNil(t, u.DeactivatedAt)
	refusedWithin(t, s.url, b.Token, 3*time.Second)

	for _, args := range [][]string{{"token", "revoke", mine.Items[0].ID}, {"user", "deactivate", "nobody@example.org"}, {"token", "revoke"}, {"user", "deactivate"}} {
		cmd := exec.Command(binary(t), args...)
		cmd.Env = environ(env)
		out, err := cmd.CombinedOutput()
		require.Error(t, err, "%v: %s", args, out)
	}
}

// refusedWithin waits for the service to answer 401 to the token.
func refusedWithin(t *testing.T, base, token string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for get(t, base+"/api/v1/me", token, nil) != 401 {
		require.True(t, time.Now().Before(deadline), "still accepted after %s", limit)
		time.Sleep(100 * time.Millisecond)
	}
}

// TestRevocationTwoServersOnePostgres: two processes on one PostgreSQL. A
// token revoked through one is refused by it at once and by the other
// within the documented cache time (2 seconds); so is a deactivated user.
func TestRevocationTwoServersOnePostgres(t *testing.T) {
	t.Parallel()
	env, _ := postgresEnv(t)
	a := serve(t, copyEnv(env))
	b := serve(t, copyEnv(env))
	defer stopServer(t, a)
	defer stopServer(t, b)
	admin := env["CRAFTSCODE_ADMIN_TOKEN"]
	var u struct{ ID, Token string }
	require.Equal(t, 201, call(t, "POST", a.url+"/api/v1/users", admin, map[string]any{"email": "two@example.org", "name": "Két Folyamat"}, 0, &u))
	var tok struct{ ID, Token string }
	require.Equal(t, 201, call(t, "POST", a.url+"/api/v1/me/tokens", u.Token, map[string]any{"name": "Laptop"}, 0, &tok))
	for _, s := range []*served{a, b} { // both keep the caller
		require.Equal(t, 200, get(t, s.url+"/api/v1/me", tok.Token, nil))
		require.Equal(t, 200, get(t, s.url+"/api/v1/me", u.Token, nil))
	}

	require.Equal(t, 204, call(t, "DELETE", a.url+"/api/v1/me/tokens/"+tok.ID, u.Token, nil, 0, nil))
	require.Equal(t, 401, get(t, a.url+"/api/v1/me", tok.Token, nil), "at once where it was revoked")
	refusedWithin(t, b.url, tok.Token, 3*time.Second)

	require.Equal(t, 200, call(t, "POST", b.url+"/api/v1/users/"+u.ID+"/deactivate", admin, nil, 0, nil))
	require.Equal(t, 401, get(t, b.url+"/api/v1/me", u.Token, nil), "at once where it was deactivated")
	refusedWithin(t, a.url, u.Token, 3*time.Second)
}
