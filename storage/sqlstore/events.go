package sqlstore

import (
	"context"
	"encoding/json"
	"slices"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/workflow"
)

// emit records an event for the project's webhook subscribers inside the
// caller's transaction, so that a delivery exists exactly when the change
// that caused it commits. It runs on the transition path: a project
// without webhooks costs one indexed query. Each subscribed webhook gets a
// delivery row and a River job in the same transaction; without a queue
// (tests, tools) the rows are written and nothing sends them.
func (s *Store) emit(ctx context.Context, tx *gorm.DB, ev workflow.Event) error {
	stx, err := sqlTx(tx)
	if err != nil {
		return err
	}
	rows, err := stx.QueryContext(ctx, `SELECT id, events FROM webhooks WHERE project_id = $1 AND active`, ev.ProjectID)
	if err != nil {
		return err
	}
	var hooks []string
	for rows.Next() {
		var id, events string
		if err := rows.Scan(&id, &events); err != nil {
			rows.Close()
			return err
		}
		var types []workflow.EventType
		if json.Unmarshal([]byte(events), &types) == nil && slices.Contains(types, ev.Type) {
			hooks = append(hooks, id)
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil || len(hooks) == 0 {
		return err
	}
	if ev.ID == "" {
		ev.ID = workflow.NewID()
	}
	if ev.At.IsZero() {
		ev.At = now()
	}
	ev.At = ev.At.UTC()
	payload, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	at := now()
	for _, hook := range hooks {
		id := workflow.NewID()
		if _, err := stx.ExecContext(ctx, `INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, payload, status, next_attempt_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, id, hook, ev.ID, string(ev.Type), string(payload), workflow.DeliveryPending, at); err != nil {
			return err
		}
		if s.jobs != nil {
			if err := s.jobs.EnqueueWebhook(ctx, stx, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// emitIf emits unless the caller already knows the project has no webhook.
func (s *Store) emitIf(ctx context.Context, tx *gorm.DB, hooks bool, ev workflow.Event) error {
	if !hooks {
		return nil
	}
	return s.emit(ctx, tx, ev)
}
