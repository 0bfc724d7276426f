package money

import "strings"

var upperDigits = [10]string{"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"}

// upperUnits are the in-section units for the thousands, hundreds, tens and
// ones positions of a four-digit section.
var upperUnits = [4]string{"仟", "佰", "拾", ""}

// Upper returns the Chinese uppercase (大写) form of f as written on
// payment vouchers, following the People's Bank of China rules in
// 《支付结算办法》 (正确填写票据和结算凭证的基本规定). Exactly one canonical
// form is produced:
//
//   - Digits are 零壹贰叁肆伍陆柒捌玖 and units 拾佰仟万亿; a leading ten is
//     written "壹拾" (10 → "壹拾元整").
//   - Large amounts use the 万/亿 scheme recursively: 10^12 yuan is
//     "壹万亿", 10^16 yuan is "壹亿亿".
//   - A run of zeros inside the integer part, including an all-zero 万 or
//     亿 section followed by non-zero digits, is written as a single "零"
//     (1010 → "壹仟零壹拾", 1000010 → "壹佰万零壹拾"); trailing zeros are
//     not written.
//   - An amount with no jiao and no fen ends in "元整" ("零元整" for zero).
//     When jiao is non-zero and fen is zero there is no "整"
//     (1409.50 → "壹仟肆佰零玖元伍角").
//   - When jiao is zero and fen is non-zero, "零" follows "元"
//     (1.01 → "壹元零壹分").
//   - When the yuan digit is zero and both jiao and fen are non-zero, "零"
//     follows "元" (1680.32 → "壹仟陆佰捌拾元零叁角贰分", PBoC's own
//     example); when fen is zero it is omitted (10.10 → "壹拾元壹角").
//   - Amounts below one yuan have no "元" (0.05 → "伍分", 0.56 → "伍角陆分").
//   - Negative amounts are prefixed with "负".
//
// Every Fen value, including math.MinInt64, has an uppercase form; the
// error result is always nil and exists so that callers treat the
// conversion as fallible should the rules ever need to reject amounts.
func Upper(f Fen) (string, error) {
	u := f.magnitude()
	yuan, jiao, fen := u/100, (u/10)%10, u%10

	var b strings.Builder
	if f < 0 {
		b.WriteString("负")
	}
	if yuan == 0 {
		if jiao == 0 && fen == 0 {
			b.WriteString("零元整")
			return b.String(), nil
		}
	} else {
		writeUpperInt(&b, yuan)
		b.WriteString("元")
		switch {
		case jiao == 0 && fen == 0:
			b.WriteString("整")
			return b.String(), nil
		case jiao == 0:
			b.WriteString("零")
		case fen != 0 && yuan%10 == 0:
			b.WriteString("零")
		}
	}
	if jiao != 0 {
		b.WriteString(upperDigits[jiao])
		b.WriteString("角")
	}
	if fen != 0 {
		b.WriteString(upperDigits[fen])
		b.WriteString("分")
	}
	return b.String(), nil
}

// writeUpperInt writes the uppercase form of n > 0 without leading zero
// characters.
func writeUpperInt(b *strings.Builder, n uint64) {
	const yi = 100000000
	const wan = 10000
	switch {
	case n >= yi:
		high, low := n/yi, n%yi
		writeUpperInt(b, high)
		b.WriteString("亿")
		if low != 0 {
			if low < yi/10 {
				b.WriteString("零")
			}
			writeUpperInt(b, low)
		}
	case n >= wan:
		high, low := n/wan, n%wan
		writeUpperSection(b, high)
		b.WriteString("万")
		if low != 0 {
			if low < wan/10 {
				b.WriteString("零")
			}
			writeUpperSection(b, low)
		}
	default:
		writeUpperSection(b, n)
	}
}

// writeUpperSection writes a four-digit section 0 < n < 10000, skipping
// leading zeros, collapsing inner zero runs into one "零" and omitting
// trailing zeros.
func writeUpperSection(b *strings.Builder, n uint64) {
	digits := [4]uint64{n / 1000, (n / 100) % 10, (n / 10) % 10, n % 10}
	started, pendingZero := false, false
	for i, d := range digits {
		if d == 0 {
			if started {
				pendingZero = true
			}
			continue
		}
		if pendingZero {
			b.WriteString("零")
			pendingZero = false
		}
		started = true
		b.WriteString(upperDigits[d])
		b.WriteString(upperUnits[i])
	}
}
