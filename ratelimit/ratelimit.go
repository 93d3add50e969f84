// Package ratelimit keeps token buckets per key (a user id): the comment
// limit that the API and the web page share.
package ratelimit

import (
	"math"
	"sync"

	"golang.org/x/time/rate"
)

// Comment defaults: a burst of 10, then one every 3 seconds, per user.
// Enough for a person typing, not for a script flooding a thread.
const (
	DefaultCommentRate  = rate.Limit(1.0 / 3)
	DefaultCommentBurst = 10
)

// maxKeys bounds the memory: past it, everyone is forgotten rather than
// the map growing without end.
const maxKeys = 100000

// PerKey is a token bucket per key.
type PerKey struct {
	mu    sync.Mutex
	every rate.Limit
	burst int
	keys  map[string]*rate.Limiter
}

// New makes buckets refilled at every with room for burst; zero values
// take the comment defaults.
func New(every rate.Limit, burst int) *PerKey {
	if every <= 0 {
		every = DefaultCommentRate
	}
	if burst <= 0 {
		burst = DefaultCommentBurst
	}
	return &PerKey{every: every, burst: burst, keys: map[string]*rate.Limiter{}}
}

// Allow takes a token for key, or says how many whole seconds (at least 1)
// to wait for one: what a Retry-After header carries.
func (l *PerKey) Allow(key string) (ok bool, retryAfter int) {
	l.mu.Lock()
	lim := l.keys[key]
	if lim == nil {
		if len(l.keys) >= maxKeys {
			l.keys = map[string]*rate.Limiter{}
		}
		lim = rate.NewLimiter(l.every, l.burst)
		l.keys[key] = lim
	}
	l.mu.Unlock()
	r := lim.Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel()
		return false, max(int(math.Ceil(d.Seconds())), 1)
	}
	return true, 0
}

// Verification defaults: a burst of 20, then one every 3 seconds, per
// client address. Enough for a person checking a pile of copies, not for
// a script probing sums.
const (
	DefaultVerifyRate  = rate.Limit(1.0 / 3)
	DefaultVerifyBurst = 20
)
