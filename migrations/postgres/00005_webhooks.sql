-- +goose Up
-- A project's webhook subscriptions. events is a JSON list of event types;
-- secret_sealed is the signing secret encrypted under the server key
-- (AES-256-GCM, bound to the row's id), never the secret itself. A removed
-- webhook is kept inactive, so that its delivery log stays readable.
CREATE TABLE webhooks (
    id            text PRIMARY KEY,
    project_id    text NOT NULL REFERENCES projects (id),
    url           text NOT NULL CHECK (url LIKE 'http://%' OR url LIKE 'https://%'),
    events        text NOT NULL,
    secret_sealed text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL,
    deleted_at    timestamptz
);
-- The one query every event costs: a project's active subscriptions.
CREATE INDEX webhooks_project_active ON webhooks (project_id) WHERE active;

-- One row per event owed to a webhook. payload is the request body, fixed
-- when the event happened; each attempt updates the row.
CREATE TABLE webhook_deliveries (
    id               text PRIMARY KEY,
    webhook_id       text NOT NULL REFERENCES webhooks (id),
    event_id         text NOT NULL,
    event_type       text NOT NULL,
    payload          text NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    last_status_code integer NOT NULL DEFAULT 0,
    last_error       text NOT NULL DEFAULT '',
    last_attempt_at  timestamptz,
    next_attempt_at  timestamptz,
    created_at       timestamptz NOT NULL,
    delivered_at     timestamptz,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
