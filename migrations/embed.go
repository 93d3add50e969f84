// Package migrations holds the SQL schema migrations, one directory per
// dialect (postgres, sqlite), applied by goose from the embedded files.
package migrations

import "embed"

// FS holds postgres/*.sql and sqlite/*.sql.
//
//go:embed postgres/*.sql sqlite/*.sql
var FS embed.FS
