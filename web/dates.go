package web

import (
	"time"

	"github.com/craftscode/craftscode/locale"
	"github.com/craftscode/craftscode/workflow"
)

// when is a moment as a page shows it: the machine-readable value for
// <time datetime>, the date in words in the reader's language and time
// zone ("7 December 2026, 17:00 CET") and, where asked for, how far it is
// from now ("in 3 days", "2 days ago").
type when struct {
	ISO, Text, Rel string
}

// IsZero tells the template there is no date to show.
func (w when) IsZero() bool { return w.ISO == "" }

// dates writes the dates of one page, in its language and the reader's
// time zone (locale.Clock).
type dates struct{ *locale.Clock }

func newDates(loc *locale.Localizer, zone *time.Location, now time.Time) *dates {
	return &dates{loc.Clock(zone, now)}
}

// text is the moment in words.
func (d *dates) text(t time.Time) string { return d.Moment(t) }

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
		w.Rel = d.Relative(t)
	}
	return w
}

// day is a calendar day (a due date, an event's day) in words, with
// <time datetime> its ISO form.
func (d *dates) day(x workflow.Date) when {
	if x.IsZero() {
		return when{}
	}
	t := x.Time()
	return when{ISO: x.String(), Text: d.Day(t.Year(), t.Month(), t.Day())}
}

// dayOf is a template's day: a workflow.Date or *workflow.Date in words,
// "" for none.
func (d *dates) dayOf(v any) string {
	switch x := v.(type) {
	case workflow.Date:
		return d.day(x).Text
	case *workflow.Date:
		if x != nil {
			return d.day(*x).Text
		}
	}
	return ""
}
