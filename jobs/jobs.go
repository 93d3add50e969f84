// Package jobs runs the service's background work on River, whose jobs
// live in the service's own database (PostgreSQL, or SQLite for the
// embedded default). Jobs are inserted in the transaction of the change
// that asks for them, so they exist exactly when that change commits.
package jobs

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/notify"
	"github.com/craftscode/craftscode/workflow"
)

// Queue inserts jobs and, when started, works them.
type Queue struct {
	client      *river.Client[*sql.Tx]
	rescueAfter time.Duration
}

// DefaultJobTimeout bounds one attempt of a job whose worker sets no
// timeout of its own (mail, the consultation and report sweeps): River's
// default, made explicit because the rescue bound depends on it.
const DefaultJobTimeout = time.Minute

// rescueMargin is how long past the longest job timeout a job may still be
// `running` before River takes its process for dead and rescues it (retries
// it, or discards it after its last attempt). A live worker's attempt has
// its context cancelled at its timeout, so only a dead process leaves a
// job running that long; River's own default waits an hour.
const rescueMargin = time.Minute

// RescueStuckJobsAfter is how long a job may stay `running` before River
// rescues it: the longest job timeout of this queue plus rescueMargin.
func (q *Queue) RescueStuckJobsAfter() time.Duration { return q.rescueAfter }

// Dialect is "postgres" or "sqlite".
type Dialect string

func driver(db *sql.DB, d Dialect) (riverdriver.Driver[*sql.Tx], error) {
	switch d {
	case "postgres":
		return riverdatabasesql.New(db), nil
	case "sqlite":
		return riversqlite.New(db), nil
	}
	return nil, fmt.Errorf("jobs: unknown dialect %q", d)
}

// Migrate applies River's own migrations.
func Migrate(ctx context.Context, db *sql.DB, d Dialect) error {
	drv, err := driver(db, d)
	if err != nil {
		return err
	}
	m, err := rivermigrate.New(drv, nil)
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	return nil
}

// Workers are what the queue's jobs need to run. A queue without them
// only inserts (for commands that do not serve).
type Workers struct {
	Documents DocumentStore
	Blobs     documents.BlobStore
	// Consultations, when set, runs the periodic sweep that closes
	// consultations at their deadline and reminds stakeholders, every
	// ConsultationSweep (DefaultConsultationSweep when 0). Mailer sends
	// queued mail (reminders); without one, mail jobs are cancelled.
	Consultations     ConsultationStore
	Mailer            workflow.Mailer
	ConsultationSweep time.Duration
	// Webhooks, when set, makes the queue deliver webhooks.
	Webhooks DeliveryStore
	// WebhookTimeout bounds one delivery attempt (DefaultWebhookTimeout
	// when 0); WebhookBackoff is the wait before the first retry
	// (DefaultWebhookBackoff when 0), doubling after each failure.
	WebhookTimeout time.Duration
	WebhookBackoff time.Duration
	// WebhookAllowPrivate lets deliveries reach loopback and private
	// addresses (CRAFTSCODE_WEBHOOK_ALLOW_PRIVATE); reserved and internal
	// ones are refused whatever it says.
	WebhookAllowPrivate bool
	// Reports, when set, runs the periodic sweep that sends
	// progress_report.due events, every ReminderInterval
	// (DefaultReminderInterval when 0). Now is the sweep's clock
	// (time.Now when nil), which tests set.
	Reports          ReportStore
	ReminderInterval time.Duration
	Now              func() time.Time
	// Notices, when set with Mailer, sends notification mail: at once, and
	// the daily digests, looked for every DigestSweep (DefaultDigestSweep
	// when 0).
	Notices     NoticeStore
	DigestSweep time.Duration
}

// New builds a queue on db.
func New(db *sql.DB, d Dialect, log *slog.Logger, w *Workers) (*Queue, error) {
	drv, err := driver(db, d)
	if err != nil {
		return nil, err
	}
	cfg := &river.Config{Logger: log, JobTimeout: DefaultJobTimeout}
	longest := DefaultJobTimeout // the longest timeout of any worker here
	if w != nil {
		longest = max(longest, renderTimeout)
		ws := river.NewWorkers()
		river.AddWorker(ws, &renderWorker{store: w.Documents, blobs: w.Blobs, log: log})
		// The per-consultation workers run jobs queued by earlier versions.
		river.AddWorker(ws, &closeConsultationWorker{store: w.Consultations, log: log})
		river.AddWorker(ws, &remindConsultationWorker{store: w.Consultations, log: log})
		now := w.Now
		if now == nil {
			now = time.Now
		}
		river.AddWorker(ws, &mailWorker{mailer: w.Mailer, log: log})
		river.AddWorker(ws, &sweepConsultationsWorker{store: w.Consultations, now: now, log: log})
		river.AddWorker(ws, &remindReportsWorker{store: w.Reports, now: now, log: log})
		letters, err := notify.NewLetters()
		if err != nil {
			return nil, err
		}
		box := &letterBox{store: w.Notices, mailer: w.Mailer, letters: letters, log: log}
		river.AddWorker(ws, &noticeMailWorker{letterBox: box})
		river.AddWorker(ws, &digestWorker{letterBox: box})
		river.AddWorker(ws, &fanOutWorker{store: w.Notices})
		river.AddWorker(ws, &sweepDigestsWorker{store: w.Notices, now: now, log: log})
		cfg.Workers = ws
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}}
		if w.Consultations != nil {
			cfg.PeriodicJobs = append(cfg.PeriodicJobs, periodicConsultationSweep(cmp.Or(w.ConsultationSweep, DefaultConsultationSweep)))
		}
		if w.Reports != nil {
			cfg.PeriodicJobs = append(cfg.PeriodicJobs, periodicReminders(cmp.Or(w.ReminderInterval, DefaultReminderInterval)))
		}
		if w.Notices != nil {
			cfg.PeriodicJobs = append(cfg.PeriodicJobs, periodicDigestSweep(cmp.Or(w.DigestSweep, DefaultDigestSweep)))
		}
		if w.Webhooks != nil {
			timeout := cmp.Or(w.WebhookTimeout, DefaultWebhookTimeout)
			longest = max(longest, webhookJobTimeout(timeout))
			river.AddWorker(ws, &webhookWorker{store: w.Webhooks, log: log,
				client:  webhookClient(timeout, w.WebhookAllowPrivate),
				backoff: cmp.Or(w.WebhookBackoff, DefaultWebhookBackoff)})
			// Waiting on receivers costs no CPU; more of them may run.
			cfg.Queues[WebhookQueue] = river.QueueConfig{MaxWorkers: 8}
		}
	}
	// A job left running by a process that died is rescued soon after the
	// longest attempt could have ended, not after River's default hour.
	cfg.RescueStuckJobsAfter = longest + rescueMargin
	c, err := river.NewClient(drv, cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return &Queue{client: c, rescueAfter: cfg.RescueStuckJobsAfter}, nil
}

// EnqueueRender inserts a document's render job in the caller's
// transaction.
func (q *Queue) EnqueueRender(ctx context.Context, tx *sql.Tx, documentID string) error {
	if _, err := q.client.InsertTx(ctx, tx, RenderArgs{DocumentID: documentID}, nil); err != nil {
		return fmt.Errorf("jobs: insert: %w", err)
	}
	return nil
}

// EnqueueWebhook inserts a delivery's job in the caller's transaction.
func (q *Queue) EnqueueWebhook(ctx context.Context, tx *sql.Tx, deliveryID string) error {
	if _, err := q.client.InsertTx(ctx, tx, WebhookArgs{DeliveryID: deliveryID}, nil); err != nil {
		return fmt.Errorf("jobs: insert: %w", err)
	}
	return nil
}

// Start works jobs until Stop.
func (q *Queue) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop waits for running jobs to finish.
func (q *Queue) Stop(ctx context.Context) error { return q.client.Stop(ctx) }
