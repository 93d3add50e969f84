// Package templates holds the built-in document templates as files,
// embedded into the binary. It has no logic.
package templates

import "embed"

// FS holds the built-in templates.
//
//go:embed *.tmpl
var FS embed.FS
