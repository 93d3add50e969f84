package blobstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/craftscode/craftscode/documents"
)

// On-disk layout of an FS store rooted at dir:
//
//	dir/<key>~blob   object bytes
//	dir/<key>~meta   JSON sidecar: content type, SHA-256, and the size and
//	                 mtime of the data file it describes
//	dir/.tmp/        spool files of Puts in progress
//
// '~' cannot occur in a valid key and a key segment cannot start with '.',
// so neither the suffixed files nor .tmp can collide with a key, and because
// only directories carry plain segment names, keys "a" and "a/b" can
// coexist (as in S3).
const (
	fsDataSuffix = "~blob"
	fsMetaSuffix = "~meta"
	fsTmpDir     = ".tmp"

	// fsStaleTemp is the age after which NewFS removes leftovers in .tmp
	// (only a crash leaves any behind).
	fsStaleTemp = time.Hour
)

// fsLockStripes is the number of key-striped locks of an FS.
const fsLockStripes = 64

// FS is a documents.BlobStore on a local directory.
//
// A Put spools into dir/.tmp (same filesystem, so publishing is a rename or
// link), hashes while copying, fsyncs, and only then makes the object
// visible: with rename (replacing) or, for NoOverwrite, with a hard link,
// which fails if the target exists and so lets exactly one of several
// concurrent Puts win. A failed or cancelled Put removes its spool files.
//
// The sidecar records the size and mtime of the data file it belongs to.
// Within one process, publishing (data then sidecar) and reading (data and
// sidecar) are serialised per key, so a reader always sees a matching pair.
// If the pair does not match (another process writing the same directory, or
// a crash between the two renames), Stat and Open still serve the data and
// report SHA256 "" and the default content type instead of wrong values.
type FS struct {
	dir   string
	tmp   string
	locks [fsLockStripes]sync.RWMutex
}

var _ documents.BlobStore = (*FS)(nil)

// fsMeta is the sidecar content.
type fsMeta struct {
	ContentType string    `json:"content_type"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	ModTime     time.Time `json:"mod_time"`
}

// NewFS opens (creating it with mode 0750 if needed) a filesystem store
// rooted at dir.
func NewFS(dir string) (*FS, error) {
	if dir == "" {
		return nil, errors.New("blobstore: NewFS: empty directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("blobstore: NewFS: %w", err)
	}
	tmp := filepath.Join(abs, fsTmpDir)
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		return nil, fmt.Errorf("blobstore: NewFS: %w", err)
	}
	removeStaleTemps(tmp, fsStaleTemp)
	return &FS{dir: abs, tmp: tmp}, nil
}

// removeStaleTemps deletes spool files older than age (best effort; a Put in
// progress in another process is younger than that) and says how many
// went. Only files whose names start with one of prefixes are touched
// (none: every file).
func removeStaleTemps(tmp string, age time.Duration, prefixes ...string) int {
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return 0
	}
	cutoff := time.Now().Add(-age)
	n := 0
	for _, e := range entries {
		if len(prefixes) > 0 && !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(e.Name(), p) }) {
			continue
		}
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() && info.ModTime().Before(cutoff) {
			if os.Remove(filepath.Join(tmp, e.Name())) == nil {
				n++
			}
		}
	}
	return n
}

// SweepSpool removes the spool files in .tmp that were last written more
// than age ago: those of Puts cut short by a crash (a running Put writes
// its file as the data comes, and an upload that stops sending is cut long
// before). serve calls it periodically, so a crash's leftovers do not wait
// for the next start. It returns how many it removed.
func (s *FS) SweepSpool(age time.Duration) int { return removeStaleTemps(s.tmp, age) }

// paths returns the data and sidecar paths of a valid key.
func (s *FS) paths(key string) (data, meta string) {
	base := filepath.Join(s.dir, filepath.FromSlash(key))
	return base + fsDataSuffix, base + fsMetaSuffix
}

func (s *FS) lock(key string) *sync.RWMutex {
	h := fnv.New32a()
	_, _ = io.WriteString(h, key)
	return &s.locks[h.Sum32()%fsLockStripes]
}

// Put implements documents.BlobStore.
func (s *FS) Put(ctx context.Context, key string, r io.Reader, size int64, opts documents.PutOptions) (documents.BlobInfo, error) {
	if !documents.ValidKey(key) {
		return documents.BlobInfo{}, invalidKey(key)
	}
	if err := ctx.Err(); err != nil {
		return documents.BlobInfo{}, err
	}
	info, err := s.put(ctx, key, r, size, opts)
	if err != nil {
		return documents.BlobInfo{}, fmt.Errorf("blobstore: put %q: %w", key, err)
	}
	return info, nil
}

func (s *FS) put(ctx context.Context, key string, r io.Reader, size int64, opts documents.PutOptions) (documents.BlobInfo, error) {
	contentType := opts.ContentType
	if contentType == "" {
		contentType = defaultContentType
	}

	// Spool the body. The temp files are removed on every path unless they
	// were renamed into place.
	dataTmp, err := os.CreateTemp(s.tmp, "data-*")
	if err != nil {
		return documents.BlobInfo{}, err
	}
	dataTmpName, dataRenamed := dataTmp.Name(), false
	defer func() {
		_ = dataTmp.Close() // a second Close only reports os.ErrClosed
		if !dataRenamed {
			_ = os.Remove(dataTmpName)
		}
	}()

	n, sum, err := copyHashed(ctx, dataTmp, r, size)
	if err != nil {
		return documents.BlobInfo{}, err
	}
	if err := dataTmp.Sync(); err != nil {
		return documents.BlobInfo{}, err
	}
	fi, err := dataTmp.Stat()
	if err != nil {
		return documents.BlobInfo{}, err
	}
	if err := dataTmp.Close(); err != nil {
		return documents.BlobInfo{}, err
	}
	info := documents.BlobInfo{Key: key, Size: n, ContentType: contentType, SHA256: sum, ModTime: fi.ModTime()}

	// Link and rename keep the inode, so the published file keeps this
	// mtime; the sidecar records it to recognise its data file.
	metaJSON, err := json.Marshal(fsMeta{ContentType: contentType, SHA256: sum, Size: n, ModTime: fi.ModTime()})
	if err != nil {
		return documents.BlobInfo{}, err
	}
	metaTmpName, err := writeTemp(s.tmp, "meta-*", metaJSON)
	if err != nil {
		return documents.BlobInfo{}, err
	}
	metaRenamed := false
	defer func() {
		if !metaRenamed {
			_ = os.Remove(metaTmpName)
		}
	}()

	dataPath, metaPath := s.paths(key)
	parent := filepath.Dir(dataPath)
	if err := os.MkdirAll(parent, 0o750); err != nil {
		return documents.BlobInfo{}, err
	}
	// Last chance to honour a cancellation: after this the object is public.
	if err := ctx.Err(); err != nil {
		return documents.BlobInfo{}, err
	}

	l := s.lock(key)
	l.Lock()
	defer l.Unlock()
	if opts.NoOverwrite {
		// link(2) fails with EEXIST if dataPath exists, atomically, also
		// against other processes. The spool name stays linked and is
		// removed by the deferred cleanup.
		if err := os.Link(dataTmpName, dataPath); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return documents.BlobInfo{}, documents.ErrExists
			}
			return documents.BlobInfo{}, err
		}
	} else {
		if err := os.Rename(dataTmpName, dataPath); err != nil {
			return documents.BlobInfo{}, err
		}
		dataRenamed = true
	}
	if err := os.Rename(metaTmpName, metaPath); err != nil {
		// Do not leave an object behind for a Put that reports failure.
		_ = os.Remove(dataPath)
		return documents.BlobInfo{}, err
	}
	metaRenamed = true
	syncDir(parent) // durability of the new names; best effort
	return info, nil
}

// writeTemp writes b to a new fsynced temp file in dir and returns its name.
func writeTemp(dir, pattern string, b []byte) (string, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// syncDir fsyncs a directory so that renames into it survive a crash. Errors
// are ignored: not every platform can fsync a directory, and the object is
// already visible when this runs.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}

// Open implements documents.BlobStore. The returned Blob is an *os.File
// underneath and stays valid if the key is overwritten or deleted meanwhile.
func (s *FS) Open(ctx context.Context, key string) (documents.Blob, error) {
	if !documents.ValidKey(key) {
		return nil, invalidKey(key)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dataPath, metaPath := s.paths(key)
	l := s.lock(key)
	l.RLock()
	f, err := os.Open(dataPath)
	if err != nil {
		l.RUnlock()
		return nil, fsNotFound(key, err)
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		l.RUnlock()
		_ = f.Close()
		if err == nil {
			return nil, fmt.Errorf("%w: %q", documents.ErrNotFound, key)
		}
		return nil, fmt.Errorf("blobstore: open %q: %w", key, err)
	}
	info := fsInfo(key, fi, metaPath)
	l.RUnlock()
	return &fsBlob{f: f, info: info}, nil
}

// Stat implements documents.BlobStore.
func (s *FS) Stat(ctx context.Context, key string) (documents.BlobInfo, error) {
	if !documents.ValidKey(key) {
		return documents.BlobInfo{}, invalidKey(key)
	}
	if err := ctx.Err(); err != nil {
		return documents.BlobInfo{}, err
	}
	dataPath, metaPath := s.paths(key)
	l := s.lock(key)
	l.RLock()
	defer l.RUnlock()
	fi, err := os.Stat(dataPath)
	if err != nil {
		return documents.BlobInfo{}, fsNotFound(key, err)
	}
	if !fi.Mode().IsRegular() {
		return documents.BlobInfo{}, fmt.Errorf("%w: %q", documents.ErrNotFound, key)
	}
	return fsInfo(key, fi, metaPath), nil
}

// fsInfo describes the data file fi, taking content type and SHA-256 from
// the sidecar only if the sidecar belongs to that file.
func fsInfo(key string, fi os.FileInfo, metaPath string) documents.BlobInfo {
	info := documents.BlobInfo{Key: key, Size: fi.Size(), ContentType: defaultContentType, ModTime: fi.ModTime()}
	b, err := os.ReadFile(metaPath)
	if err != nil {
		return info
	}
	var m fsMeta
	if json.Unmarshal(b, &m) != nil || m.Size != fi.Size() || !m.ModTime.Equal(fi.ModTime()) {
		return info
	}
	if m.ContentType != "" {
		info.ContentType = m.ContentType
	}
	info.SHA256 = m.SHA256
	return info
}

// fsNotFound maps "no such file" (and a path through a non-directory) to
// documents.ErrNotFound.
func fsNotFound(key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
		return fmt.Errorf("%w: %q", documents.ErrNotFound, key)
	}
	return fmt.Errorf("blobstore: %q: %w", key, err)
}

func isNotDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }

// Delete implements documents.BlobStore. Empty directories are left in
// place; they cost nothing and removing them would race with Puts of
// sibling keys.
func (s *FS) Delete(ctx context.Context, key string) error {
	if !documents.ValidKey(key) {
		return invalidKey(key)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	dataPath, metaPath := s.paths(key)
	l := s.lock(key)
	l.Lock()
	defer l.Unlock()
	// Data first: once it is gone the key is gone, even if removing the
	// sidecar fails (an orphaned sidecar is ignored and later replaced).
	for _, p := range []string{dataPath, metaPath} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) && !isNotDir(err) {
			return fmt.Errorf("blobstore: delete %q: %w", key, err)
		}
	}
	return nil
}

// Ping implements documents.BlobStore: the directory must exist and accept
// new files.
func (s *FS) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := os.CreateTemp(s.tmp, "ping-*")
	if err != nil {
		return fmt.Errorf("blobstore: ping %s: %w", s.dir, err)
	}
	name := f.Name()
	cerr := f.Close()
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("blobstore: ping %s: %w", s.dir, err)
	}
	if cerr != nil {
		return fmt.Errorf("blobstore: ping %s: %w", s.dir, cerr)
	}
	return nil
}

// fsBlob is an open FS object. It exposes only reading, not the rest of
// *os.File.
type fsBlob struct {
	f    *os.File
	info documents.BlobInfo
}

func (b *fsBlob) Read(p []byte) (int, error)                   { return b.f.Read(p) }
func (b *fsBlob) ReadAt(p []byte, off int64) (int, error)      { return b.f.ReadAt(p, off) }
func (b *fsBlob) Seek(offset int64, whence int) (int64, error) { return b.f.Seek(offset, whence) }
func (b *fsBlob) Close() error                                 { return b.f.Close() }
func (b *fsBlob) Info() documents.BlobInfo                     { return b.info }
