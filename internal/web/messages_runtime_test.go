package web

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/place"
)

// verbsOnly is a format that is nothing but verbs ("%v", "%s: %s"): a
// refusal built at run time from another error's English text, which the
// catalogue cannot say in Chinese (it falls back to the code's generic
// sentence).
var verbsOnly = regexp.MustCompile(`^[\s:：]*(%[-+# 0-9.]*[vsqw][\s:：]*)+$`)

// No refusal of the source is built at run time: every errs.F / errs.E /
// table Fail has a format of its own words.
func TestNoRefusalBuiltAtRunTime(t *testing.T) {
	var bad []string
	for _, r := range literalRefusals(t) {
		if verbsOnly.MatchString(r.format) {
			bad = append(bad, r.pos+": "+strconv.Quote(r.format))
		}
	}
	if len(bad) > 0 {
		t.Errorf("refusals whose format is only verbs (give each its own sentence and its Chinese):\n%s", strings.Join(bad, "\n"))
	}
}

// The refusals once built at run time say in Chinese what was typed, in
// their own sentence, not the code's generic one.
func TestRuntimeRefusalsInChinese(t *testing.T) {
	_, placeErr := place.NewTree([]place.Node{{Code: "990101001000", Name: "清溪镇", Parent: "990101000000"}})
	format, args, ok := place.Explain(placeErr)
	if !ok {
		t.Fatalf("place.Explain(%v) says nothing", placeErr)
	}
	_, _, accountErr := ledger.New(nil, nil).OpenAccountsTx(t.Context(), nil, "990101", []ledger.NewAccount{{Code: "ent:x", Kind: ledger.Entity, Name: "x", Place: "99010A"}})
	for _, c := range []struct {
		err  error
		want []string
	}{
		{mustFail(parseAmount("amount", "12..5")), []string{"12..5", "最多两位小数"}},
		{mustFail(parseAmount("amount", "99999999999999999999")), []string{"99999999999999999999", "过大"}},
		{mustFail(parseAmount("income", "1,2345")), []string{"1,2345", "不是有效金额"}},
		{mustFail(parsePlace("place", "99x")), []string{"99x", "行政区划代码"}},
		{errs.F(errs.Invalid, "invalid_place", "file", format, args...), []string{"990101001000", "990101000000", "上级"}},
		{accountErr, []string{"99010A", "行政区划代码"}},
		{jsonError(mustFail(decodeAmount(`"1.234"`))), []string{"1.234", "最多两位小数"}},
		{jsonError(mustFail(decodeAmount(`12`))), []string{"12.34", "12"}},
	} {
		e, ok := errs.As(c.err)
		if !ok {
			t.Errorf("%v is no refusal", c.err)
			continue
		}
		zh := zhMessage(e)
		if zh == codeZh(e.Kind, e.Code) {
			t.Errorf("%q says only the generic %q", e.Message, zh)
		}
		for _, w := range c.want {
			if !strings.Contains(zh, w) {
				t.Errorf("%q in Chinese is %q: no %q", e.Message, zh, w)
			}
		}
	}
}

func mustFail[T any](_ T, err error) error { return err }

func decodeAmount(s string) (Amount, error) {
	var a Amount
	return a, a.UnmarshalJSON([]byte(s))
}
