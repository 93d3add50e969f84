package web

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/locale"
	"github.com/craftscode/craftscode/workflow"
)

// TestDates: a page's moments in the reader's zone, with how far they are
// from now, and calendar days without a zone.
func TestDates(t *testing.T) {
	c, err := locale.Load()
	require.NoError(t, err)
	now := time.Date(2026, 12, 7, 16, 0, 0, 0, time.UTC)
	d := newDates(c.Match(locale.Default), locale.ZoneOf("Europe/Rome"), now)
	at := time.Date(2026, 12, 10, 16, 0, 0, 0, time.FixedZone("X", 3600))
	w := d.atRel(at)
	require.Equal(t, "2026-12-10T15:00:00Z", w.ISO, "the machine-readable value stays UTC")
	require.Equal(t, "10 December 2026, 16:00 CET", w.Text)
	require.Equal(t, "in 2 days", w.Rel)
	require.True(t, d.at(time.Time{}).IsZero())
	require.Equal(t, when{ISO: "2027-03-28", Text: "28 March 2027"}, d.day(workflow.MustDate("2027-03-28")))
	require.Equal(t, "", d.dayOf((*workflow.Date)(nil)))
}
