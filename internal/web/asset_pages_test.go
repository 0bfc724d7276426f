package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"onepool/internal/auth"
	"onepool/internal/demo"
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
// table with its channels by name; the value report and its xlsx open.
func TestAssetIncomePagesOnTheDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, _, _, srv := demoKeyed(t, db)
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
		inc := "/assets/" + id + "/income"
		if r := b.do("GET", inc, nil, ""); r.Code != http.StatusOK || !strings.Contains(r.Body.String(), "出租与入股") || !strings.Contains(r.Body.String(), `id="asset-run-form"`) {
			t.Fatalf("income page: %d %.500s", r.Code, r.Body)
		}

		year := demoYear()
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
