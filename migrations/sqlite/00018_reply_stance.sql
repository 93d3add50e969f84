-- +goose Up
-- A reply needs no stance: a reply without one stores '' (a top-level
-- comment still takes one of the four).
--
-- SQLite cannot change a CHECK constraint, so comments is rebuilt as
-- 00010 rebuilt deliverables: foreign keys deferred, the rows kept aside
-- and put back before the commit checks the references.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE comments_keep AS SELECT * FROM comments;
DROP TABLE comments;
CREATE TABLE comments (
    id              text PRIMARY KEY,
    deliverable_id  text NOT NULL,
    revision        integer NOT NULL,
    project_id      text NOT NULL REFERENCES projects (id),
    section         text NOT NULL,
    parent_id       text REFERENCES comments (id),
    thread_id       text NOT NULL,
    stance          text NOT NULL CHECK (stance IN ('support', 'concern', 'suggestion', 'question')
                                     OR (stance = '' AND parent_id IS NOT NULL)),
    body            text NOT NULL,
    author_id       text NOT NULL REFERENCES users (id),
    author_role     text NOT NULL,
    version         integer NOT NULL DEFAULT 1,
    deleted         BOOLEAN NOT NULL DEFAULT false,
    hidden          BOOLEAN NOT NULL DEFAULT false,
    hidden_reason   text NOT NULL DEFAULT '',
    hidden_by       text NOT NULL DEFAULT '',
    response_status text NOT NULL DEFAULT ''
        CHECK (response_status IN ('', 'accepted', 'partially_accepted', 'rejected', 'noted')),
    response_body   text NOT NULL DEFAULT '',
    response_by     text NOT NULL DEFAULT '',
    response_at     DATETIME,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    FOREIGN KEY (deliverable_id, revision) REFERENCES consultations (deliverable_id, revision)
);
INSERT INTO comments SELECT * FROM comments_keep;
DROP TABLE comments_keep;
CREATE INDEX comments_revision ON comments (deliverable_id, revision, thread_id, created_at, id);
CREATE INDEX comments_author ON comments (author_id, created_at);

-- +goose Down
UPDATE comments SET stance = 'suggestion' WHERE stance = '';
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE comments_keep AS SELECT * FROM comments;
DROP TABLE comments;
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
    deleted         BOOLEAN NOT NULL DEFAULT false,
    hidden          BOOLEAN NOT NULL DEFAULT false,
    hidden_reason   text NOT NULL DEFAULT '',
    hidden_by       text NOT NULL DEFAULT '',
    response_status text NOT NULL DEFAULT ''
        CHECK (response_status IN ('', 'accepted', 'partially_accepted', 'rejected', 'noted')),
    response_body   text NOT NULL DEFAULT '',
    response_by     text NOT NULL DEFAULT '',
    response_at     DATETIME,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    FOREIGN KEY (deliverable_id, revision) REFERENCES consultations (deliverable_id, revision)
);
INSERT INTO comments SELECT * FROM comments_keep;
DROP TABLE comments_keep;
CREATE INDEX comments_revision ON comments (deliverable_id, revision, thread_id, created_at, id);
CREATE INDEX comments_author ON comments (author_id, created_at);
