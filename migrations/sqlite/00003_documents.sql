-- +goose Up
-- Uploaded template versions; the built-in ones live in the binary.
CREATE TABLE templates (
    name       TEXT NOT NULL,
    version    TEXT NOT NULL CHECK (length(version) = 64), -- SHA-256 of source
    kind       TEXT NOT NULL,
    source     TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (name, version)
);

-- Assembled documents. A row exists before its object: the job records the
-- object key before uploading, so every object has an owner, and a row is
-- ready only once its object is stored.
CREATE TABLE documents (
    id               TEXT PRIMARY KEY,
    deliverable_id   TEXT NOT NULL REFERENCES deliverables (id),
    project_id       TEXT NOT NULL REFERENCES projects (id),
    kind             TEXT NOT NULL,
    format           TEXT NOT NULL CHECK (format IN ('pdf', 'docx', 'html', 'md')),
    template_name    TEXT NOT NULL,
    template_version TEXT NOT NULL,
    revision         INTEGER NOT NULL,
    approved         BOOLEAN NOT NULL, -- built from an approved revision: no DRAFT mark, never overwritten
    state            TEXT NOT NULL,    -- the deliverable's state when requested
    status           TEXT NOT NULL CHECK (status IN ('pending', 'ready', 'failed')),
    content_type     TEXT NOT NULL DEFAULT '',
    size             INTEGER NOT NULL DEFAULT 0,
    sha256           TEXT NOT NULL DEFAULT '',
    object_key       TEXT NOT NULL DEFAULT '',
    error            TEXT NOT NULL DEFAULT '',
    requested_by     TEXT NOT NULL,
    created_at       DATETIME NOT NULL,
    ready_at         DATETIME,
    UNIQUE (deliverable_id, revision, format, template_name, template_version, approved)
);
CREATE INDEX documents_deliverable ON documents (deliverable_id, id);

-- One row per download.
CREATE TABLE document_downloads (
    id          TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id),
    user_id     TEXT NOT NULL,
    range_spec  TEXT NOT NULL DEFAULT '',
    request_id  TEXT NOT NULL DEFAULT '',
    at          DATETIME NOT NULL
);
CREATE INDEX document_downloads_document ON document_downloads (document_id);

-- +goose Down
DROP TABLE document_downloads;
DROP TABLE documents;
DROP TABLE templates;
