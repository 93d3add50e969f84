package web

import (
	"cmp"
	"errors"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/workflow"
)

// overviewThreads is how many threads the overview shows beside each
// section: the most recent ones, so that a comment posted from the
// overview is there after the redirect, and a returning reader sees
// what is new. The rest are a link away, on the section's own page; a
// consultation of thousands of comments would otherwise make a page of
// megabytes.
const overviewThreads = 10

// sectionView is one section of the revision with the threads pinned to
// it that the page shows.
type sectionView struct {
	workflow.Section
	Threads    []commentView // shown, oldest first
	all        []workflow.Comment
	ThreadN    int // threads on the section, shown or not
	CommentN   int // comments and replies on the section
	Unanswered int
}

// More tells the overview to link to the section's page for the threads
// it leaves out.
func (s *sectionView) More() bool { return s.ThreadN > len(s.Threads) }

// commentView is a comment as the page shows it, with its labels, dates
// and which forms go under it worked out here: in the template, each of
// those was a call through reflection, and with 5,000 comments they made
// most of the page's time. The comment's fields are copied rather than
// embedded because the template finds an embedded field by a slow search,
// on every use.
type commentView struct {
	ID, Section, AuthorName string
	Stance                  workflow.Stance
	Body, HiddenReason      string
	Edited, Deleted, Hidden bool
	Version                 int
	Response                *workflow.Response
	Forms                   *threadForms
	RoleLabel, StanceLabel  string
	Created, CreatedISO     string
	ResponseLabel, Answered string        // the response's status and date, if there is one
	Thread                  []commentView // the replies
	ReplyForm, ResponseForm bool          // top-level comments only
	// EditForm (edit and delete) shows to the author while comments are
	// taken, HideForm to the coordinator; the store decides either way.
	EditForm, HideForm bool
	EditBody           string        // the form's text: the comment's, or what was typed before a refusal
	EditStanceOptions  template.HTML // with the stance selected
	EditOpen, HideOpen bool          // the form is shown open, after a refusal
	HideReason         string        // what was typed before a refusal
}

// threadForms is what the forms under every thread share. Back is the
// anchor of the section page the forms are on, empty on the overview, so
// that after posting the person lands where they were.
type threadForms struct {
	Segment, HeadID, CSRF, Back  string
	StanceOptions, StatusOptions template.HTML
	userID                       string
	editable, moderates          bool
	draft                        *formDraft // what a refused form had, to show again
	placed                       bool       // the draft found its comment on the page
}

// formDraft is what the person typed into a comment's edit or hide form
// when the change was refused, so that it is shown again, not lost.
type formDraft struct {
	CommentID string
	Action    string // "edit" or "hide"
	Body      string // the edit's text, or the hide's reason
	Stance    workflow.Stance
}

// The <option>s of the stance and response menus are the same under every
// thread, so they are rendered (and escaped) once.
var stanceOptions, statusOptions = renderOptions(stances), renderOptions(statuses)

// editStanceOptions are the stance menus of the edit forms, one for each
// stance selected.
var editStanceOptions = func() map[workflow.Stance]template.HTML {
	t := template.Must(template.New("options").Funcs(funcs).Parse(
		`{{range .Values}}<option value="{{.}}"{{if eq . $.Selected}} selected{{end}}>{{label .}}</option>{{end}}`))
	m := map[workflow.Stance]template.HTML{}
	for _, s := range stances {
		var sb strings.Builder
		if err := t.Execute(&sb, map[string]any{"Values": stances, "Selected": s}); err != nil {
			panic(err)
		}
		m[s] = template.HTML(sb.String()) //nolint:gosec // the output of html/template, escaped there
	}
	return m
}()

func renderOptions[T ~string](values []T) template.HTML {
	t := template.Must(template.New("options").Funcs(funcs).Parse(`{{range .}}<option value="{{.}}">{{label .}}</option>{{end}}`))
	var sb strings.Builder
	if err := t.Execute(&sb, values); err != nil {
		panic(err)
	}
	return template.HTML(sb.String()) //nolint:gosec // the output of html/template, escaped there
}

func (f *threadForms) view(c workflow.Comment, top, replyForm, responseForm bool) commentView {
	v := commentView{ID: c.ID, Section: c.Section, AuthorName: c.AuthorName, Stance: c.Stance, Body: c.Body, HiddenReason: c.HiddenReason,
		Edited: c.Edited, Deleted: c.Deleted, Hidden: c.Hidden, Response: c.Response, Forms: f, RoleLabel: words(string(c.AuthorRole)), StanceLabel: words(string(c.Stance)),
		Created: date(c.CreatedAt), CreatedISO: c.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"),
		ReplyForm: top && replyForm, ResponseForm: top && responseForm}
	if r := c.Response; r != nil {
		v.ResponseLabel, v.Answered = words(string(r.Status)), date(r.At)
	}
	v.Version = c.Version
	v.EditForm = f.editable && !c.Deleted && c.AuthorID == f.userID
	v.HideForm = f.moderates && !c.Hidden && !c.Deleted
	if v.EditForm {
		v.EditBody, v.EditStanceOptions = c.Body, editStanceOptions[c.Stance]
	}
	if d := f.draft; d != nil && d.CommentID == c.ID {
		switch {
		case d.Action == "edit" && v.EditForm:
			v.EditBody, v.EditOpen, f.placed = d.Body, true, true
			if o, ok := editStanceOptions[d.Stance]; ok {
				v.EditStanceOptions = o
			}
		case d.Action == "hide" && v.HideForm:
			v.HideReason, v.HideOpen, f.placed = d.Body, true, true
		}
	}
	if len(c.Replies) > 0 {
		v.Thread = make([]commentView, len(c.Replies))
		for i, r := range c.Replies {
			v.Thread[i] = f.view(r, false, false, false)
		}
	}
	return v
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
	Section      *sectionView  // on a section's own page, the one section
	Shown        []sectionView // the sections on the page: all, or that one
	Comments     int
	Unanswered   int
	Transitions  []workflow.PermittedTrigger
	Documents    []workflow.Document
	Stances      []workflow.Stance
	Statuses     []workflow.ResponseStatus
	// Unsaved is the text of a refused edit or hide whose form is not on
	// the page any more (the comment was deleted, or comments closed),
	// shown for copying.
	Unsaved *formDraft
}

var (
	stances  = []workflow.Stance{workflow.StanceSuggestion, workflow.StanceSupport, workflow.StanceConcern, workflow.StanceQuestion}
	statuses = []workflow.ResponseStatus{workflow.ResponseAccepted, workflow.ResponsePartiallyAccepted, workflow.ResponseRejected, workflow.ResponseNoted}
	notices  = map[string]string{
		"comment":    "Your comment is posted.",
		"response":   "The response is saved.",
		"transition": "Done: the state has changed.",
		"closed":     "The consultation is closed.",
		"edited":     "Your comment is saved.",
		"deleted":    "Your comment is deleted.",
		"hidden":     "The comment is hidden.",
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

// loadDeliverable gathers the page of a deliverable: the overview, or with
// only set the page of that one section (an anchor the revision lacks is
// not_found).
func (h *Handler) loadDeliverable(c *call, kind workflow.Kind, id string, only *string, draft *formDraft) (deliverableView, error) {
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
		if only != nil {
			return v, workflow.Errorf(workflow.CodeNotFound, "no revision")
		}
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
	v.CanComment = v.Open && v.Head.State == workflow.StateStakeholderReview && p.Commenting(d) == nil
	index := map[string]int{}
	for i, s := range sections {
		index[s.Anchor] = i
		v.Sections = append(v.Sections, sectionView{Section: s})
	}
	// sectionOf places a thread: a section gone from the text still shows,
	// under the general one.
	sectionOf := func(anchor string) int {
		if i, ok := index[anchor]; ok {
			return i
		}
		return index[workflow.GeneralSection]
	}
	if only != nil {
		i, ok := index[*only]
		if !ok {
			return v, workflow.Errorf(workflow.CodeNotFound, "no section %q", *only)
		}
		v.Section = &v.Sections[i]
		v.Shown = v.Sections[i : i+1]
	} else {
		v.Shown = v.Sections
	}
	// Only what the page shows is read: the overview's most recent threads
	// of each section, or all of one section's.
	q := workflow.ThreadQuery{PerSection: overviewThreads}
	if v.Section != nil {
		q = workflow.ThreadQuery{Section: v.Section.Anchor}
	}
	var set workflow.ThreadSet
	if v.Consultation != nil {
		if set, err = h.cfg.Store.CommentThreads(ctx, kind, id, v.Head.Revision, p, q); err != nil {
			return v, err
		}
	}
	threads := set.Threads
	for anchor, t := range set.Sections {
		s := &v.Sections[sectionOf(anchor)]
		s.ThreadN += t.Threads
		s.CommentN += t.Comments
		s.Unanswered += t.Unanswered
		v.Comments += t.Comments
		v.Unanswered += t.Unanswered
		if _, known := index[anchor]; !known && v.Section == s {
			more, err := h.cfg.Store.CommentThreads(ctx, kind, id, v.Head.Revision, p, workflow.ThreadQuery{Section: anchor})
			if err != nil {
				return v, err
			}
			threads = append(threads, more.Threads...)
		}
	}
	if len(threads) > len(set.Threads) {
		slices.SortStableFunc(threads, func(a, b workflow.Comment) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
		})
	}
	for _, t := range threads {
		s := &v.Sections[sectionOf(t.Section)]
		s.all = append(s.all, t)
	}
	forms := &threadForms{Segment: v.Segment, HeadID: v.Head.ID, CSRF: c.csrf, StanceOptions: stanceOptions, StatusOptions: statusOptions,
		userID: p.User.ID, editable: v.Open && v.Head.State == workflow.StateStakeholderReview, moderates: p.Moderating(d) == nil, draft: draft}
	if v.Section != nil {
		forms.Back = v.Section.Anchor
	}
	responseForms := v.CanAnswer && v.Head.State == workflow.StateStakeholderReview
	for i := range v.Sections {
		s := &v.Sections[i]
		shown := s.all
		if v.Section == nil {
			shown = shown[max(0, len(shown)-overviewThreads):]
		} else if v.Section != s {
			continue
		}
		s.Threads = make([]commentView, len(shown))
		for j, t := range shown {
			s.Threads[j] = forms.view(t, true, v.CanComment, responseForms)
		}
		s.all = nil
	}
	if draft != nil && !forms.placed && draft.Body != "" {
		v.Unsaved = draft
	}
	return v, nil
}

// showDeliverable renders the page, with an error from a form above it.
// The page is the one the person was on: a section's page when the URL
// (for a GET) or the form (field back) names a section, else the overview.
func (h *Handler) showDeliverable(c *call, kind workflow.Kind, id string, status int, formErr error) error {
	return h.showDeliverableDraft(c, kind, id, status, formErr, nil)
}

// showDeliverableDraft is showDeliverable after a refused edit or hide of
// a comment: the form shows again, open, with what the person typed.
func (h *Handler) showDeliverableDraft(c *call, kind workflow.Kind, id string, status int, formErr error, draft *formDraft) error {
	only := pageSection(c)
	v, err := h.loadDeliverable(c, kind, id, only, draft)
	if err != nil {
		return err
	}
	page := view{Title: v.Head.Title, Data: v, Notice: notices[c.r.URL.Query().Get("done")]}
	if v.Section != nil {
		page.Title = v.Section.Title + " · " + v.Head.Title
	}
	switch {
	case errors.Is(formErr, errTooFast):
		page.Error = strings.TrimPrefix(formErr.Error(), errTooFast.Error()+": ")
	case formErr != nil:
		var ev view
		status, ev = h.describe(c, formErr)
		page.Error, page.Details = ev.Error, ev.Details
		if draft != nil && workflow.ErrorCode(formErr) == workflow.CodePreconditionFailed {
			page.Error = "This comment was changed since you opened the form (maybe in another tab), so your change was not saved. " +
				"The comment now shows its current text; what you typed is kept in the form: check it and send it again."
			if v.Unsaved != nil {
				page.Error = "This comment was changed since you opened the form, so your change was not saved. What you typed is shown below."
			}
		}
	}
	h.render(c, status, "deliverable", page)
	return nil
}

// pageSection is the anchor of the section page asked for, or nil for the
// overview. A GET's ?section= (even empty) asks for one; a form asks by
// its field back.
func pageSection(c *call) *string {
	if c.r.Method == http.MethodGet || c.r.Method == http.MethodHead {
		q := c.r.URL.Query()
		if !q.Has("section") {
			return nil
		}
		s := q.Get("section")
		return &s
	}
	if s := c.r.PostForm.Get("back"); s != "" {
		return &s
	}
	return nil
}

// pageURL is where a form sends the person back to: the section page they
// were on, or the overview, with the notice and the comment to show.
func pageURL(c *call, kind workflow.Kind, id, done, commentID string) string {
	q := url.Values{}
	if s := pageSection(c); s != nil {
		q.Set("section", *s)
	}
	q.Set("done", done)
	u := fmt.Sprintf("/ui/%s/%s?%s", segment(kind), id, q.Encode())
	if commentID != "" {
		u += "#c-" + commentID
	}
	return u
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
		if err := h.limitComments(c); err != nil {
			return h.showDeliverable(c, kind, id, http.StatusTooManyRequests, err)
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
		http.Redirect(c.w, c.r, pageURL(c, kind, id, "comment", cm.ID), http.StatusSeeOther)
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
	http.Redirect(c.w, c.r, pageURL(c, cm.Kind, cm.DeliverableID, "response", cm.ID), http.StatusSeeOther)
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
