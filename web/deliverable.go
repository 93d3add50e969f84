package web

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/craftscode/craftscode/locale"
	"github.com/craftscode/craftscode/workflow"
)

// readingRoutes registers the reading page's own pages: the confirmation
// of a transition, the documents, the history. The reading page itself and
// the comment forms are registered in New.
func (h *Handler) readingRoutes(m *http.ServeMux) {
	for seg, kind := range kinds {
		m.Handle("GET /ui/"+seg+"/{id}/transitions/{trigger}", h.page(true, h.confirmTransition(kind)))
		m.Handle("POST /ui/"+seg+"/{id}/transitions/{trigger}", h.page(true, h.fireNamedTransition(kind)))
		m.Handle("GET /ui/"+seg+"/{id}/consultation/close", h.page(true, h.confirmClose(kind)))
		m.Handle("POST /ui/"+seg+"/{id}/documents", h.page(true, h.requestDocument(kind)))
		m.Handle("GET /ui/"+seg+"/{id}/history", h.page(true, h.history(kind)))
		m.Handle("GET /ui/"+seg+"/{id}/unanswered", h.page(true, h.unanswered(kind)))
	}
}

// overviewThreads is how many threads the overview shows beside each
// section: the most recent ones, so that a comment posted from the
// overview is there after the redirect, and a returning reader sees
// what is new. The rest are a link away, on the section's own page; a
// consultation of thousands of comments would otherwise make a page of
// megabytes.
const overviewThreads = 5

// sectionPageThreads is how many threads a page of one section shows: a
// section of 250 threads made a page of half a megabyte in one piece, and
// 40 keeps the owner's page, with its response forms, under 200 KB.
const sectionPageThreads = 40

// sectionView is one section of the revision with the threads pinned to
// it that the page shows.
type sectionView struct {
	workflow.Section
	Key   string // the anchor as it goes into ids: letters, digits, - and _
	Intro string // what the page says of the section, in the page's language
	Label string // in an action's card, the part's name
	// TitlePrefix is the page's words before a title people wrote
	// ("Action 2", "Recommendation 1"); Title is then theirs.
	TitlePrefix string
	TitleLang   string        // the title's language, when it is the content's (an action's title)
	Lang        string        // the language of the text
	Threads     []commentView // shown, oldest first
	all         []workflow.Comment
	ThreadN     int // threads on the section, shown or not
	CommentN    int // comments and replies on the section
	Unanswered  int
	// DraftBody is the new comment typed on the section before a refusal:
	// its form shows open with it.
	DraftBody string
	// Suggests: the section takes suggested wording, and its comment form
	// asks for it; DraftSuggestion and DraftSuggestionOf are what was typed.
	Suggests                           bool
	DraftSuggestion, DraftSuggestionOf string
	// Aside tells whether the section has a comment column: not when
	// comments are closed and there are none, so the text takes the width.
	Aside bool
	// PrevThreads counts the previous revision's threads on the section,
	// which the diff page shows beside what changed.
	PrevThreads int
}

// Name is the section's whole name in the page's language, for labels:
// "Action 2 – Craft hubs: Background".
func (s *sectionView) Name() string {
	n := s.Title
	if s.TitlePrefix != "" {
		n = s.TitlePrefix + " – " + n
	}
	if s.Label != "" {
		n += ": " + s.Label
	}
	return n
}

// sectionLabel is a section's whole name in the page's language, as a
// list names it: "Action 2 – Craft hubs: Players involved".
func sectionLabel(c *call, s workflow.Section) string {
	sv := sectionView{Section: s}
	sv.TitlePrefix, sv.Title, _ = sectionTitle(c, s)
	if _, part, ok := actionOf(s.Anchor); ok && part != "" {
		sv.Label = partLabel(c, part)
	}
	return sv.Name()
}

// More tells the overview to link to the section's page for the threads
// it leaves out.
func (s *sectionView) More() bool { return s.ThreadN > len(s.Threads) }

// groupView is one card of the page: a section of its own, or an action
// with its parts (background, description, players…) inside.
type groupView struct {
	Anchor, Key, Title string
	TitlePrefix        string         // the page's words before Title ("Action 2")
	TitleLang          string         // set when the title is the content's
	Head               *sectionView   // the card's own section (comments on the whole action)
	Parts              []*sectionView // an action's parts, as a definition list
	CommentN           int
}

// commentView is a comment as the page shows it, with its labels, dates
// and which forms go under it worked out here: in the template, each of
// those was a call through reflection, and with 5,000 comments they made
// most of the page's time. The comment's fields are copied rather than
// embedded because the template finds an embedded field by a slow search,
// on every use.
type commentView struct {
	ID, Section, AuthorName, Org string
	Stance                       workflow.Stance
	Body, HiddenReason           string
	Edited, Deleted, Hidden      bool
	Version                      int
	Response                     *workflow.Response
	Forms                        *threadForms
	RoleLabel, StanceLabel       string
	Created                      when
	ResponseLabel                string        // the response's status, if there is one
	Answered                     when          // and its date
	Thread                       []commentView // the replies
	ReplyForm, ResponseForm      bool          // top-level comments only
	// EditForm (edit and delete) shows to the author while comments are
	// taken, HideForm to the coordinator; the store decides either way.
	EditForm, HideForm bool
	// On the overview the forms are a link away, on the section's page:
	// Link is the comment there, and the flags say which forms it has.
	Link, LinkText                             string
	LinkReply, LinkRespond, LinkEdit, LinkHide bool
	EditBody                                   string        // the form's text: the comment's, or what was typed before a refusal
	EditStanceOptions                          template.HTML // with the stance selected
	EditOpen, HideOpen                         bool          // the form is shown open, after a refusal
	HideReason                                 string        // what was typed before a refusal
	// ReplyBody and ResponseBody are what was typed in the reply or the
	// response form before a refusal; the form then shows open.
	ReplyBody, ResponseBody string
	ReplyOpen               bool
	// EditedAfterResponse: the author changed the text after the formal
	// response, which answered AnsweredBody; the page shows both.
	EditedAfterResponse bool
	AnsweredBody        string
	CarriedFrom         int // the revision a carried thread began on
	// Suggested is the comment's suggested wording as the page says it
	// (the words replaced in <del>, the new ones in <ins>), Applied who
	// applied it to a draft; Suggests tells the edit form to ask for it.
	Suggested, Applied               template.HTML
	AppliedAt                        when
	Suggests                         bool
	EditSuggestion, EditSuggestionOf string
}

// threadForms is what the forms under every thread share. Back is the
// anchor of the section page the forms are on, empty on the overview, so
// that after posting the person lands where they were.
type threadForms struct {
	Segment, HeadID, CSRF, Back  string
	Page                         int // the section page's page, for the forms to come back to
	StanceOptions, StatusOptions template.HTML
	menus                        *menus
	dates                        *dates
	loc                          *locale.Localizer
	labels                       map[string]string // code → words, for this page
	links                        map[[5]bool]string
	orgs                         map[string]string // author → organisation
	userID                       string
	editable, moderates          bool
	overview                     bool // the forms are on the section's page
	kind                         workflow.Kind
	draft                        *formDraft // what a refused form had, to show again
	placed                       bool       // the draft found its comment on the page
}

// label is a code's words in the page's language, looked up once a page.
// stanceLabel names a comment's stance; a reply may have none.
func (f *threadForms) stanceLabel(s workflow.Stance) string {
	if s == "" {
		return ""
	}
	return f.label(string(s))
}

func (f *threadForms) label(code string) string {
	if s, ok := f.labels[code]; ok {
		return s
	}
	s := f.loc.MustT(codeKey(code))
	f.labels[code] = s
	return s
}

// linkText names the forms a comment has on its section's page, for the
// overview's link there: "Respond · Reply", "Edit or delete"… Worked out
// once a page for each combination.
func (f *threadForms) linkText(respond, answered, reply, edit, hide bool) string {
	key := [5]bool{respond, answered, reply, edit, hide}
	if s, ok := f.links[key]; ok {
		return s
	}
	var parts []string
	switch {
	case respond && answered:
		parts = append(parts, f.loc.MustT("thread.change_response"))
	case respond:
		parts = append(parts, f.loc.MustT("thread.respond"))
	}
	if reply {
		parts = append(parts, f.loc.MustT("thread.reply"))
	}
	if edit {
		parts = append(parts, f.loc.MustT("thread.edit_delete"))
	}
	if hide {
		parts = append(parts, f.loc.MustT("thread.hide"))
	}
	s := strings.Join(parts, " · ")
	f.links[key] = s
	return s
}

// formDraft is what the person typed into a comment form of the page
// when the change was refused, so that it is shown again, not lost.
type formDraft struct {
	CommentID string
	// Action is "edit", "hide", "respond" (CommentID's forms), "reply"
	// (under ParentID) or "comment" (a new one on Section).
	Action   string
	Section  string
	ParentID string
	Body     string // the edit's text, or the hide's reason
	Stance   workflow.Stance
	// Suggestion and SuggestionOf are the suggested wording typed into a
	// new comment's or an edit's form.
	Suggestion, SuggestionOf string
}

// menus are the <option>s of the stance and response menus, the same
// under every thread, rendered (and escaped) once per language.
type menus struct {
	stance, status template.HTML
	editStance     map[workflow.Stance]template.HTML // the edit forms', one for each stance selected
}

var menuCache sync.Map // language → *menus

func menusFor(loc *locale.Localizer) *menus {
	if m, ok := menuCache.Load(loc.Lang()); ok {
		return m.(*menus)
	}
	options := func(values []string, selected string) template.HTML {
		var sb strings.Builder
		for _, v := range values {
			sb.WriteString(`<option value="`)
			sb.WriteString(template.HTMLEscapeString(v))
			sb.WriteByte('"')
			if v == selected {
				sb.WriteString(" selected")
			}
			sb.WriteByte('>')
			sb.WriteString(template.HTMLEscapeString(loc.MustT(codeKey(v))))
			sb.WriteString("</option>")
		}
		return template.HTML(sb.String()) //nolint:gosec // escaped above
	}
	st := make([]string, len(stances))
	for i, s := range stances {
		st[i] = string(s)
	}
	ss := make([]string, len(statuses))
	for i, s := range statuses {
		ss[i] = string(s)
	}
	choose := `<option value="">` + template.HTMLEscapeString(loc.MustT("reading.choose")) + `</option>`
	m := &menus{stance: options(st, ""), status: template.HTML(choose) + options(ss, ""), //nolint:gosec // escaped above
		editStance: map[workflow.Stance]template.HTML{}}
	for _, s := range stances {
		m.editStance[s] = options(st, string(s))
	}
	menuCache.Store(loc.Lang(), m)
	return m
}

func (f *threadForms) view(c workflow.Comment, top, replyForm, responseForm bool) commentView {
	v := commentView{ID: c.ID, Section: c.Section, AuthorName: c.AuthorName, Org: f.orgs[c.AuthorID], Stance: c.Stance, Body: c.Body, HiddenReason: c.HiddenReason,
		Edited: c.Edited, Deleted: c.Deleted, Hidden: c.Hidden, Response: c.Response, Forms: f, RoleLabel: f.label(string(c.AuthorRole)), StanceLabel: f.stanceLabel(c.Stance),
		Created: f.dates.at(c.CreatedAt), ReplyForm: top && replyForm, ResponseForm: top && responseForm}
	if r := c.Response; r != nil {
		v.ResponseLabel, v.Answered = f.label(string(r.Status)), f.dates.at(r.At)
		v.EditedAfterResponse, v.AnsweredBody = c.EditedAfterResponse, r.AnsweredBody
	}
	v.CarriedFrom = c.CarriedFrom
	v.Version = c.Version
	if s := c.Suggestion; s != nil && !c.Deleted {
		v.Suggested = suggestedHTML(f.loc, *s)
		if a := s.Applied; a != nil {
			v.Applied, v.AppliedAt = template.HTML(template.HTMLEscapeString(f.loc.MustT("thread.suggestion_applied", "Name", a.ByName, "Version", a.Version))), f.dates.at(a.At) //nolint:gosec // escaped
		}
	}
	v.EditForm = f.editable && !c.Deleted && c.AuthorID == f.userID
	v.HideForm = f.moderates && !c.Hidden && !c.Deleted
	if v.EditForm {
		v.EditBody, v.EditStanceOptions = c.Body, f.menus.editStance[c.Stance]
		v.Suggests = top && workflow.TakesSuggestion(f.kind, c.Section)
		if s := c.Suggestion; s != nil {
			v.EditSuggestion, v.EditSuggestionOf = s.Text, s.Of
		}
	}
	if d := f.draft; d != nil && d.CommentID == c.ID {
		switch {
		case d.Action == "edit" && v.EditForm:
			v.EditBody, v.EditOpen, f.placed = d.Body, true, true
			v.EditSuggestion, v.EditSuggestionOf = d.Suggestion, d.SuggestionOf
			if o, ok := f.menus.editStance[d.Stance]; ok {
				v.EditStanceOptions = o
			}
		case d.Action == "hide" && v.HideForm:
			v.HideReason, v.HideOpen, f.placed = d.Body, true, true
		case d.Action == "respond" && v.ResponseForm:
			v.ResponseBody, f.placed = d.Body, true
		}
	}
	if d := f.draft; d != nil && d.Action == "reply" && d.ParentID == c.ID && v.ReplyForm {
		v.ReplyBody, v.ReplyOpen, f.placed = d.Body, true, true
	}
	if f.overview {
		v.LinkReply, v.LinkRespond, v.LinkEdit, v.LinkHide = v.ReplyForm, v.ResponseForm, v.EditForm, v.HideForm
		v.ReplyForm, v.ResponseForm, v.EditForm, v.HideForm = false, false, false, false
		if v.LinkReply || v.LinkRespond || v.LinkEdit || v.LinkHide {
			v.Link = "?section=" + url.QueryEscape(c.Section) + "#c-" + c.ID
			// Edited after its response, the comment waits for a new one.
			v.LinkText = f.linkText(v.LinkRespond, v.Response != nil && !v.EditedAfterResponse, v.LinkReply, v.LinkEdit, v.LinkHide)
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
	// On a section's page, its threads are paged (sectionPageThreads a
	// page, oldest first): Page of Pages, with the neighbours (0: none).
	Page, Pages, PrevPage, NextPage int
	Kind                            workflow.Kind
	Segment                         string
	Head                            workflow.Head
	Lang                            string // the content's language
	Submitted                       bool   // there is a frozen revision to read
	Consultation                    *workflow.Consultation
	Deadline                        when
	ClosedAt                        when
	Open                            bool // comments are taken now
	CanComment                      bool
	CanAnswer                       bool
	CanClose                        bool // the owner or the coordinator, while comments are taken
	CanEdit                         bool // a draft the caller may edit
	CheckSubmit                     bool // a draft the caller may edit but not submit yet: link to what it lacks
	Panel                           string
	Sections                        []sectionView
	Groups                          []groupView  // the cards on the page
	Section                         *sectionView // on a section's own page, the one section
	Comments                        int
	Unanswered                      int
	// FirstUnanswered is where the first comment without a response is:
	// an anchor on this page, or a section's page.
	FirstUnanswered string
	// Pending counts the accepted suggestions waiting for this draft, for
	// the link to the page that applies them.
	Pending       int
	Transitions   []workflow.PermittedTrigger
	Documents     documentsView
	StanceOptions template.HTML // the comment forms' menu
	// Unsaved is the text of a refused edit or hide whose form is not on
	// the page any more (the comment was deleted, or comments closed),
	// shown for copying.
	Unsaved *formDraft
	// DiffFrom is the revision before this one, whose diff the page links
	// to; 0 on a first revision.
	DiffFrom int
}

var (
	stances  = []workflow.Stance{workflow.StanceSuggestion, workflow.StanceSupport, workflow.StanceConcern, workflow.StanceQuestion}
	statuses = []workflow.ResponseStatus{workflow.ResponseAccepted, workflow.ResponsePartiallyAccepted, workflow.ResponseRejected, workflow.ResponseNoted}
)

// notice is the message a redirect's ?done= asks for.
func notice(c *call) string {
	switch c.r.URL.Query().Get("done") {
	case "comment":
		return c.T("reading.notice.comment")
	case "response":
		return c.T("reading.notice.response")
	case "transition":
		return c.T("reading.notice.transition")
	case "closed":
		return c.T("reading.notice.closed")
	case "edited":
		return c.T("reading.notice.edited")
	case "deleted":
		return c.T("reading.notice.deleted")
	case "hidden":
		return c.T("reading.notice.hidden")
	case "document":
		return c.T("reading.notice.document")
	case "applied":
		return c.T("reading.notice.applied")
	}
	return ""
}

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

// contentLang is the language the deliverable is written in.
func contentLang(d workflow.Deliverable) string { return d.Language() }

// panelHeading names the viewer's role in the heading of the panel of
// what they may do.
func panelHeading(c *call, d workflow.Deliverable) string {
	p := *c.principal
	if p.User.Admin {
		return c.T("reading.panel.coordinator")
	}
	m, _ := p.Membership(d.Head().ProjectID)
	switch {
	case m.Role == workflow.RoleCoordinator:
		return c.T("reading.panel.coordinator")
	case m.Role == workflow.RoleSecretariat:
		return c.T("reading.panel.secretariat")
	case m.Role == workflow.RolePartner && p.Actor(d).Owner:
		return c.T("reading.panel.owner")
	case m.Role == workflow.RolePartner:
		return c.T("reading.panel.partner")
	}
	return c.T("reading.panel.other")
}

// sectionTitle is the section's heading in the page's language, and true;
// for titles made of what people wrote (an action's, a recommendation's),
// the page's words before it ("Action 2") and their title, with false.
func sectionTitle(c *call, s workflow.Section) (prefix, title string, ours bool) {
	if key, ok := sectionKeys[s.Anchor]; ok {
		return "", c.T(key), true
	}
	var legend, rest string
	switch {
	case strings.HasPrefix(s.Anchor, "part3.action."):
		legend, rest = "edit.action.legend", strings.TrimPrefix(s.Anchor, "part3.action.")
	case strings.HasPrefix(s.Anchor, "recommendation."):
		legend, rest = "edit.rec.legend", strings.TrimPrefix(s.Anchor, "recommendation.")
	default:
		return "", s.Title, false
	}
	num, _, _ := strings.Cut(rest, ".")
	n, err := strconv.Atoi(num)
	if err != nil {
		return "", s.Title, false
	}
	// A part's name is its card's Label.
	return c.T(legend, "Number", n), s.Name, false
}

// sectionKeys are the catalog's names of the sections whose titles are
// the page's own words.
var sectionKeys = map[string]string{
	workflow.GeneralSection:  "reading.section.general",
	"summary_en":             "reading.section.summary_en",
	"part1.general":          "reading.section.part1",
	"part2.policy_context":   "reading.section.part2",
	"visit":                  "reading.section.visit",
	"findings":               "reading.section.findings",
	"location":               "reading.section.location",
	"summary":                "reading.section.summary",
	"description":            "reading.section.description",
	"resources_needed":       "reading.section.resources_needed",
	"timescale":              "reading.section.timescale",
	"evidence_of_success":    "reading.section.evidence_of_success",
	"potential_for_learning": "reading.section.potential_for_learning",
	"main_institution":       "reading.section.main_institution",
}

// partLabel names a part of an action (its anchor's last word).
func partLabel(c *call, part string) string {
	switch part {
	case "background":
		return c.T("reading.part.background")
	case "description":
		return c.T("reading.part.description")
	case "players":
		return c.T("reading.part.players")
	case "timeframe":
		return c.T("reading.part.timeframe")
	case "costs":
		return c.T("reading.part.costs")
	case "funding_sources":
		return c.T("reading.part.funding_sources")
	}
	return part
}

// planIntros words an action plan's first two parts in the page's
// language: the revision's section texts put its partner, contacts and
// policy instrument in English words. The section keeps only what the
// author wrote.
func planIntros(c *call, snapshot []byte, sections []workflow.Section) (map[string]string, error) {
	var snap struct {
		Partner    struct{ Name string } `json:"partner"`
		Instrument struct{ Name string } `json:"policy_instrument"`
		Content    workflow.ActionPlan   `json:"content"`
	}
	if err := json.Unmarshal(snapshot, &snap); err != nil {
		return nil, fmt.Errorf("web: the revision's snapshot: %w", err)
	}
	p := snap.Content
	intros := map[string]string{"part1.general": c.T("reading.intro.part1", "Partner", snap.Partner.Name,
		"Others", p.OtherOrganisations, "Contact", p.ContactName)}
	if snap.Instrument.Name != "" {
		intros["part2.policy_context"] = c.T("reading.intro.instrument", "Name", snap.Instrument.Name)
	}
	for i := range sections {
		switch sections[i].Anchor {
		case "part1.general":
			sections[i].Text = ""
		case "part2.policy_context":
			sections[i].Text = strings.TrimSpace(p.PolicyContext)
		}
	}
	return intros, nil
}

// trimLines drops the spaces at the ends of a text's lines, which the page
// shows as they are.
func trimLines(s string) string {
	if !strings.Contains(s, " \n") && !strings.HasSuffix(s, " ") {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n")
}

// idKey is an anchor made fit for an id: part3.action.2.players is
// part3-action-2-players.
func idKey(anchor string) string { return strings.ReplaceAll(anchor, ".", "-") }

// actionOf splits an action's part anchor: part3.action.2.players is
// part3.action.2 and players; part3.action.2 is itself with no part.
func actionOf(anchor string) (base, part string, ok bool) {
	if !strings.HasPrefix(anchor, "part3.action.") {
		return "", "", false
	}
	rest := strings.TrimPrefix(anchor, "part3.action.")
	num, part, _ := strings.Cut(rest, ".")
	return "part3.action." + num, part, true
}

// group makes the cards of the sections shown: an action and its parts
// are one card.
func group(c *call, shown []*sectionView, all []sectionView) []groupView {
	var out []groupView
	byBase := map[string]int{}
	for _, s := range shown {
		base, part, ok := actionOf(s.Anchor)
		if !ok {
			out = append(out, groupView{Anchor: s.Anchor, Key: s.Key, Title: s.Title, TitlePrefix: s.TitlePrefix, TitleLang: s.TitleLang, Head: s, CommentN: s.CommentN})
			continue
		}
		i, seen := byBase[base]
		if !seen {
			title, prefix, lang := base, "", ""
			for j := range all {
				if all[j].Anchor == base {
					title, prefix, lang = all[j].Title, all[j].TitlePrefix, all[j].TitleLang
				}
			}
			out = append(out, groupView{Anchor: base, Key: idKey(base), Title: title, TitlePrefix: prefix, TitleLang: lang})
			i = len(out) - 1
			byBase[base] = i
		}
		g := &out[i]
		g.CommentN += s.CommentN
		if part == "" {
			g.Head = s
			continue
		}
		s.Label = partLabel(c, part)
		g.Parts = append(g.Parts, s)
	}
	return out
}

// organisations maps the project's people to their organisation: their
// partner's name, or their stakeholder group's. Three reads a page,
// whatever the number of comments.
func (h *Handler) organisations(c *call, projectID string) (map[string]string, error) {
	ctx := c.r.Context()
	partners, err := allPages(func(p workflow.Page) ([]workflow.Partner, string, error) {
		return h.cfg.Store.ListPartners(ctx, projectID, p)
	})
	if err != nil {
		return nil, err
	}
	groups, err := allPages(func(p workflow.Page) ([]workflow.StakeholderGroup, string, error) {
		return h.cfg.Store.ListStakeholderGroups(ctx, projectID, p)
	})
	if err != nil {
		return nil, err
	}
	members, err := allPages(func(p workflow.Page) ([]workflow.Membership, string, error) {
		return h.cfg.Store.ListMemberships(ctx, projectID, p)
	})
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, p := range partners {
		names[p.ID] = p.Name
	}
	for _, g := range groups {
		names[g.ID] = g.Name
	}
	orgs := map[string]string{}
	for _, m := range members {
		if n := names[cmp.Or(m.PartnerID, m.StakeholderGroupID)]; n != "" {
			orgs[m.UserID] = n
		}
	}
	return orgs, nil
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
	now := time.Now()
	dt := c.dates(now)
	v := deliverableView{Kind: kind, Segment: segment(kind), Head: d.Head(), Lang: contentLang(d)}
	v.CanAnswer = p.Answering(d) == nil
	if v.Transitions, d, err = h.cfg.Store.PermittedTransitions(ctx, kind, id, p); err != nil {
		return v, err
	}
	v.Head = d.Head()
	v.Panel = panelHeading(c, d)
	v.CanEdit = v.Head.State == workflow.StateDraft && p.EditDeliverable(d) == nil
	v.CheckSubmit = v.CanEdit && !slices.ContainsFunc(v.Transitions, func(t workflow.PermittedTrigger) bool { return t.Trigger == workflow.TriggerSubmit })
	if only == nil {
		if v.Pending, err = h.pendingCount(c, kind, d); err != nil {
			return v, err
		}
	}
	if only == nil {
		if v.Documents, err = h.loadDocuments(c, kind, d, dt, nil); err != nil {
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
	var intros map[string]string
	if kind == workflow.KindActionPlan {
		if intros, err = planIntros(c, rev.Snapshot, sections); err != nil {
			return v, err
		}
	}
	cons, err := h.cfg.Store.Consultation(ctx, kind, id, v.Head.Revision, p)
	switch {
	case err == nil:
		v.Consultation = &cons
		v.Open = cons.Open(now)
		v.Deadline = dt.atRel(cons.Deadline)
		if cons.ClosedAt != nil {
			v.ClosedAt = dt.atRel(*cons.ClosedAt)
		}
	case workflow.ErrorCode(err) != workflow.CodeNotFound:
		return v, err
	}
	v.CanComment = v.Open && v.Head.State == workflow.StateStakeholderReview && p.Commenting(d) == nil
	v.CanClose = v.CanAnswer && v.Open
	index := map[string]int{}
	for i, s := range sections {
		index[s.Anchor] = i
		s.Text = trimLines(s.Text)
		if s.Start != nil || s.End != nil { // a timeframe, a visit: the days in words
			s.Text = spanDay(dt, s.Start) + " – " + spanDay(dt, s.End)
		}
		sv := sectionView{Section: s, Key: idKey(s.Anchor), Lang: v.Lang, Intro: trimLines(intros[s.Anchor]),
			Suggests: workflow.TakesSuggestion(kind, s.Anchor)}
		var ours bool
		if sv.TitlePrefix, sv.Title, ours = sectionTitle(c, s); !ours {
			sv.TitleLang = v.Lang // what the author wrote: an action's, a recommendation's title
		}
		if s.Anchor == "summary_en" {
			sv.Lang = "en"
		}
		if s.Start != nil || s.End != nil {
			sv.Lang = c.loc.Lang() // the days are in the page's words
		}
		v.Sections = append(v.Sections, sv)
	}
	if v.Head.Revision > 1 {
		// The previous revision's threads, counted by section in one
		// query: each section with some links to what changed.
		v.DiffFrom = v.Head.Revision - 1
		prev, err := h.cfg.Store.CommentThreads(ctx, kind, id, v.DiffFrom, p, workflow.ThreadQuery{TalliesOnly: true})
		if err != nil {
			return v, err
		}
		for anchor, t := range prev.Sections {
			if i, ok := index[anchor]; ok {
				v.Sections[i].PrevThreads = t.Threads
			}
		}
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
	}
	// Only what the page shows is read: the overview's most recent threads
	// of each section, or all of one section's.
	q := workflow.ThreadQuery{PerSection: overviewThreads}
	if v.Section != nil {
		q = workflow.ThreadQuery{Section: v.Section.Anchor}
	}
	var set workflow.ThreadSet
	var orgs map[string]string
	if v.Consultation != nil {
		if set, err = h.cfg.Store.CommentThreads(ctx, kind, id, v.Head.Revision, p, q); err != nil {
			return v, err
		}
		if len(set.Sections) > 0 {
			if orgs, err = h.organisations(c, v.Head.ProjectID); err != nil {
				return v, err
			}
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
	m := menusFor(c.loc)
	v.StanceOptions = m.stance
	forms := &threadForms{Segment: v.Segment, HeadID: v.Head.ID, CSRF: c.csrf, StanceOptions: m.stance, StatusOptions: m.status,
		menus: m, dates: dt, loc: c.loc, labels: map[string]string{}, links: map[[5]bool]string{}, orgs: orgs,
		kind: kind, userID: p.User.ID, editable: v.Open && v.Head.State == workflow.StateStakeholderReview, moderates: p.Moderating(d) == nil, draft: draft}
	if v.Section != nil {
		forms.Back = v.Section.Anchor
	} else {
		forms.overview = true
	}
	responseForms := v.CanAnswer && v.Head.State == workflow.StateStakeholderReview
	var shownPtrs []*sectionView
	for i := range v.Sections {
		s := &v.Sections[i]
		if v.Section != nil && v.Section != s {
			continue
		}
		shownPtrs = append(shownPtrs, s)
		s.Aside = s.CommentN > 0 || v.CanComment
		if d := draft; d != nil && d.Action == "comment" && d.Section == s.Anchor && v.CanComment {
			s.DraftBody, s.DraftSuggestion, s.DraftSuggestionOf, forms.placed = d.Body, d.Suggestion, d.SuggestionOf, true
		}
		shown := s.all
		if v.Section == nil {
			shown = shown[max(0, len(shown)-overviewThreads):]
		} else {
			v.Pages = max(1, (len(shown)+sectionPageThreads-1)/sectionPageThreads)
			v.Page = threadPage(c, v.Pages)
			if v.Page > 1 {
				v.PrevPage = v.Page - 1
			}
			if v.Page < v.Pages {
				v.NextPage = v.Page + 1
			}
			forms.Page = v.Page
			shown = shown[(v.Page-1)*sectionPageThreads : min(v.Page*sectionPageThreads, len(shown))]
		}
		s.Threads = make([]commentView, len(shown))
		for j, t := range shown {
			s.Threads[j] = forms.view(t, true, v.CanComment, responseForms)
			if v.FirstUnanswered == "" && v.CanAnswer && t.Response == nil && !t.Hidden && !t.Deleted {
				v.FirstUnanswered = "#c-" + t.ID
			}
		}
		if v.FirstUnanswered == "" && v.CanAnswer && s.Unanswered > 0 && v.Section == nil {
			v.FirstUnanswered = "?section=" + url.QueryEscape(s.Anchor)
		}
		s.all = nil
	}
	v.Groups = group(c, shownPtrs, v.Sections)
	if v.Section == nil {
		// A card with nothing to read or discuss (the document as a whole,
		// once comments are closed and none were made) is left out.
		v.Groups = slices.DeleteFunc(v.Groups, func(g groupView) bool {
			h := g.Head
			return len(g.Parts) == 0 && h != nil && h.Text == "" && h.Intro == "" && !h.Aside && h.PrevThreads == 0
		})
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

// showDeliverableDraft is showDeliverable after a refused form of the
// page (a new comment, a reply, a response, an edit or a hide): the form
// shows again, open, with what the person typed, or, when the form is not
// on the page, the text shows as "not saved".
func (h *Handler) showDeliverableDraft(c *call, kind workflow.Kind, id string, status int, formErr error, draft *formDraft) error {
	only := pageSection(c)
	v, err := h.loadDeliverable(c, kind, id, only, draft)
	if err != nil {
		return err
	}
	page := view{Title: v.Head.Title, Data: v, Notice: notice(c)}
	if v.Section != nil {
		page.Title = v.Section.Name() + " · " + v.Head.Title
	}
	switch {
	case errors.Is(formErr, errTooFast):
		page.Error = strings.TrimPrefix(formErr.Error(), errTooFast.Error()+": ")
	case formErr != nil:
		var ev view
		status, ev = h.describe(c, formErr)
		page.Error, page.Details = ev.Error, ev.Details
		if draft != nil && workflow.ErrorCode(formErr) == workflow.CodePreconditionFailed {
			page.Error = c.T("reading.comment_stale")
			if v.Unsaved != nil {
				page.Error = c.T("reading.comment_stale_unsaved")
			}
		}
	}
	h.render(c, status, "deliverables/read", page)
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

// threadPage is the page of a section's threads asked for (?page= on a
// GET, the form's page on a POST): a number, or "last", where a new
// comment lands. Past the end (threads deleted meanwhile) is the last page.
func threadPage(c *call, pages int) int {
	v := c.r.URL.Query().Get("page")
	if c.r.Method == http.MethodPost {
		v = c.r.PostForm.Get("page")
	}
	if v == "last" {
		return pages
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 1
	}
	return min(n, pages)
}

// pageURL is where a form sends the person back to: the section page (and
// page of it) they were on, or the overview, with the notice and the
// comment to show.
func pageURL(c *call, kind workflow.Kind, id, done, commentID string) string {
	q := url.Values{}
	if s := pageSection(c); s != nil {
		q.Set("section", *s)
		if p := c.r.PostForm.Get("page"); p != "" {
			q.Set("page", p)
		}
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

// errTooFast marks a comment refused by the rate limit.
var errTooFast = errors.New("too fast")

// spanDay is one end of a timeframe in words, "…" when it is open.
func spanDay(dt *dates, d *workflow.Date) string {
	if d == nil {
		return "…"
	}
	return dt.dayOf(d)
}
