package sqlstore

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/workflow"
)

// SetTokenTTL sets how long the tokens made with a new user (CreateUser)
// or by AddToken last: CRAFTSCODE_TOKEN_TTL. The default is
// workflow.DefaultTokenTTL. CreateToken takes the expiry it is given, and
// EnsureAdmin's bootstrap token never expires.
func (s *Store) SetTokenTTL(d time.Duration) { s.tokenTTL.Store(int64(d)) }

func (s *Store) defaultTokenTTL() time.Duration {
	if d := time.Duration(s.tokenTTL.Load()); d > 0 {
		return d
	}
	return workflow.DefaultTokenTTL
}

// newTokenRow is a token made with a user or by AddToken, expiring after
// the store's token TTL.
func (s *Store) newTokenRow(hash, userID, label string, at time.Time) *tokenRow {
	exp := at.Add(s.defaultTokenTTL())
	return &tokenRow{Hash: hash, ID: workflow.NewID(), UserID: userID, Label: label, CreatedAt: at, ExpiresAt: &exp}
}

func (r tokenRow) domain() workflow.Token {
	return workflow.Token{ID: r.ID, UserID: r.UserID, Name: r.Label, CreatedAt: r.CreatedAt.UTC(),
		LastUsedAt: utcPtr(r.LastUsedAt), ExpiresAt: utcPtr(r.ExpiresAt)}
}

func (s *Store) CreateToken(ctx context.Context, t *workflow.Token, tokenHash string) error {
	t.ID, t.CreatedAt, t.LastUsedAt = workflow.NewID(), now(), nil
	if t.ExpiresAt != nil {
		e := t.ExpiresAt.UTC().Truncate(time.Microsecond)
		t.ExpiresAt = &e
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&userRow{}).Where("id = ? AND erased_at IS NULL AND deactivated_at IS NULL", t.UserID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return workflow.Errorf(workflow.CodeNotFound, "user not found")
		}
		return tx.Create(&tokenRow{Hash: tokenHash, ID: t.ID, UserID: t.UserID, Label: t.Name,
			CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt}).Error
	})
}

func (s *Store) ListTokens(ctx context.Context, userID string, p workflow.Page) ([]workflow.Token, string, error) {
	rows, next, err := page(s.db.WithContext(ctx).Model(&tokenRow{}).Where("user_id = ?", userID), p,
		func(r tokenRow) string { return r.ID })
	return mapRows(rows, tokenRow.domain), next, err
}

func (s *Store) RevokeToken(ctx context.Context, userID, tokenID string) (workflow.Token, error) {
	var out workflow.Token
	if !workflow.ValidID(tokenID) {
		return out, workflow.Errorf(workflow.CodeNotFound, "token not found")
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		q := tx.Where("id = ?", tokenID)
		if userID != "" {
			q = q.Where("user_id = ?", userID)
		}
		var row tokenRow
		if err := q.Take(&row).Error; err != nil {
			return notFound(err, "token")
		}
		out = row.domain()
		return tx.Where("hash = ?", row.Hash).Delete(&tokenRow{}).Error
	})
	return out, err
}

func (s *Store) TouchToken(ctx context.Context, tokenHash string, at time.Time) error {
	at = at.UTC().Truncate(time.Microsecond)
	return translate(s.db.WithContext(ctx).Model(&tokenRow{}).
		Where("hash = ? AND (last_used_at IS NULL OR last_used_at < ?)", tokenHash, at.Add(-workflow.TokenTouchEvery)).
		Update("last_used_at", at).Error)
}

func (s *Store) User(ctx context.Context, id string) (workflow.User, error) {
	var row userRow
	if !workflow.ValidID(id) {
		return workflow.User{}, workflow.Errorf(workflow.CodeNotFound, "user not found")
	}
	if err := s.db.WithContext(ctx).Where("id = ? AND erased_at IS NULL", id).Take(&row).Error; err != nil {
		return workflow.User{}, notFound(err, "user")
	}
	return row.domain(), nil
}

func (s *Store) DeactivateUser(ctx context.Context, userID string) (workflow.User, error) {
	var out workflow.User
	if !workflow.ValidID(userID) {
		return out, workflow.Errorf(workflow.CodeNotFound, "user not found")
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var row userRow
		if err := tx.Where("id = ? AND erased_at IS NULL", userID).Take(&row).Error; err != nil {
			return notFound(err, "user")
		}
		if row.DeactivatedAt == nil {
			at := now()
			row.DeactivatedAt = &at
			if err := tx.Model(&userRow{}).Where("id = ?", userID).Update("deactivated_at", at).Error; err != nil {
				return err
			}
		}
		// Sessions and sign-in links end now; the tokens stay listed but
		// no longer authenticate (Authenticate skips deactivated users).
		for _, table := range []string{"ui_sessions", "ui_login_links"} {
			if err := tx.Exec(`DELETE FROM `+table+` WHERE user_id = ?`, userID).Error; err != nil {
				return err
			}
		}
		out = row.domain()
		return nil
	})
	return out, err
}
