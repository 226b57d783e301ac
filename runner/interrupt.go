package runner

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// ExitInterrupted is the exit code of a process stopped by a second Ctrl-C.
const ExitInterrupted = 130

// NotifyInterrupt returns a context cancelled by the first SIGINT or SIGTERM:
// runs stop scheduling, let the requests in flight finish and save. A second
// signal exits the process at once. Messages saying so go to w. Call stop
// when done to let signals act as usual again.
func NotifyInterrupt(ctx context.Context, w io.Writer) (_ context.Context, stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
		case <-done:
			return
		}
		fmt.Fprintln(w, "\ninterrupted: finishing the requests in flight and saving (press Ctrl-C again to quit at once)")
		cancel()
		select {
		case <-sigs:
			fmt.Fprintln(w, "quitting; a rerun of the same command resumes")
			os.Exit(ExitInterrupted)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}
