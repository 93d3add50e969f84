package sqlstore

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/locale"
	"github.com/craftscode/craftscode/workflow"
)

// NoticeMail is one mail to write: to whom, in which project's language
// and zone when the person chose none, about what.
type NoticeMail struct {
	User         workflow.User
	Project      workflow.ProjectLocale
	Notification workflow.Notification
}

// mailable are the notifications whose mail may still go out: the person
// may still see it (noticeVisible) and still wants mail of its kind the
// way it was written for (a kind turned off since is not mailed).
const mailable = noticeVisible + ` AND n.mailed_at IS NULL
	AND COALESCE((SELECT ms.choice FROM mail_settings ms WHERE ms.user_id = n.user_id AND ms.kind = n.kind), n.mail) = n.mail`

type noticeMailRow struct {
	Row                             noticeRow `gorm:"embedded"`
	Email, Name, Language, TimeZone string
	ProjectLanguage, ProjectZone    string
}

func (r noticeMailRow) mail() NoticeMail {
	return NoticeMail{User: workflow.User{ID: r.Row.UserID, Email: r.Email, Name: r.Name, Language: r.Language, TimeZone: r.TimeZone},
		Project: workflow.ProjectLocale{Language: r.ProjectLanguage, TimeZone: r.ProjectZone}, Notification: r.Row.domain()}
}

const noticeMailColumns = noticeColumns + `, u.email, u.name, u.language, u.time_zone,
	p.language AS project_language, p.time_zone AS project_zone`

// PendingNoticeMails are the mails still to send at once for one event's
// notifications, one per person.
func (s *Store) PendingNoticeMails(ctx context.Context, eventID string) ([]NoticeMail, error) {
	return s.mailsWhere(ctx, "n.user_id", "n.id = ? AND n.mail = ?", eventID, string(workflow.MailNow))
}

// mailsWhere reads the notifications that where selects and that may
// still be mailed, in order, with what their mail is written from.
func (s *Store) mailsWhere(ctx context.Context, order, where string, args ...any) ([]NoticeMail, error) {
	var rows []noticeMailRow
	if err := s.db.WithContext(ctx).Table(noticeFrom).Select(noticeMailColumns).
		Where(where, args...).Where(mailable).Order(order).Scan(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]NoticeMail, len(rows))
	for i, r := range rows {
		out[i] = r.mail()
	}
	return out, nil
}

// MarkNoticeMailed records that a person's mail of an event went out, so
// that a retried job does not send it again.
func (s *Store) MarkNoticeMailed(ctx context.Context, eventID, userID string) error {
	return translate(s.db.WithContext(ctx).Exec(`UPDATE notifications SET mailed_at = ? WHERE id = ? AND user_id = ?`,
		now(), eventID, userID).Error)
}

// DigestHour is the local hour at which the daily digest goes out.
const DigestHour = 8

// digestCut is the latest DigestHour o'clock in zone at or before at.
// time.Date normalises across a DST change, so it stays 08:00 local.
func digestCut(at time.Time, zone *time.Location) time.Time {
	l := at.In(zone)
	cut := time.Date(l.Year(), l.Month(), l.Day(), DigestHour, 0, 0, 0, zone)
	if cut.After(at) {
		cut = time.Date(l.Year(), l.Month(), l.Day()-1, DigestHour, 0, 0, 0, zone)
	}
	return cut
}

// QueueDigests queues the digests whose time has come at at: for each
// person with notifications waiting for a digest, once it is 08:00 in
// their zone (their own, else their oldest waiting notification's
// project's), the ones written before that 08:00 are marked as one digest
// and its mail job is queued, in one transaction per person. A digest
// thus holds exactly the notifications since the one before, and a
// repeated sweep finds nothing new to mark. It returns how many it queued.
func (s *Store) QueueDigests(ctx context.Context, at time.Time) (int, error) {
	type waiting struct{ UserID, TimeZone, ProjectZone string }
	var ws []waiting
	if err := s.db.WithContext(ctx).Raw(`SELECT n.user_id, u.time_zone,
			(SELECT p.time_zone FROM notifications o JOIN projects p ON p.id = o.project_id
				WHERE o.user_id = n.user_id AND o.mail = 'digest' AND o.digest_id IS NULL ORDER BY o.created_at LIMIT 1) AS project_zone
		FROM notifications n JOIN users u ON u.id = n.user_id
		WHERE n.mail = 'digest' AND n.digest_id IS NULL AND u.deactivated_at IS NULL
		GROUP BY n.user_id, u.time_zone ORDER BY n.user_id`).Scan(&ws).Error; err != nil {
		return 0, translate(err)
	}
	queued := 0
	for _, w := range ws {
		zone := w.TimeZone
		if zone == "" {
			zone = w.ProjectZone
		}
		cut := digestCut(at, locale.ZoneOf(zone))
		id := workflow.NewID()
		err := s.tx(ctx, func(tx *gorm.DB) error {
			res := tx.Exec(`UPDATE notifications SET digest_id = ? WHERE user_id = ? AND mail = 'digest' AND digest_id IS NULL AND created_at < ?`,
				id, w.UserID, cut.UTC())
			if res.Error != nil || res.RowsAffected == 0 {
				return res.Error
			}
			queued++
			if s.jobs == nil {
				return nil
			}
			stx, err := sqlTx(tx)
			if err != nil {
				return err
			}
			return s.jobs.EnqueueDigest(ctx, stx, w.UserID, id)
		})
		if err != nil {
			return queued, err
		}
	}
	return queued, nil
}

// Digest is one person's digest to write: the notifications it holds
// that may still be mailed, oldest first. Empty when all went out (a
// retried job) or none is left to tell.
func (s *Store) Digest(ctx context.Context, userID, digestID string) ([]NoticeMail, error) {
	return s.mailsWhere(ctx, "n.created_at, n.id", "n.user_id = ? AND n.digest_id = ?", userID, digestID)
}

// MarkDigestMailed records that a digest went out.
func (s *Store) MarkDigestMailed(ctx context.Context, userID, digestID string) error {
	return translate(s.db.WithContext(ctx).Exec(`UPDATE notifications SET mailed_at = ? WHERE user_id = ? AND digest_id = ?`,
		now(), userID, digestID).Error)
}
