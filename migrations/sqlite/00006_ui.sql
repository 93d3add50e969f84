-- +goose Up
-- The web page's sign-in links and sessions. Like API tokens, only SHA-256
-- hashes are kept: a database dump signs no one in.
CREATE TABLE ui_login_links (
    hash       text PRIMARY KEY CHECK (length(hash) = 64),
    user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME
);
CREATE INDEX ui_login_links_user ON ui_login_links (user_id);

CREATE TABLE ui_sessions (
    hash       text PRIMARY KEY CHECK (length(hash) = 64),
    user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL
);
CREATE INDEX ui_sessions_user ON ui_sessions (user_id);

-- +goose Down
DROP TABLE ui_sessions;
DROP TABLE ui_login_links;
