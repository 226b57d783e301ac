// Command emohallucer measures emotion hallucination in LLMs and multimodal LLMs
// with the EmotionHallucer benchmark design: run a model over a suite of yes/no
// question pairs, score the records, and report.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/rundir"
	"github.com/emohallucer/emohallucer/runner"
	"github.com/spf13/cobra"
)

// Exit codes, in one table so scripts can rely on them (README "Exit codes").
const (
	exitOK          = 0
	exitBug         = 1
	exitUsage       = 2
	exitInvalid     = 3 // invalid suite, records or config; a run folder in use
	exitThreshold   = 4 // score --fail-under not met
	exitIncomplete  = 5 // the run finished with questions that errored; rerun to retry them
	exitIO          = 6 // a path the user gave could not be read or written
	exitInterrupted = runner.ExitInterrupted
)

// exitCodes maps error codes to exit codes; a code not listed is a bug.
var exitCodes = map[string]int{
	eh.EUSAGE:      exitUsage,
	eh.EINVALID:    exitInvalid,
	eh.ENOTFOUND:   exitInvalid,
	eh.EBUSY:       exitInvalid,
	eh.ETHRESHOLD:  exitThreshold,
	eh.EINCOMPLETE: exitIncomplete,
	eh.EAUTH:       exitIncomplete,
	eh.EPROVIDER:   exitIncomplete,
	eh.ERATELIMIT:  exitIncomplete,
	eh.EBUDGET:     exitIncomplete,
	eh.EIO:         exitIO,
	eh.ECANCELED:   exitInterrupted,
}

func main() {
	os.Exit(Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// Main runs the command line with the given arguments and streams, and returns the
// exit code. Tests call it directly; the binary's main only adds os.Exit. The
// first SIGINT/SIGTERM cancels ctx (runs drain what is in flight and save); a
// second one exits at once.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := runner.NotifyInterrupt(ctx, stderr)
	defer stop()
	defer startProfile(stderr)()
	root := newRootCmd(stdin, stdout, stderr)
	root.SetArgs(args)
	return exitCode(root.ExecuteContext(ctx), stderr)
}

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "emohallucer",
		Short: "Measure emotion hallucination in LLMs and multimodal LLMs",
		Long: `emohallucer runs models over suites of yes/no question pairs about emotions
(EmotionHallucer benchmark design), records every answer, and scores and reports
pair accuracy, yes/no bias and their confidence intervals.

A run writes durable records; score and report read records and never call a
model, so everything can be re-scored:

  emohallucer run                                  # three baselines on the builtin suite
  emohallucer run --model openai:gpt-4o-mini --out runs/gpt4omini
  emohallucer score runs/gpt4omini                 # recompute summary.json from records
  emohallucer report runs/* --md report.md`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       rundir.VersionLine(),
	}
	root.SetVersionTemplate("emohallucer {{.Version}}\n")
	root.Flags().BoolP("version", "v", false, "print the version (module version or VCS revision), Go version and platform")
	root.SetFlagErrorFunc(flagError)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newRunCmd(), newScoreCmd(), newReportCmd(), newCompareCmd(), newPolicyCmd(), newBuildCmd(), newSuiteCmd(), newWorkerCmd())
	return root
}

// exitCode prints err for the user and looks its exit code up in exitCodes.
// Every message goes through eh.Redact: a URL's credentials are never printed.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	code, ok := exitCodes[errorCode(err)]
	if ok {
		fmt.Fprintln(stderr, "emohallucer:", eh.Redact(err.Error()))
	} else {
		code = exitBug
		fmt.Fprintln(stderr, "emohallucer: unexpected error (a bug; please report it):", eh.Redact(fmt.Sprintf("%+v", err)))
	}
	if h := eh.ErrorHint(err); h != "" {
		fmt.Fprintln(stderr, "hint:", eh.Redact(h))
	}
	return code
}

// errorCode is err's code; cobra's own argument-count and command errors are
// not typed, so they are recognised by their wording as usage errors.
func errorCode(err error) string {
	code := eh.ErrorCode(err)
	if code == eh.EINTERNAL {
		msg := err.Error()
		for _, p := range []string{"unknown command", "accepts ", "requires at least", "required flag"} {
			if strings.Contains(msg, p) {
				return eh.EUSAGE
			}
		}
	}
	return code
}

// printJSON writes v as indented JSON, what every --json flag prints.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// usagef is a mistake in the command line itself.
func usagef(format string, args ...any) error { return eh.Errorf(eh.EUSAGE, format, args...) }
