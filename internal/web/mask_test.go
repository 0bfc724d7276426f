package web_test

import (
	"bytes"
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"onepool/internal/app"
	"onepool/internal/auth"
	"onepool/internal/funds"
	"onepool/internal/ident"
	"onepool/internal/ledger"
	"onepool/internal/place"
	"onepool/internal/projects"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/volume"
	"onepool/internal/web"
)

// Real-looking personal data typed where it should not be: in names,
// memos and channel names.
const (
	fakeID    = "110105194912310021"
	fakeCard  = "6222021234567890123"
	fakePhone = "13812345678"
)

// randomHex matches the random hex of form tokens and idempotency keys
// (value="…") and of asset versions (?v=…): it can hold a run of digits
// that looks like a card number, but it is not data.
var randomHex = regexp.MustCompile(`(value="|\?v=)[0-9a-f]{12,}`)

// personalData scans a page for unmasked personal numbers, its random
// tokens left out.
func personalData(page string) []string {
	return ident.ScanPersonalData(randomHex.ReplaceAllString(page, "$1"))
}

// TestMaskingScan renders every public page and every export with fixture
// data full of ID, card and phone numbers, and scans the output: none may
// leave unmasked, and names on public pages show only the surname.
func TestMaskingScan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := auth.New(db, nil, auth.Config{ArgonMemoryKiB: 64, ArgonTime: 1})
		l := ledger.New(db, nil)
		h := app.Server(web.Deps{DB: db, Ledger: l, Auth: a})
		if _, err := a.ImportPlaces(ctx, auth.System(countyA), []place.Node{{Code: root, Name: "甲县"}, {Code: vilA, Name: "甲村", Parent: root}}); err != nil {
			t.Fatal(err)
		}
		mustUser(t, a, "fin", auth.RoleFinance, root)
		if _, err := l.CreateChannels(ctx, "t", countyA, []ledger.NewChannel{{Code: "ZX", Name: "中央资金 联系人" + fakePhone}}); err != nil {
			t.Fatal(err)
		}
		if _, err := l.OpenAccounts(ctx, "t", countyA, []ledger.NewAccount{
			{Code: "treasury", Kind: ledger.External, Name: "国库", Place: root},
			{Code: "hh:" + fakeID, Kind: ledger.Household, Name: "张三丰 " + fakeID, Owner: fakeCard, Place: vilA},
			{Code: "hh:2", Kind: ledger.Household, Name: "欧阳娜娜 卡" + fakeCard, Place: vilA},
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Post(ctx, "t", countyA, []ledger.TransferRequest{
			{Key: "1", Kind: "arrival", From: "treasury", To: "hh:" + fakeID, Legs: []ledger.Leg{{Channel: "ZX", Amount: 100000}}, Memo: "身份证" + fakeID + " 电话" + fakePhone},
			{Key: "2", Kind: "payment", From: "hh:" + fakeID, To: "hh:2", Legs: []ledger.Leg{{Channel: "ZX", Amount: 5000}}, Memo: "卡号" + fakeCard},
			{Key: "3", Kind: "payment", From: "hh:2", To: "hh:" + fakeID, Legs: []ledger.Leg{{Channel: "ZX", Amount: 100}}},
		}); err != nil {
			t.Fatal(err)
		}
		tok, _, err := a.Login(ctx, "fin", "password-fin", "192.0.2.9")
		if err != nil {
			t.Fatal(err)
		}
		get := func(path string, signedIn bool) []byte {
			t.Helper()
			r := httptest.NewRequest("GET", path, nil)
			if signedIn {
				r.AddCookie(&http.Cookie{Name: "op_session", Value: tok})
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, w.Code, w.Body)
			}
			return w.Body.Bytes()
		}
		scan := func(what string, text string) {
			t.Helper()
			if found := personalData(text); len(found) > 0 {
				t.Errorf("%s shows personal data unmasked: %v", what, found)
			}
		}
		// A notice posted before the personal-data check existed (raw in
		// the table): its public pages scrub it all the same.
		if err := db.Write(ctx, time.Now(), func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO wf_notices (county, id, item, title, body, places, place, starts, ends, state, created_at, created_by)
			VALUES ('990101', 1, 1, ?, ?, ?, ?, '2000-01-01', '2999-12-31', 'posted', 0, 't')`, "公示 联系人身份证"+fakeID, "收款卡号"+fakeCard+" 电话"+fakePhone, vilA, vilA)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		// Every public page and the public export, in both languages.
		for _, path := range []string{"/public/990101", "/public/990101/funds.csv", "/login", "/public/990101/notices", "/public/990101/notices/1", "/public/990101/notices/1/print"} {
			body := string(get(path, false))
			scan(path, body)
			if strings.Contains(body, "三丰") || strings.Contains(body, "娜娜") {
				t.Errorf("%s shows a full name", path)
			}
		}
		pub := string(get("/public/990101", false))
		if !strings.Contains(pub, "张**") || !strings.Contains(pub, "欧阳**") {
			t.Errorf("public payouts do not show surname + *: %s", pub)
		}
		// Every export of the desk.
		xl := get("/ledger/accounts.xlsx", true)
		f, err := excelize.OpenReader(bytes.NewReader(xl))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows(f.GetSheetName(0))
		if err != nil {
			t.Fatal(err)
		}
		var cells strings.Builder
		for _, r := range rows {
			cells.WriteString(strings.Join(r, " | ") + "\n")
		}
		if len(rows) != 4 {
			t.Errorf("accounts export has %d rows, want a header and 3 accounts:\n%s", len(rows), cells.String())
		}
		scan("accounts.xlsx", cells.String())
		if dir := os.Getenv("ONEPOOL_ARTIFACTS"); dir != "" {
			_ = os.WriteFile(dir+"/public-county.html", []byte(pub), fs.ModePerm&0o644)
		}
	})
}

// TestMessagesComplete checks that every message key a template names is
// in the catalogue in both languages.
func TestMessagesComplete(t *testing.T) {
	keyRe := regexp.MustCompile(`(?:\.T|\btr) "([a-z_.0-9]+)"`)
	ents, err := os.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		b, err := os.ReadFile("templates/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRe.FindAllStringSubmatch(string(b), -1) {
			n++
			for _, lang := range []string{"zh", "en"} {
				if got := web.Translate(lang, m[1]); got == m[1] || got == "" {
					t.Errorf("%s: message %q has no %s text", e.Name(), m[1], lang)
				}
			}
		}
	}
	if n < 100 {
		t.Errorf("found only %d message uses in the templates; is the pattern right?", n)
	}
	// Keys built at run time: roles, kinds, transfer kinds, levels.
	var dyn []string
	for _, r := range append([]auth.Role{auth.RolePublic}, auth.Roles...) {
		dyn = append(dyn, "role."+string(r))
	}
	for _, k := range ledger.Kinds {
		dyn = append(dyn, "kind."+string(k))
	}
	for _, k := range ledger.TransferKinds {
		dyn = append(dyn, "tkind."+k)
	}
	for _, k := range []string{"county", "township", "village"} {
		dyn = append(dyn, "level."+k)
	}
	for _, k := range []string{"no_base_year", "needs_registry", "no_collective_projects"} {
		dyn = append(dyn, "checks.reason."+k)
	}
	for _, k := range funds.AssignmentRoles {
		dyn = append(dyn, "teams.role."+k)
	}
	for _, k := range projects.Statuses {
		dyn = append(dyn, "status."+k)
	}
	for _, k := range projects.Phases {
		dyn = append(dyn, "phase."+k)
	}
	for _, k := range volume.Kinds {
		dyn = append(dyn, "volume.kind."+k)
	}
	for _, k := range funds.Levels {
		dyn = append(dyn, "funds.level."+k)
	}
	for _, k := range []string{"submit", "approve", "return", "reject", "freeze", "unfreeze", "objection_upheld"} {
		dyn = append(dyn, "decision."+k)
	}
	for _, k := range []string{"open", "upheld", "dismissed"} {
		dyn = append(dyn, "notice.status."+k)
	}
	for _, k := range []string{"project", "relief", "credit"} {
		dyn = append(dyn, "queue.kind."+k)
	}
	for _, k := range []string{"reclaim", "switch"} {
		dyn = append(dyn, "violation."+k)
	}
	for _, k := range registry.Statuses {
		dyn = append(dyn, "hstatus."+k)
	}
	for _, k := range registry.Causes {
		dyn = append(dyn, "cause."+k)
	}
	for _, k := range []string{"lead.duplicate_id", "lead.shared_card", "lead.status.open", "lead.status.overridden", "line.sent", "line.paid", "line.failed"} {
		dyn = append(dyn, k)
	}
	for _, k := range []string{"rounding.yuan_up", "rounding.yuan_half_up", "rounding.fen"} {
		dyn = append(dyn, k)
	}
	for _, k := range []string{"review", "approved", "sending", "paid", "failed", "rejected"} {
		dyn = append(dyn, "rstatus."+k)
	}
	for _, k := range dyn {
		if web.Translate("zh", k) == k || web.Translate("en", k) == k {
			t.Errorf("message %q is missing", k)
		}
	}
}
