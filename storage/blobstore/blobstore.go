// Package blobstore holds the adapters for documents.BlobStore: FS, a
// filesystem store used by the embedded default deployment, and S3, a store
// for S3-compatible object storage (MinIO, AWS S3) built on minio-go.
//
// Both adapters stream uploads (no object is held in memory as a whole),
// compute SHA-256 while copying, publish an object only once it is complete,
// and pass the same conformance suite (conformance_test.go).
package blobstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/craftscode/craftscode/documents"
)

// ErrSizeMismatch is returned by Put when a size >= 0 was declared and the
// reader delivered a different number of bytes. Nothing is stored.
var ErrSizeMismatch = errors.New("blob size does not match declared size")

// defaultContentType is stored when PutOptions.ContentType is empty; it is
// what S3 reports for objects uploaded without a type, so both adapters
// agree.
const defaultContentType = "application/octet-stream"

// copyBufSize is the buffer used when copying a Put body to its spool file.
const copyBufSize = 64 << 10

// ctxReader fails the next Read once ctx is done. A Read already blocked in
// the underlying reader is not interrupted; the copy stops at the next call.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// copyHashed copies r to dst while hashing it with SHA-256, and returns the
// number of bytes copied and the lower-case hex digest. With size >= 0 the
// copy must yield exactly size bytes (at most size+1 bytes are read to find
// out), otherwise the error wraps ErrSizeMismatch.
func copyHashed(ctx context.Context, dst io.Writer, r io.Reader, size int64) (int64, string, error) {
	h := sha256.New()
	var src io.Reader = ctxReader{ctx: ctx, r: r}
	if size >= 0 && size < math.MaxInt64 {
		src = io.LimitReader(src, size+1)
	}
	n, err := io.CopyBuffer(io.MultiWriter(dst, h), src, make([]byte, copyBufSize))
	if err != nil {
		return n, "", err
	}
	// A reader that stopped early because ctx ended reports that, not a
	// size mismatch.
	if err := ctx.Err(); err != nil {
		return n, "", err
	}
	if size >= 0 && n != size {
		if n > size {
			return n, "", fmt.Errorf("%w: declared %d bytes, got more", ErrSizeMismatch, size)
		}
		return n, "", fmt.Errorf("%w: declared %d bytes, got %d", ErrSizeMismatch, size, n)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

func invalidKey(key string) error {
	return fmt.Errorf("%w: %q", documents.ErrInvalidKey, key)
}
