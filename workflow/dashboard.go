package workflow

import (
	"context"
	"time"
)

// ActionDashboard is the right to read a project's dashboard.
const ActionDashboard Action = "dashboard.read"

// Implementation statuses of an action in a progress report, plus
// NotReported for the dashboard: an action of a monitored plan that no
// report has covered yet. It is kept apart from not_started on purpose:
// "nobody told us" is not the same fact as "the partner says it has not
// started", and the dashboard is where the difference shows.
const NotReported = "not_reported"

// ImplementationStatuses lists the statuses the dashboard counts, in the
// order of its charts and CSV: the reported ones, then NotReported.
var ImplementationStatuses = func() []string {
	out := make([]string, 0, len(ActionStatuses)+1)
	for _, s := range ActionStatuses {
		out = append(out, string(s))
	}
	return append(out, NotReported)
}()

// DashboardScope is what a caller sees of the dashboard: coordinator,
// secretariat, observer and admin the whole project; a partner only the
// deliverables it is a party to (its own plans, the reviews it hosts or
// peers). Stakeholders are refused: the dashboard is about running the
// consortium, not about their group's consultation. Outside the project
// it is not_found.
func (p Principal) DashboardScope(projectID string) (Scope, error) {
	if err := p.Authorize(projectID, ActionDashboard); err != nil {
		return Scope{}, err
	}
	return p.DeliverableScope(projectID), nil
}

// Dashboard is the project at a glance. Every list has a stable order so
// the same data gives the same CSV and charts.
type Dashboard struct {
	ProjectID   string    `json:"project_id"`
	GeneratedAt time.Time `json:"generated_at"`
	// Scope says whether the figures cover the whole project ("project")
	// or only the caller's own deliverables ("partner").
	Scope        string           `json:"scope"`
	Deliverables []StateCount     `json:"deliverables"`
	Actions      ActionStatusView `json:"actions"`
	Indicators   IndicatorView    `json:"indicators"`
	Overdue      []OverdueReport  `json:"overdue_reports"`
}

// StateCount is how many deliverables of a kind are in a state. Every
// kind × state pair is listed, zeros included.
type StateCount struct {
	Kind  Kind  `json:"kind"`
	State State `json:"state"`
	Count int   `json:"count"`
}

// ActionStatusView counts the actions of monitored (and closed) plans by
// their status in the plan's latest report, overall and per plan. The
// latest report is the one of the latest period that was submitted or
// accepted: a draft is still being written and says nothing yet.
type ActionStatusView struct {
	Totals []StatusCount `json:"totals"`
	Plans  []PlanActions `json:"plans"`
}

// StatusCount is how many actions are in an implementation status.
type StatusCount struct {
	Status string `json:"status"`
	Count  int    `json:"count"`
}

// PlanActions is one plan's actions by status, from its latest report.
type PlanActions struct {
	PlanID       string        `json:"plan_id"`
	Title        string        `json:"title"`
	LatestPeriod string        `json:"latest_period,omitempty"` // "" when nothing is reported yet
	Counts       []StatusCount `json:"counts"`
}

// IndicatorView is indicator achievement: each indicator's latest
// achieved value against its target, per plan, and a summary.
type IndicatorView struct {
	Summary IndicatorSummary `json:"summary"`
	Plans   []PlanIndicators `json:"plans"`
}

// IndicatorSummary counts indicators across the project. An indicator is
// on target when its progress from baseline to target is complete.
type IndicatorSummary struct {
	Indicators  int     `json:"indicators"`
	Reported    int     `json:"reported"`     // with at least one achieved value
	OnTarget    int     `json:"on_target"`    // progress >= 1
	AvgProgress float64 `json:"avg_progress"` // mean progress of the reported ones, 0..1 (capped)
}

// PlanIndicators is one plan's indicators.
type PlanIndicators struct {
	PlanID      string                 `json:"plan_id"`
	Title       string                 `json:"title"`
	AvgProgress float64                `json:"avg_progress"`
	Indicators  []IndicatorAchievement `json:"indicators"`
}

// IndicatorAchievement is one indicator with its latest achieved value.
type IndicatorAchievement struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Unit     string   `json:"unit"`
	Baseline float64  `json:"baseline"`
	Target   float64  `json:"target"`
	Achieved *float64 `json:"achieved"` // nil when never reported
	Period   string   `json:"period,omitempty"`
	// Progress is (achieved - baseline) / (target - baseline), capped to
	// 0..1; nil when not reported or the target equals the baseline.
	Progress *float64 `json:"progress"`
}

// OverdueReport is a monitored plan's progress report past its due date
// and not yet submitted: missing, or still (or again) in draft.
type OverdueReport struct {
	PlanID   string    `json:"plan_id"`
	Title    string    `json:"title"`
	Period   string    `json:"period"`
	DueAt    time.Time `json:"due_at"`
	Status   string    `json:"status"` // missing, draft
	DaysLate int       `json:"days_late"`
}

// Progress computes an indicator's progress from baseline to target,
// capped to 0..1; ok is false when it cannot be measured.
func Progress(baseline, target, achieved float64) (float64, bool) {
	if target == baseline {
		return 0, false
	}
	p := (achieved - baseline) / (target - baseline)
	return min(max(p, 0), 1), true
}

// DashboardReader is the store's side of the dashboard. It answers in a
// fixed number of queries, whatever the number of plans.
type DashboardReader interface {
	Dashboard(ctx context.Context, projectID string, scope Scope, now time.Time) (Dashboard, error)
}
