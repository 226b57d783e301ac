package emohallucer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strings"
)

// Error codes. The command line maps them to exit codes in one table.
const (
	EINVALID    = "invalid"    // bad user input: a suite line, a flag, a config
	ENOTFOUND   = "not_found"  // a file, run, suite or model that does not exist
	EPROVIDER   = "provider"   // a model API refused the request for good (4xx other than 429)
	EAUTH       = "auth"       // a model API rejected the credentials (401/403)
	ERATELIMIT  = "rate_limit" // a model API is throttling; retried, surfaced only when retries run out
	ECANCELED   = "canceled"   // the user interrupted
	EBUDGET     = "budget"     // --max-cost reached
	EINTERNAL   = "internal"   // a bug
	EUSAGE      = "usage"      // a mistake in the command line itself: an unknown flag, a value out of range
	EIO         = "io"         // reading or writing a path the user gave failed (full disk, read-only folder, a directory where a file should be)
	EBUSY       = "busy"       // the run folder (or shard) is locked by another run
	ETHRESHOLD  = "threshold"  // a score is below the threshold the user set (--fail-under)
	EINCOMPLETE = "incomplete" // a run ended with questions left failed or unstarted; rerunning resumes
)

// Error is an error whose message is safe to show to users, with a code that says
// what kind of failure it is.
type Error struct {
	Code    string
	Message string
	Hint    string // optional: what the user can do about it
	Err     error  // optional: the underlying cause
}

// Error implements the error interface.
func (e *Error) Error() string {
	msg := e.Message
	if e.Err != nil {
		if msg == "" {
			msg = e.Err.Error()
		} else {
			msg += ": " + e.Err.Error()
		}
	}
	return msg
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain; for an error
// without one, EIO when a file-system operation on a path failed (an
// *fs.PathError or *os.LinkError: a full disk, a read-only folder, a folder
// where a file should be, none of them a bug) and EINTERNAL otherwise; "" for
// nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var pe *fs.PathError
	var le *os.LinkError
	if errors.As(err, &pe) || errors.As(err, &le) {
		return EIO
	}
	return EINTERNAL
}

// ErrorHint returns the hint of the first *Error in err's chain that has one.
func ErrorHint(err error) string {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return ""
		}
		if e.Hint != "" {
			return e.Hint
		}
		err = e.Err
	}
	return ""
}

// userinfo matches the credentials part of a URL ("scheme://user:pass@"), up
// to the last "@" before the host's end so that an unescaped "@" in a password
// is covered too.
var userinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s"'<>]*@`)

// Redact replaces the user name and password of every URL in a message
// ("http://user:pass@host/v1" becomes "http://[REDACTED]@host/v1"). Base URLs
// may carry credentials for a proxy: everything printed about models and
// endpoints, every provider and transport error and run.json pass through it.
func Redact(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	return userinfo.ReplaceAllString(s, "${1}[REDACTED]@")
}
