package api

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/workflow"
)

// DefaultImageLimit caps a good practice image.
const DefaultImageLimit = 10 << 20

// imageTypes are the image types a good practice takes, as
// http.DetectContentType names them.
var imageTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

func (s *Server) practiceRoutes(v1 *echo.Group) {
	v1.POST("/good-practices/:id/images", s.addPracticeImage)
	v1.GET("/good-practices/:id/images/:image", s.practiceImage)
	v1.DELETE("/good-practices/:id/images/:image", s.deletePracticeImage)
	v1.POST("/good-practices/:id/transfer-interests", s.addTransferInterest)
}

type goodPracticeFields struct {
	Title                *string            `json:"title"`
	Language             *string            `json:"language"`
	Location             *workflow.Location `json:"location"`
	Summary              *string            `json:"summary"`
	Description          *string            `json:"description"`
	ResourcesNeeded      *string            `json:"resources_needed"`
	Timescale            *string            `json:"timescale"`
	EvidenceOfSuccess    *string            `json:"evidence_of_success"`
	PotentialForLearning *string            `json:"potential_for_learning"`
	MainInstitution      *string            `json:"main_institution"`
}

type createGoodPracticeRequest struct {
	PartnerID string `json:"partner_id"`
	goodPracticeFields
}

func (f goodPracticeFields) apply(g *workflow.GoodPractice) {
	set(&g.Title, f.Title)
	set(&g.Language, f.Language)
	set(&g.Location, f.Location)
	set(&g.Summary, f.Summary)
	set(&g.Description, f.Description)
	set(&g.ResourcesNeeded, f.ResourcesNeeded)
	set(&g.Timescale, f.Timescale)
	set(&g.EvidenceOfSuccess, f.EvidenceOfSuccess)
	set(&g.PotentialForLearning, f.PotentialForLearning)
	set(&g.MainInstitution, f.MainInstitution)
}

// practiceView is a good practice as GET shows it: the form and its
// traceability.
type practiceView struct {
	*workflow.GoodPractice
	Trace workflow.PracticeTrace `json:"trace"`
}

func (s *Server) practiceJSON(c echo.Context, d workflow.Deliverable) error {
	t, err := s.store.PracticeTrace(c.Request().Context(), d.Head().ID)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(d.Head().Version))
	return c.JSON(http.StatusOK, practiceView{GoodPractice: d.Practice, Trace: t})
}

// isImageUpload tells limitBody that the request carries an image, which
// has a limit of its own.
func isImageUpload(c echo.Context) bool {
	return c.Request().Method == http.MethodPost && c.Path() == "/api/v1/good-practices/:id/images"
}

// isPageImageUpload tells limitBody that the request is a good practice
// image uploaded through the pages (a multipart form), which web limits to
// the same image limit.
func isPageImageUpload(c echo.Context) bool {
	r := c.Request()
	rest, ok := strings.CutPrefix(r.URL.Path, "/ui/good-practices/")
	id, ok2 := strings.CutSuffix(rest, "/images")
	return r.Method == http.MethodPost && ok && ok2 && workflow.ValidID(id)
}

// addPracticeImage takes the image as the raw request body; the type is
// sniffed from its first bytes, whatever Content-Type says. A refused
// image leaves nothing in the blob store.
func (s *Server) addPracticeImage(c echo.Context) error {
	d, err := s.loadVisible(c, workflow.KindGoodPractice)
	if err != nil {
		return err
	}
	if err := principal(c).EditDeliverable(d); err != nil {
		return err
	}
	caption := c.QueryParam("caption")
	if err := workflow.CheckCaption(caption); err != nil {
		return err
	}
	if d.Head().State != workflow.StateDraft {
		return workflow.Errorf(workflow.CodeConflict, "images can change only in draft; the good practice is %s", d.Head().State)
	}
	if s.blobs == nil {
		return newProblem(http.StatusServiceUnavailable, "unavailable", "no blob store is configured")
	}
	br := bufio.NewReaderSize(c.Request().Body, 512)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return s.imageProblem(err)
	}
	if len(head) == 0 {
		return newProblem(http.StatusUnprocessableEntity, "validation_failed", "the image is empty")
	}
	ct := http.DetectContentType(head)
	if !imageTypes[ct] {
		return newProblem(http.StatusUnsupportedMediaType, "unsupported_media_type",
			fmt.Sprintf("the body looks like %s; accepted are PNG, JPEG, GIF and WebP images", ct))
	}
	ctx := c.Request().Context()
	key := imageKey(d.Head().ID, workflow.NewID())
	h := sha256.New()
	info, err := s.blobs.Put(ctx, key, io.TeeReader(br, h), -1, documents.PutOptions{ContentType: ct, NoOverwrite: true})
	if err != nil {
		// A body cut off at the limit may have left a partial object.
		_ = s.blobs.Delete(ctx, key)
		return s.imageProblem(err)
	}
	img := workflow.PracticeImage{ID: path.Base(key), PracticeID: d.Head().ID, ContentType: ct, Size: info.Size,
		SHA256: hex.EncodeToString(h.Sum(nil)), Caption: caption, BlobKey: key, CreatedBy: principal(c).User.ID}
	if err := s.store.AddPracticeImage(ctx, &img); err != nil {
		_ = s.blobs.Delete(ctx, key)
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/good-practices/"+d.Head().ID+"/images/"+img.ID)
	return c.JSON(http.StatusCreated, img)
}

// imageKey is where an image's bytes live: ids only, so that a deleted
// practice's blobs can be found from its image list.
func imageKey(practiceID, imageID string) string { return "practices/" + practiceID + "/" + imageID }

// deleteImageBlobs removes the blobs of a deleted practice's images; one
// left behind is logged, not fatal: the practice is gone either way.
func (s *Server) deleteImageBlobs(c echo.Context, g *workflow.GoodPractice) {
	if s.blobs == nil {
		return
	}
	for _, img := range g.Images {
		if err := s.blobs.Delete(c.Request().Context(), imageKey(g.ID, img.ID)); err != nil {
			s.log.WarnContext(c.Request().Context(), "practice image blob left behind", "practice", g.ID, "image", img.ID, "error", err.Error())
		}
	}
}

func (s *Server) imageProblem(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return newProblem(http.StatusRequestEntityTooLarge, "body_too_large",
			fmt.Sprintf("the image is larger than %d bytes", s.imageLimit))
	}
	return err
}

func (s *Server) practiceImage(c echo.Context) error {
	d, err := s.loadVisible(c, workflow.KindGoodPractice)
	if err != nil {
		return err
	}
	imageID, err := pathID(c, "image")
	if err != nil {
		return err
	}
	img, err := s.store.PracticeImage(c.Request().Context(), d.Head().ID, imageID)
	if err != nil {
		return err
	}
	if s.blobs == nil {
		return newProblem(http.StatusServiceUnavailable, "unavailable", "no blob store is configured")
	}
	ps, err := s.presigner(c)
	if err != nil {
		return err
	}
	if ps != nil {
		// Shown in place, so no attachment: only the checked type.
		u, err := s.presign(c, ps, img.BlobKey, documents.GetOptions{ContentType: img.ContentType})
		if err != nil {
			return err
		}
		return redirectTo(c, u)
	}
	blob, err := s.blobs.Open(c.Request().Context(), img.BlobKey)
	if err != nil {
		return err
	}
	defer blob.Close()
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, img.ContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("ETag", `"`+img.SHA256+`"`)
	http.ServeContent(w, c.Request(), "", img.CreatedAt, blob)
	return nil
}

func (s *Server) deletePracticeImage(c echo.Context) error {
	d, err := s.loadVisible(c, workflow.KindGoodPractice)
	if err != nil {
		return err
	}
	if err := principal(c).EditDeliverable(d); err != nil {
		return err
	}
	imageID, err := pathID(c, "image")
	if err != nil {
		return err
	}
	img, err := s.store.DeletePracticeImage(c.Request().Context(), d.Head().ID, imageID)
	if err != nil {
		return err
	}
	if s.blobs != nil {
		if err := s.blobs.Delete(c.Request().Context(), img.BlobKey); err != nil {
			s.log.WarnContext(c.Request().Context(), "practice image blob left behind", "key", img.BlobKey, "error", err.Error())
		}
	}
	return c.NoContent(http.StatusNoContent)
}

type transferInterestRequest struct {
	GroupID string `json:"group_id"` // a stakeholder's own group when empty
	Note    string `json:"note"`
}

// addTransferInterest records a stakeholder group's interest: a member of
// the group, or the coordinator on its behalf.
func (s *Server) addTransferInterest(c echo.Context) error {
	d, err := s.loadVisible(c, workflow.KindGoodPractice)
	if err != nil {
		return err
	}
	var req transferInterestRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	p := principal(c)
	m, _ := p.Membership(d.Head().ProjectID)
	if req.GroupID == "" && m.Role == workflow.RoleStakeholder {
		req.GroupID = m.StakeholderGroupID
	}
	switch {
	case p.User.Admin || m.Role == workflow.RoleCoordinator:
	case m.Role == workflow.RoleStakeholder && m.StakeholderGroupID == req.GroupID:
	default:
		return workflow.Errorf(workflow.CodeForbidden, "only a member of the stakeholder group or the coordinator may record its interest")
	}
	ti := workflow.TransferInterest{PracticeID: d.Head().ID, GroupID: req.GroupID, Note: req.Note, CreatedBy: p.User.ID}
	if err := s.store.AddTransferInterest(c.Request().Context(), &ti); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, ti)
}
