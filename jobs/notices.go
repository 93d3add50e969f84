package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/riverqueue/river"

	"github.com/craftscode/craftscode/notify"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// NoticeMailArgs sends the at-once mail of one event's notifications.
// The job carries the event, not the mails: each is written when sent, in
// the reader's language, and its unsubscribe link (a capability) is never
// stored. Each person's mail is marked sent as it goes, so a retry after
// a relay failure sends only the ones not sent yet.
type NoticeMailArgs struct {
	EventID string `json:"event_id"`
}

// Kind names the job type in River's table.
func (NoticeMailArgs) Kind() string { return "notice_mail" }

// InsertOpts gives notification mail the attempts of other mail.
func (NoticeMailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: MailMaxAttempts}
}

// DigestArgs sends one person's daily digest, whose notifications the
// sweep marked with DigestID.
type DigestArgs struct {
	UserID   string `json:"user_id"`
	DigestID string `json:"digest_id"`
}

// Kind names the job type in River's table.
func (DigestArgs) Kind() string { return "digest_mail" }

// InsertOpts gives digests the attempts of other mail.
func (DigestArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: MailMaxAttempts}
}

// FanOutArgs writes a group notification's row for each member (see
// sqlstore's tellGroup), which queues their mail.
type FanOutArgs struct {
	EventID string `json:"event_id"`
}

// Kind names the job type in River's table.
func (FanOutArgs) Kind() string { return "notice_fanout" }

// SweepDigestsArgs is the periodic sweep that queues the digests whose
// 08:00 has come.
type SweepDigestsArgs struct{}

// Kind names the job type in River's table.
func (SweepDigestsArgs) Kind() string { return "sweep_digests" }

// DefaultDigestSweep is how often the sweep looks: a digest goes out at
// most this long after 08:00.
const DefaultDigestSweep = 5 * time.Minute

// NoticeStore is what notification mail needs from the database.
type NoticeStore interface {
	FanOut(ctx context.Context, eventID string) error
	PendingNoticeMails(ctx context.Context, eventID string) ([]sqlstore.NoticeMail, error)
	MarkNoticeMailed(ctx context.Context, eventID, userID string) error
	QueueDigests(ctx context.Context, at time.Time) (int, error)
	Digest(ctx context.Context, userID, digestID string) ([]sqlstore.NoticeMail, error)
	MarkDigestMailed(ctx context.Context, userID, digestID string) error
	UnsubscribeToken(userID string, kind workflow.NoticeKind) (string, error)
	// PublicURL is where people reach the service: the links start with it.
	PublicURL() string
}

// EnqueueNoticeMail inserts an event's mail job in the caller's transaction.
func (q *Queue) EnqueueNoticeMail(ctx context.Context, tx *sql.Tx, eventID string) error {
	if _, err := q.client.InsertTx(ctx, tx, NoticeMailArgs{EventID: eventID}, nil); err != nil {
		return fmt.Errorf("jobs: insert: %w", err)
	}
	return nil
}

// EnqueueFanOut inserts a group notification's job in the caller's
// transaction.
func (q *Queue) EnqueueFanOut(ctx context.Context, tx *sql.Tx, eventID string) error {
	if _, err := q.client.InsertTx(ctx, tx, FanOutArgs{EventID: eventID}, nil); err != nil {
		return fmt.Errorf("jobs: insert: %w", err)
	}
	return nil
}

// EnqueueDigest inserts a digest's mail job in the caller's transaction.
func (q *Queue) EnqueueDigest(ctx context.Context, tx *sql.Tx, userID, digestID string) error {
	if _, err := q.client.InsertTx(ctx, tx, DigestArgs{UserID: userID, DigestID: digestID}, nil); err != nil {
		return fmt.Errorf("jobs: insert: %w", err)
	}
	return nil
}

// letterBox writes and sends notification mail.
type letterBox struct {
	store   NoticeStore
	mailer  workflow.Mailer
	letters *notify.Letters
	log     *slog.Logger
}

var errNoNoticeStore = errors.New("jobs: no notification store configured")

func (b *letterBox) ready() error {
	switch {
	case b.store == nil:
		return errNoNoticeStore
	case b.mailer == nil:
		return river.JobCancel(fmt.Errorf("jobs: no mailer configured"))
	}
	return nil
}

// links are a mail's addresses; kind is the unsubscribe link's kind.
func (b *letterBox) links(u workflow.User, kind workflow.NoticeKind, thing string) (notify.MailLinks, error) {
	token, err := b.store.UnsubscribeToken(u.ID, kind)
	if err != nil {
		return notify.MailLinks{}, err
	}
	return notify.MailLinks{Thing: b.absolute(thing), Settings: b.absolute("/ui/me#mail"),
		Unsubscribe: b.absolute("/ui/unsubscribe/" + url.PathEscape(token))}, nil
}

func (b *letterBox) absolute(path string) string {
	if path == "" {
		return ""
	}
	return b.store.PublicURL() + path
}

type noticeMailWorker struct {
	river.WorkerDefaults[NoticeMailArgs]
	*letterBox
}

// Work sends each person's mail not sent yet and marks it sent. A failed
// send is retried with the job; those sent before it are not sent again.
func (w *noticeMailWorker) Work(ctx context.Context, job *river.Job[NoticeMailArgs]) error {
	if err := w.ready(); err != nil {
		return err
	}
	mails, err := w.store.PendingNoticeMails(ctx, job.Args.EventID)
	if err != nil {
		return err
	}
	for _, m := range mails {
		links, err := w.links(m.User, m.Notification.Kind, m.Notification.Path())
		if err != nil {
			return err
		}
		if err := w.mailer.Send(ctx, w.letters.Notice(m.User, m.Project, m.Notification, links)); err != nil {
			w.log.WarnContext(ctx, "notification mail not sent; it will be tried again", "attempt", job.Attempt, "error", err.Error())
			return err
		}
		if err := w.store.MarkNoticeMailed(ctx, job.Args.EventID, m.User.ID); err != nil {
			return err
		}
	}
	return nil
}

type digestWorker struct {
	river.WorkerDefaults[DigestArgs]
	*letterBox
}

// Work sends the digest, grouped by project in the order of each
// project's first notification, and marks it sent.
func (w *digestWorker) Work(ctx context.Context, job *river.Job[DigestArgs]) error {
	if err := w.ready(); err != nil {
		return err
	}
	mails, err := w.store.Digest(ctx, job.Args.UserID, job.Args.DigestID)
	if err != nil || len(mails) == 0 {
		return err
	}
	var groups []notify.DigestGroup
	at := map[string]int{}
	for _, m := range mails {
		n := m.Notification
		i, ok := at[n.ProjectID]
		if !ok {
			i = len(groups)
			at[n.ProjectID] = i
			groups = append(groups, notify.DigestGroup{Project: n.ProjectAcronym})
		}
		groups[i].Items = append(groups[i].Items, notify.DigestItem{Notification: n, Link: w.absolute(n.Path())})
	}
	u := mails[0].User
	links, err := w.links(u, workflow.NoticeDigest, "/ui/notifications")
	if err != nil {
		return err
	}
	if err := w.mailer.Send(ctx, w.letters.Digest(u, mails[0].Project, groups, links)); err != nil {
		w.log.WarnContext(ctx, "digest not sent; it will be tried again", "attempt", job.Attempt, "error", err.Error())
		return err
	}
	return w.store.MarkDigestMailed(ctx, job.Args.UserID, job.Args.DigestID)
}

type fanOutWorker struct {
	river.WorkerDefaults[FanOutArgs]
	store NoticeStore
}

// Work writes the rows; a second run finds the fan-out done.
func (w *fanOutWorker) Work(ctx context.Context, job *river.Job[FanOutArgs]) error {
	if w.store == nil {
		return errNoNoticeStore
	}
	return w.store.FanOut(ctx, job.Args.EventID)
}

type sweepDigestsWorker struct {
	river.WorkerDefaults[SweepDigestsArgs]
	store NoticeStore
	now   func() time.Time
	log   *slog.Logger
}

// Work queues the digests that are due.
func (w *sweepDigestsWorker) Work(ctx context.Context, _ *river.Job[SweepDigestsArgs]) error {
	if w.store == nil {
		return errNoNoticeStore
	}
	n, err := w.store.QueueDigests(ctx, w.now())
	if n > 0 {
		w.log.InfoContext(ctx, "digests queued", "digests", n)
	}
	return err
}

func periodicDigestSweep(interval time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) { return SweepDigestsArgs{}, nil },
		&river.PeriodicJobOpts{ID: "sweep_digests", RunOnStart: true})
}
