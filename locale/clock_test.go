package locale

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestClockKeys: every message the clock asks for is in the catalog, so
// that MustT's fallback to the id never shows.
func TestClockKeys(t *testing.T) {
	c, err := Load()
	require.NoError(t, err)
	for _, lang := range c.Languages() {
		l := c.Match(lang)
		for _, id := range []string{"dates.format", "dates.day_format", "dates.months", "dates.now",
			"dates.in_days", "dates.days_ago", "dates.in_hours", "dates.hours_ago", "dates.in_minutes",
			"dates.minutes_ago", "duration.minutes", "duration.hours", "duration.days"} {
			require.True(t, l.Has(id), "%s lacks %s", lang, id)
		}
	}
}

// TestClockDST: a deadline at 2027-03-28 01:30 UTC falls half an hour
// after Europe's clocks went forward (01:00 UTC): Helsinki is then at
// UTC+3 and Dublin at UTC+1; half an hour earlier they were not.
func TestClockDST(t *testing.T) {
	c, err := Load()
	require.NoError(t, err)
	en := c.Match("en")
	deadline := time.Date(2027, 3, 28, 1, 30, 0, 0, time.UTC)
	before := deadline.Add(-time.Hour)
	helsinki := en.Clock(ZoneOf("Europe/Helsinki"), deadline)
	dublin := en.Clock(ZoneOf("Europe/Dublin"), deadline)
	require.Equal(t, "28 March 2027, 04:30 EEST", helsinki.Moment(deadline))
	require.Equal(t, "28 March 2027, 02:30 EET", helsinki.Moment(before))
	require.Equal(t, "28 March 2027, 02:30 IST", dublin.Moment(deadline))
	require.Equal(t, "28 March 2027, 00:30 GMT", dublin.Moment(before))
	require.Equal(t, "28 March 2027, 01:30 UTC", en.Clock(nil, deadline).Moment(deadline))
	require.Equal(t, "", en.Clock(nil, deadline).Moment(time.Time{}))
}

// TestRelative: how far a moment is from now, in the largest whole unit.
func TestRelative(t *testing.T) {
	c, err := Load()
	require.NoError(t, err)
	now := time.Date(2026, 12, 7, 16, 0, 0, 0, time.UTC)
	d := c.Match("en").Clock(time.UTC, now)
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{now.Add(72 * time.Hour), "in 3 days"},
		{now.Add(24 * time.Hour), "in 1 day"},
		{now.Add(-49 * time.Hour), "2 days ago"},
		{now.Add(5*time.Hour + time.Minute), "in 5 hours"},
		{now.Add(-2 * time.Hour), "2 hours ago"},
		{now.Add(90 * time.Second), "in 1 minute"},
		{now.Add(-10 * time.Minute), "10 minutes ago"},
		{now.Add(20 * time.Second), "just now"},
	} {
		require.Equal(t, tc.want, d.Relative(tc.at), tc.at)
	}
}

// TestDuration: spans for people, in the largest unit that divides them.
func TestDuration(t *testing.T) {
	c, err := Load()
	require.NoError(t, err)
	en := c.Match("en")
	require.Equal(t, "15 minutes", en.Duration(15*time.Minute))
	require.Equal(t, "1 minute", en.Duration(50*time.Second))
	require.Equal(t, "2 hours", en.Duration(2*time.Hour))
	require.Equal(t, "90 minutes", en.Duration(90*time.Minute))
	require.Equal(t, "1 day", en.Duration(24*time.Hour))
}

// TestPick: the saved setting, then the browser, then the project.
func TestPick(t *testing.T) {
	c, err := Load()
	require.NoError(t, err)
	require.Equal(t, "en", c.Pick("", "", "").Lang())
	require.Equal(t, "en", c.Pick("", "en-US,en;q=0.9", "it").Lang(), "the browser before the project")
	require.Equal(t, "en", c.Pick("", "fr-FR", "xx").Lang(), "the default last")
	require.Equal(t, "en", c.Pick("xx", "", "").Lang(), "an unknown saved language is ignored")
}
