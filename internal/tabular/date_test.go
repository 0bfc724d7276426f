package tabular_test

import (
	"strings"
	"testing"
	"time"

	"onepool/internal/clock"
	"onepool/internal/tabular"
	"onepool/internal/tabular/tabulartest"
)

func TestParseDateWrittenForms(t *testing.T) {
	want := time.Date(2026, 11, 22, 0, 0, 0, 0, clock.Zone)
	for _, s := range []string{"2026-11-22", "2026/11/22", "2026.11.22", "2026年11月22日", "2026 年 11 月 22 日", "20261122", " 2026-11-22 ",
		"２０２６－１１－２２", "2026/11/22 0:00", "2026-11-22 00:00:00", "2026-11-22T08:30:00", "46348"} {
		got, err := tabular.ParseDate(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if got, err := tabular.ParseDate("2026/1/5"); err != nil || got.Format("2006-01-02") != "2026-01-05" {
		t.Errorf("2026/1/5 = %v, %v", got, err)
	}
	for _, s := range []string{"", "11-25-26", "2026-02-30", "2026-13-01", "20261322", "22/11/2026", "12345", "2026年11月", "tomorrow", "2026-11-22x"} {
		if got, err := tabular.ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) = %v, want an error", s, got)
		}
	}
}

// TestXLSXCellsAsStaffMeanThem: date cells read as ISO dates whatever they
// show, amounts as their numbers whatever their format, codes padded with
// zeros and text as shown.
func TestXLSXCellsAsStaffMeanThem(t *testing.T) {
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	data := tabulartest.Sheet([][]any{
		{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"},
		{day, tabulartest.Styled{V: day, Custom: "yyyy/m/d"}, tabulartest.Styled{V: day, Custom: `yyyy"年"m"月"d"日"`}, tabulartest.Styled{V: day, NumFmt: 31},
			tabulartest.Styled{V: 500000, NumFmt: 4}, tabulartest.Styled{V: 1234.5, Custom: `"¥"#,##0.00`}, 1234.5600000000002,
			tabulartest.Styled{V: 123, Custom: "000000"}, tabulartest.Styled{V: 12, Custom: `0"万元"`}, "2026/11/22", tabulartest.Styled{V: 0.5, NumFmt: 20}},
	})
	rows, _, err := readAll(t, data, tabular.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2026-11-25", "2026-11-25", "2026-11-25", "2026-11-25", "500000", "1234.5", "1234.56", "000123", "12万元", "2026/11/22"}
	got := rows[1]
	for i, w := range want {
		if i >= len(got) || got[i] != w {
			t.Errorf("column %c: got %q, want %q (row %q)", 'A'+i, cellAt(got, i), w, strings.Join(got, "|"))
		}
	}
	for _, c := range got[:4] {
		if _, err := tabular.ParseDate(c); err != nil {
			t.Errorf("%q does not parse as a date", c)
		}
	}
}

func cellAt(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}
