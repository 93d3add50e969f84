package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/workflow"
)

type evidenceRow struct {
	ID          string
	ProjectID   string
	PlanID      string
	ReportID    *string
	Filename    string
	ContentType string
	Size        int64
	SHA256      string `gorm:"column:sha256"`
	ObjectKey   string
	UploadedBy  string
	CreatedAt   time.Time
}

func (evidenceRow) TableName() string { return "evidence" }

func (r evidenceRow) domain() workflow.Evidence {
	return workflow.Evidence{ID: r.ID, ProjectID: r.ProjectID, PlanID: r.PlanID, ReportID: r.ReportID, Filename: r.Filename,
		ContentType: r.ContentType, Size: r.Size, SHA256: r.SHA256, ObjectKey: r.ObjectKey, UploadedBy: r.UploadedBy,
		CreatedAt: r.CreatedAt.UTC()}
}

type evidenceDownloadRow struct {
	ID         string
	EvidenceID string
	ProjectID  string
	UserID     string
	RangeSpec  string
	RequestID  string
	At         time.Time
}

func (evidenceDownloadRow) TableName() string { return "evidence_downloads" }

func (s *Store) CreateEvidence(ctx context.Context, e *workflow.Evidence) error {
	if e.ID == "" {
		e.ID = workflow.NewID()
	}
	e.CreatedAt = now()
	return s.tx(ctx, func(tx *gorm.DB) error {
		// The plan must exist and be an action plan of the same project;
		// ids come from the caller, so check rather than trust.
		var plan deliverableRow
		if err := tx.Where("id = ? AND kind = ?", e.PlanID, string(workflow.KindActionPlan)).Take(&plan).Error; err != nil {
			return notFound(err, "action plan")
		}
		if plan.ProjectID != e.ProjectID {
			return workflow.Errorf(workflow.CodeInvalid, "the evidence's project is not the plan's")
		}
		if e.ReportID != nil {
			if err := s.checkEvidenceReport(tx, e.PlanID, *e.ReportID); err != nil {
				return err
			}
		}
		return tx.Create(&evidenceRow{ID: e.ID, ProjectID: e.ProjectID, PlanID: e.PlanID, ReportID: e.ReportID,
			Filename: e.Filename, ContentType: e.ContentType, Size: e.Size, SHA256: e.SHA256, ObjectKey: e.ObjectKey,
			UploadedBy: e.UploadedBy, CreatedAt: e.CreatedAt}).Error
	})
}

// reportOf is the part of a progress report that evidence rules read. The
// table belongs to the monitoring work; only these columns are used here.
type reportOf struct {
	PlanID string
	State  string
}

// checkEvidenceReport accepts a report of the same plan (invalid
// otherwise), and only while it is a draft (conflict otherwise): what a
// submitted report rests on must not change.
func (s *Store) checkEvidenceReport(tx *gorm.DB, planID, reportID string) error {
	var r reportOf
	err := tx.Table("progress_reports").Select("plan_id, state").Where("id = ?", reportID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || err == nil && r.PlanID != planID {
		return workflow.Problems{workflow.Problem("report_id", "is not a progress report of this action plan")}.Err("invalid evidence")
	}
	if err != nil {
		return err
	}
	if r.State != "draft" {
		return workflow.Errorf(workflow.CodeConflict, "the progress report is %s; evidence is added to drafts only", workflow.ReportState(r.State))
	}
	return nil
}

func (s *Store) Evidence(ctx context.Context, id string) (workflow.Evidence, error) {
	db := s.db.WithContext(ctx)
	var row evidenceRow
	if err := db.Where("id = ?", id).Take(&row).Error; err != nil {
		return workflow.Evidence{}, notFound(err, "evidence")
	}
	if row.ReportID != nil && acceptedReportsOnly(db, row.ProjectID) {
		var n int64
		if err := db.Model(&reportRow{}).Where("id = ? AND state = ?", *row.ReportID, string(workflow.ReportAccepted)).Count(&n).Error; err != nil {
			return workflow.Evidence{}, err
		}
		if n == 0 {
			return workflow.Evidence{}, workflow.Errorf(workflow.CodeNotFound, "evidence not found")
		}
	}
	return row.domain(), nil
}

func (s *Store) ListEvidence(ctx context.Context, planID string, p workflow.Page) ([]workflow.Evidence, string, error) {
	db := s.db.WithContext(ctx)
	q := db.Model(&evidenceRow{}).Where("plan_id = ?", planID)
	var projectID []string
	if err := db.Model(&deliverableRow{}).Where("id = ?", planID).Pluck("project_id", &projectID).Error; err != nil {
		return nil, "", err
	}
	if len(projectID) == 1 && acceptedReportsOnly(db, projectID[0]) {
		q = q.Where("(report_id IS NULL OR report_id IN (?))",
			db.Model(&reportRow{}).Select("id").Where("plan_id = ? AND state = ?", planID, string(workflow.ReportAccepted)))
	}
	rows, next, err := page(q, p, func(r evidenceRow) string { return r.ID })
	return mapRows(rows, evidenceRow.domain), next, err
}

// acceptedReportsOnly reports whether the request's viewer sees a
// project's progress reports, and the evidence attached to them, only once
// accepted (a stakeholder: workflow.Principal.AcceptedReportsOnly).
func acceptedReportsOnly(db *gorm.DB, projectID string) bool {
	p, ok := workflow.ViewerOf(db.Statement.Context)
	return ok && p.AcceptedReportsOnly(projectID)
}

func (s *Store) DeleteEvidence(ctx context.Context, id string) (workflow.Evidence, error) {
	var row evidenceRow
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&row).Error; err != nil {
			return notFound(err, "evidence")
		}
		if err := s.checkEvidenceDeletable(tx, row); err != nil {
			return err
		}
		return tx.Where("id = ?", id).Delete(&evidenceRow{}).Error
	})
	return row.domain(), err
}

// checkEvidenceDeletable allows deleting evidence only while no report
// past draft rests on it: neither the report it was uploaded for nor one
// whose actions or improvements list its id. A submitted report's
// evidence is part of the record.
func (s *Store) checkEvidenceDeletable(tx *gorm.DB, row evidenceRow) error {
	if row.ReportID != nil {
		var r reportOf
		if err := tx.Table("progress_reports").Select("plan_id, state").Where("id = ?", *row.ReportID).Take(&r).Error; err != nil {
			return err
		}
		if r.State != "draft" {
			return workflow.Errorf(workflow.CodeConflict, "the evidence belongs to a progress report that is %s", workflow.ReportState(r.State))
		}
	}
	// Ids are UUIDs, so a quoted match in the JSON arrays is exact.
	like := `%"` + row.ID + `"%`
	var n int64
	err := tx.Table("progress_reports AS r").
		Where("r.plan_id = ? AND r.state <> 'draft'", row.PlanID).
		Where(`EXISTS (SELECT 1 FROM progress_report_actions a WHERE a.report_id = r.id AND a.evidence_ids LIKE ?)
			OR EXISTS (SELECT 1 FROM policy_improvements m WHERE m.report_id = r.id AND m.evidence_ids LIKE ?)`, like, like).
		Count(&n).Error
	if err != nil {
		return err
	}
	if n > 0 {
		return workflow.Errorf(workflow.CodeConflict, "a submitted progress report cites this evidence")
	}
	return nil
}

// CheckReportEvidence checks a report's evidence ids on its own
// transaction; the report store calls checkReportEvidence inside its own.
func (s *Store) CheckReportEvidence(ctx context.Context, planID string, actions []workflow.ActionProgress, improvements []workflow.Improvement) error {
	return translate(checkReportEvidence(s.db.WithContext(ctx), planID, actions, improvements))
}

// checkReportEvidence is for the progress report store: every evidence id
// a report's actions and improvements cite must be evidence of the report's
// plan (422 otherwise, with the field of each unknown id). It runs inside
// the caller's transaction.
func checkReportEvidence(tx *gorm.DB, planID string, actions []workflow.ActionProgress, improvements []workflow.Improvement) error {
	p, err := unknownReportEvidence(tx, planID, actions, improvements)
	if err != nil {
		return err
	}
	return workflow.Problems(p).Err("invalid progress report")
}

// unknownReportEvidence lists the fields citing ids that are not evidence
// of the plan: never stored, another plan's, or deleted since (a draft may
// have cited a file that was then deleted, which submit must catch).
func unknownReportEvidence(tx *gorm.DB, planID string, actions []workflow.ActionProgress, improvements []workflow.Improvement) ([]workflow.FieldError, error) {
	cited := map[string][]string{} // id -> fields that cite it
	var ids []string
	add := func(field string, list []string) {
		for i, id := range list {
			if _, ok := cited[id]; !ok {
				ids = append(ids, id)
			}
			cited[id] = append(cited[id], fmt.Sprintf("%s[%d]", field, i))
		}
	}
	for i, a := range actions {
		add(fmt.Sprintf("actions[%d].evidence_ids", i), a.EvidenceIDs)
	}
	for i, m := range improvements {
		add(fmt.Sprintf("improvements[%d].evidence_ids", i), m.EvidenceIDs)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var found []string
	if err := tx.Model(&evidenceRow{}).Where("plan_id = ? AND id IN ?", planID, ids).Pluck("id", &found).Error; err != nil {
		return nil, err
	}
	ok := map[string]bool{}
	for _, id := range found {
		ok[id] = true
	}
	var p workflow.Problems
	for _, id := range ids {
		if !ok[id] {
			for _, f := range cited[id] {
				p.Add(f, "is not evidence of this action plan")
			}
		}
	}
	return p, nil
}

func (s *Store) RecordEvidenceDownload(ctx context.Context, e workflow.Evidence, userID, rangeSpec, requestID string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Create(&evidenceDownloadRow{ID: workflow.NewID(), EvidenceID: e.ID, ProjectID: e.ProjectID, UserID: userID,
			RangeSpec: rangeSpec, RequestID: requestID, At: now()}).Error
	})
}

// EvidenceDownloads counts an evidence file's downloads (for tests and
// audits).
func (s *Store) EvidenceDownloads(ctx context.Context, evidenceID string) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&evidenceDownloadRow{}).Where("evidence_id = ?", evidenceID).Count(&n).Error
	return n, translate(err)
}

// EvidenceCount counts all evidence rows, for tests that check an upload
// left nothing behind.
func (s *Store) EvidenceCount(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&evidenceRow{}).Count(&n).Error
	return n, translate(err)
}
