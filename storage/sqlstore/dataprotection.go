package sqlstore

// Data protection: the export of a person's data and the erasure of a
// person. Every other table points at users by id and every name is read
// from users when it is shown (pages, the API, documents rendered), so
// rewriting the user's row pseudonymises the whole record at once.

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/workflow"
)

type erasureRow struct {
	ID        string
	Email     string
	Name      string
	Admin     bool
	CreatedAt time.Time
	ErasedAt  *time.Time
}

func (erasureRow) TableName() string { return "users" }

type pseudonymRow struct {
	Role        string
	GroupName   string
	PartnerName string
	Acronym     string
}

// pseudonym names the n-th erased person by their role and organisation:
// the stakeholder group of a stakeholder, the partner of a partner member,
// otherwise the project.
func pseudonym(n int, m *pseudonymRow) string {
	if m == nil {
		return fmt.Sprintf("Former user %d", n)
	}
	org := m.Acronym
	switch {
	case m.GroupName != "":
		org = m.GroupName
	case m.PartnerName != "":
		org = m.PartnerName
	}
	return fmt.Sprintf("Former %s %d of %s", m.Role, n, org)
}

func (s *Store) EraseUser(ctx context.Context, userID string) (workflow.User, error) {
	var out workflow.User
	var err error
	// Two erasures at once may pick the same number; the unique index
	// refuses the second, which then tries again.
	for try := 0; try < 3; try++ {
		err = s.tx(ctx, func(tx *gorm.DB) error {
			var u erasureRow
			if err := tx.Where("id = ?", userID).Take(&u).Error; err != nil {
				return notFound(err, "user")
			}
			if u.ErasedAt != nil {
				out = userRow{ID: u.ID, Email: u.Email, Name: u.Name, Admin: u.Admin, CreatedAt: u.CreatedAt}.domain()
				return nil
			}
			var ms []pseudonymRow
			if err := tx.Raw(`SELECT m.role, COALESCE(g.name, '') AS group_name, COALESCE(pa.name, '') AS partner_name, p.acronym
				FROM memberships m
				JOIN projects p ON p.id = m.project_id
				LEFT JOIN stakeholder_groups g ON g.id = m.stakeholder_group_id
				LEFT JOIN partners pa ON pa.id = m.partner_id
				WHERE m.user_id = ?
				ORDER BY CASE WHEN m.role = 'stakeholder' THEN 0 ELSE 1 END, m.created_at, m.id LIMIT 1`, userID).Scan(&ms).Error; err != nil {
				return err
			}
			var n int
			if err := tx.Raw(`SELECT COALESCE(MAX(erased_no), 0) + 1 FROM users`).Scan(&n).Error; err != nil {
				return err
			}
			var m *pseudonymRow
			if len(ms) > 0 {
				m = &ms[0]
			}
			at := now()
			oldName, oldEmail := u.Name, u.Email
			u.Name, u.Email, u.Admin = pseudonym(n, m), fmt.Sprintf("erased-%d@erased.invalid", n), false
			// Webhook payloads were written when the event happened (a
			// comment with its author's name): the kept ones, delivered or
			// not, get the pseudonym too.
			for _, r := range [][2]string{{oldName, u.Name}, {oldEmail, u.Email}} {
				from, _ := json.Marshal(r[0])
				to, _ := json.Marshal(r[1])
				if err := tx.Exec(`UPDATE webhook_deliveries SET payload = REPLACE(payload, ?, ?) WHERE payload LIKE ?`,
					string(from), string(to), "%"+string(from)+"%").Error; err != nil {
					return err
				}
			}
			if err := tx.Model(&erasureRow{}).Where("id = ?", userID).Updates(map[string]any{
				"name": u.Name, "email": u.Email, "admin": false, "erased_at": at, "erased_no": n,
			}).Error; err != nil {
				return err
			}
			// Deactivated at once: no token, session or sign-in link
			// works any more, and no kept answer holds their data.
			// Their inbox and mail settings go too (what others were told
			// of their actions stays, naming them by the pseudonym).
			for _, table := range []string{"api_tokens", "ui_sessions", "ui_login_links", "idempotency_keys", "notifications", "mail_settings"} {
				if err := tx.Exec(`DELETE FROM `+table+` WHERE user_id = ?`, userID).Error; err != nil {
					return err
				}
			}
			if s.jobs != nil {
				stx, err := sqlTx(tx)
				if err != nil {
					return err
				}
				if err := s.jobs.CancelMail(ctx, stx, oldEmail); err != nil {
					return err
				}
			}
			out = userRow{ID: u.ID, Email: u.Email, Name: u.Name, CreatedAt: u.CreatedAt}.domain()
			return s.rerenderDrafts(ctx, tx, at, `c.author_id = ? OR c.response_by = ?`, userID, userID)
		})
		if workflow.ErrorCode(err) != workflow.CodeConflict {
			break
		}
	}
	return out, err
}

// rerenderDrafts renders again, under their ids, the ready drafts that
// print a consultation with a comment c that matches where: they hold
// names as they were (an erased person's, or under the project's former
// matrix_names). The render job removes the earlier file once the new one
// is stored. Approved documents are never rewritten.
func (s *Store) rerenderDrafts(ctx context.Context, tx *gorm.DB, at time.Time, where string, args ...any) error {
	var ids []string
	if err := tx.Raw(`SELECT d.id FROM documents d
		WHERE NOT d.approved AND d.progress_report_id IS NULL AND d.status = ?
		AND EXISTS (SELECT 1 FROM comments c WHERE c.deliverable_id = d.deliverable_id AND c.revision = d.revision
			AND (`+where+`))
		ORDER BY d.id`, append([]any{workflow.DocumentReady}, args...)...).Scan(&ids).Error; err != nil {
		return err
	}
	for _, id := range ids {
		if err := tx.Model(&documentRow{}).Where("id = ?", id).Updates(map[string]any{"status": workflow.DocumentPending,
			"error": "", "created_at": at, "ready_at": nil}).Error; err != nil {
			return err
		}
		if s.jobs == nil {
			continue
		}
		stx, err := sqlTx(tx)
		if err != nil {
			return err
		}
		if err := s.jobs.EnqueueRender(ctx, stx, id); err != nil {
			return err
		}
	}
	return nil
}

// SetMatrixNames changes what the project's comment-response matrix
// prints for a stakeholder; drafts that print one are rendered again.
func (s *Store) SetMatrixNames(ctx context.Context, projectID, value string) (workflow.Project, error) {
	var out workflow.Project
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var row projectRow
		if err := tx.Where("id = ?", projectID).Take(&row).Error; err != nil {
			return notFound(err, "project")
		}
		if row.MatrixNames != value {
			if err := tx.Model(&projectRow{}).Where("id = ?", projectID).
				Updates(map[string]any{"matrix_names": value, "version": gorm.Expr("version + 1")}).Error; err != nil {
				return err
			}
			row.MatrixNames = value
			row.Version++
			if err := s.rerenderDrafts(ctx, tx, now(), `c.project_id = ? AND c.author_role = ?`, projectID, string(workflow.RoleStakeholder)); err != nil {
				return err
			}
		}
		out = row.domain()
		return nil
	})
	return out, err
}

type exportMembershipRow struct {
	ID                   string
	ProjectID            string
	UserID               string
	Role                 string
	PartnerID            *string
	StakeholderGroupID   *string
	CreatedAt            time.Time
	Version              int
	ProjectAcronym       string
	ProjectTitle         string
	PartnerName          string
	StakeholderGroupName string
}

func (s *Store) PersonalData(ctx context.Context, userID string) (workflow.PersonalData, error) {
	out := workflow.PersonalData{ExportedAt: now().UTC(), Memberships: []workflow.MembershipDetail{}, Comments: []workflow.PersonalComment{}}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var u userRow
		if err := tx.Where("id = ?", userID).Take(&u).Error; err != nil {
			return notFound(err, "user")
		}
		out.Profile = u.domain()
		var err error
		if out.MailSettings, err = s.mailSettings(tx, userID); err != nil {
			return err
		}
		var ms []exportMembershipRow
		if err := tx.Raw(`SELECT m.id, m.project_id, m.user_id, m.role, m.partner_id, m.stakeholder_group_id, m.created_at, m.version,
				p.acronym AS project_acronym, p.title AS project_title,
				COALESCE(pa.name, '') AS partner_name, COALESCE(g.name, '') AS stakeholder_group_name
			FROM memberships m
			JOIN projects p ON p.id = m.project_id
			LEFT JOIN partners pa ON pa.id = m.partner_id
			LEFT JOIN stakeholder_groups g ON g.id = m.stakeholder_group_id
			WHERE m.user_id = ? ORDER BY m.project_id`, userID).Scan(&ms).Error; err != nil {
			return err
		}
		for _, m := range ms {
			out.Memberships = append(out.Memberships, workflow.MembershipDetail{Membership: membershipRow{ID: m.ID, ProjectID: m.ProjectID, UserID: m.UserID, Role: m.Role,
				PartnerID: m.PartnerID, StakeholderGroupID: m.StakeholderGroupID, CreatedAt: m.CreatedAt, Version: m.Version}.domain(),
				ProjectAcronym: m.ProjectAcronym, ProjectTitle: m.ProjectTitle,
				PartnerName: m.PartnerName, StakeholderGroupName: m.StakeholderGroupName})
		}
		stx, err := sqlTx(tx)
		if err != nil {
			return err
		}
		rows, err := stx.QueryContext(ctx, `SELECT `+commentColumns+`, COALESCE(d.kind, 'good_practice')`+commentFrom+
			`LEFT JOIN deliverables d ON d.id = c.deliverable_id WHERE c.author_id = $1 ORDER BY c.created_at, c.id`, userID)
		if err != nil {
			return err
		}
		index := map[string]int{}
		for rows.Next() {
			var kind string
			r, err := scanComment(scanExtra{rows, &kind})
			if err != nil {
				rows.Close()
				return err
			}
			r.Kind = workflow.Kind(kind)
			index[r.Comment.ID] = len(out.Comments)
			out.Comments = append(out.Comments, workflow.PersonalComment{Comment: r.Comment, History: []workflow.CommentEvent{}})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		evs, err := stx.QueryContext(ctx, `SELECT e.comment_id, e.event, e.actor_id, e.body, e.stance, e.status, e.at
			FROM comment_events e JOIN comments c ON c.id = e.comment_id
			WHERE c.author_id = $1 ORDER BY e.at, e.id`, userID)
		if err != nil {
			return err
		}
		defer evs.Close()
		for evs.Next() {
			var e workflow.CommentEvent
			if err := evs.Scan(&e.CommentID, &e.Event, &e.ActorID, &e.Body, &e.Stance, &e.Status, &e.At); err != nil {
				return err
			}
			e.At = e.At.UTC()
			if i, ok := index[e.CommentID]; ok {
				out.Comments[i].History = append(out.Comments[i].History, e)
			}
		}
		return evs.Err()
	})
	return out, err
}

// scanExtra scans a comment row followed by extra columns.
type scanExtra struct {
	sc    interface{ Scan(...any) error }
	extra *string
}

func (s scanExtra) Scan(dest ...any) error { return s.sc.Scan(append(dest, s.extra)...) }
