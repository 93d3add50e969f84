// Package templates holds the built-in document templates as files,
// embedded into the binary. It has no logic.
//
// Each NAME.md.tmpl is a text/template that produces Markdown from a
// revision snapshot; NAME is the template's name and starts with the kind of
// deliverable it renders (action_plan, peer_review), or with neither for a
// template of any kind (comment_response_matrix). Each NAME.inc.tmpl holds
// shared {{define}} blocks appended to every built-in. README.md describes
// what a template can use.
package templates

import "embed"

// FS holds the built-in templates.
//
//go:embed *.md.tmpl *.inc.tmpl
var FS embed.FS
