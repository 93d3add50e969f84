package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// RemindReportsArgs is the periodic sweep that sends progress_report.due
// events. It carries nothing: each run looks at every monitored plan.
type RemindReportsArgs struct{}

// Kind names the job type in River's table.
func (RemindReportsArgs) Kind() string { return "remind_progress_reports" }

// ReportStore is what the reminder sweep needs from the database.
type ReportStore interface {
	// RemindDueReports emits each due reminder once and says how many.
	RemindDueReports(ctx context.Context, now time.Time) (int, error)
}

// DefaultReminderInterval is how often the sweep runs. Reminders are due
// by the day and sent once, so an hour only bounds how late in its day one
// goes out.
const DefaultReminderInterval = time.Hour

type remindReportsWorker struct {
	river.WorkerDefaults[RemindReportsArgs]
	store ReportStore
	now   func() time.Time
	log   *slog.Logger
}

func (w *remindReportsWorker) Work(ctx context.Context, _ *river.Job[RemindReportsArgs]) error {
	if w.store == nil {
		return errors.New("jobs: no report store configured")
	}
	n, err := w.store.RemindDueReports(ctx, w.now())
	if err != nil {
		return err
	}
	if n > 0 {
		w.log.InfoContext(ctx, "progress report reminders sent", "count", n)
	}
	return nil
}

// periodicReminders is the sweep's schedule: every interval, and once when
// the queue starts, so that a restart does not wait a whole interval.
func periodicReminders(interval time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) { return RemindReportsArgs{}, nil },
		&river.PeriodicJobOpts{ID: "remind_progress_reports", RunOnStart: true})
}
