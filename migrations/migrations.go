// Package migrations holds Watch Tower's Postgres schema as numbered goose SQL files, embedded
// so the binary migrates without reading the file system. store.Migrate applies them.
//
// It imports no Watch Tower package.
package migrations

import "embed"

// FS holds every migration (NNNNN_name.sql, goose annotations) at its root.
//
//go:embed *.sql
var FS embed.FS
