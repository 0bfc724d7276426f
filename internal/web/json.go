package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"unicode"

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

// writeJSON is the one JSON writer of the API: every list it writes is a
// list, never null (nil slices anywhere in v are written as []).
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(noNilSlices(reflect.ValueOf(v)).Interface()); err != nil {
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
		return ae.refusal
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

// amountError carries an amount's refusal out of encoding/json (which
// keeps an Unmarshaler's error as it is).
type amountError struct{ refusal error }

func (e *amountError) Error() string { return e.refusal.Error() }

// UnmarshalJSON parses a yuan string.
func (a *Amount) UnmarshalJSON(b []byte) error {
	if len(b) == 0 || b[0] != '"' {
		return &amountError{errs.F(errs.Invalid, "invalid_amount", "amount", "amount must be a string in yuan such as \"12.34\", got %s", string(b))}
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &amountError{errs.F(errs.Invalid, "invalid_amount", "amount", "amount must be a string in yuan")}
	}
	f, err := money.Parse(s)
	if err != nil {
		return &amountError{amountRefusal("amount", s, err)}
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

var marshalerType = reflect.TypeFor[json.Marshaler]()

// noNilSlices returns v with every nil slice and map (at any depth: fields,
// elements, map values, pointees, interfaces) replaced by an empty one, so
// that empty lists are written as [] (and empty maps as {}). It copies what it changes and never
// writes into v. Values that encode themselves (json.Marshaler: Amount,
// time.Time, json.RawMessage) and byte slices (base64 strings) are left
// as they are, and so are unexported fields (an embedded struct of an
// unexported type cannot be changed through reflection: its constructor
// must fill its lists).
func noNilSlices(v reflect.Value) reflect.Value {
	if !v.IsValid() {
		return v
	}
	t := v.Type()
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface && t.Implements(marshalerType) {
		return v
	}
	switch t.Kind() {
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		e := noNilSlices(v.Elem())
		out := reflect.New(t).Elem()
		out.Set(e)
		return out
	case reflect.Pointer:
		if v.IsNil() || t.Implements(marshalerType) {
			return v
		}
		e := noNilSlices(v.Elem())
		out := reflect.New(t.Elem())
		out.Elem().Set(e)
		return out
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return v
		}
		out := reflect.MakeSlice(t, v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(noNilSlices(v.Index(i)))
		}
		return out
	case reflect.Array:
		out := reflect.New(t).Elem()
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(noNilSlices(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return reflect.MakeMap(t) // an object, never null
		}
		out := reflect.MakeMapWithSize(t, v.Len())
		it := v.MapRange()
		for it.Next() {
			out.SetMapIndex(it.Key(), noNilSlices(it.Value()))
		}
		return out
	case reflect.Struct:
		out := reflect.New(t).Elem()
		out.Set(v)
		for i := 0; i < t.NumField(); i++ {
			if f := out.Field(i); f.CanSet() {
				f.Set(noNilSlices(v.Field(i)))
			}
		}
		return out
	}
	return v
}

// goName is a Go field name as encoding/json writes a struct without tags.
var goName = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)

// snakeName writes a Go field name in snake_case: DocNo → doc_no,
// SLADays → sla_days, ID → id, MaxApp → max_app.
func snakeName(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		up := unicode.IsUpper(c)
		if up && i > 0 && (!unicode.IsUpper(r[i-1]) || (i+1 < len(r) && unicode.IsLower(r[i+1]))) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// snakePayload is a stored JSON document (an instruction's frozen payload)
// as the API answers it: the same values, every key that is a Go field
// name written in snake_case. The stored form, which is hashed and
// compared on replay, is not changed; only its answer is.
func snakePayload(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return raw
	}
	var walk func(any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			out := make(map[string]any, len(x))
			for k, e := range x {
				if goName.MatchString(k) {
					k = snakeName(k)
				}
				out[k] = walk(e)
			}
			return out
		case []any:
			for i := range x {
				x[i] = walk(x[i])
			}
			return x
		case nil:
			return v
		}
		return v
	}
	out, err := json.Marshal(walk(v))
	if err != nil {
		return raw
	}
	return out
}
