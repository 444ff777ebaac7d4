// Command watchtower runs Watch Tower, the Slack-first fleet bot for a container-trucking fleet
// in Lagos: the LocoNav webhook listener and its consumers, the Slack app, the scheduled jobs,
// and the tools around them (migrate, seed, demo, simulate, run-job).
//
// main owns the wiring: it parses flags and the environment (the only package that reads it),
// builds the components and runs them; the bodies of its subcommands live in the packages
// (bot/console, bot/api/tokencli, ingest/sim, store/seed). It may import every package, and
// holds the compile-time checks that the store, the streams and the scheduler satisfy the
// consumers' interfaces. Every long-running part exposes Run(ctx) and is started under one
// errgroup; on SIGINT or SIGTERM inputs stop first, consumers finish the entry in hand, and the
// pools close last.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	_ "time/tzdata" // the business zone must load on machines without tzdata

	"github.com/watchtower-ops/watchtower/fleet"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// command is one subcommand of the binary.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *environment, args []string) error
}

// environment is what a subcommand gets from the process: the environment reader and the
// standard streams. Tests fill it with a map-backed getenv and buffers.
type environment struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// usageError is bad usage of the command line; main exits 2 with its message.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// failedError is a failure already explained to the user (exit 1), e.g. a job run that failed
// after its outcome was printed.
type failedError struct{ msg string }

func (e *failedError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &environment{getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
	err := run(ctx, env, os.Args[1:])
	stop()
	os.Exit(exitCode(env.stderr, err))
}

// exitCode prints err in one line and maps it to the process exit code: 0 on success, 2 on bad
// usage or bad configuration, 1 otherwise.
//
// Bad usage, bad configuration and domain errors (a plate not found, a bad sheet) print their
// sentence. Anything else prints a short sentence with a reference ID, and a log line with the
// detail and the same reference, so no internal text is mistaken for the answer.
func exitCode(stderr io.Writer, err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ue *usageError
	var ce *configError
	switch {
	case errors.As(err, &ue) || errors.As(err, &ce):
		fmt.Fprintln(stderr, "watchtower:", err)
		return 2
	case errors.As(err, new(*failedError)):
		fmt.Fprintln(stderr, "watchtower:", err)
		return 1
	case fleet.ErrorCode(err) != fleet.EINTERNAL && fleet.ErrorCode(err) != fleet.EUNAVAILABLE:
		fmt.Fprintln(stderr, "watchtower:", fleet.ErrorMessage(err)) // the sentence, not the call chain
		return 1
	}
	ref := fleet.NewRef()
	slog.New(slog.NewTextHandler(stderr, nil)).Error("command failed", "err", err, "ref", ref)
	what := "that did not work"
	if fleet.ErrorCode(err) == fleet.EUNAVAILABLE {
		what = fleet.ErrorMessage(err)
	}
	fmt.Fprintf(stderr, "watchtower: %s (reference %s); the line above has the detail. "+
		"Check that Postgres and Redis are reachable and try again.\n", what, ref)
	return 1
}

func commands() []command {
	cmds := []command{
		{"serve", "run the webhook listener, consumers, Slack app and scheduler (default)", cmdServe},
		{"migrate", "apply database migrations and exit", cmdMigrate},
		{"seed", "load the demo fleet (sites, trucks, drivers) idempotently", cmdSeed},
		{"demo", "run the local try-out: a simulated fleet and a console chat, no Slack or OpenAI needed", cmdDemo},
		{"simulate", "post signed LocoNav webhooks for a simulated fleet and report rate and latency", cmdSimulate},
		{"run-job", "run one scheduled job now", cmdRunJob},
		{"token", "create, list or revoke API tokens", cmdToken},
		{"version", "print the version", cmdVersion},
		{"healthcheck", "exit 0 when the local listener answers /healthz (or /readyz with --ready)", cmdHealthcheck},
	}
	sort.SliceStable(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	return cmds
}

// run dispatches args to a subcommand; with no arguments it serves.
func run(ctx context.Context, env *environment, args []string) error {
	name := "serve"
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" || name == "-help" {
		printUsage(env.stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, env, args)
		}
	}
	printUsage(env.stderr)
	return &usageError{msg: fmt.Sprintf("unknown command %q", name)}
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: watchtower <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nConfiguration comes from the environment; see .env.example. Run 'watchtower <command> --help' for flags.")
}

// newFlagSet returns a flag set for a subcommand whose errors are returned, not exited on, and
// whose --help prints the summary and flags.
func newFlagSet(env *environment, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.stderr, "Usage: watchtower %s\n\n%s\n", name, strings.TrimSpace(usage))
		if hasFlags(fs) {
			fmt.Fprintln(env.stderr, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// parseFlags parses args, turning a flag error into a usageError (exit 2) and --help into
// flag.ErrHelp (exit 0).
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{msg: err.Error()}
	}
	if fs.NArg() > 0 {
		return &usageError{msg: fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}

func cmdVersion(_ context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "version", "Prints the version of this binary.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, "watchtower", version)
	return nil
}
