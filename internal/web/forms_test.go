package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"onepool/internal/demo"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// TestFormsKeepInputAndSayWhatWasDone: a refused new-project form comes
// back with what was typed and the field in error marked; a recorded
// arrival says so on the next page, once; an entered allocation says it
// waits for another person's approval.
func TestFormsKeepInputAndSayWhatWasDone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := demoServer(t, db, false)
		b := newBrowser(t, h)
		b.login("demo.village", demo.Password("demo.village"))
		w := b.form("/projects", "/projects", url.Values{"code": {"990101001001-K1"}, "name": {"上坝村水渠修复"}, "place": {"990101001001"}, "purpose": {"infrastructure"},
			"department": {"水利"}, "plan_year": {"2027"}, "budget": {"十万"}, "unit": {"上坝村委会"}, "leader": {"周勇"}, "goals": {"修复水渠：2公里"}})
		page := w.Body.String()
		if w.Code != http.StatusBadRequest {
			t.Fatalf("a bad budget: %d", w.Code)
		}
		for _, want := range []string{`value="上坝村水渠修复"`, `value="990101001001-K1"`, `value="上坝村委会"`, "修复水渠：2公里", `name="budget" aria-invalid="true"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the refused form lacks %s", want)
			}
		}
		if !regexp.MustCompile(`<option value="infrastructure" selected>`).MatchString(page) {
			t.Error("the refused form forgot the purpose chosen")
		}

		fin := newBrowser(t, h)
		fin.login("demo.finance", demo.Password("demo.finance"))
		key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(fin.do("GET", "/funds", nil, "").Body.String())[1]
		if w := fin.form("/funds", "/funds/arrivals", url.Values{"key": {key}, "form": {"arrival"}, "channel": {"JT"}, "amount": {"100"}, "day": {"2026-06-01"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("arrival: %d %s", w.Code, w.Body)
		}
		if p := fin.do("GET", "/funds", nil, "").Body.String(); !strings.Contains(p, `id="flash"`) || !strings.Contains(p, "资金到位已记录") {
			t.Error("no message after the arrival")
		}
		if p := fin.do("GET", "/funds", nil, "").Body.String(); strings.Contains(p, `id="flash"`) {
			t.Error("the message is shown twice")
		}
		// A refused arrival keeps its amount in its own form only.
		w = fin.form("/funds", "/funds/arrivals", url.Values{"key": {key + "x"}, "form": {"arrival"}, "channel": {"JT"}, "amount": {"12.345"}, "day": {"2026-06-01"}})
		if p := w.Body.String(); w.Code != http.StatusBadRequest || strings.Count(p, `value="12.345"`) != 1 {
			t.Errorf("a refused arrival: %d, amount kept %d times", w.Code, strings.Count(p, `value="12.345"`))
		}
		rural := newBrowser(t, h)
		rural.login("demo.rural", demo.Password("demo.rural"))
		key = regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(rural.do("GET", "/funds/projects", nil, "").Body.String())[1]
		w = rural.form("/funds/projects", "/funds/allocations", url.Values{"project": {"2026-001"}, "amount": {"1,000"}, "key": {key}})
		if w.Code != http.StatusSeeOther {
			t.Fatalf("allocate: %d", w.Code)
		}
		if p := rural.do("GET", w.Header().Get("Location"), nil, "").Body.String(); !strings.Contains(p, "已提交资金审批") {
			t.Error("no message after entering an allocation")
		}
	})
}

// TestReliefApplicationsFilterAndPage: the relief applications list
// filters by village and year, says how many, and never widens a
// township's view.
func TestReliefApplicationsFilterAndPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := demoServerWithKeys(t, db)
		b := newBrowser(t, h)
		b.login("demo.rural", demo.Password("demo.rural"))
		count := func(b *browser, q string) (int, string) {
			w := b.do("GET", "/relief"+q, nil, "")
			if w.Code != http.StatusOK {
				t.Fatalf("/relief%s: %d", q, w.Code)
			}
			return len(regexp.MustCompile(`<a href="/relief/applications/[0-9]+">`).FindAllString(w.Body.String(), -1)), w.Body.String()
		}
		if n, page := count(b, ""); n != 2 || !strings.Contains(page, "共 2 条") {
			t.Errorf("all applications: %d", n)
		}
		if n, _ := count(b, "?village=990101001001"); n != 2 {
			t.Errorf("上坝村: %d", n)
		}
		if n, _ := count(b, "?village=990101002001"); n != 0 {
			t.Errorf("石门村: %d", n)
		}
		if n, _ := count(b, "?year=2000"); n != 0 {
			t.Errorf("year 2000: %d", n)
		}
		if w := b.do("GET", "/relief?year=abc", nil, ""); w.Code != http.StatusBadRequest {
			t.Errorf("a bad year: %d", w.Code)
		}
		other := newBrowser(t, h)
		other.login("demo.township2", demo.Password("demo.township2"))
		if n, _ := count(other, "?village=990101001001"); n != 0 {
			t.Errorf("another township's village: %d", n)
		}
	})
}
