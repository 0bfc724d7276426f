package ident

import "strings"

// ScanPersonalData returns the unmasked personal data found in text, in
// order of appearance, one entry per occurrence. It looks at maximal runs
// of ASCII digits, so a match is never part of a longer digit run:
//
//   - a resident-ID shape: 18 digits, or 17 digits directly followed by 'X'
//     or 'x' (the letter is included in the finding);
//   - a bank-card shape: any other run of 16 to 19 digits;
//   - a mobile number: a run of exactly 11 digits starting with 13–19.
//
// Only the shape is checked, not checksums, so the result errs on the side
// of reporting. Numbers split by spaces or hyphens, and full-width digits,
// are not detected. It is intended for tests asserting that rendered pages
// and exports contain no unmasked personal data.
func ScanPersonalData(text string) []string {
	var found []string
	for i := 0; i < len(text); {
		if !isDigit(text[i]) {
			i++
			continue
		}
		start := i
		for i < len(text) && isDigit(text[i]) {
			i++
		}
		run := i - start
		switch {
		case run == 17 && i < len(text) && (text[i] == 'X' || text[i] == 'x'):
			i++
			found = append(found, text[start:i])
		case run >= 16 && run <= 19:
			found = append(found, text[start:i])
		case run == 11 && text[start] == '1' && text[start+1] >= '3':
			found = append(found, text[start:i])
		}
	}
	return found
}

// Scrub masks every piece of personal data ScanPersonalData would report
// in free text (a memo, an account name): resident IDs with
// MaskResidentID, card numbers with MaskBankCard, mobiles with MaskPhone.
// Public pages and exports pass free text through it, so a number typed
// into a memo never leaves unmasked.
func Scrub(text string) string {
	found := ScanPersonalData(text)
	if len(found) == 0 {
		return text
	}
	var b strings.Builder
	rest := text
	for _, f := range found {
		i := strings.Index(rest, f)
		b.WriteString(rest[:i])
		switch {
		case len(f) == 18:
			b.WriteString(MaskResidentID(f))
		case len(f) == 11:
			b.WriteString(MaskPhone(f))
		default:
			b.WriteString(MaskBankCard(f))
		}
		rest = rest[i+len(f):]
	}
	b.WriteString(rest)
	return b.String()
}
