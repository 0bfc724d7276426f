package registry_test

import (
	"fmt"
	"strings"
	"testing"

	"onepool/internal/place"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// batchBefore is the registry an import meets in TestImportBatchEqualsOneByOne:
// households on record, an overridden duplicate-ID lead of two and one of
// three, a shared-card lead resolved to one household, a year record.
func batchBefore(t *testing.T, s *registry.Service) {
	t.Helper()
	m := func(name string, n int) registry.Member {
		return registry.Member{Name: name, ResidentID: rid("19700101", n), Relation: "户主", Alive: true}
	}
	hh := func(code, vil string, cardNo int, ms ...registry.Member) registry.Household {
		h := registry.Household{Code: code, Village: place.Code("990101" + vil), Head: ms[0].Name, Members: ms}
		if cardNo > 0 {
			h.Card = registry.Card{Holder: ms[0].Name, Bank: "农商银行", Number: card(cardNo)}
		}
		return h
	}
	for _, h := range []registry.Household{
		hh("HE1", "001001", 1, m("甲一", 1), m("甲二", 2)),
		hh("HE2", "001001", 2, m("乙一", 11), m("乙二", 50)),
		hh("HE3", "001002", 3, m("丙一", 13), m("丙二", 50)),
		hh("HE4", "001001", 4, m("丁一", 21)),
		hh("HE5", "001002", 4, m("戊一", 22)),
		hh("HE6", "001001", 0, m("己一", 60)),
		hh("HE7", "001002", 0, m("庚一", 60)),
		hh("HE8", "002001", 0, m("辛一", 60), m("辛二", 61)),
	} {
		if _, _, err := s.Save(ctx, rural, h); err != nil {
			t.Fatalf("save %s: %v", h.Code, err)
		}
	}
	// HE5 takes another card: the shared-card lead is resolved to HE4.
	if _, _, err := s.Save(ctx, rural, hh("HE5", "001002", 5, m("戊一", 22))); err != nil {
		t.Fatal(err)
	}
	ls, err := s.Leads(ctx, county, "", false)
	if err != nil || len(ls) != 3 {
		t.Fatalf("leads before: %+v %v", ls, err)
	}
	for _, l := range ls {
		if l.Kind == registry.LeadDuplicateID {
			if _, err := s.Override(ctx, rural, county, l.ID, "两人同名不同人，已核实"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := s.SetYear(ctx, rural, registry.Year{Household: "HE1", Year: 2025, Status: registry.Exited, Income: yuan("12000"), Causes: []string{"illness"}}); err != nil {
		t.Fatal(err)
	}
}

// batchFile is the file imported: households on record changed (IDs
// dropped and added, villages moved, a member died), new households
// sharing IDs and cards with them and with each other, within one chunk
// and across chunks.
func batchFile() string {
	var b strings.Builder
	b.WriteString("户编号,村代码,户主,姓名,身份证号,与户主关系,是否健在,开户人,开户行,银行卡号\n")
	row := func(code, vil, head, name string, id int, rel, alive string, cardNo int) {
		holder, bank, c := "", "", ""
		if cardNo > 0 {
			holder, bank, c = head, "农商银行", card(cardNo)
		}
		fmt.Fprintf(&b, "%s,990101%s,%s,%s,%s,%s,%s,%s,%s,%s\n", code, vil, head, name, rid("19700101", id), rel, alive, holder, bank, c)
	}
	row("HE1", "002001", "甲一", "甲一", 1, "户主", "是", 1) // moves township, drops 2, takes 3; a member died
	row("HE1", "002001", "甲一", "甲三", 3, "子女", "是", 0)
	row("HE1", "002001", "甲一", "甲四", 4, "父母", "否", 0)
	row("HN1", "001001", "壬一", "壬一", 2, "户主", "是", 6)  // HE1's dropped ID: no lead
	row("HN2", "002001", "癸一", "癸一", 3, "户主", "是", 7)  // HE1's new ID: a lead
	row("HE3", "001002", "丙一", "丙一", 13, "户主", "是", 3) // drops 50: the overridden lead falls to HE2, resolved
	row("HN3", "001002", "子一", "子一", 50, "户主", "是", 0) // takes 50: the resolved lead reopens
	row("HN4", "001001", "丑一", "丑一", 70, "户主", "是", 8)
	row("HN5", "002001", "寅一", "寅一", 71, "户主", "是", 8) // HN4's card, the next chunk
	row("HE4", "001002", "丁一", "丁一", 21, "户主", "是", 4) // moves village: its resolved lead's scope
	row("HN6", "001001", "卯一", "卯一", 80, "户主", "是", 4) // HE4's card: the resolved lead reopens
	row("HN7", "001002", "辰一", "辰一", 81, "户主", "是", 8) // a third on HN4's card
	row("HN8", "001001", "巳一", "巳一", 3, "户主", "是", 0)  // a third on HE1's new ID
	row("HN9", "001001", "午一", "午一", 70, "户主", "是", 0) // HN4's ID and HN5's: two leads at once
	row("HN9", "001001", "午一", "未一", 71, "配偶", "是", 0)
	row("HE8", "002001", "辛一", "辛一", 61, "户主", "是", 0) // drops 60: the overridden lead of three keeps two, overridden
	row("HE2", "001002", "乙一", "乙一", 11, "户主", "是", 2) // moves village, keeps 50, takes 90
	row("HE2", "001002", "乙一", "乙二", 50, "配偶", "是", 0)
	row("HE2", "001002", "乙一", "乙三", 90, "子女", "是", 0)
	row("HN10", "001002", "申一", "申一", 90, "户主", "是", 2) // HE2's new ID and its card
	return b.String()
}

// TestImportBatchEqualsOneByOne: the import's batch path (chunks of
// households, multi-row statements, leads kept in memory) writes exactly
// the rows, leads and audit entries the one-row path writes household
// after household, with chunks of 3 households (so that IDs and cards are
// shared within a chunk and across chunks) and of the default size.
func TestImportBatchEqualsOneByOne(t *testing.T) {
	queries := []string{
		`SELECT * FROM reg_households ORDER BY county, code`,
		`SELECT * FROM reg_members ORDER BY county, household, seq`,
		`SELECT * FROM reg_years ORDER BY county, year, household`,
		`SELECT * FROM reg_leads ORDER BY county, id`,
		`SELECT * FROM reg_lead_households ORDER BY county, household, lead`,
		`SELECT * FROM audit_log ORDER BY county, id`,
	}
	file := batchFile()
	for _, d := range storetest.Dialects() {
		t.Run(d.String(), func(t *testing.T) {
			run := func(how string) []string {
				db := storetest.MustOpen(t, d)
				s := setup(t, db)
				batchBefore(t, s)
				var n int
				var err error
				switch how {
				case "one by one":
					n, err = s.ImportOneByOne(ctx, rural, strings.NewReader(file))
				case "chunks of 3":
					restore := registry.SetImportChunk(3)
					n, err = s.Import(ctx, rural, strings.NewReader(file))
					restore()
				default:
					n, err = s.Import(ctx, rural, strings.NewReader(file))
				}
				if err != nil || n != 15 {
					t.Fatalf("%s: %d households, %v", how, n, err)
				}
				var out []string
				for _, q := range queries {
					out = append(out, dumpOpened(t, db, s, q))
				}
				return out
			}
			want := run("one by one")
			// The scenario does what it says (else the comparison proves little).
			for _, w := range []string{
				"|duplicate_id|", "|HE2,HN3|open|", // reopened after resolved
				"|HE6,HE7|overridden|两人同名不同人，已核实|", // three to two: stays overridden
				"|HE4,HN6|open|",     // resolved card lead reopened
				"|HN4,HN5,HN7|open|", // a card across chunks
				"|HE1,HN2,HN8|open|", // an ID across chunks
				"|HE2,HN10|open|",    // the card and the ID of a household on record
				"|990101001002|",     // a lead's scope: one village
				"registry.import",    // the import's audit entry
			} {
				if !strings.Contains(want[3]+want[5], w) {
					t.Errorf("the one-by-one import has no %q in\n%s", w, want[3])
				}
			}
			for _, how := range []string{"chunks of 3", "default chunks"} {
				got := run(how)
				for i, q := range queries {
					if got[i] != want[i] {
						t.Errorf("%s: %s differs\nbatch:\n%s\none by one:\n%s", how, q, got[i], want[i])
					}
				}
			}
		})
	}
}

// dumpOpened is dump with every sealed column (…_enc) opened: sealed
// values differ between two databases by their random nonces.
func dumpOpened(t *testing.T, db *store.DB, s *registry.Service, q string) string {
	t.Helper()
	rows, err := db.QueryContext(ctx, q)
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
		for i, v := range vals {
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			if str, ok := v.(string); ok && strings.HasSuffix(cols[i], "_enc") && str != "" {
				if v, err = s.Open(str); err != nil {
					t.Fatalf("%s: %v", cols[i], err)
				}
			}
			fmt.Fprint(&b, v, "|")
		}
		b.WriteString("\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
