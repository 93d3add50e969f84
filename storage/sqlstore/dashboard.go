package sqlstore

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/workflow"
)

// dashboardKinds and dashboardStates fix the order of the deliverables
// table; every pair is listed, zeros included.
var (
	dashboardKinds  = []workflow.Kind{workflow.KindActionPlan, workflow.KindPeerReview}
	dashboardStates = []workflow.State{workflow.StateDraft, workflow.StateStakeholderReview, workflow.StateApproved,
		workflow.StateMonitored, workflow.StateClosed}
)

// Dashboard reads the project's figures in one read-only transaction.
// Each part is one aggregate query over the whole project, so the number
// of queries does not grow with the number of plans.
func (s *Store) Dashboard(ctx context.Context, projectID string, scope workflow.Scope, now time.Time) (workflow.Dashboard, error) {
	d := workflow.Dashboard{ProjectID: projectID, GeneratedAt: now.UTC(), Scope: "project"}
	if !scope.All {
		d.Scope = "partner"
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if d.Deliverables, err = deliverableCounts(tx, projectID, scope); err != nil {
			return err
		}
		return nil
	})
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
