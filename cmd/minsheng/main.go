// Command minsheng indexes and searches representatives' suggestions and
// news, and serves the JSON API and the staff web UI.
//
//	minsheng index  --data DIR --source PATH [--source PATH ...]
//	minsheng search --data DIR [--json] [--size N] QUERY
//	minsheng serve  --data DIR --addr HOST:PORT
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
)

var commands = map[string]func(ctx context.Context, args []string, stdout io.Writer) error{
	"index":  runIndex,
	"search": runSearch,
	"serve":  runServe,
	"export": runExport,
	"topics": runTopics,
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "minsheng:", err)
		}
		stop()
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || commands[args[0]] == nil {
		fmt.Fprintln(os.Stderr, "usage: minsheng index|search|serve [flags]  (minsheng COMMAND -h for its flags)")
		if len(args) == 0 {
			return errors.New("no command")
		}
		return fmt.Errorf("unknown command %q", args[0])
	}
	return commands[args[0]](ctx, args[1:], stdout)
}
