-- +goose Up
-- Action plans and peer reviews share one table: the lifecycle columns are
-- the same, the kind's own content is kept as JSON.
CREATE TABLE deliverables (
    id                   text PRIMARY KEY,
    kind                 text NOT NULL CHECK (kind IN ('action_plan', 'peer_review')),
    project_id           text NOT NULL REFERENCES projects (id),
    partner_id           text NOT NULL REFERENCES partners (id), -- the plan's partner, the review's host
    policy_instrument_id text REFERENCES policy_instruments (id),
    title                text NOT NULL,
    state                text NOT NULL CHECK (state IN ('draft', 'stakeholder_review', 'approved', 'monitored', 'closed')),
    version              integer NOT NULL CHECK (version >= 1),
    revision             integer NOT NULL DEFAULT 0,
    content              text NOT NULL,
    parties              text NOT NULL DEFAULT '{}', -- copy of deliverable_parties, read with the row
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE INDEX deliverables_project ON deliverables (project_id, kind, id);
-- One action plan per policy instrument (partners sharing one write it jointly).
CREATE UNIQUE INDEX deliverables_one_plan_per_instrument ON deliverables (policy_instrument_id) WHERE kind = 'action_plan';

-- Which partners own a deliverable (the plan's partner and the other
-- partners of a joint plan's instrument; a review's host) and which are its
-- peers. Partner-scoped reads and rights go through this table.
CREATE TABLE deliverable_parties (
    deliverable_id text NOT NULL REFERENCES deliverables (id) ON DELETE CASCADE,
    partner_id     text NOT NULL REFERENCES partners (id),
    party          text NOT NULL CHECK (party IN ('owner', 'peer')),
    PRIMARY KEY (deliverable_id, partner_id)
);
CREATE INDEX deliverable_parties_partner ON deliverable_parties (partner_id);

-- Frozen revisions: the canonical JSON snapshot taken at submit and its SHA-256.
CREATE TABLE revisions (
    deliverable_id text NOT NULL REFERENCES deliverables (id),
    number         integer NOT NULL CHECK (number >= 1),
    snapshot       text NOT NULL,
    sha256         text NOT NULL CHECK (length(sha256) = 64),
    created_by     text NOT NULL,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (deliverable_id, number)
);

-- The append-only history of transitions. version is the deliverable's
-- version after the transition; two transitions can never share one.
CREATE TABLE transitions (
    id             text PRIMARY KEY,
    deliverable_id text NOT NULL REFERENCES deliverables (id),
    version        integer NOT NULL,
    from_state     text NOT NULL,
    to_state       text NOT NULL,
    trigger        text NOT NULL,
    actor_id       text NOT NULL,
    note           text NOT NULL DEFAULT '',
    revision       integer NOT NULL,
    request_id     text NOT NULL DEFAULT '',
    at             timestamptz NOT NULL,
    UNIQUE (deliverable_id, version)
);

-- +goose StatementBegin
CREATE FUNCTION transitions_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'transitions are append-only';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER transitions_no_update BEFORE UPDATE OR DELETE ON transitions
    FOR EACH ROW EXECUTE FUNCTION transitions_append_only();
CREATE TRIGGER revisions_no_update BEFORE UPDATE OR DELETE ON revisions
    FOR EACH ROW EXECUTE FUNCTION transitions_append_only();

-- +goose Down
DROP TABLE transitions;
DROP TABLE revisions;
DROP FUNCTION transitions_append_only();
DROP TABLE deliverable_parties;
DROP TABLE deliverables;
