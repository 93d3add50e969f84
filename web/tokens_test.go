package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

var shownSecret = regexp.MustCompile(`<code id="secret">(cct_[A-Za-z0-9_-]+)</code>`)

// apiStatus calls GET /api/v1/me with a token.
func (s *site) apiStatus(t *testing.T, token string) int {
	t.Helper()
	r, _ := http.NewRequest("GET", s.url+"/api/v1/me", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(r)
	require.NoError(t, err)
	res.Body.Close()
	return res.StatusCode
}

// TestMyTokensPage: a person makes a token on the pages (shown once, on
// the answer), sees it listed with its use and revokes it after a
// confirmation; the API refuses it at once.
func TestMyTokensPage(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, d, nil)
			b := s.browser(t)
			b.signIn(s.owner)
			requireHas(t, b.get("/ui/me").body, `<a href="/ui/me/tokens">My tokens</a>`)
			res := b.get("/ui/me/tokens")
			require.Equal(t, 200, res.status, res.body)
			requireHas(t, res.body, "<h1>My tokens</h1>")
			requireHas(t, res.body, `<option value="30">In 30 days</option>`)
			requireLacks(t, res.body, `value="never"`, "only admins make tokens that never expire")

			// Refused: no name; never expiring for a non-admin.
			res = b.post("/ui/me/tokens", url.Values{"name": {""}, "expires": {"30"}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
			requireHas(t, res.body, `<a href="#f-name">Name</a>: is required`)
			res = b.post("/ui/me/tokens", url.Values{"name": {"Forever script"}, "expires": {"never"}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
			requireHas(t, res.body, "only an administrator may make a token that never expires")
			requireHas(t, res.body, `value="Forever script"`, "what was typed is kept")

			// Made: shown once, on the answer page.
			res = b.post("/ui/me/tokens", url.Values{"name": {"Reporting script"}, "expires": {"30"}})
			require.Equal(t, 200, res.status, res.body)
			require.Equal(t, "no-store", res.header.Get("Cache-Control"))
			requireHas(t, res.body, "it is shown only this once")
			m := shownSecret.FindStringSubmatch(res.body)
			require.NotNil(t, m, res.body)
			secret := m[1]
			require.Equal(t, 200, s.apiStatus(t, secret))
			res = b.get("/ui/me/tokens")
			requireHas(t, res.body, "<h3>Reporting script</h3>")
			requireLacks(t, res.body, secret, "never shown again")
			ts, _, err := s.store.ListTokens(ctx, s.owner.user.ID, workflow.Page{Limit: 10})
			require.NoError(t, err)
			var id string
			for _, tk := range ts {
				if tk.Name == "Reporting script" {
					id = tk.ID
					require.NotNil(t, tk.ExpiresAt)
					require.NotNil(t, tk.LastUsedAt, "the API call was recorded")
				}
			}
			require.NotEmpty(t, id)
			requireHas(t, res.body, `href="/ui/me/tokens/`+id+`/revoke">Revoke Reporting script</a>`)

			// Someone else cannot revoke it.
			ob := s.browser(t)
			ob.signIn(s.reader)
			require.Equal(t, 404, ob.get("/ui/me/tokens/"+id+"/revoke").status)
			require.Equal(t, 404, ob.post("/ui/me/tokens/"+id+"/revoke", url.Values{}).status)

			// Revoked after a confirmation.
			res = b.get("/ui/me/tokens/" + id + "/revoke")
			require.Equal(t, 200, res.status, res.body)
			requireHas(t, res.body, "Revoke the token?")
			res = b.post("/ui/me/tokens/"+id+"/revoke", url.Values{})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Equal(t, "/ui/me/tokens?revoked=1", res.header.Get("Location"))
			requireHas(t, b.get("/ui/me/tokens?revoked=1").body, "The token was revoked.")
			require.Equal(t, 401, s.apiStatus(t, secret), "refused at once")
			require.Equal(t, 200, s.apiStatus(t, s.owner.token))
		})
	}
}

// TestAdminUsersPage: an admin lists users, revokes a user's token and
// deactivates a user, whose page session and token are refused at once;
// others may not see these pages. Signing out ends the session on the
// server.
func TestAdminUsersPage(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, d, nil)
			adminU := workflow.User{Email: "root@example.org", Name: "Ada Admin", Admin: true}
			adminTok, hash := workflow.NewToken()
			require.NoError(t, s.store.CreateUser(ctx, &adminU, hash, "test"))
			admin := person{adminU, adminTok}

			rb := s.browser(t)
			rb.signIn(s.reader)
			require.Equal(t, 403, rb.get("/ui/admin/users").status)
			require.Equal(t, 403, rb.get("/ui/admin/users/"+s.owner.user.ID+"/tokens").status)
			require.Equal(t, 403, rb.post("/ui/admin/users/"+s.owner.user.ID+"/deactivate", url.Values{}).status)
			requireLacks(t, rb.get("/ui/me").body, "/ui/admin/users")

			ab := s.browser(t)
			ab.signIn(admin)
			requireHas(t, ab.get("/ui/me").body, `href="/ui/admin/users"`)
			res := ab.get("/ui/admin/users")
			require.Equal(t, 200, res.status, res.body)
			requireHas(t, res.body, "Niccolò Reader")
			requireHas(t, res.body, `href="/ui/admin/users/`+s.reader.user.ID+`/deactivate"`)
			requireLacks(t, res.body, `href="/ui/admin/users/`+adminU.ID+`/deactivate"`, "not oneself")
			require.Equal(t, http.StatusConflict, ab.get("/ui/admin/users/"+adminU.ID+"/deactivate").status)

			// The owner's token, revoked by the admin.
			require.Equal(t, 200, s.apiStatus(t, s.owner.token))
			ts, _, err := s.store.ListTokens(ctx, s.owner.user.ID, workflow.Page{Limit: 10})
			require.NoError(t, err)
			res = ab.get("/ui/admin/users/" + s.owner.user.ID + "/tokens")
			require.Equal(t, 200, res.status, res.body)
			requireHas(t, res.body, "Tokens of Giulia Owner")
			res = ab.get("/ui/admin/users/" + s.owner.user.ID + "/tokens/" + ts[0].ID + "/revoke")
			require.Equal(t, 200, res.status, res.body)
			requireHas(t, res.body, "of Giulia Owner stops working")
			res = ab.post("/ui/admin/users/"+s.owner.user.ID+"/tokens/"+ts[0].ID+"/revoke", url.Values{})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Equal(t, 401, s.apiStatus(t, s.owner.token), "the API's cache forgot it")

			// The reader, deactivated: their session and token end at once.
			require.Equal(t, 200, s.apiStatus(t, s.reader.token))
			require.Equal(t, 200, rb.get("/ui/me").status)
			res = ab.get("/ui/admin/users/" + s.reader.user.ID + "/deactivate")
			require.Equal(t, 200, res.status, res.body)
			requireHas(t, res.body, "reader@example.org")
			res = ab.post("/ui/admin/users/"+s.reader.user.ID+"/deactivate", url.Values{})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			res = rb.get("/ui/me")
			require.Equal(t, http.StatusSeeOther, res.status, "signed out")
			require.True(t, strings.HasPrefix(res.header.Get("Location"), "/ui/login"))
			require.Equal(t, 401, s.apiStatus(t, s.reader.token))
			res = ab.get("/ui/admin/users?deactivated=1")
			requireHas(t, res.body, "The account was deactivated.")
			requireHas(t, res.body, "Deactivated")
			// No sign-in link either.
			before := s.mails()
			lb := s.browser(t)
			lb.get("/ui/login")
			lb.post("/ui/login/email", url.Values{"email": {"reader@example.org"}})
			require.Equal(t, before, s.mails(), "no link for a deactivated account")

			// Signing out ends the session on the server.
			ck := ab.c.Jar.Cookies(mustURL(t, s.url+"/ui/"))
			var sess string
			for _, c := range ck {
				if c.Name == "craftscode_session" {
					sess = c.Value
				}
			}
			require.NotEmpty(t, sess)
			_, _, err = s.store.SessionPrincipal(ctx, workflow.HashToken(sess))
			require.NoError(t, err)
			ab.get("/ui/me")
			require.Equal(t, http.StatusSeeOther, ab.post("/ui/logout", url.Values{}).status)
			_, _, err = s.store.SessionPrincipal(ctx, workflow.HashToken(sess))
			require.Equal(t, workflow.CodeNotFound, workflow.ErrorCode(err), "the session is gone from the store")
		})
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}
