package emohallucer

import (
	"errors"
	"fmt"
)

// Error codes. The command line maps them to exit codes in one table.
const (
	EINVALID   = "invalid"    // bad user input: a suite line, a flag, a config
	ENOTFOUND  = "not_found"  // a file, run, suite or model that does not exist
	EPROVIDER  = "provider"   // a model API refused the request for good (4xx other than 429)
	EAUTH      = "auth"       // a model API rejected the credentials (401/403)
	ERATELIMIT = "rate_limit" // a model API is throttling; retried, surfaced only when retries run out
	ECANCELED  = "canceled"   // the user interrupted
	EBUDGET    = "budget"     // --max-cost reached
	EINTERNAL  = "internal"   // a bug
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

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any
// other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
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
