package assets

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
)

// Valuation is an asset's valuation of a year (保值增值): its book value
// then and, where appraised, the assessed value.
type Valuation struct {
	Asset     int64
	Year      int
	BookValue money.Fen
	Assessed  money.Fen // 0: not appraised
	Appraiser string
	Doc       string
	CreatedBy string
	CreatedAt time.Time
}

// Value records an asset's valuation of a year (once a year; a later one
// replaces it); the latest year's book value becomes the asset's. Errors:
// Invalid, NotFound (unknown_asset), RuleBroken (asset_disposing),
// Forbidden.
func (s *IncomeService) Value(ctx context.Context, p auth.Principal, asset int64, v Valuation) (Valuation, error) {
	if err := mayWrite(p); err != nil {
		return Valuation{}, err
	}
	if v.Year < 2000 || v.Year > 2100 {
		return Valuation{}, errs.F(errs.Invalid, "invalid_period", "year", "the period is a year")
	}
	if v.BookValue < 0 || v.Assessed < 0 {
		return Valuation{}, errs.F(errs.Invalid, "invalid_amount", "book_value", "a value cannot be negative")
	}
	if err := CheckText(&v.Appraiser, v.Assessed > 0, "appraiser"); err != nil {
		return Valuation{}, err
	}
	if err := CheckText(&v.Doc, false, "doc"); err != nil {
		return Valuation{}, err
	}
	now := s.now()
	err := s.db.Write(ctx, now, func(tx *store.Tx) error {
		a, err := s.a.GetTx(ctx, tx, p, asset)
		if err != nil {
			return err
		}
		if a.Status == Disposed {
			return errs.F(errs.RuleBroken, "asset_disposing", "id", "asset %s is being disposed of or disposed: it cannot be leased", a.Code)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM as_valuations WHERE county = ? AND asset = ? AND year = ?`, p.County, asset, v.Year); err != nil {
			return errs.Wrap(err, "assets: valuation")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO as_valuations (county, asset, year, book_value, assessed, appraiser, doc, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.County, asset, v.Year, int64(v.BookValue), int64(v.Assessed), v.Appraiser, v.Doc, now.UnixMicro(), p.Username); err != nil {
			return errs.Wrap(err, "assets: valuation")
		}
		var last int
		if err := tx.QueryRowContext(ctx, `SELECT MAX(year) FROM as_valuations WHERE county = ? AND asset = ?`, p.County, asset).Scan(&last); err != nil {
			return errs.Wrap(err, "assets: valuation")
		}
		if last == v.Year {
			if _, err := tx.ExecContext(ctx, `UPDATE as_assets SET book_value = ?, updated_at = ?, updated_by = ? WHERE county = ? AND id = ?`, int64(v.BookValue), now.UnixMicro(), p.Username, p.County, asset); err != nil {
				return errs.Wrap(err, "assets: book value")
			}
		}
		return AddEventTx(ctx, tx, p, a, "valued", map[string]string{"year": fmt.Sprint(v.Year), "book_value": v.BookValue.Plain(), "assessed": v.Assessed.Plain(), "appraiser": v.Appraiser, "doc": v.Doc}, now)
	})
	v.Asset, v.CreatedBy, v.CreatedAt = asset, p.Username, now
	return v, err
}

// Valuations lists an asset's valuations, newest year first.
func (s *IncomeService) Valuations(ctx context.Context, p auth.Principal, asset int64) ([]Valuation, error) {
	if _, err := s.a.Get(ctx, p, asset); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT year, book_value, assessed, appraiser, doc, created_at, created_by FROM as_valuations WHERE county = ? AND asset = ? ORDER BY year DESC`, p.County, asset)
	if err != nil {
		return nil, errs.Wrap(err, "assets: valuations")
	}
	defer rows.Close()
	out := []Valuation{}
	for rows.Next() {
		v := Valuation{Asset: asset}
		var bv, as, at int64
		if err := rows.Scan(&v.Year, &bv, &as, &v.Appraiser, &v.Doc, &at, &v.CreatedBy); err != nil {
			return nil, err
		}
		v.BookValue, v.Assessed, v.CreatedAt = money.Fen(bv), money.Fen(as), time.UnixMicro(at)
		out = append(out, v)
	}
	return out, rows.Err()
}

// ReportRow is one asset's value and income of a year, or the total of
// a place.
type ReportRow struct {
	Place     place.Code
	Asset     int64 // 0 on a place's total
	Code      string
	Name      string
	Type      string
	Assets    int // how many assets (1 on an asset's row)
	Value     money.Fen
	BookValue money.Fen
	Assessed  money.Fen
	Income    money.Fen
}

// ReturnBP is the return on the fiscal money invested: income ÷ original
// value, in basis points.
func (r ReportRow) ReturnBP() int64 {
	if r.Value <= 0 {
		return 0
	}
	v, _ := money.MulRatio(r.Income, 10000, int64(r.Value), money.RoundHalfUp)
	return int64(v)
}

// ReturnText prints the return as a percentage with two decimals.
func (r ReportRow) ReturnText() string {
	bp := r.ReturnBP()
	return fmt.Sprintf("%d.%02d%%", bp/100, bp%100)
}

// Report is the value kept and grown of a year (保值增值) in the
// viewer's subtree: one row per asset (not disposed), the totals per
// village, per township and for the area.
type Report struct {
	Year      int
	Assets    []ReportRow
	Villages  []ReportRow
	Townships []ReportRow
	Total     ReportRow
}

// Report builds the year's report of the assets in p's area: the
// original value, the book value and the assessed value of that year
// (where appraised), the income of the year, and the return on the
// fiscal money invested.
func (s *IncomeService) Report(ctx context.Context, p auth.Principal, year int) (Report, error) {
	rep := Report{Year: year, Assets: []ReportRow{}, Villages: []ReportRow{}, Townships: []ReportRow{}}
	lo, hi := place.Range(p.Prefix())
	rows, err := s.db.QueryContext(ctx, `SELECT a.id, a.code, a.name, a.type, a.place, a.value, a.book_value, COALESCE(v.book_value, -1), COALESCE(v.assessed, 0),
		COALESCE((SELECT SUM(i.amount) FROM as_income i WHERE i.county = a.county AND i.asset = a.id AND i.period = ?), 0)
		FROM as_assets a LEFT JOIN as_valuations v ON v.county = a.county AND v.asset = a.id AND v.year = ?
		WHERE a.county = ? AND a.place >= ? AND a.place <= ? AND a.status <> ? ORDER BY a.place, a.id`, year, year, p.County, lo, hi, Disposed)
	if err != nil {
		return rep, errs.Wrap(err, "assets: report")
	}
	defer rows.Close()
	vil, town := map[place.Code]*ReportRow{}, map[place.Code]*ReportRow{}
	add := func(m map[place.Code]*ReportRow, at place.Code, r ReportRow) {
		t := m[at]
		if t == nil {
			t = &ReportRow{Place: at}
			m[at] = t
		}
		t.Assets++
		t.Value += r.Value
		t.BookValue += r.BookValue
		t.Assessed += r.Assessed
		t.Income += r.Income
	}
	for rows.Next() {
		r := ReportRow{Assets: 1}
		var pl string
		var val, book, vbook, assessed, income int64
		if err := rows.Scan(&r.Asset, &r.Code, &r.Name, &r.Type, &pl, &val, &book, &vbook, &assessed, &income); err != nil {
			return rep, err
		}
		r.Place, r.Value, r.BookValue, r.Assessed, r.Income = place.Code(pl), money.Fen(val), money.Fen(book), money.Fen(assessed), money.Fen(income)
		if vbook >= 0 {
			r.BookValue = money.Fen(vbook)
		}
		if !p.Sees(r.Place) {
			continue
		}
		rep.Assets = append(rep.Assets, r)
		add(vil, r.Place, r)
		add(town, r.Place.Township(), r)
		rep.Total.Assets++
		rep.Total.Value += r.Value
		rep.Total.BookValue += r.BookValue
		rep.Total.Assessed += r.Assessed
		rep.Total.Income += r.Income
	}
	if err := rows.Err(); err != nil {
		return rep, err
	}
	for _, m := range []struct {
		m   map[place.Code]*ReportRow
		out *[]ReportRow
	}{{vil, &rep.Villages}, {town, &rep.Townships}} {
		for _, r := range m.m {
			*m.out = append(*m.out, *r)
		}
		sort.Slice(*m.out, func(i, j int) bool { return (*m.out)[i].Place < (*m.out)[j].Place })
	}
	rep.Total.Place = p.Place
	return rep, nil
}

// IdleLead is an operating asset that has had no income for the
// profile's idle months (闲置资产线索): since its last income, its last
// lease or investment, or its confirmation, whichever is latest.
type IdleLead struct {
	Asset    int64
	Code     string
	Name     string
	Place    place.Code
	Since    string // YYYY-MM-DD: the last income, lease or confirmation
	Months   int    // whole months without income
	UseState string
}

// IdleLeads lists the operating assets of p's area without income for
// the county's idle months (assets.idle_months), longest idle first.
// Leasing an asset (a new lease) clears its lead until the months run
// again without rent.
func (s *IncomeService) IdleLeads(ctx context.Context, p auth.Principal) ([]IdleLead, error) {
	rule, err := s.rule(ctx, p.County)
	if err != nil {
		return nil, err
	}
	lo, hi := place.Range(p.Prefix())
	rows, err := s.db.QueryContext(ctx, `SELECT a.id, a.code, a.name, a.place, a.use_state, a.confirmed_at,
		COALESCE((SELECT MAX(i.received_on) FROM as_income i WHERE i.county = a.county AND i.asset = a.id), ''),
		COALESCE((SELECT MAX(l.starts) FROM as_leases l WHERE l.county = a.county AND l.asset = a.id), '')
		FROM as_assets a WHERE a.county = ? AND a.type = ? AND a.status IN (?, ?) AND a.place >= ? AND a.place <= ? ORDER BY a.id`,
		p.County, Operating, Confirmed, Disposing, lo, hi)
	if err != nil {
		return nil, errs.Wrap(err, "assets: idle")
	}
	defer rows.Close()
	now := s.now().In(clock.Zone)
	today := now.Format("2006-01-02")
	out := []IdleLead{}
	for rows.Next() {
		var l IdleLead
		var pl, lastIn, lastLease string
		var conf int64
		if err := rows.Scan(&l.Asset, &l.Code, &l.Name, &pl, &l.UseState, &conf, &lastIn, &lastLease); err != nil {
			return nil, err
		}
		l.Place = place.Code(pl)
		if !p.Sees(l.Place) {
			continue
		}
		since, confirmed := "", ""
		if conf != 0 {
			confirmed = clock.Day(time.UnixMicro(conf))
		}
		for _, d := range []string{confirmed, lastIn, lastLease} {
			if d > since && d <= today {
				since = d
			}
		}
		if since == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", since, clock.Zone)
		if err != nil {
			continue
		}
		l.Since, l.Months = since, monthsBetween(t, now)
		if l.Months >= rule.IdleMonths {
			out = append(out, l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Months > out[j].Months })
	return out, rows.Err()
}

// monthsBetween counts the whole months from a to b.
func monthsBetween(a, b time.Time) int {
	m := (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
	if b.Day() < a.Day() {
		m--
	}
	return max(m, 0)
}

var _ = strings.TrimSpace

// YearIncome is the income recorded in a year for each asset of a
// village in p's area (the village page's column): asset id → amount;
// assets without income are absent.
func (s *IncomeService) YearIncome(ctx context.Context, p auth.Principal, village place.Code, year int) (map[int64]money.Fen, error) {
	out := map[int64]money.Fen{}
	if !p.Sees(village) {
		return out, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT i.asset, SUM(i.amount) FROM as_income i JOIN as_assets a ON a.county = i.county AND a.id = i.asset
		WHERE i.county = ? AND i.period = ? AND a.place = ? GROUP BY i.asset`, p.County, year, string(village))
	if err != nil {
		return nil, errs.Wrap(err, "assets: year income")
	}
	defer rows.Close()
	for rows.Next() {
		var id, amount int64
		if err := rows.Scan(&id, &amount); err != nil {
			return nil, errs.Wrap(err, "assets: year income")
		}
		out[id] = money.Fen(amount)
	}
	return out, rows.Err()
}
