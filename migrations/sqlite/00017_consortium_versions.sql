-- +goose Up
-- The consortium's records are edited under If-Match: each carries a
-- version, bumped by every change.
ALTER TABLE projects ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE partners ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE policy_instruments ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE stakeholder_groups ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE memberships ADD COLUMN version integer NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE memberships DROP COLUMN version;
ALTER TABLE stakeholder_groups DROP COLUMN version;
ALTER TABLE policy_instruments DROP COLUMN version;
ALTER TABLE partners DROP COLUMN version;
ALTER TABLE projects DROP COLUMN version;
