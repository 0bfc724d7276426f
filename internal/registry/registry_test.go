package registry_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/ident"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const county = "990101"

var ctx = context.Background()

// who is a principal of the test county.
func who(user string, role auth.Role, pl string) auth.Principal {
	return auth.Principal{Username: user, DisplayName: user, Role: role, Place: place.Code(pl), County: county}
}

var (
	cadre    = who("cadre", auth.RoleVillage, "990101001001")
	cadre2   = who("cadre2", auth.RoleVillage, "990101001002")
	township = who("town", auth.RoleTownship, "990101001000")
	town2    = who("town2", auth.RoleTownship, "990101002000")
	rural    = who("rural", auth.RoleRural, "990101000000")
	finance  = who("fin", auth.RoleFinance, "990101000000")
)

// rid builds a valid (fake) resident ID: region 990101, the birth date
// YYYYMMDD, a 3-digit sequence and the GB 11643 check character.
func rid(birth string, seq int) string {
	if seq < 0 || seq > 999 {
		panic("rid: seq is 3 digits")
	}
	s := "990101" + birth + fmt.Sprintf("%03d", seq)
	return s + string(check(s))
}

func check(s17 string) byte {
	w := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range w {
		sum += int(s17[i]-'0') * w[i]
	}
	return "10X98765432"[sum%11]
}

// card builds a fake 19-digit card number passing the Luhn check.
func card(n int) string {
	s := fmt.Sprintf("622848%012d", n)
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return s + fmt.Sprint((10-sum%10)%10)
}

// badCheck returns id with a wrong check character.
func badCheck(id string) string {
	const chars = "0123456789X"
	return id[:17] + string(chars[(strings.IndexByte(chars, id[17])+1)%11])
}

func yuan(s string) money.Fen {
	f, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return f
}

func testKeys(t testing.TB, b byte) *registry.Keys {
	t.Helper()
	k, err := registry.NewKeys(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func setup(t testing.TB, db *store.DB) *registry.Service {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, clock.Zone)
	return registry.New(db, testKeys(t, 7), func() time.Time { return now })
}

// family is a four-person household of village 990101001001.
func family(code string, base int) registry.Household {
	return registry.Household{Code: code, Village: "990101001001", Head: "王建国",
		Members: []registry.Member{
			{Name: "王建国", ResidentID: rid("19700315", base+1), Relation: "户主", Alive: true},
			{Name: "李秀英", ResidentID: rid("19720620", base+2), Relation: "配偶", Alive: true},
			{Name: "王小明", ResidentID: rid("19990101", base+3), Relation: "子女", Alive: true},
			{Name: "王桂兰", ResidentID: rid("19450808", base+4), Relation: "父母", Alive: true},
		},
		Card: registry.Card{Holder: "王建国", Bank: "农商银行青禾支行", Number: card(base)}}
}

func wantCode(t *testing.T, what string, err error, kind errs.Kind, code, field string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Kind != kind || e.Code != code || (field != "" && e.Field != field) {
		t.Errorf("%s: got %v, want %s %s (%s)", what, err, kind, code, field)
	}
}

// dump returns every value of a table as text.
func dump(t *testing.T, db *store.DB, table string) string {
	t.Helper()
	rows, err := db.QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprint(&b, v, "|")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestSaveMasked: a saved household reads back masked everywhere; the
// database and the audit log hold no ID or card number in clear.
func TestSaveMasked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		in := family("990101001001-001", 100)
		h, leads, err := s.Save(ctx, cadre, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(leads) != 0 {
			t.Errorf("leads for a fresh household: %v", leads)
		}
		if len(h.Members) != 4 || h.Members[0].IDMasked != ident.MaskResidentID(in.Members[0].ResidentID) || h.Members[0].BirthYear != 1970 ||
			h.Members[3].Seq != 4 || h.Card.Masked != ident.MaskBankCard(in.Card.Number) || h.Card.Holder != "王建国" || h.UpdatedBy != "cadre" {
			t.Errorf("saved household: %+v", h)
		}
		plain := []string{in.Card.Number}
		for _, m := range in.Members {
			plain = append(plain, m.ResidentID)
		}
		noPlain := func(what, text string) {
			t.Helper()
			for _, p := range plain {
				if strings.Contains(text, p) {
					t.Errorf("%s holds %s in clear", what, p)
				}
			}
		}
		got, err := s.Household(ctx, county, in.Code)
		if err != nil {
			t.Fatal(err)
		}
		list, total, err := s.Households(ctx, county, "990101001", 10, 0)
		if err != nil || total != 1 || len(list) != 1 || len(list[0].Members) != 4 {
			t.Fatalf("households: %d %v %v", total, list, err)
		}
		export, err := s.ExportRows(ctx, county, county)
		if err != nil || len(export) != 5 || export[1][4] != h.Members[0].IDMasked || export[1][10] != h.Card.Masked || export[2][10] != "" {
			t.Errorf("export: %v %v", export, err)
		}
		for what, v := range map[string]any{"Save": h, "Household": got, "Households": list, "ExportRows": export} {
			text := fmt.Sprintf("%+v", v)
			noPlain(what, text)
			if f := ident.ScanPersonalData(text); len(f) > 0 {
				t.Errorf("%s shows personal data %v", what, f)
			}
		}
		for _, table := range []string{"reg_households", "reg_members", "reg_leads", "audit_log"} {
			noPlain(table, dump(t, db, table))
		}
		// Neither the mask nor the birth date is stored in clear: both are
		// derived from the sealed ID on every read.
		if export[1][6] != "1970" || strings.Contains(fmt.Sprint(export), "1970-03-15") {
			t.Errorf("export shows %q as the birth, want the year only", export[1][6])
		}
		for _, table := range []string{"reg_households", "reg_members", "reg_years", "reg_leads"} {
			text := dump(t, db, table)
			for _, m := range in.Members {
				if strings.Contains(text, m.ResidentID[6:14]) || strings.Contains(text, ident.MaskResidentID(m.ResidentID)) {
					t.Errorf("%s holds the birth date or the mask of %s in clear", table, m.Name)
				}
			}
		}
		recs, _ := audit.List(ctx, db, audit.Filter{County: county, Action: "registry.save"})
		if len(recs) != 1 || !strings.Contains(recs[0].After, `"resident_id_ref":"`) || strings.Contains(recs[0].After, h.Members[0].IDMasked) || recs[0].Place != "990101001001" {
			t.Fatalf("audit: %+v", recs)
		}
		if f := ident.ScanPersonalData(recs[0].After); len(f) > 0 {
			t.Errorf("audit shows %v", f)
		}
		if _, err := s.Household(ctx, county, "nope"); errs.CodeOf(err) != "unknown_household" {
			t.Errorf("unknown household: %v", err)
		}
		// Editing the household read back (masked): IDs and card are kept,
		// a member's death is recorded, and a new member needs an ID.
		got.Members[3].Alive = false
		got.Members = append(got.Members, registry.Member{Seq: 0, Name: "王小红", ResidentID: rid("20200202", 105), Relation: "子女", Alive: true})
		again, _, err := s.Save(ctx, cadre, got)
		if err != nil {
			t.Fatal(err)
		}
		if len(again.Members) != 5 || again.Members[3].Alive || again.Members[0].IDMasked != h.Members[0].IDMasked || again.Card.Masked != h.Card.Masked {
			t.Errorf("edited: %+v", again)
		}
		if holder, bank, number, err := s.CardInClear(ctx, county, in.Code); err != nil || holder != "王建国" || bank != "农商银行青禾支行" || number != in.Card.Number {
			t.Errorf("card in clear after edit: %s %s %s %v", holder, bank, number, err)
		}
		if codes, err := s.FindByResidentID(ctx, county, strings.ToLower(in.Members[0].ResidentID)); err != nil || len(codes) != 1 || codes[0] != in.Code {
			t.Errorf("find by ID: %v %v", codes, err)
		}
		got.Members[4].ResidentID = ""
		got.Members[4].IDMasked = "990101********1234"
		_, _, err = s.Save(ctx, cadre, got)
		wantCode(t, "new member without ID", err, errs.Invalid, "invalid_resident_id", "members[4].resident_id")
	})
}

// TestSaveInvalid: every refusal names its field.
func TestSaveInvalid(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		mod := func(f func(h *registry.Household)) registry.Household {
			h := family("H1", 200)
			h.Members = append([]registry.Member(nil), h.Members...)
			f(&h)
			return h
		}
		badSum := badCheck(rid("19720620", 202))
		for _, c := range []struct {
			what        string
			h           registry.Household
			kind        errs.Kind
			code, field string
		}{
			{"checksum", mod(func(h *registry.Household) { h.Members[1].ResidentID = badSum }), errs.Invalid, "invalid_resident_id", "members[1].resident_id"},
			{"30 February", mod(func(h *registry.Household) {
				s17 := "990101" + "19720230" + "202"
				h.Members[2].ResidentID = s17 + string(check(s17))
			}), errs.Invalid, "invalid_resident_id", "members[2].resident_id"},
			{"same ID twice", mod(func(h *registry.Household) { h.Members[3].ResidentID = h.Members[0].ResidentID }), errs.Invalid, "duplicate_member", "members[3].resident_id"},
			{"holder not a member", mod(func(h *registry.Household) { h.Card.Holder = "赵四" }), errs.RuleBroken, "card_holder_mismatch", "card.holder"},
			{"card too short", mod(func(h *registry.Household) { h.Card.Number = "62284812345" }), errs.Invalid, "invalid_card", "card.number"},
			{"card without bank", mod(func(h *registry.Household) { h.Card.Bank = "" }), errs.Invalid, "invalid_card", "card.bank"},
			{"no members", mod(func(h *registry.Household) { h.Members = nil }), errs.Invalid, "invalid_household", "members"},
			{"no name", mod(func(h *registry.Household) { h.Members[1].Name = " " }), errs.Invalid, "invalid_member", "members[1].name"},
			{"ID typed as name", mod(func(h *registry.Household) { h.Members[1].Name = rid("19720620", 9) }), errs.Invalid, "invalid_member", "members[1].name"},
			{"no relation", mod(func(h *registry.Household) { h.Members[0].Relation = "" }), errs.Invalid, "invalid_member", "members[0].relation"},
			{"no head", mod(func(h *registry.Household) { h.Head = "" }), errs.Invalid, "invalid_household", "head"},
			{"bad code", mod(func(h *registry.Household) { h.Code = "a b" }), errs.Invalid, "invalid_household", "code"},
			{"township as village", mod(func(h *registry.Household) { h.Village = "990101001000" }), errs.Invalid, "invalid_place", "village"},
			{"other county", mod(func(h *registry.Household) { h.Village = "990102001001" }), errs.Invalid, "invalid_place", "village"},
			{"other village", mod(func(h *registry.Household) { h.Village = "990101001002" }), errs.NotFound, "not_found", ""},
		} {
			_, _, err := s.Save(ctx, cadre, c.h)
			wantCode(t, c.what, err, c.kind, c.code, c.field)
		}
		_, _, err := s.Save(ctx, finance, family("H1", 200))
		wantCode(t, "finance saves", err, errs.Forbidden, "forbidden", "")
		if _, n, _ := s.Households(ctx, county, "", 10, 0); n != 0 {
			t.Errorf("refused saves wrote %d households", n)
		}
		// A household saved by one village cannot be taken over by another.
		if _, _, err := s.Save(ctx, cadre, family("H1", 200)); err != nil {
			t.Fatal(err)
		}
		h := family("H1", 300)
		h.Village = "990101001002"
		_, _, err = s.Save(ctx, cadre2, h)
		wantCode(t, "take over", err, errs.NotFound, "not_found", "")
	})
}

// TestLeads: one ID in two households and one card on two households raise
// leads; an override needs a reason and the right role and area, and is
// audited; fixing the records resolves a lead.
func TestLeads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		a := family("A", 400)
		if _, _, err := s.Save(ctx, cadre, a); err != nil {
			t.Fatal(err)
		}
		// The grandmother is also registered with her other son in another village.
		b := registry.Household{Code: "B", Village: "990101001002", Head: "王建军", Members: []registry.Member{
			{Name: "王建军", ResidentID: rid("19740101", 411), Relation: "户主", Alive: true},
			{Name: "王桂兰", ResidentID: a.Members[3].ResidentID, Relation: "父母", Alive: true},
		}, Card: registry.Card{Holder: "王建军", Bank: "农商银行", Number: card(411)}}
		_, leads, err := s.Save(ctx, cadre2, b)
		if err != nil {
			t.Fatal(err)
		}
		// The lead spans two villages: it is the township's, and the cadre
		// of village 2 is not told of village 1's household.
		if len(leads) != 0 {
			t.Fatalf("the village cadre is shown a lead that names another village's household: %+v", leads)
		}
		leads, err = s.Leads(ctx, county, "990101001", false)
		if err != nil || len(leads) != 1 || leads[0].Kind != registry.LeadDuplicateID || strings.Join(leads[0].Households, ",") != "A,B" || leads[0].Status != registry.LeadOpen {
			t.Fatalf("duplicate ID lead: %+v %v", leads, err)
		}
		dup := leads[0]
		if codes, _ := s.FindByResidentID(ctx, county, a.Members[3].ResidentID); strings.Join(codes, ",") != "A,B" {
			t.Errorf("find: %v", codes)
		}
		// A third household paid to A's card.
		c := registry.Household{Code: "C", Village: "990101001001", Head: "王建国", Members: []registry.Member{
			{Name: "王建国", ResidentID: rid("19700315", 421), Relation: "户主", Alive: true},
		}, Card: registry.Card{Holder: "王建国", Bank: "农商银行", Number: a.Card.Number}}
		_, leads, err = s.Save(ctx, cadre, c)
		if err != nil || len(leads) != 1 || leads[0].Kind != registry.LeadSharedCard || strings.Join(leads[0].Households, ",") != "A,C" {
			t.Fatalf("shared card lead: %+v %v", leads, err)
		}
		shared := leads[0]
		if open, _ := s.OpenLeadsFor(ctx, county, "C"); len(open) != 1 || open[0].ID != shared.ID {
			t.Errorf("open leads of C: %+v", open)
		}
		if open, _ := s.OpenLeadsFor(ctx, county, "A"); len(open) != 2 {
			t.Errorf("open leads of A: %+v", open)
		}
		if l, _ := s.Leads(ctx, county, "990101001002", false); len(l) != 0 {
			t.Errorf("leads of village 2 (the A–B lead is the township's): %+v", l)
		}
		if l, _ := s.Leads(ctx, county, "", true); len(l) != 2 {
			t.Errorf("open leads: %+v", l)
		}
		// Override: a reason, the right role and area.
		_, err = s.Override(ctx, township, county, shared.ID, "  ")
		wantCode(t, "no reason", err, errs.Invalid, "invalid_reason", "reason")
		_, err = s.Override(ctx, cadre, county, shared.ID, "同一户主")
		wantCode(t, "village cadre", err, errs.Forbidden, "forbidden", "")
		_, err = s.Override(ctx, town2, county, shared.ID, "同一户主")
		wantCode(t, "other township", err, errs.NotFound, "unknown_lead", "")
		_, err = s.Override(ctx, township, county, 99, "x")
		wantCode(t, "unknown lead", err, errs.NotFound, "unknown_lead", "")
		l, err := s.Override(ctx, township, county, shared.ID, "王建国分户后两户共用一张卡，已核实")
		if err != nil || l.Status != registry.LeadOverridden || l.DecidedBy != "town" {
			t.Fatalf("override: %+v %v", l, err)
		}
		_, err = s.Override(ctx, rural, county, shared.ID, "again")
		wantCode(t, "twice", err, errs.Conflict, "lead_decided", "")
		if recs, _ := audit.List(ctx, db, audit.Filter{County: county, Action: "registry.override"}); len(recs) != 1 || !strings.Contains(recs[0].After, "已核实") || recs[0].Actor != "town" {
			t.Errorf("override audit: %+v", recs)
		}
		if open, _ := s.OpenLeadsFor(ctx, county, "C"); len(open) != 0 {
			t.Errorf("open leads of C after override: %+v", open)
		}
		// Fixing B's record (a typo in the grandmother's ID) resolves the lead.
		// (Saved by the township, which sees both villages of the lead.)
		b.Members[1].ResidentID = rid("19450808", 412)
		_, leads, err = s.Save(ctx, township, b)
		if err != nil || len(leads) != 1 || leads[0].ID != dup.ID || leads[0].Status != registry.LeadResolved {
			t.Fatalf("resolved: %+v %v", leads, err)
		}
		if l, _ := s.Leads(ctx, county, "", true); len(l) != 0 {
			t.Errorf("open leads after the fixes: %+v", l)
		}
		// A fourth household joining the shared card reopens the overridden lead.
		d := registry.Household{Code: "D", Village: "990101001001", Head: "王建国", Members: []registry.Member{
			{Name: "王建国", ResidentID: rid("19700315", 431), Relation: "户主", Alive: true},
		}, Card: registry.Card{Holder: "王建国", Bank: "农商银行", Number: a.Card.Number}}
		if _, leads, err = s.Save(ctx, cadre, d); err != nil || len(leads) != 1 || leads[0].ID != shared.ID || leads[0].Status != registry.LeadOpen || len(leads[0].Households) != 3 {
			t.Fatalf("reopened: %+v %v", leads, err)
		}
	})
}

// TestReveal: a clear value for the roles that need it, within their area,
// with an audit entry for every view.
func TestReveal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		in := family("R1", 500)
		if _, _, err := s.Save(ctx, cadre, in); err != nil {
			t.Fatal(err)
		}
		_, err := s.Reveal(ctx, cadre2, county, "R1", registry.FieldResidentID, 1)
		wantCode(t, "other village", err, errs.NotFound, "not_found", "")
		_, err = s.Reveal(ctx, finance, county, "R1", registry.FieldResidentID, 1)
		wantCode(t, "finance", err, errs.Forbidden, "forbidden", "")
		_, err = s.Reveal(ctx, township, county, "R1", "phone", 1)
		wantCode(t, "unknown field", err, errs.Invalid, "invalid_field", "field")
		_, err = s.Reveal(ctx, township, county, "R1", registry.FieldResidentID, 9)
		wantCode(t, "unknown member", err, errs.NotFound, "unknown_member", "")
		if recs, _ := audit.List(ctx, db, audit.Filter{County: county, Action: "registry.reveal"}); len(recs) != 0 {
			t.Errorf("refused reveals audited as views: %+v", recs)
		}
		got, err := s.Reveal(ctx, township, county, "R1", registry.FieldResidentID, 2)
		if err != nil || got != in.Members[1].ResidentID {
			t.Fatalf("reveal ID: %q %v", got, err)
		}
		if got, err := s.Reveal(ctx, cadre, county, "R1", registry.FieldCard, 0); err != nil || got != in.Card.Number {
			t.Errorf("reveal card: %q %v", got, err)
		}
		if _, err := s.SetYear(ctx, cadre, registry.Year{Household: "R1", Year: 2025, Status: registry.Monitored, Causes: []string{"illness", "disability"}, Income: yuan("8000")}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Reveal(ctx, rural, county, "R1", registry.FieldCauses, 0); err != nil || got != "illness,disability" {
			t.Errorf("reveal causes: %q %v", got, err)
		}
		recs, _ := audit.List(ctx, db, audit.Filter{County: county, Action: "registry.reveal"})
		if len(recs) != 3 {
			t.Fatalf("reveal audit: %+v", recs)
		}
		last := recs[len(recs)-1] // newest first: the oldest is the ID
		if last.Actor != "town" || last.Object != "household R1" || !strings.Contains(last.After, `"field":"resident_id"`) || !strings.Contains(last.After, `"member":2`) ||
			strings.Contains(last.After, in.Members[1].ResidentID) {
			t.Errorf("reveal audit entry: %+v", last)
		}
	})
}

// TestYear: per-capita net income is derived from the living members.
func TestYear(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		if _, _, err := s.Save(ctx, cadre, family("Y1", 600)); err != nil {
			t.Fatal(err)
		}
		y, err := s.SetYear(ctx, cadre, registry.Year{Household: "Y1", Year: 2025, Status: registry.Exited, Stable: true,
			Causes: []string{"labour", "illness", "illness"}, Income: yuan("12,000.00"), Expenses: yuan("2,000.00")})
		if err != nil {
			t.Fatal(err)
		}
		if y.Members != 4 || y.PerCapita != yuan("2,500.00") || !y.Stable || strings.Join(y.Causes, ",") != "illness,labour" {
			t.Errorf("year: %+v", y)
		}
		recs, _ := audit.List(ctx, db, audit.Filter{County: county, Action: "registry.year"})
		if len(recs) != 1 || strings.Contains(recs[0].After, "illness") || !strings.Contains(recs[0].After, `"causes":2`) {
			t.Errorf("year audit: %+v", recs)
		}
		if strings.Contains(dump(t, db, "reg_years"), "illness") {
			t.Error("reg_years holds the causes in clear")
		}
		// The grandmother died: the count drops.
		h, _ := s.Household(ctx, county, "Y1")
		h.Members[3].Alive = false
		if _, _, err := s.Save(ctx, cadre, h); err != nil {
			t.Fatal(err)
		}
		y, err = s.Year(ctx, county, "Y1", 2025)
		if err != nil || y.Members != 3 || y.PerCapita != yuan("3,333.33") {
			t.Errorf("after a death: %+v %v", y, err)
		}
		for _, c := range []struct {
			what        string
			y           registry.Year
			code, field string
		}{
			{"negative income", registry.Year{Household: "Y1", Year: 2025, Status: registry.Poor, Income: -1}, "invalid_amount", "income"},
			{"negative expenses", registry.Year{Household: "Y1", Year: 2025, Status: registry.Poor, Expenses: -1}, "invalid_amount", "expenses"},
			{"stable poor", registry.Year{Household: "Y1", Year: 2025, Status: registry.Poor, Stable: true}, "invalid_stable", "stable"},
			{"status", registry.Year{Household: "Y1", Year: 2025, Status: "rich"}, "invalid_status", "status"},
			{"cause", registry.Year{Household: "Y1", Year: 2025, Status: registry.Poor, Causes: []string{"laziness"}}, "invalid_cause", "causes"},
			{"year", registry.Year{Household: "Y1", Year: 25, Status: registry.Poor}, "invalid_year", "year"},
		} {
			_, err := s.SetYear(ctx, cadre, c.y)
			wantCode(t, c.what, err, errs.Invalid, c.code, c.field)
		}
		_, err = s.SetYear(ctx, cadre2, registry.Year{Household: "Y1", Year: 2025, Status: registry.Poor})
		wantCode(t, "other village", err, errs.NotFound, "not_found", "")
		_, err = s.SetYear(ctx, cadre, registry.Year{Household: "ZZ", Year: 2025, Status: registry.Poor})
		wantCode(t, "unknown household", err, errs.NotFound, "unknown_household", "")
		_, err = s.Year(ctx, county, "Y1", 2024)
		wantCode(t, "no record", err, errs.NotFound, "no_year_record", "")
		// Nobody alive: per-capita 0.
		h, _ = s.Household(ctx, county, "Y1")
		for i := range h.Members {
			h.Members[i].Alive = false
		}
		if _, _, err := s.Save(ctx, cadre, h); err != nil {
			t.Fatal(err)
		}
		if y, _ := s.Year(ctx, county, "Y1", 2025); y.Members != 0 || y.PerCapita != 0 {
			t.Errorf("nobody alive: %+v", y)
		}
	})
}

func rowsOf(t *testing.T, err error) []string {
	t.Helper()
	var ie *funds.ImportError
	if !errors.As(err, &ie) || errs.KindOf(err) != errs.Invalid {
		t.Fatalf("want an import error, got %v", err)
	}
	var out []string
	for _, r := range ie.Rows {
		out = append(out, fmt.Sprintf("row %d, column %s", r.Row, r.Column))
	}
	return out
}

func hasAll(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	have := map[string]bool{}
	for _, g := range got {
		have[g] = true
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("%s: no %q in %v", what, w, got)
		}
	}
}

// TestImport: every bad cell is reported and nothing is written; a good
// file imports every household in one go.
func TestImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		bad := "户编号,村代码,户主,姓名,身份证号,与户主关系,是否健在,开户人,开户行,银行卡号\n" +
			"990101001001-F1,990101001001,张大山,张大山," + rid("19680101", 701) + ",户主,是,张大山,农商银行," + card(701) + "\n" +
			"990101001001-F1,990101001001,张大山,刘翠花," + badCheck(rid("19700101", 702)) + ",配偶,是,,,\n" +
			"990101001001-F1,990101001002,张大山,张小河," + rid("19950505", 703) + ",子女,是,,,\n" +
			"990101001001-F2,990101001001,陈平,陈平," + rid("19800808", 704) + ",户主,也许,陈安,农商银行," + card(704) + "\n" +
			"990101001001-F3,990101002001,周强,周强," + rid("19810909", 705) + ",户主,是,,,\n"
		_, err := s.Import(ctx, township, strings.NewReader(bad))
		hasAll(t, "bad import", rowsOf(t, err), "row 3, column resident_id", "row 4, column village", "row 5, column alive", "row 5, column card_holder", "row 6, column village")
		if _, n, _ := s.Households(ctx, county, "", 10, 0); n != 0 {
			t.Fatalf("a failed import wrote %d households", n)
		}
		good := "household,village,head,name,resident_id,relation,alive,card_holder,bank,card\n" +
			"990101001001-F1,990101001001,张大山,张大山," + rid("19680101", 701) + ",户主,是,,,\n" +
			"990101001001-F1,990101001001,张大山,刘翠花," + rid("19700101", 702) + ",配偶,是,刘翠花,农商银行," + card(701) + "\n" +
			"990101001001-F1,990101001001,张大山,张老汉," + rid("19400101", 703) + ",父母,否,,,\n" +
			"\n" +
			"990101001001-F2,990101001001,陈平,陈平," + rid("19800808", 704) + ",户主,,陈平,农商银行," + card(701) + "\n"
		n, err := s.Import(ctx, cadre, strings.NewReader(good))
		if err != nil || n != 2 {
			t.Fatalf("good import: %d %v", n, err)
		}
		h, _ := s.Household(ctx, county, "990101001001-F1")
		if len(h.Members) != 3 || h.Members[2].Alive || h.Card.Holder != "刘翠花" || h.Card.Masked != ident.MaskBankCard(card(701)) {
			t.Errorf("F1: %+v", h)
		}
		if l, _ := s.OpenLeadsFor(ctx, county, "990101001001-F2"); len(l) != 1 || l[0].Kind != registry.LeadSharedCard {
			t.Errorf("the shared card in the file: %+v", l)
		}
		recs, _ := audit.List(ctx, db, audit.Filter{County: county, Action: "registry.import"})
		if len(recs) != 1 || ident.ScanPersonalData(recs[0].After) != nil {
			t.Errorf("import audit: %+v", recs)
		}
		// An xlsx without card columns keeps the card on record; a row
		// without household, village and head continues the one above.
		x := excelize.NewFile()
		sh := x.GetSheetName(0)
		for i, row := range [][]any{
			{"户编号", "村代码", "户主", "姓名", "身份证号", "与户主关系"},
			{"990101001001-F1", "990101001001", "张大山", "张大山", rid("19680101", 701), "户主"},
			{"", "", "", "刘翠花", rid("19700101", 702), "配偶"}, // merged cells
		} {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			x.SetSheetRow(sh, cell, &row)
		}
		var buf bytes.Buffer
		x.Write(&buf)
		if n, err := s.Import(ctx, cadre, &buf); err != nil || n != 1 {
			t.Fatalf("xlsx: %d %v", n, err)
		}
		if h, _ := s.Household(ctx, county, "990101001001-F1"); len(h.Members) != 2 || h.Card.Masked == "" {
			t.Errorf("F1 after xlsx: %+v", h)
		}
		// Another village's cadre cannot import over it.
		_, err = s.Import(ctx, cadre2, strings.NewReader("household,village,head,name,resident_id,relation\nF1,990101001002,张大山,张大山,"+rid("19680101", 701)+",户主\n"))
		hasAll(t, "take over", rowsOf(t, err), "row 2, column household")
		_, err = s.Import(ctx, finance, strings.NewReader(good))
		wantCode(t, "finance", err, errs.Forbidden, "forbidden", "")
		_, err = s.Import(ctx, cadre, strings.NewReader("household,village\nF1,990101001001\n"))
		wantCode(t, "missing columns", err, errs.Invalid, "missing_column", "file")
	})
}

// TestImportYears: amounts with more than two decimals and unknown
// households are row errors; a good file writes every record.
func TestImportYears(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		for _, code := range []string{"Y1", "Y2"} {
			if _, _, err := s.Save(ctx, cadre, family(code, map[string]int{"Y1": 800, "Y2": 810}[code])); err != nil {
				t.Fatal(err)
			}
		}
		bad := "户编号,年度,状态,致贫原因,家庭纯收入,支出,稳定脱贫\n" +
			"Y1,2025,脱贫户,因病、因学,\"12,000.005\",2000,是\n" +
			"Y2,2025,监测户,懒,8000,-1,是\n" +
			"Y9,2025,poor,,1000,,\n" +
			"Y1,2025,poor,,1000,,\n"
		_, err := s.ImportYears(ctx, cadre, strings.NewReader(bad))
		hasAll(t, "bad years", rowsOf(t, err), "row 2, column income", "row 3, column causes", "row 3, column expenses", "row 3, column stable", "row 4, column household", "row 5, column household")
		if _, err := s.Year(ctx, county, "Y1", 2025); errs.CodeOf(err) != "no_year_record" {
			t.Fatalf("a failed import wrote a year: %v", err)
		}
		good := "household,year,status,causes,income,expenses,stable\n" +
			"Y1,2025,脱贫户,\"因病,因学\",\"12,000.00\",2000,是\n" +
			"Y2,2025,monitored,illness,8000.50,,\n"
		if n, err := s.ImportYears(ctx, cadre, strings.NewReader(good)); err != nil || n != 2 {
			t.Fatalf("good years: %d %v", n, err)
		}
		y, _ := s.Year(ctx, county, "Y1", 2025)
		if y.Status != registry.Exited || !y.Stable || strings.Join(y.Causes, ",") != "illness,schooling" || y.PerCapita != yuan("2500") {
			t.Errorf("Y1: %+v", y)
		}
		if y, _ := s.Year(ctx, county, "Y2", 2025); y.Income != yuan("8000.50") || y.PerCapita != yuan("2000.12") {
			t.Errorf("Y2: %+v", y)
		}
		_, err = s.ImportYears(ctx, cadre2, strings.NewReader(good))
		hasAll(t, "other village", rowsOf(t, err), "row 2, column household", "row 3, column household")
	})
}

// TestScreen visits every household with a record once.
func TestScreen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		const n = 30
		for i := range n {
			h := family(fmt.Sprintf("S%02d", i), 10*i)
			h.Card.Number = card(1000 + i)
			for j := range h.Members {
				h.Members[j].Alive = j < i%5 // 0 … 4 alive
			}
			if _, _, err := s.Save(ctx, cadre, h); err != nil {
				t.Fatal(err)
			}
			if i == n-1 {
				continue // no record for 2025
			}
			if _, err := s.SetYear(ctx, cadre, registry.Year{Household: h.Code, Year: 2025, Status: registry.Poor, Causes: []string{"illness"}, Income: yuan("10000"), Expenses: money.Fen(i)}); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[string]int{}
		err := s.Screen(ctx, county, 2025, func(sc registry.Screened) error {
			seen[sc.Household]++
			var i int
			fmt.Sscanf(sc.Household, "S%02d", &i)
			alive := i % 5
			want := money.Fen(0)
			if alive > 0 {
				want = (yuan("10000") - money.Fen(i)) / money.Fen(alive)
			}
			if sc.Year.Members != alive || sc.Year.PerCapita != want || sc.AnyDeceasedOnly != (alive == 0) || sc.Village != "990101001001" ||
				len(sc.Year.Causes) != 1 || sc.Year.Causes[0] != "illness" || sc.Year.Year != 2025 {
				t.Errorf("screened %s: %+v", sc.Household, sc)
			}
			return nil
		})
		if err != nil || len(seen) != n-1 {
			t.Fatalf("screen: %d households, %v", len(seen), err)
		}
		for code, c := range seen {
			if c != 1 {
				t.Errorf("%s visited %d times", code, c)
			}
		}
		stop := errors.New("stop")
		calls := 0
		if err := s.Screen(ctx, county, 2025, func(registry.Screened) error { calls++; return stop }); err != stop || calls != 1 {
			t.Errorf("stop: %v after %d", err, calls)
		}
	})
}

// TestKeys: sealing round-trips, tampering is detected, hashes are keyed.
func TestKeys(t *testing.T) {
	k, k2 := testKeys(t, 1), testKeys(t, 2)
	id := rid("19700315", 1)
	a, err := k.Seal(id)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := k.Seal(id)
	if a == b || strings.Contains(a, id) {
		t.Errorf("two seals of one value: %q %q", a, b)
	}
	if got, err := k.Open(a); err != nil || got != id {
		t.Errorf("open: %q %v", got, err)
	}
	raw, _ := base64.StdEncoding.DecodeString(a)
	raw[len(raw)/2] ^= 1
	if _, err := k.Open(base64.StdEncoding.EncodeToString(raw)); errs.KindOf(err) != errs.Internal || errs.CodeOf(err) != "decrypt_failed" {
		t.Errorf("tampered: %v", err)
	}
	for _, bad := range []string{"!!", "AAAA", a[:10]} {
		if _, err := k.Open(bad); errs.CodeOf(err) != "decrypt_failed" {
			t.Errorf("open(%q): %v", bad, err)
		}
	}
	if _, err := k2.Open(a); errs.CodeOf(err) != "decrypt_failed" {
		t.Errorf("another key opens: %v", err)
	}
	if s, _ := k.Seal(""); s != "" {
		t.Errorf("seal empty: %q", s)
	}
	if s, err := k.Open(""); s != "" || err != nil {
		t.Errorf("open empty: %q %v", s, err)
	}
	if k.Hash(id) != k.Hash(id) || k.Hash(id) == k2.Hash(id) || len(k.Hash(id)) != 64 || k.Hash("") != "" {
		t.Error("hash is not a keyed, stable HMAC")
	}
	if _, err := registry.NewKeys(make([]byte, 16)); errs.CodeOf(err) != "invalid_key" {
		t.Errorf("short master: %v", err)
	}
}

// TestLoadKeys: a key file is made once (0600) and read back; the
// environment wins; a malformed key names its source.
func TestLoadKeys(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys", "registry.key")
	noEnv := func(string) string { return "" }
	k1, created, err := registry.LoadKeys(path, noEnv)
	if err != nil || !created {
		t.Fatalf("first load: %v %v", created, err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	k2, created, err := registry.LoadKeys(path, noEnv)
	if err != nil || created {
		t.Fatalf("second load: %v %v", created, err)
	}
	sealed, _ := k1.Seal("secret")
	if got, err := k2.Open(sealed); err != nil || got != "secret" {
		t.Errorf("the key changed between loads: %q %v", got, err)
	}
	env := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32))
	k3, created, err := registry.LoadKeys(path, func(k string) string {
		if k == registry.KeyEnv {
			return env
		}
		return ""
	})
	if err != nil || created {
		t.Fatalf("env load: %v %v", created, err)
	}
	if _, err := k3.Open(sealed); err == nil {
		t.Error("the environment's key did not win over the file")
	}
	if k3.Hash("x") != testKeys(t, 9).Hash("x") {
		t.Error("the environment's key is not the one used")
	}
	_, _, err = registry.LoadKeys(path, func(string) string { return "not base64!" })
	if errs.CodeOf(err) != "invalid_key" || !strings.Contains(err.Error(), registry.KeyEnv) {
		t.Errorf("malformed env: %v", err)
	}
	short := filepath.Join(dir, "short.key")
	os.WriteFile(short, []byte(base64.StdEncoding.EncodeToString([]byte("sixteen bytes..."))+"\n"), 0o600)
	_, _, err = registry.LoadKeys(short, noEnv)
	if errs.CodeOf(err) != "invalid_key" || !strings.Contains(err.Error(), short) {
		t.Errorf("malformed file: %v", err)
	}
}

// FuzzImport: no file makes the import panic, and a refused file writes
// nothing.
func FuzzImport(f *testing.F) {
	f.Add("household,village,head,name,resident_id,relation\nF1,990101001001,张三,张三," + rid("19680101", 1) + ",户主\n")
	f.Add("户编号,村代码,户主,姓名,身份证号,与户主关系,是否健在,开户人,开户行,银行卡号\nF1,990101001001,张三,张三,1,户主,否,张三,银行,12\n")
	f.Add("household,village,head,name,resident_id,relation\n\"unterminated")
	f.Add("PK\x03\x04")
	db := storetest.MustOpen(f, store.SQLite)
	s := setup(f, db)
	f.Fuzz(func(t *testing.T, body string) {
		_, before, _ := s.Households(ctx, county, "", 1, 0)
		n, err := s.Import(ctx, cadre, strings.NewReader(body))
		_, after, _ := s.Households(ctx, county, "", 1, 0)
		if err != nil && after != before {
			t.Errorf("a refused import changed the households: %d → %d", before, after)
		}
		if err == nil && n == 0 {
			t.Error("an accepted import of nothing")
		}
		if err != nil && errs.KindOf(err) == errs.Internal {
			t.Errorf("internal error: %v", err)
		}
	})
}

// TestScrubClearColumns: members written while the mask and the birth date
// were stored in clear lose both at start, and still read back right.
func TestScrubClearColumns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		in := family("990101001001-009", 900)
		if _, _, err := s.Save(ctx, cadre, in); err != nil {
			t.Fatal(err)
		}
		id := in.Members[0].ResidentID
		if err := db.Write(ctx, time.Now(), func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE reg_members SET id_mask = ?, birth = ? WHERE county = ? AND household = ? AND seq = 1`,
				id[:6]+"********"+id[14:], id[6:10]+"-"+id[10:12]+"-"+id[12:14], county, in.Code)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if n, err := s.ScrubClearColumns(ctx); err != nil || n != 1 {
			t.Fatalf("scrub: %d %v", n, err)
		}
		if n, err := s.ScrubClearColumns(ctx); err != nil || n != 0 {
			t.Fatalf("scrub again: %d %v", n, err)
		}
		if text := dump(t, db, "reg_members"); strings.Contains(text, id[6:14]) || strings.Contains(text, id[10:12]+"-"+id[12:14]) || strings.Contains(text, "********") {
			t.Errorf("reg_members after the scrub: %s", text)
		}
		h, err := s.Household(ctx, county, in.Code)
		if err != nil || h.Members[0].IDMasked != ident.MaskResidentID(id) || h.Members[0].BirthYear != 1970 {
			t.Errorf("read after scrub: %+v %v", h.Members, err)
		}
	})
}
