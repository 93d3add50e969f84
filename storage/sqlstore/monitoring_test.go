package sqlstore_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// monitoring is a seeded project whose phase 2 runs from April 2019 to
// March 2021, with an approved action plan of two actions, and a caller in
// each role that matters.
type monitoring struct {
	seedData
	plan                           workflow.Deliverable
	planVersion                    int
	coord, owner, secr, obs, other workflow.Principal
	sh                             workflow.Principal
	otherPartner                   workflow.Partner
	indicatorA, indicatorB         workflow.Indicator
	evidenceID                     string // evidence of the plan, for reports to cite
}

func setupMonitoring(t *testing.T, s *sqlstore.Store, acronym string) *monitoring {
	t.Helper()
	m := &monitoring{seedData: seed(t, s, acronym)}
	_, err := s.DB().ExecContext(ctx, "UPDATE projects SET phase2_end = $1 WHERE id = $2", workflow.MustDate("2021-03-31"), m.project.ID)
	require.NoError(t, err)
	pid := m.project.ID
	m.otherPartner = workflow.Partner{ProjectID: pid, Name: "Other", Country: "AT", Role: workflow.PartnerPartner}
	require.NoError(t, s.CreatePartner(ctx, &m.otherPartner))
	m.coord, _ = member(t, s, "coord@"+acronym, workflow.Membership{ProjectID: pid, Role: workflow.RoleCoordinator})
	m.owner, _ = member(t, s, "owner@"+acronym, workflow.Membership{ProjectID: pid, Role: workflow.RolePartner, PartnerID: m.partner.ID})
	m.secr, _ = member(t, s, "secr@"+acronym, workflow.Membership{ProjectID: pid, Role: workflow.RoleSecretariat})
	m.obs, _ = member(t, s, "obs@"+acronym, workflow.Membership{ProjectID: pid, Role: workflow.RoleObserver})
	m.other, _ = member(t, s, "other@"+acronym, workflow.Membership{ProjectID: pid, Role: workflow.RolePartner, PartnerID: m.otherPartner.ID})
	m.sh, _ = member(t, s, "sh@"+acronym, workflow.Membership{ProjectID: pid, Role: workflow.RoleStakeholder, StakeholderGroupID: m.group.ID})

	m.plan = completePlanFor(m.seedData, m.instrument.ID)
	require.NoError(t, s.CreateDeliverable(ctx, &m.plan))
	ev := newEvidence(m.seedData, m.plan.Plan.ID)
	require.NoError(t, s.CreateEvidence(ctx, &ev))
	m.evidenceID = ev.ID
	m.planVersion = 1
	m.firePlan(t, s, m.owner, workflow.TriggerSubmit)
	pastDeadline(t, s, m.plan.Plan.ID)
	m.firePlan(t, s, m.coord, workflow.TriggerApprove)
	return m
}

func (m *monitoring) firePlan(t *testing.T, s *sqlstore.Store, p workflow.Principal, tr workflow.Trigger) {
	t.Helper()
	_, _, err := s.FireTransition(ctx, workflow.TransitionRequest{Kind: workflow.KindActionPlan, ID: m.plan.Plan.ID,
		Version: m.planVersion, Trigger: tr, Principal: p})
	require.NoError(t, err)
	m.planVersion++
}

// startMonitoring adds two indicators to the approved plan and moves it to
// monitored.
func (m *monitoring) startMonitoring(t *testing.T, s *sqlstore.Store) {
	t.Helper()
	m.indicatorA = workflow.Indicator{PlanID: m.plan.Plan.ID, Name: " Vállalkozások ", Unit: "SMEs", Baseline: 0, Target: 120}
	require.NoError(t, s.CreateIndicator(ctx, &m.indicatorA, m.owner))
	m.indicatorB = workflow.Indicator{PlanID: m.plan.Plan.ID, Name: "Budget", Unit: "EUR", Baseline: 1000.5, Target: 50000}
	require.NoError(t, s.CreateIndicator(ctx, &m.indicatorB, m.coord))
	m.firePlan(t, s, m.coord, workflow.TriggerStartMonitoring)
}

func completeContent(m *monitoring) workflow.ReportContent {
	return workflow.ReportContent{
		Actions: &[]workflow.ActionProgress{
			{Number: 1, Status: workflow.ActionCompleted, Narrative: "Mentoring ran in three counties.", EvidenceIDs: []string{m.evidenceID}},
			{Number: 2, Status: workflow.ActionDelayed, Explanation: "The call for trainers opened late.", Narrative: "Képzés később indul."},
		},
		IndicatorValues: &[]workflow.IndicatorValue{{IndicatorID: m.indicatorA.ID, Achieved: 35}, {IndicatorID: m.indicatorB.ID, Achieved: 12000.25}},
		Improvements: &[]workflow.Improvement{{Type: workflow.ImprovementGovernance, Description: "A crafts desk joined the steering committee.",
			Date: workflow.MustDate("2019-05-15")}},
	}
}

func init() {
	suite["MonitoringIndicators"] = func(t *testing.T, s *sqlstore.Store) {
		m := setupMonitoring(t, s, "IND")
		in := workflow.Indicator{PlanID: m.plan.Plan.ID, Name: "Jobs", Unit: "FTE", Target: 10}
		require.Equal(t, workflow.CodeForbidden, code(t, s.CreateIndicator(ctx, &in, m.secr)), "the secretariat reads")
		require.Equal(t, workflow.CodeForbidden, code(t, s.CreateIndicator(ctx, &in, m.obs)))
		require.Equal(t, workflow.CodeNotFound, code(t, s.CreateIndicator(ctx, &in, m.other)), "another partner's plan is out of scope")
		bad := workflow.Indicator{PlanID: m.plan.Plan.ID, Name: " ", Unit: ""}
		require.Equal(t, []string{"name", "unit"}, fieldsOf(t, s.CreateIndicator(ctx, &bad, m.owner)))
		m.startMonitoring(t, s)
		require.Equal(t, "Vállalkozások", m.indicatorA.Name, "trimmed")
		dup := workflow.Indicator{PlanID: m.plan.Plan.ID, Name: "Budget", Unit: "EUR"}
		require.Equal(t, workflow.CodeConflict, code(t, s.CreateIndicator(ctx, &dup, m.owner)))

		list, err := s.ListIndicators(ctx, m.plan.Plan.ID, m.sh)
		require.NoError(t, err, "a stakeholder of the plan's instrument reads it past draft")
		require.Len(t, list, 2)
		require.Equal(t, m.indicatorA.ID, list[0].ID)
		require.Equal(t, 1000.5, list[1].Baseline)
		_, err = s.ListIndicators(ctx, m.plan.Plan.ID, m.other)
		require.Equal(t, workflow.CodeNotFound, code(t, err))

		// A draft plan takes no indicators.
		second := workflow.PolicyInstrument{ProjectID: m.project.ID, Name: "GINOP", Type: workflow.InstrumentOther, PartnerIDs: []string{m.partner.ID}}
		require.NoError(t, s.CreatePolicyInstrument(ctx, &second))
		draft := completePlanFor(m.seedData, second.ID)
		require.NoError(t, s.CreateDeliverable(ctx, &draft))
		in2 := workflow.Indicator{PlanID: draft.Plan.ID, Name: "Jobs", Unit: "FTE"}
		require.Equal(t, workflow.CodeConflict, code(t, s.CreateIndicator(ctx, &in2, m.coord)))
	}

	suite["MonitoringReportCreate"] = func(t *testing.T, s *sqlstore.Store) {
		m := setupMonitoring(t, s, "REPC")
		_, err := s.CreateProgressReport(ctx, m.plan.Plan.ID, "2019-S2", m.owner)
		require.Equal(t, workflow.CodeInvalid, code(t, err), "the plan is approved, not monitored")
		require.Equal(t, []string{"plan"}, fieldsOf(t, err))
		m.startMonitoring(t, s)
		for _, period := range []string{"2018-S2", "2021-S2", "2019-S3", "2019"} {
			_, err = s.CreateProgressReport(ctx, m.plan.Plan.ID, period, m.owner)
			require.Equal(t, []string{"period"}, fieldsOf(t, err), period)
		}
		_, err = s.CreateProgressReport(ctx, m.plan.Plan.ID, "2019-S2", m.secr)
		require.Equal(t, workflow.CodeForbidden, code(t, err))
		_, err = s.CreateProgressReport(ctx, m.plan.Plan.ID, "2019-S2", m.other)
		require.Equal(t, workflow.CodeNotFound, code(t, err))

		r, err := s.CreateProgressReport(ctx, m.plan.Plan.ID, "2019-S2", m.owner)
		require.NoError(t, err)
		require.Equal(t, workflow.ReportDraft, r.State)
		require.Equal(t, 1, r.Version)
		require.Equal(t, "2019-07-01", r.PeriodStart.String())
		require.Equal(t, "2020-01-30", r.DueDate.String())
		require.True(t, r.Overdue, "due in 2020 and still a draft")
		_, err = s.CreateProgressReport(ctx, m.plan.Plan.ID, "2019-S2", m.coord)
		require.Equal(t, []string{"period"}, fieldsOf(t, err), "a second report for the period")
		first, err := s.CreateProgressReport(ctx, m.plan.Plan.ID, "2019-S1", m.coord)
		require.NoError(t, err)

		list, next, err := s.ListProgressReports(ctx, m.plan.Plan.ID, m.obs, workflow.Page{Limit: 1})
		require.NoError(t, err)
		require.Len(t, list, 1)
		require.Equal(t, r.ID, list[0].ID)
		require.NotEmpty(t, next)
		list, next, err = s.ListProgressReports(ctx, m.plan.Plan.ID, m.obs, workflow.Page{Limit: 1, After: next})
		require.NoError(t, err)
		require.Equal(t, first.ID, list[0].ID)
		require.Empty(t, next)
		_, _, err = s.ListProgressReports(ctx, m.plan.Plan.ID, m.other, workflow.Page{Limit: 10})
		require.Equal(t, workflow.CodeNotFound, code(t, err))
		_, err = s.ProgressReport(ctx, r.ID, m.other)
		require.Equal(t, workflow.CodeNotFound, code(t, err))
	}

	suite["MonitoringReportLifecycle"] = func(t *testing.T, s *sqlstore.Store) {
		m := setupMonitoring(t, s, "REPL")
		s.SetApprovalDocuments(map[workflow.Kind]sqlstore.TemplateRef{
			sqlstore.ReportTemplate: {Name: sqlstore.ReportTemplate, Version: strings.Repeat("a", 64)}})
		m.startMonitoring(t, s)
		r, err := s.CreateProgressReport(ctx, m.plan.Plan.ID, "2020-S1", m.owner)
		require.NoError(t, err)

		// An incomplete draft cannot be submitted: every action and
		// indicator is named.
		_, _, err = s.FireReportTransition(ctx, workflow.ReportTransitionRequest{ReportID: r.ID, Version: 1, Trigger: workflow.ReportSubmit, Principal: m.owner})
		require.Equal(t, workflow.CodeGuardFailed, code(t, err))
		require.Len(t, fieldsOf(t, err), 4)

		// Edits: the version first, then the rules.
		c := completeContent(m)
		_, err = s.UpdateProgressReport(ctx, r.ID, 7, c, m.owner)
		require.Equal(t, workflow.CodePreconditionFailed, code(t, err))
		_, err = s.UpdateProgressReport(ctx, r.ID, 1, c, m.secr)
		require.Equal(t, workflow.CodeForbidden, code(t, err))
		bad := workflow.ReportContent{Actions: &[]workflow.ActionProgress{{Number: 1, Status: workflow.ActionAbandoned, Narrative: "x"}}}
		_, err = s.UpdateProgressReport(ctx, r.ID, 1, bad, m.owner)
		require.Equal(t, []string{"actions[0].explanation"}, fieldsOf(t, err))
		unknown := workflow.ReportContent{IndicatorValues: &[]workflow.IndicatorValue{{IndicatorID: workflow.NewID(), Achieved: 1}}}
		_, err = s.UpdateProgressReport(ctx, r.ID, 1, unknown, m.owner)
		require.Equal(t, []string{"indicator_values[0].indicator_id"}, fieldsOf(t, err))

		got, err := s.UpdateProgressReport(ctx, r.ID, 1, c, m.owner)
		require.NoError(t, err)
		require.Equal(t, 2, got.Version)
		require.Len(t, got.Actions, 2)
		require.Equal(t, "The call for trainers opened late.", got.Actions[1].Explanation)
		require.Equal(t, []string{}, got.Actions[1].EvidenceIDs)
		require.Len(t, got.Actions[0].EvidenceIDs, 1)
		require.Equal(t, 12000.25, got.IndicatorValues[1].Achieved)
		require.True(t, workflow.ValidID(got.Improvements[0].ID))
		// A partial edit keeps the other parts.
		only := workflow.ReportContent{Improvements: &[]workflow.Improvement{}}
		got, err = s.UpdateProgressReport(ctx, r.ID, 2, only, m.coord)
		require.NoError(t, err)
		require.Empty(t, got.Improvements)
		require.Len(t, got.Actions, 2)
		got, err = s.UpdateProgressReport(ctx, r.ID, 3, workflow.ReportContent{Improvements: c.Improvements}, m.coord)
		require.NoError(t, err)
		// An improvement read back keeps its id; a foreign or repeated id is replaced.
		keep := got.Improvements[0]
		twice := []workflow.Improvement{keep, keep, {ID: workflow.NewID(), Type: workflow.ImprovementNewProjects, Description: "x", Date: workflow.MustDate("2020-04-01")}}
		got, err = s.UpdateProgressReport(ctx, r.ID, 4, workflow.ReportContent{Improvements: &twice}, m.coord)
		require.NoError(t, err)
		require.Equal(t, keep.ID, got.Improvements[0].ID)
		require.NotEqual(t, keep.ID, got.Improvements[1].ID)
		require.NotEqual(t, twice[2].ID, got.Improvements[2].ID)
		got, err = s.UpdateProgressReport(ctx, r.ID, 5, workflow.ReportContent{Improvements: c.Improvements}, m.coord)
		require.NoError(t, err)
		read, err := s.ProgressReport(ctx, r.ID, m.obs)
		require.NoError(t, err)
		// A stakeholder reads a report only once accepted (issue 15, #4).
		_, err = s.ProgressReport(ctx, r.ID, m.sh)
		require.Equal(t, workflow.CodeNotFound, code(t, err))
		shList, _, err := s.ListProgressReports(ctx, m.plan.Plan.ID, m.sh, workflow.Page{Limit: 10})
		require.NoError(t, err)
		require.Empty(t, shList)
		require.Equal(t, got.Actions, read.Actions)
		require.Equal(t, got.Improvements, read.Improvements)

		fire := func(p workflow.Principal, tr workflow.ReportTrigger, note string) (workflow.ProgressReport, error) {
			rep, _, err := s.FireReportTransition(ctx, workflow.ReportTransitionRequest{ReportID: r.ID, Version: got.Version,
				Trigger: tr, Principal: p, Note: note, RequestID: "req-" + string(tr)})
			if err == nil {
				got = rep
			}
			return rep, err
		}
		_, err = fire(m.secr, workflow.ReportSubmit, "")
		require.Equal(t, workflow.CodeForbidden, code(t, err))
		hook(t, s, m.project.ID, workflow.EventTransition)
		rep, err := fire(m.owner, workflow.ReportSubmit, "")
		require.NoError(t, err)
		var payload string
		require.NoError(t, s.DB().QueryRowContext(ctx, "SELECT payload FROM webhook_deliveries WHERE event_type = 'transition'").Scan(&payload))
		for _, want := range []string{`"kind":"progress_report"`, `"report_id":"` + r.ID + `"`, `"from":"draft","to":"submitted"`,
			`"deliverable_id":"` + m.plan.Plan.ID + `"`, `"period":"2020-S1"`} {
			require.Contains(t, payload, want)
		}
		require.Equal(t, workflow.ReportSubmitted, rep.State)
		require.NotNil(t, rep.SubmittedAt)
		require.False(t, rep.Overdue, "submitted reports are not overdue")
		_, err = s.UpdateProgressReport(ctx, r.ID, got.Version, c, m.owner)
		require.Equal(t, workflow.CodeConflict, code(t, err), "no edits once submitted")

		perm, _, err := s.ReportPermittedTransitions(ctx, r.ID, m.secr)
		require.NoError(t, err)
		require.Equal(t, []workflow.ReportPermitted{{Trigger: workflow.ReportAccept, To: workflow.ReportAccepted}, {Trigger: workflow.ReportReturn, To: workflow.ReportDraft}}, perm)
		perm, _, err = s.ReportPermittedTransitions(ctx, r.ID, m.owner)
		require.NoError(t, err)
		require.Empty(t, perm)

		_, err = fire(m.owner, workflow.ReportAccept, "")
		require.Equal(t, workflow.CodeForbidden, code(t, err))
		_, err = fire(m.coord, workflow.ReportReturn, " ")
		require.Equal(t, workflow.CodeGuardFailed, code(t, err))
		rep, err = fire(m.coord, workflow.ReportReturn, "Add the trainers' names.")
		require.NoError(t, err)
		require.Equal(t, workflow.ReportDraft, rep.State)
		_, err = fire(m.coord, workflow.ReportSubmit, "")
		require.NoError(t, err)
		var docs int64
		require.NoError(t, s.DB().QueryRowContext(ctx, "SELECT count(*) FROM documents WHERE progress_report_id = $1", r.ID).Scan(&docs))
		require.Zero(t, docs, "nothing is assembled before the accept")
		rep, err = fire(m.secr, workflow.ReportAccept, "")
		require.NoError(t, err)
		require.Equal(t, workflow.ReportAccepted, rep.State)
		require.NotNil(t, rep.AcceptedAt)
		_, err = fire(m.coord, workflow.ReportReturn, "too late")
		require.Equal(t, workflow.CodeConflict, code(t, err), "accepted is final")
		read, err = s.ProgressReport(ctx, r.ID, m.sh)
		require.NoError(t, err, "accepted, the report is the stakeholder's to read")
		require.Equal(t, got.Actions, read.Actions)

		hist, _, err := s.ReportHistory(ctx, r.ID, m.obs, workflow.Page{Limit: 50})
		require.NoError(t, err)
		var trail []string
		for _, h := range hist {
			trail = append(trail, string(h.From)+">"+string(h.To))
		}
		require.Equal(t, []string{"draft>submitted", "submitted>draft", "draft>submitted", "submitted>accepted"}, trail)
		require.Equal(t, "Add the trainers' names.", hist[1].Note)
		require.Equal(t, m.secr.User.ID, hist[3].ActorID)
		require.Equal(t, "req-accept", hist[3].RequestID)
		_, err = s.DB().ExecContext(ctx, "DELETE FROM progress_report_transitions WHERE report_id = $1", r.ID)
		require.Error(t, err, "the history is append-only")

		// The accept queued the PDF and the DOCX, built from the frozen report.
		rows, err := s.DB().QueryContext(ctx, "SELECT id, format, revision, kind, deliverable_id FROM documents WHERE progress_report_id = $1 ORDER BY format", r.ID)
		require.NoError(t, err)
		var formats []string
		var docID string
		for rows.Next() {
			var id, format, kind, did string
			var rev int
			require.NoError(t, rows.Scan(&id, &format, &rev, &kind, &did))
			require.Equal(t, 3, rev, "2020-S1 is phase 2's third period, after 2019-S1 and 2019-S2")
			require.Equal(t, "progress_report", kind)
			require.Equal(t, m.plan.Plan.ID, did)
			formats, docID = append(formats, format), id
		}
		require.NoError(t, rows.Close())
		require.Equal(t, []string{"docx", "pdf"}, formats)
		doc, snap, at, err := s.RenderInput(ctx, docID)
		require.NoError(t, err)
		require.Equal(t, "pdf", doc.Format)
		require.Equal(t, rep.AcceptedAt.Truncate(time.Second), at.Truncate(time.Second))
		for _, want := range []string{`"period":"2020-S1"`, `"state":"accepted"`, `"The call for trainers opened late."`,
			`"name":"Vállalkozások"`, `"acronym":"REPL"`, `"title":"Mentor"`} {
			require.Contains(t, string(snap), want)
		}
	}

	suite["MonitoringUptake"] = func(t *testing.T, s *sqlstore.Store) {
		m := setupMonitoring(t, s, "UPT")
		// A peer review hosted by the plan's partner, walked to monitored.
		rev := &workflow.PeerReview{ProjectID: m.project.ID, HostPartnerID: m.partner.ID, Title: "Review",
			Recommendations: []workflow.Recommendation{{ID: workflow.NewID(), Title: "Mentors"}, {ID: workflow.NewID(), Title: "Loans"}}}
		rev.Normalize()
		d := workflow.Deliverable{Kind: workflow.KindPeerReview, Review: rev}
		require.NoError(t, s.CreateDeliverable(ctx, &d))
		setState := func(state workflow.State) {
			_, err := s.DB().ExecContext(ctx, "UPDATE deliverables SET state = $1 WHERE id = $2", string(state), rev.ID)
			require.NoError(t, err)
		}
		u := workflow.Uptake{PeerReviewID: rev.ID, RecommendationID: rev.Recommendations[0].ID, Status: workflow.UptakeAdopted,
			PlanID: m.plan.Plan.ID, ActionNumber: 1}
		require.Equal(t, workflow.CodeConflict, code(t, s.SetUptake(ctx, &u, m.owner)), "a draft review has no follow-up")
		setState(workflow.StateMonitored)
		require.Equal(t, workflow.CodeForbidden, code(t, s.SetUptake(ctx, &u, m.secr)))
		require.Equal(t, workflow.CodeNotFound, code(t, s.SetUptake(ctx, &u, m.other)))
		bad := u
		bad.Status, bad.PlanID = "maybe", ""
		require.Equal(t, []string{"status", "action_number"}, fieldsOf(t, s.SetUptake(ctx, &bad, m.owner)))
		bad = u
		bad.ActionNumber = 3
		require.Equal(t, []string{"action_number"}, fieldsOf(t, s.SetUptake(ctx, &bad, m.owner)))
		bad = u
		bad.RecommendationID = workflow.NewID()
		require.Equal(t, workflow.CodeNotFound, code(t, s.SetUptake(ctx, &bad, m.owner)))

		require.NoError(t, s.SetUptake(ctx, &u, m.owner))
		second := workflow.Uptake{PeerReviewID: rev.ID, RecommendationID: rev.Recommendations[1].ID, Status: workflow.UptakeNotAdopted}
		require.NoError(t, s.SetUptake(ctx, &second, m.coord))
		// Setting it again replaces it.
		u.Status, u.ActionNumber = workflow.UptakePartially, 0
		require.NoError(t, s.SetUptake(ctx, &u, m.coord))
		list, err := s.ListUptake(ctx, rev.ID, m.obs)
		require.NoError(t, err)
		require.Len(t, list, 2)
		byRec := map[string]workflow.Uptake{list[0].RecommendationID: list[0], list[1].RecommendationID: list[1]}
		first := byRec[rev.Recommendations[0].ID]
		require.Equal(t, workflow.UptakePartially, first.Status)
		require.Equal(t, m.plan.Plan.ID, first.PlanID)
		require.Zero(t, first.ActionNumber)
		require.Equal(t, m.coord.User.ID, first.UpdatedBy)
		require.Equal(t, workflow.UptakeNotAdopted, byRec[rev.Recommendations[1].ID].Status)
		require.Empty(t, byRec[rev.Recommendations[1].ID].PlanID)
	}

	suite["MonitoringReminders"] = func(t *testing.T, s *sqlstore.Store) {
		m := setupMonitoring(t, s, "REM")
		hook(t, s, m.project.ID, workflow.EventProgressReportDue)
		at := func(d string) time.Time { return workflow.MustDate(d).Time().Add(9 * time.Hour) }
		n, err := s.RemindDueReports(ctx, at("2020-01-16"))
		require.NoError(t, err)
		require.Zero(t, n, "the plan is not monitored yet")
		m.startMonitoring(t, s)
		// 2019-S2 is due on 2020-01-30: its reminder goes out from 2020-01-16.
		n, err = s.RemindDueReports(ctx, at("2020-01-15"))
		require.NoError(t, err)
		require.Zero(t, n, "too early")
		n, err = s.RemindDueReports(ctx, at("2020-01-16"))
		require.NoError(t, err)
		require.Equal(t, 1, n)
		n, err = s.RemindDueReports(ctx, at("2020-01-20"))
		require.NoError(t, err)
		require.Zero(t, n, "once per period")

		// 2020-S1 (due 2020-07-30): its report is started, so the event names it.
		r, err := s.CreateProgressReport(ctx, m.plan.Plan.ID, "2020-S1", m.owner)
		require.NoError(t, err)
		n, err = s.RemindDueReports(ctx, at("2020-07-30"))
		require.NoError(t, err)
		require.Equal(t, 1, n)
		n, err = s.RemindDueReports(ctx, at("2020-07-31"))
		require.NoError(t, err)
		require.Zero(t, n)

		// 2020-S2 (due 2021-01-30): a submitted report needs no reminder;
		// and one past its due date gets none either (it is overdue).
		r2, err := s.CreateProgressReport(ctx, m.plan.Plan.ID, "2020-S2", m.owner)
		require.NoError(t, err)
		_, err = s.UpdateProgressReport(ctx, r2.ID, 1, completeContent(m), m.owner)
		require.NoError(t, err)
		_, _, err = s.FireReportTransition(ctx, workflow.ReportTransitionRequest{ReportID: r2.ID, Version: 2, Trigger: workflow.ReportSubmit, Principal: m.owner})
		require.NoError(t, err)
		n, err = s.RemindDueReports(ctx, at("2021-01-20"))
		require.NoError(t, err)
		require.Zero(t, n)
		n, err = s.RemindDueReports(ctx, at("2021-05-01"))
		require.NoError(t, err)
		require.Zero(t, n, "2021-S1 is due on 2021-04-30")

		var payloads []string
		rows, err := s.DB().QueryContext(ctx, "SELECT payload FROM webhook_deliveries WHERE event_type = 'progress_report.due' ORDER BY created_at")
		require.NoError(t, err)
		for rows.Next() {
			var p string
			require.NoError(t, rows.Scan(&p))
			payloads = append(payloads, p)
		}
		require.NoError(t, rows.Close())
		require.Len(t, payloads, 2)
		require.Contains(t, payloads[0], `"period":"2019-S2","due_date":"2020-01-30","state":"missing"`)
		require.Contains(t, payloads[1], `"report_id":"`+r.ID+`","state":"draft"`)
		require.Contains(t, payloads[1], `"deliverable_id":"`+m.plan.Plan.ID+`"`)
	}
}

func init() {
	// Two callers firing at the same version: one wins, the other is told
	// the report moved on, and the history has one row.
	suite["MonitoringConcurrentTransitions"] = func(t *testing.T, s *sqlstore.Store) {
		m := setupMonitoring(t, s, "RACE")
		m.startMonitoring(t, s)
		r, err := s.CreateProgressReport(ctx, m.plan.Plan.ID, "2020-S2", m.owner)
		require.NoError(t, err)
		_, err = s.UpdateProgressReport(ctx, r.ID, 1, completeContent(m), m.owner)
		require.NoError(t, err)
		_, _, err = s.FireReportTransition(ctx, workflow.ReportTransitionRequest{ReportID: r.ID, Version: 2, Trigger: workflow.ReportSubmit, Principal: m.owner})
		require.NoError(t, err)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, p := range []workflow.Principal{m.coord, m.secr} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, errs[i] = s.FireReportTransition(ctx, workflow.ReportTransitionRequest{ReportID: r.ID, Version: 3,
					Trigger: workflow.ReportAccept, Principal: p})
			}()
		}
		wg.Wait()
		codes := []workflow.Code{workflow.ErrorCode(errs[0]), workflow.ErrorCode(errs[1])}
		require.ElementsMatch(t, []workflow.Code{"", workflow.CodePreconditionFailed}, codes, "%v", errs)
		hist, _, err := s.ReportHistory(ctx, r.ID, m.coord, workflow.Page{Limit: 50})
		require.NoError(t, err)
		require.Len(t, hist, 2)
	}
}
