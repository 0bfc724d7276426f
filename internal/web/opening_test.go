package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"onepool/internal/app"
	"onepool/internal/auth"
	"onepool/internal/demo"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/web"
)

func balanceOf(t *testing.T, l *ledger.Ledger, county, code, channel string) money.Fen {
	t.Helper()
	bs, err := l.Balances(context.Background(), county, code)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if b.Channel == channel {
			return b.Amount
		}
	}
	return 0
}

// TestOpeningImportPages: on 期初导入 a bad file lists every row's error
// in Chinese, keeps the typed 文号 and writes nothing; a good file (the
// downloaded template, filled in) becomes an instruction that posts only
// when another person approves it — its maker cannot — and the balances
// then show per channel; a second set is refused. The second demo county
// shows its adopted state.
func TestOpeningImportPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := auth.New(db, nil, auth.Config{ArgonMemoryKiB: 64, ArgonTime: 1})
		l := ledger.New(db, nil)
		runDemo(t, l, "")
		creds, err := demo.Run(ctx, a, l) // idempotent
		if err != nil {
			t.Fatal(err)
		}
		h := app.Server(web.Deps{DB: db, Ledger: l, Auth: a})
		var second int
		for _, c := range creds {
			if c.County == demo.AdoptedCounty {
				second++
			}
		}
		if second == 0 {
			t.Fatal("no sign-ins of the adopted county")
		}
		// The adopted county: its opening set is posted, its pool holds it.
		fin2 := newBrowser(t, h)
		fin2.login("demo2.finance", demo.Password("demo2.finance"))
		page := fin2.do("GET", "/funds/opening", nil, "").Body.String()
		if !strings.Contains(page, "松财建〔2026〕1号（演示）") || !strings.Contains(page, "已记账") || !strings.Contains(page, "2026-09-30") {
			t.Errorf("the adopted county's opening page: %s", page)
		}
		if b := balanceOf(t, l, demo.AdoptedCounty, "pool", "ZX"); b != 2_600_000_00 {
			t.Errorf("adopted pool holds %s on ZX", b)
		}
		if rep, err := ledger.Verify(ctx, db); err != nil || len(rep.Problems) > 0 {
			t.Errorf("verify: %v %v", rep.Problems, err)
		}

		// The demo county enters its own set.
		fin := newBrowser(t, h)
		fin.login("demo.finance", demo.Password("demo.finance"))
		if w := fin.do("GET", "/funds/opening/template.xlsx", nil, ""); w.Code != 200 || !strings.Contains(w.Header().Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("template: %d", w.Code)
		}
		bad := "账户代码,渠道代码,金额（元）\nhh:nobody,ZX,100\npool,ZX,abc\npool,QQ,100\npool,SJ,100\npool,SJ,200\n"
		w := upload(fin, "/funds/opening", "/funds/opening", map[string]string{"doc_no": "青财建〔2026〕9号", "day": "2026-09-30"}, "opening.csv", []byte(bad))
		body := w.Body.String()
		if w.Code != http.StatusBadRequest {
			t.Fatalf("bad file: %d %s", w.Code, body)
		}
		for _, want := range []string{"账户 hh:nobody 不存在", "第 3 行", "资金渠道 QQ 尚未登记", "已在第 5 行填写", `value="青财建〔2026〕9号"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the refusal lacks %q: %s", want, body)
			}
		}
		if strings.Contains(body, "does not exist") || strings.Contains(body, "not registered") {
			t.Errorf("English on the page: %s", body)
		}
		if !strings.Contains(fin.do("GET", "/funds/opening", nil, "").Body.String(), `id="opening-none"`) {
			t.Error("a refused file left an opening set")
		}
		good := "账户代码,渠道代码,金额（元）\npool,ZX,10万元\nhh:990101001001-01,ZX,\"2,000.00\"\n"
		before := balanceOf(t, l, demo.County, "pool", "ZX")
		w = upload(fin, "/funds/opening", "/funds/opening", map[string]string{"doc_no": "青财建〔2026〕9号", "day": "2026-09-30"}, "opening.csv", []byte(good))
		if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/instructions/") {
			t.Fatalf("good file: %d %s", w.Code, w.Body)
		}
		next := w.Header().Get("Location")
		if got := balanceOf(t, l, demo.County, "pool", "ZX"); got != before {
			t.Fatalf("posted before approval: %s → %s", before, got)
		}
		// Its maker cannot approve it.
		if w := fin.form(next, next+"/decide", url.Values{"action": {"approve"}, "opinion": {"同意"}}); w.Code == http.StatusSeeOther {
			t.Fatalf("the maker approved: %d", w.Code)
		}
		fin2nd := newBrowser(t, h)
		fin2nd.login("demo.finance2", demo.Password("demo.finance2"))
		if w := fin2nd.form(next, next+"/decide", url.Values{"action": {"approve"}, "opinion": {"与账面一致"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("approval: %d %s", w.Code, w.Body)
		}
		if got := balanceOf(t, l, demo.County, "pool", "ZX"); got != before+100_000_00 {
			t.Errorf("pool ZX: %s, want %s + 100,000", got, before)
		}
		if got := balanceOf(t, l, demo.County, "hh:990101001001-01", "ZX"); got < 2_000_00 {
			t.Errorf("household ZX: %s", got)
		}
		// A second set is refused, on the page and by the API.
		w = upload(fin, "/funds/opening", "/funds/opening", map[string]string{"doc_no": "青财建〔2026〕10号", "day": "2026-09-30"}, "opening.csv", []byte(good))
		if w.Code != http.StatusConflict && w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "不能再导入第二套") {
			t.Errorf("second set: %d %s", w.Code, w.Body)
		}
		r := &excelRig{t: t, h: h, a: a, toks: map[string]string{}}
		code, resp := r.api("demo.finance", "/api/v1/adopt/990101/opening", []byte(`{"key":"k2","doc_no":"x","day":"2026-09-30","rows":[{"account":"pool","channel":"ZX","amount":"1"}]}`))
		if code < 400 || !strings.Contains(resp, "opening_exists") {
			t.Errorf("API second set: %d %s", code, resp)
		}
	})
}
