package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"onepool/internal/app"
	"onepool/internal/auth"
	"onepool/internal/demo"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/web"
)

// exportServer is the demo county with 3,000 more households in
// 上坝村 (990101001001, heads 任务户0…任务户2999) and exports over 500
// rows run as a job.
func exportServer(t *testing.T, db *store.DB) (*auth.Service, http.Handler) {
	t.Helper()
	ctx := context.Background()
	a := auth.New(db, nil, auth.Config{ArgonMemoryKiB: 64, ArgonTime: 1, IPFailures: 1 << 20})
	l := ledger.New(db, nil)
	keys, err := registry.NewKeys([]byte("demo-key-0123456789abcdefghijklm"))
	if err != nil {
		t.Fatal(err)
	}
	runDemo(t, l, "demo-key", keys)
	rural := auth.Principal{Username: "loader", Role: auth.RoleRural, Place: "990101000000", County: demo.County}
	if n, err := registry.New(db, keys, nil).Import(ctx, rural, bytes.NewReader(householdRows(3000))); err != nil || n == 0 {
		t.Fatalf("import: %d %v", n, err)
	}
	return a, app.Server(web.Deps{DB: db, Ledger: l, Auth: a, Keys: keys, ExportJobRows: 500})
}

// sheetRows opens an xlsx body and returns its first sheet's rows.
func sheetRows(t *testing.T, body []byte) (*excelize.File, [][]string) {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("not an xlsx: %v (%.200q)", err, body)
	}
	rows, err := x.GetRows(x.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return x, rows
}

var fullID = regexp.MustCompile(`[0-9]{17}[0-9X]`)

// TestExportRunsAsJob: a households export over the threshold is a job —
// the export link says so and starts it, the user leaves and comes back to
// a page offering the file, whose title names the filter and whose rows
// are exactly the filtered households, IDs masked; it is audited once as
// a personal export, and each download once more; a user outside the
// starter's area (another township, a colleague at the same village) gets
// not-found for the job and its file, the township above gets both. A
// small export is still sent at once, filtered. The API starts a
// transfers export as a job whose amounts are number cells with totals.
func TestExportRunsAsJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, h := exportServer(t, db)
		b := newBrowser(t, h)
		b.login("demo.village", demo.Password("demo.village"))

		// 任务户1, 任务户10–19, 100–199, 1000–1999: 1,111 households.
		export := "/registry.xlsx?" + url.Values{"q": {"任务户1"}}.Encode()
		w := b.do("GET", export, nil, "")
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `id="export-start"`) || !strings.Contains(w.Body.String(), "1111") {
			t.Fatalf("a big export does not offer a job: %d %.600s", w.Code, w.Body)
		}
		w = b.form(export, "/jobs/export", url.Values{"list": {"households"}, "query": {"q=任务户1"}})
		page := w.Header().Get("Location")
		if w.Code != http.StatusSeeOther || !strings.HasPrefix(page, "/jobs/") {
			t.Fatalf("start the export: %d %q %.300s", w.Code, page, w.Body)
		}
		b.do("GET", "/desk", nil, "") // leave
		if j := waitJob(t, b, page); j.State != "done" || j.Done != 1111 || j.Total != 1111 {
			t.Fatalf("the export job: %+v", j)
		}
		done := b.do("GET", page, nil, "").Body.String()
		file := page + "/file"
		if !strings.Contains(done, `href="`+file+`" id="job-file"`) || !strings.Contains(done, "导出行数：") {
			t.Fatalf("the ended export's page offers no file: %.900s", done)
		}
		w = b.do("GET", file, nil, "")
		if w.Code != http.StatusOK || w.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("the file: %d %q", w.Code, w.Header().Get("Cache-Control"))
		}
		_, rows := sheetRows(t, w.Body.Bytes())
		if len(rows) < 3 || !strings.Contains(rows[0][0], "任务户1") || !strings.Contains(rows[0][0], translateZH("list.search")) {
			t.Fatalf("the title does not name the filter: %q", rows[0])
		}
		if strings.Join(rows[1], ",") != strings.Join(registry.ExportHeader, ",") {
			t.Errorf("header %q", rows[1])
		}
		seen := map[string]bool{}
		for _, r := range rows[2:] {
			if !strings.HasPrefix(r[0], "990101001001-J") || !strings.Contains(r[2], "任务户1") {
				t.Errorf("a row outside the filter: %q", r)
			}
			if !strings.Contains(r[4], "*") {
				t.Errorf("the ID is not masked: %q", r)
			}
			seen[r[0]] = true
		}
		if len(seen) != 1111 {
			t.Errorf("%d households in the file, want 1111", len(seen))
		}
		for _, r := range rows {
			if m := fullID.FindString(strings.Join(r, "|")); m != "" {
				t.Errorf("the file shows the full ID %s", m)
			}
		}
		count := func(action string) int {
			var n int
			if err := db.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor = ?`), action, "demo.village").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		b.do("GET", file, nil, "")
		if e, d := count("personal.export"), count("personal.download"); e != 1 || d != 2 {
			t.Errorf("audited %d exports and %d downloads, want 1 and 2", e, d)
		}
		for _, user := range []string{"demo.township2", "demo.village2"} {
			o := newBrowser(t, h)
			o.login(user, demo.Password(user))
			for _, p := range []string{page, file, "/api/v1/jobs/990101/" + strings.TrimPrefix(page, "/jobs/")} {
				if w := o.do("GET", p, nil, ""); w.Code != http.StatusNotFound {
					t.Errorf("%s GET %s: %d, want 404", user, p, w.Code)
				}
			}
		}
		up := newBrowser(t, h)
		up.login("demo.township", demo.Password("demo.township"))
		if w := up.do("GET", file, nil, ""); w.Code != http.StatusOK {
			t.Errorf("the township above: %d", w.Code)
		}

		// A small export is sent at once, filtered: 任务户29, 290–299, 2900–2999.
		w = b.do("GET", "/registry.xlsx?q=任务户29", nil, "")
		if w.Code != http.StatusOK || !strings.Contains(w.Header().Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("a small export: %d %q", w.Code, w.Header().Get("Content-Type"))
		}
		if _, rows := sheetRows(t, w.Body.Bytes()); len(rows) != 2+111 || !strings.Contains(rows[0][0], "任务户29") {
			t.Errorf("the small export: %d rows, title %q", len(rows), rows[0])
		}

		// The API: a transfers export as a job, whatever its size.
		tok, err := a.IssueToken(ctx, auth.Principal{Username: "demo.finance", Role: auth.RoleFinance, Place: "990101000000", County: demo.County}, "export")
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest("POST", "/api/v1/jobs/990101/export?list=transfers&kind=arrival", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var started struct {
			Job struct {
				ID int64 `json:"id"`
			} `json:"job"`
		}
		if rec.Code != http.StatusAccepted || json.Unmarshal(rec.Body.Bytes(), &started) != nil || started.Job.ID == 0 {
			t.Fatalf("API export: %d %s", rec.Code, rec.Body)
		}
		fin := newBrowser(t, h)
		fin.login("demo.finance", demo.Password("demo.finance"))
		jp := "/jobs/" + strconv.FormatInt(started.Job.ID, 10)
		if j := waitJob(t, fin, jp); j.State != "done" {
			t.Fatalf("the transfers export: %+v", j)
		}
		w = fin.do("GET", jp+"/file", nil, "")
		if w.Code != http.StatusOK {
			t.Fatalf("the transfers file: %d", w.Code)
		}
		x, rows := sheetRows(t, w.Body.Bytes())
		sh := x.GetSheetName(0)
		if !strings.Contains(rows[0][0], translateZH("tkind.arrival")) || len(rows) < 4 {
			t.Fatalf("the transfers file: title %q, %d rows", rows[0], len(rows))
		}
		var sum money.Fen
		for i := 3; i <= len(rows); i++ {
			cell := "F" + strconv.Itoa(i)
			typ, _ := x.GetCellType(sh, cell)
			st, _ := x.GetCellStyle(sh, cell)
			if (typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber) || st == 0 {
				t.Errorf("the amount %s is not a number cell with a format: type %v style %d", cell, typ, st)
			}
			v, _ := x.GetCellValue(sh, cell, excelize.Options{RawCellValue: true})
			f, err := money.Parse(v)
			if err != nil {
				t.Fatalf("amount %s %q: %v", cell, v, err)
			}
			if i < len(rows) {
				if rows[i-1][2] != translateZH("tkind.arrival") {
					t.Errorf("a row of another kind: %q", rows[i-1])
				}
				sum += f
			} else if f != sum {
				t.Errorf("the totals row says %v, the rows add up to %v", f, sum)
			}
		}
	})
}
