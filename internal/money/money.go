// Package money provides Fen, an exact monetary amount in Chinese fen
// (1 yuan = 100 fen), together with parsing, formatting, overflow-checked
// arithmetic, ratio rounding and the Chinese uppercase (大写) form used on
// vouchers.
//
// No floating-point arithmetic is used anywhere in this package.
package money

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
)

// Fen is a monetary amount counted in fen (分). One yuan (元) is 100 fen.
// The zero value is zero yuan.
type Fen int64

// ErrInvalid is the sentinel wrapped by every error that reports malformed
// input, such as a string that is not an amount or a zero denominator.
// Test for it with errors.Is.
var ErrInvalid = errors.New("invalid amount")

// ErrOverflow is the sentinel wrapped by every error that reports a result
// which does not fit in a Fen (int64). Parse errors caused by overflow wrap
// both ErrInvalid and ErrOverflow.
var ErrOverflow = errors.New("amount overflows int64 fen")

// maxMagnitude is the magnitude of math.MinInt64, the largest absolute value
// a negative Fen can have.
const maxMagnitude = uint64(1) << 63

// parseError is returned by Parse. It wraps ErrInvalid and, when the
// problem is an overflow, ErrOverflow as well.
type parseError struct {
	input    string
	reason   string
	overflow bool
}

func (e *parseError) Error() string {
	return fmt.Sprintf("money: invalid amount %q: %s", e.input, e.reason)
}

func (e *parseError) Unwrap() []error {
	if e.overflow {
		return []error{ErrInvalid, ErrOverflow}
	}
	return []error{ErrInvalid}
}

// Parse parses a decimal amount written in yuan and returns it in fen.
//
// Accepted forms are, for example, "1234.56", "1,234.56", "-12.3", "+0.05",
// "100" and "100元". Surrounding white space is ignored, as is a single
// trailing "元" (optionally separated from the number by white space). A
// leading '-' or '+' sign is allowed. Thousands separators must be ASCII
// commas placing digits in correct groups of three ("1,234,567" but not
// "12,34" or "1,2345"). At most two decimal places are allowed, and a
// decimal point must have digits on both sides.
//
// Every error wraps ErrInvalid; an amount whose magnitude does not fit in
// an int64 number of fen additionally wraps ErrOverflow.
func Parse(s string) (Fen, error) {
	fail := func(reason string) (Fen, error) {
		return 0, &parseError{input: s, reason: reason}
	}

	t := strings.TrimSpace(s)
	if u, ok := strings.CutSuffix(t, "元"); ok {
		t = strings.TrimSpace(u)
	}
	if t == "" {
		return fail("empty")
	}

	neg := false
	switch t[0] {
	case '-':
		neg = true
		t = t[1:]
	case '+':
		t = t[1:]
	}
	if t == "" {
		return fail("sign without digits")
	}

	intPart, fracPart, hasPoint := strings.Cut(t, ".")
	if hasPoint && strings.Contains(fracPart, ".") {
		return fail("more than one decimal point")
	}
	if intPart == "" {
		return fail("no digits before the decimal point")
	}
	if hasPoint && fracPart == "" {
		return fail("no digits after the decimal point")
	}

	digits, reason := stripGrouping(intPart)
	if reason != "" {
		return fail(reason)
	}
	for i := 0; i < len(fracPart); i++ {
		if !isDigit(fracPart[i]) {
			return fail(fmt.Sprintf("unexpected character %q in decimals", fracPart[i]))
		}
	}
	if len(fracPart) > 2 {
		return fail("too many decimal places (at most 2 allowed)")
	}

	// Accumulate the magnitude in fen, checking against 2^63 so that
	// math.MinInt64 can be represented.
	limit := uint64(math.MaxInt64)
	if neg {
		limit = maxMagnitude
	}
	var mag uint64
	appendDigit := func(d byte) bool {
		v := uint64(d - '0')
		if mag > (limit-v)/10 {
			return false
		}
		mag = mag*10 + v
		return true
	}
	frac := fracPart + strings.Repeat("0", 2-len(fracPart))
	for _, part := range []string{digits, frac} {
		for i := 0; i < len(part); i++ {
			if !appendDigit(part[i]) {
				return 0, &parseError{input: s, reason: "overflows int64 fen", overflow: true}
			}
		}
	}

	if neg {
		// Unsigned negation wraps 2^63 to itself, which converts to
		// math.MinInt64 as required.
		return Fen(-mag), nil
	}
	return Fen(mag), nil
}

// stripGrouping validates the integer part of an amount and removes its
// thousands separators. It returns the plain digits, or a non-empty reason
// describing why the input is malformed.
func stripGrouping(s string) (digits, reason string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isDigit(c) && c != ',' {
			return "", fmt.Sprintf("unexpected character %q", c)
		}
	}
	if !strings.Contains(s, ",") {
		return s, ""
	}
	groups := strings.Split(s, ",")
	first := groups[0]
	if len(first) < 1 || len(first) > 3 {
		return "", "misplaced thousands separator"
	}
	if first[0] == '0' {
		return "", "leading zero before a thousands separator"
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return "", "misplaced thousands separator"
		}
	}
	return strings.Join(groups, ""), ""
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// magnitude returns |f| as an unsigned integer; it is exact for
// math.MinInt64.
func (f Fen) magnitude() uint64 {
	u := uint64(f)
	if f < 0 {
		u = -u
	}
	return u
}

// String formats f in yuan with thousands separators and exactly two
// decimal places, for example "1,234.56", "0.05" or "-1,000.00".
func (f Fen) String() string {
	return f.format(true)
}

// Plain formats f in yuan with exactly two decimal places and no thousands
// separators, for example "1234.56" or "-0.05". The result is accepted by
// Parse and is suitable for CSV exports and form values.
func (f Fen) Plain() string {
	return f.format(false)
}

func (f Fen) format(group bool) string {
	u := f.magnitude()
	var b strings.Builder
	if f < 0 {
		b.WriteByte('-')
	}
	writeUint(&b, u/100, group)
	fmt.Fprintf(&b, ".%02d", u%100)
	return b.String()
}

// writeUint writes n in decimal, optionally with thousands separators.
func writeUint(b *strings.Builder, n uint64, group bool) {
	s := fmt.Sprint(n)
	if !group {
		b.WriteString(s)
		return
	}
	head := len(s) % 3
	if head == 0 {
		head = 3
	}
	b.WriteString(s[:head])
	for i := head; i < len(s); i += 3 {
		b.WriteByte(',')
		b.WriteString(s[i : i+3])
	}
}

// Wan formats f in units of 万元 (10,000 yuan, i.e. 1,000,000 fen) with
// two decimal places and no thousands separators. The absolute value is
// rounded half-up at the second decimal, so 123456789 fen (1,234,567.89
// yuan) gives "123.46". A '-' sign is written only when the rounded value
// is non-zero.
func (f Fen) Wan() string {
	const unit = 10000 // fen per 0.01 万元
	u := f.magnitude()
	q, r := u/unit, u%unit
	if r >= unit/2 {
		q++
	}
	var b strings.Builder
	if f < 0 && q != 0 {
		b.WriteByte('-')
	}
	writeUint(&b, q/100, false)
	fmt.Fprintf(&b, ".%02d", q%100)
	return b.String()
}

// Add returns a+b, or an error wrapping ErrOverflow if the sum does not
// fit in a Fen.
func Add(a, b Fen) (Fen, error) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, fmt.Errorf("money: %s + %s: %w", a, b, ErrOverflow)
	}
	return s, nil
}

// Sub returns a-b, or an error wrapping ErrOverflow if the difference does
// not fit in a Fen.
func Sub(a, b Fen) (Fen, error) {
	d := a - b
	if (b > 0 && d > a) || (b < 0 && d < a) {
		return 0, fmt.Errorf("money: %s - %s: %w", a, b, ErrOverflow)
	}
	return d, nil
}

// MulInt returns a*n, or an error wrapping ErrOverflow if the product does
// not fit in a Fen.
func MulInt(a Fen, n int64) (Fen, error) {
	if a == 0 || n == 0 {
		return 0, nil
	}
	p := int64(a) * n
	if (int64(a) == -1 && n == math.MinInt64) || (n == -1 && a == math.MinInt64) || p/n != int64(a) {
		return 0, fmt.Errorf("money: %s × %d: %w", a, n, ErrOverflow)
	}
	return Fen(p), nil
}

// RoundMode selects how MulRatio and Fen.Round round an inexact result.
// All modes operate on the absolute value, so rounding is symmetric around
// zero: for example -2.5 fen rounds half-up to -3 fen.
type RoundMode int

const (
	// RoundHalfUp rounds to the nearest fen; exact halves are rounded away
	// from zero.
	RoundHalfUp RoundMode = iota
	// RoundDown truncates to whole fen toward zero.
	RoundDown
	// RoundUp rounds to whole fen away from zero.
	RoundUp
	// RoundToYuanHalfUp rounds to the nearest whole yuan (a multiple of 100
	// fen); exact halves (50 fen) are rounded away from zero.
	RoundToYuanHalfUp
	// RoundToYuanUp rounds to a whole yuan away from zero.
	RoundToYuanUp
	// RoundToYuanDown truncates to a whole yuan toward zero.
	RoundToYuanDown
)

// String returns the Go name of the rounding mode, such as "RoundHalfUp".
func (m RoundMode) String() string {
	switch m {
	case RoundHalfUp:
		return "RoundHalfUp"
	case RoundDown:
		return "RoundDown"
	case RoundUp:
		return "RoundUp"
	case RoundToYuanHalfUp:
		return "RoundToYuanHalfUp"
	case RoundToYuanUp:
		return "RoundToYuanUp"
	case RoundToYuanDown:
		return "RoundToYuanDown"
	}
	return fmt.Sprintf("RoundMode(%d)", int(m))
}

// toYuan reports whether m rounds to whole yuan rather than whole fen.
func (m RoundMode) toYuan() bool {
	return m == RoundToYuanHalfUp || m == RoundToYuanUp || m == RoundToYuanDown
}

var bigMaxFen = big.NewInt(math.MaxInt64)
var bigMinFen = big.NewInt(math.MinInt64)

// mulRatio computes a*num/den rounded according to mode, exactly, using
// arbitrary precision. The result is returned as a big.Int so callers can
// check its range.
func mulRatio(a, num, den int64, mode RoundMode) (*big.Int, error) {
	if den == 0 {
		return nil, fmt.Errorf("money: ratio with zero denominator: %w", ErrInvalid)
	}
	switch mode {
	case RoundHalfUp, RoundDown, RoundUp, RoundToYuanHalfUp, RoundToYuanUp, RoundToYuanDown:
	default:
		return nil, fmt.Errorf("money: unknown rounding mode %d: %w", int(mode), ErrInvalid)
	}
	n := new(big.Int).Mul(big.NewInt(a), big.NewInt(num))
	d := big.NewInt(den)
	if mode.toYuan() {
		d.Mul(d, big.NewInt(100))
	}
	neg := n.Sign()*d.Sign() < 0
	n.Abs(n)
	d.Abs(d)
	q, r := new(big.Int).QuoRem(n, d, new(big.Int))
	if r.Sign() != 0 {
		up := false
		switch mode {
		case RoundUp, RoundToYuanUp:
			up = true
		case RoundHalfUp, RoundToYuanHalfUp:
			up = r.Lsh(r, 1).Cmp(d) >= 0
		}
		if up {
			q.Add(q, big.NewInt(1))
		}
	}
	if mode.toYuan() {
		q.Mul(q, big.NewInt(100))
	}
	if neg {
		q.Neg(q)
	}
	return q, nil
}

// MulRatio returns a×num/den rounded according to mode. Intermediate
// results are computed exactly, so a×num may exceed the int64 range as long
// as the final result fits. With one of the RoundToYuan modes the result is
// a whole number of yuan (a multiple of 100 fen).
//
// A zero den or an unknown mode gives an error wrapping ErrInvalid; a
// result outside the Fen range gives an error wrapping ErrOverflow.
func MulRatio(a Fen, num, den int64, mode RoundMode) (Fen, error) {
	q, err := mulRatio(int64(a), num, den, mode)
	if err != nil {
		return 0, err
	}
	if q.Cmp(bigMaxFen) > 0 || q.Cmp(bigMinFen) < 0 {
		return 0, fmt.Errorf("money: %s × %d / %d: %w", a, num, den, ErrOverflow)
	}
	return Fen(q.Int64()), nil
}

// Round rounds f to a whole number of yuan when mode is one of the
// RoundToYuan modes; for the fen-level modes (RoundHalfUp, RoundDown,
// RoundUp) f is already exact and is returned unchanged.
//
// Rounding away from zero can overflow only within one yuan of the int64
// limits; in that case Round falls back to truncating toward zero (as
// RoundToYuanDown), which always fits. Use MulRatio(f, 1, 1, mode) to get
// an error instead.
func (f Fen) Round(mode RoundMode) Fen {
	if !mode.toYuan() {
		return f
	}
	r, err := MulRatio(f, 1, 1, mode)
	if err != nil {
		r, _ = MulRatio(f, 1, 1, RoundToYuanDown)
	}
	return r
}

// Percent returns part/whole as a percentage with two decimal places, for
// example "62.50%" or "-12.35%". The value is computed with integer
// arithmetic in basis points, rounded half-up on the absolute value. If
// whole is zero, Percent returns "—" (an em dash).
func Percent(part, whole Fen) string {
	if whole == 0 {
		return "—"
	}
	bp, _ := mulRatio(int64(part), 10000, int64(whole), RoundHalfUp)
	var b strings.Builder
	if bp.Sign() < 0 {
		b.WriteByte('-')
		bp.Neg(bp)
	}
	ip, fp := new(big.Int).QuoRem(bp, big.NewInt(100), new(big.Int))
	fmt.Fprintf(&b, "%s.%02d%%", ip, fp.Int64())
	return b.String()
}
