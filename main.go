// Command watchtower runs Watch Tower, the Slack-first fleet bot for a container-trucking fleet
// in Lagos: the LocoNav webhook listener and its consumers, the Slack app, the scheduled jobs,
// and the tools around them (migrate, seed, demo, simulate, run-job).
//
// main owns the wiring and nothing else. It reads the environment into envcfg.Config (the only
// package that calls os.Getenv) and parses each subcommand's flags (commands.go, demo.go); it
// builds the parts top to bottom (wire.go: the shared parts once, then each feature, inputs
// first) and runs them (serve.go). The bodies of its subcommands live in the packages that own
// them (bot/console, bot/api/tokencli, ingest/sim, store/seed, schedule). It may import every
// package, and holds the compile-time checks that the store, the streams and the scheduler
// satisfy the consumers' interfaces (checks.go). Every long-running part exposes Run(ctx) and
// is started under one errgroup; on SIGINT or SIGTERM inputs stop first, consumers finish the
// entry in hand, and the pools close last.
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
	"syscall"

	_ "time/tzdata" // the business zone must load on machines without tzdata

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest/envcfg"
	"github.com/watchtower-ops/watchtower/schedule"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// command is one subcommand of the binary (commands.go).
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
	var ue *envcfg.UsageError
	var ce *envcfg.Error
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
	return envcfg.Usagef("unknown command %q", name)
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: watchtower <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nConfiguration comes from the environment; see .env.example. Run 'watchtower <command> --help' for flags.")
}

// loadConfig reads the configuration through getenv, SCHEDULE_<JOB> of every scheduled job
// included.
func loadConfig(getenv func(string) string) (envcfg.Config, error) {
	return envcfg.Load(getenv, schedule.Names(), func(spec string) error {
		_, err := schedule.ParseSpec(spec)
		return err
	})
}
