package documents

import (
	"regexp"
	"strings"
	"sync"
)

// A date must not wrap in the middle, in any format: the writers find the
// dates a document in a language writes (its own day format and month
// names from the message catalog, English's for the summary in English,
// and ISO dates) and keep each on one line.

// dateCache holds, by language, the pattern datesIn builds.
var dateCache sync.Map // string → *regexp.Regexp

// datesIn is the pattern of the dates a document in lang writes.
func datesIn(lang string) *regexp.Regexp {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if re, ok := dateCache.Load(lang); ok {
		return re.(*regexp.Regexp)
	}
	alts := []string{`\b\d{4}-\d{2}(?:-\d{2})?\b`}
	for _, l := range []string{lang, "en"} {
		if p := dayPattern(l); p != "" {
			alts = append(alts, p)
		}
	}
	re := regexp.MustCompile(strings.Join(alts, "|"))
	dateCache.Store(lang, re)
	return re
}

// dayPattern is a regular expression for a day in words in lang, after
// the catalog's dates.day_format and dates.months; "" without them.
func dayPattern(lang string) string {
	l := localizer(lang)
	if l == nil || !l.Has("dates.day_format") || !l.Has("dates.months") {
		return ""
	}
	layout := l.MustT("dates.day_format", "Day", "\x01", "Month", "\x02", "Year", "\x03")
	months := strings.Fields(l.MustT("dates.months"))
	if len(months) != 12 {
		return ""
	}
	for i, m := range months {
		months[i] = regexp.QuoteMeta(m)
	}
	var p strings.Builder
	p.WriteString(`\b`)
	for _, r := range layout {
		switch r {
		case '\x01':
			p.WriteString(`\d{1,2}`)
		case '\x02':
			p.WriteString(`(?:` + strings.Join(months, "|") + `)`)
		case '\x03':
			p.WriteString(`\d{4}`)
		default:
			p.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	return p.String()
}
