package registry

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/ident"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
	"onepool/internal/tabular"
)

type column = tabular.Column

// table is the shared import table, with the registry's own cell readers.
type table struct{ *tabular.Table }

func newTable(r io.Reader, cols []column) (*table, error) {
	t, err := tabular.NewTable(r, cols)
	if err != nil {
		return nil, err
	}
	return &table{t}, nil
}

// text is a required or optional name-like cell, checked like Save does.
func (t *table) text(key string, required bool) string {
	v := t.Cell(key)
	if err := checkText(&v, required, "", key, "the cell"); err != nil {
		if v == "" {
			t.Fail(key, "is empty")
		} else if e, ok := errs.As(err); ok {
			t.Fail(key, e.Format, e.Args...) // checkText's own literal format and arguments
		}
	}
	return v
}

// yesNo reads a 是/否 cell; empty is def.
func (t *table) yesNo(key string, def bool) bool {
	switch v := strings.ToLower(t.Cell(key)); v {
	case "":
		return def
	case "是", "yes", "y", "1", "true", "√":
		return true
	case "否", "no", "n", "0", "false", "×":
		return false
	default:
		t.Fail(key, "%q must be 是 or 否 (yes/no)", v)
		return def
	}
}

var memberField = regexp.MustCompile(`^members\[(\d+)\]\.(\w+)$`)

// importHousehold is a household gathered from the rows of a file.
type importHousehold struct {
	h          Household
	first      int   // its first row
	memberRows []int // the row of each member
	cardRow    int   // the row its card came from; -1 none
}

// rowError turns an error of check or prepare about one household into a
// row error on the row and column it names.
func (x *importHousehold) rowError(err error) error {
	e, ok := errs.As(err)
	if !ok || e.Kind == errs.Internal {
		return err
	}
	row, col := x.first, e.Field
	if m := memberField.FindStringSubmatch(e.Field); m != nil {
		if i, _ := strconv.Atoi(m[1]); i < len(x.memberRows) {
			row = x.memberRows[i]
		}
		col = m[2]
	}
	switch e.Field {
	case "code":
		col = "household"
	case "card.number", "card.holder", "card.bank":
		if x.cardRow >= 0 {
			row = x.cardRow
		}
		col = map[string]string{"card.number": "card", "card.holder": "card_holder", "card.bank": "bank"}[e.Field]
	}
	return tabular.Invalid([]tabular.RowError{{Row: row, Column: col, Why: e.Message, Format: e.Format, Args: e.Args}})
}

// Import reads households from a CSV or xlsx file (tabular.NewTable), one
// row per member, with the columns household/户编号, village/村代码,
// head/户主, name/姓名, resident_id/身份证号, relation/与户主关系, and
// optionally alive/是否健在 (是/否, default 是), card_holder/开户人,
// bank/开户行 and card/银行卡号 (the card is read from whichever row of
// the household gives it; a household without a card in the file keeps
// the card on record). A row with household, village and head all empty
// continues the household above it (cells merged across a household's
// members, as county spreadsheets often have them). Every row is checked first and every bad cell
// reported; when any is bad nothing is written. Otherwise each household
// in the file replaces the record of that code, all in one transaction
// with one audit entry, raising leads as Save does. It returns how many
// households were imported. Errors: Forbidden, Invalid (a *tabular.ImportError
// in the chain lists the rows).
func (s *Service) Import(ctx context.Context, p auth.Principal, r io.Reader) (int, error) {
	return s.ImportWith(ctx, p, r, ImportOptions{})
}

// Import steps, as ImportOptions.Progress names them.
const (
	StepCheck = "check" // reading and checking the file's rows
	StepWrite = "write" // writing the households
)

// ImportOptions are Import's optional settings.
type ImportOptions struct {
	// Progress, when set, is called from the import's loops and at the
	// end of each step: while the file is checked, every progressEvery
	// rows, done is the rows read and total the caller's Rows (0 when not
	// given); while households are written, after each chunk of
	// importChunk households, done is the member rows written and total
	// all member rows. It must be cheap (store
	// numbers; write elsewhere): it runs on the import's goroutine.
	Progress func(step string, done, total int)
	// Rows is an estimate of the file's rows, reported as the check
	// step's total.
	Rows int
}

// progressEvery is how many rows pass between two Progress calls.
const progressEvery = 256

// ImportWith is Import with options (progress).
func (s *Service) ImportWith(ctx context.Context, p auth.Principal, r io.Reader, opt ImportOptions) (int, error) {
	return s.importWith(ctx, p, r, opt, s.writeImport)
}

// importWriter writes the checked households of an import in tx, in the
// file's order, and returns the ids of the leads they raised or touched
// (as writeTx returns them, household after household).
type importWriter func(ctx context.Context, tx *store.Tx, actor, county string, order []*importHousehold, progress func(step string, done, total int), members int) ([]int64, error)

func (s *Service) importWith(ctx context.Context, p auth.Principal, r io.Reader, opt ImportOptions, write importWriter) (int, error) {
	progress := opt.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	if err := mayWrite(p); err != nil {
		return 0, err
	}
	t, err := newTable(r, []column{{Key: "household", Names: []string{"household", "户编号"}, Required: true}, {Key: "village", Names: []string{"village", "村代码"}, Required: true},
		{Key: "head", Names: []string{"head", "户主"}, Required: true}, {Key: "name", Names: []string{"name", "姓名"}, Required: true}, {Key: "resident_id", Names: []string{"resident_id", "身份证号", "身份证号码"}, Required: true},
		{Key: "relation", Names: []string{"relation", "与户主关系"}, Required: true}, {Key: "alive", Names: []string{"alive", "是否健在"}, Required: false},
		{Key: "card_holder", Names: []string{"card_holder", "开户人"}, Required: false}, {Key: "bank", Names: []string{"bank", "开户行"}, Required: false}, {Key: "card", Names: []string{"card", "银行卡号"}, Required: false}})
	if err != nil {
		return 0, err
	}
	defer t.Close()
	county := p.County
	var order []*importHousehold
	byCode := map[string]*importHousehold{}
	cardless := map[*importHousehold]int{} // households with a holder or bank but no number: the row
	var prev *importHousehold              // the household of the row above
	read := 0
	for t.Next() {
		if read++; read%progressEvery == 0 {
			progress(StepCheck, read, max(opt.Rows, read))
		}
		if t.Empty() {
			prev = nil
			continue
		}
		// A row without household, village and head continues the
		// household above (cells merged across its members).
		cont := prev != nil && t.Cell("household") == "" && t.Cell("village") == "" && t.Cell("head") == ""
		var code, head string
		var vil place.Code
		if !cont {
			code = t.Required("household")
			if code != "" && !codeRE.MatchString(code) {
				t.Fail("household", "%q is not a household code (1–32 letters, digits, '-' or '_')", code)
				code = ""
			}
			vil = place.Code(t.Required("village"))
			if vil != "" {
				if checkVillage(county, vil) != nil {
					t.Fail("village", "%q is not a village of county %s", vil, county)
					vil = ""
				} else if !p.Sees(vil) {
					t.Fail("village", "village %s is outside your area", vil)
					vil = ""
				}
			}
			head = t.text("head", true)
		}
		m := Member{Name: t.text("name", true), Relation: t.text("relation", true), Alive: t.yesNo("alive", true)}
		if id := ident.NormalizeResidentID(t.Required("resident_id")); id != "" {
			if err := ident.ValidateResidentID(id); err != nil {
				t.Fail("resident_id", "the resident ID is not valid: %s", identReason(err))
			} else {
				m.ResidentID = id
			}
		}
		card := Card{Holder: t.text("card_holder", false), Bank: t.text("bank", false), Number: ident.NormalizeBankCard(t.Cell("card"))}
		if card.Number != "" {
			if _, err := ident.ValidateBankCard(card.Number); err != nil {
				t.Fail("card", "the card number is not valid: %s", identReason(err))
			}
			if card.Holder == "" {
				t.Fail("card_holder", "is empty: name the account holder of the card")
			}
			if card.Bank == "" {
				t.Fail("bank", "is empty: name the bank of the card")
			}
		}
		x := prev
		if !cont {
			if code == "" {
				prev = nil
				continue
			}
			if x = byCode[code]; x == nil {
				x = &importHousehold{h: Household{County: county, Code: code, Village: vil, Head: head}, first: t.Row(), cardRow: -1}
				byCode[code] = x
				order = append(order, x)
			} else {
				if vil != "" && x.h.Village != "" && vil != x.h.Village {
					t.Fail("village", "household %s is in village %s on row %d", code, x.h.Village, x.first)
				}
				if head != "" && x.h.Head != "" && head != x.h.Head {
					t.Fail("head", "household %s has head %s on row %d", code, x.h.Head, x.first)
				}
				if x.h.Village == "" {
					x.h.Village = vil
				}
				if x.h.Head == "" {
					x.h.Head = head
				}
			}
		}
		prev, code = x, x.h.Code
		if m.ResidentID != "" && len(x.h.Members) <= maxMembers { // beyond, the household is refused below
			for j, other := range x.h.Members { // a few members: no map per household
				if other.ResidentID == m.ResidentID {
					t.Fail("resident_id", "the same resident ID as row %d of household %s", x.memberRows[j], code)
				}
			}
		}
		x.h.Members = append(x.h.Members, m)
		x.memberRows = append(x.memberRows, t.Row())
		switch {
		case card.Number != "" && x.cardRow < 0:
			x.h.Card, x.cardRow = card, t.Row()
		case card.Number != "" && card != x.h.Card:
			t.Fail("card", "household %s has another card on row %d", code, x.cardRow)
		case card.Number == "" && (card.Holder != "" || card.Bank != ""):
			if _, ok := cardless[x]; !ok {
				cardless[x] = t.Row()
			}
		}
	}
	if err := t.Err(); err != nil {
		return 0, err
	}
	progress(StepCheck, read, read)
	// The codes that may be looked up, looked up in a few statements
	// (one per thousand codes, not one per household).
	codeErrs := make([]error, len(order))
	var ask []string
	for i, x := range order {
		if codeErrs[i] = auth.CheckNewCode(p, x.h.Code, x.h.Village); codeErrs[i] == nil {
			ask = append(ask, x.h.Code)
		}
	}
	heads, err := householdHeads(ctx, s.db, county, ask)
	if err != nil {
		return 0, err
	}
	members := 0
	for i, x := range order {
		members += len(x.h.Members)
		if len(x.h.Members) > maxMembers {
			t.FailAt(x.first, "household", "household %s has more than %d members", x.h.Code, maxMembers)
		}
		// Codes below the county begin with the area's division code, so
		// that "already used" can only name a household the importer sees
		// (the same rule as the household form: auth.CheckNewCode).
		outside := func() {
			t.FailAt(x.first, "household", "a code you create begins with %s, the division code of your area", p.Prefix())
		}
		codeErr := codeErrs[i]
		if codeErr != nil {
			if e, ok := errs.As(codeErr); ok && e.Format != "" {
				t.FailAt(x.first, "household", e.Format, e.Args...) // CheckNewCode's literal format and arguments
			} else {
				outside()
			}
		}
		// A code outside the rule is not looked up (ask): its answer would tell.
		if st, ok := heads[x.h.Code]; ok && codeErr == nil {
			if !p.Sees(place.Code(st.village)) {
				// Only a county-made code can lie outside: answered as the
				// rule above, naming nothing of the household.
				outside()
				continue
			}
			if x.cardRow < 0 && st.mask != "" {
				x.h.Card = Card{Holder: st.holder, Bank: st.bank, Masked: st.mask}
			}
		}
		if row, ok := cardless[x]; ok && x.cardRow < 0 && x.h.Card.Masked == "" {
			t.FailAt(row, "card", "is empty while a holder or bank is given")
		}
		if c := x.h.Card; c.Holder != "" && (c.Number != "" || c.Masked != "") {
			ok := false
			for _, m := range x.h.Members {
				ok = ok || m.Name == c.Holder
			}
			if !ok {
				row := x.cardRow
				if row < 0 {
					row = x.first
				}
				t.FailAt(row, "card_holder", "%s is not a member of household %s", c.Holder, x.h.Code)
			}
		}
	}
	if t.Failed() {
		return 0, t.Invalid()
	}
	if len(order) == 0 {
		return 0, errs.F(errs.Invalid, "empty_import", "file", "the file has no rows")
	}
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		// The import fills reg_households and reg_members inside this one
		// transaction: a plan cached while they were small (a scan) would
		// be kept as they grow. Each look-up is planned afresh.
		if err := tx.FreshPlans(ctx); err != nil {
			return errs.Wrap(err, "registry: import plans")
		}
		leadIDs, err := write(ctx, tx, p.Username, county, order, progress, members)
		if err != nil {
			return err
		}
		var codes []string
		for _, x := range order[:min(len(order), 1000)] {
			codes = append(codes, x.h.Code)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{County: county, Actor: p.Username, Action: "registry.import", Object: fmt.Sprintf("%d households", len(order)), Place: string(p.Place),
			After: map[string]any{"households": len(order), "codes": codes, "leads": uniqIDs(leadIDs)}})
		return err
	})
	if err != nil {
		return 0, err
	}
	progress(StepWrite, members, members)
	return len(order), nil
}

func uniqIDs(ids []int64) []int64 {
	seen := map[int64]bool{}
	out := []int64{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// statusNames maps the Chinese names a county's files use to statuses.
var statusNames = map[string]string{
	"贫困户": Poor, "未脱贫户": Poor, "未脱贫": Poor,
	"脱贫户": Exited, "已脱贫": Exited, "已脱贫户": Exited,
	"监测户": Monitored, "监测对象": Monitored, "防返贫监测户": Monitored, "防止返贫监测对象": Monitored,
	"边缘户": Edge, "边缘易致贫户": Edge,
	"一般农户": NonPoorAgri, "非贫困农业户": NonPoorAgri,
	"非贫困户": NonPoor,
}

// causeNames maps the Chinese names of causes.
var causeNames = map[string]string{
	"因病": "illness", "病": "illness", "因残": "disability", "残": "disability", "因灾": "disaster", "灾": "disaster",
	"因意外": "accident", "意外": "accident", "因学": "schooling", "学": "schooling",
	"缺劳力": "labour", "缺劳动力": "labour", "其他": "other",
}

// ImportYears reads year records from a CSV or xlsx file with the columns
// household/户编号, year/年度, status/状态 (a status or its Chinese name:
// 脱贫户, 监测户, …), causes/致贫原因 (comma or 、 separated, English or
// Chinese: 因病, 因残, …), income/家庭纯收入/收入 and expenses/支出 (yuan,
// at most two decimals, not negative; expenses default 0) and
// stable/稳定脱贫 (是/否). Every row is checked first, the households must
// exist in p's area, and when any cell is bad nothing is written;
// otherwise all records are written in one transaction with one audit
// entry (causes counted, not named). It returns how many records were
// imported. Errors: as Import.
func (s *Service) ImportYears(ctx context.Context, p auth.Principal, r io.Reader) (int, error) {
	if err := mayWrite(p); err != nil {
		return 0, err
	}
	t, err := newTable(r, []column{{Key: "household", Names: []string{"household", "户编号"}, Required: true}, {Key: "year", Names: []string{"year", "年度"}, Required: true},
		{Key: "status", Names: []string{"status", "状态"}, Required: true}, {Key: "causes", Names: []string{"causes", "致贫原因"}, Required: false},
		{Key: "income", Names: []string{"income", "家庭纯收入", "收入"}, Required: true}, {Key: "expenses", Names: []string{"expenses", "支出"}, Required: false}, {Key: "stable", Names: []string{"stable", "稳定脱贫"}, Required: false}})
	if err != nil {
		return 0, err
	}
	defer t.Close()
	amount := func(key string, required bool) money.Fen {
		v := t.Cell(key)
		if v == "" {
			if required {
				t.Fail(key, "is empty")
			}
			return 0
		}
		f, err := money.ParseWritten(v)
		if err != nil {
			t.Fail(key, "%q is not an amount in yuan with at most two decimals (write it as %s)", v, money.WrittenForms)
		} else if f < 0 {
			t.Fail(key, "%q must not be negative", v)
		}
		return f
	}
	type key struct {
		code string
		year int
	}
	seen := map[key]int{}
	firstRow := map[string]int{}
	var codes []string
	var ys []Year
	for t.Next() {
		if t.Empty() {
			continue
		}
		y := Year{Household: t.Required("household")}
		if y.Household != "" && !codeRE.MatchString(y.Household) {
			t.Fail("household", "%q is not a household code", y.Household)
		}
		if v := t.Required("year"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 2000 || n > 2100 {
				t.Fail("year", "%q is not a year", v)
			}
			y.Year = n
		}
		if v := t.Required("status"); v != "" {
			if st, ok := statusNames[v]; ok {
				y.Status = st
			} else if slices.Contains(Statuses, strings.ToLower(v)) {
				y.Status = strings.ToLower(v)
			} else {
				t.Fail("status", "%q is not a status (%s)", v, strings.Join(Statuses, ", "))
			}
		}
		for _, c := range strings.FieldsFunc(t.Cell("causes"), func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' }) {
			c = strings.TrimSpace(c)
			if v, ok := causeNames[c]; ok {
				y.Causes = append(y.Causes, v)
			} else if slices.Contains(Causes, strings.ToLower(c)) {
				y.Causes = append(y.Causes, strings.ToLower(c))
			} else if c != "" {
				t.Fail("causes", "%q is not a cause (%s)", c, strings.Join(Causes, ", "))
			}
		}
		y.Income, y.Expenses = amount("income", true), amount("expenses", false)
		y.Stable = t.yesNo("stable", false)
		if y.Stable && y.Status != "" && y.Status != Exited {
			t.Fail("stable", "only an exited household (脱贫户) is stably out of poverty")
		}
		if y.Household != "" && y.Year != 0 {
			k := key{y.Household, y.Year}
			if j, dup := seen[k]; dup {
				t.Fail("household", "household %s, year %d is on row %d too", y.Household, y.Year, j)
			}
			seen[k] = t.Row()
		}
		if _, ok := firstRow[y.Household]; !ok && y.Household != "" {
			firstRow[y.Household] = t.Row()
			codes = append(codes, y.Household)
		}
		ys = append(ys, y)
	}
	if err := t.Err(); err != nil {
		return 0, err
	}
	for _, c := range codes {
		vil, err := householdPlace(ctx, s.db, p.County, c)
		if err == nil && !p.Sees(vil) || errs.Is(err, "unknown_household") {
			t.FailAt(firstRow[c], "household", "no household %s in your area", c)
		} else if err != nil {
			return 0, err
		}
	}
	if t.Failed() {
		return 0, t.Invalid()
	}
	if len(ys) == 0 {
		return 0, errs.F(errs.Invalid, "empty_import", "file", "the file has no rows")
	}
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		for _, y := range ys {
			if err := checkYear(&y); err != nil {
				return err
			}
			if err := s.setYearTx(ctx, tx, p.Username, p.County, y); err != nil {
				return err
			}
		}
		_, err := audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "registry.import_years", Object: fmt.Sprintf("%d year records", len(ys)), Place: string(p.Place),
			After: map[string]any{"records": len(ys), "households": len(codes)}})
		return err
	})
	if err != nil {
		return 0, err
	}
	return len(ys), nil
}

// ExportHeader is the header row of ExportRows.
var ExportHeader = []string{"户编号", "村代码", "户主", "姓名", "身份证号", "与户主关系", "出生年份", "是否健在", "开户人", "开户行", "银行卡号"}

// ExportRows returns the households of villages under prefix as rows for a
// spreadsheet, header first, one row per member by village, code and
// member: names as given, IDs and the card masked (the card on the
// household's first row), the birth year (never the date), no causes.
func (s *Service) ExportRows(ctx context.Context, county, prefix string) ([][]string, error) {
	lo, hi := place.Range(prefix)
	rows, err := s.db.QueryContext(ctx, `SELECT h.code, h.village, h.head, m.seq, m.name, m.id_enc, m.relation, m.alive, h.card_holder, h.card_bank, h.card_mask
		FROM reg_households h JOIN reg_members m ON m.county = h.county AND m.household = h.code
		WHERE h.county = ? AND h.village BETWEEN ? AND ? ORDER BY h.village, h.code, m.seq`, county, lo, hi)
	if err != nil {
		return nil, errs.Wrap(err, "registry: export")
	}
	defer rows.Close()
	out := [][]string{append([]string(nil), ExportHeader...)}
	last := ""
	for rows.Next() {
		var code, vil, head, name, enc, rel, holder, bank, card string
		var seq, alive int
		if err := rows.Scan(&code, &vil, &head, &seq, &name, &enc, &rel, &alive, &holder, &bank, &card); err != nil {
			return nil, errs.Wrap(err, "registry: export")
		}
		mask, year, err := s.shownSealed(enc)
		if err != nil {
			return nil, err
		}
		birth := ""
		if year != 0 {
			birth = strconv.Itoa(year)
		}
		a := "是"
		if alive == 0 {
			a = "否"
		}
		if code == last {
			holder, bank, card = "", "", ""
		}
		last = code
		out = append(out, []string{code, vil, head, name, mask, rel, birth, a, holder, bank, card})
	}
	return out, rows.Err()
}

// ExportEach streams the households matching f (Limit, Offset and
// CountCap are ignored) as ExportRows does — one row per member, in the
// list's order, IDs and the card masked, the card on the household's
// first row — calling fn with each row and the households begun so far.
// It holds one query open and no more than a row in memory.
func (s *Service) ExportEach(ctx context.Context, county string, f HouseholdFilter, fn func(households int, row []string) error) error {
	from, _, where, order, args := householdsFrom(county, f)
	rows, err := s.db.QueryContext(ctx, `SELECT h.code, h.village, h.head, m.seq, m.name, m.id_enc, m.relation, m.alive, h.card_holder, h.card_bank, h.card_mask
		FROM `+from+` JOIN reg_members m ON m.county = h.county AND m.household = h.code
		WHERE `+where+` ORDER BY `+order+`, m.seq`, args...)
	if err != nil {
		return errs.Wrap(err, "registry: export")
	}
	defer rows.Close()
	last, n := "", 0
	for rows.Next() {
		var code, vil, head, name, enc, rel, holder, bank, card string
		var seq, alive int
		if err := rows.Scan(&code, &vil, &head, &seq, &name, &enc, &rel, &alive, &holder, &bank, &card); err != nil {
			return errs.Wrap(err, "registry: export")
		}
		mask, year, err := s.shownSealed(enc)
		if err != nil {
			return err
		}
		birth := ""
		if year != 0 {
			birth = strconv.Itoa(year)
		}
		a := "是"
		if alive == 0 {
			a = "否"
		}
		if code == last {
			holder, bank, card = "", "", ""
		} else {
			n++
		}
		last = code
		if err := fn(n, []string{code, vil, head, name, mask, rel, birth, a, holder, bank, card}); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return errs.Wrap(err, "registry: export")
	}
	return nil
}
