package entities

import (
	"context"
	"io"
	"strings"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/place"
	"onepool/internal/store"
	"onepool/internal/tabular"
)

// ImportColumns are the columns Import reads (English key, Chinese header).
var ImportColumns = []tabular.Column{
	{Key: "uscc", Names: []string{"uscc", "统一社会信用代码"}, Required: true},
	{Key: "name", Names: []string{"name", "名称"}, Required: true},
	{Key: "kind", Names: []string{"kind", "类型"}, Required: true},
	{Key: "place", Names: []string{"place", "所在地代码"}, Required: true},
	{Key: "legal_rep", Names: []string{"legal_rep", "法定代表人"}, Required: true},
	{Key: "rep_id", Names: []string{"rep_id", "法定代表人身份证号"}},
	{Key: "bank_holder", Names: []string{"bank_holder", "开户名"}},
	{Key: "bank", Names: []string{"bank", "开户银行"}},
	{Key: "bank_account", Names: []string{"bank_account", "银行账号"}},
	{Key: "account", Names: []string{"account", "台账账户"}},
}

// kindOf reads a kind cell: the code or its Chinese name.
func kindOf(v string) (string, bool) {
	v = strings.TrimSpace(v)
	for _, k := range Kinds {
		if strings.EqualFold(v, k) || v == KindNames[k] {
			return k, true
		}
	}
	switch v { // the short names people write
	case "村集体", "集体经济组织":
		return Collective, true
	case "合作社", "专业合作社":
		return Cooperative, true
	case "园区":
		return Park, true
	}
	return "", false
}

// Import registers the entities of a CSV or xlsx file (ImportColumns),
// one per row, as Create does each. Every row is checked first — the
// file's own cells, then against the register and the ledger — and every
// bad cell of every row is reported at once; when any is bad nothing is
// written. Otherwise all are written in one transaction with one audit
// entry. A USCC already registered, or twice in the file, is a bad row.
// It returns how many were registered. Errors: Forbidden, Invalid (a
// *tabular.ImportError in the chain lists the rows).
func (s *Service) Import(ctx context.Context, p auth.Principal, r io.Reader) (int, error) {
	if err := mayWrite(p); err != nil {
		return 0, err
	}
	t, err := tabular.NewTable(r, ImportColumns)
	if err != nil {
		return 0, err
	}
	defer t.Close()
	type row struct {
		e   Entity
		row int
	}
	var rows []row
	seen := map[string]int{}
	for t.Next() {
		if t.Empty() {
			continue
		}
		e := Entity{County: p.County, USCC: t.Required("uscc"), Name: t.Required("name"), Place: place.Code(t.Required("place")), LegalRep: t.Required("legal_rep"),
			RepID: t.Cell("rep_id"), Bank: Bank{Holder: t.Cell("bank_holder"), Bank: t.Cell("bank"), Number: t.Cell("bank_account")}, Account: t.Cell("account")}
		if v := t.Required("kind"); v != "" {
			k, ok := kindOf(v)
			if !ok {
				t.Fail("kind", "%q is not a kind of entity (%s)", v, strings.Join(Kinds, ", "))
				continue
			}
			e.Kind = k
		}
		if e.USCC == "" || e.Name == "" || e.Kind == "" || e.Place == "" || e.LegalRep == "" {
			continue
		}
		if err := check(p, p.County, &e); err != nil {
			fail(t, t.Row(), err)
			continue
		}
		if first, dup := seen[e.USCC]; dup {
			t.Fail("uscc", "the same unified social credit code as row %d", first)
			continue
		}
		seen[e.USCC] = t.Row()
		rows = append(rows, row{e, t.Row()})
	}
	if err := t.Err(); err != nil {
		return 0, err
	}
	now := s.now()
	var n int
	err = s.db.Write(ctx, now, func(tx *store.Tx) error {
		type ready struct {
			st   stored
			open *ledger.NewAccount
		}
		var ok []ready
		accounts := map[string]int{}
		for _, r := range rows {
			st, open, replayed, err := s.prepare(ctx, tx, p, r.e)
			if replayed {
				err = errs.F(errs.Conflict, "entity_exists", "uscc", "the unified social credit code %s is already registered in the county", r.e.USCC)
			}
			if err != nil {
				if errs.KindOf(err) == errs.Internal {
					return err
				}
				fail(t, r.row, err)
				continue
			}
			if first, dup := accounts[st.Account]; dup {
				t.FailAt(r.row, "account", "the same ledger account as row %d", first)
				continue
			}
			accounts[st.Account] = r.row
			ok = append(ok, ready{st, open})
		}
		if t.Failed() {
			return t.Invalid()
		}
		var opens []ledger.NewAccount
		for _, r := range ok {
			if r.open != nil {
				opens = append(opens, *r.open)
			}
		}
		for i := 0; i < len(opens); i += ledger.MaxBatch {
			if _, _, err := s.l.OpenAccountsTx(ctx, tx, p.County, opens[i:min(i+ledger.MaxBatch, len(opens))]); err != nil {
				return err
			}
		}
		codes := make([]string, 0, len(ok))
		for _, r := range ok {
			if err := s.insert(ctx, tx, p, r.st, now); err != nil {
				return err
			}
			codes = append(codes, r.st.USCC)
		}
		n = len(ok)
		_, err := audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "entities.import", Object: "entities " + p.County, Place: string(p.Place),
			After: map[string]any{"imported": n, "uscc": codes, "accounts_opened": len(opens)}})
		return err
	})
	if err != nil {
		return 0, tabular.Wrap(err)
	}
	return n, nil
}

// fail turns an error of check or prepare into a row error on its column.
func fail(t *tabular.Table, row int, err error) {
	e, ok := errs.As(err)
	if !ok {
		t.FailAt(row, "", "the row could not be checked")
		return
	}
	col := e.Field
	if col == "" {
		col = "uscc"
	}
	if e.Format != "" {
		t.FailAt(row, col, e.Format, e.Args...)
		return
	}
	t.FailAt(row, col, "the row could not be checked")
}
