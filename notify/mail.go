// Package notify holds how the service reaches people and other systems:
// mail (magic links, reminders) and webhooks.
package notify

import (
	"context"
	"log/slog"

	"github.com/craftscode/craftscode/workflow"
)

// LogMailer "sends" mail by writing it to the log: the embedded default,
// for development and for deployments without a mail relay.
type LogMailer struct{ Log *slog.Logger }

var _ workflow.Mailer = LogMailer{}

// Send logs the message.
func (m LogMailer) Send(ctx context.Context, mail workflow.Mail) error {
	m.Log.InfoContext(ctx, "mail", "to", mail.To, "subject", mail.Subject, "body", mail.Body)
	return nil
}
