package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/notify"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigDefaults(t *testing.T) {
	c, err := loadConfig(envOf(nil))
	require.NoError(t, err)
	require.Equal(t, ":8080", c.Addr)
	require.Equal(t, "data/craftscode.db", strings.TrimPrefix(c.database(), "./"))
	require.Equal(t, "craftscode", c.S3.Bucket)
	require.Empty(t, c.S3.Endpoint, "no S3 unless configured")
	require.Equal(t, int64(50<<20), c.EvidenceLimit, "evidence uploads default to 50 MB")
	require.False(t, c.WebhookAllowPrivate, "webhooks reach no loopback or private address unless allowed")
	require.Empty(t, c.TrustedProxies, "no proxy is trusted unless configured")

	c, err = loadConfig(envOf(map[string]string{"CRAFTSCODE_EVIDENCE_LIMIT": "209715200"}))
	require.NoError(t, err)
	require.Equal(t, int64(200<<20), c.EvidenceLimit)
}

func TestConfigTrustedProxies(t *testing.T) {
	c, err := loadConfig(envOf(map[string]string{"CRAFTSCODE_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7,fd00::/8"}))
	require.NoError(t, err)
	require.Len(t, c.TrustedProxies, 3)
	require.Equal(t, "10.0.0.0/8", c.TrustedProxies[0].String())
	require.Equal(t, "192.0.2.7/32", c.TrustedProxies[1].String())
}

func TestConfigErrorsAreAllReported(t *testing.T) {
	_, err := loadConfig(envOf(map[string]string{
		"S3_ENDPOINT":                      "http://minio:9000",
		"S3_USE_SSL":                       "maybe",
		"S3_PUBLIC_URL":                    "https://files.example/bucket",
		"DATABASE_URL":                     "mysql://x",
		"CRAFTSCODE_ADMIN_TOKEN":           "short",
		"CRAFTSCODE_LOG_LEVEL":             "loud",
		"CRAFTSCODE_SECRET_KEY":            "0123456789abcdef",
		"CRAFTSCODE_EVIDENCE_LIMIT":        "50MB",
		"CRAFTSCODE_WEBHOOK_ALLOW_PRIVATE": "sometimes",
		"CRAFTSCODE_TRUSTED_PROXIES":       "10.0.0.0/8,proxy.internal",
	}))
	require.Error(t, err)
	for _, want := range []string{"CRAFTSCODE_EVIDENCE_LIMIT", "S3_USE_SSL", "S3_PUBLIC_URL", "S3_ACCESS_KEY", "scheme", "DATABASE_URL", "CRAFTSCODE_ADMIN_TOKEN", "CRAFTSCODE_LOG_LEVEL", "CRAFTSCODE_SECRET_KEY", "CRAFTSCODE_WEBHOOK_ALLOW_PRIVATE", "CRAFTSCODE_TRUSTED_PROXIES"} {
		require.Contains(t, err.Error(), want)
	}
}

func TestDemoDataIsValid(t *testing.T) {
	for _, d := range demoPartners {
		p := d.partner
		p.Normalize()
		require.Equal(t, d.partner, p, "demo data is already normalised")
		require.NoError(t, p.Validate(), d.partner.Name)
	}
	p := demoProject(time.Now())
	require.NoError(t, p.Validate())
}

func TestSecretKey(t *testing.T) {
	key := strings.Repeat("ab", 32)
	c, err := loadConfig(envOf(map[string]string{"CRAFTSCODE_SECRET_KEY": key, "CRAFTSCODE_DATA_DIR": t.TempDir()}))
	require.NoError(t, err)
	box, err := c.secretBox()
	require.NoError(t, err)
	sealed, err := box.Seal([]byte("s"), nil)
	require.NoError(t, err)
	require.NoFileExists(t, filepath.Join(c.DataDir, notify.KeyFileName), "a configured key needs no file")

	// Without it, the data folder's key file, made once and reused.
	dir := t.TempDir()
	c, err = loadConfig(envOf(map[string]string{"CRAFTSCODE_DATA_DIR": dir}))
	require.NoError(t, err)
	box, err = c.secretBox()
	require.NoError(t, err)
	_, err = box.Open(sealed, nil)
	require.Error(t, err, "another key")
	sealed, err = box.Seal([]byte("s"), nil)
	require.NoError(t, err)
	require.FileExists(t, filepath.Join(dir, notify.KeyFileName))
	again, err := c.secretBox()
	require.NoError(t, err)
	plain, err := again.Open(sealed, nil)
	require.NoError(t, err)
	require.Equal(t, "s", string(plain))
}

func TestConfigMail(t *testing.T) {
	c, err := loadConfig(envOf(nil))
	require.NoError(t, err)
	m, err := c.mailer(nil)
	require.NoError(t, err)
	require.IsType(t, notify.LogMailer{}, m, "without a relay, mail goes to the log")

	c, err = loadConfig(envOf(map[string]string{"CRAFTSCODE_SMTP_URL": "smtp://app:pw@mail.example.org", "CRAFTSCODE_MAIL_FROM": "noreply@crafts.example"}))
	require.NoError(t, err)
	require.Equal(t, "mail.example.org", c.SMTP.Host)
	require.Equal(t, 587, c.SMTP.Port)
	require.Equal(t, "starttls", c.SMTP.Security)
	m, err = c.mailer(nil)
	require.NoError(t, err)
	require.IsType(t, &notify.SMTPMailer{}, m)

	for env, want := range map[[2]string]string{
		{"smtp://mail.example.org", ""}:        "needs CRAFTSCODE_MAIL_FROM",
		{"", "noreply@crafts.example"}:         "CRAFTSCODE_SMTP_URL is not",
		{"mail.example.org:25", "noreply@x.y"}: "CRAFTSCODE_SMTP_URL: ",
		{"smtp://mail.example.org", "nobody"}:  "CRAFTSCODE_MAIL_FROM",
	} {
		_, err := loadConfig(envOf(map[string]string{"CRAFTSCODE_SMTP_URL": env[0], "CRAFTSCODE_MAIL_FROM": env[1]}))
		require.ErrorContains(t, err, want, env)
	}
}
