package money

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Fen
	}{
		{"0", 0},
		{"0.00", 0},
		{"-0", 0},
		{"0.05", 5},
		{"0.5", 50},
		{"1", 100},
		{"100", 10000},
		{"1234.56", 123456},
		{"1,234.56", 123456},
		{"1,234,567.89", 123456789},
		{"999,999", 99999900},
		{"12,345", 1234500},
		{"-12.3", -1230},
		{"+12.30", 1230},
		{"-1,000.01", -100001},
		{"  42.1  ", 4210},
		{"\t-7\n", -700},
		{"100元", 10000},
		{"100 元", 10000},
		{" 1,234.50元 ", 123450},
		{"-0.01", -1},
		{"007", 700},
		{"92233720368547758.07", math.MaxInt64},
		{"-92233720368547758.08", math.MinInt64},
		{"92,233,720,368,547,758.07", math.MaxInt64},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q) error: %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in       string
		msg      string // substring expected in the error message
		overflow bool
	}{
		{"", "empty", false},
		{"   ", "empty", false},
		{"元", "empty", false},
		{"abc", "unexpected character", false},
		{"12a", "unexpected character", false},
		{"1.2.3", "more than one decimal point", false},
		{"1.234", "too many decimal places", false},
		{"0.001", "too many decimal places", false},
		{"1.2a", "unexpected character", false},
		{"1.-2", "unexpected character", false},
		{".5", "no digits before", false},
		{"5.", "no digits after", false},
		{"-", "sign without digits", false},
		{"+", "sign without digits", false},
		{"--1", "unexpected character", false},
		{"+-1", "unexpected character", false},
		{"- 1", "unexpected character", false},
		{"1 000", "unexpected character", false},
		{"12,34", "misplaced thousands separator", false},
		{"1,2345", "misplaced thousands separator", false},
		{"1234,567", "misplaced thousands separator", false},
		{",123", "misplaced thousands separator", false},
		{"123,", "misplaced thousands separator", false},
		{"1,,234", "misplaced thousands separator", false},
		{"0,123", "leading zero", false},
		{"1,234.5,6", "unexpected character", false},
		{"１２３", "unexpected character", false},
		{"1e3", "unexpected character", false},
		{"NaN", "unexpected character", false},
		{"100元元", "unexpected character", false},
		{"92233720368547758.08", "overflow", true},
		{"-92233720368547758.09", "overflow", true},
		{"100000000000000000000", "overflow", true},
		{"99999999999999999999999999.99", "overflow", true},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) = %d, want error", tt.in, got)
			continue
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q) error %v does not wrap ErrInvalid", tt.in, err)
		}
		if errors.Is(err, ErrOverflow) != tt.overflow {
			t.Errorf("Parse(%q) error %v: errors.Is(ErrOverflow) = %v, want %v", tt.in, err, !tt.overflow, tt.overflow)
		}
		if !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Parse(%q) error %q does not mention %q", tt.in, err, tt.msg)
		}
	}
}

func TestStringAndPlain(t *testing.T) {
	tests := []struct {
		f     Fen
		str   string
		plain string
	}{
		{0, "0.00", "0.00"},
		{1, "0.01", "0.01"},
		{5, "0.05", "0.05"},
		{50, "0.50", "0.50"},
		{-1, "-0.01", "-0.01"},
		{100, "1.00", "1.00"},
		{99999, "999.99", "999.99"},
		{100000, "1,000.00", "1000.00"},
		{123456, "1,234.56", "1234.56"},
		{-123456, "-1,234.56", "-1234.56"},
		{12345678, "123,456.78", "123456.78"},
		{123456789, "1,234,567.89", "1234567.89"},
		{100000000, "1,000,000.00", "1000000.00"},
		{math.MaxInt64, "92,233,720,368,547,758.07", "92233720368547758.07"},
		{math.MinInt64, "-92,233,720,368,547,758.08", "-92233720368547758.08"},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.str {
			t.Errorf("Fen(%d).String() = %q, want %q", int64(tt.f), got, tt.str)
		}
		if got := tt.f.Plain(); got != tt.plain {
			t.Errorf("Fen(%d).Plain() = %q, want %q", int64(tt.f), got, tt.plain)
		}
		// Both forms must round-trip through Parse.
		for _, s := range []string{tt.str, tt.plain} {
			back, err := Parse(s)
			if err != nil || back != tt.f {
				t.Errorf("Parse(%q) = %d, %v; want %d", s, back, err, int64(tt.f))
			}
		}
	}
}

func TestWan(t *testing.T) {
	tests := []struct {
		f    Fen
		want string
	}{
		{0, "0.00"},
		{123456789, "123.46"},
		{-123456789, "-123.46"},
		{1000000, "1.00"},
		{100000000, "100.00"},
		{4999, "0.00"},
		{5000, "0.01"},
		{-4999, "0.00"},
		{-5000, "-0.01"},
		{14999, "0.01"},
		{15000, "0.02"},
		{123450000, "123.45"},
		{123455000, "123.46"},
		{123454999, "123.45"},
		{100000000000, "100000.00"},
		{math.MaxInt64, "9223372036854.78"},
		{math.MinInt64, "-9223372036854.78"},
	}
	for _, tt := range tests {
		if got := tt.f.Wan(); got != tt.want {
			t.Errorf("Fen(%d).Wan() = %q, want %q", int64(tt.f), got, tt.want)
		}
	}
}

func TestAddSubMulInt(t *testing.T) {
	const maxF, minF = Fen(math.MaxInt64), Fen(math.MinInt64)
	addTests := []struct {
		a, b Fen
		want Fen
		ok   bool
	}{
		{1, 2, 3, true},
		{-5, 3, -2, true},
		{maxF, 0, maxF, true},
		{maxF, 1, 0, false},
		{maxF - 1, 1, maxF, true},
		{minF, -1, 0, false},
		{minF, 1, minF + 1, true},
		{maxF, minF, -1, true},
		{minF, minF, 0, false},
		{maxF, maxF, 0, false},
	}
	for _, tt := range addTests {
		got, err := Add(tt.a, tt.b)
		if tt.ok && (err != nil || got != tt.want) {
			t.Errorf("Add(%d, %d) = %d, %v; want %d", tt.a, tt.b, got, err, tt.want)
		}
		if !tt.ok && !errors.Is(err, ErrOverflow) {
			t.Errorf("Add(%d, %d) = %d, %v; want ErrOverflow", tt.a, tt.b, got, err)
		}
	}

	subTests := []struct {
		a, b Fen
		want Fen
		ok   bool
	}{
		{5, 3, 2, true},
		{3, 5, -2, true},
		{0, maxF, -maxF, true},
		{0, minF, 0, false},
		{-1, minF, maxF, true},
		{minF, 1, 0, false},
		{maxF, -1, 0, false},
		{minF, minF, 0, true},
		{maxF, maxF, 0, true},
		{-2, maxF, 0, false},
	}
	for _, tt := range subTests {
		got, err := Sub(tt.a, tt.b)
		if tt.ok && (err != nil || got != tt.want) {
			t.Errorf("Sub(%d, %d) = %d, %v; want %d", tt.a, tt.b, got, err, tt.want)
		}
		if !tt.ok && !errors.Is(err, ErrOverflow) {
			t.Errorf("Sub(%d, %d) = %d, %v; want ErrOverflow", tt.a, tt.b, got, err)
		}
	}

	mulTests := []struct {
		a    Fen
		n    int64
		want Fen
		ok   bool
	}{
		{123, 3, 369, true},
		{123, -3, -369, true},
		{0, math.MaxInt64, 0, true},
		{maxF, 0, 0, true},
		{maxF, 1, maxF, true},
		{maxF, -1, -maxF, true},
		{minF, 1, minF, true},
		{minF, -1, 0, false},
		{-1, math.MinInt64, 0, false},
		{1, math.MinInt64, minF, true},
		{maxF, 2, 0, false},
		{maxF/2 + 1, 2, 0, false},
		{maxF / 2, 2, maxF - 1, true},
		{1 << 32, 1 << 31, 0, false},
		{1 << 31, 1 << 31, 1 << 62, true},
		{-(1 << 31), 1 << 32, minF, true},
	}
	for _, tt := range mulTests {
		got, err := MulInt(tt.a, tt.n)
		if tt.ok && (err != nil || got != tt.want) {
			t.Errorf("MulInt(%d, %d) = %d, %v; want %d", tt.a, tt.n, got, err, tt.want)
		}
		if !tt.ok && !errors.Is(err, ErrOverflow) {
			t.Errorf("MulInt(%d, %d) = %d, %v; want ErrOverflow", tt.a, tt.n, got, err)
		}
	}
}

func TestMulRatio(t *testing.T) {
	tests := []struct {
		a        Fen
		num, den int64
		mode     RoundMode
		want     Fen
	}{
		// Exact results are unaffected by the mode.
		{1000, 1, 2, RoundHalfUp, 500},
		{1000, 1, 2, RoundDown, 500},
		{1000, 1, 2, RoundUp, 500},
		// 1000/3 = 333.33…
		{1000, 1, 3, RoundHalfUp, 333},
		{1000, 1, 3, RoundDown, 333},
		{1000, 1, 3, RoundUp, 334},
		{-1000, 1, 3, RoundHalfUp, -333},
		{-1000, 1, 3, RoundDown, -333},
		{-1000, 1, 3, RoundUp, -334},
		// 2000/3 = 666.67
		{2000, 1, 3, RoundHalfUp, 667},
		{2000, 1, 3, RoundDown, 666},
		{2000, -1, 3, RoundHalfUp, -667},
		{2000, 1, -3, RoundDown, -666},
		{-2000, -1, -3, RoundUp, -667},
		{-2000, -1, 3, RoundUp, 667},
		// Exact halves.
		{5, 1, 2, RoundHalfUp, 3},
		{-5, 1, 2, RoundHalfUp, -3},
		{5, 1, 2, RoundDown, 2},
		{5, 1, 2, RoundUp, 3},
		// Yuan rounding: 12345 fen * 1/1 = 123.45 yuan.
		{12345, 1, 1, RoundToYuanHalfUp, 12300},
		{12345, 1, 1, RoundToYuanUp, 12400},
		{12345, 1, 1, RoundToYuanDown, 12300},
		{12350, 1, 1, RoundToYuanHalfUp, 12400},
		{12349, 1, 1, RoundToYuanHalfUp, 12300},
		{-12350, 1, 1, RoundToYuanHalfUp, -12400},
		{-12345, 1, 1, RoundToYuanUp, -12400},
		{-12399, 1, 1, RoundToYuanDown, -12300},
		{12300, 1, 1, RoundToYuanUp, 12300},
		// 100 yuan * 2/3 = 66.666… yuan; rounding uses the exact ratio, not
		// the fen-rounded intermediate.
		{10000, 2, 3, RoundToYuanHalfUp, 6700},
		{10000, 2, 3, RoundToYuanDown, 6600},
		{10000, 2, 3, RoundToYuanUp, 6700},
		// 0.499… yuan must round down even though it is 50 fen after fen
		// rounding: 149 * 1/3 = 49.67 fen.
		{149, 1, 3, RoundToYuanHalfUp, 0},
		{149, 1, 3, RoundToYuanUp, 100},
		{150, 1, 3, RoundToYuanHalfUp, 100},
		// Intermediate products beyond int64 are fine.
		{math.MaxInt64, 1000, 1000, RoundHalfUp, math.MaxInt64},
		{math.MaxInt64, math.MaxInt64, math.MaxInt64, RoundDown, math.MaxInt64},
		{math.MinInt64, math.MaxInt64, math.MaxInt64, RoundDown, math.MinInt64},
		{math.MaxInt64, 2, 3, RoundDown, 6148914691236517204},
		{math.MaxInt64, 2, 3, RoundHalfUp, 6148914691236517205},
		{math.MinInt64, 1, 2, RoundHalfUp, math.MinInt64 / 2},
		{0, 5, 7, RoundUp, 0},
	}
	for _, tt := range tests {
		got, err := MulRatio(tt.a, tt.num, tt.den, tt.mode)
		if err != nil {
			t.Errorf("MulRatio(%d, %d, %d, %v) error: %v", tt.a, tt.num, tt.den, tt.mode, err)
			continue
		}
		if got != tt.want {
			t.Errorf("MulRatio(%d, %d, %d, %v) = %d, want %d", tt.a, tt.num, tt.den, tt.mode, got, tt.want)
		}
	}
}

func TestMulRatioErrors(t *testing.T) {
	if _, err := MulRatio(100, 1, 0, RoundHalfUp); !errors.Is(err, ErrInvalid) {
		t.Errorf("zero denominator: err = %v, want ErrInvalid", err)
	}
	if _, err := MulRatio(100, 1, 1, RoundMode(99)); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad mode: err = %v, want ErrInvalid", err)
	}
	overflows := []struct {
		a        Fen
		num, den int64
		mode     RoundMode
	}{
		{math.MaxInt64, 2, 1, RoundHalfUp},
		{math.MinInt64, -1, 1, RoundDown},
		{math.MaxInt64, 1, 1, RoundToYuanUp},
		{math.MinInt64, 1, 1, RoundToYuanUp},
		{math.MaxInt64, 3, 2, RoundDown},
	}
	for _, tt := range overflows {
		if got, err := MulRatio(tt.a, tt.num, tt.den, tt.mode); !errors.Is(err, ErrOverflow) {
			t.Errorf("MulRatio(%d, %d, %d, %v) = %d, %v; want ErrOverflow", tt.a, tt.num, tt.den, tt.mode, got, err)
		}
	}
	// Rounding down to yuan never overflows.
	if got, err := MulRatio(math.MaxInt64, 1, 1, RoundToYuanDown); err != nil || got != math.MaxInt64-7 {
		t.Errorf("MulRatio(MaxInt64, 1, 1, RoundToYuanDown) = %d, %v", got, err)
	}
}

func TestRound(t *testing.T) {
	tests := []struct {
		f    Fen
		mode RoundMode
		want Fen
	}{
		{12345, RoundHalfUp, 12345},
		{12345, RoundDown, 12345},
		{12345, RoundUp, 12345},
		{12345, RoundToYuanHalfUp, 12300},
		{12350, RoundToYuanHalfUp, 12400},
		{12345, RoundToYuanUp, 12400},
		{12399, RoundToYuanDown, 12300},
		{-12350, RoundToYuanHalfUp, -12400},
		{-12349, RoundToYuanHalfUp, -12300},
		{-12301, RoundToYuanUp, -12400},
		{-12399, RoundToYuanDown, -12300},
		{0, RoundToYuanUp, 0},
		{49, RoundToYuanHalfUp, 0},
		{50, RoundToYuanHalfUp, 100},
		{1, RoundToYuanUp, 100},
		{-1, RoundToYuanUp, -100},
		{99, RoundToYuanDown, 0},
		// Near the limits rounding away from zero falls back to truncation.
		{math.MaxInt64, RoundToYuanUp, math.MaxInt64 - 7},
		{math.MaxInt64, RoundToYuanHalfUp, math.MaxInt64 - 7},
		{math.MinInt64, RoundToYuanUp, math.MinInt64 + 8},
		{math.MinInt64, RoundToYuanDown, math.MinInt64 + 8},
		{math.MaxInt64 - 7, RoundToYuanUp, math.MaxInt64 - 7},
	}
	for _, tt := range tests {
		if got := tt.f.Round(tt.mode); got != tt.want {
			t.Errorf("Fen(%d).Round(%v) = %d, want %d", int64(tt.f), tt.mode, got, tt.want)
		}
	}
}

func TestRoundModeString(t *testing.T) {
	if got := RoundToYuanUp.String(); got != "RoundToYuanUp" {
		t.Errorf("RoundToYuanUp.String() = %q", got)
	}
	if got := RoundMode(42).String(); got != "RoundMode(42)" {
		t.Errorf("RoundMode(42).String() = %q", got)
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		part, whole Fen
		want        string
	}{
		{5, 8, "62.50%"},
		{1, 3, "33.33%"},
		{2, 3, "66.67%"},
		{0, 100, "0.00%"},
		{100, 100, "100.00%"},
		{250, 100, "250.00%"},
		{1, 0, "—"},
		{0, 0, "—"},
		{-1, 8, "-12.50%"},
		{1, -8, "-12.50%"},
		{-1, -8, "12.50%"},
		{1, 20000, "0.01%"},   // 0.005% rounds half-up
		{1, 20001, "0.00%"},   // just under 0.005%
		{-1, 20000, "-0.01%"}, // half-up on the absolute value
		{-1, 20001, "0.00%"},  // no "-0.00%"
		{math.MaxInt64, 1, "922337203685477580700.00%"},
		{math.MinInt64, math.MinInt64, "100.00%"},
		{math.MaxInt64, math.MinInt64, "-100.00%"},
	}
	for _, tt := range tests {
		if got := Percent(tt.part, tt.whole); got != tt.want {
			t.Errorf("Percent(%d, %d) = %q, want %q", tt.part, tt.whole, got, tt.want)
		}
	}
}
