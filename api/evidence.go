package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/evidence"
	"github.com/craftscode/craftscode/workflow"
)

// evidenceUploadRoute is the one route whose body limit is the evidence
// limit instead of the general one.
const evidenceUploadRoute = "/api/v1/action-plans/:id/evidence"

func (s *Server) evidenceRoutes(v1 *echo.Group) {
	v1.POST("/action-plans/:id/evidence", s.uploadEvidence)
	v1.GET("/action-plans/:id/evidence", s.listEvidence)
	v1.GET("/evidence/:eid", s.getEvidence)
	v1.GET("/evidence/:eid/content", s.evidenceContent)
	v1.DELETE("/evidence/:eid", s.deleteEvidence)
}

// streamPutter is a blob store that uploads a stream as it arrives instead
// of spooling the whole first (blobstore.S3); the folder store writes its
// file directly anyway.
type streamPutter interface {
	PutStream(ctx context.Context, key string, r io.Reader, contentType string) (documents.BlobInfo, error)
}

// EvidenceKey is where an evidence file's bytes live: ids only, so nothing
// a user typed ever reaches a key or a path.
func EvidenceKey(projectID, planID, evidenceID string) string {
	return "projects/" + projectID + "/action-plans/" + planID + "/evidence/" + evidenceID
}

// uploadName is the file name the client gave, from Content-Disposition
// (filename* or filename) or else ?filename=, cleaned; "evidence" when none.
func uploadName(c echo.Context) (string, error) {
	name := c.QueryParam("filename")
	if cd := c.Request().Header.Get("Content-Disposition"); cd != "" {
		_, params, err := mime.ParseMediaType(cd)
		if err != nil {
			return "", newProblem(http.StatusBadRequest, "invalid_parameter", "the Content-Disposition header is malformed")
		}
		if v := params["filename"]; v != "" {
			name = v // mime decodes filename* (RFC 2231) into filename
		}
	}
	if name = evidence.CleanName(name); name == "" {
		name = "evidence"
	}
	return name, nil
}

// uploadEvidence streams the raw body through the evidence checks into the
// blob store, and records the row only once the object is stored. The
// request's Content-Type is ignored: the type is sniffed from the bytes.
func (s *Server) uploadEvidence(c echo.Context) error {
	d, err := s.loadVisible(c, workflow.KindActionPlan)
	if err != nil {
		return err
	}
	p := principal(c)
	if err := p.UploadEvidence(d); err != nil {
		return err
	}
	idemKey := c.Request().Header.Get("Idempotency-Key")
	if idemKey != "" && !idempotencyKey.MatchString(idemKey) {
		return newProblem(http.StatusBadRequest, "invalid_parameter", "Idempotency-Key must be 1 to 200 printable ASCII characters")
	}
	name, err := uploadName(c)
	if err != nil {
		return err
	}
	var reportID *string
	if v := c.QueryParam("report_id"); v != "" {
		if !workflow.ValidID(v) {
			return newProblem(http.StatusBadRequest, "invalid_parameter", "report_id is not a valid id")
		}
		reportID = &v
	}
	r := c.Request()
	if r.ContentLength > s.evidenceLimit {
		return tooLarge(s.evidenceLimit)
	}
	ctx := r.Context()
	er, err := evidence.NewReader(r.Body, s.evidenceLimit, name)
	if err != nil {
		return s.evidenceProblem(err)
	}
	h := d.Head()
	ev := workflow.Evidence{ID: workflow.NewID(), ProjectID: h.ProjectID, PlanID: h.ID, ReportID: reportID, Filename: name, UploadedBy: p.User.ID}
	ev.ObjectKey = EvidenceKey(ev.ProjectID, ev.PlanID, ev.ID)
	// A failed upload publishes nothing, whatever failed: the limit, the
	// checks at the end of the stream, or the client going away.
	var info documents.BlobInfo
	if sp, ok := s.blobs.(streamPutter); ok {
		info, err = sp.PutStream(ctx, ev.ObjectKey, er, er.PreliminaryType())
	} else {
		info, err = s.blobs.Put(ctx, ev.ObjectKey, er, -1, documents.PutOptions{ContentType: er.PreliminaryType(), NoOverwrite: true})
	}
	if err != nil {
		return s.evidenceProblem(err)
	}
	ev.ContentType, ev.Size, ev.SHA256 = er.ContentType(), info.Size, info.SHA256
	// Without its row the object is unreachable: remove it on every path
	// that records none, even if the client has gone.
	unstore := func() {
		if derr := s.blobs.Delete(context.WithoutCancel(ctx), ev.ObjectKey); derr != nil {
			s.log.ErrorContext(ctx, "evidence: removing an unrecorded object", "key", ev.ObjectKey, "error", derr.Error())
		}
	}
	var rec workflow.IdempotencyRecord
	if idemKey != "" {
		// The generic middleware hashes the body before the work; a stream's
		// hash is known only now, so the key is claimed here instead.
		rec = workflow.IdempotencyRecord{UserID: p.User.ID, Key: idemKey, RequestHash: uploadHash(c, name, ev.SHA256)}
		first, claimed, err := s.store.ClaimIdempotencyKey(ctx, &rec)
		if err != nil {
			unstore()
			return err
		}
		if !claimed {
			unstore()
			return s.replay(c, rec, first)
		}
	}
	if err := s.store.CreateEvidence(ctx, &ev); err != nil {
		unstore()
		if idemKey != "" {
			_ = s.store.ReleaseIdempotencyKey(context.WithoutCancel(ctx), rec.UserID, rec.Key)
		}
		return err
	}
	var body bytes.Buffer
	if err := jsonEncode(&body, ev); err != nil {
		return err
	}
	location := "/api/v1/evidence/" + ev.ID
	if idemKey != "" {
		rec.Status, rec.Body = http.StatusCreated, body.Bytes()
		rec.Headers = map[string]string{echo.HeaderContentType: echo.MIMEApplicationJSON, echo.HeaderLocation: location}
		if err := s.store.CompleteIdempotencyKey(ctx, rec); err != nil {
			return err
		}
	}
	c.Response().Header().Set(echo.HeaderLocation, location)
	return c.JSONBlob(http.StatusCreated, body.Bytes())
}

// uploadHash identifies an upload for its Idempotency-Key: the route, the
// options that shape the answer, and the file's SHA-256.
func uploadHash(c echo.Context, name, sha string) string {
	h := sha256.New()
	fmt.Fprintf(h, "POST %s\n%s\n%s\n%s", c.Request().URL.Path, name, c.QueryParam("report_id"), sha)
	return hex.EncodeToString(h.Sum(nil))
}

func tooLarge(limit int64) error {
	return newProblem(http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the file is larger than %d bytes", limit))
}

// evidenceProblem maps what the checks and the stores report.
func (s *Server) evidenceProblem(err error) error {
	var mbe *http.MaxBytesError
	var ue *evidence.UnsupportedError
	switch {
	case errors.Is(err, evidence.ErrTooLarge) || errors.As(err, &mbe):
		return tooLarge(s.evidenceLimit)
	case errors.As(err, &ue):
		return newProblem(http.StatusUnsupportedMediaType, "unsupported_file_type",
			ue.Reason+"; accepted are PDF, PNG, JPEG, GIF, WebP, UTF-8 text and CSV, DOCX, XLSX, PPTX, ODT, ODS and ODP")
	case errors.Is(err, evidence.ErrEmpty):
		return newProblem(http.StatusUnprocessableEntity, "empty_file", "the file is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		// The client stopped before the end it announced.
		return newProblem(http.StatusBadRequest, "bad_request", "the request body ended early")
	}
	return err
}

func (s *Server) listEvidence(c echo.Context) error {
	d, err := s.loadVisible(c, workflow.KindActionPlan)
	if err != nil {
		return err
	}
	pg, err := pageParams(c)
	if err != nil {
		return err
	}
	items, next, err := s.store.ListEvidence(c.Request().Context(), d.Head().ID, pg)
	if err != nil {
		return err
	}
	return list(c, items, next)
}

// visibleEvidence loads evidence whose plan the caller may see; anything
// else is 404.
func (s *Server) visibleEvidence(c echo.Context) (workflow.Evidence, workflow.Deliverable, error) {
	id, err := pathID(c, "eid")
	if err != nil {
		return workflow.Evidence{}, workflow.Deliverable{}, err
	}
	ctx := c.Request().Context()
	ev, err := s.store.Evidence(ctx, id)
	if err != nil {
		return ev, workflow.Deliverable{}, err
	}
	d, err := s.store.Deliverable(ctx, workflow.KindActionPlan, ev.PlanID)
	if err != nil {
		return ev, d, err
	}
	if err := principal(c).SeeDeliverable(d); err != nil {
		return ev, d, workflow.Errorf(workflow.CodeNotFound, "evidence not found")
	}
	return ev, d, nil
}

func (s *Server) getEvidence(c echo.Context) error {
	ev, _, err := s.visibleEvidence(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ev)
}

// evidenceContent streams the file with Range support under its kept name
// and audits every download.
func (s *Server) evidenceContent(c echo.Context) error {
	ev, _, err := s.visibleEvidence(c)
	if err != nil {
		return err
	}
	ps, err := s.presigner(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if ps != nil {
		u, err := s.presign(c, ps, ev.ObjectKey, documents.GetOptions{ContentType: ev.ContentType, ContentDisposition: documents.Attachment(ev.Filename)})
		if err != nil {
			return missingEvidence(ev, err)
		}
		if err := s.store.RecordEvidenceDownload(ctx, ev, principal(c).User.ID, c.Request().Header.Get("Range"), requestID(c)); err != nil {
			return err
		}
		return redirectTo(c, u)
	}
	blob, err := s.blobs.Open(ctx, ev.ObjectKey)
	if err != nil {
		return missingEvidence(ev, err)
	}
	defer blob.Close()
	if err := s.store.RecordEvidenceDownload(ctx, ev, principal(c).User.ID, c.Request().Header.Get("Range"), requestID(c)); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, ev.ContentType)
	h.Set("ETag", `"`+ev.SHA256+`"`)
	h.Set("Content-Disposition", documents.Attachment(ev.Filename))
	// Uploaded bytes are never to be run as a page of this origin.
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-cache")
	http.ServeContent(c.Response(), c.Request(), "", blob.Info().ModTime, blob)
	return nil
}

func missingEvidence(ev workflow.Evidence, err error) error {
	if errors.Is(err, documents.ErrNotFound) {
		return fmt.Errorf("evidence %s is recorded but its object %s is missing", ev.ID, ev.ObjectKey)
	}
	return err
}

// deleteEvidence removes the row first, then the object: a row never points
// at a missing object, and a failed object delete only leaves an orphan.
func (s *Server) deleteEvidence(c echo.Context) error {
	ev, d, err := s.visibleEvidence(c)
	if err != nil {
		return err
	}
	if err := principal(c).UploadEvidence(d); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.store.DeleteEvidence(ctx, ev.ID); err != nil {
		return err
	}
	if err := s.blobs.Delete(context.WithoutCancel(ctx), ev.ObjectKey); err != nil {
		s.log.ErrorContext(ctx, "evidence: removing a deleted file's object", "key", ev.ObjectKey, "error", err.Error())
	}
	return c.NoContent(http.StatusNoContent)
}

// isEvidenceUpload tells the body limit which limit applies.
func isEvidenceUpload(c echo.Context) bool {
	return c.Request().Method == http.MethodPost && strings.EqualFold(c.Path(), evidenceUploadRoute)
}

// isPageEvidenceUpload tells limitBody that the request is an evidence
// file uploaded through a progress report's page (a multipart form), which
// web limits to the same evidence limit.
func isPageEvidenceUpload(c echo.Context) bool {
	r := c.Request()
	rest, ok := strings.CutPrefix(r.URL.Path, "/ui/action-plans/")
	if r.Method != http.MethodPost || !ok {
		return false
	}
	parts := strings.Split(rest, "/")
	return len(parts) == 4 && workflow.ValidID(parts[0]) && parts[1] == "reports" && parts[3] == "evidence"
}
