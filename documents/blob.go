// Package documents assembles documents from templates and revision snapshots.
// It declares the storage it needs (BlobStore) and imports no adapter.
package documents

import (
	"context"
	"errors"
	"io"
	"regexp"
	"strings"
	"time"
)

// BlobStore keeps document bytes. Adapters live in storage/blobstore:
// a filesystem store for the embedded default and an S3 store (minio-go).
type BlobStore interface {
	// Put stores r under key. size may be -1 when unknown; the store streams
	// without buffering the whole object and computes SHA-256 on the way.
	// With opts.NoOverwrite an existing key gives ErrExists and the old
	// object is left untouched.
	Put(ctx context.Context, key string, r io.Reader, size int64, opts PutOptions) (BlobInfo, error)
	// Open returns a seekable reader (http.ServeContent can serve Range
	// requests from it). A missing key gives ErrNotFound.
	Open(ctx context.Context, key string) (Blob, error)
	// Stat describes the object under key, or gives ErrNotFound.
	Stat(ctx context.Context, key string) (BlobInfo, error)
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// Ping reports whether the store answers (used by /readyz).
	Ping(ctx context.Context) error
}

// PutOptions tune a Put.
type PutOptions struct {
	ContentType string
	NoOverwrite bool
}

// BlobInfo describes a stored object.
type BlobInfo struct {
	Key         string
	Size        int64
	ContentType string
	SHA256      string // lower-case hex; empty when the store cannot know it (Stat on S3 without metadata)
	ModTime     time.Time
}

// Blob is an open object.
type Blob interface {
	io.ReadSeekCloser
	Info() BlobInfo
}

var (
	ErrNotFound   = errors.New("blob not found")
	ErrExists     = errors.New("blob already exists")
	ErrInvalidKey = errors.New("invalid blob key")
)

var keySegment = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// ValidKey reports whether key is a safe object key: slash-separated
// segments of lower-case letters, digits, '.', '_' and '-', no empty, "." or
// ".." segment. Keys are built from ids and hashes only, never user text;
// this check is the last line of defence for both the filesystem and S3.
func ValidKey(key string) bool {
	if key == "" || len(key) > 512 {
		return false
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "." || seg == ".." || !keySegment.MatchString(seg) {
			return false
		}
	}
	return true
}
