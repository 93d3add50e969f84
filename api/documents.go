package api

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/workflow"
)

func (s *Server) documentRoutes(v1 *echo.Group) {
	for seg, kind := range kinds {
		v1.POST("/"+seg+"/:id/documents", s.requestDocument(kind))
		v1.GET("/"+seg+"/:id/documents", s.listDocuments(kind))
	}
	v1.GET("/documents/:did", s.getDocument)
	v1.GET("/documents/:did/content", s.documentContent)
	v1.GET("/templates", s.listTemplates)
	v1.POST("/templates", s.createTemplate)
}

type documentRequest struct {
	Format   string `json:"format"`
	Template string `json:"template"`
}

// templateFor picks the version a request means: the newest upload of the
// name, else the built-in one. The default name is the kind's own. A
// template of kind any (the comment-response matrix) fits both kinds.
func (s *Server) templateFor(c echo.Context, kind workflow.Kind, name string) (*documents.Template, error) {
	if name == "" {
		name = string(kind)
	}
	rec, err := s.store.Template(c.Request().Context(), name, "")
	switch workflow.ErrorCode(err) {
	case "":
		if !documents.Fits(rec.Kind, string(kind)) {
			return nil, fieldProblem("template", fmt.Sprintf("template %q is for %s, not %s", name, rec.Kind, kind))
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
		if t.Name == name {
			if !documents.Fits(t.Kind, string(kind)) {
				return nil, fieldProblem("template", fmt.Sprintf("template %q is for %s, not %s", name, t.Kind, kind))
			}
			return t, nil
		}
	}
	return nil, fieldProblem("template", fmt.Sprintf("no template named %q", name))
}

func fieldProblem(field, msg string) error {
	return &workflow.Error{Code: workflow.CodeInvalid, Message: msg, Fields: []workflow.FieldError{{Field: field, Message: msg}}}
}

func (s *Server) requestDocument(kind workflow.Kind) echo.HandlerFunc {
	return func(c echo.Context) error {
		d, err := s.loadVisible(c, kind)
		if err != nil {
			return err
		}
		var req documentRequest
		if err := bind(c, &req); err != nil {
			return err
		}
		f, ok := documents.ParseFormat(req.Format)
		if !ok {
			return fieldProblem("format", "must be pdf, docx, html or md")
		}
		t, err := s.templateFor(c, kind, req.Template)
		if err != nil {
			return err
		}
		doc, _, err := s.store.RequestDocument(c.Request().Context(), workflow.DocumentRequest{Kind: kind, DeliverableID: d.Head().ID,
			Format: string(f), Template: t.Name, TemplateVersion: t.Version, Principal: principal(c)})
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderLocation, "/api/v1/documents/"+doc.ID)
		return c.JSON(http.StatusAccepted, doc)
	}
}

func (s *Server) listDocuments(kind workflow.Kind) echo.HandlerFunc {
	return func(c echo.Context) error {
		d, err := s.loadVisible(c, kind)
		if err != nil {
			return err
		}
		pg, err := pageParams(c)
		if err != nil {
			return err
		}
		items, next, err := s.store.ListDocuments(c.Request().Context(), d.Head().ID, pg)
		if err != nil {
			return err
		}
		return list(c, items, next)
	}
}

// visibleDocument loads a document whose deliverable the caller may see.
func (s *Server) visibleDocument(c echo.Context) (workflow.Document, workflow.Deliverable, error) {
	id, err := pathID(c, "did")
	if err != nil {
		return workflow.Document{}, workflow.Deliverable{}, err
	}
	doc, err := s.store.Document(c.Request().Context(), id)
	if err != nil {
		return doc, workflow.Deliverable{}, err
	}
	d, err := s.store.Deliverable(c.Request().Context(), doc.DeliverableKind(), doc.DeliverableID)
	if err != nil {
		return doc, d, err
	}
	if err := principal(c).SeeDeliverable(d); err != nil {
		return doc, d, workflow.Errorf(workflow.CodeNotFound, "document not found")
	}
	return doc, d, nil
}

func (s *Server) getDocument(c echo.Context) error {
	doc, _, err := s.visibleDocument(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, doc)
}

// documentContent streams the stored bytes with Range support, and writes
// an audit row for every download.
func (s *Server) documentContent(c echo.Context) error {
	doc, d, err := s.visibleDocument(c)
	if err != nil {
		return err
	}
	if doc.Status != workflow.DocumentReady {
		return newProblem(http.StatusConflict, "not_ready", fmt.Sprintf("the document is %s", doc.Status))
	}
	ps, err := s.presigner(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	name := doc.FileName(d.Head().Title)
	if ps != nil {
		u, err := s.presign(c, ps, doc.ObjectKey, documents.GetOptions{ContentType: doc.ContentType, ContentDisposition: documents.Attachment(name)})
		if err != nil {
			return missingDocument(doc, err)
		}
		if err := s.store.RecordDownload(ctx, doc.ID, principal(c).User.ID, c.Request().Header.Get("Range"), requestID(c)); err != nil {
			return err
		}
		return redirectTo(c, u)
	}
	blob, err := s.blobs.Open(ctx, doc.ObjectKey)
	if err != nil {
		return missingDocument(doc, err)
	}
	defer blob.Close()
	if err := s.store.RecordDownload(ctx, doc.ID, principal(c).User.ID, c.Request().Header.Get("Range"), requestID(c)); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, doc.ContentType)
	h.Set("ETag", `"`+doc.SHA256+`"`)
	h.Set("Content-Disposition", documents.Attachment(name))
	h.Set("X-Content-Type-Options", "nosniff")
	// The stored object is immutable: its key holds its hash.
	h.Set("Cache-Control", "private, max-age=31536000, immutable")
	http.ServeContent(c.Response(), c.Request(), "", blob.Info().ModTime, blob)
	return nil
}

// missingDocument says which ready document lost its object: that is the
// service's fault, not the client's.
func missingDocument(doc workflow.Document, err error) error {
	if errors.Is(err, documents.ErrNotFound) {
		return fmt.Errorf("document %s is ready but its object %s is missing", doc.ID, doc.ObjectKey)
	}
	return err
}

type templateItem struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
	Builtin bool   `json:"builtin"`
}

func (s *Server) listTemplates(c echo.Context) error {
	builtins, err := documents.Builtins()
	if err != nil {
		return err
	}
	items := []templateItem{}
	for _, t := range builtins {
		items = append(items, templateItem{Name: t.Name, Kind: t.Kind, Version: t.Version, SHA256: t.Version, Builtin: true})
	}
	uploaded, err := s.store.ListTemplates(c.Request().Context())
	if err != nil {
		return err
	}
	for _, t := range uploaded {
		items = append(items, templateItem{Name: t.Name, Kind: t.Kind, Version: t.Version, SHA256: t.Version})
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

type createTemplateRequest struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Source string `json:"source"`
}

var templateName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// createTemplate accepts a new version of a named template only after it
// parsed, passed the safety checks and rendered the sample in every format.
func (s *Server) createTemplate(c echo.Context) error {
	if err := principal(c).Authorize("", workflow.ActionTemplateCreate); err != nil {
		return err
	}
	var req createTemplateRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	var p workflow.Problems
	if !templateName.MatchString(req.Name) {
		p.Add("name", "must be 1 to 63 lower-case letters, digits or _, starting with a letter")
	}
	if segment(workflow.Kind(req.Kind)) == "" && req.Kind != documents.KindAny && req.Kind != documents.KindEventMinutes {
		p.Add("kind", "must be a deliverable kind, event_minutes or any")
	}
	workflow.CheckText(&p, "source", req.Source, true, maxTemplateSource)
	if err := p.Err("invalid template"); err != nil {
		return err
	}
	t, err := documents.NewTemplate(req.Name, req.Kind, []byte(req.Source))
	if err == nil {
		err = t.TestRender()
	}
	if err != nil {
		return templateProblem(err)
	}
	rec := workflow.TemplateRecord{Name: t.Name, Kind: t.Kind, Version: t.Version, Source: req.Source, CreatedBy: principal(c).User.ID}
	if err := s.store.CreateTemplate(c.Request().Context(), &rec); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, templateItem{Name: rec.Name, Kind: rec.Kind, Version: rec.Version, SHA256: rec.Version})
}

// maxTemplateSource is a template's longest source, in characters (its
// size in bytes is bounded by the documents package).
const maxTemplateSource = 1 << 20

// templateProblem reports where a template broke.
func templateProblem(err error) error {
	var te *documents.TemplateError
	field := "source"
	if errors.As(err, &te) && te.Line > 0 {
		field = fmt.Sprintf("source:%d:%d", te.Line, te.Column)
	}
	p := newProblem(http.StatusUnprocessableEntity, "template_invalid", "the template does not render: "+err.Error())
	p.errors = []workflow.FieldError{{Field: field, Message: err.Error()}}
	return p
}
