package jobs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/workflow"
)

// RenderArgs asks for one document to be assembled and stored.
type RenderArgs struct {
	DocumentID string `json:"document_id"`
}

// Kind names the job type in River's table.
func (RenderArgs) Kind() string { return "render_document" }

// InsertOpts: documents are retried on their own schedule (see retryPolicy).
func (RenderArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 25, Queue: river.QueueDefault}
}

// DocumentStore is what rendering needs from the database.
type DocumentStore interface {
	// RenderInput gives the document, its revision's snapshot and the
	// revision's time.
	RenderInput(ctx context.Context, id string) (workflow.Document, []byte, time.Time, error)
	Template(ctx context.Context, name, version string) (workflow.TemplateRecord, error)
	SetDocumentObject(ctx context.Context, id, key, sha string, size int64, contentType string) error
	// ObjectInUse tells whether a document row names the object key.
	ObjectInUse(ctx context.Context, key string) (bool, error)
	FinishDocument(ctx context.Context, id string, failure error) error
}

// renderWorker assembles a document and stores it. It is idempotent: the
// output is deterministic, so a retry makes the same bytes under the same
// key, and an object already stored under that key is accepted when its
// hash matches.
type renderWorker struct {
	river.WorkerDefaults[RenderArgs]
	store DocumentStore
	blobs documents.BlobStore
	log   *slog.Logger
}

// permanent marks failures that no retry can mend (a template that does
// not execute on this revision).
type permanent struct{ error }

func (w *renderWorker) Work(ctx context.Context, job *river.Job[RenderArgs]) error {
	err := w.render(ctx, job.Args.DocumentID)
	var p permanent
	switch {
	case err == nil:
		return nil
	case errors.As(err, &p) || job.Attempt >= job.MaxAttempts:
		w.log.WarnContext(ctx, "document failed", "document_id", job.Args.DocumentID, "attempt", job.Attempt, "error", err.Error())
		if ferr := w.store.FinishDocument(ctx, job.Args.DocumentID, err); ferr != nil {
			return ferr
		}
		return nil
	default:
		w.log.InfoContext(ctx, "document will be retried", "document_id", job.Args.DocumentID, "attempt", job.Attempt, "error", err.Error())
		return err
	}
}

// NextRetry backs off exponentially from 1 s up to 30 s, so a document
// whose storage was down is finished soon after the storage is back.
func (w *renderWorker) NextRetry(job *river.Job[RenderArgs]) time.Time {
	d := time.Second << min(job.Attempt, 5)
	return time.Now().Add(min(d, 30*time.Second))
}

// renderTimeout bounds one attempt at rendering a document.
const renderTimeout = 2 * time.Minute

// Timeout bounds one attempt.
func (w *renderWorker) Timeout(*river.Job[RenderArgs]) time.Duration { return renderTimeout }

var segments = map[string]string{"action_plan": "action-plans", "peer_review": "peer-reviews", "good_practice": "good-practices", "progress_report": "progress-reports"}

// ObjectKey is where a document's bytes live: ids and hashes only.
func ObjectKey(doc workflow.Document, sha string) string {
	return fmt.Sprintf("projects/%s/%s/%s/r%d/%s.%s", doc.ProjectID, segments[string(doc.Kind)], doc.DeliverableID, doc.Revision, sha, doc.Format)
}

func (w *renderWorker) render(ctx context.Context, id string) error {
	doc, snap, created, err := w.store.RenderInput(ctx, id)
	if err != nil {
		return err
	}
	if doc.Status != workflow.DocumentPending {
		return nil // done before; nothing to repeat
	}
	format, ok := documents.ParseFormat(doc.Format)
	if !ok {
		return permanent{fmt.Errorf("unknown format %q", doc.Format)}
	}
	var snapshot map[string]any
	dec := json.NewDecoder(bytes.NewReader(snap))
	dec.UseNumber()
	if err := dec.Decode(&snapshot); err != nil {
		return permanent{fmt.Errorf("revision snapshot: %w", err)}
	}
	tmpl, err := LoadTemplate(ctx, w.store, doc.Template, doc.TemplateVersion)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	meta := documents.MetaFor(snapshot, doc.Approved, created, tmpl.Version)
	if err := documents.Assemble(&buf, tmpl, snapshot, meta, format); err != nil {
		return permanent{err}
	}
	sum := sha256.Sum256(buf.Bytes())
	sha := hex.EncodeToString(sum[:])
	key := ObjectKey(doc, sha)
	size := int64(buf.Len())
	ct := format.ContentType()
	// A draft rendered again (its consultation changed) had an object of
	// its own; it goes once the new one is in place.
	previous := doc.ObjectKey
	if err := w.store.SetDocumentObject(ctx, id, key, sha, size, ct); err != nil {
		return err
	}
	_, err = w.blobs.Put(ctx, key, bytes.NewReader(buf.Bytes()), size, documents.PutOptions{ContentType: ct, NoOverwrite: true})
	if errors.Is(err, documents.ErrExists) {
		// A previous attempt stored it; the same key means the same hash,
		// but check rather than trust.
		info, serr := w.blobs.Stat(ctx, key)
		if serr != nil {
			return serr
		}
		if info.SHA256 != "" && info.SHA256 != sha {
			return permanent{fmt.Errorf("object %s exists with another hash", key)}
		}
		err = nil
	}
	if err != nil {
		return err
	}
	if err := w.store.FinishDocument(ctx, id, nil); err != nil {
		return err
	}
	if previous != "" && previous != key {
		// Identical bytes share a key, so another document may still name
		// it. Only a stray object is left if this fails.
		inUse, err := w.store.ObjectInUse(ctx, previous)
		if err == nil && !inUse {
			err = w.blobs.Delete(ctx, previous)
		}
		if err != nil {
			w.log.WarnContext(ctx, "the earlier rendering was not removed", "document_id", id, "error", err.Error())
		}
	}
	return nil
}

// LoadTemplate finds a template version: built in, or uploaded.
func LoadTemplate(ctx context.Context, store interface {
	Template(ctx context.Context, name, version string) (workflow.TemplateRecord, error)
}, name, version string) (*documents.Template, error) {
	builtins, err := documents.Builtins()
	if err != nil {
		return nil, err
	}
	for _, t := range builtins {
		if t.Name == name && (version == "" || strings.EqualFold(t.Version, version)) {
			return t, nil
		}
	}
	rec, err := store.Template(ctx, name, version)
	if err != nil {
		if workflow.ErrorCode(err) == workflow.CodeNotFound {
			return nil, permanent{fmt.Errorf("template %s version %s not found", name, version)}
		}
		return nil, err
	}
	t, err := documents.NewTemplate(rec.Name, rec.Kind, []byte(rec.Source))
	if err != nil {
		return nil, permanent{err}
	}
	return t, nil
}
