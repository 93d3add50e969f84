package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/craftscode/craftscode/api"
	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/jobs"
	"github.com/craftscode/craftscode/ratelimit"
	"github.com/craftscode/craftscode/storage/blobstore"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/web"
	"github.com/craftscode/craftscode/workflow"
)

// App is the wired service: store, blob store and HTTP server. Tests start
// it exactly as `craftscode serve` does.
type App struct {
	jobs  *jobs.Queue
	cfg   Config
	log   *slog.Logger
	store *sqlstore.Store
	blobs documents.BlobStore
	http  *http.Server
	ui    *web.Handler
	ln    net.Listener
}

// openStore opens the configured database and applies migrations.
func openStore(ctx context.Context, cfg Config) (*sqlstore.Store, error) {
	store, err := sqlstore.Open(ctx, cfg.database())
	if err != nil {
		return nil, err
	}
	if err := store.Migrate(ctx); err != nil {
		store.Close()
		return nil, err
	}
	if err := jobs.Migrate(ctx, store.DB(), jobs.Dialect(store.Dialect())); err != nil {
		store.Close()
		return nil, err
	}
	store.SetTokenTTL(cfg.TokenTTL)
	return store, nil
}

func openBlobs(ctx context.Context, cfg Config) (documents.BlobStore, error) {
	if cfg.S3.Endpoint == "" {
		return blobstore.NewFS(filepath.Join(cfg.DataDir, "blobs"))
	}
	return blobstore.NewS3(ctx, blobstore.S3Config{
		Endpoint: cfg.S3.Endpoint, AccessKey: cfg.S3.AccessKey, SecretKey: cfg.S3.SecretKey,
		Bucket: cfg.S3.Bucket, UseSSL: cfg.S3.UseSSL, Region: cfg.S3.Region, PublicURL: cfg.S3.PublicURL,
	})
}

// openApp connects everything and binds the listener.
func openApp(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	a := &App{cfg: cfg, log: log}
	var err error
	if a.store, err = openStore(ctx, cfg); err != nil {
		return nil, err
	}
	if a.blobs, err = openBlobs(ctx, cfg); err != nil {
		a.Close()
		return nil, fmt.Errorf("blob storage: %w", err)
	}
	box, err := cfg.secretBox()
	if err != nil {
		a.Close()
		return nil, err
	}
	a.store.SetSecretBox(box)
	mailer, err := cfg.mailer(log)
	if err != nil {
		a.Close()
		return nil, err
	}
	if a.jobs, err = jobs.New(a.store.DB(), jobs.Dialect(a.store.Dialect()), log,
		&jobs.Workers{Documents: a.store, Blobs: a.blobs, Consultations: a.store, Mailer: mailer, Webhooks: a.store,
			Reports: a.store, Notices: a.store, WebhookAllowPrivate: cfg.WebhookAllowPrivate}); err != nil {
		a.Close()
		return nil, err
	}
	a.store.SetJobQueue(a.jobs)
	if err := a.store.UseBuiltinApprovalTemplates(); err != nil {
		a.Close()
		return nil, err
	}
	if cfg.AdminToken != "" {
		u := workflow.User{Email: "admin@localhost", Name: "Administrator"}
		if err := a.store.EnsureAdmin(ctx, &u, workflow.HashToken(cfg.AdminToken)); err != nil {
			a.Close()
			return nil, fmt.Errorf("admin token: %w", err)
		}
		log.Info("admin token ready", "user_id", u.ID)
	}
	// Listen first: the sign-in links need the address when none is configured.
	if a.ln, err = net.Listen("tcp", cfg.Addr); err != nil {
		a.Close()
		return nil, err
	}
	public := publicURL(cfg.PublicURL, a.ln.Addr())
	// Approved documents name the verification page; jobs start in Serve.
	a.store.SetPublicURL(public)
	// One comment limiter for the pages and the API: a person has one
	// allowance, whichever way they comment.
	comments := ratelimit.New(0, 0)
	// One verification limiter too: the page and the API count one
	// allowance per client address.
	verify := ratelimit.New(ratelimit.DefaultVerifyRate, ratelimit.DefaultVerifyBurst)
	// The pages change who may do what (tokens, members): api.New
	// registers its cache of callers with them (web.OnAccessChange).
	a.ui, err = web.New(web.Config{Store: a.store, Blobs: a.blobs, Mailer: mailer,
		Logger: log, PublicURL: public, ImageLimit: cfg.ImageLimit, EvidenceLimit: cfg.EvidenceLimit,
		Comments: comments, Verify: verify, TrustedProxies: cfg.TrustedProxies,
		TokenTTL: cfg.TokenTTL})
	if err != nil {
		a.Close()
		return nil, err
	}
	srv, err := api.New(api.Config{Store: a.store, Blobs: a.blobs, Logger: log,
		Registry: prometheus.NewRegistry(), BodyLimit: cfg.BodyLimit, EvidenceLimit: cfg.EvidenceLimit, ImageLimit: cfg.ImageLimit, UI: a.ui,
		WebhookAllowPrivate: cfg.WebhookAllowPrivate, Comments: comments, Verify: verify, TrustedProxies: cfg.TrustedProxies,
		TokenTTL: cfg.TokenTTL, Inviter: a.ui.Invite})
	if err != nil {
		a.Close()
		return nil, err
	}
	a.http = &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return a, nil
}

// publicURL is the configured address, else the listening one (with a
// wildcard host made into localhost), which suits a machine of one's own.
func publicURL(configured string, addr net.Addr) string {
	if configured != "" {
		return configured
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Addr is the address the server listens on (useful with port 0).
func (a *App) Addr() string { return a.ln.Addr().String() }

// Serve answers requests until ctx ends, then drains in-flight requests.
func (a *App) Serve(ctx context.Context) error {
	backend := "sqlite"
	if a.cfg.DatabaseURL != "" {
		backend = "postgres"
	}
	storage := "filesystem"
	if a.cfg.S3.Endpoint != "" {
		storage = "s3"
	}
	a.log.Info("listening", "addr", a.Addr(), "database", backend, "storage", storage)
	// Jobs run until shutdown, independent of the request that ends serve.
	jobsCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer stopJobs()
	if err := a.jobs.Start(jobsCtx); err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	go sweepSpool(jobsCtx, a.blobs, spoolSweepEvery, spoolStaleAfter, a.log)
	errc := make(chan error, 1)
	go func() { errc <- a.http.Serve(a.ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := a.http.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	a.ui.Wait() // sign-in mails still on their way
	if err := a.jobs.Stop(sctx); err != nil {
		return fmt.Errorf("stop jobs: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	a.log.Info("stopped")
	return nil
}

// Spool files of uploads cut short by a crash are swept every
// spoolSweepEvery once nothing was written to them for spoolStaleAfter. A
// running upload writes its file as its data comes, and is cut when it
// stalls for a minute (ratelimit.DefaultUploadStall), so a quarter of an
// hour without a write means its process is gone.
const (
	spoolSweepEvery = 5 * time.Minute
	spoolStaleAfter = 15 * time.Minute
)

// spoolSweeper is a blob store that clears its crash leftovers
// (blobstore.FS and blobstore.S3).
type spoolSweeper interface {
	SweepSpool(age time.Duration) int
}

// sweepSpool removes the blob store's stale spool files every interval
// until ctx ends, rather than only at the next start.
func sweepSpool(ctx context.Context, blobs documents.BlobStore, every, age time.Duration, log *slog.Logger) {
	sw, ok := blobs.(spoolSweeper)
	if !ok {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n := sw.SweepSpool(age); n > 0 {
			log.Info("spool files of interrupted uploads removed", "count", n)
		}
	}
}

// Close releases the database.
func (a *App) Close() {
	if a.store != nil {
		a.store.Close()
	}
}
