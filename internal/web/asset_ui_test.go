package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"onepool/internal/demo"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// The authorization rules of the asset pages finished in issue 14: the
// households form is an asset's (own / parent / sibling); a file, a
// county run of none answers 404; the county run's preview and entry
// are the writers' of the register, its payout batch the county's
// finance and rural bureaus'.
func init() {
	for k, v := range map[string]rule{
		"POST /assets/{id}/households":  {roles: "village township rural", record: true},
		"GET /assets/{id}/files/{file}": {roles: staff, always: 404},
		"GET /asset-runs":               {roles: "village township rural"},
		"POST /asset-runs":              {roles: "village township rural"},
		"GET /asset-runs/{id}":          {roles: staff, always: 404},
		"POST /asset-runs/{id}/pay":     {roles: "finance rural", always: 404},
	} {
		matrix[k] = v
	}
}

var formErrorRe = regexp.MustCompile(`id="form-error">([^<]*)<`)

// refusedInChinese fails unless the page is a refusal (4xx) whose line is
// Chinese, names the field in words (want) and holds no English field name.
func refusedInChinese(t *testing.T, what string, code int, page, want, field string) {
	t.Helper()
	if code < 400 || code >= 500 {
		t.Errorf("%s: %d, want a refusal", what, code)
	}
	m := formErrorRe.FindStringSubmatch(page)
	if m == nil || !hanRe.MatchString(m[1]) || !strings.Contains(m[1], want) || (field != "" && strings.Contains(m[1], field)) {
		t.Errorf("%s: the refusal is not in Chinese naming %s: %v", what, want, m)
	}
}

// TestAssetFormsOnDemo: on the demo county, the income page's forms that
// only the authorization walk covered — lease, end lease, valuation, and
// the households kept with the asset — each refused with its input kept
// and the Chinese refusal naming the field, nothing written, then
// accepted with a flash and the result on the page; the county-wide run
// previewed (assets covered, those left out with the reason in words),
// entered, approved by another person from the approvals queue and shown
// with each asset's run and the payout batch; and the files of a
// scrapped asset (its congress minutes) opened from its page, a file id
// of another asset answering as a missing one.
func TestAssetFormsOnDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := demoServerWithKeys(t, db)
		b := newBrowser(t, h)
		b.login("demo.township", demo.Password("demo.township"))
		ids := map[string]string{}
		list := b.do("GET", "/assets?place=990101001002", nil, "").Body.String()
		for _, code := range []string{"ZC0001", "ZC0006"} {
			m := regexp.MustCompile(`href="/assets/([0-9]+)">` + code + `<`).FindStringSubmatch(list)
			if m == nil {
				t.Fatalf("no link to %s in the register", code)
			}
			ids[code] = m[1]
		}
		incomeOf := func(id string) string {
			return b.do("GET", "/api/v1/assets/990101/"+id+"/income", nil, "").Body.String()
		}

		// Lease the idle cold store: a rent of three decimals is refused,
		// the counterparty and document kept, no lease written.
		cold := "/assets/" + ids["ZC0006"] + "/income"
		before := incomeOf(ids["ZC0006"])
		lease := url.Values{"form": {"lease"}, "kind": {"lease"}, "counterparty": {"93990101MA6CHAYE1H"}, "starts": {demoYear() + "-01-01"}, "years": {"3"},
			"rent": {"8,000.123"}, "doc": {"冷库租赁合同（测试）"}}
		w := b.form(cold, "/assets/"+ids["ZC0006"]+"/leases", lease)
		page := w.Body.String()
		refusedInChinese(t, "a lease with a rent of three decimals", w.Code, page, "金额", "rent")
		for _, want := range []string{`value="93990101MA6CHAYE1H"`, `value="冷库租赁合同（测试）"`, `value="8,000.123" aria-invalid="true"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the refused lease form lacks %s", want)
			}
		}
		if incomeOf(ids["ZC0006"]) != before {
			t.Errorf("a refused lease wrote something")
		}
		lease.Set("rent", "0.8")
		lease.Set("rent_unit", "wan")
		if w = b.form(cold, "/assets/"+ids["ZC0006"]+"/leases", lease); w.Code != http.StatusSeeOther {
			t.Fatalf("the lease: %d %v", w.Code, formErrorRe.FindStringSubmatch(w.Body.String()))
		}
		page = b.do("GET", cold, nil, "").Body.String()
		for _, want := range []string{"已登记出租或入股", "桃园茶叶专业合作社（演示）", "8,000.00", "履行中"} {
			if !strings.Contains(page, want) {
				t.Errorf("the leased cold store's page lacks %q", want)
			}
		}
		lm := regexp.MustCompile(`action="(/assets/` + ids["ZC0006"] + `/leases/(\d+)/end)"`).FindStringSubmatch(page)
		if lm == nil {
			t.Fatalf("no end-lease form for the new lease")
		}
		// Ending a lease of another asset through this one is "no such lease".
		ws := incomeOf(ids["ZC0001"])
		wl := regexp.MustCompile(`"leases":\[\{"id":(\d+)`).FindStringSubmatch(ws)
		if wl == nil {
			t.Fatalf("the workshop has no lease: %.300s", ws)
		}
		if w = b.form(cold, "/assets/"+ids["ZC0006"]+"/leases/"+wl[1]+"/end", url.Values{"form": {"end"}}); w.Code != http.StatusNotFound {
			t.Errorf("ending the workshop's lease through the cold store: %d", w.Code)
		}
		if incomeOf(ids["ZC0001"]) != ws {
			t.Errorf("the workshop's lease changed")
		}
		if w = b.form(cold, lm[1], url.Values{"form": {"end"}, "idle": {"1"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("end the lease: %d %v", w.Code, formErrorRe.FindStringSubmatch(w.Body.String()))
		}
		page = b.do("GET", cold, nil, "").Body.String()
		if !strings.Contains(page, "已终止租约") || !strings.Contains(page, "已终止") || strings.Contains(page, `action="`+lm[1]+`"`) {
			t.Errorf("the ended lease is not shown as ended")
		}
		again := b.form(cold, lm[1], url.Values{"form": {"end"}})
		refusedInChinese(t, "ending an ended lease", again.Code, again.Body.String(), "已终止", "lease_ended")

		// A valuation: a book value that is not an amount is refused with
		// the year and appraiser kept; then one is recorded and shown.
		y, _ := strconv.Atoi(demoYear())
		val := url.Values{"form": {"value"}, "year": {strconv.Itoa(y)}, "book_value": {"四十万"}, "assessed": {"41"}, "assessed_unit": {"wan"}, "appraiser": {"青禾资产评估所（测试）"}}
		w = b.form(cold, "/assets/"+ids["ZC0006"]+"/valuations", val)
		page = w.Body.String()
		refusedInChinese(t, "a book value in words", w.Code, page, "金额", "book_value")
		if !strings.Contains(page, `value="青禾资产评估所（测试）"`) || !strings.Contains(page, `value="四十万" aria-invalid="true"`) {
			t.Errorf("the refused valuation lost its input")
		}
		if strings.Contains(incomeOf(ids["ZC0006"]), "青禾资产评估所") {
			t.Errorf("a refused valuation was written")
		}
		val.Set("book_value", "390000")
		if w = b.form(cold, "/assets/"+ids["ZC0006"]+"/valuations", val); w.Code != http.StatusSeeOther {
			t.Fatalf("the valuation: %d %v", w.Code, formErrorRe.FindStringSubmatch(w.Body.String()))
		}
		page = b.do("GET", cold, nil, "").Body.String()
		if !strings.Contains(page, "已登记评估") || !strings.Contains(page, "390,000.00") || !strings.Contains(page, "410,000.00") || !strings.Contains(page, "青禾资产评估所（测试）") {
			t.Errorf("the valuation is not on the page")
		}

		// The households kept with the workshop: one of 上坝村 is refused in
		// Chinese with the list kept, nothing kept; 桃园村's are kept, by weight.
		wsPage := "/assets/" + ids["ZC0001"] + "/income"
		hh := "/api/v1/assets/990101/" + ids["ZC0001"] + "/households"
		w = b.form(wsPage, "/assets/"+ids["ZC0001"]+"/households", url.Values{"form": {"households"}, "households": {"990101001002-01\n990101001001-01"}})
		page = w.Body.String()
		refusedInChinese(t, "a household of another village", w.Code, page, "990101001001-01", "households")
		if !strings.Contains(page, "990101001002-01\n990101001001-01</textarea>") {
			t.Errorf("the refused households are not kept")
		}
		if kept := b.do("GET", hh, nil, "").Body.String(); !strings.Contains(kept, `"households":[]`) {
			t.Errorf("a refused list was kept: %s", kept)
		}
		if w = b.form(wsPage, "/assets/"+ids["ZC0001"]+"/households", url.Values{"form": {"households"}, "households": {"990101001002-01:2\n990101001002-02"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("the households: %d %v", w.Code, formErrorRe.FindStringSubmatch(w.Body.String()))
		}
		page = b.do("GET", wsPage, nil, "").Body.String()
		sec := page[max(0, strings.Index(page, `id="asset-households"`)):]
		if !strings.Contains(page, "已保存受益户名单") || !strings.Contains(sec, "990101001002-01") || !strings.Contains(sec, `<td class="num">2</td>`) ||
			!strings.Contains(sec, "990101001002-01:2\n990101001002-02</textarea>") {
			t.Errorf("the kept households are not on the income page: %.1500s", sec)
		}

		// The county-wide run of last year: the workshop's income of last
		// year is covered; the cold store (no income) is left out, in words.
		last := strconv.Itoa(y - 1)
		if w = b.form(wsPage, "/assets/"+ids["ZC0001"]+"/income", url.Values{"form": {"income"}, "kind": {"rent"}, "amount": {"30000"}, "doc_no": {"县域测试-1"},
			"received_on": {last + "-12-20"}, "period": {last}}); w.Code != http.StatusSeeOther {
			t.Fatalf("last year's rent: %d %v", w.Code, formErrorRe.FindStringSubmatch(w.Body.String()))
		}
		if !strings.Contains(b.do("GET", "/assets", nil, "").Body.String(), `href="/asset-runs"`) {
			t.Errorf("the register does not link to the county run")
		}
		prev := b.do("GET", "/asset-runs?year="+last, nil, "")
		page = prev.Body.String()
		if prev.Code != http.StatusOK || !strings.Contains(page, `id="asset-county-form"`) || !strings.Contains(page, `href="/assets/`+ids["ZC0001"]+`/income">ZC0001<`) ||
			!strings.Contains(page, "30,000.00") {
			t.Fatalf("the preview: %d %.2000s", prev.Code, page)
		}
		out := page[max(0, strings.Index(page, `id="asset-county-left-out"`)):]
		if !strings.Contains(out, ">ZC0006<") || !strings.Contains(out, "该年度没有收益到账") || strings.Contains(out, "no_income") {
			t.Errorf("the left-out cold store lacks its reason in words: %.1000s", out)
		}
		bad := b.form("/asset-runs?year="+last, "/asset-runs", url.Values{"year": {"去年"}, "key": {"t-county-1"}})
		refusedInChinese(t, "a year in words", bad.Code, bad.Body.String(), "年", "year")
		w = b.form("/asset-runs?year="+last, "/asset-runs", url.Values{"year": {last}, "key": {"t-county-2"}, "use_reinvest": {"修缮车间屋顶（测试）"}})
		ins := w.Header().Get("Location")
		if w.Code != http.StatusSeeOther || !strings.HasPrefix(ins, "/instructions/") {
			t.Fatalf("enter the county run: %d %v", w.Code, formErrorRe.FindStringSubmatch(w.Body.String()))
		}
		num := strings.TrimPrefix(ins, "/instructions/")
		fin := newBrowser(t, h)
		fin.login("demo.finance", demo.Password("demo.finance"))
		if q := fin.do("GET", "/instructions", nil, "").Body.String(); !strings.Contains(q, `href="`+ins+`"`) || !strings.Contains(q, "资产收益分配（全县）") {
			t.Errorf("the county run is not in the finance bureau's approvals queue")
		}
		if p := fin.do("GET", ins, nil, "").Body.String(); !strings.Contains(p, `href="/asset-runs/`+num+`" id="ins-next"`) {
			t.Errorf("the instruction does not lead to the county run's page")
		}
		if w = fin.form(ins, ins+"/decide", url.Values{"action": {"approve"}, "opinion": {"同意"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("approve the county run: %d %v", w.Code, formErrorRe.FindStringSubmatch(w.Body.String()))
		}
		runPage := fin.do("GET", "/asset-runs/"+num, nil, "").Body.String()
		rm := regexp.MustCompile(`href="(/assets/` + ids["ZC0001"] + `/runs/\d+)"`).FindStringSubmatch(runPage)
		if rm == nil || !strings.Contains(runPage, "已记账") || !strings.Contains(runPage, "30,000.00") || !strings.Contains(runPage, `id="asset-county-pay"`) {
			t.Fatalf("the county run's page: %.2500s", runPage)
		}
		if r := fin.do("GET", rm[1], nil, "").Body.String(); !strings.Contains(r, "修缮车间屋顶（测试）") || !strings.Contains(r, "待代发") {
			t.Errorf("the workshop's run of the county run lacks its use or its waiting lines")
		}
		pay := fin.form("/asset-runs/"+num, "/asset-runs/"+num+"/pay", url.Values{"key": {"t-county-batch"}})
		if pay.Code != http.StatusSeeOther || !strings.HasPrefix(pay.Header().Get("Location"), "/instructions/") {
			t.Fatalf("the payout batch from the county run: %d %v", pay.Code, formErrorRe.FindStringSubmatch(pay.Body.String()))
		}
		fin2 := newBrowser(t, h)
		fin2.login("demo.finance2", demo.Password("demo.finance2"))
		pins := pay.Header().Get("Location")
		if w = fin2.form(pins, pins+"/decide", url.Values{"action": {"approve"}, "opinion": {"同意"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("approve the batch: %d %v", w.Code, formErrorRe.FindStringSubmatch(w.Body.String()))
		}
		if !regexp.MustCompile(`href="/asset-income/batches/\d+"`).MatchString(fin.do("GET", "/asset-runs/"+num, nil, "").Body.String()) {
			t.Errorf("the county run's page does not link its payout batch")
		}

		// The scrapped dryer's files: its congress minutes, by name and size.
		var dis struct {
			Assets []struct {
				ID   int64  `json:"id"`
				Code string `json:"code"`
			} `json:"assets"`
		}
		if err := json.Unmarshal(b.do("GET", "/api/v1/assets/990101?status=disposed", nil, "").Body.Bytes(), &dis); err != nil || len(dis.Assets) != 1 || dis.Assets[0].Code != "ZC0005" {
			t.Fatalf("the demo's disposed assets: %+v %v", dis, err)
		}
		dryer := "/assets/" + itoa(dis.Assets[0].ID)
		page = b.do("GET", dryer, nil, "").Body.String()
		fm := regexp.MustCompile(`href="(` + dryer + `/files/(\d+))" class="asset-file">村民代表大会会议纪要\.txt</a> <span class="muted small">(\d+) B</span>`).FindStringSubmatch(page)
		if fm == nil || !strings.Contains(page, "已批准") && !strings.Contains(page, "报废") {
			t.Fatalf("the scrapped dryer's page does not link its minutes: %.3000s", page[max(0, strings.Index(page, "disposal-")):])
		}
		f := b.do("GET", fm[1], nil, "")
		if f.Code != http.StatusOK || !strings.Contains(f.Body.String(), "同意报废旧茶叶烘干机") || strconv.Itoa(f.Body.Len()) != fm[3] {
			t.Errorf("the minutes: %d %q", f.Code, f.Body.String())
		}
		other := b.do("GET", "/assets/"+ids["ZC0001"]+"/files/"+fm[2], nil, "")
		missing := b.do("GET", "/assets/"+ids["ZC0001"]+"/files/987654", nil, "")
		mainOf := func(s string) string { return s[max(0, strings.Index(s, "<main")):] } // the header names the path asked
		if other.Code != http.StatusNotFound || mainOf(other.Body.String()) != mainOf(missing.Body.String()) {
			t.Errorf("another asset's file: %d, not as a missing one:\n%s\n%s", other.Code, mainOf(other.Body.String()), mainOf(missing.Body.String()))
		}
		t2 := newBrowser(t, h)
		t2.login("demo.township2", demo.Password("demo.township2"))
		if w := t2.do("GET", fm[1], nil, ""); w.Code != http.StatusNotFound {
			t.Errorf("another township's officer opens the minutes: %d", w.Code)
		}
	})
}
