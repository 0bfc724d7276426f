package errs

import (
	"errors"
	"time"
)

// retryAfter is the cause of a TooMany error: when to come back.
type retryAfter time.Duration

func (r retryAfter) Error() string { return "retry after " + time.Duration(r).String() }

// TooManyFor builds a TooMany error (code too_many) that says the caller
// may try again after d; the web layer sends it as Retry-After.
func TooManyFor(d time.Duration, format string, args ...any) *Error {
	e := E(TooMany, "too_many", format, args...)
	e.Err = retryAfter(d)
	return e
}

// RetryAfter returns how long err asks the caller to wait, if it says.
func RetryAfter(err error) (time.Duration, bool) {
	var r retryAfter
	if errors.As(err, &r) {
		return time.Duration(r), true
	}
	return 0, false
}
