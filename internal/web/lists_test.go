package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"onepool/internal/demo"
	"onepool/internal/ident"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// importHouseholds posts a CSV of n one-member households of village
// 990101001001 (codes 990101001001-T0000000…, heads 测试户0…) through the
// registry's import form.
func importHouseholds(t *testing.T, b *browser, n int) {
	t.Helper()
	var csv bytes.Buffer
	csv.WriteString("household,village,head,name,resident_id,relation\n")
	for i := range n {
		day := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/900)
		body := fmt.Sprintf("110105%s%03d", day.Format("20060102"), 100+i%900)
		fmt.Fprintf(&csv, "990101001001-T%07d,990101001001,测试户%d,测试户%d,%s,户主\n", i, i, i, body+string(ident.ResidentIDCheckChar(body)))
	}
	m := csrfRe.FindStringSubmatch(b.do("GET", "/registry", nil, "").Body.String())
	if m == nil {
		t.Fatal("no CSRF token on /registry")
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", m[1])
	mw.WriteField("kind", "households")
	fw, _ := mw.CreateFormFile("file", "households.csv")
	fw.Write(csv.Bytes())
	mw.Close()
	if w := b.do("POST", "/registry/import", body.Bytes(), mw.FormDataContentType()); w.Code != http.StatusSeeOther && w.Code != http.StatusOK {
		t.Fatalf("import: %d %s", w.Code, w.Body.String()[:min(w.Body.Len(), 500)])
	}
}

// TestHouseholdListSearchAndPages: with more than 1,000 households the
// registry pages (50 a page, with the total), a search by name finds a
// household on page 3 and the next link keeps the search; the API takes
// the same parameters and answers total, offset and limit; a village
// outside a township officer's area lists nothing.
func TestHouseholdListSearchAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := demoServer(t, db, false)
		b := newBrowser(t, h)
		b.login("demo.rural", demo.Password("demo.rural"))
		importHouseholds(t, b, 1200)

		all := b.do("GET", "/registry", nil, "").Body.String()
		if n := len(regexp.MustCompile(`<a href="/registry/[0-9]`).FindAllString(all, -1)); n != 50 {
			t.Errorf("first page lists %d households, want 50", n)
		}
		if !regexp.MustCompile(`共 1[23]\d\d 条`).MatchString(all) {
			t.Errorf("the registry does not say how many households it holds")
		}
		w := b.do("GET", "/registry?q="+url.QueryEscape("测试户")+"&page=3", nil, "")
		page3 := w.Body.String()
		if w.Code != http.StatusOK || !strings.Contains(page3, "共 1200 条") || !strings.Contains(page3, "第 3 / 24 页") {
			t.Fatalf("search page 3: %d, no total/page: %s", w.Code, page3[:min(len(page3), 400)])
		}
		for _, code := range []string{"990101001001-T0000100", "990101001001-T0000149"} {
			if !strings.Contains(page3, "/registry/"+code+`"`) {
				t.Errorf("page 3 of the search does not list %s", code)
			}
		}
		if strings.Contains(page3, "990101001001-T0000099\"") || strings.Contains(page3, "990101001001-T0000150\"") {
			t.Errorf("page 3 lists households of another page")
		}
		if !strings.Contains(page3, `href="/registry?page=4&amp;q=%E6%B5%8B%E8%AF%95%E6%88%B7"`) {
			t.Errorf("the next link does not keep the search")
		}
		// One household by its full name, and by its code.
		one := b.do("GET", "/registry?q="+url.QueryEscape("测试户1234"), nil, "").Body.String()
		if strings.Contains(one, "990101001001-T") || !strings.Contains(one, "共 0 条") {
			t.Errorf("a name that is not there is found")
		}
		one = b.do("GET", "/registry?q="+url.QueryEscape("测试户1123"), nil, "").Body.String()
		if !strings.Contains(one, "990101001001-T0001123") || !strings.Contains(one, "共 1 条") {
			t.Errorf("search by full name does not find the household")
		}

		// The API: same parameters, total/offset/limit, [] when empty.
		var out struct {
			Households []struct{ Code string } `json:"households"`
			Total      int                     `json:"total"`
			Offset     int                     `json:"offset"`
			Limit      int                     `json:"limit"`
		}
		get := func(q string) {
			t.Helper()
			w := b.do("GET", "/api/v1/registry/990101/households?"+q, nil, "")
			if w.Code != http.StatusOK {
				t.Fatalf("API %s: %d %s", q, w.Code, w.Body)
			}
			out.Households = nil
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(w.Body.String(), "null") {
				t.Errorf("API %s: null in %s", q, w.Body.String()[:min(w.Body.Len(), 200)])
			}
		}
		get("q=" + url.QueryEscape("测试户") + "&offset=500&limit=20")
		if out.Total != 1200 || out.Offset != 500 || out.Limit != 20 || len(out.Households) != 20 || out.Households[0].Code != "990101001001-T0000500" {
			t.Errorf("API page: total %d offset %d limit %d, %d rows, first %v", out.Total, out.Offset, out.Limit, len(out.Households), out.Households[:min(1, len(out.Households))])
		}
		get("q=nobody")
		if out.Total != 0 || out.Households == nil {
			t.Errorf("API empty search: total %d rows %v", out.Total, out.Households)
		}
		if w := b.do("GET", "/api/v1/registry/990101/households?limit=5000", nil, ""); w.Code != http.StatusBadRequest {
			t.Errorf("limit 5000: %d", w.Code)
		}

		// A township officer of 石门乡 asking for a village of 清溪镇 sees
		// nothing (the filter never widens the subtree).
		t2 := newBrowser(t, h)
		t2.login("demo.township2", demo.Password("demo.township2"))
		other := t2.do("GET", "/registry?village=990101001001", nil, "").Body.String()
		if strings.Contains(other, "990101001001-T") || !strings.Contains(other, "共 0 条") {
			t.Errorf("a township officer lists another township's village")
		}
	})
}

var hrefRe = regexp.MustCompile(`href="(/[^"#]*)"`)

// TestNavigationByRole: every demo role's navigation lists only what it
// may open: each nav link, and each link on the pages it leads to, answers
// that role without 403; 监督 is not offered to finance, township or
// village, nor 用户与角色 on their settings page; the areas not built say
// what is coming without naming a file.
func TestNavigationByRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := demoServer(t, db, false)
		for _, u := range []string{"demo.admin", "demo.rural", "demo.finance", "demo.sector", "demo.township", "demo.village", "demo.auditor"} {
			b := newBrowser(t, h)
			b.login(u, demo.Password(u))
			desk := b.do("GET", "/desk", nil, "").Body.String()
			nav := regexp.MustCompile(`<a href="(/[^"]*)" id="nav-([a-z]+)"`).FindAllStringSubmatch(desk, -1)
			if len(nav) < 3 {
				t.Fatalf("%s: navigation has %d links", u, len(nav))
			}
			keys := map[string]bool{}
			seen := map[string]bool{}
			for _, n := range nav {
				keys[n[2]] = true
				w := b.do("GET", n[1], nil, "")
				if w.Code == http.StatusForbidden || w.Code >= 500 {
					t.Errorf("%s: nav %s → %d", u, n[1], w.Code)
					continue
				}
				if strings.Contains(w.Body.String(), "MISSION") {
					t.Errorf("%s: %s names MISSION.md", u, n[1])
				}
				for _, l := range hrefRe.FindAllStringSubmatch(w.Body.String(), -1) {
					link := strings.ReplaceAll(l[1], "&amp;", "&")
					if seen[link] || strings.HasPrefix(link, "/static/") || strings.HasSuffix(link, ".xlsx") || strings.HasSuffix(link, ".zip") || strings.HasSuffix(link, ".csv") {
						continue
					}
					seen[link] = true
					if w := b.do("GET", link, nil, ""); w.Code == http.StatusForbidden {
						t.Errorf("%s: %s links to %s, which answers 403", u, n[1], link)
					}
				}
			}
			mayAudit := u == "demo.admin" || u == "demo.auditor"
			if keys["oversight"] != mayAudit {
				t.Errorf("%s: 监督 in the navigation: %v", u, keys["oversight"])
			}
			settings := b.do("GET", "/system/places", nil, "").Body.String()
			if strings.Contains(settings, `href="/system/users"`) != mayAudit {
				t.Errorf("%s: 用户与角色 on the settings page: %v", u, !mayAudit)
			}
		}
	})
}

// TestQueueSaysWhoMustAct: a village cadre's submitted project is not in
// their 我的待办 as something to act on; it is under 等待他人处理 with the
// township that must review it; the township officer has it to act on.
func TestQueueSaysWhoMustAct(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := demoServer(t, db, false)
		v := newBrowser(t, h)
		v.login("demo.village", demo.Password("demo.village"))
		w := v.form("/projects", "/projects", url.Values{"code": {"990101001001-Q1"}, "name": {"上坝村冷库"}, "place": {"990101001001"}, "purpose": {"industry"},
			"plan_year": {"2027"}, "budget": {"300000"}, "unit": {"上坝村股份经济合作社"}, "leader": {"周勇"}, "link_mode": {"分红"}, "link_households": {"40"}})
		if w.Code != http.StatusSeeOther {
			t.Fatalf("create project: %d %s", w.Code, w.Body.String()[:min(w.Body.Len(), 600)])
		}
		if w := v.form("/projects/990101001001-Q1", "/projects/990101001001-Q1/submit", url.Values{"opinion": {"村民代表大会通过"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("submit: %d %s", w.Code, w.Body.String()[:min(w.Body.Len(), 600)])
		}
		q := v.do("GET", "/review", nil, "").Body.String()
		mine := section(q, `id="queue"`, `</table>`)
		if strings.Contains(mine, "990101001001-Q1") {
			t.Errorf("the maker's own item is listed to act on")
		}
		waiting := section(q, `id="waiting"`, `</table>`)
		if !strings.Contains(q, "等待他人处理") || !strings.Contains(waiting, "990101001001-Q1") || !strings.Contains(waiting, "清溪镇") {
			t.Errorf("the maker's item is not under 等待他人处理 with who must act:\n%s", waiting)
		}
		tw := newBrowser(t, h)
		tw.login("demo.township", demo.Password("demo.township"))
		tq := tw.do("GET", "/review", nil, "").Body.String()
		if !strings.Contains(section(tq, `id="queue"`, `</table>`), "990101001001-Q1") {
			t.Errorf("the township officer does not have the item to act on")
		}
	})
}

// section is the part of s from the first from to the next to after it
// ("" when from is absent).
func section(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}

var totalRe = regexp.MustCompile(`共 (\d+) 条`)

// TestTransferAndAuditFilters: the transfers list filters by kind and by
// date, with its total; the API answers the same with total, offset and
// limit; the audit log filters by action, with its total.
func TestTransferAndAuditFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := demoServer(t, db, false)
		b := newBrowser(t, h)
		b.login("demo.admin", demo.Password("demo.admin"))
		total := func(path string) (int, string) {
			t.Helper()
			w := b.do("GET", path, nil, "")
			m := totalRe.FindStringSubmatch(w.Body.String())
			if w.Code != http.StatusOK || m == nil {
				t.Fatalf("%s: %d, no total", path, w.Code)
			}
			var n int
			fmt.Sscan(m[1], &n)
			return n, w.Body.String()
		}
		all, _ := total("/ledger/transfers")
		arrivals, body := total("/ledger/transfers?kind=arrival")
		if all == 0 || arrivals == 0 || arrivals >= all {
			t.Fatalf("transfers: %d in all, %d arrivals", all, arrivals)
		}
		rows := section(body, "<tbody", "</tbody>")
		if n := strings.Count(rows, `</td><td class="text">资金到位</td><td class="text">`); n != min(arrivals, 50) || strings.Count(rows, "<tr>") != n {
			t.Errorf("kind=arrival lists %d arrivals of %d, or other kinds:\n%s", n, arrivals, rows)
		}
		if n, _ := total("/ledger/transfers?from=2999-01-01"); n != 0 {
			t.Errorf("transfers after 2999: %d", n)
		}
		if n, _ := total("/ledger/transfers?kind=arrival&from=2000-01-01&to=2999-12-31"); n != arrivals {
			t.Errorf("arrivals in a wide date range: %d, want %d", n, arrivals)
		}
		if w := b.do("GET", "/ledger/transfers?from=yesterday", nil, ""); w.Code != http.StatusBadRequest {
			t.Errorf("a bad date: %d", w.Code)
		}
		var out struct {
			Transfers            []struct{ Kind string }
			Total, Offset, Limit int
		}
		w := b.do("GET", "/api/v1/ledger/990101/transfers?kind=arrival&limit=2&offset=1", nil, "")
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || w.Code != http.StatusOK {
			t.Fatalf("API: %d %s", w.Code, w.Body)
		}
		if out.Total != arrivals || out.Offset != 1 || out.Limit != 2 || len(out.Transfers) != min(2, arrivals-1) || (len(out.Transfers) > 0 && out.Transfers[0].Kind != "arrival") {
			t.Errorf("API: %+v", out)
		}

		logins, body := total("/audit?action=auth.login")
		everything, _ := total("/audit")
		if logins == 0 || logins >= everything {
			t.Errorf("audit: %d logins of %d", logins, everything)
		}
		if rows := section(body, "<tbody", "</tbody>"); strings.Count(rows, "<code>auth.login") != strings.Count(rows, "<code>") {
			t.Errorf("audit filtered by action lists other actions")
		}
	})
}
