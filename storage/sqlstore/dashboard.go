package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"math"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/workflow"
)

// dashboardKinds and dashboardStates fix the order of the deliverables
// table; every pair is listed, zeros included. Good practices are counted
// as the other kinds are (for a partner, the ones it identified).
var (
	dashboardKinds  = []workflow.Kind{workflow.KindActionPlan, workflow.KindPeerReview, workflow.KindGoodPractice}
	dashboardStates = []workflow.State{workflow.StateDraft, workflow.StateStakeholderReview, workflow.StateApproved,
		workflow.StateMonitored, workflow.StateClosed}
)

// Dashboard reads the project's figures in one transaction.
// Each part is one aggregate query over the whole project, so the number
// of queries does not grow with the number of plans.
func (s *Store) Dashboard(ctx context.Context, projectID string, scope workflow.Scope, now time.Time) (workflow.Dashboard, error) {
	d := workflow.Dashboard{ProjectID: projectID, GeneratedAt: now.UTC(), Scope: "project"}
	if !scope.All {
		d.Scope = "partner"
	}
	// On PostgreSQL the queries share one snapshot, so the parts agree
	// with each other while reports are being written. (SQLite's
	// transaction already reads one snapshot of the WAL.)
	var opts []*sql.TxOptions
	if s.dialect == Postgres {
		opts = append(opts, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	}
	err := translate(s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var pr projectRow
		if err := tx.Where("id = ?", projectID).Take(&pr).Error; err != nil {
			return notFound(err, "project")
		}
		var err error
		if d.Deliverables, err = deliverableCounts(tx, projectID, scope); err != nil {
			return err
		}
		plans, err := s.monitoredPlans(tx, projectID, scope)
		if err != nil {
			return err
		}
		if d.Actions, err = actionCounts(tx, projectID, scope, plans); err != nil {
			return err
		}
		if d.Indicators, err = indicatorAchievement(tx, projectID, scope, plans); err != nil {
			return err
		}
		d.Overdue, err = overdueReports(tx, pr.domain(), plans, now)
		return err
	}, opts...))
	if err != nil {
		return workflow.Dashboard{}, err
	}
	if d.Overdue == nil {
		d.Overdue = []workflow.OverdueReport{}
	}
	if d.Actions.Plans == nil {
		d.Actions.Plans = []workflow.PlanActions{}
	}
	if d.Actions.Totals == nil {
		d.Actions.Totals = zeroStatusCounts()
	}
	if d.Indicators.Plans == nil {
		d.Indicators.Plans = []workflow.PlanIndicators{}
	}
	return d, nil
}

// scoped narrows a query over deliverables (aliased d) to the scope.
func scoped(tx *gorm.DB, q *gorm.DB, scope workflow.Scope) *gorm.DB {
	switch {
	case scope.All:
		return q
	case scope.PartnerID != "":
		return q.Where("d.id IN (?)", tx.Model(&partyRow{}).Select("deliverable_id").Where("partner_id = ?", scope.PartnerID))
	case scope.InstrumentID != "":
		return q.Where("d.policy_instrument_id = ? AND d.state <> ?", scope.InstrumentID, string(workflow.StateDraft))
	}
	return q.Where("1 = 0")
}

func deliverableCounts(tx *gorm.DB, projectID string, scope workflow.Scope) ([]workflow.StateCount, error) {
	var rows []struct {
		Kind  string
		State string
		N     int
	}
	q := tx.Table("deliverables AS d").Select("d.kind, d.state, count(*) AS n").Where("d.project_id = ?", projectID)
	if err := scoped(tx, q, scope).Group("d.kind, d.state").Scan(&rows).Error; err != nil {
		return nil, err
	}
	n := map[[2]string]int{}
	for _, r := range rows {
		n[[2]string{r.Kind, r.State}] = r.N
	}
	out := make([]workflow.StateCount, 0, len(dashboardKinds)*len(dashboardStates))
	for _, k := range dashboardKinds {
		for _, st := range dashboardStates {
			out = append(out, workflow.StateCount{Kind: k, State: st, Count: n[[2]string{string(k), string(st)}]})
		}
	}
	return out, nil
}

func zeroStatusCounts() []workflow.StatusCount {
	out := make([]workflow.StatusCount, len(workflow.ImplementationStatuses))
	for i, st := range workflow.ImplementationStatuses {
		out[i] = workflow.StatusCount{Status: st}
	}
	return out
}

// dashPlan is an action plan the monitoring part of the dashboard covers:
// monitored or closed, inside the caller's scope.
type dashPlan struct {
	ID      string
	Title   string
	State   string
	Actions int // how many actions its content lists
}

// monitoredPlans lists the plans in monitored or closed state, by title,
// with the number of actions the store keeps beside their content.
func (s *Store) monitoredPlans(tx *gorm.DB, projectID string, scope workflow.Scope) ([]dashPlan, error) {
	q := tx.Table("deliverables AS d").Select("d.id, d.title, d.state, d.action_count AS actions").
		Where("d.project_id = ? AND d.kind = ? AND d.state IN ?", projectID, string(workflow.KindActionPlan),
			[]string{string(workflow.StateMonitored), string(workflow.StateClosed)})
	var out []dashPlan
	err := scoped(tx, q, scope).Order("d.title, d.id").Scan(&out).Error
	return out, err
}

// latestReports is a WITH clause naming lr: per plan of the project, its
// latest submitted or accepted report's id and period. A draft is still
// being written and says nothing yet.
const latestReports = `WITH lr AS (
	SELECT r.id, r.plan_id, r.period FROM progress_reports r
	JOIN (SELECT plan_id, max(period_index) AS period_index FROM progress_reports
	      WHERE project_id = ? AND state IN ('submitted', 'accepted') GROUP BY plan_id) l
	  ON l.plan_id = r.plan_id AND l.period_index = r.period_index
	WHERE r.project_id = ?)
`

// planFilter narrows a query on a plan_id column to the listed plans when
// the caller sees only some; for the whole project it adds nothing.
func planFilter(col string, scope workflow.Scope, plans []dashPlan) (string, []any) {
	if scope.All {
		return "", nil
	}
	ids := make([]string, len(plans))
	for i, p := range plans {
		ids[i] = p.ID
	}
	if len(ids) == 0 {
		return " AND 1 = 0", nil
	}
	return " AND " + col + " IN ?", []any{ids}
}

// actionCounts counts each plan's actions by their status in its latest
// report; actions the report does not cover (or all of them, without a
// report) are not_reported.
func actionCounts(tx *gorm.DB, projectID string, scope workflow.Scope, plans []dashPlan) (workflow.ActionStatusView, error) {
	filter, fargs := planFilter("lr.plan_id", scope, plans)
	rows, err := tx.Raw(latestReports+`SELECT lr.plan_id, lr.period, a.status, count(*)
		FROM lr JOIN progress_report_actions a ON a.report_id = lr.id
		WHERE 1 = 1`+filter+` GROUP BY lr.plan_id, lr.period, a.status`, append([]any{projectID, projectID}, fargs...)...).Rows()
	if err != nil {
		return workflow.ActionStatusView{}, err
	}
	defer rows.Close()
	type tally struct {
		period string
		n      map[string]int
	}
	byPlan := map[string]*tally{}
	for rows.Next() {
		var planID, period, status string
		var n int
		if err := rows.Scan(&planID, &period, &status, &n); err != nil {
			return workflow.ActionStatusView{}, err
		}
		t := byPlan[planID]
		if t == nil {
			t = &tally{period: period, n: map[string]int{}}
			byPlan[planID] = t
		}
		t.n[status] += n
	}
	if err := rows.Err(); err != nil {
		return workflow.ActionStatusView{}, err
	}
	v := workflow.ActionStatusView{Totals: zeroStatusCounts(), Plans: make([]workflow.PlanActions, 0, len(plans))}
	for _, p := range plans {
		pa := workflow.PlanActions{PlanID: p.ID, Title: p.Title, Counts: zeroStatusCounts()}
		reported := 0
		if t := byPlan[p.ID]; t != nil {
			pa.LatestPeriod = t.period
			for i := range pa.Counts {
				pa.Counts[i].Count = t.n[pa.Counts[i].Status]
				reported += pa.Counts[i].Count
			}
		}
		// A revised plan may list more actions than its last report.
		pa.Counts[len(pa.Counts)-1].Count = max(p.Actions-reported, 0)
		for i := range pa.Counts {
			v.Totals[i].Count += pa.Counts[i].Count
		}
		v.Plans = append(v.Plans, pa)
	}
	return v, nil
}

// indicatorAchievement lists every indicator of the plans with its value
// in the plan's latest report. It reads tens of thousands of rows at
// scale, so it scans them by hand rather than through gorm's reflection,
// and sorts in Go rather than with the database's collation.
func indicatorAchievement(tx *gorm.DB, projectID string, scope workflow.Scope, plans []dashPlan) (workflow.IndicatorView, error) {
	filter, fargs := planFilter("i.plan_id", scope, plans)
	// The latest values (lv) are joined first and by report, so the
	// database reads only the latest reports' rows of the values table.
	rows, err := tx.Raw(latestReports+`, lv AS (
			SELECT v.indicator_id, v.achieved, lr.period FROM lr JOIN progress_report_indicators v ON v.report_id = lr.id)
		SELECT i.id, i.plan_id, i.name, i.unit, i.baseline, i.target, lv.achieved, lv.period
		FROM plan_indicators i LEFT JOIN lv ON lv.indicator_id = i.id
		WHERE i.project_id = ?`+filter, append([]any{projectID, projectID, projectID}, fargs...)...).Rows()
	if err != nil {
		return workflow.IndicatorView{}, err
	}
	defer rows.Close()
	// At scale this loop is most of the dashboard's own work: plan ids and
	// periods are read as raw bytes and looked up (a handful of distinct
	// values), and the numbers behind the pointers share one backing array.
	index := make(map[string]int, len(plans))
	for i, p := range plans {
		index[p.ID] = i
	}
	byPlan := make([][]workflow.IndicatorAchievement, len(plans))
	periods := map[string]string{}
	var nums []float64
	ptr := func(f float64) *float64 {
		if len(nums) == cap(nums) {
			nums = make([]float64, 0, 4096)
		}
		nums = append(nums, f)
		return &nums[len(nums)-1]
	}
	for rows.Next() {
		var a workflow.IndicatorAchievement
		var planID, period sql.RawBytes
		var achieved sql.NullFloat64
		if err := rows.Scan(&a.ID, &planID, &a.Name, &a.Unit, &a.Baseline, &a.Target, &achieved, &period); err != nil {
			return workflow.IndicatorView{}, err
		}
		i, ok := index[string(planID)]
		if !ok {
			continue // a plan not (or not yet) monitored
		}
		if achieved.Valid {
			a.Achieved = ptr(achieved.Float64)
			if a.Period, ok = periods[string(period)]; !ok {
				a.Period = string(period)
				periods[a.Period] = a.Period
			}
			if p, ok := workflow.Progress(a.Baseline, a.Target, achieved.Float64); ok {
				a.Progress = ptr(math.Round(p*10000) / 10000)
			}
		}
		byPlan[i] = append(byPlan[i], a)
	}
	if err := rows.Err(); err != nil {
		return workflow.IndicatorView{}, err
	}
	v := workflow.IndicatorView{Plans: make([]workflow.PlanIndicators, 0, len(plans))}
	total, measured := 0.0, 0
	for i, p := range plans {
		pi := workflow.PlanIndicators{PlanID: p.ID, Title: p.Title, Indicators: byPlan[i]}
		if pi.Indicators == nil {
			pi.Indicators = []workflow.IndicatorAchievement{}
		}
		slices.SortFunc(pi.Indicators, func(a, b workflow.IndicatorAchievement) int {
			return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
		})
		sum, n := 0.0, 0
		for _, a := range pi.Indicators {
			v.Summary.Indicators++
			if a.Achieved != nil {
				v.Summary.Reported++
			}
			if a.Progress != nil {
				sum += *a.Progress
				n++
				if *a.Progress >= 1 {
					v.Summary.OnTarget++
				}
			}
		}
		if n > 0 {
			pi.AvgProgress = math.Round(sum/float64(n)*10000) / 10000
		}
		total, measured = total+sum, measured+n
		v.Plans = append(v.Plans, pi)
	}
	if measured > 0 {
		v.Summary.AvgProgress = math.Round(total/float64(measured)*10000) / 10000
	}
	return v, nil
}

// overdueReports lists, for each monitored plan, the periods whose report
// is due before today and is missing or in draft, oldest first.
func overdueReports(tx *gorm.DB, pr workflow.Project, plans []dashPlan, now time.Time) ([]workflow.OverdueReport, error) {
	today := workflow.DateOf(now)
	var due []workflow.Period
	for _, p := range workflow.Periods(pr) {
		if p.DueDate.Before(today) {
			due = append(due, p)
		}
	}
	out := []workflow.OverdueReport{}
	if len(due) == 0 || len(plans) == 0 {
		return out, nil
	}
	state, err := reportStates(tx, pr.ID)
	if err != nil {
		return nil, err
	}
	for _, per := range due {
		for _, p := range plans {
			if p.State != string(workflow.StateMonitored) {
				continue // a closed plan is reported on no more
			}
			st, ok := state[[2]string{p.ID, per.Name}]
			if !ok {
				st = "missing"
			} else if !workflow.Overdue(workflow.ReportState(st), per.DueDate, now) {
				continue
			}
			out = append(out, workflow.OverdueReport{PlanID: p.ID, Title: p.Title, Period: per.Name, DueAt: per.DueDate.Time(), Status: st,
				DaysLate: int(today.Time().Sub(per.DueDate.Time()).Hours() / 24)})
		}
	}
	slices.SortStableFunc(out, func(a, b workflow.OverdueReport) int { return a.DueAt.Compare(b.DueAt) })
	return out, nil
}

// reportStates maps each progress report of a project, by plan and period,
// to its state: what the dashboard's overdue list and the project home's
// due reports both look up.
func reportStates(tx *gorm.DB, projectID string) (map[[2]string]string, error) {
	var rows []struct {
		PlanID string
		Period string
		State  string
	}
	if err := tx.Table("progress_reports").Select("plan_id, period, state").Where("project_id = ?", projectID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	state := make(map[[2]string]string, len(rows))
	for _, r := range rows {
		state[[2]string{r.PlanID, r.Period}] = r.State
	}
	return state, nil
}
