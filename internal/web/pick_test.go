package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

type pickOption struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// TestPickStaysInSubtree: a picker answers only records of the caller's
// subtree; a township officer searching for a household of another
// township by its head's name gets nothing, and the county sees both.
func TestPickStaysInSubtree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		pick := func(user, kind string, q url.Values) (int, []pickOption, string) {
			t.Helper()
			tok, _ := f.session(t, user)
			r := httptest.NewRequest("GET", "/api/v1/pick/990101/"+kind+"?"+q.Encode(), nil)
			r.AddCookie(&http.Cookie{Name: "op_session", Value: tok})
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, r)
			var out []pickOption
			if w.Code == http.StatusOK {
				if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
					t.Fatalf("%s: %v", w.Body, err)
				}
			}
			return w.Code, out, w.Body.String()
		}
		values := func(os []pickOption) string {
			var v []string
			for _, o := range os {
				v = append(v, o.Value)
			}
			return strings.Join(v, ",")
		}
		cases := []struct {
			user, kind string
			q          url.Values
			want       string
		}{
			// Both households' heads are 张三: the township sees its own only.
			{"u-township", "household", url.Values{"q": {"张"}}, "acct-a"},
			{"u-rural", "household", url.Values{"q": {"张"}}, "acct-a,acct-b"},
			{"u-township", "household", url.Values{"q": {"acct-b"}}, ""},
			{"u-village", "household", url.Values{}, "acct-a"},
			// Payees by name: B's household account is not offered.
			{"u-township", "payee", url.Values{"q": {"乙"}}, ""},
			{"u-township", "payee", url.Values{"q": {"甲"}}, "acct-a"},
			{"u-finance", "payee", url.Values{"q": {"乙户"}}, "acct-b"},
			// Projects: the township's village's, not the county's or B's.
			{"u-township", "project", url.Values{"q": {"acct"}}, "acct-a"},
			{"u-rural", "project", url.Values{"q": {"acct"}}, "acct-a,acct-b,acct-county"},
			// Members of a household only inside the subtree.
			{"u-township", "member", url.Values{"household": {"acct-a"}, "q": {"张"}}, "1"},
		}
		for _, c := range cases {
			code, got, body := pick(c.user, c.kind, c.q)
			if code != http.StatusOK || values(got) != c.want {
				t.Errorf("%s picks %s %v: %d %s, want [%s]", c.user, c.kind, c.q, code, body, c.want)
			}
		}
		// The label names the record, not only its code.
		if _, got, _ := pick("u-township", "household", url.Values{"q": {"张"}}); len(got) != 1 || !strings.HasPrefix(got[0].Label, "张三 (acct-a)") || !strings.Contains(got[0].Label, "甲村") {
			t.Errorf("label: %+v", got)
		}
		// An empty answer is [], never null.
		if _, _, body := pick("u-township", "payee", url.Values{"q": {"乙"}}); strings.TrimSpace(body) != "[]" {
			t.Errorf("empty answer: %s", body)
		}
		// B's household's members answer as a missing household does.
		codeB, _, bodyB := pick("u-township", "member", url.Values{"household": {"acct-b"}})
		codeX, _, bodyX := pick("u-township", "member", url.Values{"household": {"no-such"}})
		if codeB != http.StatusNotFound || codeB != codeX || bodyB != bodyX {
			t.Errorf("B's members: %d %s; missing: %d %s", codeB, bodyB, codeX, bodyX)
		}
		// Bounded: the search and the limit.
		for _, q := range []url.Values{{"q": {strings.Repeat("张", 65)}}, {"limit": {"51"}}, {"limit": {"0"}}} {
			if code, _, body := pick("u-rural", "household", q); code != http.StatusBadRequest {
				t.Errorf("%v: %d %s, want 400", q, code, body)
			}
		}
		if code, _, _ := pick("u-rural", "nonsense", nil); code != http.StatusBadRequest {
			t.Errorf("unknown kind: %d", code)
		}
		if code, got, _ := pick("u-rural", "household", url.Values{"limit": {"1"}}); code != 200 || len(got) != 1 {
			t.Errorf("limit 1: %d %v", code, got)
		}
	})
}
