package bench

// `onepool bench assets`: the asset income distribution at county scale
// (issue 14) — 5,000 operating assets confirmed to 200 villages'
// collectives, each with its 2026 rent arrived on its account and 20
// households kept with it (100,000 household lines); the county-wide run
// entered and approved (its runs, lines and postings written), then the
// payout batch of every household line sent to the bank. With a child
// process killed with SIGKILL during the approval (nothing or the whole
// run written) and again half way through the batch, the rest sent again:
// each line exactly once. Then the register's list queries over 50,000
// assets (AssetRegister).

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/pprof"
	"sort"
	"syscall"
	"time"

	"onepool/internal/assets"
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

const asCounty = "981740"

// AssetsOptions sizes the benchmark.
type AssetsOptions struct {
	DB       string // "" a fresh SQLite file in a temporary directory
	Assets   int    // operating assets with income, default 5,000
	PerAsset int    // households kept with each asset, default 20
	Register int    // assets in the register for the list queries (0: no register benchmark)
	ListRuns int    // runs of each list query, default 100 (their p50 and p99)
	Self     string // this executable, to run (and kill) the approval and batch in a child; "": no kill test
}

func asWho(user string, role auth.Role) auth.Principal {
	return auth.Principal{Username: user, DisplayName: user, Role: role, Place: place.Code(asCounty + "000000"), County: asCounty}
}

var (
	asMaker     = asWho("bench.rural", auth.RoleRural)
	asApprovers = []auth.Principal{asWho("bench.fin2", auth.RoleFinance), asWho("bench.fin3", auth.RoleFinance)}
)

const (
	asRunKey   = "bench-asset-county-run-2026"
	asBatchKey = "bench-asset-batch"
)

type asServices struct {
	inc *assets.IncomeService
	ins *instruct.Service
	pay *payout.Service
	l   *ledger.Ledger
}

func assetServices(db *store.DB) asServices {
	l := ledger.New(db, nil)
	keys := benchKeys()
	reg := registry.New(db, keys, nil)
	pc := policy.NewCounties(db, nil)
	wf := workflow.New(db, nil)
	a := assets.New(db, l, entities.New(db, l, reg, keys, nil), nil)
	inc := assets.NewIncome(a, pc, reg, nil)
	ins := instruct.NewService(db, wf, pc, nil)
	ins.UseLedger(l)
	pay := payout.New(db, l, nil)
	pay.UseInstructions(ins)
	inc.UseInstructions(ins)
	inc.UsePayout(pay, reg)
	return asServices{inc: inc, ins: ins, pay: pay, l: l}
}

// Assets runs the benchmark and checks every line was sent once.
func Assets(ctx context.Context, o AssetsOptions, w io.Writer) error {
	var child func(string) []string
	if o.Self != "" {
		child = func(db string) []string { return []string{o.Self, "bench", "assets-child", "--db", db} }
	}
	return assetsWithChild(ctx, o, w, child)
}

func assetsWithChild(ctx context.Context, o AssetsOptions, w io.Writer, child func(db string) []string, env ...string) error {
	if o.Assets <= 0 {
		o.Assets = 5_000
	}
	if o.PerAsset <= 0 {
		o.PerAsset = 20
	}
	db, done, err := openBenchDB(ctx, o.DB)
	if err != nil {
		return err
	}
	defer done()
	sv := assetServices(db)
	t0 := time.Now()
	if err := buildAssetCounty(ctx, db, sv, o); err != nil {
		return err
	}
	if err := db.Optimize(ctx); err != nil {
		return err
	}
	fmt.Fprintf(w, "bench assets on %s: generated %d households, %d operating assets with their 2026 income, %d households each, in %v\n",
		db.Dialect, o.Assets*o.PerAsset, o.Assets, o.PerAsset, time.Since(t0).Round(time.Millisecond))

	t := time.Now()
	plan, err := sv.inc.PlanCountyRun(ctx, asMaker, 2026, "", nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  plan (preview): %d assets, %d lines (%d households), %s yuan, %d left out, in %v\n",
		len(plan.Assets), plan.Lines, plan.Households, plan.Total, len(plan.LeftOut), time.Since(t).Round(time.Millisecond))
	// ONEPOOL_BENCH_CPUPROFILE=FILE: a CPU profile of enter + approve.
	var stopProfile func()
	if f := os.Getenv("ONEPOOL_BENCH_CPUPROFILE"); f != "" && child == nil {
		pf, err := os.Create(f)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		stopProfile = func() { pprof.StopCPUProfile(); pf.Close() }
	}
	t, cpu0 := time.Now(), processCPU()
	in, _, err := sv.inc.ProposeCountyRun(ctx, asMaker, assets.CountyRunInput{Year: 2026, Key: asRunKey})
	if err != nil {
		return err
	}
	enter := time.Since(t)
	fmt.Fprintf(w, "  enter the county run (computed, frozen: payload %d bytes): %v\n", len(in.Payload), enter.Round(time.Millisecond))

	if child != nil && o.DB != "" {
		start := func() (*exec.Cmd, error) {
			args := child(o.DB)
			cmd := exec.Command(args[0], args[1:]...)
			cmd.Env = append(os.Environ(), env...)
			cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
			return cmd, cmd.Start()
		}
		count := func(q string, args ...any) (int, error) {
			var n int
			err := db.QueryRowContext(ctx, q, args...).Scan(&n)
			return n, err
		}
		// 1. Killed during the approval: once the first approver has
		// signed, the second's approval is the one transaction writing
		// the run; kill it a moment later.
		cmd, err := start()
		if err != nil {
			return err
		}
		for {
			n, err := count(`SELECT COUNT(*) FROM wf_steps s JOIN money_instructions i ON i.county = s.county AND i.item = s.item WHERE i.county = ? AND i.id = ? AND s.decision = 'approve'`, asCounty, in.ID)
			if err != nil {
				return err
			}
			if n >= 1 {
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		time.Sleep(150 * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		lines, err := count(`SELECT COUNT(*) FROM as_dist_lines WHERE county = ?`, asCounty)
		if err != nil {
			return err
		}
		got, err := sv.ins.Get(ctx, asMaker, in.ID)
		if err != nil {
			return err
		}
		if !(lines == 0 && got.State == instruct.Pending) && !(lines == plan.Lines && got.State == instruct.Posted) {
			return fmt.Errorf("killed during the approval: %d of %d lines written, the instruction %s", lines, plan.Lines, got.State)
		}
		fmt.Fprintf(w, "  killed the approval with SIGKILL: %d of %d lines written, the instruction %s (nothing or the whole)\n", lines, plan.Lines, got.State)
		// 2. Killed half way through the payout batch.
		if cmd, err = start(); err != nil {
			return err
		}
		for {
			n, err := count(`SELECT COUNT(*) FROM payout_lines WHERE county = ? AND kind = ?`, asCounty, assets.PayoutKind)
			if err != nil {
				return err
			}
			if n >= plan.Households/2 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		n, err := count(`SELECT COUNT(*) FROM payout_lines WHERE county = ? AND kind = ?`, asCounty, assets.PayoutKind)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  killed the payout run with SIGKILL after %d of %d household lines were sent\n", n, plan.Households)
	}
	t = time.Now()
	approved, err := asApproveAll(ctx, sv.ins, in.ID)
	if err != nil {
		return err
	}
	appr, cpu := time.Since(t), processCPU()-cpu0
	if stopProfile != nil {
		stopProfile()
	}
	if approved {
		fmt.Fprintf(w, "  approve (computed again, %d runs, %d lines, their postings written): %v\n", len(plan.Assets), plan.Lines, appr.Round(time.Millisecond))
		fmt.Fprintf(w, "  county run computed, frozen and written: enter + approve %v (CPU %v)\n", (enter + appr).Round(time.Millisecond), cpu.Round(10*time.Millisecond))
	}
	t = time.Now()
	sent, err := sendAssetLines(ctx, sv)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  payout batch: %d lines sent (fund → bank, chunks of %d) in %v\n", sent, payout.Chunk, time.Since(t).Round(time.Millisecond))
	if err := checkAssetsOnce(ctx, db, sv.l, plan, w); err != nil {
		return err
	}
	if o.Register > 0 {
		return assetRegister(ctx, db, o.Register, o.Assets, o.ListRuns, w)
	}
	return nil
}

// AssetsChild is the child of the kill test: it approves the county run
// and sends its payout batch until it is killed.
func AssetsChild(ctx context.Context, src string) error {
	db, err := store.Open(ctx, src)
	if err != nil {
		return err
	}
	defer db.Close()
	sv := assetServices(db)
	var id int64
	if err := db.QueryRowContext(ctx, `SELECT id FROM money_instructions WHERE county = ? AND kind = ? AND ikey = ?`, asCounty, instruct.AssetCountyRun, asRunKey).Scan(&id); err != nil {
		return err
	}
	if _, err := asApproveAll(ctx, sv.ins, id); err != nil {
		return err
	}
	_, err = sendAssetLines(ctx, sv)
	return err
}

func asApproveAll(ctx context.Context, ins *instruct.Service, id int64) (bool, error) {
	for _, p := range asApprovers {
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
	got, err := ins.Get(ctx, asMaker, id)
	if err != nil {
		return false, err
	}
	return false, fmt.Errorf("instruction %d is %s after its approvals", id, got.State)
}

// sendAssetLines enters, approves and sends the payout batch of every
// waiting household line, or continues the one entered before.
func sendAssetLines(ctx context.Context, sv asServices) (int, error) {
	db := sv.inc.Assets().DB()
	var id int64
	var state string
	err := db.QueryRowContext(ctx, `SELECT id, state FROM money_instructions WHERE county = ? AND kind = ? AND ikey = ?`, asCounty, instruct.AssetBatch, asBatchKey).Scan(&id, &state)
	if err != nil {
		in, err := sv.inc.ProposePayment(ctx, asMaker, asBatchKey)
		if err != nil {
			return 0, err
		}
		id = in.ID
	}
	if _, err := asApproveAll(ctx, sv.ins, id); err != nil {
		return 0, err
	}
	in, err := sv.ins.Get(ctx, asMaker, id)
	if err != nil {
		return 0, err
	}
	a, err := sv.pay.SendApproved(ctx, asApprovers[0], in, nil)
	return a.Sent, err
}

// checkAssetsOnce: each asset's run written once with its lines summing
// to its income; one payout line per household line, each sent once; the
// bank in transit holding exactly their total; the ledger verifying.
func checkAssetsOnce(ctx context.Context, db *store.DB, l *ledger.Ledger, plan assets.CountyPlan, w io.Writer) error {
	var runs, runLines, hhLines, unsent, lines, sources int
	var lineSum, hhSum, sent int64
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM as_dist_runs WHERE county = ?`, asCounty).Scan(&runs); err != nil {
		return err
	}
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM as_dist_lines WHERE county = ?`, asCounty).Scan(&runLines, &lineSum); err != nil {
		return err
	}
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(amount), 0), COALESCE(SUM(CASE WHEN pay_status = 'sending' THEN 0 ELSE 1 END), 0) FROM as_dist_lines WHERE county = ? AND payee_kind = 'household'`, asCounty).Scan(&hhLines, &hhSum, &unsent); err != nil {
		return err
	}
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT source), COALESCE(SUM(amount), 0) FROM payout_lines WHERE county = ? AND kind = ?`, asCounty, assets.PayoutKind).Scan(&lines, &sources, &sent); err != nil {
		return err
	}
	var bad int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT r.id FROM as_dist_runs r JOIN as_dist_lines d ON d.county = r.county AND d.run = r.id
		WHERE r.county = ? GROUP BY r.id, r.total HAVING SUM(d.amount) <> r.total) x`, asCounty).Scan(&bad); err != nil {
		return err
	}
	bals, err := l.Balances(ctx, asCounty, assets.DistBank)
	if err != nil {
		return err
	}
	var inBank money.Fen
	for _, b := range bals {
		inBank += b.Amount
	}
	fmt.Fprintf(w, "  %d runs, %d run lines (%s yuan, want %d lines, %s yuan), %d household lines (%s yuan); %d payout lines for %d of them, %d not sent; the bank holds %s yuan; %d runs whose lines do not sum to the run\n",
		runs, runLines, money.Fen(lineSum), plan.Lines, plan.Total, hhLines, money.Fen(hhSum), lines, sources, unsent, inBank, bad)
	if runs != len(plan.Assets) || runLines != plan.Lines || money.Fen(lineSum) != plan.Total || hhLines != plan.Households || lines != hhLines || sources != hhLines ||
		unsent != 0 || inBank != money.Fen(hhSum) || money.Fen(sent) != money.Fen(hhSum) || bad != 0 {
		return fmt.Errorf("asset income not exactly once")
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

func asVillage(v int) string { return fmt.Sprintf("%s%03d%03d", asCounty, v/10+1, v%10+1) }

// buildAssetCounty bulk-writes the county: 200 villages (20 townships of
// 10), each with its collective (ent_entities, col: account); households
// with cards; the operating assets (ZC000001 …, value 100,000–599,000
// yuan on two channels 40/60, confirmed to their village's collective),
// 20 households kept with each, and each asset's 2026 rent (12,000 yuan
// and some fen) posted to its account with its legs pro rata.
func buildAssetCounty(ctx context.Context, db *store.DB, sv asServices, o AssetsOptions) error {
	var have int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM as_assets WHERE county = ?`, asCounty).Scan(&have); err != nil {
		return err
	}
	if have > 0 {
		return fmt.Errorf("county %s is in %s already: use a fresh database", asCounty, db.Source)
	}
	pc := policy.NewCounties(db, clock.System)
	if _, err := pc.Choose(ctx, "bench", asCounty, "pingli", ""); err != nil {
		return err
	}
	root := place.Code(asCounty + "000000")
	if _, err := sv.l.CreateChannels(ctx, "bench", asCounty, []ledger.NewChannel{{Code: "SJ", Name: "省级"}, {Code: "ZX", Name: "中央"}}); err != nil {
		return err
	}
	const villages = 200
	accs := []ledger.NewAccount{{Code: assets.IncomeSource, Kind: ledger.External, Name: "资产收益来源", Place: root}}
	for v := 0; v < villages; v++ {
		accs = append(accs, ledger.NewAccount{Code: fmt.Sprintf("col:BENCHCOL%03d", v), Kind: ledger.Collective, Name: fmt.Sprintf("村集体 %d", v), Place: place.Code(asVillage(v)), NoOverdraft: true})
	}
	for i := 1; i <= o.Assets; i++ {
		accs = append(accs, ledger.NewAccount{Code: assets.AccountCode(int64(i)), Kind: ledger.Asset, Name: fmt.Sprintf("资产 %d（资产收益）", i), Owner: fmt.Sprintf("ZC%06d", i), Place: place.Code(asVillage((i - 1) % villages)), NoOverdraft: true})
	}
	if _, err := sv.l.OpenAccounts(ctx, "bench", asCounty, accs); err != nil {
		return err
	}
	now := clock.Micros(time.Now())
	hhOf := func(asset, j int) string { return fmt.Sprintf("A%06d-%02d", asset, j) }
	err := db.Write(ctx, time.Now(), func(tx *store.Tx) error {
		var ents [][]any
		for v := 0; v < villages; v++ {
			u := fmt.Sprintf("BENCHCOL%03d", v)
			ents = append(ents, []any{asCounty, u, entities.Collective, fmt.Sprintf("村集体 %d", v), asVillage(v), "col:" + u, "村主任", "", "", "", "村集体", "农商银行", "", "", "", now, "bench", now, "bench"})
		}
		if err := store.InsertRows(ctx, tx, `INSERT INTO ent_entities (county, uscc, kind, name, place, account, legal_rep, rep_id_enc, rep_id_hash, rep_id_mask, bank_holder, bank, bank_enc, bank_hash, bank_mask, created_at, created_by, updated_at, updated_by) VALUES `, 19, ents, ""); err != nil {
			return err
		}
		var as, legs, hh, bs [][]any
		for i := 1; i <= o.Assets; i++ {
			v := (i - 1) % villages
			value := money.Fen(100_000_00 + int64(i%500)*1_000_00)
			sj := value * 4 / 10
			as = append(as, []any{asCounty, i, fmt.Sprintf("ZC%06d", i), "", fmt.Sprintf("扶贫车间 %d", i), assets.Operating, "workshop", asVillage(v), "村口", 1000, "座", int64(value), int64(value), "2025-06-30",
				assets.Confirmed, assets.Leased, assets.OwnerCollective, fmt.Sprintf("BENCHCOL%03d", v), "确权文件", now, "bench", "村委会", "王强", assets.AccountCode(int64(i)), now, "bench", now, "bench"})
			legs = append(legs, []any{asCounty, i, "SJ", int64(sj)}, []any{asCounty, i, "ZX", int64(value - sj)})
			for j := 0; j < o.PerAsset; j++ {
				code := hhOf(i, j)
				hh = append(hh, []any{asCounty, code, asVillage(v), "户主" + code, "户主" + code, "农商银行", "", "h" + code, fmt.Sprintf("6222********%04d", (i*o.PerAsset+j)%10000), 3, now, now, "bench"})
				bs = append(bs, []any{asCounty, i, code, 1 + int64(j%3)})
			}
		}
		if err := store.InsertRows(ctx, tx, `INSERT INTO as_assets (county, id, code, project, name, type, category, place, location, quantity, unit, value, book_value, built_on, status, use_state,
			owner_kind, owner, confirm_doc, confirmed_at, confirmed_by, keeper_unit, keeper_person, account, created_at, created_by, updated_at, updated_by) VALUES `, 28, as, ""); err != nil {
			return err
		}
		if err := store.InsertRows(ctx, tx, `INSERT INTO as_legs (county, asset, channel, amount) VALUES `, 4, legs, ""); err != nil {
			return err
		}
		if err := store.InsertRows(ctx, tx, `INSERT INTO reg_households (county, code, village, head, card_holder, card_bank, card_enc, card_hash, card_mask, members_alive, created_at, updated_at, updated_by) VALUES `, 13, hh, ""); err != nil {
			return err
		}
		return store.InsertRows(ctx, tx, `INSERT INTO as_beneficiaries (county, asset, household, weight) VALUES `, 4, bs, "")
	})
	if err != nil {
		return fmt.Errorf("assets: %w", err)
	}
	for b := 1; b <= o.Assets; b += 1000 {
		end := min(b+1000, o.Assets+1)
		var reqs []ledger.TransferRequest
		var rows [][]any
		for i := b; i < end; i++ {
			value := money.Fen(100_000_00 + int64(i%500)*1_000_00)
			amt := money.Fen(12_000_00 + int64(i%97))
			parts, err := money.SplitFen(amt, []money.Fen{value * 4 / 10, value - value*4/10})
			if err != nil {
				return err
			}
			reqs = append(reqs, ledger.TransferRequest{Key: fmt.Sprintf("asset-income:%d:bench", i), Kind: assets.IncomeTransferKind, From: assets.IncomeSource, To: assets.AccountCode(int64(i)),
				Legs: []ledger.Leg{{Channel: "SJ", Amount: parts[0]}, {Channel: "ZX", Amount: parts[1]}}, DocNo: fmt.Sprintf("收据 %d", i), Memo: fmt.Sprintf("资产 ZC%06d 2026 年收益", i)})
			rows = append(rows, []any{asCounty, i, i, 2026, assets.IncomeRent, 0, int64(amt), fmt.Sprintf(`[{"channel":"SJ","amount":%d},{"channel":"ZX","amount":%d}]`, parts[0], parts[1]),
				fmt.Sprintf("收据 %d", i), assets.IncomeSource, "2026-03-01", 0, now, "bench"})
		}
		ts, err := sv.l.Post(ctx, "bench", asCounty, reqs)
		if err != nil {
			return fmt.Errorf("income: %w", err)
		}
		for k, t := range ts {
			rows[k][11] = t.ID
		}
		if err := db.Write(ctx, time.Now(), func(tx *store.Tx) error {
			return store.InsertRows(ctx, tx, `INSERT INTO as_income (county, id, asset, period, kind, lease, amount, legs, doc_no, payer, received_on, transfer, created_at, created_by) VALUES `, 14, rows, "")
		}); err != nil {
			return fmt.Errorf("income: %w", err)
		}
	}
	return nil
}

// AssetRegister times the register page's reads over a register of n
// assets (the distribution's have plus generated ones of every type and
// status, 200 villages): assets.Service.List — a page of 50 ordered by
// village and number with its capped count — by county, township,
// village, type, status, a name or number search and a deep page.
func AssetRegister(ctx context.Context, db *store.DB, n, have int, w io.Writer) error {
	return assetRegister(ctx, db, n, have, 100, w)
}

func assetRegister(ctx context.Context, db *store.DB, n, have, runs int, w io.Writer) error {
	if runs <= 0 {
		runs = 100
	}
	now := clock.Micros(time.Now())
	types := []string{assets.Operating, assets.PublicWelfare, assets.Household}
	statuses := []string{assets.Registered, assets.Confirmed, assets.Confirmed, assets.Confirmed, assets.Disposing, assets.Disposed}
	cats := []string{"road", "water", "workshop", "greenhouse", "building", "equipment", "livestock", "plantation", "pv", "other"}
	t0 := time.Now()
	for b := have + 1; b <= n; b += 5000 {
		end := min(b+5000, n+1)
		err := db.Write(ctx, time.Now(), func(tx *store.Tx) error {
			var as [][]any
			for i := b; i < end; i++ {
				v := (i - 1) % 200
				as = append(as, []any{asCounty, i, fmt.Sprintf("ZC%06d", i), fmt.Sprintf("P%05d", i/7), fmt.Sprintf("%s %d 号", []string{"村道", "饮水工程", "扶贫车间", "蔬菜大棚", "村级光伏电站"}[i%5], i), types[(i/6)%3], cats[i%10], asVillage(v), "组", 1000, "处", int64(50_000_00 + i), int64(50_000_00 + i), "2024-06-30",
					statuses[i%6], "", "", "", "", 0, "", "村委会", "李四", "", now, "bench", now, "bench"})
			}
			return store.InsertRows(ctx, tx, `INSERT INTO as_assets (county, id, code, project, name, type, category, place, location, quantity, unit, value, book_value, built_on, status, use_state,
				owner_kind, owner, confirm_doc, confirmed_at, confirmed_by, keeper_unit, keeper_person, account, created_at, created_by, updated_at, updated_by) VALUES `, 28, as, "")
		})
		if err != nil {
			return fmt.Errorf("register: %w", err)
		}
	}
	if err := db.Optimize(ctx); err != nil {
		return err
	}
	fmt.Fprintf(w, "bench assets register on %s: %d assets in the register (%d generated in %v); the register page's reads (assets.Service.List: a page of 50 and its count capped at %d), %d runs each:\n",
		db.Dialect, n, max(n-have, 0), time.Since(t0).Round(time.Millisecond), ledger.CountCap, runs)
	sv := assets.New(db, ledger.New(db, nil), nil, nil)
	county := asWho("bench.rural", auth.RoleRural)
	town := county
	town.Username, town.Role, town.Place = "bench.town", auth.RoleTownship, place.Code(asCounty+"001000")
	type shape struct {
		name string
		p    auth.Principal
		f    assets.Filter
	}
	shapes := []shape{
		{"county, the register (not disposed)", county, assets.Filter{}},
		{"county, page 200", county, assets.Filter{Offset: 199 * 50}},
		{"township", town, assets.Filter{}},
		{"village", town, assets.Filter{Place: place.Code(asVillage(0))}},
		{"county, operating", county, assets.Filter{Type: assets.Operating}},
		{"county, registered", county, assets.Filter{Status: assets.Registered}},
		{"county, disposing + household", county, assets.Filter{Status: assets.Disposing, Type: assets.Household}},
		{"village, operating", town, assets.Filter{Place: place.Code(asVillage(0)), Type: assets.Operating}},
		{"county, name search 光伏", county, assets.Filter{Q: "光伏"}},
		{"county, name search 光伏电站 1234", county, assets.Filter{Q: "光伏电站 1234"}},
		{"county, number search ZC0042", county, assets.Filter{Q: "ZC0042"}},
	}
	fmt.Fprintf(w, "  %-36s %8s %5s  %s\n", "list", "matching", "shown", "p50, p99")
	for _, sh := range shapes {
		f := sh.f
		f.Limit, f.CountCap = 50, ledger.CountCap
		var ds []time.Duration
		var total, rows int
		for r := 0; r < runs; r++ {
			t := time.Now()
			as, n, err := sv.List(ctx, sh.p, f)
			if err != nil {
				return fmt.Errorf("%s: %w", sh.name, err)
			}
			ds = append(ds, time.Since(t))
			total, rows = n, len(as)
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		shown := fmt.Sprint(total)
		if total > ledger.CountCap {
			shown = fmt.Sprintf(">%d", ledger.CountCap)
		}
		fmt.Fprintf(w, "  %-36s %8s %5d  p50 %v, p99 %v\n", sh.name, shown, rows, ds[len(ds)/2].Round(10*time.Microsecond), ds[len(ds)*99/100].Round(10*time.Microsecond))
	}
	return nil
}
