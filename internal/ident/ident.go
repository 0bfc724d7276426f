// Package ident validates and masks Chinese personal and organisational
// identifiers: resident identity card numbers (GB 11643-1999), unified
// social credit codes (GB 32100-2015), bank card numbers and mobile phone
// numbers. It also scans text for personal data that should have been
// masked.
package ident

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// ErrInvalid is the sentinel wrapped by every validation error in this
// package. Test for it with errors.Is.
var ErrInvalid = errors.New("invalid identifier")

// invalidError wraps ErrInvalid with the kind of identifier and the reason
// it was rejected.
type invalidError struct{ kind, reason string }

func (e *invalidError) Error() string {
	return "ident: invalid " + e.kind + ": " + e.reason
}

func (e *invalidError) Unwrap() error { return ErrInvalid }

// now returns the current time; tests replace it.
var now = time.Now

// residentIDWeights are the ISO 7064 MOD 11-2 weights (2^(17-i) mod 11)
// for the first 17 digits of a resident ID.
var residentIDWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// residentIDCheck maps the weighted sum modulo 11 to the check character.
const residentIDCheck = "10X98765432"

// NormalizeResidentID trims surrounding white space and upper-cases a
// trailing check character 'x'. It does not validate the result.
func NormalizeResidentID(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// ValidateResidentID checks an 18-character resident identity card number
// (GB 11643-1999): 17 digits followed by a check digit or 'X' (a lower-case
// 'x' is accepted). Digits 7–14 must form a real calendar date YYYYMMDD
// with year 1900 or later and not in the future, and the check character
// must match the ISO 7064 MOD 11-2 checksum. The input is not trimmed; use
// NormalizeResidentID first for user input.
//
// The error wraps ErrInvalid and names the reason: length, characters,
// birth date or checksum.
func ValidateResidentID(s string) error {
	_, err := parseResidentID(s)
	return err
}

// ResidentIDBirth validates s like ValidateResidentID and returns the
// holder's date of birth as midnight UTC of that calendar day.
func ResidentIDBirth(s string) (time.Time, error) {
	return parseResidentID(s)
}

func parseResidentID(s string) (time.Time, error) {
	fail := func(format string, args ...any) (time.Time, error) {
		return time.Time{}, &invalidError{kind: "resident ID", reason: fmt.Sprintf(format, args...)}
	}
	rs := []rune(s)
	if len(rs) != 18 {
		return fail("length: want 18 characters, got %d", len(rs))
	}
	for i, r := range rs[:17] {
		if r < '0' || r > '9' {
			return fail("characters: character %d is %q, want a digit", i+1, r)
		}
	}
	if r := rs[17]; (r < '0' || r > '9') && r != 'X' && r != 'x' {
		return fail("characters: check character is %q, want a digit or X", r)
	}
	// s is now known to be 18 ASCII bytes.
	last := s[17]
	if last == 'x' {
		last = 'X'
	}

	y, m, d := atoi(s[6:10]), atoi(s[10:12]), atoi(s[12:14])
	birth := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if y < 1900 || birth.Year() != y || int(birth.Month()) != m || birth.Day() != d {
		return fail("birth date: %s is not a valid date", s[6:14])
	}
	// Allow one day of slack so that time zones never reject a baby born
	// today.
	if birth.After(now().UTC().AddDate(0, 0, 1)) {
		return fail("birth date: %s is in the future", s[6:14])
	}

	sum := 0
	for i, w := range residentIDWeights {
		sum += int(s[i]-'0') * w
	}
	if want := residentIDCheck[sum%11]; last != want {
		return fail("checksum: check character is %q, want %q", rune(s[17]), rune(want))
	}
	return birth, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// ResidentIDCheckChar is the GB 11643 check character of the first 17
// digits of a resident ID (for systems that issue or test IDs; ValidateResidentID
// checks a whole one).
func ResidentIDCheckChar(body17 string) byte {
	sum := 0
	for i, w := range residentIDWeights {
		if i < len(body17) {
			sum += int(body17[i]-'0') * w
		}
	}
	return residentIDCheck[sum%11]
}

// LuhnDigit is the Luhn check digit to append to a card number's body.
func LuhnDigit(body string) byte {
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// atoi converts a short all-digit string to an int.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// usccCharset is the GB 32100-2015 code alphabet; a character's index is
// its numeric value. I, O, Z, S and V are not used.
const usccCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are the weights (3^i mod 31) of the first 17 characters.
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// NormalizeUSCC trims surrounding white space and upper-cases s. It does
// not validate the result.
func NormalizeUSCC(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// ValidateUSCC checks an 18-character unified social credit code
// (统一社会信用代码, GB 32100-2015). Every character must belong to the
// alphabet 0-9 plus upper-case letters excluding I, O, Z, S and V, and the
// last character must equal the check character 31 − (Σ value×weight mod
// 31), with 31 written as '0'. The input is not trimmed or upper-cased;
// use NormalizeUSCC first for user input.
//
// The error wraps ErrInvalid and names the reason.
func ValidateUSCC(s string) error {
	fail := func(format string, args ...any) error {
		return &invalidError{kind: "unified social credit code", reason: fmt.Sprintf(format, args...)}
	}
	rs := []rune(s)
	if len(rs) != 18 {
		return fail("length: want 18 characters, got %d", len(rs))
	}
	sum := 0
	for i, r := range rs {
		v := strings.IndexRune(usccCharset, r)
		if v < 0 {
			return fail("characters: character %d is %q, not in the code alphabet", i+1, r)
		}
		if i < 17 {
			sum += v * usccWeights[i]
		}
	}
	check := (31 - sum%31) % 31
	if want := usccCharset[check]; s[17] != want {
		return fail("checksum: check character is %q, want %q", rune(s[17]), rune(want))
	}
	return nil
}

// NormalizeBankCard removes white space (including full-width spaces) and
// hyphens from a bank card number. It does not validate the result.
func NormalizeBankCard(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// LuhnValid reports whether card, after NormalizeBankCard, is a non-empty
// string of ASCII digits that passes the Luhn (mod 10) check.
func LuhnValid(card string) bool {
	card = NormalizeBankCard(card)
	if card == "" {
		return false
	}
	sum := 0
	double := false
	for i := len(card) - 1; i >= 0; i-- {
		c := card[i]
		if !isDigit(c) {
			return false
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// LuhnWarning is the warning ValidateBankCard returns for a card number of
// plausible shape that fails the Luhn check.
const LuhnWarning = "bank card number fails the Luhn check; please double-check it"

// ValidateBankCard checks a bank card number. After NormalizeBankCard it
// must consist of 12 to 19 ASCII digits, otherwise err wraps ErrInvalid.
// A number that fails the Luhn check is not rejected, because many Chinese
// bank cards (particularly older debit cards) do not carry a Luhn check
// digit; instead warning is set to LuhnWarning. Otherwise warning is "".
func ValidateBankCard(s string) (warning string, err error) {
	fail := func(format string, args ...any) (string, error) {
		return "", &invalidError{kind: "bank card number", reason: fmt.Sprintf(format, args...)}
	}
	card := NormalizeBankCard(s)
	pos := 0
	for _, r := range card {
		pos++
		if r < '0' || r > '9' {
			return fail("characters: character %d is %q, want a digit", pos, r)
		}
	}
	if n := len(card); n < 12 || n > 19 {
		return fail("length: want 12 to 19 digits, got %d", n)
	}
	if !LuhnValid(card) {
		return LuhnWarning, nil
	}
	return "", nil
}
