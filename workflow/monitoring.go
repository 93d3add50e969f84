package workflow

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Phase 2 monitoring: progress reports on a monitored action plan, the
// plan's self-defined indicators, policy instrument improvements and the
// follow-up of peer review recommendations.

// ActionStatus is how far an action of the plan is implemented.
type ActionStatus string

const (
	ActionNotStarted ActionStatus = "not_started"
	ActionInProgress ActionStatus = "in_progress"
	ActionCompleted  ActionStatus = "completed"
	ActionDelayed    ActionStatus = "delayed"   // needs an explanation
	ActionAbandoned  ActionStatus = "abandoned" // needs an explanation
)

// ActionStatuses lists every status, in a stable order.
var ActionStatuses = []ActionStatus{ActionNotStarted, ActionInProgress, ActionCompleted, ActionDelayed, ActionAbandoned}

// NeedsExplanation reports whether the status must say why.
func (s ActionStatus) NeedsExplanation() bool { return s == ActionDelayed || s == ActionAbandoned }

func (s ActionStatus) valid() bool {
	for _, v := range ActionStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// ImprovementType is the programme's classification of a policy
// instrument improvement.
type ImprovementType string

const (
	ImprovementNewProjects    ImprovementType = "new_projects"
	ImprovementGovernance     ImprovementType = "governance"
	ImprovementStrategicFocus ImprovementType = "strategic_focus"
)

// ImprovementTypes lists every type, in a stable order.
var ImprovementTypes = []ImprovementType{ImprovementNewProjects, ImprovementGovernance, ImprovementStrategicFocus}

func (t ImprovementType) valid() bool {
	return t == ImprovementNewProjects || t == ImprovementGovernance || t == ImprovementStrategicFocus
}

// UptakeStatus is how far a peer review recommendation was taken up.
type UptakeStatus string

const (
	UptakeAdopted    UptakeStatus = "adopted"
	UptakePartially  UptakeStatus = "partially"
	UptakeNotAdopted UptakeStatus = "not_adopted"
)

// UptakeStatuses lists every status, in a stable order.
var UptakeStatuses = []UptakeStatus{UptakeAdopted, UptakePartially, UptakeNotAdopted}

// ParseUptakeStatus accepts the three statuses.
func ParseUptakeStatus(s string) (UptakeStatus, bool) {
	for _, v := range UptakeStatuses {
		if string(v) == s {
			return v, true
		}
	}
	return "", false
}

// Indicator is one of an action plan's self-defined performance
// indicators. Baseline and Target are in Unit.
type Indicator struct {
	ID        string    `json:"id"`
	PlanID    string    `json:"plan_id"`
	ProjectID string    `json:"project_id"`
	Name      string    `json:"name"`
	Unit      string    `json:"unit"`
	Baseline  float64   `json:"baseline"`
	Target    float64   `json:"target"`
	Version   int       `json:"version"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// IndicatorPatch changes the fields it names; nil leaves one as it is.
type IndicatorPatch struct {
	Name, Unit       *string
	Baseline, Target *float64
}

// Apply writes the named fields onto x.
func (e IndicatorPatch) Apply(x *Indicator) {
	if e.Name != nil {
		x.Name = *e.Name
	}
	if e.Unit != nil {
		x.Unit = *e.Unit
	}
	if e.Baseline != nil {
		x.Baseline = *e.Baseline
	}
	if e.Target != nil {
		x.Target = *e.Target
	}
}

// Limits of monitoring content, in characters or items.
const (
	maxUnit         = 50
	maxEvidence     = 50 // evidence ids per action or improvement
	maxImprovements = 100
	maxIndicators   = 200 // per plan
	// MaxIndicators is how many indicators a plan may have.
	MaxIndicators = maxIndicators
)

// Normalize trims the text fields.
func (x *Indicator) Normalize() {
	x.Name = strings.TrimSpace(x.Name)
	x.Unit = strings.TrimSpace(x.Unit)
}

// Validate reports every broken rule.
func (x *Indicator) Validate() error {
	var p Problems
	checkText(&p, "name", x.Name, true, maxName)
	checkText(&p, "unit", x.Unit, true, maxUnit)
	return p.Err("invalid indicator")
}

// ReportState is where a progress report stands.
type ReportState string

const (
	ReportDraft     ReportState = "draft"
	ReportSubmitted ReportState = "submitted"
	ReportAccepted  ReportState = "accepted"
)

// ReportTrigger moves a progress report.
type ReportTrigger string

const (
	ReportSubmit ReportTrigger = "submit"
	ReportAccept ReportTrigger = "accept"
	ReportReturn ReportTrigger = "return"
)

// ParseReportTrigger accepts the three triggers.
func ParseReportTrigger(s string) (ReportTrigger, bool) {
	switch t := ReportTrigger(s); t {
	case ReportSubmit, ReportAccept, ReportReturn:
		return t, true
	}
	return "", false
}

// ProgressReport is a semester's report on a monitored action plan.
type ProgressReport struct {
	ID          string      `json:"id"`
	PlanID      string      `json:"plan_id"`
	ProjectID   string      `json:"project_id"`
	Period      string      `json:"period"`
	PeriodStart Date        `json:"period_start"`
	PeriodEnd   Date        `json:"period_end"`
	DueDate     Date        `json:"due_date"`
	Overdue     bool        `json:"overdue"` // computed when read: see Overdue
	State       ReportState `json:"state"`
	Version     int         `json:"version"`

	Actions         []ActionProgress `json:"actions"`
	IndicatorValues []IndicatorValue `json:"indicator_values"`
	Improvements    []Improvement    `json:"improvements"`

	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	SubmittedAt *time.Time `json:"submitted_at"`
	AcceptedAt  *time.Time `json:"accepted_at"`
}

// ActionProgress is what a report says about one action of the plan.
type ActionProgress struct {
	Number      int          `json:"number"`
	Status      ActionStatus `json:"status"`
	Explanation string       `json:"explanation,omitempty"`
	Narrative   string       `json:"narrative"`
	EvidenceIDs []string     `json:"evidence_ids"`
}

// IndicatorValue is the value of one plan indicator achieved in the period.
type IndicatorValue struct {
	IndicatorID string  `json:"indicator_id"`
	Achieved    float64 `json:"achieved"`
}

// Improvement is a policy instrument improvement recorded in a report.
type Improvement struct {
	ID          string          `json:"id"`
	Type        ImprovementType `json:"type"`
	Description string          `json:"description"`
	Date        Date            `json:"date"`
	EvidenceIDs []string        `json:"evidence_ids"`
}

// ReportContent is the editable part of a report; a nil field is left as
// it is.
type ReportContent struct {
	Actions         *[]ActionProgress
	IndicatorValues *[]IndicatorValue
	Improvements    *[]Improvement
}

// Normalize trims the text and gives nil evidence lists as empty.
func (x *ProgressReport) Normalize() {
	for i := range x.Actions {
		a := &x.Actions[i]
		a.Explanation = strings.TrimSpace(a.Explanation)
		a.Narrative = strings.TrimSpace(a.Narrative)
		if a.EvidenceIDs == nil {
			a.EvidenceIDs = []string{}
		}
	}
	for i := range x.Improvements {
		m := &x.Improvements[i]
		m.Description = strings.TrimSpace(m.Description)
		if m.EvidenceIDs == nil {
			m.EvidenceIDs = []string{}
		}
	}
}

// Validate reports every broken rule of the content. actions is the number
// of actions of the plan, indicators the ids of its indicators; what the
// evidence ids point at is the evidence store's check.
func (x *ProgressReport) Validate(actions int, indicators []string) error {
	var p Problems
	seen := map[int]bool{}
	for i, a := range x.Actions {
		f := fmt.Sprintf("actions[%d].", i)
		switch {
		case a.Number < 1 || a.Number > actions:
			p.Add(f+"number", "is not an action of the plan (1 to %d)", actions)
		case seen[a.Number]:
			p.Add(f+"number", "names action %d twice", a.Number)
		}
		seen[a.Number] = true
		if !a.Status.valid() {
			p.Add(f+"status", "must be one of not_started, in_progress, completed, delayed, abandoned")
		} else if a.Status.NeedsExplanation() && a.Explanation == "" {
			p.Add(f+"explanation", "is required when the status is %s", a.Status)
		}
		checkText(&p, f+"explanation", a.Explanation, false, maxLongText)
		checkText(&p, f+"narrative", a.Narrative, false, maxLongText)
		checkEvidence(&p, f+"evidence_ids", a.EvidenceIDs)
	}
	known := map[string]bool{}
	for _, id := range indicators {
		known[id] = true
	}
	seenInd := map[string]bool{}
	for i, v := range x.IndicatorValues {
		f := fmt.Sprintf("indicator_values[%d].", i)
		switch {
		case !known[v.IndicatorID]:
			p.Add(f+"indicator_id", "is not an indicator of the plan")
		case seenInd[v.IndicatorID]:
			p.Add(f+"indicator_id", "is given twice")
		}
		seenInd[v.IndicatorID] = true
	}
	if len(x.Improvements) > maxImprovements {
		p.Add("improvements", "has more than %d improvements", maxImprovements)
	}
	for i, m := range x.Improvements {
		f := fmt.Sprintf("improvements[%d].", i)
		if !m.Type.valid() {
			p.Add(f+"type", "must be one of new_projects, governance, strategic_focus")
		}
		checkText(&p, f+"description", m.Description, true, maxLongText)
		if m.Date.IsZero() {
			p.Add(f+"date", "is required")
		}
		checkEvidence(&p, f+"evidence_ids", m.EvidenceIDs)
	}
	return p.Err("invalid progress report")
}

// Incomplete lists what a submit needs and the report lacks: a status for
// every action of the plan and a value for every indicator.
func (x *ProgressReport) Incomplete(actions int, indicators []string) []FieldError {
	var p Problems
	has := map[int]bool{}
	for _, a := range x.Actions {
		has[a.Number] = true
	}
	for n := 1; n <= actions; n++ {
		if !has[n] {
			p.Add("actions", "action %d has no status", n)
		}
	}
	hasInd := map[string]bool{}
	for _, v := range x.IndicatorValues {
		hasInd[v.IndicatorID] = true
	}
	for _, id := range indicators {
		if !hasInd[id] {
			p.Add("indicator_values", "indicator %s has no value", id)
		}
	}
	return p
}

func checkEvidence(p *Problems, field string, ids []string) {
	if len(ids) > maxEvidence {
		p.Add(field, "has more than %d evidence ids", maxEvidence)
	}
	for i, id := range ids {
		if !ValidID(id) {
			p.Add(fmt.Sprintf("%s[%d]", field, i), "is not a valid id")
		}
	}
}

// Periods. Phase 2 is reported on by calendar semester: S1 is January to
// June, S2 July to December. The periods of a project are the semesters
// that overlap phase 2, which runs from the day after phase1_end to
// phase2_end; the first and last are cut to phase 2. A period's report is
// due ReportDueDays after the period ends, and its reminder goes out
// ReminderLeadDays before that.
const (
	ReportDueDays    = 30
	ReminderLeadDays = 14
)

// Period is one semester of phase 2.
type Period struct {
	Name    string `json:"period"` // 2024-S1
	Index   int    `json:"index"`  // 1 for phase 2's first semester
	Start   Date   `json:"start"`
	End     Date   `json:"end"`
	DueDate Date   `json:"due_date"`
}

// RemindAt is the day the period's due reminder goes out.
func (p Period) RemindAt() Date { return addDays(p.DueDate, -ReminderLeadDays) }

// Periods lists the semesters of phase 2 in order; none when the project
// has no phase 1 end or phase 2 end.
func Periods(pr Project) []Period {
	if pr.Phase1End == nil || pr.Phase2End == nil {
		return nil
	}
	start := addDays(*pr.Phase1End, 1)
	end := *pr.Phase2End
	if end.Before(start) {
		return nil
	}
	var out []Period
	y, h := start.t.Year(), semesterOf(start.t)
	for i := 1; ; i++ {
		s, e := semesterBounds(y, h)
		if end.Before(s) {
			break
		}
		if s.Before(start) {
			s = start
		}
		if end.Before(e) {
			e = end
		}
		out = append(out, Period{Name: fmt.Sprintf("%d-S%d", y, h), Index: i, Start: s, End: e, DueDate: addDays(e, ReportDueDays)})
		if h == 2 {
			y, h = y+1, 1
		} else {
			h = 2
		}
	}
	return out
}

// PeriodOf finds a named period of the project; false when the name is
// malformed or the semester is outside phase 2.
func PeriodOf(pr Project, name string) (Period, bool) {
	if !validPeriodName(name) {
		return Period{}, false
	}
	for _, p := range Periods(pr) {
		if p.Name == name {
			return p, true
		}
	}
	return Period{}, false
}

// validPeriodName accepts YYYY-S1 and YYYY-S2.
func validPeriodName(s string) bool {
	if len(s) != 7 || s[4:6] != "-S" || (s[6] != '1' && s[6] != '2') {
		return false
	}
	_, err := strconv.Atoi(s[:4])
	return err == nil && s[0] != '-' && s[0] != '+'
}

func semesterOf(t time.Time) int {
	if t.Month() <= time.June {
		return 1
	}
	return 2
}

func semesterBounds(y, h int) (Date, Date) {
	if h == 1 {
		return Date{time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC)}, Date{time.Date(y, time.June, 30, 0, 0, 0, 0, time.UTC)}
	}
	return Date{time.Date(y, time.July, 1, 0, 0, 0, 0, time.UTC)}, Date{time.Date(y, time.December, 31, 0, 0, 0, 0, time.UTC)}
}

func addDays(d Date, n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// DateOf is the calendar day of t in UTC.
func DateOf(t time.Time) Date {
	t = t.UTC()
	return Date{time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
}

// Overdue reports whether a report in state s, due on due, is overdue at
// now: it has not been submitted (or was returned) and its due date has
// passed. A report is on time through its whole due date.
func Overdue(s ReportState, due Date, now time.Time) bool {
	return s == ReportDraft && due.Before(DateOf(now))
}

// ReportTransitionRequest asks for one report transition at a known
// version.
type ReportTransitionRequest struct {
	ReportID  string
	Version   int
	Trigger   ReportTrigger
	Note      string
	RequestID string
	Principal Principal
}

// ReportTransitionRecord is one row of a report's append-only history.
type ReportTransitionRecord struct {
	ID        string        `json:"id"`
	ReportID  string        `json:"report_id"`
	Version   int           `json:"version"`
	From      ReportState   `json:"from"`
	To        ReportState   `json:"to"`
	Trigger   ReportTrigger `json:"trigger"`
	ActorID   string        `json:"actor_id"`
	Note      string        `json:"note"`
	RequestID string        `json:"request_id"`
	At        time.Time     `json:"at"`
}

// ReportPermitted is a report trigger the caller may fire now.
type ReportPermitted struct {
	Trigger ReportTrigger `json:"trigger"`
	To      ReportState   `json:"to"`
}

// Uptake is the follow-up of one peer review recommendation.
type Uptake struct {
	PeerReviewID     string       `json:"peer_review_id"`
	RecommendationID string       `json:"recommendation_id"`
	ProjectID        string       `json:"project_id"`
	Status           UptakeStatus `json:"status"`
	PlanID           string       `json:"plan_id,omitempty"`
	ActionNumber     int          `json:"action_number,omitempty"` // 0: none
	UpdatedBy        string       `json:"updated_by"`
	UpdatedAt        time.Time    `json:"updated_at"`
}

// ReportDueEventData is the body of a progress_report.due event. ReportID
// is empty when no report was started for the period yet.
type ReportDueEventData struct {
	PlanID   string `json:"plan_id"`
	Period   string `json:"period"`
	DueDate  Date   `json:"due_date"`
	ReportID string `json:"report_id,omitempty"`
	State    string `json:"state"` // the report's state, or "missing"
}

// ReportTransitionEventData is the data of a transition event of a
// progress report (kind progress_report); the event's deliverable_id is
// the report's plan.
type ReportTransitionEventData struct {
	Kind     string        `json:"kind"` // progress_report
	ReportID string        `json:"report_id"`
	Period   string        `json:"period"`
	From     ReportState   `json:"from"`
	To       ReportState   `json:"to"`
	Trigger  ReportTrigger `json:"trigger"`
	Version  int           `json:"version"`
	ActorID  string        `json:"actor_id"`
}

// MonitoringStore keeps phase 2 monitoring. Every method checks the
// caller's right itself and answers not_found outside the caller's scope.
type MonitoringStore interface {
	// CreateIndicator adds an indicator to an approved or monitored plan;
	// its owner or the coordinator.
	CreateIndicator(ctx context.Context, in *Indicator, p Principal) error
	ListIndicators(ctx context.Context, planID string, p Principal) ([]Indicator, error)
	Indicator(ctx context.Context, id string, p Principal) (Indicator, error)
	// UpdateIndicator applies the patch at the given version (else
	// precondition_failed) on an approved or monitored plan; whoever may
	// create indicators. Name, baseline and target may change at any
	// time: accepted reports keep the snapshot their documents were built
	// from. The unit may not change once a report holds a value in it
	// (conflict), since that value was given in the old unit.
	UpdateIndicator(ctx context.Context, id string, version int, e IndicatorPatch, p Principal) (Indicator, error)
	// DeleteIndicator removes an indicator at the given version; conflict
	// once any progress report holds a value for it.
	DeleteIndicator(ctx context.Context, id string, version int, p Principal) error

	// CreateProgressReport starts the draft report of a period on a
	// monitored plan; its owner or the coordinator. invalid for a plan not
	// monitored, a period outside phase 2 or a period already reported.
	CreateProgressReport(ctx context.Context, planID, period string, p Principal) (ProgressReport, error)
	ListProgressReports(ctx context.Context, planID string, p Principal, page Page) ([]ProgressReport, string, error)
	ProgressReport(ctx context.Context, id string, p Principal) (ProgressReport, error)
	// UpdateProgressReport replaces the given parts of a draft at the given
	// version (else precondition_failed; conflict past draft).
	UpdateProgressReport(ctx context.Context, id string, version int, c ReportContent, p Principal) (ProgressReport, error)
	FireReportTransition(ctx context.Context, r ReportTransitionRequest) (ProgressReport, ReportTransitionRecord, error)
	ReportPermittedTransitions(ctx context.Context, id string, p Principal) ([]ReportPermitted, ProgressReport, error)
	ReportHistory(ctx context.Context, id string, p Principal, page Page) ([]ReportTransitionRecord, string, error)

	// SetUptake records the follow-up of a recommendation of a monitored
	// peer review; its host or the coordinator.
	SetUptake(ctx context.Context, u *Uptake, p Principal) error
	ListUptake(ctx context.Context, peerReviewID string, p Principal) ([]Uptake, error)

	// RemindDueReports is the periodic job's work: it emits one
	// progress_report.due event per monitored plan and period whose
	// reminder day has come and whose report is not submitted, once. It
	// returns how many it emitted.
	RemindDueReports(ctx context.Context, now time.Time) (int, error)
}

// PeriodStatus is where a plan stands for one period: its report, if one
// was started, and whether it is overdue. A period without a report is
// overdue too once its due date has passed.
type PeriodStatus struct {
	Period
	ReportID string `json:"report_id,omitempty"`
	State    string `json:"state"` // the report's state, or "missing"
	Overdue  bool   `json:"overdue"`
}

// PeriodStatuses lists every period of the project with the plan's report
// for it, at now.
func PeriodStatuses(pr Project, reports []ProgressReport, now time.Time) []PeriodStatus {
	byPeriod := map[string]ProgressReport{}
	for _, r := range reports {
		byPeriod[r.Period] = r
	}
	out := []PeriodStatus{}
	for _, p := range Periods(pr) {
		s := PeriodStatus{Period: p, State: "missing", Overdue: p.DueDate.Before(DateOf(now))}
		if r, ok := byPeriod[p.Name]; ok {
			s.ReportID, s.State, s.Overdue = r.ID, string(r.State), Overdue(r.State, p.DueDate, now)
		}
		out = append(out, s)
	}
	return out
}
