package assets

import (
	"context"
	"fmt"

	"onepool/internal/auth"
	"onepool/internal/errs"
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
