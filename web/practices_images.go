package web

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/ratelimit"
	"github.com/craftscode/craftscode/workflow"
)

// The images of a good practice, through the pages: the same checks, blob
// keys and store calls as the API's image endpoints (api/practices.go).

// imageTypes are the image types a good practice takes, as
// http.DetectContentType names them (as the API).
var imageTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// formSlack is what the upload form may carry besides the image: the CSRF
// token, the caption and the multipart framing.
const formSlack = 64 << 10

// maxTextPart bounds a text field of the upload form (a caption is at most
// 500 characters).
const maxTextPart = 8 << 10

var errImageTooLarge = errors.New("the image is over the limit")

type uploadKey struct{}

// upload is the file part of a multipart form, left unread for the
// handler to stream.
type upload struct {
	file *multipart.Part // nil when the form had no file
	err  error           // reading the form's fields failed
}

// uploadForm reads the text fields of a multipart form that come before
// its file (the form puts them first, and browsers send fields in order)
// into r.PostForm, so that page finds the CSRF token there; the file part
// is left to the handler, to stream. The body is limited to the file's
// limit and the form's other fields; field names the file part (image,
// an evidence file).
func (h *Handler) uploadForm(limit int64, field string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up := &upload{}
		r.Body = http.MaxBytesReader(w, r.Body, limit+formSlack)
		if mr, err := r.MultipartReader(); err == nil {
			vals := url.Values{}
			for i := 0; ; i++ {
				p, err := mr.NextPart()
				if err != nil {
					if !errors.Is(err, io.EOF) {
						up.err = err
					}
					break
				}
				if p.FormName() == field || p.FileName() != "" {
					up.file = p
					break
				}
				b, err := io.ReadAll(io.LimitReader(p, maxTextPart))
				if err != nil || i > 20 {
					up.err = err
					break
				}
				vals.Add(p.FormName(), string(b))
			}
			r.PostForm, r.Form = vals, vals
		}
		if errors.Is(up.err, ratelimit.ErrUploadStalled) {
			// The browser stopped before its form's fields (the CSRF token
			// among them) arrived: say so, rather than "form expired".
			h.fail(&call{w: w, r: r, loc: h.catalog.Match(r.Header.Get("Accept-Language"))}, up.err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), uploadKey{}, up)))
	})
}

// capReader fails once more than left bytes have been read.
type capReader struct {
	r    io.Reader
	left int64
}

func (l *capReader) Read(p []byte) (int, error) {
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, errImageTooLarge
	}
	return n, err
}

// imageKey is where an image's bytes live, as the API keeps them (its
// delete of a practice finds them by this layout).
func imageKey(practiceID, imageID string) string { return "practices/" + practiceID + "/" + imageID }

// megabytes says a limit in MB, one decimal.
func megabytes(n int64) string { return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) }

// addPracticeImage takes an image with its alt text (required here: the
// pages show every image with it). The type is sniffed from the first
// bytes whatever the browser says; a refused image leaves nothing stored.
func (h *Handler) addPracticeImage(c *call) error {
	up, _ := c.r.Context().Value(uploadKey{}).(*upload)
	d, ok, err := h.editablePractice(c)
	if err != nil || !ok {
		return err
	}
	g := d.Practice
	if g.State != workflow.StateDraft {
		h.notDraft(c, g)
		return nil
	}
	if h.cfg.Blobs == nil {
		h.render(c, http.StatusServiceUnavailable, "error", view{Title: c.T("gpform.image_unavailable_title"), Error: c.T("gpform.image_unavailable")})
		return nil
	}
	f := newForm(c.r.PostForm)
	caption := strings.TrimSpace(f.Get("caption"))
	f.Values.Set("caption", caption)
	if caption == "" {
		f.Errors["caption"] = c.T("gpform.image_caption_required")
	} else if err := workflow.CheckCaption(caption); err != nil && !f.refuse(c, err) {
		return err
	}
	limit := h.cfg.ImageLimit
	refuse := func(status int, msg string) error {
		f.Errors["image"] = msg
		if f.Problem == "" {
			f.Problem = c.T("gpform.image_refused")
		}
		if up != nil && up.file != nil {
			// Read a little of what is left, so that the browser gets the
			// answer rather than a reset; the rest is dropped.
			_, _ = io.CopyN(io.Discard, up.file, formSlack)
		}
		return h.renderPracticeEdit(c, status, g, h.practiceForm(g), f, nil)
	}
	switch {
	case c.r.ContentLength > limit+formSlack || up != nil && isTooLarge(up.err):
		return refuse(http.StatusRequestEntityTooLarge, c.T("gpform.image_too_large", "Limit", megabytes(limit)))
	case up == nil || up.file == nil:
		return refuse(http.StatusUnprocessableEntity, c.T("gpform.image_missing"))
	case f.Invalid():
		return refuse(http.StatusUnprocessableEntity, c.T("gpform.image_choose_again"))
	}
	br := bufio.NewReaderSize(up.file, 512)
	head, err := br.Peek(512)
	switch {
	case isTooLarge(err):
		return refuse(http.StatusRequestEntityTooLarge, c.T("gpform.image_too_large", "Limit", megabytes(limit)))
	case err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull):
		return err
	case len(head) == 0:
		return refuse(http.StatusUnprocessableEntity, c.T("gpform.image_missing"))
	}
	ct := http.DetectContentType(head)
	if !imageTypes[ct] {
		return refuse(http.StatusUnsupportedMediaType, c.T("gpform.image_type"))
	}
	ctx := c.r.Context()
	key := imageKey(g.ID, workflow.NewID())
	sum := sha256.New()
	info, err := h.cfg.Blobs.Put(ctx, key, io.TeeReader(&capReader{r: br, left: limit}, sum), -1,
		documents.PutOptions{ContentType: ct, NoOverwrite: true})
	if err != nil {
		_ = h.cfg.Blobs.Delete(ctx, key) // a body cut off may have left a partial object
		if isTooLarge(err) {
			return refuse(http.StatusRequestEntityTooLarge, c.T("gpform.image_too_large", "Limit", megabytes(limit)))
		}
		return err
	}
	img := workflow.PracticeImage{ID: path.Base(key), PracticeID: g.ID, ContentType: ct, Size: info.Size,
		SHA256: hex.EncodeToString(sum.Sum(nil)), Caption: caption, BlobKey: key, CreatedBy: c.principal.User.ID}
	if err := h.cfg.Store.AddPracticeImage(ctx, &img); err != nil {
		_ = h.cfg.Blobs.Delete(ctx, key)
		if f.refuse(c, err) {
			return refuse(http.StatusUnprocessableEntity, c.T("gpform.image_choose_again"))
		}
		return err
	}
	http.Redirect(c.w, c.r, "/ui/good-practices/"+g.ID+"/edit?done=image_added#images", http.StatusSeeOther)
	return nil
}

func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.Is(err, errImageTooLarge) || errors.As(err, &mbe)
}

// practiceForm is the content form as saved.
func (h *Handler) practiceForm(g *workflow.GoodPractice) *form {
	f := newForm(practiceValues(g))
	f.Version = g.Version
	return f
}

// practiceImage serves an image to whoever may see its good practice.
func (h *Handler) practiceImage(c *call) error {
	d, err := h.visiblePractice(c)
	if err != nil {
		return err
	}
	imageID := c.r.PathValue("image")
	if !workflow.ValidID(imageID) {
		return workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	img, err := h.cfg.Store.PracticeImage(c.r.Context(), d.Head().ID, imageID)
	if err != nil {
		return err
	}
	if h.cfg.Blobs == nil {
		return workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	if p := h.presigner(c); p != nil {
		u, err := h.presign(c, p, img.BlobKey, documents.GetOptions{ContentType: img.ContentType})
		if err != nil {
			return err
		}
		return redirectTo(c, u)
	}
	blob, err := h.cfg.Blobs.Open(c.r.Context(), img.BlobKey)
	if err != nil {
		return err
	}
	defer blob.Close()
	hd := c.w.Header()
	hd.Set("Content-Type", img.ContentType)
	hd.Set("ETag", `"`+img.SHA256+`"`)
	hd.Set("Cache-Control", "private, max-age=3600")
	http.ServeContent(c.w, c.r, "", img.CreatedAt, blob)
	return nil
}

// deletePracticeImage removes an image (owner or coordinator, in draft).
func (h *Handler) deletePracticeImage(c *call) error {
	d, ok, err := h.editablePractice(c)
	if err != nil || !ok {
		return err
	}
	if d.Practice.State != workflow.StateDraft {
		h.notDraft(c, d.Practice)
		return nil
	}
	imageID := c.r.PathValue("image")
	if !workflow.ValidID(imageID) {
		return workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	img, err := h.cfg.Store.DeletePracticeImage(c.r.Context(), d.Head().ID, imageID)
	if err != nil {
		return err
	}
	if h.cfg.Blobs != nil {
		if err := h.cfg.Blobs.Delete(c.r.Context(), img.BlobKey); err != nil {
			h.log.WarnContext(c.r.Context(), "practice image blob left behind", "key", img.BlobKey, "error", err.Error())
		}
	}
	http.Redirect(c.w, c.r, "/ui/good-practices/"+d.Head().ID+"/edit?done=image_deleted#images", http.StatusSeeOther)
	return nil
}
