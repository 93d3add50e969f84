package migrations_test

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/google/uuid"
	"github.com/pressly/goose/v3"

	"github.com/craftscode/craftscode/migrations"
)

// TestTokensMigration: tokens made before 00016 get an id of their own
// each (a canonical UUID, which the API takes in a path) and keep no
// expiry.
func TestTokensMigration(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "x.db")+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := fs.Sub(migrations.FS, "sqlite")
	p, err := goose.NewProvider(goose.DialectSQLite3, db, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 15); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO users (id, email, name, created_at) VALUES ('u1', 'a@example.org', 'A', CURRENT_TIMESTAMP)`); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"a", "b", "c"} {
		hash := ""
		for range 64 {
			hash += h
		}
		if _, err := db.Exec(`INSERT INTO api_tokens (hash, user_id, label, created_at) VALUES (?, 'u1', 'demo', CURRENT_TIMESTAMP)`, hash); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.UpTo(ctx, 16); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT id, expires_at IS NULL FROM api_tokens`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var id string
		var never bool
		if err := rows.Scan(&id, &never); err != nil {
			t.Fatal(err)
		}
		if u, err := uuid.Parse(id); err != nil || u.String() != id {
			t.Errorf("id %q is not a canonical UUID", id)
		}
		if !never || seen[id] {
			t.Errorf("token %s: no expiry %v, seen before %v", id, never, seen[id])
		}
		seen[id] = true
	}
	if len(seen) != 3 {
		t.Fatalf("%d tokens", len(seen))
	}
}
