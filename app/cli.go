package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// Exit codes of the command line.
const (
	exitOK       = 0
	exitFailure  = 1 // the API or the network failed
	exitUsage    = 2 // the command was used wrongly
	exitCanceled = 130
)

// cli is one run of a headless subcommand.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	svc            *services
}

// subcommands are the headless commands, by name.
var subcommands = map[string]func(c *cli, args []string) int{
	"ask":     (*cli).ask,
	"tokens":  (*cli).tokens,
	"models":  (*cli).models,
	"key":     (*cli).key,
	"history": (*cli).history,
	"batch":   (*cli).batch,
	"usage":   (*cli).usage,
}

func isSubcommand(name string) bool {
	_, ok := subcommands[name]
	return ok
}

func runCLI(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr}
	svc, warnings, err := openServices()
	if err != nil {
		return c.fail(exitFailure, err)
	}
	for _, w := range warnings {
		fmt.Fprintln(stderr, "parley:", w)
	}
	c.svc = svc
	defer svc.close()
	if args[0] != "key" {
		c.rotationNotice()
	}
	return subcommands[args[0]](c, args[1:])
}

// fail prints one plain line on standard error and returns the exit code.
func (c *cli) fail(code int, err error) int {
	msg := plain(err)
	if f, ok := c.stderr.(*os.File); ok && isTerminal(f) {
		msg = (&terminalFilter{}).Write(msg) // a server's message is not the terminal's to obey
	}
	fmt.Fprintln(c.stderr, "parley:", msg)
	return code
}

// plain puts an error in the words a user needs: what happened and what to do about it.
func plain(err error) string {
	var cli interface{ CommandLineMessage() string }
	if errors.As(err, &cli) {
		return cli.CommandLineMessage()
	}
	var u interface{ UserMessage() string }
	if errors.As(err, &u) {
		return u.UserMessage()
	}
	return err.Error()
}

// flags makes a flag set for a subcommand that reports its own usage.
func (c *cli) flags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("parley "+name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprintf(c.stderr, "Usage: parley %s %s\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags; it returns -1 to go on, or the exit code to stop with.
func parse(fs *flag.FlagSet, args []string) int {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	return -1
}

// parseAnywhere parses flags that may also come after the other arguments
// ("history export 3 -o file.md"); "--" ends them.
func parseAnywhere(fs *flag.FlagSet, args []string) int {
	var positional []string
	for {
		if code := parse(fs, args); code >= 0 {
			return code
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		positional, args = append(positional, rest[0]), rest[1:]
	}
	fs.Parse(append([]string{"--"}, positional...))
	return -1
}

// isTerminal tells whether a reader or writer is an interactive terminal.
func isTerminal(r any) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
