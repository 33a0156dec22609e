// Command minsheng indexes and searches representatives' suggestions and
// news, and serves the JSON API and the staff web UI.
//
//	minsheng index   --data DIR --source PATH [--source PATH ...]
//	minsheng search  --data DIR [--json] [--size N] QUERY
//	minsheng serve   --data DIR --addr HOST:PORT
//	minsheng export  --data DIR [--q QUERY] [filters] -o FILE.xlsx
//	minsheng topics  list | explain ID
//	minsheng version
//
// Run a subcommand with -h for its flags; README.md lists every setting.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // cron schedules in Asia/Shanghai on hosts without a zone database

	"golang.org/x/term"
)

// command is one subcommand: what it does, in a line, and how it runs.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout io.Writer) error
}

// commands lists every subcommand in the order usage prints them.
var commands = []command{
	{"index", "build a new index generation from source files or folders", runIndex},
	{"search", "search the current generation from the terminal", runSearch},
	{"serve", "serve the JSON API and the staff web UI", runServe},
	{"export", "write search results or a report as an Excel workbook", runExport},
	{"topics", "list the topic taxonomy, explain a document's topics", runTopics},
	{"version", "print the version, VCS revision, dictionary and taxonomy hashes", runVersion},
}

// usage prints every subcommand.
func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: minsheng COMMAND [flags]   (minsheng COMMAND -h for its flags)")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		stop()
		if errors.Is(err, flag.ErrHelp) { // COMMAND -h: the flags are printed, as asked
			os.Exit(0)
		}
		if !errors.Is(err, errReported) {
			fmt.Fprintln(os.Stderr, "minsheng:", err)
		}
		os.Exit(2)
	}
}

// isHelp tells whether a subcommand's argument asks for its usage, as
// -h does of a flag set: every subcommand answers it with exit status 0.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) > 0 {
		switch {
		case isHelp(args[0]):
			usage(stdout)
			return nil
		case args[0] == buildJobCommand: // serve's, not listed
			if len(args) == 2 && isHelp(args[1]) { // -h of every subcommand exits 0, this one's too
				fmt.Fprintf(stdout, "usage: %s is run by serve for a reindex job, with its request on stdin; to build an index use minsheng index\n", buildJobCommand)
				return nil
			}
			if len(args) > 1 || term.IsTerminal(int(os.Stdin.Fd())) {
				return fmt.Errorf("%s is run by serve for a reindex job, with its request on stdin: use minsheng index", buildJobCommand)
			}
			return runBuildJob(ctx, os.Stdin, stdout)
		}
		for _, c := range commands {
			if c.name == args[0] {
				return c.run(ctx, args[1:], stdout)
			}
		}
	}
	usage(os.Stderr)
	if len(args) == 0 {
		return errors.New("no command")
	}
	return fmt.Errorf("unknown command %q", args[0])
}
