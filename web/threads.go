package web

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"html/template"
	"io"
	"strconv"
	"sync"
)

// threadCache keeps the rendered HTML of comment threads. A consultation
// page shows thousands of threads, and running the template for each one
// on every view cost about 150 ms of CPU for 5,000 comments; the threads
// change rarely and look the same to everyone with the same forms, so
// they are rendered once. A thread is kept under a key made of everything
// the "comment" template reads, so an edit, a response or a change of
// forms makes a new key rather than showing stale HTML. The CSRF token,
// which differs per session, is rendered as a random stand-in that no
// comment can contain, and replaced when the page is written.
type threadCache struct {
	mu      sync.Mutex
	html    map[string]template.HTML
	size    int // bytes of HTML kept
	limit   int
	standIn string
}

func newThreadCache(limit int) *threadCache {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return &threadCache{html: map[string]template.HTML{}, limit: limit, standIn: "csrf-" + hex.EncodeToString(b[:])}
}

// render returns each thread's HTML, running the template only for
// threads not kept yet.
func (tc *threadCache) render(t *template.Template, threads []commentView) ([]template.HTML, error) {
	out := make([]template.HTML, len(threads))
	keys := make([]string, len(threads))
	var missing []int
	tc.mu.Lock()
	for i := range threads {
		keys[i] = threads[i].key()
		h, ok := tc.html[keys[i]]
		if ok {
			out[i] = h
		} else {
			missing = append(missing, i)
		}
	}
	tc.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	var buf bytes.Buffer
	for _, i := range missing {
		buf.Reset()
		if err := t.ExecuteTemplate(&buf, "comment", threads[i]); err != nil {
			return nil, err
		}
		out[i] = template.HTML(buf.String()) //nolint:gosec // the output of html/template
	}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	for _, i := range missing {
		if _, ok := tc.html[keys[i]]; ok {
			continue
		}
		n := len(keys[i]) + len(out[i])
		if tc.size+n > tc.limit { // full: start again rather than track use
			clear(tc.html)
			tc.size = 0
		}
		tc.html[keys[i]] = out[i]
		tc.size += n
	}
	return out, nil
}

// key lists every field of the comment, its replies and its forms that
// the "comment" template reads; a field added there must be added here.
func (v *commentView) key() string {
	return string(v.appendKey(make([]byte, 0, 256)))
}

func (v *commentView) appendKey(b []byte) []byte {
	field := func(s string) {
		b = strconv.AppendInt(b, int64(len(s)), 10) // length-prefixed: no separator can be forged
		b = append(b, ':')
		b = append(b, s...)
	}
	flag := func(on bool) {
		if on {
			b = append(b, '1')
		} else {
			b = append(b, '0')
		}
	}
	field(v.ID)
	field(v.Section)
	field(v.AuthorName)
	field(string(v.Stance))
	field(v.Body)
	field(v.HiddenReason)
	flag(v.Edited)
	flag(v.Deleted)
	flag(v.Hidden)
	field(v.RoleLabel)
	field(v.StanceLabel)
	field(v.Created)
	field(v.CreatedISO)
	flag(v.Response != nil)
	if r := v.Response; r != nil {
		field(string(r.Status))
		field(r.AuthorName)
		field(r.Body)
		field(v.ResponseLabel)
		field(v.Answered)
	}
	flag(v.ReplyForm)
	flag(v.ResponseForm)
	if f := v.Forms; f != nil {
		field(f.Segment)
		field(f.HeadID)
		field(f.CSRF) // the stand-in; the option lists are constants
	}
	b = strconv.AppendInt(b, int64(len(v.Thread)), 10)
	b = append(b, '[')
	for i := range v.Thread {
		b = v.Thread[i].appendKey(b)
	}
	return append(b, ']')
}

// writeReplacing writes b with every old replaced by new, without a copy
// of the whole page.
func writeReplacing(w io.Writer, b, old, new []byte) error {
	for {
		i := bytes.Index(b, old)
		if i < 0 {
			_, err := w.Write(b)
			return err
		}
		if _, err := w.Write(b[:i]); err != nil {
			return err
		}
		if _, err := w.Write(new); err != nil {
			return err
		}
		b = b[i+len(old):]
	}
}
