package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"onepool/internal/app"
	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/demo"
	"onepool/internal/ledger"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/web"
)

// TestAccountsOfAnotherTownship: a township officer asking for accounts
// of another township gets an empty list (the "no place" filter), on the
// page and the API, on both engines — not a 500 (PostgreSQL once refused
// the filter's 0x00 byte as invalid UTF-8).
func TestAccountsOfAnotherTownship(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := demoServer(t, db, false)
		b := newBrowser(t, h)
		b.login("demo.township", demo.Password("demo.township"))
		own := b.do("GET", "/ledger/accounts?place=990101001000", nil, "")
		if own.Code != 200 || !strings.Contains(own.Body.String(), `id="accounts"`) {
			t.Fatalf("own township's accounts: %d", own.Code)
		}
		other := b.do("GET", "/ledger/accounts?place=990101002000", nil, "")
		if other.Code != 200 || strings.Contains(other.Body.String(), `id="accounts"`) {
			t.Fatalf("another township's accounts: %d, want 200 with no rows: %s", other.Code, other.Body)
		}
		api := b.do("GET", "/api/v1/ledger/990101/accounts?place=990101002000", nil, "")
		var body struct {
			Accounts []json.RawMessage `json:"accounts"`
		}
		if api.Code != 200 || json.Unmarshal(api.Body.Bytes(), &body) != nil || len(body.Accounts) != 0 {
			t.Fatalf("API, another township's accounts: %d %s", api.Code, api.Body)
		}
	})
}

// TestStorageFull: when the database cannot grow, a write answers
// storage_full (507 with a clear message), /healthz says not ready
// (storage), a signed-in user still reads pages, and once a write commits
// again the server is ready again. The full disk is simulated with
// SQLite's max_page_count on the one writer connection.
func TestStorageFull(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpen(t, store.SQLite)
	h := demoServer(t, db, false)
	b := newBrowser(t, h)
	b.login("demo.finance", demo.Password("demo.finance"))
	health := func() (int, string) {
		w := b.do("GET", "/healthz", nil, "")
		return w.Code, w.Body.String()
	}
	if code, body := health(); code != 200 {
		t.Fatalf("healthz before: %d %s", code, body)
	}
	var pages int64
	if err := db.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecRaw(ctx, `PRAGMA max_page_count = `+itoa(pages)); err != nil {
		t.Fatal(err)
	}
	// A big write cannot fit in the pages there are.
	big := strings.Repeat("x", 64<<10)
	err := audit.Write(ctx, db, time.Now(), audit.Entry{County: "990101", Actor: "test", Action: "test.fill", Object: "x", Outcome: "ok", After: big})
	if err == nil || !strings.Contains(err.Error(), "storage_full") {
		t.Fatalf("write on a full database: %v, want storage_full", err)
	}
	code, body := health()
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "storage") {
		t.Fatalf("healthz with the storage full: %d %s", code, body)
	}
	// Reads still work for the signed-in user.
	if w := b.do("GET", "/ledger/accounts", nil, ""); w.Code != 200 {
		t.Fatalf("reading with the storage full: %d", w.Code)
	}
	// Fill the last page to the byte: then even a session row cannot be
	// written.
	for _, size := range []int{2000, 1000, 500, 200, 100, 50, 20, 1} {
		for i := 0; i < 200; i++ {
			if err := audit.Write(ctx, db, time.Now(), audit.Entry{County: "990101", Actor: "test", Action: "test.fill", Object: "x", Outcome: "ok", After: strings.Repeat("y", size)}); err != nil {
				break
			}
		}
	}
	// Signing in still works, for reading: the session is held in
	// memory; a write answers 507 with the clear message.
	other := newBrowser(t, h)
	if w := other.form("/login", "/login", url.Values{"username": {"demo.rural"}, "password": {demo.Password("demo.rural")}}); w.Code != http.StatusSeeOther {
		t.Fatalf("sign-in on a full database: %d %s", w.Code, w.Body)
	}
	if w := other.do("GET", "/funds", nil, ""); w.Code != 200 || !strings.Contains(w.Body.String(), "资金") {
		t.Fatalf("reading after signing in on a full database: %d", w.Code)
	}
	w := other.form("/funds/projects", "/funds/allocations", url.Values{"project": {"2026-001"}, "amount": {"1"}, "key": {"full-disk"}})
	if w.Code != http.StatusInsufficientStorage || !strings.Contains(w.Body.String(), "数据库存储空间已满") {
		t.Fatalf("a write on a full database: %d, want 507: %.300s", w.Code, w.Body)
	}
	// Space again: the next write commits and the server is ready.
	if _, err := db.ExecRaw(ctx, `PRAGMA max_page_count = 1073741823`); err != nil {
		t.Fatal(err)
	}
	if err := audit.Write(ctx, db, time.Now(), audit.Entry{County: "990101", Actor: "test", Action: "test.fill", Object: "x", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	if code, body := health(); code != 200 {
		t.Fatalf("healthz after space was freed: %d %s", code, body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestPublicAddress: the county administrator sets the public address
// (系统 → 设置) and printed notices point there, whatever host the clerk
// used; a malformed address is refused naming the field, and nothing is
// saved.
func TestPublicAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := demoServer(t, db, false)
		admin := newBrowser(t, h)
		admin.login("demo.admin", demo.Password("demo.admin"))
		for _, bad := range []string{"javascript:alert(1)", "ftp://x.cn", "https://", "https://a.cn/?q=1", "https://u:p@a.cn"} {
			w := admin.form("/system/settings", "/system/settings", url.Values{"public_url": {bad}})
			if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "form-error") {
				t.Errorf("public address %q: %d", bad, w.Code)
			}
		}
		if w := admin.form("/system/settings", "/system/settings", url.Values{"public_url": {"https://xczx.qinghe.gov.cn/"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("save: %d %s", w.Code, w.Body)
		}
		page := admin.do("GET", "/public/990101/notices", nil, "").Body.String()
		m := regexp.MustCompile(`/public/990101/notices/([0-9]+)`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no demo notice on the public list")
		}
		print := admin.do("GET", "/public/990101/notices/"+m[1]+"/print", nil, "").Body.String()
		if !strings.Contains(print, "https://xczx.qinghe.gov.cn/public/990101/notices/"+m[1]) || strings.Contains(print, "example.com/public") {
			t.Errorf("the printed notice's address: %.500s", print)
		}
		fin := newBrowser(t, h)
		fin.login("demo.finance", demo.Password("demo.finance"))
		if w := fin.form("/system/settings", "/system/settings", url.Values{"public_url": {"https://evil.example"}}); w.Code != http.StatusForbidden {
			t.Errorf("finance changes the public address: %d", w.Code)
		}
	})
}

// TestRecordADeath: marking a member deceased asks for the date and a
// confirmation; the date goes into the audit log.
func TestRecordADeath(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := demoServerWithKeys(t, db)
		b := newBrowser(t, h)
		b.login("demo.village", demo.Password("demo.village"))
		page := "/registry/990101001001-01"
		if w := b.do("GET", page, nil, ""); w.Code != 200 || !strings.Contains(w.Body.String(), `name="died_on"`) {
			t.Fatalf("the household page: %d", w.Code)
		}
		action := page + "/alive"
		for _, v := range []url.Values{{"seq": {"2"}, "alive": {"0"}}, {"seq": {"2"}, "alive": {"0"}, "died_on": {"2026-11-20"}}, {"seq": {"2"}, "alive": {"0"}, "died_on": {"2999-01-01"}, "confirm": {"1"}}} {
			if w := b.form(page, action, v); w.Code != http.StatusBadRequest {
				t.Errorf("%v: %d, want 400", v, w.Code)
			}
		}
		if w := b.form(page, action, url.Values{"seq": {"2"}, "alive": {"0"}, "died_on": {"2026-11-20"}, "confirm": {"1"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("record the death: %d %s", w.Code, w.Body)
		}
		var n int
		if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'registry.save' AND after_json LIKE ?`, "%死亡日期 2026-11-20%").Scan(&n); err != nil || n != 1 {
			t.Errorf("the audit entry of the death: %d %v", n, err)
		}
	})
}

// demoServerWithKeys is the demo county with its households registry.
func demoServerWithKeys(t *testing.T, db *store.DB) http.Handler {
	t.Helper()
	_, _, _, h := demoKeyed(t, db)
	return h
}

// demoKeyed is the demo county with its households registry: the auth
// service, the ledger, the registry's keys and the server on db.
func demoKeyed(t *testing.T, db *store.DB) (*auth.Service, *ledger.Ledger, *registry.Keys, *web.Server) {
	t.Helper()
	a := auth.New(db, nil, auth.Config{ArgonMemoryKiB: 64, ArgonTime: 1, IPFailures: 1 << 20})
	l := ledger.New(db, nil)
	keys, err := registry.NewKeys([]byte("demo-key-0123456789abcdefghijklm"))
	if err != nil {
		t.Fatal(err)
	}
	runDemo(t, l, "demo-key", keys)
	return a, l, keys, app.Server(web.Deps{DB: db, Ledger: l, Auth: a, Keys: keys})
}
