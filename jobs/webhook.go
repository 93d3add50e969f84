package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/riverqueue/river"

	"github.com/craftscode/craftscode/notify"
	"github.com/craftscode/craftscode/workflow"
)

// WebhookArgs asks for one webhook delivery to be sent.
type WebhookArgs struct {
	DeliveryID string `json:"delivery_id"`
}

// Kind names the job type in River's table.
func (WebhookArgs) Kind() string { return "deliver_webhook" }

// WebhookQueue is the deliveries' own queue, so that slow receivers do not
// hold up document rendering.
const WebhookQueue = "webhooks"

// WebhookMaxAttempts bounds the tries of one delivery; after the last one
// it is failed.
const WebhookMaxAttempts = 8

// InsertOpts puts deliveries on their queue with their attempt limit.
func (WebhookArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: WebhookMaxAttempts, Queue: WebhookQueue}
}

// DeliveryStore is what delivering webhooks needs from the database.
type DeliveryStore interface {
	// DeliveryInput gives the delivery and its webhook, secret opened.
	DeliveryInput(ctx context.Context, id string) (workflow.WebhookDelivery, workflow.Webhook, error)
	RecordDeliveryAttempt(ctx context.Context, id string, a workflow.DeliveryAttempt) error
}

// Defaults of delivery.
const (
	DefaultWebhookTimeout = 10 * time.Second
	DefaultWebhookBackoff = 30 * time.Second // first retry; it doubles each time
	maxWebhookBackoff     = time.Hour
	webhookUserAgent      = "craftscode-webhooks/1"
	// Only the start of a receiver's answer is read: for a public
	// receiver it is kept with a failed attempt, and the rest is of no use.
	responseExcerpt = 200
	responseDrain   = 64 << 10
)

// webhookClient is the HTTP client of deliveries: bounded in every phase,
// and it does not follow redirects (a 3xx is a failed attempt), so a
// receiver cannot bounce the signed body to another scheme or host. It
// uses no proxy, whatever HTTP(S)_PROXY says: through a proxy the address
// check would see only the proxy, not the receiver.
func webhookClient(timeout time.Duration, allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: min(5*time.Second, timeout), KeepAlive: 30 * time.Second, Control: refuseReserved(allowPrivate)}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   min(5*time.Second, timeout),
			ResponseHeaderTimeout: timeout,
			MaxIdleConnsPerHost:   2,
			IdleConnTimeout:       90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// refuseReserved runs on each resolved address just before connecting to
// it, so every address of a name, and a name that re-resolves elsewhere
// after the webhook was made, is checked. It keeps coordinators from
// pointing the server at cloud metadata services and internal ranges
// (workflow.CheckWebhookAddress); loopback and private networks only when
// allowPrivate.
func refuseReserved(allowPrivate bool) func(network, address string, _ syscall.RawConn) error {
	return func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return err
		}
		return workflow.CheckWebhookAddress(ap.Addr(), allowPrivate)
	}
}

// webhookWorker sends a delivery's body, signed, to its webhook. A 2xx
// answer delivers it; anything else is recorded on the delivery and
// returned to River, which retries on NextRetry's schedule until the last
// attempt, when the delivery is failed. Receivers get each delivery at
// least once and may drop repeats by the delivery header.
type webhookWorker struct {
	river.WorkerDefaults[WebhookArgs]
	store   DeliveryStore
	client  *http.Client
	backoff time.Duration
	log     *slog.Logger
}

func (w *webhookWorker) Work(ctx context.Context, job *river.Job[WebhookArgs]) error {
	d, hook, err := w.store.DeliveryInput(ctx, job.Args.DeliveryID)
	if workflow.ErrorCode(err) == workflow.CodeNotFound {
		return nil // nothing left to send
	}
	if err != nil {
		// Such as a secret that no longer opens (the server key changed):
		// at the last attempt the delivery is failed, not left pending.
		if job.Attempt >= job.MaxAttempts {
			w.log.WarnContext(ctx, "webhook delivery failed", "delivery_id", job.Args.DeliveryID, "attempt", job.Attempt, "error", err.Error())
			return w.store.RecordDeliveryAttempt(ctx, job.Args.DeliveryID, workflow.DeliveryAttempt{At: time.Now(), Error: err.Error(), GiveUp: true})
		}
		return err
	}
	if d.Status != workflow.DeliveryPending {
		return nil // delivered before, or given up (the webhook was removed)
	}
	if !hook.Active {
		return w.store.RecordDeliveryAttempt(ctx, d.ID, workflow.DeliveryAttempt{At: time.Now(), Error: "the webhook was removed", GiveUp: true})
	}
	code, sendErr := w.send(ctx, hook, d)
	a := workflow.DeliveryAttempt{At: time.Now(), StatusCode: code, Delivered: sendErr == nil}
	last := job.Attempt >= job.MaxAttempts
	if sendErr != nil {
		a.Error = sendErr.Error()
		a.GiveUp = last
		a.NextAt = a.At.Add(w.delay(job.Attempt))
	}
	if err := w.store.RecordDeliveryAttempt(ctx, d.ID, a); err != nil {
		return err
	}
	switch {
	case sendErr == nil:
		return nil
	case last:
		w.log.WarnContext(ctx, "webhook delivery failed", "delivery_id", d.ID, "webhook_id", hook.ID, "attempt", job.Attempt, "error", a.Error)
		return nil
	default:
		w.log.InfoContext(ctx, "webhook delivery will be retried", "delivery_id", d.ID, "webhook_id", hook.ID, "attempt", job.Attempt, "error", a.Error)
		return sendErr
	}
}

// delay is the wait after the attempt-th failure: the base, doubling, up
// to an hour. With the defaults, eight attempts span about an hour.
func (w *webhookWorker) delay(attempt int) time.Duration {
	d := w.backoff << min(max(attempt-1, 0), 20)
	return min(d, maxWebhookBackoff)
}

// NextRetry schedules River's retry on the same backoff that the
// delivery's next_attempt_at shows.
func (w *webhookWorker) NextRetry(job *river.Job[WebhookArgs]) time.Time {
	return time.Now().Add(w.delay(job.Attempt))
}

// Timeout bounds one attempt beyond the client's own limits.
func (w *webhookWorker) Timeout(*river.Job[WebhookArgs]) time.Duration {
	return webhookJobTimeout(w.client.Timeout)
}

// webhookJobTimeout is a delivery attempt's job timeout: the HTTP
// client's, plus room to record the outcome.
func webhookJobTimeout(client time.Duration) time.Duration { return client + 10*time.Second }

// send POSTs the delivery and returns the answer's status (0 when none
// came) and an error unless it was 2xx.
func (w *webhookWorker) send(ctx context.Context, hook workflow.Webhook, d workflow.WebhookDelivery) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return 0, err
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", webhookUserAgent)
	h.Set(notify.HeaderEvent, string(d.EventType))
	h.Set(notify.HeaderDelivery, d.ID)
	// Signed now, not at the event: receivers reject stale timestamps, and
	// a retry an hour later must still pass.
	h.Set(notify.HeaderSignature, notify.Sign([]byte(hook.Secret), time.Now(), d.Payload))
	// Which address answered decides how much of an error answer is
	// kept: a private receiver's body stays private.
	var remote netip.Addr
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: func(ci httptrace.GotConnInfo) {
		if ap, err := netip.ParseAddrPort(ci.Conn.RemoteAddr().String()); err == nil {
			remote = ap.Addr()
		}
	}}))
	res, err := w.client.Do(req)
	if err != nil {
		var ue interface{ Timeout() bool }
		if errors.As(err, &ue) && ue.Timeout() {
			return 0, fmt.Errorf("no answer within the time limit: %w", err)
		}
		return 0, err
	}
	defer res.Body.Close()
	excerpt, _ := io.ReadAll(io.LimitReader(res.Body, responseExcerpt))
	// Reading a little more lets the connection be reused; a large body
	// is cut off instead.
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, responseDrain))
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return res.StatusCode, nil
	}
	// Only the status is kept, and the start of the body for a public
	// receiver: what an internal service answers is not for the
	// coordinator to read.
	msg := fmt.Sprintf("the receiver answered %d", res.StatusCode)
	if workflow.IsPublicAddress(remote) {
		if s := printable(excerpt); s != "" {
			msg += ": " + s
		}
	}
	return res.StatusCode, errors.New(msg)
}

// printable makes a receiver's bytes safe to keep and show: valid UTF-8,
// control characters as spaces, trimmed.
func printable(b []byte) string {
	s := strings.ToValidUTF8(string(b), "�")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}
