// Package sqlstore keeps the service's data in PostgreSQL or SQLite through
// gorm. Each exported method is one transaction; driver errors are
// translated into workflow error codes here.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/pressly/goose/v3"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/craftscode/craftscode/migrations"
	"github.com/craftscode/craftscode/notify"
	"github.com/craftscode/craftscode/workflow"
)

// Dialect names the database behind a Store.
type Dialect string

const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// Store implements workflow.Store.
type Store struct {
	db      *gorm.DB
	sql     *sql.DB
	dialect Dialect
	jobs    JobQueue
	secrets *notify.Box // seals webhook secrets
	// approval names the template of each kind's approved documents.
	approval map[workflow.Kind]TemplateRef
	// publicURL is where people reach the service (SetPublicURL).
	publicURL string
	// idempotencySwept is when expired idempotency records were last
	// deleted (Unix nanoseconds).
	idempotencySwept atomic.Int64
	// tokenTTL is how long tokens made with a new user or by AddToken
	// last, in nanoseconds (SetTokenTTL); 0 means DefaultTokenTTL.
	tokenTTL atomic.Int64
}

// JobQueue takes follow-up work inside the caller's transaction, so that
// the work is queued exactly when the transaction commits.
type JobQueue interface {
	EnqueueRender(ctx context.Context, tx *sql.Tx, documentID string) error
	EnqueueWebhook(ctx context.Context, tx *sql.Tx, deliveryID string) error
	// EnqueueMail queues a message that is sent, with retries, once the
	// transaction commits.
	EnqueueMail(ctx context.Context, tx *sql.Tx, m workflow.Mail) error
	// CancelMail cancels the queued messages to an address not sent yet.
	CancelMail(ctx context.Context, tx *sql.Tx, to string) error
	// EnqueueNoticeMail queues the mail, to each person who wants it at
	// once, of the notifications of one event.
	EnqueueNoticeMail(ctx context.Context, tx *sql.Tx, eventID string) error
	// EnqueueDigest queues one person's digest, whose notifications the
	// caller has marked with digestID.
	EnqueueDigest(ctx context.Context, tx *sql.Tx, userID, digestID string) error
	// EnqueueFanOut queues the writing of a group notification's rows.
	EnqueueFanOut(ctx context.Context, tx *sql.Tx, eventID string) error
}

// SetJobQueue makes transitions enqueue their effects on q.
func (s *Store) SetJobQueue(q JobQueue) { s.jobs = q }

var _ workflow.Store = (*Store)(nil)

func gormConfig() *gorm.Config {
	return &gorm.Config{
		Logger:                 logger.Discard,
		TranslateError:         true,
		SkipDefaultTransaction: true, // each method opens its own
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}
}

// OpenPostgres connects to PostgreSQL at a postgres:// URL.
func OpenPostgres(ctx context.Context, dsn string) (*Store, error) {
	db, err := gorm.Open(postgres.Open(dsn), gormConfig())
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	s, err := newStore(db, Postgres)
	if err != nil {
		return nil, err
	}
	s.sql.SetMaxOpenConns(32)
	s.sql.SetMaxIdleConns(16)
	s.sql.SetConnMaxIdleTime(5 * time.Minute)
	return s, s.Ping(ctx)
}

// OpenSQLite opens (creating it if needed) the SQLite database file at path.
// WAL lets readers run beside the writer; immediate transactions and a busy
// timeout make concurrent writers queue instead of failing.
func OpenSQLite(ctx context.Context, path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("create database folder: %w", err)
	}
	if err := privateFiles(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// No _time_format: glebarez/go-sqlite v1.21 stops reading the query
	// after it, so _txlock would be ignored and concurrent writers would
	// fail with SQLITE_BUSY on lock upgrade instead of waiting.
	q.Set("_txlock", "immediate")
	db, err := gorm.Open(sqlite.Open("file:"+path+"?"+q.Encode()), gormConfig())
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	s, err := newStore(db, SQLite)
	if err != nil {
		return nil, err
	}
	s.sql.SetMaxOpenConns(8)
	return s, s.Ping(ctx)
}

// privateFiles makes the database file, before SQLite opens it, readable
// by its owner only (0600, like secret.key), and tightens an existing one
// and its -wal and -shm files. SQLite gives the files it makes beside the
// database (-wal, -shm, -journal) the database file's mode.
func privateFiles(path string) error {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	for _, name := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		fi, err := os.Stat(name)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(name, fi.Mode().Perm()&0o600); err != nil {
				return fmt.Errorf("make %s private: %w", name, err)
			}
		}
	}
	return nil
}

// Open picks the backend from the URL: postgres:// or postgresql:// for
// PostgreSQL, anything else is a SQLite file path.
func Open(ctx context.Context, dsn string) (*Store, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return OpenPostgres(ctx, dsn)
	}
	return OpenSQLite(ctx, strings.TrimPrefix(dsn, "sqlite://"))
}

func newStore(db *gorm.DB, d Dialect) (*Store, error) {
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	return &Store{db: db, sql: sqlDB, dialect: d}, nil
}

// Dialect tells which database this is.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB exposes the connection pool, for jobs and benchmarks that share it.
func (s *Store) DB() *sql.DB { return s.sql }

// Close releases the connections.
func (s *Store) Close() error { return s.sql.Close() }

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.sql.PingContext(ctx); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	return nil
}

// Migrate applies the embedded migrations of this dialect.
func (s *Store) Migrate(ctx context.Context) error {
	dir, err := fs.Sub(migrations.FS, string(s.dialect))
	if err != nil {
		return err
	}
	gd := goose.DialectPostgres
	if s.dialect == SQLite {
		gd = goose.DialectSQLite3
	}
	p, err := goose.NewProvider(gd, s.sql, dir)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range res {
		// The search index is filled in Go (its words are folded there)
		// once, when its table is created over existing content.
		if r.Source != nil && r.Source.Version == searchMigration {
			return s.reindexAll(ctx)
		}
	}
	return nil
}

// tx runs fn in one transaction and translates its error.
func (s *Store) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return translate(s.db.WithContext(ctx).Transaction(fn))
}

// translate maps driver errors onto workflow codes; *workflow.Error passes.
func translate(err error) error {
	var we *workflow.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &we):
		return we
	case errors.Is(err, gorm.ErrRecordNotFound):
		return workflow.Errorf(workflow.CodeNotFound, "not found")
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return workflow.Errorf(workflow.CodeConflict, "already exists")
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return workflow.Errorf(workflow.CodeInvalid, "refers to something that does not exist")
	case errors.Is(err, gorm.ErrCheckConstraintViolated):
		return workflow.Errorf(workflow.CodeInvalid, "breaks a rule of the data model")
	}
	return err
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// page applies a keyset page to an id-ordered query and returns the
// rows plus the next cursor.
func page[T any](q *gorm.DB, p workflow.Page, id func(T) string) ([]T, string, error) {
	if p.After != "" {
		q = q.Where("id > ?", p.After)
	}
	var rows []T
	if err := q.Order("id").Limit(p.Limit + 1).Find(&rows).Error; err != nil {
		return nil, "", translate(err)
	}
	next := ""
	if len(rows) > p.Limit {
		rows = rows[:p.Limit]
		next = id(rows[len(rows)-1])
	}
	return rows, next, nil
}
