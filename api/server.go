// Package api is the HTTP layer: echo routes, handlers, authentication,
// problem+json errors, metrics and the OpenAPI document.
package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"regexp"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/evidence"
	"github.com/craftscode/craftscode/ratelimit"
	"github.com/craftscode/craftscode/workflow"
)

// Config is what the HTTP layer needs; cmd builds it.
type Config struct {
	Store     workflow.Store
	Blobs     documents.BlobStore
	Logger    *slog.Logger
	Registry  *prometheus.Registry // metrics are registered here and served at /metrics
	BodyLimit int64                // bytes; 0 means DefaultBodyLimit
	// EvidenceLimit caps evidence uploads instead of BodyLimit; 0 means
	// evidence.DefaultLimit.
	EvidenceLimit int64
	// UI, when set, serves the pages for people under /ui (package web).
	// It shares the middleware (request ids, access log, metrics, body
	// limit) but is not part of the JSON API or its OpenAPI document.
	UI http.Handler
	// Comments limits each user's comments (and comment edits). It is
	// the one limiter the pages use too (cmd builds it once and gives it
	// to both), so a person has one allowance however they comment; nil
	// makes one with CommentRate and CommentBurst.
	Comments *ratelimit.PerKey
	// CommentRate and CommentBurst shape the limiter made when Comments is
	// nil; 0 means ratelimit.DefaultCommentRate and
	// ratelimit.DefaultCommentBurst.
	CommentRate  rate.Limit
	CommentBurst int
	// ImageLimit caps a good practice image instead of BodyLimit; 0 means
	// DefaultImageLimit.
	ImageLimit int64
	// UploadMinRate (bytes a second) and UploadStall give uploads
	// (evidence, good practice images, through the API or the pages) their
	// own read deadline instead of the server's ReadTimeout: an upload may
	// take UploadStall plus its size limit at UploadMinRate, and is cut
	// with 408 when nothing arrives for UploadStall. 0 means
	// ratelimit.DefaultUploadMinRate and ratelimit.DefaultUploadStall.
	UploadMinRate int64
	UploadStall   time.Duration
	// WebhookAllowPrivate lets webhooks point at loopback and private
	// addresses (CRAFTSCODE_WEBHOOK_ALLOW_PRIVATE); reserved and internal
	// ones are refused whatever it says.
	WebhookAllowPrivate bool
	// TokenTTL is how long a personal token made without an expiry lasts
	// (CRAFTSCODE_TOKEN_TTL); 0 means workflow.DefaultTokenTTL.
	TokenTTL time.Duration
	// Verify limits the public verification per client address; the
	// pages' verification shares it (cmd builds one for both). nil makes
	// one with ratelimit.DefaultVerifyRate and DefaultVerifyBurst.
	Verify *ratelimit.PerKey
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client a limit per address counts (CRAFTSCODE_TRUSTED_PROXIES).
	TrustedProxies []netip.Prefix
	// Inviter mails an invited member a sign-in link that lands in the
	// project (package web's Handler.Invite); nil sends no mail.
	Inviter func(ctx context.Context, u workflow.User, m workflow.Membership, p workflow.Project, by workflow.User) error
}

// DefaultBodyLimit caps request bodies.
const DefaultBodyLimit = 1 << 20

// Server is the service's HTTP handler.
type Server struct {
	echo      *echo.Echo
	store     workflow.Store
	blobs     documents.BlobStore
	log       *slog.Logger
	bodyLimit int64
	// evidenceLimit and imageLimit are the body limits of evidence and
	// good practice image uploads.
	evidenceLimit int64
	imageLimit    int64
	// uploadMinRate and uploadStall are Config's.
	uploadMinRate int64
	uploadStall   time.Duration
	openapi       []byte
	// principals caches authenticated callers briefly (see principalCache).
	principals principalCache
	comments   *ratelimit.PerKey
	// verify and trustedProxies are Config's Verify and TrustedProxies.
	verify         *ratelimit.PerKey
	trustedProxies []netip.Prefix
	// webhookAllowPrivate is Config.WebhookAllowPrivate.
	webhookAllowPrivate bool
	// tokenTTL is Config.TokenTTL; touches throttles tokens' last use.
	tokenTTL time.Duration
	touches  tokenTouches
	inviter  func(ctx context.Context, u workflow.User, m workflow.Membership, p workflow.Project, by workflow.User) error
}

// New builds the handler with every route.
func New(cfg Config) (*Server, error) {
	s := &Server{store: cfg.Store, blobs: cfg.Blobs, log: cfg.Logger, bodyLimit: cfg.BodyLimit, webhookAllowPrivate: cfg.WebhookAllowPrivate,
		uploadMinRate: cfg.UploadMinRate, uploadStall: cfg.UploadStall, inviter: cfg.Inviter}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.bodyLimit <= 0 {
		s.bodyLimit = DefaultBodyLimit
	}
	if s.evidenceLimit = cfg.EvidenceLimit; s.evidenceLimit <= 0 {
		s.evidenceLimit = evidence.DefaultLimit
	}
	if s.imageLimit = cfg.ImageLimit; s.imageLimit <= 0 {
		s.imageLimit = DefaultImageLimit
	}
	if s.comments = cfg.Comments; s.comments == nil {
		s.comments = ratelimit.New(cfg.CommentRate, cfg.CommentBurst)
	}
	if s.verify = cfg.Verify; s.verify == nil {
		s.verify = ratelimit.New(ratelimit.DefaultVerifyRate, ratelimit.DefaultVerifyBurst)
	}
	s.trustedProxies = cfg.TrustedProxies
	if s.tokenTTL = cfg.TokenTTL; s.tokenTTL <= 0 {
		s.tokenTTL = workflow.DefaultTokenTTL
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	doc, err := openAPIJSON()
	if err != nil {
		return nil, err
	}
	s.openapi = doc

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.JSONSerializer = strictSerializer{}
	metrics := newMetrics(cfg.Registry)
	e.Use(
		securityHeaders,
		assignRequestID,
		s.accessLog,
		metrics.middleware,
		middleware.Recover(),
		s.limitBody,
	)
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", echo.WrapHandler(metrics.handler))
	e.GET("/api/v1/openapi.json", s.openAPI)
	s.verifyRoutes(e)

	v1 := e.Group("/api/v1", s.authenticate, s.idempotency)
	v1.GET("/me", s.me)
	v1.PATCH("/me", s.patchMe)
	v1.POST("/users", s.createUser)
	v1.GET("/users", s.listUsers)
	v1.GET("/me/export", s.exportMe)
	v1.POST("/users/:uid/erase", s.eraseUser)
	v1.POST("/projects", s.createProject)
	v1.GET("/projects", s.listProjects)
	v1.GET("/projects/:pid", s.getProject)
	v1.PATCH("/projects/:pid", s.patchProject)
	v1.POST("/projects/:pid/partners", s.createPartner)
	v1.GET("/projects/:pid/partners", s.listPartners)
	v1.POST("/projects/:pid/members", s.createMember)
	v1.GET("/projects/:pid/members", s.listMembers)
	v1.POST("/projects/:pid/policy-instruments", s.createPolicyInstrument)
	v1.GET("/projects/:pid/policy-instruments", s.listPolicyInstruments)
	v1.POST("/projects/:pid/stakeholder-groups", s.createStakeholderGroup)
	v1.GET("/projects/:pid/stakeholder-groups", s.listStakeholderGroups)
	s.deliverableRoutes(v1)
	s.actionOrderRoutes(v1)
	s.documentRoutes(v1)
	s.consultationRoutes(v1)
	s.suggestionRoutes(v1)
	s.webhookRoutes(v1)
	s.monitoringRoutes(v1)
	s.dashboardRoutes(v1)
	s.needsRoutes(v1)
	s.evidenceRoutes(v1)
	s.learningEventRoutes(v1)
	s.searchRoutes(v1)
	s.tokenRoutes(v1)
	s.notificationRoutes(v1)
	s.consortiumEditRoutes(v1)
	if cfg.UI != nil {
		// Pages that change who may do what (package web's consortium
		// page) clear this process's callers too.
		if n, ok := cfg.UI.(interface{ OnAccessChange(func()) }); ok {
			n.OnAccessChange(s.principals.clear)
		}
		ui := echo.WrapHandler(cfg.UI)
		e.Any("/ui", ui)
		e.Any("/ui/*", ui)
	}
	s.echo = e
	return s, nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Routes lists method and path of every route, for the OpenAPI test.
func (s *Server) Routes() []*echo.Route { return s.echo.Routes() }

// limitBody refuses bodies over the limit: at once when Content-Length
// says so, otherwise when reading crosses it. Evidence and good practice
// image uploads have limits of their own. (Echo runs this after routing, so
// the route is known.)
func (s *Server) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		limit, upload := s.bodyLimit, true
		if isEvidenceUpload(c) {
			limit = s.evidenceLimit
		} else if isImageUpload(c) {
			limit = s.imageLimit
		} else if isVerifyUpload(c) {
			limit = verifyLimit
		} else if isPageImageUpload(c) {
			// The page answers an image over its limit itself, with its
			// form and a message; this is only the backstop.
			r.Body = http.MaxBytesReader(c.Response(), s.uploadBody(c, s.imageLimit+s.bodyLimit), s.imageLimit+s.bodyLimit)
			return next(c)
		} else if isPageVerifyUpload(c) {
			// The page says when a file is larger than any document.
			r.Body = http.MaxBytesReader(c.Response(), s.uploadBody(c, verifyLimit+s.bodyLimit), verifyLimit+s.bodyLimit)
			return next(c)
		} else if isPageEvidenceUpload(c) {
			// As for images: the page answers a file over the limit itself.
			r.Body = http.MaxBytesReader(c.Response(), s.uploadBody(c, s.evidenceLimit+s.bodyLimit), s.evidenceLimit+s.bodyLimit)
			return next(c)
		} else {
			upload = false
		}
		if r.ContentLength > limit {
			return newProblem(http.StatusRequestEntityTooLarge, "body_too_large", "the request body is too large")
		}
		if upload {
			r.Body = s.uploadBody(c, limit)
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
		return next(c)
	}
}

// uploadBody gives an upload of at most limit bytes a read deadline of its
// own, from its size at the minimum rate, in place of the server's
// ReadTimeout, which would cut a large upload on a slow line (issue 15,
// #12); a stalled upload ends in ErrUploadStalled, answered 408.
func (s *Server) uploadBody(c echo.Context, limit int64) io.ReadCloser {
	return ratelimit.UploadBody(c.Response(), c.Request().Body, limit, s.uploadMinRate, s.uploadStall)
}

// securityHeaders marks every answer nosniff: a browser must take each
// for the type it says it is.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("X-Content-Type-Options", "nosniff")
		return next(c)
	}
}

// noStore keeps an answer that carries a secret (a token, a webhook
// secret) out of every cache.
func noStore(c echo.Context) {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
}

var plainID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// assignRequestID keeps a caller's X-Request-Id when it is short and plain
// (it goes into logs and problem documents) and otherwise makes one.
func assignRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !plainID.MatchString(id) {
			id = workflow.NewID()
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// accessLog writes one structured line per request.
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err) // render now, so the logged status is the real one
		}
		attrs := []any{
			"request_id", requestID(c),
			"method", c.Request().Method,
			"route", c.Path(),
			"path", loggedPath(c.Request().URL.Path),
			"status", c.Response().Status,
			"bytes", c.Response().Size,
			"duration_ms", float64(time.Since(start).Microseconds()) / 1000,
		}
		if p, ok := c.Get(principalKey).(workflow.Principal); ok {
			attrs = append(attrs, "user_id", p.User.ID)
		}
		s.log.InfoContext(c.Request().Context(), "request", attrs...)
		return nil
	}
}

// loggedPath keeps secrets out of the log: the web page's sign-in links
// carry a one-time token in the path (/ui/login/{token}), and mail's
// unsubscribe links a lasting one (/ui/unsubscribe/{token}).
func loggedPath(p string) string {
	if _, ok := strings.CutPrefix(p, "/ui/unsubscribe/"); ok {
		return "/ui/unsubscribe/[redacted]"
	}
	rest, ok := strings.CutPrefix(p, "/ui/login/")
	if !ok || rest == "email" || rest == "token" {
		return p
	}
	return "/ui/login/[redacted]"
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

type readiness struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// readyz answers 200 only when the database and the blob store answer.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	r := readiness{Status: "ready", Checks: map[string]string{"database": "ok", "storage": "ok"}}
	status := http.StatusOK
	if err := s.store.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "readiness: database", "error", err.Error())
		r.Checks["database"], r.Status, status = "unavailable", "unavailable", http.StatusServiceUnavailable
	}
	if s.blobs == nil {
		r.Checks["storage"], r.Status, status = "not configured", "unavailable", http.StatusServiceUnavailable
	} else if err := s.blobs.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "readiness: storage", "error", err.Error())
		r.Checks["storage"], r.Status, status = "unavailable", "unavailable", http.StatusServiceUnavailable
	}
	return c.JSON(status, r)
}
