package evidence_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/evidence"
)

// office builds a real zip with the given entries (deflated, as Office
// writes them), padded so the telling entry lies far past the sniffed head.
func office(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, n := range names {
		f, err := w.Create(n)
		require.NoError(t, err)
		_, err = f.Write(bytes.Repeat([]byte("<x>filler</x>"), 400))
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// odf builds an OpenDocument container: "mimetype" first and stored.
func odf(t *testing.T, mimetype string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
	require.NoError(t, err)
	_, err = f.Write([]byte(mimetype))
	require.NoError(t, err)
	f, err = w.Create("content.xml")
	require.NoError(t, err)
	_, err = f.Write([]byte("<office:document-content/>"))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// check streams b through a Reader one byte at a time (so every check
// meets its input split at the worst places) and returns the type.
func check(t *testing.T, b []byte, name string, limit int64) (string, error) {
	t.Helper()
	r, err := evidence.NewReader(iotest.OneByteReader(bytes.NewReader(b)), limit, name)
	if err != nil {
		return "", err
	}
	got, err := io.ReadAll(r)
	if err != nil {
		return "", err
	}
	require.Equal(t, b, got, "the bytes pass unchanged")
	require.Equal(t, int64(len(b)), r.Size())
	return r.ContentType(), nil
}

func TestAllowedTypes(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...)
	for _, tc := range []struct {
		name, file string
		body       []byte
		want       string
	}{
		{"pdf", "a.pdf", []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj\n"), evidence.TypePDF},
		{"png", "a.png", png, evidence.TypePNG},
		{"jpeg", "a.jpg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), evidence.TypeJPEG},
		{"gif", "a.gif", []byte("GIF89a\x01\x00\x01\x00"), evidence.TypeGIF},
		{"webp", "a.webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8 "), evidence.TypeWebP},
		{"text", "notes.txt", []byte(strings.Repeat("Vállalkozásfejlesztési Közalapítvány, РАМ Стара планина €\n", 40)), evidence.TypeText},
		{"csv by name", "data.CSV", []byte("indicator,target\nSMEs,40\n"), evidence.TypeCSV},
		{"docx", "a.docx", office(t, "[Content_Types].xml", "_rels/.rels", "docProps/core.xml", "word/document.xml"), evidence.TypeDOCX},
		{"xlsx", "a.xlsx", office(t, "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"), evidence.TypeXLSX},
		{"pptx", "a.pptx", office(t, "[Content_Types].xml", "ppt/presentation.xml"), evidence.TypePPTX},
		{"odt", "a.odt", odf(t, evidence.TypeODT), evidence.TypeODT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := check(t, tc.body, tc.file, 1<<20)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestRefusedTypes(t *testing.T) {
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"html", []byte("<!DOCTYPE html><html><script>alert(1)</script>")},
		{"svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`)},
		{"executable", append([]byte("MZ\x90\x00"), make([]byte, 600)...)},
		{"plain zip", office(t, "readme.txt", "word/document.xml")},
		{"ooxml of another kind", office(t, "[Content_Types].xml", "visio/document.xml")},
		{"odf of another kind", odf(t, "application/vnd.oasis.opendocument.graphics")},
		{"binary after a text head", append([]byte(strings.Repeat("a", 600)), 0, 1, 2)},
		{"invalid utf-8 after the head", append([]byte(strings.Repeat("a", 600)), 0xc3, 0x28)},
		{"text cut inside a character", append([]byte(strings.Repeat("a", 600)), 0xe2, 0x82)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := check(t, tc.body, "file.txt", 1<<20)
			var ue *evidence.UnsupportedError
			require.True(t, errors.As(err, &ue), "got %v", err)
		})
	}
}

func TestLimitAndEmpty(t *testing.T) {
	body := []byte("%PDF-1.4\n" + strings.Repeat("x", 2000))
	_, err := check(t, body, "a.pdf", int64(len(body)))
	require.NoError(t, err, "exactly the limit is fine")
	_, err = check(t, body, "a.pdf", int64(len(body))-1)
	require.ErrorIs(t, err, evidence.ErrTooLarge)
	_, err = check(t, body[:300], "a.pdf", 200)
	require.ErrorIs(t, err, evidence.ErrTooLarge, "a head over a tiny limit")
	_, err = check(t, nil, "a.pdf", 100)
	require.ErrorIs(t, err, evidence.ErrEmpty)
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf":                     "report.pdf",
		"../../etc/passwd":               "passwd",
		`C:\Users\x\evidence.docx`:       "evidence.docx",
		"a\x00b\r\nc\u202e.txt":          "abc.txt",
		"<script>alert(1)</script>.pdf":  "script>.pdf",
		"<script>alert(1)<\\script>.pdf": "script>.pdf",
		"  Közalapítvány jelentés.pdf  ": "Közalapítvány jelentés.pdf",
		"..":                             "",
		"bad\xffutf8.txt":                "badutf8.txt",
	} {
		require.Equal(t, want, evidence.CleanName(in), "CleanName(%q)", in)
	}
	require.Equal(t, "<b>&amp;\"x\".pdf", evidence.CleanName("<b>&amp;\"x\".pdf"), "markup is kept, to be escaped on output")
	require.Len(t, []rune(evidence.CleanName(strings.Repeat("é", 500))), 200)
}
