package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"onepool/internal/errs"
	"onepool/internal/money"
)

// statusOf maps an error kind to its HTTP status: the one place that does.
func statusOf(k errs.Kind) int {
	switch k {
	case errs.Invalid:
		return http.StatusBadRequest
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Conflict:
		return http.StatusConflict
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.Unauthenticated:
		return http.StatusUnauthorized
	case errs.InsufficientFunds, errs.RuleBroken:
		return http.StatusUnprocessableEntity
	case errs.Unavailable:
		return http.StatusServiceUnavailable
	case errs.TooMany:
		return http.StatusTooManyRequests
	case errs.StorageFull:
		return http.StatusInsufficientStorage
	default:
		return http.StatusInternalServerError
	}
}

type apiError struct {
	Code    string   `json:"code"`
	Field   string   `json:"field,omitempty"`
	Message string   `json:"message"`
	Params  []string `json:"params"`
}

// writeError answers err in English (the API's default language).
func writeError(w http.ResponseWriter, err error) { writeErrorIn(w, "en", err) }

// writeErrorIn answers err as {"error": {code, field, message, params}}
// with the message in lang ("en" or "zh"); params are the arguments of the
// message, as strings, in the order of the English format.
func writeErrorIn(w http.ResponseWriter, lang string, err error) {
	e, ok := errs.As(oneNotFound(err))
	if !ok || e.Kind == errs.Internal {
		e = &errs.Error{Kind: errs.Internal, Code: "internal", Message: "internal error; see the server log"}
	}
	setRetryAfter(w, err)
	writeJSON(w, statusOf(e.Kind), map[string]apiError{"error": {Code: e.Code, Field: e.Field, Message: errorText(lang, e), Params: errorParams(e)}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, `{"error":{"code":"internal","message":"encode"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// maxBody bounds a JSON request body.
const maxBody = 16 << 20

// decodeJSON reads a strict JSON body into v: unknown fields, duplicate
// keys (at any depth), invalid UTF-8, trailing data, wrong types and a body
// over maxBody are invalid_json errors that name the field.
func decodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return errs.E(errs.Invalid, "invalid_json", "Content-Type must be application/json")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return errs.E(errs.Invalid, "invalid_json", "could not read the body")
	}
	if len(body) > maxBody {
		return errs.E(errs.Invalid, "invalid_json", "the body is larger than %d MiB", maxBody>>20)
	}
	if err := strictJSON(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return errs.E(errs.Invalid, "invalid_json", "unexpected data after the JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var ae *amountError
	switch {
	case errors.As(err, &ae):
		return errs.F(errs.Invalid, "invalid_amount", ae.field, "%s", ae.msg)
	case errors.As(err, &se):
		return errs.E(errs.Invalid, "invalid_json", "malformed JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		f := jsonPath(te.Field)
		return errs.F(errs.Invalid, "invalid_json", f, "%s must be %s, not %s", f, te.Type.String(), te.Value)
	case errors.Is(err, io.EOF):
		return errs.E(errs.Invalid, "invalid_json", "empty body")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.E(errs.Invalid, "invalid_json", "truncated JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return errs.F(errs.Invalid, "invalid_json", f, "unknown field %q", f)
	}
	return errs.E(errs.Invalid, "invalid_json", "bad JSON: %v", err)
}

// jsonPath removes from an encoding/json field path the Go names of embedded
// structs (for example "transferIn.memo" → "memo"): the API's JSON names are
// all lower case, the embedded types' names are not.
func jsonPath(p string) string {
	parts := strings.Split(p, ".")
	out := parts[:0]
	for _, s := range parts {
		if strings.ToLower(s) == s {
			out = append(out, s)
		}
	}
	return strings.Join(out, ".")
}

// Amount is money in the API: a string in yuan ("1234.56"); numbers are
// refused because JSON numbers are floats to many clients.
type Amount money.Fen

type amountError struct{ field, msg string }

func (e *amountError) Error() string { return e.msg }

// UnmarshalJSON parses a yuan string.
func (a *Amount) UnmarshalJSON(b []byte) error {
	if len(b) == 0 || b[0] != '"' {
		return &amountError{"amount", fmt.Sprintf("amount must be a string in yuan such as \"12.34\", got %s", b)}
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &amountError{"amount", "amount must be a string in yuan"}
	}
	f, err := money.Parse(s)
	if err != nil {
		return &amountError{"amount", err.Error()}
	}
	*a = Amount(f)
	return nil
}

// MarshalJSON prints plain yuan with two decimals.
func (a Amount) MarshalJSON() ([]byte, error) {
	return []byte(`"` + money.Fen(a).Plain() + `"`), nil
}

// Fen is the amount in fen.
func (a Amount) Fen() money.Fen { return money.Fen(a) }
