package notify

import (
	"bytes"
	"html/template"
	"strings"
	"time"

	"github.com/craftscode/craftscode/locale"
	"github.com/craftscode/craftscode/workflow"
)

// MailLinks are the absolute addresses a notification mail carries: the
// thing itself, the person's mail settings, and the one-click unsubscribe
// (RFC 8058) for the mail's kind, which also goes in the
// List-Unsubscribe header.
type MailLinks struct {
	Thing, Settings, Unsubscribe string
}

// DigestGroup is one project's part of a digest.
type DigestGroup struct {
	Project string // the project's acronym
	Items   []DigestItem
}

// DigestItem is one notification in a digest, with its absolute link.
type DigestItem struct {
	Notification workflow.Notification
	Link         string
}

// NoticeLine says who did what and why the person is told, in loc's
// language, with dates on clock: the catalog's "notice.<kind>", and for a
// return its note after it. The pages' inbox and the mail both use it.
func NoticeLine(loc *locale.Localizer, clock *locale.Clock, n workflow.Notification) string {
	line := loc.MustT("notice."+string(n.Kind), noticeArgs(loc, clock, n)...)
	if n.Kind == workflow.NoticeReturned && strings.TrimSpace(n.Detail) != "" {
		line += " " + loc.MustT("notice.note", "Detail", n.Detail)
	}
	return line
}

// titleMark stands for the title in a line until the line is escaped;
// a private-use character, which no catalog message or title holds.
const titleMark = "\uE000"

// NoticeHTML is NoticeLine for a page or an HTML mail: escaped, with the
// title marked with its own language when it is not the reader's.
func NoticeHTML(loc *locale.Localizer, clock *locale.Clock, n workflow.Notification) template.HTML {
	title := template.HTMLEscapeString(n.Title)
	if n.TitleLang != "" && n.TitleLang != loc.Lang() {
		title = `<span lang="` + template.HTMLEscapeString(n.TitleLang) + `">` + title + `</span>`
	}
	marked := n
	marked.Title = titleMark
	line := template.HTMLEscapeString(NoticeLine(loc, clock, marked))
	return template.HTML(strings.ReplaceAll(line, titleMark, title))
}

// NoticeLabel is the short name of a kind (the settings page's).
func NoticeLabel(loc *locale.Localizer, k workflow.NoticeKind) string {
	return loc.MustT("notice." + string(k) + ".label")
}

func noticeArgs(loc *locale.Localizer, clock *locale.Clock, n workflow.Notification) []any {
	actor := n.ActorName
	if actor == "" {
		actor = loc.MustT("notice.someone")
	}
	detail := n.Detail
	switch n.Kind {
	case workflow.NoticeRoleChanged, workflow.NoticeInvited:
		if loc.Has("code." + detail) {
			detail = loc.MustT("code." + detail)
		}
	case workflow.NoticeDocumentReady, workflow.NoticeDocumentFailed:
		detail = strings.ToUpper(detail) // pdf → PDF
	case workflow.NoticeConsultationClosing:
		// The deadline, read in the reader's zone and language.
		if t, err := time.Parse(time.RFC3339, detail); err == nil {
			detail = clock.Moment(t)
		}
	}
	return []any{"Actor", actor, "Title", n.Title, "Project", n.ProjectAcronym, "Detail", detail,
		"Period", n.Period, "Revision", n.Revision}
}

// letter is what both templates of a notification mail get.
type letter struct {
	Lang, Subject, Greeting, Why        string
	Intro                               string        // the digest's
	Line                                template.HTML // a single notice's, escaped
	Text, At                            string        // the same line as text, and its time
	Link                                string        // the thing, or the digest's inbox
	Groups                              []letterGroup
	Open, SettingsText, UnsubscribeText string
	SettingsLink, UnsubscribeLink       string
}

type letterGroup struct {
	Heading string
	Items   []letterItem
}

type letterItem struct {
	Line     template.HTML // escaped, the title marked with its language
	Text     string
	At, Link string
}

// The mail's HTML: no remote images, no stylesheet, a few inline styles.
// html/template escapes every value (a title is what people typed).
var htmlLetter = template.Must(template.New("letter").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Subject}}</title></head>
<body style="font-family: sans-serif; font-size: 16px; line-height: 1.5; color: #1a1a1a; max-width: 40em; margin: 0 auto; padding: 1em;">
<p>{{.Greeting}}</p>
{{- if .Groups}}
<p>{{.Intro}}</p>
{{- range .Groups}}
<h2 style="font-size: 1.1em; margin: 1.5em 0 .5em;">{{.Heading}}</h2>
<ul style="padding-left: 1.2em;">
{{- range .Items}}
<li style="margin-bottom: .75em;"><a href="{{.Link}}" style="color: #0b57d0;">{{.Line}}</a><br><span style="color: #555;">{{.At}}</span></li>
{{- end}}
</ul>
{{- end}}
<p><a href="{{.Link}}" style="color: #0b57d0;">{{.Open}}</a></p>
{{- else}}
<p>{{.Line}}</p>
<p style="color: #555;">{{.At}}</p>
<p><a href="{{.Link}}" style="color: #0b57d0;">{{.Open}}</a></p>
{{- end}}
<hr style="border: 0; border-top: 1px solid #ccc; margin: 2em 0 1em;">
<p style="font-size: .9em; color: #444;">{{.Why}}</p>
<p style="font-size: .9em;"><a href="{{.SettingsLink}}" style="color: #0b57d0;">{{.SettingsText}}</a> · <a href="{{.UnsubscribeLink}}" style="color: #0b57d0;">{{.UnsubscribeText}}</a></p>
</body>
</html>
`))

// plain is the text part: the same words, each link on its own line.
func (lt letter) plain() string {
	var b strings.Builder
	b.WriteString(lt.Greeting + "\n\n")
	if lt.Groups != nil {
		b.WriteString(lt.Intro + "\n")
		for _, g := range lt.Groups {
			b.WriteString("\n" + g.Heading + "\n\n")
			for _, it := range g.Items {
				b.WriteString("- " + it.Text + "\n  " + it.At + "\n  " + it.Link + "\n")
			}
		}
		b.WriteString("\n" + lt.Open + ":\n" + lt.Link + "\n")
	} else {
		b.WriteString(lt.Text + "\n" + lt.At + "\n\n" + lt.Open + ":\n" + lt.Link + "\n")
	}
	b.WriteString("\n-- \n" + lt.Why + "\n\n" + lt.SettingsText + ":\n" + lt.SettingsLink + "\n\n" +
		lt.UnsubscribeText + ":\n" + lt.UnsubscribeLink + "\n")
	return b.String()
}

func (l *Letters) send(u workflow.User, lt letter, links MailLinks) workflow.Mail {
	var html bytes.Buffer
	if err := htmlLetter.Execute(&html, lt); err != nil {
		html.Reset() // a template checked by the tests: the text part still goes
	}
	return workflow.Mail{To: u.Email, Subject: lt.Subject, Body: lt.plain(), HTML: html.String(),
		Headers: unsubscribeHeaders(links.Unsubscribe)}
}

// Notice is the mail of one notification, sent at once, in the reader's
// language (theirs, else the project's), saying why they get it.
func (l *Letters) Notice(u workflow.User, project workflow.ProjectLocale, n workflow.Notification, links MailLinks) workflow.Mail {
	loc, zone := l.reader(u, project.Language, project)
	clock := loc.Clock(zone, n.At)
	lt := letter{Lang: loc.Lang(),
		Subject:  loc.MustT("mail.notice.subject", "Project", n.ProjectAcronym, "Line", loc.MustT("notice."+string(n.Kind), noticeArgs(loc, clock, n)...)),
		Greeting: loc.MustT("mail.notice.greeting", "Name", u.Name), Line: NoticeHTML(loc, clock, n), Text: NoticeLine(loc, clock, n),
		At: clock.Moment(n.At), Link: links.Thing,
		Open: loc.MustT("mail.notice.open"), Why: loc.MustT("mail.notice.why", "Kind", NoticeLabel(loc, n.Kind)),
		SettingsText: loc.MustT("mail.notice.settings"), SettingsLink: links.Settings,
		UnsubscribeText: loc.MustT("mail.notice.unsubscribe", "Kind", NoticeLabel(loc, n.Kind)), UnsubscribeLink: links.Unsubscribe}
	return l.send(u, lt, links)
}

// Digest is the daily mail of the notifications a person chose to get
// that way, grouped by project (in the groups' order).
func (l *Letters) Digest(u workflow.User, project workflow.ProjectLocale, groups []DigestGroup, links MailLinks) workflow.Mail {
	loc, zone := l.reader(u, project.Language, project)
	count := 0
	lt := letter{Lang: loc.Lang(), Groups: []letterGroup{}}
	for _, g := range groups {
		lg := letterGroup{Heading: loc.MustT("mail.digest.project", "Project", g.Project)}
		for _, it := range g.Items {
			clock := loc.Clock(zone, it.Notification.At)
			lg.Items = append(lg.Items, letterItem{Line: NoticeHTML(loc, clock, it.Notification), Text: NoticeLine(loc, clock, it.Notification),
				At: clock.Moment(it.Notification.At), Link: it.Link})
			count++
		}
		lt.Groups = append(lt.Groups, lg)
	}
	lt.Subject = loc.MustT("mail.digest.subject", "Count", count)
	lt.Greeting = loc.MustT("mail.notice.greeting", "Name", u.Name)
	lt.Intro = loc.MustT("mail.digest.intro")
	lt.Open, lt.Link = loc.MustT("mail.digest.inbox"), links.Thing
	lt.Why = loc.MustT("mail.digest.why")
	lt.SettingsText, lt.SettingsLink = loc.MustT("mail.notice.settings"), links.Settings
	lt.UnsubscribeText, lt.UnsubscribeLink = loc.MustT("mail.digest.unsubscribe"), links.Unsubscribe
	return l.send(u, lt, links)
}

// unsubscribeHeaders are RFC 8058's one-click unsubscribe: a mail client
// POSTs "List-Unsubscribe=One-Click" to the link, without cookies.
func unsubscribeHeaders(link string) map[string]string {
	if link == "" {
		return nil
	}
	return map[string]string{"List-Unsubscribe": "<" + link + ">", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
}
