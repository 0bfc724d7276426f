package tabular_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"onepool/internal/errs"
	"onepool/internal/tabular"
	"onepool/internal/tabular/tabulartest"
)

func readAll(t *testing.T, data []byte, lim tabular.Limits) ([][]string, []int, error) {
	t.Helper()
	r, err := tabular.Open(bytes.NewReader(data), lim)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	var rows [][]string
	var nums []int
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return rows, nums, nil
		}
		if err != nil {
			return rows, nums, err
		}
		rows = append(rows, append([]string(nil), row...))
		nums = append(nums, r.Row())
	}
}

// TestCSV: UTF-8 with a byte order mark, and GB18030 as Excel saves it on
// a Chinese Windows; blank lines are not records; trailing empty cells go.
func TestCSV(t *testing.T) {
	want := [][]string{{"户编号", "姓名"}, {"F1", "张三"}, {"F2", "李四"}}
	utf := "\xEF\xBB\xBF户编号,姓名,,\nF1,张三\n\nF2,李四,\n"
	gbk, err := simplifiedchinese.GB18030.NewEncoder().String(strings.TrimPrefix(utf, "\xEF\xBB\xBF"))
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]string{"utf-8": utf, "gb18030": gbk} {
		got, nums, err := readAll(t, []byte(in), tabular.Limits{})
		if err != nil || !reflect.DeepEqual(got, want) || !reflect.DeepEqual(nums, []int{1, 2, 3}) {
			t.Errorf("%s: %q %v %v", name, got, nums, err)
		}
	}
	// Invalid UTF-8 past the sample that decided the encoding: refused, named.
	bad := "a,b\n" + strings.Repeat("x,y\n", 20000) + "x,\xff\xfe\n"
	if _, _, err := readAll(t, []byte(bad), tabular.Limits{}); errs.CodeOf(err) != "invalid_encoding" || !strings.Contains(err.Error(), "row 20002, column B") {
		t.Errorf("invalid UTF-8: %v", err)
	}
	if _, _, err := readAll(t, []byte("a,b\n\"open"), tabular.Limits{}); errs.CodeOf(err) != "invalid_file" {
		t.Errorf("unterminated quote: %v", err)
	}
}

// TestXLSXRowsKeepTheirNumbers: an xlsx's rows are numbered as in the
// sheet; leading empty rows are skipped, empty rows between kept.
func TestXLSXRowsKeepTheirNumbers(t *testing.T) {
	x := excelize.NewFile()
	sh := x.GetSheetName(0)
	x.SetCellValue(sh, "A3", "code")
	x.SetCellValue(sh, "B3", "name")
	x.SetCellValue(sh, "A4", "ZX")
	x.SetCellValue(sh, "B6", 12.5)
	x.SetCellValue(sh, "A9", "") // an empty trailing row
	var b bytes.Buffer
	x.Write(&b)
	got, nums, err := readAll(t, b.Bytes(), tabular.Limits{})
	want := [][]string{{"code", "name"}, {"ZX"}, nil, {"", "12.5"}}
	if err != nil || !reflect.DeepEqual(got, want) || !reflect.DeepEqual(nums, []int{3, 4, 5, 6}) {
		t.Errorf("rows %q, numbers %v, %v", got, nums, err)
	}
}

// TestLimits: each limit refuses the file with its code, naming the row
// and the column where it can.
func TestLimits(t *testing.T) {
	rows := func(n int) string { return "a,b\n" + strings.Repeat("1,2\n", n) }
	for _, c := range []struct {
		name string
		data []byte
		lim  tabular.Limits
		code string
		says string
	}{
		{"rows", []byte(rows(4)), tabular.Limits{Rows: 3}, "too_many_rows", "row 5"},
		{"rows within", []byte(rows(3)), tabular.Limits{Rows: 3}, "", ""},
		{"bytes", []byte(rows(100)), tabular.Limits{Bytes: 100}, "too_large", "larger than"},
		{"columns", []byte("a,b,c,d\n1,2,3,4,5\n"), tabular.Limits{Columns: 4}, "too_many_columns", "row 2, column E"},
		{"trailing empty columns are no columns", []byte("a,b\n1,2,,,,,,,,\n"), tabular.Limits{Columns: 2}, "", ""},
		{"cell", []byte("a\n" + strings.Repeat("字", 11) + "\n"), tabular.Limits{Cell: 10}, "cell_too_long", "row 2, column A"},
		{"cell within", []byte("a\n" + strings.Repeat("字", 10) + "\n"), tabular.Limits{Cell: 10}, "", ""},
		{"one endless line", []byte("a\n" + strings.Repeat("x", 3<<20)), tabular.Limits{}, "row_too_long", "row 2"},
		{"xlsx columns", tabulartest.XLSX([][]any{{"a", "b"}, {1, 2, 3}}), tabular.Limits{Columns: 2}, "too_many_columns", "row 2, column C"},
		{"xlsx rows", tabulartest.XLSX([][]any{{"a"}, {1}, {2}, {3}}), tabular.Limits{Rows: 2}, "too_many_rows", "row 4"},
		{"xlsx bytes", tabulartest.XLSX([][]any{{"a"}, {1}}), tabular.Limits{Bytes: 1000}, "too_large", "larger than"},
		{"not a zip", []byte("PK\x03\x04junk"), tabular.Limits{}, "invalid_file", ""},
	} {
		_, _, err := readAll(t, c.data, c.lim)
		if c.code == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if errs.CodeOf(err) != c.code || (c.code != "" && (errs.KindOf(err) != errs.Invalid || !strings.Contains(err.Error(), c.says))) {
			t.Errorf("%s: %v, want %q saying %q", c.name, err, c.code, c.says)
		}
	}
}

// TestColumnBomb: 40,000 rows with one cell at column XFD (a 200 KB file
// that GetRows pads to 655 million cells) is refused at its first row,
// and reading it holds no more than a few MB.
func TestColumnBomb(t *testing.T) {
	bomb := tabulartest.ColumnBomb(40000)
	if len(bomb) > 400<<10 {
		t.Fatalf("the bomb is %d bytes", len(bomb))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, err := readAll(t, bomb, tabular.Limits{})
	runtime.ReadMemStats(&after)
	if errs.CodeOf(err) != "too_many_columns" || !strings.Contains(err.Error(), "row 1, column XFD") {
		t.Fatalf("bomb: %v", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Errorf("reading the bomb allocated %d MB", grew>>20)
	}
	// Formulas without a value: still padded by excelize, so still refused.
	runtime.ReadMemStats(&before)
	_, _, err = readAll(t, tabulartest.FormulaBomb(40000), tabular.Limits{})
	runtime.ReadMemStats(&after)
	if errs.CodeOf(err) != "too_many_columns" || !strings.Contains(err.Error(), "row 2, column XFD") {
		t.Fatalf("formula bomb: %v", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Errorf("reading the formula bomb allocated %d MB", grew>>20)
	}
	// Formatting far to the right, without values, is no column.
	x := excelize.NewFile()
	sh := x.GetSheetName(0)
	x.SetCellValue(sh, "A1", "code")
	x.SetCellValue(sh, "A2", "ZX")
	st, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	x.SetCellStyle(sh, "A2", "XFD2", st)
	var b bytes.Buffer
	x.Write(&b)
	if rows, _, err := readAll(t, b.Bytes(), tabular.Limits{}); err != nil || len(rows) != 2 || len(rows[1]) != 1 {
		t.Errorf("styled empty cells to XFD: %q %v", rows, err)
	}
}

// TestUnzipBomb: an xlsx whose parts unzip beyond the limit is refused
// before any of it is unzipped.
func TestUnzipBomb(t *testing.T) {
	good := tabulartest.XLSX([][]any{{"a"}, {1}})
	zr, _ := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range zr.File {
		zw.Copy(f)
	}
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "xl/media/zeros.bin", Method: zip.Deflate})
	w.Write(make([]byte, 4<<20))
	zw.Close()
	if _, _, err := readAll(t, b.Bytes(), tabular.Limits{Unzipped: 2 << 20}); errs.CodeOf(err) != "too_large" || !strings.Contains(err.Error(), "unzips") {
		t.Errorf("unzip bomb: %v", err)
	}
	if _, _, err := readAll(t, b.Bytes(), tabular.Limits{}); err != nil {
		t.Errorf("the same workbook within the default limits: %v", err)
	}
}

// TestTable: the header maps names to columns; bad cells collect by row;
// beyond a thousand they are counted, not kept.
func TestTable(t *testing.T) {
	cols := []tabular.Column{{Key: "code", Names: []string{"code", "代码"}, Required: true}, {Key: "memo", Names: []string{"memo"}}}
	if _, err := tabular.NewTable(strings.NewReader("name\nx\n"), cols); errs.CodeOf(err) != "missing_column" {
		t.Errorf("missing column: %v", err)
	}
	for _, in := range []string{"", "代码\n", "\n\n"} {
		tb, err := tabular.NewTable(strings.NewReader(in), cols)
		if err == nil {
			for tb.Next() {
			}
			err = tb.Err()
			tb.Close()
		}
		if errs.CodeOf(err) != "empty_import" {
			t.Errorf("%q: %v", in, err)
		}
	}
	tb, err := tabular.NewTable(strings.NewReader("\xEF\xBB\xBF 代码 ,Memo\nA,m\n,x\n"+strings.Repeat(",\n", 0)), cols)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for tb.Next() {
		codes = append(codes, tb.Required("code")+"/"+tb.Cell("memo"))
	}
	tb.Close()
	if tb.Err() != nil || !reflect.DeepEqual(codes, []string{"A/m", "/x"}) || len(tb.Errors()) != 1 || tb.Errors()[0].String() != "row 3, column code: is empty" {
		t.Errorf("codes %q, errors %v, %v", codes, tb.Errors(), tb.Err())
	}
	many := "code\n" + strings.Repeat("\"\"\n", 0)
	for i := 0; i < 1500; i++ {
		many += "x,\n"
	}
	tb, _ = tabular.NewTable(strings.NewReader(many), cols)
	for tb.Next() {
		tb.Fail("code", "bad")
	}
	tb.Close()
	var ie *tabular.ImportError
	if err := tb.Invalid(); !errors.As(err, &ie) || errs.CodeOf(err) != "invalid_rows" || len(ie.Rows) != 1000 || ie.Omitted != 500 || !strings.Contains(err.Error(), "and 1480 more") {
		t.Errorf("many bad cells: %d kept, %d omitted: %v", len(ie.Rows), ie.Omitted, err)
	}
}

// TestSafeCSV: cells a spreadsheet would run are neutralized; numbers,
// negative ones included, are not.
func TestSafeCSV(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://evil.example","点我")`: `'=HYPERLINK("http://evil.example","点我")`,
		"+cmd|' /C calc'!A0":                     "'+cmd|' /C calc'!A0",
		"-2+3":                                   "'-2+3",
		"@SUM(A1)":                               "'@SUM(A1)",
		"\t=1":                                   "'\t=1",
		"\r=1":                                   "'\r=1",
		"-1,234.50":                              "-1,234.50",
		"-5":                                     "-5",
		"+86":                                    "+86",
		"12%":                                    "12%",
		"中央财政":                                   "中央财政",
		"":                                       "",
	} {
		if got := tabular.SafeCSV(in); got != want {
			t.Errorf("SafeCSV(%q) = %q, want %q", in, got, want)
		}
	}
	var b bytes.Buffer
	w := tabular.NewCSVWriter(&b)
	w.Write([]string{"=1+1", "-3.00"})
	w.Flush()
	if b.String() != "'=1+1,-3.00\n" {
		t.Errorf("CSVWriter wrote %q", b.String())
	}
}

// FuzzOpen: any bytes are read into rows or refused as Invalid, never a
// panic or an internal error.
func FuzzOpen(f *testing.F) {
	f.Add([]byte("code,name\nZX,中央\n"))
	f.Add([]byte("\xEF\xBB\xBFa,\"b\"\"c\"\n"))
	f.Add([]byte("PK\x03\x04\x14\x00"))
	f.Add(tabulartest.XLSX([][]any{{"code"}, {1}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _, err := readAll(t, data, tabular.Limits{})
		if err != nil && errs.KindOf(err) != errs.Invalid {
			t.Fatalf("error of kind %v: %v", errs.KindOf(err), err)
		}
	})
}
