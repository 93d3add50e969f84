package notify

import (
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

// Notice is the mail of one notification, sent at once.
// TODO(issue 16): written in the catalog, with an HTML part.
func (l *Letters) Notice(u workflow.User, project workflow.ProjectLocale, n workflow.Notification, links MailLinks) workflow.Mail {
	return workflow.Mail{To: u.Email, Subject: string(n.Kind) + ": " + n.Title, Body: links.Thing + "\n\n" + links.Settings + "\n" + links.Unsubscribe,
		Headers: unsubscribeHeaders(links.Unsubscribe)}
}

// Digest is the daily mail of the notifications a person chose to get
// that way, grouped by project.
// TODO(issue 16): written in the catalog, with an HTML part.
func (l *Letters) Digest(u workflow.User, project workflow.ProjectLocale, groups []DigestGroup, links MailLinks) workflow.Mail {
	body := ""
	for _, g := range groups {
		body += g.Project + "\n"
		for _, it := range g.Items {
			body += "- " + string(it.Notification.Kind) + ": " + it.Notification.Title + " " + it.Link + "\n"
		}
	}
	return workflow.Mail{To: u.Email, Subject: "digest", Body: body + "\n" + links.Settings + "\n" + links.Unsubscribe,
		Headers: unsubscribeHeaders(links.Unsubscribe)}
}

// unsubscribeHeaders are RFC 8058's one-click unsubscribe: a mail client
// POSTs "List-Unsubscribe=One-Click" to the link, without cookies.
func unsubscribeHeaders(link string) map[string]string {
	if link == "" {
		return nil
	}
	return map[string]string{"List-Unsubscribe": "<" + link + ">", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
}
