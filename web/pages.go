package web

import (
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/workflow"
)

func (h *Handler) consultations(c *call) error {
	items, err := h.cfg.Store.MyConsultations(c.r.Context(), *c.principal)
	if err != nil {
		return err
	}
	type row struct {
		workflow.ConsultationItem
		Open bool
	}
	rows := make([]row, len(items))
	now := time.Now()
	for i, it := range items {
		rows[i] = row{it, it.Consultation.Open(now)}
	}
	h.render(c, http.StatusOK, "consultations", view{Title: "My consultations", Data: rows})
	return nil
}

// sectionView is one section of the revision with the threads pinned to it.
type sectionView struct {
	workflow.Section
	Threads []workflow.Comment
}

type deliverableView struct {
	Kind         workflow.Kind
	Segment      string
	Head         workflow.Head
	Submitted    bool // there is a frozen revision to read
	Consultation *workflow.Consultation
	Open         bool // comments are taken now
	CanComment   bool
	CanAnswer    bool
	Sections     []sectionView
	Comments     int
	Unanswered   int
	Transitions  []workflow.PermittedTrigger
	Documents    []workflow.Document
	Stances      []workflow.Stance
	Statuses     []workflow.ResponseStatus
}

var (
	stances  = []workflow.Stance{workflow.StanceSuggestion, workflow.StanceSupport, workflow.StanceConcern, workflow.StanceQuestion}
	statuses = []workflow.ResponseStatus{workflow.ResponseAccepted, workflow.ResponsePartiallyAccepted, workflow.ResponseRejected, workflow.ResponseNoted}
	notices  = map[string]string{
		"comment":    "Your comment is posted.",
		"response":   "The response is saved.",
		"transition": "Done: the state has changed.",
		"closed":     "The consultation is closed.",
	}
)

// visible loads a deliverable the caller may see; anything else is
// not_found, so the page does not tell what exists.
func (h *Handler) visible(c *call, kind workflow.Kind, id string) (workflow.Deliverable, error) {
	if !workflow.ValidID(id) {
		return workflow.Deliverable{}, workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	d, err := h.cfg.Store.Deliverable(c.r.Context(), kind, id)
	if err != nil {
		return d, err
	}
	return d, c.principal.SeeDeliverable(d)
}

func (h *Handler) loadDeliverable(c *call, kind workflow.Kind, id string) (deliverableView, error) {
	ctx, p := c.r.Context(), *c.principal
	d, err := h.visible(c, kind, id)
	if err != nil {
		return deliverableView{}, err
	}
	v := deliverableView{Kind: kind, Segment: segment(kind), Head: d.Head(), Stances: stances, Statuses: statuses}
	v.CanAnswer = p.Answering(d) == nil
	if v.Transitions, d, err = h.cfg.Store.PermittedTransitions(ctx, kind, id, p); err != nil {
		return v, err
	}
	v.Head = d.Head()
	if v.CanAnswer {
		if v.Documents, _, err = h.cfg.Store.ListDocuments(ctx, id, workflow.Page{Limit: 50}); err != nil {
			return v, err
		}
	}
	if v.Head.Revision == 0 {
		return v, nil // a draft never submitted: nothing to read or discuss yet
	}
	v.Submitted = true
	rev, err := h.cfg.Store.Revision(ctx, kind, id, v.Head.Revision)
	if err != nil {
		return v, err
	}
	sections, err := workflow.Sections(rev.Snapshot)
	if err != nil {
		return v, err
	}
	cons, err := h.cfg.Store.Consultation(ctx, kind, id, v.Head.Revision, p)
	switch {
	case err == nil:
		v.Consultation = &cons
		v.Open = cons.Open(time.Now())
	case workflow.ErrorCode(err) != workflow.CodeNotFound:
		return v, err
	}
	var threads []workflow.Comment
	if v.Consultation != nil {
		if threads, err = h.cfg.Store.Comments(ctx, kind, id, v.Head.Revision, p); err != nil {
			return v, err
		}
	}
	v.CanComment = v.Open && v.Head.State == workflow.StateStakeholderReview && p.Commenting(d) == nil
	index := map[string]int{}
	for i, s := range sections {
		index[s.Anchor] = i
		v.Sections = append(v.Sections, sectionView{Section: s})
	}
	for _, t := range threads {
		i, ok := index[t.Section]
		if !ok {
			i = index[workflow.GeneralSection] // a section gone from the text still shows
		}
		v.Sections[i].Threads = append(v.Sections[i].Threads, t)
		v.Comments += 1 + len(t.Replies)
		if t.Response == nil && !t.Hidden && !t.Deleted {
			v.Unanswered++
		}
	}
	return v, nil
}

// showDeliverable renders the page, with an error from a form above it.
func (h *Handler) showDeliverable(c *call, kind workflow.Kind, id string, status int, formErr error) error {
	v, err := h.loadDeliverable(c, kind, id)
	if err != nil {
		return err
	}
	page := view{Title: v.Head.Title, Data: v, Notice: notices[c.r.URL.Query().Get("done")]}
	switch {
	case errors.Is(formErr, errTooFast):
		page.Error = strings.TrimPrefix(formErr.Error(), errTooFast.Error()+": ")
	case formErr != nil:
		var ev view
		status, ev = h.describe(c, formErr)
		page.Error, page.Details = ev.Error, ev.Details
	}
	h.render(c, status, "deliverable", page)
	return nil
}

func (h *Handler) deliverable(kind workflow.Kind) func(*call) error {
	return func(c *call) error { return h.showDeliverable(c, kind, c.r.PathValue("id"), http.StatusOK, nil) }
}

// formProblem passes not_found and internal errors on to the error page
// and keeps the rest to show above the deliverable.
func formProblem(err error) bool {
	switch workflow.ErrorCode(err) {
	case workflow.CodeNotFound, workflow.CodeInternal, "":
		return false
	}
	return true
}

func (h *Handler) addComment(kind workflow.Kind) func(*call) error {
	return func(c *call) error {
		id := c.r.PathValue("id")
		if ok, wait := h.comments.allow(c.principal.User.ID); !ok {
			secs := max(int(math.Ceil(wait.Seconds())), 1)
			c.w.Header().Set("Retry-After", strconv.Itoa(secs))
			return h.showDeliverable(c, kind, id, http.StatusTooManyRequests,
				fmt.Errorf("%w: you are commenting very fast; wait %d seconds and send again", errTooFast, secs))
		}
		f := c.r.PostForm
		nc := workflow.NewComment{Kind: kind, DeliverableID: id, Body: f.Get("body"), Section: f.Get("section"),
			ParentID: f.Get("parent_id"), Stance: workflow.Stance(f.Get("stance")), Principal: *c.principal,
			RequestID: c.w.Header().Get("X-Request-Id")}
		nc.Normalize()
		err := nc.Validate()
		var cm workflow.Comment
		if err == nil {
			cm, err = h.cfg.Store.AddComment(c.r.Context(), nc)
		}
		if formProblem(err) {
			return h.showDeliverable(c, kind, id, 0, err)
		}
		if err != nil {
			return err
		}
		http.Redirect(c.w, c.r, fmt.Sprintf("/ui/%s/%s?done=comment#c-%s", segment(kind), id, cm.ID), http.StatusSeeOther)
		return nil
	}
}

func (h *Handler) respond(c *call) error {
	ctx, p, cid := c.r.Context(), *c.principal, c.r.PathValue("cid")
	if !workflow.ValidID(cid) {
		return workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	status, err := workflow.ValidateResponse(c.r.PostForm.Get("status"), c.r.PostForm.Get("body"))
	var cm workflow.Comment
	if err == nil {
		cm, err = h.cfg.Store.RespondToComment(ctx, cid, status, strings.TrimSpace(c.r.PostForm.Get("body")), p)
	}
	if formProblem(err) {
		// Show the problem on the deliverable's page, if the caller sees it.
		if cm, cerr := h.cfg.Store.Comment(ctx, cid, p); cerr == nil {
			return h.showDeliverable(c, cm.Kind, cm.DeliverableID, 0, err)
		}
	}
	if err != nil {
		return err
	}
	http.Redirect(c.w, c.r, fmt.Sprintf("/ui/%s/%s?done=response#c-%s", segment(cm.Kind), cm.DeliverableID, cm.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) fireTransition(kind workflow.Kind) func(*call) error {
	return func(c *call) error {
		id := c.r.PathValue("id")
		d, err := h.visible(c, kind, id)
		if err != nil {
			return err
		}
		version, verr := strconv.Atoi(c.r.PostForm.Get("version"))
		if verr != nil {
			return h.showDeliverable(c, kind, id, 0, workflow.Errorf(workflow.CodeInvalid, "the form lacks the version; reload the page"))
		}
		_, _, err = h.cfg.Store.FireTransition(c.r.Context(), workflow.TransitionRequest{
			Kind: kind, ID: d.Head().ID, Version: version, Trigger: workflow.Trigger(c.r.PostForm.Get("trigger")),
			Note: strings.TrimSpace(c.r.PostForm.Get("note")), Principal: *c.principal,
			RequestID: c.w.Header().Get("X-Request-Id")})
		if formProblem(err) {
			return h.showDeliverable(c, kind, id, 0, err)
		}
		if err != nil {
			return err
		}
		http.Redirect(c.w, c.r, fmt.Sprintf("/ui/%s/%s?done=transition", segment(kind), id), http.StatusSeeOther)
		return nil
	}
}

// errTooFast marks a comment refused by the rate limit.
var errTooFast = errors.New("too fast")

func (h *Handler) closeConsultation(kind workflow.Kind) func(*call) error {
	return func(c *call) error {
		id := c.r.PathValue("id")
		if !workflow.ValidID(id) {
			return workflow.Errorf(workflow.CodeNotFound, "not found")
		}
		_, err := h.cfg.Store.CloseConsultation(c.r.Context(), kind, id, *c.principal)
		if formProblem(err) {
			return h.showDeliverable(c, kind, id, 0, err)
		}
		if err != nil {
			return err
		}
		http.Redirect(c.w, c.r, fmt.Sprintf("/ui/%s/%s?done=closed", segment(kind), id), http.StatusSeeOther)
		return nil
	}
}

var unsafeName = regexp.MustCompile(`[^\p{L}\p{N} ._-]+`)

// download streams a ready document through the page's session, with the
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
		return workflow.Errorf(workflow.CodeConflict, "the document is %s; try again when it is ready", doc.Status)
	}
	if h.cfg.Blobs == nil {
		return errors.New("web: no blob store configured")
	}
	blob, err := h.cfg.Blobs.Open(ctx, doc.ObjectKey)
	if err != nil {
		if errors.Is(err, documents.ErrNotFound) {
			return fmt.Errorf("document %s is ready but its object is missing", doc.ID)
		}
		return err
	}
	defer blob.Close()
	if err := h.cfg.Store.RecordDownload(ctx, doc.ID, c.principal.User.ID, c.r.Header.Get("Range"), c.w.Header().Get("X-Request-Id")); err != nil {
		return err
	}
	name := strings.TrimSpace(unsafeName.ReplaceAllString(d.Head().Title, "_"))
	if name == "" {
		name = string(doc.Kind)
	}
	if doc.ProgressReportID != "" {
		// Its revision is the report's period, not the plan's revision.
		name = fmt.Sprintf("%s (progress report, period %d).%s", name, doc.Revision, doc.Format)
	} else {
		name = fmt.Sprintf("%s r%d.%s", name, doc.Revision, doc.Format)
	}
	hd := c.w.Header()
	hd.Set("Content-Type", doc.ContentType)
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	hd.Set("Cache-Control", "private, no-store")
	http.ServeContent(c.w, c.r, "", blob.Info().ModTime, blob)
	return nil
}
