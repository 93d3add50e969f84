package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/api"
	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/notify"
	"github.com/craftscode/craftscode/ratelimit"
	"github.com/craftscode/craftscode/storage/blobstore"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/web"
	"github.com/craftscode/craftscode/workflow"
)

var ctx = context.Background()

// logBuffer keeps the server's JSON log, where LogMailer writes the mail.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type person struct {
	user  workflow.User
	token string
}

// site is the real stack: a migrated store, the API server with the pages
// mounted, over HTTP; a consortium with two stakeholder groups and a plan
// of the first group's instrument under consultation.
type site struct {
	store                   *sqlstore.Store
	ui                      *web.Handler
	blobs                   documents.BlobStore
	url                     string
	log                     *logBuffer
	owner, reader, outsider person
	planID                  string
}

func newSite(t *testing.T, d sqlstore.Dialect, tune func(*web.Config)) *site {
	t.Helper()
	start, end := workflow.MustDate("2019-01-01"), workflow.MustDate("2019-12-31")
	return buildSite(t, d, tune, []workflow.PlanAction{{Number: 1, Title: "Craft hubs", Description: "Open two hubs",
		Players: "Chamber of commerce", TimeframeStart: &start, TimeframeEnd: &end}})
}

// buildSite is newSite with the plan's actions given: each action adds
// sections to the revision.
func buildSite(t testing.TB, d sqlstore.Dialect, tune func(*web.Config), actions []workflow.PlanAction, apiTune ...func(*api.Config)) *site {
	t.Helper()
	s := &site{store: sqlstoretest.New(t, d), log: &logBuffer{}}
	blobs, err := blobstore.NewFS(t.TempDir())
	require.NoError(t, err)
	log := slog.New(slog.NewJSONHandler(s.log, nil))
	cfg := web.Config{Store: s.store, Blobs: blobs, Mailer: notify.LogMailer{Log: log}, Logger: log, PublicURL: "http://pages.example"}
	if tune != nil {
		tune(&cfg)
	}
	s.blobs = cfg.Blobs      // a tune may put them on S3, for the API too
	if cfg.Comments == nil { // one limiter for the pages and the API, as cmd wires them
		cfg.Comments = ratelimit.New(cfg.CommentRate, cfg.CommentBurst)
	}
	ui, err := web.New(cfg)
	require.NoError(t, err)
	s.ui = ui
	t.Cleanup(ui.Wait) // before the store closes
	acfg := api.Config{Store: s.store, Blobs: cfg.Blobs, Logger: log, Registry: prometheus.NewRegistry(), UI: ui,
		Comments: cfg.Comments}
	for _, tune := range apiTune {
		tune(&acfg)
	}
	srv, err := api.New(acfg)
	require.NoError(t, err)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	s.url = hs.URL

	project := workflow.Project{Acronym: "WEB", Title: "Pages"}
	require.NoError(t, s.store.CreateProject(ctx, &project))
	var groups []workflow.StakeholderGroup
	var partner workflow.Partner
	var instrument workflow.PolicyInstrument
	for i, name := range []string{"Firenze", "Gabrovo"} {
		p := workflow.Partner{ProjectID: project.ID, Name: name, Country: "IT", Role: workflow.PartnerPartner}
		require.NoError(t, s.store.CreatePartner(ctx, &p))
		pi := workflow.PolicyInstrument{ProjectID: project.ID, Name: "Instrument " + name, Type: workflow.InstrumentOther, PartnerIDs: []string{p.ID}}
		require.NoError(t, s.store.CreatePolicyInstrument(ctx, &pi))
		g := workflow.StakeholderGroup{ProjectID: project.ID, Name: "Group " + name, PolicyInstrumentID: pi.ID}
		require.NoError(t, s.store.CreateStakeholderGroup(ctx, &g))
		groups = append(groups, g)
		if i == 0 {
			partner, instrument = p, pi
		}
	}
	mk := func(email, name string, m workflow.Membership) person {
		u := workflow.User{Email: email, Name: name}
		token, hash := workflow.NewToken()
		require.NoError(t, s.store.CreateUser(ctx, &u, hash, "test"))
		m.ProjectID, m.UserID = project.ID, u.ID
		require.NoError(t, s.store.CreateMembership(ctx, &m))
		return person{u, token}
	}
	s.owner = mk("owner@example.org", "Giulia Owner", workflow.Membership{Role: workflow.RolePartner, PartnerID: partner.ID})
	s.reader = mk("reader@example.org", "Niccolò Reader", workflow.Membership{Role: workflow.RoleStakeholder, StakeholderGroupID: groups[0].ID})
	s.outsider = mk("outsider@example.org", "Georgi Outsider", workflow.Membership{Role: workflow.RoleStakeholder, StakeholderGroupID: groups[1].ID})

	plan := workflow.Deliverable{Kind: workflow.KindActionPlan, Plan: &workflow.ActionPlan{ProjectID: project.ID,
		PartnerID: partner.ID, PolicyInstrumentID: instrument.ID, Title: "Piano d'azione artigianato", Language: "en",
		PolicyContext: "Craft SMEs in Florence.", Actions: actions}}
	require.NoError(t, s.store.CreateDeliverable(ctx, &plan))
	s.planID = plan.Plan.ID
	ownerP, err := s.store.Authenticate(ctx, workflow.HashToken(s.owner.token))
	require.NoError(t, err)
	_, _, err = s.store.FireTransition(ctx, workflow.TransitionRequest{Kind: workflow.KindActionPlan, ID: s.planID, Version: 1,
		Trigger: workflow.TriggerSubmit, Principal: ownerP})
	require.NoError(t, err)
	return s
}

// browser is a cookie-keeping client that does not follow redirects, so
// that tests see them.
type browser struct {
	t    testing.TB
	site *site
	c    *http.Client
	csrf string // from the last page that had a form
}

func (s *site) browser(t testing.TB) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &browser{t: t, site: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

type page struct {
	status int
	body   string
	header http.Header
}

func (b *browser) do(r *http.Request) page {
	b.t.Helper()
	res, err := b.c.Do(r)
	require.NoError(b.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(b.t, err)
	if m := csrfInput.FindStringSubmatch(string(body)); m != nil {
		b.csrf = m[1]
	}
	return page{res.StatusCode, string(body), res.Header}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	r, err := http.NewRequest("GET", b.site.url+path, nil)
	require.NoError(b.t, err)
	return b.do(r)
}

// post sends a form; the page's CSRF token goes along unless the form
// names its own.
func (b *browser) post(path string, form url.Values, header ...string) page {
	b.t.Helper()
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	r, err := http.NewRequest("POST", b.site.url+path, strings.NewReader(form.Encode()))
	require.NoError(b.t, err)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	return b.do(r)
}

func (b *browser) signIn(p person) {
	b.t.Helper()
	require.Equal(b.t, 200, b.get("/ui/login").status)
	res := b.post("/ui/login/token", url.Values{"token": {p.token}})
	require.Equal(b.t, http.StatusSeeOther, res.status, res.body)
	require.Equal(b.t, "/ui/", res.header.Get("Location"))
}

func cookie(t *testing.T, h http.Header, name string) *http.Cookie {
	t.Helper()
	for _, line := range h.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		require.NoError(t, err)
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no Set-Cookie %s in %v", name, h.Values("Set-Cookie"))
	return nil
}

// mailedLink finds the sign-in link LogMailer wrote for an address.
func (s *site) mailedLink(t *testing.T, to string) string {
	t.Helper()
	s.ui.Wait()
	link := regexp.MustCompile(`http://pages\.example(/ui/login/[A-Za-z0-9_-]+)`)
	var found string
	for _, line := range strings.Split(s.log.String(), "\n") {
		var rec struct{ Msg, To, Body string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "mail" && rec.To == to {
			m := link.FindStringSubmatch(rec.Body)
			require.NotNil(t, m, "the mail holds a link: %s", rec.Body)
			found = m[1]
		}
	}
	require.NotEmpty(t, found, "no mail to %s in the log", to)
	return found
}

// mails counts the mail sent so far, once the pending ones are out.
func (s *site) mails() int {
	s.ui.Wait()
	return strings.Count(s.log.String(), `"msg":"mail"`)
}

func TestSignIn(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, d, nil)
			b := s.browser(t)

			res := b.get("/ui/login")
			require.Equal(t, 200, res.status)
			require.Contains(t, res.header.Get("Content-Security-Policy"), "default-src 'self'")
			require.Equal(t, "no-referrer", res.header.Get("Referrer-Policy"))
			ck := cookie(t, res.header, "craftscode_csrf")
			require.True(t, ck.HttpOnly)
			require.Equal(t, http.SameSiteLaxMode, ck.SameSite)
			require.False(t, ck.Secure, "plain HTTP")

			// Not signed in: pages send to the sign-in page, keeping the way back.
			res = b.get("/ui/consultations")
			require.Equal(t, http.StatusSeeOther, res.status)
			require.Equal(t, "/ui/login?next=%2Fui%2Fconsultations", res.header.Get("Location"))
			require.Equal(t, http.StatusSeeOther, b.get("/ui/").status)
			res = b.post("/ui/action-plans/"+s.planID+"/comments", url.Values{"body": {"anonymous"}})
			require.Equal(t, http.StatusSeeOther, res.status)
			b.get("/ui/login")

			// Every POST needs the form's token.
			res = b.post("/ui/login/email", url.Values{"email": {s.reader.user.Email}, "csrf": {""}})
			require.Equal(t, http.StatusForbidden, res.status)
			res = b.post("/ui/login/email", url.Values{"email": {s.reader.user.Email}, "csrf": {"x" + b.csrf}})
			require.Equal(t, http.StatusForbidden, res.status)
			require.Equal(t, 0, s.mails())

			// Known and unknown addresses get the same page; only the known one gets mail.
			known := b.post("/ui/login/email", url.Values{"email": {"  Reader@Example.org "}})
			require.Equal(t, 200, known.status)
			unknown := b.post("/ui/login/email", url.Values{"email": {"nobody@example.org"}})
			require.Equal(t, 200, unknown.status)
			require.Equal(t, strings.ReplaceAll(known.body, "reader@example.org", "X"), strings.ReplaceAll(unknown.body, "nobody@example.org", "X"))
			require.Equal(t, 1, s.mails())
			link := s.mailedLink(t, s.reader.user.Email)

			// Opening the link only shows a button: a mail scanner's GET spends nothing.
			require.Equal(t, 200, b.get(link).status)
			require.Equal(t, 200, b.get(link).status)
			res = b.post(link, url.Values{})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Equal(t, "/ui/", res.header.Get("Location"))
			token := strings.TrimPrefix(link, "/ui/login/")
			require.Equal(t, 1, strings.Count(s.log.String(), token), "the access log leaves the token out; only the mail has it")
			require.Contains(t, s.log.String(), `"path":"/ui/login/[redacted]"`)
			sess := cookie(t, res.header, "craftscode_session")
			require.True(t, sess.HttpOnly)
			require.Equal(t, http.SameSiteLaxMode, sess.SameSite)
			require.Equal(t, "/ui", sess.Path)
			require.False(t, sess.Secure)
			require.Greater(t, sess.MaxAge, 3600)
			var stored int
			require.NoError(t, s.store.DB().QueryRowContext(ctx, `SELECT count(*) FROM ui_sessions WHERE hash = $1`, workflow.HashToken(sess.Value)).Scan(&stored))
			require.Equal(t, 1, stored, "the session is kept hashed")
			require.NoError(t, s.store.DB().QueryRowContext(ctx, `SELECT count(*) FROM ui_sessions WHERE hash = $1`, sess.Value).Scan(&stored))
			require.Equal(t, 0, stored, "and only hashed")
			res = b.get("/ui/consultations")
			require.Equal(t, 200, res.status)
			require.Contains(t, res.body, "Niccolò Reader")
			require.Contains(t, res.body, "Piano d&#39;azione artigianato")

			// The link works once, also in another browser.
			other := s.browser(t)
			other.get(link)
			res = other.post(link, url.Values{})
			require.Equal(t, http.StatusBadRequest, res.status, "%s\n%s", res.body, s.log)
			require.Contains(t, res.body, "does not work any more")

			// An expired link does not work either.
			raw := "expired-link-0123456789abcdefghijklmnopqrstu"
			require.NoError(t, s.store.CreateLoginLink(ctx, s.reader.user.ID, workflow.HashToken(raw), time.Now().Add(-time.Minute)))
			other.get("/ui/login/" + raw)
			res = other.post("/ui/login/"+raw, url.Values{})
			require.Equal(t, http.StatusBadRequest, res.status, "%s\n%s", res.body, s.log)

			// Signing out ends the session for good, also for a copied cookie.
			b.get("/ui/consultations")
			res = b.post("/ui/logout", url.Values{})
			require.Equal(t, http.StatusSeeOther, res.status)
			require.Equal(t, -1, cookie(t, res.header, "craftscode_session").MaxAge)
			replay := s.browser(t)
			u, _ := url.Parse(s.url + "/ui/")
			replay.c.Jar.SetCookies(u, []*http.Cookie{{Name: "craftscode_session", Value: sess.Value}})
			require.Equal(t, http.StatusSeeOther, replay.get("/ui/consultations").status)

			// A wrong API token does not sign in; the right one does.
			res = other.post("/ui/login/token", url.Values{"token": {s.owner.token + "x"}})
			require.Equal(t, http.StatusUnauthorized, res.status)
			require.Contains(t, res.body, "not valid")
			other.signIn(s.owner)
			require.Equal(t, 200, other.get("/ui/consultations").status)
		})
	}
}

func TestSecureCookieBehindTLS(t *testing.T) {
	s := newSite(t, sqlstore.SQLite, nil)
	b := s.browser(t)
	b.get("/ui/login")
	res := b.post("/ui/login/token", url.Values{"token": {s.reader.token}}, "X-Forwarded-Proto", "https")
	require.Equal(t, http.StatusSeeOther, res.status)
	require.True(t, cookie(t, res.header, "craftscode_session").Secure)
}

func TestSignInLinkRateLimit(t *testing.T) {
	s := newSite(t, sqlstore.SQLite, func(c *web.Config) { c.LinkLimit = 2 })
	b := s.browser(t)
	b.get("/ui/login")
	for range 2 {
		require.Equal(t, 200, b.post("/ui/login/email", url.Values{"email": {s.reader.user.Email}}).status)
	}
	res := b.post("/ui/login/email", url.Values{"email": {s.reader.user.Email}})
	require.Equal(t, http.StatusTooManyRequests, res.status)
	require.Contains(t, res.body, "Too many")
	require.Equal(t, 2, s.mails())
	// Another address from the same client still passes, up to the client's own cap.
	require.Equal(t, 200, b.post("/ui/login/email", url.Values{"email": {s.owner.user.Email}}).status)
	require.Equal(t, 3, s.mails())
}

func TestConsultationPages(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, d, nil)
			plan := "/ui/action-plans/" + s.planID
			reader := s.browser(t)
			reader.signIn(s.reader)

			res := reader.get(plan)
			require.Equal(t, 200, res.status, res.body)
			require.Contains(t, res.body, `<meta name="viewport"`)
			require.Contains(t, res.body, "Part II – Policy context")
			require.Contains(t, res.body, "Craft SMEs in Florence.")
			require.Contains(t, res.body, `id="sec-part3-action-1-players"`)
			require.Contains(t, res.body, `<p class="body" lang="en">1 January 2019 – 31 December 2019</p>`, "a timeframe's days in words")
			require.Contains(t, res.body, "open until")
			require.NotContains(t, res.body, "/transitions", "a stakeholder fires nothing")
			requireLabels(t, res.body)

			// A comment without the CSRF token is refused and not stored.
			res = reader.post(plan+"/comments", url.Values{"section": {"part2.policy_context"}, "stance": {"concern"}, "body": {"sneaky"}, "csrf": {"forged"}})
			require.Equal(t, http.StatusForbidden, res.status)
			require.NotContains(t, reader.get(plan).body, "sneaky")

			// Markup and template syntax in a comment show as text.
			evil := `<script>alert("x")</script><b>bold</b> {{.CSRF}} {{template "layout"}}`
			res = reader.post(plan+"/comments", url.Values{"section": {"part2.policy_context"}, "stance": {"concern"}, "body": {evil}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Regexp(t, `^/ui/action-plans/`+s.planID+`\?done=comment#c-`, res.header.Get("Location"))
			res = reader.get(plan + "?done=comment")
			require.Contains(t, res.body, "Your comment is posted.")
			require.NotContains(t, res.body, "<script>alert")
			require.NotContains(t, res.body, "<b>bold</b>")
			require.Contains(t, res.body, `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt; {{.CSRF}} {{template &#34;layout&#34;}}`)

			// Bad input gets a readable message, not a stack trace.
			res = reader.post(plan+"/comments", url.Values{"section": {"part2.policy_context"}, "stance": {"concern"}, "body": {"  "}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status)
			require.Contains(t, res.body, "the comment is not valid")
			res = reader.post(plan+"/comments", url.Values{"section": {"part9.nothing"}, "stance": {"concern"}, "body": {"where?"}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status)
			require.Contains(t, res.body, "is not a section")

			// Another group's stakeholder, and unknown ids, get the not-found page.
			outsider := s.browser(t)
			outsider.signIn(s.outsider)
			for _, path := range []string{plan, "/ui/action-plans/" + workflow.NewID(), "/ui/action-plans/not-an-id", "/ui/peer-reviews/" + s.planID, "/ui/nothing-here"} {
				res = outsider.get(path)
				require.Equal(t, http.StatusNotFound, res.status, path)
				require.Contains(t, res.body, "does not exist, or you may not see it", path)
			}
			require.NotContains(t, outsider.get("/ui/consultations").body, "Piano")
			res = outsider.post(plan+"/comments", url.Values{"section": {"general"}, "stance": {"support"}, "body": {"intruding"}})
			require.Equal(t, http.StatusNotFound, res.status)

			// The owner answers; the stakeholder cannot.
			comments, _, err := s.store.Comments(ctx, workflow.KindActionPlan, s.planID, 0, principal(t, s, s.owner), workflow.Page{})
			require.NoError(t, err)
			require.Len(t, comments, 1)
			cid := comments[0].ID
			res = reader.post("/ui/comments/"+cid+"/response", url.Values{"status": {"accepted"}, "body": {"I answer myself"}})
			require.Contains(t, []int{http.StatusForbidden, http.StatusNotFound}, res.status)

			owner := s.browser(t)
			owner.signIn(s.owner)
			// The token is tied to its session: the reader's does not work in the owner's.
			res = owner.post("/ui/comments/"+cid+"/response", url.Values{"status": {"accepted"}, "body": {"x"}, "csrf": {reader.csrf}})
			require.Equal(t, http.StatusForbidden, res.status)
			res = owner.get(plan + "?section=part2.policy_context")
			require.Equal(t, 200, res.status)
			require.Contains(t, res.body, `action="/ui/comments/`+cid+`/response"`)
			res = owner.get(plan)
			require.Equal(t, 200, res.status)
			require.NotContains(t, res.body, `name="csrf" value=""`)
			require.Contains(t, res.body, "/transitions")
			require.Contains(t, res.body, `/transitions/request_changes"`)
			requireLabels(t, res.body)
			res = owner.post("/ui/comments/"+cid+"/response", url.Values{"status": {"partially_accepted"}, "body": {"We <em>will</em> add the context."}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			res = owner.post("/ui/comments/"+cid+"/response", url.Values{"status": {"maybe"}, "body": {"x"}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status)

			res = reader.get(plan + "?section=part2.policy_context")
			require.Contains(t, res.body, `<summary>Reply</summary>`)
			require.NotContains(t, res.body, `name="csrf" value=""`, "every form carries the token")
			require.Contains(t, res.body, "Partially accepted")
			require.Contains(t, res.body, "We &lt;em&gt;will&lt;/em&gt; add the context.")

			// A reply lands in the thread.
			res = reader.post(plan+"/comments", url.Values{"section": {"part2.policy_context"}, "parent_id": {cid}, "stance": {"support"}, "body": {"Thank you"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Contains(t, reader.get(plan).body, "Thank you")

			// A reply needs no stance: the form asks for none, and one sent
			// without shows none.
			page := reader.get(plan + "?section=part2.policy_context").body
			require.NotContains(t, page, `id="reply-stance-`)
			res = reader.post(plan+"/comments", url.Values{"section": {"part2.policy_context"}, "parent_id": {cid}, "body": {"No stance here"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			meta := regexp.MustCompile(`<p class="meta">([^\n]*)</p>\s*<p class="body">No stance here`).FindStringSubmatch(reader.get(plan + "?section=part2.policy_context").body)
			require.NotNil(t, meta)
			require.NotContains(t, meta[1], "stance")

			// A stale version is refused in words; the current one moves the plan.
			res = owner.post(plan+"/transitions", url.Values{"trigger": {"request_changes"}, "version": {"1"}})
			require.Equal(t, http.StatusConflict, res.status)
			require.Contains(t, res.body, "changed this in the meantime")
			version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(owner.get(plan + "/transitions/request_changes").body)
			require.NotNil(t, version)
			res = owner.post(plan+"/transitions", url.Values{"trigger": {"request_changes"}, "version": {version[1]}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Contains(t, owner.get(plan+"?done=transition").body, `<dd id="state">Draft</dd>`)
		})
	}
}

func principal(t *testing.T, s *site, p person) workflow.Principal {
	t.Helper()
	pr, err := s.store.Authenticate(ctx, workflow.HashToken(p.token))
	require.NoError(t, err)
	return pr
}

var (
	fieldID  = regexp.MustCompile(`<(?:input|select|textarea)[^>]*\bid="([^"]+)"`)
	fieldAny = regexp.MustCompile(`<(?:input|select|textarea)\b[^>]*>`)
)

// requireLabels: every visible form field has a <label for> of its own.
func requireLabels(t *testing.T, body string) {
	t.Helper()
	n := 0
	for _, f := range fieldAny.FindAllString(body, -1) {
		if strings.Contains(f, `type="hidden"`) {
			continue
		}
		m := fieldID.FindStringSubmatch(f)
		require.NotNil(t, m, "a field without an id: %s", f)
		require.Contains(t, body, `<label for="`+m[1]+`">`, "no label for %s", f)
		n++
	}
	require.Positive(t, n)
}

func TestCommentRateLimitAndEarlyClose(t *testing.T) {
	s := newSite(t, sqlstore.SQLite, func(c *web.Config) { c.CommentBurst, c.CommentRate = 2, 0.001 })
	plan := "/ui/action-plans/" + s.planID
	reader := s.browser(t)
	reader.signIn(s.reader)
	reader.get(plan)
	for i := range 2 {
		res := reader.post(plan+"/comments", url.Values{"section": {"general"}, "stance": {"support"}, "body": {fmt.Sprintf("fine %d", i)}})
		require.Equal(t, http.StatusSeeOther, res.status, res.body)
	}
	res := reader.post(plan+"/comments", url.Values{"section": {"general"}, "stance": {"support"}, "body": {"one too many"}})
	require.Equal(t, http.StatusTooManyRequests, res.status)
	require.Contains(t, res.body, "commenting very fast")
	require.NotEmpty(t, res.header.Get("Retry-After"))
	require.NotContains(t, res.body, "one too many")

	// Only the owner may close early; then the forms are gone and comments are refused.
	require.NotContains(t, res.body, "/consultation/close")
	res = reader.post(plan+"/consultation/close", url.Values{})
	require.Equal(t, http.StatusForbidden, res.status)
	owner := s.browser(t)
	owner.signIn(s.owner)
	require.Contains(t, owner.get(plan).body, `id="close-consultation"`)
	res = owner.post(plan+"/consultation/close", url.Values{})
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	res = owner.get(plan + "?done=closed")
	require.Contains(t, res.body, "The consultation is closed.")
	require.Contains(t, res.body, `<dd id="consultation">closed on`)
	require.NotContains(t, res.body, `id="close-consultation"`)
	res = owner.post(plan+"/comments", url.Values{"section": {"general"}, "stance": {"support"}, "body": {"late"}})
	require.Equal(t, http.StatusConflict, res.status)
	res = reader.get(plan)
	require.NotContains(t, res.body, "Comment on this section")
	require.Contains(t, res.body, "Comments are not taken any more")
}

// TestDocumentDownload: the owner sees the ready documents and downloads
// one through the session; whoever sees the deliverable may, as in the
// API, and each download is recorded; others get 404.
func TestDocumentDownload(t *testing.T) {
	s := newSite(t, sqlstore.SQLite, nil)
	owner := principal(t, s, s.owner)
	doc, _, err := s.store.RequestDocument(ctx, workflow.DocumentRequest{Kind: workflow.KindActionPlan, DeliverableID: s.planID,
		Format: "md", Template: "action_plan", TemplateVersion: "test", Principal: owner})
	require.NoError(t, err)
	content := []byte("# Piano d'azione\n")
	key := "documents/" + doc.ID + ".md"
	info, err := s.blobs.Put(ctx, key, bytes.NewReader(content), int64(len(content)), documents.PutOptions{ContentType: "text/markdown"})
	require.NoError(t, err)
	require.NoError(t, s.store.SetDocumentObject(ctx, doc.ID, key, info.SHA256, info.Size, "text/markdown; charset=utf-8"))
	require.NoError(t, s.store.FinishDocument(ctx, doc.ID, nil))

	b := s.browser(t)
	b.signIn(s.owner)
	require.Contains(t, b.get("/ui/action-plans/"+s.planID).body, `href="/ui/documents/`+doc.ID+`"`)
	res := b.get("/ui/documents/" + doc.ID)
	require.Equal(t, 200, res.status)
	require.Equal(t, string(content), res.body)
	require.Equal(t, "text/markdown; charset=utf-8", res.header.Get("Content-Type"))
	require.Contains(t, res.header.Get("Content-Disposition"), "attachment")
	// The API's name: a draft says so.
	require.Contains(t, res.header.Get("Content-Disposition"), `filename="Piano d'azione artigianato r1 DRAFT.md"`)
	n, err := s.store.Downloads(ctx, doc.ID)
	require.NoError(t, err)
	require.Equal(t, int64(1), n)

	outsider := s.browser(t)
	outsider.signIn(s.outsider)
	require.Equal(t, http.StatusNotFound, outsider.get("/ui/documents/"+doc.ID).status)
	require.Equal(t, http.StatusNotFound, outsider.get("/ui/documents/"+workflow.NewID()).status)
	anonymous := s.browser(t)
	require.Equal(t, http.StatusSeeOther, anonymous.get("/ui/documents/"+doc.ID).status)
	n, err = s.store.Downloads(ctx, doc.ID)
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
}

// TestSubmitFromThePage: a draft (here a peer review) is the owner's alone until the owner
// submits it from the page; then its group's stakeholders see it.
func TestSubmitFromThePage(t *testing.T) {
	s := newSite(t, sqlstore.SQLite, nil)
	d, err := s.store.Deliverable(ctx, workflow.KindActionPlan, s.planID)
	require.NoError(t, err)
	var peers []string
	for _, c := range []string{"HU", "BG"} {
		p := workflow.Partner{ProjectID: d.Plan.ProjectID, Name: "Peer " + c, Country: c, Role: workflow.PartnerPartner}
		require.NoError(t, s.store.CreatePartner(ctx, &p))
		peers = append(peers, p.ID)
	}
	start, end := workflow.MustDate("2018-05-02"), workflow.MustDate("2018-05-04")
	draft := workflow.Deliverable{Kind: workflow.KindPeerReview, Review: &workflow.PeerReview{ProjectID: d.Plan.ProjectID,
		HostPartnerID: d.Plan.PartnerID, PeerPartnerIDs: peers, PolicyInstrumentID: d.Plan.PolicyInstrumentID, Title: "Peer review in Florence",
		VisitStart: &start, VisitEnd: &end, Findings: "Strong guilds, weak export.",
		Recommendations: []workflow.Recommendation{{Number: 1, Title: "Export desk", Body: "Open one."}}}}
	require.NoError(t, s.store.CreateDeliverable(ctx, &draft))
	path := "/ui/peer-reviews/" + draft.Review.ID

	reader := s.browser(t)
	reader.signIn(s.reader)
	require.Equal(t, http.StatusNotFound, reader.get(path).status, "stakeholders do not see drafts")

	owner := s.browser(t)
	owner.signIn(s.owner)
	res := owner.get(path)
	require.Equal(t, 200, res.status)
	require.Contains(t, res.body, "has not been submitted yet")
	require.Contains(t, res.body, `/transitions/submit"`)
	res = owner.post(path+"/transitions", url.Values{"trigger": {"submit"}, "version": {"1"}})
	require.Equal(t, http.StatusSeeOther, res.status, res.body)

	res = reader.get(path)
	require.Equal(t, 200, res.status)
	require.Contains(t, res.body, "open until")
	require.Contains(t, res.body, "Recommendation 1 – Export desk")
	require.Contains(t, reader.get("/ui/consultations").body, `href="/ui/peer-reviews/`+draft.Review.ID+`"`)
}

// TestSectionPages: the overview shows the most recent threads of each
// section and links to the section's own page, which shows them all; the
// forms send the person back to the page they were on; every page carries
// only its own session's CSRF token and shows a change on the next view.
func TestSectionPages(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, d, func(c *web.Config) { c.CommentBurst = 50 })
			plan := "/ui/action-plans/" + s.planID
			const sec = "part2.policy_context"
			secPage := plan + "?section=" + sec
			reader, owner := s.browser(t), s.browser(t)
			reader.signIn(s.reader)
			owner.signIn(s.owner)
			reader.get(plan)
			for i := range 12 {
				res := reader.post(plan+"/comments", url.Values{"section": {sec}, "stance": {"concern"}, "body": {fmt.Sprintf("Remark %02d", i)}})
				require.Equal(t, http.StatusSeeOther, res.status, res.body)
				require.Regexp(t, `^/ui/action-plans/`+s.planID+`\?done=comment#c-`, res.header.Get("Location"), "from the overview, back to it")
			}

			// The overview: the five most recent threads, a count, a link to the rest.
			res := reader.get(plan)
			require.Equal(t, 200, res.status)
			require.Equal(t, 5, strings.Count(res.body, `<article class="comment`))
			requireLacks(t, res.body, "Remark 00")
			requireLacks(t, res.body, "Remark 06")
			requireHas(t, res.body, "Remark 07")
			requireHas(t, res.body, "Remark 11")
			requireHas(t, res.body, "12 comments in 12 threads; the 5 most recent threads are shown.")
			requireHas(t, res.body, `<a href="`+secPage+`">All 12 comments on this section</a>`)
			requireLacks(t, res.body, `?section=general"`, "no link where there is nothing more to see")
			requireHas(t, res.body, `id="body-general"`, "every section keeps its comment form")
			requireLacks(t, res.body, `name="back"`, "the overview's forms lead back to the overview")

			// The section's page: its text and all its threads, no other section.
			res = reader.get(secPage)
			require.Equal(t, 200, res.status, res.body)
			require.Equal(t, 12, strings.Count(res.body, `<article class="comment`))
			requireHas(t, res.body, "Remark 00")
			requireHas(t, res.body, "Craft SMEs in Florence.")
			require.Equal(t, 1, strings.Count(res.body, `<section class="section"`))
			requireHas(t, res.body, `<a href="`+plan+`#sec-`+strings.ReplaceAll(sec, ".", "-")+`">Back to the whole revision</a>`)
			requireLacks(t, res.body, "All 12 comments")
			require.Equal(t, 13+2*12, strings.Count(res.body, `<input type="hidden" name="back" value="`+sec+`">`),
				"a reply form per thread, the comment form, and the author's edit and delete forms of each")
			requireLabels(t, res.body)

			// Sections the revision lacks, and sections of an unsubmitted draft, are not found.
			for _, path := range []string{plan + "?section=part9.nothing", plan + "?section=", plan + "?section=%3Cscript%3E"} {
				res = reader.get(path)
				require.Equal(t, http.StatusNotFound, res.status, path)
				requireHas(t, res.body, "does not exist, or you may not see it", path)
			}
			require.Equal(t, http.StatusSeeOther, s.browser(t).get(secPage).status, "not signed in: sent to sign in")

			// A reply from the section's page comes back to it; so does an error.
			comments, _, err := s.store.Comments(ctx, workflow.KindActionPlan, s.planID, 0, principal(t, s, s.owner), workflow.Page{})
			require.NoError(t, err)
			require.Len(t, comments, 12)
			cid := comments[0].ID // the oldest: only on the section's page
			res = reader.post(plan+"/comments", url.Values{"section": {sec}, "parent_id": {cid}, "stance": {"support"}, "body": {"Reply to the oldest"}, "back": {sec}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Regexp(t, `^/ui/action-plans/`+s.planID+`\?done=comment&section=part2\.policy_context#c-`, res.header.Get("Location"))
			res = reader.get(res.header.Get("Location"))
			requireHas(t, res.body, "Your comment is posted.")
			requireHas(t, res.body, "Reply to the oldest")
			res = reader.post(plan+"/comments", url.Values{"section": {sec}, "stance": {"support"}, "body": {" "}, "back": {sec}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status)
			requireHas(t, res.body, "the comment is not valid")
			requireHas(t, res.body, "Back to the whole revision", "the error shows on the section's page")

			// Two sessions, the same threads: each page carries its own token only.
			for _, b := range []*browser{reader, owner, reader, owner} {
				for _, path := range []string{plan, secPage} {
					body := b.get(path).body
					tokens := map[string]bool{}
					for _, m := range csrfInput.FindAllStringSubmatch(body, -1) {
						tokens[m[1]] = true
					}
					require.Equal(t, map[string]bool{b.csrf: true}, tokens, path)
				}
			}
			require.NotEqual(t, reader.csrf, owner.csrf)

			// A response, then a changed one, show on the next view of either page;
			// answered from the section's page, the owner comes back to it.
			body := owner.get(secPage).body
			requireHas(t, body, `action="/ui/comments/`+cid+`/response"`)
			requireHas(t, body, "12 without a response")
			for _, status := range []string{"accepted", "rejected"} {
				res = owner.post("/ui/comments/"+cid+"/response", url.Values{"status": {status}, "body": {"Because " + status}, "back": {sec}})
				require.Equal(t, http.StatusSeeOther, res.status, res.body)
				require.Equal(t, plan+"?done=response&section="+sec+"#c-"+cid, res.header.Get("Location"))
				body := owner.get(secPage).body
				requireHas(t, body, "Change the response")
				requireHas(t, body, `class="status-`+status+`"`)
				requireHas(t, body, "Because "+status)
				requireHas(t, body, "11 without a response")
				requireHas(t, reader.get(secPage).body, "Because "+status)
			}
			// The newest thread is answered from the overview, and back there.
			res = owner.post("/ui/comments/"+comments[11].ID+"/response", url.Values{"status": {"noted"}, "body": {"Noted here"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Equal(t, plan+"?done=response#c-"+comments[11].ID, res.header.Get("Location"))
			requireHas(t, reader.get(plan).body, "Noted here")
		})
	}
}

// requireHas and requireLacks look for text in a page without printing
// the whole page when they fail.
func requireHas(t *testing.T, body, want string, msg ...any) {
	t.Helper()
	if !strings.Contains(body, want) {
		t.Fatalf("the page (%d bytes) lacks %q %v", len(body), want, msg)
	}
}

func requireLacks(t *testing.T, body, unwanted string, msg ...any) {
	t.Helper()
	if i := strings.Index(body, unwanted); i >= 0 {
		t.Fatalf("the page has %q at %d %v", unwanted, i, msg)
	}
}

// TestGoneSectionShowsUnderGeneral: a thread on an anchor the revision's
// text lacks is read by its own query and shown with the general
// comments, on the overview and on the general section's page.
func TestGoneSectionShowsUnderGeneral(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, d, nil)
			plan := "/ui/action-plans/" + s.planID
			reader := s.browser(t)
			reader.signIn(s.reader)
			reader.get(plan)
			for _, c := range []struct{ section, body string }{{workflow.GeneralSection, "Kept here"}, {"part2.policy_context", "Moved away"}} {
				res := reader.post(plan+"/comments", url.Values{"section": {c.section}, "stance": {"concern"}, "body": {c.body}})
				require.Equal(t, http.StatusSeeOther, res.status, res.body)
			}
			_, err := s.store.DB().ExecContext(ctx, "UPDATE comments SET section = 'part9.gone' WHERE body = 'Moved away'")
			require.NoError(t, err)

			res := reader.get(plan)
			require.Equal(t, 200, res.status)
			require.Equal(t, 2, strings.Count(res.body, `<article class="comment`))
			res = reader.get(plan + "?section=" + workflow.GeneralSection)
			require.Equal(t, 200, res.status, res.body)
			require.Equal(t, 2, strings.Count(res.body, `<article class="comment`))
			require.Less(t, strings.Index(res.body, "Kept here"), strings.Index(res.body, "Moved away"), "oldest first")
			requireHas(t, res.body, "Kept here")
			res = reader.get(plan + "?section=part2.policy_context")
			require.Equal(t, 200, res.status, res.body)
			requireLacks(t, res.body, "Moved away")
		})
	}
}
