-- +goose Up
-- Personal tokens: an id to name one by (for listing and revoking), a
-- name (the label column), when it expires (NULL: never) and when it was
-- last used (written at most once a minute). Tokens made before this
-- migration keep no expiry; an admin may revoke them.
ALTER TABLE api_tokens ADD COLUMN id TEXT;
ALTER TABLE api_tokens ADD COLUMN expires_at DATETIME;
ALTER TABLE api_tokens ADD COLUMN last_used_at DATETIME;
UPDATE api_tokens SET id = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' ||
    hex(randomblob(2)) || '-' || hex(randomblob(6)));
CREATE UNIQUE INDEX api_tokens_id ON api_tokens (id);
-- Deactivated accounts: no token or session works; their records stay.
ALTER TABLE users ADD COLUMN deactivated_at DATETIME;

-- +goose Down
ALTER TABLE users DROP COLUMN deactivated_at;
DROP INDEX api_tokens_id;
ALTER TABLE api_tokens DROP COLUMN last_used_at;
ALTER TABLE api_tokens DROP COLUMN expires_at;
ALTER TABLE api_tokens DROP COLUMN id;
