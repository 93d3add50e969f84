package sqlstore

import (
	"context"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/workflow"
)

// SetProjectLocale sets a project's default language and time zone.
func (s *Store) SetProjectLocale(ctx context.Context, projectID string, l workflow.ProjectLocale) (workflow.Project, error) {
	var out workflow.Project
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&projectRow{}).Where("id = ?", projectID).
			Updates(map[string]any{"language": l.Language, "time_zone": l.TimeZone, "version": gorm.Expr("version + 1")})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return workflow.Errorf(workflow.CodeNotFound, "project not found")
		}
		var row projectRow
		if err := tx.Where("id = ?", projectID).Take(&row).Error; err != nil {
			return notFound(err, "project")
		}
		out = row.domain()
		return nil
	})
	return out, err
}

// SetSettings saves a person's own language and time zone.
func (s *Store) SetSettings(ctx context.Context, userID string, st workflow.Settings) (workflow.User, error) {
	var out workflow.User
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&userRow{}).Where("id = ? AND erased_at IS NULL", userID).
			Updates(map[string]any{"language": st.Language, "time_zone": st.TimeZone})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return workflow.Errorf(workflow.CodeNotFound, "user not found")
		}
		var row userRow
		if err := tx.Where("id = ?", userID).Take(&row).Error; err != nil {
			return notFound(err, "user")
		}
		out = row.domain()
		return nil
	})
	return out, err
}
