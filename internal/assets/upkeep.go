package assets

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
)

// The kinds of upkeep record (管护记录).
const (
	Inspection = "inspection" // 巡查
	Repair     = "repair"     // 维修
)

// UpkeepKinds lists them in display order.
var UpkeepKinds = []string{Inspection, Repair}

// Plan is an asset's upkeep plan: an inspection every EveryMonths months,
// the next due on NextDue.
type Plan struct {
	EveryMonths int
	NextDue     string // YYYY-MM-DD
}

// Upkeep is one upkeep record.
type Upkeep struct {
	Seq  int
	Kind string // inspection, repair
	Day  string // YYYY-MM-DD
	Cost money.Fen
	// PayTo is the ledger account a repair's cost is paid to (the
	// contractor); with a cost and a project, the record enters a payment
	// instruction out of the project's account (funds.ProposePayment).
	PayTo       string
	Instruction int64
	Note        string
	Files       []int64
	CreatedBy   string
	CreatedAt   time.Time
}

func addMonths(day string, n int) string {
	t, _ := time.ParseInLocation("2006-01-02", day, clock.Zone)
	return t.AddDate(0, n, 0).Format("2006-01-02")
}

// SetPlan sets the asset's upkeep plan: an inspection every n months (1 …
// 60), the next one due on first ("": n months from today). Errors:
// Invalid (invalid_plan, invalid_date), NotFound, RuleBroken
// (asset_disposed), Forbidden.
func (s *Service) SetPlan(ctx context.Context, p auth.Principal, id int64, n int, first string) (Plan, error) {
	if err := mayWrite(p); err != nil {
		return Plan{}, err
	}
	if n < 1 || n > 60 {
		return Plan{}, errs.F(errs.Invalid, "invalid_plan", "every_months", "an inspection is planned every 1 to 60 months, not %d", n)
	}
	if err := checkDay(&first, "next_due", false); err != nil {
		return Plan{}, err
	}
	pl := Plan{EveryMonths: n, NextDue: first}
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		a, err := s.liveTx(ctx, tx, p, id)
		if err != nil {
			return err
		}
		now := s.now()
		if pl.NextDue == "" {
			pl.NextDue = addMonths(clock.Day(now), n)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM as_upkeep_plans WHERE county = ? AND asset = ?`, p.County, id); err != nil {
			return errs.Wrap(err, "assets: plan")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO as_upkeep_plans (county, asset, every_months, next_due, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)`,
			p.County, id, n, pl.NextDue, now.UnixMicro(), p.Username); err != nil {
			return errs.Wrap(err, "assets: plan")
		}
		return AddEventTx(ctx, tx, p, a, "upkeep_plan", map[string]string{"every_months": fmt.Sprint(n), "next_due": pl.NextDue}, now)
	})
	return pl, err
}

// PlanOf is the asset's upkeep plan (false: none).
func (s *Service) PlanOf(ctx context.Context, p auth.Principal, id int64) (Plan, bool, error) {
	var pl Plan
	err := s.db.QueryRowContext(ctx, `SELECT every_months, next_due FROM as_upkeep_plans WHERE county = ? AND asset = ?`, p.County, id).Scan(&pl.EveryMonths, &pl.NextDue)
	if errors.Is(err, sql.ErrNoRows) {
		return Plan{}, false, nil
	}
	if err != nil {
		return Plan{}, false, errs.Wrap(err, "assets: plan")
	}
	return pl, true, nil
}

// AddUpkeep records an inspection or a repair. An inspection moves the
// plan's next due day to its day plus the plan's months. A repair with a
// cost and a payee, of an asset a project built, enters the payment of the
// cost as a money instruction out of the project's account
// (funds.ProposePayment: a second person approves it, and only then does
// money move); the record keeps the instruction's id. The payment is
// entered first (its own transaction: the instruction checks the project
// holds the money) and the record after it. Errors: Invalid
// (invalid_upkeep, invalid_date, invalid_amount), NotFound, RuleBroken
// (asset_disposed, no_project_to_pay), Forbidden, those of
// funds.ProposePayment.
func (s *Service) AddUpkeep(ctx context.Context, p auth.Principal, id int64, u Upkeep, photos []Upload) (Upkeep, error) {
	if err := mayWrite(p); err != nil {
		return Upkeep{}, err
	}
	switch u.Kind {
	case Inspection:
		if u.Cost != 0 || u.PayTo != "" {
			return Upkeep{}, errs.F(errs.Invalid, "invalid_upkeep", "cost", "an inspection has no cost: record a repair")
		}
	case Repair:
		if u.Cost < 0 {
			return Upkeep{}, errs.F(errs.Invalid, "invalid_amount", "cost", "the cost cannot be negative")
		}
	default:
		return Upkeep{}, errs.F(errs.Invalid, "invalid_upkeep", "kind", "an upkeep record is an inspection or a repair")
	}
	if err := checkDay(&u.Day, "day", true); err != nil {
		return Upkeep{}, err
	}
	if err := CheckText(&u.Note, true, "note"); err != nil {
		return Upkeep{}, err
	}
	if err := CheckText(&u.PayTo, false, "pay_to"); err != nil {
		return Upkeep{}, err
	}
	a, err := s.Get(ctx, p, id)
	if err != nil {
		return Upkeep{}, err
	}
	if a.Status == Disposed {
		return Upkeep{}, errs.F(errs.RuleBroken, "asset_disposed", "id", "asset %s has been disposed of: its record is kept, nothing more is recorded", a.Code)
	}
	if u.Cost > 0 && u.PayTo != "" {
		if a.Project == "" || s.deps().funds == nil {
			return Upkeep{}, errs.F(errs.RuleBroken, "no_project_to_pay", "pay_to", "asset %s was not built by a project in onepool: its repair is paid outside the register (record the cost without a payee)", a.Code)
		}
		ins, err := s.deps().funds.ProposePayment(ctx, p, funds.Payment{Key: fmt.Sprintf("upkeep:%s:%d:%s:%d", p.County, id, u.Day, s.now().UnixMicro()),
			Project: a.Project, To: u.PayTo, Amount: u.Cost, Memo: fmt.Sprintf("资产 %s %s 维修：%s", a.Code, a.Name, u.Note)})
		if err != nil {
			return Upkeep{}, err
		}
		u.Instruction = ins.ID
	}
	if len(photos) > 0 && s.deps().vol == nil {
		return Upkeep{}, errs.F(errs.Unavailable, "no_volume", "files", "documents cannot be stored here")
	}
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		a, err := s.liveTx(ctx, tx, p, id)
		if err != nil {
			return err
		}
		u.Files = nil
		for _, f := range photos {
			vf, err := s.deps().vol.PutTx(ctx, tx, p.Username, p.County, VolumeOwner(id), "inspection", f.Name, string(a.Place), f.Body)
			if err != nil {
				return err
			}
			u.Files = append(u.Files, vf.ID)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM as_upkeep WHERE county = ? AND asset = ?`, p.County, id).Scan(&u.Seq); err != nil {
			return errs.Wrap(err, "assets: upkeep seq")
		}
		now := s.now()
		u.CreatedBy, u.CreatedAt = p.Username, now
		if _, err := tx.ExecContext(ctx, `INSERT INTO as_upkeep (county, asset, seq, kind, on_day, cost, instruction, note, files, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.County, id, u.Seq, u.Kind, u.Day, u.Cost, u.Instruction, u.Note, joinIDs(u.Files), now.UnixMicro(), p.Username); err != nil {
			return errs.Wrap(err, "assets: upkeep")
		}
		if u.Kind == Inspection {
			var every int
			var due string
			err := tx.QueryRowContext(ctx, `SELECT every_months, next_due FROM as_upkeep_plans WHERE county = ? AND asset = ?`, p.County, id).Scan(&every, &due)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return errs.Wrap(err, "assets: plan")
			}
			if err == nil {
				if next := addMonths(u.Day, every); next > due {
					if _, err := tx.ExecContext(ctx, `UPDATE as_upkeep_plans SET next_due = ?, updated_at = ?, updated_by = ? WHERE county = ? AND asset = ?`,
						next, now.UnixMicro(), p.Username, p.County, id); err != nil {
						return errs.Wrap(err, "assets: plan")
					}
				}
			}
		}
		return AddEventTx(ctx, tx, p, a, "upkeep", map[string]string{"kind": u.Kind, "day": u.Day, "cost": u.Cost.Plain(), "note": u.Note,
			"instruction": fmt.Sprint(u.Instruction)}, now)
	})
	return u, err
}

// Upkeeps lists an asset's upkeep records in order.
func (s *Service) Upkeeps(ctx context.Context, p auth.Principal, id int64) ([]Upkeep, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT seq, kind, on_day, cost, instruction, note, files, created_by, created_at FROM as_upkeep WHERE county = ? AND asset = ? ORDER BY seq`, p.County, id)
	if err != nil {
		return nil, errs.Wrap(err, "assets: upkeep")
	}
	defer rows.Close()
	out := []Upkeep{}
	for rows.Next() {
		var u Upkeep
		var files string
		var at int64
		if err := rows.Scan(&u.Seq, &u.Kind, &u.Day, &u.Cost, &u.Instruction, &u.Note, &files, &u.CreatedBy, &at); err != nil {
			return nil, err
		}
		u.Files, u.CreatedAt = splitIDs(files), time.UnixMicro(at)
		out = append(out, u)
	}
	return out, rows.Err()
}

// Overdue is an asset whose next inspection is past due.
type Overdue struct {
	ID       int64
	Code     string
	Name     string
	Place    place.Code
	NextDue  string
	DaysLate int
	Keeper   string
}

// OverdueUpkeep lists the assets in p's area (not disposed) whose next
// inspection was due before today, the latest first up to limit, and how
// many there are. It reads as_upkeep_due's range of days before today.
func (s *Service) OverdueUpkeep(ctx context.Context, p auth.Principal, limit int) ([]Overdue, int, error) {
	today := clock.Day(s.now())
	lo, hi := place.Range(p.Prefix())
	const from = ` FROM as_upkeep_plans u JOIN as_assets a ON a.county = u.county AND a.id = u.asset
		WHERE u.county = ? AND u.next_due < ? AND a.place BETWEEN ? AND ? AND a.status <> 'disposed'`
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*)`+from, p.County, today, lo, hi).Scan(&n); err != nil {
		return nil, 0, errs.Wrap(err, "assets: overdue")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT a.id, a.code, a.name, a.place, u.next_due, a.keeper_unit, a.keeper_person`+from+fmt.Sprintf(` ORDER BY u.next_due, a.id LIMIT %d`, max(limit, 1)),
		p.County, today, lo, hi)
	if err != nil {
		return nil, 0, errs.Wrap(err, "assets: overdue")
	}
	defer rows.Close()
	out := []Overdue{}
	t0, _ := time.ParseInLocation("2006-01-02", today, clock.Zone)
	for rows.Next() {
		var o Overdue
		var pl, ku, kp string
		if err := rows.Scan(&o.ID, &o.Code, &o.Name, &pl, &o.NextDue, &ku, &kp); err != nil {
			return nil, 0, err
		}
		o.Place = place.Code(pl)
		if d, err := time.ParseInLocation("2006-01-02", o.NextDue, clock.Zone); err == nil {
			o.DaysLate = int(t0.Sub(d).Hours()/24 + 0.5)
		}
		o.Keeper = ku
		if kp != "" {
			o.Keeper += " " + kp
		}
		out = append(out, o)
	}
	return out, n, rows.Err()
}
