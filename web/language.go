package web

import (
	"net/http"
	"slices"
	"time"

	"github.com/craftscode/craftscode/locale"
	"github.com/craftscode/craftscode/workflow"
)

// langCookie keeps the language chosen with the switcher for the pages
// shown before sign-in (and after sign-out); a signed-in person's choice
// is saved with their account.
const langCookie = "craftscode_lang"

// speak picks the page's language and time zone. The language: the
// person's saved setting (or, before sign-in, the switcher's cookie),
// then the browser's Accept-Language, then the project's default. The
// zone: the person's setting, then the project's.
func (h *Handler) speak(c *call) {
	saved, project := "", workflow.ProjectLocale{}
	if p := c.principal; p != nil {
		saved = p.User.Language
		project = projectLocale(p, c.r.PathValue("pid"))
	} else if ck, err := c.r.Cookie(langCookie); err == nil {
		saved = ck.Value
	}
	c.loc = h.catalog.Pick(saved, c.r.Header.Get("Accept-Language"), project.Language)
	zone := project.TimeZone
	if c.principal != nil && c.principal.User.TimeZone != "" {
		zone = c.principal.User.TimeZone
	}
	c.zone = locale.ZoneOf(zone)
}

// projectLocale is the defaults of the project a page is about, or of
// the person's first project when the page names none.
func projectLocale(p *workflow.Principal, pid string) workflow.ProjectLocale {
	if l, ok := p.Projects[pid]; ok {
		return l
	}
	for _, m := range p.Memberships { // in project order, as the store reads them
		if l, ok := p.Projects[m.ProjectID]; ok {
			return l
		}
	}
	return workflow.ProjectLocale{}
}

// languageNames are each language's name in itself, as a switcher shows
// them: a person looks for their own language's name, so these are the
// same in every catalog and are not translated.
var languageNames = map[string]string{
	"en": "English", "it": "Italiano", "hu": "Magyar", "bg": "Български",
	"es": "Español", "fi": "Suomi", "nl": "Nederlands",
}

// languageOption is one entry of a language list.
type languageOption struct {
	Code, Name string
	Selected   bool
}

func (h *Handler) languageOptions(current string) []languageOption {
	var out []languageOption
	for _, code := range h.catalog.Languages() {
		out = append(out, languageOption{Code: code, Name: languageNames[code], Selected: code == current})
	}
	return out
}

// switchLanguage is the switcher's form: it saves the choice for a
// signed-in person, keeps it in a cookie for everyone, and goes back to
// the page it was sent from.
func (h *Handler) switchLanguage(c *call) error {
	lang := c.r.PostForm.Get("lang")
	if !slices.Contains(h.catalog.Languages(), lang) {
		h.render(c, http.StatusUnprocessableEntity, "error", view{Title: c.T("error.bad_request.title"), Error: c.T("language.unknown")})
		return nil
	}
	if p := c.principal; p != nil {
		if _, err := h.cfg.Store.SetSettings(c.r.Context(), p.User.ID, workflow.Settings{Language: lang, TimeZone: p.User.TimeZone}); err != nil {
			return err
		}
	}
	h.setCookie(c, langCookie, lang, time.Now().AddDate(1, 0, 0))
	http.Redirect(c.w, c.r, safeNext(c.r.PostForm.Get("page")), http.StatusSeeOther)
	return nil
}
