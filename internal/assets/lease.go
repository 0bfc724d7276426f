package assets

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/store"
)

// The kinds of agreement an idle or operating asset is put to use by
// (M-52): leased (出租, a yearly rent) or invested (入股, a share of the
// operator's profit). Neither changes the owner: the village collective
// stays the owner (不改变村集体产权性质).
const (
	LeaseRent   = "lease"
	LeaseInvest = "invest"
)

// The states of a lease.
const (
	LeaseActive = "active"
	LeaseEnded  = "ended"
)

// Lease is an agreement putting an asset to use.
type Lease struct {
	County           string
	ID               int64
	Asset            int64
	Kind             string // lease or invest
	Counterparty     string // the entity's USCC
	CounterpartyName string
	Starts, Ends     string    // YYYY-MM-DD (Ends: the last day)
	Rent             money.Fen // yearly rent (lease)
	Share            int64     // basis points (invest)
	Doc              string
	State            string
	PriorUse         string
	CreatedBy        string
	CreatedAt        time.Time
	EndedBy          string
	EndedAt          time.Time
}

// NewLease is what leasing or investing an asset takes.
type NewLease struct {
	Kind         string
	Counterparty string // USCC of an entity of the county's register
	Starts       string // YYYY-MM-DD
	Years        int    // the term in years, or
	Ends         string // the last day (YYYY-MM-DD)
	Rent         money.Fen
	Share        int64 // basis points
	Doc          string
}

func parseDay(field, s string) (time.Time, error) {
	d, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, errs.F(errs.Invalid, "invalid_date", field, "%s must be a date like 2026-01-01", field)
	}
	return d, nil
}

// checkLease checks the terms of n and returns its last day.
func checkLease(n *NewLease) error {
	if n.Kind == "" {
		n.Kind = LeaseRent
	}
	if n.Kind != LeaseRent && n.Kind != LeaseInvest {
		return errs.F(errs.Invalid, "invalid_lease", "kind", "a lease is a lease (出租) or an investment (入股)")
	}
	if err := CheckText(&n.Doc, true, "doc"); err != nil {
		return err
	}
	start, err := parseDay("starts", n.Starts)
	if err != nil {
		return err
	}
	var end time.Time
	switch {
	case strings.TrimSpace(n.Ends) != "":
		if end, err = parseDay("ends", n.Ends); err != nil {
			return err
		}
	case n.Years > 0 && n.Years <= 50:
		end = start.AddDate(n.Years, 0, -1)
	default:
		return errs.F(errs.Invalid, "invalid_lease", "years", "give the term: 1 to 50 years or the last day")
	}
	if !end.After(start) {
		return errs.F(errs.Invalid, "invalid_lease", "ends", "the lease ends after it starts")
	}
	n.Starts, n.Ends = start.Format("2006-01-02"), end.Format("2006-01-02")
	switch n.Kind {
	case LeaseRent:
		if n.Rent <= 0 {
			return errs.F(errs.Invalid, "invalid_amount", "rent", "the yearly rent must be more than zero")
		}
		n.Share = 0
	case LeaseInvest:
		if n.Share <= 0 || n.Share > 10000 {
			return errs.F(errs.Invalid, "invalid_lease", "share", "the share of an investment is more than 0%% and at most 100%%")
		}
		if n.Rent < 0 {
			return errs.F(errs.Invalid, "invalid_amount", "rent", "the yearly rent must be more than zero")
		}
	}
	n.Counterparty = strings.ToUpper(strings.TrimSpace(n.Counterparty))
	return nil
}

// mayOwnerUnchanged checks that a lease leaves the collective's ownership
// as it is: the asset is an operating asset confirmed to a village
// collective, not being disposed of.
func mayOwnerUnchanged(a Asset) error {
	if a.Type != Operating {
		return errs.F(errs.RuleBroken, "not_operating", "id", "asset %s is not an operating asset: only operating assets are leased or invested", a.Code)
	}
	switch a.Status {
	case Confirmed:
	case Disposing, Disposed:
		return errs.F(errs.RuleBroken, "asset_disposing", "id", "asset %s is being disposed of or disposed: it cannot be leased", a.Code)
	default:
		return errs.F(errs.RuleBroken, "not_confirmed", "id", "asset %s is not confirmed to the village collective yet: confirm its ownership (确权) first", a.Code)
	}
	if a.OwnerKind != OwnerCollective || a.Owner == "" {
		return errs.F(errs.RuleBroken, "not_confirmed", "id", "asset %s is not confirmed to the village collective yet: confirm its ownership (确权) first", a.Code)
	}
	return nil
}

// LeaseAsset leases or invests an operating asset confirmed to its
// village's collective, to an entity of the county's register: the owner
// is unchanged, its use becomes leased or invested. Errors: Invalid,
// NotFound (unknown_asset, unknown_entity — an entity of another county
// too), RuleBroken (not_operating, not_confirmed, asset_disposing,
// already_leased, lease_to_owner), Forbidden.
func (s *IncomeService) LeaseAsset(ctx context.Context, p auth.Principal, asset int64, n NewLease) (Lease, error) {
	var id int64
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		var err error
		id, err = s.LeaseTx(ctx, tx, p, asset, n)
		return err
	})
	if err != nil {
		return Lease{}, err
	}
	return s.Lease(ctx, p, id)
}

// LeaseTx is LeaseAsset in the caller's transaction.
func (s *IncomeService) LeaseTx(ctx context.Context, tx *store.Tx, p auth.Principal, asset int64, n NewLease) (int64, error) {
	if err := mayWrite(p); err != nil {
		return 0, err
	}
	if err := checkLease(&n); err != nil {
		return 0, err
	}
	a, err := s.a.GetTx(ctx, tx, p, asset)
	if err != nil {
		return 0, err
	}
	if err := mayOwnerUnchanged(a); err != nil {
		return 0, err
	}
	var name, kind string
	err = tx.QueryRowContext(ctx, `SELECT name, kind FROM ent_entities WHERE county = ? AND uscc = ?`, p.County, n.Counterparty).Scan(&name, &kind)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errs.F(errs.NotFound, "unknown_entity", "counterparty", "no business entity %s in this county's register", n.Counterparty)
	}
	if err != nil {
		return 0, errs.Wrap(err, "assets: counterparty")
	}
	if n.Counterparty == a.Owner {
		return 0, errs.F(errs.RuleBroken, "lease_to_owner", "counterparty", "the asset belongs to %s already: a lease is to another entity", name)
	}
	var live int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM as_leases WHERE county = ? AND asset = ? AND state = ?`, p.County, asset, LeaseActive).Scan(&live); err != nil {
		return 0, errs.Wrap(err, "assets: leases")
	}
	if live > 0 {
		return 0, errs.F(errs.RuleBroken, "already_leased", "id", "asset %s is leased or invested already: end that agreement first", a.Code)
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM as_leases WHERE county = ?`, p.County).Scan(&id); err != nil {
		return 0, errs.Wrap(err, "assets: lease id")
	}
	now := s.now()
	use := Leased
	if n.Kind == LeaseInvest {
		use = Invested
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO as_leases (county, id, asset, kind, counterparty, counterparty_name, starts, ends, rent, share, doc, state, prior_use, created_at, created_by, ended_at, ended_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '')`, p.County, id, asset, n.Kind, n.Counterparty, name, n.Starts, n.Ends, int64(n.Rent), n.Share, n.Doc, LeaseActive, a.UseState, now.UnixMicro(), p.Username); err != nil {
		return 0, errs.Wrap(err, "assets: lease")
	}
	// The owner is not touched: only the use changes.
	if _, err := tx.ExecContext(ctx, `UPDATE as_assets SET use_state = ?, updated_at = ?, updated_by = ? WHERE county = ? AND id = ?`, use, now.UnixMicro(), p.Username, p.County, asset); err != nil {
		return 0, errs.Wrap(err, "assets: use")
	}
	return id, AddEventTx(ctx, tx, p, a, n.Kind, map[string]string{"lease": fmt.Sprint(id), "counterparty": n.Counterparty, "name": name,
		"starts": n.Starts, "ends": n.Ends, "rent": n.Rent.Plain(), "share": fmt.Sprint(n.Share), "doc": n.Doc, "owner": a.Owner}, now)
}

// EndLease ends a lease: the asset returns to in use, or to idle when
// idle is true. Errors: NotFound (unknown_lease), RuleBroken
// (lease_ended), Forbidden.
func (s *IncomeService) EndLease(ctx context.Context, p auth.Principal, id int64, idle bool) (Lease, error) {
	if err := mayWrite(p); err != nil {
		return Lease{}, err
	}
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		l, err := s.leaseTx(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if l.State != LeaseActive {
			return errs.F(errs.RuleBroken, "lease_ended", "id", "lease %d has ended already", id)
		}
		a, err := s.a.GetTx(ctx, tx, p, l.Asset)
		if err != nil {
			return err
		}
		use := InUse
		if idle {
			use = Idle
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE as_leases SET state = ?, ended_at = ?, ended_by = ? WHERE county = ? AND id = ?`, LeaseEnded, now.UnixMicro(), p.Username, p.County, id); err != nil {
			return errs.Wrap(err, "assets: end lease")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE as_assets SET use_state = ?, updated_at = ?, updated_by = ? WHERE county = ? AND id = ?`, use, now.UnixMicro(), p.Username, p.County, l.Asset); err != nil {
			return errs.Wrap(err, "assets: use")
		}
		return AddEventTx(ctx, tx, p, a, "lease_ended", map[string]string{"lease": fmt.Sprint(id), "use": use}, now)
	})
	if err != nil {
		return Lease{}, err
	}
	return s.Lease(ctx, p, id)
}

const leaseCols = `id, asset, kind, counterparty, counterparty_name, starts, ends, rent, share, doc, state, prior_use, created_at, created_by, ended_at, ended_by`

func scanLease(county string, sc interface{ Scan(...any) error }) (Lease, error) {
	l := Lease{County: county}
	var rent, cr, en int64
	err := sc.Scan(&l.ID, &l.Asset, &l.Kind, &l.Counterparty, &l.CounterpartyName, &l.Starts, &l.Ends, &rent, &l.Share, &l.Doc, &l.State, &l.PriorUse, &cr, &l.CreatedBy, &en, &l.EndedBy)
	l.Rent, l.CreatedAt = money.Fen(rent), time.UnixMicro(cr)
	if en != 0 {
		l.EndedAt = time.UnixMicro(en)
	}
	return l, err
}

func (s *IncomeService) leaseTx(ctx context.Context, q store.Querier, p auth.Principal, id int64) (Lease, error) {
	l, err := scanLease(p.County, q.QueryRowContext(ctx, `SELECT `+leaseCols+` FROM as_leases WHERE county = ? AND id = ?`, p.County, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Lease{}, errs.F(errs.NotFound, "unknown_lease", "id", "no such lease")
	}
	if err != nil {
		return Lease{}, errs.Wrap(err, "assets: lease")
	}
	if _, err := s.a.GetTx(ctx, q, p, l.Asset); err != nil {
		return Lease{}, errs.F(errs.NotFound, "unknown_lease", "id", "no such lease")
	}
	return l, nil
}

// Lease returns a lease.
func (s *IncomeService) Lease(ctx context.Context, p auth.Principal, id int64) (Lease, error) {
	return s.leaseTx(ctx, s.db, p, id)
}

// Leases lists an asset's leases, newest first.
func (s *IncomeService) Leases(ctx context.Context, p auth.Principal, asset int64) ([]Lease, error) {
	if _, err := s.a.Get(ctx, p, asset); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+leaseCols+` FROM as_leases WHERE county = ? AND asset = ? ORDER BY id DESC`, p.County, asset)
	if err != nil {
		return nil, errs.Wrap(err, "assets: leases")
	}
	defer rows.Close()
	out := []Lease{}
	for rows.Next() {
		l, err := scanLease(p.County, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
