package workflow

import "time"

// Document statuses.
const (
	DocumentPending = "pending"
	DocumentReady   = "ready"
	DocumentFailed  = "failed"
)

// Document is an assembled document: which template version and revision
// it was built from, and, once ready, what was stored.
type Document struct {
	ID            string `json:"id"`
	DeliverableID string `json:"deliverable_id"`
	// ProgressReportID names the accepted progress report a document of
	// kind progress_report was built from; its Revision is then the
	// report's period index.
	ProgressReportID string     `json:"progress_report_id,omitempty"`
	ProjectID        string     `json:"project_id"`
	Kind             Kind       `json:"kind"`
	Format           string     `json:"format"`
	Template         string     `json:"template"`
	TemplateVersion  string     `json:"template_version"`
	Revision         int        `json:"revision"`
	Approved         bool       `json:"approved"`
	State            State      `json:"state"`
	Status           string     `json:"status"`
	ContentType      string     `json:"content_type"`
	Size             int64      `json:"size"`
	SHA256           string     `json:"sha256"`
	ObjectKey        string     `json:"-"`
	Error            string     `json:"error,omitempty"`
	RequestedBy      string     `json:"requested_by"`
	CreatedAt        time.Time  `json:"created_at"`
	ReadyAt          *time.Time `json:"ready_at"`
}

// DocumentRequest asks for a document of a deliverable's latest revision.
type DocumentRequest struct {
	Kind            Kind
	DeliverableID   string
	Format          string
	Template        string
	TemplateVersion string
	Principal       Principal
}

// TemplateRecord is an uploaded version of a named template.
type TemplateRecord struct {
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`
	Version   string    `json:"version"`
	Source    string    `json:"-"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// DeliverableKind is the kind of the deliverable a document sits with: a
// progress report's documents sit with its action plan.
func (d Document) DeliverableKind() Kind {
	if d.ProgressReportID != "" {
		return KindActionPlan
	}
	return d.Kind
}
