package workflow

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

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

var unsafeFileChars = regexp.MustCompile(`[\x00-\x1f\x7f"\\/:*?<>|]+`)

// FileName is the download name, the same from the API and the pages: the
// deliverable's title (UTF-8 kept) with characters that file systems or
// headers trip over replaced, the template unless it is the kind's own, its
// revision, a draft marker and the format. It only goes into headers;
// object keys never hold user text.
func (d Document) FileName(title string) string {
	name := strings.TrimSpace(unsafeFileChars.ReplaceAllString(title, "_"))
	if r := []rune(name); len(r) > 80 {
		name = string(r[:80])
	}
	if name == "" {
		name = strings.ReplaceAll(string(d.Kind), "_", "-")
	}
	// Another template's document (the comment-response matrix) must not
	// download under the same name as the deliverable's own.
	if d.Template != "" && d.Template != string(d.Kind) {
		name += " (" + strings.ReplaceAll(d.Template, "_", " ") + ")"
	}
	if d.ProgressReportID != "" {
		// A progress report's document sits with its plan's; its revision
		// is the report's period, which must not pass for the plan's.
		name += fmt.Sprintf(" (progress report, period %d)", d.Revision)
	} else {
		name += fmt.Sprintf(" r%d", d.Revision)
	}
	if !d.Approved {
		name += " DRAFT"
	}
	return name + "." + d.Format
}

// DocumentVerification is what the public verification tells about a
// document this service issued, found by the SHA-256 of its bytes. It
// holds only what the document itself shows: no ids, no people, no counts.
type DocumentVerification struct {
	Kind    Kind   `json:"kind"`
	Title   string `json:"title"`
	Project string `json:"project"` // the project's acronym
	// ProjectTitle is the project's title.
	ProjectTitle string `json:"project_title"`
	Revision     int    `json:"revision"`
	// State is the deliverable's state the document was rendered in;
	// Approved tells whether it is an approved document or a draft.
	State    State     `json:"state"`
	Approved bool      `json:"approved"`
	Format   string    `json:"format"`
	IssuedAt time.Time `json:"issued_at"` // when the document was ready
}

// ParseSHA256 reads a SHA-256 sum as people paste it: 64 hexadecimal
// digits, either case, spaces around ignored. It gives the lower-case form
// the documents record.
func ParseSHA256(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) != 64 || strings.Trim(s, "0123456789abcdef") != "" {
		var p Problems
		p.Add("sha256", "is not a SHA-256 sum: 64 hexadecimal digits")
		return "", p.Err("the SHA-256 sum is not valid")
	}
	return s, nil
}
