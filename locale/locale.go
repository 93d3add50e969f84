// Package locale holds the message catalog: every string a person reads on
// the pages, one TOML file per language in catalog/ (go-i18n's format,
// with CLDR plural forms). A language is added by adding its file; the
// catalog test checks it has exactly English's keys and placeholders.
package locale

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed catalog/*.toml
var files embed.FS

// Default is the language of the complete catalog, and the fallback.
const Default = "en"

// Catalog is every language's messages.
type Catalog struct {
	bundle   *i18n.Bundle
	langs    []string
	messages map[string]map[string]*i18n.Message // language → id → message
	matcher  language.Matcher
	tags     []language.Tag
	byLang   map[string]*Localizer
}

// Load gives the embedded catalog. It is read once per process: it never
// changes, a Catalog is only read after it is made, and the pages, the
// mail, the documents and the store all ask for it.
func Load() (*Catalog, error) { return loaded() }

var loaded = sync.OnceValues(func() (*Catalog, error) { return load(files) })

// MustLoad is Load for tests and for code that has loaded the catalog
// once already (it is embedded, so it either always loads or never).
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// LoadFS reads the catalog files of fsys (catalog/<lang>.toml): for tests
// of a language the embedded catalog lacks.
func LoadFS(fsys fs.FS) (*Catalog, error) { return load(fsys) }

func load(fsys fs.FS) (*Catalog, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	names, err := fs.Glob(fsys, "catalog/*.toml")
	if err != nil {
		return nil, err
	}
	c := &Catalog{bundle: b, messages: map[string]map[string]*i18n.Message{}, byLang: map[string]*Localizer{}}
	for _, name := range names {
		buf, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		lang := strings.TrimSuffix(path.Base(name), ".toml")
		// go-i18n reads the language from the file name's last part
		// before the extension.
		mf, err := b.ParseMessageFileBytes(buf, "messages."+lang+".toml")
		if err != nil {
			return nil, fmt.Errorf("locale: %s: %w", name, err)
		}
		m := map[string]*i18n.Message{}
		for _, msg := range mf.Messages {
			m[msg.ID] = msg
		}
		c.messages[lang] = m
		c.langs = append(c.langs, lang)
	}
	if c.messages[Default] == nil {
		return nil, fmt.Errorf("locale: no %s catalog", Default)
	}
	// The default first: the matcher falls back to the first tag.
	sort.Slice(c.langs, func(i, j int) bool {
		if (c.langs[i] == Default) != (c.langs[j] == Default) {
			return c.langs[i] == Default
		}
		return c.langs[i] < c.langs[j]
	})
	for _, l := range c.langs {
		c.tags = append(c.tags, language.Make(l))
		c.byLang[l] = newLocalizer(c, l)
	}
	c.matcher = language.NewMatcher(c.tags)
	return c, nil
}

// Languages lists the catalog's languages, the default first.
func (c *Catalog) Languages() []string { return slices.Clone(c.langs) }

// IDs lists a language's message ids, sorted.
func (c *Catalog) IDs(lang string) []string {
	ids := make([]string, 0, len(c.messages[lang]))
	for id := range c.messages[lang] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

var placeholder = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

// Placeholders lists the names a message uses ({{.Name}}), over all of
// its plural forms, sorted and without repeats.
func (c *Catalog) Placeholders(lang, id string) []string {
	m := c.messages[lang][id]
	if m == nil {
		return nil
	}
	var names []string
	for _, s := range []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other} {
		for _, sub := range placeholder.FindAllStringSubmatch(s, -1) {
			names = append(names, sub[1])
		}
	}
	sort.Strings(names)
	return slices.Compact(names)
}

// Match picks the best language of the catalog for the preferences given,
// best first (a saved setting, then Accept-Language's entries); the
// default when none fits.
func (c *Catalog) Match(prefs ...string) *Localizer {
	var tags []language.Tag
	for _, p := range prefs {
		if p == "" {
			continue
		}
		t, _, err := language.ParseAcceptLanguage(p)
		if err == nil {
			tags = append(tags, t...)
		}
	}
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return c.byLang[Default]
	}
	return c.byLang[c.langs[i]]
}

// Pick chooses a page's or a mail's language: the person's saved setting
// when the catalog has it, else the best fit for the browser's
// Accept-Language, else the project's default, else the default.
func (c *Catalog) Pick(saved, acceptLanguage, projectDefault string) *Localizer {
	if l, ok := c.byLang[saved]; ok {
		return l
	}
	if acceptLanguage != "" {
		if tags, _, err := language.ParseAcceptLanguage(acceptLanguage); err == nil && len(tags) > 0 {
			if _, i, conf := c.matcher.Match(tags...); conf != language.No {
				return c.byLang[c.langs[i]]
			}
		}
	}
	if l, ok := c.byLang[projectDefault]; ok {
		return l
	}
	return c.byLang[Default]
}

// Localizer is one language's view of the catalog.
type Localizer struct {
	lang  string
	plain map[string]string // messages without placeholders or plural forms, ready
	l     *i18n.Localizer
	has   map[string]*i18n.Message
}

func newLocalizer(c *Catalog, lang string) *Localizer {
	l := &Localizer{lang: lang, plain: map[string]string{}, has: c.messages[lang],
		l: i18n.NewLocalizer(c.bundle, lang)}
	for id, m := range c.messages[lang] {
		if !strings.Contains(m.Other, "{{") && m.Zero+m.One+m.Two+m.Few+m.Many == "" {
			l.plain[id] = m.Other
		}
	}
	return l
}

// Lang is the localizer's language tag.
func (l *Localizer) Lang() string { return l.lang }

// Has tells whether the language has a message.
func (l *Localizer) Has(id string) bool { return l.has[id] != nil }

// T renders a message. args are name, value pairs for its placeholders; a
// "Count" picks the plural form. A missing message is an error, so that a
// page with a key the catalog lacks fails in its tests.
func (l *Localizer) T(id string, args ...any) (string, error) {
	if len(args) == 0 {
		if s, ok := l.plain[id]; ok {
			return s, nil
		}
	}
	if len(args)%2 != 0 {
		return "", fmt.Errorf("locale: %s: odd arguments", id)
	}
	data := make(map[string]any, len(args)/2)
	var count any
	for i := 0; i < len(args); i += 2 {
		k, ok := args[i].(string)
		if !ok {
			return "", fmt.Errorf("locale: %s: argument %d is not a name", id, i)
		}
		data[k] = args[i+1]
		if k == "Count" {
			count = args[i+1]
		}
	}
	s, err := l.l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil {
		return "", fmt.Errorf("locale: %s (%s): %w", id, l.lang, err)
	}
	return s, nil
}

// MustT is T for messages that tests have checked; it falls back to the
// id rather than fail a request.
func (l *Localizer) MustT(id string, args ...any) string {
	s, err := l.T(id, args...)
	if err != nil {
		return id
	}
	return s
}
