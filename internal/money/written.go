package money

import (
	"strings"

	"golang.org/x/text/width"
)

// units are the written units ParseWritten accepts after a number, with
// the power of ten of yuan they stand for.
var units = []struct {
	suffix string
	scale  int
}{{"万元", 4}, {"亿元", 8}, {"万", 4}, {"亿", 8}, {"元", 0}}

// WrittenForms names the forms ParseWritten accepts (for notes and
// messages).
const WrittenForms = "500000, 500,000.00, 500,000.00元, ￥1,000, 12万, 12万元, 1.5万元"

// ParseWritten parses an amount as county staff write it in a
// spreadsheet, in fen: what Parse accepts, and also full-width digits and
// punctuation (１２，０００．００), a leading ¥/￥/RMB/CNY, and a unit 元,
// 万/万元 (× 10,000) or 亿/亿元 (× 100,000,000), with white space between
// the parts. The result is exact: 1.5万 is 15,000.00 yuan; an amount with
// more than two decimals of yuan after the unit is applied (1.234567万) is
// refused, never rounded. Errors wrap ErrInvalid (and ErrOverflow).
//
// Parse stays the strict reader of API amounts and of forms.
func ParseWritten(s string) (Fen, error) {
	t := strings.TrimSpace(width.Narrow.String(s))
	scale := 0
	for _, u := range units {
		if v, ok := strings.CutSuffix(t, u.suffix); ok {
			t, scale = strings.TrimSpace(v), u.scale
			break
		}
	}
	sign := ""
	if t != "" && (t[0] == '-' || t[0] == '+') {
		sign, t = t[:1], strings.TrimSpace(t[1:])
	}
	for _, c := range []string{"¥", "RMB", "CNY"} {
		if len(t) >= len(c) && strings.EqualFold(t[:len(c)], c) {
			t = strings.TrimSpace(t[len(c):])
			break
		}
	}
	if sign == "" && t != "" && (t[0] == '-' || t[0] == '+') {
		sign, t = t[:1], t[1:] // ¥-100
	}
	fail := func(reason string) (Fen, error) { return 0, &parseError{input: s, reason: reason} }
	if t == "" {
		return fail("empty")
	}
	if scale > 0 {
		intPart, frac, _ := strings.Cut(t, ".")
		if strings.Contains(frac, ".") {
			return fail("more than one decimal point")
		}
		if intPart == "" {
			return fail("no digits before the decimal point")
		}
		digits, reason := stripGrouping(intPart)
		if reason != "" {
			return fail(reason)
		}
		for i := 0; i < len(frac); i++ {
			if !isDigit(frac[i]) {
				return fail("unexpected character in decimals")
			}
		}
		if len(frac) > scale+2 {
			return fail("more than two decimals of yuan")
		}
		// Move the point scale places right.
		shift := frac + strings.Repeat("0", max(0, scale-len(frac)))
		digits += shift[:scale]
		rest := shift[scale:]
		digits = strings.TrimLeft(digits, "0")
		if digits == "" {
			digits = "0"
		}
		t = digits
		if rest != "" {
			t += "." + rest
		}
	}
	f, err := Parse(sign + t)
	if err != nil {
		pe, _ := err.(*parseError)
		if pe != nil {
			return 0, &parseError{input: s, reason: pe.reason, overflow: pe.overflow}
		}
		return 0, err
	}
	return f, nil
}
