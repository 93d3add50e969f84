package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/api"
	"github.com/craftscode/craftscode/notify"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/web"
	"github.com/craftscode/craftscode/workflow"
)

type tokenList struct {
	Items []workflow.Token `json:"items"`
}

// TestPersonalTokens: a person makes a token (shown once, with the default
// expiry), lists it with its last use and revokes it; only an admin makes
// one that never expires.
func TestPersonalTokens(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("TOK")
		partner := c.tokens["partner"]
		res := e.do(req{Method: "POST", Path: "/api/v1/me/tokens", Token: partner, Body: map[string]any{"name": "Laptop"}})
		require.Equal(t, 201, res.Status, "%s", res.Body)
		require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
		var made struct {
			workflow.Token
			Secret string `json:"token"`
		}
		res.json(t, &made)
		require.True(t, strings.HasPrefix(made.Secret, "cct_"))
		require.NotNil(t, made.ExpiresAt)
		require.WithinDuration(t, time.Now().Add(workflow.DefaultTokenTTL), *made.ExpiresAt, time.Minute)

		// It works, and its use is recorded.
		require.Equal(t, 200, e.do(req{Method: "GET", Path: "/api/v1/me", Token: made.Secret}).Status)
		var mine tokenList
		res = e.do(req{Method: "GET", Path: "/api/v1/me/tokens", Token: partner})
		require.Equal(t, 200, res.Status)
		require.NotContains(t, string(res.Body), made.Secret)
		res.json(t, &mine)
		require.Len(t, mine.Items, 2) // the consortium's and this one
		for _, tk := range mine.Items {
			if tk.ID == made.ID {
				require.Equal(t, "Laptop", tk.Name)
				require.NotNil(t, tk.LastUsedAt)
			}
		}

		// An expiry of one's own; none only for an admin; bad ones refused.
		in := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
		res = e.do(req{Method: "POST", Path: "/api/v1/me/tokens", Token: partner, Body: map[string]any{"name": "CI", "expires_at": in}})
		require.Equal(t, 201, res.Status, "%s", res.Body)
		var ci workflow.Token
		res.json(t, &ci)
		require.True(t, in.Equal(*ci.ExpiresAt))
		for _, body := range []map[string]any{
			{"name": "Forever", "no_expiry": true},
			{"name": "Past", "expires_at": time.Now().Add(-time.Hour)},
			{"name": "", "expires_at": in},
			{"name": "Both", "expires_at": in, "no_expiry": true},
		} {
			res = e.do(req{Method: "POST", Path: "/api/v1/me/tokens", Token: partner, Body: body})
			require.Equal(t, 422, res.Status, "%v: %s", body, res.Body)
		}
		res = e.do(req{Method: "POST", Path: "/api/v1/me/tokens", Token: e.admin, Body: map[string]any{"name": "Server", "no_expiry": true}})
		require.Equal(t, 201, res.Status, "%s", res.Body)
		var forever workflow.Token
		res.json(t, &forever)
		require.Nil(t, forever.ExpiresAt)

		// A replay leaves the secret out.
		key := map[string]string{"Idempotency-Key": "tok-1"}
		first := e.do(req{Method: "POST", Path: "/api/v1/me/tokens", Token: partner, Body: map[string]any{"name": "Once"}, Headers: key})
		require.Equal(t, 201, first.Status)
		again := e.do(req{Method: "POST", Path: "/api/v1/me/tokens", Token: partner, Body: map[string]any{"name": "Once"}, Headers: key})
		require.Equal(t, 201, again.Status)
		require.Contains(t, string(first.Body), `"token"`)
		require.NotContains(t, string(again.Body), `"token"`)

		// Another person's token is not theirs to revoke.
		res = e.do(req{Method: "DELETE", Path: "/api/v1/me/tokens/" + made.ID, Token: c.tokens["coordinator"]})
		require.Equal(t, 404, res.Status)
		res = e.do(req{Method: "DELETE", Path: "/api/v1/me/tokens/not-an-id", Token: partner})
		require.Equal(t, 400, res.Status)
	})
}

// TestRevocationIsImmediate: a revoked token, an expired token and a
// deactivated user are refused (401) at once on the API, although the
// server keeps callers in a cache, and on the pages.
func TestRevocationIsImmediate(t *testing.T) {
	forEachBackendWithPages(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		c := e.consortium("REV")

		// A revoked token: used (so cached), revoked, refused.
		var made struct {
			workflow.Token
			Secret string `json:"token"`
		}
		e.create("/api/v1/me/tokens", c.tokens["partner"], map[string]any{"name": "Laptop"}, &made)
		require.Equal(t, 200, e.do(req{Method: "GET", Path: "/api/v1/me", Token: made.Secret}).Status)
		require.Equal(t, 204, e.do(req{Method: "DELETE", Path: "/api/v1/me/tokens/" + made.ID, Token: c.tokens["partner"]}).Status)
		res := e.do(req{Method: "GET", Path: "/api/v1/me", Token: made.Secret})
		require.Equal(t, 401, res.Status, "a revoked token, at once")
		require.Equal(t, 200, e.do(req{Method: "GET", Path: "/api/v1/me", Token: c.tokens["partner"]}).Status, "the person's other token works")
		require.Equal(t, 401, pageSignIn(t, e, made.Secret), "a revoked token on the pages")

		// An admin revokes someone's token.
		var other struct {
			workflow.Token
			Secret string `json:"token"`
		}
		e.create("/api/v1/me/tokens", c.tokens["observer"], map[string]any{"name": "Tablet"}, &other)
		require.Equal(t, 200, e.do(req{Method: "GET", Path: "/api/v1/me", Token: other.Secret}).Status)
		me := e.me(c.tokens["observer"])
		require.Equal(t, 404, e.do(req{Method: "DELETE", Path: "/api/v1/users/" + e.me(c.tokens["partner"]) + "/tokens/" + other.ID, Token: e.admin}).Status)
		require.Equal(t, 204, e.do(req{Method: "DELETE", Path: "/api/v1/users/" + me + "/tokens/" + other.ID, Token: e.admin}).Status)
		require.Equal(t, 401, e.do(req{Method: "GET", Path: "/api/v1/me", Token: other.Secret}).Status)

		// An expired token.
		secret, hash := workflow.NewToken()
		past := time.Now().Add(-time.Minute)
		require.NoError(t, e.store.CreateToken(ctx, &workflow.Token{UserID: me, Name: "Old", ExpiresAt: &past}, hash))
		require.Equal(t, 401, e.do(req{Method: "GET", Path: "/api/v1/me", Token: secret}).Status, "an expired token")
		require.Equal(t, 401, pageSignIn(t, e, secret), "an expired token on the pages")

		// A deactivated user: their token (cached) and their page session.
		stake := c.tokens["stakeholder"]
		uid := e.me(stake)
		session := "a-session-id-of-the-stakeholder-0123456789"
		require.NoError(t, e.store.CreateSession(ctx, uid, workflow.HashToken(session), time.Now().Add(time.Hour)))
		require.Equal(t, 200, pageStatus(t, e, session, "/ui/me"))
		require.Equal(t, 409, e.do(req{Method: "POST", Path: "/api/v1/users/" + e.me(e.admin) + "/deactivate", Token: e.admin}).Status, "not oneself")
		res = e.do(req{Method: "POST", Path: "/api/v1/users/" + uid + "/deactivate", Token: e.admin})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		var u workflow.User
		res.json(t, &u)
		require.NotNil(t, u.DeactivatedAt)
		require.Equal(t, 401, e.do(req{Method: "GET", Path: "/api/v1/me", Token: stake}).Status, "a deactivated user's token, at once")
		require.Equal(t, http.StatusSeeOther, pageStatus(t, e, session, "/ui/me"), "signed out of the pages")
		require.Equal(t, 401, pageSignIn(t, e, stake), "nor can they sign in again")
		// Listed as deactivated; their tokens stay listed for the admin.
		var ts tokenList
		e.do(req{Method: "GET", Path: "/api/v1/users/" + uid + "/tokens", Token: e.admin}).json(t, &ts)
		require.Len(t, ts.Items, 1)
		require.Equal(t, 404, e.do(req{Method: "GET", Path: "/api/v1/users/" + workflow.NewID() + "/tokens", Token: e.admin}).Status)
	})
}

// forEachBackendWithPages is forEachBackend with the pages served too.
func forEachBackendWithPages(t *testing.T, fn func(t *testing.T, e *testEnv)) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, setupWith(t, d, func(cfg *api.Config) {
				h, err := web.New(web.Config{Store: cfg.Store, Mailer: notify.LogMailer{Log: slog.New(slog.DiscardHandler)}, PublicURL: "http://localhost"})
				require.NoError(t, err)
				cfg.UI = h
			}))
		})
	}
}

func (e *testEnv) me(token string) string {
	var m workflow.User
	res := e.do(req{Method: "GET", Path: "/api/v1/me", Token: token})
	require.Equal(e.t, 200, res.Status, "%s", res.Body)
	res.json(e.t, &m)
	return m.ID
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// pageSignIn signs in on the pages with a token and answers the status.
func pageSignIn(t *testing.T, e *testEnv, token string) int {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := cl.Get(e.url + "/ui/login")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfInput.FindSubmatch(body)
	require.NotNil(t, m, "%s", body)
	res, err = cl.PostForm(e.url+"/ui/login/token", url.Values{"csrf": {string(m[1])}, "token": {token}})
	require.NoError(t, err)
	res.Body.Close()
	return res.StatusCode
}

// pageStatus asks for a page in a session.
func pageStatus(t *testing.T, e *testEnv, session, path string) int {
	t.Helper()
	r, _ := http.NewRequest("GET", e.url+path, nil)
	r.AddCookie(&http.Cookie{Name: "craftscode_session", Value: session})
	cl := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := cl.Do(r)
	require.NoError(t, err)
	res.Body.Close()
	return res.StatusCode
}
