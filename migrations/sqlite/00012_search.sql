-- +goose Up
-- The search index (see the PostgreSQL migration). SQLite has no
-- tsvector: a search is a LIKE ' word%' per word over norm, the folded
-- words between spaces, which matches word prefixes as PostgreSQL does.
CREATE TABLE search_documents (
    project_id     TEXT NOT NULL REFERENCES projects (id),
    deliverable_id TEXT NOT NULL REFERENCES deliverables (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('action', 'good_practice')),
    action_number  INTEGER NOT NULL DEFAULT 0,
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    norm           TEXT NOT NULL,
    PRIMARY KEY (deliverable_id, action_number)
);
CREATE INDEX search_documents_project ON search_documents (project_id, deliverable_id, action_number);
-- A search of one kind walks that kind only.
CREATE INDEX search_documents_kind ON search_documents (project_id, kind, deliverable_id, action_number);

-- +goose Down
DROP TABLE search_documents;
