package workflow

// WebhookStore keeps webhook subscriptions and their deliveries.
type WebhookStore interface{}
