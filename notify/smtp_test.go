package notify_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/notify"
	"github.com/craftscode/craftscode/workflow"
)

// relay is an SMTP server (go-smtp) on a free local port that keeps what
// it is given.
type relay struct {
	host string
	port int
	mu   sync.Mutex
	got  []delivery
	// user and password, when set, are the only credentials accepted.
	user, password string
}

type delivery struct {
	from   string
	to     []string
	data   []byte
	authed string
}

func (r *relay) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{r: r}, nil }

func (r *relay) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

type session struct {
	r *relay
	d delivery
}

func (s *session) AuthMechanisms() []string {
	if s.r.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, password string) error {
		if user != s.r.user || password != s.r.password {
			return errors.New("invalid credentials")
		}
		s.d.authed = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.r.user != "" && s.d.authed == "" {
		return &smtp.SMTPError{Code: 530, Message: "authentication required"}
	}
	s.d.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.d.to = append(s.d.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.d.data = b
	s.r.mu.Lock()
	s.r.got = append(s.r.got, s.d)
	s.r.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.d = delivery{authed: s.d.authed} }
func (s *session) Logout() error { return nil }

// startRelay serves SMTP on 127.0.0.1; with cert it offers STARTTLS.
func startRelay(t *testing.T, cert *tls.Certificate, user, password string) *relay {
	t.Helper()
	r := &relay{user: user, password: password}
	srv := smtp.NewServer(r)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	if cert != nil {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	host, port, _ := net.SplitHostPort(l.Addr().String())
	r.host = host
	r.port, _ = strconv.Atoi(port)
	return r
}

// selfSigned is a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (*tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "relay"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func mailer(t *testing.T, r *relay, security, user, password string, pool *x509.CertPool) *notify.SMTPMailer {
	t.Helper()
	cfg := notify.SMTPConfig{Host: r.host, Port: r.port, Security: security, Username: user, Password: password,
		From: "CRAFTS CODE <noreply@crafts.example>", Timeout: 5 * time.Second}
	if pool != nil {
		cfg.TLS = &tls.Config{RootCAs: pool, ServerName: r.host, MinVersion: tls.VersionTLS12}
	}
	m, err := notify.NewSMTPMailer(cfg)
	require.NoError(t, err)
	return m
}

func TestSMTPMailerSendsUTF8AndKeepsHeadersShut(t *testing.T) {
	r := startRelay(t, nil, "", "")
	m := mailer(t, r, "none", "", "", nil)
	subject := "Consultation closing soon: Ærø – РАМ Стара планина\r\nBcc: victim@evil.example"
	body := "Dear Budapesti Vállalkozásfejlesztési Közalapítvány,\n\nthe consultation closes on 2026-12-10 (€ 3 000).\n"
	require.NoError(t, m.Send(context.Background(), workflow.Mail{To: "partner@crafts.example", Subject: subject, Body: body}))

	got := r.deliveries()
	require.Len(t, got, 1)
	require.Equal(t, "noreply@crafts.example", got[0].from)
	require.Equal(t, []string{"partner@crafts.example"}, got[0].to, "the folded Bcc line added no recipient")
	msg, err := mail.ReadMessage(strings.NewReader(string(got[0].data)))
	require.NoError(t, err)
	require.Empty(t, msg.Header.Get("Bcc"))
	dec := new(mime.WordDecoder)
	subj, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	require.Equal(t, "Consultation closing soon: Ærø – РАМ Стара планина Bcc: victim@evil.example", subj)
	from, err := mail.ParseAddress(msg.Header.Get("From"))
	require.NoError(t, err)
	require.Equal(t, "noreply@crafts.example", from.Address)
	require.NotEmpty(t, msg.Header.Get("Date"))
	require.NotEmpty(t, msg.Header.Get("Message-Id"))
	require.Contains(t, msg.Header.Get("Content-Type"), "charset=UTF-8")
	text := decodeBody(t, msg)
	require.Equal(t, strings.ReplaceAll(body, "\n", "\r\n"), text)
}

// decodeBody reads a single-part body in its transfer encoding.
func decodeBody(t *testing.T, msg *mail.Message) string {
	t.Helper()
	return decodeTransfer(t, msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
}

// decodeTransfer reads r in the transfer encoding cte.
func decodeTransfer(t *testing.T, cte string, r io.Reader) string {
	t.Helper()
	raw, err := io.ReadAll(r)
	require.NoError(t, err)
	switch strings.ToLower(cte) {
	case "quoted-printable":
		b, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
		require.NoError(t, err)
		return string(b)
	case "base64":
		b, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(raw)))
		require.NoError(t, err)
		return string(b)
	}
	return string(raw)
}

// TestSMTPMailerSendsHTMLAndUnsubscribeHeaders: a mail with HTML is
// multipart/alternative, the text part first; the extra headers arrive
// once each, on one line however long.
func TestSMTPMailerSendsHTMLAndUnsubscribeHeaders(t *testing.T) {
	r := startRelay(t, nil, "", "")
	m := mailer(t, r, "none", "", "", nil)
	link := "https://crafts.example/ui/unsubscribe/" + strings.Repeat("0b6f3c1e-7a4d-4f55-9a51-3d0e6f1c2b7a.", 2) + "comment_reply.c2lnbmF0dXJlLW9mLXRoZS1saW5rLXRoYXQtaXMtbG9uZw"
	text := "Kovács Anna replied to your comment on „Cselekvési terv”.\n\n" + link + "\n"
	html := `<!DOCTYPE html><html lang="en"><body><p>Kovács Anna replied to your comment on <a href="https://crafts.example/ui/action-plans/1">„Cselekvési terv”</a>.</p>` +
		"<p>" + strings.Repeat("A long line that quoted-printable must wrap. ", 4) + "</p></body></html>\n"
	require.NoError(t, m.Send(context.Background(), workflow.Mail{To: "sh@crafts.example", Subject: "A reply", Body: text, HTML: html,
		Headers: map[string]string{"List-Unsubscribe": "<" + link + ">", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}}))

	got := r.deliveries()
	require.Len(t, got, 1)
	data := string(got[0].data)
	require.Contains(t, data, "\r\nList-Unsubscribe: <"+link+">\r\n", "one line, not folded")
	require.Contains(t, data, "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
	require.Equal(t, 1, strings.Count(data, "List-Unsubscribe:"))
	msg, err := mail.ReadMessage(strings.NewReader(data))
	require.NoError(t, err)
	require.Equal(t, "<"+link+">", msg.Header.Get("List-Unsubscribe"))

	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/alternative", mt)
	parts := multipart.NewReader(msg.Body, params["boundary"])
	var types, bodies []string
	for {
		p, err := parts.NextRawPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		ct, ps, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		require.NoError(t, err)
		require.Equal(t, "utf-8", strings.ToLower(ps["charset"]), ct)
		types = append(types, ct)
		bodies = append(bodies, decodeTransfer(t, p.Header.Get("Content-Transfer-Encoding"), p))
	}
	require.Equal(t, []string{"text/plain", "text/html"}, types, "the text part first")
	require.Equal(t, strings.ReplaceAll(text, "\n", "\r\n"), bodies[0])
	require.Equal(t, strings.ReplaceAll(html, "\n", "\r\n"), bodies[1])
}

// TestSMTPMailerRefusesBadHeaders: a header value with a line break (which
// would add a header or a recipient), one the mailer writes itself, and a
// malformed name are refused before anything is sent.
func TestSMTPMailerRefusesBadHeaders(t *testing.T) {
	r := startRelay(t, nil, "", "")
	m := mailer(t, r, "none", "", "", nil)
	for _, hs := range []map[string]string{
		{"List-Unsubscribe": "<https://crafts.example/u>\r\nBcc: victim@evil.example"},
		{"List-Unsubscribe": "<https://crafts.example/u>\nBcc: victim@evil.example"},
		{"List-Unsubscribe": "<https://crafts.example/u>\rX: y"},
		{"List-Unsubscribe": "<https://crafts.example/ü>"},
		{"List-Unsubscribe": "<https://crafts.example/" + strings.Repeat("u", 1000) + ">"},
		{"List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "Bcc": "victim@evil.example"},
		{"subject": "Another subject"},
		{"List-Unsubscribe: x": "y"},
		{"List Unsubscribe": "y"},
		{"": "y"},
	} {
		err := m.Send(context.Background(), workflow.Mail{To: "sh@crafts.example", Subject: "x", Body: "x", Headers: hs})
		require.Error(t, err, "%q", hs)
	}
	require.Empty(t, r.deliveries())
}

func TestSMTPMailerRequiresSTARTTLSByDefault(t *testing.T) {
	r := startRelay(t, nil, "", "") // offers no STARTTLS
	m := mailer(t, r, "starttls", "", "", nil)
	err := m.Send(context.Background(), workflow.Mail{To: "a@crafts.example", Subject: "x", Body: "x"})
	require.Error(t, err)
	require.Empty(t, r.deliveries(), "nothing goes out in the clear")
}

func TestSMTPMailerAuthenticatesOverSTARTTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	r := startRelay(t, cert, "craftscode", "s3cret-pässword")
	require.NoError(t, mailer(t, r, "starttls", "craftscode", "s3cret-pässword", pool).
		Send(context.Background(), workflow.Mail{To: "a@crafts.example", Subject: "Sign in", Body: "link"}))
	got := r.deliveries()
	require.Len(t, got, 1)
	require.Equal(t, "craftscode", got[0].authed)

	err := mailer(t, r, "starttls", "craftscode", "wrong", pool).
		Send(context.Background(), workflow.Mail{To: "a@crafts.example", Subject: "Sign in", Body: "link"})
	require.Error(t, err)
	require.Len(t, r.deliveries(), 1)

	// A certificate the client does not trust is refused.
	err = mailer(t, r, "starttls", "craftscode", "s3cret-pässword", nil).
		Send(context.Background(), workflow.Mail{To: "a@crafts.example", Subject: "Sign in", Body: "link"})
	require.Error(t, err)
	require.Len(t, r.deliveries(), 1)
}

// TestSMTPMailerGivesUpWithTheContext: a relay that accepts and never
// answers holds a send no longer than the context's deadline.
func TestSMTPMailerGivesUpWithTheContext(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never speaks
	require.NoError(t, err)
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	m, err := notify.NewSMTPMailer(notify.SMTPConfig{Host: "127.0.0.1", Port: port, Security: "none", From: "noreply@crafts.example", Timeout: time.Minute})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	require.Error(t, m.Send(ctx, workflow.Mail{To: "a@crafts.example", Subject: "x", Body: "x"}))
	require.Less(t, time.Since(start), 20*time.Second, "not the minute of the mailer's own timeout")
}

func TestParseSMTPURL(t *testing.T) {
	for _, c := range []struct {
		url  string
		want notify.SMTPConfig
	}{
		{"smtp://mail.example.org", notify.SMTPConfig{Host: "mail.example.org", Port: 587, Security: "starttls"}},
		{"smtp://u%40x:p%3Ass@mail.example.org:2525", notify.SMTPConfig{Host: "mail.example.org", Port: 2525, Security: "starttls", Username: "u@x", Password: "p:ss"}},
		{"smtp://localhost:1025?tls=none", notify.SMTPConfig{Host: "localhost", Port: 1025, Security: "none"}},
		{"smtps://mail.example.org", notify.SMTPConfig{Host: "mail.example.org", Port: 465, Security: "tls"}},
	} {
		got, err := notify.ParseSMTPURL(c.url, "Crafts <noreply@crafts.example>")
		require.NoError(t, err, c.url)
		c.want.From, c.want.Timeout = `"Crafts" <noreply@crafts.example>`, 10*time.Second
		require.Equal(t, c.want, got, c.url)
	}
	for _, bad := range []string{"", "mail.example.org:25", "http://mail.example.org", "smtp://", "smtp://h:0", "smtp://h:99999", "smtp://h?tls=maybe"} {
		_, err := notify.ParseSMTPURL(bad, "noreply@crafts.example")
		require.Error(t, err, bad)
	}
	_, err := notify.ParseSMTPURL("smtp://mail.example.org", "not an address")
	require.Error(t, err)
}
