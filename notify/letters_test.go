package notify_test

import (
	"context"
	"mime"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/locale"
	"github.com/craftscode/craftscode/notify"
	"github.com/craftscode/craftscode/workflow"
)

// TestLettersSpeakTheReadersLanguage: every mail is in the reader's saved
// language, else the fallback given (the page's, the project's), and
// gives times in the reader's zone, else the project's.
func TestLettersSpeakTheReadersLanguage(t *testing.T) {
	ls, err := notify.NewLetters()
	require.NoError(t, err)
	cat, err := locale.Load()
	require.NoError(t, err)
	for _, lang := range cat.Languages() {
		loc := cat.Match(lang)
		u := workflow.User{Email: "p@crafts.example", Name: "Petya", Language: lang}
		m := ls.SignIn(u, "en", "https://crafts.example/ui/login/abc", 15*time.Minute)
		require.Equal(t, loc.MustT("mail.link.subject"), m.Subject)
		require.Contains(t, m.Body, "https://crafts.example/ui/login/abc")
		require.Contains(t, m.Body, loc.Duration(15*time.Minute), "%s: the link's life is written for people", lang)
		require.NotContains(t, m.Body, "15m0s")

	}
	// No saved language: the fallback; an unknown one: English.
	u := workflow.User{Email: "p@crafts.example", Name: "P"}
	require.Equal(t, cat.Match("hu").MustT("mail.link.subject"), ls.SignIn(u, "hu", "x", time.Minute).Subject)
	require.Equal(t, cat.Match("en").MustT("mail.link.subject"), ls.SignIn(u, "xx", "x", time.Minute).Subject)
}

// TestBulgarianSignInMailOverSMTP: a person whose setting is bg gets the
// sign-in mail in Bulgarian, its subject encoded as RFC 2047 requires
// (an encoded-word of UTF-8, not raw bytes in the header).
func TestBulgarianSignInMailOverSMTP(t *testing.T) {
	ls, err := notify.NewLetters()
	require.NoError(t, err)
	cat, err := locale.Load()
	require.NoError(t, err)
	if !slices.Contains(cat.Languages(), "bg") {
		t.Fatal("the catalog has no Bulgarian")
	}
	bg := cat.Match("bg")
	m := ls.SignIn(workflow.User{Email: "petya@crafts.example", Name: "Петя", Language: "bg"}, "en", "https://crafts.example/ui/login/t", 15*time.Minute)
	require.NotEqual(t, cat.Match("en").MustT("mail.link.subject"), m.Subject, "the subject is translated")

	r := startRelay(t, nil, "", "")
	require.NoError(t, mailer(t, r, "none", "", "", nil).Send(context.Background(), m))
	got := r.deliveries()
	require.Len(t, got, 1)
	raw := string(got[0].data)
	head := raw[:strings.Index(raw, "\r\n\r\n")]
	for _, line := range strings.Split(head, "\r\n") {
		for _, b := range []byte(line) {
			require.Less(t, b, byte(0x80), "a header line carries raw 8-bit bytes: %q", line)
		}
	}
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(msg.Header.Get("Subject"), "=?UTF-8?"), "an RFC 2047 encoded-word: %q", msg.Header.Get("Subject"))
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	require.Equal(t, bg.MustT("mail.link.subject"), subject)
	body := decodeBody(t, msg)
	require.Contains(t, body, "Петя")
	require.Contains(t, body, bg.Duration(15*time.Minute))
}
