package tabular

import (
	"strings"

	"github.com/xuri/excelize/v2"
)

// isoDate is the pattern a date cell of an xlsx is read as, whatever
// format it shows (ParseDate reads it).
const isoDate = "yyyy-mm-dd"

// builtinDates are the built-in number formats that show a date
// (ECMA-376 18.8.30, with the East Asian ones: 27–31, 36, 50–54, 57, 58).
var builtinDates = map[int]bool{14: true, 15: true, 16: true, 17: true, 22: true,
	27: true, 28: true, 29: true, 30: true, 31: true, 36: true, 50: true, 51: true, 52: true, 53: true, 54: true, 57: true, 58: true}

// normalizeFormats makes the streaming reader give a cell as staff mean
// it rather than as its number format draws it: a date cell ("11-25-26"
// under the built-in short date, "2026年11月25日", or a bare serial under
// an East Asian format excelize does not know) reads as 2026-11-25; a
// number under any other number format reads as the number itself, to
// Excel's 15 significant digits ("500,000.00" → "500000", "¥1,234.50" →
// "1234.5"), so that an amount is never rounded by its format. Kept as
// drawn: text (@), formats that pad a code with zeros ("000000"), and
// formats that show a unit of 万 or 亿 (the number means what it shows).
// The workbook's styles are changed in memory only.
func normalizeFormats(f *excelize.File) {
	if _, err := f.GetStyle(0); err != nil || f.Styles == nil || f.Styles.CellXfs == nil {
		return // no styles: every cell is General already
	}
	custom := map[int]string{}
	if f.Styles.NumFmts != nil {
		for _, n := range f.Styles.NumFmts.NumFmt {
			code := n.FormatCode
			if n.FormatCode16 != "" {
				code = n.FormatCode16
			}
			if dateFormat(code) {
				n.FormatCode, n.FormatCode16 = isoDate, ""
				code = isoDate
			}
			custom[n.NumFmtID] = code
		}
	}
	general, short := 0, 14
	for i := range f.Styles.CellXfs.Xf {
		xf := &f.Styles.CellXfs.Xf[i]
		if xf.NumFmtID == nil || *xf.NumFmtID == 0 {
			continue
		}
		id := *xf.NumFmtID
		if code, ok := custom[id]; ok {
			if code != isoDate && !keepFormat(code) {
				xf.NumFmtID = &general
			}
			continue
		}
		switch {
		case builtinDates[id]:
			xf.NumFmtID = &short // drawn as ShortDatePattern (isoDate)
		case id != 49: // 49 is text
			xf.NumFmtID = &general
		}
	}
}

// formatSections is a number format without its quoted literals, escaped
// characters and bracketed parts ([Red], [$-804], [DBNum1]).
func formatSections(code string) string {
	var b strings.Builder
	rs := []rune(code)
	for i := 0; i < len(rs); i++ {
		switch rs[i] {
		case '"':
			for i++; i < len(rs) && rs[i] != '"'; i++ {
			}
		case '\\', '_', '*':
			i++
		case '[':
			for i++; i < len(rs) && rs[i] != ']'; i++ {
			}
		default:
			b.WriteRune(rs[i])
		}
	}
	return strings.ToLower(b.String())
}

// dateFormat reports whether a number format shows a date: it has a year
// or a day (a month alone, "mmm", is rare; a time alone is not a date).
func dateFormat(code string) bool {
	s := formatSections(code)
	if s == "general" || s == "@" {
		return false
	}
	return strings.ContainsAny(s, "yd")
}

// keepFormat reports whether a number format is read as it draws: text,
// zero padding of a code, a unit of 万 or 亿.
func keepFormat(code string) bool {
	if strings.ContainsAny(code, "万亿") {
		return true
	}
	s := formatSections(code)
	if s == "@" {
		return true
	}
	return len(s) > 1 && strings.Trim(s, "0") == ""
}
