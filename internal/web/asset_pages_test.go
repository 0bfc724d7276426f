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

	"onepool/internal/auth"
	"onepool/internal/demo"
	"onepool/internal/ident"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// The authorization rules of the asset income pages (issue 14): an
// asset's pages are checked own / parent / sibling on the matrix's
// assets; a run, a lease, a line or a batch of none answers 404; the
// payout batches are the county's finance and rural bureaus'.
func init() {
	for k, v := range map[string]rule{
		"GET /assets/report":                                  {roles: staff, list: true},
		"GET /assets/report.xlsx":                             {roles: staff, list: true},
		"GET /assets/{id}/income":                             {roles: staff, record: true},
		"POST /assets/{id}/leases":                            {roles: "village township rural", record: true},
		"POST /assets/{id}/leases/{lease}/end":                {roles: "village township rural", always: 404},
		"POST /assets/{id}/income":                            {roles: "village township rural", record: true},
		"POST /assets/{id}/valuations":                        {roles: "village township rural", record: true},
		"POST /assets/{id}/runs":                              {roles: "village township rural", record: true},
		"GET /assets/{id}/runs/{run}":                         {roles: staff, always: 404},
		"POST /assets/{id}/runs/{run}/pay":                    {roles: "finance rural", always: 404},
		"GET /asset-income/lines/{id}":                        {roles: staff, always: 404},
		"GET /asset-income/batches/{id}":                      {roles: "finance rural", always: 404},
		"GET /asset-income/batches/{id}/payout.xlsx":          {roles: "finance rural", always: 404},
		"POST /asset-income/batches/{id}/return":              {roles: "finance rural", always: 404},
		"POST /asset-income/batches/{id}/send":                {roles: "finance rural", always: 404},
		"GET /asset-income/batches/{id}/return-template.xlsx": {roles: "finance rural", always: 404},
	} {
		matrix[k] = v
	}
}

var hanRe = regexp.MustCompile(`\p{Han}`)

// TestAssetIncomePagesOnTheDemo: the demo's operating asset links to its
// income page; a refused income form comes back with the amount kept and
// the refusal in Chinese; income recorded in 万元 shows in the year's
// table with its channels by name; a refused run keeps its households; a
// run approved by the finance bureau shows its lines by name, and its
// payout batch, entered on the run page and approved, opens on the asset
// batch pages, whose lines lead back to the run; the value report and
// its xlsx open.
func TestAssetIncomePagesOnTheDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, _, keys, srv := demoKeyed(t, db)
		rural := auth.Principal{Username: "demo.rural", Role: auth.RoleRural, Place: "990101000000", County: "990101"}
		rec := entitiesWorld{h: srv, a: a}.api(t, rural, "GET", "/api/v1/assets/990101?limit=100", "")
		var list struct {
			Assets []struct {
				ID   int64  `json:"id"`
				Code string `json:"code"`
				Type string `json:"type"`
			} `json:"assets"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
			t.Fatalf("assets: %v %s", err, rec.Body)
		}
		var id string
		for _, as := range list.Assets {
			if as.Code == "ZC0001" && as.Type == "operating" {
				id = itoa(as.ID)
			}
		}
		if id == "" {
			t.Fatalf("no operating workshop among the demo's assets: %s", rec.Body)
		}
		b := newBrowser(t, srv)
		b.login("demo.rural", demo.Password("demo.rural"))
		if page := b.do("GET", "/assets/"+id, nil, "").Body.String(); !strings.Contains(page, `href="/assets/`+id+`/income"`) || !strings.Contains(page, "收益与分配") {
			t.Fatalf("the asset page does not link to its income")
		}
		// Its ledger account (where a channel's trace meets it) leads back to it.
		if page := b.do("GET", "/ledger/accounts/ast:"+id, nil, "").Body.String(); !strings.Contains(page, `href="/assets/`+id+`" id="account-asset"`) {
			t.Errorf("the asset's ledger account does not lead to the asset")
		}
		// The channel's trace drilled into the project that built it names
		// the asset and the part of its value this channel paid.
		var one struct {
			Asset struct {
				Project string `json:"project"`
				Legs    []struct {
					Channel string `json:"channel"`
				} `json:"legs"`
			} `json:"asset"`
		}
		if err := json.Unmarshal(entitiesWorld{h: srv, a: a}.api(t, rural, "GET", "/api/v1/assets/990101/"+id, "").Body.Bytes(), &one); err != nil || len(one.Asset.Legs) == 0 {
			t.Fatalf("the workshop's legs: %+v %v", one, err)
		}
		tr := b.do("GET", "/ledger/trace?channel="+one.Asset.Legs[0].Channel+"&from=prj:"+one.Asset.Project, nil, "").Body.String()
		if i := strings.Index(tr, `id="trace-assets"`); i < 0 || !strings.Contains(tr[i:], `href="/assets/`+id+`">ZC0001`) {
			t.Errorf("the trace through project %s does not reach the asset it built", one.Asset.Project)
		}
		inc := "/assets/" + id + "/income"
		if r := b.do("GET", inc, nil, ""); r.Code != http.StatusOK || !strings.Contains(r.Body.String(), "出租与入股") || !strings.Contains(r.Body.String(), `id="asset-run-form"`) {
			t.Fatalf("income page: %d %.500s", r.Code, r.Body)
		}

		// Last year: the demo's own run is this year's (demo/asset_income.go).
		y, _ := strconv.Atoi(demoYear())
		year := strconv.Itoa(y - 1)
		bad := b.form(inc, inc, url.Values{"form": {"income"}, "kind": {"rent"}, "amount": {"12.345"}, "doc_no": {"ZJ-2026-9"}, "received_on": {year + "-03-02"}, "period": {year}})
		page := bad.Body.String()
		if bad.Code < 400 || bad.Code >= 500 {
			t.Fatalf("a three-decimal amount: %d", bad.Code)
		}
		for _, want := range []string{`value="12.345" aria-invalid="true"`, `value="ZJ-2026-9"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the refused income form lacks %s", want)
			}
		}
		m := regexp.MustCompile(`id="form-error">([^<]*)<`).FindStringSubmatch(page)
		if m == nil || !hanRe.MatchString(m[1]) || strings.Contains(m[1], "amount") {
			t.Errorf("the refusal is not in Chinese: %v", m)
		}

		ok := b.form(inc, inc, url.Values{"form": {"income"}, "kind": {"rent"}, "amount": {"1.2"}, "amount_unit": {"wan"}, "doc_no": {"ZJ-2026-9"}, "received_on": {year + "-03-02"}, "period": {year}})
		if ok.Code != http.StatusSeeOther {
			t.Fatalf("income in 万元: %d %.800s", ok.Code, ok.Body)
		}
		page = b.do("GET", inc, nil, "").Body.String()
		if !strings.Contains(page, "已登记收益到账") || !strings.Contains(page, "12,000.00") {
			t.Errorf("the recorded income (1.2 万元) is not on the page with its flash")
		}
		if !strings.Contains(page, "中央财政衔接推进乡村振兴补助资金 7,680.00") {
			t.Errorf("the income's legs are not named by channel (pro rata of the asset's money)")
		}

		// A run naming households of another village is refused in Chinese
		// (the demo has no household in 桃园村), the households kept.
		run := b.form(inc, "/assets/"+id+"/runs", url.Values{"form": {"run"}, "period": {year}, "households": {"990101001001-01\n990101001001-02"}, "key": {"t-run-1"}})
		if run.Code != http.StatusUnprocessableEntity {
			t.Errorf("a run of another village's households: %d", run.Code)
		}
		page = run.Body.String()
		if !strings.Contains(page, "不属于拥有资产 ZC0001 的村") || !strings.Contains(page, "990101001001-01\n990101001001-02</textarea>") {
			t.Errorf("the refused run is not kept with its Chinese refusal")
		}

		// A household of 桃园村, the run for it, approved by the finance
		// bureau: the run page shows its shares and lines by name with
		// their channels, and the bureau enters the payout batch there.
		body := "99990100002091"
		h := registry.Household{County: "990101", Code: "990101001002-91", Village: "990101001002", Head: "测试户主",
			Members: []registry.Member{{Name: "测试户主", ResidentID: "990101" + "19600101" + "123" + string(ident.ResidentIDCheckChar("99010119600101123")), Relation: "户主", Alive: true}},
			Card:    registry.Card{Holder: "测试户主", Bank: "青禾农商银行（演示）", Number: body + "0000" + string(ident.LuhnDigit(body+"0000"))}}
		if _, _, err := registry.New(db, keys, nil).Save(context.Background(), rural, h); err != nil {
			t.Fatal(err)
		}
		run = b.form(inc, "/assets/"+id+"/runs", url.Values{"form": {"run"}, "period": {year}, "households": {"990101001002-91"}, "key": {"t-run-2"}})
		ins := run.Header().Get("Location")
		if run.Code != http.StatusSeeOther || !strings.HasPrefix(ins, "/instructions/") {
			t.Fatalf("run: %d %s %.300s", run.Code, ins, regexp.MustCompile(`id="form-error">([^<]*)<`).FindString(run.Body.String()))
		}
		fin := newBrowser(t, srv)
		fin.login("demo.finance", demo.Password("demo.finance"))
		if w := fin.form(ins, ins+"/decide", url.Values{"action": {"approve"}, "opinion": {"同意"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("approve the run: %d %.300s", w.Code, regexp.MustCompile(`id="form-error">([^<]*)<`).FindString(w.Body.String()))
		}
		if !strings.Contains(fin.do("GET", ins, nil, "").Body.String(), `href="`+inc+`" id="ins-next"`) {
			t.Errorf("the run's instruction does not lead back to the income page")
		}
		page = b.do("GET", inc, nil, "").Body.String()
		rm := regexp.MustCompile(`href="(/assets/` + id + `/runs/\d+)"`).FindStringSubmatch(page)
		if rm == nil {
			t.Fatalf("the income page does not link to the run")
		}
		page = fin.do("GET", rm[1], nil, "").Body.String()
		for _, want := range []string{"测试户主", "4,800.00", "中央财政衔接推进乡村振兴补助资金", "待代发", `href="` + ins + `"`, `id="asset-pay"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the run page lacks %q", want)
			}
		}
		pay := b.form(rm[1], rm[1]+"/pay", url.Values{"key": {"t-batch-1"}})
		if pay.Code != http.StatusSeeOther || !strings.HasPrefix(pay.Header().Get("Location"), "/instructions/") {
			t.Fatalf("the payout batch: %d %.300s", pay.Code, regexp.MustCompile(`id="form-error">([^<]*)<`).FindString(pay.Body.String()))
		}
		// Approved by another person, the batch is on the shared batch pages.
		pins := pay.Header().Get("Location")
		if w := fin.form(pins, pins+"/decide", url.Values{"action": {"approve"}, "opinion": {"同意"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("approve the batch: %d %.300s", w.Code, regexp.MustCompile(`id="form-error">([^<]*)<`).FindString(w.Body.String()))
		}
		bm := regexp.MustCompile(`href="(/asset-income/batches/\d+)"`).FindStringSubmatch(fin.do("GET", pins, nil, "").Body.String())
		if bm == nil {
			t.Fatalf("the batch's instruction does not link to the asset batch page")
		}
		if w := fin.do("GET", bm[1], nil, ""); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "资产收益代发批次") || !strings.Contains(w.Body.String(), `href="/asset-income/lines/`) {
			t.Errorf("batch page: %d", w.Code)
		}
		if w := fin.do("GET", bm[1]+"/payout.xlsx", nil, ""); w.Code != http.StatusOK {
			t.Errorf("payout file: %d", w.Code)
		}
		lm := regexp.MustCompile(`href="(/asset-income/lines/\d+)"`).FindStringSubmatch(fin.do("GET", bm[1], nil, "").Body.String())
		if lm == nil {
			t.Fatalf("the batch page does not link its lines' source")
		}
		if w := fin.do("GET", lm[1], nil, ""); w.Code != http.StatusSeeOther || w.Header().Get("Location") != rm[1] {
			t.Errorf("a batch line's source: %d %s, want %s", w.Code, w.Header().Get("Location"), rm[1])
		}

		rep := b.do("GET", "/assets/report?year="+year, nil, "")
		if rep.Code != http.StatusOK || !strings.Contains(rep.Body.String(), "资产保值增值报表") || !strings.Contains(rep.Body.String(), "12,000.00") {
			t.Errorf("report: %d %.300s", rep.Code, rep.Body)
		}
		x := b.do("GET", "/assets/report.xlsx?year="+year, nil, "")
		if x.Code != http.StatusOK || !strings.Contains(x.Header().Get("Content-Type"), "spreadsheet") {
			t.Errorf("report xlsx: %d %s", x.Code, x.Header().Get("Content-Type"))
		}
	})
}
