package web

import (
	"strings"

	"onepool/internal/errs"
)

// One not-found: a record outside the viewer's subtree answers exactly as
// a record that does not exist — status, code, field and message. Handlers
// return the same code and field for both; this edge makes the message
// the same too, by naming only the kind of record ("no such household"),
// never the id that was asked for (which would differ between the two, and
// an echoed id is how a difference would hide).

// routeField marks a not-found about a route, not a record (no such page,
// no such API route): its message echoes only the asker's own path, the
// same whatever exists, and is kept.
const routeField = "route"

// keepNotFound are not-found codes whose message says something the
// asker needs and names nothing they did not give (the built-in profiles).
var keepNotFound = map[string]bool{"unknown_profile": true, "no_profile": true}

// oneNotFound returns err with the canonical message of its code when it
// is a not-found error, else err unchanged.
func oneNotFound(err error) error {
	e, ok := errs.As(err)
	if !ok || e.Kind != errs.NotFound || keepNotFound[e.Code] || e.Field == routeField {
		return err
	}
	var what string
	switch {
	case strings.HasPrefix(e.Code, "unknown_"):
		what = strings.ReplaceAll(strings.TrimPrefix(e.Code, "unknown_"), "_", " ")
	case e.Code == "not_found" && e.Field != "" && !strings.ContainsAny(e.Field, "[.]"):
		what = e.Field
	case e.Code == "not_found":
		return &errs.Error{Kind: e.Kind, Code: e.Code, Field: e.Field, Message: "not found", Format: "not found", Err: err}
	default:
		return err
	}
	return &errs.Error{Kind: e.Kind, Code: e.Code, Field: e.Field, Message: "no such " + what, Format: "no such %s", Args: []any{what}, Err: err}
}
