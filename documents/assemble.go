package documents

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Assemble renders a document: the template runs on the snapshot (user text
// escaped), the Markdown is parsed once, and the format's writer walks the
// tree. The same template version, snapshot and meta give the same bytes.
// Template failures are *TemplateError; a writer's failure names its format.
func Assemble(w io.Writer, t *Template, snapshot map[string]any, meta Meta, f Format) error {
	if _, ok := ParseFormat(string(f)); !ok {
		return fmt.Errorf("unknown document format %q", f)
	}
	src, err := t.ExecuteIn(snapshot, meta.Language)
	if err != nil {
		return err
	}
	// Parsing and writing are bounded too: the Markdown's nesting and
	// markup, the time and the size (see boundedRender).
	return boundedRender(w, src, meta, func(w io.Writer, d *Doc) error {
		switch f {
		case FormatPDF:
			return renderPDF(w, d)
		case FormatDOCX:
			return renderDOCX(w, d)
		case FormatHTML, FormatMD:
			render := renderHTML
			if f == FormatMD {
				render = renderMD
			}
			if err := render(w, d); err != nil {
				return errRender(f, err)
			}
			return nil
		}
		return errRender(f, fmt.Errorf("unknown format"))
	}) // the PDF and DOCX writers name their format themselves
}

// MetaFor derives a document's Meta from a revision snapshot: the title from
// the content, the author from the (owning or host) partner, the language
// from the content (English when it has none, as peer reviews), the project
// acronym, Draft while not approved, the revision's time, and an ID that is
// the SHA-256 of the canonical snapshot, the template version and the
// approval: the same revision and template version give the same ID, and
// the draft and the approved rendering of one revision differ.
func MetaFor(snapshot map[string]any, approved bool, created time.Time, templateVersion string) Meta {
	content := snapObject(snapshot["content"])
	m := Meta{
		Title:          snapString(content["title"]),
		Author:         snapString(snapObject(snapshot["partner"])["name"]),
		Language:       snapString(content["language"]),
		ProjectAcronym: snapString(snapObject(snapshot["project"])["acronym"]),
		Draft:          !approved,
		Created:        created.UTC(),
	}
	// A progress report is about its plan: it takes the plan's title and
	// language.
	progress := snapString(snapshot["kind"]) == KindProgressReport
	if progress {
		m.Language = snapString(snapObject(snapshot["plan"])["language"])
	}
	// A deliverable without a language of its own (a peer review, an
	// event's minutes) speaks the project's default language.
	if m.Language == "" {
		m.Language = snapString(snapObject(snapshot["project"])["language"])
	}
	if m.Language == "" {
		m.Language = "en"
	}
	// Titles of the document's own are in its language, as the built-in
	// templates' first headings.
	if progress {
		m.Title = label(m.Language, "doc.progress.title", "Period", snapString(snapObject(snapshot["report"])["period"]))
		if t := snapString(snapObject(snapshot["plan"])["title"]); t != "" {
			m.Title += " – " + t
		}
	}
	if m.Title == "" {
		switch snapString(snapshot["kind"]) {
		case KindActionPlan:
			m.Title = label(m.Language, "doc.kind.action_plan")
		case KindPeerReview:
			m.Title = label(m.Language, "doc.kind.peer_review")
		case KindGoodPractice:
			m.Title = label(m.Language, "doc.kind.good_practice")
		case KindEventMinutes:
			m.Title = label(m.Language, "doc.kind.event_minutes")
		}
	}
	// encoding/json writes maps with sorted keys and json.Number as it came:
	// canonical bytes for the same snapshot.
	canonical, err := json.Marshal(snapshot)
	if err != nil {
		canonical = fmt.Appendf(nil, "%#v", snapshot) // unreachable for decoded JSON
	}
	h := sha256.New()
	h.Write(canonical)
	fmt.Fprintf(h, "\x00template %s\x00approved %t", templateVersion, approved)
	m.ID = hex.EncodeToString(h.Sum(nil))
	return m
}

func snapObject(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func snapString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case mdText:
		return string(x)
	case json.Number:
		return x.String()
	}
	return ""
}
