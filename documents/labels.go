package documents

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/craftscode/craftscode/locale"
)

// The fixed words of a document — the built-in templates' headings, field
// names and blocks (the template function t), and the renderers' own (the
// page footer, the DRAFT mark, the table of contents) — come from the
// message catalog, under keys that start with "doc.", in the document's
// language (Meta.Language). A language the catalog lacks gives English.
//
// A message is template constant text: it is not escaped, like the
// template's own Markdown, and so must not contain Markdown (the catalog
// test checks that the doc. messages have none of its special characters).
// Its placeholders' values are printed as the template would print them:
// user text stays escaped.

// labelPrefix starts every document message id; t takes no other.
const labelPrefix = "doc."

var labelCatalog struct {
	once sync.Once
	c    *locale.Catalog
	err  error
}

// catalog is the message catalog, loaded once.
func catalog() (*locale.Catalog, error) {
	labelCatalog.once.Do(func() { labelCatalog.c, labelCatalog.err = locale.Load() })
	return labelCatalog.c, labelCatalog.err
}

// localizer speaks lang (ISO 639-1; a region is ignored when the catalog
// has only the language), or English. It is nil only when the embedded
// catalog cannot be read, which the tests rule out.
func localizer(lang string) *locale.Localizer {
	c, err := catalog()
	if err != nil {
		return nil
	}
	return c.Match(strings.TrimSpace(lang))
}

// label gives a document message in lang; in English when lang's catalog
// lacks it or cannot render it (go-i18n gives a missing translation as an
// error, which MustT would print as the id: a document's title read
// "doc.progress.title – …" so); the id only when English lacks it too
// (the catalog test checks that every id used exists).
func label(lang, id string, args ...any) string {
	c, err := catalog()
	if err != nil {
		return id
	}
	return labelFrom(c, lang, id, args...)
}

func labelFrom(c *locale.Catalog, lang, id string, args ...any) string {
	if s, err := c.Match(strings.TrimSpace(lang)).T(id, args...); err == nil {
		return s
	}
	return c.Match(locale.Default).MustT(id, args...)
}

// hasLabel tells whether the (English) catalog has a document message.
func hasLabel(id string) bool {
	l := localizer(locale.Default)
	return l != nil && l.Has(id)
}

// dayIn is a moment's calendar day (in UTC, as every date a document
// prints) in words, in the document's language.
func dayIn(lang string, t time.Time) string {
	c, err := catalog()
	if err != nil {
		return t.UTC().Format("2006-01-02")
	}
	t = t.UTC()
	return c.Match(strings.TrimSpace(lang)).Clock(time.UTC, time.Time{}).Day(t.Year(), t.Month(), t.Day())
}

// sectionKeys are the catalog's names of the sections a comment can be
// on, by anchor (workflow.Sections names them in English).
var sectionKeys = map[string]string{
	"general":                "doc.section.general",
	"summary_en":             "doc.plan.summary_en",
	"part1.general":          "doc.plan.part1",
	"part2.policy_context":   "doc.plan.part2",
	"visit":                  "doc.pr.visit",
	"findings":               "doc.pr.findings",
	"location":               "doc.gp.location",
	"summary":                "doc.gp.summary",
	"description":            "doc.gp.description",
	"resources_needed":       "doc.gp.resources",
	"timescale":              "doc.gp.timescale",
	"evidence_of_success":    "doc.gp.evidence",
	"potential_for_learning": "doc.gp.learning",
	"main_institution":       "doc.gp.institution",
}

// actionPartKeys name an action's parts.
var actionPartKeys = map[string]string{
	"background": "doc.plan.background", "description": "doc.col.action", "players": "doc.plan.players",
	"timeframe": "doc.col.timeframe", "costs": "doc.col.costs", "funding_sources": "doc.plan.funding",
}

// sectionName is a section's name in the document's language: the
// catalog's for the fixed sections; for an action or a recommendation, the
// catalog's "Action 2" before name, what people wrote, and an action
// part's name after it. Anything else keeps its title.
func sectionName(l *locale.Localizer, anchor, title, name string) string {
	if l == nil {
		return title
	}
	if key, ok := sectionKeys[anchor]; ok {
		return strings.TrimSuffix(l.MustT(key), ":")
	}
	var legend, rest string
	switch {
	case strings.HasPrefix(anchor, "part3.action."):
		legend, rest = "doc.plan.action", strings.TrimPrefix(anchor, "part3.action.")
	case strings.HasPrefix(anchor, "recommendation."):
		legend, rest = "doc.pr.recommendation", strings.TrimPrefix(anchor, "recommendation.")
	default:
		return title
	}
	num, part, _ := strings.Cut(rest, ".")
	n, err := strconv.Atoi(num)
	if err != nil {
		return title
	}
	out := l.MustT(legend, "Number", n) + " – " + name
	if key, ok := actionPartKeys[part]; ok {
		out += ": " + l.MustT(key)
	}
	return out
}

// textOf is a template value's text as the template holds it: user text
// already escaped (mdText) or a constant; "" for none.
func textOf(v any) string {
	switch x := v.(type) {
	case mdText:
		return string(x)
	case string:
		return x
	}
	return ""
}
