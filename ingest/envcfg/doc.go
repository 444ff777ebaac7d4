// Package envcfg is the machinery of a process's command line and environment: it fills a
// struct whose fields are tagged with the variables they are read from (`env`, parsed by
// caarlos0/env), checks each field against the rule its `check` tag names, shows the struct in
// a log line with its secrets hidden (`log` tag), and gives subcommands flag sets whose errors
// are returned, not exited on. It names no variable: main declares them in its config struct.
//
// A missing or malformed variable is an *Error naming it; bad usage of the command line is a
// *UsageError. main exits 2 on either.
//
// It lives under ingest/, next to ingest/server (the listeners), because the top level is
// fixed; it imports fleet only (the parsers of list variables and their safe messages) and
// never reads the environment itself: main hands it os.Getenv, tests a map.
package envcfg
