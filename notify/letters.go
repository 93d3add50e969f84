package notify

import (
	"time"

	"github.com/craftscode/craftscode/locale"
	"github.com/craftscode/craftscode/workflow"
)

// Letters writes the mail people get, each in the reader's language and
// time zone: their own settings first, then the project's defaults. A new
// kind of mail is a method here and its "mail.<kind>.*" messages in the
// catalog.
type Letters struct{ catalog *locale.Catalog }

// NewLetters loads the message catalog.
func NewLetters() (*Letters, error) {
	c, err := locale.Load()
	if err != nil {
		return nil, err
	}
	return &Letters{catalog: c}, nil
}

// reader is a person's language and time zone for a mail: their saved
// settings, then fallback (the language the person's page spoke, or the
// project's), then the project's zone.
func (l *Letters) reader(u workflow.User, fallback string, project workflow.ProjectLocale) (*locale.Localizer, *time.Location) {
	loc := l.catalog.Pick(u.Language, "", fallback)
	zone := u.TimeZone
	if zone == "" {
		zone = project.TimeZone
	}
	return loc, locale.ZoneOf(zone)
}

// SignIn is the one-time sign-in link; pageLang is the language of the
// page it was asked for on, for a person who chose none.
func (l *Letters) SignIn(u workflow.User, pageLang, link string, ttl time.Duration) workflow.Mail {
	loc, _ := l.reader(u, pageLang, workflow.ProjectLocale{})
	return workflow.Mail{To: u.Email, Subject: loc.MustT("mail.link.subject"),
		Body: loc.MustT("mail.link.body", "Name", u.Name, "Link", link, "Duration", loc.Duration(ttl))}
}

// Invitation tells a person that by (the coordinator or an admin) made
// them a member of a project with a role, with a sign-in link that lands
// in the project; in their language, else the project's.
func (l *Letters) Invitation(u workflow.User, p workflow.Project, role workflow.Role, by workflow.User, link string, ttl time.Duration) workflow.Mail {
	project := workflow.ProjectLocale{Language: p.Language, TimeZone: p.TimeZone}
	loc, _ := l.reader(u, p.Language, project)
	return workflow.Mail{To: u.Email, Subject: loc.MustT("mail.invite.subject", "Project", p.Acronym),
		Body: loc.MustT("mail.invite.body", "Name", u.Name, "Inviter", by.Name, "Project", p.Acronym, "Title", p.Title,
			"Role", loc.MustT("code."+string(role)), "Link", link, "Duration", loc.Duration(ttl))}
}
