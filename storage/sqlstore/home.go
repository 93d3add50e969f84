package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/workflow"
)

var _ workflow.HomeReader = (*Store)(nil)

// homeRow is a deliverable's head as the project home lists it: no
// content, the owning partner's name joined in.
type homeRow struct {
	ID                 string
	Kind               string
	PartnerID          string
	PartnerName        string
	PartnerShort       string
	PolicyInstrumentID *string
	Title              string
	State              string
	Version            int
	Revision           int
	Parties            string
	UpdatedAt          time.Time
}

// ProjectHome reads the project's home in four queries at most, whatever
// the number of deliverables: the project, the deliverables in scope, the
// consultations (with their unanswered comments) of those in
// stakeholder_review, and the progress reports of the project.
func (s *Store) ProjectHome(ctx context.Context, projectID string, scope workflow.Scope, now time.Time) (workflow.ProjectHome, error) {
	var home workflow.ProjectHome
	var opts []*sql.TxOptions
	if s.dialect == Postgres {
		opts = append(opts, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	}
	err := translate(s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var pr projectRow
		if err := tx.Where("id = ?", projectID).Take(&pr).Error; err != nil {
			return notFound(err, "project")
		}
		home.Project = pr.domain()
		q := tx.Table("deliverables d").Select(`d.id, d.kind, d.partner_id, p.name AS partner_name, p.short_name AS partner_short,
				d.policy_instrument_id, d.title, d.state, d.version, d.revision, d.parties, d.updated_at`).
			Joins("JOIN partners p ON p.id = d.partner_id").Where("d.project_id = ?", projectID)
		draft, practice := string(workflow.StateDraft), string(workflow.KindGoodPractice)
		switch { // as Scope.Visible, for every kind at once
		case scope.All:
		case scope.PartnerID != "":
			q = q.Where("(d.id IN (?) OR (d.kind = ? AND d.state <> ?))",
				tx.Table("deliverable_parties").Select("deliverable_id").Where("partner_id = ?", scope.PartnerID), practice, draft)
		case scope.InstrumentID != "":
			q = q.Where("d.state <> ? AND (d.policy_instrument_id = ? OR d.kind = ?)", draft, scope.InstrumentID, practice)
		default:
			return nil
		}
		var rows []homeRow
		if err := q.Order("d.updated_at DESC, d.id").Scan(&rows).Error; err != nil {
			return err
		}
		byID := make(map[string]int, len(rows))
		review, monitored := false, false
		for _, r := range rows {
			var doc partiesDoc
			if err := json.Unmarshal([]byte(r.Parties), &doc); err != nil {
				return fmt.Errorf("deliverable %s parties: %w", r.ID, err)
			}
			it := workflow.HomeItem{Kind: workflow.Kind(r.Kind), ID: r.ID, ProjectID: projectID, Title: r.Title,
				PartnerID: r.PartnerID, PartnerName: cmp.Or(r.PartnerShort, r.PartnerName), PolicyInstrumentID: deref(r.PolicyInstrumentID),
				State: workflow.State(r.State), Version: r.Version, Revision: r.Revision, UpdatedAt: r.UpdatedAt.UTC(),
				Owners: doc.Owners, Peers: doc.Peers}
			if !scope.Visible(it.Deliverable()) {
				continue
			}
			review = review || it.State == workflow.StateStakeholderReview
			monitored = monitored || it.State == workflow.StateMonitored && it.Kind == workflow.KindActionPlan
			byID[it.ID] = len(home.Items)
			home.Items = append(home.Items, it)
		}
		if review {
			if err := homeConsultations(tx, projectID, home.Items, byID); err != nil {
				return err
			}
		}
		if monitored {
			var err error
			home.Reports, err = dueReports(tx, home.Project, home.Items, now)
			return err
		}
		return nil
	}, opts...))
	if home.Items == nil {
		home.Items = []workflow.HomeItem{}
	}
	return home, err
}

// homeConsultations adds the consultation of the latest revision of each
// deliverable in stakeholder_review, with the count approve's guard reads:
// visible top-level comments without a response.
func homeConsultations(tx *gorm.DB, projectID string, items []workflow.HomeItem, byID map[string]int) error {
	var rows []struct {
		DeliverableID, ProjectID, ClosedBy, ClosedReason string
		Revision, Unanswered                             int
		OpenedAt, Deadline                               time.Time
		ClosedAt                                         *time.Time
	}
	err := tx.Raw(`SELECT c.deliverable_id, c.revision, c.project_id, c.opened_at, c.deadline, c.closed_at, c.closed_by, c.closed_reason,
			(SELECT count(*) FROM comments m WHERE m.deliverable_id = c.deliverable_id AND m.revision = c.revision
				AND m.parent_id IS NULL AND NOT m.hidden AND NOT m.deleted AND m.response_status = '') AS unanswered
		FROM consultations c JOIN deliverables d ON d.id = c.deliverable_id AND d.revision = c.revision
		WHERE d.project_id = ? AND d.state = ?`, projectID, string(workflow.StateStakeholderReview)).Scan(&rows).Error
	if err != nil {
		return err
	}
	for _, r := range rows {
		i, ok := byID[r.DeliverableID]
		if !ok {
			continue // outside the caller's scope
		}
		c := consultationRow{DeliverableID: r.DeliverableID, Revision: r.Revision, ProjectID: r.ProjectID, OpenedAt: r.OpenedAt,
			Deadline: r.Deadline, ClosedAt: r.ClosedAt, ClosedBy: r.ClosedBy, ClosedReason: r.ClosedReason}.domain()
		items[i].Consultation, items[i].Unanswered = &c, r.Unanswered
	}
	return nil
}

// dueReports lists, for the monitored plans among items, the periods whose
// reminder day has come and whose report is missing or in draft.
func dueReports(tx *gorm.DB, pr workflow.Project, items []workflow.HomeItem, now time.Time) ([]workflow.DueReport, error) {
	today := workflow.DateOf(now)
	var periods []workflow.Period
	for _, p := range workflow.Periods(pr) {
		if !today.Before(p.RemindAt()) {
			periods = append(periods, p)
		}
	}
	if len(periods) == 0 {
		return nil, nil
	}
	state, err := reportStates(tx, pr.ID)
	if err != nil {
		return nil, err
	}
	var out []workflow.DueReport
	for _, per := range periods {
		for _, it := range items {
			if it.Kind != workflow.KindActionPlan || it.State != workflow.StateMonitored {
				continue
			}
			st, ok := state[[2]string{it.ID, per.Name}]
			switch {
			case !ok:
				st = "missing"
			case workflow.ReportState(st) != workflow.ReportDraft:
				continue
			}
			out = append(out, workflow.DueReport{PlanID: it.ID, Title: it.Title, Period: per.Name, DueDate: per.DueDate,
				Status: st, Overdue: per.DueDate.Before(today)})
		}
	}
	slices.SortStableFunc(out, func(a, b workflow.DueReport) int { return a.DueDate.Time().Compare(b.DueDate.Time()) })
	return out, nil
}
