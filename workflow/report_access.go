package workflow

// AcceptedReportsOnly reports whether the caller sees a plan's progress
// reports, and the evidence attached to them, only once accepted: a
// stakeholder, from whom deliverable drafts are hidden too. A report in
// draft or submitted is still being written and checked.
func (p Principal) AcceptedReportsOnly(projectID string) bool {
	if p.User.Admin {
		return false
	}
	m, _ := p.Membership(projectID)
	return m.Role == RoleStakeholder
}

// SeeReport decides whether the caller sees a report in state of plan:
// it must see the plan, and a stakeholder only an accepted report. What it
// may not see is not_found, so that its existence is not revealed.
func (p Principal) SeeReport(plan Deliverable, state ReportState) error {
	if err := p.SeeDeliverable(plan); err != nil {
		return Errorf(CodeNotFound, "progress report not found")
	}
	if state != ReportAccepted && p.AcceptedReportsOnly(plan.Head().ProjectID) {
		return Errorf(CodeNotFound, "progress report not found")
	}
	return nil
}
