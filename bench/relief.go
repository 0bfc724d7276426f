package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/registry"
	"onepool/internal/relief"
	"onepool/internal/store"
	"onepool/internal/workflow"
)

// ReliefOptions size the relief benchmark.
type ReliefOptions struct {
	DB         string // empty: a fresh SQLite file
	Households int    // screened
	Payouts    int    // approved applications in the payout batch
	Self       string // this executable, to run (and kill) the batch in a child process; empty: no kill test
}

// reliefCounty is the relief benchmark's synthetic county.
const reliefCounty = "990105"

// benchKeys is the benchmark's fixed registry key (its data is synthetic).
func benchKeys() *registry.Keys {
	k, err := registry.NewKeys([]byte("onepool-bench-relief-key-32bytes"))
	if err != nil {
		panic(err)
	}
	return k
}

func reliefServices(db *store.DB) (*relief.Service, *ledger.Ledger) {
	pc := policy.NewCounties(db, clock.System)
	l := ledger.New(db, clock.System)
	keys := benchKeys()
	reg := registry.New(db, keys, clock.System)
	return relief.New(db, l, reg, keys, workflow.New(db, clock.System), pc, clock.System), l
}

var benchRural = auth.Principal{Username: "bench.rural", Role: auth.RoleRural, Place: place.Code(reliefCounty + "000000"), County: reliefCounty}

// Relief measures screening a county's households against the relief
// rule with their top-ups, and a payout batch of approved applications;
// with Self set, the batch runs in a child process that is killed with
// SIGKILL half way, then run again, and every household must be sent its
// money exactly once.
func Relief(ctx context.Context, o ReliefOptions, w io.Writer) error {
	var child func(string) []string
	if o.Self != "" {
		child = func(db string) []string { return []string{o.Self, "bench", "relief-send", "--db", db} }
	}
	return reliefWithChild(ctx, o, w, child)
}

// reliefWithChild is Relief with the child's command line (nil: no kill
// test) and extra environment for it.
func reliefWithChild(ctx context.Context, o ReliefOptions, w io.Writer, child func(db string) []string, env ...string) error {
	if o.Households <= 0 {
		o.Households = 1_000_000
	}
	if o.Payouts <= 0 {
		o.Payouts = 100_000
	}
	db, done, err := openBenchDB(ctx, o.DB)
	if err != nil {
		return err
	}
	defer done()
	rs, l := reliefServices(db)
	var have int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM reg_households WHERE county = ?`, reliefCounty).Scan(&have); err != nil {
		return err
	}
	if have == 0 {
		t0 := time.Now()
		if err := buildReliefCounty(ctx, db, rs, o); err != nil {
			return err
		}
		fmt.Fprintf(w, "generated %d households (%d applications approved) in %v\n", o.Households, o.Payouts, time.Since(t0).Round(time.Millisecond))
		if err := db.Optimize(ctx); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(w, "synthetic county %s already in %s (%d households)\n", reliefCounty, db.Source, have)
	}
	t := time.Now()
	sc, err := rs.Screen(ctx, reliefCounty, 2026)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  screen %d households against the rule, with top-ups: %v (%d eligible, top-ups %s yuan; refused %v)\n",
		sc.Households, time.Since(t).Round(time.Millisecond), sc.Eligible, sc.Total, sc.Refused)

	if child != nil && o.DB != "" {
		// The batch in a child process, killed half way.
		args := child(o.DB)
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = append(os.Environ(), env...)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		if err := cmd.Start(); err != nil {
			return err
		}
		for {
			var n int
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM payout_lines WHERE county = ? AND kind = 'relief'`, reliefCounty).Scan(&n); err != nil {
				return err
			}
			if n >= o.Payouts/2 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM payout_lines WHERE county = ? AND kind = 'relief'`, reliefCounty).Scan(&n); err != nil {
			return err
		}
		fmt.Fprintf(w, "  killed the payout run with SIGKILL after %d of %d lines\n", n, o.Payouts)
	}
	t = time.Now()
	b, err := rs.Send(ctx, benchRural)
	if err != nil && !strings.Contains(err.Error(), "nothing_to_send") {
		return err
	}
	fmt.Fprintf(w, "  payout batch %d: %d lines, %s yuan, in %v\n", b.ID, b.Lines, b.Total, time.Since(t).Round(time.Millisecond))
	return checkOnce(ctx, db, l, o.Payouts, w)
}

// checkOnce verifies that every approved application was sent exactly
// once, and the ledger.
func checkOnce(ctx context.Context, db *store.DB, l *ledger.Ledger, want int, w io.Writer) error {
	var lines, apps, dup int
	var sent int64
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT source), COALESCE(SUM(amount), 0) FROM payout_lines WHERE county = ? AND kind = 'relief'`, reliefCounty).Scan(&lines, &apps, &sent); err != nil {
		return err
	}
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM relief_applications WHERE county = ? AND status <> 'sending'`, reliefCounty).Scan(&dup); err != nil {
		return err
	}
	bals, err := l.Balances(ctx, reliefCounty, relief.BankAccount)
	if err != nil {
		return err
	}
	var inBank money.Fen
	for _, b := range bals {
		inBank += b.Amount
	}
	fmt.Fprintf(w, "  %d lines for %d applications (want %d each once); %d not sent; the bank holds %s yuan = lines %s yuan\n",
		lines, apps, want, dup, inBank, money.Fen(sent))
	if lines != want || apps != want || dup != 0 || inBank != money.Fen(sent) {
		return fmt.Errorf("payout not exactly once: %d lines, %d applications, %d unsent, bank %s vs %s", lines, apps, dup, inBank, money.Fen(sent))
	}
	rep, err := ledger.Verify(ctx, db)
	if err != nil {
		return err
	}
	if len(rep.Problems) > 0 {
		return fmt.Errorf("ledger verify: %v", rep.Problems)
	}
	fmt.Fprintf(w, "  ledger verified: %d transfers\n", rep.Transfers)
	return nil
}

// ReliefSend is the child process of the kill test: it sends the payout.
func ReliefSend(ctx context.Context, src string) error {
	db, err := store.Open(ctx, src)
	if err != nil {
		return err
	}
	defer db.Close()
	rs, _ := reliefServices(db)
	_, err = rs.Send(ctx, benchRural)
	return err
}

// buildReliefCounty bulk-inserts the registry (households and their year
// records, causes encrypted like real ones; members are not needed to
// screen) and the approved applications, and funds the relief fund.
func buildReliefCounty(ctx context.Context, db *store.DB, rs *relief.Service, o ReliefOptions) error {
	pc := policy.NewCounties(db, clock.System)
	if _, err := pc.Choose(ctx, "bench", reliefCounty, "tongchuan", ""); err != nil {
		return err
	}
	keys := benchKeys()
	causes := []string{"illness", "disaster", "accident", "schooling", "labour"}
	sealed := map[string]string{}
	for _, c := range causes {
		v, err := keys.Seal(c)
		if err != nil {
			return err
		}
		sealed[c] = v
	}
	statuses := []string{registry.Exited, registry.NonPoorAgri, registry.Monitored, registry.NonPoor, registry.Poor}
	now := clock.Micros(time.Now())
	const per = 2000
	for b := 0; b < o.Households; b += per {
		err := db.Write(ctx, time.Now(), func(tx *store.Tx) error {
			var hv, yv []string
			var ha, ya []any
			for i := b; i < min(b+per, o.Households); i++ {
				code := fmt.Sprintf("R%07d", i)
				vil := fmt.Sprintf("%s%03d%03d", reliefCounty, i%20+1, (i/20)%10+1)
				hv = append(hv, "(?, ?, ?, ?, ?, '农商银行', '', '', ?, ?, ?, ?, 'bench')")
				ha = append(ha, reliefCounty, code, vil, "户主"+code, "户主"+code, fmt.Sprintf("6222********%04d", i%10000), 1+i%5, now, now)
				income := int64(3_000_00 + (i*7919)%(40_000_00))
				yv = append(yv, "(?, ?, 2026, ?, ?, ?, ?, ?, ?, ?, ?, 'bench')")
				stable := 0
				if (i/5)%7 == 0 {
					stable = 1
				}
				ya = append(ya, reliefCounty, code, vil, 1+i%5, statuses[i%len(statuses)], stable, sealed[causes[i%len(causes)]], income, int64(1_000_00), now)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO reg_households (county, code, village, head, card_holder, card_bank, card_enc, card_hash, card_mask, members_alive, created_at, updated_at, updated_by) VALUES `+strings.Join(hv, ", "), ha...); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO reg_years (county, household, year, village, members_alive, status, stable, causes_enc, income, expenses, updated_at, updated_by) VALUES `+strings.Join(yv, ", "), ya...)
			return err
		})
		if err != nil {
			return fmt.Errorf("registry rows: %w", err)
		}
	}
	// Approved applications (frozen amounts of 1,000–3,000 yuan).
	var total int64
	for b := 0; b < o.Payouts; b += per {
		err := db.Write(ctx, time.Now(), func(tx *store.Tx) error {
			var v []string
			var a []any
			for i := b; i < min(b+per, o.Payouts); i++ {
				amt := int64(1_000_00 + (i%3)*1_000_00)
				total += amt
				v = append(v, "(?, ?, ?, ?, 1, '户主', 2026, '', 600000, '', 0, 0, 'yuan_up', 0, 2, ?, 1, 'approved', 0, 0, 0, ?, 'bench')")
				a = append(a, reliefCounty, i+1, fmt.Sprintf("R%07d", i), fmt.Sprintf("%s%03d%03d", reliefCounty, i%20+1, (i/20)%10+1), amt, now)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO relief_applications (county, id, household, village, member_seq, applicant, year, cause_enc, standard, source, income, expenses, rounding, per_capita, members, amount, frozen, status, item, attempts, paid_transfer, created_at, created_by) VALUES `+strings.Join(v, ", "), a...)
			return err
		})
		if err != nil {
			return fmt.Errorf("applications: %w", err)
		}
	}
	fin := auth.Principal{Username: "bench.finance", Role: auth.RoleFinance, Place: place.Code(reliefCounty + "000000"), County: reliefCounty}
	_, err := rs.Receive(ctx, fin, relief.Inflow{Key: "bench-treasury", Source: "treasury", Amount: money.Fen(total) + 1_000_000_00})
	return err
}
