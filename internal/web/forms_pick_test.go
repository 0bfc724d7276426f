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

// TestMoreFormsKeepInput: the payment, relief application, cadre pairing
// and household year forms come back refused with what was typed and the
// field in error marked; a write that succeeds says what was done.
func TestMoreFormsKeepInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := demoServerWithKeys(t, db)
		rural := newBrowser(t, h)
		rural.login("demo.rural", demo.Password("demo.rural"))
		key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(rural.do("GET", "/funds/projects/2026-001", nil, "").Body.String())[1]
		w := rural.form("/funds/projects/2026-001", "/funds/payments", url.Values{"key": {key}, "project": {"2026-001"}, "to": {"hh:990101001001-03"}, "amount": {"1.234"}, "memo": {"修路补助"}})
		page := w.Body.String()
		if w.Code != http.StatusBadRequest {
			t.Fatalf("a bad amount: %d", w.Code)
		}
		for _, want := range []string{`value="hh:990101001001-03"`, `value="修路补助"`, `value="1.234" aria-invalid="true"`, `data-pick="payee"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the refused payment lacks %s", want)
			}
		}
		w = rural.form("/funds/projects/2026-001", "/funds/payments", url.Values{"key": {key}, "project": {"2026-001"}, "to": {"hh:990101001001-03"}, "amount": {"1,000"}})
		if w.Code != http.StatusSeeOther {
			t.Fatalf("the payment: %d %s", w.Code, w.Body)
		}
		if p := rural.do("GET", w.Header().Get("Location"), nil, "").Body.String(); !strings.Contains(p, "已提交资金审批") || !strings.Contains(p, "张德福") {
			t.Error("the payment's instruction has no message or does not name the payee")
		}

		// Pairing a cadre: refused for a missing household account, kept;
		// then done, and said so.
		w = rural.form("/funds/minutes", "/funds/pairs", url.Values{"form": {"pair"}, "household": {"hh:nope"}, "cadre": {"周勇"}})
		if p := w.Body.String(); w.Code < 400 || !strings.Contains(p, `value="hh:nope" aria-invalid="true"`) || !strings.Contains(p, `value="周勇"`) {
			t.Errorf("a refused pairing: %d %s", w.Code, regexp.MustCompile(`<form method="post" action="/funds/pairs"[\s\S]*?</form>`).FindString(p))
		}
		if w = rural.form("/funds/minutes", "/funds/pairs", url.Values{"form": {"pair"}, "household": {"hh:990101001001-03"}, "cadre": {"周勇"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("pairing: %d", w.Code)
		}
		if p := rural.do("GET", "/funds/minutes", nil, "").Body.String(); !strings.Contains(p, "结对帮扶已保存") {
			t.Error("no message after pairing")
		}

		// The relief application: the household chosen and the opinion kept.
		vil := newBrowser(t, h)
		vil.login("demo.village", demo.Password("demo.village"))
		w = vil.form("/relief", "/relief/applications", url.Values{"household": {"990101001001-03"}, "member": {"9"}, "year": {"2026"}, "cause": {"illness"}, "opinion": {"因病致贫风险"}})
		if p := w.Body.String(); w.Code < 400 || !strings.Contains(p, `value="990101001001-03"`) || !strings.Contains(p, `value="因病致贫风险"`) || !strings.Contains(p, `data-pick="member" data-pick-household="household"`) {
			t.Errorf("a refused application: %d", w.Code)
		}

		// A household's year: refused income kept and marked, status kept.
		w = vil.form("/registry/990101001001-03", "/registry/990101001001-03/years", url.Values{"form": {"year"}, "year": {"2026"}, "status": {"monitored"}, "income": {"abc"}, "expenses": {"100"}, "causes": {"illness", "disability"}})
		p := w.Body.String()
		if w.Code != http.StatusBadRequest || !strings.Contains(p, `value="abc" aria-invalid="true"`) || !strings.Contains(p, `<option value="monitored" selected>`) ||
			!strings.Contains(p, `value="illness" checked`) || !strings.Contains(p, `value="disability" checked`) {
			t.Errorf("a refused year: %d %s", w.Code, regexp.MustCompile(`<form method="post" action="/registry/[^"]*/years"[\s\S]*?</form>`).FindString(p))
		}
	})
}
