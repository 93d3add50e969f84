package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/craftscode/craftscode/workflow"
)

// Rows as stored. They stay private: the rest of the service sees the
// workflow types.

type userRow struct {
	ID        string
	Email     string
	Name      string
	Admin     bool
	Language  string
	TimeZone  string
	CreatedAt time.Time
	// DeactivatedAt is set once an admin deactivates the account.
	DeactivatedAt *time.Time
}

func (userRow) TableName() string { return "users" }
func (r userRow) domain() workflow.User {
	return workflow.User{ID: r.ID, Email: r.Email, Name: r.Name, Admin: r.Admin,
		Language: r.Language, TimeZone: r.TimeZone, CreatedAt: r.CreatedAt.UTC(), DeactivatedAt: utcPtr(r.DeactivatedAt)}
}

type tokenRow struct {
	Hash       string
	ID         string
	UserID     string
	Label      string // the token's name
	CreatedAt  time.Time
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
}

func (tokenRow) TableName() string { return "api_tokens" }

type projectRow struct {
	ID          string
	Acronym     string
	Title       string
	Programme   string
	Phase1Start *workflow.Date
	Phase1End   *workflow.Date
	Phase2End   *workflow.Date
	// ConsultationDays is the default consultation window of a submit.
	ConsultationDays int
	MatrixNames      string
	Language         string
	TimeZone         string
	CreatedAt        time.Time
	Version          int
}

func (projectRow) TableName() string { return "projects" }
func (r projectRow) domain() workflow.Project {
	return workflow.Project{ID: r.ID, Acronym: r.Acronym, Title: r.Title, Programme: r.Programme,
		Phase1Start: r.Phase1Start, Phase1End: r.Phase1End, Phase2End: r.Phase2End,
		ConsultationDays: r.ConsultationDays, MatrixNames: r.MatrixNames,
		Language: r.Language, TimeZone: r.TimeZone, CreatedAt: r.CreatedAt.UTC(), Version: r.Version}
}

type partnerRow struct {
	ID        string
	ProjectID string
	Name      string
	ShortName string
	Country   string
	Region    string
	Role      string
	CreatedAt time.Time
	Version   int
}

func (partnerRow) TableName() string { return "partners" }
func (r partnerRow) domain() workflow.Partner {
	return workflow.Partner{ID: r.ID, ProjectID: r.ProjectID, Name: r.Name, ShortName: r.ShortName,
		Country: r.Country, Region: r.Region, Role: workflow.PartnerRole(r.Role), CreatedAt: r.CreatedAt.UTC(), Version: r.Version}
}

type instrumentRow struct {
	ID        string
	ProjectID string
	Name      string
	Type      string
	CreatedAt time.Time
	Version   int
}

func (instrumentRow) TableName() string { return "policy_instruments" }

type instrumentPartnerRow struct {
	PolicyInstrumentID string
	PartnerID          string
}

func (instrumentPartnerRow) TableName() string { return "policy_instrument_partners" }

type groupRow struct {
	ID                 string
	ProjectID          string
	Name               string
	PolicyInstrumentID string
	CreatedAt          time.Time
	Version            int
}

func (groupRow) TableName() string { return "stakeholder_groups" }
func (r groupRow) domain() workflow.StakeholderGroup {
	return workflow.StakeholderGroup{ID: r.ID, ProjectID: r.ProjectID, Name: r.Name,
		PolicyInstrumentID: r.PolicyInstrumentID, CreatedAt: r.CreatedAt.UTC(), Version: r.Version}
}

type membershipRow struct {
	ID                 string
	ProjectID          string
	UserID             string
	Role               string
	PartnerID          *string
	StakeholderGroupID *string
	CreatedAt          time.Time
	Version            int
}

func (membershipRow) TableName() string { return "memberships" }
func (r membershipRow) domain() workflow.Membership {
	m := workflow.Membership{ID: r.ID, ProjectID: r.ProjectID, UserID: r.UserID,
		Role: workflow.Role(r.Role), CreatedAt: r.CreatedAt.UTC(), Version: r.Version}
	if r.PartnerID != nil {
		m.PartnerID = *r.PartnerID
	}
	if r.StakeholderGroupID != nil {
		m.StakeholderGroupID = *r.StakeholderGroupID
	}
	return m
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func mapRows[R any, T any](rows []R, f func(R) T) []T {
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = f(r)
	}
	return out
}

// Users and tokens.

func (s *Store) CreateUser(ctx context.Context, u *workflow.User, tokenHash, label string) error {
	u.ID, u.CreatedAt = workflow.NewID(), now()
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&userRow{ID: u.ID, Email: u.Email, Name: u.Name, Admin: u.Admin,
			Language: u.Language, TimeZone: u.TimeZone, CreatedAt: u.CreatedAt}).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return workflow.Errorf(workflow.CodeConflict, "a user with this e-mail address exists")
			}
			return err
		}
		return tx.Create(s.newTokenRow(tokenHash, u.ID, label, u.CreatedAt)).Error
	})
}

// EnsureAdmin makes sure the token belongs to an admin. An unknown token is
// attached to the user with u.Email, which is created as an admin if needed.
func (s *Store) EnsureAdmin(ctx context.Context, u *workflow.User, tokenHash string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var tok tokenRow
		err := tx.Where("hash = ?", tokenHash).Take(&tok).Error
		if err == nil {
			var row userRow
			if err := tx.Where("id = ?", tok.UserID).Take(&row).Error; err != nil {
				return err
			}
			*u = row.domain()
			u.Admin = true
			return tx.Model(&userRow{}).Where("id = ?", row.ID).Update("admin", true).Error
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		var row userRow
		err = tx.Where("email = ?", u.Email).Take(&row).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			row = userRow{ID: workflow.NewID(), Email: u.Email, Name: u.Name, Admin: true, CreatedAt: now()}
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if err := tx.Model(&userRow{}).Where("id = ?", row.ID).Update("admin", true).Error; err != nil {
				return err
			}
			row.Admin = true
		}
		*u = row.domain()
		// The bootstrap token is configuration: it never expires (take it
		// out of the environment to retire it).
		return tx.Create(&tokenRow{Hash: tokenHash, ID: workflow.NewID(), UserID: row.ID, Label: "admin-token", CreatedAt: now()}).Error
	})
}

func (s *Store) AddToken(ctx context.Context, userID, tokenHash, label string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Create(s.newTokenRow(tokenHash, userID, label, now())).Error
	})
}

func (s *Store) UserByEmail(ctx context.Context, email string) (workflow.User, error) {
	var row userRow
	if err := s.db.WithContext(ctx).Where("email = ?", email).Take(&row).Error; err != nil {
		return workflow.User{}, notFound(err, "user")
	}
	return row.domain(), nil
}

func (s *Store) ListUsers(ctx context.Context, p workflow.Page) ([]workflow.User, string, error) {
	rows, next, err := page(s.db.WithContext(ctx).Model(&userRow{}), p, func(r userRow) string { return r.ID })
	return mapRows(rows, userRow.domain), next, err
}

// Authenticate reads the user and every membership, with the instruments
// of stakeholder groups, in one query: it runs on every request.
func (s *Store) Authenticate(ctx context.Context, tokenHash string) (workflow.Principal, error) {
	p, err := s.principal(ctx, "api_tokens t JOIN users u ON u.id = t.user_id",
		"t.hash = $1 AND (t.expires_at IS NULL OR t.expires_at > $2)", tokenHash, now())
	if workflow.ErrorCode(err) == workflow.CodeNotFound {
		return p, workflow.Errorf(workflow.CodeNotFound, "token not found")
	}
	return p, err
}

// principal reads a user and their memberships; from must join the user
// as u, and where selects one user. Erased and deactivated users are not
// found.
func (s *Store) principal(ctx context.Context, from, where string, args ...any) (workflow.Principal, error) {
	var p workflow.Principal
	rows, err := s.sql.QueryContext(ctx, `SELECT u.id, u.email, u.name, u.admin, u.language, u.time_zone, u.created_at,
			m.id, m.project_id, m.role, m.partner_id, m.stakeholder_group_id, m.created_at, m.version, g.policy_instrument_id,
			pr.language, pr.time_zone
		FROM `+from+`
		LEFT JOIN memberships m ON m.user_id = u.id
		LEFT JOIN stakeholder_groups g ON g.id = m.stakeholder_group_id
		LEFT JOIN projects pr ON pr.id = m.project_id
		WHERE (`+where+`) AND u.erased_at IS NULL AND u.deactivated_at IS NULL ORDER BY m.project_id`, args...)
	if err != nil {
		return p, translate(err)
	}
	defer rows.Close()
	p.Memberships = []workflow.Membership{}
	p.GroupInstruments = map[string]string{}
	p.Projects = map[string]workflow.ProjectLocale{}
	found := false
	for rows.Next() {
		var u userRow
		var mID, mProject, mRole, mPartner, mGroup, mInstrument, pLang, pZone *string
		var mCreated *time.Time
		var mVersion *int
		if err := rows.Scan(&u.ID, &u.Email, &u.Name, &u.Admin, &u.Language, &u.TimeZone, &u.CreatedAt,
			&mID, &mProject, &mRole, &mPartner, &mGroup, &mCreated, &mVersion, &mInstrument, &pLang, &pZone); err != nil {
			return p, err
		}
		found, p.User = true, u.domain()
		if mID == nil {
			continue
		}
		m := membershipRow{ID: *mID, ProjectID: *mProject, UserID: u.ID, Role: *mRole, PartnerID: mPartner, StakeholderGroupID: mGroup}
		if mCreated != nil {
			m.CreatedAt = *mCreated
		}
		if mVersion != nil {
			m.Version = *mVersion
		}
		p.Memberships = append(p.Memberships, m.domain())
		if pLang != nil && pZone != nil {
			p.Projects[*mProject] = workflow.ProjectLocale{Language: *pLang, TimeZone: *pZone}
		}
		if mGroup != nil && mInstrument != nil {
			p.GroupInstruments[*mGroup] = *mInstrument
		}
	}
	if err := rows.Err(); err != nil {
		return p, err
	}
	if !found {
		return p, workflow.Errorf(workflow.CodeNotFound, "user not found")
	}
	return p, nil
}

// notFound names what was missing, and passes other errors on translated.
func notFound(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return workflow.Errorf(workflow.CodeNotFound, "%s not found", what)
	}
	return translate(err)
}

// Projects.

func (s *Store) CreateProject(ctx context.Context, p *workflow.Project) error {
	p.ID, p.CreatedAt, p.Version = workflow.NewID(), now(), 1
	if p.ConsultationDays == 0 {
		p.ConsultationDays = workflow.DefaultConsultationDays
	}
	if p.MatrixNames == "" {
		p.MatrixNames = workflow.MatrixOrganisations
	}
	if p.Language == "" {
		p.Language = workflow.Languages[0]
	}
	if p.TimeZone == "" {
		p.TimeZone = workflow.DefaultTimeZone
	}
	row := projectRow{ID: p.ID, Acronym: p.Acronym, Title: p.Title, Programme: p.Programme,
		Phase1Start: p.Phase1Start, Phase1End: p.Phase1End, Phase2End: p.Phase2End,
		ConsultationDays: p.ConsultationDays, MatrixNames: p.MatrixNames,
		Language: p.Language, TimeZone: p.TimeZone, CreatedAt: p.CreatedAt, Version: 1}
	err := s.tx(ctx, func(tx *gorm.DB) error { return tx.Create(&row).Error })
	if workflow.ErrorCode(err) == workflow.CodeConflict {
		return workflow.Errorf(workflow.CodeConflict, "a project with acronym %q exists", p.Acronym)
	}
	return err
}

func (s *Store) Project(ctx context.Context, id string) (workflow.Project, error) {
	var row projectRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return workflow.Project{}, notFound(err, "project")
	}
	return row.domain(), nil
}

func (s *Store) ProjectByAcronym(ctx context.Context, acronym string) (workflow.Project, error) {
	var row projectRow
	if err := s.db.WithContext(ctx).Where("acronym = ?", acronym).Take(&row).Error; err != nil {
		return workflow.Project{}, notFound(err, "project")
	}
	return row.domain(), nil
}

func (s *Store) ListProjects(ctx context.Context, userID string, p workflow.Page) ([]workflow.Project, string, error) {
	q := s.db.WithContext(ctx).Model(&projectRow{})
	if userID != "" {
		q = q.Where("id IN (?)", s.db.Model(&membershipRow{}).Select("project_id").Where("user_id = ?", userID))
	}
	rows, next, err := page(q, p, func(r projectRow) string { return r.ID })
	return mapRows(rows, projectRow.domain), next, err
}

// inProject fails with invalid when the row with id is not in the project.
func inProject(tx *gorm.DB, model any, projectID, id, field string) error {
	var n int64
	if err := tx.Model(model).Where("id = ? AND project_id = ?", id, projectID).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return workflow.Problems{workflow.Problem(field, "does not name one of this project's records")}.Err("unknown reference")
	}
	return nil
}

// Partners.

func (s *Store) CreatePartner(ctx context.Context, p *workflow.Partner) error {
	p.ID, p.CreatedAt, p.Version = workflow.NewID(), now(), 1
	row := partnerRow{ID: p.ID, ProjectID: p.ProjectID, Name: p.Name, ShortName: p.ShortName,
		Country: p.Country, Region: p.Region, Role: string(p.Role), CreatedAt: p.CreatedAt, Version: 1}
	err := s.tx(ctx, func(tx *gorm.DB) error { return tx.Create(&row).Error })
	if workflow.ErrorCode(err) == workflow.CodeConflict {
		return workflow.Errorf(workflow.CodeConflict, "a partner named %q exists in this project", p.Name)
	}
	return err
}

func (s *Store) ListPartners(ctx context.Context, projectID string, p workflow.Page) ([]workflow.Partner, string, error) {
	q := s.db.WithContext(ctx).Model(&partnerRow{}).Where("project_id = ?", projectID)
	rows, next, err := page(q, p, func(r partnerRow) string { return r.ID })
	return mapRows(rows, partnerRow.domain), next, err
}

// Policy instruments.

func (s *Store) CreatePolicyInstrument(ctx context.Context, pi *workflow.PolicyInstrument) error {
	pi.ID, pi.CreatedAt, pi.Version = workflow.NewID(), now(), 1
	err := s.tx(ctx, func(tx *gorm.DB) error {
		for _, id := range pi.PartnerIDs {
			if err := inProject(tx, &partnerRow{}, pi.ProjectID, id, "partner_ids"); err != nil {
				return err
			}
		}
		if err := tx.Create(&instrumentRow{ID: pi.ID, ProjectID: pi.ProjectID, Name: pi.Name,
			Type: string(pi.Type), CreatedAt: pi.CreatedAt, Version: 1}).Error; err != nil {
			return err
		}
		links := make([]instrumentPartnerRow, len(pi.PartnerIDs))
		for i, id := range pi.PartnerIDs {
			links[i] = instrumentPartnerRow{PolicyInstrumentID: pi.ID, PartnerID: id}
		}
		return tx.Create(&links).Error
	})
	if workflow.ErrorCode(err) == workflow.CodeConflict {
		return workflow.Errorf(workflow.CodeConflict, "a policy instrument named %q exists in this project", pi.Name)
	}
	return err
}

func (s *Store) ListPolicyInstruments(ctx context.Context, projectID string, p workflow.Page) ([]workflow.PolicyInstrument, string, error) {
	db := s.db.WithContext(ctx)
	rows, next, err := page(db.Model(&instrumentRow{}).Where("project_id = ?", projectID), p,
		func(r instrumentRow) string { return r.ID })
	if err != nil || len(rows) == 0 {
		return []workflow.PolicyInstrument{}, next, err
	}
	ids := mapRows(rows, func(r instrumentRow) string { return r.ID })
	var links []instrumentPartnerRow
	if err := db.Where("policy_instrument_id IN ?", ids).Order("policy_instrument_id, partner_id").Find(&links).Error; err != nil {
		return nil, "", translate(err)
	}
	partners := map[string][]string{}
	for _, l := range links {
		partners[l.PolicyInstrumentID] = append(partners[l.PolicyInstrumentID], l.PartnerID)
	}
	return mapRows(rows, func(r instrumentRow) workflow.PolicyInstrument {
		ids := partners[r.ID]
		if ids == nil {
			ids = []string{}
		}
		return workflow.PolicyInstrument{ID: r.ID, ProjectID: r.ProjectID, Name: r.Name,
			Type: workflow.InstrumentType(r.Type), PartnerIDs: ids, CreatedAt: r.CreatedAt.UTC(), Version: r.Version}
	}), next, nil
}

// Stakeholder groups.

func (s *Store) CreateStakeholderGroup(ctx context.Context, g *workflow.StakeholderGroup) error {
	g.ID, g.CreatedAt, g.Version = workflow.NewID(), now(), 1
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := inProject(tx, &instrumentRow{}, g.ProjectID, g.PolicyInstrumentID, "policy_instrument_id"); err != nil {
			return err
		}
		return tx.Create(&groupRow{ID: g.ID, ProjectID: g.ProjectID, Name: g.Name,
			PolicyInstrumentID: g.PolicyInstrumentID, CreatedAt: g.CreatedAt, Version: 1}).Error
	})
	if workflow.ErrorCode(err) == workflow.CodeConflict {
		return workflow.Errorf(workflow.CodeConflict, "this policy instrument already has a stakeholder group")
	}
	return err
}

func (s *Store) ListStakeholderGroups(ctx context.Context, projectID string, p workflow.Page) ([]workflow.StakeholderGroup, string, error) {
	q := s.db.WithContext(ctx).Model(&groupRow{}).Where("project_id = ?", projectID)
	rows, next, err := page(q, p, func(r groupRow) string { return r.ID })
	return mapRows(rows, groupRow.domain), next, err
}

// Memberships.

func (s *Store) CreateMembership(ctx context.Context, m *workflow.Membership) error {
	m.ID, m.CreatedAt, m.Version = workflow.NewID(), now(), 1
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&userRow{}).Where("id = ?", m.UserID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return workflow.Problems{workflow.Problem("user_id", "does not name a user")}.Err("unknown reference")
		}
		if m.PartnerID != "" {
			if err := inProject(tx, &partnerRow{}, m.ProjectID, m.PartnerID, "partner_id"); err != nil {
				return err
			}
		}
		if m.StakeholderGroupID != "" {
			if err := inProject(tx, &groupRow{}, m.ProjectID, m.StakeholderGroupID, "stakeholder_group_id"); err != nil {
				return err
			}
		}
		return tx.Create(&membershipRow{ID: m.ID, ProjectID: m.ProjectID, UserID: m.UserID, Role: string(m.Role),
			PartnerID: nullable(m.PartnerID), StakeholderGroupID: nullable(m.StakeholderGroupID), CreatedAt: m.CreatedAt, Version: 1}).Error
	})
	if workflow.ErrorCode(err) == workflow.CodeConflict {
		return workflow.Errorf(workflow.CodeConflict, "this user is already a member of the project")
	}
	return err
}

func (s *Store) ListMemberships(ctx context.Context, projectID string, p workflow.Page) ([]workflow.Membership, string, error) {
	q := s.db.WithContext(ctx).Model(&membershipRow{}).Where("project_id = ?", projectID)
	rows, next, err := page(q, p, func(r membershipRow) string { return r.ID })
	return mapRows(rows, membershipRow.domain), next, err
}

// Idempotency keys.

type idempotencyRow struct {
	UserID      string
	Key         string
	RequestHash string
	Status      int
	Headers     string // JSON object of the replayed headers
	Body        []byte
	CreatedAt   time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

// ClaimIdempotencyKey records k as running and returns (k, true), or
// returns the existing record and false when the key was used before. A
// record older than workflow.IdempotencyTTL is gone: its key is claimed
// afresh. Now and then, every expired record is deleted.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, k *workflow.IdempotencyRecord) (workflow.IdempotencyRecord, bool, error) {
	k.CreatedAt = now()
	expired := k.CreatedAt.Add(-workflow.IdempotencyTTL)
	if err := s.sweepIdempotencyKeys(ctx, expired); err != nil {
		return *k, false, err
	}
	row := idempotencyRow{UserID: k.UserID, Key: k.Key, RequestHash: k.RequestHash, Headers: "{}", CreatedAt: k.CreatedAt}
	var claimed bool
	var existing idempotencyRow
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("user_id = ? AND key = ? AND created_at < ?", k.UserID, k.Key, expired).Delete(&idempotencyRow{}).Error; err != nil {
			return err
		}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 1 {
			claimed = true
			return nil
		}
		return tx.Where("user_id = ? AND key = ?", k.UserID, k.Key).Take(&existing).Error
	})
	if err != nil || claimed {
		return *k, claimed, err
	}
	rec := workflow.IdempotencyRecord{UserID: existing.UserID, Key: existing.Key, RequestHash: existing.RequestHash,
		Status: existing.Status, Body: existing.Body, CreatedAt: existing.CreatedAt.UTC()}
	if err := json.Unmarshal([]byte(existing.Headers), &rec.Headers); err != nil {
		return rec, false, fmt.Errorf("idempotency record headers: %w", err)
	}
	return rec, false, nil
}

// idempotencySweepEvery is how often a store deletes every expired
// idempotency record (at the next claim after it).
const idempotencySweepEvery = time.Minute

// sweepIdempotencyKeys deletes the records older than expired, at most
// once per idempotencySweepEvery in this process.
func (s *Store) sweepIdempotencyKeys(ctx context.Context, expired time.Time) error {
	last := s.idempotencySwept.Load()
	t := time.Now().UnixNano()
	if t-last < int64(idempotencySweepEvery) || !s.idempotencySwept.CompareAndSwap(last, t) {
		return nil
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Where("created_at < ?", expired).Delete(&idempotencyRow{}).Error
	})
}

func (s *Store) CompleteIdempotencyKey(ctx context.Context, k workflow.IdempotencyRecord) error {
	headers, err := json.Marshal(k.Headers)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&idempotencyRow{}).Where("user_id = ? AND key = ?", k.UserID, k.Key).
			Updates(map[string]any{"status": k.Status, "headers": string(headers), "body": k.Body}).Error
	})
}

func (s *Store) ReleaseIdempotencyKey(ctx context.Context, userID, key string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Where("user_id = ? AND key = ?", userID, key).Delete(&idempotencyRow{}).Error
	})
}
