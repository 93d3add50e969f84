-- +goose Up
-- Languages and time zones. A person's saved language and time zone
-- (empty: not chosen, the pages follow the browser, then the project);
-- a project's default language and time zone.
ALTER TABLE users ADD COLUMN language text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN time_zone text NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN language text NOT NULL DEFAULT 'en';
ALTER TABLE projects ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';

-- +goose Down
ALTER TABLE projects DROP COLUMN time_zone;
ALTER TABLE projects DROP COLUMN language;
ALTER TABLE users DROP COLUMN time_zone;
ALTER TABLE users DROP COLUMN language;
