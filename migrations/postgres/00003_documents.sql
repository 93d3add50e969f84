-- +goose Up
-- Uploaded template versions; the built-in ones live in the binary.
CREATE TABLE templates (
    name       text NOT NULL,
    version    text NOT NULL CHECK (length(version) = 64), -- SHA-256 of source
    kind       text NOT NULL,
    source     text NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (name, version)
);

-- Assembled documents. A row exists before its object: the job records the
-- object key before uploading, so every object has an owner, and a row is
-- ready only once its object is stored.
CREATE TABLE documents (
    id               text PRIMARY KEY,
    deliverable_id   text NOT NULL REFERENCES deliverables (id),
    project_id       text NOT NULL REFERENCES projects (id),
    kind             text NOT NULL,
    format           text NOT NULL CHECK (format IN ('pdf', 'docx', 'html', 'md')),
    template_name    text NOT NULL,
    template_version text NOT NULL,
    revision         integer NOT NULL,
    approved         boolean NOT NULL, -- built from an approved revision: no DRAFT mark, never overwritten
    state            text NOT NULL,    -- the deliverable's state when requested
    status           text NOT NULL CHECK (status IN ('pending', 'ready', 'failed')),
    content_type     text NOT NULL DEFAULT '',
    size             bigint NOT NULL DEFAULT 0,
    sha256           text NOT NULL DEFAULT '',
    object_key       text NOT NULL DEFAULT '',
    error            text NOT NULL DEFAULT '',
    requested_by     text NOT NULL,
    created_at       timestamptz NOT NULL,
    ready_at         timestamptz,
    UNIQUE (deliverable_id, revision, format, template_name, template_version, approved)
);
CREATE INDEX documents_deliverable ON documents (deliverable_id, id);

-- One row per download.
CREATE TABLE document_downloads (
    id          text PRIMARY KEY,
    document_id text NOT NULL REFERENCES documents (id),
    user_id     text NOT NULL,
    range_spec  text NOT NULL DEFAULT '',
    request_id  text NOT NULL DEFAULT '',
    at          timestamptz NOT NULL
);
CREATE INDEX document_downloads_document ON document_downloads (document_id);

-- +goose Down
DROP TABLE document_downloads;
DROP TABLE documents;
DROP TABLE templates;
