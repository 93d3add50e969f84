package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/craftscode/craftscode/locale"
)

// when is a moment as a page shows it: the machine-readable value for
// <time datetime>, the date in words ("7 Dec 2026, 16:00 UTC") and, where
// asked for, how far it is from now ("in 3 days", "2 days ago").
type when struct {
	ISO, Text, Rel string
}

// IsZero tells the template there is no date to show.
func (w when) IsZero() bool { return w.ISO == "" }

// dates writes the dates of one page in its language. The catalog gives
// the pattern and the month names once per page, so that a page with
// thousands of dates does not go through the catalog for each.
type dates struct {
	loc    *locale.Localizer
	now    time.Time
	layout string // the pattern with \x01 day, \x02 month, \x03 year, \x04 time
	months []string
}

func newDates(loc *locale.Localizer, now time.Time) *dates {
	d := &dates{loc: loc, now: now}
	d.layout = d.T("dates.format", "Day", "\x01", "Month", "\x02", "Year", "\x03", "Time", "\x04")
	d.months = strings.Fields(d.T("dates.months"))
	if len(d.months) != 12 {
		d.months = strings.Fields("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec")
	}
	return d
}

// T is the catalog's message in the page's language.
func (d *dates) T(id string, args ...any) string { return d.loc.MustT(id, args...) }

// text is the date in words, in UTC.
func (d *dates) text(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	var b strings.Builder
	b.Grow(len(d.layout) + 16)
	for _, r := range d.layout {
		switch r {
		case '\x01':
			b.WriteString(strconv.Itoa(t.Day()))
		case '\x02':
			b.WriteString(d.months[t.Month()-1])
		case '\x03':
			b.WriteString(strconv.Itoa(t.Year()))
		case '\x04':
			b.WriteString(t.Format("15:04"))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// iso is the value of a <time datetime>.
func iso(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// at is a date without the relative words (a comment's, a row of a table).
func (d *dates) at(t time.Time) when {
	if t.IsZero() {
		return when{}
	}
	return when{ISO: iso(t), Text: d.text(t)}
}

// atRel is a date with how far it is from now.
func (d *dates) atRel(t time.Time) when {
	w := d.at(t)
	if !w.IsZero() {
		w.Rel = d.relative(t)
	}
	return w
}

// relative says how far t is from now, in the largest whole unit: days,
// then hours, then minutes.
func (d *dates) relative(t time.Time) string {
	diff := t.Sub(d.now)
	future := diff > 0
	if !future {
		diff = -diff
	}
	days, hours, minutes := int(diff/(24*time.Hour)), int(diff/time.Hour), int(diff/time.Minute)
	switch {
	case days >= 1 && future:
		return d.T("dates.in_days", "Count", days)
	case days >= 1:
		return d.T("dates.days_ago", "Count", days)
	case hours >= 1 && future:
		return d.T("dates.in_hours", "Count", hours)
	case hours >= 1:
		return d.T("dates.hours_ago", "Count", hours)
	case minutes >= 1 && future:
		return d.T("dates.in_minutes", "Count", minutes)
	case minutes >= 1:
		return d.T("dates.minutes_ago", "Count", minutes)
	}
	return d.T("dates.now")
}
