package sqlstore

import (
	"context"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/workflow"
)

// emit records an event for the project's webhook subscribers inside the
// caller's transaction, so that a delivery exists exactly when the change
// that caused it commits. (Webhook subscriptions come with issue 5.)
func (s *Store) emit(ctx context.Context, tx *gorm.DB, ev workflow.Event) error { return nil }
