package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
)

// causesBlock pads the sealed causes to a multiple of its size, so that the
// ciphertext's length does not tell which cause a household has.
const causesBlock = 32

func (s *Service) sealCauses(causes []string) (string, error) {
	plain := strings.Join(causes, ",")
	n := (len(plain)/causesBlock + 1) * causesBlock
	return s.keys.Seal(plain + strings.Repeat(" ", n-len(plain)))
}

func (s *Service) openCauses(sealed string) ([]string, error) {
	plain, err := s.keys.Open(sealed)
	if err != nil {
		return nil, err
	}
	if plain = strings.TrimRight(plain, " "); plain == "" {
		return nil, nil
	}
	return strings.Split(plain, ","), nil
}

// perCapita is (income − expenses) ÷ members, rounded down (toward zero)
// to the fen; 0 without a living member.
func perCapita(income, expenses money.Fen, members int) money.Fen {
	if members <= 0 {
		return 0
	}
	return (income - expenses) / money.Fen(members)
}

// checkYear validates and normalizes a year record; causes are kept in the
// order of Causes, once each.
func checkYear(y *Year) error {
	y.Household = strings.TrimSpace(y.Household)
	if !codeRE.MatchString(y.Household) {
		return errs.F(errs.Invalid, "invalid_household", "household", "the household code is 1–32 letters, digits, '-' or '_'")
	}
	if y.Year < 2000 || y.Year > 2100 {
		return errs.F(errs.Invalid, "invalid_year", "year", "the year must be a year like 2026")
	}
	if !slices.Contains(Statuses, y.Status) {
		return errs.F(errs.Invalid, "invalid_status", "status", "the status must be one of %s", strings.Join(Statuses, ", "))
	}
	var causes []string
	for _, c := range y.Causes {
		c = strings.TrimSpace(c)
		if !slices.Contains(Causes, c) {
			return errs.F(errs.Invalid, "invalid_cause", "causes", "%q is not a cause: use %s", c, strings.Join(Causes, ", "))
		}
	}
	for _, c := range Causes {
		for _, x := range y.Causes {
			if strings.TrimSpace(x) == c {
				causes = append(causes, c)
				break
			}
		}
	}
	y.Causes = causes
	if y.Income < 0 {
		return errs.F(errs.Invalid, "invalid_amount", "income", "the income must not be negative")
	}
	if y.Expenses < 0 {
		return errs.F(errs.Invalid, "invalid_amount", "expenses", "the expenses must not be negative")
	}
	if y.Stable && y.Status != Exited {
		return errs.F(errs.Invalid, "invalid_stable", "stable", "only an exited household (脱贫户) is stably out of poverty")
	}
	return nil
}

// householdPlace returns a household's village, or NotFound
// (unknown_household).
func householdPlace(ctx context.Context, q store.Querier, county, code string) (place.Code, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT village FROM reg_households WHERE county = ? AND code = ?`, county, code).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errs.F(errs.NotFound, "unknown_household", "household", "no household %s", code)
	}
	if err != nil {
		return "", errs.Wrap(err, "registry: read household")
	}
	return place.Code(v), nil
}

// auditYear is what the audit log keeps of a year: the causes only
// counted.
type auditYear struct {
	Status   string    `json:"status"`
	Stable   bool      `json:"stable"`
	Causes   int       `json:"causes"`
	Income   money.Fen `json:"income"`
	Expenses money.Fen `json:"expenses"`
}

// SetYear records a household's year: its status (one of Statuses), its
// causes (a subset of Causes, stored encrypted), income and expenses (not
// negative) and, for an exited household, whether it is stably out of
// poverty. The number of members and the per-capita net income are
// derived. Audited, with the causes counted, not named. Errors: Forbidden,
// NotFound, Invalid (naming the field).
func (s *Service) SetYear(ctx context.Context, p auth.Principal, y Year) (Year, error) {
	if err := mayWrite(p); err != nil {
		return Year{}, err
	}
	if err := checkYear(&y); err != nil {
		return Year{}, err
	}
	county := p.County
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		vil, err := householdPlace(ctx, tx, county, y.Household)
		if err != nil {
			return err
		}
		if !p.Sees(vil) {
			return auth.NotFound()
		}
		var before *auditYear
		if old, err := s.readYear(ctx, tx, county, y.Household, y.Year); err == nil {
			before = &auditYear{old.Status, old.Stable, len(old.Causes), old.Income, old.Expenses}
		} else if !errs.Is(err, "no_year_record") {
			return err
		}
		if err := s.setYearTx(ctx, tx, p.Username, county, y); err != nil {
			return err
		}
		e := audit.Entry{County: county, Actor: p.Username, Action: "registry.year", Object: fmt.Sprintf("household %s year %d", y.Household, y.Year), Place: string(vil),
			After: auditYear{y.Status, y.Stable, len(y.Causes), y.Income, y.Expenses}}
		if before != nil {
			e.Before = before
		}
		_, err = audit.Append(ctx, tx, e)
		return err
	})
	if err != nil {
		return Year{}, err
	}
	return s.Year(ctx, county, y.Household, y.Year)
}

// setYearTx writes a checked year record, copying the household's village
// and living members. Errors: NotFound (unknown_household).
func (s *Service) setYearTx(ctx context.Context, tx *store.Tx, actor, county string, y Year) error {
	enc, err := s.sealCauses(y.Causes)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO reg_years (county, year, household, village, members_alive, status, stable, causes_enc, income, expenses, updated_at, updated_by)
		SELECT county, ?, code, village, members_alive, ?, ?, ?, ?, ?, ?, ? FROM reg_households WHERE county = ? AND code = ?
		ON CONFLICT (county, year, household) DO UPDATE SET village = excluded.village, members_alive = excluded.members_alive, status = excluded.status,
			stable = excluded.stable, causes_enc = excluded.causes_enc, income = excluded.income, expenses = excluded.expenses,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		y.Year, y.Status, boolInt(y.Stable), enc, int64(y.Income), int64(y.Expenses), clock.Micros(tx.Now), actor, county, y.Household)
	if err != nil {
		return errs.Wrap(err, "registry: save year")
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errs.F(errs.NotFound, "unknown_household", "household", "no household %s", y.Household)
	}
	return nil
}

// Year returns a household's record of a year, with its causes in clear
// and the members alive now. Errors: NotFound (no_year_record).
func (s *Service) Year(ctx context.Context, county, household string, year int) (Year, error) {
	return s.readYear(ctx, s.db, county, household, year)
}

// YearTx is Year read through q (a use case's write transaction).
func (s *Service) YearTx(ctx context.Context, q store.Querier, county, household string, year int) (Year, error) {
	return s.readYear(ctx, q, county, household, year)
}

func (s *Service) readYear(ctx context.Context, q store.Querier, county, household string, year int) (Year, error) {
	y := Year{Household: household, Year: year}
	var stable int
	var enc string
	var inc, exp int64
	err := q.QueryRowContext(ctx, `SELECT status, stable, causes_enc, income, expenses, members_alive
		FROM reg_years WHERE county = ? AND year = ? AND household = ?`, county, year, household).Scan(&y.Status, &stable, &enc, &inc, &exp, &y.Members)
	if errors.Is(err, sql.ErrNoRows) {
		return Year{}, errs.F(errs.NotFound, "no_year_record", "year", "household %s has no record for %d", household, year)
	}
	if err != nil {
		return Year{}, errs.Wrap(err, "registry: read year")
	}
	if y.Causes, err = s.openCauses(enc); err != nil {
		return Year{}, err
	}
	y.Stable, y.Income, y.Expenses = stable != 0, money.Fen(inc), money.Fen(exp)
	y.PerCapita = perCapita(y.Income, y.Expenses, y.Members)
	return y, nil
}

// Screened is one household's year as the relief eligibility rules see it.
type Screened struct {
	Household       string
	Village         place.Code
	Year            Year
	AnyDeceasedOnly bool // no living member
}

// Screen calls fn with every household that has a record for year, in
// code order, with the record (causes in clear, members alive now,
// per-capita net income): one range scan of the year's records, which
// carry their household's village and living members, so a county's
// million households take seconds. Households without a record for the
// year are not visited. An error from fn stops the walk and is returned.
func (s *Service) Screen(ctx context.Context, county string, year int, fn func(Screened) error) error {
	return s.screen(ctx, county, year, fn)
}

// CountYears is how many households have a record of year: what Screen
// will walk.
func (s *Service) CountYears(ctx context.Context, county string, year int) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM reg_years WHERE county = ? AND year = ?`, county, year).Scan(&n); err != nil {
		return 0, errs.Wrap(err, "registry: count years")
	}
	return n, nil
}

func (s *Service) screen(ctx context.Context, county string, year int, fn func(Screened) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT household, village, members_alive, status, stable, causes_enc, income, expenses
		FROM reg_years WHERE county = ? AND year = ? ORDER BY household`, county, year)
	if err != nil {
		return errs.Wrap(err, "registry: screen")
	}
	defer rows.Close()
	for rows.Next() {
		var sc Screened
		var vil, enc string
		var stable int
		var inc, exp int64
		y := &sc.Year
		if err := rows.Scan(&sc.Household, &vil, &y.Members, &y.Status, &stable, &enc, &inc, &exp); err != nil {
			return errs.Wrap(err, "registry: screen")
		}
		if y.Causes, err = s.openCauses(enc); err != nil {
			return err
		}
		sc.Village = place.Code(vil)
		y.Household, y.Year, y.Stable, y.Income, y.Expenses = sc.Household, year, stable != 0, money.Fen(inc), money.Fen(exp)
		y.PerCapita = perCapita(y.Income, y.Expenses, y.Members)
		sc.AnyDeceasedOnly = y.Members == 0
		if err := fn(sc); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return errs.Wrap(err, "registry: screen")
	}
	return nil
}
