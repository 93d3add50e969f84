// Package jobs runs the service's background work on River, whose jobs
// live in the service's own database (PostgreSQL, or SQLite for the
// embedded default). Jobs are inserted in the transaction of the change
// that asks for them, so they exist exactly when that change commits.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/craftscode/craftscode/workflow"
)

// EffectArgs carries a transition's follow-up work.
type EffectArgs struct {
	workflow.EffectJob
}

// Kind names the job type in River's table.
func (EffectArgs) Kind() string { return "deliverable_effects" }

// effectWorker carries out effects. Documents and consultations arrive in
// later issues; for now it records that the effects were handed over. It
// must stay idempotent: River may run a job more than once.
type effectWorker struct {
	river.WorkerDefaults[EffectArgs]
	log *slog.Logger
}

func (w *effectWorker) Work(ctx context.Context, job *river.Job[EffectArgs]) error {
	w.log.InfoContext(ctx, "transition effects", "job_id", job.ID, "deliverable_id", job.Args.DeliverableID,
		"kind", job.Args.Kind, "version", job.Args.Version, "revision", job.Args.Revision,
		"trigger", job.Args.Transition.Trigger, "effects", job.Args.Transition.Effects)
	return nil
}

// Queue inserts jobs and, when started, works them.
type Queue struct {
	client *river.Client[*sql.Tx]
}

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

// New builds a queue on db. With workers it can Start working jobs;
// without, it only inserts (for commands that do not serve).
func New(db *sql.DB, d Dialect, log *slog.Logger, workers bool) (*Queue, error) {
	drv, err := driver(db, d)
	if err != nil {
		return nil, err
	}
	cfg := &river.Config{Logger: log}
	if workers {
		ws := river.NewWorkers()
		river.AddWorker(ws, &effectWorker{log: log})
		cfg.Workers = ws
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}}
	}
	c, err := river.NewClient(drv, cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return &Queue{client: c}, nil
}

// EnqueueEffects inserts the transition's job in the caller's transaction.
func (q *Queue) EnqueueEffects(ctx context.Context, tx *sql.Tx, job workflow.EffectJob) error {
	if _, err := q.client.InsertTx(ctx, tx, EffectArgs{job}, nil); err != nil {
		return fmt.Errorf("jobs: insert: %w", err)
	}
	return nil
}

// Start works jobs until Stop.
func (q *Queue) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop waits for running jobs to finish.
func (q *Queue) Stop(ctx context.Context) error { return q.client.Stop(ctx) }
