// Command boltz trains, samples and measures restricted Boltzmann machines.
//
// Run "boltz help" for the list of commands and "boltz help COMMAND" (or "boltz COMMAND -h")
// for one command's flags. Results go to stdout; progress, warnings and errors to stderr.
// The exit code is 0 on success and for help, 1 for a failure at run time, 2 for a usage
// error and 130 for a command stopped by Ctrl-C.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"

	"github.com/boltzgo/boltz/train"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	go func() {
		// The first Ctrl-C asks the command to stop cleanly; restoring the default
		// behaviour lets a second one end the process at once.
		<-ctx.Done()
		stop()
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// command is one boltz subcommand: its name, usage line, help, flags and action.
type command struct {
	Name  string
	Usage string // the line after "usage: "
	Short string // one line for the command list
	Long  string // paragraphs shown by "boltz help NAME" above the flags
	// Flags registers the command's flags on fs and returns the action that runs it once
	// the flags are parsed; args are the remaining arguments.
	Flags func(fs *flag.FlagSet) func(e *env, args []string) error
}

// env is what a command may touch: its output streams and its context, which is cancelled
// on SIGINT.
type env struct {
	ctx    context.Context
	stdout io.Writer
	stderr io.Writer
	cmd    *command

	maxMemory memoryFlag // -max-memory of the commands that allocate on request (memory.go)
}

// usageError is a mistake in the command line; it exits with code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// interruptedError is a command stopped by Ctrl-C (SIGINT); it exits with code 130, 128 plus
// the signal's number, as shells report a process the signal ended.
type interruptedError struct{ msg string }

func (e *interruptedError) Error() string { return e.msg }

// usagef returns a usage error.
func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// flagError names a flag and the problem with its value, as a usage error:
// "-k: must be at least 1, got 0".
func flagError(name string, format string, args ...any) error {
	return &usageError{"-" + name + ": " + fmt.Sprintf(format, args...)}
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.Name]; dup {
		panic("boltz: duplicate command " + c.Name)
	}
	commands[c.Name] = c
}

func sortedCommands() []*command {
	var cs []*command
	for _, c := range commands {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	return cs
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			c, ok := commands[args[1]]
			if !ok {
				fmt.Fprintf(stderr, "boltz help: unknown command %q\n", args[1])
				return 2
			}
			printCommandHelp(stdout, c)
			return 0
		}
		printUsage(stdout)
		return 0
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "boltz", version)
		return 0
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "boltz: unknown command %q\nRun 'boltz help' for the list of commands.\n", name)
		return 2
	}
	fs := flag.NewFlagSet("boltz "+c.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	action := c.Flags(fs)
	e := &env{ctx: ctx, stdout: stdout, stderr: stderr, cmd: c}
	addMemoryFlag(fs, c.Name, &e.maxMemory)
	positional, err := parseInterspersed(fs, args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printCommandHelp(stdout, c)
			return 0
		}
		fmt.Fprintf(stderr, "boltz %s: %v\nusage: %s\nRun 'boltz help %s' for details.\n", c.Name, err, c.Usage, c.Name)
		return 2
	}
	if err := action(e, positional); err != nil {
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "boltz %s %s\nusage: %s\n", c.Name, ue.msg, c.Usage)
			return 2
		}
		fmt.Fprintf(stderr, "boltz %s: %s\n", c.Name, cliMessage(err))
		var ie *interruptedError
		if errors.As(err, &ie) {
			return 130
		}
		return 1
	}
	return 0
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, "boltz trains, samples and measures restricted Boltzmann machines.\n\nusage: boltz COMMAND [flags]\n\nCommands:\n")
	for _, c := range sortedCommands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.Name, c.Short)
	}
	fmt.Fprint(w, "\nRun 'boltz help COMMAND' for a command's flags.\n")
}

func printCommandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "usage: %s\n\n%s\n", c.Usage, strings.TrimSpace(c.Long))
	fs := flag.NewFlagSet(c.Name, flag.ContinueOnError)
	c.Flags(fs)
	addMemoryFlag(fs, c.Name, new(memoryFlag))
	has := false
	fs.VisitAll(func(*flag.Flag) { has = true })
	if has {
		fmt.Fprint(w, "\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

// noArgs is a check for commands that take flags only.
func noArgs(args []string) error {
	if len(args) > 0 {
		return usagef("takes no arguments, got %q", strings.Join(args, " "))
	}
	return nil
}

// parseInterspersed parses flags anywhere among the arguments ("boltz report DIR -seed 2",
// "boltz experiment bas -seeds 3"), returning the positional arguments in order. A "--"
// ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// cliMessage is err's message in the command line's terms: a setting the library names by
// its Go field (train.ConfigError) is named by its flag.
func cliMessage(err error) string {
	msg := err.Error()
	var ce *train.ConfigError
	if errors.As(err, &ce) {
		msg = strings.Replace(msg, ce.Error(), ce.Flag(), 1)
	}
	return msg
}
