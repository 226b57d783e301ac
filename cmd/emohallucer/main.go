// Command emohallucer measures emotion hallucination in LLMs and multimodal LLMs
// with the EmotionHallucer benchmark design: run a model over a suite of yes/no
// question pairs, score the records, and report.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/suite"
	"github.com/spf13/cobra"
)

// Exit codes, in one table so scripts can rely on them.
const (
	exitOK          = 0
	exitBug         = 1
	exitUsage       = 2
	exitInvalid     = 3 // invalid suite, records or config
	exitThreshold   = 4 // score --fail-under not met
	exitIncomplete  = 5 // the run finished with questions that errored; rerun to retry them
	exitInterrupted = 130
)

// exitError carries an exit code chosen by a command, such as a run that ended
// with failed questions (a rerun resumes it) or an unmet --fail-under.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func main() {
	os.Exit(Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// Main runs the command line with the given arguments and streams, and returns the
// exit code. Tests call it directly; the binary's main only adds os.Exit. The
// first SIGINT/SIGTERM cancels ctx (runs drain what is in flight and save); a
// second one exits at once.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer startProfile(stderr)()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-sigs:
		case <-done:
			return
		}
		fmt.Fprintln(stderr, "\ninterrupted: finishing the requests in flight and saving (press Ctrl-C again to quit at once)")
		cancel()
		select {
		case <-sigs:
			fmt.Fprintln(stderr, "quitting; a rerun of the same command resumes")
			os.Exit(exitInterrupted)
		case <-done:
		}
	}()

	root := newRootCmd(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return exitCode(err, stderr)
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
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err.Error()} })
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newRunCmd(), newScoreCmd(), newReportCmd(), newCompareCmd(), newBuildCmd(), newSuiteCmd(), newWorkerCmd())
	return root
}

// exitCode prints err for the user and maps it to an exit code.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		fmt.Fprintln(stderr, "emohallucer:", ee.err)
		if h := eh.ErrorHint(err); h != "" {
			fmt.Fprintln(stderr, "hint:", h)
		}
		return ee.code
	}
	var probs suite.Problems
	code := exitBug
	switch {
	case errors.As(err, &probs):
		code = exitInvalid
	case isUsage(err):
		code = exitUsage
	default:
		switch eh.ErrorCode(err) {
		case eh.EINVALID, eh.ENOTFOUND:
			code = exitInvalid
		case eh.ECANCELED:
			code = exitInterrupted
		case eh.EAUTH, eh.EPROVIDER, eh.ERATELIMIT, eh.EBUDGET:
			code = exitIncomplete
		}
	}
	if code == exitBug {
		fmt.Fprintf(stderr, "emohallucer: unexpected error (a bug; please report it): %+v\n", err)
	} else {
		fmt.Fprintln(stderr, "emohallucer:", err)
	}
	if h := eh.ErrorHint(err); h != "" {
		fmt.Fprintln(stderr, "hint:", h)
	}
	return code
}

// usageError is a mistake in the command line itself.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

func isUsage(err error) bool {
	var u usageError
	if errors.As(err, &u) {
		return true
	}
	// cobra's argument-count and command errors are not typed.
	msg := err.Error()
	for _, p := range []string{"unknown command", "accepts ", "requires at least", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
