package sqlstore

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/workflow"
)

type documentRow struct {
	ID              string
	DeliverableID   string
	ProjectID       string
	Kind            string
	Format          string
	TemplateName    string
	TemplateVersion string
	Revision        int
	Approved        bool
	State           string
	Status          string
	ContentType     string
	Size            int64
	SHA256          string `gorm:"column:sha256"`
	ObjectKey       string
	Error           string
	RequestedBy     string
	CreatedAt       time.Time
	ReadyAt         *time.Time
	// ProgressReportID names the accepted report a document was built
	// from; nil for a deliverable's own documents.
	ProgressReportID *string
}

func (documentRow) TableName() string { return "documents" }

func (r documentRow) domain() workflow.Document {
	d := workflow.Document{ID: r.ID, DeliverableID: r.DeliverableID, ProjectID: r.ProjectID, Kind: workflow.Kind(r.Kind),
		Format: r.Format, Template: r.TemplateName, TemplateVersion: r.TemplateVersion, Revision: r.Revision,
		Approved: r.Approved, State: workflow.State(r.State), Status: r.Status, ContentType: r.ContentType, Size: r.Size,
		SHA256: r.SHA256, ObjectKey: r.ObjectKey, Error: r.Error, RequestedBy: r.RequestedBy, CreatedAt: r.CreatedAt.UTC()}
	if r.ReadyAt != nil {
		t := r.ReadyAt.UTC()
		d.ReadyAt = &t
	}
	if r.ProgressReportID != nil {
		d.ProgressReportID = *r.ProgressReportID
	}
	return d
}

type templateRow struct {
	Name      string
	Version   string
	Kind      string
	Source    string
	CreatedBy string
	CreatedAt time.Time
}

func (templateRow) TableName() string { return "templates" }

type downloadRow struct {
	ID         string
	DocumentID string
	UserID     string
	RangeSpec  string
	RequestID  string
	At         time.Time
}

func (downloadRow) TableName() string { return "document_downloads" }

// TemplateRef names a template version.
type TemplateRef struct{ Name, Version string }

// SetApprovalDocuments tells which built-in template each kind's approved
// documents are assembled from; approve then queues them (PDF and DOCX).
func (s *Store) SetApprovalDocuments(m map[workflow.Kind]TemplateRef) { s.approval = m }

// UseBuiltinApprovalTemplates makes approve assemble each kind's built-in
// template (the one named after the kind).
func (s *Store) UseBuiltinApprovalTemplates() error {
	builtins, err := documents.Builtins()
	if err != nil {
		return err
	}
	refs := map[workflow.Kind]TemplateRef{}
	for _, t := range builtins {
		if t.Name == t.Kind {
			refs[workflow.Kind(t.Kind)] = TemplateRef{Name: t.Name, Version: t.Version}
		}
	}
	s.SetApprovalDocuments(refs)
	return nil
}

// approvalFormats are what approve assembles automatically.
var approvalFormats = []string{"pdf", "docx"}

// requestDocument inserts (or finds) a document row and queues its job,
// inside tx.
func (s *Store) requestDocument(ctx context.Context, tx *gorm.DB, row documentRow) (documentRow, bool, error) {
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
	if res.Error != nil {
		return row, false, res.Error
	}
	if res.RowsAffected == 0 {
		var existing documentRow
		err := tx.Where("deliverable_id = ? AND revision = ? AND format = ? AND template_name = ? AND template_version = ? AND approved = ?",
			row.DeliverableID, row.Revision, row.Format, row.TemplateName, row.TemplateVersion, row.Approved).Take(&existing).Error
		if err != nil {
			return row, false, err
		}
		stale := false
		if existing.Status == workflow.DocumentReady {
			if stale, err = consultationChangedSince(tx, existing); err != nil {
				return row, false, err
			}
		}
		if existing.Status != workflow.DocumentFailed && !stale {
			return existing, false, nil
		}
		// A failed document is tried again, and a stale draft rendered
		// again, under its own id; created_at becomes the time of this
		// request, which is what the next staleness check compares with.
		if err := tx.Model(&documentRow{}).Where("id = ?", existing.ID).Updates(map[string]any{"status": workflow.DocumentPending,
			"error": "", "created_at": row.CreatedAt, "ready_at": nil, "requested_by": row.RequestedBy}).Error; err != nil {
			return row, false, err
		}
		existing.Status, existing.Error, existing.CreatedAt, existing.ReadyAt, existing.RequestedBy =
			workflow.DocumentPending, "", row.CreatedAt, nil, row.RequestedBy
		row = existing
	}
	if s.jobs == nil {
		return row, true, nil
	}
	stx, err := sqlTx(tx)
	if err != nil {
		return row, false, err
	}
	return row, true, s.jobs.EnqueueRender(ctx, stx, row.ID)
}

func (s *Store) RequestDocument(ctx context.Context, r workflow.DocumentRequest) (workflow.Document, bool, error) {
	var out documentRow
	var created bool
	err := s.tx(ctx, func(tx *gorm.DB) error {
		d, row, err := loadDeliverable(tx, r.Kind, r.DeliverableID)
		if err != nil {
			return err
		}
		if err := r.Principal.SeeDeliverable(d); err != nil {
			return err
		}
		if row.Revision == 0 {
			return workflow.Errorf(workflow.CodeConflict, "this %s has no revision yet: documents are assembled from a submitted revision, so submit it first and then ask again", r.Kind)
		}
		out, created, err = s.requestDocument(ctx, tx, documentRow{ID: workflow.NewID(), DeliverableID: row.ID, ProjectID: row.ProjectID,
			Kind: row.Kind, Format: r.Format, TemplateName: r.Template, TemplateVersion: r.TemplateVersion, Revision: row.Revision,
			Approved: approvedState(row.State), State: row.State, Status: workflow.DocumentPending,
			RequestedBy: r.Principal.User.ID, CreatedAt: now()})
		return err
	})
	return out.domain(), created, err
}

// consultationChangedSince tells whether a draft document of a revision is
// out of date: its consultation (comments, answers, the window's close),
// which drafts print, changed at or after the document was requested. A
// revision's content is frozen, so nothing else can change; approved
// documents (the consultation over) and progress reports never are.
func consultationChangedSince(tx *gorm.DB, doc documentRow) (bool, error) {
	if doc.Approved || doc.ProgressReportID != nil {
		return false, nil
	}
	var changed bool
	err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM comment_events e JOIN comments c ON c.id = e.comment_id
			WHERE c.deliverable_id = ? AND c.revision = ? AND e.at >= ?)
		OR EXISTS (SELECT 1 FROM consultations WHERE deliverable_id = ? AND revision = ? AND closed_at >= ?)`,
		doc.DeliverableID, doc.Revision, doc.CreatedAt, doc.DeliverableID, doc.Revision, doc.CreatedAt).Scan(&changed).Error
	return changed, err
}

// approvedState: a revision is approved once the deliverable reached
// approved; monitoring and closing do not change its content.
func approvedState(state string) bool {
	switch workflow.State(state) {
	case workflow.StateApproved, workflow.StateMonitored, workflow.StateClosed:
		return true
	}
	return false
}

// queueApprovalDocuments is approve's follow-up, in its transaction.
func (s *Store) queueApprovalDocuments(ctx context.Context, tx *gorm.DB, row deliverableRow, actorID string) error {
	ref, ok := s.approval[workflow.Kind(row.Kind)]
	if !ok {
		return nil
	}
	for _, f := range approvalFormats {
		if _, _, err := s.requestDocument(ctx, tx, documentRow{ID: workflow.NewID(), DeliverableID: row.ID, ProjectID: row.ProjectID,
			Kind: row.Kind, Format: f, TemplateName: ref.Name, TemplateVersion: ref.Version, Revision: row.Revision,
			Approved: true, State: row.State, Status: workflow.DocumentPending, RequestedBy: actorID, CreatedAt: now()}); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) Document(ctx context.Context, id string) (workflow.Document, error) {
	var row documentRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return workflow.Document{}, notFound(err, "document")
	}
	return row.domain(), nil
}

func (s *Store) ListDocuments(ctx context.Context, deliverableID string, p workflow.Page) ([]workflow.Document, string, error) {
	q := s.db.WithContext(ctx).Model(&documentRow{}).Where("deliverable_id = ?", deliverableID)
	rows, next, err := page(q, p, func(r documentRow) string { return r.ID })
	return mapRows(rows, documentRow.domain), next, err
}

func (s *Store) RecordDownload(ctx context.Context, documentID, userID, rangeSpec, requestID string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Create(&downloadRow{ID: workflow.NewID(), DocumentID: documentID, UserID: userID,
			RangeSpec: rangeSpec, RequestID: requestID, At: now()}).Error
	})
}

// Downloads counts a document's downloads (for tests and audits).
func (s *Store) Downloads(ctx context.Context, documentID string) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&downloadRow{}).Where("document_id = ?", documentID).Count(&n).Error
	return n, translate(err)
}

func (s *Store) CreateTemplate(ctx context.Context, t *workflow.TemplateRecord) error {
	t.CreatedAt = now()
	err := s.tx(ctx, func(tx *gorm.DB) error {
		return tx.Create(&templateRow{Name: t.Name, Version: t.Version, Kind: t.Kind, Source: t.Source, CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt}).Error
	})
	if workflow.ErrorCode(err) == workflow.CodeConflict {
		return workflow.Errorf(workflow.CodeConflict, "template %s already has this version", t.Name)
	}
	return err
}

func (r templateRow) domain() workflow.TemplateRecord {
	return workflow.TemplateRecord{Name: r.Name, Kind: r.Kind, Version: r.Version, Source: r.Source, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
}

func (s *Store) Template(ctx context.Context, name, version string) (workflow.TemplateRecord, error) {
	var row templateRow
	q := s.db.WithContext(ctx).Where("name = ?", name)
	if version != "" {
		q = q.Where("version = ?", version)
	}
	if err := q.Order("created_at DESC").Take(&row).Error; err != nil {
		return workflow.TemplateRecord{}, notFound(err, "template")
	}
	return row.domain(), nil
}

func (s *Store) ListTemplates(ctx context.Context) ([]workflow.TemplateRecord, error) {
	var rows []templateRow
	err := s.db.WithContext(ctx).Order("name, created_at").Find(&rows).Error
	return mapRows(rows, templateRow.domain), translate(err)
}

// The render job's side.

// RenderInput is what a render job needs: the document and the frozen
// snapshot of its revision, with the revision's consultation added (see
// renderSnapshot) and, for an approved document, its approval record
// (withApproval).
func (s *Store) RenderInput(ctx context.Context, id string) (workflow.Document, []byte, time.Time, error) {
	var row documentRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return workflow.Document{}, nil, time.Time{}, notFound(err, "document")
	}
	doc := row.domain()
	if row.ProgressReportID != nil {
		return s.reportRenderInput(ctx, doc, *row.ProgressReportID)
	}
	var rev revisionRow
	if err := s.db.WithContext(ctx).Where("deliverable_id = ? AND number = ?", doc.DeliverableID, doc.Revision).Take(&rev).Error; err != nil {
		return doc, nil, time.Time{}, notFound(err, "revision")
	}
	snap, err := s.renderSnapshot(ctx, doc.DeliverableID, doc.Revision, []byte(rev.Snapshot))
	if err != nil {
		return doc, nil, time.Time{}, err
	}
	if doc.Kind == workflow.KindActionPlan {
		if snap, err = withCitations(s.db.WithContext(ctx), snap); err != nil {
			return doc, nil, time.Time{}, err
		}
	}
	if doc.Approved {
		if snap, err = s.withApproval(ctx, doc, rev, snap); err != nil {
			return doc, nil, time.Time{}, err
		}
	}
	return doc, snap, rev.CreatedAt.UTC(), nil
}

func (s *Store) ObjectInUse(ctx context.Context, key string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&documentRow{}).Where("object_key = ?", key).Count(&n).Error
	return n > 0, err
}

// SetDocumentObject records where the document's object goes, before it is
// uploaded, so that no stored object is without an owner.
func (s *Store) SetDocumentObject(ctx context.Context, id, key, sha string, size int64, contentType string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&documentRow{}).Where("id = ? AND status = ?", id, workflow.DocumentPending).
			Updates(map[string]any{"object_key": key, "sha256": sha, "size": size, "content_type": contentType})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return workflow.Errorf(workflow.CodeConflict, "document %s is not pending", id)
		}
		return nil
	})
}

// FinishDocument marks a pending document ready, or failed with a reason.
func (s *Store) FinishDocument(ctx context.Context, id string, failure error) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		up := map[string]any{"status": workflow.DocumentReady, "ready_at": now(), "error": ""}
		if failure != nil {
			up = map[string]any{"status": workflow.DocumentFailed, "error": failure.Error()}
		}
		res := tx.Model(&documentRow{}).Where("id = ? AND status = ?", id, workflow.DocumentPending).Updates(up)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		if err := s.tellDocument(ctx, tx, id, failure == nil); err != nil {
			return err
		}
		if failure != nil {
			return nil
		}
		return s.emitDocumentReady(ctx, tx, id)
	})
}

// emitDocumentReady tells subscribers that a document can be downloaded.
func (s *Store) emitDocumentReady(ctx context.Context, tx *gorm.DB, id string) error {
	var d documentRow
	if err := tx.Where("id = ?", id).Take(&d).Error; err != nil {
		return err
	}
	return s.emit(ctx, tx, workflow.Event{Type: workflow.EventDocumentReady, ProjectID: d.ProjectID, DeliverableID: d.DeliverableID,
		At: *d.ReadyAt, Data: workflow.DocumentReadyEventData{DocumentID: d.ID, Kind: workflow.Kind(d.Kind), Format: d.Format,
			Revision: d.Revision, Approved: d.Approved, SHA256: d.SHA256, Size: d.Size}})
}
