-- +goose Up
-- Good practices are deliverables of their own kind: they share the
-- lifecycle, revisions, history and consultation of the other kinds, with
-- the programme form's fields in the content JSON.
--
-- SQLite cannot change a CHECK constraint, so deliverables is rebuilt.
-- foreign_keys cannot be switched off inside goose's transaction; deferring
-- them lets the old table go and the new one refill it before the commit
-- checks the references. Dropping the table cascades to deliverable_parties,
-- so those rows are kept aside and put back.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE deliverables_keep AS SELECT * FROM deliverables;
CREATE TEMP TABLE deliverable_parties_keep AS SELECT * FROM deliverable_parties;
DROP TABLE deliverables;
CREATE TABLE deliverables (
    id                   TEXT PRIMARY KEY,
    kind                 TEXT NOT NULL CHECK (kind IN ('action_plan', 'peer_review', 'good_practice')),
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
    updated_at           DATETIME NOT NULL,
    action_count         integer NOT NULL DEFAULT 0 CHECK (action_count >= 0)
);
INSERT INTO deliverables SELECT * FROM deliverables_keep;
INSERT INTO deliverable_parties SELECT * FROM deliverable_parties_keep;
DROP TABLE deliverables_keep;
DROP TABLE deliverable_parties_keep;
CREATE INDEX deliverables_project ON deliverables (project_id, kind, id);
CREATE UNIQUE INDEX deliverables_one_plan_per_instrument ON deliverables (policy_instrument_id) WHERE kind = 'action_plan';

-- The images of a good practice. The bytes are in the blob store under
-- blob_key; a row exists only once the blob is stored.
CREATE TABLE good_practice_images (
    id           TEXT PRIMARY KEY,
    practice_id  TEXT NOT NULL REFERENCES deliverables (id),
    project_id   TEXT NOT NULL REFERENCES projects (id),
    content_type TEXT NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/gif', 'image/webp')),
    size         INTEGER NOT NULL CHECK (size > 0),
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    caption      TEXT NOT NULL DEFAULT '',
    blob_key     TEXT NOT NULL UNIQUE,
    created_by   TEXT NOT NULL,
    created_at   DATETIME NOT NULL
);
CREATE INDEX good_practice_images_practice ON good_practice_images (practice_id, id);

-- A stakeholder group's interest in a good practice from another region;
-- one per group and practice.
CREATE TABLE transfer_interests (
    id          TEXT PRIMARY KEY,
    project_id  TEXT NOT NULL REFERENCES projects (id),
    practice_id TEXT NOT NULL REFERENCES deliverables (id),
    group_id    TEXT NOT NULL REFERENCES stakeholder_groups (id),
    note        TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  DATETIME NOT NULL,
    UNIQUE (practice_id, group_id)
);
CREATE INDEX transfer_interests_group ON transfer_interests (group_id);

-- +goose Down
DROP TABLE transfer_interests;
DROP TABLE good_practice_images;
-- Fails while good practices with a history remain: that history is append-only.
DELETE FROM deliverable_parties WHERE deliverable_id IN (SELECT id FROM deliverables WHERE kind = 'good_practice');
DELETE FROM deliverables WHERE kind = 'good_practice';
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE deliverables_keep AS SELECT * FROM deliverables;
CREATE TEMP TABLE deliverable_parties_keep AS SELECT * FROM deliverable_parties;
DROP TABLE deliverables;
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
    updated_at           DATETIME NOT NULL,
    action_count         integer NOT NULL DEFAULT 0 CHECK (action_count >= 0)
);
INSERT INTO deliverables SELECT * FROM deliverables_keep;
INSERT INTO deliverable_parties SELECT * FROM deliverable_parties_keep;
DROP TABLE deliverables_keep;
DROP TABLE deliverable_parties_keep;
CREATE INDEX deliverables_project ON deliverables (project_id, kind, id);
CREATE UNIQUE INDEX deliverables_one_plan_per_instrument ON deliverables (policy_instrument_id) WHERE kind = 'action_plan';
