package blobstore

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/craftscode/craftscode/documents"
)

// S3Config configures an S3 store.
type S3Config struct {
	Endpoint  string // host[:port], without scheme
	AccessKey string
	SecretKey string
	Bucket    string // created by NewS3 if missing
	UseSSL    bool
	Region    string // optional
	// TempDir is where Put spools uploads (see S3.Put); "" means
	// os.TempDir().
	TempDir string
	// PublicURL (scheme://host[:port], no path) is where browsers reach
	// the store, when that differs from Endpoint (a container name, an
	// internal address): presigned URLs point there. "" means Endpoint.
	PublicURL string
}

const (
	// s3PartSize is the multipart part size. Uploads come from a spool file
	// (an io.ReaderAt), so minio-go sends parts as file sections and does
	// not allocate part-sized buffers; objects up to this size go up in a
	// single PUT.
	s3PartSize = 16 << 20
	// s3SHA256Meta is the user metadata entry holding the hex SHA-256,
	// sent as the header X-Amz-Meta-Sha256.
	s3SHA256Meta = "Sha256"
)

// S3 is a documents.BlobStore on one bucket of S3-compatible storage.
type S3 struct {
	client  *minio.Client
	bucket  string
	tempDir string
	// presign signs URLs for the public endpoint. It never sends a
	// request (its region is fixed), so the public endpoint need not be
	// reachable from the service.
	presign *minio.Client
	origin  string
}

var (
	_ documents.BlobStore = (*S3)(nil)
	_ documents.Presigner = (*S3)(nil)
)

// NewS3 connects to cfg.Endpoint and creates cfg.Bucket if it does not exist
// (a concurrent creator is tolerated).
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		return nil, errors.New("blobstore: NewS3: endpoint and bucket are required")
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.UseSSL,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("blobstore: NewS3: %w", err)
	}
	s := &S3{client: client, bucket: cfg.Bucket, tempDir: cfg.TempDir}
	if err := s.ensureBucket(ctx, cfg.Region); err != nil {
		return nil, fmt.Errorf("blobstore: NewS3: bucket %q: %w", cfg.Bucket, err)
	}
	if err := s.setupPresign(ctx, cfg); err != nil {
		return nil, fmt.Errorf("blobstore: NewS3: %w", err)
	}
	return s, nil
}

// setupPresign makes the client that signs URLs for cfg.PublicURL (or
// Endpoint). The region is part of the signature; it is asked of the
// internal endpoint once, so signing never goes to the network (the public
// endpoint may not be reachable from here).
func (s *S3) setupPresign(ctx context.Context, cfg S3Config) error {
	host, secure := cfg.Endpoint, cfg.UseSSL
	if cfg.PublicURL != "" {
		u, err := url.Parse(cfg.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.User != nil {
			return fmt.Errorf("public URL %q must be http(s)://host[:port] without a path", cfg.PublicURL)
		}
		host, secure = u.Host, u.Scheme == "https"
	}
	region := cfg.Region
	if region == "" {
		// A user limited to the bucket may not ask its location; then,
		// as minio-go itself does, assume S3's default region.
		region = "us-east-1"
		if r, err := s.client.GetBucketLocation(ctx, s.bucket); err == nil && r != "" {
			region = r
		}
	}
	c, err := minio.New(host, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: secure,
		Region: region,
	})
	if err != nil {
		return fmt.Errorf("public URL: %w", err)
	}
	s.presign = c
	s.origin = c.EndpointURL().Scheme + "://" + c.EndpointURL().Host
	return nil
}

// PresignGet implements documents.Presigner. The URL carries
// response-content-type and response-content-disposition, which the store
// sends back instead of the stored headers; they are part of the
// signature, so the holder cannot change them.
func (s *S3) PresignGet(ctx context.Context, key string, expiry time.Duration, opts documents.GetOptions) (*url.URL, error) {
	if !documents.ValidKey(key) {
		return nil, invalidKey(key)
	}
	params := url.Values{}
	if opts.ContentType != "" {
		params.Set("response-content-type", opts.ContentType)
	}
	if opts.ContentDisposition != "" {
		params.Set("response-content-disposition", opts.ContentDisposition)
	}
	u, err := s.presign.PresignedGetObject(ctx, s.bucket, key, expiry, params)
	if err != nil {
		return nil, fmt.Errorf("blobstore: presign %q: %w", key, err)
	}
	return u, nil
}

// PresignOrigin implements documents.Presigner.
func (s *S3) PresignOrigin() string { return s.origin }

func (s *S3) ensureBucket(ctx context.Context, region string) error {
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return err
	}
	if exists {
		return nil
	}
	err = s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: region})
	if err == nil {
		return nil
	}
	switch s3Code(err) {
	case minio.BucketAlreadyOwnedByYou:
		return nil
	case minio.BucketAlreadyExists:
		// Someone created it between our check and MakeBucket. It is only
		// usable if it is ours, which BucketExists tells.
		if ok, err2 := s.client.BucketExists(ctx, s.bucket); err2 == nil && ok {
			return nil
		}
	}
	return err
}

// SweepSpool removes this store's spool files (blobstore-s3-*) in
// TempDir last written more than age ago. On Unix they are unlinked as
// soon as made, so a crash leaves none; where an open file cannot be
// removed, a crash can, and serve's periodic sweep clears them.
func (s *S3) SweepSpool(age time.Duration) int {
	dir := s.tempDir
	if dir == "" {
		dir = os.TempDir()
	}
	return removeStaleTemps(dir, age, "blobstore-s3-")
}

// Put implements documents.BlobStore.
//
// S3 takes user metadata only with the request that creates the object,
// but the SHA-256 is known only after the whole body has been read. So Put
// first spools the body to a temp file on local disk (in S3Config.TempDir)
// while hashing it, and then uploads that file with its exact size and the
// digest in X-Amz-Meta-Sha256. This costs local disk space and a second pass
// over the bytes, but memory stays bounded, the stored digest is always
// present and correct, and a failing or short reader is detected before
// anything is sent. On Unix the spool file is unlinked right after creation,
// so nothing is left behind even if the process dies.
//
// Without NoOverwrite, objects larger than s3PartSize are uploaded in
// parts. With NoOverwrite the upload is always one PUT carrying
// "If-None-Match: *" (a conditional write, honoured by MinIO and AWS S3):
// the server answers 412 Precondition Failed if the key exists, which maps
// to documents.ErrExists, and because it checks atomically with the write,
// of several concurrent Puts exactly one wins.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, opts documents.PutOptions) (documents.BlobInfo, error) {
	if !documents.ValidKey(key) {
		return documents.BlobInfo{}, invalidKey(key)
	}
	if err := ctx.Err(); err != nil {
		return documents.BlobInfo{}, err
	}
	info, err := s.put(ctx, key, r, size, opts)
	if err != nil {
		return documents.BlobInfo{}, fmt.Errorf("blobstore: put %q: %w", key, s.mapErr(ctx, err, opts.NoOverwrite))
	}
	return info, nil
}

func (s *S3) put(ctx context.Context, key string, r io.Reader, size int64, opts documents.PutOptions) (documents.BlobInfo, error) {
	contentType := opts.ContentType
	if contentType == "" {
		contentType = defaultContentType
	}

	spool, err := os.CreateTemp(s.tempDir, "blobstore-s3-*")
	if err != nil {
		return documents.BlobInfo{}, err
	}
	name := spool.Name()
	// Unlink now; the open descriptor keeps the data. Where an open file
	// cannot be removed (Windows), remove it after closing.
	unlinked := os.Remove(name) == nil
	defer func() {
		_ = spool.Close()
		if !unlinked {
			_ = os.Remove(name)
		}
	}()

	n, sum, err := copyHashed(ctx, spool, r, size)
	if err != nil {
		return documents.BlobInfo{}, err
	}
	// minio-go uploads from the current offset of a seekable ReaderAt.
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return documents.BlobInfo{}, err
	}

	popts := minio.PutObjectOptions{
		ContentType:  contentType,
		UserMetadata: map[string]string{s3SHA256Meta: sum},
		PartSize:     s3PartSize,
	}
	if opts.NoOverwrite {
		popts.SetMatchETagExcept("*") // If-None-Match: *
		// minio-go (v7.4.1) sends If-None-Match when it initiates a
		// multipart upload but not when it completes one, so concurrent
		// multipart uploads would all pass the check. A single PUT is
		// checked atomically with the write. (S3 caps a single PUT at
		// 5 GiB; MinIO does not.)
		popts.DisableMultipart = true
	}
	up, err := s.client.PutObject(ctx, s.bucket, key, spool, n, popts)
	if err != nil {
		return documents.BlobInfo{}, err
	}
	mod := up.LastModified
	if mod.IsZero() {
		// A single PUT's response carries no Last-Modified. This is a
		// little later than the server's value, which Stat reports.
		mod = time.Now().UTC()
	}
	return documents.BlobInfo{Key: key, Size: n, ContentType: contentType, SHA256: sum, ModTime: mod}, nil
}

// Open implements documents.BlobStore. The Blob is the *minio.Object
// (seekable; every read after the first is pinned to the ETag seen at Open,
// so a concurrent overwrite makes reads fail instead of mixing versions). It
// uses ctx for all its requests, so ctx must outlive the reading.
func (s *S3) Open(ctx context.Context, key string) (documents.Blob, error) {
	if !documents.ValidKey(key) {
		return nil, invalidKey(key)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("blobstore: open %q: %w", key, s.mapErr(ctx, err, false))
	}
	// GetObject is lazy; Stat sends the first request and so reports a
	// missing key now rather than at the first Read.
	oi, err := obj.Stat()
	if err != nil {
		_ = obj.Close()
		return nil, fmt.Errorf("blobstore: open %q: %w", key, s.mapErr(ctx, err, false))
	}
	return &s3Blob{Object: obj, info: s3Info(key, oi)}, nil
}

// Stat implements documents.BlobStore.
func (s *S3) Stat(ctx context.Context, key string) (documents.BlobInfo, error) {
	if !documents.ValidKey(key) {
		return documents.BlobInfo{}, invalidKey(key)
	}
	if err := ctx.Err(); err != nil {
		return documents.BlobInfo{}, err
	}
	oi, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return documents.BlobInfo{}, fmt.Errorf("blobstore: stat %q: %w", key, s.mapErr(ctx, err, false))
	}
	return s3Info(key, oi), nil
}

// Delete implements documents.BlobStore.
func (s *S3) Delete(ctx context.Context, key string) error {
	if !documents.ValidKey(key) {
		return invalidKey(key)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// S3 answers a delete of a missing key with success; NoSuchKey is
	// accepted as well in case an implementation reports it.
	err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	if err = s.mapErr(ctx, err, false); err != nil && !errors.Is(err, documents.ErrNotFound) {
		return fmt.Errorf("blobstore: delete %q: %w", key, err)
	}
	return nil
}

// Ping implements documents.BlobStore: the bucket must be reachable and
// exist.
func (s *S3) Ping(ctx context.Context) error {
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("blobstore: ping bucket %q: %w", s.bucket, s.mapErr(ctx, err, false))
	}
	if !exists {
		return fmt.Errorf("blobstore: ping: bucket %q does not exist", s.bucket)
	}
	return nil
}

// s3Info converts object metadata. SHA256 is "" for objects not written by
// this store (no or malformed X-Amz-Meta-Sha256).
func s3Info(key string, oi minio.ObjectInfo) documents.BlobInfo {
	info := documents.BlobInfo{Key: key, Size: oi.Size, ContentType: oi.ContentType, ModTime: oi.LastModified}
	if info.ContentType == "" {
		info.ContentType = defaultContentType
	}
	for k, v := range oi.UserMetadata {
		if strings.EqualFold(k, s3SHA256Meta) && isSHA256Hex(v) {
			info.SHA256 = v
		}
	}
	return info
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// s3Code returns the S3 error code of a minio-go error, or "".
func s3Code(err error) string {
	var er minio.ErrorResponse
	if errors.As(err, &er) {
		return er.Code
	}
	var erp *minio.ErrorResponse
	if errors.As(err, &erp) && erp != nil {
		return erp.Code
	}
	return ""
}

func s3Status(err error) int {
	var er minio.ErrorResponse
	if errors.As(err, &er) {
		return er.StatusCode
	}
	return 0
}

// mapErr translates minio-go errors into documents errors: a missing key
// gives ErrNotFound; a failed If-None-Match (when conditional is set) gives
// ErrExists; an error caused by the end of ctx wraps ctx.Err().
func (s *S3) mapErr(ctx context.Context, err error, conditional bool) error {
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		return fmt.Errorf("%w: %w", ctxErr, err)
	}
	code := s3Code(err)
	switch {
	case code == minio.NoSuchKey:
		return fmt.Errorf("%w: %w", documents.ErrNotFound, err)
	case conditional && (code == minio.PreconditionFailed || s3Status(err) == http.StatusPreconditionFailed):
		return documents.ErrExists
	}
	return err
}

// s3Blob is an open S3 object.
type s3Blob struct {
	*minio.Object
	info documents.BlobInfo
}

func (b *s3Blob) Info() documents.BlobInfo { return b.info }

// s3StreamPartSize is the part size of PutStream: the most one streaming
// upload keeps on local disk at a time (S3's minimum part is 5 MiB).
const s3StreamPartSize = 8 << 20

// PutStream uploads r to key while it arrives, as a multipart upload: each
// part is spooled to a temp file in S3Config.TempDir and sent as soon as it
// is full, so neither memory nor disk grows with the object (memory holds
// a copy buffer, disk one part). The SHA-256 of the whole is computed on
// the way and returned, but not stored with the object (S3 takes metadata
// only when an upload starts, before the digest is known), so Stat reports
// none: the caller keeps it. Any read error, including one that a checking
// reader returns instead of io.EOF, aborts the upload: nothing is left.
// There is no NoOverwrite: callers use fresh keys.
func (s *S3) PutStream(ctx context.Context, key string, r io.Reader, contentType string) (documents.BlobInfo, error) {
	if !documents.ValidKey(key) {
		return documents.BlobInfo{}, invalidKey(key)
	}
	if err := ctx.Err(); err != nil {
		return documents.BlobInfo{}, err
	}
	if contentType == "" {
		contentType = defaultContentType
	}
	info, err := s.putStream(ctx, key, r, contentType)
	if err != nil {
		return documents.BlobInfo{}, fmt.Errorf("blobstore: put %q: %w", key, s.mapErr(ctx, err, false))
	}
	return info, nil
}

func (s *S3) putStream(ctx context.Context, key string, r io.Reader, contentType string) (documents.BlobInfo, error) {
	spool, err := os.CreateTemp(s.tempDir, "blobstore-s3-part-*")
	if err != nil {
		return documents.BlobInfo{}, err
	}
	name := spool.Name()
	unlinked := os.Remove(name) == nil // as in put
	defer func() {
		_ = spool.Close()
		if !unlinked {
			_ = os.Remove(name)
		}
	}()

	core := minio.Core{Client: s.client}
	uploadID, err := core.NewMultipartUpload(ctx, s.bucket, key, minio.PutObjectOptions{ContentType: contentType})
	if err != nil {
		return documents.BlobInfo{}, err
	}
	completed := false
	defer func() {
		if !completed {
			// Also when the client has gone: the parts must not linger.
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			defer cancel()
			_ = core.AbortMultipartUpload(actx, s.bucket, key, uploadID)
		}
	}()

	whole := sha256.New()
	src := io.TeeReader(ctxReader{ctx: ctx, r: r}, whole)
	buf := make([]byte, copyBufSize)
	var parts []minio.CompletePart
	var size int64
	for num := 1; ; num++ {
		if err := spool.Truncate(0); err != nil {
			return documents.BlobInfo{}, err
		}
		if _, err := spool.Seek(0, io.SeekStart); err != nil {
			return documents.BlobInfo{}, err
		}
		partMD5, partSHA := md5.New(), sha256.New()
		n, err := io.CopyBuffer(io.MultiWriter(spool, partMD5, partSHA), io.LimitReader(src, s3StreamPartSize), buf)
		if err != nil {
			return documents.BlobInfo{}, err
		}
		if err := ctx.Err(); err != nil {
			return documents.BlobInfo{}, err
		}
		if n == 0 && num > 1 {
			break // the previous part ended exactly at the end
		}
		part, err := core.PutObjectPart(ctx, s.bucket, key, uploadID, num, io.NewSectionReader(spool, 0, n), n,
			minio.PutObjectPartOptions{Md5Base64: base64.StdEncoding.EncodeToString(partMD5.Sum(nil)), Sha256Hex: hex.EncodeToString(partSHA.Sum(nil))})
		if err != nil {
			return documents.BlobInfo{}, err
		}
		parts = append(parts, minio.CompletePart{PartNumber: num, ETag: part.ETag})
		size += n
		if n < s3StreamPartSize {
			break
		}
	}
	up, err := core.CompleteMultipartUpload(ctx, s.bucket, key, uploadID, parts, minio.PutObjectOptions{ContentType: contentType})
	if err != nil {
		return documents.BlobInfo{}, err
	}
	completed = true
	mod := up.LastModified
	if mod.IsZero() {
		mod = time.Now().UTC()
	}
	return documents.BlobInfo{Key: key, Size: size, ContentType: contentType, SHA256: hex.EncodeToString(whole.Sum(nil)), ModTime: mod}, nil
}
