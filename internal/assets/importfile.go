package assets

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"slices"
	"strings"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
	"onepool/internal/tabular"
)

// ImportColumns are the columns Import reads (English key, Chinese header).
var ImportColumns = []tabular.Column{
	{Key: "code", Names: []string{"code", "资产编号"}, Required: true},
	{Key: "name", Names: []string{"name", "资产名称"}, Required: true},
	{Key: "type", Names: []string{"type", "资产类型"}, Required: true},
	{Key: "category", Names: []string{"category", "资产类别"}, Required: true},
	{Key: "village", Names: []string{"village", "所在村代码"}, Required: true},
	{Key: "location", Names: []string{"location", "坐落位置"}},
	{Key: "quantity", Names: []string{"quantity", "数量"}},
	{Key: "unit", Names: []string{"unit", "计量单位"}},
	{Key: "value", Names: []string{"value", "原值"}, Required: true},
	{Key: "built_on", Names: []string{"built_on", "建成日期"}},
	{Key: "legs", Names: []string{"legs", "资金渠道"}},
	{Key: "use_state", Names: []string{"use_state", "使用状态"}},
	{Key: "owner", Names: []string{"owner", "权属主体"}},
	{Key: "confirm_doc", Names: []string{"confirm_doc", "确权文件"}},
}

var typeNames = map[string]string{"经营性": Operating, "经营性资产": Operating, "公益性": PublicWelfare, "公益性资产": PublicWelfare, "到户类": Household, "到户类资产": Household}
var categoryNames = map[string]string{"道路": "road", "道路桥梁": "road", "饮水": "water", "饮水及管网": "water", "车间": "workshop", "厂房车间": "workshop", "扶贫车间": "workshop",
	"大棚": "greenhouse", "温室大棚": "greenhouse", "房屋": "building", "房屋建筑": "building", "设备": "equipment", "设施设备": "equipment", "牲畜": "livestock",
	"种植": "plantation", "种植林果": "plantation", "光伏": "pv", "光伏电站": "pv", "其他": "other"}
var useNames = map[string]string{"": InUse, "在用": InUse, "闲置": Idle, "出租": Leased, "入股": Invested, "idle": Idle, "leased": Leased, "invested": Invested, "in_use": InUse}

func codeOf(v string, names map[string]string, codes []string) (string, bool) {
	v = strings.TrimSpace(v)
	if slices.Contains(codes, v) {
		return v, true
	}
	c, ok := names[v]
	return c, ok
}

// parseLegs reads "渠道:金额；渠道:金额" (a channel's code or name; amounts
// in 元 or 万元, money.ParseWritten; ；;，, separate legs).
func parseLegs(s string, channels map[string]string) ([]Leg, error) {
	by := map[string]money.Fen{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '；' || r == '，' || r == ',' || r == '\n' }) {
		ch, amt, ok := strings.Cut(strings.ReplaceAll(part, "：", ":"), ":")
		if !ok {
			return nil, errs.F(errs.Invalid, "invalid_legs", "legs", "write each channel as 渠道:金额, not %q", part)
		}
		code, known := channels[strings.TrimSpace(ch)]
		if !known {
			return nil, errs.F(errs.Invalid, "invalid_legs", "legs", "no channel %q in the county", strings.TrimSpace(ch))
		}
		f, err := money.ParseWritten(amt)
		if err != nil || f <= 0 {
			return nil, errs.F(errs.Invalid, "invalid_legs", "legs", "%q is not an amount above zero", strings.TrimSpace(amt))
		}
		by[code] += f
	}
	return sortedLegs(by), nil
}

// Import registers assets that existed before onepool from a CSV or xlsx
// file (ImportColumns): no project; the original value's channel legs
// when known ("资金渠道": 渠道:金额；…, summing exactly to the value), and
// the 确权 in the same row when it names its document (the owner blank:
// the village's collective). Every row is checked and every bad cell of
// every row reported at once; when any is bad nothing is written.
// Otherwise all are written in one transaction with one audit entry. It
// returns how many were registered. Errors: Forbidden, Invalid (a
// *tabular.ImportError in the chain lists the rows).
func (s *Service) Import(ctx context.Context, p auth.Principal, r io.Reader) (int, error) {
	if err := mayWrite(p); err != nil {
		return 0, err
	}
	channels := map[string]string{}
	rows0, err := s.db.QueryContext(ctx, `SELECT code, name FROM ledger_channels WHERE county = ?`, p.County)
	if err != nil {
		return 0, errs.Wrap(err, "assets: channels")
	}
	for rows0.Next() {
		var c, n string
		if err := rows0.Scan(&c, &n); err != nil {
			rows0.Close()
			return 0, err
		}
		channels[c], channels[n] = c, c
	}
	rows0.Close()
	t, err := tabular.NewTable(r, ImportColumns)
	if err != nil {
		return 0, err
	}
	defer t.Close()
	type row struct {
		n       NewAsset
		legs    []Leg
		builtOn string
		use     string
		conf    *Confirmation
		row     int
	}
	var rows []row
	seen := map[string]int{}
	for t.Next() {
		if t.Empty() {
			continue
		}
		n := NewAsset{Code: t.Required("code"), Name: t.Required("name"), Place: place.Code(t.Required("village")), Location: t.Cell("location"), Unit: t.Cell("unit")}
		bad := false
		if v := t.Required("type"); v != "" {
			ty, ok := codeOf(v, typeNames, Types)
			if !ok {
				t.Fail("type", "%q is not a type of asset (经营性、公益性、到户类)", v)
				bad = true
			}
			n.Type = ty
		}
		if v := t.Required("category"); v != "" {
			c, ok := codeOf(v, categoryNames, Categories)
			if !ok {
				t.Fail("category", "%q is not a category of asset", v)
				bad = true
			}
			n.Category = c
		}
		if v := t.Cell("quantity"); v != "" {
			q, err := ParseQuantity(v)
			if err != nil {
				failRow(t, t.Row(), err)
				bad = true
			}
			n.Quantity = q
		}
		if v := t.Required("value"); v != "" {
			f, err := money.ParseWritten(v)
			if err != nil {
				t.Fail("value", "%q is not an amount in 元 or 万元", v)
				bad = true
			}
			n.Value = f
		}
		var built string
		if d := t.Date("built_on", false); !d.IsZero() {
			built = d.In(clock.Zone).Format("2006-01-02")
		}
		use, ok := useNames[strings.TrimSpace(t.Cell("use_state"))]
		if !ok {
			t.Fail("use_state", "%q is not a use (在用、闲置、出租、入股)", t.Cell("use_state"))
			bad = true
		}
		var legs []Leg
		if v := t.Cell("legs"); v != "" {
			var err error
			if legs, err = parseLegs(v, channels); err != nil {
				failRow(t, t.Row(), err)
				bad = true
			}
		}
		var conf *Confirmation
		if doc := t.Cell("confirm_doc"); doc != "" {
			conf = &Confirmation{Owner: t.Cell("owner"), Doc: doc}
		} else if t.Cell("owner") != "" {
			t.Fail("confirm_doc", "an owner is confirmed with its document (确权文件)")
			bad = true
		}
		if bad || n.Code == "" || n.Name == "" || n.Type == "" || n.Category == "" || n.Place == "" || n.Value == 0 {
			continue
		}
		if err := checkNew(p, &n); err != nil {
			failRow(t, t.Row(), err)
			continue
		}
		if err := checkImported(p, n, legs); err != nil {
			failRow(t, t.Row(), err)
			continue
		}
		if first, dup := seen[n.Code]; dup {
			t.Fail("code", "the same asset number as row %d", first)
			continue
		}
		seen[n.Code] = t.Row()
		rows = append(rows, row{n, legs, built, use, conf, t.Row()})
	}
	if err := t.Err(); err != nil {
		return 0, err
	}
	var count int
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		var codes []string
		for _, r := range rows {
			// A failed row's statements are undone with the whole
			// transaction: nothing is written when any row fails.
			id, err := s.RegisterImportTx(ctx, tx, p, r.n, r.legs, r.builtOn, r.use)
			if err == nil && r.conf != nil {
				err = s.ConfirmTx(ctx, tx, p, id, *r.conf)
			}
			if err != nil {
				if errs.KindOf(err) == errs.Internal {
					return err
				}
				failRow(t, r.row, err)
				continue
			}
			codes = append(codes, r.n.Code)
		}
		if t.Failed() {
			return t.Invalid()
		}
		count = len(codes)
		_, err := audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "assets.import", Object: "assets " + p.County, Place: string(p.Place),
			After: map[string]any{"imported": count, "codes": codes}})
		return err
	})
	if err != nil {
		return 0, tabular.Wrap(err)
	}
	return count, nil
}

// checkImported: an imported asset is in the principal's area and its
// legs, when given, sum exactly to its value.
func checkImported(p auth.Principal, n NewAsset, legs []Leg) error {
	if !p.Sees(n.Place) {
		return errs.F(errs.NotFound, "unknown_asset_place", "village", "no such village in your area")
	}
	if len(legs) == 0 {
		return nil
	}
	var sum money.Fen
	for _, l := range legs {
		sum += l.Amount
	}
	if sum != n.Value {
		return errs.F(errs.RuleBroken, "legs_not_value", "legs", "the channels add up to %s, not the original value %s", sum, n.Value)
	}
	return nil
}

func failRow(t *tabular.Table, row int, err error) {
	e, ok := errs.As(err)
	if !ok {
		t.FailAt(row, "", "the row could not be checked")
		return
	}
	col := e.Field
	if col == "" || col == "place" {
		col = "village"
	}
	if e.Format != "" {
		t.FailAt(row, col, e.Format, e.Args...)
		return
	}
	t.FailAt(row, col, "the row could not be checked")
}

// RegisterImportTx registers an asset that existed before onepool (no
// project) in the caller's transaction, with the channel legs given
// (none: unknown; given, they must sum to the value: legs_not_value), its
// built date ("" unknown) and its use. It returns the new asset's id.
// Errors: Invalid, NotFound (unknown_asset_place), RuleBroken
// (legs_not_value), Conflict (asset_code_taken), Forbidden.
func (s *Service) RegisterImportTx(ctx context.Context, tx *store.Tx, p auth.Principal, n NewAsset, legs []Leg, builtOn, use string) (int64, error) {
	if err := mayWrite(p); err != nil {
		return 0, err
	}
	if err := checkNew(p, &n); err != nil {
		return 0, err
	}
	if err := checkImported(p, n, legs); err != nil {
		return 0, err
	}
	if err := checkDay(&builtOn, "built_on", false); err != nil {
		return 0, err
	}
	if _, ok := useNames[use]; !ok {
		return 0, errs.F(errs.Invalid, "invalid_asset", "use_state", "the use must be in use, idle, leased or invested")
	}
	for _, l := range legs {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM ledger_channels WHERE county = ? AND code = ?`, p.County, l.Channel).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return 0, errs.F(errs.Invalid, "invalid_legs", "legs", "no channel %q in the county", l.Channel)
		} else if err != nil {
			return 0, errs.Wrap(err, "assets: channel")
		}
	}
	if err := CheckText(&n.Code, true, "code"); err != nil {
		return 0, err
	}
	var taken int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM as_assets WHERE county = ? AND code = ?`, p.County, n.Code).Scan(&taken); err != nil {
		return 0, errs.Wrap(err, "assets: code")
	}
	if taken > 0 {
		return 0, errs.F(errs.Conflict, "asset_code_taken", "code", "asset number %s is already registered", n.Code)
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM as_assets WHERE county = ?`, p.County).Scan(&id); err != nil {
		return 0, errs.Wrap(err, "assets: next id")
	}
	now := s.now()
	account := ""
	if n.Type == Operating {
		account = AccountCode(id)
		if _, _, err := s.l.OpenAccountsTx(ctx, tx, p.County, []ledger.NewAccount{{Code: account, Kind: ledger.Asset,
			Name: n.Name + "（资产收益）", Owner: n.Code, Place: n.Place, NoOverdraft: true}}); err != nil {
			return 0, err
		}
	}
	at := now.UnixMicro()
	if _, err := tx.ExecContext(ctx, `INSERT INTO as_assets (county, `+assetCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.County, id, n.Code, "", n.Name, n.Type, n.Category, string(n.Place), n.Location, n.Quantity, n.Unit, n.Value, n.Value, builtOn,
		Registered, use, "", "", "", 0, "", "", "", account, at, p.Username, at, p.Username); err != nil {
		return 0, errs.Wrap(err, "assets: insert")
	}
	detail := map[string]string{"imported": "1", "name": n.Name, "type": n.Type, "value": n.Value.Plain(), "use": use}
	for _, l := range legs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO as_legs (county, asset, channel, amount) VALUES (?, ?, ?, ?)`, p.County, id, l.Channel, l.Amount); err != nil {
			return 0, errs.Wrap(err, "assets: legs")
		}
		detail["leg:"+l.Channel] = l.Amount.Plain()
	}
	a := Asset{County: p.County, ID: id, Code: n.Code, Place: n.Place}
	return id, AddEventTx(ctx, tx, p, a, "registered", detail, now)
}
