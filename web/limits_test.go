package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/ratelimit"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/web"
)

// apiComment comments through the JSON API with the person's token.
func (s *site) apiComment(t *testing.T, p person, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("POST", s.url+"/api/v1/action-plans/"+s.planID+"/comments",
		strings.NewReader(fmt.Sprintf(`{"body":%q,"section":"general","stance":"support"}`, body)))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+p.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	return res
}

// TestCommentLimitShared: the API and the pages spend one allowance per
// person (issue 15): two comments through the API use up a burst of two,
// so the page refuses the third, and the other way round.
func TestCommentLimitShared(t *testing.T) {
	s := newSite(t, sqlstore.SQLite, func(c *web.Config) { c.CommentBurst, c.CommentRate = 2, 0.001 })
	plan := "/ui/action-plans/" + s.planID
	for i := range 2 {
		require.Equal(t, http.StatusCreated, s.apiComment(t, s.reader, fmt.Sprintf("api %d", i)).StatusCode)
	}
	reader := s.browser(t)
	reader.signIn(s.reader)
	reader.get(plan)
	res := reader.post(plan+"/comments", url.Values{"section": {"general"}, "stance": {"support"}, "body": {"page"}})
	require.Equal(t, http.StatusTooManyRequests, res.status, "the API's comments spent the page's allowance")

	owner := s.browser(t)
	owner.signIn(s.owner)
	owner.get(plan)
	for i := range 2 {
		res := owner.post(plan+"/comments", url.Values{"section": {"general"}, "stance": {"support"}, "body": {fmt.Sprintf("page %d", i)}})
		require.Equal(t, http.StatusSeeOther, res.status, res.body)
	}
	require.Equal(t, http.StatusTooManyRequests, s.apiComment(t, s.owner, "api").StatusCode, "the page's comments spent the API's allowance")
}

// askLink asks for a sign-in link for email, as the client a trusted
// proxy names in X-Forwarded-For (when xff is not empty).
func askLink(b *browser, email, xff string) int {
	b.t.Helper()
	b.get("/ui/login")
	var header []string
	if xff != "" {
		header = []string{"X-Forwarded-For", xff}
	}
	return b.post("/ui/login/email", url.Values{"email": {email}}, header...).status
}

// TestSignInLinkNoLockOut (issue 15): someone who asks for a person's
// links again and again spends their own allowance; the owner, from
// another client, is kept out at most for the short window per address,
// not for the 15 minutes of the per-client limits.
func TestSignInLinkNoLockOut(t *testing.T) {
	proxies, err := ratelimit.ParseProxies("127.0.0.0/8")
	require.NoError(t, err)
	s := newSite(t, sqlstore.SQLite, func(c *web.Config) {
		c.LinkLimit, c.LinkAddressWindow, c.TrustedProxies = 2, 300*time.Millisecond, proxies
	})
	attacker, owner := s.browser(t), s.browser(t)
	victim := s.reader.user.Email
	for range 2 {
		require.Equal(t, http.StatusOK, askLink(attacker, victim, "203.0.113.9"))
	}
	require.Equal(t, http.StatusTooManyRequests, askLink(attacker, victim, "203.0.113.9"))
	require.Equal(t, 2, s.mails())

	time.Sleep(400 * time.Millisecond) // the window per address is over
	require.Equal(t, http.StatusOK, askLink(owner, victim, "198.51.100.7"), "the owner is not locked out")
	require.Equal(t, 3, s.mails())
	require.Equal(t, http.StatusTooManyRequests, askLink(attacker, victim, "203.0.113.9"), "the attacker's own allowance is still spent")

	// Many clients together get at most LinkLimit mails to one address per short window.
	require.Equal(t, http.StatusOK, askLink(owner, victim, "198.51.100.8"))
	require.Equal(t, http.StatusTooManyRequests, askLink(owner, victim, "198.51.100.9"))
	require.Equal(t, 4, s.mails())
}

// TestSignInClientLimitProxies: without trusted proxies a client cannot
// pick its own key with X-Forwarded-For; behind a trusted proxy each
// client it names has its own allowance.
func TestSignInClientLimitProxies(t *testing.T) {
	direct := newSite(t, sqlstore.SQLite, func(c *web.Config) { c.LinkLimit = 1 }) // 4 per client
	b := direct.browser(t)
	for i := range 4 {
		require.Equal(t, http.StatusOK, askLink(b, fmt.Sprintf("a%d@example.org", i), fmt.Sprintf("198.51.100.%d", i)))
	}
	require.Equal(t, http.StatusTooManyRequests, askLink(b, "a9@example.org", "198.51.100.99"), "a forged header changes nothing")

	proxies, err := ratelimit.ParseProxies("127.0.0.1")
	require.NoError(t, err)
	proxied := newSite(t, sqlstore.SQLite, func(c *web.Config) { c.LinkLimit, c.TrustedProxies = 1, proxies })
	b = proxied.browser(t)
	for i := range 4 {
		require.Equal(t, http.StatusOK, askLink(b, fmt.Sprintf("a%d@example.org", i), "198.51.100.1"))
	}
	require.Equal(t, http.StatusTooManyRequests, askLink(b, "a9@example.org", "198.51.100.1"))
	require.Equal(t, http.StatusOK, askLink(b, "a9@example.org", "198.51.100.2"), "another client behind the proxy")
	require.Equal(t, http.StatusTooManyRequests, askLink(b, "a8@example.org", "198.51.100.2, 198.51.100.1"),
		"a client's own entry on the left does not choose its key")
}
