package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"onepool/internal/auth"
	"onepool/internal/demo"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/web"
)

// oldMask is the earlier 6 + 4 form of a masked ID: beside a birth year it
// narrows the ID to a few dozen candidates.
var oldMask = regexp.MustCompile(`[0-9]{6}\*{8}[0-9]{3}[0-9X]`)

// TestMemberMaskScan loads the demo county and, for every page, API answer
// and export that shows a member — as each staff role that may see them —
// checks that the body holds no demo member's full ID, no 8 birth-date
// digits (YYYYMMDD) nor the date written YYYY-MM-DD, and no ID in the old
// 6 + 4 mask; that the sensitive cause is shown only to the household's
// handlers, each view audited; that personal exports are audited and not
// cached; and that the raw rows of the registry (and relief, workflow and
// audit) tables hold no ID, mask or birth date in clear.
func TestMemberMaskScan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, _, keys, h := demoKeyed(t, db)
		reg := registry.New(db, keys, nil)
		rural := auth.Principal{Username: "scan", Role: auth.RoleRural, Place: "990101000000", County: demo.County}
		hs, _, err := reg.Households(ctx, demo.County, "", 1000, 0)
		if err != nil || len(hs) == 0 {
			t.Fatalf("demo households: %d %v", len(hs), err)
		}
		// Every demo member's ID, revealed through the audited path.
		var forbidden []string
		for _, hh := range hs {
			for _, m := range hh.Members {
				id, err := reg.Reveal(ctx, rural, demo.County, hh.Code, registry.FieldResidentID, m.Seq)
				if err != nil {
					t.Fatal(err)
				}
				forbidden = append(forbidden, id, id[6:14], id[6:10]+"-"+id[10:12]+"-"+id[12:14])
			}
		}
		scan := func(what, body string) {
			t.Helper()
			for _, f := range forbidden {
				if strings.Contains(body, f) {
					t.Errorf("%s shows %q (an ID or its birth date)", what, f)
				}
			}
			if m := oldMask.FindString(body); m != "" {
				t.Errorf("%s shows the old 6 + 4 mask %s", what, m)
			}
		}
		sheet := func(body []byte) string {
			t.Helper()
			f, err := excelize.OpenReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			rows, err := f.GetRows(f.GetSheetName(0))
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, r := range rows {
				b.WriteString(strings.Join(r, "|") + "\n")
			}
			return b.String()
		}
		for _, user := range []string{"demo.rural", "demo.finance", "demo.sector", "demo.auditor", "demo.township", "demo.village"} {
			b := newBrowser(t, h)
			b.login(user, demo.Password(user))
			get := func(path string) string {
				t.Helper()
				w := b.do("GET", path, nil, "")
				if w.Code != 200 {
					t.Fatalf("%s GET %s: %d %.300s", user, path, w.Code, w.Body)
				}
				return w.Body.String()
			}
			paths := []string{"/registry", "/api/v1/registry/990101/households", "/relief", "/review", "/api/v1/relief/990101",
				"/public/990101/notices", "/api/v1/public/990101/notices", "/api/v1/registry/990101/leads"}
			for _, hh := range hs {
				// 上坝村's cadre does not see 桃园村's households (the
				// asset income's demo): not found, and nothing shown.
				if user == "demo.village" && hh.Village != "990101001001" {
					for _, p := range []string{"/registry/" + hh.Code, "/api/v1/registry/990101/households/" + hh.Code} {
						w := b.do("GET", p, nil, "")
						if w.Code != http.StatusNotFound {
							t.Errorf("%s GET %s (another village's household): %d", user, p, w.Code)
						}
						scan(user+" "+p, w.Body.String())
					}
					continue
				}
				paths = append(paths, "/registry/"+hh.Code, "/api/v1/registry/990101/households/"+hh.Code)
			}
			for id := 1; id <= 2; id++ {
				paths = append(paths, fmt.Sprintf("/relief/applications/%d", id), fmt.Sprintf("/api/v1/relief/990101/applications/%d", id))
			}
			if user == "demo.auditor" {
				paths = append(paths, "/audit", "/audit?action=registry.save")
			}
			for _, p := range paths {
				scan(user+" "+p, get(p))
			}
			page := get("/registry/" + hs[0].Code)
			if !strings.Contains(page, hs[0].Members[0].IDMasked) || !strings.Contains(page, fmt.Sprint(hs[0].Members[0].BirthYear)) {
				t.Errorf("%s: the household page lacks the mask %s or the birth year", user, hs[0].Members[0].IDMasked)
			}
			// The illness cause: only for the household's handlers, audited.
			handler := user == "demo.rural" || user == "demo.township" || user == "demo.village"
			app := get("/relief/applications/1")
			hidden := translateZH("registry.sensitive_hidden")
			if shows := strings.Contains(page, translateZH("cause.illness")) || strings.Contains(app, translateZH("cause.illness")); shows != handler {
				t.Errorf("%s: the illness cause shown = %v, want %v", user, shows, handler)
			}
			if !handler && (!strings.Contains(page, hidden) || !strings.Contains(app, hidden)) {
				t.Errorf("%s: the hidden cause is not labelled %q", user, hidden)
			}
			w := b.do("GET", "/registry.xlsx", nil, "")
			if w.Code != 200 || w.Header().Get("Cache-Control") != "no-store" {
				t.Fatalf("%s registry.xlsx: %d, Cache-Control %q", user, w.Code, w.Header().Get("Cache-Control"))
			}
			cells := sheet(w.Body.Bytes())
			scan(user+" registry.xlsx", cells)
			if user == "demo.rural" && !strings.Contains(cells, "出生年份") {
				t.Errorf("registry.xlsx has no birth-year column: %.300s", cells)
			}
		}
		// One audit entry per view of a cause, none for those who may not
		// see it; every personal export audited.
		countOf := func(q string, args ...any) int {
			var n int
			if err := db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for user, want := range map[string]bool{"demo.rural": true, "demo.township": true, "demo.finance": false, "demo.sector": false, "demo.auditor": false} {
			n := countOf(db.Rebind(`SELECT COUNT(*) FROM audit_log WHERE action = 'personal.view' AND actor = ?`), user)
			if (n > 0) != want {
				t.Errorf("%s: %d audited views of a cause, want some = %v", user, n, want)
			}
		}
		if n := countOf(`SELECT COUNT(*) FROM audit_log WHERE action = 'personal.export'`); n != 6 {
			t.Errorf("%d audited registry exports, want 6", n)
		}
		// The raw rows: no ID, no mask, no birth date in clear.
		masks := []string{}
		for _, hh := range hs {
			for _, m := range hh.Members {
				masks = append(masks, m.IDMasked)
			}
		}
		for _, table := range []string{"reg_households", "reg_members", "reg_years", "reg_leads", "reg_lead_households", "relief_applications", "wf_items", "wf_notices", "audit_log"} {
			text := dumpTable(t, db, table)
			for _, f := range append(append([]string(nil), forbidden...), masks...) {
				if strings.Contains(text, f) {
					t.Errorf("table %s holds %q in clear", table, f)
				}
			}
		}
	})
}

func translateZH(key string) string { return web.Translate("zh", key) }

// dumpTable returns every row of a table as text, blobs as strings.
func dumpTable(t *testing.T, db *store.DB, table string) string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT * FROM `+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprint(&b, v, "|")
		}
		b.WriteString("\n")
	}
	return b.String()
}
