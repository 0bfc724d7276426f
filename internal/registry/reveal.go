package registry

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/ident"
	"onepool/internal/store"
)

// The fields Reveal shows in clear.
const (
	FieldResidentID = "resident_id" // a member's ID number (seq: the member)
	FieldCard       = "card"        // the card number
	FieldCauses     = "causes"      // a year's causes (seq: the year; 0 the latest)
)

// Reveal returns one sensitive field in clear, for a village cadre, a
// township officer or the rural-revitalization bureau within their area,
// and writes an audit entry naming the household, the field and the
// member (or year) for every view. field is "resident_id" (seq is the
// member's Seq), "card", or "causes" (seq is the year, 0 for the latest;
// the causes come comma-separated). Errors: NotFound (the household, the
// member or the record, or a household outside p's area), Forbidden (other
// roles), Invalid (field).
func (s *Service) Reveal(ctx context.Context, p auth.Principal, county, household, field string, seq int) (string, error) {
	if county != p.County {
		return "", auth.NotFound()
	}
	if field != FieldResidentID && field != FieldCard && field != FieldCauses {
		return "", errs.F(errs.Invalid, "invalid_field", "field", "field must be resident_id, card or causes")
	}
	var clear string
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		st, err := s.loadStored(ctx, tx, county, household)
		if err != nil {
			return err
		}
		if !p.Sees(st.Village) {
			return auth.NotFound()
		}
		switch p.Role {
		case auth.RoleRural, auth.RoleTownship, auth.RoleVillage:
		default:
			return errs.F(errs.Forbidden, "forbidden", "", "only village cadres, township officers and the rural-revitalization bureau see these fields in clear")
		}
		after := map[string]any{"field": field}
		switch field {
		case FieldResidentID:
			i := -1
			for j, m := range st.Members {
				if m.Seq == seq {
					i = j
				}
			}
			if i < 0 {
				return errs.F(errs.NotFound, "unknown_member", "seq", "household %s has no member %d", household, seq)
			}
			if clear, err = s.keys.Open(st.idEnc[i]); err != nil {
				return err
			}
			after["member"] = seq
		case FieldCard:
			if st.cardEnc == "" {
				return errs.F(errs.NotFound, "no_card", "card", "household %s has no card", household)
			}
			if clear, err = s.keys.Open(st.cardEnc); err != nil {
				return err
			}
			after["masked"] = st.Card.Masked
		case FieldCauses:
			q, args := `SELECT year, causes_enc FROM reg_years WHERE county = ? AND household = ? ORDER BY year DESC LIMIT 1`, []any{county, household}
			if seq != 0 {
				q, args = `SELECT year, causes_enc FROM reg_years WHERE county = ? AND household = ? AND year = ?`, append(args, seq)
			}
			var year int
			var enc string
			err := tx.QueryRowContext(ctx, q, args...).Scan(&year, &enc)
			if errors.Is(err, sql.ErrNoRows) {
				return errs.F(errs.NotFound, "no_year_record", "year", "household %s has no year record", household)
			}
			if err != nil {
				return errs.Wrap(err, "registry: read year")
			}
			causes, err := s.openCauses(enc)
			if err != nil {
				return err
			}
			clear = strings.Join(causes, ",")
			after["year"] = year
		}
		_, err = audit.Append(ctx, tx, audit.Entry{County: county, Actor: p.Username, Action: "registry.reveal", Object: "household " + household, Place: string(st.Village), After: after})
		return err
	})
	if err != nil {
		return "", err
	}
	return clear, nil
}

// CardInClear returns a household's card for the payout file: holder,
// bank and number. It checks no role; the caller authorizes and audits.
// Errors: NotFound (unknown_household), RuleBroken (no_card).
func (s *Service) CardInClear(ctx context.Context, county, household string) (holder, bank, number string, err error) {
	var enc string
	err = s.db.QueryRowContext(ctx, `SELECT card_holder, card_bank, card_enc FROM reg_households WHERE county = ? AND code = ?`, county, household).Scan(&holder, &bank, &enc)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", "", errs.F(errs.NotFound, "unknown_household", "household", "no household %s", household)
	}
	if err != nil {
		return "", "", "", errs.Wrap(err, "registry: read card")
	}
	if enc == "" {
		return "", "", "", errs.F(errs.RuleBroken, "no_card", "card", "household %s has no bank card on record", household)
	}
	if number, err = s.keys.Open(enc); err != nil {
		return "", "", "", err
	}
	return holder, bank, number, nil
}

// FindByResidentID returns the codes of the households (sorted) where a
// person with this ID is a member, found by the keyed hash of the
// normalized ID. Errors: Invalid (invalid_resident_id).
func (s *Service) FindByResidentID(ctx context.Context, county, residentID string) ([]string, error) {
	id := ident.NormalizeResidentID(residentID)
	if err := ident.ValidateResidentID(id); err != nil {
		return nil, errs.F(errs.Invalid, "invalid_resident_id", "resident_id", "the resident ID is not valid: %s", identReason(err))
	}
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT household FROM reg_members WHERE county = ? AND id_hash = ? ORDER BY household`, county, s.keys.Hash(id))
	if err != nil {
		return nil, errs.Wrap(err, "registry: find")
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, errs.Wrap(err, "registry: find")
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
