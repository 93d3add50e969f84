package sqlstore

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/workflow"
)

// A notice is what one event tells people. The recipients are chosen by
// a query (see tell), so that a consultation opening for a group of 500
// is one INSERT … SELECT on the transition's path, not 500 round trips.
type notice struct {
	id                                   string // the event's id
	kind                                 workflow.NoticeKind
	projectID                            string
	deliverableID, commentID, documentID string
	period, title, titleLang, detail     string
	revision                             int
	actorID                              string // never told of their own action
	at                                   time.Time
	// inboxOnly notices are not mailed, whatever the person chose: the
	// caller sends the mail of its own (the invitation, with its link).
	inboxOnly bool
}

// Who is told: each is a query of user ids, with its arguments.
const (
	// whoStakeholders: the stakeholder group of a policy instrument.
	whoStakeholders = `SELECT m.user_id FROM memberships m JOIN stakeholder_groups g ON g.id = m.stakeholder_group_id
		WHERE m.project_id = ? AND m.role = 'stakeholder' AND g.policy_instrument_id = ?`
	// whoOwners: the members of the partners that own a deliverable.
	whoOwners = `SELECT m.user_id FROM memberships m WHERE m.project_id = ? AND m.role = 'partner' AND m.partner_id IN
		(SELECT partner_id FROM deliverable_parties WHERE deliverable_id = ? AND party = 'owner')`
	// whoOwnersAndCoordinators: the owners, and the project's coordinators.
	whoOwnersAndCoordinators = `SELECT m.user_id FROM memberships m WHERE m.project_id = ? AND (m.role = 'coordinator'
		OR m.role = 'partner' AND m.partner_id IN (SELECT partner_id FROM deliverable_parties WHERE deliverable_id = ? AND party = 'owner'))`
	// whoAuthor: a comment's author.
	whoAuthor = `SELECT author_id FROM comments WHERE id = ?`
	// whoUser: one person.
	whoUser = `SELECT ?`
)

// tell writes n for each person the query who selects who is still an
// active member of the project, other than the actor, in the caller's
// transaction; a person already told of this event is not told again.
// Each row takes the person's mail choice for the kind, and the mail to
// send at once is one River job for the whole event.
func (s *Store) tell(ctx context.Context, tx *gorm.DB, n notice, who string, args ...any) error {
	if n.id == "" {
		n.id = workflow.NewID()
	}
	if n.at.IsZero() {
		n.at = now()
	}
	q := `INSERT INTO notifications (id, user_id, project_id, kind, deliverable_id, comment_id, document_id, period, title, title_lang,
			detail, revision, actor_id, mail, created_at)
		SELECT ?, u.id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(ms.choice, ?), ?
		FROM users u
		LEFT JOIN mail_settings ms ON ms.user_id = u.id AND ms.kind = ?
		WHERE u.id IN (` + who + `) AND u.deactivated_at IS NULL AND u.id <> ?
			AND EXISTS (SELECT 1 FROM memberships m WHERE m.project_id = ? AND m.user_id = u.id)
		ON CONFLICT DO NOTHING
		RETURNING mail`
	choice, setting := workflow.DefaultMailChoice(n.kind), string(n.kind)
	if n.inboxOnly {
		choice, setting = workflow.MailOff, "" // no setting matches "", so every row is off
	}
	all := []any{n.id, n.projectID, string(n.kind), nullable(n.deliverableID), nullable(n.commentID), nullable(n.documentID),
		n.period, n.title, n.titleLang, n.detail, n.revision, nullable(n.actorID), string(choice), n.at.UTC(), setting}
	all = append(append(all, args...), n.actorID, n.projectID)
	var mails []string
	if err := tx.WithContext(ctx).Raw(q, all...).Scan(&mails).Error; err != nil {
		return err
	}
	if s.jobs == nil {
		return nil
	}
	for _, m := range mails {
		if m == string(workflow.MailNow) {
			stx, err := sqlTx(tx)
			if err != nil {
				return err
			}
			return s.jobs.EnqueueNoticeMail(ctx, stx, n.id)
		}
	}
	return nil
}

// noticeFrom joins a notification to what decides whether its person may
// still see it and what it shows; noticeVisible is that decision: still a
// member (the join), still active, the comment neither hidden nor deleted
// nor in a hidden thread, the deliverable in the member's scope
// (workflow.Scope, as a query).
//
// A group's notification not yet written for each member (see tellGroup)
// is read as each member's, unread and not mailed.
const noticeFrom = `(SELECT id, user_id, project_id, kind, deliverable_id, comment_id, document_id, period, title, title_lang, detail,
			revision, actor_id, mail, mailed_at, digest_id, created_at, read_at
		FROM notifications
		UNION ALL
		SELECT f.id, m.user_id, f.project_id, f.kind, f.deliverable_id, NULL, NULL, '', f.title, f.title_lang, '', f.revision,
			f.actor_id, 'off', NULL, NULL, f.created_at, NULL
		FROM notification_fanouts f
		JOIN memberships m ON m.project_id = f.project_id AND m.stakeholder_group_id = f.group_id AND m.created_at <= f.created_at
		WHERE f.done_at IS NULL AND m.user_id <> COALESCE(f.actor_id, '')) n
	JOIN users u ON u.id = n.user_id
	JOIN memberships m ON m.project_id = n.project_id AND m.user_id = n.user_id
	JOIN projects p ON p.id = n.project_id
	LEFT JOIN deliverables d ON d.id = n.deliverable_id
	LEFT JOIN comments c ON c.id = n.comment_id
	LEFT JOIN users a ON a.id = n.actor_id`

const noticeVisible = `u.deactivated_at IS NULL
	AND (n.comment_id IS NULL OR c.id IS NOT NULL AND NOT c.hidden AND NOT c.deleted
		AND NOT EXISTS (SELECT 1 FROM comments h WHERE h.id = c.thread_id AND h.hidden))
	AND (n.deliverable_id IS NULL OR m.role IN ('coordinator', 'secretariat', 'observer')
		OR m.role = 'partner' AND (d.kind = 'good_practice' AND d.state <> 'draft'
			OR EXISTS (SELECT 1 FROM deliverable_parties dp WHERE dp.deliverable_id = d.id AND dp.partner_id = m.partner_id))
		OR m.role = 'stakeholder' AND d.state <> 'draft' AND (d.kind = 'good_practice'
			OR d.policy_instrument_id = (SELECT g.policy_instrument_id FROM stakeholder_groups g WHERE g.id = m.stakeholder_group_id)))`

const noticeColumns = `n.id, n.user_id, n.kind, n.project_id, p.acronym AS project_acronym, d.kind AS deliverable_kind,
	n.deliverable_id, n.comment_id, n.document_id, n.period, n.title, n.title_lang, n.detail, n.revision, a.name AS actor_name,
	n.created_at, n.read_at, n.mail, n.mailed_at`

type noticeRow struct {
	ID, UserID, Kind, ProjectID, ProjectAcronym string
	DeliverableKind                             *string
	DeliverableID, CommentID, DocumentID        *string
	Period, Title, TitleLang, Detail            string
	Revision                                    int
	ActorName                                   *string
	CreatedAt, ReadAt, MailedAt                 unionTime
	Mail                                        string
}

// unionTime reads a timestamp that may come through noticeFrom's UNION:
// SQLite then gives it as text, having lost the column's declared type.
type unionTime struct {
	T     time.Time
	Valid bool
}

// Value writes it back as a time (gorm wants both directions).
func (u unionTime) Value() (driver.Value, error) {
	if !u.Valid {
		return nil, nil
	}
	return u.T, nil
}

// sqliteTimes are the layouts the SQLite driver writes times in.
var sqliteTimes = []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"}

func (u *unionTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*u = unionTime{}
		return nil
	case time.Time:
		*u = unionTime{x.UTC(), true}
		return nil
	case []byte:
		v = string(x)
	}
	text, ok := v.(string)
	if !ok {
		return fmt.Errorf("a time cannot be read from %T", v)
	}
	for _, layout := range sqliteTimes {
		if t, err := time.Parse(layout, text); err == nil {
			*u = unionTime{t.UTC(), true}
			return nil
		}
	}
	return fmt.Errorf("a time cannot be read from %q", text)
}

func (u unionTime) ptr() *time.Time {
	if !u.Valid {
		return nil
	}
	return &u.T
}

func (r noticeRow) domain() workflow.Notification {
	return workflow.Notification{ID: r.ID, Kind: workflow.NoticeKind(r.Kind), ProjectID: r.ProjectID, ProjectAcronym: r.ProjectAcronym,
		DeliverableKind: workflow.Kind(deref(r.DeliverableKind)), DeliverableID: deref(r.DeliverableID), CommentID: deref(r.CommentID),
		DocumentID: deref(r.DocumentID), Period: r.Period, Title: r.Title, TitleLang: r.TitleLang, Detail: r.Detail, Revision: r.Revision,
		ActorName: deref(r.ActorName), At: r.CreatedAt.T, ReadAt: r.ReadAt.ptr()}
}

// The inbox's cursor is the last row's time and id.
func noticeCursor(r noticeRow) string {
	return strconv.FormatInt(r.CreatedAt.T.UnixMicro(), 10) + "." + r.ID
}

func parseNoticeCursor(s string) (time.Time, string, error) {
	us, id, ok := strings.Cut(s, ".")
	n, err := strconv.ParseInt(us, 10, 64)
	if !ok || err != nil || id == "" {
		return time.Time{}, "", workflow.Errorf(workflow.CodeInvalid, "the cursor is not one this list gave")
	}
	return time.UnixMicro(n).UTC(), id, nil
}

func (s *Store) Notifications(ctx context.Context, userID string, pg workflow.Page) ([]workflow.Notification, string, error) {
	q := s.db.WithContext(ctx).Table(noticeFrom).Select(noticeColumns).Where("n.user_id = ?", userID).Where(noticeVisible)
	if pg.After != "" {
		at, id, err := parseNoticeCursor(pg.After)
		if err != nil {
			return nil, "", err
		}
		q = q.Where("n.created_at < ? OR n.created_at = ? AND n.id < ?", at, at, id)
	}
	var rows []noticeRow
	if err := q.Order("n.created_at DESC, n.id DESC").Limit(pg.Limit + 1).Scan(&rows).Error; err != nil {
		return nil, "", translate(err)
	}
	next := ""
	if len(rows) > pg.Limit {
		rows = rows[:pg.Limit]
		next = noticeCursor(rows[len(rows)-1])
	}
	out := make([]workflow.Notification, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, next, nil
}

func (s *Store) UnreadNotifications(ctx context.Context, userID string) (int, error) {
	n, err := s.unread(s.db.WithContext(ctx), userID)
	return n, translate(err)
}

func (s *Store) MarkNotificationRead(ctx context.Context, userID, id string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var found int64
		if err := tx.Table(noticeFrom).Where("n.user_id = ? AND n.id = ?", userID, id).Where(noticeVisible).Count(&found).Error; err != nil {
			return err
		}
		if found == 0 {
			return workflow.Errorf(workflow.CodeNotFound, "notification not found")
		}
		// A group's notification gets its rows first, the reader's among them.
		if err := s.fanOut(ctx, tx, id); err != nil {
			return err
		}
		return tx.Exec(`UPDATE notifications SET read_at = ? WHERE user_id = ? AND id = ? AND read_at IS NULL`, now(), userID, id).Error
	})
}

func (s *Store) MarkAllNotificationsRead(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if n, err = s.unread(tx, userID); err != nil {
			return err
		}
		var pending []string
		if err := tx.Raw(`SELECT f.id FROM notification_fanouts f
			JOIN memberships m ON m.project_id = f.project_id AND m.stakeholder_group_id = f.group_id
			WHERE f.done_at IS NULL AND m.user_id = ?`, userID).Scan(&pending).Error; err != nil {
			return err
		}
		for _, id := range pending {
			if err := s.fanOut(ctx, tx, id); err != nil {
				return err
			}
		}
		return tx.Exec(`UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, now(), userID).Error
	})
	return n, err
}

func (s *Store) unread(tx *gorm.DB, userID string) (int, error) {
	var n int64
	err := tx.Table(noticeFrom).Where("n.user_id = ? AND n.read_at IS NULL", userID).Where(noticeVisible).Count(&n).Error
	return int(n), err
}

type mailSettingRow struct {
	UserID, Kind, Choice string
}

func (mailSettingRow) TableName() string { return "mail_settings" }

func (s *Store) MailSettings(ctx context.Context, userID string) (workflow.MailSettings, error) {
	return s.mailSettings(s.db.WithContext(ctx), userID)
}

func (s *Store) mailSettings(tx *gorm.DB, userID string) (workflow.MailSettings, error) {
	var u userRow
	if err := tx.Select("id").Where("id = ?", userID).Take(&u).Error; err != nil {
		return nil, notFound(err, "user")
	}
	var rows []mailSettingRow
	if err := tx.Where("user_id = ?", userID).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := workflow.MailSettings{}
	for _, k := range workflow.NoticeKinds {
		out[k] = workflow.DefaultMailChoice(k)
	}
	for _, r := range rows {
		if k := workflow.NoticeKind(r.Kind); workflow.ValidNoticeKind(k) {
			out[k] = workflow.MailChoice(r.Choice)
		}
	}
	return out, nil
}

func (s *Store) SetMailSettings(ctx context.Context, userID string, set workflow.MailSettings) (workflow.MailSettings, error) {
	var out workflow.MailSettings
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.setMailSettings(tx, userID, set); err != nil {
			return err
		}
		var err error
		out, err = s.mailSettings(tx, userID)
		return err
	})
	return out, err
}

func (s *Store) setMailSettings(tx *gorm.DB, userID string, set workflow.MailSettings) error {
	for k, c := range set {
		if !workflow.ValidNoticeKind(k) || !workflow.ValidMailChoice(c) {
			return workflow.Errorf(workflow.CodeInvalid, "unknown kind %q or choice %q", k, c)
		}
		if err := tx.Exec(`DELETE FROM mail_settings WHERE user_id = ? AND kind = ?`, userID, string(k)).Error; err != nil {
			return err
		}
		if err := tx.Create(&mailSettingRow{UserID: userID, Kind: string(k), Choice: string(c)}).Error; err != nil {
			return err
		}
	}
	return nil
}

// unsubscribeMAC signs "user id, kind" with a key derived from the
// server key, so that the link works without signing in and cannot be
// turned to another person or kind.
func (s *Store) unsubscribeMAC(userID string, kind workflow.NoticeKind) ([]byte, error) {
	box, err := s.box()
	if err != nil {
		return nil, err
	}
	key, err := box.Derive("unsubscribe")
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(userID))
	m.Write([]byte{0})
	m.Write([]byte(kind))
	return m.Sum(nil), nil
}

// UnsubscribeToken reads "<user id>.<kind>.<signature>" (URL-safe).
func (s *Store) UnsubscribeToken(userID string, kind workflow.NoticeKind) (string, error) {
	mac, err := s.unsubscribeMAC(userID, kind)
	if err != nil {
		return "", err
	}
	return userID + "." + string(kind) + "." + base64.RawURLEncoding.EncodeToString(mac), nil
}

// CheckUnsubscribe reads a token UnsubscribeToken made, changing nothing:
// the person and the kind it turns off, or invalid.
func (s *Store) CheckUnsubscribe(token string) (string, workflow.NoticeKind, error) {
	bad := workflow.Errorf(workflow.CodeInvalid, "this unsubscribe link is not valid")
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", "", bad
	}
	userID, kind := parts[0], workflow.NoticeKind(parts[1])
	if kind != workflow.NoticeDigest && !workflow.ValidNoticeKind(kind) {
		return "", "", bad
	}
	want, err := s.unsubscribeMAC(userID, kind)
	if err != nil {
		return "", "", err
	}
	// The text is compared, not the decoded bytes: base64's spare bits in
	// the last character would let a changed link pass.
	if !hmac.Equal([]byte(parts[2]), []byte(base64.RawURLEncoding.EncodeToString(want))) {
		return "", "", bad
	}
	return userID, kind, nil
}

func (s *Store) Unsubscribe(ctx context.Context, token string) (workflow.User, workflow.NoticeKind, error) {
	userID, kind, err := s.CheckUnsubscribe(token)
	if err != nil {
		return workflow.User{}, "", err
	}
	var u userRow
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", userID).Take(&u).Error; err != nil {
			return notFound(err, "user")
		}
		set := workflow.MailSettings{}
		if kind == workflow.NoticeDigest {
			current, err := s.mailSettings(tx, userID)
			if err != nil {
				return err
			}
			for k, c := range current {
				if c == workflow.MailDigest {
					set[k] = workflow.MailOff
				}
			}
		} else {
			set[kind] = workflow.MailOff
		}
		return s.setMailSettings(tx, userID, set)
	})
	return u.domain(), kind, err
}
