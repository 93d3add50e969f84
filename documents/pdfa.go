package documents

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"math"
	"strings"
	"sync"
	"time"
)

// PDF/A-2 (ISO 19005-2) asks, besides embedded fonts with ToUnicode maps, no
// encryption and a document ID (which the writer has anyway), for XMP
// metadata that identifies the part and conformance and repeats the document
// information, and for an output intent that says what the device colours
// mean. The renderer paints in DeviceRGB only, so the intent is sRGB.
//
// The claim is PDF/A-2a: level a adds to level u (Unicode text) the tagged
// structure, the natural language and artifacts, which the writer gives.

// pdfArchive is the document information that the XMP metadata repeats; it
// must say exactly what the document information dictionary says.
type pdfArchive struct {
	title, author, subject string
	created                time.Time
	producer, creator      string
}

func (r *pdfRenderer) archival() pdfArchive {
	a := pdfArchive{
		title:    r.title,
		author:   pdfClean(r.meta.Author),
		subject:  pdfClean(r.meta.ProjectAcronym),
		created:  r.meta.Created.UTC(),
		producer: pdfProducer,
		creator:  pdfCreator,
	}
	if r.meta.Created.IsZero() {
		a.created = time.Unix(0, 0).UTC()
	}
	return a
}

const (
	pdfProducer = "craftscode (go-pdf/fpdf)"
	pdfCreator  = "craftscode"
)

// xmp is the metadata packet. Dates carry their zone (Z), as the rewritten
// information dictionary does.
func (a pdfArchive) xmp() []byte {
	esc := func(s string) string {
		var b strings.Builder
		_ = xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	date := a.created.Format("2006-01-02T15:04:05Z")
	var b bytes.Buffer
	b.WriteString("<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n")
	b.WriteString(`<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about=""
 xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:xmp="http://ns.adobe.com/xap/1.0/"
 xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
<pdfaid:part>2</pdfaid:part>
<pdfaid:conformance>A</pdfaid:conformance>
`)
	if a.title != "" {
		b.WriteString("<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">" + esc(a.title) + "</rdf:li></rdf:Alt></dc:title>\n")
	}
	if a.author != "" {
		b.WriteString("<dc:creator><rdf:Seq><rdf:li>" + esc(a.author) + "</rdf:li></rdf:Seq></dc:creator>\n")
	}
	if a.subject != "" {
		b.WriteString("<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">" + esc(a.subject) + "</rdf:li></rdf:Alt></dc:description>\n")
		b.WriteString("<pdf:Keywords>" + esc(a.subject) + "</pdf:Keywords>\n")
	}
	b.WriteString("<pdf:Producer>" + esc(a.producer) + "</pdf:Producer>\n")
	b.WriteString("<xmp:CreatorTool>" + esc(a.creator) + "</xmp:CreatorTool>\n")
	b.WriteString("<xmp:CreateDate>" + date + "</xmp:CreateDate>\n")
	b.WriteString("<xmp:ModifyDate>" + date + "</xmp:ModifyDate>\n")
	b.WriteString("</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"r\"?>")
	return b.Bytes()
}

// pdfSRGB is an ICC (version 2) display profile of sRGB, built from the
// numbers of IEC 61966-2-1: its primaries adapted to D50 and its transfer
// curve, sampled. It is made once and compressed once.
var pdfSRGB = sync.OnceValue(func() []byte {
	return pdfDeflate(iccSRGB())
})

func iccSRGB() []byte {
	be := binary.BigEndian
	s15 := func(v float64) []byte { return be.AppendUint32(nil, uint32(int32(math.Round(v*65536)))) }
	xyz := func(x, y, z float64) []byte {
		b := []byte("XYZ \x00\x00\x00\x00")
		return append(append(append(b, s15(x)...), s15(y)...), s15(z)...)
	}
	desc := func(s string) []byte {
		b := []byte("desc\x00\x00\x00\x00")
		b = be.AppendUint32(b, uint32(len(s)+1))
		b = append(append(b, s...), 0)
		b = be.AppendUint32(b, 0)             // Unicode language
		b = be.AppendUint32(b, 0)             // Unicode count
		b = be.AppendUint16(b, 0)             // ScriptCode code
		return append(b, make([]byte, 68)...) // ScriptCode count and its 67 bytes
	}
	text := func(s string) []byte { return append(append([]byte("text\x00\x00\x00\x00"), s...), 0) }
	// the sRGB transfer function, 1024 samples
	curve := be.AppendUint32([]byte("curv\x00\x00\x00\x00"), 1024)
	for i := range 1024 {
		v := float64(i) / 1023
		if v <= 0.04045 {
			v /= 12.92
		} else {
			v = math.Pow((v+0.055)/1.055, 2.4)
		}
		curve = be.AppendUint16(curve, uint16(math.Round(v*65535)))
	}
	tags := []struct {
		sig  string
		data []byte
	}{
		{"desc", desc("sRGB IEC61966-2.1")},
		{"cprt", text("No copyright, use freely")},
		{"wtpt", xyz(0.9642, 1.0, 0.8249)},
		{"rXYZ", xyz(0.4361, 0.2225, 0.0139)},
		{"gXYZ", xyz(0.3851, 0.7169, 0.0971)},
		{"bXYZ", xyz(0.1431, 0.0606, 0.7141)},
		{"rTRC", curve},
		{"gTRC", nil}, // the same data as rTRC
		{"bTRC", nil},
	}
	const headerLen = 128
	table := 4 + 12*len(tags)
	var data []byte
	entries := be.AppendUint32(nil, uint32(len(tags)))
	curveAt := 0
	for _, t := range tags {
		at, size := headerLen+table+len(data), len(t.data)
		if t.data == nil {
			at, size = curveAt, len(curve)
		} else {
			if t.sig == "rTRC" {
				curveAt = at
			}
			data = append(data, t.data...)
			for len(data)%4 != 0 {
				data = append(data, 0)
			}
		}
		entries = append(entries, t.sig...)
		entries = be.AppendUint32(entries, uint32(at))
		entries = be.AppendUint32(entries, uint32(size))
	}
	total := headerLen + table + len(data)
	h := be.AppendUint32(nil, uint32(total))
	h = append(h, 0, 0, 0, 0)          // preferred CMM
	h = append(h, 2, 0x10, 0, 0)       // version 2.1
	h = append(h, "mntrRGB XYZ "...)   // a display profile, RGB to XYZ
	h = append(h, make([]byte, 12)...) // date: none, for identical output
	h = append(h, "acsp"...)
	h = append(h, make([]byte, 4+4+4+4+8+4)...) // platform, flags, maker, model, attributes, intent
	h = append(append(append(h, s15(0.9642)...), s15(1.0)...), s15(0.8249)...)
	h = append(h, make([]byte, headerLen-len(h))...) // creator, reserved
	return append(append(h, entries...), data...)
}
