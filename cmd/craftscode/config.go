package main

import (
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/craftscode/craftscode/evidence"
	"github.com/craftscode/craftscode/notify"
	"github.com/craftscode/craftscode/ratelimit"
	"github.com/craftscode/craftscode/workflow"
)

// Config is the whole configuration, read from the environment once here
// and passed down explicitly.
type Config struct {
	Addr        string // CRAFTSCODE_ADDR
	DataDir     string // CRAFTSCODE_DATA_DIR: SQLite file and blob folder of the embedded default
	DatabaseURL string // DATABASE_URL: postgres://… switches to PostgreSQL
	AdminToken  string // CRAFTSCODE_ADMIN_TOKEN
	// PublicURL is where people reach the service, for sign-in links in
	// mail and the verification line of approved documents
	// (CRAFTSCODE_PUBLIC_URL); empty means the listening address.
	PublicURL string
	LogLevel  slog.Level
	BodyLimit int64 // CRAFTSCODE_BODY_LIMIT, bytes
	// EvidenceLimit caps an evidence upload (CRAFTSCODE_EVIDENCE_LIMIT,
	// bytes; default 50 MB). Uploads stream, so it costs no memory.
	EvidenceLimit int64
	// ImageLimit (CRAFTSCODE_IMAGE_LIMIT, bytes) caps a good practice image.
	ImageLimit int64
	// SecretKey (CRAFTSCODE_SECRET_KEY, 32 bytes in hex or base64) seals
	// webhook secrets. Unset, a key file in DataDir is made on first use.
	SecretKey []byte
	S3        S3Config
	// SMTP is the mail relay (CRAFTSCODE_SMTP_URL, CRAFTSCODE_MAIL_FROM);
	// nil writes mail to the log instead.
	SMTP *notify.SMTPConfig
	// WebhookAllowPrivate (CRAFTSCODE_WEBHOOK_ALLOW_PRIVATE) lets webhooks
	// reach loopback and private addresses, for a receiver on the same
	// host or network.
	WebhookAllowPrivate bool
	// TrustedProxies (CRAFTSCODE_TRUSTED_PROXIES, comma-separated CIDRs)
	// are the reverse proxies whose X-Forwarded-For names the client that
	// the sign-in limits count; none means the peer address counts.
	TrustedProxies []netip.Prefix
	// TokenTTL (CRAFTSCODE_TOKEN_TTL, "90d" or a Go duration such as
	// "720h") is how long a new token lasts when none is chosen: personal
	// tokens, and those made with a user (API, user create, demo).
	TokenTTL time.Duration
}

// S3Config selects S3-compatible storage when Endpoint is set.
type S3Config struct {
	Endpoint  string // S3_ENDPOINT, host:port
	AccessKey string // S3_ACCESS_KEY
	SecretKey string // S3_SECRET_KEY
	Bucket    string // S3_BUCKET
	UseSSL    bool   // S3_USE_SSL
	Region    string // S3_REGION
	// PublicURL (S3_PUBLIC_URL, scheme://host[:port]) is where browsers
	// reach the store, which downloads are redirected to; empty means
	// Endpoint with UseSSL's scheme.
	PublicURL string
}

// loadConfig reads the environment through getenv and reports every
// problem at once.
func loadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		Addr:          or(getenv("CRAFTSCODE_ADDR"), ":8080"),
		DataDir:       or(getenv("CRAFTSCODE_DATA_DIR"), "./data"),
		DatabaseURL:   getenv("DATABASE_URL"),
		AdminToken:    strings.TrimSpace(getenv("CRAFTSCODE_ADMIN_TOKEN")),
		PublicURL:     strings.TrimRight(strings.TrimSpace(getenv("CRAFTSCODE_PUBLIC_URL")), "/"),
		BodyLimit:     1 << 20,
		EvidenceLimit: evidence.DefaultLimit,
		ImageLimit:    10 << 20,
		S3: S3Config{
			Endpoint:  getenv("S3_ENDPOINT"),
			AccessKey: getenv("S3_ACCESS_KEY"),
			SecretKey: getenv("S3_SECRET_KEY"),
			Bucket:    or(getenv("S3_BUCKET"), "craftscode"),
			Region:    getenv("S3_REGION"),
			PublicURL: strings.TrimRight(strings.TrimSpace(getenv("S3_PUBLIC_URL")), "/"),
		},
	}
	var problems []string
	if v := getenv("S3_USE_SSL"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			problems = append(problems, "S3_USE_SSL must be true or false")
		}
		c.S3.UseSSL = b
	}
	if v := getenv("CRAFTSCODE_WEBHOOK_ALLOW_PRIVATE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			problems = append(problems, "CRAFTSCODE_WEBHOOK_ALLOW_PRIVATE must be true or false")
		}
		c.WebhookAllowPrivate = b
	}
	if v := getenv("CRAFTSCODE_TRUSTED_PROXIES"); v != "" {
		p, err := ratelimit.ParseProxies(v)
		if err != nil {
			problems = append(problems, "CRAFTSCODE_TRUSTED_PROXIES: "+err.Error())
		}
		c.TrustedProxies = p
	}
	c.TokenTTL = workflow.DefaultTokenTTL
	if v := strings.TrimSpace(getenv("CRAFTSCODE_TOKEN_TTL")); v != "" {
		d, err := parseTTL(v)
		if err != nil || d < time.Hour || d > 5*365*24*time.Hour {
			problems = append(problems, "CRAFTSCODE_TOKEN_TTL must be a number of days (90d) or a duration (720h), from 1h to 1825d")
		}
		c.TokenTTL = d
	}
	if c.S3.Endpoint != "" && (c.S3.AccessKey == "" || c.S3.SecretKey == "") {
		problems = append(problems, "S3_ENDPOINT needs S3_ACCESS_KEY and S3_SECRET_KEY")
	}
	if strings.Contains(c.S3.Endpoint, "://") {
		problems = append(problems, "S3_ENDPOINT is host:port, without a scheme (use S3_USE_SSL)")
	}
	if c.S3.PublicURL != "" {
		if u, err := url.Parse(c.S3.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil {
			problems = append(problems, "S3_PUBLIC_URL must be http(s)://host[:port], without a path")
		}
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		problems = append(problems, "DATABASE_URL must be a postgres:// URL")
	}
	if c.PublicURL != "" && !strings.HasPrefix(c.PublicURL, "http://") && !strings.HasPrefix(c.PublicURL, "https://") {
		problems = append(problems, "CRAFTSCODE_PUBLIC_URL must start with http:// or https://")
	}
	if c.AdminToken != "" && len(c.AdminToken) < 20 {
		problems = append(problems, "CRAFTSCODE_ADMIN_TOKEN must be at least 20 characters")
	}
	if v := getenv("CRAFTSCODE_BODY_LIMIT"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1024 {
			problems = append(problems, "CRAFTSCODE_BODY_LIMIT must be a number of bytes, at least 1024")
		}
		c.BodyLimit = n
	}
	if v := getenv("CRAFTSCODE_EVIDENCE_LIMIT"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1024 {
			problems = append(problems, "CRAFTSCODE_EVIDENCE_LIMIT must be a number of bytes, at least 1024")
		}
		c.EvidenceLimit = n
	}
	if v := getenv("CRAFTSCODE_IMAGE_LIMIT"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1024 {
			problems = append(problems, "CRAFTSCODE_IMAGE_LIMIT must be a number of bytes, at least 1024")
		}
		c.ImageLimit = n
	}
	if v := getenv("CRAFTSCODE_SECRET_KEY"); v != "" {
		k, err := notify.ParseKey(v)
		if err != nil {
			problems = append(problems, "CRAFTSCODE_SECRET_KEY: "+err.Error())
		}
		c.SecretKey = k
	}
	switch url, from := strings.TrimSpace(getenv("CRAFTSCODE_SMTP_URL")), strings.TrimSpace(getenv("CRAFTSCODE_MAIL_FROM")); {
	case url != "" && from == "":
		problems = append(problems, "CRAFTSCODE_SMTP_URL needs CRAFTSCODE_MAIL_FROM, the sender's address")
	case url != "":
		smtp, err := notify.ParseSMTPURL(url, from)
		if err != nil {
			problems = append(problems, "CRAFTSCODE_SMTP_URL: "+err.Error())
		}
		c.SMTP = &smtp
	case from != "":
		problems = append(problems, "CRAFTSCODE_MAIL_FROM is set but CRAFTSCODE_SMTP_URL is not: say which relay sends the mail")
	}
	if v := getenv("CRAFTSCODE_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			problems = append(problems, "CRAFTSCODE_LOG_LEVEL must be debug, info, warn or error")
		}
	}
	if len(problems) > 0 {
		return c, fmt.Errorf("configuration: %s", strings.Join(problems, "; "))
	}
	return c, nil
}

// database is the store's data source: PostgreSQL when configured, else
// the SQLite file in the data folder.
func (c Config) database() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return filepath.Join(c.DataDir, "craftscode.db")
}

// parseTTL reads "90d" as 90 days, else a Go duration ("720h").
func parseTTL(v string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, err
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(v)
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// mailer sends through the configured relay, or writes mail to the log.
func (c Config) mailer(log *slog.Logger) (workflow.Mailer, error) {
	if c.SMTP == nil {
		return notify.LogMailer{Log: log}, nil
	}
	return notify.NewSMTPMailer(*c.SMTP)
}

// secretBox seals webhook secrets under the configured key, or under the
// data folder's key file, made when first needed.
func (c Config) secretBox() (*notify.Box, error) {
	if c.SecretKey != nil {
		return notify.NewBox(c.SecretKey)
	}
	return notify.NewFileBox(filepath.Join(c.DataDir, notify.KeyFileName)), nil
}
