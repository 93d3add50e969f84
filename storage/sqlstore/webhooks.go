package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/notify"
	"github.com/craftscode/craftscode/workflow"
)

type webhookRow struct {
	ID           string
	ProjectID    string
	URL          string
	Events       string // JSON list of event types
	SecretSealed string
	Active       bool
	CreatedBy    string
	CreatedAt    time.Time
	DeletedAt    *time.Time
}

func (webhookRow) TableName() string { return "webhooks" }

func (r webhookRow) domain() workflow.Webhook {
	w := workflow.Webhook{ID: r.ID, ProjectID: r.ProjectID, URL: r.URL, Active: r.Active, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
	// Written by CreateWebhook only; a list that does not decode is empty.
	_ = json.Unmarshal([]byte(r.Events), &w.Events)
	if w.Events == nil {
		w.Events = []workflow.EventType{}
	}
	return w
}

type deliveryRow struct {
	ID             string
	WebhookID      string
	EventID        string
	EventType      string
	Payload        string
	Status         string
	Attempts       int
	LastStatusCode int
	LastError      string
	LastAttemptAt  *time.Time
	NextAttemptAt  *time.Time
	CreatedAt      time.Time
	DeliveredAt    *time.Time
}

func (deliveryRow) TableName() string { return "webhook_deliveries" }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (r deliveryRow) domain() workflow.WebhookDelivery {
	return workflow.WebhookDelivery{ID: r.ID, WebhookID: r.WebhookID, EventID: r.EventID, EventType: workflow.EventType(r.EventType),
		Status: r.Status, Attempts: r.Attempts, LastStatusCode: r.LastStatusCode, LastError: r.LastError,
		LastAttemptAt: utcPtr(r.LastAttemptAt), NextAttemptAt: utcPtr(r.NextAttemptAt), CreatedAt: r.CreatedAt.UTC(),
		DeliveredAt: utcPtr(r.DeliveredAt), Payload: []byte(r.Payload)}
}

// SetSecretBox gives the store the server key's box, which seals webhook
// secrets before they are written and opens them for the delivery worker.
func (s *Store) SetSecretBox(b *notify.Box) { s.secrets = b }

func (s *Store) box() (*notify.Box, error) {
	if s.secrets == nil {
		return nil, errors.New("webhook secrets need a server key, and none is set")
	}
	return s.secrets, nil
}

func (s *Store) CreateWebhook(ctx context.Context, w *workflow.Webhook) error {
	box, err := s.box()
	if err != nil {
		return err
	}
	w.ID, w.CreatedAt, w.Active = workflow.NewID(), now(), true
	sealed, err := box.Seal([]byte(w.Secret), []byte(w.ID))
	if err != nil {
		return err
	}
	events, err := json.Marshal(w.Events)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		// Every event costs a row and a job per webhook; keep that bounded.
		var n int64
		if err := tx.Model(&webhookRow{}).Where("project_id = ? AND active", w.ProjectID).Count(&n).Error; err != nil {
			return err
		}
		if n >= workflow.MaxWebhooksPerProject {
			return workflow.Errorf(workflow.CodeConflict, "a project has at most %d webhooks; remove one first", workflow.MaxWebhooksPerProject)
		}
		return tx.Create(&webhookRow{ID: w.ID, ProjectID: w.ProjectID, URL: w.URL, Events: string(events), SecretSealed: sealed,
			Active: true, CreatedBy: w.CreatedBy, CreatedAt: w.CreatedAt}).Error
	})
}

func (s *Store) Webhook(ctx context.Context, id string) (workflow.Webhook, error) {
	var row webhookRow
	if err := s.db.WithContext(ctx).Where("id = ? AND active", id).Take(&row).Error; err != nil {
		return workflow.Webhook{}, notFound(err, "webhook")
	}
	return row.domain(), nil
}

func (s *Store) ListWebhooks(ctx context.Context, projectID string, p workflow.Page) ([]workflow.Webhook, string, error) {
	q := s.db.WithContext(ctx).Model(&webhookRow{}).Where("project_id = ? AND active", projectID)
	rows, next, err := page(q, p, func(r webhookRow) string { return r.ID })
	return mapRows(rows, webhookRow.domain), next, err
}

func (s *Store) DeleteWebhook(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		at := now()
		res := tx.Model(&webhookRow{}).Where("id = ? AND active", id).Updates(map[string]any{"active": false, "deleted_at": at})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return workflow.Errorf(workflow.CodeNotFound, "webhook not found")
		}
		// Their jobs find them no longer pending and stop.
		return tx.Model(&deliveryRow{}).Where("webhook_id = ? AND status = ?", id, workflow.DeliveryPending).
			Updates(map[string]any{"status": workflow.DeliveryFailed, "last_error": "the webhook was removed", "next_attempt_at": nil}).Error
	})
}

func (s *Store) ListDeliveries(ctx context.Context, webhookID, status string, p workflow.Page) ([]workflow.WebhookDelivery, string, error) {
	q := s.db.WithContext(ctx).Model(&deliveryRow{}).Where("webhook_id = ?", webhookID)
	if status != "" {
		q = q.Where("status = ?", status)
	}
	rows, next, err := page(q, p, func(r deliveryRow) string { return r.ID })
	return mapRows(rows, deliveryRow.domain), next, err
}

// The delivery job's side.

// DeliveryInput gives the delivery job its delivery and the webhook, with
// the secret opened. The webhook may be inactive (removed meanwhile).
func (s *Store) DeliveryInput(ctx context.Context, id string) (workflow.WebhookDelivery, workflow.Webhook, error) {
	var d deliveryRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&d).Error; err != nil {
		return workflow.WebhookDelivery{}, workflow.Webhook{}, notFound(err, "delivery")
	}
	var w webhookRow
	if err := s.db.WithContext(ctx).Where("id = ?", d.WebhookID).Take(&w).Error; err != nil {
		return workflow.WebhookDelivery{}, workflow.Webhook{}, notFound(err, "webhook")
	}
	box, err := s.box()
	if err != nil {
		return workflow.WebhookDelivery{}, workflow.Webhook{}, err
	}
	secret, err := box.Open(w.SecretSealed, []byte(w.ID))
	if err != nil {
		return workflow.WebhookDelivery{}, workflow.Webhook{}, err
	}
	hook := w.domain()
	hook.Secret = string(secret)
	return d.domain(), hook, nil
}

// RecordDeliveryAttempt writes one attempt's outcome to a pending
// delivery; a delivery that is no longer pending is left as it is.
func (s *Store) RecordDeliveryAttempt(ctx context.Context, id string, a workflow.DeliveryAttempt) error {
	at := a.At.UTC().Truncate(time.Microsecond)
	up := map[string]any{"attempts": gorm.Expr("attempts + 1"), "last_status_code": a.StatusCode,
		"last_error": truncate(a.Error, 1000), "last_attempt_at": at, "next_attempt_at": nil}
	switch {
	case a.Delivered:
		up["status"], up["delivered_at"], up["last_error"] = workflow.DeliveryDelivered, at, ""
	case a.GiveUp:
		up["status"] = workflow.DeliveryFailed
	default:
		next := a.NextAt.UTC().Truncate(time.Microsecond)
		up["next_attempt_at"] = next
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&deliveryRow{}).Where("id = ? AND status = ?", id, workflow.DeliveryPending).Updates(up).Error
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary.
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
