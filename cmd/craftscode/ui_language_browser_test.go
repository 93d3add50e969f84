package main

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/locale"
)

// englishWords finds, on a page in another language, what the English
// catalog says where that language says something else: a message left
// untranslated, or a string a page writes without the catalog. Content
// carries its own lang and is not looked at; nor are words a language
// shares with English ("Partner", "PDF").
type englishWords struct {
	lang   string
	whole  map[string]string // a message without placeholders → its id
	pieces map[string]string // a long literal piece of a message with placeholders → its id
	months *regexp.Regexp    // English month names
}

// newEnglishWords is nil for English itself.
func newEnglishWords(cat *locale.Catalog, lang string) *englishWords {
	if lang == locale.Default {
		return nil
	}
	en, tr := cat.Match(locale.Default), cat.Match(lang)
	w := &englishWords{lang: lang, whole: map[string]string{}, pieces: map[string]string{}}
	for _, id := range cat.IDs(locale.Default) {
		if strings.HasPrefix(id, "doc.") || strings.HasPrefix(id, "mail.") || strings.HasPrefix(id, "dates.") {
			continue // documents, mail and the months are checked where they are made
		}
		names := cat.Placeholders(locale.Default, id)
		if len(names) == 0 {
			e, t := en.MustT(id), tr.MustT(id)
			if e != t && len([]rune(e)) >= 3 {
				w.whole[e] = id
			}
			continue
		}
		args := []any{}
		for _, n := range names {
			if n == "Count" {
				args = append(args, n, 5)
			} else {
				args = append(args, n, "\x00")
			}
		}
		e, t := en.MustT(id, args...), tr.MustT(id, args...)
		for _, piece := range strings.FieldsFunc(e, func(r rune) bool { return r == 0 || r == '5' }) {
			piece = strings.TrimSpace(piece)
			if len([]rune(piece)) >= 12 && !strings.Contains(t, piece) {
				w.pieces[piece] = id
			}
		}
	}
	// A word the language uses itself, for another message ("Status" in
	// Dutch, "Date" in Italian), is its own.
	for _, id := range cat.IDs(lang) {
		if len(cat.Placeholders(lang, id)) == 0 {
			delete(w.whole, tr.MustT(id))
		}
	}
	months := strings.Fields(en.MustT("dates.months"))
	w.months = regexp.MustCompile(`\b(` + strings.Join(months, "|") + `)\b`)
	return w
}

// pageTexts are the page's words as a person meets them: text, labels
// and titles, without what carries a language other than the page's.
const pageTexts = `(() => {
  const page = document.documentElement.lang;
  const out = [document.title];
  const walk = (n) => {
    if (n.nodeType === 3) {
      const v = n.nodeValue.replace(/\s+/g, " ").trim();
      if (v) out.push(v);
      return;
    }
    if (n.nodeType !== 1) return;
    const l = n.getAttribute("lang");
    if ((l && l !== page) || n.tagName === "SCRIPT" || n.tagName === "STYLE") return;
    for (const a of ["aria-label", "title", "placeholder", "alt"]) {
      const v = n.getAttribute(a);
      if (v) out.push(v.trim());
    }
    if (n.tagName === "INPUT" && (n.type === "submit" || n.type === "button") && n.value) out.push(n.value.trim());
    for (const c of n.childNodes) walk(c);
  };
  walk(document.body);
  return [page].concat(out);
})()`

// on gives the problems of the page the tab shows.
func (w *englishWords) on(t *testing.T, ctx context.Context) []string {
	t.Helper()
	texts, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](pageTexts))
	require.NoError(t, err)
	var problems []string
	if texts[0] != w.lang {
		problems = append(problems, fmt.Sprintf("<html lang=%q>, not %q", texts[0], w.lang))
	}
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			problems = append(problems, p)
		}
	}
	for _, s := range texts[1:] {
		if id, ok := w.whole[s]; ok {
			add(fmt.Sprintf("English on a %s page: %q (%s)", w.lang, s, id))
		}
		for piece, id := range w.pieces {
			if strings.Contains(s, piece) {
				add(fmt.Sprintf("English on a %s page: %q in %q (%s)", w.lang, piece, s, id))
			}
		}
		if m := w.months.FindString(s); m != "" {
			add(fmt.Sprintf("an English month on a %s page: %q in %q", w.lang, m, s))
		}
	}
	sort.Strings(problems)
	return problems
}
