package money

import (
	"math"
	"strings"
	"testing"
)

func TestUpper(t *testing.T) {
	tests := []struct {
		yuan string // parsed with Parse
		want string
	}{
		// Required outputs.
		{"1409.50", "壹仟肆佰零玖元伍角"},
		{"6007.14", "陆仟零柒元壹角肆分"},
		{"16409.02", "壹万陆仟肆佰零玖元零贰分"},
		{"100", "壹佰元整"},
		{"0", "零元整"},
		{"0.05", "伍分"},
		{"0.50", "伍角"},
		{"1.00", "壹元整"},
		{"10", "壹拾元整"},
		{"1010", "壹仟零壹拾元整"},
		{"100000", "壹拾万元整"},
		{"1000010", "壹佰万零壹拾元整"},
		{"100000000", "壹亿元整"},
		{"1001000000", "壹拾亿零壹佰万元整"},
		{"10.10", "壹拾元壹角"},
		{"1.01", "壹元零壹分"},
		{"12345678.90", "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角"},
		{"1680.32", "壹仟陆佰捌拾元零叁角贰分"},
		{"1,000,000,000,000", "壹万亿元整"},
		// PBoC examples.
		{"325.04", "叁佰贰拾伍元零肆分"},
		{"107000.53", "壹拾万柒仟元零伍角叁分"},
		{"1004.00", "壹仟零肆元整"},
		// Below one yuan.
		{"0.01", "壹分"},
		{"0.10", "壹角"},
		{"0.56", "伍角陆分"},
		{"0.99", "玖角玖分"},
		// Small integers and tens.
		{"1", "壹元整"},
		{"9", "玖元整"},
		{"11", "壹拾壹元整"},
		{"19", "壹拾玖元整"},
		{"20", "贰拾元整"},
		{"101", "壹佰零壹元整"},
		{"110", "壹佰壹拾元整"},
		{"1001", "壹仟零壹元整"},
		{"1100", "壹仟壹佰元整"},
		{"9999", "玖仟玖佰玖拾玖元整"},
		// Jiao/fen combinations with integer part.
		{"1.10", "壹元壹角"},
		{"1.11", "壹元壹角壹分"},
		{"20.05", "贰拾元零伍分"},
		{"20.50", "贰拾元伍角"},
		{"20.55", "贰拾元零伍角伍分"},
		{"25.55", "贰拾伍元伍角伍分"},
		// 万 section.
		{"10000", "壹万元整"},
		{"10001", "壹万零壹元整"},
		{"10010", "壹万零壹拾元整"},
		{"10100", "壹万零壹佰元整"},
		{"11000", "壹万壹仟元整"},
		{"100001", "壹拾万零壹元整"},
		{"110000", "壹拾壹万元整"},
		{"1010000", "壹佰零壹万元整"},
		{"10010000", "壹仟零壹万元整"},
		{"10001000", "壹仟万壹仟元整"},
		{"10000100", "壹仟万零壹佰元整"},
		{"99999999", "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元整"},
		// 亿 section.
		{"100000001", "壹亿零壹元整"},
		{"100010000", "壹亿零壹万元整"},
		{"110000000", "壹亿壹仟万元整"},
		{"101000000", "壹亿零壹佰万元整"},
		{"1000000000", "壹拾亿元整"},
		{"1234567890.12", "壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾元零壹角贰分"},
		{"10000000000", "壹佰亿元整"},
		{"100000000000", "壹仟亿元整"},
		{"1000000000000", "壹万亿元整"},
		{"1000100000000", "壹万零壹亿元整"},
		{"1000000050000", "壹万亿零伍万元整"},
		{"1000000000001", "壹万亿零壹元整"},
		{"1200300004005", "壹万贰仟零叁亿零肆仟零伍元整"},
		{"10000000000000000", "壹亿亿元整"},
		// Negative amounts.
		{"-0.05", "负伍分"},
		{"-1409.50", "负壹仟肆佰零玖元伍角"},
		{"-100", "负壹佰元整"},
	}
	for _, tt := range tests {
		f, err := Parse(tt.yuan)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.yuan, err)
		}
		got, err := Upper(f)
		if err != nil {
			t.Errorf("Upper(%s) error: %v", tt.yuan, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Upper(%s) = %q, want %q", tt.yuan, got, tt.want)
		}
	}
}

func TestUpperLimits(t *testing.T) {
	tests := []struct {
		f    Fen
		want string
	}{
		{math.MaxInt64, "玖亿贰仟贰佰叁拾叁万柒仟贰佰零叁亿陆仟捌佰伍拾肆万柒仟柒佰伍拾捌元零柒分"},
		{math.MinInt64, "负玖亿贰仟贰佰叁拾叁万柒仟贰佰零叁亿陆仟捌佰伍拾肆万柒仟柒佰伍拾捌元零捌分"},
	}
	for _, tt := range tests {
		got, err := Upper(tt.f)
		if err != nil || got != tt.want {
			t.Errorf("Upper(%d) = %q, %v; want %q", int64(tt.f), got, err, tt.want)
		}
	}
}

// TestUpperInvariants checks structural properties over a range of amounts:
// no doubled or dangling 零, no 零 before a unit, and the 整 rule.
func TestUpperInvariants(t *testing.T) {
	amounts := []Fen{}
	for i := Fen(0); i < 20000; i += 7 {
		amounts = append(amounts, i)
	}
	for _, base := range []Fen{1e6, 1e8, 1e10, 1e12, 1e14, 1e16, 1e18} {
		for _, off := range []Fen{0, 1, 10, 100, 1000, 10000, 100000, 1000000, 1e7, 1e8} {
			amounts = append(amounts, base+off, base*3+off*7, base*5+off*91)
		}
	}
	for _, f := range amounts {
		s, err := Upper(f)
		if err != nil {
			t.Fatalf("Upper(%d): %v", int64(f), err)
		}
		if strings.Contains(s, "零零") {
			t.Errorf("Upper(%d) = %q contains 零零", int64(f), s)
		}
		if f != 0 && (strings.HasPrefix(s, "零") || strings.HasSuffix(s, "零")) {
			t.Errorf("Upper(%d) = %q has a leading or trailing 零", int64(f), s)
		}
		for _, unit := range []string{"零拾", "零佰", "零仟", "零万", "零亿", "零元", "零角", "零分", "亿万", "零整"} {
			if f != 0 && strings.Contains(s, unit) {
				t.Errorf("Upper(%d) = %q contains %q", int64(f), s, unit)
			}
		}
		if wantZheng := f%10 == 0 && (f/10)%10 == 0; strings.HasSuffix(s, "整") != wantZheng {
			t.Errorf("Upper(%d) = %q: 整 suffix = %v, want %v", int64(f), s, !wantZheng, wantZheng)
		}
		if hasYuan := f >= 100 || f == 0; strings.Contains(s, "元") != hasYuan {
			t.Errorf("Upper(%d) = %q: contains 元 = %v, want %v", int64(f), s, !hasYuan, hasYuan)
		}
		neg, err := Upper(-f)
		if err != nil || (f != 0 && neg != "负"+s) {
			t.Errorf("Upper(%d) = %q, want 负%s", -int64(f), neg, s)
		}
	}
}
