package agreements

// The county-wide dividend run (issue 13, "at county scale"): one money
// instruction (kind dividend_county_run, two people) entered by the
// county's finance or rural bureau for a calendar year — every active
// entity agreement of the county (or of one township) whose period
// ending in that year is paid in (declared and paid in, for equity) and
// not run yet. Each agreement's run is the single run's computation
// (planOf); the payload freezes per agreement only its period, amount,
// line count and a digest of its run (lines and legs), not the lines.
// At approval everything is computed again from the same tables and
// compared (instruction_stale), checked again (runs, pending runs, money
// paid in, the dividend money per channel), and written with multi-row
// statements in the approving transaction: a run row per agreement, its
// lines, an audit entry per run and one for the county run. The approval
// posts nothing: the lines wait for the payout mechanism's batches, as a
// single run's do.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
)

// CountyRunItem is one agreement of a county run as frozen: its period,
// amount, line count and the digest of its computed run.
type CountyRunItem struct {
	Agreement  int64      `json:"agreement"`
	Period     int        `json:"period"`
	Township   place.Code `json:"township"`
	Form       string     `json:"form"`
	Amount     money.Fen  `json:"amount"`
	Households int        `json:"households"`
	Digest     string     `json:"digest"`
}

// CountyRunOrder is a county run's payload.
type CountyRunOrder struct {
	Year       int             `json:"year"`
	Township   string          `json:"township"` // "": the whole county
	Agreements []CountyRunItem `json:"agreements"`
	Households int             `json:"households"` // the lines
	Total      money.Fen       `json:"total"`
}

// LeftOut is an active agreement a county run does not cover, and why
// (the code and words of the refusal a single run would get).
type LeftOut struct {
	Agreement int64      `json:"agreement"`
	Period    int        `json:"period"`
	Township  place.Code `json:"township"`
	Code      string     `json:"code"`
	Reason    string     `json:"reason"`
}

// CountyPlan is what a county run would freeze now, with the agreements
// it leaves out.
type CountyPlan struct {
	CountyRunOrder
	LeftOut []LeftOut `json:"left_out"`
	runs    []RunOrder
}

// CountyRun is a county run: its instruction and, once approved, each
// agreement's run id.
type CountyRun struct {
	Instruction instruct.Instruction
	Order       CountyRunOrder
	Runs        map[int64]int64 // agreement → run (approved)
}

// periodEnding is the period of a whose last day falls in year (0: none
// in the term).
func periodEnding(a Agreement, year int) int {
	for n := 1; n <= a.TermYears; n++ {
		_, to, _, err := periodRange(a, n, 0)
		if err != nil {
			return 0
		}
		if to.Year() == year {
			return n
		}
	}
	return 0
}

func runDigest(o RunOrder) string {
	b, _ := json.Marshal(o)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

type agPeriod struct {
	a int64
	n int
}

func checkYear(year int, township string) error {
	if year < 2000 || year > 2200 {
		return errs.F(errs.Invalid, "invalid_year", "year", "the year is a calendar year such as 2026")
	}
	if township != "" {
		c := place.Code(township)
		if !c.Valid() || c.Level() != place.Township {
			return errs.F(errs.Invalid, "invalid_place", "township", "%q is not a township's 12-digit code", township)
		}
	}
	return nil
}

// countyPlanTx computes a county run of year for p's county (township ""
// the whole county; only agreements p sees), reading everything through
// q in a few statements. self is the county run being approved (its
// pending run does not count against itself).
func (s *Service) countyPlanTx(ctx context.Context, q store.Querier, p auth.Principal, year int, township string, self int64) (CountyPlan, error) {
	county := p.County
	plan := CountyPlan{CountyRunOrder: CountyRunOrder{Year: year, Township: township, Agreements: []CountyRunItem{}}, LeftOut: []LeftOut{}}
	lo, hi := place.Range(p.Prefix())
	cond := `a.county = ? AND a.kind = 'entity' AND a.state = 'active' AND a.place BETWEEN ? AND ?`
	args := []any{county, lo, hi}
	if township != "" {
		cond += ` AND a.township = ?`
		args = append(args, township)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+agCols+` FROM ag_agreements a WHERE `+cond+` ORDER BY a.id`, args...)
	if err != nil {
		return plan, errs.Wrap(err, "agreements: county run")
	}
	var ags []Agreement
	idx := map[int64]int{}
	for rows.Next() {
		a, err := scan(county, rows)
		if err != nil {
			rows.Close()
			return plan, errs.Wrap(err, "agreements: county run")
		}
		a.Parties = []Party{}
		idx[a.ID] = len(ags)
		ags = append(ags, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return plan, errs.Wrap(err, "agreements: county run")
	}
	if len(ags) == 0 {
		return plan, nil
	}
	// Every household of the county's agreements in one pass along the
	// primary key; those of agreements not selected are skipped here.
	rows, err = q.QueryContext(ctx, `SELECT agreement, household, shares FROM ag_households WHERE county = ?`, county)
	if err != nil {
		return plan, errs.Wrap(err, "agreements: county run households")
	}
	for rows.Next() {
		var id int64
		var pt Party
		if err := rows.Scan(&id, &pt.Household, &pt.Shares); err != nil {
			rows.Close()
			return plan, errs.Wrap(err, "agreements: county run households")
		}
		if i, ok := idx[id]; ok {
			ags[i].Parties = append(ags[i].Parties, pt)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return plan, errs.Wrap(err, "agreements: county run households")
	}
	declared := map[agPeriod]money.Fen{}
	paid := map[agPeriod]money.Fen{}
	done := map[agPeriod]bool{}
	pending := map[agPeriod]int64{}
	if err := eachRow(ctx, q, `SELECT agreement, period, returns FROM ag_div_declared WHERE county = ?`, []any{county}, func(sc func(...any) error) error {
		var k agPeriod
		var v int64
		err := sc(&k.a, &k.n, &v)
		declared[k] = money.Fen(v)
		return err
	}); err != nil {
		return plan, err
	}
	if err := eachRow(ctx, q, `SELECT agreement, period, SUM(amount) FROM ag_div_payments WHERE county = ? GROUP BY agreement, period`, []any{county}, func(sc func(...any) error) error {
		var k agPeriod
		var v int64
		err := sc(&k.a, &k.n, &v)
		paid[k] = money.Fen(v)
		return err
	}); err != nil {
		return plan, err
	}
	if err := eachRow(ctx, q, `SELECT agreement, period FROM ag_div_runs WHERE county = ?`, []any{county}, func(sc func(...any) error) error {
		var k agPeriod
		err := sc(&k.a, &k.n)
		done[k] = true
		return err
	}); err != nil {
		return plan, err
	}
	if err := pendingRunsTx(ctx, q, county, self, pending); err != nil {
		return plan, err
	}
	for _, a := range ags {
		n := periodEnding(a, year)
		if n == 0 {
			continue // no period of its term ends in the year
		}
		k := agPeriod{a.ID, n}
		out := func(err error) {
			plan.LeftOut = append(plan.LeftOut, LeftOut{Agreement: a.ID, Period: n, Township: a.Township, Code: errs.CodeOf(err), Reason: err.Error()})
		}
		if done[k] {
			out(errs.F(errs.Conflict, "dividend_run_exists", "period", "agreement %d's year %d has its dividend run already", a.ID, n))
			continue
		}
		if id := pending[k]; id != 0 {
			out(errs.F(errs.Conflict, "dividend_run_pending", "period", "agreement %d's year %d has a run waiting for approval (instruction %d)", a.ID, n, id))
			continue
		}
		var owed money.Fen
		ok := true
		if a.Form == Guaranteed {
			if sc := a.Schedule(); n-1 < len(sc) {
				owed = sc[n-1].Dividend
			} else {
				ok = false
			}
		} else {
			var r money.Fen
			r, ok = declared[k]
			owed = a.HouseholdsShare.Of(r)
		}
		o, err := planOf(a, n, owed, ok)
		if err != nil {
			out(err)
			continue
		}
		if paid[k] < o.Amount {
			out(errs.F(errs.RuleBroken, "dividend_not_paid_in", "period", "the operator has paid %s of agreement %d's year-%d dividend of %s into the dividend money", paid[k], a.ID, n, o.Amount))
			continue
		}
		plan.runs = append(plan.runs, o)
		plan.Agreements = append(plan.Agreements, CountyRunItem{Agreement: a.ID, Period: n, Township: a.Township, Form: a.Form, Amount: o.Amount, Households: len(o.Lines), Digest: runDigest(o)})
		plan.Households += len(o.Lines)
		plan.Total += o.Amount
	}
	return plan, nil
}

// eachRow runs a query and calls fn with each row's Scan.
func eachRow(ctx context.Context, q store.Querier, query string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return errs.Wrap(err, "agreements: dividends")
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return errs.Wrap(err, "agreements: dividends")
		}
	}
	return rows.Err()
}

// pendingRunsTx adds to pending every (agreement, period) a pending run
// instruction covers — single runs by their subject, county runs by
// their payload — but self's.
func pendingRunsTx(ctx context.Context, q store.Querier, county string, self int64, pending map[agPeriod]int64) error {
	return eachRow(ctx, q, `SELECT id, kind, subject, payload FROM money_instructions WHERE county = ? AND state = 'pending' AND kind IN (?, ?) AND id <> ?`,
		[]any{county, instruct.DividendRun, instruct.DividendCountyRun, self}, func(sc func(...any) error) error {
			var id int64
			var kind, subject, payload string
			if err := sc(&id, &kind, &subject, &payload); err != nil {
				return err
			}
			if kind == instruct.DividendRun {
				var k agPeriod
				if _, err := fmt.Sscanf(subject, "agreement %d year %d", &k.a, &k.n); err == nil {
					pending[k] = id
				}
				return nil
			}
			var o CountyRunOrder
			if err := json.Unmarshal([]byte(payload), &o); err != nil {
				return err
			}
			for _, it := range o.Agreements {
				pending[agPeriod{it.Agreement, it.Period}] = id
			}
			return nil
		})
}

// coversTx checks that the dividend money holds, per channel, the runs'
// legs beside every line not yet sent.
func (s *Service) coversTx(ctx context.Context, tx *store.Tx, county string, runs []RunOrder) error {
	if err := s.setupDivTx(ctx, tx, county); err != nil {
		return err
	}
	bals, err := s.l.BalancesTx(ctx, tx, county, DividendFund)
	if err != nil {
		return err
	}
	have := map[string]money.Fen{}
	for _, b := range bals {
		have[b.Channel] += b.Amount
	}
	if err := eachRow(ctx, tx, `SELECT legs FROM ag_div_lines WHERE county = ? AND pay_status IN ('waiting', 'failed')`, []any{county}, func(sc func(...any) error) error {
		var lj string
		if err := sc(&lj); err != nil {
			return err
		}
		var ls []Leg
		_ = json.Unmarshal([]byte(lj), &ls)
		for _, l := range ls {
			have[l.Channel] -= l.Amount
		}
		return nil
	}); err != nil {
		return err
	}
	need := map[string]money.Fen{}
	var chans []string
	for _, o := range runs {
		for _, l := range o.Legs {
			if _, ok := need[l.Channel]; !ok {
				chans = append(chans, l.Channel)
			}
			need[l.Channel] += l.Amount
		}
	}
	slices.Sort(chans)
	for _, c := range chans {
		if have[c] < need[c] {
			return errs.F(errs.InsufficientFunds, "insufficient_funds", "fund", "the dividend money holds %s yuan of channel %s beside the lines not yet paid; the run needs %s yuan", max(have[c], 0), c, need[c])
		}
	}
	return nil
}

// PlanCountyRun is what a county run of year (township "": the whole
// county) would cover now: the agreements, their amounts, the lines and
// the total, and the agreements left out with their reasons. Errors:
// Forbidden, Invalid.
func (s *Service) PlanCountyRun(ctx context.Context, p auth.Principal, year int, township string) (CountyPlan, error) {
	if err := mayPay(p); err != nil {
		return CountyPlan{}, err
	}
	township = strings.TrimSpace(township)
	if err := checkYear(year, township); err != nil {
		return CountyPlan{}, err
	}
	return s.countyPlanTx(ctx, s.db, p, year, township, 0)
}

func countyRunSubject(year int, township string) string {
	if township == "" {
		return fmt.Sprintf("dividends %d county", year)
	}
	return fmt.Sprintf("dividends %d township %s", year, township)
}

// ProposeCountyRun enters a county run of year (township "": the whole
// county) for approval by another person: every active entity agreement
// whose period ending in year is paid in and not run yet, frozen per
// agreement (period, amount, lines, digest). The same key again is the
// instruction entered (Replayed). Errors: Forbidden, Invalid, RuleBroken
// (nothing_to_run), InsufficientFunds, and instruct's.
func (s *Service) ProposeCountyRun(ctx context.Context, p auth.Principal, year int, township, key string) (instruct.Instruction, error) {
	if err := mayPay(p); err != nil {
		return instruct.Instruction{}, err
	}
	if s.ins == nil || s.l == nil {
		return instruct.Instruction{}, errs.F(errs.Invalid, "invalid_instruction", "kind", "no capability posts money of kind %q", instruct.DividendCountyRun)
	}
	township = strings.TrimSpace(township)
	if err := checkYear(year, township); err != nil {
		return instruct.Instruction{}, err
	}
	return s.ins.Propose(ctx, p, func(tx *store.Tx) (instruct.New, error) {
		// The same key again is the instruction entered: instruct answers it.
		var mine int64
		_ = tx.QueryRowContext(ctx, `SELECT id FROM money_instructions WHERE county = ? AND kind = ? AND ikey = ?`, p.County, instruct.DividendCountyRun, strings.TrimSpace(key)).Scan(&mine)
		plan, err := s.countyPlanTx(ctx, tx, p, year, township, mine)
		if err != nil {
			return instruct.New{}, err
		}
		if len(plan.Agreements) == 0 {
			return instruct.New{}, errs.F(errs.RuleBroken, "nothing_to_run", "year", "no active agreement's %d dividend is paid in and not yet run (%d left out)", year, len(plan.LeftOut))
		}
		if err := s.coversTx(ctx, tx, p.County, plan.runs); err != nil {
			return instruct.New{}, err
		}
		pl := place.Code(p.County + "000000")
		where := "全县"
		if township != "" {
			pl, where = place.Code(township), "乡镇 "+township
		}
		return instruct.New{Kind: instruct.DividendCountyRun, Key: key, Place: pl, Amount: plan.Total, Subject: countyRunSubject(year, township),
			Summary: fmt.Sprintf("%d 年度分红（%s）：%d 份协议、%d 户，合计 %s 元（分红资金 → 农户）", year, where, len(plan.Agreements), plan.Households, plan.Total),
			Payload: plan.CountyRunOrder}, nil
	})
}

// execCountyRun freezes an approved county run: computed again and
// compared agreement by agreement (instruction_stale), checked again,
// then its runs, lines and audit entries written in multi-row statements.
// It posts nothing: the money moves in the payout batches.
func (s *Service) execCountyRun(ctx context.Context, tx *store.Tx, approver auth.Principal, in instruct.Instruction) ([]int64, error) {
	var o CountyRunOrder
	if err := instruct.Decode(in, &o); err != nil {
		return nil, err
	}
	maker := approver
	maker.Place = place.Code(in.County + "000000")
	if err := tx.FreshPlans(ctx); err != nil {
		return nil, err
	}
	plan, err := s.countyPlanTx(ctx, tx, maker, o.Year, o.Township, in.ID)
	if err != nil {
		return nil, err
	}
	now := map[int64]int{}
	for i, it := range plan.Agreements {
		now[it.Agreement] = i
	}
	left := map[int64]LeftOut{}
	for _, l := range plan.LeftOut {
		left[l.Agreement] = l
	}
	runs := make([]RunOrder, 0, len(o.Agreements))
	for _, it := range o.Agreements {
		i, ok := now[it.Agreement]
		if !ok {
			why := "changed"
			if l, ok := left[it.Agreement]; ok {
				why = l.Code
			}
			return nil, errs.F(errs.Conflict, "instruction_stale", "", "agreement %d's year-%d dividend can no longer be run as entered (%s): enter the county run again", it.Agreement, it.Period, why)
		}
		if plan.Agreements[i] != it {
			return nil, errs.F(errs.Conflict, "instruction_stale", "", "agreement %d's year-%d dividend changed since the run was entered: enter it again", it.Agreement, it.Period)
		}
		runs = append(runs, plan.runs[i])
	}
	if err := s.coversTx(ctx, tx, in.County, runs); err != nil {
		return nil, err
	}
	var run, line int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM ag_div_runs WHERE county = ?`, in.County).Scan(&run); err != nil {
		return nil, errs.Wrap(err, "agreements: run id")
	}
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM ag_div_lines WHERE county = ?`, in.County).Scan(&line); err != nil {
		return nil, errs.Wrap(err, "agreements: line id")
	}
	// The households' villages (a line is placed at its household's).
	village := map[string]string{}
	if err := eachRow(ctx, tx, `SELECT h.household, r.village FROM ag_households h JOIN reg_households r ON r.county = h.county AND r.code = h.household WHERE h.county = ?`, []any{in.County}, func(sc func(...any) error) error {
		var h, v string
		err := sc(&h, &v)
		village[h] = v
		return err
	}); err != nil {
		return nil, err
	}
	at := clock.Micros(tx.Now)
	runRows := make([][]any, 0, len(runs))
	lineRows := make([][]any, 0, o.Households)
	entries := make([]audit.Entry, 0, len(runs)+1)
	for i, r := range runs {
		run++
		it := o.Agreements[i]
		lj, _ := json.Marshal(r.Legs)
		runRows = append(runRows, []any{in.County, run, r.Agreement, r.Period, string(it.Township), int64(r.Amount), string(lj), in.ID, in.Maker, approver.Username, at})
		for _, l := range r.Lines {
			line++
			legs, _ := json.Marshal(l.Legs)
			lineRows = append(lineRows, []any{in.County, line, run, r.Agreement, l.Household, village[l.Household], l.Shares, int64(l.Amount), string(legs), PayWaiting, 0, 0})
		}
		entries = append(entries, audit.Entry{County: in.County, Actor: approver.Username, Action: "agreements.dividend_run", Object: fmt.Sprintf("agreement %d", r.Agreement), Place: string(it.Township),
			After: map[string]any{"run": run, "period": r.Period, "amount": r.Amount, "legs": r.Legs, "households": len(r.Lines), "maker": in.Maker, "approver": approver.Username, "instruction": in.ID}})
	}
	if err := store.InsertRows(ctx, tx, `INSERT INTO ag_div_runs (county, id, agreement, period, place, amount, legs, instruction, maker, approver, created_at) VALUES `, 11, runRows, ""); err != nil {
		return nil, errs.Wrap(err, "agreements: runs")
	}
	if err := store.InsertRows(ctx, tx, `INSERT INTO ag_div_lines (county, id, run, agreement, household, place, shares, amount, legs, pay_status, attempts, paid_transfer) VALUES `, 12, lineRows, ""); err != nil {
		return nil, errs.Wrap(err, "agreements: lines")
	}
	entries = append(entries, audit.Entry{County: in.County, Actor: approver.Username, Action: "agreements.dividend_county_run", Object: fmt.Sprintf("instruction %d", in.ID), Place: string(in.Place),
		After: map[string]any{"year": o.Year, "township": o.Township, "agreements": len(runs), "households": o.Households, "total": o.Total, "maker": in.Maker, "approver": approver.Username}})
	if _, err := audit.AppendAll(ctx, tx, entries); err != nil {
		return nil, err
	}
	return []int64{}, nil
}

// CountyRun reads a county run p may see (its instruction id), pending
// or approved. Errors: NotFound (unknown_run).
func (s *Service) CountyRun(ctx context.Context, p auth.Principal, id int64) (CountyRun, error) {
	if s.ins == nil {
		return CountyRun{}, unknownRun()
	}
	in, err := s.ins.Get(ctx, p, id)
	if err != nil || in.Kind != instruct.DividendCountyRun {
		return CountyRun{}, unknownRun()
	}
	out := CountyRun{Instruction: in, Runs: map[int64]int64{}}
	if err := instruct.Decode(in, &out.Order); err != nil {
		return CountyRun{}, err
	}
	err = eachRow(ctx, s.db, `SELECT agreement, id FROM ag_div_runs WHERE county = ? AND instruction = ?`, []any{p.County, id}, func(sc func(...any) error) error {
		var a, r int64
		err := sc(&a, &r)
		out.Runs[a] = r
		return err
	})
	return out, err
}
