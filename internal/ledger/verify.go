package ledger

import (
	"context"
	"fmt"
	"sort"

	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/store"
)

// Problem is a break found by Verify.
type Problem struct {
	County string
	What   string // "transfer", "balance", "head", "flows"
	ID     int64  // transfer id (or account id for balances)
	Reason string
}

// String describes the problem for people.
func (p Problem) String() string {
	switch p.What {
	case "transfer":
		return fmt.Sprintf("posting (transfer) %s/%d: %s", p.County, p.ID, p.Reason)
	case "balance":
		return fmt.Sprintf("balance of account %s/%d: %s", p.County, p.ID, p.Reason)
	default:
		return fmt.Sprintf("%s %s: %s", p.What, p.County, p.Reason)
	}
}

// VerifyReport summarizes a verification.
type VerifyReport struct {
	Counties  int
	Transfers int64
	Balances  int64
	Problems  []Problem // the first problem of each kind per county, in order found
}

// Verify checks, for every county: the transfers' hash chain (an edited or
// deleted posting breaks it), that every leg is positive and the totals add
// up (so every transfer sums to zero per channel), that stored balances equal
// balances recomputed from the postings, that no no-overdraft account is
// negative on any channel, that the sum of all balances of each channel is
// zero, and that the flows projection matches the postings it covers.
//
// It reads one snapshot (store.Snapshot), so postings committed while it
// runs never look like breaks.
func Verify(ctx context.Context, db *store.DB) (VerifyReport, error) {
	var rep VerifyReport
	err := db.Snapshot(ctx, func(q store.Querier) error {
		var err error
		rep, err = VerifyIn(ctx, q)
		return err
	})
	return rep, err
}

// VerifyIn is Verify reading through q, which must be one snapshot (a
// store.Snapshot's querier, or a write transaction): the head, the
// postings, the balances and the flows must all be read at one point.
func VerifyIn(ctx context.Context, db store.Querier) (VerifyReport, error) {
	var rep VerifyReport
	rows, err := db.QueryContext(ctx, `SELECT county, last_transfer_id, last_hash, projected_through FROM ledger_heads ORDER BY county`)
	if err != nil {
		return rep, errs.Wrap(err, "verify: heads")
	}
	type hd struct {
		county  string
		last    int64
		hash    []byte
		through int64
	}
	var heads []hd
	for rows.Next() {
		var h hd
		if err := rows.Scan(&h.county, &h.last, &h.hash, &h.through); err != nil {
			rows.Close()
			return rep, err
		}
		heads = append(heads, h)
	}
	rows.Close()
	for _, h := range heads {
		rep.Counties++
		if err := verifyCounty(ctx, db, h.county, h.last, h.hash, h.through, &rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func verifyCounty(ctx context.Context, db store.Querier, county string, headID int64, headHash []byte, projectedThrough int64, rep *VerifyReport) error {
	problem := func(what string, id int64, format string, args ...any) {
		rep.Problems = append(rep.Problems, Problem{County: county, What: what, ID: id, Reason: fmt.Sprintf(format, args...)})
	}
	type bk struct{ acc, ch int64 }
	type fk struct{ ch, from, to int64 }
	bal := map[bk]money.Fen{}
	flows := map[fk]int64{}
	rows, err := db.QueryContext(ctx, `SELECT `+transferCols+` FROM ledger_transfers WHERE county = ? ORDER BY id`, county)
	if err != nil {
		return errs.Wrap(err, "verify: transfers")
	}
	prev := []byte{}
	var expect int64 = 1
	chainBroken := false
	for rows.Next() {
		s, err := scanStored(rows)
		if err != nil {
			rows.Close()
			return err
		}
		rep.Transfers++
		if !chainBroken && s.id != expect {
			problem("transfer", expect, "missing: deleted from the database (next present is %d)", s.id)
			chainBroken = true
		}
		if !chainBroken && string(transferHash(prev, county, s)) != string(s.hash) {
			problem("transfer", s.id, "content does not match its hash: edited in the database")
			chainBroken = true
		}
		prev = s.hash
		expect = s.id + 1
		legs, err := decodeLegs(s.legs)
		if err != nil {
			problem("transfer", s.id, "legs unreadable: %v", err)
			continue
		}
		var total money.Fen
		for _, lg := range legs {
			if lg.amt <= 0 {
				problem("transfer", s.id, "leg on channel %d has non-positive amount %s", lg.ch, lg.amt.String())
			}
			total += lg.amt
			bal[bk{s.from, lg.ch}] -= lg.amt
			bal[bk{s.to, lg.ch}] += lg.amt
			if s.id <= projectedThrough {
				flows[fk{lg.ch, s.from, s.to}] += int64(lg.amt)
			}
		}
		if int64(total) != s.total {
			problem("transfer", s.id, "total %s differs from the sum of its legs %s", money.Fen(s.total).String(), total.String())
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if !chainBroken && (expect-1 != headID || string(prev) != string(headHash)) {
		problem("transfer", expect, "the chain ends at %d but the head says %d: postings deleted", expect-1, headID)
	}
	// Stored balances against recomputed ones.
	nod := map[int64]bool{}
	arows, err := db.QueryContext(ctx, `SELECT id FROM ledger_accounts WHERE county = ? AND no_overdraft = 1`, county)
	if err != nil {
		return errs.Wrap(err, "verify: accounts")
	}
	for arows.Next() {
		var id int64
		if err := arows.Scan(&id); err != nil {
			arows.Close()
			return err
		}
		nod[id] = true
	}
	arows.Close()
	brows, err := db.QueryContext(ctx, `SELECT account_id, channel_id, balance FROM ledger_balances WHERE county = ? ORDER BY account_id, channel_id`, county)
	if err != nil {
		return errs.Wrap(err, "verify: balances")
	}
	var found []Problem
	storedSeen := map[bk]bool{}
	perChannel := map[int64]money.Fen{}
	for brows.Next() {
		var k bk
		var b int64
		if err := brows.Scan(&k.acc, &k.ch, &b); err != nil {
			brows.Close()
			return err
		}
		rep.Balances++
		storedSeen[k] = true
		perChannel[k.ch] += money.Fen(b)
		if want := bal[k]; want != money.Fen(b) {
			found = append(found, Problem{county, "balance", k.acc, fmt.Sprintf("channel %d: stored %s, postings give %s", k.ch, money.Fen(b).String(), want.String())})
		}
		if nod[k.acc] && b < 0 {
			found = append(found, Problem{county, "balance", k.acc, fmt.Sprintf("channel %d: no-overdraft account is negative (%s)", k.ch, money.Fen(b).String())})
		}
	}
	brows.Close()
	for k, v := range bal {
		if v != 0 && !storedSeen[k] {
			found = append(found, Problem{county, "balance", k.acc, fmt.Sprintf("channel %d: no stored balance, postings give %s", k.ch, v.String())})
		}
	}
	for ch, sum := range perChannel {
		if sum != 0 {
			found = append(found, Problem{county, "balance", 0, fmt.Sprintf("channel %d: balances sum to %s, not zero", ch, sum.String())})
		}
	}
	// An account's own mismatch names the account; a channel's sum (ID 0)
	// only says that something is off, so it comes last.
	sort.SliceStable(found, func(i, j int) bool {
		a, b := found[i], found[j]
		if (a.ID == 0) != (b.ID == 0) {
			return b.ID == 0
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Reason < b.Reason
	})
	if len(found) > 0 {
		rep.Problems = append(rep.Problems, found[0])
	}
	// The flows projection.
	frows, err := db.QueryContext(ctx, `SELECT channel_id, from_account, to_account, amount FROM ledger_flows WHERE county = ?`, county)
	if err != nil {
		return errs.Wrap(err, "verify: flows")
	}
	nflows := 0
	bad := false
	for frows.Next() {
		var k fk
		var amt int64
		if err := frows.Scan(&k.ch, &k.from, &k.to, &amt); err != nil {
			frows.Close()
			return err
		}
		nflows++
		if flows[k] != amt && !bad {
			bad = true
			problem("flows", 0, "flow of channel %d from %d to %d is %d fen, postings give %d", k.ch, k.from, k.to, amt, flows[k])
		}
	}
	frows.Close()
	if !bad && nflows != len(flows) {
		problem("flows", 0, "projection has %d flows, postings give %d", nflows, len(flows))
	}
	return nil
}
