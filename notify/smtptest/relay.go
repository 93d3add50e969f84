// Package smtptest is an SMTP relay in the test's process, for tests that
// send real mail over SMTP: it keeps what it is given, and can be taken
// down and brought back on the same address, as a relay that fails.
package smtptest

import (
	"bytes"
	"io"
	"net"
	"net/mail"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Relay accepts mail on 127.0.0.1 without TLS or authentication.
type Relay struct {
	Addr string // host:port
	mu   sync.Mutex
	got  []Message
	srv  *smtp.Server
	ln   net.Listener
}

// Message is one mail as the relay received it.
type Message struct {
	From string
	To   []string
	Data []byte
}

// Parsed reads the message's headers and body.
func (m Message) Parsed(t testing.TB) *mail.Message {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatalf("smtptest: %v", err)
	}
	return msg
}

// Start serves on a free port until the test ends.
func Start(t testing.TB) *Relay {
	t.Helper()
	r := &Relay{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: %v", err)
	}
	r.Addr = l.Addr().String()
	r.serve(l)
	t.Cleanup(r.Down)
	return r
}

func (r *Relay) serve(l net.Listener) {
	srv := smtp.NewServer(backend{r})
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	r.mu.Lock()
	r.srv, r.ln = srv, l
	r.mu.Unlock()
	go func() { _ = srv.Serve(l) }()
}

// Down stops listening: a sender's connection is refused.
func (r *Relay) Down() {
	r.mu.Lock()
	srv, l := r.srv, r.ln
	r.srv, r.ln = nil, nil
	r.mu.Unlock()
	if srv != nil {
		// The listener is closed here too: Serve may not have taken it
		// yet, and the server's Close closes only those it has.
		_ = l.Close()
		_ = srv.Close()
	}
}

// Up listens again on the same address.
func (r *Relay) Up(t testing.TB) {
	t.Helper()
	l, err := net.Listen("tcp", r.Addr)
	if err != nil {
		t.Fatalf("smtptest: listen again on %s: %v", r.Addr, err)
	}
	r.serve(l)
}

// Messages are what arrived so far, in order.
func (r *Relay) Messages() []Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Message(nil), r.got...)
}

type backend struct{ r *Relay }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{r: b.r}, nil }

type session struct {
	r *Relay
	m Message
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.m.From = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.m.To = append(s.m.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.m.Data = b
	s.r.mu.Lock()
	s.r.got = append(s.r.got, s.m)
	s.r.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.m = Message{} }
func (s *session) Logout() error { return nil }
