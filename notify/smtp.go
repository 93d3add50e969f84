package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/craftscode/craftscode/workflow"
)

// SMTPConfig is a mail relay, parsed from a URL by ParseSMTPURL.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	// Security is "starttls" (the default: STARTTLS is required), "tls"
	// (implicit TLS, smtps://) or "none" (plain text, for a relay on
	// the same host or a test server).
	Security string
	From     string // the From address
	Timeout  time.Duration
	// TLS, when set, replaces the default TLS configuration (tests use it
	// to trust their own certificate).
	TLS *tls.Config
}

// ParseSMTPURL reads smtp://[user:password@]host[:port][?tls=none] (port
// 587, STARTTLS required unless tls=none) or smtps://…[:port] (port 465,
// implicit TLS). from is the sender's address.
func ParseSMTPURL(raw, from string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return SMTPConfig{}, errors.New("must look like smtp://user:password@host:587 or smtps://host:465")
	}
	c := SMTPConfig{Host: u.Hostname(), Timeout: 10 * time.Second}
	switch u.Scheme {
	case "smtp":
		c.Port, c.Security = 587, "starttls"
		switch v := u.Query().Get("tls"); v {
		case "", "starttls":
		case "none":
			c.Security = "none"
		default:
			return SMTPConfig{}, fmt.Errorf("tls=%q: use tls=none for a relay without TLS, or leave it out", v)
		}
	case "smtps":
		c.Port, c.Security = 465, "tls"
	default:
		return SMTPConfig{}, fmt.Errorf("scheme %q: use smtp:// (STARTTLS) or smtps:// (TLS)", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if c.Port, err = strconv.Atoi(p); err != nil || c.Port < 1 || c.Port > 65535 {
			return SMTPConfig{}, errors.New("the port must be a number from 1 to 65535")
		}
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	a, err := mail.ParseAddress(from)
	if err != nil {
		return SMTPConfig{}, errors.New("the sender (CRAFTSCODE_MAIL_FROM) must be a mail address")
	}
	c.From = a.String()
	return c, nil
}

// SMTPMailer sends mail through a relay, one connection per message: the
// service sends a handful a day (sign-in links, reminders).
type SMTPMailer struct{ cfg SMTPConfig }

var _ workflow.Mailer = (*SMTPMailer)(nil)

// NewSMTPMailer checks cfg and makes the mailer; it does not connect.
func NewSMTPMailer(cfg SMTPConfig) (*SMTPMailer, error) {
	if _, err := mail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("smtp: the From address: %w", err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	// The client is made once here only to reject options it refuses.
	if _, err := cfg.client(cfg.Timeout); err != nil {
		return nil, err
	}
	return &SMTPMailer{cfg: cfg}, nil
}

// client makes a go-mail client whose whole exchange, dial to quit, takes
// at most timeout: go-mail sets it as the connection's deadline.
func (c SMTPConfig) client(timeout time.Duration) (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(c.Port), gomail.WithTimeout(timeout)}
	switch c.Security {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if c.TLS != nil {
		opts = append(opts, gomail.WithTLSConfig(c.TLS))
	}
	if c.Username != "" {
		// The strongest mechanism the relay offers; go-mail refuses the
		// plain ones on a connection without TLS.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(c.Username), gomail.WithPassword(c.Password))
	}
	cl, err := gomail.NewClient(c.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	return cl, nil
}

// Send writes m as a UTF-8 plain text message, with its HTML alternative
// and extra headers when it has them, and hands it to the relay. Header
// values are encoded by go-mail, so a subject made from user text cannot
// add headers.
func (s *SMTPMailer) Send(ctx context.Context, m workflow.Mail) error {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(s.cfg.From); err != nil {
		return fmt.Errorf("smtp: from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("smtp: to: %w", err)
	}
	msg.Subject(oneLine(m.Subject))
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	for k, v := range m.Headers {
		msg.SetGenHeader(gomail.Header(k), oneLine(v))
	}
	// go-mail heeds the context only while dialling; a deadline of the
	// context also bounds the exchange after it.
	timeout := s.cfg.Timeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = max(min(timeout, time.Until(dl)), time.Millisecond)
	}
	cl, err := s.cfg.client(timeout)
	if err != nil {
		return err
	}
	if err := cl.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("smtp: send to %s:%d: %w", s.cfg.Host, s.cfg.Port, err)
	}
	return nil
}

// oneLine folds line breaks into spaces: a subject is one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
