package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// CloseConsultationArgs closes a revision's consultation at its deadline.
type CloseConsultationArgs struct {
	DeliverableID string `json:"deliverable_id"`
	Revision      int    `json:"revision"`
}

// Kind names the job type in River's table.
func (CloseConsultationArgs) Kind() string { return "close_consultation" }

// RemindConsultationArgs reminds the stakeholders who have not commented.
type RemindConsultationArgs struct {
	DeliverableID string `json:"deliverable_id"`
	Revision      int    `json:"revision"`
}

// Kind names the job type in River's table.
func (RemindConsultationArgs) Kind() string { return "remind_consultation" }

// ConsultationStore is what the consultation jobs need from the database.
type ConsultationStore interface {
	ExpireConsultation(ctx context.Context, deliverableID string, revision int) (bool, error)
	ConsultationReminder(ctx context.Context, deliverableID string, revision int) (sqlstore.Reminder, bool, error)
}

// EnqueueConsultation inserts both jobs of a new consultation in the
// caller's transaction, in one round trip (submit is a hot path).
func (q *Queue) EnqueueConsultation(ctx context.Context, tx *sql.Tx, deliverableID string, revision int, remindAt, deadline time.Time) error {
	_, err := q.client.InsertManyTx(ctx, tx, []river.InsertManyParams{
		{Args: RemindConsultationArgs{DeliverableID: deliverableID, Revision: revision}, InsertOpts: &river.InsertOpts{ScheduledAt: remindAt}},
		{Args: CloseConsultationArgs{DeliverableID: deliverableID, Revision: revision}, InsertOpts: &river.InsertOpts{ScheduledAt: deadline}},
	})
	if err != nil {
		return fmt.Errorf("jobs: insert: %w", err)
	}
	return nil
}

var errNoStore = errors.New("jobs: no consultation store configured")

type closeConsultationWorker struct {
	river.WorkerDefaults[CloseConsultationArgs]
	store ConsultationStore
	log   *slog.Logger
}

// Work closes the consultation; it is idempotent, and one already closed
// (early, or withdrawn) is left as it is.
func (w *closeConsultationWorker) Work(ctx context.Context, job *river.Job[CloseConsultationArgs]) error {
	if w.store == nil {
		return errNoStore
	}
	closed, err := w.store.ExpireConsultation(ctx, job.Args.DeliverableID, job.Args.Revision)
	if workflow.ErrorCode(err) == workflow.CodeNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if closed {
		w.log.InfoContext(ctx, "consultation closed at its deadline", "deliverable_id", job.Args.DeliverableID, "revision", job.Args.Revision)
	}
	return nil
}

type remindConsultationWorker struct {
	river.WorkerDefaults[RemindConsultationArgs]
	store  ConsultationStore
	mailer workflow.Mailer
	log    *slog.Logger
}

// Work marks the consultation reminded and then mails each stakeholder
// who has not commented. The mark comes first, so a retry never sends a
// second round; a mail that fails is logged, not retried.
func (w *remindConsultationWorker) Work(ctx context.Context, job *river.Job[RemindConsultationArgs]) error {
	if w.store == nil {
		return errNoStore
	}
	r, due, err := w.store.ConsultationReminder(ctx, job.Args.DeliverableID, job.Args.Revision)
	if workflow.ErrorCode(err) == workflow.CodeNotFound {
		return nil
	}
	if err != nil || !due {
		return err
	}
	if w.mailer == nil {
		return nil
	}
	for _, u := range r.To {
		m := workflow.Mail{To: u.Email, Subject: "Consultation closing soon: " + r.Title,
			Body: fmt.Sprintf("Dear %s,\n\nthe consultation on %q (revision %d) closes on %s UTC. You have not commented yet.\n",
				u.Name, r.Title, r.Revision, r.Deadline.Format("2006-01-02 15:04"))}
		if err := w.mailer.Send(ctx, m); err != nil {
			w.log.WarnContext(ctx, "reminder not sent", "user_id", u.ID, "error", err.Error())
		}
	}
	return nil
}
