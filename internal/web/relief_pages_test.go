package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"onepool/internal/clock"
	"onepool/internal/demo"
	"onepool/internal/ident"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// TestRegistryAndReliefPages: the registry shows ID and card numbers
// masked, a village cadre sees one in clear and the view is audited;
// another township's household is not found; the finance bureau records a
// treasury top-up; a village cadre raises an application (an ineligible
// one is refused naming the condition); the public page shows the fund
// without personal data.
func TestRegistryAndReliefPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, _, _, h := demoKeyed(t, db)
		const hh = "990101001001-01"

		cadre := newBrowser(t, h)
		cadre.login("demo.village", demo.Password("demo.village"))
		list := cadre.do("GET", "/registry", nil, "").Body.String()
		if !strings.Contains(list, hh) || len(personalData(list)) > 0 {
			t.Errorf("the registry list: household shown %v, personal data %v", strings.Contains(list, hh), personalData(list))
		}
		page := cadre.do("GET", "/registry/"+hh, nil, "").Body.String()
		if found := personalData(page); len(found) > 0 || !strings.Contains(page, "********") {
			t.Errorf("the household page shows %v unmasked", found)
		}
		w := cadre.form("/registry/"+hh, "/registry/"+hh+"/reveal", url.Values{"field": {"resident_id"}, "seq": {"1"}})
		if w.Code != http.StatusOK || !regexp.MustCompile(`<strong class="mono">990101\d{11}[\dX]</strong>`).MatchString(w.Body.String()) {
			t.Fatalf("reveal: %d %s", w.Code, w.Body.String()[:min(300, w.Body.Len())])
		}
		// A household entered through the form; a bad ID names its member.
		form := url.Values{"code": {"990101001001-99"}, "village": {"990101001001"}, "head": {"孙九"}, "card_holder": {"孙九"}, "bank": {"青禾农商银行"},
			"card":  {"622202000000000099" + string(ident.LuhnDigit("622202000000000099"))},
			"name1": {"孙九"}, "id1": {testResidentID("1970-01-01", 99)}, "relation1": {"户主"}, "name2": {"周九"}, "id2": {testResidentID("1972-02-02", 98)}, "relation2": {"配偶"}}
		if w := cadre.form("/registry", "/registry", form); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/registry/990101001001-99" {
			t.Fatalf("new household: %d %s", w.Code, w.Body)
		}
		if w := cadre.form("/registry", "/registry", form); w.Code != http.StatusConflict {
			t.Errorf("the same household again: %d", w.Code)
		}
		form.Set("code", "990101001001-98")
		form.Set("id2", "110105197202020000")
		if w := cadre.form("/registry", "/registry", form); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "第 2 名家庭成员的身份证号码") {
			t.Errorf("a bad ID: %d", w.Code)
		}
		auditor := newBrowser(t, h)
		auditor.login("demo.auditor", demo.Password("demo.auditor"))
		if log := auditor.do("GET", "/audit?action=registry.reveal", nil, "").Body.String(); !strings.Contains(log, "demo.village") || !strings.Contains(log, hh) {
			t.Error("the view in clear is not in the audit log")
		}
		other := newBrowser(t, h)
		other.login("demo.township2", demo.Password("demo.township2"))
		if w := other.do("GET", "/registry/"+hh, nil, ""); w.Code != http.StatusNotFound {
			t.Errorf("another township's household: %d", w.Code)
		}
		if w := other.form("/registry", "/registry/"+hh+"/reveal", url.Values{"field": {"card"}}); w.Code != http.StatusNotFound {
			t.Errorf("another township reveals a card: %d", w.Code)
		}

		fin := newBrowser(t, h)
		fin.login("demo.finance", demo.Password("demo.finance"))
		// Below the floor (1,000,000): the desk shows the treasury request.
		if desk := fin.do("GET", "/desk", nil, "").Body.String(); !strings.Contains(desk, `id="desk-relief-request"`) || !strings.Contains(desk, "400,000.00") {
			t.Error("the desk does not show the relief fund's top-up request of 400,000.00")
		}
		if w := fin.form("/relief", "/relief/inflows", url.Values{"source": {"treasury"}, "amount": {"100,000"}, "key": {"t-1"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("treasury top-up: %d %s", w.Code, w.Body)
		}
		if p := fin.do("GET", "/relief", nil, "").Body.String(); !strings.Contains(p, "700,000.00") || !strings.Contains(p, "300,000.00") {
			t.Error("the fund page does not show 700,000.00 and the request of 300,000.00 after the top-up")
		}
		// The county-wide screening: the demo's five households, three eligible.
		if _, p := screenCounty(t, fin); !regexp.MustCompile(`id="screening">[^<]*5 ·[^<]*3 ·`).MatchString(p) {
			t.Errorf("the screening: %s", regexp.MustCompile(`(?s)<p id="screening">.*?</p>`).FindString(p))
		}
		if w := fin.form("/relief", "/relief/inflows", url.Values{"source": {"donation"}, "amount": {"1.001"}, "key": {"t-2"}, "donor": {"x"}}); w.Code != http.StatusBadRequest {
			t.Errorf("an amount with three decimals: %d", w.Code)
		}

		w = cadre.form("/relief", "/relief/applications", url.Values{"household": {"990101001001-03"}, "member": {"1"}, "year": {demoYear()}, "cause": {"illness"}})
		if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/relief/applications/") {
			t.Fatalf("apply: %d %s", w.Code, w.Body)
		}
		app := cadre.do("GET", w.Header().Get("Location"), nil, "").Body.String()
		if !strings.Contains(app, "= <strong>") || !strings.Contains(app, "bank-ok") {
			t.Errorf("the application page lacks the computation or the bank check")
		}
		w = cadre.form("/relief", "/relief/applications", url.Values{"household": {"990101001001-04"}, "member": {"1"}, "year": {demoYear()}, "cause": {"illness"}})
		if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "status") {
			t.Errorf("an ineligible household: %d", w.Code)
		}

		pub := newBrowser(t, h).do("GET", "/public/990101/relief", nil, "").Body.String()
		if !strings.Contains(pub, "700,000.00") || len(personalData(pub)) > 0 || strings.Contains(pub, "李春生") || strings.Contains(pub, "商会") {
			t.Errorf("the public relief page: %s", pub)
		}
	})
}

// demoYear is the year of the demo's registry records (this year).
func demoYear() string { return strconv.Itoa(time.Now().In(clock.Zone).Year()) }
