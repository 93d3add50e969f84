// Package sqlstoretest gives tests a fresh, migrated store on each backend:
// SQLite in a temp folder, and a real PostgreSQL from TEST_DATABASE_URL in
// a schema of its own.
package sqlstoretest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", for schema set-up

	"github.com/craftscode/craftscode/notify"
	"github.com/craftscode/craftscode/storage/sqlstore"
)

// Backends lists the dialects to run a suite against.
var Backends = []sqlstore.Dialect{sqlstore.SQLite, sqlstore.Postgres}

// RequireBackends reports whether a missing backend must fail the test
// rather than skip it; the project's test script sets it.
func RequireBackends() bool { return os.Getenv("CRAFTSCODE_REQUIRE_BACKENDS") == "1" }

// DSN returns a data source for a fresh, empty database of the dialect,
// removed when the test ends.
func DSN(t testing.TB, d sqlstore.Dialect) string {
	t.Helper()
	if d == sqlstore.SQLite {
		return filepath.Join(t.TempDir(), "craftscode.db")
	}
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		if RequireBackends() {
			t.Fatal("TEST_DATABASE_URL is not set but CRAFTSCODE_REQUIRE_BACKENDS=1: the PostgreSQL suite must run")
		}
		t.Skip("TEST_DATABASE_URL is not set; run ./scripts/test to get a throwaway PostgreSQL")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ExecContext(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// New opens a fresh, migrated store of the dialect, closed at the end.
func New(t testing.TB, d sqlstore.Dialect) *sqlstore.Store {
	t.Helper()
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, DSN(t, d))
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { s.Close() })
	// A fresh server key per store: webhook secrets are sealed under it.
	key := make([]byte, notify.KeySize)
	_, _ = rand.Read(key)
	box, err := notify.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	s.SetSecretBox(box)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	return s
}
