package migrations_test

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/craftscode/craftscode/migrations"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
)

// TestGoodPracticesKeepsSQLiteData: 00010 rebuilds the deliverables table
// on SQLite; the rows, the parties (which the drop cascades to) and every
// reference to a deliverable must come through, and the new kind must fit.
func TestGoodPracticesKeepsSQLiteData(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "x.db")+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir, _ := fs.Sub(migrations.FS, "sqlite")
	p, err := goose.NewProvider(goose.DialectSQLite3, db, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 9); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	const at = "2019-01-01 00:00:00"
	exec(`INSERT INTO projects (id, acronym, title, programme, created_at) VALUES ('p', 'CC', 'Crafts', 'Interreg Europe', ?)`, at)
	exec(`INSERT INTO partners (id, project_id, name, short_name, country, region, role, created_at) VALUES ('a', 'p', 'A', 'A', 'HU', 'HU11', 'partner', ?)`, at)
	exec(`INSERT INTO deliverables (id, kind, project_id, partner_id, title, state, version, revision, content, parties, created_at, updated_at, action_count)
		VALUES ('d', 'peer_review', 'p', 'a', 'Review', 'stakeholder_review', 2, 1, '{}', '{"owners":["a"],"peers":[]}', ?, ?, 0)`, at, at)
	exec(`INSERT INTO deliverable_parties (deliverable_id, partner_id, party) VALUES ('d', 'a', 'owner')`)
	exec(`INSERT INTO revisions (deliverable_id, number, snapshot, sha256, created_by, created_at) VALUES ('d', 1, '{}', ?, 'u', ?)`,
		"0000000000000000000000000000000000000000000000000000000000000000", at)
	exec(`INSERT INTO transitions (id, deliverable_id, version, from_state, to_state, trigger, actor_id, revision, at)
		VALUES ('t', 'd', 2, 'draft', 'stakeholder_review', 'submit', 'u', 1, ?)`, at)

	if _, err := p.UpTo(ctx, 10); err != nil {
		t.Fatal(err)
	}
	count := func(q string) int {
		t.Helper()
		var n int
		if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	for q, want := range map[string]int{
		"SELECT count(*) FROM deliverables WHERE id = 'd' AND version = 2 AND revision = 1": 1,
		"SELECT count(*) FROM deliverable_parties WHERE deliverable_id = 'd'":               1,
		"SELECT count(*) FROM revisions WHERE deliverable_id = 'd'":                         1,
		"SELECT count(*) FROM transitions WHERE deliverable_id = 'd'":                       1,
		"SELECT count(*) FROM pragma_foreign_key_check":                                     0,
		// The children still name deliverables, not a table left over from the rebuild.
		"SELECT count(*) FROM sqlite_master WHERE sql LIKE '%deliverables_keep%'":                0,
		"SELECT count(*) FROM sqlite_master WHERE name = 'deliverables_one_plan_per_instrument'": 1,
	} {
		if got := count(q); got != want {
			t.Errorf("%s: %d, want %d", q, got, want)
		}
	}
	exec(`INSERT INTO deliverables (id, kind, project_id, partner_id, title, state, version, revision, content, parties, created_at, updated_at)
		VALUES ('g', 'good_practice', 'p', 'a', 'Practice', 'draft', 1, 0, '{}', '{}', ?, ?)`, at, at)
	// The references are still enforced.
	if _, err := db.ExecContext(ctx, `INSERT INTO deliverable_parties (deliverable_id, partner_id, party) VALUES ('nope', 'a', 'owner')`); err == nil {
		t.Error("a party of a missing deliverable was taken")
	}
}

// TestGoodPracticesDownOnPostgres: 00010 rolls back and applies again on
// PostgreSQL, where it swaps the kind check by name.
func TestGoodPracticesDownOnPostgres(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("pgx", sqlstoretest.DSN(t, sqlstore.Postgres))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir, _ := fs.Sub(migrations.FS, "postgres")
	p, err := goose.NewProvider(goose.DialectPostgres, db, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 9); err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 10); err != nil {
		t.Fatal(err)
	}
}
