package web

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"onepool/internal/errs"
)

// strictJSON walks the first JSON value of body and refuses what
// encoding/json accepts silently: a key given twice in one object (it
// keeps the last, so a reviewer and the server could read different
// amounts) and bytes that are not UTF-8 (it turns them into U+FFFD).
// Errors name the key's path, such as legs[1].amount.
func strictJSON(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	type frame struct {
		object bool
		path   string
		keys   map[string]bool
		key    string // the object's current key, "" between members
		index  int    // the array's next index
	}
	var stack []*frame
	// here is the path of the value about to be read.
	here := func() string {
		if len(stack) == 0 {
			return ""
		}
		f := stack[len(stack)-1]
		if f.object {
			return joinPath(f.path, f.key)
		}
		return f.path + "[" + strconv.Itoa(f.index) + "]"
	}
	// done moves past a value of the innermost container.
	done := func() {
		if len(stack) == 0 {
			return
		}
		f := stack[len(stack)-1]
		if f.object {
			f.key = ""
		} else {
			f.index++
		}
	}
	var prev int64
	for {
		tok, err := dec.Token()
		if err != nil {
			return jsonError(err)
		}
		raw := body[prev:dec.InputOffset()]
		prev = dec.InputOffset()
		top := (*frame)(nil)
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if s, ok := tok.(string); ok && top != nil && top.object && top.key == "" {
			// A key.
			path := joinPath(top.path, s)
			if !utf8.Valid(raw) {
				return errs.F(errs.Invalid, "invalid_json", path, "a key is not valid UTF-8")
			}
			if top.keys[s] {
				return errs.F(errs.Invalid, "invalid_json", path, "duplicate key %q", path)
			}
			top.keys[s], top.key = true, s
			continue
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				stack = append(stack, &frame{object: t == '{', path: here(), keys: map[string]bool{}})
				continue
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			if !utf8.Valid(raw) {
				p := here()
				if p == "" {
					return errs.E(errs.Invalid, "invalid_json", "the body is not valid UTF-8")
				}
				return errs.F(errs.Invalid, "invalid_json", p, "%s is not valid UTF-8", p)
			}
		}
		done()
		if len(stack) == 0 {
			return nil
		}
	}
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}
