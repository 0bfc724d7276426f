package bench

// `onepool bench dividends`: a county-wide dividend run at county scale
// (issue 13) — 2,000 active entity agreements (guaranteed and equity
// alternately) over 100,000 households, every operator's payment of the
// year in; the run entered, approved (two more people above
// money.second_above) and its lines written, then the payout batch of
// every line sent to the bank; with a child process killed with SIGKILL
// half way through the batch and the rest sent again, each line exactly
// once.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"onepool/internal/agreements"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/entities"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/payout"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/workflow"
)

const divCounty = "981730"

// DividendsOptions sizes the benchmark.
type DividendsOptions struct {
	DB         string // "" a fresh SQLite file in a temporary directory
	Households int    // default 100,000
	Agreements int    // default 2,000
	Self       string // this executable, to run (and kill) the approval and batch in a child; "": no kill test
}

func divWho(user string) auth.Principal {
	return auth.Principal{Username: user, DisplayName: user, Role: auth.RoleFinance, Place: place.Code(divCounty + "000000"), County: divCounty}
}

var (
	divMaker     = divWho("bench.fin1")
	divApprovers = []auth.Principal{divWho("bench.fin2"), divWho("bench.fin3")}
)

const (
	divRunKey   = "bench-county-run-2026"
	divBatchKey = "bench-dividend-batch"
)

type divServices struct {
	s   *agreements.Service
	ins *instruct.Service
	pay *payout.Service
	l   *ledger.Ledger
}

func dividendServices(db *store.DB) divServices {
	l := ledger.New(db, nil)
	keys := benchKeys()
	reg := registry.New(db, keys, nil)
	pc := policy.NewCounties(db, nil)
	wf := workflow.New(db, nil)
	s := agreements.New(db, entities.New(db, l, reg, keys, nil), wf, pc, nil)
	pay := payout.New(db, l, nil)
	ins := instruct.NewService(db, wf, pc, nil)
	ins.UseLedger(l)
	pay.UseInstructions(ins)
	s.UsePayout(pay, l, reg)
	s.UseInstructions(ins, l)
	return divServices{s: s, ins: ins, pay: pay, l: l}
}

// Dividends runs the benchmark and checks every line was sent once.
func Dividends(ctx context.Context, o DividendsOptions, w io.Writer) error {
	var child func(string) []string
	if o.Self != "" {
		child = func(db string) []string { return []string{o.Self, "bench", "dividends-child", "--db", db} }
	}
	return dividendsWithChild(ctx, o, w, child)
}

func dividendsWithChild(ctx context.Context, o DividendsOptions, w io.Writer, child func(db string) []string, env ...string) error {
	if o.Households <= 0 {
		o.Households = 100_000
	}
	if o.Agreements <= 0 {
		o.Agreements = 2_000
	}
	db, done, err := openBenchDB(ctx, o.DB)
	if err != nil {
		return err
	}
	defer done()
	sv := dividendServices(db)
	t0 := time.Now()
	if err := buildDividendCounty(ctx, db, sv, o); err != nil {
		return err
	}
	if err := db.Optimize(ctx); err != nil {
		return err
	}
	fmt.Fprintf(w, "bench dividends on %s: generated %d households, %d active agreements with their 2026 dividends paid in, in %v\n",
		db.Dialect, o.Households, o.Agreements, time.Since(t0).Round(time.Millisecond))

	t := time.Now()
	plan, err := sv.s.PlanCountyRun(ctx, divMaker, 2026, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  plan (the form's preview): %d agreements, %d households, %s yuan, %d left out, in %v\n",
		len(plan.Agreements), plan.Households, plan.Total, len(plan.LeftOut), time.Since(t).Round(time.Millisecond))
	t = time.Now()
	in, err := sv.s.ProposeCountyRun(ctx, divMaker, 2026, "", divRunKey)
	if err != nil {
		return err
	}
	enter := time.Since(t)
	fmt.Fprintf(w, "  enter the county run (computed, frozen: payload %d bytes): %v\n", len(in.Payload), enter.Round(time.Millisecond))

	if child != nil && o.DB != "" {
		args := child(o.DB)
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = append(os.Environ(), env...)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		if err := cmd.Start(); err != nil {
			return err
		}
		for {
			var n int
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM payout_lines WHERE county = ? AND kind = 'dividend'`, divCounty).Scan(&n); err != nil {
				return err
			}
			if n >= plan.Households/2 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM payout_lines WHERE county = ? AND kind = 'dividend'`, divCounty).Scan(&n); err != nil {
			return err
		}
		fmt.Fprintf(w, "  killed the approval and payout run with SIGKILL after %d of %d lines were sent\n", n, plan.Households)
	}
	t = time.Now()
	approved, err := approveAll(ctx, sv.ins, in.ID)
	if err != nil {
		return err
	}
	appr := time.Since(t)
	if approved {
		fmt.Fprintf(w, "  approve (checked and computed again, %d runs and %d lines written): %v\n", len(plan.Agreements), plan.Households, appr.Round(time.Millisecond))
		fmt.Fprintf(w, "  county run computed, frozen and written: enter + approve %v\n", (enter + appr).Round(time.Millisecond))
	}
	t = time.Now()
	sent, err := sendDividends(ctx, db, sv)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  payout batch: %d lines sent (fund → bank, chunks of %d) in %v\n", sent, payout.Chunk, time.Since(t).Round(time.Millisecond))
	return checkDividendsOnce(ctx, db, sv.l, plan.Households, plan.Total, w)
}

// DividendsChild is the child of the kill test: it approves the county
// run and sends its payout batch until it is killed.
func DividendsChild(ctx context.Context, src string) error {
	db, err := store.Open(ctx, src)
	if err != nil {
		return err
	}
	defer db.Close()
	sv := dividendServices(db)
	var id int64
	if err := db.QueryRowContext(ctx, `SELECT id FROM money_instructions WHERE county = ? AND kind = ? AND ikey = ?`, divCounty, instruct.DividendCountyRun, divRunKey).Scan(&id); err != nil {
		return err
	}
	if _, err := approveAll(ctx, sv.ins, id); err != nil {
		return err
	}
	_, err = sendDividends(ctx, db, sv)
	return err
}

// approveAll takes the approvals an instruction still needs (reports
// whether this call posted it).
func approveAll(ctx context.Context, ins *instruct.Service, id int64) (bool, error) {
	for _, p := range divApprovers {
		out, err := ins.Decide(ctx, p, id, workflow.Decision{Action: workflow.Approve})
		switch {
		case err == nil && out.State == instruct.Posted:
			return true, nil
		case err == nil, errs.CodeOf(err) == "already_signed":
			continue
		case errs.CodeOf(err) == "not_pending":
			return false, nil
		default:
			return false, err
		}
	}
	got, err := ins.Get(ctx, divMaker, id)
	if err != nil {
		return false, err
	}
	return false, fmt.Errorf("instruction %d is %s after its approvals", id, got.State)
}

// sendDividends enters, approves and sends the payout batch of every
// waiting line, or continues the one entered before.
func sendDividends(ctx context.Context, db *store.DB, sv divServices) (int, error) {
	var id int64
	var state string
	err := db.QueryRowContext(ctx, `SELECT id, state FROM money_instructions WHERE county = ? AND kind = ? AND ikey = ?`, divCounty, instruct.DividendBatch, divBatchKey).Scan(&id, &state)
	if err != nil {
		in, err := sv.pay.ProposeBatch(ctx, divMaker, agreements.DividendKind, divBatchKey)
		if err != nil {
			return 0, err
		}
		id = in.ID
	}
	if _, err := approveAll(ctx, sv.ins, id); err != nil {
		return 0, err
	}
	in, err := sv.ins.Get(ctx, divMaker, id)
	if err != nil {
		return 0, err
	}
	a, err := sv.pay.SendApproved(ctx, divApprovers[0], in, nil)
	return a.Sent, err
}

// checkDividendsOnce: one payout line per run line, each sent once, the
// bank in transit holding exactly their total, the ledger verifying.
func checkDividendsOnce(ctx context.Context, db *store.DB, l *ledger.Ledger, want int, total money.Fen, w io.Writer) error {
	var runLines, unsent, lines, sources int
	var lineSum, sent int64
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(amount), 0), COALESCE(SUM(CASE WHEN pay_status = 'sending' THEN 0 ELSE 1 END), 0) FROM ag_div_lines WHERE county = ?`, divCounty).Scan(&runLines, &lineSum, &unsent); err != nil {
		return err
	}
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT source), COALESCE(SUM(amount), 0) FROM payout_lines WHERE county = ? AND kind = 'dividend'`, divCounty).Scan(&lines, &sources, &sent); err != nil {
		return err
	}
	bals, err := l.Balances(ctx, divCounty, agreements.DividendBank)
	if err != nil {
		return err
	}
	var inBank money.Fen
	for _, b := range bals {
		inBank += b.Amount
	}
	fmt.Fprintf(w, "  %d run lines (%s yuan, want %d lines, %s yuan); %d payout lines for %d of them, %d not sent; the bank holds %s yuan\n",
		runLines, money.Fen(lineSum), want, total, lines, sources, unsent, inBank)
	if runLines != want || money.Fen(lineSum) != total || lines != want || sources != want || unsent != 0 || inBank != total || money.Fen(sent) != total {
		return fmt.Errorf("dividends not exactly once: %d run lines, %d payout lines for %d sources, %d unsent, bank %s, sent %s, want %d lines of %s",
			runLines, lines, sources, unsent, inBank, money.Fen(sent), want, total)
	}
	rep, err := ledger.Verify(ctx, db)
	if err != nil {
		return err
	}
	if len(rep.Problems) > 0 {
		return fmt.Errorf("ledger verify: %v", rep.Problems)
	}
	fmt.Fprintf(w, "  exactly once; ledger verified: %d transfers\n", rep.Transfers)
	return nil
}

// buildDividendCounty bulk-writes the county: households with cards,
// the agreements (active, started 2026-01-01, 3 years; even ones
// guaranteed at 5 %, 6 %, 7 % of 200,000–599,000 yuan invested on two
// channels, odd ones equity with 1–5 shares a household and declared
// returns, 80 % to the households) and each operator's 2026 payment
// posted into the dividend money with its legs pro rata.
func buildDividendCounty(ctx context.Context, db *store.DB, sv divServices, o DividendsOptions) error {
	var have int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM ag_agreements WHERE county = ?`, divCounty).Scan(&have); err != nil {
		return err
	}
	if have > 0 {
		return fmt.Errorf("county %s is in %s already: use a fresh database", divCounty, db.Source)
	}
	pc := policy.NewCounties(db, clock.System)
	if _, err := pc.Choose(ctx, "bench", divCounty, "zhijin", ""); err != nil {
		return err
	}
	root := place.Code(divCounty + "000000")
	if _, err := sv.l.CreateChannels(ctx, "bench", divCounty, []ledger.NewChannel{{Code: "SJ", Name: "省级"}, {Code: "ZX", Name: "中央"}}); err != nil {
		return err
	}
	if _, err := sv.l.OpenAccounts(ctx, "bench", divCounty, []ledger.NewAccount{
		{Code: agreements.DividendFund, Kind: ledger.Suspense, Name: "分红资金", Owner: "县乡村振兴局", Place: root, NoOverdraft: true},
		{Code: agreements.DividendBank, Kind: ledger.Suspense, Name: "分红·银行代发在途", Place: root, NoOverdraft: true},
		{Code: agreements.DividendOperators, Kind: ledger.External, Name: "经营主体（分红缴付）", Place: root},
	}); err != nil {
		return err
	}
	now := clock.Micros(time.Now())
	per := o.Households / o.Agreements
	village := func(ag, j int) string { return fmt.Sprintf("%s%03d%03d", divCounty, ag%20+1, j%10+1) }
	const rowsPer = 2000
	for b := 0; b < o.Households; b += rowsPer {
		err := db.Write(ctx, time.Now(), func(tx *store.Tx) error {
			var rows [][]any
			for h := b; h < min(b+rowsPer, o.Households); h++ {
				code := fmt.Sprintf("D%07d", h)
				rows = append(rows, []any{divCounty, code, village(h/max(per, 1), h%per), "户主" + code, "户主" + code, "农商银行", "", fmt.Sprintf("h%07d", h), fmt.Sprintf("6222********%04d", h%10000), 3, now, now, "bench"})
			}
			return store.InsertRows(ctx, tx, `INSERT INTO reg_households (county, code, village, head, card_holder, card_bank, card_enc, card_hash, card_mask, members_alive, created_at, updated_at, updated_by) VALUES `, 13, rows, "")
		})
		if err != nil {
			return fmt.Errorf("households: %w", err)
		}
	}
	var pays []ledger.TransferRequest
	type payRow struct {
		ag     int
		amount money.Fen
		legs   []agreements.Leg
	}
	var payRows []payRow
	err := db.Write(ctx, time.Now(), func(tx *store.Tx) error {
		var ags, hhs, decl [][]any
		for i := 0; i < o.Agreements; i++ {
			id := i + 1
			tw := fmt.Sprintf("%s%03d000", divCounty, i%20+1)
			invested := money.Fen(200_000_00 + int64(i%400)*1_000_00)
			sj := invested / 5
			legs := []agreements.Leg{{Channel: "SJ", Amount: sj}, {Channel: "ZX", Amount: invested - sj}}
			lj, _ := json.Marshal(legs)
			form, rates, share, coll, manager := agreements.Guaranteed, []policy.Percent{500, 600, 700}, policy.Percent(0), invested+10_000_00, ""
			var owed money.Fen
			if i%2 == 1 {
				form, rates, share, coll, manager = agreements.Equity, nil, 8000, 0, "派驻 王建"
				returns := invested/10 + money.Fen(i) // ~10 % and odd fen
				owed = share.Of(returns)
				decl = append(decl, []any{divCounty, id, 1, int64(returns), fmt.Sprintf("收益公示 %d", id), now, "bench"})
			} else {
				owed = rates[0].Of(invested)
			}
			rj, _ := json.Marshal(rates)
			if rates == nil {
				rj = []byte("[]")
			}
			ags = append(ags, []any{divCounty, id, agreements.Entity, form, tw, tw, "BENCH" + fmt.Sprint(id), fmt.Sprintf("BP%04d", id), "", "", int64(invested), string(lj), "2026-01-01", 3, string(rj),
				agreements.CollateralAssets, int64(coll), int64(share), manager, "民生监督员 张明", agreements.Active, 0, 0, 0, "", "", now, "bench", now, "bench"})
			for j := 0; j < per; j++ {
				shares := int64(0)
				if form == agreements.Equity {
					shares = int64(1 + (i+j)%5)
				}
				hhs = append(hhs, []any{divCounty, id, fmt.Sprintf("D%07d", i*per+j), shares})
			}
			parts, err := money.Split(owed, []int64{int64(sj), int64(invested - sj)})
			if err != nil {
				return err
			}
			pl := []agreements.Leg{}
			var ll []ledger.Leg
			for k, c := range []string{"SJ", "ZX"} {
				if parts[k] > 0 {
					pl = append(pl, agreements.Leg{Channel: c, Amount: parts[k]})
					ll = append(ll, ledger.Leg{Channel: c, Amount: parts[k]})
				}
			}
			pays = append(pays, ledger.TransferRequest{Key: fmt.Sprintf("dividend_in:bench-%d", id), Kind: agreements.DividendInKind, From: agreements.DividendOperators, To: agreements.DividendFund,
				Legs: ll, DocNo: fmt.Sprintf("回单 %d", id), Memo: fmt.Sprintf("协议%d 第1年分红缴付", id)})
			payRows = append(payRows, payRow{ag: id, amount: owed, legs: pl})
		}
		if err := store.InsertRows(ctx, tx, `INSERT INTO ag_agreements (county, id, kind, form, place, township, entity, project, lender, purpose, amount, legs, start_date, term_years, rates,
			collateral_kind, collateral, households_share, manager, witnesses, state, item, renews, accepted_at, accepted_by, reason, created_at, created_by, updated_at, updated_by) VALUES `, 30, ags, ""); err != nil {
			return err
		}
		if err := store.InsertRows(ctx, tx, `INSERT INTO ag_households (county, agreement, household, shares) VALUES `, 4, hhs, ""); err != nil {
			return err
		}
		return store.InsertRows(ctx, tx, `INSERT INTO ag_div_declared (county, agreement, period, returns, doc_no, declared_at, declared_by) VALUES `, 7, decl, "")
	})
	if err != nil {
		return fmt.Errorf("agreements: %w", err)
	}
	for b := 0; b < len(pays); b += 1000 {
		end := min(b+1000, len(pays))
		ts, err := sv.l.Post(ctx, "bench", divCounty, pays[b:end])
		if err != nil {
			return fmt.Errorf("operators' payments: %w", err)
		}
		err = db.Write(ctx, time.Now(), func(tx *store.Tx) error {
			var rows [][]any
			for k, t := range ts {
				p := payRows[b+k]
				lj, _ := json.Marshal(p.legs)
				rows = append(rows, []any{divCounty, p.ag, p.ag, 1, int64(p.amount), string(lj), fmt.Sprintf("回单 %d", p.ag), "2027-01-15", t.ID, now, "bench"})
			}
			return store.InsertRows(ctx, tx, `INSERT INTO ag_div_payments (county, id, agreement, period, amount, legs, doc_no, paid_on, transfer, created_at, created_by) VALUES `, 11, rows, "")
		})
		if err != nil {
			return fmt.Errorf("payments: %w", err)
		}
	}
	return nil
}
