package entities

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
)

// Link is a household an entity drives (带动), by one way.
type Link struct {
	Household string
	Type      string // one of LinkTypes
	Since     string // YYYY-MM-DD
	// Ended is the day the link ended (YYYY-MM-DD; "" while it is live),
	// with why and who ended it (EndLink).
	Ended, EndReason, EndedBy string
	// On reads: the household's head and village, and its income effect
	// per year (year → fen), latest first in Years.
	Head    string
	Village place.Code
	Effects []Effect
}

// Effect is a household's income effect from an entity in one year.
type Effect struct {
	Household string
	Year      int
	Income    money.Fen // yuan more that year, in fen
}

// household checks that a household exists and p sees it; one outside
// p's area is exactly as missing.
func (s *Service) household(ctx context.Context, q store.Querier, p auth.Principal, code string) (place.Code, error) {
	var vil string
	err := q.QueryRowContext(ctx, `SELECT village FROM reg_households WHERE county = ? AND code = ?`, p.County, code).Scan(&vil)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !p.Sees(place.Code(vil))) {
		return "", errs.F(errs.NotFound, "unknown_household", "household", "no such household")
	}
	if err != nil {
		return "", errs.Wrap(err, "entities: household")
	}
	return place.Code(vil), nil
}

func checkLink(l *Link, today time.Time) error {
	l.Household, l.Type, l.Since = strings.TrimSpace(l.Household), strings.TrimSpace(l.Type), strings.TrimSpace(l.Since)
	if l.Household == "" {
		return errs.F(errs.Invalid, "invalid_link", "household", "choose the household")
	}
	if !slices.Contains(LinkTypes, l.Type) {
		return errs.F(errs.Invalid, "invalid_link", "link_type", "the link type must be one of %s", strings.Join(LinkTypes, ", "))
	}
	d, err := time.ParseInLocation("2006-01-02", l.Since, clock.Zone)
	if err != nil || d.Year() < 2000 || d.After(today) {
		return errs.F(errs.Invalid, "invalid_date", "since", "give the date the link began (YYYY-MM-DD, not in the future)")
	}
	return nil
}

func checkEffect(e *Effect, now time.Time) error {
	if e.Year < 2000 || e.Year > now.In(clock.Zone).Year() {
		return errs.F(errs.Invalid, "invalid_year", "year", "the year must be a year like 2026, not in the future")
	}
	if e.Income < 0 {
		return errs.F(errs.Invalid, "invalid_amount", "income", "the income effect must not be negative")
	}
	return nil
}

// AddLink records that an entity drives a household by one way since a
// date; with effect, the household's income effect of a year too. The
// household must be one p sees (else not found, as a missing one); the
// same link again (household, way, date and effect) is a replay
// (replayed true, nothing written); the same household and way with
// other content is a link_exists conflict. Errors: NotFound
// (unknown_entity, unknown_household), Invalid, Conflict.
func (s *Service) AddLink(ctx context.Context, p auth.Principal, uscc string, l Link, effect *Effect) (replayed bool, err error) {
	if err := mayWrite(p); err != nil {
		return false, err
	}
	now := s.now()
	err = s.db.Write(ctx, now, func(tx *store.Tx) error {
		st, err := s.get(ctx, tx, p, uscc)
		if err != nil {
			return err
		}
		if err := checkLink(&l, now.In(clock.Zone)); err != nil {
			return err
		}
		if _, err := s.household(ctx, tx, p, l.Household); err != nil {
			return err
		}
		if effect != nil {
			effect.Household = l.Household
			if err := checkEffect(effect, now); err != nil {
				return err
			}
		}
		var since string
		err = tx.QueryRowContext(ctx, `SELECT since FROM ent_links WHERE county = ? AND entity = ? AND household = ? AND link_type = ?`, p.County, st.USCC, l.Household, l.Type).Scan(&since)
		if err == nil {
			same := since == l.Since
			if same && effect != nil {
				var inc int64
				err := tx.QueryRowContext(ctx, `SELECT income FROM ent_effects WHERE county = ? AND entity = ? AND household = ? AND year = ?`, p.County, st.USCC, l.Household, effect.Year).Scan(&inc)
				same = err == nil && money.Fen(inc) == effect.Income
			}
			if same {
				replayed = true
				return nil
			}
			return errs.F(errs.Conflict, "link_exists", "household", "household %s is already linked to this entity by %s", l.Household, l.Type)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return errs.Wrap(err, "entities: link")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ent_links (county, entity, household, link_type, since, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			p.County, st.USCC, l.Household, l.Type, l.Since, clock.Micros(now), p.Username); err != nil {
			return errs.Wrap(err, "entities: link")
		}
		after := map[string]any{"household": l.Household, "link_type": l.Type, "since": l.Since}
		if effect != nil {
			if err := s.setEffect(ctx, tx, p, st.USCC, *effect, now); err != nil {
				return err
			}
			after["year"], after["income"] = effect.Year, effect.Income
		}
		_, err = audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "entities.link", Object: "entity " + st.USCC, Place: string(st.Place), After: after})
		return err
	})
	return replayed, err
}

func (s *Service) setEffect(ctx context.Context, tx *store.Tx, p auth.Principal, uscc string, e Effect, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE ent_effects SET income = ?, updated_at = ?, updated_by = ? WHERE county = ? AND entity = ? AND household = ? AND year = ?`,
		int64(e.Income), clock.Micros(now), p.Username, p.County, uscc, e.Household, e.Year)
	if err != nil {
		return errs.Wrap(err, "entities: effect")
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO ent_effects (county, entity, household, year, income, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		p.County, uscc, e.Household, e.Year, int64(e.Income), clock.Micros(now), p.Username); err != nil {
		return errs.Wrap(err, "entities: effect")
	}
	return nil
}

// SetEffect records (or corrects) a linked household's income effect from
// the entity in a year; the same amount again changes nothing. Errors: NotFound (unknown_entity,
// unknown_household), RuleBroken (not_linked), Invalid.
func (s *Service) SetEffect(ctx context.Context, p auth.Principal, uscc string, e Effect) error {
	if err := mayWrite(p); err != nil {
		return err
	}
	now := s.now()
	return s.db.Write(ctx, now, func(tx *store.Tx) error {
		st, err := s.get(ctx, tx, p, uscc)
		if err != nil {
			return err
		}
		e.Household = strings.TrimSpace(e.Household)
		if _, err := s.household(ctx, tx, p, e.Household); err != nil {
			return err
		}
		if err := checkEffect(&e, now); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM ent_links WHERE county = ? AND entity = ? AND household = ?`, p.County, st.USCC, e.Household).Scan(&n); err != nil {
			return errs.Wrap(err, "entities: effect")
		}
		if n == 0 {
			return errs.F(errs.RuleBroken, "not_linked", "household", "household %s is not linked to this entity: add the link first", e.Household)
		}
		var before any
		var old int64
		if err := tx.QueryRowContext(ctx, `SELECT income FROM ent_effects WHERE county = ? AND entity = ? AND household = ? AND year = ?`, p.County, st.USCC, e.Household, e.Year).Scan(&old); err == nil {
			if money.Fen(old) == e.Income {
				return nil // the same again: nothing changes
			}
			before = map[string]any{"income": old}
		}
		if err := s.setEffect(ctx, tx, p, st.USCC, e, now); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "entities.effect", Object: "entity " + st.USCC, Place: string(st.Place),
			Before: before, After: map[string]any{"household": e.Household, "year": e.Year, "income": e.Income}})
		return err
	})
}

// Links lists the households an entity drives, or drove, that lie in p's
// area (live links first, then ended ones; by village and household),
// each with its effects, latest year first; and the number of households
// it drives now (live links) in all (some may lie outside p's area:
// they are counted, not named).
func (s *Service) Links(ctx context.Context, p auth.Principal, uscc string) ([]Link, int, error) {
	st, err := s.get(ctx, s.db, p, uscc)
	if err != nil {
		return nil, 0, err
	}
	lo, hi := place.Range(p.Prefix())
	rows, err := s.db.QueryContext(ctx, `SELECT l.household, l.link_type, l.since, l.ended, l.end_reason, l.ended_by, h.head, h.village FROM ent_links l
		JOIN reg_households h ON h.county = l.county AND h.code = l.household
		WHERE l.county = ? AND l.entity = ? AND h.village BETWEEN ? AND ? ORDER BY l.ended <> '', h.village, l.household, l.link_type`, p.County, st.USCC, lo, hi)
	if err != nil {
		return nil, 0, errs.Wrap(err, "entities: links")
	}
	out := []Link{}
	at := map[string][]int{}
	for rows.Next() {
		var l Link
		var vil string
		if err := rows.Scan(&l.Household, &l.Type, &l.Since, &l.Ended, &l.EndReason, &l.EndedBy, &l.Head, &vil); err != nil {
			rows.Close()
			return nil, 0, errs.Wrap(err, "entities: links")
		}
		l.Village, l.Effects = place.Code(vil), []Effect{}
		at[l.Household] = append(at[l.Household], len(out))
		out = append(out, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, errs.Wrap(err, "entities: links")
	}
	rows, err = s.db.QueryContext(ctx, `SELECT household, year, income FROM ent_effects WHERE county = ? AND entity = ? ORDER BY household, year DESC`, p.County, st.USCC)
	if err != nil {
		return nil, 0, errs.Wrap(err, "entities: effects")
	}
	defer rows.Close()
	for rows.Next() {
		var e Effect
		var inc int64
		if err := rows.Scan(&e.Household, &e.Year, &inc); err != nil {
			return nil, 0, errs.Wrap(err, "entities: effects")
		}
		e.Income = money.Fen(inc)
		for _, i := range at[e.Household] {
			out[i].Effects = append(out[i].Effects, e)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, errs.Wrap(err, "entities: effects")
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT household) FROM ent_links WHERE county = ? AND entity = ? AND ended = ''`, p.County, st.USCC).Scan(&n); err != nil {
		return nil, 0, errs.Wrap(err, "entities: count links")
	}
	return out, n, nil
}
