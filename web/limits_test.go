package web_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/api"
	"github.com/craftscode/craftscode/ratelimit"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/web"
	"github.com/craftscode/craftscode/workflow"
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

// TestStalledPageUploadIs408 (issue 15, #12): an image upload through the
// pages whose browser stops sending is answered 408 with a page that says
// so, not 500, and leaves no image.
func TestStalledPageUploadIs408(t *testing.T) {
	start, end := workflow.MustDate("2019-01-01"), workflow.MustDate("2019-12-31")
	s := buildSite(t, sqlstore.SQLite, nil, []workflow.PlanAction{{Number: 1, Title: "Craft hubs", Description: "Open two hubs",
		Players: "Chamber of commerce", TimeframeStart: &start, TimeframeEnd: &end}},
		func(c *api.Config) { c.UploadStall = 500 * time.Millisecond })
	plan, err := s.store.Deliverable(ctx, workflow.KindActionPlan, s.planID)
	require.NoError(t, err)
	gp := workflow.Deliverable{Kind: workflow.KindGoodPractice, Practice: &workflow.GoodPractice{
		ProjectID: plan.Plan.ProjectID, PartnerID: plan.Plan.PartnerID, Title: "Botteghe aperte"}}
	require.NoError(t, s.store.CreateDeliverable(ctx, &gp))
	b := s.browser(t)
	b.signIn(s.owner)
	require.Equal(t, http.StatusOK, b.get("/ui/good-practices/"+gp.Practice.ID+"/edit").status)

	// The browser sends the form's fields and the start of the file, then nothing.
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	require.NoError(t, w.WriteField("csrf", b.csrf))
	require.NoError(t, w.WriteField("caption", "Una bottega"))
	fw, err := w.CreateFormFile("image", "bottega.png")
	require.NoError(t, err)
	_, err = fw.Write(append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 2000)...))
	require.NoError(t, err)
	u, err := url.Parse(s.url)
	require.NoError(t, err)
	var cookies []string
	uiURL, err := url.Parse(s.url + "/ui/good-practices/")
	require.NoError(t, err)
	for _, c := range b.c.Jar.Cookies(uiURL) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST /ui/good-practices/%s/images HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		gp.Practice.ID, u.Host, strings.Join(cookies, "; "), w.FormDataContentType(), body.Len()+100000)
	require.NoError(t, err)
	_, err = conn.Write(body.Bytes())
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(20*time.Second)))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	page, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusRequestTimeout, res.StatusCode, "%s", page)
	require.Contains(t, string(page), "The upload stopped")
	got, err := s.store.Deliverable(ctx, workflow.KindGoodPractice, gp.Practice.ID)
	require.NoError(t, err)
	require.Empty(t, got.Practice.Images)

	// Stalled before the form's fields arrived: the same 408, not "form expired".
	conn2, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	defer conn2.Close()
	_, err = fmt.Fprintf(conn2, "POST /ui/good-practices/%s/images HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		gp.Practice.ID, u.Host, strings.Join(cookies, "; "), w.FormDataContentType(), body.Len())
	require.NoError(t, err)
	_, err = conn2.Write(body.Bytes()[:40]) // into the csrf field
	require.NoError(t, err)
	require.NoError(t, conn2.SetReadDeadline(time.Now().Add(20*time.Second)))
	res, err = http.ReadResponse(bufio.NewReader(conn2), nil)
	require.NoError(t, err)
	page, err = io.ReadAll(res.Body)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusRequestTimeout, res.StatusCode, "%s", page)
	require.Contains(t, string(page), "The upload stopped")
}
