package locale

import (
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the zones, on machines without a zoneinfo database
)

// Clock writes moments, days and durations in one language and one time
// zone, for a page or a mail. The catalog gives the patterns and the
// month names once, so that a page with thousands of dates does not go
// through the catalog for each.
type Clock struct {
	loc    *Localizer
	zone   *time.Location
	now    time.Time
	moment string // dates.format with \x01 day, \x02 month, \x03 year, \x04 time
	day    string // dates.day_format, the same without the time
	months []string
}

// Clock makes a clock for the localizer's language in zone (UTC when
// nil); now is the moment relative times count from.
func (l *Localizer) Clock(zone *time.Location, now time.Time) *Clock {
	if zone == nil {
		zone = time.UTC
	}
	c := &Clock{loc: l, zone: zone, now: now}
	marks := []any{"Day", "\x01", "Month", "\x02", "Year", "\x03", "Time", "\x04"}
	c.moment = l.MustT("dates.format", marks...)
	c.day = l.MustT("dates.day_format", marks[:6]...)
	c.months = strings.Fields(l.MustT("dates.months"))
	if len(c.months) != 12 { // a broken catalog must not break a page
		c.months = strings.Fields("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec")
	}
	return c
}

// Zone is the clock's time zone.
func (c *Clock) Zone() *time.Location { return c.zone }

// Now is the moment relative times count from.
func (c *Clock) Now() time.Time { return c.now }

// Moment is t in words, in the clock's zone, with the zone's abbreviation
// ("7 December 2026, 17:00 CET"); "" for the zero time.
func (c *Clock) Moment(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(c.zone)
	return c.fill(c.moment, t.Year(), t.Month(), t.Day(), t.Format("15:04 MST"))
}

// Day is a calendar day in words ("7 December 2026"), with no zone: a due
// date or an event's day is the same day everywhere.
func (c *Clock) Day(year int, month time.Month, day int) string {
	return c.fill(c.day, year, month, day, "")
}

func (c *Clock) fill(layout string, year int, month time.Month, day int, clock string) string {
	var b strings.Builder
	b.Grow(len(layout) + 24)
	for _, r := range layout {
		switch r {
		case '\x01':
			b.WriteString(strconv.Itoa(day))
		case '\x02':
			b.WriteString(c.months[month-1])
		case '\x03':
			b.WriteString(strconv.Itoa(year))
		case '\x04':
			b.WriteString(clock)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Relative says how far t is from now in the largest whole unit ("in 3
// days", "2 hours ago", "just now").
func (c *Clock) Relative(t time.Time) string {
	diff := t.Sub(c.now)
	future := diff > 0
	if !future {
		diff = -diff
	}
	days, hours, minutes := int(diff/(24*time.Hour)), int(diff/time.Hour), int(diff/time.Minute)
	switch {
	case days >= 1 && future:
		return c.loc.MustT("dates.in_days", "Count", days)
	case days >= 1:
		return c.loc.MustT("dates.days_ago", "Count", days)
	case hours >= 1 && future:
		return c.loc.MustT("dates.in_hours", "Count", hours)
	case hours >= 1:
		return c.loc.MustT("dates.hours_ago", "Count", hours)
	case minutes >= 1 && future:
		return c.loc.MustT("dates.in_minutes", "Count", minutes)
	case minutes >= 1:
		return c.loc.MustT("dates.minutes_ago", "Count", minutes)
	}
	return c.loc.MustT("dates.now")
}

// Duration is a span of time for people ("15 minutes", "2 hours", "3
// days"), in the largest unit that divides it, rounded to the minute.
func (l *Localizer) Duration(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	switch {
	case m >= 24*60 && m%(24*60) == 0:
		return l.MustT("duration.days", "Count", m/(24*60))
	case m >= 60 && m%60 == 0:
		return l.MustT("duration.hours", "Count", m/60)
	}
	return l.MustT("duration.minutes", "Count", m)
}

// ZoneOf loads a time zone by its IANA name; UTC for "" or an unknown
// name (names are validated where they are saved).
func ZoneOf(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	if z, ok := zones.Load(name); ok { // LoadLocation reads and parses tzdata each time
		return z.(*time.Location)
	}
	z, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	zones.Store(name, z)
	return z
}

var zones sync.Map // IANA name → *time.Location
