-- +goose Up
-- Evidence files of an action plan, attached to a progress report or not.
-- The file name is metadata only: object keys are built from ids. A row is
-- written only after its object is stored, and an upload that is refused
-- (too large, wrong type) leaves neither.
CREATE TABLE evidence (
    id           TEXT PRIMARY KEY,
    project_id   TEXT NOT NULL REFERENCES projects (id),
    plan_id      TEXT NOT NULL REFERENCES deliverables (id),
    report_id    TEXT REFERENCES progress_reports (id), -- the report it was uploaded for, if any
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL, -- sniffed from the bytes, never the client's word
    size         INTEGER NOT NULL CHECK (size > 0),
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    object_key   TEXT NOT NULL UNIQUE,
    uploaded_by  TEXT NOT NULL,
    created_at   DATETIME NOT NULL
);
CREATE INDEX evidence_plan ON evidence (plan_id, id);
CREATE INDEX evidence_report ON evidence (report_id) WHERE report_id IS NOT NULL;

-- One row per download. No foreign key: the audit outlives deleted evidence.
CREATE TABLE evidence_downloads (
    id          TEXT PRIMARY KEY,
    evidence_id TEXT NOT NULL,
    project_id  TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    range_spec  TEXT NOT NULL DEFAULT '',
    request_id  TEXT NOT NULL DEFAULT '',
    at          DATETIME NOT NULL
);
CREATE INDEX evidence_downloads_evidence ON evidence_downloads (evidence_id);

-- +goose Down
DROP TABLE evidence_downloads;
DROP TABLE evidence;
