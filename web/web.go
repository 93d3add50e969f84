// Package web is the service's page for people (stakeholders, partners,
// the coordinator): server-rendered html/template pages under /ui, plain
// forms with POST-redirect-GET, signed in by a one-time link sent by mail
// or by an API token, with a session cookie and CSRF tokens.
package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/craftscode/craftscode/dashboard"
	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/evidence"
	"github.com/craftscode/craftscode/locale"
	"github.com/craftscode/craftscode/notify"
	"github.com/craftscode/craftscode/ratelimit"
	"github.com/craftscode/craftscode/workflow"
)

// The pages' templates: templates/partials/ (the layout and the pieces
// pages share) goes into every page; every other file is a page, named by
// its path without ".html" ("deliverables/edit"), one folder per area.
//
//go:embed templates static/*
var assets embed.FS

// Config is what the pages need; cmd builds it.
type Config struct {
	Store  workflow.Store
	Blobs  documents.BlobStore
	Mailer workflow.Mailer
	Logger *slog.Logger
	// PublicURL is where people reach the service (scheme://host[:port]),
	// for the links in mail. It is configured rather than taken from the
	// request's Host, which a caller could forge to steal a link.
	PublicURL  string
	SessionTTL time.Duration // default 12 hours
	LinkTTL    time.Duration // default 15 minutes
	// InviteTTL is how long an invitation's sign-in link works (default
	// 7 days).
	InviteTTL time.Duration
	// LinkLimit caps the sign-in mails one client may ask for one address
	// in LinkWindow (default 5 and 15 minutes); a client gets four times
	// as many for all addresses, for people behind one address. From all
	// clients together an address gets at most LinkLimit mails in
	// LinkAddressWindow (default 1 minute): that bounds the mail a crowd
	// can send one person, but cannot keep the owner out for longer, and
	// while it refuses, the links just sent are in their mailbox.
	LinkLimit         int
	LinkWindow        time.Duration
	LinkAddressWindow time.Duration
	// TrustedProxies are the reverse proxies (CRAFTSCODE_TRUSTED_PROXIES)
	// whose X-Forwarded-For names the client that the limits per client
	// count; without them the peer address counts.
	TrustedProxies []netip.Prefix
	// Comments limits each person's comments and comment edits. It is the
	// API's limiter too (cmd builds one and gives it to both), so a person
	// has one allowance whether they comment here or through the API; nil
	// makes one with CommentRate and CommentBurst.
	Comments *ratelimit.PerKey
	// Verify limits the public verification per client address; it is
	// the API's limiter too (cmd builds one for both). nil makes one with
	// ratelimit.DefaultVerifyRate and DefaultVerifyBurst.
	Verify *ratelimit.PerKey
	// CommentRate and CommentBurst shape the limiter made when Comments is
	// nil, with the JSON API's defaults (a burst of 10, then one every 3
	// seconds).
	CommentRate  rate.Limit
	CommentBurst int
	// ImageLimit caps a good practice image uploaded through the pages, as
	// CRAFTSCODE_IMAGE_LIMIT caps the API's (default 10 MiB).
	ImageLimit int64
	// EvidenceLimit caps an evidence file uploaded through the pages, as
	// CRAFTSCODE_EVIDENCE_LIMIT caps the API's (default 50 MB).
	EvidenceLimit int64
	// TokenTTL is the default lifetime of a personal token made on the
	// pages (CRAFTSCODE_TOKEN_TTL); 0 means workflow.DefaultTokenTTL.
	TokenTTL time.Duration
}

// Handler serves /ui.
type Handler struct {
	cfg      Config
	log      *slog.Logger
	mux      *http.ServeMux
	catalog  *locale.Catalog
	letters  *notify.Letters                          // the mail's words
	pages    map[string]map[string]*template.Template // language → page name → template
	byEmail  *limiter                                 // per address, from all clients
	byPair   *limiter                                 // per address and client
	byClient *limiter
	comments *ratelimit.PerKey
	verify   *ratelimit.PerKey
	mailing  sync.WaitGroup // sign-in mails being sent
	// accessChanged is called after a page changes who may do what.
	accessChanged atomic.Pointer[func()]
	csp           string // the pages' Content-Security-Policy
}

// kinds maps the URL segment of each kind, as in the API.
var kinds = map[string]workflow.Kind{
	"action-plans":   workflow.KindActionPlan,
	"peer-reviews":   workflow.KindPeerReview,
	"good-practices": workflow.KindGoodPractice,
}

func segment(k workflow.Kind) string {
	for seg, kind := range kinds {
		if kind == k {
			return seg
		}
	}
	return ""
}

// New parses the templates and builds the routes.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil || cfg.Mailer == nil {
		return nil, errors.New("web: a store and a mailer are required")
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.LinkTTL <= 0 {
		cfg.LinkTTL = 15 * time.Minute
	}
	if cfg.InviteTTL <= 0 {
		cfg.InviteTTL = 7 * 24 * time.Hour
	}
	if cfg.LinkLimit <= 0 {
		cfg.LinkLimit = 5
	}
	if cfg.LinkWindow <= 0 {
		cfg.LinkWindow = 15 * time.Minute
	}
	if cfg.LinkAddressWindow <= 0 {
		cfg.LinkAddressWindow = time.Minute
	}
	if cfg.ImageLimit <= 0 {
		cfg.ImageLimit = 10 << 20
	}
	if cfg.EvidenceLimit <= 0 {
		cfg.EvidenceLimit = evidence.DefaultLimit
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = workflow.DefaultTokenTTL
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	h := &Handler{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(),
		byEmail:  newLimiter(cfg.LinkLimit, cfg.LinkAddressWindow),
		byPair:   newLimiter(cfg.LinkLimit, cfg.LinkWindow),
		byClient: newLimiter(4*cfg.LinkLimit, cfg.LinkWindow),
		comments: cfg.Comments}
	if h.comments == nil {
		h.comments = ratelimit.New(cfg.CommentRate, cfg.CommentBurst)
	}
	// Pages load nothing from elsewhere and run no inline script. Images
	// on S3 are redirected to the object store, which must be allowed.
	imgSrc := "'self' data:"
	if p, ok := cfg.Blobs.(documents.Presigner); ok {
		imgSrc += " " + p.PresignOrigin()
	}
	h.csp = "default-src 'self'; img-src " + imgSrc + "; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
	if h.verify = cfg.Verify; h.verify == nil {
		h.verify = ratelimit.New(ratelimit.DefaultVerifyRate, ratelimit.DefaultVerifyBurst)
	}
	var err error
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.catalog, err = locale.Load(); err != nil {
		return nil, err
	}
	if h.letters, err = notify.NewLetters(); err != nil {
		return nil, err
	}
	if err := h.parse(); err != nil {
		return nil, err
	}
	static, err := fs.Sub(assets, "static")
	if err != nil {
		return nil, err
	}
	m := h.mux
	m.Handle("GET /ui/static/", http.StripPrefix("/ui/static/", cacheStatic(http.FileServerFS(static))))
	m.HandleFunc("/ui", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ui/", http.StatusSeeOther) })
	m.Handle("/ui/", h.page(false, h.landing))
	m.Handle("GET /ui/login", h.page(false, h.loginForm))
	m.Handle("POST /ui/login/email", h.page(false, h.sendLink))
	m.Handle("POST /ui/login/token", h.page(false, h.signInToken))
	m.Handle("GET /ui/login/{link}", h.page(false, h.linkForm))
	m.Handle("POST /ui/login/{link}", h.page(false, h.useLink))
	m.Handle("POST /ui/logout", h.page(false, h.signOut))
	m.Handle("POST /ui/language", h.page(false, h.switchLanguage))
	m.Handle("GET /ui/consultations", h.page(true, h.consultations))
	m.Handle("GET /ui/dashboard", h.page(true, h.dashboardProjects))
	m.Handle("GET /ui/projects/{pid}/dashboard", h.page(true, h.dashboardPage))
	m.Handle("GET /ui/projects/{pid}/dashboard.csv", h.page(true, h.dashboardCSV))
	m.Handle("GET /ui/projects/{pid}/good-practices", h.page(true, h.practicesPage))
	m.Handle("GET /ui/projects/{pid}/events", h.page(true, h.eventsPage))
	m.Handle("GET /ui/events/{id}", h.page(true, h.eventPage))
	for seg, kind := range kinds {
		m.Handle("GET /ui/"+seg+"/{id}", h.page(true, h.deliverable(kind)))
		m.Handle("POST /ui/"+seg+"/{id}/comments", h.page(true, h.addComment(kind)))
		m.Handle("POST /ui/"+seg+"/{id}/transitions", h.page(true, h.fireTransition(kind)))
		m.Handle("POST /ui/"+seg+"/{id}/consultation/close", h.page(true, h.closeConsultation(kind)))
	}
	m.Handle("POST /ui/comments/{cid}/response", h.page(true, h.respond))
	m.Handle("POST /ui/comments/{cid}/edit", h.page(true, h.editComment))
	m.Handle("POST /ui/comments/{cid}/delete", h.page(true, h.deleteComment))
	m.Handle("POST /ui/comments/{cid}/hide", h.page(true, h.hideComment))
	m.Handle("GET /ui/documents/{did}", h.page(true, h.download))
	// Each area registers its own pages, in its own file.
	h.homeRoutes(m)
	h.editRoutes(m)
	h.practiceEditRoutes(m)
	h.readingRoutes(m)
	h.diffRoutes(m)
	h.suggestionRoutes(m)
	h.meRoutes(m)
	h.monitoringRoutes(m)
	h.learningRoutes(m)
	h.tokenRoutes(m)
	h.consortiumRoutes(m)
	h.verifyRoutes(m)
	h.notificationRoutes(m)
	return h, nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	// The sign-in link's token must not leak through a Referer.
	hd.Set("Content-Security-Policy", h.csp)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	h.mux.ServeHTTP(w, r)
}

func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}

var funcs = template.FuncMap{
	"segment": segment,
	"label":   label,
	"percent": dashboard.Percent,
	"dict":    dict,
	"fieldid": domainFieldID,
}

// dict builds a map from key, value pairs, to pass several values to a
// template (the dashboard's "figures" table).
func dict(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return m
}

// label turns a code into words: support → Support, partially_accepted →
// Partially accepted.
func label(s any) string { return words(fmt.Sprint(s)) }

func words(code string) string {
	v := strings.ReplaceAll(code, "_", " ")
	if v == "" {
		return v
	}
	return strings.ToUpper(v[:1]) + v[1:]
}

// parse builds each page from the partials and its own file, once for
// every language of the catalog, with t and label speaking that language.
func (h *Handler) parse() error {
	var pages, partials []string
	err := fs.WalkDir(assets, "templates", func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() || !strings.HasSuffix(p, ".html"):
		case strings.HasPrefix(p, "templates/partials/"):
			partials = append(partials, p)
		default:
			pages = append(pages, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	h.pages = map[string]map[string]*template.Template{}
	for _, lang := range h.catalog.Languages() {
		loc := h.catalog.Match(lang)
		days := newDates(loc, nil, time.Time{}) // a calendar day needs no zone or now
		fm := template.FuncMap{"t": loc.T, "label": func(code any) (string, error) { return loc.T(codeKey(code)) },
			"fieldlabel": func(name string) string { return fieldLabel(loc, name) },
			"day":        func(d any) string { return days.dayOf(d) }}
		h.pages[lang] = map[string]*template.Template{}
		for _, f := range pages {
			name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
			t, err := template.New(name).Funcs(funcs).Funcs(fm).ParseFS(assets, append(slices.Clone(partials), f)...)
			if err != nil {
				return fmt.Errorf("web: template %s: %w", name, err)
			}
			h.pages[lang][name] = t
		}
	}
	return nil
}

// view is what every page gets: the page's own data and the frame's.
type view struct {
	Lang    string // the page's language, for <html lang>
	Title   string
	User    *workflow.User
	CSRF    string
	Notice  string // a success message after a redirect
	Error   string // what went wrong, in words
	Details []string
	Data    any
	// ProjectID names the project the menu is about, for a page whose
	// URL has no {pid}; the menu finds it by itself otherwise.
	ProjectID string
	Nav       []navLink // the menu, made by render
	// Unread counts the person's unread notifications, for the menu's
	// link to the inbox; InInbox marks that link as the page's.
	Unread  int
	InInbox bool
	// Languages and Back are the language switcher's: the choices, and
	// the page to come back to.
	Languages []languageOption
	Back      string
}

// pageBuffers keeps the buffers pages are rendered into: a consultation's
// page runs to hundreds of kilobytes, and growing a new buffer to that
// size for each request cost a tenth of the time, in copying and zeroing.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putPageBuffer(b *bytes.Buffer) {
	if b.Cap() > 32<<20 { // an outlier is not worth keeping
		return
	}
	b.Reset()
	pageBuffers.Put(b)
}

// render writes a page with a status; a template error becomes a plain
// 500 rather than half a page.
func (h *Handler) render(c *call, status int, name string, v view) {
	if c.principal != nil {
		v.User = &c.principal.User
		v.Nav = h.nav(c, v.ProjectID)
		v.Unread = h.unread(c)
		v.InInbox = c.r.URL.Path == "/ui/notifications"
	}
	v.CSRF = c.csrf
	v.Lang = c.loc.Lang()
	v.Languages = h.languageOptions(v.Lang)
	if c.r.Method == http.MethodGet {
		v.Back = c.r.URL.RequestURI()
	}
	v.Title = shortTitle(v.Title)
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	if err := h.pages[v.Lang][name].ExecuteTemplate(buf, "layout", v); err != nil {
		h.log.ErrorContext(c.r.Context(), "web: render", "page", name, "error", err.Error())
		http.Error(c.w, c.T("error.render"), http.StatusInternalServerError)
		return
	}
	hd := c.w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	c.w.WriteHeader(status)
	_, _ = c.w.Write(buf.Bytes())
}

// fail shows an error as a page: the domain's message for what the person
// can act on, a reference number for the rest.
func (h *Handler) fail(c *call, err error) {
	status, v := h.describe(c, err)
	h.render(c, status, "error", v)
}

func (h *Handler) describe(c *call, err error) (int, view) {
	if errors.Is(err, ratelimit.ErrUploadStalled) { // the client stopped sending: not our fault
		return http.StatusRequestTimeout, view{Title: c.T("error.upload_stalled.title"), Error: c.T("error.upload_stalled.text")}
	}
	var we *workflow.Error
	if !errors.As(err, &we) {
		ref := c.w.Header().Get("X-Request-Id")
		h.log.ErrorContext(c.r.Context(), "web: request failed", "path", c.r.URL.Path, "request_id", ref, "error", err.Error())
		return http.StatusInternalServerError, view{Title: c.T("error.internal.title"), Error: c.T("error.internal.text", "Reference", ref)}
	}
	v := view{Error: c.sayError(we)}
	for _, f := range we.Fields {
		v.Details = append(v.Details, f.Field+": "+c.say(f))
	}
	switch we.Code {
	case workflow.CodeNotFound:
		return http.StatusNotFound, view{Title: c.T("error.not_found.title"), Error: c.T("error.not_found.text")}
	case workflow.CodeForbidden:
		v.Title = c.T("error.forbidden.title")
		return http.StatusForbidden, v
	case workflow.CodeInvalid:
		v.Title = c.T("error.invalid.title")
		return http.StatusUnprocessableEntity, v
	case workflow.CodePreconditionFailed:
		v.Title, v.Error = c.T("error.stale.title"), c.T("error.stale.text")
		return http.StatusConflict, v
	case workflow.CodeConflict, workflow.CodeGuardFailed:
		v.Title = c.T("error.conflict.title")
		return http.StatusConflict, v
	}
	v.Title = c.T("error.internal.title")
	return http.StatusInternalServerError, v
}

// codeKey is the catalog's message for a domain code (a state, a
// trigger…): code.<value>.
func codeKey(code any) string { return "code." + fmt.Sprint(code) }

// titleRunes is the longest page title before " · craftscode": a browser
// tab and a screen reader's window list show about 70 characters (escaped
// apostrophes count five in html-validate's check), and a plan's title can
// be much longer (the page's h1 shows it whole).
const titleRunes = 50

func shortTitle(s string) string {
	r := []rune(s)
	if len(r) <= titleRunes {
		return s
	}
	return strings.TrimSpace(string(r[:titleRunes-1])) + "…"
}
