// Package evidence checks evidence uploads while they stream: it enforces
// the size limit, decides the content type from the bytes (never from what
// the client claims) against an allowlist, and cleans up the file name,
// which is kept as metadata only.
//
// A Reader passes the body through unchanged. Whatever can only be known
// at the end (the size limit, the inside of a zip container, the encoding
// of a text file) turns the last Read into an error, so a store that
// publishes an object only after a clean EOF stores nothing.
package evidence

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultLimit is the size limit when none is configured: 50 MB.
const DefaultLimit = 50 << 20

// The allowed content types, as stored and served.
const (
	TypePDF  = "application/pdf"
	TypePNG  = "image/png"
	TypeJPEG = "image/jpeg"
	TypeGIF  = "image/gif"
	TypeWebP = "image/webp"
	TypeText = "text/plain; charset=utf-8"
	TypeCSV  = "text/csv; charset=utf-8"
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	TypePPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
	TypeODT  = "application/vnd.oasis.opendocument.text"
	TypeODS  = "application/vnd.oasis.opendocument.spreadsheet"
	TypeODP  = "application/vnd.oasis.opendocument.presentation"
)

// Allowed lists the accepted types, for documentation and error messages.
var Allowed = []string{TypePDF, TypePNG, TypeJPEG, TypeGIF, TypeWebP, TypeText, TypeCSV,
	TypeDOCX, TypeXLSX, TypePPTX, TypeODT, TypeODS, TypeODP}

var (
	// ErrTooLarge: the body went past the limit.
	ErrTooLarge = errors.New("evidence: the file is larger than the limit")
	// ErrEmpty: there were no bytes at all.
	ErrEmpty = errors.New("evidence: the file is empty")
)

// UnsupportedError is a type outside the allowlist, or a file whose inside
// does not match what its first bytes promised.
type UnsupportedError struct{ Reason string }

func (e *UnsupportedError) Error() string { return "evidence: unsupported file: " + e.Reason }

func unsupported(format string, args ...any) error {
	return &UnsupportedError{Reason: fmt.Sprintf(format, args...)}
}

// sniffLen is how much net/http.DetectContentType looks at.
const sniffLen = 512

// Reader streams an upload through the checks. Create it with NewReader,
// read it to EOF, then ask ContentType.
type Reader struct {
	r     io.Reader
	limit int64
	n     int64
	head  []byte // the sniffed bytes, served before r
	kind  string // what the head says: a final type, or "zip"
	zip   *zipNames
	text  *textCheck
	final string
	done  bool
}

// NewReader reads the first bytes of r and refuses at once what is not on
// the allowlist (UnsupportedError) or empty (ErrEmpty). name, already
// cleaned, only tells CSV from plain text.
func NewReader(r io.Reader, limit int64, name string) (*Reader, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(r, head)
	head = head[:n]
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	if n == 0 {
		return nil, ErrEmpty
	}
	if int64(n) > limit {
		return nil, ErrTooLarge
	}
	er := &Reader{r: r, limit: limit, n: int64(n), head: head}
	switch detected := http.DetectContentType(head); detected {
	case TypePDF, TypePNG, TypeJPEG, TypeGIF, TypeWebP:
		er.kind = detected
	case TypeText:
		er.kind = TypeText
		if strings.EqualFold(path.Ext(name), ".csv") {
			er.kind = TypeCSV
		}
		er.text = &textCheck{}
		if err := er.text.write(head); err != nil {
			return nil, err
		}
	case "application/zip":
		er.kind = "zip"
		if t := openDocumentType(head); t != "" {
			// ODF puts its type, uncompressed, first in the container.
			er.kind = t
		} else {
			er.zip = &zipNames{names: map[string]bool{}}
			er.zip.write(head)
		}
	default:
		return nil, unsupported("%s is not accepted as evidence", strings.SplitN(detected, ";", 2)[0])
	}
	return er, nil
}

// Read implements io.Reader. At the end of the body it finishes the checks
// and reports a failed one instead of io.EOF.
func (er *Reader) Read(p []byte) (int, error) {
	if er.done {
		return 0, io.EOF
	}
	if len(er.head) > 0 {
		n := copy(p, er.head)
		er.head = er.head[n:]
		return n, nil
	}
	n, err := er.r.Read(p)
	if n > 0 {
		er.n += int64(n)
		if er.n > er.limit {
			return 0, ErrTooLarge
		}
		if er.text != nil {
			if terr := er.text.write(p[:n]); terr != nil {
				return 0, terr
			}
		}
		if er.zip != nil {
			er.zip.write(p[:n])
		}
	}
	if err == io.EOF {
		if ferr := er.finish(); ferr != nil {
			return 0, ferr
		}
		er.done = true
	}
	return n, err
}

func (er *Reader) finish() error {
	switch {
	case er.text != nil:
		if err := er.text.close(); err != nil {
			return err
		}
		er.final = er.kind
	case er.zip != nil:
		t, err := er.zip.officeType()
		if err != nil {
			return err
		}
		er.final = t
	default:
		er.final = er.kind
	}
	return nil
}

// ContentType is the checked type, known once Read returned io.EOF.
func (er *Reader) ContentType() string { return er.final }

// Size is the number of bytes read so far.
func (er *Reader) Size() int64 { return er.n }

// PreliminaryType is what the first bytes say ("application/zip" for a
// container whose kind is decided at the end), for stores that want a type
// before the upload.
func (er *Reader) PreliminaryType() string {
	if er.kind == "zip" {
		return "application/zip"
	}
	return er.kind
}

// openDocumentType reads an ODF container's first entry, which the format
// requires to be "mimetype", stored uncompressed and without extra field.
// Its size is in the local header, or (when a data descriptor follows) the
// next zip record starts right after it.
func openDocumentType(head []byte) string {
	const hdr = 30
	if len(head) < hdr || !bytes.HasPrefix(head, zipSig) {
		return ""
	}
	flags := binary.LittleEndian.Uint16(head[6:])
	method := binary.LittleEndian.Uint16(head[8:])
	size := int(binary.LittleEndian.Uint32(head[18:]))
	nameLen := int(binary.LittleEndian.Uint16(head[26:]))
	extraLen := int(binary.LittleEndian.Uint16(head[28:]))
	if method != 0 || extraLen != 0 || nameLen != len("mimetype") || len(head) < hdr+nameLen ||
		string(head[hdr:hdr+nameLen]) != "mimetype" {
		return ""
	}
	content := head[hdr+nameLen:]
	for _, t := range []string{TypeODT, TypeODS, TypeODP} {
		if !bytes.HasPrefix(content, []byte(t)) {
			continue
		}
		if size == len(t) || size == 0 && flags&0x8 != 0 && bytes.HasPrefix(content[len(t):], []byte("PK")) {
			return t
		}
	}
	return ""
}

// zipNames collects the entry names of a zip as it streams by, from the
// local file headers, whose names are never compressed. Only a bounded tail
// is carried from one write to the next.
type zipNames struct {
	buf   []byte
	names map[string]bool
}

const (
	zipHeaderLen = 30
	zipMaxName   = 256 // longer names are not the ones we look for
)

// zipParts are the entry names that tell an Office Open XML file's kind.
var zipParts = map[string]bool{"[Content_Types].xml": true, "word/document.xml": true, "xl/workbook.xml": true, "ppt/presentation.xml": true}

var zipSig = []byte("PK\x03\x04")

func (z *zipNames) write(p []byte) {
	z.buf = append(z.buf, p...)
	i, keep := 0, -1
	for {
		j := bytes.Index(z.buf[i:], zipSig)
		if j < 0 {
			break
		}
		pos := i + j
		if len(z.buf)-pos < zipHeaderLen {
			keep = pos
			break
		}
		n := int(binary.LittleEndian.Uint16(z.buf[pos+26:]))
		if n <= zipMaxName {
			if len(z.buf)-pos < zipHeaderLen+n {
				keep = pos
				break
			}
			// Only the parts that tell the kind are kept, so a zip of
			// countless entries costs no memory.
			if name := z.buf[pos+zipHeaderLen : pos+zipHeaderLen+n]; zipParts[string(name)] {
				z.names[string(name)] = true
			}
		}
		i = pos + len(zipSig)
	}
	if keep < 0 {
		// A signature may be split across writes.
		keep = max(len(z.buf)-(len(zipSig)-1), i)
	}
	z.buf = append(z.buf[:0], z.buf[keep:]...)
}

// officeType tells an Office Open XML file from any other zip.
func (z *zipNames) officeType() (string, error) {
	if !z.names["[Content_Types].xml"] {
		return "", unsupported("a zip archive that is not an office document")
	}
	switch {
	case z.names["word/document.xml"]:
		return TypeDOCX, nil
	case z.names["xl/workbook.xml"]:
		return TypeXLSX, nil
	case z.names["ppt/presentation.xml"]:
		return TypePPTX, nil
	}
	return "", unsupported("an Office Open XML package that is not a document, workbook or presentation")
}

// textCheck requires plain text to be UTF-8 without NUL bytes throughout,
// not only in the sniffed head. A rune split across writes is carried over.
type textCheck struct{ carry []byte }

func (t *textCheck) write(p []byte) error {
	for len(t.carry) > 0 && len(p) > 0 {
		t.carry, p = append(t.carry, p[0]), p[1:]
		if utf8.FullRune(t.carry) {
			// U+FFFD itself is valid; only a one-byte RuneError is not.
			if r, n := utf8.DecodeRune(t.carry); (r == utf8.RuneError && n == 1) || n != len(t.carry) {
				return unsupported("text that is not valid UTF-8")
			}
			t.carry = t.carry[:0]
		}
	}
	if len(p) == 0 {
		return nil
	}
	// Keep an incomplete rune at the end for the next write.
	end := len(p)
	for k := 1; k <= 3 && k <= len(p); k++ {
		if utf8.RuneStart(p[len(p)-k]) {
			if !utf8.FullRune(p[len(p)-k:]) {
				end = len(p) - k
			}
			break
		}
	}
	body := p[:end]
	if !utf8.Valid(body) || bytes.IndexByte(body, 0) >= 0 {
		return unsupported("text that is not valid UTF-8")
	}
	t.carry = append(t.carry[:0], p[end:]...)
	return nil
}

func (t *textCheck) close() error {
	if len(t.carry) > 0 {
		return unsupported("text that ends in the middle of a character")
	}
	return nil
}

// CleanName makes an uploaded file name safe to keep and show: the last
// path element only, no control or format characters, at most 200
// characters; "" when nothing is left. Markup characters are kept: the
// name is escaped wherever it is written out.
func CleanName(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "." || name == ".." {
		return ""
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	return name
}
