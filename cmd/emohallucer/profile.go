package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile of the whole command to the file named by
// EMOHALLUCER_CPUPROFILE, and a heap profile (allocations included) at the end
// to EMOHALLUCER_MEMPROFILE, for `go tool pprof`. They are environment
// variables rather than flags because they diagnose the harness itself (the
// bench program, bug reports), not models. The returned function stops the
// profiles; it is a no-op when neither variable is set.
func startProfile(stderr io.Writer) func() {
	stopCPU := startCPUProfile(stderr)
	return func() {
		stopCPU()
		writeHeapProfile(stderr)
	}
}

func writeHeapProfile(stderr io.Writer) {
	path := os.Getenv("EMOHALLUCER_MEMPROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "EMOHALLUCER_MEMPROFILE: %v\n", err)
	}
}

func startCPUProfile(stderr io.Writer) func() {
	path := os.Getenv("EMOHALLUCER_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(stderr, "EMOHALLUCER_CPUPROFILE: %v\n", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(stderr, "EMOHALLUCER_CPUPROFILE: %v\n", err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
