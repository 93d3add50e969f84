package ratelimit

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"
)

// Upload defaults: an upload must keep moving (a minute without a byte is
// a stall) and may take as long as its size limit needs at the minimum
// rate, plus that minute.
const (
	DefaultUploadStall   = 60 * time.Second
	DefaultUploadMinRate = 32 << 10 // bytes a second: 256 kbit/s
)

// ErrUploadStalled is what reading an upload body gives once the client
// stopped sending (nothing within the stall time) or ran out of its time:
// the client's fault, answered 408, never 500.
var ErrUploadStalled = errors.New("the upload stalled: no data arrived in time")

// UploadTime is how long an upload of at most limit bytes may take: the
// stall time plus limit at minRate bytes a second.
func UploadTime(limit, minRate int64, stall time.Duration) time.Duration {
	if minRate <= 0 {
		minRate = DefaultUploadMinRate
	}
	if stall <= 0 {
		stall = DefaultUploadStall
	}
	return stall + time.Duration(float64(limit)/float64(minRate)*float64(time.Second))
}

// UploadBody replaces the server's ReadTimeout for one request's body:
// each read may wait for data up to stall, and all of it must have
// arrived by the end (UploadTime from now). A slow line that keeps
// sending gets the time its size needs; a stalled one is cut after stall
// with ErrUploadStalled. It needs a server whose ResponseWriter supports
// SetReadDeadline (net/http does); otherwise the server's own timeouts
// stay.
func UploadBody(w http.ResponseWriter, body io.ReadCloser, limit, minRate int64, stall time.Duration) io.ReadCloser {
	if stall <= 0 {
		stall = DefaultUploadStall
	}
	u := &uploadBody{ReadCloser: body, rc: http.NewResponseController(w), stall: stall,
		end: time.Now().Add(UploadTime(limit, minRate, stall))}
	if u.setDeadline(time.Now()) != nil {
		return body
	}
	return u
}

type uploadBody struct {
	io.ReadCloser
	rc    *http.ResponseController
	stall time.Duration
	end   time.Time
	set   time.Time // when the deadline was last moved
}

func (u *uploadBody) setDeadline(now time.Time) error {
	u.set = now
	d := now.Add(u.stall)
	if d.After(u.end) {
		d = u.end
	}
	return u.rc.SetReadDeadline(d)
}

func (u *uploadBody) Read(p []byte) (int, error) {
	// Move the deadline on as data comes, not on every read: it stays at
	// least 7/8 of stall ahead.
	if now := time.Now(); now.Sub(u.set) > u.stall/8 {
		_ = u.setDeadline(now)
	}
	n, err := u.ReadCloser.Read(p)
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		err = ErrUploadStalled
	}
	return n, err
}
