package web

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/workflow"
)

// The documents panel: every document of the deliverable, for everyone
// who may read it, and a form to ask for another format or the
// comment-response matrix, with the API's rules (POST …/documents).

// docView is one document as the panel lists it.
type docView struct {
	ID, Template, Format, State, Status, Size string
	Revision                                  int
	Ready, Approved, Progress                 bool
	At                                        when
}

// documentsView is the panel: the documents and the request form.
type documentsView struct {
	Items     []docView
	Formats   []string
	Templates []templateChoice
	Form      *form
	Can       bool // a revision exists to render
}

// templateChoice is one template the request form offers.
type templateChoice struct{ Name, Label string }

var docFormats = []string{string(documents.FormatPDF), string(documents.FormatDOCX), string(documents.FormatHTML), string(documents.FormatMD)}

// templateLabel names a document's template in the page's language.
func templateLabel(c *call, name string) string {
	switch name {
	case "action_plan":
		return c.T("documents.template.action_plan")
	case "peer_review":
		return c.T("documents.template.peer_review")
	case "good_practice":
		return c.T("documents.template.good_practice")
	case "comment_response_matrix":
		return c.T("documents.template.comment_response_matrix")
	case "progress_report":
		return c.T("documents.template.progress_report")
	}
	return name
}

// humanSize writes a size in bytes, kB or MB.
func humanSize(c *call, n int64) string {
	switch {
	case n <= 0:
		return ""
	case n < 1000:
		return c.T("documents.size.bytes", "Count", int(n))
	case n < 1000*1000:
		return c.T("documents.size.kb", "N", strconv.FormatFloat(float64(n)/1000, 'f', 1, 64))
	}
	return c.T("documents.size.mb", "N", strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64))
}

// loadDocuments gathers the panel of a deliverable the caller sees.
func (h *Handler) loadDocuments(c *call, kind workflow.Kind, d workflow.Deliverable, dt *dates, f *form) (documentsView, error) {
	items, _, err := h.cfg.Store.ListDocuments(c.r.Context(), d.Head().ID, workflow.Page{Limit: 100})
	if err != nil {
		return documentsView{}, err
	}
	if f == nil {
		f = newForm(nil)
	}
	v := documentsView{Formats: docFormats, Form: f, Can: d.Head().Revision > 0}
	for _, doc := range items {
		at := doc.CreatedAt
		if doc.ReadyAt != nil {
			at = *doc.ReadyAt
		}
		name := doc.Template
		if doc.ProgressReportID != "" {
			name = "progress_report"
		}
		item := docView{ID: doc.ID, Template: templateLabel(c, name), Format: c.T(codeKey(doc.Format)),
			Status: c.T(codeKey(doc.Status)), Size: humanSize(c, doc.Size), Revision: doc.Revision,
			Ready: doc.Status == workflow.DocumentReady, Approved: doc.Approved, Progress: doc.ProgressReportID != "", At: dt.at(at)}
		if doc.State != "" {
			item.State = c.T(codeKey(doc.State))
		}
		v.Items = append(v.Items, item)
	}
	v.Templates = []templateChoice{{string(kind), templateLabel(c, string(kind))}}
	if kind == workflow.KindActionPlan || kind == workflow.KindPeerReview {
		v.Templates = append(v.Templates, templateChoice{"comment_response_matrix", templateLabel(c, "comment_response_matrix")})
	}
	return v, nil
}

// templateFor picks the version a request means, as the API does: the
// newest upload of the name, else the built-in one; the default name is
// the kind's own, and a template of kind any fits both kinds.
func (h *Handler) templateFor(c *call, kind workflow.Kind, name string) (*documents.Template, error) {
	if name == "" {
		name = string(kind)
	}
	wrong := func() error {
		return &workflow.Error{Code: workflow.CodeInvalid, Message: c.T("documents.template_wrong"),
			Fields: []workflow.FieldError{{Field: "template", Message: c.T("documents.template_wrong")}}}
	}
	rec, err := h.cfg.Store.Template(c.r.Context(), name, "")
	switch workflow.ErrorCode(err) {
	case "":
		if !documents.Fits(rec.Kind, string(kind)) {
			return nil, wrong()
		}
		return documents.NewTemplate(rec.Name, rec.Kind, []byte(rec.Source))
	case workflow.CodeNotFound:
	default:
		return nil, err
	}
	builtins, err := documents.Builtins()
	if err != nil {
		return nil, err
	}
	for _, t := range builtins {
		if t.Name == name && documents.Fits(t.Kind, string(kind)) {
			return t, nil
		}
	}
	return nil, wrong()
}

// requestDocument is the panel's form: 303 back with a notice, or the
// page again with the problem next to the field.
func (h *Handler) requestDocument(kind workflow.Kind) func(*call) error {
	return func(c *call) error {
		id := c.r.PathValue("id")
		d, err := h.visible(c, kind, id)
		if err != nil {
			return err
		}
		f := newForm(c.r.PostForm)
		format, ok := documents.ParseFormat(f.Get("format"))
		if !ok {
			err = &workflow.Error{Code: workflow.CodeInvalid, Message: c.T("documents.format_wrong"),
				Fields: []workflow.FieldError{{Field: "format", Message: c.T("documents.format_wrong")}}}
		}
		var t *documents.Template
		if err == nil {
			t, err = h.templateFor(c, kind, f.Get("template"))
		}
		if err == nil {
			_, _, err = h.cfg.Store.RequestDocument(c.r.Context(), workflow.DocumentRequest{Kind: kind, DeliverableID: d.Head().ID,
				Format: string(format), Template: t.Name, TemplateVersion: t.Version, Principal: *c.principal})
		}
		if err == nil {
			http.Redirect(c.w, c.r, fmt.Sprintf("/ui/%s/%s?done=document#documents", segment(kind), id), http.StatusSeeOther)
			return nil
		}
		if !formProblem(err) {
			return err
		}
		return h.showDeliverable(c, kind, id, 0, err)
	}
}

var unsafeName = regexp.MustCompile(`[^\p{L}\p{N} ._-]+`)

func missingDocument(doc workflow.Document, err error) error {
	if errors.Is(err, documents.ErrNotFound) {
		return fmt.Errorf("document %s is ready but its object is missing", doc.ID)
	}
	return err
}

// download sends a ready document (from the object store on S3, else
// streamed through the page's session) with the
// API's rule: whoever sees the deliverable may download, and every
// download is recorded.
func (h *Handler) download(c *call) error {
	ctx, did := c.r.Context(), c.r.PathValue("did")
	if !workflow.ValidID(did) {
		return workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	doc, err := h.cfg.Store.Document(ctx, did)
	if err != nil {
		return err
	}
	d, err := h.visible(c, doc.DeliverableKind(), doc.DeliverableID)
	if err != nil {
		return err
	}
	if doc.Status != workflow.DocumentReady {
		return workflow.Errorf(workflow.CodeConflict, "%s", c.T("documents.not_ready", "Status", c.T(codeKey(doc.Status))))
	}
	if h.cfg.Blobs == nil {
		return errors.New("web: no blob store configured")
	}
	name := doc.FileName(d.Head().Title)
	if p := h.presigner(c); p != nil {
		u, err := h.presign(c, p, doc.ObjectKey, documents.GetOptions{ContentType: doc.ContentType, ContentDisposition: documents.Attachment(name)})
		if err != nil {
			return missingDocument(doc, err)
		}
		if err := h.cfg.Store.RecordDownload(ctx, doc.ID, c.principal.User.ID, c.r.Header.Get("Range"), c.w.Header().Get("X-Request-Id")); err != nil {
			return err
		}
		return redirectTo(c, u)
	}
	blob, err := h.cfg.Blobs.Open(ctx, doc.ObjectKey)
	if err != nil {
		return missingDocument(doc, err)
	}
	defer blob.Close()
	if err := h.cfg.Store.RecordDownload(ctx, doc.ID, c.principal.User.ID, c.r.Header.Get("Range"), c.w.Header().Get("X-Request-Id")); err != nil {
		return err
	}
	hd := c.w.Header()
	hd.Set("Content-Type", doc.ContentType)
	hd.Set("Content-Disposition", documents.Attachment(name))
	hd.Set("Cache-Control", "private, no-store")
	http.ServeContent(c.w, c.r, "", blob.Info().ModTime, blob)
	return nil
}
