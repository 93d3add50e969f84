package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/workflow"
)

// Phase 2 monitoring: indicators, progress reports and recommendation
// uptake. Rights are checked here, against the plan (or peer review) the
// record belongs to: whoever may see the plan may read its reports.

type indicatorRow struct {
	ID        string
	PlanID    string
	ProjectID string
	Name      string
	Unit      string
	Baseline  float64
	Target    float64
	Version   int
	CreatedBy string
	CreatedAt time.Time
}

func (indicatorRow) TableName() string { return "plan_indicators" }

func (r indicatorRow) domain() workflow.Indicator {
	return workflow.Indicator{ID: r.ID, PlanID: r.PlanID, ProjectID: r.ProjectID, Name: r.Name, Unit: r.Unit,
		Baseline: r.Baseline, Target: r.Target, Version: r.Version, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
}

type reportRow struct {
	ID          string
	PlanID      string
	ProjectID   string
	Period      string
	PeriodIndex int
	PeriodStart workflow.Date
	PeriodEnd   workflow.Date
	DueDate     workflow.Date
	State       string
	Version     int
	Snapshot    string
	SHA256      string `gorm:"column:sha256"`
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	SubmittedAt *time.Time
	AcceptedAt  *time.Time
}

func (reportRow) TableName() string { return "progress_reports" }

type reportActionRow struct {
	ReportID     string
	ProjectID    string
	ActionNumber int
	Status       string
	Explanation  string
	Narrative    string
	EvidenceIDs  string `gorm:"column:evidence_ids"`
}

func (reportActionRow) TableName() string { return "progress_report_actions" }

type reportIndicatorRow struct {
	ReportID    string
	IndicatorID string
	ProjectID   string
	Achieved    float64
}

func (reportIndicatorRow) TableName() string { return "progress_report_indicators" }

type improvementRow struct {
	ID          string
	ReportID    string
	ProjectID   string
	Position    int
	Type        string
	Description string
	Date        workflow.Date
	EvidenceIDs string `gorm:"column:evidence_ids"`
}

func (improvementRow) TableName() string { return "policy_improvements" }

type reportTransitionRow struct {
	ID        string
	ReportID  string
	Version   int
	FromState string
	ToState   string
	Trigger   string
	ActorID   string
	Note      string
	RequestID string
	At        time.Time
}

func (reportTransitionRow) TableName() string { return "progress_report_transitions" }

func (r reportTransitionRow) domain() workflow.ReportTransitionRecord {
	return workflow.ReportTransitionRecord{ID: r.ID, ReportID: r.ReportID, Version: r.Version, From: workflow.ReportState(r.FromState),
		To: workflow.ReportState(r.ToState), Trigger: workflow.ReportTrigger(r.Trigger), ActorID: r.ActorID, Note: r.Note,
		RequestID: r.RequestID, At: r.At.UTC()}
}

type reminderRow struct {
	PlanID    string
	Period    string
	ProjectID string
	DueDate   workflow.Date
	SentAt    time.Time
}

func (reminderRow) TableName() string { return "progress_report_reminders" }

type uptakeRow struct {
	PeerReviewID     string
	RecommendationID string
	ProjectID        string
	Status           string
	PlanID           *string
	ActionNumber     *int
	UpdatedBy        string
	UpdatedAt        time.Time
}

func (uptakeRow) TableName() string { return "recommendation_uptake" }

func (r uptakeRow) domain() workflow.Uptake {
	u := workflow.Uptake{PeerReviewID: r.PeerReviewID, RecommendationID: r.RecommendationID, ProjectID: r.ProjectID,
		Status: workflow.UptakeStatus(r.Status), PlanID: deref(r.PlanID), UpdatedBy: r.UpdatedBy, UpdatedAt: r.UpdatedAt.UTC()}
	if r.ActionNumber != nil {
		u.ActionNumber = *r.ActionNumber
	}
	return u
}

// seePlan loads an action plan and checks that p may see it; write also
// asks for the owner's or the coordinator's right.
func seePlan(tx *gorm.DB, planID string, p workflow.Principal, write bool) (workflow.Deliverable, deliverableRow, error) {
	d, row, err := loadDeliverable(tx, workflow.KindActionPlan, planID)
	if err != nil {
		return d, row, err
	}
	if err := p.SeeDeliverable(d); err != nil {
		return d, row, err
	}
	if write {
		if err := p.EditDeliverable(d); err != nil {
			return d, row, err
		}
	}
	return d, row, nil
}

// Indicators.

func (s *Store) CreateIndicator(ctx context.Context, in *workflow.Indicator, p workflow.Principal) error {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		_, row, err := seePlan(tx, in.PlanID, p, true)
		if err != nil {
			return err
		}
		if st := workflow.State(row.State); st != workflow.StateApproved && st != workflow.StateMonitored {
			return workflow.Errorf(workflow.CodeConflict, "indicators are set on an approved or monitored plan; this one is %s", workflow.State(row.State))
		}
		var n int64
		if err := tx.Model(&indicatorRow{}).Where("plan_id = ?", row.ID).Count(&n).Error; err != nil {
			return err
		}
		if n >= workflow.MaxIndicators {
			return workflow.Errorf(workflow.CodeConflict, "a plan has at most %d indicators", workflow.MaxIndicators)
		}
		in.ID, in.ProjectID, in.Version, in.CreatedBy, in.CreatedAt = workflow.NewID(), row.ProjectID, 1, p.User.ID, now()
		err = tx.Create(&indicatorRow{ID: in.ID, PlanID: row.ID, ProjectID: row.ProjectID, Name: in.Name, Unit: in.Unit,
			Baseline: in.Baseline, Target: in.Target, Version: in.Version, CreatedBy: in.CreatedBy, CreatedAt: in.CreatedAt}).Error
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return workflow.Errorf(workflow.CodeConflict, "the plan already has an indicator named %q", in.Name)
		}
		return err
	})
}

func (s *Store) ListIndicators(ctx context.Context, planID string, p workflow.Principal) ([]workflow.Indicator, error) {
	var rows []indicatorRow
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if _, _, err := seePlan(tx, planID, p, false); err != nil {
			return err
		}
		return tx.Where("plan_id = ?", planID).Order("id").Find(&rows).Error
	})
	return mapRows(rows, indicatorRow.domain), err
}

// seeIndicator loads an indicator and checks p's right on its plan: to see
// it, and with write to change it on an approved or monitored plan. An
// indicator of a plan p may not see is not_found.
func seeIndicator(tx *gorm.DB, id string, p workflow.Principal, write bool) (indicatorRow, error) {
	var r indicatorRow
	if err := tx.Where("id = ?", id).Take(&r).Error; err != nil {
		return r, notFound(err, "indicator")
	}
	_, plan, err := seePlan(tx, r.PlanID, p, write)
	if workflow.ErrorCode(err) == workflow.CodeNotFound {
		return r, workflow.Errorf(workflow.CodeNotFound, "indicator not found")
	}
	if err != nil {
		return r, err
	}
	if st := workflow.State(plan.State); write && st != workflow.StateApproved && st != workflow.StateMonitored {
		return r, workflow.Errorf(workflow.CodeConflict, "indicators change on an approved or monitored plan; this one is %s", workflow.State(plan.State))
	}
	return r, nil
}

// reportedValues counts the progress report values given for an indicator.
func reportedValues(tx *gorm.DB, id string) (int64, error) {
	var n int64
	err := tx.Model(&reportIndicatorRow{}).Where("indicator_id = ?", id).Count(&n).Error
	return n, err
}

func (s *Store) Indicator(ctx context.Context, id string, p workflow.Principal) (workflow.Indicator, error) {
	var out workflow.Indicator
	err := s.tx(ctx, func(tx *gorm.DB) error {
		r, err := seeIndicator(tx, id, p, false)
		if err == nil {
			out = r.domain()
		}
		return err
	})
	return out, err
}

func (s *Store) UpdateIndicator(ctx context.Context, id string, version int, e workflow.IndicatorPatch, p workflow.Principal) (workflow.Indicator, error) {
	var out workflow.Indicator
	err := s.tx(ctx, func(tx *gorm.DB) error {
		r, err := seeIndicator(tx, id, p, true)
		if err != nil {
			return err
		}
		if r.Version != version {
			return workflow.Errorf(workflow.CodePreconditionFailed, "the indicator is at version %d, not %d", r.Version, version)
		}
		in := r.domain()
		e.Apply(&in)
		in.Normalize()
		if err := in.Validate(); err != nil {
			return err
		}
		if in.Unit != r.Unit {
			n, err := reportedValues(tx, r.ID)
			if err != nil {
				return err
			}
			if n > 0 {
				return workflow.Errorf(workflow.CodeConflict,
					"the unit cannot change: %d progress report value(s) were given in %q; define a new indicator instead", n, r.Unit)
			}
		}
		// The version guards the write itself, so that of two edits made
		// at the same version only one lands.
		res := tx.Model(&indicatorRow{}).Where("id = ? AND version = ?", r.ID, version).
			Updates(map[string]any{"name": in.Name, "unit": in.Unit, "baseline": in.Baseline, "target": in.Target, "version": version + 1})
		if errors.Is(res.Error, gorm.ErrDuplicatedKey) {
			return workflow.Errorf(workflow.CodeConflict, "the plan already has an indicator named %q", in.Name)
		}
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return workflow.Errorf(workflow.CodePreconditionFailed, "the indicator changed meanwhile; reload it")
		}
		in.Version = version + 1
		out = in
		return nil
	})
	return out, err
}

func (s *Store) DeleteIndicator(ctx context.Context, id string, version int, p workflow.Principal) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		r, err := seeIndicator(tx, id, p, true)
		if err != nil {
			return err
		}
		if r.Version != version {
			return workflow.Errorf(workflow.CodePreconditionFailed, "the indicator is at version %d, not %d", r.Version, version)
		}
		n, err := reportedValues(tx, r.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			return indicatorInUse(n)
		}
		res := tx.Where("id = ? AND version = ?", r.ID, version).Delete(&indicatorRow{})
		if errors.Is(res.Error, gorm.ErrForeignKeyViolated) {
			// A report took a value for it since the count above.
			return indicatorInUse(1)
		}
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return workflow.Errorf(workflow.CodePreconditionFailed, "the indicator changed meanwhile; reload it")
		}
		return nil
	})
}

func indicatorInUse(n int64) error {
	return workflow.Errorf(workflow.CodeConflict,
		"the indicator cannot be deleted: %d progress report value(s) were given for it, and those values are part of the reports", n)
}

func indicatorIDs(tx *gorm.DB, planID string) ([]string, error) {
	var ids []string
	err := tx.Model(&indicatorRow{}).Where("plan_id = ?", planID).Order("id").Pluck("id", &ids).Error
	return ids, err
}

// Progress reports.

func (s *Store) CreateProgressReport(ctx context.Context, planID, period string, p workflow.Principal) (workflow.ProgressReport, error) {
	var out workflow.ProgressReport
	err := s.tx(ctx, func(tx *gorm.DB) error {
		_, row, err := seePlan(tx, planID, p, true)
		if err != nil {
			return err
		}
		if row.State != string(workflow.StateMonitored) {
			return workflow.Problems{workflow.Problem("plan", "is %s, not monitored", workflow.State(row.State))}.Err("progress reports are made on a monitored action plan")
		}
		var pr projectRow
		if err := tx.Where("id = ?", row.ProjectID).Take(&pr).Error; err != nil {
			return err
		}
		per, ok := workflow.PeriodOf(pr.domain(), period)
		if !ok {
			return workflow.Problems{workflow.Problem("period", "is not a semester of the project's phase 2 (such as 2024-S1)")}.Err("invalid progress report")
		}
		at := now()
		r := reportRow{ID: workflow.NewID(), PlanID: row.ID, ProjectID: row.ProjectID, Period: per.Name, PeriodIndex: per.Index,
			PeriodStart: per.Start, PeriodEnd: per.End, DueDate: per.DueDate, State: string(workflow.ReportDraft), Version: 1,
			CreatedBy: p.User.ID, CreatedAt: at, UpdatedAt: at}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&r)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return workflow.Problems{workflow.Problem("period", "already has a report for this plan")}.Err("invalid progress report")
		}
		out = r.domain(nil, nil, nil, at)
		return nil
	})
	return out, err
}

func (r reportRow) domain(actions []reportActionRow, values []reportIndicatorRow, imps []improvementRow, at time.Time) workflow.ProgressReport {
	out := workflow.ProgressReport{ID: r.ID, PlanID: r.PlanID, ProjectID: r.ProjectID, Period: r.Period, PeriodStart: r.PeriodStart,
		PeriodEnd: r.PeriodEnd, DueDate: r.DueDate, State: workflow.ReportState(r.State), Version: r.Version,
		Overdue: workflow.Overdue(workflow.ReportState(r.State), r.DueDate, at), CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), SubmittedAt: utcPtr(r.SubmittedAt), AcceptedAt: utcPtr(r.AcceptedAt),
		Actions: []workflow.ActionProgress{}, IndicatorValues: []workflow.IndicatorValue{}, Improvements: []workflow.Improvement{}}
	for _, a := range actions {
		out.Actions = append(out.Actions, workflow.ActionProgress{Number: a.ActionNumber, Status: workflow.ActionStatus(a.Status),
			Explanation: a.Explanation, Narrative: a.Narrative, EvidenceIDs: decodeIDs(a.EvidenceIDs)})
	}
	for _, v := range values {
		out.IndicatorValues = append(out.IndicatorValues, workflow.IndicatorValue{IndicatorID: v.IndicatorID, Achieved: v.Achieved})
	}
	for _, m := range imps {
		out.Improvements = append(out.Improvements, workflow.Improvement{ID: m.ID, Type: workflow.ImprovementType(m.Type),
			Description: m.Description, Date: m.Date, EvidenceIDs: decodeIDs(m.EvidenceIDs)})
	}
	return out
}

func decodeIDs(s string) []string {
	ids := []string{}
	_ = json.Unmarshal([]byte(s), &ids) // the column is written by encodeIDs only
	return ids
}

func encodeIDs(ids []string) string {
	if ids == nil {
		ids = []string{}
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

// withContent reads the content of the given reports in three queries,
// whatever their number.
func withContent(tx *gorm.DB, rows []reportRow, at time.Time) ([]workflow.ProgressReport, error) {
	out := make([]workflow.ProgressReport, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var acts []reportActionRow
	var vals []reportIndicatorRow
	var imps []improvementRow
	if err := tx.Where("report_id IN ?", ids).Order("report_id, action_number").Find(&acts).Error; err != nil {
		return nil, err
	}
	if err := tx.Where("report_id IN ?", ids).Order("report_id, indicator_id").Find(&vals).Error; err != nil {
		return nil, err
	}
	if err := tx.Where("report_id IN ?", ids).Order("report_id, position").Find(&imps).Error; err != nil {
		return nil, err
	}
	for i, r := range rows {
		out[i] = r.domain(
			slices.DeleteFunc(slices.Clone(acts), func(a reportActionRow) bool { return a.ReportID != r.ID }),
			slices.DeleteFunc(slices.Clone(vals), func(v reportIndicatorRow) bool { return v.ReportID != r.ID }),
			slices.DeleteFunc(slices.Clone(imps), func(m improvementRow) bool { return m.ReportID != r.ID }), at)
	}
	return out, nil
}

func (s *Store) ListProgressReports(ctx context.Context, planID string, p workflow.Principal, pg workflow.Page) ([]workflow.ProgressReport, string, error) {
	var out []workflow.ProgressReport
	var next string
	err := s.tx(ctx, func(tx *gorm.DB) error {
		d, _, err := seePlan(tx, planID, p, false)
		if err != nil {
			return err
		}
		q := tx.Model(&reportRow{}).Where("plan_id = ?", planID)
		if p.AcceptedReportsOnly(d.Head().ProjectID) {
			q = q.Where("state = ?", string(workflow.ReportAccepted))
		}
		rows, n, err := page(q, pg, func(r reportRow) string { return r.ID })
		if err != nil {
			return err
		}
		next = n
		out, err = withContent(tx, rows, now())
		return err
	})
	return out, next, err
}

// seeReport loads a report and its plan, and checks that p may see the
// plan, and the report (a stakeholder only an accepted one).
func seeReport(tx *gorm.DB, id string, p workflow.Principal, write bool) (reportRow, workflow.Deliverable, deliverableRow, error) {
	var r reportRow
	if err := tx.Where("id = ?", id).Take(&r).Error; err != nil {
		return r, workflow.Deliverable{}, deliverableRow{}, notFound(err, "progress report")
	}
	d, row, err := seePlan(tx, r.PlanID, p, write)
	if workflow.ErrorCode(err) == workflow.CodeNotFound {
		err = workflow.Errorf(workflow.CodeNotFound, "progress report not found")
	}
	if err == nil {
		err = p.SeeReport(d, workflow.ReportState(r.State))
	}
	return r, d, row, err
}

func (s *Store) ProgressReport(ctx context.Context, id string, p workflow.Principal) (workflow.ProgressReport, error) {
	var out workflow.ProgressReport
	err := s.tx(ctx, func(tx *gorm.DB) error {
		r, _, _, err := seeReport(tx, id, p, false)
		if err != nil {
			return err
		}
		rs, err := withContent(tx, []reportRow{r}, now())
		if err == nil {
			out = rs[0]
		}
		return err
	})
	return out, err
}

func (s *Store) UpdateProgressReport(ctx context.Context, id string, version int, c workflow.ReportContent, p workflow.Principal) (workflow.ProgressReport, error) {
	var out workflow.ProgressReport
	err := s.tx(ctx, func(tx *gorm.DB) error {
		r, d, _, err := seeReport(tx, id, p, true)
		if err != nil {
			return err
		}
		if r.Version != version {
			return workflow.Errorf(workflow.CodePreconditionFailed, "the progress report is at version %d, not %d", r.Version, version)
		}
		if r.State != string(workflow.ReportDraft) {
			return workflow.Errorf(workflow.CodeConflict, "a progress report can be edited only in draft; it is %s", workflow.ReportState(r.State))
		}
		cur, err := withContent(tx, []reportRow{r}, now())
		if err != nil {
			return err
		}
		rep := cur[0]
		if c.Actions != nil {
			rep.Actions = *c.Actions
		}
		if c.IndicatorValues != nil {
			rep.IndicatorValues = *c.IndicatorValues
		}
		if c.Improvements != nil {
			rep.Improvements = *c.Improvements
		}
		rep.Normalize()
		inds, err := indicatorIDs(tx, r.PlanID)
		if err != nil {
			return err
		}
		if err := rep.Validate(len(d.Plan.Actions), inds); err != nil {
			return err
		}
		if err := checkReportEvidence(tx, r.PlanID, rep.Actions, rep.Improvements); err != nil {
			return err
		}
		at := now()
		res := tx.Model(&reportRow{}).Where("id = ? AND version = ?", r.ID, version).
			Updates(map[string]any{"version": version + 1, "updated_at": at})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return workflow.Errorf(workflow.CodePreconditionFailed, "the progress report changed meanwhile; reload it")
		}
		if err := writeContent(tx, r, rep, c, cur[0].Improvements); err != nil {
			return err
		}
		r.Version, r.UpdatedAt = version+1, at
		rs, err := withContent(tx, []reportRow{r}, at)
		if err == nil {
			out = rs[0]
		}
		return err
	})
	return out, err
}

// writeContent replaces the parts of the report that c names. An
// improvement keeps its id when it names one of the report's own (as read
// back by the client), once; any other gets a new one.
func writeContent(tx *gorm.DB, r reportRow, rep workflow.ProgressReport, c workflow.ReportContent, had []workflow.Improvement) error {
	if c.Actions != nil {
		if err := tx.Where("report_id = ?", r.ID).Delete(&reportActionRow{}).Error; err != nil {
			return err
		}
		rows := make([]reportActionRow, len(rep.Actions))
		for i, a := range rep.Actions {
			rows[i] = reportActionRow{ReportID: r.ID, ProjectID: r.ProjectID, ActionNumber: a.Number, Status: string(a.Status),
				Explanation: a.Explanation, Narrative: a.Narrative, EvidenceIDs: encodeIDs(a.EvidenceIDs)}
		}
		if len(rows) > 0 {
			if err := tx.Create(&rows).Error; err != nil {
				return err
			}
		}
	}
	if c.IndicatorValues != nil {
		if err := tx.Where("report_id = ?", r.ID).Delete(&reportIndicatorRow{}).Error; err != nil {
			return err
		}
		rows := make([]reportIndicatorRow, len(rep.IndicatorValues))
		for i, v := range rep.IndicatorValues {
			rows[i] = reportIndicatorRow{ReportID: r.ID, IndicatorID: v.IndicatorID, ProjectID: r.ProjectID, Achieved: v.Achieved}
		}
		if len(rows) > 0 {
			if err := tx.Create(&rows).Error; err != nil {
				return err
			}
		}
	}
	if c.Improvements != nil {
		if err := tx.Where("report_id = ?", r.ID).Delete(&improvementRow{}).Error; err != nil {
			return err
		}
		own := map[string]bool{}
		for _, m := range had {
			own[m.ID] = true
		}
		rows := make([]improvementRow, len(rep.Improvements))
		for i, m := range rep.Improvements {
			id := m.ID
			if !own[id] {
				id = workflow.NewID()
			}
			own[id] = false // a second use of the same id gets a new one
			rows[i] = improvementRow{ID: id, ReportID: r.ID, ProjectID: r.ProjectID, Position: i + 1, Type: string(m.Type),
				Description: m.Description, Date: m.Date, EvidenceIDs: encodeIDs(m.EvidenceIDs)}
		}
		if len(rows) > 0 {
			if err := tx.Create(&rows).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Store) FireReportTransition(ctx context.Context, req workflow.ReportTransitionRequest) (workflow.ProgressReport, workflow.ReportTransitionRecord, error) {
	if err := workflow.CheckNote(req.Note); err != nil {
		return workflow.ProgressReport{}, workflow.ReportTransitionRecord{}, err
	}
	var out workflow.ProgressReport
	var rec workflow.ReportTransitionRecord
	err := s.tx(ctx, func(tx *gorm.DB) error {
		r, d, plan, err := seeReport(tx, req.ReportID, req.Principal, false)
		if err != nil {
			return err
		}
		if r.Version != req.Version {
			return workflow.Errorf(workflow.CodePreconditionFailed, "the progress report is at version %d, not %d", r.Version, req.Version)
		}
		cur, err := withContent(tx, []reportRow{r}, now())
		if err != nil {
			return err
		}
		rep := cur[0]
		f := workflow.Facts{Note: req.Note}
		if req.Trigger == workflow.ReportSubmit {
			inds, err := indicatorIDs(tx, r.PlanID)
			if err != nil {
				return err
			}
			f.Incomplete = rep.Incomplete(len(d.Plan.Actions), inds)
			// Evidence cited while a draft may have been deleted since.
			gone, err := unknownReportEvidence(tx, r.PlanID, rep.Actions, rep.Improvements)
			if err != nil {
				return err
			}
			f.Incomplete = append(f.Incomplete, gone...)
		}
		t, err := workflow.FireReport(workflow.ReportState(r.State), req.Trigger, req.Principal.Actor(d), f)
		if err != nil {
			return err
		}
		at := now()
		up := map[string]any{"state": string(t.To), "version": r.Version + 1, "updated_at": at}
		switch t.To {
		case workflow.ReportSubmitted:
			up["submitted_at"], r.SubmittedAt = at, &at
		case workflow.ReportAccepted:
			up["accepted_at"], r.AcceptedAt = at, &at
		}
		if slices.Contains(t.Effects, workflow.EffectAssembleDocument) {
			rep.State, rep.Version, rep.AcceptedAt = t.To, r.Version+1, &at
			snap, sum, err := freezeReport(tx, rep, d, plan)
			if err != nil {
				return err
			}
			up["snapshot"], up["sha256"] = string(snap), sum
		}
		res := tx.Model(&reportRow{}).Where("id = ? AND version = ?", r.ID, req.Version).Updates(up)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return workflow.Errorf(workflow.CodePreconditionFailed, "the progress report changed meanwhile; reload it")
		}
		tr := reportTransitionRow{ID: workflow.NewID(), ReportID: r.ID, Version: r.Version + 1, FromState: string(t.From),
			ToState: string(t.To), Trigger: string(t.Trigger), ActorID: req.Principal.User.ID, Note: req.Note,
			RequestID: req.RequestID, At: at}
		if err := tx.Create(&tr).Error; err != nil {
			return err
		}
		r.State, r.Version, r.UpdatedAt = string(t.To), r.Version+1, at
		// Subscribers to transition events hear of reports too; the event's
		// id is the history row's, as for deliverables.
		if err := s.emit(ctx, tx, workflow.Event{ID: tr.ID, Type: workflow.EventTransition, ProjectID: r.ProjectID,
			DeliverableID: r.PlanID, At: at, Data: workflow.ReportTransitionEventData{Kind: documents.KindProgressReport,
				ReportID: r.ID, Period: r.Period, From: t.From, To: t.To, Trigger: t.Trigger, Version: r.Version,
				ActorID: tr.ActorID}}); err != nil {
			return err
		}
		if err := s.tellReport(ctx, tx, r, d, t.Trigger, tr.ID, tr.ActorID, req.Note, at); err != nil {
			return err
		}
		if slices.Contains(t.Effects, workflow.EffectAssembleDocument) {
			if err := s.queueReportDocuments(ctx, tx, r, req.Principal.User.ID); err != nil {
				return err
			}
		}
		rec = tr.domain()
		rep.State, rep.Version, rep.UpdatedAt = t.To, r.Version, at
		rep.SubmittedAt, rep.AcceptedAt = utcPtr(r.SubmittedAt), utcPtr(r.AcceptedAt)
		rep.Overdue = workflow.Overdue(t.To, r.DueDate, at)
		out = rep
		return nil
	})
	return out, rec, err
}

func (s *Store) ReportPermittedTransitions(ctx context.Context, id string, p workflow.Principal) ([]workflow.ReportPermitted, workflow.ProgressReport, error) {
	var out []workflow.ReportPermitted
	var rep workflow.ProgressReport
	err := s.tx(ctx, func(tx *gorm.DB) error {
		r, d, _, err := seeReport(tx, id, p, false)
		if err != nil {
			return err
		}
		cur, err := withContent(tx, []reportRow{r}, now())
		if err != nil {
			return err
		}
		rep = cur[0]
		inds, err := indicatorIDs(tx, r.PlanID)
		if err != nil {
			return err
		}
		// A note is asked for when return is fired; for the list, assume one.
		f := workflow.Facts{Note: "(note)", Incomplete: rep.Incomplete(len(d.Plan.Actions), inds)}
		out = workflow.PermittedReport(rep.State, p.Actor(d), f)
		return nil
	})
	return out, rep, err
}

func (s *Store) ReportHistory(ctx context.Context, id string, p workflow.Principal, pg workflow.Page) ([]workflow.ReportTransitionRecord, string, error) {
	var rows []reportTransitionRow
	var next string
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if _, _, _, err := seeReport(tx, id, p, false); err != nil {
			return err
		}
		var err error
		rows, next, err = historyPage(tx.Where("report_id = ?", id), "progress_report_transitions", pg,
			func(r reportTransitionRow) string { return r.ID })
		return err
	})
	return mapRows(rows, reportTransitionRow.domain), next, err
}

// freezeReport makes the canonical JSON that an accepted report's
// documents are built from, joined up for templates: each action of the
// plan with what the report says of it, each indicator with its value and
// how far it went from baseline to target, the improvements, and the
// project, partner, instrument and plan the report belongs to. Numbers are
// written as decimal text, as a reader expects them.
func freezeReport(tx *gorm.DB, rep workflow.ProgressReport, d workflow.Deliverable, plan deliverableRow) ([]byte, string, error) {
	var pr projectRow
	var pa partnerRow
	if err := tx.Where("id = ?", plan.ProjectID).Take(&pr).Error; err != nil {
		return nil, "", err
	}
	if err := tx.Where("id = ?", plan.PartnerID).Take(&pa).Error; err != nil {
		return nil, "", err
	}
	var inds []indicatorRow
	if err := tx.Where("plan_id = ?", plan.ID).Order("id").Find(&inds).Error; err != nil {
		return nil, "", err
	}
	snap := map[string]any{
		"kind":    documents.KindProgressReport,
		"project": map[string]any{"id": pr.ID, "acronym": pr.Acronym, "title": pr.Title, "programme": pr.Programme, "language": pr.Language},
		"partner": map[string]any{"id": pa.ID, "name": pa.Name, "short_name": pa.ShortName, "country": pa.Country,
			"region": pa.Region, "role": pa.Role},
		"plan": map[string]any{"id": plan.ID, "title": d.Plan.Title, "language": d.Plan.Language, "revision": plan.Revision},
		"report": map[string]any{"id": rep.ID, "period": rep.Period, "period_start": rep.PeriodStart.String(),
			"period_end": rep.PeriodEnd.String(), "due_date": rep.DueDate.String(), "state": string(rep.State),
			"submitted_at": rep.SubmittedAt, "accepted_at": rep.AcceptedAt},
	}
	if plan.PolicyInstrumentID != nil {
		var pi instrumentRow
		if err := tx.Where("id = ?", *plan.PolicyInstrumentID).Take(&pi).Error; err != nil {
			return nil, "", err
		}
		snap["policy_instrument"] = map[string]any{"id": pi.ID, "name": pi.Name, "type": pi.Type}
	}
	said := map[int]workflow.ActionProgress{}
	for _, a := range rep.Actions {
		said[a.Number] = a
	}
	actions := make([]any, len(d.Plan.Actions))
	for i, a := range d.Plan.Actions {
		p := said[a.Number]
		actions[i] = map[string]any{"number": a.Number, "title": a.Title, "status": string(p.Status),
			"explanation": p.Explanation, "narrative": p.Narrative, "evidence_ids": nonNil(p.EvidenceIDs)}
	}
	snap["actions"] = actions
	achieved := map[string]float64{}
	for _, v := range rep.IndicatorValues {
		achieved[v.IndicatorID] = v.Achieved
	}
	indicators := make([]any, len(inds))
	for i, in := range inds {
		m := map[string]any{"id": in.ID, "name": in.Name, "unit": in.Unit, "baseline": decimal(in.Baseline),
			"target": decimal(in.Target), "achieved": nil, "progress_percent": nil}
		if v, ok := achieved[in.ID]; ok {
			m["achieved"] = decimal(v)
			if in.Target != in.Baseline {
				m["progress_percent"] = decimal(math.Round((v - in.Baseline) / (in.Target - in.Baseline) * 100))
			}
		}
		indicators[i] = m
	}
	snap["indicators"] = indicators
	improvements := make([]any, len(rep.Improvements))
	for i, m := range rep.Improvements {
		improvements[i] = map[string]any{"type": string(m.Type), "description": m.Description, "date": m.Date.String(),
			"evidence_ids": nonNil(m.EvidenceIDs)}
	}
	snap["improvements"] = improvements
	return workflow.Canonical(snap)
}

func decimal(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func nonNil(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

// ReportTemplate is the built-in template an accepted report's documents
// are assembled from.
const ReportTemplate = "progress_report"

// queueReportDocuments is accept's follow-up, in its transaction: the
// report's documents sit with its plan's, told apart by template and by
// their revision, which is the report's period index.
func (s *Store) queueReportDocuments(ctx context.Context, tx *gorm.DB, r reportRow, actorID string) error {
	ref, ok := s.approval[workflow.Kind(ReportTemplate)]
	if !ok {
		return nil
	}
	for _, f := range approvalFormats {
		if _, _, err := s.requestDocument(ctx, tx, documentRow{ID: workflow.NewID(), DeliverableID: r.PlanID, ProjectID: r.ProjectID,
			Kind: ReportTemplate, Format: f, TemplateName: ref.Name, TemplateVersion: ref.Version, Revision: r.PeriodIndex,
			Approved: true, State: r.State, Status: workflow.DocumentPending, RequestedBy: actorID, CreatedAt: now(),
			ProgressReportID: &r.ID}); err != nil {
			return err
		}
	}
	return nil
}

// Peer review follow-up.

func (s *Store) SetUptake(ctx context.Context, u *workflow.Uptake, p workflow.Principal) error {
	var p2 workflow.Problems
	if _, ok := workflow.ParseUptakeStatus(string(u.Status)); !ok {
		p2.Add("status", "must be one of adopted, partially, not_adopted")
	}
	if u.PlanID != "" && !workflow.ValidID(u.PlanID) {
		p2.Add("plan_id", "is not a valid id")
	}
	if u.ActionNumber != 0 && u.PlanID == "" {
		p2.Add("action_number", "needs the plan_id it belongs to")
	}
	if u.ActionNumber < 0 {
		p2.Add("action_number", "must be positive")
	}
	if err := p2.Err("invalid uptake"); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		d, row, err := loadDeliverable(tx, workflow.KindPeerReview, u.PeerReviewID)
		if err != nil {
			return err
		}
		if err := p.EditDeliverable(d); err != nil {
			return err
		}
		if row.State != string(workflow.StateMonitored) {
			return workflow.Errorf(workflow.CodeConflict, "uptake is followed on a monitored peer review; this one is %s", workflow.State(row.State))
		}
		if !slices.ContainsFunc(d.Review.Recommendations, func(r workflow.Recommendation) bool { return r.ID == u.RecommendationID }) {
			return workflow.Errorf(workflow.CodeNotFound, "recommendation not found")
		}
		var planID *string
		var action *int
		if u.PlanID != "" {
			// A plan the caller may not see is refused as an absent one.
			plan, prow, err := loadDeliverable(tx, workflow.KindActionPlan, u.PlanID)
			if err != nil || prow.ProjectID != row.ProjectID || p.SeeDeliverable(plan) != nil {
				return invalidRef(workflow.Problem("plan_id", "is not an action plan of the project"))
			}
			if u.ActionNumber > len(plan.Plan.Actions) {
				return invalidRef(workflow.Problem("action_number", "is not an action of the plan"))
			}
			planID = &u.PlanID
			if u.ActionNumber > 0 {
				action = &u.ActionNumber
			}
		}
		u.ProjectID, u.UpdatedBy, u.UpdatedAt = row.ProjectID, p.User.ID, now()
		return tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "peer_review_id"}, {Name: "recommendation_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"status", "plan_id", "action_number", "updated_by", "updated_at"}),
		}).Create(&uptakeRow{PeerReviewID: row.ID, RecommendationID: u.RecommendationID, ProjectID: row.ProjectID,
			Status: string(u.Status), PlanID: planID, ActionNumber: action, UpdatedBy: u.UpdatedBy, UpdatedAt: u.UpdatedAt}).Error
	})
}

func (s *Store) ListUptake(ctx context.Context, peerReviewID string, p workflow.Principal) ([]workflow.Uptake, error) {
	var rows []uptakeRow
	err := s.tx(ctx, func(tx *gorm.DB) error {
		d, _, err := loadDeliverable(tx, workflow.KindPeerReview, peerReviewID)
		if err != nil {
			return err
		}
		if err := p.SeeDeliverable(d); err != nil {
			return err
		}
		return tx.Where("peer_review_id = ?", peerReviewID).Order("recommendation_id").Find(&rows).Error
	})
	return mapRows(rows, uptakeRow.domain), err
}

// Reminders.

// overdueNoticeDays is how long after a due date the sweep still tells the
// owners that the report is overdue (once: see RemindDueReports); a plan
// monitored long after its periods ended is not told of each old one.
const overdueNoticeDays = 7

// RemindDueReports sends the progress_report.due events whose day has
// come, and tells the owners of reports due and overdue: for each
// monitored plan and each period of its project whose
// reminder day (ReminderLeadDays before the due date) is today or past and
// whose due date is not, unless the period's report is already submitted
// or accepted. The reminders table makes each go out once, even when two
// runs overlap. Three queries, however many plans.
func (s *Store) RemindDueReports(ctx context.Context, at time.Time) (int, error) {
	sent := 0
	today := workflow.DateOf(at)
	err := s.tx(ctx, func(tx *gorm.DB) error {
		type planRow struct {
			ID, ProjectID, Title, Content string
			Phase1End, Phase2End          *workflow.Date
		}
		var plans []planRow
		if err := tx.Table("deliverables d").Select("d.id, d.project_id, d.title, d.content, p.phase1_end, p.phase2_end").
			Joins("JOIN projects p ON p.id = d.project_id").
			Where("d.kind = ? AND d.state = ? AND p.phase1_end IS NOT NULL AND p.phase2_end IS NOT NULL",
				string(workflow.KindActionPlan), string(workflow.StateMonitored)).
			Order("d.id").Scan(&plans).Error; err != nil {
			return err
		}
		type due struct {
			plan    planRow
			per     workflow.Period
			overdue bool
		}
		var candidates []due
		var ids []string
		for _, pl := range plans {
			for _, per := range workflow.Periods(workflow.Project{Phase1End: pl.Phase1End, Phase2End: pl.Phase2End}) {
				switch {
				case !today.Before(per.RemindAt()) && !per.DueDate.Before(today):
					candidates = append(candidates, due{plan: pl, per: per})
					ids = append(ids, pl.ID)
				case per.DueDate.Before(today) && today.Before(per.DueDate.AddDays(overdueNoticeDays)):
					candidates = append(candidates, due{plan: pl, per: per, overdue: true})
					ids = append(ids, pl.ID)
				}
			}
		}
		if len(candidates) == 0 {
			return nil
		}
		var reports []reportRow
		if err := tx.Select("id, plan_id, period, state").Where("plan_id IN ?", ids).Find(&reports).Error; err != nil {
			return err
		}
		var done []reminderRow
		if err := tx.Select("plan_id, period").Where("plan_id IN ?", ids).Find(&done).Error; err != nil {
			return err
		}
		type key struct{ plan, period string }
		byKey := map[key]reportRow{}
		for _, r := range reports {
			byKey[key{r.PlanID, r.Period}] = r
		}
		sentBefore := map[key]bool{}
		for _, r := range done {
			sentBefore[key{r.PlanID, r.Period}] = true
		}
		for _, c := range candidates {
			k := key{c.plan.ID, c.per.Name}
			r, has := byKey[k]
			if has && r.State != string(workflow.ReportDraft) {
				continue
			}
			if c.overdue {
				// The event's id is the plan's and period's, so the owners
				// are told once however often the sweep runs.
				if err := s.tell(ctx, tx, notice{id: workflow.NameID("report overdue", c.plan.ID, c.per.Name), kind: workflow.NoticeReportOverdue,
					projectID: c.plan.ProjectID, deliverableID: c.plan.ID, title: c.plan.Title, period: c.per.Name,
					titleLang: contentLanguage(string(workflow.KindActionPlan), c.plan.Content),
					detail:    c.per.DueDate.String(), at: at}, whoOwners, c.plan.ProjectID, c.plan.ID); err != nil {
					return err
				}
				continue
			}
			if sentBefore[k] {
				continue
			}
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&reminderRow{PlanID: c.plan.ID, Period: c.per.Name,
				ProjectID: c.plan.ProjectID, DueDate: c.per.DueDate, SentAt: at.UTC()})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				continue // another run sent it meanwhile
			}
			data := workflow.ReportDueEventData{PlanID: c.plan.ID, Period: c.per.Name, DueDate: c.per.DueDate, State: "missing"}
			if has {
				data.ReportID, data.State = r.ID, r.State
			}
			if err := s.tell(ctx, tx, notice{kind: workflow.NoticeReportDue, projectID: c.plan.ProjectID, deliverableID: c.plan.ID,
				title: c.plan.Title, titleLang: contentLanguage(string(workflow.KindActionPlan), c.plan.Content), period: c.per.Name,
				detail: c.per.DueDate.String(), at: at}, whoOwners, c.plan.ProjectID, c.plan.ID); err != nil {
				return err
			}
			if err := s.emit(ctx, tx, workflow.Event{Type: workflow.EventProgressReportDue, ProjectID: c.plan.ProjectID,
				DeliverableID: c.plan.ID, At: at.UTC(), Data: data}); err != nil {
				return err
			}
			sent++
		}
		return nil
	})
	return sent, err
}

// reportRenderInput is RenderInput for a report's document: the snapshot
// frozen at accept, dated by the accept.
func (s *Store) reportRenderInput(ctx context.Context, doc workflow.Document, reportID string) (workflow.Document, []byte, time.Time, error) {
	var r reportRow
	if err := s.db.WithContext(ctx).Where("id = ?", reportID).Take(&r).Error; err != nil {
		return doc, nil, time.Time{}, notFound(err, "progress report")
	}
	if r.Snapshot == "" || r.AcceptedAt == nil {
		return doc, nil, time.Time{}, workflow.Errorf(workflow.CodeConflict, "the progress report was not accepted")
	}
	return doc, []byte(r.Snapshot), r.AcceptedAt.UTC(), nil
}
