package assets

import (
	"context"
	"fmt"
	"strings"

	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/place"
	"onepool/internal/store"
)

// Beneficiary is a household an asset's households' share is paid to,
// kept with the asset (as_beneficiaries) for the county-wide runs.
type Beneficiary struct {
	Household string
	Weight    int64
	Head      string // on reads: the household head's name
}

// SetBeneficiaries replaces the households an operating asset's
// households' share is paid to in county-wide runs, each checked as a
// single run's named households are (named once, of the asset's village or
// a co-owning one, seen by p). The same list again changes nothing
// (replayed). Errors: Forbidden, NotFound (unknown_asset,
// unknown_household), Invalid (invalid_household), RuleBroken
// (not_operating, household_elsewhere).
func (s *IncomeService) SetBeneficiaries(ctx context.Context, p auth.Principal, asset int64, hh []RunHousehold) (replayed bool, err error) {
	if err := mayWrite(p); err != nil {
		return false, err
	}
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		a, err := s.a.GetTx(ctx, tx, p, asset)
		if err != nil {
			return err
		}
		if a.Type != Operating || a.Account == "" {
			return errs.F(errs.RuleBroken, "not_operating", "id", "asset %s is not an operating asset: only operating assets are leased or invested", a.Code)
		}
		named, err := s.checkHouseholdsTx(ctx, tx, p, a, hh, false)
		if err != nil {
			return err
		}
		old, err := beneficiariesTx(ctx, tx, p.County, asset)
		if err != nil {
			return err
		}
		if len(old) == len(named) {
			same := map[string]int64{}
			for _, b := range old {
				same[b.Household] = b.Weight
			}
			replayed = true
			for _, n := range named {
				if w, ok := same[n.Code]; !ok || w != n.Weight {
					replayed = false
				}
			}
			if replayed {
				return nil
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM as_beneficiaries WHERE county = ? AND asset = ?`, p.County, asset); err != nil {
			return errs.Wrap(err, "assets: beneficiaries")
		}
		rows := make([][]any, 0, len(named))
		for _, n := range named {
			rows = append(rows, []any{p.County, asset, n.Code, n.Weight})
		}
		if err := store.InsertRows(ctx, tx, `INSERT INTO as_beneficiaries (county, asset, household, weight) VALUES `, 4, rows, ""); err != nil {
			return errs.Wrap(err, "assets: beneficiaries")
		}
		return AddEventTx(ctx, tx, p, a, "beneficiaries", map[string]string{"households": fmt.Sprint(len(named))}, tx.Now)
	})
	return replayed, err
}

func beneficiariesTx(ctx context.Context, q store.Querier, county string, asset int64) ([]Beneficiary, error) {
	out := []Beneficiary{}
	err := eachRow(ctx, q, `SELECT b.household, b.weight, COALESCE(r.head, '') FROM as_beneficiaries b LEFT JOIN reg_households r ON r.county = b.county AND r.code = b.household
		WHERE b.county = ? AND b.asset = ? ORDER BY b.household`, []any{county, asset}, func(sc func(...any) error) error {
		var b Beneficiary
		err := sc(&b.Household, &b.Weight, &b.Head)
		out = append(out, b)
		return err
	})
	return out, err
}

// Beneficiaries lists the households kept with an asset, by code.
func (s *IncomeService) Beneficiaries(ctx context.Context, p auth.Principal, asset int64) ([]Beneficiary, error) {
	if _, err := s.a.Get(ctx, p, asset); err != nil {
		return nil, err
	}
	return beneficiariesTx(ctx, s.db, p.County, asset)
}

// keptHousehold is a household kept with an asset, as a county run reads
// it: its registry village ("" when it is not in the registry of the
// maker's area).
type keptHousehold struct {
	asset   int64
	code    string
	weight  int64
	village string
}

// keptScanMin is from how many kept households on a county run reads the
// registry's villages by one scan of the maker's area (the index
// reg_households_village) rather than by code: a look-up by key costs
// about three entries scanned.
var keptScanMin = 2000

// keptHouseholdsTx reads the households kept with the assets of idx (as's
// index by id, n of them) in asset and household order, each with its
// registry village in the area of prefix ("" outside it or gone), and
// each asset's span of them.
func keptHouseholdsTx(ctx context.Context, q store.Querier, county string, idx map[int64]int, n int, prefix string) ([]keptHousehold, [][2]int, error) {
	spans := make([][2]int, n)
	var kept []keptHousehold
	rows, err := q.QueryContext(ctx, `SELECT asset, household, weight FROM as_beneficiaries WHERE county = ? ORDER BY asset, household`, county)
	if err != nil {
		return nil, nil, errs.Wrap(err, "assets: kept households")
	}
	defer rows.Close()
	last, at := int64(-1), -1
	var k keptHousehold // scanned into in place: one allocation, not one a row
	for rows.Next() {
		if err := rows.Scan(&k.asset, &k.code, &k.weight); err != nil {
			return nil, nil, errs.Wrap(err, "assets: kept households")
		}
		if k.asset != last {
			last, at = k.asset, -1
			if i, ok := idx[k.asset]; ok {
				at, spans[i] = i, [2]int{len(kept), len(kept)}
			}
		}
		if at >= 0 {
			kept = append(kept, k)
			spans[at][1] = len(kept)
		}
	}
	if err := rows.Err(); err != nil || len(kept) == 0 {
		return kept, spans, err
	}
	rows.Close()
	have := make(map[string]string, len(kept))
	if len(kept) >= keptScanMin {
		lo, hi := place.Range(prefix)
		rows, err := q.QueryContext(ctx, `SELECT code, village FROM reg_households WHERE county = ? AND village BETWEEN ? AND ?`, county, lo, hi)
		if err != nil {
			return nil, nil, errs.Wrap(err, "assets: kept households")
		}
		defer rows.Close()
		var c, v string
		for rows.Next() {
			if err := rows.Scan(&c, &v); err != nil {
				return nil, nil, errs.Wrap(err, "assets: kept households")
			}
			have[c] = v
		}
		err = rows.Err()
	} else {
		codes := make([]string, 0, len(kept))
		seen := make(map[string]bool, len(kept))
		for _, k := range kept {
			if !seen[k.code] {
				seen[k.code] = true
				codes = append(codes, k.code)
			}
		}
		for start := 0; start < len(codes) && err == nil; start += 500 {
			part := codes[start:min(start+500, len(codes))]
			args := make([]any, 0, len(part)+1)
			args = append(args, county)
			for _, c := range part {
				args = append(args, c)
			}
			err = eachRow(ctx, q, `SELECT code, village FROM reg_households WHERE county = ? AND code IN (?`+strings.Repeat(", ?", len(part)-1)+`)`, args, func(sc func(...any) error) error {
				var c, v string
				err := sc(&c, &v)
				if strings.HasPrefix(v, prefix) {
					have[c] = v
				}
				return err
			})
		}
	}
	if err != nil {
		return nil, nil, err
	}
	for i := range kept {
		kept[i].village = have[kept[i].code]
	}
	return kept, spans, nil
}

// keptNamed is normalizeNamed of an asset's kept households (distinct by
// the table's key; trimmed when they were set): weights not negative, 0 =
// 1, each with its registry village. A code not trimmed is checked as a
// form's would be.
func keptNamed(ks []keptHousehold) ([]namedHousehold, error) {
	out := make([]namedHousehold, len(ks))
	for i, k := range ks {
		if k.code == "" || strings.TrimSpace(k.code) != k.code {
			in := make([]RunHousehold, len(ks))
			for j, k := range ks {
				in[j] = RunHousehold{Code: k.code, Weight: k.weight}
			}
			hh, _, err := normalizeNamed(in)
			if err != nil {
				return nil, err
			}
			for j := range hh {
				if hh[j].Code == ks[j].code {
					hh[j].place = place.Code(ks[j].village)
				}
			}
			return hh, nil
		}
		if k.weight < 0 {
			return nil, errs.F(errs.Invalid, "invalid_household", "households", "a household's weight cannot be negative")
		}
		out[i] = namedHousehold{Code: k.code, Weight: max(k.weight, 1), place: place.Code(k.village)}
	}
	return out, nil
}
