package tabular

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/width"

	"onepool/internal/clock"
)

// DateForms names the written forms ParseDate accepts (for notes and
// error messages).
const DateForms = "2026-11-22, 2026/11/22, 2026.11.22, 2026年11月22日, 20261122"

var (
	dateSep  = regexp.MustCompile(`^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})$`)
	dateCJK  = regexp.MustCompile(`^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$`)
	dateTime = regexp.MustCompile(`^(.*?\S)[\sT]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$`)
)

// errNotDate is ParseDate's error; callers name the cell themselves.
var errNotDate = errors.New("not a date")

// ParseDate is the one reader of a date written in an imported cell or a
// form: 2026-11-22, 2026/11/22, 2026.11.22 (months and days with one or
// two digits), 2026年11月22日, 20261122, full-width digits, a time after
// the date (ignored: "2026/11/22 0:00" as Excel writes a CSV), and an
// Excel date serial (a whole number from 36526, 2000-01-01, to 73050,
// 2099-12-31: a date cell read without its format). The day is midnight
// in clock.Zone; a day that does not exist (2026-02-30) is refused.
func ParseDate(s string) (time.Time, error) {
	t := strings.TrimSpace(width.Narrow.String(s))
	if m := dateTime.FindStringSubmatch(t); m != nil {
		t = m[1]
	}
	var y, mo, d string
	if m := dateSep.FindStringSubmatch(t); m != nil {
		y, mo, d = m[1], m[2], m[3]
	} else if m := dateCJK.FindStringSubmatch(t); m != nil {
		y, mo, d = m[1], m[2], m[3]
	} else if len(t) == 8 && allDigits(t) {
		y, mo, d = t[:4], t[4:6], t[6:]
	} else if len(t) == 5 && allDigits(t) {
		n, _ := strconv.Atoi(t)
		if n < 36526 || n > 73050 {
			return time.Time{}, errNotDate
		}
		// Excel's day 0 is 1899-12-30 (its 1900 leap day lies before 2000).
		return time.Date(1899, 12, 30, 0, 0, 0, 0, clock.Zone).AddDate(0, 0, n), nil
	} else {
		return time.Time{}, errNotDate
	}
	yi, _ := strconv.Atoi(y)
	mi, _ := strconv.Atoi(mo)
	di, _ := strconv.Atoi(d)
	if yi < 1900 || yi > 2999 || mi < 1 || mi > 12 || di < 1 || di > 31 {
		return time.Time{}, errNotDate
	}
	day := time.Date(yi, time.Month(mi), di, 0, 0, 0, 0, clock.Zone)
	if day.Day() != di || int(day.Month()) != mi {
		return time.Time{}, errNotDate // 2026-02-30
	}
	return day, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Date reads a date cell of the current row with ParseDate; an empty
// cell is the zero time (a failure when required).
func (t *Table) Date(key string, required bool) time.Time {
	v := t.Cell(key)
	if v == "" {
		if required {
			t.Fail(key, "is empty")
		}
		return time.Time{}
	}
	d, err := ParseDate(v)
	if err != nil {
		t.Fail(key, "%q is not a date (write it as %s)", v, DateForms)
	}
	return d
}
