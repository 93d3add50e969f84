-- +goose Up
-- The search index: one row per searchable thing (an action of a plan,
-- later a good practice), written by the store in the same transaction as
-- the content it is taken from. norm holds the text's words folded in Go
-- (lower case, no accents; see package search), so the 'simple' config
-- only splits on spaces and every language is treated alike. Who may see
-- a row is read from its deliverable at query time, so transitions need
-- not touch the index.
CREATE TABLE search_documents (
    project_id     text NOT NULL REFERENCES projects (id),
    deliverable_id text NOT NULL REFERENCES deliverables (id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('action', 'good_practice')),
    action_number  integer NOT NULL DEFAULT 0, -- 0 for what is not an action
    title          text NOT NULL,
    body           text NOT NULL, -- the original text, for snippets
    norm           text NOT NULL,
    tsv            tsvector GENERATED ALWAYS AS (to_tsvector('simple', norm)) STORED,
    PRIMARY KEY (deliverable_id, action_number)
);
-- Keyset pages walk this index; the GIN index finds rare words.
CREATE INDEX search_documents_project ON search_documents (project_id, deliverable_id, action_number);
-- A search of one kind walks that kind only.
CREATE INDEX search_documents_kind ON search_documents (project_id, kind, deliverable_id, action_number);
CREATE INDEX search_documents_tsv ON search_documents USING gin (tsv);

-- +goose Down
DROP TABLE search_documents;
