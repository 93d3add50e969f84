package web

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/locale"
)

// TestDates: a date in words and how far it is from now, with the
// catalog's plural forms.
func TestDates(t *testing.T) {
	c, err := locale.Load()
	require.NoError(t, err)
	now := time.Date(2026, 12, 7, 16, 0, 0, 0, time.UTC)
	d := newDates(c.Match(locale.Default), now)
	at := time.Date(2026, 12, 10, 16, 0, 0, 0, time.FixedZone("CET", 3600))
	w := d.atRel(at)
	require.Equal(t, "2026-12-10T15:00:00Z", w.ISO)
	require.Equal(t, "10 Dec 2026, 15:00 UTC", w.Text)
	require.Equal(t, "in 2 days", w.Rel)
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{now.Add(24 * time.Hour), "in 1 day"},
		{now.Add(-49 * time.Hour), "2 days ago"},
		{now.Add(-24 * time.Hour), "1 day ago"},
		{now.Add(5*time.Hour + time.Minute), "in 5 hours"},
		{now.Add(-time.Hour), "1 hour ago"},
		{now.Add(90 * time.Second), "in 1 minute"},
		{now.Add(-10 * time.Minute), "10 minutes ago"},
		{now.Add(20 * time.Second), "just now"},
	} {
		require.Equal(t, tc.want, d.relative(tc.at), tc.at)
	}
	require.True(t, d.at(time.Time{}).IsZero())
	require.Equal(t, "1 Jan 2027, 00:05 UTC", d.text(time.Date(2027, 1, 1, 0, 5, 0, 0, time.UTC)))
}
