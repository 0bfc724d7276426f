package funds

import (
	"context"
	"sort"
	"strings"

	"onepool/internal/audit"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/place"
	"onepool/internal/store"
)

// AssignmentRoles are the parts of a village's help team ("1119").
var AssignmentRoles = []string{"leader", "lead_unit", "member_unit", "enterprise"}

// Team is a village's help assignment.
type Team struct {
	Village place.Code
	Members map[string][]string // role → names
	Pairs   []Pair              // cadres paired with households of the village
}

// Pair is a cadre paired with a household (结对帮扶).
type Pair struct {
	Household string // ledger account code
	Name      string // the household account's name
	Cadre     string
}

// Assign sets who holds a role in a village's team (replacing the role's
// names). Errors: Invalid (naming the field).
func (s *Service) Assign(ctx context.Context, actor, county string, village place.Code, role string, names []string) error {
	if !village.Valid() || village.Level() != place.Village || !place.Code(county+"000000").Contains(village) {
		return errs.F(errs.Invalid, "invalid_place", "village", "%q is not a village of county %s", village, county)
	}
	if !contains(AssignmentRoles, role) {
		return errs.F(errs.Invalid, "invalid_role", "role", "role %q must be one of %s", role, strings.Join(AssignmentRoles, ", "))
	}
	var clean []string
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n != "" && !seen[n] {
			seen[n] = true
			clean = append(clean, n)
		}
	}
	if role == "leader" && len(clean) > 1 {
		return errs.F(errs.Invalid, "invalid_assignment", "names", "a village has one county leader")
	}
	return s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM fund_assignments WHERE county = ? AND village = ? AND role = ?`, county, string(village), role); err != nil {
			return errs.Wrap(err, "funds: assignments")
		}
		for _, n := range clean {
			if _, err := tx.ExecContext(ctx, `INSERT INTO fund_assignments (county, village, role, name, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)`,
				county, string(village), role, n, clock.Micros(tx.Now), actor); err != nil {
				return errs.Wrap(err, "funds: assign")
			}
		}
		_, err := audit.Append(ctx, tx, audit.Entry{County: county, Actor: actor, Action: "funds.assign", Object: "team of " + string(village) + " " + role,
			Place: string(village), After: clean})
		return err
	})
}

// PairCadre pairs a cadre with a household account of a village.
// Errors: NotFound (unknown_account), Invalid.
func (s *Service) PairCadre(ctx context.Context, actor, county, household, cadre string) error {
	a, err := s.l.Account(ctx, county, household)
	if err != nil {
		return err
	}
	if a.Kind != ledger.Household {
		return errs.F(errs.Invalid, "invalid_account", "household", "%s is not a household account", household)
	}
	cadre = strings.TrimSpace(cadre)
	if cadre == "" {
		return errs.F(errs.Invalid, "invalid_assignment", "cadre", "name the cadre")
	}
	return s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO fund_cadre_pairs (county, household, cadre, village, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (county, household) DO UPDATE SET cadre = excluded.cadre, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			county, household, cadre, string(a.Place), clock.Micros(tx.Now), actor); err != nil {
			return errs.Wrap(err, "funds: pair")
		}
		_, err := audit.Append(ctx, tx, audit.Entry{County: county, Actor: actor, Action: "funds.pair", Object: "household " + household, Place: string(a.Place), After: cadre})
		return err
	})
}

// Teams lists the help teams of the villages under prefix.
func (s *Service) Teams(ctx context.Context, county, prefix string) ([]Team, error) {
	lo, hi := place.Range(prefix)
	teams := map[place.Code]*Team{}
	get := func(v place.Code) *Team {
		if teams[v] == nil {
			teams[v] = &Team{Village: v, Members: map[string][]string{}}
		}
		return teams[v]
	}
	rows, err := s.db.QueryContext(ctx, `SELECT village, role, name FROM fund_assignments WHERE county = ? AND village BETWEEN ? AND ? ORDER BY village, role, name`, county, lo, hi)
	if err != nil {
		return nil, errs.Wrap(err, "funds: teams")
	}
	for rows.Next() {
		var v, role, name string
		if err := rows.Scan(&v, &role, &name); err != nil {
			rows.Close()
			return nil, err
		}
		t := get(place.Code(v))
		t.Members[role] = append(t.Members[role], name)
	}
	rows.Close()
	rows, err = s.db.QueryContext(ctx, `SELECT p.village, p.household, a.name, p.cadre FROM fund_cadre_pairs p JOIN ledger_accounts a ON a.county = p.county AND a.code = p.household
		WHERE p.county = ? AND p.village BETWEEN ? AND ? ORDER BY p.village, p.household`, county, lo, hi)
	if err != nil {
		return nil, errs.Wrap(err, "funds: pairs")
	}
	for rows.Next() {
		var v string
		var p Pair
		if err := rows.Scan(&v, &p.Household, &p.Name, &p.Cadre); err != nil {
			rows.Close()
			return nil, err
		}
		t := get(place.Code(v))
		t.Pairs = append(t.Pairs, p)
	}
	rows.Close()
	out := make([]Team, 0, len(teams))
	for _, t := range teams {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Village < out[j].Village })
	return out, nil
}
