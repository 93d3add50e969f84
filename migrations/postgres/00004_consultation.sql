-- +goose Up
-- The default consultation window of a submit that names no deadline.
ALTER TABLE projects ADD COLUMN consultation_days integer NOT NULL DEFAULT 14
    CHECK (consultation_days BETWEEN 1 AND 365);

-- One consultation per frozen revision: it opens at submit and closes at
-- its deadline, early (owner or coordinator), or when the deliverable is
-- withdrawn to draft.
CREATE TABLE consultations (
    deliverable_id text NOT NULL REFERENCES deliverables (id),
    revision       integer NOT NULL,
    project_id     text NOT NULL REFERENCES projects (id),
    opened_at      timestamptz NOT NULL,
    deadline       timestamptz NOT NULL,
    closed_at      timestamptz,
    closed_by      text NOT NULL DEFAULT '',
    closed_reason  text NOT NULL DEFAULT '' CHECK (closed_reason IN ('', 'deadline', 'early', 'withdrawn')),
    reminded_at    timestamptz,
    PRIMARY KEY (deliverable_id, revision)
);

-- Comments on a revision's sections. thread_id is the top-level comment's
-- id (its own for a top-level comment); the formal response lives on the
-- top-level comment, and every change is also in comment_events.
CREATE TABLE comments (
    id              text PRIMARY KEY,
    deliverable_id  text NOT NULL,
    revision        integer NOT NULL,
    project_id      text NOT NULL REFERENCES projects (id),
    section         text NOT NULL,
    parent_id       text REFERENCES comments (id),
    thread_id       text NOT NULL,
    stance          text NOT NULL CHECK (stance IN ('support', 'concern', 'suggestion', 'question')),
    body            text NOT NULL,
    author_id       text NOT NULL REFERENCES users (id),
    author_role     text NOT NULL,
    version         integer NOT NULL DEFAULT 1,
    deleted         boolean NOT NULL DEFAULT false,
    hidden          boolean NOT NULL DEFAULT false,
    hidden_reason   text NOT NULL DEFAULT '',
    hidden_by       text NOT NULL DEFAULT '',
    response_status text NOT NULL DEFAULT ''
        CHECK (response_status IN ('', 'accepted', 'partially_accepted', 'rejected', 'noted')),
    response_body   text NOT NULL DEFAULT '',
    response_by     text NOT NULL DEFAULT '',
    response_at     timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    FOREIGN KEY (deliverable_id, revision) REFERENCES consultations (deliverable_id, revision)
);
CREATE INDEX comments_revision ON comments (deliverable_id, revision, thread_id, created_at, id);
CREATE INDEX comments_author ON comments (author_id, created_at);

-- The append-only history of every comment.
CREATE TABLE comment_events (
    id         text PRIMARY KEY,
    comment_id text NOT NULL REFERENCES comments (id),
    event      text NOT NULL CHECK (event IN ('created', 'edited', 'deleted', 'hidden', 'responded')),
    actor_id   text NOT NULL,
    body       text NOT NULL DEFAULT '',
    stance     text NOT NULL DEFAULT '',
    status     text NOT NULL DEFAULT '',
    at         timestamptz NOT NULL
);
CREATE INDEX comment_events_comment ON comment_events (comment_id, at, id);

CREATE TRIGGER comment_events_no_update BEFORE UPDATE OR DELETE ON comment_events
    FOR EACH ROW EXECUTE FUNCTION transitions_append_only();

-- +goose Down
DROP TABLE comment_events;
DROP TABLE comments;
DROP TABLE consultations;
ALTER TABLE projects DROP COLUMN consultation_days;
