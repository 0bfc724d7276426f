package money_test

import (
	"errors"
	"testing"

	"onepool/internal/money"
)

func TestParseWritten(t *testing.T) {
	for s, want := range map[string]money.Fen{
		"12万":                        12_0000_00,
		"12万元":                       12_0000_00,
		"12 万元":                      12_0000_00,
		"1.5万元":                      1_5000_00,
		"1.23456万":                   1_2345_60,
		"0.000001万":                  1,
		"500,000":                    500000_00,
		"500,000.00元":                500000_00,
		"￥1,000":                     1000_00,
		"¥ 1,000.5":                  1000_50,
		"RMB 20":                     20_00,
		"１２，０００．００":                  12000_00,
		"１２万":                        12_0000_00,
		"1,500万":                     1500_0000_00,
		"2亿元":                        2_0000_0000_00,
		"-1.5万":                      -1_5000_00,
		"1234.56":                    1234_56,
		"100元":                       100_00,
		"0万":                         0,
		"100,000,000,000,000,000.00": 0, // overflow: checked below
	} {
		got, err := money.ParseWritten(s)
		if s == "100,000,000,000,000,000.00" {
			if !errors.Is(err, money.ErrOverflow) {
				t.Errorf("%q: want overflow, got %v, %v", s, got, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("ParseWritten(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "万元", "1.2345678万", "12.345", "1,23万", "12万元元", "abc", "1.2.3万", "12万5", "¥", "1e5"} {
		if got, err := money.ParseWritten(s); err == nil || !errors.Is(err, money.ErrInvalid) {
			t.Errorf("ParseWritten(%q) = %d, %v; want an invalid amount", s, got, err)
		}
	}
	// Parse stays strict: the API's amounts do not take units.
	if _, err := money.Parse("12万"); err == nil {
		t.Error("Parse accepts 12万")
	}
}
