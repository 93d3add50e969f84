package web

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/evidence"
	"github.com/craftscode/craftscode/workflow"
)

// A progress report's evidence through the pages: the same checks, blob
// keys and store calls as the API's (api/evidence.go). The file streams
// from the form through the evidence checks into the blob store; a refused
// file leaves nothing stored and no row.

// evidenceKey is where an evidence file's bytes live, as the API keeps
// them: ids only.
func evidenceKey(projectID, planID, evidenceID string) string {
	return "projects/" + projectID + "/action-plans/" + planID + "/evidence/" + evidenceID
}

// streamPutter is a blob store that uploads a stream as it arrives
// (blobstore.S3), as the API uses it.
type streamPutter interface {
	PutStream(ctx context.Context, key string, r io.Reader, contentType string) (documents.BlobInfo, error)
}

func (h *Handler) uploadEvidence(c *call) error {
	up, _ := c.r.Context().Value(uploadKey{}).(*upload)
	rp, err := h.loadReport(c)
	if err != nil {
		return err
	}
	if rp.report == nil {
		return workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	if err := c.principal.UploadEvidence(rp.d); err != nil {
		return err
	}
	f := newForm(reportValues(rp))
	f.Version = rp.report.Version
	limit := h.cfg.EvidenceLimit
	refuse := func(status int, msg string) error {
		if up != nil && up.file != nil {
			// Read a little of what is left, so that the browser gets the
			// answer rather than a reset; the rest is dropped.
			_, _ = io.CopyN(io.Discard, up.file, formSlack)
		}
		f.Problem = c.T("report.evidence_refused")
		return h.renderReportUpload(c, status, rp, f, msg)
	}
	tooLarge := func() error {
		return refuse(http.StatusRequestEntityTooLarge, c.T("report.evidence_too_large", "Limit", humanSize(c, limit)))
	}
	switch {
	case rp.report.State != workflow.ReportDraft:
		return workflow.Errorf(workflow.CodeConflict, "%s", c.T("report.evidence_not_draft"))
	case h.cfg.Blobs == nil:
		return refuse(http.StatusServiceUnavailable, c.T("gpform.image_unavailable"))
	case c.r.ContentLength > limit+formSlack || up != nil && isTooLarge(up.err):
		return tooLarge()
	case up == nil || up.file == nil:
		return refuse(http.StatusUnprocessableEntity, c.T("report.evidence_missing"))
	}
	name := evidence.CleanName(up.file.FileName())
	if name == "" {
		name = "evidence"
	}
	ctx := c.r.Context()
	er, err := evidence.NewReader(&capReader{r: up.file, left: limit}, limit, name)
	if err != nil {
		return h.evidenceRefused(c, err, refuse, tooLarge)
	}
	h2 := rp.d.Head()
	reportID := rp.report.ID
	ev := workflow.Evidence{ID: workflow.NewID(), ProjectID: h2.ProjectID, PlanID: h2.ID, ReportID: &reportID, Filename: name,
		UploadedBy: c.principal.User.ID}
	ev.ObjectKey = evidenceKey(ev.ProjectID, ev.PlanID, ev.ID)
	var info documents.BlobInfo
	if sp, ok := h.cfg.Blobs.(streamPutter); ok {
		info, err = sp.PutStream(ctx, ev.ObjectKey, er, er.PreliminaryType())
	} else {
		info, err = h.cfg.Blobs.Put(ctx, ev.ObjectKey, er, -1, documents.PutOptions{ContentType: er.PreliminaryType(), NoOverwrite: true})
	}
	unstore := func() {
		if derr := h.cfg.Blobs.Delete(context.WithoutCancel(ctx), ev.ObjectKey); derr != nil {
			h.log.WarnContext(ctx, "evidence: removing an unrecorded object", "key", ev.ObjectKey, "error", derr.Error())
		}
	}
	if err != nil {
		unstore() // a body cut off may have left a partial object
		return h.evidenceRefused(c, err, refuse, tooLarge)
	}
	ev.ContentType, ev.Size, ev.SHA256 = er.ContentType(), info.Size, info.SHA256
	if err := h.cfg.Store.CreateEvidence(ctx, &ev); err != nil {
		unstore()
		return err
	}
	http.Redirect(c.w, c.r, reportURL(rp.d.Plan.ID, rp.period.Name, "?done=uploaded#evidence"), http.StatusSeeOther)
	return nil
}

// evidenceRefused says why a file was refused, in the page's language.
func (h *Handler) evidenceRefused(c *call, err error, refuse func(int, string) error, tooLarge func() error) error {
	var ue *evidence.UnsupportedError
	switch {
	case errors.Is(err, evidence.ErrTooLarge) || isTooLarge(err):
		return tooLarge()
	case errors.As(err, &ue):
		return refuse(http.StatusUnsupportedMediaType, c.T("report.evidence_type"))
	case errors.Is(err, evidence.ErrEmpty):
		return refuse(http.StatusUnprocessableEntity, c.T("report.evidence_empty"))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return refuse(http.StatusBadRequest, c.T("report.evidence_cut"))
	}
	return err
}

func (h *Handler) renderReportUpload(c *call, status int, rp reportParts, f *form, msg string) error {
	f.Errors["file"] = msg
	return h.renderReport(c, status, rp, f, false, nil)
}

// visibleEvidence loads evidence whose plan the caller may see.
func (h *Handler) visibleEvidence(c *call) (workflow.Evidence, workflow.Deliverable, error) {
	id := c.r.PathValue("eid")
	if !workflow.ValidID(id) {
		return workflow.Evidence{}, workflow.Deliverable{}, workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	ev, err := h.cfg.Store.Evidence(c.r.Context(), id)
	if err != nil {
		return ev, workflow.Deliverable{}, err
	}
	d, err := h.visible(c, workflow.KindActionPlan, ev.PlanID)
	return ev, d, err
}

// evidenceFile serves an evidence file under its name, as the API does:
// never to be run as a page of this origin, every download recorded.
func (h *Handler) evidenceFile(c *call) error {
	ev, _, err := h.visibleEvidence(c)
	if err != nil {
		return err
	}
	if h.cfg.Blobs == nil {
		return workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	ctx := c.r.Context()
	if p := h.presigner(c); p != nil {
		u, err := h.presign(c, p, ev.ObjectKey, documents.GetOptions{ContentType: ev.ContentType, ContentDisposition: documents.Attachment(ev.Filename)})
		if err != nil {
			return err
		}
		if err := h.cfg.Store.RecordEvidenceDownload(ctx, ev, c.principal.User.ID, c.r.Header.Get("Range"), c.w.Header().Get("X-Request-Id")); err != nil {
			return err
		}
		return redirectTo(c, u)
	}
	blob, err := h.cfg.Blobs.Open(ctx, ev.ObjectKey)
	if err != nil {
		return err
	}
	defer blob.Close()
	if err := h.cfg.Store.RecordEvidenceDownload(ctx, ev, c.principal.User.ID, c.r.Header.Get("Range"), c.w.Header().Get("X-Request-Id")); err != nil {
		return err
	}
	hd := c.w.Header()
	hd.Set("Content-Type", ev.ContentType)
	hd.Set("ETag", `"`+ev.SHA256+`"`)
	hd.Set("Content-Disposition", documents.Attachment(ev.Filename))
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Cache-Control", "private, no-cache")
	http.ServeContent(c.w, c.r, "", blob.Info().ModTime, blob)
	return nil
}

// deleteEvidence removes a draft report's file: the row, then the bytes.
func (h *Handler) deleteEvidence(c *call) error {
	ev, d, err := h.visibleEvidence(c)
	if err != nil {
		return err
	}
	if err := c.principal.UploadEvidence(d); err != nil {
		return err
	}
	ctx := c.r.Context()
	if _, err := h.cfg.Store.DeleteEvidence(ctx, ev.ID); err != nil {
		return err
	}
	if h.cfg.Blobs != nil {
		if err := h.cfg.Blobs.Delete(context.WithoutCancel(ctx), ev.ObjectKey); err != nil {
			h.log.WarnContext(ctx, "evidence: removing a deleted file's object", "key", ev.ObjectKey, "error", err.Error())
		}
	}
	back := "/ui/action-plans/" + ev.PlanID
	if ev.ReportID != nil {
		if r, err := h.cfg.Store.ProgressReport(ctx, *ev.ReportID, *c.principal); err == nil {
			back = reportURL(ev.PlanID, r.Period, "?done=deleted#evidence")
		}
	}
	http.Redirect(c.w, c.r, back, http.StatusSeeOther)
	return nil
}
