package workflow

import (
	"context"
	"time"
)

// Personal tokens and deactivation (issue 13): a person makes, lists and
// revokes their own bearer tokens; an admin lists and revokes anyone's and
// deactivates accounts.
const (
	// ActionUserDeactivate and ActionTokenAdmin are global, admin only.
	ActionUserDeactivate Action = "user.deactivate"
	ActionTokenAdmin     Action = "token.admin" // list and revoke another person's tokens
)

// DefaultTokenTTL is how long a new token lasts unless
// CRAFTSCODE_TOKEN_TTL says otherwise.
const DefaultTokenTTL = 90 * 24 * time.Hour

// TokenTouchEvery is how often a token's last use is written at most: a
// token in use does not make every request write the database.
const TokenTouchEvery = time.Minute

// Token is a personal bearer token as it is listed: never the secret,
// which is shown once when it is made and kept only as a hash.
type Token struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	// LastUsedAt is when the token was last used, to TokenTouchEvery;
	// nil when never.
	LastUsedAt *time.Time `json:"last_used_at"`
	// ExpiresAt is when the token stops working; nil when it never does
	// (tokens made before expiry existed, the CRAFTSCODE_ADMIN_TOKEN, and
	// tokens an admin made without expiry).
	ExpiresAt *time.Time `json:"expires_at"`
}

// Expired reports whether the token no longer works at t.
func (t Token) Expired(at time.Time) bool {
	return t.ExpiresAt != nil && !at.Before(*t.ExpiresAt)
}

// NewTokenRequest is what a person asks for: a name and when the token
// ends (nil: never, which only an admin may ask for).
type NewTokenRequest struct {
	Name      string
	ExpiresAt *time.Time
}

// Validate checks a request by p at now.
func (r NewTokenRequest) Validate(p Principal, now time.Time) error {
	var pr Problems
	checkText(&pr, "name", r.Name, true, maxName)
	switch {
	case r.ExpiresAt == nil && !p.User.Admin:
		pr.Add("expires_at", "is required: only an administrator may make a token that never expires")
	case r.ExpiresAt != nil && !r.ExpiresAt.After(now):
		pr.Add("expires_at", "must be in the future")
	case r.ExpiresAt != nil && r.ExpiresAt.After(now.AddDate(5, 0, 0)):
		pr.Add("expires_at", "must be within five years")
	}
	return pr.Err("invalid token")
}

// CheckDeactivate checks that p may deactivate the user with id userID:
// an admin, and not their own account.
func CheckDeactivate(p Principal, userID string) error {
	if err := p.Authorize("", ActionUserDeactivate); err != nil {
		return err
	}
	if userID == p.User.ID {
		return Errorf(CodeConflict, "an administrator may not deactivate their own account")
	}
	return nil
}

// TokenStore keeps personal tokens and deactivates accounts. Only hashes
// (HashToken) of tokens are passed in or kept.
type TokenStore interface {
	// CreateToken keeps a new token of t.UserID under hash, with t's name
	// and expiry (checked by the caller); it sets t.ID and t.CreatedAt.
	CreateToken(ctx context.Context, t *Token, tokenHash string) error
	// ListTokens pages a user's tokens, expired ones too, by id.
	ListTokens(ctx context.Context, userID string, page Page) ([]Token, string, error)
	// RevokeToken deletes a token of userID ("" for anyone's: the command
	// line); not_found when there is no such token of that user.
	RevokeToken(ctx context.Context, userID, tokenID string) (Token, error)
	// TouchToken records a use of the token at at, unless one was
	// recorded within TokenTouchEvery.
	TouchToken(ctx context.Context, tokenHash string, at time.Time) error
	// User reads one user, deactivated ones too; erased or unknown ones
	// are not_found.
	User(ctx context.Context, id string) (User, error)
	// DeactivateUser ends an account at once: its tokens, sessions and
	// sign-in links stop working (sessions and links are deleted); what
	// the person wrote stays under their name. Deactivating again changes
	// nothing.
	DeactivateUser(ctx context.Context, userID string) (User, error)
}
