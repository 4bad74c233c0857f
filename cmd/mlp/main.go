// Command mlp trains, evaluates, inspects and serves mlp pipelines from the
// shell: a CSV file in, a model file out, predictions as CSV or over HTTP.
//
// Install it with
//
//	go install github.com/mlpkit/mlp/cmd/mlp@latest
//
// Usage:
//
//	mlp train   -data FILE.csv -target COLUMN [-target COLUMN2 ...] [flags] -o MODEL
//	mlp cv      -data FILE.csv -target COLUMN [train's model flags] [-k 5] [-scoring NAME]
//	mlp grid    -spec GRID.json -data FILE.csv [-scoring NAME] [-o MODEL]
//	mlp grid    -spec GRID.json -data FILE.csv -results DIR     (one job: -index N, JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID)
//	mlp grid    -spec GRID.json -data FILE.csv -gather DIR [-o MODEL]
//	mlp eval    -model MODEL -data FILE.csv [-na 'NA,?']
//	mlp predict -model MODEL -data FILE.csv [-na 'NA,?'] [-proba]
//	mlp inspect -model MODEL [-json]
//	mlp version
//	mlp serve   -model MODEL [-addr 127.0.0.1:8080]
//
// "mlp help COMMAND" or "mlp COMMAND -h" lists a command's flags. A -data of
// "-" reads standard input. Every command reads the missing-value markers
// the model was trained with (train's -na) besides those of its own -na.
//
// # Files
//
// An -o file is written whole or not at all, through a temporary file
// beside it renamed at the end, and is checked before any work: an -o that
// is an input file (also through a link) is refused, as are a directory, a
// named pipe and a device; a symbolic link is written through to the file
// it names; an existing file keeps its permissions (a new one gets 0644);
// and a directory that cannot be written, or a name too long for the
// temporary file, fails at once. eval and predict stream their input, and
// train validates in chunks, so a file of any length under the CSV
// reader's limits is scored.
//
// When the first column of train's header has no name and holds the row
// numbers 1..n (R's write.csv) or 0..n-1 (pandas' to_csv), it is left out
// with a note on standard error.
//
// # Output
//
// train prints an epoch log (with a progress line for long epochs, giving
// the rate in rows/s and the time left at most, when standard output is a
// terminal), the epoch count the -val rows chose by their lowest val_loss
// (docs/defaults.md), the validation report, and ends with one line, each
// number with four decimals:
//
//	final val_loss=<loss> val_accuracy=<accuracy>            (classification)
//	final val_loss=<mse> val_rmse=<rmse> val_r2=<r2>          (regression)
//
// where the loss and RMSE are in the target's units (with several targets,
// RMSE pooled over all of them and R² averaged). With -val 0 it ends with
// "final loss=... epochs=N" (the training loss), and with -json it prints
// one JSON object instead of all of this. A run that stops at -epochs
// while the loss still improves writes a warning on standard error; an
// early stop is said on standard output. The model file records how the
// model was made, which inspect shows. eval prints the report and
// ends with "final loss=... accuracy=..." or "final loss=... rmse=... r2=...".
// predict writes CSV to standard output, one row per input row in input
// order: a "prediction" column, or for a regressor of several outputs one
// column per output, "prediction_<target>" after the model's target names
// ("prediction_<k>", k from 0, for a model without them), and with -proba
// (classifiers only) one "p_<class>" column per class; numbers are
// written with strconv.FormatFloat(v, 'g', -1, 64). serve answers POST
// /predict, GET /healthz and GET /metadata as package mlpserve documents.
//
// # Exit status
//
// 0 on success (for serve, after SIGINT or SIGTERM, once the requests in
// flight are answered); 1 for bad data or a failed run, with a one-line
// message on standard error; 2 for bad flags or arguments.
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
	"syscall"

	"github.com/mlpkit/mlp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, terminal: isTerminal(os.Stdout)})
	stop()
	os.Exit(code)
}

// env is what a command reads and writes besides its flags.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// terminal reports whether stdout is a terminal, for progress lines.
	terminal bool
}

// command is one subcommand. Its setup registers its flags on fs and
// returns the function that runs it once the flags are parsed.
type command struct {
	name    string
	args    string // synopsis of the flags, after the name
	summary string // one line, for the command list
	setup   func(fs *flag.FlagSet) func(ctx context.Context, e *env) error
}

// commands are the subcommands by name. A new one, such as export or
// import, is one file holding its command and one entry here.
var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

// usageError is an error in the flags or arguments: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// run runs the command line args (without the program name) and returns
// the exit status.
func run(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 {
		printUsage(e.stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				fs := newFlagSet(c, e)
				c.setup(fs)
				fs.SetOutput(e.stdout)
				fs.Usage()
				return 0
			}
			fmt.Fprintf(e.stderr, "mlp: unknown command %q\n", args[1])
			printUsage(e.stderr)
			return 2
		}
		printUsage(e.stdout)
		return 0
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(e.stderr, "mlp: unknown command %q\n", name)
		printUsage(e.stderr)
		return 2
	}
	fs := newFlagSet(c, e)
	runCmd := c.setup(fs)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2 // fs.Parse has printed the error and the usage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "mlp %s: unexpected argument %q\n", name, fs.Arg(0))
		fs.Usage()
		return 2
	}
	err := runCmd(ctx, e)
	if err == nil {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(e.stderr, "mlp %s: %s\n", name, ue.msg)
		fs.Usage()
		return 2
	}
	msg := err.Error()
	if errors.Is(err, mlp.ErrData) || errors.Is(err, mlp.ErrSetting) || errors.Is(err, mlp.ErrTooLarge) {
		msg = flagTerms(msg)
	}
	fmt.Fprintf(e.stderr, "mlp %s: %s\n", name, oneLine(msg))
	return 1
}

// libraryTerms are the names of library settings in the library's
// messages, and the flags of the command that set them.
var libraryTerms = strings.NewReplacer(
	"add it to CSVReader.NA", "add it to -na",
	"set DetectNA to false", "use -detect-na=false",
	"CSVReader.DetectNA", "-detect-na",
	"name it in CSVReader.Categorical", "name it in -categorical",
	"add it to CSVReader.Ignore", "add it to -ignore",
	"CSVReader.Categorical entry", "-categorical entry",
	"CSVReader.Ignore entry", "-ignore entry",
	"set CSVReader.Comma to", "set -sep to",
	"set CSVReader.Task to Regression", "use -task regress",
	"set the task to Regression", "use -task regress",
	"set the task to Classification", "use -task classify",
	"use a smaller BatchSize", "use a smaller -batch",
	"EarlyStoppingMonitor val_", "-monitor val_",
	"CSVReader: column", "column",
	"CSVReader: target column", "-target: column",
	"CSVReader: ", "",
	"Limits.MaxCategories = ", "",
	"Limits.MaxBytes = ", "",
	"Limits.MaxLineBytes = ", "",
	"Limits.MaxFields = ", "",
	"Limits.MaxFieldBytes = ", "",
)

// flagTerms rewrites a message of the library in the command's terms: the
// flags in place of the settings they set (-na for CSVReader.NA, -task
// regress for "set the task to Regression", ...).
func flagTerms(msg string) string { return libraryTerms.Replace(msg) }

func newFlagSet(c *command, e *env) *flag.FlagSet {
	fs := flag.NewFlagSet("mlp "+c.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: mlp %s %s\n%s\nflags:\n", c.name, c.args, c.summary)
		fs.PrintDefaults()
	}
	return fs
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: mlp COMMAND [flags]")
	fmt.Fprintln(w, "commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, `"mlp help COMMAND" lists the flags of a command.`)
}

// oneLine joins the lines of msg with "; " so that an error is one line.
func oneLine(msg string) string {
	lines := strings.FieldsFunc(msg, func(r rune) bool { return r == '\n' || r == '\r' })
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, "; ")
}

// isTerminal reports whether f is a character device, as a terminal is.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
