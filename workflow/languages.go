package workflow

import (
	"slices"
	"time"
)

// Languages are the languages the service speaks to people: its pages,
// mail and the fixed words of documents (the locale package has a catalog
// for each; a test keeps the two lists equal). The first is the default.
var Languages = []string{"en", "it", "hu", "bg", "es", "fi", "nl"}

// DefaultTimeZone is a project's time zone until one is set.
const DefaultTimeZone = "UTC"

// Settings are a person's own choices: the language and time zone the
// pages and mail use. Empty means not chosen: the language follows the
// browser, then the project; the zone follows the project.
type Settings struct {
	Language string `json:"language"`
	TimeZone string `json:"time_zone"`
}

// Validate reports every broken rule.
func (x Settings) Validate() error {
	var p Problems
	checkLanguage(&p, "language", x.Language, false)
	checkTimeZone(&p, "time_zone", x.TimeZone, false)
	return p.Err("invalid settings")
}

// ProjectLocale is a project's default language and time zone.
type ProjectLocale struct {
	Language string `json:"language"`
	TimeZone string `json:"time_zone"`
}

func checkLanguage(p *Problems, field, v string, required bool) {
	switch {
	case v == "" && required:
		p.Add(field, "is required")
	case v != "" && !slices.Contains(Languages, v):
		p.Add(field, "must be one of en, it, hu, bg, es, fi, nl")
	}
}

// checkTimeZone accepts an IANA zone name (Europe/Rome); not "Local",
// which would be the server's.
func checkTimeZone(p *Problems, field, v string, required bool) {
	switch {
	case v == "" && required:
		p.Add(field, "is required")
	case v == "":
	case len(v) > 64 || v == "Local":
		p.Add(field, "is not a time zone name such as Europe/Rome")
	default:
		if _, err := time.LoadLocation(v); err != nil {
			p.Add(field, "is not a time zone name such as Europe/Rome")
		}
	}
}
