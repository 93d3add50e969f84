-- +goose Up
CREATE TABLE users (
    id         text PRIMARY KEY,
    email      text NOT NULL UNIQUE,
    name       text NOT NULL,
    admin      boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL
);

-- Only SHA-256 hashes of bearer tokens are kept.
CREATE TABLE api_tokens (
    hash       text PRIMARY KEY CHECK (length(hash) = 64),
    user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL
);
CREATE INDEX api_tokens_user_id ON api_tokens (user_id);

CREATE TABLE projects (
    id           text PRIMARY KEY,
    acronym      text NOT NULL UNIQUE,
    title        text NOT NULL,
    programme    text NOT NULL DEFAULT '',
    phase1_start date,
    phase1_end   date,
    phase2_end   date,
    created_at   timestamptz NOT NULL
);

CREATE TABLE partners (
    id         text PRIMARY KEY,
    project_id text NOT NULL REFERENCES projects (id),
    name       text NOT NULL,
    short_name text NOT NULL DEFAULT '',
    country    text NOT NULL CHECK (length(country) = 2),
    region     text NOT NULL DEFAULT '',
    role       text NOT NULL CHECK (role IN ('lead', 'partner', 'advisory')),
    created_at timestamptz NOT NULL,
    UNIQUE (project_id, name)
);

CREATE TABLE policy_instruments (
    id         text PRIMARY KEY,
    project_id text NOT NULL REFERENCES projects (id),
    name       text NOT NULL,
    type       text NOT NULL CHECK (type IN ('growth_and_jobs', 'etc', 'other')),
    created_at timestamptz NOT NULL,
    UNIQUE (project_id, name)
);

CREATE TABLE policy_instrument_partners (
    policy_instrument_id text NOT NULL REFERENCES policy_instruments (id) ON DELETE CASCADE,
    partner_id           text NOT NULL REFERENCES partners (id),
    PRIMARY KEY (policy_instrument_id, partner_id)
);

-- One stakeholder group per policy instrument.
CREATE TABLE stakeholder_groups (
    id                   text PRIMARY KEY,
    project_id           text NOT NULL REFERENCES projects (id),
    name                 text NOT NULL,
    policy_instrument_id text NOT NULL UNIQUE REFERENCES policy_instruments (id),
    created_at           timestamptz NOT NULL
);

-- One role per user and project; partner and stakeholder roles are scoped.
CREATE TABLE memberships (
    id                   text PRIMARY KEY,
    project_id           text NOT NULL REFERENCES projects (id),
    user_id              text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role                 text NOT NULL CHECK (role IN ('coordinator', 'partner', 'stakeholder', 'secretariat', 'observer')),
    partner_id           text REFERENCES partners (id),
    stakeholder_group_id text REFERENCES stakeholder_groups (id),
    created_at           timestamptz NOT NULL,
    UNIQUE (project_id, user_id),
    CHECK ((role = 'partner') = (partner_id IS NOT NULL)),
    CHECK ((role = 'stakeholder') = (stakeholder_group_id IS NOT NULL))
);
CREATE INDEX memberships_user_id ON memberships (user_id);

-- The first answer to a POST with an Idempotency-Key; status 0 while running.
CREATE TABLE idempotency_keys (
    user_id      text NOT NULL,
    key          text NOT NULL,
    request_hash text NOT NULL,
    status       integer NOT NULL DEFAULT 0,
    headers      text NOT NULL DEFAULT '{}',
    body         bytea,
    created_at   timestamptz NOT NULL,
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
