package web

// Notifications: the inbox (/ui/notifications), the unread count in the
// menu, the mail settings on "My data" (#mail), and the unsubscribe link
// of the mail, which works without signing in.

import (
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/craftscode/craftscode/notify"
	"github.com/craftscode/craftscode/workflow"
)

func (h *Handler) notificationRoutes(m *http.ServeMux) {
	m.Handle("GET /ui/notifications", h.page(true, h.inbox))
	m.Handle("POST /ui/notifications/read", h.page(true, h.markAllRead))
	m.Handle("POST /ui/notifications/{id}/read", h.page(true, h.markRead))
	m.Handle("POST /ui/me/mail", h.page(true, h.saveMail))
	// The unsubscribe link's page asks for a click: mail scanners fetch
	// links, and a GET must change nothing.
	m.Handle("GET /ui/unsubscribe/{token}", h.page(false, h.unsubscribeForm))
	// The POST goes without a CSRF token: RFC 8058's one-click
	// unsubscribe comes from a mail client, without cookies or a form we
	// served. The signed token in the path is the authority, and it can
	// only turn mail off.
	m.Handle("POST /ui/unsubscribe/{token}", h.wrap(false, false, h.unsubscribe))
}

const noticesPerPage = 30

// noticeRow is one notification as the inbox shows it.
type noticeRow struct {
	Line              template.HTML // escaped, the title marked with its language
	ID, Path, Project string
	Unread            bool
	At                when
}

type inboxView struct {
	Notices []noticeRow
	After   string // the cursor of this page ("" on the first)
	Next    string // the cursor of the next, older page
}

func (h *Handler) inbox(c *call) error {
	after := c.r.URL.Query().Get("after")
	uid := c.principal.User.ID
	ns, next, err := h.cfg.Store.Notifications(c.r.Context(), uid, workflow.Page{Limit: noticesPerPage, After: after})
	if after != "" && workflow.ErrorCode(err) == workflow.CodeInvalid { // a cursor made up: the first page
		after = ""
		ns, next, err = h.cfg.Store.Notifications(c.r.Context(), uid, workflow.Page{Limit: noticesPerPage})
	}
	if err != nil {
		return err
	}
	now := time.Now()
	d := c.dates(now)
	v := inboxView{After: after, Next: next}
	for _, n := range ns {
		v.Notices = append(v.Notices, noticeRow{ID: n.ID, Line: notify.NoticeHTML(c.loc, d.Clock, n), Path: n.Path(),
			Project: n.ProjectAcronym, Unread: n.ReadAt == nil, At: d.atRel(n.At)})
	}
	notice := ""
	switch c.r.URL.Query().Get("done") {
	case "read":
		notice = c.T("notifications.marked")
	case "all":
		notice = c.T("notifications.marked_all")
	}
	c.w.Header().Set("Cache-Control", "private, no-store")
	h.render(c, http.StatusOK, "notifications/inbox", view{Title: c.T("notifications.title"), Data: v, Notice: notice})
	return nil
}

// backToInbox returns to the page of the inbox the form was on.
func backToInbox(c *call, done string) {
	q := url.Values{"done": {done}}
	if after := c.r.PostForm.Get("after"); after != "" {
		q.Set("after", after)
	}
	http.Redirect(c.w, c.r, "/ui/notifications?"+q.Encode(), http.StatusSeeOther)
}

func (h *Handler) markRead(c *call) error {
	if err := h.cfg.Store.MarkNotificationRead(c.r.Context(), c.principal.User.ID, c.r.PathValue("id")); err != nil {
		return err
	}
	backToInbox(c, "read")
	return nil
}

func (h *Handler) markAllRead(c *call) error {
	if _, err := h.cfg.Store.MarkAllNotificationsRead(c.r.Context(), c.principal.User.ID); err != nil {
		return err
	}
	backToInbox(c, "all")
	return nil
}

// unread is the menu's count; a failure costs the count, not the page.
func (h *Handler) unread(c *call) int {
	n, err := h.cfg.Store.UnreadNotifications(c.r.Context(), c.principal.User.ID)
	if err != nil {
		h.log.WarnContext(c.r.Context(), "web: unread notifications not counted", "error", err.Error())
		return 0
	}
	return n
}

// mailRow is one kind's line of the mail settings.
type mailRow struct {
	Kind, Label, Choice, Error string
}

type mailChoiceOption struct{ Value, Label string }

// mailView is the mail settings' section of "My data".
type mailView struct {
	Rows    []mailRow
	Choices []mailChoiceOption
	Invalid bool
}

// mailForm builds the section from the choices shown (saved, or as
// posted) and the problems of a refused form.
func mailForm(c *call, choices map[workflow.NoticeKind]string, problems map[workflow.NoticeKind]string) *mailView {
	v := &mailView{Invalid: len(problems) > 0}
	for _, ch := range workflow.MailChoices {
		v.Choices = append(v.Choices, mailChoiceOption{Value: string(ch), Label: c.loc.MustT("notice.choice." + string(ch))})
	}
	for _, k := range workflow.NoticeKinds {
		v.Rows = append(v.Rows, mailRow{Kind: string(k), Label: notify.NoticeLabel(c.loc, k), Choice: choices[k], Error: problems[k]})
	}
	return v
}

func (h *Handler) savedMailForm(c *call) (*mailView, error) {
	s, err := h.cfg.Store.MailSettings(c.r.Context(), c.principal.User.ID)
	if err != nil {
		return nil, err
	}
	choices := map[workflow.NoticeKind]string{}
	for k, ch := range s {
		choices[k] = string(ch)
	}
	return mailForm(c, choices, nil), nil
}

// saveMail saves the mail settings; a refused form comes back with what
// the person chose, each problem at its kind.
func (h *Handler) saveMail(c *call) error {
	set := workflow.MailSettings{}
	choices := map[workflow.NoticeKind]string{}
	problems := map[workflow.NoticeKind]string{}
	for _, k := range workflow.NoticeKinds {
		got := c.r.PostForm.Get(string(k))
		choices[k] = got
		if !workflow.ValidMailChoice(workflow.MailChoice(got)) {
			problems[k] = c.T("mailsettings.invalid")
			continue
		}
		set[k] = workflow.MailChoice(got)
	}
	if len(problems) > 0 {
		u := c.principal.User
		f := newForm(url.Values{"language": {u.Language}, "time_zone": {u.TimeZone}})
		return h.showMeWith(c, http.StatusUnprocessableEntity, f, mailForm(c, choices, problems))
	}
	if _, err := h.cfg.Store.SetMailSettings(c.r.Context(), c.principal.User.ID, set); err != nil {
		return err
	}
	http.Redirect(c.w, c.r, "/ui/me?mail=saved#mail", http.StatusSeeOther)
	return nil
}

// unsubscribeView is the unsubscribe page, before and after the click.
type unsubscribeView struct {
	Token  string
	Digest bool   // the digest's link: every kind in the digest
	Label  string // the kind's
	Done   bool
}

// kindOfToken checks a token without using it and says the kind it
// turns off; "" for a token the store did not sign.
func (h *Handler) kindOfToken(token string) (workflow.NoticeKind, error) {
	_, k, err := h.cfg.Store.CheckUnsubscribe(token)
	if workflow.ErrorCode(err) == workflow.CodeInvalid {
		return "", nil
	}
	return k, err
}

func (h *Handler) unsubscribeView(c *call, token string, kind workflow.NoticeKind) unsubscribeView {
	v := unsubscribeView{Token: token, Digest: kind == workflow.NoticeDigest}
	if !v.Digest {
		v.Label = notify.NoticeLabel(c.loc, kind)
	}
	return v
}

func (h *Handler) invalidUnsubscribe(c *call) {
	h.render(c, http.StatusBadRequest, "error", view{Title: c.T("unsubscribe.invalid.title"), Error: c.T("unsubscribe.invalid")})
}

// unsubscribeForm shows what the link turns off, and the button; it
// changes nothing.
func (h *Handler) unsubscribeForm(c *call) error {
	token := c.r.PathValue("token")
	kind, err := h.kindOfToken(token)
	if err != nil {
		return err
	}
	if kind == "" {
		h.invalidUnsubscribe(c)
		return nil
	}
	h.render(c, http.StatusOK, "notifications/unsubscribe", view{Title: c.T("unsubscribe.title"), Data: h.unsubscribeView(c, token, kind)})
	return nil
}

// unsubscribe turns the link's kind off for the link's person: from the
// page's button, or a mail client's one-click POST.
func (h *Handler) unsubscribe(c *call) error {
	token := c.r.PathValue("token")
	_, kind, err := h.cfg.Store.Unsubscribe(c.r.Context(), token)
	if code := workflow.ErrorCode(err); code == workflow.CodeInvalid || code == workflow.CodeNotFound {
		h.invalidUnsubscribe(c)
		return nil
	}
	if err != nil {
		return err
	}
	v := h.unsubscribeView(c, token, kind)
	v.Done = true
	h.render(c, http.StatusOK, "notifications/unsubscribe", view{Title: c.T("unsubscribe.title"), Data: v})
	return nil
}
