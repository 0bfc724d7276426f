package ident

import (
	"regexp"
	"strings"
)

// maskKeep returns s with all but the first head and last tail runes
// replaced by stars (one star per rune, or exactly fixedStars stars when
// fixedStars > 0). If s has fewer than minLen runes, every rune is replaced
// by a star.
func maskKeep(s string, head, tail, minLen, fixedStars int) string {
	rs := []rune(s)
	n := len(rs)
	if n < minLen || n < head+tail+1 {
		return strings.Repeat("*", n)
	}
	stars := n - head - tail
	if fixedStars > 0 {
		stars = fixedStars
	}
	return string(rs[:head]) + strings.Repeat("*", stars) + string(rs[n-tail:])
}

// MaskResidentID masks a resident ID, keeping the first 3 characters (the
// province and the first digit of the prefecture) and the last 2 (the last
// sequence digit, which tells the sex, and the check character), with one
// '*' per hidden character: "11010519491231002X" → "110*************2X".
// Inputs shorter than 11 characters are replaced entirely by stars of the
// same length.
//
// The mask hides every birth-date digit (7–14), so that a page showing
// it beside the birth year (or the age) still leaves the month and day
// (≈ 365) and two sequence digits (100) unknown: even to someone who knows
// the full region code (it is mostly the county's), about 36,500
// combinations of which the check character keeps one in eleven — some
// 3,300 candidate IDs (≈ 11.7 bits), none preferred. The earlier 6 + 4
// mask with the birth date beside it was the whole ID.
func MaskResidentID(s string) string {
	return maskKeep(s, 3, 2, 11, 0)
}

// legacyIDMask is the earlier 6 + 4 form of a masked resident ID.
var legacyIDMask = regexp.MustCompile(`\b([0-9]{3})[0-9]{3}\*{8}[0-9]{2}([0-9][0-9Xx])\b`)

// RemaskLegacyIDs rewrites masked resident IDs of the earlier 6 + 4 form
// ("110105********002X") found in text to the current form
// ("110*************2X"): records written before the change (the
// append-only audit log) keep the old form, and shown beside a birth year
// it would narrow the ID to a few dozen candidates.
func RemaskLegacyIDs(text string) string {
	return legacyIDMask.ReplaceAllString(text, "$1"+strings.Repeat("*", 13)+"$2")
}

// MaskBankCard masks a bank card number: the number is normalized with
// NormalizeBankCard, then the first 4 and last 4 digits are kept around
// exactly four stars, so "6222 0212 3456 7890 123" → "6222****0123".
// Normalized inputs shorter than 12 characters are replaced entirely by
// stars of the same length.
func MaskBankCard(s string) string {
	return maskKeep(NormalizeBankCard(s), 4, 4, 12, 4)
}

// MaskPhone masks a phone number, keeping the first 3 and last 4
// characters with one '*' per hidden character: "13812345678" →
// "138****5678". Inputs shorter than 11 characters are replaced entirely by
// stars of the same length.
func MaskPhone(s string) string {
	return maskKeep(s, 3, 4, 11, 0)
}

// compoundSurnames are common two-character Chinese surnames kept intact
// by MaskName.
var compoundSurnames = []string{
	"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙",
	"慕容", "长孙", "宇文", "司徒", "夏侯", "轩辕", "令狐", "端木",
}

// MaskName masks a personal name, keeping the surname and replacing each
// remaining character with '*': "张三丰" → "张**", "欧阳娜娜" → "欧阳**".
// A name of three or more characters that starts with a common compound
// surname (欧阳, 司马, 诸葛, …) keeps both surname characters; a
// two-character name always keeps only its first character ("欧阳" →
// "欧*"). Surrounding white space is trimmed, and a single-character name
// is returned unchanged.
func MaskName(s string) string {
	rs := []rune(strings.TrimSpace(s))
	if len(rs) <= 1 {
		return string(rs)
	}
	keep := 1
	if len(rs) >= 3 {
		for _, cs := range compoundSurnames {
			if strings.HasPrefix(string(rs), cs) {
				keep = 2
				break
			}
		}
	}
	return string(rs[:keep]) + strings.Repeat("*", len(rs)-keep)
}
