package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// getLang is a page asked for with an Accept-Language header.
func (b *browser) getLang(path, acceptLanguage string) page {
	b.t.Helper()
	r, err := http.NewRequest("GET", b.site.url+path, nil)
	require.NoError(b.t, err)
	r.Header.Set("Accept-Language", acceptLanguage)
	return b.do(r)
}

// TestLanguageChoice: the page's language is the person's saved setting,
// else the browser's, else the project's default; the switcher on every
// page saves the choice (and, before sign-in, keeps it in a cookie); the
// dates follow the person's zone, else the project's.
func TestLanguageChoice(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			s := newSite(t, d, nil)
			pid := principal(t, s, s.reader).Memberships[0].ProjectID
			_, err := s.store.SetProjectLocale(ctx, pid, workflow.ProjectLocale{Language: "it", TimeZone: "Europe/Rome"})
			require.NoError(t, err)

			// Before sign-in: the browser, then English.
			anon := s.browser(t)
			requireHas(t, anon.getLang("/ui/login", "hu-HU,hu;q=0.9").body, `<html lang="hu">`)
			requireHas(t, anon.getLang("/ui/login", "fr-FR").body, `<html lang="en">`)
			// The switcher works before sign-in, and the cookie keeps it.
			res := anon.post("/ui/language", url.Values{"lang": {"fi"}, "page": {"/ui/login"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Equal(t, "/ui/login", res.header.Get("Location"))
			requireHas(t, anon.getLang("/ui/login", "en").body, `<html lang="fi">`)
			// It goes back only to a page of ours.
			res = anon.post("/ui/language", url.Values{"lang": {"fi"}, "page": {"https://evil.example/"}})
			require.Equal(t, "/ui/", res.header.Get("Location"))
			res = anon.post("/ui/language", url.Values{"lang": {"xx"}, "page": {"/ui/login"}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status)

			// Signed in, nothing saved: the browser first, then the project's.
			b := s.browser(t)
			b.signIn(s.reader)
			page := b.getLang("/ui/consultations", "fr-FR")
			requireHas(t, page.body, `<html lang="it">`)
			requireHas(t, page.body, "CET", "the project's zone")
			requireHas(t, b.getLang("/ui/consultations", "es-ES,es;q=0.8").body, `<html lang="es">`)

			// The switcher saves the choice with the account; every page has it.
			requireHas(t, page.body, `action="/ui/language"`)
			requireHas(t, page.body, `<option value="bg" lang="bg">Български</option>`)
			res = b.post("/ui/language", url.Values{"lang": {"bg"}, "page": {"/ui/consultations"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Equal(t, "/ui/consultations", res.header.Get("Location"))
			requireHas(t, b.getLang("/ui/consultations", "es-ES").body, `<html lang="bg">`, "the saved setting before the browser")
			require.Equal(t, "bg", principal(t, s, s.reader).User.Language)

			// "My data": the settings form, a refused zone keeps what was typed.
			me := b.get("/ui/me")
			requireHas(t, me.body, `<select id="f-time-zone" name="time_zone"`)
			res = b.post("/ui/me/settings", url.Values{"language": {"hu"}, "time_zone": {"Mars/Olympus"}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status)
			requireHas(t, res.body, `<option value="Mars/Olympus" selected>Mars/Olympus</option>`)
			requireHas(t, res.body, `aria-invalid="true"`)
			res = b.post("/ui/me/settings", url.Values{"language": {"hu"}, "time_zone": {"Europe/Helsinki"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			page = b.get("/ui/consultations")
			requireHas(t, page.body, `<html lang="hu">`)
			requireHas(t, page.body, "EET", "the person's zone before the project's")
			u := principal(t, s, s.reader).User
			require.Equal(t, workflow.Settings{Language: "hu", TimeZone: "Europe/Helsinki"}, workflow.Settings{Language: u.Language, TimeZone: u.TimeZone})
			// Back to following the browser.
			res = b.post("/ui/me/settings", url.Values{"language": {""}, "time_zone": {""}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.False(t, strings.Contains(b.getLang("/ui/consultations", "nl-BE").body, `<html lang="hu">`))
			requireHas(t, b.getLang("/ui/consultations", "nl-BE").body, `<html lang="nl">`)
		})
	}
}

// TestSignInMailLanguage: the sign-in mail speaks the person's saved
// language; without one, the language of the page it was asked on.
func TestSignInMailLanguage(t *testing.T) {
	s := newSite(t, sqlstoretest.Backends[0], nil)
	_, err := s.store.SetSettings(ctx, s.reader.user.ID, workflow.Settings{Language: "bg"})
	require.NoError(t, err)
	b := s.browser(t)
	b.get("/ui/login")
	b.post("/ui/language", url.Values{"lang": {"it"}, "page": {"/ui/login"}})
	require.Equal(t, 200, b.post("/ui/login/email", url.Values{"email": {s.reader.user.Email}}).status)
	b.post("/ui/login/email", url.Values{"email": {s.owner.user.Email}})
	s.ui.Wait()
	log := s.log.String()
	require.Contains(t, log, "Вашата връзка", "Bulgarian for the reader: %s", log)
	require.Contains(t, log, "Il suo link", "Italian, the page's, for the owner who chose none")
	require.Contains(t, log, "15 минути")
	require.NotContains(t, log, "15m0s")
}

// TestTextareaLineBreaks: a browser sends a textarea's line breaks as CR
// LF, as HTML says; the pages take them as the LF the domain keeps, while
// a lone CR (a control character) is still refused.
func TestTextareaLineBreaks(t *testing.T) {
	s := newSite(t, sqlstoretest.Backends[0], nil)
	b := s.browser(t)
	b.signIn(s.reader)
	plan := "/ui/action-plans/" + s.planID
	b.get(plan)
	cid := postComment(t, b, plan, "First line\r\nSecond line")
	cm, err := s.store.Comment(ctx, cid, principal(t, s, s.reader))
	require.NoError(t, err)
	require.Equal(t, "First line\nSecond line", cm.Body)
	res := b.post(plan+"/comments", url.Values{"section": {workflow.GeneralSection}, "stance": {"support"}, "body": {"a\rb"}})
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	requireHas(t, res.body, "<textarea id=\"body-general\" name=\"body\" rows=\"4\" maxlength=\"5000\" required>a\rb</textarea>", "the refused text comes back in its form")
}
