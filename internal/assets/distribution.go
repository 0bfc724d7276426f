package assets

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/store"
)

// The distribution's ledger accounts: the households' shares approved
// and waiting for the bank (资产收益分配资金), and the money at the bank
// awaiting its return. Both refuse to go below zero.
const (
	DistFund = "adist:fund"
	DistBank = "adist:bank"
)

// PayoutTransferKind is the ledger kind of a distribution's postings: the
// households' shares to the fund and through the bank, the collective's
// shares to its account.
const PayoutTransferKind = "asset_payout"

// The payees of a run's line.
const (
	PayeeHousehold  = "household"
	PayeeCollective = "collective"
)

// The states of a run's line (pay_status).
const (
	LinePlanned = "planned" // entered, its run not yet approved
	LineWaiting = "waiting" // approved: waiting for a payout batch
	LineSending = "sending" // at the bank
	LinePaid    = "paid"    // the household was paid
	LineFailed  = "failed"  // the bank returned it: correct the card, send again
	LinePosted  = "posted"  // a collective line, posted at approval
)

// The states of a run.
const (
	RunPending  = "pending"
	RunPosted   = "posted"
	RunRejected = "rejected" // its instruction was rejected: the period is free again
)

// RunHousehold is a household named for the households' share, with its
// weight (0 = 1: equal shares).
type RunHousehold struct {
	Code   string
	Weight int64
}

// NewRun is what a distribution run takes: the period, the named
// households, each share's use (by the rule's key; "" = the share's
// name), and optionally the shares themselves (default: the profile's).
type NewRun struct {
	Period     int
	Households []RunHousehold
	Uses       map[string]string
	Shares     []policy.AssetShare
	Key        string
}

// RunShare is one share of a run as applied.
type RunShare struct {
	Key     string         `json:"key"`
	Name    string         `json:"name"`
	Percent policy.Percent `json:"percent"`
	To      string         `json:"to"`
	Use     string         `json:"use"`
	Amount  money.Fen      `json:"amount"`
}

// Run is a distribution run of an asset's income for a period.
type Run struct {
	County      string
	ID          int64
	Asset       int64
	Period      int
	Total       money.Fen
	Lines       int
	Shares      []RunShare
	Digest      string
	Instruction int64
	State       string
	CreatedBy   string
	CreatedAt   time.Time
	PostedBy    string
	PostedAt    time.Time
}

// RunLine is one payee's line of a run.
type RunLine struct {
	ID        int64
	Run       int64
	Share     string
	PayeeKind string
	Payee     string
	Place     place.Code
	Amount    money.Fen
	Legs      []Leg
	Status    string
	Attempts  int
	Transfer  int64
	Name      string // on reads: the household head's or the collective's name
}

// runPayload is what an asset_distribution instruction freezes.
type runPayload struct {
	Run    int64     `json:"run"`
	Asset  int64     `json:"asset"`
	Period int       `json:"period"`
	Total  money.Fen `json:"total"`
	Income money.Fen `json:"income"` // the period's income at entry
	Lines  int       `json:"lines"`
	Digest string    `json:"digest"`
}

func digestLines(ls []RunLine) string {
	return digestLinesLegs(ls, nil)
}

// digestLinesLegs is digestLines with each line's legs' JSON given (legs
// nil: written here). Each line as fmt's "%d|%s|%s|%s|%d|%s\n" of its id,
// share, payee kind, payee, amount and legs' JSON would print it,
// appended by hand, hashed a few kilobytes at a time.
func digestLinesLegs(ls []RunLine, legs []string) string {
	h := sha256.New()
	b := make([]byte, 0, 4096+256)
	for i, l := range ls {
		b = strconv.AppendInt(b, l.ID, 10)
		b = append(append(b, '|'), l.Share...)
		b = append(append(b, '|'), l.PayeeKind...)
		b = append(append(b, '|'), l.Payee...)
		b = append(b, '|')
		b = strconv.AppendInt(b, int64(l.Amount), 10)
		b = append(b, '|')
		if legs != nil {
			b = append(b, legs[i]...)
		} else {
			b = appendLegsJSON(b, l.Legs)
		}
		b = append(b, '\n')
		if len(b) >= 4096 {
			h.Write(b)
			b = b[:0]
		}
	}
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// linesLegsJSON is each line's legsJSON, written into one string.
func linesLegsJSON(ls []RunLine) []string {
	b := make([]byte, 0, 64*len(ls))
	ends := make([]int, len(ls))
	for i, l := range ls {
		b = appendLegsJSON(b, l.Legs)
		ends[i] = len(b)
	}
	all, out, from := string(b), make([]string, len(ls)), 0
	for i, e := range ends {
		out[i], from = all[from:e], e
	}
	return out
}

// newSharesJSON returns what json.Marshal writes for shares applied as
// these (the same keys, names, percents, recipients and uses; any
// amounts), without its reflection for each asset of a county run.
func newSharesJSON(applied []RunShare) func([]RunShare) string {
	heads := make([]string, len(applied))
	for i, sh := range applied {
		sh.Amount = 0
		b, _ := json.Marshal(sh)
		heads[i] = strings.TrimSuffix(string(b), "0}") // "amount" is the last field
	}
	return func(shares []RunShare) string {
		if len(shares) != len(heads) {
			b, _ := json.Marshal(shares)
			return string(b)
		}
		b := make([]byte, 0, 256*len(shares))
		b = append(b, '[')
		for i, sh := range shares {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, heads[i]...)
			b = strconv.AppendInt(b, int64(sh.Amount), 10)
			b = append(b, '}')
		}
		return string(append(b, ']'))
	}
}

// rule reads the county's income rule.
func (s *IncomeService) rule(ctx context.Context, county string) (policy.AssetIncome, error) {
	if s.pc == nil {
		return policy.DefaultAssetIncome(), nil
	}
	prof, _, err := s.pc.Current(ctx, county)
	if errs.CodeOf(err) == "no_profile" {
		return policy.DefaultAssetIncome(), nil
	}
	if err != nil {
		return policy.AssetIncome{}, err
	}
	return prof.AssetIncomeRules(), nil
}

// Rule is the county's distribution rule (for pages).
func (s *IncomeService) Rule(ctx context.Context, county string) (policy.AssetIncome, error) {
	return s.rule(ctx, county)
}

// liveRunTx is the run of an asset and period not rejected (id 0: none).
func liveRunTx(ctx context.Context, q store.Querier, county string, asset int64, period int) (id int64, key string, payload string, err error) {
	err = q.QueryRowContext(ctx, `SELECT r.id, i.ikey, i.payload FROM as_dist_runs r JOIN money_instructions i ON i.county = r.county AND i.id = r.instruction
		WHERE r.county = ? AND r.asset = ? AND r.period = ? AND i.state <> ? ORDER BY r.id DESC LIMIT 1`, county, asset, period, instruct.Rejected).Scan(&id, &key, &payload)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", "", nil
	}
	return id, key, payload, err
}

// ProposeRun enters a distribution run of an asset's income of a period
// by the county's rule, for approval by another person (instruct kind
// asset_distribution): the period's income split into the rule's shares
// (money.Split), each share's use checked against the banned uses, the
// households' share split over the named households (equally or by
// weight), the collective's shares to the asset's owner; every line's
// legs the period income's channels pro rata, the lines summing exactly
// to the run. Nothing moves until the approval. Errors: Invalid,
// NotFound (unknown_asset, unknown_household), RuleBroken
// (not_operating, not_confirmed, asset_disposing, shares_not_100,
// banned_use, no_income, run_exists, households_required,
// household_elsewhere), Forbidden, and instruct's.
func (s *IncomeService) ProposeRun(ctx context.Context, p auth.Principal, asset int64, n NewRun) (Run, instruct.Instruction, error) {
	if err := mayWrite(p); err != nil {
		return Run{}, instruct.Instruction{}, err
	}
	if s.ins == nil {
		return Run{}, instruct.Instruction{}, errs.F(errs.Invalid, "invalid_instruction", "kind", "no capability posts money of kind %q", instruct.AssetDistribution)
	}
	rule, err := s.rule(ctx, p.County)
	if err != nil {
		return Run{}, instruct.Instruction{}, err
	}
	applied, hasHouseholds, err := applyShares(rule, n.Shares, n.Uses)
	if err != nil {
		return Run{}, instruct.Instruction{}, err
	}
	if n.Period < 2000 || n.Period > 2100 {
		return Run{}, instruct.Instruction{}, errs.F(errs.Invalid, "invalid_period", "period", "the period is a year")
	}
	var run Run
	var out instruct.Instruction
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		a, err := s.a.GetTx(ctx, tx, p, asset)
		if err != nil {
			return err
		}
		if err := mayOwnerUnchanged(a); err != nil {
			return err
		}
		if id, key, payload, err := liveRunTx(ctx, tx, p.County, asset, n.Period); err != nil {
			return errs.Wrap(err, "assets: runs")
		} else if id != 0 {
			if n.Key != "" && key == n.Key {
				var pl runPayload
				_ = json.Unmarshal([]byte(payload), &pl)
				out, err = s.ins.ProposeTx(ctx, tx, p, instruct.New{Kind: instruct.AssetDistribution, Key: n.Key, Place: a.Place, Payload: pl})
				run.ID = id
				return err
			}
			return errs.F(errs.RuleBroken, "run_exists", "period", "the income of %d of asset %s has a distribution run already (%d)", n.Period, a.Code, id)
		}
		if ins, err := pendingCountyRunsTx(ctx, tx, p.County, 0); err != nil {
			return err
		} else if id := ins[assetPeriod{asset, n.Period}]; id != 0 {
			return errs.F(errs.RuleBroken, "run_pending", "period", "the income of %d of asset %s is in a county-wide distribution run waiting for approval (instruction %d)", n.Period, a.Code, id)
		}
		pi, err := periodIncomeTx(ctx, tx, p.County, asset, n.Period)
		if err != nil {
			return err
		}
		if pi.Total == 0 {
			return errs.F(errs.RuleBroken, "no_income", "period", "asset %s has no income recorded for %d", a.Code, n.Period)
		}
		hh, err := s.checkHouseholdsTx(ctx, tx, p, a, n.Households, hasHouseholds)
		if err != nil {
			return err
		}
		lines, err := planLines(a, pi, applied, hh)
		if err != nil {
			return err
		}
		var lineID int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM as_dist_lines WHERE county = ?`, p.County).Scan(&lineID); err != nil {
			return errs.Wrap(err, "assets: line id")
		}
		for i := range lines {
			lines[i].ID += lineID
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM as_dist_runs WHERE county = ?`, p.County).Scan(&id); err != nil {
			return errs.Wrap(err, "assets: run id")
		}
		rows := make([][]any, 0, len(lines))
		for i := range lines {
			lines[i].Run = id
			rows = append(rows, []any{p.County, lines[i].ID, id, lines[i].Share, lines[i].PayeeKind, lines[i].Payee, string(lines[i].Place), int64(lines[i].Amount), legsJSON(lines[i].Legs), LinePlanned, 0, 0})
		}
		if err := store.InsertRows(ctx, tx, `INSERT INTO as_dist_lines (county, id, run, share, payee_kind, payee, place, amount, legs, pay_status, attempts, transfer) VALUES `, 12, rows, ""); err != nil {
			return errs.Wrap(err, "assets: lines")
		}
		dg := digestLines(lines)
		sj, _ := json.Marshal(applied)
		now := s.now()
		key := n.Key
		if key == "" {
			key = fmt.Sprintf("adist:%d:%d:%d", asset, n.Period, id)
		}
		pl := runPayload{Run: id, Asset: asset, Period: n.Period, Total: pi.Total, Income: pi.Total, Lines: len(lines), Digest: dg}
		out, err = s.ins.ProposeTx(ctx, tx, p, instruct.New{Kind: instruct.AssetDistribution, Key: key, Place: a.Place, Amount: pi.Total, Subject: fmt.Sprint(id),
			Summary: fmt.Sprintf("资产 %s（%s）%d 年收益分配 %s 元：%d 笔", a.Code, a.Name, n.Period, pi.Total, len(lines)), Payload: pl})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO as_dist_runs (county, id, asset, period, total, lines, shares, digest, instruction, state, created_at, created_by, posted_at, posted_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '')`, p.County, id, asset, n.Period, int64(pi.Total), len(lines), string(sj), dg, out.ID, RunPending, now.UnixMicro(), p.Username); err != nil {
			return errs.Wrap(err, "assets: run")
		}
		run.ID = id
		return AddEventTx(ctx, tx, p, a, "distribution_entered", map[string]string{"run": fmt.Sprint(id), "period": fmt.Sprint(n.Period), "total": pi.Total.Plain(),
			"lines": fmt.Sprint(len(lines)), "instruction": fmt.Sprint(out.ID)}, now)
	})
	if err != nil {
		return Run{}, instruct.Instruction{}, err
	}
	r, err := s.Run(ctx, p, run.ID)
	return r, out, err
}

type namedHousehold struct {
	Code   string
	Weight int64
	place  place.Code
}

// checkHouseholdsTx checks the named households: distinct, of the
// asset's village (or a village with a share of it), seen by p.
func (s *IncomeService) checkHouseholdsTx(ctx context.Context, tx *store.Tx, p auth.Principal, a Asset, in []RunHousehold, required bool) ([]namedHousehold, error) {
	if len(in) == 0 {
		if required {
			return nil, errs.F(errs.RuleBroken, "households_required", "households", "name the households the households' share is paid to")
		}
		return nil, nil
	}
	out, codes, err := normalizeNamed(in)
	if err != nil {
		return nil, err
	}
	have := map[string]string{}
	for start := 0; start < len(codes); start += 500 {
		part := codes[start:min(start+500, len(codes))]
		args := []any{p.County}
		for _, c := range part {
			args = append(args, c)
		}
		rows, err := tx.QueryContext(ctx, `SELECT code, village FROM reg_households WHERE county = ? AND code IN (?`+strings.Repeat(", ?", len(part)-1)+`)`, args...)
		if err != nil {
			return nil, errs.Wrap(err, "assets: households")
		}
		for rows.Next() {
			var c, v string
			if err := rows.Scan(&c, &v); err != nil {
				rows.Close()
				return nil, err
			}
			have[c] = v
		}
		rows.Close()
	}
	return out, placeNamed(p, a, out, have)
}

// UseInstructions registers the run's executor. The payout client is
// registered by UsePayout.
func (s *IncomeService) UseInstructions(ins *instruct.Service) {
	s.ins = ins
	ins.Register(instruct.AssetDistribution, s.execRun)
	ins.Register(instruct.AssetCountyRun, s.execCountyRun)
}

func (s *IncomeService) setupTx(ctx context.Context, tx *store.Tx, county string) error {
	root := place.Code(county + "000000")
	_, _, err := s.l.OpenAccountsTx(ctx, tx, county, []ledger.NewAccount{
		{Code: DistFund, Kind: ledger.Suspense, Name: "资产收益分配资金（待代发）", Owner: "县乡村振兴局", Place: root, NoOverdraft: true},
		{Code: DistBank, Kind: ledger.Suspense, Name: "资产收益分配·银行代发在途", Place: root, NoOverdraft: true},
	})
	return err
}

func noCollective(a Asset) error {
	return errs.F(errs.RuleBroken, "no_collective", "owner", "village %s has no village collective economic organization registered: register it among the entities first", a.Place)
}

// runPostings are the transfers an approved run posts, the same for a
// single run and for each asset of a county run: each collective line
// (with legs) from the asset's account to the collective's, and the
// households' lines' total, per channel, to the distribution fund. It
// returns with them the index in lines of each collective line posted,
// in the order of the requests.
func runPostings(a Asset, period int, run int64, lines []RunLine, colAccount string) ([]ledger.TransferRequest, []int) {
	by := map[string]money.Fen{}
	var reqs []ledger.TransferRequest
	var colLines []int
	for i, l := range lines {
		if l.PayeeKind == PayeeHousehold {
			for _, lg := range l.Legs {
				by[lg.Channel] += lg.Amount
			}
			continue
		}
		if len(l.Legs) == 0 {
			continue
		}
		reqs = append(reqs, ledger.TransferRequest{Key: fmt.Sprintf("adist-col:%d", l.ID), Kind: PayoutTransferKind, From: a.Account, To: colAccount, Legs: l.Legs,
			Memo: fmt.Sprintf("资产 %s %d 年收益分配：%s", a.Code, period, l.Share)})
		colLines = append(colLines, i)
	}
	if hl := sortedLegs(by); len(hl) > 0 {
		reqs = append(reqs, ledger.TransferRequest{Key: fmt.Sprintf("adist-fund:%d", run), Kind: PayoutTransferKind, From: a.Account, To: DistFund, Legs: hl,
			Memo: fmt.Sprintf("资产 %s %d 年收益分配：农户部分待代发", a.Code, period)})
	}
	return reqs, colLines
}

// execRun posts an approved run in the approving transaction: the
// households' lines move to the distribution fund (then through the
// payout mechanism to their cards), each collective line to the
// collective's account. The asset and the period's income must be as
// they were (instruction_stale).
func (s *IncomeService) execRun(ctx context.Context, tx *store.Tx, p auth.Principal, in instruct.Instruction) ([]int64, error) {
	var pl runPayload
	if err := instruct.Decode(in, &pl); err != nil {
		return nil, err
	}
	sys := auth.Principal{Username: p.Username, Role: auth.RoleRural, Place: place.Code(in.County + "000000"), County: in.County}
	a, err := s.a.GetTx(ctx, tx, sys, pl.Asset)
	if err != nil {
		return nil, err
	}
	stale := func(why string) error {
		return errs.F(errs.RuleBroken, "instruction_stale", "", "the distribution run changed since it was entered (%s): reject it and enter it again", why)
	}
	if err := mayOwnerUnchanged(a); err != nil {
		return nil, stale(errs.CodeOf(err))
	}
	pi, err := periodIncomeTx(ctx, tx, in.County, pl.Asset, pl.Period)
	if err != nil {
		return nil, err
	}
	if pi.Total != pl.Income {
		return nil, stale("income")
	}
	lines, err := linesTx(ctx, tx, in.County, pl.Run, 0, 0)
	if err != nil {
		return nil, err
	}
	if len(lines) != pl.Lines || digestLines(lines) != pl.Digest {
		return nil, stale("lines")
	}
	if err := s.setupTx(ctx, tx, in.County); err != nil {
		return nil, err
	}
	var colAccount string
	for _, l := range lines {
		if l.PayeeKind == PayeeCollective {
			if err := tx.QueryRowContext(ctx, `SELECT account FROM ent_entities WHERE county = ? AND uscc = ?`, in.County, l.Payee).Scan(&colAccount); err != nil {
				return nil, noCollective(a)
			}
			break
		}
	}
	reqs, colLines := runPostings(a, pl.Period, pl.Run, lines, colAccount)
	ts, _, err := s.l.PostTx(ctx, tx, p.Username, in.County, reqs)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	for k, i := range colLines {
		if _, err := tx.ExecContext(ctx, `UPDATE as_dist_lines SET pay_status = ?, transfer = ? WHERE county = ? AND id = ?`, LinePosted, ts[k].ID, in.County, lines[i].ID); err != nil {
			return nil, errs.Wrap(err, "assets: line")
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE as_dist_lines SET pay_status = ? WHERE county = ? AND run = ? AND payee_kind = ? AND pay_status = ?`, LineWaiting, in.County, pl.Run, PayeeHousehold, LinePlanned); err != nil {
		return nil, errs.Wrap(err, "assets: lines")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE as_dist_runs SET state = ?, posted_at = ?, posted_by = ? WHERE county = ? AND id = ?`, RunPosted, tx.Now.UnixMicro(), p.Username, in.County, pl.Run); err != nil {
		return nil, errs.Wrap(err, "assets: run")
	}
	return ids, AddEventTx(ctx, tx, p, a, "distributed", map[string]string{"run": fmt.Sprint(pl.Run), "period": fmt.Sprint(pl.Period), "total": pl.Total.Plain(),
		"maker": in.Maker, "instruction": fmt.Sprint(in.ID)}, tx.Now)
}

const runCols = `r.id, r.asset, r.period, r.total, r.lines, r.shares, r.digest, r.instruction, r.state, r.created_at, r.created_by, r.posted_at, r.posted_by, COALESCE(i.state, '')`

func scanRun(county string, sc interface{ Scan(...any) error }) (Run, error) {
	r := Run{County: county}
	var total, cr, po int64
	var shares, ist string
	err := sc.Scan(&r.ID, &r.Asset, &r.Period, &total, &r.Lines, &shares, &r.Digest, &r.Instruction, &r.State, &cr, &r.CreatedBy, &po, &r.PostedBy, &ist)
	r.Total, r.CreatedAt = money.Fen(total), time.UnixMicro(cr)
	if po != 0 {
		r.PostedAt = time.UnixMicro(po)
	}
	if ist == instruct.Rejected {
		r.State = RunRejected
	}
	_ = json.Unmarshal([]byte(shares), &r.Shares)
	return r, err
}

const runFrom = ` FROM as_dist_runs r LEFT JOIN money_instructions i ON i.county = r.county AND i.id = r.instruction`

// Run returns a run.
func (s *IncomeService) Run(ctx context.Context, p auth.Principal, id int64) (Run, error) {
	r, err := scanRun(p.County, s.db.QueryRowContext(ctx, `SELECT `+runCols+runFrom+` WHERE r.county = ? AND r.id = ?`, p.County, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, errs.F(errs.NotFound, "unknown_run", "id", "no such distribution run")
	}
	if err != nil {
		return Run{}, errs.Wrap(err, "assets: run")
	}
	if _, err := s.a.Get(ctx, p, r.Asset); err != nil {
		return Run{}, errs.F(errs.NotFound, "unknown_run", "id", "no such distribution run")
	}
	return r, nil
}

// Runs lists an asset's runs, newest first.
func (s *IncomeService) Runs(ctx context.Context, p auth.Principal, asset int64) ([]Run, error) {
	if _, err := s.a.Get(ctx, p, asset); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+runCols+runFrom+` WHERE r.county = ? AND r.asset = ? ORDER BY r.id DESC`, p.County, asset)
	if err != nil {
		return nil, errs.Wrap(err, "assets: runs")
	}
	defer rows.Close()
	out := []Run{}
	for rows.Next() {
		r, err := scanRun(p.County, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// linesTx reads a run's lines in order (after/limit page them; limit 0: all).
func linesTx(ctx context.Context, q store.Querier, county string, run, after int64, limit int) ([]RunLine, error) {
	qs := `SELECT id, run, share, payee_kind, payee, place, amount, legs, pay_status, attempts, transfer FROM as_dist_lines WHERE county = ? AND run = ? AND id > ? ORDER BY id`
	args := []any{county, run, after}
	if limit > 0 {
		qs += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := q.QueryContext(ctx, qs, args...)
	if err != nil {
		return nil, errs.Wrap(err, "assets: lines")
	}
	defer rows.Close()
	out := []RunLine{}
	for rows.Next() {
		var l RunLine
		var pl, legs string
		var amt int64
		if err := rows.Scan(&l.ID, &l.Run, &l.Share, &l.PayeeKind, &l.Payee, &pl, &amt, &legs, &l.Status, &l.Attempts, &l.Transfer); err != nil {
			return nil, err
		}
		l.Place, l.Amount, l.Legs = place.Code(pl), money.Fen(amt), decodeLegs(legs)
		out = append(out, l)
	}
	return out, rows.Err()
}

// Lines lists a run's lines with the household heads' and the
// collective's names (after/limit page them; limit 0: all).
func (s *IncomeService) Lines(ctx context.Context, p auth.Principal, run int64, after int64, limit int) ([]RunLine, error) {
	if _, err := s.Run(ctx, p, run); err != nil {
		return nil, err
	}
	ls, err := linesTx(ctx, s.db, p.County, run, after, limit)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for i := range ls {
		k := ls[i].PayeeKind + ":" + ls[i].Payee
		if n, ok := names[k]; ok {
			ls[i].Name = n
			continue
		}
		var n string
		if ls[i].PayeeKind == PayeeHousehold {
			_ = s.db.QueryRowContext(ctx, `SELECT head FROM reg_households WHERE county = ? AND code = ?`, p.County, ls[i].Payee).Scan(&n)
		} else {
			_ = s.db.QueryRowContext(ctx, `SELECT name FROM ent_entities WHERE county = ? AND uscc = ?`, p.County, ls[i].Payee).Scan(&n)
		}
		names[k], ls[i].Name = n, n
	}
	return ls, nil
}
