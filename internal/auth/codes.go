package auth

import (
	"onepool/internal/errs"
	"onepool/internal/place"
)

// CheckNewCode is the rule that makes "already used" reveal nothing when a
// record with a unique code (a household, a project) is created: the code
// space is scoped by place.
//
//   - A user below the county (a township officer, a village cadre) creates
//     codes that begin with the division code of their place, as their
//     subtree's prefix (township 990101001…, village 990101001001…).
//   - Anyone's code that begins with nine or more digits begins with the
//     prefix of the record's own township (and, with twelve, its village),
//     so a code carrying a division prefix always lies in that place.
//
// Together: every existing record whose code a below-county user may
// type lies in their own subtree, so a clash names only a record they
// already see. County users see the whole county; their clashes tell
// nothing either. Errors: Invalid (code_outside_area, code_place_mismatch).
func CheckNewCode(p Principal, code string, pl place.Code) error {
	if pre := p.Prefix(); len(pre) > 6 && !hasPrefix(code, pre) {
		return errs.F(errs.Invalid, "code_outside_area", "code", "a code you create begins with %s, the division code of your area", pre)
	}
	digits := 0
	for digits < len(code) && digits < 12 && code[digits] >= '0' && code[digits] <= '9' {
		digits++
	}
	s := string(pl)
	if digits >= 9 && len(s) == 12 && code[:9] != s[:9] || digits >= 12 && len(s) == 12 && pl.Level() == place.Village && code[:12] != s {
		return errs.F(errs.Invalid, "code_place_mismatch", "code", "a code that begins with a division code begins with its own place's (%s)", place.Code(s).Prefix())
	}
	return nil
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }
