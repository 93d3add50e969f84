package notify_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/locale"
	"github.com/craftscode/craftscode/notify"
	"github.com/craftscode/craftscode/workflow"
)

// TestNoticeMessages: every kind has its line and its label, every choice
// its words, in every language; and the catalog has no "notice." message
// that nothing asks for.
func TestNoticeMessages(t *testing.T) {
	cat := locale.MustLoad()
	want := map[string]bool{"notice.someone": true, "notice.note": true}
	for _, k := range workflow.NoticeKinds {
		want["notice."+string(k)], want["notice."+string(k)+".label"] = true, true
	}
	for _, c := range workflow.MailChoices {
		want["notice.choice."+string(c)] = true
	}
	for _, lang := range cat.Languages() {
		loc := cat.Match(lang)
		for id := range want {
			require.True(t, loc.Has(id), "%s lacks %s", lang, id)
		}
		for _, id := range cat.IDs(lang) {
			if strings.HasPrefix(id, "notice.") {
				require.True(t, want[id], "%s: %s is asked for by nothing", lang, id)
			}
		}
	}
}

var noticeLinks = notify.MailLinks{Thing: "https://crafts.example/ui/action-plans/P1#c-C1",
	Settings: "https://crafts.example/ui/me#mail", Unsubscribe: "https://crafts.example/ui/unsubscribe/U1.comment_reply.sig"}

// TestNoticeMail: the mail of one notification is in the reader's
// language (theirs, else the project's), says who did what and why the
// reader gets it, links to the thing, the settings and the unsubscribe,
// carries RFC 8058's headers, and its HTML escapes what people typed.
func TestNoticeMail(t *testing.T) {
	ls, err := notify.NewLetters()
	require.NoError(t, err)
	cat := locale.MustLoad()
	at := time.Date(2027, 3, 26, 9, 15, 0, 0, time.UTC)
	n := workflow.Notification{ID: "N1", Kind: workflow.NoticeCommentReply, ProjectID: "PR", ProjectAcronym: "CRAFTS",
		DeliverableKind: workflow.KindActionPlan, DeliverableID: "P1", CommentID: "C1", Title: "Crafts <b>bold</b> & skills",
		Revision: 2, ActorName: "Aino Virtanen", At: at}
	for _, lang := range cat.Languages() {
		loc := cat.Match(lang)
		u := workflow.User{Email: "p@crafts.example", Name: "Petya", Language: lang, TimeZone: "Europe/Helsinki"}
		m := ls.Notice(u, workflow.ProjectLocale{Language: "en", TimeZone: "Europe/Rome"}, n, noticeLinks)
		require.Equal(t, "p@crafts.example", m.To)
		line := loc.MustT("notice.comment_reply", "Actor", "Aino Virtanen", "Title", n.Title, "Project", "CRAFTS", "Detail", "",
			"Period", "", "Revision", 2)
		require.Contains(t, line, "Aino Virtanen", lang)
		require.Contains(t, line, n.Title, lang)
		require.Equal(t, loc.MustT("mail.notice.subject", "Project", "CRAFTS", "Line", line), m.Subject, lang)
		label := loc.MustT("notice.comment_reply.label")
		for _, part := range []string{m.Body, m.HTML} {
			require.Contains(t, part, noticeLinks.Thing, lang)
			require.Contains(t, part, noticeLinks.Settings, lang)
			require.Contains(t, part, noticeLinks.Unsubscribe, lang)
			require.Contains(t, part, "11:15 EET", "%s: the time in the reader's zone", lang)
		}
		require.Contains(t, m.Body, line, lang)
		require.Contains(t, m.Body, loc.MustT("mail.notice.why", "Kind", label), lang)
		require.Contains(t, m.HTML, `<html lang="`+lang+`">`)
		require.Contains(t, m.HTML, "Crafts &lt;b&gt;bold&lt;/b&gt; &amp; skills", "%s: the title is escaped", lang)
		require.NotContains(t, m.HTML, "<b>", lang)
		require.NotContains(t, m.HTML, "<img", "no images, remote or not")
		require.NotContains(t, m.HTML, "<link", "no external stylesheet")
		require.Equal(t, map[string]string{"List-Unsubscribe": "<" + noticeLinks.Unsubscribe + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}, m.Headers)
	}
	// A title in another language than the reader's is marked with its
	// own; in the reader's, it needs no mark.
	fi := n
	fi.Title, fi.TitleLang = "Käsityö <i>ja</i> taito", "fi"
	m := ls.Notice(workflow.User{Email: "p@crafts.example", Name: "P", Language: "en"}, workflow.ProjectLocale{}, fi, noticeLinks)
	require.Contains(t, m.HTML, `<span lang="fi">Käsityö &lt;i&gt;ja&lt;/i&gt; taito</span>`)
	require.Contains(t, m.Body, "Käsityö <i>ja</i> taito", "the text part as it is")
	m = ls.Notice(workflow.User{Email: "p@crafts.example", Name: "P", Language: "fi"}, workflow.ProjectLocale{}, fi, noticeLinks)
	require.NotContains(t, m.HTML, `<span lang=`)
	require.Contains(t, m.HTML, "Käsityö &lt;i&gt;ja&lt;/i&gt; taito")
	d := ls.Digest(workflow.User{Email: "p@crafts.example", Name: "P", Language: "en"}, workflow.ProjectLocale{},
		[]notify.DigestGroup{{Project: "CRAFTS", Items: []notify.DigestItem{{Notification: fi, Link: noticeLinks.Thing}}}}, noticeLinks)
	require.Contains(t, d.HTML, `<span lang="fi">Käsityö &lt;i&gt;ja&lt;/i&gt; taito</span>`)

	// No saved language: the project's.
	m = ls.Notice(workflow.User{Email: "p@crafts.example", Name: "P"}, workflow.ProjectLocale{Language: "hu"}, n, noticeLinks)
	require.Contains(t, m.HTML, `<html lang="hu">`)
	require.Contains(t, m.Body, cat.Match("hu").MustT("mail.notice.greeting", "Name", "P"))

	// The service's own notice has no actor; a role is in words; a
	// deadline is read in the reader's zone; a return carries its note.
	en := cat.Match("en")
	u := workflow.User{Email: "p@crafts.example", Name: "P", Language: "en", TimeZone: "Europe/Helsinki"}
	role := ls.Notice(u, workflow.ProjectLocale{}, workflow.Notification{Kind: workflow.NoticeRoleChanged, ProjectAcronym: "CRAFTS",
		Title: "Crafts", Detail: "coordinator", At: at}, noticeLinks)
	require.Contains(t, role.Body, en.MustT("notice.someone")+" changed your role in the project CRAFTS to: "+en.MustT("code.coordinator")+".")
	closing := ls.Notice(u, workflow.ProjectLocale{}, workflow.Notification{Kind: workflow.NoticeConsultationClosing, ProjectAcronym: "CRAFTS",
		Title: "Crafts", Revision: 1, Detail: "2027-03-28T01:30:00Z", At: at}, noticeLinks)
	require.Contains(t, closing.Body, "04:30 EEST")
	returned := ls.Notice(u, workflow.ProjectLocale{}, workflow.Notification{Kind: workflow.NoticeReturned, ProjectAcronym: "CRAFTS",
		Title: "Crafts", Revision: 1, Detail: "Add <the> budget", ActorName: "Ana", At: at}, noticeLinks)
	require.Contains(t, returned.Body, "Note: Add <the> budget")
	require.Contains(t, returned.HTML, "Note: Add &lt;the&gt; budget")
	require.NotContains(t, returned.Subject, "budget", "the subject is the line, without the note")
}

// TestDigestMail: the digest lists each project's notifications under
// its heading, in the order given, each with its line and link.
func TestDigestMail(t *testing.T) {
	ls, err := notify.NewLetters()
	require.NoError(t, err)
	cat := locale.MustLoad()
	at := time.Date(2027, 1, 5, 7, 0, 0, 0, time.UTC)
	groups := []notify.DigestGroup{
		{Project: "ZETA", Items: []notify.DigestItem{
			{Notification: workflow.Notification{Kind: workflow.NoticeCommentCreated, ProjectAcronym: "ZETA", Title: "<b>Loud</b>", ActorName: "Ana", At: at},
				Link: "https://crafts.example/ui/action-plans/A1#c-1"},
			{Notification: workflow.Notification{Kind: workflow.NoticeReportDue, ProjectAcronym: "ZETA", Title: "Plan Z", Period: "2027-S1", At: at.Add(time.Hour)},
				Link: "https://crafts.example/ui/action-plans/A1/reports/2027-S1"}}},
		{Project: "ALPHA", Items: []notify.DigestItem{
			{Notification: workflow.Notification{Kind: workflow.NoticeCommentReply, ProjectAcronym: "ALPHA", Title: "Plan A", ActorName: "Bo", At: at},
				Link: "https://crafts.example/ui/peer-reviews/R1#c-2"}}},
	}
	links := notify.MailLinks{Thing: "https://crafts.example/ui/notifications", Settings: "https://crafts.example/ui/me#mail",
		Unsubscribe: "https://crafts.example/ui/unsubscribe/U1.digest.sig"}
	for _, lang := range cat.Languages() {
		loc := cat.Match(lang)
		m := ls.Digest(workflow.User{Email: "d@crafts.example", Name: "Dora", Language: lang, TimeZone: "Europe/Budapest"},
			workflow.ProjectLocale{Language: "en"}, groups, links)
		require.Equal(t, loc.MustT("mail.digest.subject", "Count", 3), m.Subject)
		for _, part := range []string{m.Body, m.HTML} {
			zeta := strings.Index(part, loc.MustT("mail.digest.project", "Project", "ZETA"))
			alpha := strings.Index(part, loc.MustT("mail.digest.project", "Project", "ALPHA"))
			require.True(t, zeta >= 0 && alpha > zeta, "%s: the groups in their order", lang)
			for _, g := range groups {
				for _, it := range g.Items {
					require.Contains(t, part, it.Link, lang)
				}
			}
			require.Contains(t, part, "08:00 CET", "%s: the reader's zone", lang)
			require.Contains(t, part, links.Thing)
			require.Contains(t, part, links.Settings)
			require.Contains(t, part, links.Unsubscribe)
		}
		require.Contains(t, m.Body, "<b>Loud</b>")
		require.Contains(t, m.Body, "2027-S1")
		require.Contains(t, m.Body, loc.MustT("mail.digest.why"))
		require.Contains(t, m.HTML, `<html lang="`+lang+`">`)
		require.Contains(t, m.HTML, "&lt;b&gt;Loud&lt;/b&gt;")
		require.NotContains(t, m.HTML, "<b>")
		require.Equal(t, "<"+links.Unsubscribe+">", m.Headers["List-Unsubscribe"])
		require.Equal(t, "List-Unsubscribe=One-Click", m.Headers["List-Unsubscribe-Post"])
	}
}

// TestNoticeMailOverSMTP: the relay gets both parts, as
// multipart/alternative, and the unsubscribe headers.
func TestNoticeMailOverSMTP(t *testing.T) {
	ls, err := notify.NewLetters()
	require.NoError(t, err)
	n := workflow.Notification{Kind: workflow.NoticeApproved, ProjectAcronym: "CRAFTS", Title: "Crafts <b>plan</b>", Revision: 3,
		ActorName: "Ana", At: time.Date(2027, 1, 5, 7, 0, 0, 0, time.UTC)}
	m := ls.Notice(workflow.User{Email: "o@crafts.example", Name: "Olli", Language: "fi"}, workflow.ProjectLocale{}, n, noticeLinks)
	r := startRelay(t, nil, "", "")
	require.NoError(t, mailer(t, r, "none", "", "", nil).Send(context.Background(), m))
	got := r.deliveries()
	require.Len(t, got, 1)
	msg, err := mail.ReadMessage(bytes.NewReader(got[0].data))
	require.NoError(t, err)
	require.Equal(t, "<"+noticeLinks.Unsubscribe+">", msg.Header.Get("List-Unsubscribe"))
	require.Equal(t, "List-Unsubscribe=One-Click", msg.Header.Get("List-Unsubscribe-Post"))
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/alternative", mt)
	parts := map[string]string{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		raw, err := io.ReadAll(p)
		require.NoError(t, err)
		switch strings.ToLower(p.Header.Get("Content-Transfer-Encoding")) {
		case "quoted-printable":
			raw, err = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
		case "base64":
			raw, err = io.ReadAll(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(raw)))
		}
		require.NoError(t, err)
		ct, _, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		require.NoError(t, err)
		parts[ct] = strings.ReplaceAll(string(raw), "\r\n", "\n")
	}
	require.Equal(t, m.Body, parts["text/plain"])
	require.Equal(t, m.HTML, parts["text/html"])
	require.Contains(t, parts["text/html"], `<html lang="fi">`)
}
