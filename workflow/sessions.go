package workflow

import (
	"context"
	"time"
)

// SessionStore keeps the web page's sign-in links and sessions. Only
// hashes (HashToken) of links and session ids are passed in or kept.
type SessionStore interface {
	// CreateLoginLink keeps a one-time sign-in link for the user until
	// expires.
	CreateLoginLink(ctx context.Context, userID, linkHash string, expires time.Time) error
	// UseLoginLink spends a sign-in link and answers its user's id. A link
	// works once and only before it expires; an unknown, used or expired
	// one is not_found.
	UseLoginLink(ctx context.Context, linkHash string) (userID string, err error)
	// CreateSession starts a session of the user that ends at expires.
	CreateSession(ctx context.Context, userID, sessionHash string, expires time.Time) error
	// SessionPrincipal is Authenticate for a session: the caller of an
	// unexpired session, and when it ends. Unknown or expired: not_found.
	SessionPrincipal(ctx context.Context, sessionHash string) (Principal, time.Time, error)
	// DeleteSession ends a session (signing out); an unknown one is not an
	// error.
	DeleteSession(ctx context.Context, sessionHash string) error
}
