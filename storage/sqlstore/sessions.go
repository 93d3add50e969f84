package sqlstore

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/workflow"
)

type loginLinkRow struct {
	Hash      string
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (loginLinkRow) TableName() string { return "ui_login_links" }

type sessionRow struct {
	Hash      string
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

func (sessionRow) TableName() string { return "ui_sessions" }

func (s *Store) CreateLoginLink(ctx context.Context, userID, linkHash string, expires time.Time) error {
	t := now()
	return s.tx(ctx, func(tx *gorm.DB) error {
		// Spent and stale links of this user are of no further use.
		if err := tx.Where("user_id = ? AND (used_at IS NOT NULL OR expires_at < ?)", userID, t).Delete(&loginLinkRow{}).Error; err != nil {
			return err
		}
		return tx.Create(&loginLinkRow{Hash: linkHash, UserID: userID, CreatedAt: t, ExpiresAt: expires.UTC()}).Error
	})
}

func (s *Store) UseLoginLink(ctx context.Context, linkHash string) (string, error) {
	var userID string
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var row loginLinkRow
		if err := tx.Where("hash = ?", linkHash).Take(&row).Error; err != nil {
			return notFound(err, "sign-in link")
		}
		t := now()
		if row.UsedAt != nil || !t.Before(row.ExpiresAt) {
			return workflow.Errorf(workflow.CodeNotFound, "sign-in link not found")
		}
		// The used_at condition makes a second, concurrent use lose.
		res := tx.Model(&loginLinkRow{}).Where("hash = ? AND used_at IS NULL", linkHash).Update("used_at", t)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return workflow.Errorf(workflow.CodeNotFound, "sign-in link not found")
		}
		userID = row.UserID
		return nil
	})
	return userID, err
}

func (s *Store) CreateSession(ctx context.Context, userID, sessionHash string, expires time.Time) error {
	t := now()
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("user_id = ? AND expires_at < ?", userID, t).Delete(&sessionRow{}).Error; err != nil {
			return err
		}
		return tx.Create(&sessionRow{Hash: sessionHash, UserID: userID, CreatedAt: t, ExpiresAt: expires.UTC()}).Error
	})
}

func (s *Store) SessionPrincipal(ctx context.Context, sessionHash string) (workflow.Principal, time.Time, error) {
	var row sessionRow
	if err := s.db.WithContext(ctx).Where("hash = ?", sessionHash).Take(&row).Error; err != nil {
		return workflow.Principal{}, time.Time{}, notFound(err, "session")
	}
	if !now().Before(row.ExpiresAt) {
		return workflow.Principal{}, time.Time{}, workflow.Errorf(workflow.CodeNotFound, "session not found")
	}
	p, err := s.principal(ctx, "users u", "u.id = $1", row.UserID)
	return p, row.ExpiresAt.UTC(), err
}

func (s *Store) DeleteSession(ctx context.Context, sessionHash string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Where("hash = ?", sessionHash).Delete(&sessionRow{}).Error
	})
}
