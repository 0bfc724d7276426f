// Package errs defines onepool's one error type: a closed set of kinds, a
// stable machine code for the API, and a message that is safe to show.
//
// Services return *Error (possibly wrapped with %w); the web layer maps the
// kind to an HTTP status in one place. Never match on message text.
package errs

import (
	"errors"
	"fmt"
)

// Kind is the closed set of error kinds.
type Kind int

// The kinds. Each maps to one HTTP status in the web layer.
const (
	Internal          Kind = iota // a bug or an infrastructure failure
	Invalid                       // bad input: a field or rule named in the message
	NotFound                      // the record does not exist, or the caller may not see it
	Conflict                      // the request conflicts with the current state
	Forbidden                     // the caller may see the record but not do this
	Unauthenticated               // no valid session
	InsufficientFunds             // an account lacks the balance on a channel
	RuleBroken                    // a policy rule refuses the request
	Unavailable                   // retryable: busy database, serialization failure
	TooMany                       // the caller sent too many requests; later
	StorageFull                   // the database's disk (or its size limit) is full: no write can succeed until space is freed
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case Invalid:
		return "invalid"
	case NotFound:
		return "not_found"
	case TooMany:
		return "too_many"
	case StorageFull:
		return "storage_full"
	case Conflict:
		return "conflict"
	case Forbidden:
		return "forbidden"
	case Unauthenticated:
		return "unauthenticated"
	case InsufficientFunds:
		return "insufficient_funds"
	case RuleBroken:
		return "rule_broken"
	case Unavailable:
		return "unavailable"
	default:
		return "internal"
	}
}

// Error is onepool's error. Code is the stable API code (for example
// "insufficient_funds", "idempotency_conflict"); Field names the offending
// input field when there is one; Message is safe to show to the user, in
// English (the API's and the log's language). Format and Args are what
// Message was built from, so that the web layer can render the same
// sentence in the user's language from its catalogue (keyed by Format).
type Error struct {
	Kind    Kind
	Code    string
	Field   string
	Message string
	Format  string // the English format Message was built from; "" when Message was set directly
	Args    []any  // the arguments of Format
	Err     error  // wrapped cause, never shown
}

// Error implements error.
func (e *Error) Error() string {
	s := e.Code
	if e.Field != "" {
		s += " (" + e.Field + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// E builds an error of kind with a stable code and a formatted message.
func E(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// F builds an Invalid-like error that names a field.
func F(kind Kind, code, field, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Field: field, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// Wrap builds an Internal error around cause, with a safe message. A
// cause that is a condition of the storage rather than a bug — a full disk
// (StorageFull) or a busy database (Unavailable) — keeps its kind, code and
// message, so that the caller can tell the user and retry.
func Wrap(cause error, format string, args ...any) *Error {
	if e, ok := As(cause); ok && (e.Kind == StorageFull || e.Kind == Unavailable) {
		return &Error{Kind: e.Kind, Code: e.Code, Message: e.Message, Format: e.Format, Args: e.Args, Err: fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), cause)}
	}
	return &Error{Kind: Internal, Code: "internal", Message: fmt.Sprintf(format, args...), Format: format, Args: args, Err: cause}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// KindOf returns the kind of err; Internal when err is not an *Error.
func KindOf(err error) Kind {
	if e, ok := As(err); ok {
		return e.Kind
	}
	return Internal
}

// CodeOf returns the stable code of err; "internal" when err is not an *Error.
func CodeOf(err error) string {
	if e, ok := As(err); ok {
		return e.Code
	}
	return "internal"
}

// Is reports whether err carries the given stable code.
func Is(err error, code string) bool {
	e, ok := As(err)
	return ok && e.Code == code
}
