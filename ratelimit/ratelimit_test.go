package ratelimit

import (
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

func TestPerKey(t *testing.T) {
	l := New(rate.Limit(0.001), 2)
	for range 2 {
		ok, _ := l.Allow("a")
		require.True(t, ok)
	}
	ok, wait := l.Allow("a")
	require.False(t, ok, "the burst is spent")
	require.Positive(t, wait)
	require.InDelta(t, 1000, wait, 1, "whole seconds until the next token, at 0.001 a second")
	ok, _ = l.Allow("b")
	require.True(t, ok, "each key has its own bucket")

	d := New(0, 0)
	require.Equal(t, DefaultCommentRate, d.every)
	require.Equal(t, DefaultCommentBurst, d.burst)
}
