package assets

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"onepool/internal/auth"
	"onepool/internal/entities"
	"onepool/internal/errs"
	"onepool/internal/place"
	"onepool/internal/store"
)

// Confirmation is the 确权 of an asset: to whom it belongs, by which
// document, and the villages' shares when several co-own it.
type Confirmation struct {
	OwnerKind string // collective or household
	Owner     string // the collective's USCC ("" = the asset's village's collective) or the household's code
	Doc       string // the confirming document (文号), required
	Shares    []Share
}

// Confirm confirms an asset's ownership (确权): an operating or
// public-welfare asset to the village collective economic organization of
// its village (量化到村), a household asset to a household of its village.
// Errors: Invalid, NotFound (unknown_asset), RuleBroken
// (already_confirmed, owner_kind, collective_elsewhere, no_collective,
// household_elsewhere, shares_not_whole), Forbidden.
func (s *Service) Confirm(ctx context.Context, p auth.Principal, id int64, c Confirmation) (Asset, error) {
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error { return s.ConfirmTx(ctx, tx, p, id, c) })
	if err != nil {
		return Asset{}, err
	}
	return s.Get(ctx, p, id)
}

// ConfirmTx is Confirm in the caller's transaction.
func (s *Service) ConfirmTx(ctx context.Context, tx *store.Tx, p auth.Principal, id int64, c Confirmation) error {
	if err := mayWrite(p); err != nil {
		return err
	}
	if err := CheckText(&c.Doc, true, "confirm_doc"); err != nil {
		return err
	}
	a, err := s.GetTx(ctx, tx, p, id)
	if err != nil {
		return err
	}
	if a.Status != Registered {
		return errs.F(errs.RuleBroken, "already_confirmed", "id", "asset %s is %s: its ownership is confirmed once", a.Code, a.Status)
	}
	c.Owner = strings.TrimSpace(c.Owner)
	want := OwnerCollective
	if a.Type == Household {
		want = OwnerHousehold
	}
	if c.OwnerKind == "" {
		c.OwnerKind = want
	}
	if c.OwnerKind != want {
		if want == OwnerHousehold {
			return errs.F(errs.RuleBroken, "owner_kind", "owner_kind", "a household asset is confirmed to a household")
		}
		return errs.F(errs.RuleBroken, "owner_kind", "owner_kind", "an operating or public-welfare asset is confirmed to its village's collective")
	}
	switch want {
	case OwnerCollective:
		uscc, _, ok, err := entities.CollectiveOfTx(ctx, tx, p.County, a.Place)
		if err != nil {
			return errs.Wrap(err, "assets: collective")
		}
		if c.Owner == "" {
			if !ok {
				return errs.F(errs.RuleBroken, "no_collective", "owner", "village %s has no village collective economic organization registered: register it among the entities first", a.Place)
			}
			c.Owner = uscc
		}
		e, err := s.ents.GetTx(ctx, tx, p, c.Owner)
		if err != nil {
			return err
		}
		if e.Kind != entities.Collective || e.Place != a.Place {
			return errs.F(errs.RuleBroken, "collective_elsewhere", "owner", "the asset is in village %s: it is confirmed to that village's collective, not to %s", a.Place, e.Name)
		}
		c.Owner = e.USCC
	case OwnerHousehold:
		var vil string
		err := tx.QueryRowContext(ctx, `SELECT village FROM reg_households WHERE county = ? AND code = ?`, p.County, c.Owner).Scan(&vil)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !p.Sees(place.Code(vil))) {
			return errs.F(errs.NotFound, "unknown_household", "owner", "no such household: %s", c.Owner)
		}
		if err != nil {
			return errs.Wrap(err, "assets: household")
		}
		if place.Code(vil) != a.Place {
			return errs.F(errs.RuleBroken, "household_elsewhere", "owner", "the asset is in village %s and the household in %s", a.Place, vil)
		}
	}
	if err := checkShares(p.County, a.Place, c.Shares); err != nil {
		return err
	}
	now := s.now()
	if _, err := tx.ExecContext(ctx, `UPDATE as_assets SET status = ?, owner_kind = ?, owner = ?, confirm_doc = ?, confirmed_at = ?, confirmed_by = ?, updated_at = ?, updated_by = ?
		WHERE county = ? AND id = ?`, Confirmed, c.OwnerKind, c.Owner, c.Doc, now.UnixMicro(), p.Username, now.UnixMicro(), p.Username, p.County, id); err != nil {
		return errs.Wrap(err, "assets: confirm")
	}
	detail := map[string]string{"owner_kind": c.OwnerKind, "owner": c.Owner, "doc": c.Doc}
	for _, sh := range c.Shares {
		if _, err := tx.ExecContext(ctx, `INSERT INTO as_shares (county, asset, village, share) VALUES (?, ?, ?, ?)`, p.County, id, string(sh.Village), sh.Share); err != nil {
			return errs.Wrap(err, "assets: shares")
		}
		detail["share:"+string(sh.Village)] = fmt.Sprint(sh.Share)
	}
	return AddEventTx(ctx, tx, p, a, "confirmed", detail, now)
}

// checkShares: when given, the villages' shares are distinct villages of
// the county, one of them the asset's own, each above zero, summing to
// 10000 basis points.
func checkShares(county string, own place.Code, sh []Share) error {
	if len(sh) == 0 {
		return nil
	}
	var sum int64
	seen := map[place.Code]bool{}
	hasOwn := false
	for _, x := range sh {
		if x.Village.Level() != place.Village || !place.Code(county+"000000").Contains(x.Village) || seen[x.Village] {
			return errs.F(errs.Invalid, "invalid_place", "shares", "each share names a different village of the county")
		}
		if x.Share <= 0 {
			return errs.F(errs.Invalid, "invalid_asset", "shares", "each village's share is more than zero")
		}
		seen[x.Village] = true
		hasOwn = hasOwn || x.Village == own
		sum += x.Share
	}
	if !hasOwn {
		return errs.F(errs.RuleBroken, "shares_not_whole", "shares", "the shares must include the asset's own village %s", own)
	}
	if sum != 10000 {
		return errs.F(errs.RuleBroken, "shares_not_whole", "shares", "the villages' shares add up to %s, not 100%%", fmt.Sprintf("%d.%02d%%", sum/100, sum%100))
	}
	return nil
}
