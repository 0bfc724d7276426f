package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"onepool/internal/app"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/demo"
	"onepool/internal/ledger"
	"onepool/internal/place"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/tabular/tabulartest"
	"onepool/internal/web"
)

// excelRig is the demo county with an API caller per demo user.
type excelRig struct {
	t    *testing.T
	h    http.Handler
	a    *auth.Service
	toks map[string]string
}

func newExcelRig(t *testing.T, db *store.DB) *excelRig {
	a := auth.New(db, nil, auth.Config{ArgonMemoryKiB: 64, ArgonTime: 1})
	l := ledger.New(db, nil)
	runDemo(t, l, "")
	return &excelRig{t: t, h: app.Server(web.Deps{DB: db, Ledger: l, Auth: a}), a: a, toks: map[string]string{}}
}

// api posts body to path as user and returns the status and the body.
func (r *excelRig) api(user, path string, body []byte) (int, string) {
	r.t.Helper()
	tok, ok := r.toks[user]
	if !ok {
		var p auth.Principal
		for _, c := range []struct {
			u    string
			role auth.Role
			pl   string
		}{{"demo.finance", auth.RoleFinance, "990101000000"}, {"demo.village", auth.RoleVillage, "990101001001"}, {"demo.admin", auth.RoleAdmin, "990101000000"}} {
			if c.u == user {
				p = auth.Principal{Username: c.u, Role: c.role, Place: place.Code(c.pl), County: "990101"}
			}
		}
		var err error
		if tok, err = r.a.IssueToken(context.Background(), p, "excel"); err != nil {
			r.t.Fatal(err)
		}
		r.toks[user] = tok
	}
	req := httptest.NewRequest("POST", path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	w := httptest.NewRecorder()
	r.h.ServeHTTP(w, req)
	return w.Code, w.Body.String()
}

// upload posts a file through a page's import form, as a browser does.
func upload(b *browser, page, action string, fields map[string]string, name string, data []byte) *httptest.ResponseRecorder {
	b.t.Helper()
	m := csrfRe.FindStringSubmatch(b.do("GET", page, nil, "").Body.String())
	if m == nil {
		b.t.Fatalf("%s has no form token", page)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", m[1])
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return b.do("POST", action, buf.Bytes(), mw.FormDataContentType())
}

// arrivedCell finds a channel's row in the funds report export and returns
// its 已到位 cell: its type and value.
func arrivedCell(t *testing.T, b *browser, year int, channel string) (excelize.CellType, string) {
	t.Helper()
	w := b.do("GET", fmt.Sprintf("/funds/report.xlsx?year=%d", year), nil, "")
	if w.Code != http.StatusOK {
		t.Fatalf("report.xlsx: %d", w.Code)
	}
	x, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sh := x.GetSheetList()[0]
	rows, _ := x.GetRows(sh, excelize.Options{RawCellValue: true})
	for i, row := range rows {
		if len(row) > 5 && row[0] == channel {
			cell, _ := excelize.CoordinatesToCellName(6, i+1) // 已到位
			typ, _ := x.GetCellType(sh, cell)
			v, _ := x.GetCellValue(sh, cell, excelize.Options{RawCellValue: true})
			// A number cell has no type attribute (t="n" is the default)
			// and is drawn with the amount format #,##0.00.
			if typ == excelize.CellTypeUnset {
				typ = excelize.CellTypeNumber
			}
			if st, _ := x.GetCellStyle(sh, cell); st == 0 {
				t.Errorf("the amount cell %s has no number format", cell)
			} else if s, _ := x.GetStyle(st); s.NumFmt != 4 {
				t.Errorf("the amount cell %s is drawn with format %d, want #,##0.00 (4)", cell, s.NumFmt)
			}
			if typ == excelize.CellTypeNumber {
				if f, err := strconv.ParseFloat(v, 64); err != nil || f <= 0 {
					t.Errorf("the amount cell %s holds %q", cell, v)
				}
			}
			return typ, v
		}
	}
	t.Fatalf("report.xlsx has no row of channel %s: %q", channel, rows)
	return 0, ""
}

// TestImportExcelAsStaffMakeIt: an xlsx with real date cells (Excel's
// default short date, a custom yyyy/m/d, the Chinese long date) and 万元
// amounts is imported through the API; a CSV with 2026/11/22 and
// 2026年11月22日 dates and 元 / ￥ amounts through the funds page; the funds
// report exports what arrived as number cells (yuan), exactly.
func TestImportExcelAsStaffMakeIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newExcelRig(t, db)
		year := time.Now().In(clock.Zone).Year()
		base := "/api/v1/funds/990101/import?kind="
		if code, body := r.api("demo.finance", base+"channels", []byte(fmt.Sprintf("代码,名称,级次,类别,主管部门,年度\nXL-1,表格渠道,county,fiscal,县财政局,%d\n", year))); code != 200 {
			t.Fatalf("channels: %d %s", code, body)
		}
		day := time.Date(year, 1, 25, 0, 0, 0, 0, time.UTC)
		sheet := tabulartest.Sheet([][]any{
			{"流水号", "渠道代码", "金额", "文件日期", "文号"},
			{"xl-1", "XL-1", "12万元", day, "财农〔2026〕1号"},                                                               // 120,000.00
			{"xl-2", "XL-1", tabulartest.Styled{V: 15000, NumFmt: 4}, tabulartest.Styled{V: day, Custom: "yyyy/m/d"}}, // 15,000.00
			{"xl-3", "XL-1", "1.5万元", tabulartest.Styled{V: day, NumFmt: 31}},                                         // 15,000.00
			{"xl-4", "XL-1", tabulartest.Styled{V: 0.05, Custom: `"¥"#,##0.00`}, tabulartest.Styled{V: day, Custom: `yyyy"年"m"月"d"日"`}},
		})
		if code, body := r.api("demo.finance", base+"arrivals", sheet); code != 200 || !strings.Contains(body, `"imported":4`) {
			t.Fatalf("xlsx arrivals: %d %s", code, body)
		}
		fin := newBrowser(t, r.h)
		fin.login("demo.finance", demo.Password("demo.finance"))
		typ, v := arrivedCell(t, fin, year, "XL-1")
		if typ != excelize.CellTypeNumber || v != "150000.05" {
			t.Errorf("arrived on XL-1: a %v cell %q, want the number 150000.05", typ, v)
		}

		csv := fmt.Sprintf("流水号,渠道代码,金额,文件日期\ncs-1,XL-1,\"500,000.00元\",%d/01/22\ncs-2,XL-1,\"￥1,000\",%d年1月22日\ncs-3,XL-1,１２万,%d.1.2\n", year, year, year)
		w := upload(fin, "/funds", "/funds/import", map[string]string{"kind": "arrivals"}, "arrivals.csv", []byte(csv))
		if w.Code >= 400 {
			t.Fatalf("csv arrivals: %d %s", w.Code, w.Body)
		}
		if typ, v := arrivedCell(t, fin, year, "XL-1"); typ != excelize.CellTypeNumber || v != "771000.05" {
			t.Errorf("arrived on XL-1 after the CSV: a %v cell %q, want 771000.05", typ, v)
		}
	})
}

// TestImportReportsEveryRowAtOnce: a file with errors on several rows, of
// the table's checks and of the service's (an unregistered channel, a key
// twice, a channel registered already), lists them all in one answer.
func TestImportReportsEveryRowAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newExcelRig(t, db)
		year := time.Now().In(clock.Zone).Year()
		base := "/api/v1/funds/990101/import?kind="
		r.api("demo.finance", base+"channels", []byte(fmt.Sprintf("code,name,level,category,department,year\nOK-1,好渠道,county,fiscal,财政,%d\n", year)))
		csv := fmt.Sprintf("key,channel,amount,day\nr2,OK-1,100,11-25-26\nr3,OK-1,12万5,%[1]d-01-02\nr4,NOPE,100,%[1]d-01-02\nr4,OK-1,100,%[1]d-01-02\nr6,OK-1,1.2345678万,%[1]d-02-30\n", year)
		code, body := r.api("demo.finance", base+"arrivals", []byte(csv))
		if code != 400 {
			t.Fatalf("bad arrivals: %d %s", code, body)
		}
		var got struct {
			Error struct {
				Rows []struct {
					Row    int
					Column string
				}
			}
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{"2 day": true, "3 amount": true, "4 channel": true, "5 key": true, "6 amount": true, "6 day": true}
		for _, e := range got.Error.Rows {
			delete(want, strconv.Itoa(e.Row)+" "+e.Column)
		}
		if len(want) > 0 {
			t.Errorf("errors not reported in the one answer: %v (got %s)", want, body)
		}
		// Nothing was written: the good rows did not arrive either.
		if code, body := r.api("demo.finance", base+"arrivals", []byte(fmt.Sprintf("key,channel,amount,day\nr7,OK-1,1,%d-01-02\n", year))); code != 200 {
			t.Fatalf("a good file after: %d %s", code, body)
		}

		chans := fmt.Sprintf("code,name,level,category,department,year\nOK-1,again,county,fiscal,财政,%[1]d\nC3,x,galactic,fiscal,财政,%[1]d\nC4,x,county,nope,财政,%[1]d\nC3,x,county,fiscal,财政,%[1]d\n", year)
		code, body = r.api("demo.finance", base+"channels", []byte(chans))
		for _, w := range []string{`"column":"code","row":2`, `"column":"level","row":3`, `"column":"category","row":4`, `"column":"code","row":5`} {
			if code != 400 || !strings.Contains(body, w) {
				t.Errorf("channels: %d, want %s in %s", code, w, body)
			}
		}
	})
}

// TestImportTemplates: every import's template downloads from its page
// (header row, an example row, the 说明 sheet) and imports as it is.
func TestImportTemplates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newExcelRig(t, db)
		get := func(b *browser, page, path string) []byte {
			t.Helper()
			if !strings.Contains(b.do("GET", page, nil, "").Body.String(), strings.ReplaceAll(path, "&", "&amp;")) {
				t.Errorf("%s does not link %s", page, path)
			}
			w := b.do("GET", path, nil, "")
			if w.Code != 200 || !strings.Contains(w.Header().Get("Content-Type"), "spreadsheetml") {
				t.Fatalf("%s: %d %s", path, w.Code, w.Header())
			}
			x, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			sheets := x.GetSheetList()
			if len(sheets) != 2 || sheets[1] != "说明" {
				t.Errorf("%s: sheets %q", path, sheets)
			}
			rows, _ := x.GetRows(sheets[0])
			notes, _ := x.GetRows("说明")
			if len(rows) != 2 || len(rows[0]) == 0 || len(notes) < len(rows[0])+3 {
				t.Errorf("%s: rows %q, notes %q", path, rows, notes)
			}
			if !strings.Contains(fmt.Sprint(notes), "2026年11月22日") || !strings.Contains(fmt.Sprint(notes), "万元") {
				t.Errorf("%s: the notes do not name the date and amount forms: %q", path, notes)
			}
			return w.Body.Bytes()
		}
		fin := newBrowser(t, r.h)
		fin.login("demo.finance", demo.Password("demo.finance"))
		for _, kind := range []string{"channels", "plans", "arrivals", "minutes"} {
			data := get(fin, "/funds", "/funds/import/template.xlsx?kind="+kind)
			if code, body := r.api("demo.finance", "/api/v1/funds/990101/import?kind="+kind, data); code != 200 || !strings.Contains(body, `"imported":1`) {
				t.Errorf("template %s re-imported: %d %s", kind, code, body)
			}
		}
		vil := newBrowser(t, r.h)
		vil.login("demo.village", demo.Password("demo.village"))
		for _, kind := range []string{"households", "years"} {
			data := get(vil, "/registry", "/registry/import/template.xlsx?kind="+kind)
			if code, body := r.api("demo.village", "/api/v1/registry/990101/import?kind="+kind, data); code != 200 || !strings.Contains(body, `"imported":1`) {
				t.Errorf("template %s re-imported: %d %s", kind, code, body)
			}
		}
		adm := newBrowser(t, r.h)
		adm.login("demo.admin", demo.Password("demo.admin"))
		data := get(adm, "/system/places", "/system/places/template.xlsx")
		if w := upload(adm, "/system/places", "/system/places", nil, "places.xlsx", data); w.Code != 200 || !strings.Contains(w.Body.String(), `id="import-done"`) {
			t.Errorf("places template re-imported: %d %s", w.Code, w.Body)
		}
		// The bank return template belongs to a batch: none here.
		if w := fin.do("GET", "/relief/batches/999/return-template.xlsx", nil, ""); w.Code != 404 {
			t.Errorf("return template of no batch: %d", w.Code)
		}
	})
}
