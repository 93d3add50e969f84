package web

import (
	"html/template"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/craftscode/craftscode/locale"
)

// conflictField is one field that someone else changed meanwhile: the
// value now saved, what the person typed and has not saved, and the words
// that differ.
type conflictField struct {
	Name, Label   string
	Anchor        string
	Saved, Yours  string
	Diff          template.HTML
	SavedN, YourN int // lines, for the size of the boxes
}

// fieldKeys are the catalog's words for each field of the forms; an
// action's and a recommendation's fields are under their own prefix.
var fieldKeys = map[string]string{
	"carry_over":                          "transition.carry.field",
	"title":                               "edit.field.title",
	"language":                            "edit.field.language",
	"time_zone":                           "settings.time_zone",
	"summary_en":                          "edit.field.summary_en",
	"other_organisations":                 "edit.field.other_organisations",
	"contact_name":                        "edit.field.contact_name",
	"contact_email":                       "edit.field.contact_email",
	"policy_instrument_id":                "edit.field.policy_instrument_id",
	"policy_context":                      "edit.field.policy_context",
	"host_partner_id":                     "edit.field.host_partner_id",
	"peer_partner_ids":                    "edit.field.peer_partner_ids",
	"visit_start":                         "edit.field.visit_start",
	"visit_end":                           "edit.field.visit_end",
	"findings":                            "edit.field.findings",
	"actions":                             "edit.plan.part3",
	"recommendations":                     "edit.review.recommendations",
	"action.title":                        "edit.action.title",
	"action.background.text":              "edit.action.background",
	"action.background.recommendation_id": "edit.action.recommendation_id",
	"action.background.good_practice_ids": "edit.action.good_practices",
	"action.background.event_ids":         "edit.action.events",
	"action.description":                  "edit.action.description",
	"action.players":                      "edit.action.players",
	"action.timeframe_start":              "edit.action.timeframe_start",
	"action.timeframe_end":                "edit.action.timeframe_end",
	"action.costs":                        "edit.action.costs",
	"action.funding_sources":              "edit.action.funding_sources",
	"recommendation.title":                "edit.rec.title",
	"recommendation.body":                 "edit.rec.body",
}

var itemField = regexp.MustCompile(`^(actions|recommendations)\[(\d+)\]\.(.+)$`)

// fieldLabel is a field's name in words: "Action 2 · Players".
func fieldLabel(c *locale.Localizer, name string) string {
	if m := itemField.FindStringSubmatch(name); m != nil {
		n, _ := strconv.Atoi(m[2])
		if m[1] == "actions" {
			if k, ok := fieldKeys["action."+m[3]]; ok {
				return c.MustT("edit.conflict.in_action", "Number", n+1, "Field", c.MustT(k))
			}
		} else if k, ok := fieldKeys["recommendation."+m[3]]; ok {
			return c.MustT("edit.conflict.in_recommendation", "Number", n+1, "Field", c.MustT(k))
		}
		return name
	}
	if k, ok := fieldKeys[name]; ok {
		return c.MustT(k)
	}
	return name
}

// formOnly are the form's fields that are no content.
func formOnly(name string) bool {
	switch name {
	case csrfField, "version", "check", "to":
		return true
	}
	return strings.HasSuffix(name, ".remove") || strings.HasSuffix(name, ".id")
}

// conflicts lists the fields whose saved value differs from what was
// typed, in the order of the form. names turns ids into what the form
// showed for them.
func changedFields(c *call, saved, yours url.Values, names map[string]string) []conflictField {
	keys := map[string]bool{}
	for k := range saved {
		keys[k] = true
	}
	for k := range yours {
		keys[k] = true
	}
	var order []string
	for k := range keys {
		if !formOnly(k) {
			order = append(order, k)
		}
	}
	slices.SortFunc(order, compareFields)
	show := func(vs []string) string {
		out := make([]string, 0, len(vs))
		for _, v := range vs {
			if n, ok := names[v]; ok {
				v = n
			}
			out = append(out, v)
		}
		slices.Sort(out)
		return strings.Join(out, "\n")
	}
	var out []conflictField
	for _, k := range order {
		a, b := show(saved[k]), show(yours[k])
		if strings.TrimSpace(a) == strings.TrimSpace(b) {
			continue
		}
		name := strings.TrimSuffix(k, "[]") // check boxes
		out = append(out, conflictField{Name: name, Label: fieldLabel(c.loc, name), Anchor: domainFieldID(name), Saved: a, Yours: b,
			Diff: wordDiff(a, b), SavedN: boxLines(a), YourN: boxLines(b)})
	}
	return out
}

func boxLines(s string) int { return min(12, max(2, strings.Count(s, "\n")+2)) }

// compareFields orders fields as the form shows them: the plan's own
// first, then each action or recommendation by number.
func compareFields(a, b string) int {
	ma, mb := itemField.FindStringSubmatch(a), itemField.FindStringSubmatch(b)
	switch {
	case ma == nil && mb == nil:
		return strings.Compare(a, b)
	case ma == nil:
		return -1
	case mb == nil:
		return 1
	}
	na, _ := strconv.Atoi(ma[2])
	nb, _ := strconv.Atoi(mb[2])
	if ma[1] != mb[1] {
		return strings.Compare(ma[1], mb[1])
	}
	if na != nb {
		return na - nb
	}
	return strings.Compare(ma[3], mb[3])
}

var wordToken = regexp.MustCompile(`\s+|[^\s]+`)

// wordDiff shows, word by word, what the person's text removes from the
// saved one (<del>) and adds to it (<ins>). Each word becomes one rune
// for the diff, as diffmatchpatch does with lines.
func wordDiff(saved, yours string) template.HTML {
	index := map[string]rune{}
	var words []string
	encode := func(s string) []rune {
		var rs []rune
		for _, w := range wordToken.FindAllString(s, -1) {
			r, ok := index[w]
			if !ok {
				r = rune(0xE000 + len(words)) // the private use area, then beyond
				if r >= 0xF900 {
					r = rune(0x10000 + len(words))
				}
				index[w] = r
				words = append(words, w)
			}
			rs = append(rs, r)
		}
		return rs
	}
	a, b := encode(saved), encode(yours)
	decode := func(s string) string {
		var sb strings.Builder
		for _, r := range s {
			i := int(r) - 0xE000
			if r >= 0x10000 {
				i = int(r) - 0x10000
			}
			if i >= 0 && i < len(words) {
				sb.WriteString(words[i])
			}
		}
		return sb.String()
	}
	dmp := diffmatchpatch.New()
	var sb strings.Builder
	for _, d := range dmp.DiffCleanupSemantic(dmp.DiffMainRunes(a, b, false)) {
		text := template.HTMLEscapeString(decode(d.Text))
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			sb.WriteString("<del>" + text + "</del>")
		case diffmatchpatch.DiffInsert:
			sb.WriteString("<ins>" + text + "</ins>")
		default:
			sb.WriteString(text)
		}
	}
	return template.HTML(sb.String())
}
