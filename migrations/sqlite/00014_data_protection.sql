-- +goose Up
-- Data protection. An erased user keeps its row (comments and history
-- point at it) but is deactivated: erased_at is set, the name and e-mail
-- become a pseudonym numbered by erased_no.
ALTER TABLE users ADD COLUMN erased_at DATETIME;
ALTER TABLE users ADD COLUMN erased_no integer;
CREATE UNIQUE INDEX users_erased_no ON users (erased_no);

-- What the comment-response matrix prints for a stakeholder: the
-- organisation (its stakeholder group) or the person's name.
ALTER TABLE projects ADD COLUMN matrix_names text NOT NULL DEFAULT 'organisations'
    CHECK (matrix_names IN ('organisations', 'names'));

-- +goose Down
ALTER TABLE projects DROP COLUMN matrix_names;
DROP INDEX users_erased_no;
ALTER TABLE users DROP COLUMN erased_no;
ALTER TABLE users DROP COLUMN erased_at;
