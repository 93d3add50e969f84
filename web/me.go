package web

// "My data": what the service keeps about the person signed in, and a
// download of all of it as JSON (the same as GET /api/v1/me/export).

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/craftscode/craftscode/workflow"
)

func (h *Handler) meRoutes(m *http.ServeMux) {
	m.Handle("GET /ui/me", h.page(true, h.myData))
	m.Handle("POST /ui/me/settings", h.page(true, h.saveSettings))
	m.Handle("GET /ui/me/export.json", h.page(true, h.myDataExport))
}

// meView is the "My data" page: what is kept, and the person's settings.
type meView struct {
	workflow.PersonalData
	Form      *form
	Languages []languageOption
	Zones     []string
	// ProjectZone is the zone dates follow when the person chose none.
	ProjectZone string
	Mail        *mailView // the mail settings (#mail)
}

func (h *Handler) myData(c *call) error {
	u := c.principal.User
	f := newForm(url.Values{"language": {u.Language}, "time_zone": {u.TimeZone}})
	return h.showMe(c, http.StatusOK, f)
}

func (h *Handler) showMe(c *call, status int, f *form) error {
	mail, err := h.savedMailForm(c)
	if err != nil {
		return err
	}
	return h.showMeWith(c, status, f, mail)
}

// showMeWith is the page with the mail settings as given (a refused
// mail form shows what was chosen).
func (h *Handler) showMeWith(c *call, status int, f *form, mail *mailView) error {
	data, err := h.cfg.Store.PersonalData(c.r.Context(), c.principal.User.ID)
	if err != nil {
		return err
	}
	v := meView{PersonalData: data, Form: f, Languages: h.languageOptions(f.Get("language")),
		Zones: zoneChoices(f.Get("time_zone")), ProjectZone: projectLocale(c.principal, "").TimeZone, Mail: mail}
	if v.ProjectZone == "" {
		v.ProjectZone = workflow.DefaultTimeZone
	}
	c.w.Header().Set("Cache-Control", "private, no-store")
	notice := ""
	if c.r.URL.Query().Get("saved") != "" && status == http.StatusOK {
		notice = c.T("settings.saved")
	}
	if c.r.URL.Query().Get("mail") != "" && status == http.StatusOK {
		notice = c.T("mailsettings.saved")
	}
	h.render(c, status, "me/data", view{Title: c.T("me.title"), Data: v, Notice: notice})
	return nil
}

// saveSettings saves the language and time zone chosen on "My data".
func (h *Handler) saveSettings(c *call) error {
	f := newForm(c.r.PostForm)
	s := workflow.Settings{Language: f.Get("language"), TimeZone: f.Get("time_zone")}
	err := s.Validate()
	if err == nil {
		_, err = h.cfg.Store.SetSettings(c.r.Context(), c.principal.User.ID, s)
	}
	if err != nil {
		if f.refuse(c, err) {
			return h.showMe(c, http.StatusUnprocessableEntity, f)
		}
		return err
	}
	if s.Language != "" {
		h.setCookie(c, langCookie, s.Language, time.Now().AddDate(1, 0, 0))
	} else {
		h.clearCookie(c, langCookie)
	}
	http.Redirect(c.w, c.r, "/ui/me?saved=1#settings", http.StatusSeeOther)
	return nil
}

// zones are the time zones "My data" offers: those of the countries in
// EU programmes, and UTC. The API takes any IANA name; one saved there
// that is not listed is offered too.
var zones = []string{"UTC", "Atlantic/Canary", "Europe/Amsterdam", "Europe/Athens", "Europe/Berlin",
	"Europe/Bratislava", "Europe/Brussels", "Europe/Bucharest", "Europe/Budapest", "Europe/Copenhagen",
	"Europe/Dublin", "Europe/Helsinki", "Europe/Lisbon", "Europe/Ljubljana", "Europe/London",
	"Europe/Luxembourg", "Europe/Madrid", "Europe/Malta", "Europe/Nicosia", "Europe/Oslo", "Europe/Paris",
	"Europe/Prague", "Europe/Riga", "Europe/Rome", "Europe/Sofia", "Europe/Stockholm", "Europe/Tallinn",
	"Europe/Vienna", "Europe/Vilnius", "Europe/Warsaw", "Europe/Zagreb", "Europe/Zurich"}

func zoneChoices(current string) []string {
	if current != "" && !slices.Contains(zones, current) {
		return append([]string{current}, zones...)
	}
	return zones
}

func (h *Handler) myDataExport(c *call) error {
	data, err := h.cfg.Store.PersonalData(c.r.Context(), c.principal.User.ID)
	if err != nil {
		return err
	}
	body, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		return err
	}
	hd := c.w.Header()
	hd.Set("Content-Type", "application/json; charset=utf-8")
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment",
		map[string]string{"filename": "craftscode-my-data-" + data.ExportedAt.Format("2006-01-02") + ".json"}))
	hd.Set("Cache-Control", "private, no-store")
	_, err = c.w.Write(append(body, '\n'))
	return err
}
