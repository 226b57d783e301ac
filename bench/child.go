package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Usage is what one child process cost, read from the kernel after it exited.
type Usage struct {
	Wall time.Duration
	// CPU is user + system time of the child and every descendant it waited for.
	CPU time.Duration
	// MaxRSS is the peak resident set of the largest of them, in bytes.
	MaxRSS int64
	Exit   int
	Stderr string
}

// runChild runs a command to completion and returns its resource usage. Standard
// output is discarded (large runs print tables), standard error kept for errors.
// A command still running at the deadline is killed.
func runChild(ctx context.Context, timeout time.Duration, env []string, name string, args ...string) (Usage, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	// Kill the whole process group on timeout: promptfoo's node may fork.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	start := time.Now()
	err := cmd.Run()
	u := Usage{Wall: time.Since(start), Stderr: tail(stderr.String(), 6000)}
	if cmd.ProcessState == nil {
		return u, fmt.Errorf("%s: %w", name, err)
	}
	u.Exit = cmd.ProcessState.ExitCode()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		u.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		u.MaxRSS = ru.Maxrss * 1024 // Linux reports kilobytes
	}
	if ctx.Err() != nil {
		return u, fmt.Errorf("%s %s: killed after %s", name, strings.Join(args, " "), timeout)
	}
	return u, nil
}

// exitErr is the error of a child that ended with a nonzero exit code.
func exitErr(what string, u Usage) error {
	if u.Exit == 0 {
		return nil
	}
	return fmt.Errorf("%s exited %d: %s", what, u.Exit, u.Stderr)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// loadAvg returns the one-minute load average, to print next to each number:
// on a shared machine it says how much of it the measurement had.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

// selfCPU is this process's user + system time so far; around a child's run
// its growth is what the in-process loopback server spent.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
