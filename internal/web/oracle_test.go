package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"onepool/internal/instruct"
	"onepool/internal/relief"
	"strings"
	"testing"

	"onepool/internal/auth"
	"onepool/internal/ledger"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/projects"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/volume"
	"onepool/internal/web"
	"onepool/internal/workflow"

	"onepool/internal/funds"
)

// The oracle walk: for every registered route that names a record in its
// path, a township officer of township A asks for (a) a record that
// exists in township B and (b) one that exists nowhere; the two answers
// must be identical in status, code, field and message (bodies compared
// whole, with only the asked path itself normalized). Public routes are
// left out: their records are public whoever asks.

// oracleIDs are the path values of one side of the walk.
type oracleIDs struct {
	code, username, village string
	transfer, file, lead    int64
	app, objection, notice  int64
	instruction             int64
}

// bSide adds to the fixture the records of township B the walk needs
// beyond the matrix's: a file on B's project, a lead between two B
// households, a relief application of a B household, and a lead that
// spans townships A and B (a duplicated ID).
func bSide(t *testing.T, db *store.DB, f *fixture) (b, missing oracleIDs, crossLead int64) {
	t.Helper()
	ctx := context.Background()
	keys, _ := registry.NewKeys([]byte("fixture-key-0123456789abcdefghij"))
	reg := registry.New(db, keys, nil)
	l := ledger.New(db, nil)
	pc := policy.NewCounties(db, nil)
	fs := funds.New(db, l, pc, nil)
	wf := workflow.New(db, nil)
	ps := projects.New(db, fs, wf, volume.New(db, nil), pc, nil)
	rural := auth.Principal{Username: "t", Role: auth.RoleRural, Place: root, County: countyA}
	files, err := ps.Attach(ctx, rural, "acct-b", []projects.Upload{{Kind: volume.Kinds[0], Name: "b.txt", R: strings.NewReader("乙镇的文件\n")}})
	if err != nil {
		t.Fatal(err)
	}
	b = oracleIDs{code: "acct-b", username: "target-b", village: vilB, transfer: f.ids["to-b"], file: files[0].ID}
	missing = oracleIDs{code: "no-such-code", username: "no-such-user", village: "990101002009", transfer: 987654, file: 987655, lead: 987656, app: 987657, objection: 987658, notice: 987659, instruction: 987660}
	// Two B households with one ID: a lead inside B.
	dup := testResidentID("1980-05-05", 7)
	for _, code := range []string{"990101002001-b1", "990101002001-b2"} {
		if _, _, err := reg.Save(ctx, rural, registry.Household{County: countyA, Code: code, Village: vilB, Head: "李四",
			Members: []registry.Member{{Name: "李四", ResidentID: dup, Relation: "户主", Alive: true}}}); err != nil {
			t.Fatal(err)
		}
	}
	// A household of B holding the ID of acct-a's head: a lead across townships.
	_, leads, err := reg.Save(ctx, rural, registry.Household{County: countyA, Code: "990101002001-b3", Village: vilB, Head: "张三",
		Members: []registry.Member{{Name: "张三", ResidentID: testResidentID("1970-01-01", 1), Relation: "户主", Alive: true}}})
	if err != nil || len(leads) != 1 {
		t.Fatalf("cross-township lead: %v %v", leads, err)
	}
	crossLead = leads[0].ID
	// A relief application of B's household and a money instruction of
	// B's place.
	if _, err := reg.SetYear(ctx, rural, registry.Year{Household: "990101002001-b1", Year: 2026, Status: registry.Exited, Causes: []string{"illness"}, Income: 100000, Expenses: 0}); err != nil {
		t.Fatal(err)
	}
	rs := relief.New(db, l, reg, keys, wf, pc, nil)
	cadreB := auth.Principal{Username: "cadre-b", Role: auth.RoleVillage, Place: vilB, County: countyA}
	app, err := rs.Apply(ctx, cadreB, relief.NewApplication{Household: "990101002001-b1", MemberSeq: 1, Year: 2026, Cause: "illness"})
	if err != nil {
		t.Fatal(err)
	}
	b.app = app.ID
	ins := instruct.NewService(db, wf, pc, nil)
	ins.UseLedger(l)
	in, err := ins.Propose(ctx, rural, func(tx *store.Tx) (instruct.New, error) {
		return instruct.New{Kind: instruct.Adjustment, Key: "oracle-b", Place: vilB, Amount: 1, Subject: "acct-b", Summary: "乙村调账", Payload: []ledger.TransferRequest{}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b.instruction = in.ID
	all, err := reg.Leads(ctx, countyA, "", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, ld := range all {
		if ld.ID != crossLead {
			b.lead = ld.ID
		}
	}
	return b, missing, crossLead
}

func (o oracleIDs) fill(pattern string, idOf func(pattern string, o oracleIDs) int64) string {
	_, p, ok := strings.Cut(pattern, " ")
	if !ok {
		p = pattern
	}
	return strings.NewReplacer("{county}", countyA, "{code}", url.PathEscape(o.code), "{username}", o.username, "{village}", o.village,
		"{id}", fmt.Sprint(idOf(pattern, o)), "{area}", "agreements",
		// A record inside a record (an asset's lease or run): the outer one
		// already answers as missing or outside, the inner is any number.
		"{lease}", "1", "{run}", "1", "{file}", "1").Replace(p)
}

// idOf is the record an {id} names on a route.
func idOf(pattern string, o oracleIDs) int64 {
	switch {
	case strings.Contains(pattern, "/transfers/"):
		return o.transfer
	case strings.Contains(pattern, "/files/"):
		return o.file
	case strings.Contains(pattern, "/leads/"):
		return o.lead
	case strings.Contains(pattern, "/applications/"):
		return o.app
	case strings.Contains(pattern, "/objections/"):
		return o.objection
	case strings.Contains(pattern, "/instructions/"):
		return o.instruction
	default:
		return o.notice
	}
}

// oracleSessions: one session per user for the whole walk, so that the
// pages' CSRF tokens are the same on both sides.
var oracleSessions map[string][2]string

type answer struct {
	status int
	body   string
}

func (f *fixture) ask(t *testing.T, user, method, path, form, json string) answer {
	t.Helper()
	var r *http.Request
	switch {
	case json != "":
		r = httptest.NewRequest(method, path, strings.NewReader(json))
		r.Header.Set("Content-Type", "application/json")
	case method == "POST":
		r = httptest.NewRequest(method, path, strings.NewReader(form))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	default:
		r = httptest.NewRequest(method, path, nil)
	}
	sess, ok := oracleSessions[user]
	if !ok {
		tok, csrf := f.session(t, user)
		sess = [2]string{tok, csrf}
		oracleSessions[user] = sess
	}
	tok, csrf := sess[0], sess[1]
	r.AddCookie(&http.Cookie{Name: "op_session", Value: tok})
	r.Header.Set("X-CSRF-Token", csrf)
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return answer{w.Code, w.Body.String()}
}

// same reports whether two answers are identical once each one's own path
// (and the record values in it) is replaced by one placeholder.
func same(a answer, pa string, avals []string, b answer, pb string, bvals []string) bool {
	return a.status == b.status && normAnswer(a.body, pa, avals) == normAnswer(b.body, pb, bvals)
}

// differ shows where two answers first differ.
func differ(a answer, pa string, b answer, pb string) string {
	x, y := normAnswer(a.body, pa, nil), normAnswer(b.body, pb, nil)
	i := 0
	for i < len(x) && i < len(y) && x[i] == y[i] {
		i++
	}
	from := max(i-150, 0)
	return fmt.Sprintf("\n  %s → %d …%.300s\n  %s → %d …%.300s", pa, a.status, x[from:], pb, b.status, y[from:])
}

func normAnswer(s, path string, vals []string) string {
	{
		s = strings.ReplaceAll(s, path, "⟨path⟩")
		s = strings.ReplaceAll(s, url.QueryEscape(path), "⟨path⟩")
		for _, v := range vals {
			if v != "" {
				s = strings.ReplaceAll(s, v, "⟨v⟩")
			}
		}
	}
	return s
}

func TestOracleWalk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		oracleSessions = map[string][2]string{}
		b, missing, crossLead := bSide(t, db, f)
		walked := 0
		for _, rt := range f.h.(*web.Server).Routes() {
			if rt.Action == auth.ViewPublic || !strings.Contains(strings.NewReplacer("{county}", "", "{area}", "", "{$}", "").Replace(rt.Pattern), "{") {
				continue
			}
			method, _, ok := strings.Cut(rt.Pattern, " ")
			if !ok {
				method = "GET"
			}
			json := ""
			if rt.API && method == "POST" {
				json = "{}"
			}
			pb, pm := b.fill(rt.Pattern, idOf), missing.fill(rt.Pattern, idOf)
			ab := f.ask(t, "u-township", method, pb, "", json)
			am := f.ask(t, "u-township", method, pm, "", json)
			walked++
			if ab.status >= 500 || !same(ab, pb, nil, am, pm, nil) {
				t.Errorf("%s: township B's record and a missing one answer differently:%s", rt.Pattern, differ(ab, pb, am, pm))
			}
			// Two records in the path: the officer's own project with B's file.
			if strings.Contains(rt.Pattern, "{code}/files/{id}") {
				own, ownMissing := b, missing
				own.code, ownMissing.code = "acct-a", "acct-a"
				po, pom := own.fill(rt.Pattern, idOf), ownMissing.fill(rt.Pattern, idOf)
				ao, aom := f.ask(t, "u-township", method, po, "", json), f.ask(t, "u-township", method, pom, "", json)
				if !same(ao, po, nil, aom, pom, nil) {
					t.Errorf("%s: B's file on A's project and a missing file answer differently:\n  %d %.300s\n  %d %.300s", rt.Pattern, ao.status, ao.body, aom.status, aom.body)
				}
			}
		}
		if walked < 40 {
			t.Errorf("walked only %d routes; is the filter right?", walked)
		}
		// Records named in a body: a relief application for B's household.
		for _, c := range []struct{ path, form, json string }{
			{"/relief/applications", "household=%s&member=1&year=2026&cause=illness", ""},
			{"/api/v1/relief/990101/applications", "", `{"household":"%s","member":1,"year":2026,"cause":"illness"}`},
		} {
			var ab, am answer
			if c.json != "" {
				ab = f.ask(t, "u-village", "POST", c.path, "", fmt.Sprintf(c.json, "acct-b"))
				am = f.ask(t, "u-village", "POST", c.path, "", fmt.Sprintf(c.json, "no-such-code"))
			} else {
				ab = f.ask(t, "u-village", "POST", c.path, fmt.Sprintf(c.form, "acct-b"), "")
				am = f.ask(t, "u-village", "POST", c.path, fmt.Sprintf(c.form, "no-such-code"), "")
			}
			if !same(ab, c.path, []string{"acct-b"}, am, c.path, []string{"no-such-code"}) {
				t.Errorf("%s naming B's household vs a missing one:\n  %d %.300s\n  %d %.300s", c.path, ab.status, ab.body, am.status, am.body)
			}
		}
		// Codes that must be unique: creating with B's code answers as a
		// fresh code of the same form does, never "already used".
		for _, c := range []struct{ path, form, json string }{
			{"/registry", "code=%s&village=" + vilA + "&head=张五&name1=张五&id1=" + testResidentID("1990-02-02", 31) + "&relation1=户主", ""},
			{"/projects", "code=%s&name=路&place=" + vilA + "&purpose=infrastructure&budget=1000", ""},
			{"/api/v1/projects/990101", "", `{"code":"%s","name":"路","place":"` + vilA + `","purpose":"infrastructure","budget":"1000"}`},
		} {
			var ab, am answer
			if c.json != "" {
				ab = f.ask(t, "u-township", "POST", c.path, "", fmt.Sprintf(c.json, "acct-b"))
				am = f.ask(t, "u-township", "POST", c.path, "", fmt.Sprintf(c.json, "fresh-code"))
			} else {
				ab = f.ask(t, "u-township", "POST", c.path, fmt.Sprintf(c.form, "acct-b"), "")
				am = f.ask(t, "u-township", "POST", c.path, fmt.Sprintf(c.form, "fresh-code"), "")
			}
			if !same(ab, c.path, []string{"acct-b"}, am, c.path, []string{"fresh-code"}) {
				t.Errorf("create %s with B's code vs a fresh one:\n  %d %.300s\n  %d %.300s", c.path, ab.status, ab.body, am.status, am.body)
			}
		}
		// The lead that spans townships A and B is the county's: neither
		// township lists it.
		leadsA := f.ask(t, "u-township", "GET", "/api/v1/registry/990101/leads", "", "")
		if leadsA.status != 200 || strings.Contains(leadsA.body, fmt.Sprintf(`"id":%d,`, crossLead)) || strings.Contains(leadsA.body, "990101002001-b3") {
			t.Errorf("township A lists the cross-township lead: %s", leadsA.body)
		}
		leadsCounty := f.ask(t, "u-rural", "GET", "/api/v1/registry/990101/leads", "", "")
		if !strings.Contains(leadsCounty.body, fmt.Sprintf(`"id":%d,`, crossLead)) {
			t.Errorf("the county does not list the cross-township lead: %s", leadsCounty.body)
		}
		if page := f.ask(t, "u-township", "GET", "/registry", "", ""); strings.Contains(page.body, "990101002001-b3") {
			t.Errorf("township A's registry page names B's household of the cross-township lead")
		}
		// Deciding it as township A answers as a missing lead does.
		po, pm := fmt.Sprintf("/registry/leads/%d/override", crossLead), "/registry/leads/987656/override"
		ao, am := f.ask(t, "u-township", "POST", po, "reason=x", ""), f.ask(t, "u-township", "POST", pm, "reason=x", "")
		if !same(ao, po, nil, am, pm, nil) {
			t.Errorf("override of the cross-township lead vs a missing lead:\n  %d %.300s\n  %d %.300s", ao.status, ao.body, am.status, am.body)
		}
		_ = place.Code("")
	})
}
