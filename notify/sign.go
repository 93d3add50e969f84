package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Webhook request headers.
const (
	HeaderEvent     = "X-Craftscode-Event"    // the event type, e.g. transition
	HeaderDelivery  = "X-Craftscode-Delivery" // the delivery id: the same on every retry, for de-duplication
	HeaderSignature = "X-Craftscode-Signature"
)

// The signature scheme. The signature header reads
//
//	t=<unix seconds>,v1=<hex HMAC-SHA256>
//
// where the HMAC is keyed with the webhook's secret and taken over the
// decimal timestamp, a dot, and the raw request body. The timestamp is
// signed with the body, so a receiver that rejects old timestamps (see
// Verify) cannot be fed a captured request again later; within the
// tolerance, the delivery header lets it drop repeats. A receiver may find
// several v1 entries and should accept the request when any one matches.

// DefaultTolerance is how old (or how far ahead) a signed timestamp may be.
const DefaultTolerance = 5 * time.Minute

func mac(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Sign returns the signature header for body sent at t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

// Errors of Verify.
var (
	ErrSignatureMalformed = errors.New("webhook signature: malformed header")
	ErrSignatureStale     = errors.New("webhook signature: timestamp outside the tolerance")
	ErrSignatureMismatch  = errors.New("webhook signature: no signature matches")
)

// Verify checks a signature header against the body as received: the
// timestamp must be within tolerance of now (0 means DefaultTolerance),
// and one v1 signature must match.
func Verify(secret []byte, header string, body []byte, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	var ts string
	var sigs [][]byte
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ErrSignatureMalformed
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			b, err := hex.DecodeString(v)
			if err != nil {
				return ErrSignatureMalformed
			}
			sigs = append(sigs, b)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrSignatureMalformed
	}
	if d := time.Since(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return ErrSignatureStale
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return ErrSignatureMismatch
}
