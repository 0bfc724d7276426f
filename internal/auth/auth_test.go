package auth_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/place"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const (
	root = "990101000000"
	twpA = "990101001000"
	vilA = "990101001001"
	twpB = "990101002000"
)

func setup(t *testing.T, db *store.DB) (*auth.Service, *fakeClock) {
	t.Helper()
	clk := &fakeClock{t: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}
	a := auth.New(db, clk.now, auth.Config{ArgonMemoryKiB: 64, ArgonTime: 1, IPFailures: 8})
	_, err := a.ImportPlaces(context.Background(), auth.System("990101"), []place.Node{
		{Code: root, Name: "甲县"}, {Code: twpA, Name: "甲镇", Parent: root}, {Code: vilA, Name: "甲村", Parent: twpA}, {Code: twpB, Name: "乙镇", Parent: root}})
	if err != nil {
		t.Fatal(err)
	}
	return a, clk
}

func newUser(t *testing.T, a *auth.Service, actor auth.Principal, name string, role auth.Role, pl string) auth.User {
	t.Helper()
	u, err := a.CreateUser(context.Background(), actor, auth.NewUser{Username: name, DisplayName: name, Role: role, Place: place.Code(pl), Password: "password-" + name})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if errs.CodeOf(err) != code {
		t.Fatalf("got %v (code %q), want code %q", err, errs.CodeOf(err), code)
	}
}

func TestLoginLockoutAndThrottle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, clk := setup(t, db)
		newUser(t, a, auth.System("990101"), "li", auth.RoleTownship, twpA)

		tok1, s1, err := a.Login(ctx, "li", "password-li", "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		tok2, s2, err := a.Login(ctx, "LI ", "password-li", "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if tok1 == tok2 || s1.CSRF == s2.CSRF {
			t.Error("two logins share a session id or CSRF token")
		}
		// A wrong password and an unknown user look the same.
		_, _, e1 := a.Login(ctx, "li", "wrong", "10.0.0.2")
		_, _, e2 := a.Login(ctx, "nobody", "wrong", "10.0.0.2")
		if e1 == nil || e1.Error() != e2.Error() || errs.CodeOf(e1) != "bad_login" {
			t.Errorf("wrong password %v vs unknown user %v", e1, e2)
		}
		// Five consecutive failures lock the account, even for the right password.
		for range 4 {
			_, _, err := a.Login(ctx, "li", "wrong", "10.0.0.3")
			wantCode(t, err, "bad_login")
		}
		// Locked, even the right password gets exactly the answer an
		// unknown user gets: the lockout does not tell that "li" exists.
		_, _, err = a.Login(ctx, "li", "password-li", "10.0.0.4")
		_, _, eUnknown := a.Login(ctx, "nobody-at-all", "password-li", "10.0.0.4")
		wantCode(t, err, "bad_login")
		if err.Error() != eUnknown.Error() || errs.KindOf(err) != errs.KindOf(eUnknown) {
			t.Errorf("locked %v vs unknown user %v", err, eUnknown)
		}
		clk.add(16 * time.Minute)
		if _, _, err := a.Login(ctx, "li", "password-li", "10.0.0.4"); err != nil {
			t.Fatalf("after the lockout: %v", err)
		}
		// One address failing often is throttled, whatever the user.
		for range 8 {
			a.Login(ctx, "nobody", "x", "10.9.9.9")
		}
		_, _, err = a.Login(ctx, "li", "password-li", "10.9.9.9")
		wantCode(t, err, "too_many")
		if d, ok := errs.RetryAfter(err); !ok || d <= 0 || d > 10*time.Minute || errs.KindOf(err) != errs.TooMany {
			t.Errorf("throttled: retry after %v %v, kind %v", d, ok, errs.KindOf(err))
		}
		if _, _, err := a.Login(ctx, "li", "password-li", "10.0.0.5"); err != nil {
			t.Errorf("another address is not throttled: %v", err)
		}
		// Every attempt is in the audit log.
		recs, err := audit.List(ctx, db, audit.Filter{Action: "auth.login", Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		outcomes := map[string]int{}
		for _, r := range recs {
			outcomes[r.Outcome]++
		}
		if outcomes["ok"] < 4 || outcomes["failed"] < 5 || outcomes["failed, locked"] != 1 || outcomes["locked"] != 1 || outcomes["throttled"] != 1 {
			t.Errorf("audit outcomes of logins: %v", outcomes)
		}
	})
}

func TestSessionTimeoutsAndDisable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, clk := setup(t, db)
		admin := newUser(t, a, auth.System("990101"), "boss", auth.RoleAdmin, root).Principal()
		newUser(t, a, admin, "wang", auth.RoleVillage, vilA)

		tok, _, err := a.Login(ctx, "wang", "password-wang", "1")
		if err != nil {
			t.Fatal(err)
		}
		// Used every 20 minutes, a session lives until its absolute limit.
		for range 35 {
			clk.add(20 * time.Minute)
			if _, err := a.Session(ctx, tok); err != nil {
				t.Fatalf("active session ended early at %v: %v", clk.now(), err)
			}
		}
		clk.add(21 * time.Minute) // 12 h 1 min after login
		_, err = a.Session(ctx, tok)
		wantCode(t, err, "session_expired")

		// Idle for 31 minutes: ended.
		tok, _, _ = a.Login(ctx, "wang", "password-wang", "1")
		clk.add(31 * time.Minute)
		_, err = a.Session(ctx, tok)
		wantCode(t, err, "session_expired")

		// Disabling a user ends their sessions and their API tokens stop.
		tok, _, _ = a.Login(ctx, "wang", "password-wang", "1")
		u, _ := a.FindUser(ctx, "wang")
		wtok, err := a.IssueToken(ctx, u.Principal(), "x") // a village cadre's token (the projects API)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.SetDisabled(ctx, admin, "wang", true); err != nil {
			t.Fatal(err)
		}
		_, err = a.Session(ctx, tok)
		wantCode(t, err, "session_expired")
		if _, err := a.TokenPrincipal(ctx, wtok); errs.KindOf(err) != errs.Unauthenticated {
			t.Errorf("a disabled village cadre's token still works: %v", err)
		}
		_, _, err = a.Login(ctx, "wang", "password-wang", "1")
		wantCode(t, err, "disabled")
		if err := a.SetDisabled(ctx, admin, "boss", true); errs.CodeOf(err) != "self_disable" {
			t.Errorf("an administrator disabled themself: %v", err)
		}
		fin := newUser(t, a, admin, "fin", auth.RoleFinance, root)
		ftok, err := a.IssueToken(ctx, fin.Principal(), "bank")
		if err != nil {
			t.Fatal(err)
		}
		if p, err := a.TokenPrincipal(ctx, ftok); err != nil || p.Username != "fin" {
			t.Fatalf("token: %v %v", p, err)
		}
		if err := a.SetDisabled(ctx, admin, "fin", true); err != nil {
			t.Fatal(err)
		}
		if _, err := a.TokenPrincipal(ctx, ftok); errs.KindOf(err) != errs.Unauthenticated {
			t.Errorf("a disabled user's token still works: %v", err)
		}
		// A password reset ends sessions too.
		a.SetDisabled(ctx, admin, "wang", false)
		tok, _, _ = a.Login(ctx, "wang", "password-wang", "1")
		if err := a.SetPassword(ctx, admin, "wang", "short"); errs.CodeOf(err) != "weak_password" {
			t.Errorf("short password: %v", err)
		}
		if err := a.SetPassword(ctx, admin, "wang", "a-new-long-password"); err != nil {
			t.Fatal(err)
		}
		_, err = a.Session(ctx, tok)
		wantCode(t, err, "session_expired")
		if _, _, err := a.Login(ctx, "wang", "a-new-long-password", "1"); err != nil {
			t.Errorf("new password: %v", err)
		}
	})
}

func TestUsersStayInTheirPlace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, _ := setup(t, db)
		sys := auth.System("990101")
		twpAdmin := newUser(t, a, sys, "twp-admin", auth.RoleAdmin, twpA).Principal()
		newUser(t, a, twpAdmin, "cadre-a", auth.RoleVillage, vilA)
		newUser(t, a, sys, "officer-b", auth.RoleTownship, twpB)

		// A township administrator cannot create users elsewhere, and
		// another township's user does not exist for them.
		_, err := a.CreateUser(ctx, twpAdmin, auth.NewUser{Username: "xx", DisplayName: "x", Role: auth.RoleVillage, Place: twpB, Password: "password-xx"})
		wantCode(t, err, "not_found")
		_, err = a.User(ctx, twpAdmin, "officer-b")
		_, err2 := a.User(ctx, twpAdmin, "no-such-user")
		if err == nil || err.Error() != err2.Error() {
			t.Errorf("another place's user %v vs a missing one %v", err, err2)
		}
		us, err := a.Users(ctx, twpAdmin)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, u := range us {
			names = append(names, u.Username)
		}
		if strings.Join(names, ",") != "twp-admin,cadre-a" {
			t.Errorf("township admin sees users %v", names)
		}
		// Bad input names the field; nothing is written.
		for _, c := range []struct {
			in   auth.NewUser
			code string
		}{
			{auth.NewUser{Username: "A B", DisplayName: "x", Role: auth.RoleVillage, Place: vilA, Password: "password-xx"}, "invalid_username"},
			{auth.NewUser{Username: "ab", DisplayName: "x", Role: "mayor", Place: vilA, Password: "password-xx"}, "invalid_role"},
			{auth.NewUser{Username: "ab", DisplayName: "x", Role: auth.RoleVillage, Place: "990101001009", Password: "password-xx"}, "unknown_place"},
			{auth.NewUser{Username: "ab", DisplayName: "x", Role: auth.RoleVillage, Place: vilA, Password: "short"}, "weak_password"},
			{auth.NewUser{Username: "cadre-a", DisplayName: "x", Role: auth.RoleVillage, Place: vilA, Password: "password-xx"}, "username_taken"},
		} {
			_, err := a.CreateUser(ctx, sys, c.in)
			wantCode(t, err, c.code)
		}
		if _, err := a.FindUser(ctx, "ab"); errs.KindOf(err) != errs.NotFound {
			t.Errorf("a refused user was written: %v", err)
		}
	})
}

func TestAuthorize(t *testing.T) {
	township := auth.Principal{Username: "t", Role: auth.RoleTownship, Place: twpA, County: "990101"}
	auditor := auth.Principal{Username: "a", Role: auth.RoleAuditor, Place: root, County: "990101"}
	cases := []struct {
		p    auth.Principal
		act  auth.Action
		pl   place.Code
		code string
	}{
		{township, auth.ViewLedger, vilA, ""},
		{township, auth.ViewLedger, twpB, "not_found"},
		{township, auth.ViewLedger, root, "not_found"},
		{township, auth.WriteLedger, vilA, "forbidden"},
		{township, auth.ViewAudit, "", "forbidden"},
		{auditor, auth.ViewAudit, twpB, ""},
		{auditor, auth.WriteLedger, vilA, "forbidden"},
		{auditor, auth.ManageUsers, "", "forbidden"},
		{auth.Public(), auth.ViewPublic, "", ""},
		{auth.Public(), auth.ViewLedger, "", "unauthenticated"},
	}
	for _, c := range cases {
		got := ""
		if err := auth.Authorize(c.p, c.act, c.pl); err != nil {
			got = errs.CodeOf(err)
		}
		if got != c.code {
			t.Errorf("%s %s at %s: %q, want %q", c.p.Role, c.act, c.pl, got, c.code)
		}
	}
	if errs.CodeOf(auth.AuthorizeCounty(auditor, auth.ViewLedger, "990102")) != "not_found" {
		t.Error("another county is not not-found")
	}
	if errs.CodeOf(auth.CheckMakerChecker(township, "t")) != "maker_checker" || auth.CheckMakerChecker(township, "someone-else") != nil {
		t.Error("maker–checker")
	}
}

func TestImportPlaces(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, _ := setup(t, db)
		sys := auth.System("990101")
		bad := []struct {
			csv, want string
		}{
			{"990102001000,外县镇,990102000000\n", "outside county"},
			{"990101003000,丙镇,\n", "needs a parent"},
			{"990101003000,丙镇,990101000000\n990101003000,丁镇,990101000000\n", "repeats row 1"},
			{"990101003001,丙村,990101009000\n", "parent"},
			{"990101003000,,990101000000\n", "name"},
		}
		for _, b := range bad {
			nodes, err := auth.ParsePlaceFile(strings.NewReader(b.csv))
			if err == nil {
				_, err = a.ImportPlaces(ctx, sys, nodes)
			}
			if errs.KindOf(err) != errs.Invalid || !strings.Contains(err.Error(), b.want) {
				t.Errorf("import %q: %v, want an Invalid error mentioning %q", b.csv, err, b.want)
			}
		}
		tr, _ := a.Places(ctx, "990101")
		if tr.Len() != 4 {
			t.Errorf("a failed import wrote places: %d", tr.Len())
		}
		// An xlsx with a header row, renaming one place and adding two.
		x := excelize.NewFile()
		sh := x.GetSheetName(0)
		for i, row := range [][]any{{"代码", "名称", "上级代码"}, {twpB, "乙镇（改名）", root}, {"990101002001", "乙村", twpB}, {"990101002002", "乙二村", twpB}} {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			x.SetSheetRow(sh, cell, &row)
		}
		var buf bytes.Buffer
		x.Write(&buf)
		nodes, err := auth.ParsePlaceFile(&buf)
		if err != nil {
			t.Fatal(err)
		}
		n, err := a.ImportPlaces(ctx, sys, nodes)
		if err != nil || n != 3 {
			t.Fatalf("xlsx import: %d %v", n, err)
		}
		if got := a.PlaceName(ctx, twpB); got != "乙镇（改名）" {
			t.Errorf("renamed place: %q", got)
		}
		// Importing the same file again changes nothing.
		if n, err := a.ImportPlaces(ctx, sys, nodes); err != nil || n != 0 {
			t.Errorf("re-import: %d %v", n, err)
		}
		// A township officer may not import.
		off := auth.Principal{Username: "o", Role: auth.RoleTownship, Place: twpA, County: "990101"}
		if _, err := a.ImportPlaces(ctx, off, nodes); errs.KindOf(err) != errs.Forbidden {
			t.Errorf("township import: %v", err)
		}
		// Not a CSV, not an xlsx.
		if _, err := auth.ParsePlaceFile(strings.NewReader("PK\x03\x04garbage")); errs.CodeOf(err) != "invalid_file" {
			t.Errorf("garbage zip: %v", err)
		}
	})
}
