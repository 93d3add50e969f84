-- +goose Up
-- Consultation that holds up (issue 18). See the PostgreSQL migration for
-- what each column holds.
ALTER TABLE comments ADD COLUMN suggestion text NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN suggestion_of text NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN answered_body text NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN answered_suggestion text NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN carried_from integer;
UPDATE comments SET answered_body = body WHERE response_status <> '';

-- comment_events takes two more events, carried and applied. SQLite
-- cannot change a CHECK constraint, so the table is rebuilt (dropping a
-- table fires no DELETE trigger) and its triggers made again.
CREATE TEMP TABLE comment_events_keep AS SELECT * FROM comment_events;
DROP TABLE comment_events;
CREATE TABLE comment_events (
    id         text PRIMARY KEY,
    comment_id text NOT NULL REFERENCES comments (id),
    event      text NOT NULL CHECK (event IN ('created', 'edited', 'deleted', 'hidden', 'responded', 'carried', 'applied')),
    actor_id   text NOT NULL,
    body       text NOT NULL DEFAULT '',
    stance     text NOT NULL DEFAULT '',
    status     text NOT NULL DEFAULT '',
    at         DATETIME NOT NULL
);
INSERT INTO comment_events SELECT * FROM comment_events_keep;
DROP TABLE comment_events_keep;
CREATE INDEX comment_events_comment ON comment_events (comment_id, at, id);
-- +goose StatementBegin
CREATE TRIGGER comment_events_no_update BEFORE UPDATE ON comment_events
BEGIN
    SELECT RAISE(ABORT, 'comment events are append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER comment_events_no_delete BEFORE DELETE ON comment_events
BEGIN
    SELECT RAISE(ABORT, 'comment events are append-only');
END;
-- +goose StatementEnd

CREATE TABLE suggestion_applications (
    comment_id     text PRIMARY KEY REFERENCES comments (id),
    deliverable_id text NOT NULL REFERENCES deliverables (id),
    revision       integer NOT NULL,
    section        text NOT NULL,
    before_text    text NOT NULL,
    after_text     text NOT NULL,
    version        integer NOT NULL,
    applied_by     text NOT NULL REFERENCES users (id),
    applied_at     DATETIME NOT NULL
);
CREATE INDEX suggestion_applications_deliverable ON suggestion_applications (deliverable_id, applied_at);
-- +goose StatementBegin
CREATE TRIGGER suggestion_applications_no_update BEFORE UPDATE ON suggestion_applications
BEGIN
    SELECT RAISE(ABORT, 'suggestion applications are append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER suggestion_applications_no_delete BEFORE DELETE ON suggestion_applications
BEGIN
    SELECT RAISE(ABORT, 'suggestion applications are append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE suggestion_applications;
CREATE TEMP TABLE comment_events_keep AS SELECT * FROM comment_events
    WHERE event IN ('created', 'edited', 'deleted', 'hidden', 'responded');
DROP TABLE comment_events;
CREATE TABLE comment_events (
    id         text PRIMARY KEY,
    comment_id text NOT NULL REFERENCES comments (id),
    event      text NOT NULL CHECK (event IN ('created', 'edited', 'deleted', 'hidden', 'responded')),
    actor_id   text NOT NULL,
    body       text NOT NULL DEFAULT '',
    stance     text NOT NULL DEFAULT '',
    status     text NOT NULL DEFAULT '',
    at         DATETIME NOT NULL
);
INSERT INTO comment_events SELECT * FROM comment_events_keep;
DROP TABLE comment_events_keep;
CREATE INDEX comment_events_comment ON comment_events (comment_id, at, id);
-- +goose StatementBegin
CREATE TRIGGER comment_events_no_update BEFORE UPDATE ON comment_events
BEGIN
    SELECT RAISE(ABORT, 'comment events are append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER comment_events_no_delete BEFORE DELETE ON comment_events
BEGIN
    SELECT RAISE(ABORT, 'comment events are append-only');
END;
-- +goose StatementEnd
ALTER TABLE comments DROP COLUMN carried_from;
ALTER TABLE comments DROP COLUMN answered_suggestion;
ALTER TABLE comments DROP COLUMN answered_body;
ALTER TABLE comments DROP COLUMN suggestion_of;
ALTER TABLE comments DROP COLUMN suggestion;
