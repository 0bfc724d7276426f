package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"onepool/internal/app"
	"onepool/internal/auth"
	"onepool/internal/demo"
	"onepool/internal/entities"
	"onepool/internal/funds"
	"onepool/internal/ledger"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/web"
)

// The entities' routes in the authorization matrix.
func init() {
	for k, v := range map[string]rule{
		"GET /entities":                               {roles: staff, list: true},
		"GET /entities.xlsx":                          {roles: staff, list: true},
		"POST /entities":                              {roles: "village township rural"},
		"POST /entities/import":                       {roles: "village township rural"},
		"GET /entities/import/template.xlsx":          {roles: staff},
		"GET /entities/{code}":                        {roles: staff, record: true},
		"POST /entities/{code}":                       {roles: "village township rural", record: true},
		"POST /entities/{code}/reveal":                {roles: "village township rural", record: true},
		"POST /entities/{code}/links":                 {roles: "village township rural", record: true},
		"POST /entities/{code}/effects":               {roles: "village township rural", record: true},
		"GET /api/v1/entities/{county}":               {roles: staff, record: true, list: true},
		"POST /api/v1/entities/{county}":              {roles: "village township rural", record: true, list: true},
		"GET /api/v1/entities/{county}/{code}":        {roles: staff, record: true},
		"GET /api/v1/entities/{county}/{code}/links":  {roles: staff, record: true},
		"POST /api/v1/entities/{county}/{code}/links": {roles: "village township rural", record: true},
	} {
		matrix[k] = v
	}
}

const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// testUSCC makes a valid unified social credit code from a number.
func testUSCC(n int) string {
	body := fmt.Sprintf("93520000MA%07d", n)
	w := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i, r := range body {
		sum += strings.IndexRune(usccAlphabet, r) * w[i]
	}
	return body + string(usccAlphabet[(31-sum%31)%31])
}

// fixtureUSCC is the entity each of the matrix's codes names: A's village,
// the county, B's village; acct-x (the other county) names none.
var fixtureUSCC = map[string]string{"acct-a": testUSCC(1), "acct-county": testUSCC(2), "acct-b": testUSCC(3), "acct-x": testUSCC(4)}

// fixtureEntities registers the matrix's entities (B's names target-b,
// so that a list showing it fails the list check; none matches the
// pickers' searches of pick_test).
func fixtureEntities(t *testing.T, db *store.DB, l *ledger.Ledger, reg *registry.Service, keys *registry.Keys) {
	t.Helper()
	s := entities.New(db, l, reg, keys, nil)
	rural := auth.Principal{Username: "t", Role: auth.RoleRural, Place: root, County: countyA}
	for code, pl := range map[string]string{"acct-a": vilA, "acct-county": root, "acct-b": vilB} {
		name := map[string]string{"acct-a": "东村合作社", "acct-county": "县龙头企业", "acct-b": "西村合作社 target-b"}[code]
		if _, _, err := s.Create(context.Background(), rural, entities.Entity{USCC: fixtureUSCC[code], Kind: entities.Cooperative, Name: name, Place: place.Code(pl), LegalRep: "张三",
			Bank: entities.Bank{Holder: name, Bank: "农商行", Number: "6222000011112222"}}); err != nil {
			t.Fatal(err)
		}
	}
}

// entityPath puts the entity's USCC where a matrix path names a code.
func entityPath(p, code string) string {
	if u, ok := fixtureUSCC[code]; ok && strings.Contains(p, "/entities/") {
		return strings.Replace(p, "/"+code, "/"+u, 1)
	}
	return p
}

// entitiesWorld is a county with two townships, a cooperative's project
// money on two channels, and households to drive.
type entitiesWorld struct {
	h    http.Handler
	a    *auth.Service
	db   *store.DB
	town *browser // a township officer of A
}

const entBank = "330123456789012345"

func newEntitiesWorld(t *testing.T, db *store.DB) entitiesWorld {
	t.Helper()
	ctx := context.Background()
	a := auth.New(db, nil, auth.Config{ArgonMemoryKiB: 64, ArgonTime: 1, IPFailures: 1 << 20})
	l := ledger.New(db, nil)
	if _, err := a.ImportPlaces(ctx, auth.System(countyA), []place.Node{{Code: root, Name: "甲县"}, {Code: twpA, Name: "甲镇", Parent: root}, {Code: vilA, Name: "甲村", Parent: twpA},
		{Code: twpB, Name: "乙镇", Parent: root}, {Code: vilB, Name: "乙村", Parent: twpB}}); err != nil {
		t.Fatal(err)
	}
	mustUser(t, a, "town", auth.RoleTownship, twpA)
	mustUser(t, a, "fin", auth.RoleFinance, root)
	keys, err := registry.NewKeys([]byte("entities-web-key-0123456789abcde"))
	if err != nil {
		t.Fatal(err)
	}
	pc := policy.NewCounties(db, nil)
	if _, err := pc.Choose(ctx, "t", countyA, "zigui", ""); err != nil {
		t.Fatal(err)
	}
	fs := funds.New(db, l, pc, nil)
	if _, err := fs.CreateProject(ctx, "t", countyA, funds.Project{Status: funds.StatusApproved, Code: "P-TEA", Name: "茶叶加工项目", Place: vilA, Purpose: "industry"}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.CreateChannels(ctx, "t", countyA, []ledger.NewChannel{{Code: "ZX", Name: "中央"}, {Code: "SJ", Name: "省级"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.OpenAccounts(ctx, "t", countyA, []ledger.NewAccount{{Code: "treasury", Kind: ledger.External, Name: "国库", Place: root},
		{Code: "ent:chaye", Kind: ledger.Entity, Name: "甲村茶叶专业合作社", Place: vilA}}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Post(ctx, "t", countyA, []ledger.TransferRequest{
		{Key: "in", Kind: "arrival", From: "treasury", To: "prj:P-TEA", Legs: []ledger.Leg{{Channel: "ZX", Amount: 400_000_00}, {Channel: "SJ", Amount: 200_000_00}}},
		{Key: "pay", Kind: "payment", From: "prj:P-TEA", To: "ent:chaye", Legs: []ledger.Leg{{Channel: "ZX", Amount: 350_000_00}, {Channel: "SJ", Amount: 150_000_00}}},
	}); err != nil {
		t.Fatal(err)
	}
	reg := registry.New(db, keys, nil)
	rural := auth.Principal{Username: "t", Role: auth.RoleRural, Place: root, County: countyA}
	for i, hh := range []struct{ code, pl, head string }{{"990101001001-01", vilA, "李春生"}, {"990101001001-02", vilA, "王秀英"}, {"990101002001-01", vilB, "胡志强"}} {
		if _, _, err := reg.Save(ctx, rural, registry.Household{County: countyA, Code: hh.code, Village: place.Code(hh.pl), Head: hh.head,
			Members: []registry.Member{{Name: hh.head, ResidentID: testResidentID("1970-01-01", 10+i), Relation: "户主", Alive: true}}}); err != nil {
			t.Fatal(err)
		}
	}
	// B's own cooperative, registered by the county.
	s := entities.New(db, l, reg, keys, nil)
	if _, _, err := s.Create(ctx, rural, entities.Entity{USCC: testUSCC(50), Kind: entities.Cooperative, Name: "乙村蔬菜合作社", Place: vilB, LegalRep: "胡志强"}); err != nil {
		t.Fatal(err)
	}
	w := entitiesWorld{h: app.Server(web.Deps{DB: db, Ledger: l, Auth: a, Keys: keys}), a: a, db: db}
	w.town = newBrowser(t, w.h)
	w.town.login("town", "password-town")
	return w
}

// api calls the JSON API with a token of user.
func (w entitiesWorld) api(t *testing.T, p auth.Principal, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	tok, err := w.a.IssueToken(context.Background(), p, "t")
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+tok)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, r)
	return rec
}

func TestEntityPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newEntitiesWorld(t, db)
		b := w.town
		u := testUSCC(7)
		form := url.Values{"uscc": {u[:17] + "0"}, "name": {"甲村茶叶专业合作社"}, "kind": {entities.Cooperative}, "place": {vilA}, "legal_rep": {"杨文清"},
			"bank_holder": {"甲村茶叶专业合作社"}, "bank": {"青禾农商银行"}, "bank_account": {entBank}, "account": {"ent:chaye"}}
		if u[17] == '0' {
			form.Set("uscc", u[:17]+"1")
		}
		// A wrong check character: refused, the form keeps what was typed.
		rec := b.form("/entities", "/entities", form)
		body := rec.Body.String()
		if rec.Code != http.StatusBadRequest || !strings.Contains(body, `name="uscc" required maxlength="18" value="`+form.Get("uscc")+`" aria-invalid="true"`) ||
			!strings.Contains(body, `value="甲村茶叶专业合作社"`) || !strings.Contains(body, "统一社会信用代码无效") {
			t.Fatalf("refused create: %d %s", rec.Code, body)
		}
		// Right: the entity page, with a flash; its account is the cooperative's.
		form.Set("uscc", u)
		rec = b.form("/entities", "/entities", form)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/entities/"+u {
			t.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
		page := b.do("GET", "/entities/"+u, nil, "").Body.String()
		for _, want := range []string{"已保存经营主体：甲村茶叶专业合作社", "ent:chaye", "P-TEA", "茶叶加工项目", "350,000.00", "150,000.00", "500,000.00", "3301****2345"} {
			if !strings.Contains(page, want) {
				t.Errorf("entity page lacks %q", want)
			}
		}
		// A household of A driven, with its income effect; B's household is not found for A's officer.
		rec = b.form("/entities/"+u, "/entities/"+u+"/links", url.Values{"form": {"link"}, "household": {"990101001001-01"}, "link_type": {entities.Employment}, "since": {"2024-03-01"}, "year": {"2025"}, "income": {"1,200"}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("link: %d %s", rec.Code, rec.Body)
		}
		rec = b.form("/entities/"+u, "/entities/"+u+"/links", url.Values{"form": {"link"}, "household": {"990101002001-01"}, "link_type": {entities.Order}, "since": {"2024-03-01"}})
		if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), `value="990101002001-01"`) {
			t.Fatalf("B's household: %d %s", rec.Code, rec.Body)
		}
		page = b.do("GET", "/entities/"+u, nil, "").Body.String()
		if !strings.Contains(page, "李春生") || !strings.Contains(page, "务工就业") || !strings.Contains(page, "1,200.00") || !strings.Contains(page, `<dd id="driven">1</dd>`) {
			t.Fatalf("entity page after the link: %s", page)
		}
		// The list: A's entity, not B's; search and kind filter; the export names the filters.
		list := b.do("GET", "/entities?q=茶叶", nil, "").Body.String()
		if !strings.Contains(list, "甲村茶叶专业合作社") || strings.Contains(list, "乙村蔬菜合作社") || !strings.Contains(list, "共 1 条") {
			t.Fatalf("list: %s", list)
		}
		if l := b.do("GET", "/entities?kind=leading", nil, "").Body.String(); strings.Contains(l, "甲村茶叶专业合作社") {
			t.Fatal("kind filter ignored")
		}
		if rec := b.do("GET", "/entities/"+testUSCC(50), nil, ""); rec.Code != http.StatusNotFound {
			t.Fatalf("B's entity for A's officer: %d", rec.Code)
		}
		x := b.do("GET", "/entities.xlsx?kind=cooperative", nil, "")
		f, err := excelize.OpenReader(bytes.NewReader(x.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows(f.GetSheetList()[0], excelize.Options{RawCellValue: true})
		if len(rows) != 3 || !strings.Contains(rows[0][0], "农民专业合作社") || rows[2][0] != u || rows[2][8] != "500000" {
			t.Fatalf("export rows: %q", rows)
		}
		if typ, _ := f.GetCellType(f.GetSheetList()[0], "I3"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
			t.Fatalf("invested cell is %v, not a number", typ)
		}
		// Import: every row's error at once, nothing written; then the template's example imports.
		bad := "统一社会信用代码,名称,类型,所在地代码,法定代表人\n" + testUSCC(8) + ",甲一社,合作社,990101002001,张三\n" + testUSCC(9)[:17] + "Z,甲二社,渔场,990101001001,李四\n"
		rec = upload(b, "/entities", "/entities/import", nil, "e.csv", []byte(bad))
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "第 2 行") || !strings.Contains(rec.Body.String(), "第 3 行") {
			t.Fatalf("bad import: %d %s", rec.Code, rec.Body)
		}
		tpl := b.do("GET", "/entities/import/template.xlsx", nil, "")
		if rec := upload(b, "/entities", "/entities/import", nil, "t.xlsx", tpl.Body.Bytes()); rec.Code != http.StatusSeeOther {
			t.Fatalf("template import: %d %s", rec.Code, rec.Body)
		}
		var n int
		if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM ent_entities WHERE county = ?`, countyA).Scan(&n); err != nil || n != 3 {
			t.Fatalf("entities after the imports: %d %v", n, err)
		}
	})
}

// TestEntityBankMasked: the bank account is never in clear on a page,
// an export or an answer — and nothing beside the mask gives the hidden
// digits back — until an allowed user reveals it, which is audited.
func TestEntityBankMasked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newEntitiesWorld(t, db)
		b := w.town
		u := testUSCC(7)
		rep := testResidentID("1968-04-02", 3)
		rec := b.form("/entities", "/entities", url.Values{"uscc": {u}, "name": {"甲村茶叶专业合作社"}, "kind": {entities.Cooperative}, "place": {vilA}, "legal_rep": {"杨文清"},
			"rep_id": {rep}, "bank_holder": {"甲村茶叶专业合作社"}, "bank": {"青禾农商银行"}, "bank_account": {entBank}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
		hidden := entBank[4 : len(entBank)-4] // the digits the mask hides
		var hash string
		if err := db.QueryRowContext(context.Background(), `SELECT bank_hash FROM ent_entities WHERE uscc = ?`, u).Scan(&hash); err != nil {
			t.Fatal(err)
		}
		fin := auth.Principal{Username: "fin", Role: auth.RoleFinance, Place: root, County: countyA}
		town := auth.Principal{Username: "town", Role: auth.RoleTownship, Place: twpA, County: countyA}
		outputs := map[string]string{
			"page":     b.do("GET", "/entities/"+u, nil, "").Body.String(),
			"list":     b.do("GET", "/entities", nil, "").Body.String(),
			"export":   xlsxText(t, b.do("GET", "/entities.xlsx", nil, "").Body.Bytes()),
			"api":      w.api(t, town, "GET", "/api/v1/entities/"+countyA+"/"+u, "").Body.String(),
			"list api": w.api(t, fin, "GET", "/api/v1/entities/"+countyA, "").Body.String(),
		}
		for name, out := range outputs {
			if !strings.Contains(out, "3301****2345") && name != "list" {
				t.Errorf("%s does not show the mask", name)
			}
			for i := 0; i+5 <= len(hidden); i++ {
				if strings.Contains(out, hidden[i:i+5]) {
					t.Errorf("%s holds hidden digits %q of the bank account", name, hidden[i:i+5])
				}
			}
			if strings.Contains(out, hash) || strings.Contains(out, rep[6:14]) {
				t.Errorf("%s holds the account's hash or the representative's birth date", name)
			}
		}
		// The edit form never carries the number back.
		if strings.Contains(outputs["page"], `name="bank_account" inputmode="numeric" autocomplete="off" value=`) {
			t.Error("the edit form holds a value for the bank account")
		}
		// The township officer reveals it; the finance bureau may not.
		m := csrfRe.FindStringSubmatch(outputs["page"])
		rec = b.do("POST", "/entities/"+u+"/reveal", []byte(url.Values{"csrf": {m[1]}, "field": {"bank_account"}}.Encode()), "application/x-www-form-urlencoded")
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), entBank) {
			t.Fatalf("reveal: %d", rec.Code)
		}
		var n int
		if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'entities.reveal'`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("reveal audited %d times: %v", n, err)
		}
		fb := newBrowser(t, w.h)
		fb.login("fin", "password-fin")
		if rec := fb.form("/entities/"+u, "/entities/"+u+"/reveal", url.Values{"field": {"bank_account"}}); rec.Code != http.StatusForbidden || strings.Contains(rec.Body.String(), entBank) {
			t.Fatalf("finance reveal: %d", rec.Code)
		}
	})
}

// xlsxText is every cell of an xlsx's first sheet, joined.
func xlsxText(t *testing.T, data []byte) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(f.GetSheetList()[0])
	var sb strings.Builder
	for _, r := range rows {
		sb.WriteString(strings.Join(r, "\t") + "\n")
	}
	return sb.String()
}

func TestEntitiesAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newEntitiesWorld(t, db)
		town := auth.Principal{Username: "town", Role: auth.RoleTownship, Place: twpA, County: countyA}
		u := testUSCC(7)
		body := `{"uscc":"` + u + `","kind":"cooperative","name":"甲村茶叶专业合作社","place":"` + vilA + `","account":"ent:chaye","legal_rep":"杨文清","bank_account":{"holder":"甲村茶叶专业合作社","bank":"农商行","number":"` + entBank + `"}}`
		rec := w.api(t, town, "POST", "/api/v1/entities/"+countyA, body)
		if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"number":"3301****2345"`) {
			t.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
		rec = w.api(t, town, "POST", "/api/v1/entities/"+countyA, body)
		if rec.Code != http.StatusOK || rec.Header().Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d %s", rec.Code, rec.Body)
		}
		if rec := w.api(t, town, "POST", "/api/v1/entities/"+countyA, strings.Replace(body, "杨文清", "杨文", 1)); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "entity_exists") {
			t.Fatalf("conflict: %d %s", rec.Code, rec.Body)
		}
		if rec := w.api(t, town, "POST", "/api/v1/entities/"+countyA, strings.Replace(body, u, u[:17]+"I", 1)); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "invalid_uscc") {
			t.Fatalf("bad USCC: %d %s", rec.Code, rec.Body)
		}
		link := `{"household":"990101001001-02","link_type":"land_transfer","since":"2023-05-01","year":2025,"income":"1000.00"}`
		rec = w.api(t, town, "POST", "/api/v1/entities/"+countyA+"/"+u+"/links", link)
		if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"households":1`) || !strings.Contains(rec.Body.String(), `"income":"1000.00"`) {
			t.Fatalf("link: %d %s", rec.Code, rec.Body)
		}
		rec = w.api(t, town, "POST", "/api/v1/entities/"+countyA+"/"+u+"/links", link)
		if rec.Code != http.StatusOK || rec.Header().Get("Idempotent-Replayed") != "true" {
			t.Fatalf("link replay: %d %s", rec.Code, rec.Body)
		}
		rec = w.api(t, town, "GET", "/api/v1/entities/"+countyA+"/"+u, "")
		got := rec.Body.String()
		for _, want := range []string{`"invested_total":"500000.00"`, `{"project":"P-TEA","from":"prj:P-TEA","channel":"SJ","amount":"150000.00"}`, `"link_type":"land_transfer"`, `"households":1`} {
			if !strings.Contains(got, want) {
				t.Errorf("get lacks %s: %s", want, got)
			}
		}
		// B's entity, for A's officer, answers as a missing one.
		r1 := w.api(t, town, "GET", "/api/v1/entities/"+countyA+"/"+testUSCC(50), "")
		r2 := w.api(t, town, "GET", "/api/v1/entities/"+countyA+"/"+testUSCC(51), "")
		if r1.Code != http.StatusNotFound || r1.Body.String() != r2.Body.String() {
			t.Fatalf("B's entity: %d %s / %s", r1.Code, r1.Body, r2.Body)
		}
		rec = w.api(t, town, "GET", "/api/v1/entities/"+countyA+"?kind=leading", "")
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"entities":[]`) {
			t.Fatalf("empty list: %d %s", rec.Code, rec.Body)
		}
	})
}

// TestDemoEntities: the demo county has a cooperative, a village
// collective and a leading enterprise, the money the projects paid them
// read from the ledger, and households they drive; running the demo
// again changes nothing.
func TestDemoEntities(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, l, keys, srv := demoKeyed(t, db)
		if _, err := demo.Run(context.Background(), a, l, keys); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, srv)
		b.login("demo.rural", demo.Password("demo.rural"))
		list := b.do("GET", "/entities", nil, "").Body.String()
		for _, want := range []string{"桃园茶叶专业合作社（演示）", "桃园村股份经济合作社（演示）", "青禾县绿源农业科技有限公司（演示）", "共 3 条", `href="/entities"`} {
			if !strings.Contains(list, want) {
				t.Errorf("demo entities list lacks %q", want)
			}
		}
		page := b.do("GET", "/entities/93990101MA6CHAYE1H", nil, "").Body.String()
		for _, want := range []string{"2026-002", "800,000.00", "150,000.00", "950,000.00", `<dd id="driven">3</dd>`, "务工就业", "李春生"} {
			if !strings.Contains(page, want) {
				t.Errorf("demo cooperative's page lacks %q", want)
			}
		}
		// The agreement form's entity picker: registered entities by name
		// or code, inside the user's area (the county's own enterprise is
		// not a township officer's).
		for _, c := range []struct{ user, q, want string }{
			{"demo.rural", "桃园", "93990101MA6CHAYE1H,N2990101MA6TAYUANH"},
			{"demo.rural", "9199", "91990101MA6LUYUAN6"},
			{"demo.township", "", "93990101MA6CHAYE1H,N2990101MA6TAYUANH"},
			{"demo.township", "青禾", ""},
		} {
			pb := newBrowser(t, srv)
			pb.login(c.user, demo.Password(c.user))
			w := pb.do("GET", "/api/v1/pick/990101/registered_entity?q="+url.QueryEscape(c.q), nil, "")
			var opts []struct {
				Value string `json:"value"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &opts); err != nil {
				t.Fatalf("pick %s %q: %d %s", c.user, c.q, w.Code, w.Body)
			}
			var got []string
			for _, o := range opts {
				got = append(got, o.Value)
			}
			if strings.Join(got, ",") != c.want {
				t.Errorf("%s picks entities %q: %v, want [%s]", c.user, c.q, got, c.want)
			}
		}
		var n int
		if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE county = '990101' AND action LIKE 'entities.%'`).Scan(&n); err != nil || n != 3+len([]int{1, 2, 3, 4, 5, 6})+3 { // entities, links, this year's effects
			t.Fatalf("entities audit entries after two demo runs: %d %v", n, err)
		}
	})
}
