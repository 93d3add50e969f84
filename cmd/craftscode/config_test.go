package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigDefaults(t *testing.T) {
	c, err := loadConfig(envOf(nil))
	require.NoError(t, err)
	require.Equal(t, ":8080", c.Addr)
	require.Equal(t, "data/craftscode.db", strings.TrimPrefix(c.database(), "./"))
	require.Equal(t, "craftscode", c.S3.Bucket)
	require.Empty(t, c.S3.Endpoint, "no S3 unless configured")
}

func TestConfigErrorsAreAllReported(t *testing.T) {
	_, err := loadConfig(envOf(map[string]string{
		"S3_ENDPOINT":            "http://minio:9000",
		"S3_USE_SSL":             "maybe",
		"DATABASE_URL":           "mysql://x",
		"CRAFTSCODE_ADMIN_TOKEN": "short",
		"CRAFTSCODE_LOG_LEVEL":   "loud",
	}))
	require.Error(t, err)
	for _, want := range []string{"S3_USE_SSL", "S3_ACCESS_KEY", "scheme", "DATABASE_URL", "CRAFTSCODE_ADMIN_TOKEN", "CRAFTSCODE_LOG_LEVEL"} {
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
	p := demoProject
	require.NoError(t, p.Validate())
}
