package workflow

import (
	"context"
	"time"
)

// Page asks for one page of a list ordered by id: at most Limit items with
// an id greater than After.
type Page struct {
	Limit int
	After string
}

// Store is what the service needs from its database. storage/sqlstore
// implements it for PostgreSQL and SQLite; every method is one transaction.
type Store interface {
	Ping(ctx context.Context) error

	// Users and tokens. Only token hashes are passed in or kept.
	CreateUser(ctx context.Context, u *User, tokenHash, tokenLabel string) error
	EnsureAdmin(ctx context.Context, u *User, tokenHash string) error
	AddToken(ctx context.Context, userID, tokenHash, label string) error
	UserByEmail(ctx context.Context, email string) (User, error)
	ListUsers(ctx context.Context, page Page) ([]User, string, error)
	// Authenticate finds the caller by token hash; unknown gives not_found.
	Authenticate(ctx context.Context, tokenHash string) (Principal, error)

	// The consortium. List methods return the items and the next cursor
	// ("" on the last page).
	CreateProject(ctx context.Context, p *Project) error
	Project(ctx context.Context, id string) (Project, error)
	ProjectByAcronym(ctx context.Context, acronym string) (Project, error)
	// ListProjects lists all projects when userID is "", else the user's.
	ListProjects(ctx context.Context, userID string, page Page) ([]Project, string, error)
	CreatePartner(ctx context.Context, p *Partner) error
	ListPartners(ctx context.Context, projectID string, page Page) ([]Partner, string, error)
	CreatePolicyInstrument(ctx context.Context, pi *PolicyInstrument) error
	ListPolicyInstruments(ctx context.Context, projectID string, page Page) ([]PolicyInstrument, string, error)
	CreateStakeholderGroup(ctx context.Context, g *StakeholderGroup) error
	ListStakeholderGroups(ctx context.Context, projectID string, page Page) ([]StakeholderGroup, string, error)
	CreateMembership(ctx context.Context, m *Membership) error
	ListMemberships(ctx context.Context, projectID string, page Page) ([]Membership, string, error)

	// Idempotency keys for POST requests.
	ClaimIdempotencyKey(ctx context.Context, k *IdempotencyRecord) (IdempotencyRecord, bool, error)
	CompleteIdempotencyKey(ctx context.Context, k IdempotencyRecord) error
	ReleaseIdempotencyKey(ctx context.Context, userID, key string) error
}

// IdempotencyRecord remembers the first answer to a POST with an
// Idempotency-Key, per user and key. Status 0 means the first request is
// still running.
type IdempotencyRecord struct {
	UserID      string
	Key         string
	RequestHash string // SHA-256 of method, path and body
	Status      int
	Headers     map[string]string // the headers to replay (Content-Type, ETag, Location)
	Body        []byte
	CreatedAt   time.Time
}
