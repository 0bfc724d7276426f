// Package place handles 12-digit Chinese administrative division codes:
// the six-digit GB/T 2260 county-level code extended by the National Bureau
// of Statistics' township (3 digits) and village (3 digits) segments.
//
// A code is laid out as 2+2+2+3+3 digits: province, city (prefecture),
// county, township and village. Trailing all-zero segments mark the level,
// so 610000000000 is a province, 610900000000 a city, 610926000000 a county,
// 610926100000 a township and 610926100201 a village. Inner segments may be
// zero (for example townships of prefecture-level cities without counties,
// such as 441900003000), so a code's parent is found by zeroing its last
// non-zero segment rather than by assuming every level is present.
package place

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is the sentinel wrapped by every error reporting a malformed
// code, an inconsistent tree or bad CSV content. Test for it with
// errors.Is.
var ErrInvalid = errors.New("invalid administrative division")

// CodeLen is the number of digits in a full division code.
const CodeLen = 12

// segmentEnds holds the end offset (exclusive) of each segment: province,
// city, county, township and village.
var segmentEnds = [...]int{2, 4, 6, 9, 12}

// Code is a 12-digit administrative division code such as "610926100201".
// Values produced by Parse are always valid; other values can be checked
// with Valid. The zero value "" is the empty code.
type Code string

// Level is the administrative level of a Code. Deeper levels compare
// greater, so Province < City < County < Township < Village. The zero Level
// is not a valid level; it is returned for invalid codes.
type Level int

const (
	// Province is a province-level division (省级), e.g. 610000000000.
	Province Level = iota + 1
	// City is a prefecture-level division (地级), e.g. 610900000000.
	City
	// County is a county-level division (县级), e.g. 610926000000.
	County
	// Township is a township-level division (乡级), e.g. 610926100000.
	Township
	// Village is a village-level division (村级), e.g. 610926100201.
	Village
)

// String returns the lower-case English name of the level, such as
// "county", or "invalid" for the zero Level and out-of-range values.
func (l Level) String() string {
	switch l {
	case Province:
		return "province"
	case City:
		return "city"
	case County:
		return "county"
	case Township:
		return "township"
	case Village:
		return "village"
	}
	return "invalid"
}

// invalidError wraps ErrInvalid with a description of the problem, and
// the format and arguments it was built from.
type invalidError struct {
	msg    string
	format string
	args   []any
}

func (e *invalidError) Error() string { return "place: " + e.msg }
func (e *invalidError) Unwrap() error { return ErrInvalid }

func invalidf(format string, args ...any) error {
	return &invalidError{msg: fmt.Sprintf(format, args...), format: format, args: args}
}

// Explain returns the format and arguments err's description was built
// from (so that a caller can say it in another language), when err is
// this package's.
func Explain(err error) (format string, args []any, ok bool) {
	var e *invalidError
	if !errors.As(err, &e) {
		return "", nil, false
	}
	return e.format, e.args, true
}

// Parse parses a division code. Surrounding white space is ignored. The
// input must consist of ASCII digits and be 12 digits long, or 6 (county
// code, GB/T 2260) or 9 (township code) digits long, in which case it is
// right-padded with zeros to 12 digits. The province segment must not be
// "00". Errors wrap ErrInvalid.
func Parse(s string) (Code, error) {
	c, reason := parseCode(s)
	if reason != "" {
		return "", invalidf("%s", reason)
	}
	return c, nil
}

// parseCode implements Parse, returning a non-empty reason on failure.
func parseCode(s string) (Code, string) {
	t := strings.TrimSpace(s)
	if t == "" {
		return "", "empty code"
	}
	pos := 0
	for _, r := range t {
		pos++
		if r < '0' || r > '9' {
			return "", fmt.Sprintf("code %q: character %d (%q) is not an ASCII digit", s, pos, r)
		}
	}
	switch len(t) {
	case 6, 9:
		t += strings.Repeat("0", CodeLen-len(t))
	case CodeLen:
	default:
		return "", fmt.Sprintf("code %q: want 12, 9 or 6 digits, got %d", s, len(t))
	}
	if t[:2] == "00" {
		return "", fmt.Sprintf("code %q: province segment is 00", s)
	}
	return Code(t), ""
}

// MustParse is like Parse but panics on error. It is intended for
// constants in tests and initialisation code.
func MustParse(s string) Code {
	c, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return c
}

// Valid reports whether c is a well-formed 12-digit code with a non-zero
// province segment, i.e. whether Parse(string(c)) would return c itself.
func (c Code) Valid() bool {
	if len(c) != CodeLen || c[:2] == "00" {
		return false
	}
	for i := 0; i < len(c); i++ {
		if c[i] < '0' || c[i] > '9' {
			return false
		}
	}
	return true
}

// IsZero reports whether c is the empty code "".
func (c Code) IsZero() bool { return c == "" }

// Level returns the level of c, determined by its last non-zero segment.
// It returns the zero Level if c is not valid.
func (c Code) Level() Level {
	if !c.Valid() {
		return 0
	}
	for i := len(segmentEnds) - 1; i > 0; i-- {
		start := segmentEnds[i-1]
		if strings.Trim(string(c[start:segmentEnds[i]]), "0") != "" {
			return Level(i + 1)
		}
	}
	return Province
}

// Prefix returns the significant leading digits of c: everything up to
// and including its level's segment. Every code in c's subtree starts with
// this prefix, so it is suitable for SQL queries such as
// "code LIKE prefix || '%'". Examples: province "61", city "6109", county
// "610926", township "610926100", village the full 12 digits. It returns ""
// if c is not valid.
func (c Code) Prefix() string {
	l := c.Level()
	if l == 0 {
		return ""
	}
	return string(c[:segmentEnds[l-1]])
}

// truncate keeps the first n digits of c and zero-fills the rest.
func (c Code) truncate(n int) Code {
	return c[:n] + Code(strings.Repeat("0", CodeLen-n))
}

// Parent returns the code of c's parent division, obtained by zeroing c's
// last non-zero segment, and true. The parent may skip levels when inner
// segments are zero (the parent of township 441900003000 is city
// 441900000000). It returns "", false for provinces and invalid codes.
func (c Code) Parent() (Code, bool) {
	l := c.Level()
	if l <= Province {
		return "", false
	}
	return c.truncate(segmentEnds[l-2]), true
}

// County returns the county-level code containing c: its first six digits
// followed by zeros. For a province or city code the result equals c. It
// returns "" if c is not valid.
func (c Code) County() Code {
	if !c.Valid() {
		return ""
	}
	return c.truncate(6)
}

// Township returns the township-level code containing c: its first nine
// digits followed by zeros. For codes above township level the result
// equals c. It returns "" if c is not valid.
func (c Code) Township() Code {
	if !c.Valid() {
		return ""
	}
	return c.truncate(9)
}

// Contains reports whether other lies in c's subtree, including other == c.
// It returns false if either code is not valid.
func (c Code) Contains(other Code) bool {
	if !c.Valid() || !other.Valid() {
		return false
	}
	return strings.HasPrefix(string(other), c.Prefix())
}

// None is the prefix of no subtree: a filter with it matches no place
// (Range gives an empty range). It is plain ASCII, so both engines accept
// it as text (PostgreSQL refuses a 0x00 byte in a string), it contains no
// digit, so no division code starts with it, and it is longer than a
// county prefix, so code that treats short prefixes as "county-wide" does
// not widen it.
const None = "(no place)"

// Range returns the first and last 12-digit codes that start with the
// division-code prefix p (as from Code.Prefix), so that a subtree can be
// selected with "place BETWEEN lo AND hi" — a range an index serves in
// SQLite and PostgreSQL alike, unlike LIKE 'p%', and digits sort the same
// under every collation. A prefix that is not all digits (None) gives the
// empty range lo = "1" > hi = "0": valid text on both engines that no value
// lies between.
func Range(p string) (lo, hi string) {
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return "1", "0"
		}
	}
	if len(p) > CodeLen {
		p = p[:CodeLen]
	}
	return p + strings.Repeat("0", CodeLen-len(p)), p + strings.Repeat("9", CodeLen-len(p))
}
