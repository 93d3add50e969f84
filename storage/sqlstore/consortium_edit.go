package sqlstore

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/workflow"
)

// The consortium's edits and removals (workflow.ConsortiumStore). Each
// reads the row at the caller's version, changes it and bumps the version
// in one transaction; a removal first counts what still holds the row and
// removes nothing when anything does.

// atVersion takes the row with id into dst, or fails with not_found (what)
// or, when its version is not version, precondition_failed.
func atVersion(tx *gorm.DB, dst any, id string, version int, what string, have func() int) error {
	if err := tx.Where("id = ?", id).Take(dst).Error; err != nil {
		return notFound(err, what)
	}
	if v := have(); v != version {
		return workflow.Errorf(workflow.CodePreconditionFailed, "the %s is at version %d, not %d", what, v, version)
	}
	return nil
}

// bump saves updates on the row at version and bumps its version; a row
// changed meanwhile is precondition_failed.
func bump(tx *gorm.DB, model any, id string, version int, what string, updates map[string]any) error {
	updates["version"] = version + 1
	res := tx.Model(model).Where("id = ? AND version = ?", id, version).Updates(updates)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return workflow.Errorf(workflow.CodePreconditionFailed, "the %s changed meanwhile; reload it", what)
	}
	return nil
}

// Projects.

func (s *Store) UpdateProject(ctx context.Context, id string, version int, edit func(*workflow.Project) error) (workflow.Project, error) {
	var out workflow.Project
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var row projectRow
		if err := atVersion(tx, &row, id, version, "project", func() int { return row.Version }); err != nil {
			return err
		}
		p := row.domain()
		if err := edit(&p); err != nil {
			return err
		}
		p.ID, p.CreatedAt, p.Version = row.ID, row.CreatedAt.UTC(), row.Version
		p.Normalize()
		if err := p.Validate(); err != nil {
			return err
		}
		if p.ConsultationDays == 0 {
			p.ConsultationDays = workflow.DefaultConsultationDays
		}
		if err := bump(tx, &projectRow{}, id, version, "project", map[string]any{
			"acronym": p.Acronym, "title": p.Title, "programme": p.Programme,
			"phase1_start": p.Phase1Start, "phase1_end": p.Phase1End, "phase2_end": p.Phase2End,
			"consultation_days": p.ConsultationDays, "matrix_names": p.MatrixNames,
			"language": p.Language, "time_zone": p.TimeZone}); err != nil {
			out = p
			return err
		}
		if p.MatrixNames != row.MatrixNames {
			if err := s.rerenderDrafts(ctx, tx, now(), `c.project_id = ? AND c.author_role = ?`, id, string(workflow.RoleStakeholder)); err != nil {
				return err
			}
		}
		p.Version = version + 1
		out = p
		return nil
	})
	if isDuplicate(err) {
		return out, workflow.Errorf(workflow.CodeConflict, "a project with acronym %q exists", out.Acronym)
	}
	return out, err
}

// isDuplicate tells a unique key's conflict (translated from the driver)
// from the domain's own conflicts.
func isDuplicate(err error) bool {
	var we *workflow.Error
	return errors.As(err, &we) && we.Code == workflow.CodeConflict && we.Message == "already exists"
}

// Partners.

func (s *Store) Partner(ctx context.Context, id string) (workflow.Partner, error) {
	var row partnerRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return workflow.Partner{}, notFound(err, "partner")
	}
	return row.domain(), nil
}

func (s *Store) UpdatePartner(ctx context.Context, id string, version int, edit func(*workflow.Partner) error) (workflow.Partner, error) {
	var out workflow.Partner
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var row partnerRow
		if err := atVersion(tx, &row, id, version, "partner", func() int { return row.Version }); err != nil {
			return err
		}
		p := row.domain()
		if err := edit(&p); err != nil {
			return err
		}
		p.ID, p.ProjectID, p.CreatedAt, p.Version = row.ID, row.ProjectID, row.CreatedAt.UTC(), version+1
		p.Normalize()
		if err := p.Validate(); err != nil {
			return err
		}
		if p.Role == workflow.PartnerAdvisory && row.Role != string(workflow.PartnerAdvisory) {
			var n int64
			if err := tx.Model(&deliverableRow{}).Where("partner_id = ? AND kind = ?", id, workflow.KindActionPlan).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return workflow.Problems{workflow.Problem("role", "an advisory partner owns no action plan")}.Err("invalid partner")
			}
		}
		out = p
		return bump(tx, &partnerRow{}, id, version, "partner", map[string]any{"name": p.Name, "short_name": p.ShortName,
			"country": p.Country, "region": p.Region, "role": string(p.Role)})
	})
	if isDuplicate(err) {
		return out, workflow.Errorf(workflow.CodeConflict, "a partner named %q exists in this project", out.Name)
	}
	return out, err
}

// titles lists up to five titles, and how many more.
func titles(ts []string) string {
	if len(ts) <= 5 {
		return strings.Join(ts, ", ")
	}
	return strings.Join(ts[:5], ", ") + ", …"
}

type heldRow struct {
	Kind  string
	Title string
}

func (s *Store) DeletePartner(ctx context.Context, id string, version int) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var row partnerRow
		if err := atVersion(tx, &row, id, version, "partner", func() int { return row.Version }); err != nil {
			return err
		}
		var holders workflow.Problems
		var owned []heldRow
		if err := tx.Raw(`SELECT d.kind, d.title FROM deliverables d
			WHERE d.partner_id = ? OR d.id IN (SELECT deliverable_id FROM deliverable_parties WHERE partner_id = ? AND party = 'owner')
			ORDER BY d.kind, d.title`, id, id).Scan(&owned).Error; err != nil {
			return err
		}
		byKind := map[string][]string{}
		var kinds []string
		for _, o := range owned {
			if byKind[o.Kind] == nil {
				kinds = append(kinds, o.Kind)
			}
			byKind[o.Kind] = append(byKind[o.Kind], o.Title)
		}
		for _, k := range kinds {
			holders.Add("deliverables", "owns %s (%d): %s", workflow.KindNoun(k), len(byKind[k]), titles(byKind[k]))
		}
		var peered []string
		if err := tx.Raw(`SELECT d.title FROM deliverables d JOIN deliverable_parties p ON p.deliverable_id = d.id
			WHERE p.partner_id = ? AND p.party = 'peer' ORDER BY d.title`, id).Scan(&peered).Error; err != nil {
			return err
		}
		if len(peered) > 0 {
			holders.Add("peer_of", "is a peer of deliverables (%d): %s", len(peered), titles(peered))
		}
		var events []string
		if err := tx.Raw(`SELECT title FROM learning_events WHERE project_id = ? AND (host_partner_id = ? OR content LIKE ?) ORDER BY title`,
			row.ProjectID, id, `%"`+id+`"%`).Scan(&events).Error; err != nil {
			return err
		}
		if len(events) > 0 {
			holders.Add("events", "hosts or takes part in events (%d): %s", len(events), titles(events))
		}
		var instruments []string
		if err := tx.Raw(`SELECT i.name FROM policy_instruments i JOIN policy_instrument_partners l ON l.policy_instrument_id = i.id
			WHERE l.partner_id = ? ORDER BY i.name`, id).Scan(&instruments).Error; err != nil {
			return err
		}
		if len(instruments) > 0 {
			holders.Add("policy_instruments", "addresses policy instruments (%d): %s", len(instruments), titles(instruments))
		}
		var members []string
		if err := tx.Raw(`SELECT u.name FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.partner_id = ? ORDER BY u.name`, id).
			Scan(&members).Error; err != nil {
			return err
		}
		if len(members) > 0 {
			holders.Add("members", "scopes members (%d): %s", len(members), titles(members))
		}
		if len(holders) > 0 {
			return workflow.HeldError(workflow.Errorf(workflow.CodeConflict, "the partner is still held: %s", workflow.Held(holders)), holders)
		}
		return deleteAt(tx, &partnerRow{}, id, version, "partner")
	})
}

// deleteAt deletes the row at version.
func deleteAt(tx *gorm.DB, model any, id string, version int, what string) error {
	res := tx.Where("id = ? AND version = ?", id, version).Delete(model)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return workflow.Errorf(workflow.CodePreconditionFailed, "the %s changed meanwhile; reload it", what)
	}
	return nil
}

// Policy instruments.

func (s *Store) PolicyInstrument(ctx context.Context, id string) (workflow.PolicyInstrument, error) {
	return s.instrument(s.db.WithContext(ctx), id)
}

func (s *Store) instrument(db *gorm.DB, id string) (workflow.PolicyInstrument, error) {
	var row instrumentRow
	if err := db.Where("id = ?", id).Take(&row).Error; err != nil {
		return workflow.PolicyInstrument{}, notFound(err, "policy instrument")
	}
	ids := []string{}
	if err := db.Model(&instrumentPartnerRow{}).Where("policy_instrument_id = ?", id).Order("partner_id").
		Pluck("partner_id", &ids).Error; err != nil {
		return workflow.PolicyInstrument{}, translate(err)
	}
	return workflow.PolicyInstrument{ID: row.ID, ProjectID: row.ProjectID, Name: row.Name,
		Type: workflow.InstrumentType(row.Type), PartnerIDs: ids, CreatedAt: row.CreatedAt.UTC(), Version: row.Version}, nil
}

func (s *Store) UpdatePolicyInstrument(ctx context.Context, id string, version int, edit func(*workflow.PolicyInstrument) error) (workflow.PolicyInstrument, error) {
	var out workflow.PolicyInstrument
	err := s.tx(ctx, func(tx *gorm.DB) error {
		cur, err := s.instrument(tx, id)
		if err != nil {
			return err
		}
		if cur.Version != version {
			return workflow.Errorf(workflow.CodePreconditionFailed, "the %s is at version %d, not %d", "policy instrument", cur.Version, version)
		}
		pi := cur
		pi.PartnerIDs = append([]string(nil), cur.PartnerIDs...)
		if err := edit(&pi); err != nil {
			return err
		}
		pi.ID, pi.ProjectID, pi.CreatedAt, pi.Version = cur.ID, cur.ProjectID, cur.CreatedAt, version+1
		pi.Normalize()
		if err := pi.Validate(); err != nil {
			return err
		}
		for _, pid := range pi.PartnerIDs {
			if err := inProject(tx, &partnerRow{}, pi.ProjectID, pid, "partner_ids"); err != nil {
				return err
			}
		}
		if !sameSet(cur.PartnerIDs, pi.PartnerIDs) {
			var n int64
			if err := tx.Model(&deliverableRow{}).Where("policy_instrument_id = ?", id).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return workflow.Errorf(workflow.CodeConflict, "the partners of a policy instrument with an action plan cannot change")
			}
			if err := tx.Where("policy_instrument_id = ?", id).Delete(&instrumentPartnerRow{}).Error; err != nil {
				return err
			}
			links := make([]instrumentPartnerRow, len(pi.PartnerIDs))
			for i, p := range pi.PartnerIDs {
				links[i] = instrumentPartnerRow{PolicyInstrumentID: id, PartnerID: p}
			}
			if err := tx.Create(&links).Error; err != nil {
				return err
			}
		}
		out = pi
		return bump(tx, &instrumentRow{}, id, version, "policy instrument", map[string]any{"name": pi.Name, "type": string(pi.Type)})
	})
	if isDuplicate(err) {
		return out, workflow.Errorf(workflow.CodeConflict, "a policy instrument named %q exists in this project", out.Name)
	}
	return out, err
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	in := map[string]bool{}
	for _, x := range a {
		in[x] = true
	}
	for _, x := range b {
		if !in[x] {
			return false
		}
	}
	return true
}

func (s *Store) DeletePolicyInstrument(ctx context.Context, id string, version int) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var row instrumentRow
		if err := atVersion(tx, &row, id, version, "policy instrument", func() int { return row.Version }); err != nil {
			return err
		}
		var holders workflow.Problems
		var held []heldRow
		if err := tx.Raw(`SELECT kind, title FROM deliverables WHERE policy_instrument_id = ? ORDER BY kind, title`, id).Scan(&held).Error; err != nil {
			return err
		}
		byKind, kinds := map[string][]string{}, []string{}
		for _, h := range held {
			if byKind[h.Kind] == nil {
				kinds = append(kinds, h.Kind)
			}
			byKind[h.Kind] = append(byKind[h.Kind], h.Title)
		}
		for _, k := range kinds {
			holders.Add("deliverables", "has %s (%d): %s", workflow.KindNoun(k), len(byKind[k]), titles(byKind[k]))
		}
		var groups []string
		if err := tx.Model(&groupRow{}).Where("policy_instrument_id = ?", id).Order("name").Pluck("name", &groups).Error; err != nil {
			return err
		}
		if len(groups) > 0 {
			holders.Add("stakeholder_groups", "has stakeholder groups (%d): %s", len(groups), titles(groups))
		}
		if len(holders) > 0 {
			return workflow.HeldError(workflow.Errorf(workflow.CodeConflict, "the policy instrument is still held: %s", workflow.Held(holders)), holders)
		}
		if err := tx.Where("policy_instrument_id = ?", id).Delete(&instrumentPartnerRow{}).Error; err != nil {
			return err
		}
		return deleteAt(tx, &instrumentRow{}, id, version, "policy instrument")
	})
}

// Stakeholder groups.

func (s *Store) StakeholderGroup(ctx context.Context, id string) (workflow.StakeholderGroup, error) {
	var row groupRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return workflow.StakeholderGroup{}, notFound(err, "stakeholder group")
	}
	return row.domain(), nil
}

func (s *Store) UpdateStakeholderGroup(ctx context.Context, id string, version int, edit func(*workflow.StakeholderGroup) error) (workflow.StakeholderGroup, error) {
	var out workflow.StakeholderGroup
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var row groupRow
		if err := atVersion(tx, &row, id, version, "stakeholder group", func() int { return row.Version }); err != nil {
			return err
		}
		g := row.domain()
		if err := edit(&g); err != nil {
			return err
		}
		g.ID, g.ProjectID, g.CreatedAt, g.Version = row.ID, row.ProjectID, row.CreatedAt.UTC(), version+1
		g.Normalize()
		if err := g.Validate(); err != nil {
			return err
		}
		if g.PolicyInstrumentID != row.PolicyInstrumentID {
			if err := inProject(tx, &instrumentRow{}, g.ProjectID, g.PolicyInstrumentID, "policy_instrument_id"); err != nil {
				return err
			}
		}
		out = g
		return bump(tx, &groupRow{}, id, version, "stakeholder group", map[string]any{"name": g.Name, "policy_instrument_id": g.PolicyInstrumentID})
	})
	if isDuplicate(err) {
		return out, workflow.Errorf(workflow.CodeConflict, "this policy instrument already has a stakeholder group")
	}
	return out, err
}

func (s *Store) DeleteStakeholderGroup(ctx context.Context, id string, version int) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var row groupRow
		if err := atVersion(tx, &row, id, version, "stakeholder group", func() int { return row.Version }); err != nil {
			return err
		}
		var holders workflow.Problems
		var members []string
		if err := tx.Raw(`SELECT u.name FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.stakeholder_group_id = ? ORDER BY u.name`, id).
			Scan(&members).Error; err != nil {
			return err
		}
		if len(members) > 0 {
			holders.Add("members", "scopes members (%d): %s", len(members), titles(members))
		}
		var practices []string
		if err := tx.Raw(`SELECT d.title FROM transfer_interests t JOIN deliverables d ON d.id = t.practice_id WHERE t.group_id = ? ORDER BY d.title`, id).
			Scan(&practices).Error; err != nil {
			return err
		}
		if len(practices) > 0 {
			holders.Add("transfer_interests", "is interested in good practices (%d): %s", len(practices), titles(practices))
		}
		var events []string
		if err := tx.Raw(`SELECT title FROM learning_events WHERE project_id = ? AND content LIKE ? ORDER BY title`,
			row.ProjectID, `%"`+id+`"%`).Scan(&events).Error; err != nil {
			return err
		}
		if len(events) > 0 {
			holders.Add("events", "hosts or takes part in events (%d): %s", len(events), titles(events))
		}
		if len(holders) > 0 {
			return workflow.HeldError(workflow.Errorf(workflow.CodeConflict, "the stakeholder group is still held: %s", workflow.Held(holders)), holders)
		}
		return deleteAt(tx, &groupRow{}, id, version, "stakeholder group")
	})
}

// Memberships.

func (s *Store) Membership(ctx context.Context, id string) (workflow.Membership, error) {
	var row membershipRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return workflow.Membership{}, notFound(err, "member")
	}
	return row.domain(), nil
}

// keepCoordinator refuses a change that would leave the project of a
// coordinator's membership without one.
func keepCoordinator(tx *gorm.DB, row membershipRow) error {
	if row.Role != string(workflow.RoleCoordinator) {
		return nil
	}
	var n int64
	if err := tx.Model(&membershipRow{}).Where("project_id = ? AND role = ? AND id <> ?", row.ProjectID, workflow.RoleCoordinator, row.ID).
		Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return workflow.Errorf(workflow.CodeConflict, "a project keeps at least one coordinator")
	}
	return nil
}

func (s *Store) UpdateMembership(ctx context.Context, id string, version int, edit func(*workflow.Membership) error) (workflow.Membership, error) {
	var out workflow.Membership
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var row membershipRow
		if err := atVersion(tx, &row, id, version, "member", func() int { return row.Version }); err != nil {
			return err
		}
		m := row.domain()
		if err := edit(&m); err != nil {
			return err
		}
		m.ID, m.ProjectID, m.UserID, m.CreatedAt, m.Version = row.ID, row.ProjectID, row.UserID, row.CreatedAt.UTC(), version+1
		if err := m.Validate(); err != nil {
			return err
		}
		if m.Role != workflow.RoleCoordinator {
			if err := keepCoordinator(tx, row); err != nil {
				return err
			}
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
		out = m
		if err := bump(tx, &membershipRow{}, id, version, "member", map[string]any{"role": string(m.Role),
			"partner_id": nullable(m.PartnerID), "stakeholder_group_id": nullable(m.StakeholderGroupID)}); err != nil {
			return err
		}
		if m.Role == workflow.Role(row.Role) {
			return nil
		}
		return s.tellMember(ctx, tx, workflow.NoticeRoleChanged, m)
	})
	return out, err
}

func (s *Store) DeleteMembership(ctx context.Context, id string, version int) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var row membershipRow
		if err := atVersion(tx, &row, id, version, "member", func() int { return row.Version }); err != nil {
			return err
		}
		if err := keepCoordinator(tx, row); err != nil {
			return err
		}
		return deleteAt(tx, &membershipRow{}, id, version, "member")
	})
}

// Invite finds or makes the user and the membership together.
func (s *Store) Invite(ctx context.Context, u *workflow.User, m *workflow.Membership) (bool, error) {
	created := false
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var row userRow
		err := tx.Where("email = ? AND erased_at IS NULL", u.Email).Take(&row).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			row = userRow{ID: workflow.NewID(), Email: u.Email, Name: u.Name, CreatedAt: now()}
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
			created = true
		case err != nil:
			return err
		}
		*u = row.domain()
		m.UserID = u.ID
		m.ID, m.CreatedAt, m.Version = workflow.NewID(), now(), 1
		if err := m.Validate(); err != nil {
			return err
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
		var n int64
		if err := tx.Model(&membershipRow{}).Where("project_id = ? AND user_id = ?", m.ProjectID, u.ID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return workflow.Errorf(workflow.CodeConflict, "this user is already a member of the project")
		}
		if err := tx.Create(&membershipRow{ID: m.ID, ProjectID: m.ProjectID, UserID: m.UserID, Role: string(m.Role),
			PartnerID: nullable(m.PartnerID), StakeholderGroupID: nullable(m.StakeholderGroupID), CreatedAt: m.CreatedAt, Version: 1}).Error; err != nil {
			return err
		}
		return s.tellMember(ctx, tx, workflow.NoticeInvited, *m)
	})
	if err != nil {
		created = false
	}
	return created, err
}
