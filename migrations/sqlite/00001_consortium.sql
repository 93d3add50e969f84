-- +goose Up
CREATE TABLE users (
    id         TEXT PRIMARY KEY,
    email      TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    admin      BOOLEAN NOT NULL DEFAULT false,
    created_at DATETIME NOT NULL
);

-- Only SHA-256 hashes of bearer tokens are kept.
CREATE TABLE api_tokens (
    hash       TEXT PRIMARY KEY CHECK (length(hash) = 64),
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label      TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE INDEX api_tokens_user_id ON api_tokens (user_id);

CREATE TABLE projects (
    id           TEXT PRIMARY KEY,
    acronym      TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL,
    programme    TEXT NOT NULL DEFAULT '',
    phase1_start DATE,
    phase1_end   DATE,
    phase2_end   DATE,
    created_at   DATETIME NOT NULL
);

CREATE TABLE partners (
    id         TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    name       TEXT NOT NULL,
    short_name TEXT NOT NULL DEFAULT '',
    country    TEXT NOT NULL CHECK (length(country) = 2),
    region     TEXT NOT NULL DEFAULT '',
    role       TEXT NOT NULL CHECK (role IN ('lead', 'partner', 'advisory')),
    created_at DATETIME NOT NULL,
    UNIQUE (project_id, name)
);

CREATE TABLE policy_instruments (
    id         TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    name       TEXT NOT NULL,
    type       TEXT NOT NULL CHECK (type IN ('growth_and_jobs', 'etc', 'other')),
    created_at DATETIME NOT NULL,
    UNIQUE (project_id, name)
);

CREATE TABLE policy_instrument_partners (
    policy_instrument_id TEXT NOT NULL REFERENCES policy_instruments (id) ON DELETE CASCADE,
    partner_id           TEXT NOT NULL REFERENCES partners (id),
    PRIMARY KEY (policy_instrument_id, partner_id)
);

-- One stakeholder group per policy instrument.
CREATE TABLE stakeholder_groups (
    id                   TEXT PRIMARY KEY,
    project_id           TEXT NOT NULL REFERENCES projects (id),
    name                 TEXT NOT NULL,
    policy_instrument_id TEXT NOT NULL UNIQUE REFERENCES policy_instruments (id),
    created_at           DATETIME NOT NULL
);

-- One role per user and project; partner and stakeholder roles are scoped.
CREATE TABLE memberships (
    id                   TEXT PRIMARY KEY,
    project_id           TEXT NOT NULL REFERENCES projects (id),
    user_id              TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role                 TEXT NOT NULL CHECK (role IN ('coordinator', 'partner', 'stakeholder', 'secretariat', 'observer')),
    partner_id           TEXT REFERENCES partners (id),
    stakeholder_group_id TEXT REFERENCES stakeholder_groups (id),
    created_at           DATETIME NOT NULL,
    UNIQUE (project_id, user_id),
    CHECK ((role = 'partner') = (partner_id IS NOT NULL)),
    CHECK ((role = 'stakeholder') = (stakeholder_group_id IS NOT NULL))
);
CREATE INDEX memberships_user_id ON memberships (user_id);

-- The first answer to a POST with an Idempotency-Key; status 0 while running.
CREATE TABLE idempotency_keys (
    user_id      TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    headers      TEXT NOT NULL DEFAULT '{}',
    body         BLOB,
    created_at   DATETIME NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE memberships;
DROP TABLE stakeholder_groups;
DROP TABLE policy_instrument_partners;
DROP TABLE policy_instruments;
DROP TABLE partners;
DROP TABLE projects;
DROP TABLE api_tokens;
DROP TABLE users;
