package workflow

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Webhook is a project's subscription: events of the listed types are
// POSTed, signed with Secret, to URL.
type Webhook struct {
	ID        string      `json:"id"`
	ProjectID string      `json:"project_id"`
	URL       string      `json:"url"`
	Events    []EventType `json:"events"`
	Active    bool        `json:"active"` // false once removed; its delivery log stays
	CreatedBy string      `json:"created_by"`
	CreatedAt time.Time   `json:"created_at"`
	// Secret is the signing secret in plain text. It exists only in
	// memory: given on create, and opened for the delivery worker. The
	// store keeps it sealed under the server key.
	Secret string `json:"-"`
}

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// WebhookDelivery is one event owed to one webhook, and how sending it
// went so far.
type WebhookDelivery struct {
	ID             string     `json:"id"`
	WebhookID      string     `json:"webhook_id"`
	EventID        string     `json:"event_id"`
	EventType      EventType  `json:"event_type"`
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	LastStatusCode int        `json:"last_status_code"` // 0: no HTTP answer (yet)
	LastError      string     `json:"last_error"`
	LastAttemptAt  *time.Time `json:"last_attempt_at"`
	NextAttemptAt  *time.Time `json:"next_attempt_at"` // while pending
	CreatedAt      time.Time  `json:"created_at"`
	DeliveredAt    *time.Time `json:"delivered_at"`
	// Payload is the request body, fixed when the event happened.
	Payload []byte `json:"-"`
}

// DeliveryAttempt is the outcome of one try at sending a delivery.
type DeliveryAttempt struct {
	At         time.Time
	StatusCode int    // 0 when no answer came
	Error      string // empty on success
	Delivered  bool
	// GiveUp marks the delivery failed; otherwise a failed attempt leaves
	// it pending until NextAt.
	GiveUp bool
	NextAt time.Time
}

// WebhookStore keeps webhook subscriptions and their deliveries. The
// caller checks the right (ActionWebhookManage on the project).
type WebhookStore interface {
	// CreateWebhook stores a subscription with its secret sealed; it sets
	// ID and CreatedAt. A project with MaxWebhooksPerProject active ones
	// gets conflict.
	CreateWebhook(ctx context.Context, w *Webhook) error
	// Webhook finds an active subscription, without its secret.
	Webhook(ctx context.Context, id string) (Webhook, error)
	ListWebhooks(ctx context.Context, projectID string, page Page) ([]Webhook, string, error)
	// DeleteWebhook deactivates it: nothing more is delivered, pending
	// deliveries fail, and the log stays.
	DeleteWebhook(ctx context.Context, id string) error
	// ListDeliveries lists a webhook's deliveries, oldest first; a status
	// ("" for any) keeps only those.
	ListDeliveries(ctx context.Context, webhookID, status string, page Page) ([]WebhookDelivery, string, error)
}

// Limits of a webhook subscription.
const (
	MaxWebhooksPerProject = 20
	MaxWebhookURL         = 2000
	MinWebhookSecret      = 16
	MaxWebhookSecret      = 200
	webhookSecretPrefix   = "whsec_"
)

// NewWebhookSecret makes a signing secret of 256 random bits.
func NewWebhookSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return webhookSecretPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// Normalize trims the URL and puts the events in EventTypes order without
// repeats, so that equal subscriptions read the same.
func (w *Webhook) Normalize() {
	w.URL = strings.TrimSpace(w.URL)
	// Schemes are case-insensitive; the stored URL starts http:// or https://.
	if scheme, rest, ok := strings.Cut(w.URL, "://"); ok && (strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https")) {
		w.URL = strings.ToLower(scheme) + "://" + rest
	}
	seen := map[EventType]bool{}
	for _, e := range w.Events {
		seen[e] = true
	}
	var out []EventType
	for _, t := range EventTypes {
		if seen[t] {
			out = append(out, t)
			delete(seen, t)
		}
	}
	// Unknown types stay (at the end) so that Validate names them.
	for _, e := range w.Events {
		if seen[e] {
			out = append(out, e)
			delete(seen, e)
		}
	}
	w.Events = out
}

// Validate checks the URL (absolute http or https with a host, and no
// credentials, which would be stored in plain text), the events (at
// least one, each known) and the secret's length.
func (w Webhook) Validate() error {
	var p Problems
	switch u, err := url.Parse(w.URL); {
	case w.URL == "":
		p.Add("url", "is required")
	case len(w.URL) > MaxWebhookURL:
		p.Add("url", "is longer than %d characters", MaxWebhookURL)
	case err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https"):
		p.Add("url", "must be an absolute http or https URL")
	case u.Hostname() == "":
		p.Add("url", "must name a host")
	case u.User != nil:
		p.Add("url", "must not hold a user name or password; the signature authenticates the sender")
	case u.Fragment != "":
		p.Add("url", "must not have a fragment")
	}
	if len(w.Events) == 0 {
		p.Add("events", "name at least one event type")
	}
	for _, e := range w.Events {
		if _, ok := ParseEventType(string(e)); !ok {
			p.Add("events", "%q is not an event type; the types are %s", e, eventTypeList())
		}
	}
	if n := len(w.Secret); n < MinWebhookSecret || n > MaxWebhookSecret {
		p.Add("secret", "must be %d to %d characters", MinWebhookSecret, MaxWebhookSecret)
	}
	return p.Err("the webhook is not valid")
}

func eventTypeList() string {
	s := make([]string, len(EventTypes))
	for i, t := range EventTypes {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// Subscribed reports whether the webhook wants events of type t.
func (w Webhook) Subscribed(t EventType) bool { return slices.Contains(w.Events, t) }

// TransitionEventData is the data of a transition event.
type TransitionEventData struct {
	Kind     Kind    `json:"kind"`
	From     State   `json:"from"`
	To       State   `json:"to"`
	Trigger  Trigger `json:"trigger"`
	Version  int     `json:"version"`
	Revision int     `json:"revision"`
	ActorID  string  `json:"actor_id"`
}

// DocumentReadyEventData is the data of a document.ready event.
type DocumentReadyEventData struct {
	DocumentID string `json:"document_id"`
	Kind       Kind   `json:"kind"`
	Format     string `json:"format"`
	Revision   int    `json:"revision"`
	Approved   bool   `json:"approved"`
	SHA256     string `json:"sha256"`
	Size       int64  `json:"size"`
}
