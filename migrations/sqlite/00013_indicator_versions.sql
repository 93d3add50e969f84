-- +goose Up
-- Indicators become editable: a version guards each edit and delete, as on
-- deliverables and comments. Existing indicators start at 1.
ALTER TABLE plan_indicators ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);

-- +goose Down
ALTER TABLE plan_indicators DROP COLUMN version;
