package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

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
	if m.HTML != "" || len(m.Headers) > 0 {
		// The job keeps only the text; notification mail, which has the
		// rest, is written when sent (NoticeMailArgs).
		return fmt.Errorf("jobs: queued mail carries text only, not an HTML part or headers")
	}
	if _, err := q.client.InsertTx(ctx, tx, MailArgs{To: m.To, Subject: m.Subject, Body: m.Body}, nil); err != nil {
		return fmt.Errorf("jobs: insert: %w", err)
	}
	return nil
}

// CancelMail cancels, in the caller's transaction, the messages to an
// address that are queued and not sent yet: the address of a person being
// erased. One being sent at this moment is not stopped.
func (q *Queue) CancelMail(ctx context.Context, tx *sql.Tx, to string) error {
	const page = 1000
	params := river.NewJobListParams().Kinds(MailArgs{}.Kind()).
		States(rivertype.JobStateAvailable, rivertype.JobStateScheduled, rivertype.JobStateRetryable).First(page)
	for {
		res, err := q.client.JobListTx(ctx, tx, params)
		if err != nil {
			return fmt.Errorf("jobs: list mail: %w", err)
		}
		for _, j := range res.Jobs {
			var a MailArgs
			if json.Unmarshal(j.EncodedArgs, &a) == nil && strings.EqualFold(a.To, to) {
				if _, err := q.client.JobCancelTx(ctx, tx, j.ID); err != nil {
					return fmt.Errorf("jobs: cancel mail: %w", err)
				}
			}
		}
		if len(res.Jobs) < page {
			return nil
		}
		params = params.After(res.LastCursor)
	}
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
