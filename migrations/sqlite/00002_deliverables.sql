-- +goose Up
-- Action plans and peer reviews share one table: the lifecycle columns are
-- the same, the kind's own content is kept as JSON.
CREATE TABLE deliverables (
    id                   TEXT PRIMARY KEY,
    kind                 TEXT NOT NULL CHECK (kind IN ('action_plan', 'peer_review')),
    project_id           TEXT NOT NULL REFERENCES projects (id),
    partner_id           TEXT NOT NULL REFERENCES partners (id),
    policy_instrument_id TEXT REFERENCES policy_instruments (id),
    title                TEXT NOT NULL,
    state                TEXT NOT NULL CHECK (state IN ('draft', 'stakeholder_review', 'approved', 'monitored', 'closed')),
    version              INTEGER NOT NULL CHECK (version >= 1),
    revision             INTEGER NOT NULL DEFAULT 0,
    content              TEXT NOT NULL,
    parties              TEXT NOT NULL DEFAULT '{}',
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL
);
CREATE INDEX deliverables_project ON deliverables (project_id, kind, id);
-- One action plan per policy instrument (partners sharing one write it jointly).
CREATE UNIQUE INDEX deliverables_one_plan_per_instrument ON deliverables (policy_instrument_id) WHERE kind = 'action_plan';

CREATE TABLE deliverable_parties (
    deliverable_id TEXT NOT NULL REFERENCES deliverables (id) ON DELETE CASCADE,
    partner_id     TEXT NOT NULL REFERENCES partners (id),
    party          TEXT NOT NULL CHECK (party IN ('owner', 'peer')),
    PRIMARY KEY (deliverable_id, partner_id)
);
CREATE INDEX deliverable_parties_partner ON deliverable_parties (partner_id);

CREATE TABLE revisions (
    deliverable_id TEXT NOT NULL REFERENCES deliverables (id),
    number         INTEGER NOT NULL CHECK (number >= 1),
    snapshot       TEXT NOT NULL,
    sha256         TEXT NOT NULL CHECK (length(sha256) = 64),
    created_by     TEXT NOT NULL,
    created_at     DATETIME NOT NULL,
    PRIMARY KEY (deliverable_id, number)
);

CREATE TABLE transitions (
    id             TEXT PRIMARY KEY,
    deliverable_id TEXT NOT NULL REFERENCES deliverables (id),
    version        INTEGER NOT NULL,
    from_state     TEXT NOT NULL,
    to_state       TEXT NOT NULL,
    trigger        TEXT NOT NULL,
    actor_id       TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    revision       INTEGER NOT NULL,
    request_id     TEXT NOT NULL DEFAULT '',
    at             DATETIME NOT NULL,
    UNIQUE (deliverable_id, version)
);

-- +goose StatementBegin
CREATE TRIGGER transitions_no_update BEFORE UPDATE ON transitions
BEGIN
    SELECT RAISE(ABORT, 'transitions are append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER transitions_no_delete BEFORE DELETE ON transitions
BEGIN
    SELECT RAISE(ABORT, 'transitions are append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER revisions_no_update BEFORE UPDATE ON revisions
BEGIN
    SELECT RAISE(ABORT, 'revisions are append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER revisions_no_delete BEFORE DELETE ON revisions
BEGIN
    SELECT RAISE(ABORT, 'revisions are append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE transitions;
DROP TABLE revisions;
DROP TABLE deliverable_parties;
DROP TABLE deliverables;
