package tokencli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Command is one `watchtower token` subcommand as its command line asks: create, list or
// revoke (Sub), with the token's name and scope. main parses it with Flags, Check and its own
// flag set, then calls Run with the store.
type Command struct {
	Sub   string
	Name  string
	Scope string
}

// summaries are the help of each subcommand.
var summaries = map[string]string{
	"create": "Makes an API token and prints it once on stdout. Only its SHA-256 is stored.",
	"list":   "Lists every API token, revoked ones included. Tokens themselves are never shown.",
	"revoke": "Revokes an API token by name: watchtower token revoke NAME.",
}

// Summary is the help of c.Sub; ok is false when there is no such subcommand.
func (c Command) Summary() (summary string, ok bool) {
	summary, ok = summaries[c.Sub]
	return summary, ok
}

// Flags defines the flags of c.Sub on fs and returns the arguments left for fs to parse:
// revoke takes the token's name first, without --name.
func (c *Command) Flags(fs *flag.FlagSet, args []string) []string {
	switch c.Sub {
	case "create":
		fs.StringVar(&c.Name, "name", "", "token name: who uses it, e.g. erp-sync (letters, digits, . _ -)")
		fs.StringVar(&c.Scope, "scope", "", "read (every GET, /ask), write (also changes) or admin (also any trip, the audit log)")
	case "revoke":
		fs.StringVar(&c.Name, "name", "", "the token's name")
		if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			c.Name, args = args[0], args[1:]
		}
	}
	return args
}

// Check returns a sentence saying what the parsed command line lacks, or nil.
func (c Command) Check() error {
	switch {
	case c.Sub == "create" && c.Name == "":
		return errors.New("token create: --name is required")
	case c.Sub == "create" && !fleet.ValidScope(c.Scope):
		return errors.New("token create: --scope must be read, write or admin")
	case c.Sub == "revoke" && c.Name == "":
		return errors.New("token revoke: give the token's name")
	}
	return nil
}

// Run does what c asks on s, audited as by: the new token goes to stdout alone, what was
// done to stdout (list, revoke) or stderr (create).
func (c Command) Run(ctx context.Context, s Store, stdout, stderr io.Writer, by fleet.Actor) error {
	switch c.Sub {
	case "create":
		return Create(ctx, s, stdout, stderr, c.Name, c.Scope, by)
	case "list":
		return List(ctx, s, stdout)
	case "revoke":
		return Revoke(ctx, s, stdout, c.Name, by)
	}
	return fmt.Errorf("token: unknown subcommand %q", c.Sub)
}
