package web_test

import (
	"bytes"
	"encoding/json"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"onepool/internal/clock"
	"onepool/internal/demo"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// englishSentence is a run of three or more English words.
var englishSentence = regexp.MustCompile(`[A-Za-z]{2,}(?:[ ,;:'"()/-]+[A-Za-z]{2,}){2,}`)

var errorLineRe = regexp.MustCompile(`(?s)<p class="error"[^>]*id="(?:form-error|error-message)"[^>]*>(.*?)</p>`)

// errorLine is the refusal a page shows (its form error or error page).
func errorLine(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	m := errorLineRe.FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatalf("no error line on the page (%d): %.600s", w.Code, w.Body.String())
	}
	return html.UnescapeString(m[1])
}

// TestRefusalsInTheUsersLanguage: a refused allocation, a refused relief
// application, a refused notice and an import with bad rows say why in
// Chinese, with no English sentence; after the language switch, in English.
func TestRefusalsInTheUsersLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, _, _, h := demoKeyed(t, db)
		keyRe := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`)
		english := func(b *browser) {
			b.t.Helper()
			b.cookies["op_lang"] = "en"
		}
		check := func(name string, w *httptest.ResponseRecorder, status int, zh string) {
			t.Helper()
			if w.Code != status {
				t.Fatalf("%s: %d, want %d: %.600s", name, w.Code, status, w.Body.String())
			}
			line := errorLine(t, w)
			t.Logf("%s: %s", name, line)
			if !strings.Contains(line, zh) {
				t.Errorf("%s: the Chinese page says %q, want %q in it", name, line, zh)
			}
			if s := englishSentence.FindString(line); s != "" {
				t.Errorf("%s: English %q on the Chinese page: %q", name, s, line)
			}
		}
		checkEn := func(name string, w *httptest.ResponseRecorder, en string) {
			t.Helper()
			if line := errorLine(t, w); !strings.Contains(line, en) {
				t.Errorf("%s: the English page says %q, want %q in it", name, line, en)
			}
		}

		// An allocation beyond what the pool holds for the project.
		fin := newBrowser(t, h)
		fin.login("demo.finance", demo.Password("demo.finance"))
		allocate := func() *httptest.ResponseRecorder {
			page := fin.do("GET", "/funds/projects", nil, "").Body.String()
			return fin.form("/funds/projects", "/funds/allocations", url.Values{"project": {"2026-001"}, "amount": {"999,999,999"}, "key": {keyRe.FindStringSubmatch(page)[1]}})
		}
		check("allocation", allocate(), http.StatusUnprocessableEntity, "资金池中可用于本项目的渠道资金为")
		english(fin)
		checkEn("allocation", allocate(), "the pool holds")
		delete(fin.cookies, "op_lang")

		// A relief application for a household the fund does not help.
		cadre := newBrowser(t, h)
		cadre.login("demo.village", demo.Password("demo.village"))
		apply := func() *httptest.ResponseRecorder {
			return cadre.form("/relief", "/relief/applications", url.Values{"household": {"990101001001-04"}, "member": {"1"}, "year": {demoYear()}, "cause": {"illness"}})
		}
		w := apply()
		check("relief application", w, http.StatusUnprocessableEntity, "防返贫基金只救助")
		if line := errorLine(t, w); strings.Contains(line, "non_poor") || strings.Contains(line, "exited") {
			t.Errorf("the refusal shows raw status codes: %q", line)
		}
		english(cadre)
		checkEn("relief application", apply(), "the fund helps")
		delete(cadre.cookies, "op_lang")

		// A second notice for the demo project whose notice already runs.
		officer := newBrowser(t, h)
		officer.login("demo.township", demo.Password("demo.township"))
		today := time.Now().In(clock.Zone)
		notice := func() *httptest.ResponseRecorder {
			return officer.form("/projects/2027-003", "/projects/2027-003/notice", url.Values{"title": {"公示"}, "body": {"内容"},
				"starts": {today.Format("2006-01-02")}, "ends": {today.AddDate(0, 0, 10).Format("2006-01-02")}})
		}
		w = notice()
		if w.Code < 400 || w.Code >= 500 {
			t.Fatalf("notice: %d %.400s", w.Code, w.Body.String())
		}
		check("notice", w, w.Code, "项目 2027-003 的公示已经发布")
		english(officer)
		checkEn("notice", notice(), "is already posted")
		delete(officer.cookies, "op_lang")

		// An import of channels with bad cells: every row, in Chinese.
		importFile := func() *httptest.ResponseRecorder {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			m := csrfRe.FindStringSubmatch(fin.do("GET", "/funds", nil, "").Body.String())
			mw.WriteField("csrf", m[1])
			mw.WriteField("kind", "channels")
			fw, _ := mw.CreateFormFile("file", "channels.csv")
			fw.Write([]byte("代码,名称,级次,类别,主管部门,年度\nNEW1,新渠道,province,fiscal,财政,20x6\nNEW2,另一渠道,province,fiscal,财政,2026,\n"))
			mw.Close()
			return fin.do("POST", "/funds/import", buf.Bytes(), mw.FormDataContentType())
		}
		w = importFile()
		check("import", w, http.StatusBadRequest, "第 2 行")
		if line := errorLine(t, w); !strings.Contains(line, "不是有效的年度") {
			t.Errorf("the row error is not the Chinese sentence: %q", line)
		}
		english(fin)
		checkEn("import", importFile(), "row 2")
	})
}

// TestAPIErrorLanguage: the API answers in English by default and in
// Chinese when Accept-Language asks for it, with the same code and the
// message's parameters.
func TestAPIErrorLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := demoServer(t, db, false)
		fin := newBrowser(t, h)
		fin.login("demo.finance", demo.Password("demo.finance"))
		body := `{"project":"2026-001","amount":"999999999.00","key":"api-lang-1"}`
		ask := func(lang string) (int, map[string]any) {
			t.Helper()
			fin.headers["Accept-Language"] = lang
			m := csrfRe.FindStringSubmatch(fin.do("GET", "/funds", nil, "").Body.String())
			fin.headers["X-CSRF-Token"] = m[1]
			w := fin.do("POST", "/api/v1/funds/990101/allocations", []byte(body), "application/json")
			var out map[string]map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			return w.Code, out["error"]
		}
		stEn, en := ask("")
		stZh, zh := ask("zh-CN,zh;q=0.9,en;q=0.8")
		if stEn != stZh || en["code"] != zh["code"] || en["code"] != "insufficient_funds" {
			t.Fatalf("en %d %v, zh %d %v", stEn, en, stZh, zh)
		}
		if !strings.Contains(en["message"].(string), "the pool holds") {
			t.Errorf("English message: %v", en["message"])
		}
		if msg := zh["message"].(string); !strings.Contains(msg, "资金池中可用于本项目的渠道资金为") || englishSentence.MatchString(msg) {
			t.Errorf("Chinese message: %v", msg)
		}
		params, _ := zh["params"].([]any)
		if len(params) != 3 || !strings.Contains(zh["message"].(string), params[0].(string)) {
			t.Errorf("params %v do not match the message %v", zh["params"], zh["message"])
		}
	})
}
