-- +goose Up
-- The public verification finds a document by the SHA-256 of its bytes.
CREATE INDEX documents_sha256 ON documents (sha256);

-- +goose Down
DROP INDEX documents_sha256;
