package workflow

import (
	"context"
	"time"
)

// Evidence is an uploaded file that backs an action plan's progress: a
// report's action or a policy improvement points at it. Filename is what
// the uploader called it, kept as metadata only; ObjectKey is built from
// ids and never leaves the service.
type Evidence struct {
	ID          string    `json:"id"`
	ProjectID   string    `json:"project_id"`
	PlanID      string    `json:"plan_id"`
	ReportID    *string   `json:"report_id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	ObjectKey   string    `json:"-"`
	UploadedBy  string    `json:"uploaded_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// EvidenceStore keeps evidence metadata; the bytes live in the blob store.
// Who may upload, see or delete is decided by the caller (UploadEvidence
// and SeeDeliverable on the plan) before these run.
type EvidenceStore interface {
	// CreateEvidence records an object that is already stored. A report_id
	// must name a report of the same plan (invalid otherwise).
	CreateEvidence(ctx context.Context, e *Evidence) error
	Evidence(ctx context.Context, id string) (Evidence, error)
	ListEvidence(ctx context.Context, planID string, page Page) ([]Evidence, string, error)
	// DeleteEvidence removes the row of evidence that is unattached or whose
	// report is still a draft (conflict otherwise), and returns it so the
	// caller can remove the object.
	DeleteEvidence(ctx context.Context, id string) (Evidence, error)
	RecordEvidenceDownload(ctx context.Context, e Evidence, userID, rangeSpec, requestID string) error
}

// UploadEvidence decides who may add or delete evidence of an action plan:
// its owner partner or the coordinator (and admins), after SeeDeliverable.
func (p Principal) UploadEvidence(d Deliverable) error {
	if err := p.EditDeliverable(d); err != nil {
		if ErrorCode(err) == CodeForbidden {
			return Errorf(CodeForbidden, "only the plan's owner or the coordinator may manage its evidence")
		}
		return err
	}
	return nil
}
