-- +goose Up
-- Good practices are deliverables of their own kind: they share the
-- lifecycle, revisions, history and consultation of the other kinds, with
-- the programme form's fields in the content JSON.
ALTER TABLE deliverables DROP CONSTRAINT deliverables_kind_check;
ALTER TABLE deliverables ADD CONSTRAINT deliverables_kind_check
    CHECK (kind IN ('action_plan', 'peer_review', 'good_practice'));

-- The images of a good practice. The bytes are in the blob store under
-- blob_key; a row exists only once the blob is stored.
CREATE TABLE good_practice_images (
    id           text PRIMARY KEY,
    practice_id  text NOT NULL REFERENCES deliverables (id),
    project_id   text NOT NULL REFERENCES projects (id),
    content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/gif', 'image/webp')),
    size         bigint NOT NULL CHECK (size > 0),
    sha256       text NOT NULL CHECK (length(sha256) = 64),
    caption      text NOT NULL DEFAULT '',
    blob_key     text NOT NULL UNIQUE,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL
);
CREATE INDEX good_practice_images_practice ON good_practice_images (practice_id, id);

-- A stakeholder group's interest in a good practice from another region;
-- one per group and practice.
CREATE TABLE transfer_interests (
    id          text PRIMARY KEY,
    project_id  text NOT NULL REFERENCES projects (id),
    practice_id text NOT NULL REFERENCES deliverables (id),
    group_id    text NOT NULL REFERENCES stakeholder_groups (id),
    note        text NOT NULL DEFAULT '',
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL,
    UNIQUE (practice_id, group_id)
);
CREATE INDEX transfer_interests_group ON transfer_interests (group_id);

-- +goose Down
DROP TABLE transfer_interests;
DROP TABLE good_practice_images;
-- Fails while good practices with a history remain: that history is append-only.
DELETE FROM deliverable_parties WHERE deliverable_id IN (SELECT id FROM deliverables WHERE kind = 'good_practice');
DELETE FROM deliverables WHERE kind = 'good_practice';
ALTER TABLE deliverables DROP CONSTRAINT deliverables_kind_check;
ALTER TABLE deliverables ADD CONSTRAINT deliverables_kind_check
    CHECK (kind IN ('action_plan', 'peer_review'));
