package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river"

	"github.com/craftscode/craftscode/workflow"
)

// MailArgs is one message to send. Mail that can wait, such as
// consultation reminders, goes through this job, inserted in the
// transaction that decided to send it, so that a relay that is down delays
// the mail instead of losing it. Sign-in links are not queued: they hold a
// secret, which would then be kept in the job table.
type MailArgs struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// Kind names the job type in River's table.
func (MailArgs) Kind() string { return "send_mail" }

// MailMaxAttempts bounds the tries of one message; with River's backoff
// (attempt⁴ seconds) the last is about three hours after the first.
const MailMaxAttempts = 10

// InsertOpts gives mail its attempt limit.
func (MailArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: MailMaxAttempts} }

// EnqueueMail inserts a message's job in the caller's transaction.
func (q *Queue) EnqueueMail(ctx context.Context, tx *sql.Tx, m workflow.Mail) error {
	if _, err := q.client.InsertTx(ctx, tx, MailArgs{To: m.To, Subject: m.Subject, Body: m.Body}, nil); err != nil {
		return fmt.Errorf("jobs: insert: %w", err)
	}
	return nil
}

type mailWorker struct {
	river.WorkerDefaults[MailArgs]
	mailer workflow.Mailer
	log    *slog.Logger
}

// Work sends the message; an error makes River try again later. Without a
// mailer nothing can send it, and the job is cancelled rather than retried.
func (w *mailWorker) Work(ctx context.Context, job *river.Job[MailArgs]) error {
	if w.mailer == nil {
		return river.JobCancel(fmt.Errorf("jobs: no mailer configured"))
	}
	err := w.mailer.Send(ctx, workflow.Mail{To: job.Args.To, Subject: job.Args.Subject, Body: job.Args.Body})
	if err != nil {
		w.log.WarnContext(ctx, "mail not sent; it will be tried again", "attempt", job.Attempt, "error", err.Error())
	}
	return err
}
