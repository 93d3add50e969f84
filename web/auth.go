package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/craftscode/craftscode/locale"
	"github.com/craftscode/craftscode/ratelimit"
	"github.com/craftscode/craftscode/workflow"
)

// Cookie names. The CSRF cookie only serves forms shown before sign-in.
const (
	sessionCookie = "craftscode_session"
	csrfCookie    = "craftscode_csrf"
	csrfField     = "csrf"
)

// call is one request as the pages see it.
type call struct {
	w         http.ResponseWriter
	r         *http.Request
	principal *workflow.Principal // nil when not signed in
	session   string              // the raw session id from the cookie
	csrf      string              // the token this request's forms carry
	loc       *locale.Localizer   // the language the page speaks
	zone      *time.Location      // the reader's time zone
}

// dates writes the page's dates in its language and the reader's zone.
func (c *call) dates(now time.Time) *dates { return newDates(c.loc, c.zone, now) }

// T is the catalog's message id in the page's language, for strings made
// in Go (notices, errors); args are name, value pairs.
func (c *call) T(id string, args ...any) string { return c.loc.MustT(id, args...) }

// page wraps a handler: it finds the session, hands out and checks CSRF
// tokens on every POST, and sends people who are not signed in to the
// sign-in page.
func (h *Handler) page(signedIn bool, fn func(*call) error) http.Handler {
	return h.wrap(signedIn, true, fn)
}

// wrap is page, with the CSRF check on POST as csrf says: only the
// unsubscribe link's POST goes without (see unsubscribeRoutes).
func (h *Handler) wrap(signedIn, csrf bool, fn func(*call) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{w: w, r: r}
		if ck, err := r.Cookie(sessionCookie); err == nil && ck.Value != "" {
			p, _, err := h.cfg.Store.SessionPrincipal(r.Context(), workflow.HashToken(ck.Value))
			switch {
			case err == nil:
				c.principal, c.session = &p, ck.Value
			case workflow.ErrorCode(err) == workflow.CodeNotFound:
				h.clearCookie(c, sessionCookie) // expired or signed out elsewhere
			default:
				h.fail(c, err)
				return
			}
		}
		h.speak(c)
		if c.principal != nil {
			c.csrf = sessionCSRF(c.session)
		} else {
			c.csrf = h.anonymousCSRF(c)
		}
		if r.Method == http.MethodPost {
			// ParseForm reads at most the API's body limit, which the
			// server applies before this handler.
			if err := r.ParseForm(); err != nil {
				h.render(c, http.StatusBadRequest, "error", view{Title: c.T("error.bad_request.title"), Error: c.T("error.bad_request.text")})
				return
			}
			normalizeNewlines(r.PostForm)
			got := r.PostForm.Get(csrfField)
			if csrf && (got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(c.csrf)) != 1) {
				h.render(c, http.StatusForbidden, "error", view{Title: c.T("error.form_expired.title"), Error: c.T("error.form_expired.text")})
				return
			}
		}
		if signedIn && c.principal == nil {
			next := r.URL.Path
			if r.Method != http.MethodGet {
				next = ""
			}
			http.Redirect(w, r, "/ui/login"+nextQuery(next), http.StatusSeeOther)
			return
		}
		if c.principal != nil { // the store shows only what the caller may see
			c.r = r.WithContext(workflow.WithViewer(r.Context(), *c.principal))
		}
		if err := fn(c); err != nil {
			h.fail(c, err)
		}
	})
}

// sessionCSRF is the synchronizer token of a session: derived from the
// session id, which only the cookie holds, so a page on another site can
// neither read nor compute it, and it dies with the session.
func sessionCSRF(session string) string {
	sum := sha256.Sum256([]byte("craftscode csrf\x00" + session))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// anonymousCSRF is a double-submit token for the sign-in forms: a random
// value in a cookie that the form must repeat.
func (h *Handler) anonymousCSRF(c *call) string {
	if ck, err := c.r.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 {
		return ck.Value
	}
	v := randomString()
	h.setCookie(c, csrfCookie, v, time.Time{})
	return v
}

func randomString() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// secure reports whether the person reached us over TLS, directly or
// through a proxy that says so; the cookies are then Secure.
func secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func (h *Handler) setCookie(c *call, name, value string, expires time.Time) {
	ck := &http.Cookie{Name: name, Value: value, Path: "/ui", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: secure(c.r)}
	if !expires.IsZero() {
		ck.Expires = expires
		ck.MaxAge = int(time.Until(expires).Seconds())
	}
	http.SetCookie(c.w, ck)
}

func (h *Handler) clearCookie(c *call, name string) {
	http.SetCookie(c.w, &http.Cookie{Name: name, Value: "", Path: "/ui", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: secure(c.r), MaxAge: -1})
}

// startSession signs the user in: a new session id (never one the browser
// brought along), its hash in the store, the id in the cookie.
func (h *Handler) startSession(c *call, userID string) error {
	if c.session != "" {
		_ = h.cfg.Store.DeleteSession(c.r.Context(), workflow.HashToken(c.session))
	}
	id := randomString()
	expires := time.Now().Add(h.cfg.SessionTTL)
	if err := h.cfg.Store.CreateSession(c.r.Context(), userID, workflow.HashToken(id), expires); err != nil {
		return err
	}
	h.setCookie(c, sessionCookie, id, expires)
	h.clearCookie(c, csrfCookie)
	return nil
}

// safeNext keeps a return path only when it stays inside the pages.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/ui/") && !strings.HasPrefix(next, "/ui//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return "/ui/"
}

func nextQuery(next string) string {
	if next == "" || safeNext(next) != next {
		return ""
	}
	return "?next=" + url.QueryEscape(next)
}

type loginData struct {
	Next  string
	Email string
	Sent  bool
	Link  string // the token of a sign-in link being confirmed
}

func (h *Handler) loginForm(c *call) error {
	if c.principal != nil {
		http.Redirect(c.w, c.r, safeNext(c.r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	h.render(c, http.StatusOK, "login", view{Title: c.T("login.title"), Data: loginData{Next: c.r.URL.Query().Get("next")}})
	return nil
}

// sendLink mails a one-time sign-in link when the address belongs to a
// user, and answers the same page either way, so the form does not tell
// who has an account. The look-up and the mail happen after the answer,
// so its timing does not tell either.
func (h *Handler) sendLink(c *call) error {
	email := strings.ToLower(strings.TrimSpace(c.r.PostForm.Get("email")))
	data := loginData{Email: email}
	if email == "" || !strings.Contains(email, "@") || len(email) > 254 {
		h.render(c, http.StatusUnprocessableEntity, "login", view{Title: c.T("login.title"), Error: c.T("login.mail.missing"), Data: data})
		return nil
	}
	// Per client (all addresses), per client and address, then per
	// address from everyone over a short window: someone asking for
	// another person's address spends their own allowance, not the
	// owner's, for more than that short window.
	now, client := time.Now(), h.clientIP(c.r)
	if !h.byClient.allow(client, now) || !h.byPair.allow(client+" "+email, now) || !h.byEmail.allow(email, now) {
		h.render(c, http.StatusTooManyRequests, "login", view{Title: c.T("login.title"), Error: c.T("login.mail.too_many"), Data: data})
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.r.Context()), 30*time.Second)
	h.mailing.Add(1)
	go func() {
		defer h.mailing.Done()
		defer cancel()
		h.mailLink(ctx, c.loc.Lang(), email, now)
	}()
	data.Sent = true
	h.render(c, http.StatusOK, "login", view{Title: c.T("login.sent.title"), Data: data})
	return nil
}

// mailLink makes and mails the link; nobody waits for it, so what goes
// wrong goes to the log.
func (h *Handler) mailLink(ctx context.Context, pageLang, email string, now time.Time) {
	u, err := h.cfg.Store.UserByEmail(ctx, email)
	if workflow.ErrorCode(err) == workflow.CodeNotFound || err == nil && u.DeactivatedAt != nil {
		return // no account, or a deactivated one: no link
	}
	if err != nil {
		h.log.ErrorContext(ctx, "web: sign-in link: user look-up failed", "error", err.Error())
		return
	}
	token := randomString()
	if err := h.cfg.Store.CreateLoginLink(ctx, u.ID, workflow.HashToken(token), now.Add(h.cfg.LinkTTL)); err != nil {
		h.log.ErrorContext(ctx, "web: sign-in link not stored", "user_id", u.ID, "error", err.Error())
		return
	}
	link := h.cfg.PublicURL + "/ui/login/" + token
	if err := h.cfg.Mailer.Send(ctx, h.letters.SignIn(u, pageLang, link, h.cfg.LinkTTL)); err != nil {
		h.log.ErrorContext(ctx, "web: sign-in mail not sent", "user_id", u.ID, "error", err.Error())
	}
}

// Wait returns when the sign-in mails asked for so far are sent (or have
// failed): at shutdown, after the server stopped taking requests.
func (h *Handler) Wait() { h.mailing.Wait() }

// linkForm asks for a click before spending the link: mail scanners that
// fetch links must not use it up.
func (h *Handler) linkForm(c *call) error {
	next := c.r.URL.Query().Get("next")
	if safeNext(next) != next {
		next = ""
	}
	h.render(c, http.StatusOK, "link", view{Title: c.T("login.title"), Data: loginData{Link: c.r.PathValue("link"), Next: next}})
	return nil
}

func (h *Handler) useLink(c *call) error {
	userID, err := h.cfg.Store.UseLoginLink(c.r.Context(), workflow.HashToken(c.r.PathValue("link")))
	if workflow.ErrorCode(err) == workflow.CodeNotFound {
		h.render(c, http.StatusBadRequest, "login", view{Title: c.T("login.title"), Error: c.T("link.spent"), Data: loginData{}})
		return nil
	}
	if err != nil {
		return err
	}
	if err := h.startSession(c, userID); err != nil {
		return err
	}
	// An invitation's link lands in its project.
	http.Redirect(c.w, c.r, safeNext(c.r.PostForm.Get("next")), http.StatusSeeOther)
	return nil
}

func (h *Handler) signInToken(c *call) error {
	next := c.r.PostForm.Get("next")
	token := strings.TrimSpace(c.r.PostForm.Get("token"))
	// Tokens cannot be guessed, but each try costs a query: limit them too.
	if !h.byClient.allow("token "+h.clientIP(c.r), time.Now()) {
		h.render(c, http.StatusTooManyRequests, "login", view{Title: c.T("login.title"), Error: c.T("login.token.too_many"), Data: loginData{Next: next}})
		return nil
	}
	p, err := h.cfg.Store.Authenticate(c.r.Context(), workflow.HashToken(token))
	if token == "" || workflow.ErrorCode(err) == workflow.CodeNotFound {
		h.render(c, http.StatusUnauthorized, "login", view{Title: c.T("login.title"), Error: c.T("login.token.invalid"), Data: loginData{Next: next}})
		return nil
	}
	if err != nil {
		return err
	}
	if err := h.startSession(c, p.User.ID); err != nil {
		return err
	}
	http.Redirect(c.w, c.r, safeNext(next), http.StatusSeeOther)
	return nil
}

func (h *Handler) signOut(c *call) error {
	if c.session != "" {
		if err := h.cfg.Store.DeleteSession(c.r.Context(), workflow.HashToken(c.session)); err != nil {
			return err
		}
	}
	h.clearCookie(c, sessionCookie)
	http.Redirect(c.w, c.r, "/ui/login", http.StatusSeeOther)
	return nil
}

// clientIP is who the limits per client count: the peer, or the client a
// trusted proxy names (ratelimit.ClientIP).
func (h *Handler) clientIP(r *http.Request) string {
	return ratelimit.ClientIP(r, h.cfg.TrustedProxies)
}

// limiter allows max events per key in a fixed window. It lives in the
// process: with several replicas each keeps its own count, which still
// bounds the mail a form can trigger.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	seen   map[string]*window
}

type window struct {
	start time.Time
	n     int
}

func newLimiter(max int, w time.Duration) *limiter {
	return &limiter{max: max, window: w, seen: map[string]*window{}}
}

func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.seen) > 100000 { // forget finished windows rather than grow
		for k, w := range l.seen {
			if now.Sub(w.start) >= l.window {
				delete(l.seen, k)
			}
		}
	}
	w := l.seen[key]
	if w == nil || now.Sub(w.start) >= l.window {
		w = &window{start: now}
		l.seen[key] = w
	}
	w.n++
	return w.n <= l.max
}

// normalizeNewlines turns the CR LF line breaks browsers send for a
// textarea (as HTML requires) into the LF the domain's text rule accepts,
// so that a multi-line text typed in a browser is not refused for a
// control character. A lone CR stays, and is refused.
func normalizeNewlines(v url.Values) {
	for _, vs := range v {
		for i, s := range vs {
			if strings.Contains(s, "\r\n") {
				vs[i] = strings.ReplaceAll(s, "\r\n", "\n")
			}
		}
	}
}
