// Package app wires Parley together: it reads the command line, builds the services, and runs
// either the desktop window or a headless subcommand.
package app

import (
	"flag"
	"fmt"
	"io"
	"os"
)

// Parley's metadata, as in FyneApp.toml (a test keeps them equal). `fyne package` reads the
// file; a plain `go build` gets it from here.
const (
	ID      = "app.parley.Parley"
	Name    = "Parley"
	Version = "0.1.0"
	Build   = 1
)

// Run runs Parley with the command-line arguments (without the program name) and returns the
// process exit code.
func Run(args []string) int {
	defer profiling()()
	return run(args, os.Stdin, os.Stdout, os.Stderr)
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && isSubcommand(args[0]) {
		return runCLI(args, stdin, stdout, stderr)
	}
	fs := flag.NewFlagSet("parley", flag.ContinueOnError)
	fs.SetOutput(stderr)
	version := fs.Bool("version", false, "print the version and exit")
	quick := fs.Bool("quick", false, "open Quick Ask (in the running Parley, if there is one)")
	fs.Usage = func() { usage(stderr) }
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *version {
		fmt.Fprintln(stdout, "parley", Version)
		return 0
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "parley: unknown command %q\n", fs.Arg(0))
		usage(stderr)
		return 2
	}
	return runGUI(*quick)
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Parley: a native desktop client for the OpenAI API.

Usage:
  parley                        open the window (or bring the running one forward)
  parley --quick                open Quick Ask
  parley ask [PROMPT...]        ask one question, stream the answer (parley ask -h)
  parley models                 list the endpoint's chat models
  parley tokens [FILE]          count tokens (--chat for a chat request)
  parley key set|show|test|delete|list|rotate
                                the API key (--admin: the admin key), kept in the OS keychain;
                                the project's keys, and rotating one (with the admin key)
  parley usage                  spend and tokens: the account's (admin key) or this app's
  parley history list|search|export|import
                                the conversation history (answers left running in the
                                background are fetched first)
  parley batch submit|status|list|cancel|fetch
                                many questions at once, at half price within 24 hours
  parley --version              print the version

The environment variables OPENAI_API_KEY, OPENAI_BASE_URL and OPENAI_ORG_ID override the
current profile; HTTPS_PROXY is honoured.
`)
}
