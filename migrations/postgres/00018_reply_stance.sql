-- +goose Up
-- A reply needs no stance: a reply without one stores '' (a top-level
-- comment still takes one of the four).
ALTER TABLE comments DROP CONSTRAINT comments_stance_check;
ALTER TABLE comments ADD CONSTRAINT comments_stance_check
    CHECK (stance IN ('support', 'concern', 'suggestion', 'question') OR (stance = '' AND parent_id IS NOT NULL));

-- +goose Down
UPDATE comments SET stance = 'suggestion' WHERE stance = '';
ALTER TABLE comments DROP CONSTRAINT comments_stance_check;
ALTER TABLE comments ADD CONSTRAINT comments_stance_check
    CHECK (stance IN ('support', 'concern', 'suggestion', 'question'));
