package sqlstore_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// evidencePlan makes a project with an action plan, for evidence tests.
func evidencePlan(t *testing.T, s *sqlstore.Store, acronym string) (seedData, workflow.Deliverable) {
	t.Helper()
	d := seed(t, s, acronym)
	plan := completePlanFor(d, d.instrument.ID)
	require.NoError(t, s.CreateDeliverable(ctx, &plan))
	return d, plan
}

func newEvidence(d seedData, planID string) workflow.Evidence {
	id := workflow.NewID()
	return workflow.Evidence{ID: id, ProjectID: d.project.ID, PlanID: planID, Filename: "jelentés <2024>.pdf",
		ContentType: "application/pdf", Size: 1234, SHA256: strings.Repeat("ab", 32),
		ObjectKey: "projects/" + d.project.ID + "/evidence/" + id, UploadedBy: workflow.NewID()}
}

// insertReport writes a progress report row directly: the monitoring store
// that makes them is another branch's work; evidence only reads them.
func insertReport(t *testing.T, s *sqlstore.Store, d seedData, planID, period, state string, actionEvidence ...string) string {
	t.Helper()
	id := workflow.NewID()
	at := time.Now().UTC()
	_, err := s.DB().ExecContext(ctx, `INSERT INTO progress_reports (id, plan_id, project_id, period, period_index, period_start,
		period_end, due_date, state, version, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, 1, 'u', $9, $9)`,
		id, planID, d.project.ID, period, "2024-01-01", "2024-06-30", "2024-07-30", state, at)
	require.NoError(t, err)
	if len(actionEvidence) > 0 {
		_, err = s.DB().ExecContext(ctx, `INSERT INTO progress_report_actions (report_id, project_id, action_number, status, evidence_ids)
			VALUES ($1, $2, 1, 'in_progress', $3)`, id, d.project.ID, `["`+strings.Join(actionEvidence, `","`)+`"]`)
		require.NoError(t, err)
	}
	return id
}

func init() {
	suite["EvidenceRoundTripListAndAudit"] = func(t *testing.T, s *sqlstore.Store) {
		d, plan := evidencePlan(t, s, "EVI")
		var ids []string
		for range 3 {
			e := newEvidence(d, plan.Plan.ID)
			require.NoError(t, s.CreateEvidence(ctx, &e))
			require.False(t, e.CreatedAt.IsZero())
			ids = append(ids, e.ID)
		}
		got, err := s.Evidence(ctx, ids[0])
		require.NoError(t, err)
		require.Equal(t, "jelentés <2024>.pdf", got.Filename, "the name is kept as it was given")
		require.Equal(t, int64(1234), got.Size)
		require.Nil(t, got.ReportID)

		page1, next, err := s.ListEvidence(ctx, plan.Plan.ID, workflow.Page{Limit: 2})
		require.NoError(t, err)
		require.Len(t, page1, 2)
		page2, next2, err := s.ListEvidence(ctx, plan.Plan.ID, workflow.Page{Limit: 2, After: next})
		require.NoError(t, err)
		require.Len(t, page2, 1)
		require.Empty(t, next2)
		require.Equal(t, ids, []string{page1[0].ID, page1[1].ID, page2[0].ID})

		require.NoError(t, s.RecordEvidenceDownload(ctx, got, workflow.NewID(), "bytes=0-9", "req-1"))
		require.NoError(t, s.RecordEvidenceDownload(ctx, got, workflow.NewID(), "", "req-2"))
		n, err := s.EvidenceDownloads(ctx, got.ID)
		require.NoError(t, err)
		require.Equal(t, int64(2), n)

		// The audit outlives the evidence.
		_, err = s.DeleteEvidence(ctx, got.ID)
		require.NoError(t, err)
		_, err = s.Evidence(ctx, got.ID)
		require.Equal(t, workflow.CodeNotFound, code(t, err))
		n, err = s.EvidenceDownloads(ctx, got.ID)
		require.NoError(t, err)
		require.Equal(t, int64(2), n)
		_, err = s.DeleteEvidence(ctx, got.ID)
		require.Equal(t, workflow.CodeNotFound, code(t, err))
	}
	suite["EvidenceNeedsAPlanOfItsProject"] = func(t *testing.T, s *sqlstore.Store) {
		d, plan := evidencePlan(t, s, "EVP")
		other := seed(t, s, "EVP-2")
		e := newEvidence(other, plan.Plan.ID)
		require.Equal(t, workflow.CodeInvalid, code(t, s.CreateEvidence(ctx, &e)))
		e = newEvidence(d, workflow.NewID())
		require.Equal(t, workflow.CodeNotFound, code(t, s.CreateEvidence(ctx, &e)))
		n, err := s.EvidenceCount(ctx)
		require.NoError(t, err)
		require.Zero(t, n)
	}
	suite["EvidenceOnReportsOfTheSamePlan"] = func(t *testing.T, s *sqlstore.Store) {
		d, plan := evidencePlan(t, s, "EVR")
		plan2 := completePlanFor(d, d.instrument.ID)
		plan2.Plan.Title = "Második terv"
		pi := workflow.PolicyInstrument{ProjectID: d.project.ID, Name: "Other", Type: workflow.InstrumentOther, PartnerIDs: []string{d.partner.ID}}
		require.NoError(t, s.CreatePolicyInstrument(ctx, &pi))
		plan2.Plan.PolicyInstrumentID = pi.ID
		require.NoError(t, s.CreateDeliverable(ctx, &plan2))

		draft := insertReport(t, s, d, plan.Plan.ID, "2024-S1", "draft")
		submitted := insertReport(t, s, d, plan.Plan.ID, "2024-S2", "submitted")
		foreign := insertReport(t, s, d, plan2.Plan.ID, "2024-S1", "draft")

		e := newEvidence(d, plan.Plan.ID)
		e.ReportID = &draft
		require.NoError(t, s.CreateEvidence(ctx, &e))
		got, err := s.Evidence(ctx, e.ID)
		require.NoError(t, err)
		require.Equal(t, draft, *got.ReportID)

		for _, tc := range []struct {
			report string
			want   workflow.Code
		}{{foreign, workflow.CodeInvalid}, {workflow.NewID(), workflow.CodeInvalid}, {submitted, workflow.CodeConflict}} {
			bad := newEvidence(d, plan.Plan.ID)
			bad.ReportID = &tc.report
			require.Equal(t, tc.want, code(t, s.CreateEvidence(ctx, &bad)), "report %s", tc.report)
		}

		// Deletable while its report is a draft, not once it is submitted.
		_, err = s.DeleteEvidence(ctx, e.ID)
		require.NoError(t, err)
		e2 := newEvidence(d, plan.Plan.ID)
		e2.ReportID = &draft
		require.NoError(t, s.CreateEvidence(ctx, &e2))
		_, err = s.DB().ExecContext(ctx, "UPDATE progress_reports SET state = 'submitted' WHERE id = $1", draft)
		require.NoError(t, err)
		_, err = s.DeleteEvidence(ctx, e2.ID)
		require.Equal(t, workflow.CodeConflict, code(t, err))

		// Unattached evidence cited by a submitted report is kept too;
		// cited by a draft only, it may go.
		cited := newEvidence(d, plan.Plan.ID)
		require.NoError(t, s.CreateEvidence(ctx, &cited))
		insertReport(t, s, d, plan.Plan.ID, "2025-S1", "accepted", cited.ID)
		_, err = s.DeleteEvidence(ctx, cited.ID)
		require.Equal(t, workflow.CodeConflict, code(t, err))
		free := newEvidence(d, plan.Plan.ID)
		require.NoError(t, s.CreateEvidence(ctx, &free))
		insertReport(t, s, d, plan.Plan.ID, "2025-S2", "draft", free.ID)
		_, err = s.DeleteEvidence(ctx, free.ID)
		require.NoError(t, err)
	}
	suite["ReportEvidenceMustBeOfThePlan"] = func(t *testing.T, s *sqlstore.Store) {
		d, plan := evidencePlan(t, s, "EVC")
		mine := newEvidence(d, plan.Plan.ID)
		require.NoError(t, s.CreateEvidence(ctx, &mine))
		unknown := workflow.NewID()
		err := s.CheckReportEvidence(ctx, plan.Plan.ID,
			[]workflow.ActionProgress{{Number: 1, EvidenceIDs: []string{mine.ID, unknown}}},
			[]workflow.Improvement{{EvidenceIDs: []string{unknown}}})
		require.Equal(t, workflow.CodeInvalid, code(t, err))
		var we *workflow.Error
		require.ErrorAs(t, err, &we)
		var fields []string
		for _, f := range we.Fields {
			fields = append(fields, f.Field)
		}
		require.Equal(t, []string{"actions[0].evidence_ids[1]", "improvements[0].evidence_ids[0]"}, fields)
		require.NoError(t, s.CheckReportEvidence(ctx, plan.Plan.ID, []workflow.ActionProgress{{EvidenceIDs: []string{mine.ID}}}, nil))
	}
	suite["ReportsCiteEvidenceOfTheirPlanOnly"] = func(t *testing.T, s *sqlstore.Store) {
		m := setupMonitoring(t, s, "EVREP")
		m.startMonitoring(t, s)
		r, err := s.CreateProgressReport(ctx, m.plan.Plan.ID, "2020-S1", m.owner)
		require.NoError(t, err)
		// Evidence of another plan of the same project does not count.
		other := completePlanFor(m.seedData, m.instrument.ID)
		pi := workflow.PolicyInstrument{ProjectID: m.project.ID, Name: "Second", Type: workflow.InstrumentOther, PartnerIDs: []string{m.partner.ID}}
		require.NoError(t, s.CreatePolicyInstrument(ctx, &pi))
		other.Plan.PolicyInstrumentID = pi.ID
		require.NoError(t, s.CreateDeliverable(ctx, &other))
		foreign := newEvidence(m.seedData, other.Plan.ID)
		require.NoError(t, s.CreateEvidence(ctx, &foreign))

		c := workflow.ReportContent{
			Actions: &[]workflow.ActionProgress{{Number: 1, Status: workflow.ActionInProgress, EvidenceIDs: []string{m.evidenceID, foreign.ID}}},
			Improvements: &[]workflow.Improvement{{Type: workflow.ImprovementGovernance, Description: "d",
				Date: workflow.MustDate("2020-05-01"), EvidenceIDs: []string{workflow.NewID()}}},
		}
		_, err = s.UpdateProgressReport(ctx, r.ID, 1, c, m.owner)
		require.Equal(t, workflow.CodeInvalid, code(t, err))
		require.Equal(t, []string{"actions[0].evidence_ids[1]", "improvements[0].evidence_ids[0]"}, fieldsOf(t, err))

		(*c.Actions)[0].EvidenceIDs = []string{m.evidenceID}
		(*c.Improvements)[0].EvidenceIDs = nil
		got, err := s.UpdateProgressReport(ctx, r.ID, 1, c, m.owner)
		require.NoError(t, err)
		require.Equal(t, []string{m.evidenceID}, got.Actions[0].EvidenceIDs)

		// Evidence uploaded for the draft report belongs to it.
		att := newEvidence(m.seedData, m.plan.Plan.ID)
		att.ReportID = &r.ID
		require.NoError(t, s.CreateEvidence(ctx, &att))
		att2 := newEvidence(m.seedData, other.Plan.ID)
		att2.ReportID = &r.ID
		require.Equal(t, workflow.CodeInvalid, code(t, s.CreateEvidence(ctx, &att2)), "a report of another plan")
	}
	suite["SubmitCatchesEvidenceDeletedFromADraft"] = func(t *testing.T, s *sqlstore.Store) {
		m := setupMonitoring(t, s, "EVGONE")
		m.startMonitoring(t, s)
		r, err := s.CreateProgressReport(ctx, m.plan.Plan.ID, "2020-S1", m.owner)
		require.NoError(t, err)
		_, err = s.UpdateProgressReport(ctx, r.ID, 1, completeContent(m), m.owner)
		require.NoError(t, err)
		// The draft cites it, so it may still go; the submit then fails.
		_, err = s.DeleteEvidence(ctx, m.evidenceID)
		require.NoError(t, err)
		_, _, err = s.FireReportTransition(ctx, workflow.ReportTransitionRequest{ReportID: r.ID, Version: 2, Trigger: workflow.ReportSubmit, Principal: m.owner})
		require.Equal(t, workflow.CodeGuardFailed, code(t, err))
		require.Equal(t, []string{"actions[0].evidence_ids[0]"}, fieldsOf(t, err))
	}
	suite["APlanWithEvidenceIsNotDeleted"] = func(t *testing.T, s *sqlstore.Store) {
		d, plan := evidencePlan(t, s, "EVDEL")
		e := newEvidence(d, plan.Plan.ID)
		require.NoError(t, s.CreateEvidence(ctx, &e))
		err := s.DeleteDeliverable(ctx, workflow.KindActionPlan, plan.Plan.ID, 1)
		require.Equal(t, workflow.CodeConflict, code(t, err))
		_, err = s.DeleteEvidence(ctx, e.ID)
		require.NoError(t, err)
		require.NoError(t, s.DeleteDeliverable(ctx, workflow.KindActionPlan, plan.Plan.ID, 1))
	}
}
