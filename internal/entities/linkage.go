package entities

// Interest-linkage tracking (利益联结, M-23): links that end, the yearly
// income effects imported from a file, and the report per entity,
// township and county of a year.

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/store"
	"onepool/internal/tabular"
)

// UsePolicy lets the report read the county profile's threshold
// (linkage.income_effect_min); without it the default (1,000 yuan) holds.
func (s *Service) UsePolicy(pc *policy.Counties) { s.counties = pc }

// Threshold is the yearly income effect a driven household should reach
// in the county (the profile's linkage.income_effect_min).
func (s *Service) Threshold(ctx context.Context, county string) (money.Fen, error) {
	if s.counties == nil {
		return policy.DefaultLinkage().IncomeEffectMin, nil
	}
	prof, _, err := s.counties.Current(ctx, county)
	if errs.CodeOf(err) == "no_profile" {
		return policy.DefaultLinkage().IncomeEffectMin, nil
	}
	if err != nil {
		return 0, err
	}
	return prof.LinkageRules().IncomeEffectMin, nil
}

// EndLink ends a household's link to an entity (one way) on a day, for a
// reason: the link stays on record, shown as ended, and the report counts
// the household in a year only while the link was live. Ending it again
// the same way is a replay (replayed true, nothing written); otherwise an
// ended link is link_ended. Errors: NotFound (unknown_entity,
// unknown_household, unknown_link), Invalid (invalid_date, invalid_link),
// Conflict (link_ended).
func (s *Service) EndLink(ctx context.Context, p auth.Principal, uscc, household, linkType, ended, reason string) (replayed bool, err error) {
	if err := mayWrite(p); err != nil {
		return false, err
	}
	household, linkType, ended = strings.TrimSpace(household), strings.TrimSpace(linkType), strings.TrimSpace(ended)
	if err := CheckText(&reason, true, "reason", "the reason", "invalid_link", maxName); err != nil {
		return false, err
	}
	now := s.now()
	err = s.db.Write(ctx, now, func(tx *store.Tx) error {
		st, err := s.get(ctx, tx, p, uscc)
		if err != nil {
			return err
		}
		if _, err := s.household(ctx, tx, p, household); err != nil {
			return err
		}
		var since, was, wasWhy string
		err = tx.QueryRowContext(ctx, `SELECT since, ended, end_reason FROM ent_links WHERE county = ? AND entity = ? AND household = ? AND link_type = ?`,
			p.County, st.USCC, household, linkType).Scan(&since, &was, &wasWhy)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.F(errs.NotFound, "unknown_link", "link_type", "household %s is not linked to this entity by %s", household, linkType)
		}
		if err != nil {
			return errs.Wrap(err, "entities: end link")
		}
		d, derr := time.ParseInLocation(time.DateOnly, ended, clock.Zone)
		if derr != nil || d.After(now.In(clock.Zone)) || ended < since {
			return errs.F(errs.Invalid, "invalid_date", "ended", "give the day the link ended (YYYY-MM-DD, not before it began on %s, not in the future)", since)
		}
		if was != "" {
			if was == ended && wasWhy == reason {
				replayed = true
				return nil
			}
			return errs.F(errs.Conflict, "link_ended", "ended", "this link already ended on %s", was)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ent_links SET ended = ?, end_reason = ?, ended_by = ? WHERE county = ? AND entity = ? AND household = ? AND link_type = ?`,
			ended, reason, p.Username, p.County, st.USCC, household, linkType); err != nil {
			return errs.Wrap(err, "entities: end link")
		}
		_, err = audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "entities.link_end", Object: "entity " + st.USCC, Place: string(st.Place),
			Before: map[string]any{"household": household, "link_type": linkType, "since": since},
			After:  map[string]any{"household": household, "link_type": linkType, "ended": ended, "reason": reason}})
		return err
	})
	return replayed, err
}

// EffectColumns are the columns ImportEffects reads (English key, Chinese header).
var EffectColumns = []tabular.Column{
	{Key: "uscc", Names: []string{"uscc", "统一社会信用代码"}, Required: true},
	{Key: "household", Names: []string{"household", "户编号"}, Required: true},
	{Key: "year", Names: []string{"year", "年度"}, Required: true},
	{Key: "income", Names: []string{"income", "年增收（元）", "年增收"}, Required: true},
}

// ImportEffects records the yearly income effects of a CSV or xlsx file
// (EffectColumns), one per row, as SetEffect does each: the entity and
// the household must be ones p sees, and the household linked to the
// entity by a link live in that year. Every bad cell of every row is
// reported at once, and when any is bad nothing is written; otherwise all
// are written in one transaction with one audit entry. The same entity,
// household and year twice in the file is a bad row. It returns how many
// were recorded. Errors: Forbidden, Invalid (a *tabular.ImportError in
// the chain lists the rows).
func (s *Service) ImportEffects(ctx context.Context, p auth.Principal, r io.Reader) (int, error) {
	if err := mayWrite(p); err != nil {
		return 0, err
	}
	t, err := tabular.NewTable(r, EffectColumns)
	if err != nil {
		return 0, err
	}
	defer t.Close()
	type row struct {
		uscc string
		e    Effect
		row  int
	}
	var rows []row
	seen := map[[3]string]int{}
	now := s.now()
	for t.Next() {
		if t.Empty() {
			continue
		}
		u, h, ys, inc := t.Required("uscc"), t.Required("household"), t.Required("year"), t.Required("income")
		if u == "" || h == "" || ys == "" || inc == "" {
			continue
		}
		ok := true
		code, err := CheckUSCC(u)
		if err != nil {
			fail(t, t.Row(), err)
			ok = false
		}
		e := Effect{Household: h}
		if e.Year, err = strconv.Atoi(ys); err != nil {
			t.Fail("year", "%q is not a year like 2026", ys)
			ok = false
		}
		if e.Income, err = money.Parse(inc); err != nil {
			t.Fail("income", "%q is not an amount in yuan", inc)
			ok = false
		}
		if !ok {
			continue
		}
		if err := checkEffect(&e, now); err != nil {
			fail(t, t.Row(), err)
			continue
		}
		k := [3]string{code, h, ys}
		if first, dup := seen[k]; dup {
			t.Fail("household", "the same entity, household and year as row %d", first)
			continue
		}
		seen[k] = t.Row()
		rows = append(rows, row{code, e, t.Row()})
	}
	if err := t.Err(); err != nil {
		return 0, err
	}
	err = s.db.Write(ctx, now, func(tx *store.Tx) error {
		ents := map[string]error{}
		for _, r := range rows {
			eerr, known := ents[r.uscc]
			if !known {
				_, eerr = s.get(ctx, tx, p, r.uscc)
				ents[r.uscc] = eerr
			}
			if eerr != nil {
				if errs.KindOf(eerr) == errs.Internal {
					return eerr
				}
				t.FailAt(r.row, "uscc", "no such entity in your area")
				continue
			}
			if _, err := s.household(ctx, tx, p, r.e.Household); err != nil {
				if errs.KindOf(err) == errs.Internal {
					return err
				}
				t.FailAt(r.row, "household", "no such household in your area")
				continue
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM ent_links WHERE county = ? AND entity = ? AND household = ? AND since <= ? AND (ended = '' OR ended >= ?)`,
				p.County, r.uscc, r.e.Household, yearEnd(r.e.Year), yearStart(r.e.Year)).Scan(&n); err != nil {
				return errs.Wrap(err, "entities: effect")
			}
			if n == 0 {
				t.FailAt(r.row, "household", "household %s was not linked to this entity in %d: add the link first", r.e.Household, r.e.Year)
			}
		}
		if t.Failed() {
			return t.Invalid()
		}
		for _, r := range rows {
			if err := s.setEffect(ctx, tx, p, r.uscc, r.e, now); err != nil {
				return err
			}
		}
		_, err := audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "entities.effects_import", Object: "entities " + p.County, Place: string(p.Place),
			After: map[string]any{"recorded": len(rows)}})
		return err
	})
	if err != nil {
		return 0, tabular.Wrap(err)
	}
	return len(rows), nil
}

func yearStart(y int) string { return strconv.Itoa(y) + "-01-01" }
func yearEnd(y int) string   { return strconv.Itoa(y) + "-12-31" }

// ReportFilter selects the linkage report: a year, and optionally a
// township (the households' township) or one entity.
type ReportFilter struct {
	Year     int
	Township place.Code
	Entity   string // a USCC: the report of one entity, naming its households
}

// Tally is the linkage of a year over some entities and households:
// the entities, the households driven (a link live that year), those
// whose income effect reached the threshold, and the total and average
// (over the households driven, rounded half up to the fen) effect. In a
// township's or the county's tally a household driven by several
// entities counts once, with its effects summed (it reached the
// threshold when the sum did); an entity's tally is its own.
type Tally struct {
	Entities   int
	Households int
	Reached    int
	Total      money.Fen
	Average    money.Fen
}

func (t *Tally) add(income money.Fen, recorded, reached bool) {
	t.Households++
	if recorded {
		t.Total += income
	}
	if reached {
		t.Reached++
	}
}

func (t *Tally) finish() {
	if t.Households > 0 {
		n := int64(t.Households)
		t.Average = money.Fen((2*int64(t.Total) + n) / (2 * n))
	}
}

// EntityTally is one entity's line of the report.
type EntityTally struct {
	USCC, Name, Kind string
	Place            place.Code
	Tally
}

// TownshipTally is one township's line (by the households' township).
type TownshipTally struct {
	Township place.Code
	Tally
}

// HouseholdEffect is a household's line in one entity's report.
type HouseholdEffect struct {
	Household, Head string
	Village         place.Code
	Income          money.Fen
	Recorded        bool // an effect was recorded for the year
	Reached         bool
}

// Report is the interest-linkage report of a year within p's area.
type Report struct {
	Year      int
	Threshold money.Fen
	Township  place.Code
	Entity    string
	Entities  []EntityTally
	Townships []TownshipTally
	County    Tally
	// Households: with an Entity filter, the entity's driven households
	// of p's area, by village and code.
	Households []HouseholdEffect
}

// Report is the interest-linkage report of a year (M-23): per entity,
// per township and in total, over the entities p sees and the households
// of p's area whose link was live in that year (began by its end, not
// ended before its start). A household outside p's area is neither
// counted nor named. Errors: Invalid (invalid_year, invalid_query),
// NotFound (unknown_entity).
func (s *Service) Report(ctx context.Context, p auth.Principal, f ReportFilter) (Report, error) {
	now := s.now().In(clock.Zone)
	if f.Year < 2000 || f.Year > now.Year() {
		return Report{}, errs.F(errs.Invalid, "invalid_year", "year", "the year must be a year like 2026, not in the future")
	}
	th, err := s.Threshold(ctx, p.County)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Year: f.Year, Threshold: th, Township: f.Township, Entities: []EntityTally{}, Townships: []TownshipTally{}, Households: []HouseholdEffect{}}
	lo, hi := place.Range(p.Prefix())
	elo, ehi := lo, hi
	if f.Township != "" {
		if !p.Sees(f.Township) && !f.Township.Contains(p.Place) {
			return Report{}, errs.F(errs.Invalid, "invalid_query", "township", "the township is outside your area")
		}
		tlo, thi := place.Range(f.Township.Prefix())
		lo, hi = max(lo, tlo), min(hi, thi)
	}
	w := `l.county = ? AND l.since <= ? AND (l.ended = '' OR l.ended >= ?) AND h.village BETWEEN ? AND ? AND e.place BETWEEN ? AND ?`
	args := []any{f.Year, p.County, yearEnd(f.Year), yearStart(f.Year), lo, hi, elo, ehi}
	if f.Entity != "" {
		st, err := s.get(ctx, s.db, p, f.Entity)
		if err != nil {
			return Report{}, err
		}
		rep.Entity = st.USCC
		w += ` AND l.entity = ?`
		args = append(args, st.USCC)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT l.entity, e.name, e.kind, e.place, l.household, h.head, h.village, COALESCE(f.income, -1)
		FROM ent_links l
		JOIN ent_entities e ON e.county = l.county AND e.uscc = l.entity
		JOIN reg_households h ON h.county = l.county AND h.code = l.household
		LEFT JOIN ent_effects f ON f.county = l.county AND f.entity = l.entity AND f.household = l.household AND f.year = ?
		WHERE `+w+` ORDER BY l.entity, h.village, l.household`, args...)
	if err != nil {
		return Report{}, errs.Wrap(err, "entities: report")
	}
	defer rows.Close()
	// Townships and the county count a household once, however many
	// entities drive it: its effects summed, reached when the sum is.
	type hhSum struct {
		township place.Code
		income   money.Fen
		recorded bool
	}
	households := map[string]*hhSum{}
	var order []string
	townEnts := map[place.Code]map[string]bool{}
	var last [2]string
	for rows.Next() {
		var u, name, kind, epl, hh, head, vil string
		var inc int64
		if err := rows.Scan(&u, &name, &kind, &epl, &hh, &head, &vil, &inc); err != nil {
			return Report{}, errs.Wrap(err, "entities: report")
		}
		if last == [2]string{u, hh} {
			continue // another way of the same link
		}
		last = [2]string{u, hh}
		recorded := inc >= 0
		income := money.Fen(max(inc, 0))
		reached := recorded && income >= th
		if n := len(rep.Entities); n == 0 || rep.Entities[n-1].USCC != u {
			rep.Entities = append(rep.Entities, EntityTally{USCC: u, Name: name, Kind: kind, Place: place.Code(epl), Tally: Tally{Entities: 1}})
		}
		rep.Entities[len(rep.Entities)-1].add(income, recorded, reached)
		tw := place.Code(vil).Township()
		h := households[hh]
		if h == nil {
			h = &hhSum{township: tw}
			households[hh] = h
			order = append(order, hh)
		}
		h.income += income
		h.recorded = h.recorded || recorded
		if townEnts[tw] == nil {
			townEnts[tw] = map[string]bool{}
		}
		townEnts[tw][u] = true
		if f.Entity != "" {
			rep.Households = append(rep.Households, HouseholdEffect{Household: hh, Head: head, Village: place.Code(vil), Income: income, Recorded: recorded, Reached: reached})
		}
	}
	if err := rows.Err(); err != nil {
		return Report{}, errs.Wrap(err, "entities: report")
	}
	for i := range rep.Entities {
		rep.Entities[i].finish()
	}
	sort.SliceStable(rep.Entities, func(i, j int) bool {
		a, b := rep.Entities[i], rep.Entities[j]
		if a.Place != b.Place {
			return a.Place < b.Place
		}
		return a.Name < b.Name
	})
	townships := map[place.Code]*TownshipTally{}
	for _, code := range order {
		h := households[code]
		reached := h.recorded && h.income >= th
		tt := townships[h.township]
		if tt == nil {
			tt = &TownshipTally{Township: h.township, Tally: Tally{Entities: len(townEnts[h.township])}}
			townships[h.township] = tt
		}
		tt.add(h.income, h.recorded, reached)
		rep.County.add(h.income, h.recorded, reached)
	}
	for _, tt := range townships {
		tt.finish()
		rep.Townships = append(rep.Townships, *tt)
	}
	sort.Slice(rep.Townships, func(i, j int) bool { return rep.Townships[i].Township < rep.Townships[j].Township })
	rep.County.Entities = len(rep.Entities)
	rep.County.finish()
	return rep, nil
}
