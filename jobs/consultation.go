package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// SweepConsultationsArgs is the periodic sweep that closes consultations
// whose deadline has passed and reminds the stakeholders of those closing
// soon. It carries nothing: each run looks at every open consultation.
//
// A sweep rather than a job per consultation keeps submit, a hot path,
// to its own rows. Whether a consultation takes comments is decided by
// its deadline when asked, so a sweep that comes a little late only delays
// closed_at and the consultation.closed event, by at most one interval.
type SweepConsultationsArgs struct{}

// Kind names the job type in River's table.
func (SweepConsultationsArgs) Kind() string { return "sweep_consultations" }

// DefaultConsultationSweep is how often the sweep runs.
const DefaultConsultationSweep = time.Minute

// CloseConsultationArgs closes one revision's consultation at its
// deadline. Submit no longer queues it (the sweep does its work); the
// worker stays for the jobs that earlier versions queued.
type CloseConsultationArgs struct {
	DeliverableID string `json:"deliverable_id"`
	Revision      int    `json:"revision"`
}

// Kind names the job type in River's table.
func (CloseConsultationArgs) Kind() string { return "close_consultation" }

// RemindConsultationArgs reminds the stakeholders who have not commented.
// Like CloseConsultationArgs, it is kept for jobs already queued.
type RemindConsultationArgs struct {
	DeliverableID string `json:"deliverable_id"`
	Revision      int    `json:"revision"`
}

// Kind names the job type in River's table.
func (RemindConsultationArgs) Kind() string { return "remind_consultation" }

// ConsultationStore is what the consultation jobs need from the database.
type ConsultationStore interface {
	DueConsultations(ctx context.Context, now time.Time) ([]sqlstore.DueConsultation, error)
	ExpireConsultation(ctx context.Context, deliverableID string, revision int) (bool, error)
	ConsultationReminder(ctx context.Context, deliverableID string, revision int) (sqlstore.Reminder, bool, error)
}

type sweepConsultationsWorker struct {
	river.WorkerDefaults[SweepConsultationsArgs]
	store ConsultationStore
	now   func() time.Time
	log   *slog.Logger
}

// Work does each due close and reminder. Both are idempotent, so a sweep
// that fails half-way and is retried repeats nothing; the first error is
// returned after the rest have been tried, so one bad row holds up no other.
func (w *sweepConsultationsWorker) Work(ctx context.Context, _ *river.Job[SweepConsultationsArgs]) error {
	if w.store == nil {
		return errNoStore
	}
	due, err := w.store.DueConsultations(ctx, w.now())
	if err != nil {
		return err
	}
	var errs []error
	for _, c := range due {
		if c.Close {
			errs = append(errs, expire(ctx, w.store, w.log, c.DeliverableID, c.Revision))
		} else {
			errs = append(errs, remind(ctx, w.store, w.log, c.DeliverableID, c.Revision))
		}
	}
	return errors.Join(errs...)
}

// periodicConsultationSweep runs the sweep every interval, and once when
// the queue starts, so that a restart does not wait a whole interval.
func periodicConsultationSweep(interval time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) { return SweepConsultationsArgs{}, nil },
		&river.PeriodicJobOpts{ID: "sweep_consultations", RunOnStart: true})
}

var errNoStore = errors.New("jobs: no consultation store configured")

type closeConsultationWorker struct {
	river.WorkerDefaults[CloseConsultationArgs]
	store ConsultationStore
	log   *slog.Logger
}

// Work closes the consultation if its deadline has passed.
func (w *closeConsultationWorker) Work(ctx context.Context, job *river.Job[CloseConsultationArgs]) error {
	if w.store == nil {
		return errNoStore
	}
	return expire(ctx, w.store, w.log, job.Args.DeliverableID, job.Args.Revision)
}

// expire closes a consultation whose deadline has passed; one already
// closed (early, or withdrawn) is left as it is.
func expire(ctx context.Context, store ConsultationStore, log *slog.Logger, deliverableID string, revision int) error {
	closed, err := store.ExpireConsultation(ctx, deliverableID, revision)
	if workflow.ErrorCode(err) == workflow.CodeNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if closed {
		log.InfoContext(ctx, "consultation closed at its deadline", "deliverable_id", deliverableID, "revision", revision)
	}
	return nil
}

type remindConsultationWorker struct {
	river.WorkerDefaults[RemindConsultationArgs]
	store ConsultationStore
	log   *slog.Logger
}

// Work sends the consultation's reminder, if it is still due.
func (w *remindConsultationWorker) Work(ctx context.Context, job *river.Job[RemindConsultationArgs]) error {
	if w.store == nil {
		return errNoStore
	}
	return remind(ctx, w.store, w.log, job.Args.DeliverableID, job.Args.Revision)
}

// remind has the store mark the consultation reminded and queue the
// mails to the stakeholders who have not commented, in one transaction:
// the mail jobs retry a relay that is down, and a repeated sweep sends no
// second round.
func remind(ctx context.Context, store ConsultationStore, log *slog.Logger, deliverableID string, revision int) error {
	r, due, err := store.ConsultationReminder(ctx, deliverableID, revision)
	if workflow.ErrorCode(err) == workflow.CodeNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if due {
		log.InfoContext(ctx, "consultation reminders queued", "deliverable_id", deliverableID, "revision", revision, "mails", len(r.To))
	}
	return nil
}
