package sqlstore

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/workflow"
)

// SetPublicURL tells the store where people reach the service
// (scheme://host[:port]): approved documents name its /verify page. Call
// it before the render jobs start; empty leaves the line out.
func (s *Store) SetPublicURL(u string) { s.publicURL = strings.TrimRight(u, "/") }

// PublicURL is the address SetPublicURL set, for links in mail.
func (s *Store) PublicURL() string { return s.publicURL }

// withApproval adds the approval record of an approved revision to its
// render snapshot: when and by whom (role and organisation, never a
// person's name) it was approved, and the revision's SHA-256.
func (s *Store) withApproval(ctx context.Context, doc workflow.Document, rev revisionRow, snap []byte) ([]byte, error) {
	db := s.db.WithContext(ctx)
	var tr transitionRow
	err := db.Where("deliverable_id = ? AND revision = ? AND to_state = ?", doc.DeliverableID, doc.Revision, workflow.StateApproved).
		Order("version DESC").Take(&tr).Error
	if err == gorm.ErrRecordNotFound {
		return snap, nil // approved before transitions were recorded: nothing to state
	}
	if err != nil {
		return nil, err
	}
	a := documents.Approval{ApprovedAt: tr.At.UTC(), Revision: rev.Number, RevisionSHA256: rev.SHA256}
	if s.publicURL != "" {
		a.VerifyURL = s.publicURL + "/verify"
	}
	a.Role, a.Organisation = tr.ApproverRole, tr.ApproverOrganisation
	if a.Role == "" {
		// Approved before the transition recorded its approver: the
		// approver's role now, if still known.
		var m membershipRow
		if err := db.Where("project_id = ? AND user_id = ?", doc.ProjectID, tr.ActorID).Take(&m).Error; err != nil && err != gorm.ErrRecordNotFound {
			return nil, err
		}
		var admin bool
		if err := db.Model(&userRow{}).Select("admin").Where("id = ?", tr.ActorID).Scan(&admin).Error; err != nil {
			return nil, err
		}
		var p projectRow
		if err := db.Where("id = ?", doc.ProjectID).Take(&p).Error; err != nil {
			return nil, translate(err)
		}
		if a.Role, a.Organisation, err = approver(db, p, workflow.Role(m.Role), admin); err != nil {
			return nil, err
		}
	}
	return documents.WithApproval(snap, a)
}

// approver is how the approval record names an approver: by role and
// organisation, never by name. The lifecycle lets the coordinator (or an
// admin, as one) approve, and the secretariat an action plan.
func approver(db *gorm.DB, project projectRow, role workflow.Role, admin bool) (string, string, error) {
	switch {
	case role == workflow.RoleSecretariat:
		return "secretariat", project.Programme, nil
	case role == workflow.RoleCoordinator:
		var lead string
		err := db.Model(&partnerRow{}).Select("name").Where("project_id = ? AND role = ?", project.ID, "lead").
			Order("created_at, id").Limit(1).Scan(&lead).Error
		return "coordinator", lead, err
	case admin:
		return "admin", "", nil
	}
	return "", "", nil
}

// VerifyDocument finds the ready document whose bytes have the SHA-256
// sum (lower-case hex, see workflow.ParseSHA256): its kind, title, project,
// revision, the state it was rendered in and when it was ready. A sum that
// no document has is not found.
func (s *Store) VerifyDocument(ctx context.Context, sum string) (workflow.DocumentVerification, error) {
	db := s.db.WithContext(ctx)
	var row documentRow
	// Identical bytes share a hash; an approved rendering is the answer
	// that matters when a draft's bytes were the same.
	err := db.Where("sha256 = ? AND status = ?", sum, workflow.DocumentReady).
		Order("approved DESC, ready_at, id").Take(&row).Error
	if err != nil {
		return workflow.DocumentVerification{}, notFound(err, "document")
	}
	doc := row.domain()
	v := workflow.DocumentVerification{Kind: doc.Kind, Revision: doc.Revision, State: doc.State, Approved: doc.Approved, Format: doc.Format}
	if doc.ReadyAt != nil {
		v.IssuedAt = *doc.ReadyAt
	}
	var p projectRow
	if err := db.Where("id = ?", doc.ProjectID).Take(&p).Error; err != nil {
		return v, notFound(err, "project")
	}
	v.Project, v.ProjectTitle = p.Acronym, p.Title
	// The title is the one the document shows: its template data's.
	var snap []byte
	var created time.Time
	if row.ProgressReportID != nil {
		_, snap, created, err = s.reportRenderInput(ctx, doc, *row.ProgressReportID)
	} else {
		var rev revisionRow
		err = db.Where("deliverable_id = ? AND number = ?", doc.DeliverableID, doc.Revision).Take(&rev).Error
		snap, created = []byte(rev.Snapshot), rev.CreatedAt
	}
	if err != nil {
		return v, translate(err)
	}
	var data map[string]any
	if err := json.Unmarshal(snap, &data); err != nil {
		return v, err
	}
	v.Title = documents.MetaFor(data, doc.Approved, created, doc.TemplateVersion).Title
	return v, nil
}
