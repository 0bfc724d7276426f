package assets

// The county-wide distribution run (issue 14, "at county scale"): one
// money instruction (kind asset_county_run, two people) covering a year —
// every operating asset of the county (or of one township) confirmed to
// its collective, with income recorded for the year and no run of it yet.
// Each asset's run is the single run's computation (applyShares,
// planLines) by the profile's rule over the households kept with the
// asset (as_beneficiaries, migration 0039). The payload freezes per asset
// only its amount, line count and a digest of its lines; at approval
// everything is computed again from the same tables and compared
// (instruction_stale naming the asset), then written in the approving
// transaction with multi-row statements: a run row per asset, its lines,
// the postings (the single run's: collective lines to the collective's
// account, the households' total to the distribution fund), the assets'
// events and the audit entries. One transaction: a kill during it leaves
// nothing and the instruction pending; the households' lines are then
// paid through the payout mechanism's batches (chunked, resumable).

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
)

// CountyRunItem is one asset of a county run as frozen.
type CountyRunItem struct {
	Asset      int64      `json:"asset"`
	Code       string     `json:"code"`
	Village    place.Code `json:"village"`
	Amount     money.Fen  `json:"amount"`
	Lines      int        `json:"lines"`
	Households int        `json:"households"`
	Digest     string     `json:"digest"`
}

// CountyRunOrder is a county run's payload.
type CountyRunOrder struct {
	Year       int             `json:"year"`
	Township   string          `json:"township"` // "": the whole area of the maker
	Assets     []CountyRunItem `json:"assets"`
	Lines      int             `json:"lines"`
	Households int             `json:"households"` // the household lines
	Total      money.Fen       `json:"total"`
	// Uses: each share's use as entered, by the rule's key (none: the
	// shares' names).
	Uses map[string]string `json:"uses,omitempty"`
}

// CountyLeftOut is an operating asset a county run does not cover, and
// why (the code and words a single run would be refused with).
type CountyLeftOut struct {
	Asset  int64  `json:"asset"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
	Words  string `json:"words"`
}

// CountyPlan is what a county run would freeze now, with the assets it
// leaves out.
type CountyPlan struct {
	CountyRunOrder
	LeftOut []CountyLeftOut `json:"left_out"`
	plans   []assetPlan
}

type assetPlan struct {
	a          Asset
	shares     []RunShare
	sharesJSON string    // json.Marshal(shares)
	lines      []RunLine // numbered 1, 2, …
	legs       []string  // each line's legs' JSON (legsJSON)
}

// CountyRun is a county run: its instruction and, once approved, each
// asset's run id.
type CountyRun struct {
	Instruction instruct.Instruction
	Order       CountyRunOrder
	Runs        map[int64]int64 // asset → run (approved)
}

type assetPeriod struct {
	asset  int64
	period int
}

// planDigest is an asset's digest in a county run's payload: of its
// applied shares' JSON and its lines' digest (numbered from 1).
func planDigest(sharesJSON string, lines []RunLine, legs []string) string {
	sum := sha256.Sum256([]byte(sharesJSON + "\n" + digestLinesLegs(lines, legs)))
	return hex.EncodeToString(sum[:16])
}

// pendingCountyRunsTx lists every (asset, year) a pending county run but
// self covers.
func pendingCountyRunsTx(ctx context.Context, q store.Querier, county string, self int64) (map[assetPeriod]int64, error) {
	out := map[assetPeriod]int64{}
	rows, err := q.QueryContext(ctx, `SELECT id, payload FROM money_instructions WHERE county = ? AND kind = ? AND state = ? AND id <> ?`, county, instruct.AssetCountyRun, instruct.Pending, self)
	if err != nil {
		return nil, errs.Wrap(err, "assets: pending county runs")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var payload string
		if err := rows.Scan(&id, &payload); err != nil {
			return nil, err
		}
		var o CountyRunOrder
		if err := json.Unmarshal([]byte(payload), &o); err != nil {
			return nil, errs.Wrap(err, "assets: pending county run")
		}
		for _, it := range o.Assets {
			out[assetPeriod{it.Asset, o.Year}] = id
		}
	}
	return out, rows.Err()
}

func checkRunYear(year int, township string) error {
	if year < 2000 || year > 2100 {
		return errs.F(errs.Invalid, "invalid_period", "period", "the period is a year")
	}
	if township != "" {
		c := place.Code(township)
		if !c.Valid() || c.Level() != place.Township {
			return errs.F(errs.Invalid, "invalid_place", "township", "%q is not a township's 12-digit code", township)
		}
	}
	return nil
}

// eachRow runs a query and calls fn with each row's Scan.
func eachRow(ctx context.Context, q store.Querier, query string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return errs.Wrap(err, "assets: county run")
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return errs.Wrap(err, "assets: county run")
		}
	}
	return rows.Err()
}

// countyPlanTx computes a county run of year for p's area (township: one
// township of it), reading its inputs through q in a few statements.
// self is the county run being approved (its own pending payload does not
// hold its assets).
func (s *IncomeService) countyPlanTx(ctx context.Context, q store.Querier, p auth.Principal, year int, township string, uses map[string]string, self int64) (CountyPlan, error) {
	county := p.County
	plan := CountyPlan{CountyRunOrder: CountyRunOrder{Year: year, Township: township, Assets: []CountyRunItem{}}, LeftOut: []CountyLeftOut{}}
	rule, err := s.rule(ctx, county)
	if err != nil {
		return plan, err
	}
	applied, hasHouseholds, err := applyShares(rule, nil, uses)
	if err != nil {
		return plan, err
	}
	prefix := p.Prefix()
	if township != "" {
		if !strings.HasPrefix(place.Code(township).Prefix(), prefix) {
			return plan, nil
		}
		prefix = place.Code(township).Prefix()
	}
	lo, hi := place.Range(prefix)
	var as []Asset
	idx := map[int64]int{}
	err = eachRow(ctx, q, `SELECT `+assetCols+` FROM as_assets WHERE county = ? AND type = ? AND status IN (?, ?) AND place BETWEEN ? AND ? ORDER BY id`,
		[]any{county, Operating, Confirmed, Disposing, lo, hi}, func(sc func(...any) error) error {
			a, err := scan(county, scanFunc(sc))
			a.Legs, a.Shares = []Leg{}, []Share{}
			idx[a.ID] = len(as)
			as = append(as, a)
			return err
		})
	if err != nil || len(as) == 0 {
		return plan, err
	}
	// The year's income, the co-owning villages, the runs, the households
	// kept with each asset: one pass each over the county's rows.
	income := map[int64]*PeriodIncome{}
	legsBy := map[int64]map[string]money.Fen{}
	if err := eachRow(ctx, q, `SELECT asset, amount, legs FROM as_income WHERE county = ? AND period = ? ORDER BY asset, id`, []any{county, year}, func(sc func(...any) error) error {
		var id, amt int64
		var legs string
		if err := sc(&id, &amt, &legs); err != nil {
			return err
		}
		if _, ok := idx[id]; !ok {
			return nil
		}
		pi := income[id]
		if pi == nil {
			pi = &PeriodIncome{Period: year}
			income[id], legsBy[id] = pi, map[string]money.Fen{}
		}
		pi.Total += money.Fen(amt)
		pi.Count++
		for _, l := range decodeLegs(legs) {
			legsBy[id][l.Channel] += l.Amount
		}
		return nil
	}); err != nil {
		return plan, err
	}
	for id, pi := range income {
		pi.Legs = sortedLegs(legsBy[id])
	}
	if err := eachRow(ctx, q, `SELECT asset, village, share FROM as_shares WHERE county = ? ORDER BY asset, village`, []any{county}, func(sc func(...any) error) error {
		var id int64
		var sh Share
		var v string
		if err := sc(&id, &v, &sh.Share); err != nil {
			return err
		}
		if i, ok := idx[id]; ok {
			sh.Village = place.Code(v)
			as[i].Shares = append(as[i].Shares, sh)
		}
		return nil
	}); err != nil {
		return plan, err
	}
	runs := map[int64]string{} // asset → state of its live run's instruction
	if err := eachRow(ctx, q, `SELECT r.asset, i.state FROM as_dist_runs r JOIN money_instructions i ON i.county = r.county AND i.id = r.instruction
		WHERE r.county = ? AND r.period = ? AND i.state <> ?`, []any{county, year, instruct.Rejected}, func(sc func(...any) error) error {
		var id int64
		var st string
		err := sc(&id, &st)
		if runs[id] != instruct.Posted {
			runs[id] = st
		}
		return err
	}); err != nil {
		return plan, err
	}
	pending, err := pendingCountyRunsTx(ctx, q, county, self)
	if err != nil {
		return plan, err
	}
	kept, spans, err := keptHouseholdsTx(ctx, q, county, idx, len(as), p.Prefix())
	if err != nil {
		return plan, err
	}
	sharesJSON := newSharesJSON(applied)
	for i, a := range as {
		out := func(err error) {
			plan.LeftOut = append(plan.LeftOut, CountyLeftOut{Asset: a.ID, Code: a.Code, Reason: errs.CodeOf(err), Words: err.Error()})
		}
		pi := income[a.ID]
		switch {
		case pi == nil || pi.Total == 0:
			out(errs.F(errs.RuleBroken, "no_income", "period", "asset %s has no income recorded for %d", a.Code, year))
			continue
		case runs[a.ID] == instruct.Posted:
			out(errs.F(errs.RuleBroken, "run_exists", "period", "the income of %d of asset %s has a distribution run already", year, a.Code))
			continue
		case runs[a.ID] != "":
			out(errs.F(errs.RuleBroken, "run_pending", "period", "the income of %d of asset %s has a distribution run waiting for approval", year, a.Code))
			continue
		case pending[assetPeriod{a.ID, year}] != 0:
			out(errs.F(errs.RuleBroken, "run_pending", "period", "the income of %d of asset %s is in a county-wide distribution run waiting for approval (instruction %d)", year, a.Code, pending[assetPeriod{a.ID, year}]))
			continue
		}
		if err := mayOwnerUnchanged(a); err != nil {
			out(err)
			continue
		}
		// Refusals of the whole run, naming the asset: its households.
		var hh []namedHousehold
		if hasHouseholds {
			ks := kept[spans[i][0]:spans[i][1]]
			if len(ks) == 0 {
				return plan, errs.F(errs.RuleBroken, "households_required", "households", "asset %s has no households named for the households' share: name them with the asset first", a.Code)
			}
			var err error
			if hh, err = keptNamed(ks); err != nil {
				return plan, err
			}
			if err := checkPlaced(p, a, hh); err != nil {
				return plan, errs.F(errs.KindOf(err), errs.CodeOf(err), "households", "asset %s: one of its households is no longer in the registry or not of a village owning it (%s): correct its households", a.Code, errs.CodeOf(err))
			}
		}
		sh := append([]RunShare(nil), applied...)
		lines, err := planLines(a, *pi, sh, hh)
		if err != nil {
			return plan, err
		}
		hn := 0
		for _, l := range lines {
			if l.PayeeKind == PayeeHousehold {
				hn++
			}
		}
		legs := linesLegsJSON(lines)
		sj := sharesJSON(sh)
		plan.plans = append(plan.plans, assetPlan{a: a, shares: sh, sharesJSON: sj, lines: lines, legs: legs})
		plan.Assets = append(plan.Assets, CountyRunItem{Asset: a.ID, Code: a.Code, Village: a.Place, Amount: pi.Total, Lines: len(lines), Households: hn, Digest: planDigest(sj, lines, legs)})
		plan.Lines += len(lines)
		plan.Households += hn
		plan.Total += pi.Total
	}
	return plan, nil
}

type scanFunc func(...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// PlanCountyRun is what a county run of year (township "": p's whole
// area) would cover now: the assets, their amounts and lines, and the
// operating assets left out with the reason. Errors: Forbidden, Invalid,
// RuleBroken (shares_not_100, banned_use, households_required,
// unknown_household, household_elsewhere).
func (s *IncomeService) PlanCountyRun(ctx context.Context, p auth.Principal, year int, township string, uses map[string]string) (CountyPlan, error) {
	if err := mayWrite(p); err != nil {
		return CountyPlan{}, err
	}
	township = strings.TrimSpace(township)
	if err := checkRunYear(year, township); err != nil {
		return CountyPlan{}, err
	}
	return s.countyPlanTx(ctx, s.db, p, year, township, uses, 0)
}

// CountyRunInput is what a county run takes.
type CountyRunInput struct {
	Year     int
	Township string            // "": the maker's whole area
	Uses     map[string]string // each share's use, by the rule's key ("" = its name)
	Key      string
}

// ProposeCountyRun enters a county run for approval by another person:
// every operating asset of the area with income for the year and no run
// of it, each split by the profile's rule over its households, frozen per
// asset (amount, lines, digest). The same key again is the instruction
// entered (Replayed). Errors: those of PlanCountyRun, RuleBroken
// (nothing_to_run), and instruct's.
func (s *IncomeService) ProposeCountyRun(ctx context.Context, p auth.Principal, n CountyRunInput) (instruct.Instruction, CountyPlan, error) {
	if err := mayWrite(p); err != nil {
		return instruct.Instruction{}, CountyPlan{}, err
	}
	if s.ins == nil {
		return instruct.Instruction{}, CountyPlan{}, errs.F(errs.Invalid, "invalid_instruction", "kind", "no capability posts money of kind %q", instruct.AssetCountyRun)
	}
	n.Township = strings.TrimSpace(n.Township)
	if err := checkRunYear(n.Year, n.Township); err != nil {
		return instruct.Instruction{}, CountyPlan{}, err
	}
	var plan CountyPlan
	// The same key as a run approved or rejected: that run (replayed), not
	// a new computation that would now find nothing to run.
	if key := strings.TrimSpace(n.Key); key != "" {
		var id int64
		var st string
		err := s.db.QueryRowContext(ctx, `SELECT id, state FROM money_instructions WHERE county = ? AND kind = ? AND ikey = ?`, p.County, instruct.AssetCountyRun, key).Scan(&id, &st)
		if err == nil && st != instruct.Pending {
			in, err := s.ins.Get(ctx, p, id)
			if err != nil {
				return instruct.Instruction{}, CountyPlan{}, err
			}
			plan.LeftOut = []CountyLeftOut{}
			if err := instruct.Decode(in, &plan.CountyRunOrder); err != nil {
				return instruct.Instruction{}, CountyPlan{}, err
			}
			in.Replayed = true
			return in, plan, nil
		}
	}
	in, err := s.ins.Propose(ctx, p, func(tx *store.Tx) (instruct.New, error) {
		var mine int64
		_ = tx.QueryRowContext(ctx, `SELECT id FROM money_instructions WHERE county = ? AND kind = ? AND ikey = ?`, p.County, instruct.AssetCountyRun, strings.TrimSpace(n.Key)).Scan(&mine)
		var err error
		plan, err = s.countyPlanTx(ctx, tx, p, n.Year, n.Township, n.Uses, mine)
		if err != nil {
			return instruct.New{}, err
		}
		plan.Uses = nil
		for k, v := range n.Uses {
			if v = strings.TrimSpace(v); v != "" {
				if plan.Uses == nil {
					plan.Uses = map[string]string{}
				}
				plan.Uses[k] = v
			}
		}
		if len(plan.Assets) == 0 {
			return instruct.New{}, errs.F(errs.RuleBroken, "nothing_to_run", "period", "no operating asset has income of %d without a distribution run (%d left out)", n.Year, len(plan.LeftOut))
		}
		pl, where := p.Place, "本辖区"
		if n.Township != "" {
			pl, where = place.Code(n.Township), "乡镇 "+n.Township
		} else if p.Place.Level() == place.County {
			where = "全县"
		}
		return instruct.New{Kind: instruct.AssetCountyRun, Key: n.Key, Place: pl, Amount: plan.Total, Subject: fmt.Sprintf("assets %d %s", n.Year, pl),
			Summary: fmt.Sprintf("%d 年资产收益分配（%s）：%d 项资产、%d 笔（农户 %d 笔），合计 %s 元", n.Year, where, len(plan.Assets), plan.Lines, plan.Households, plan.Total),
			Payload: plan.CountyRunOrder}, nil
	})
	return in, plan, err
}

// execCountyRun posts an approved county run in the approving
// transaction: computed again and compared asset by asset
// (instruction_stale naming the asset), then its runs, lines, postings,
// events and audit entries written in multi-row statements.
func (s *IncomeService) execCountyRun(ctx context.Context, tx *store.Tx, approver auth.Principal, in instruct.Instruction) ([]int64, error) {
	var o CountyRunOrder
	if err := instruct.Decode(in, &o); err != nil {
		return nil, err
	}
	if err := tx.FreshPlans(ctx); err != nil {
		return nil, err
	}
	// Computed again over the county (or the township): only the assets
	// frozen are compared and written.
	maker := auth.Principal{Username: in.Maker, Role: auth.RoleRural, Place: place.Code(in.County + "000000"), County: in.County}
	plan, err := s.countyPlanTx(ctx, tx, maker, o.Year, o.Township, o.Uses, in.ID)
	if err != nil {
		return nil, err
	}
	now := map[int64]int{}
	for i, it := range plan.Assets {
		now[it.Asset] = i
	}
	left := map[int64]CountyLeftOut{}
	for _, l := range plan.LeftOut {
		left[l.Asset] = l
	}
	plans := make([]assetPlan, 0, len(o.Assets))
	for _, it := range o.Assets {
		i, ok := now[it.Asset]
		if !ok {
			why := "changed"
			if l, ok := left[it.Asset]; ok {
				why = l.Reason
			}
			return nil, errs.F(errs.Conflict, "instruction_stale", "", "asset %s's income of %d can no longer be distributed as entered (%s): enter the county run again", it.Code, o.Year, why)
		}
		if plan.Assets[i] != it {
			return nil, errs.F(errs.Conflict, "instruction_stale", "", "asset %s's distribution of %d changed since the county run was entered: enter it again", it.Code, o.Year)
		}
		plans = append(plans, plan.plans[i])
	}
	if err := s.setupTx(ctx, tx, in.County); err != nil {
		return nil, err
	}
	// The collectives' accounts, one read.
	colAcc := map[string]string{}
	if err := eachRow(ctx, tx, `SELECT uscc, account FROM ent_entities WHERE county = ?`, []any{in.County}, func(sc func(...any) error) error {
		var u, a string
		err := sc(&u, &a)
		colAcc[u] = a
		return err
	}); err != nil {
		return nil, err
	}
	var run, line int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM as_dist_runs WHERE county = ?`, in.County).Scan(&run); err != nil {
		return nil, errs.Wrap(err, "assets: run id")
	}
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM as_dist_lines WHERE county = ?`, in.County).Scan(&line); err != nil {
		return nil, errs.Wrap(err, "assets: line id")
	}
	var reqs []ledger.TransferRequest
	base := make([]int, len(plans))     // each plan's first request
	colIdx := make([][]int, len(plans)) // its collective lines posted, in request order
	runIDs := make([]int64, len(plans))
	for k := range plans {
		run++
		runIDs[k] = run
		ap := &plans[k]
		for i := range ap.lines {
			ap.lines[i].ID += line
			ap.lines[i].Run = run
		}
		line += int64(len(ap.lines))
		acc := ""
		for _, l := range ap.lines {
			if l.PayeeKind == PayeeCollective {
				if acc = colAcc[l.Payee]; acc == "" {
					return nil, noCollective(ap.a)
				}
				break
			}
		}
		rs, cl := runPostings(ap.a, o.Year, run, ap.lines, acc)
		base[k], colIdx[k] = len(reqs), cl
		reqs = append(reqs, rs...)
	}
	ids := make([]int64, 0, len(reqs))
	for start := 0; start < len(reqs); start += 1000 {
		ts, _, err := s.l.PostTx(ctx, tx, approver.Username, in.County, reqs[start:min(start+1000, len(reqs))])
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			ids = append(ids, t.ID)
		}
	}
	transfer := map[[2]int]int64{}
	for k := range plans {
		for j, i := range colIdx[k] {
			transfer[[2]int{k, i}] = ids[base[k]+j]
		}
	}
	// Each asset's event and audit entry, as a single run's approval
	// writes them.
	if err := ledger.ValidCounty(in.County); err != nil {
		return nil, err
	}
	seq := map[int64]int64{}
	if err := eachRow(ctx, tx, `SELECT asset, MAX(seq) FROM as_events WHERE county = ? GROUP BY asset`, []any{in.County}, func(sc func(...any) error) error {
		var a, n int64
		err := sc(&a, &n)
		seq[a] = n
		return err
	}); err != nil {
		return nil, err
	}
	w := runRows{county: in.County, maker: in.Maker, approver: approver.Username, instruction: in.ID, year: int64(o.Year), at: tx.Now.UnixMicro(),
		plans: plans, runIDs: runIDs, amounts: make([]int64, len(plans)), transfer: transfer, events: make([]runEvent, 0, len(plans))}
	entries := make([]audit.Entry, 0, len(plans)+1)
	for k, ap := range plans {
		w.amounts[k] = int64(o.Assets[k].Amount)
		d := map[string]string{"run": fmt.Sprint(runIDs[k]), "period": fmt.Sprint(o.Year), "total": o.Assets[k].Amount.Plain(), "maker": in.Maker, "instruction": fmt.Sprint(in.ID)}
		b, _ := json.Marshal(d)
		w.events = append(w.events, runEvent{asset: ap.a.ID, seq: seq[ap.a.ID] + 1, detail: string(b)})
		entries = append(entries, audit.Entry{County: in.County, Actor: approver.Username, Action: "assets.distributed", Object: fmt.Sprintf("asset %s", ap.a.Code), Place: string(ap.a.Place), After: d})
	}
	if err := w.write(ctx, tx, tx.Dialect() == store.Postgres); err != nil {
		return nil, err
	}
	entries = append(entries, audit.Entry{County: in.County, Actor: approver.Username, Action: "assets.county_run", Object: fmt.Sprintf("instruction %d", in.ID), Place: string(in.Place),
		After: map[string]any{"year": o.Year, "township": o.Township, "assets": len(plans), "lines": o.Lines, "households": o.Households, "total": o.Total, "maker": in.Maker, "approver": approver.Username}})
	if _, err := audit.AppendAll(ctx, tx, entries); err != nil {
		return nil, err
	}
	return ids, nil
}

// CountyRun reads a county run p may see (its instruction id), pending
// or approved. Errors: NotFound (unknown_run).
func (s *IncomeService) CountyRun(ctx context.Context, p auth.Principal, id int64) (CountyRun, error) {
	unknown := errs.F(errs.NotFound, "unknown_run", "id", "no such distribution run")
	if s.ins == nil {
		return CountyRun{}, unknown
	}
	in, err := s.ins.Get(ctx, p, id)
	if err != nil || in.Kind != instruct.AssetCountyRun {
		return CountyRun{}, unknown
	}
	out := CountyRun{Instruction: in, Runs: map[int64]int64{}}
	if err := instruct.Decode(in, &out.Order); err != nil {
		return CountyRun{}, err
	}
	err = eachRow(ctx, s.db, `SELECT asset, id FROM as_dist_runs WHERE county = ? AND instruction = ?`, []any{p.County, id}, func(sc func(...any) error) error {
		var a, r int64
		err := sc(&a, &r)
		out.Runs[a] = r
		return err
	})
	return out, err
}
