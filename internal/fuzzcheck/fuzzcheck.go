// Package fuzzcheck holds what the fuzz tests share: a watchdog that turns an
// input that hangs a parser into a kept crasher.
//
// Go's fuzzer has no per-input time limit: an input that makes the code under
// test loop forever stalls the run at "execs: N (0/sec)" and is never written
// to testdata. Watch makes such an input crash the worker instead, so the
// fuzzer saves it like any other failure.
package fuzzcheck

import (
	"flag"
	"fmt"
	"time"
)

// Limit is how long one input may take while fuzzing. It is a hang detector,
// not a performance check: every target handles an input in well under a
// millisecond, and the limit leaves room for a machine loaded many times over.
const Limit = 20 * time.Second

// Watch arms the watchdog for one input and returns the function that disarms
// it (defer it). It arms only while fuzzing (-test.fuzz set), so plain test
// runs, which replay the kept inputs, make no timed assertion.
func Watch(input any) (stop func()) {
	if f := flag.Lookup("test.fuzz"); f == nil || f.Value.String() == "" {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
		case <-time.After(Limit):
			// A panic in another goroutine kills the worker; the fuzzer
			// then keeps the input that was running.
			panic(fmt.Sprintf("fuzzcheck: input still running after %v: %.500q", Limit, fmt.Sprint(input)))
		}
	}()
	return func() { close(done) }
}
