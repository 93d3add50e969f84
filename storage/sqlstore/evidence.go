package sqlstore

import (
	"context"
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

// checkEvidenceReport accepts a report of the same plan only. Progress
// reports do not exist yet on this branch, so any report id is refused.
func (s *Store) checkEvidenceReport(_ *gorm.DB, _, reportID string) error {
	return workflow.Errorf(workflow.CodeInvalid, "report %s is not a progress report of this plan", reportID)
}

func (s *Store) Evidence(ctx context.Context, id string) (workflow.Evidence, error) {
	var row evidenceRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return workflow.Evidence{}, notFound(err, "evidence")
	}
	return row.domain(), nil
}

func (s *Store) ListEvidence(ctx context.Context, planID string, p workflow.Page) ([]workflow.Evidence, string, error) {
	q := s.db.WithContext(ctx).Model(&evidenceRow{}).Where("plan_id = ?", planID)
	rows, next, err := page(q, p, func(r evidenceRow) string { return r.ID })
	return mapRows(rows, evidenceRow.domain), next, err
}

func (s *Store) DeleteEvidence(ctx context.Context, id string) (workflow.Evidence, error) {
	var row evidenceRow
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&row).Error; err != nil {
			return notFound(err, "evidence")
		}
		if row.ReportID != nil {
			if err := s.checkEvidenceDeletable(tx, *row.ReportID); err != nil {
				return err
			}
		}
		return tx.Where("id = ?", id).Delete(&evidenceRow{}).Error
	})
	return row.domain(), err
}

// checkEvidenceDeletable allows deleting attached evidence only while its
// report is a draft: a submitted report's evidence is part of the record.
func (s *Store) checkEvidenceDeletable(_ *gorm.DB, reportID string) error {
	return workflow.Errorf(workflow.CodeConflict, "the evidence is attached to report %s, which is no longer a draft", reportID)
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
