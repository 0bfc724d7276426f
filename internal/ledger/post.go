package ledger

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"onepool/internal/audit"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/store"
)

// MaxBatch is the largest number of transfers one Post accepts.
const MaxBatch = 10000

// MaxLeg is the largest amount of one leg: one trillion yuan. It keeps
// balances, which credits update by delta in the database, far from int64's
// limit (SQLite would turn an overflowing integer sum into a float).
const MaxLeg money.Fen = 100_000_000_000_000

// head is a county's ledger head row, locked for the transaction.
type head struct {
	lastTransfer     int64
	lastHash         []byte
	lastAccount      int64
	lastChannel      int64
	projectedThrough int64
}

// lockHead locks (creating if needed) the county's head row. Every ledger
// write takes it first, so a county's writes are serialized.
func lockHead(ctx context.Context, tx *store.Tx, county string) (head, error) {
	q := `SELECT last_transfer_id, last_hash, last_account_id, last_channel_id, projected_through FROM ledger_heads WHERE county = ?`
	if tx.Dialect() == store.Postgres {
		q += ` FOR UPDATE`
	}
	var h head
	err := tx.QueryRowContext(ctx, q, county).Scan(&h.lastTransfer, &h.lastHash, &h.lastAccount, &h.lastChannel, &h.projectedThrough)
	if err == sql.ErrNoRows {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_heads (county, last_transfer_id, last_hash, last_account_id, last_channel_id, projected_through)
			VALUES (?, 0, ?, 0, 0, 0) ON CONFLICT (county) DO NOTHING`, county, []byte{}); err != nil {
			return h, errs.Wrap(err, "ledger: create head")
		}
		err = tx.QueryRowContext(ctx, q, county).Scan(&h.lastTransfer, &h.lastHash, &h.lastAccount, &h.lastChannel, &h.projectedThrough)
	}
	if err != nil {
		return h, errs.Wrap(err, "ledger: lock head")
	}
	return h, nil
}

type acct struct {
	id          int64
	code        string
	kind        AccountKind
	noOverdraft bool
}

type chanInfo struct {
	id   int64
	code string
	name string
}

type rleg struct {
	ch  int64
	amt money.Fen
}

// resolved is a request with ids, ready to compare or post.
type resolved struct {
	req      TransferRequest
	from, to acct
	legs     []rleg
	legsText string
	total    money.Fen
}

// stored is a transfer row as read back.
type stored struct {
	id       int64
	key      string
	kind     string
	from, to int64
	legs     string
	total    int64
	memo     string
	docNo    string
	reverses int64
	postedAt int64
	actor    string
	hash     []byte
}

const transferCols = `id, idem_key, kind, from_account, to_account, legs, total, memo, doc_no, reverses, posted_at, actor, hash`

func scanStored(sc interface{ Scan(...any) error }) (stored, error) {
	var s stored
	var rev sql.NullInt64
	err := sc.Scan(&s.id, &s.key, &s.kind, &s.from, &s.to, &s.legs, &s.total, &s.memo, &s.docNo, &rev, &s.postedAt, &s.actor, &s.hash)
	s.reverses = rev.Int64
	return s, err
}

func encodeLegs(legs []rleg) string {
	b := make([]byte, 0, 24*len(legs))
	for i, l := range legs {
		if i > 0 {
			b = append(b, ';')
		}
		b = strconv.AppendInt(b, l.ch, 10)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(l.amt), 10)
	}
	return string(b)
}

func decodeLegs(s string) ([]rleg, error) {
	if s == "" {
		return nil, fmt.Errorf("no legs")
	}
	parts := strings.Split(s, ";")
	out := make([]rleg, 0, len(parts))
	for _, p := range parts {
		c, a, ok := strings.Cut(p, ":")
		if !ok {
			return nil, fmt.Errorf("malformed leg %q", p)
		}
		ch, err1 := strconv.ParseInt(c, 10, 64)
		amt, err2 := strconv.ParseInt(a, 10, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("malformed leg %q", p)
		}
		out = append(out, rleg{ch, money.Fen(amt)})
	}
	return out, nil
}

// transferHash chains a transfer to its predecessor.
func transferHash(prev []byte, county string, s stored) []byte {
	h := sha256.New()
	h.Write(prev)
	var n [8]byte
	num := func(v int64) {
		binary.BigEndian.PutUint64(n[:], uint64(v))
		h.Write(n[:])
	}
	field := func(s string) {
		num(int64(len(s)))
		h.Write([]byte(s))
	}
	field(county)
	num(s.id)
	field(s.key)
	field(s.kind)
	num(s.from)
	num(s.to)
	field(s.legs)
	num(s.total)
	field(s.memo)
	field(s.docNo)
	num(s.reverses)
	num(s.postedAt)
	field(s.actor)
	return h.Sum(nil)
}

// Post posts a batch of transfers atomically, with one audit entry, and
// returns them in request order. Replayed keys return the original transfers.
//
// Errors: Invalid (invalid_amount, invalid_transfer, invalid_county…),
// NotFound (unknown_account, unknown_channel, unknown_transfer),
// Conflict (idempotency_conflict, already_reversed), InsufficientFunds
// (insufficient_funds), RuleBroken (channel_mismatch).
func (l *Ledger) Post(ctx context.Context, actor, county string, reqs []TransferRequest) ([]Transfer, error) {
	var out []Transfer
	l.prepare(ctx)
	err := l.db.Write(ctx, l.now(), func(tx *store.Tx) error {
		var fresh int
		var err error
		out, fresh, err = l.PostTx(ctx, tx, actor, county, reqs)
		if err != nil || fresh == 0 {
			return err
		}
		var total money.Fen
		first, last := int64(0), int64(0)
		for _, t := range out {
			if !t.Replayed {
				total += t.Total
				if first == 0 || t.ID < first {
					first = t.ID
				}
				if t.ID > last {
					last = t.ID
				}
			}
		}
		obj := fmt.Sprintf("transfer %s/%d", county, first)
		if last != first {
			obj = fmt.Sprintf("transfers %s/%d-%d", county, first, last)
		}
		after := map[string]any{"count": fresh, "total": total.String()}
		if len(out) == 1 {
			t := out[0]
			after = map[string]any{"id": t.ID, "key": t.Key, "kind": t.Kind, "from": t.From, "to": t.To, "total": t.Total.String(), "memo": t.Memo, "reverses": t.Reverses}
		}
		_, err = audit.Append(ctx, tx, audit.Entry{County: county, Actor: actor, Action: "ledger.post", Object: obj, After: after})
		return err
	})
	return out, err
}

// PostTx posts a batch inside the caller's transaction (for use cases that
// commit their own checks and audit entry with the postings). It returns the
// transfers in request order and how many were newly written. It writes no
// audit entry: the calling use case does.
func (l *Ledger) PostTx(ctx context.Context, tx *store.Tx, actor, county string, reqs []TransferRequest) ([]Transfer, int, error) {
	out, n, err := l.postTx(ctx, tx, actor, county, reqs, true)
	if err == errKeySeen {
		return l.postTx(ctx, tx, actor, county, reqs, false)
	}
	return out, n, err
}

// errKeySeen makes an optimistic post start again and look its keys up.
var errKeySeen = errs.E(errs.Conflict, "key_seen", "an idempotency key of the batch was posted before")

// postTx posts the batch. Optimistically it does not look the keys up first:
// the unique index on the key refuses a replay at insert time, inside a
// savepoint, and the batch is then posted again with look-ups (errKeySeen).
// Most batches carry new keys, so most skip a thousand index probes.
func (l *Ledger) postTx(ctx context.Context, tx *store.Tx, actor, county string, reqs []TransferRequest, optimistic bool) ([]Transfer, int, error) {
	if err := ValidCounty(county); err != nil {
		return nil, 0, err
	}
	if len(reqs) == 0 {
		return nil, 0, errs.F(errs.Invalid, "invalid_transfer", "transfers", "no transfers given")
	}
	if len(reqs) > MaxBatch {
		return nil, 0, errs.F(errs.Invalid, "invalid_transfer", "transfers", "at most %d transfers per batch, got %d", MaxBatch, len(reqs))
	}
	field := func(i int, f string) string {
		if len(reqs) == 1 {
			return f
		}
		return fmt.Sprintf("transfers[%d].%s", i, f)
	}
	reqs = append([]TransferRequest(nil), reqs...)
	keyIdx := make(map[string]int, len(reqs))
	for i := range reqs {
		reqs[i].Legs = append([]Leg(nil), reqs[i].Legs...)
		r := trimReq(reqs[i])
		reqs[i] = r
		if r.Key == "" || len(r.Key) > 200 {
			return nil, 0, errs.F(errs.Invalid, "invalid_key", field(i, "key"), "an idempotency key of 1–200 characters is required")
		}
		if j, dup := keyIdx[r.Key]; dup {
			return nil, 0, errs.F(errs.Invalid, "invalid_key", field(i, "key"), "idempotency key %q repeats transfer %d of the batch", r.Key, j)
		}
		keyIdx[r.Key] = i
		if r.Reverses < 0 {
			return nil, 0, errs.F(errs.Invalid, "invalid_transfer", field(i, "reverses"), "must be a transfer id")
		}
		if r.Reverses > 0 {
			if r.Kind == "" {
				reqs[i].Kind = "reversal"
			}
			if reqs[i].Kind != "reversal" {
				return nil, 0, errs.F(errs.Invalid, "invalid_transfer", field(i, "kind"), "a transfer that reverses another has kind reversal")
			}
			continue // legs may be filled from the original below
		}
		if err := checkShape(r, func(f string) string { return field(i, f) }); err != nil {
			return nil, 0, err
		}
	}
	h, err := lockHead(ctx, tx, county)
	if err != nil {
		return nil, 0, err
	}
	existing := map[string]stored{}
	for _, r := range reqs {
		if r.Reverses != 0 {
			optimistic = false // a replayed reversal must be recognised before it is checked
		}
	}
	if !optimistic {
		if existing, err = loadByKeys(ctx, tx, county, reqs); err != nil {
			return nil, 0, err
		}
	}
	// Reversals: fill and check against the original.
	reversedInBatch := map[int64]int{}
	for i := range reqs {
		r := &reqs[i]
		if r.Reverses == 0 {
			continue
		}
		if _, replay := existing[r.Key]; replay {
			if len(r.Legs) == 0 { // compare with the original's mirror below
				if err := fillReversal(ctx, tx, county, r); err != nil {
					return nil, 0, err
				}
			}
			continue
		}
		if j, dup := reversedInBatch[r.Reverses]; dup {
			return nil, 0, errs.F(errs.Conflict, "already_reversed", field(i, "reverses"), "transfer %d is already reversed by transfer %d of this batch", r.Reverses, j)
		}
		reversedInBatch[r.Reverses] = i
		orig, err := loadByID(ctx, tx, county, r.Reverses)
		if err != nil {
			if errs.KindOf(err) == errs.NotFound {
				return nil, 0, errs.F(errs.NotFound, "unknown_transfer", field(i, "reverses"), "transfer %d does not exist", r.Reverses)
			}
			return nil, 0, err
		}
		if orig.reverses != 0 {
			return nil, 0, errs.F(errs.RuleBroken, "cannot_reverse_reversal", field(i, "reverses"), "transfer %d is itself a reversal; post a new transfer instead", r.Reverses)
		}
		var by int64
		err = tx.QueryRowContext(ctx, `SELECT id FROM ledger_transfers WHERE county = ? AND reverses = ?`, county, r.Reverses).Scan(&by)
		if err == nil {
			return nil, 0, errs.F(errs.Conflict, "already_reversed", field(i, "reverses"), "transfer %d is already reversed by transfer %d", r.Reverses, by)
		} else if err != sql.ErrNoRows {
			return nil, 0, errs.Wrap(err, "ledger: check reversal")
		}
		if err := fillReversal(ctx, tx, county, r); err != nil {
			return nil, 0, err
		}
		if err := checkShape(*r, func(f string) string { return field(i, f) }); err != nil {
			return nil, 0, err
		}
		if err := checkMirror(ctx, tx, county, *r, orig, func(f string) string { return field(i, f) }); err != nil {
			return nil, 0, err
		}
	}
	accounts, err := l.resolveAccounts(ctx, tx, county, reqs)
	if err != nil {
		return nil, 0, err
	}
	chans, err := loadUsedChannels(ctx, tx, county, reqs)
	if err != nil {
		return nil, 0, err
	}
	res := make([]resolved, len(reqs))
	for i, r := range reqs {
		rs := resolved{req: r}
		var ok bool
		if rs.from, ok = accounts[r.From]; !ok {
			return nil, 0, errs.F(errs.NotFound, "unknown_account", field(i, "from"), "account %q does not exist", r.From)
		}
		if rs.to, ok = accounts[r.To]; !ok {
			return nil, 0, errs.F(errs.NotFound, "unknown_account", field(i, "to"), "account %q does not exist", r.To)
		}
		rs.legs = make([]rleg, len(r.Legs))
		for j, lg := range r.Legs {
			c, ok := chans[lg.Channel]
			if !ok {
				return nil, 0, errs.F(errs.NotFound, "unknown_channel", field(i, fmt.Sprintf("legs[%d].channel", j)), "channel %q does not exist", lg.Channel)
			}
			rs.legs[j] = rleg{c.id, lg.Amount}
			rs.total += lg.Amount // checkShape proved no overflow
		}
		rs.legsText = encodeLegs(rs.legs)
		res[i] = rs
	}
	// Replays must match the original exactly.
	out := make([]Transfer, len(reqs))
	fresh := make([]int, 0, len(reqs))
	for i, rs := range res {
		s, ok := existing[rs.req.Key]
		if !ok {
			fresh = append(fresh, i)
			continue
		}
		if s.kind != kindOf(rs.req) || s.from != rs.from.id || s.to != rs.to.id || s.legs != rs.legsText ||
			s.memo != rs.req.Memo || s.docNo != rs.req.DocNo || s.reverses != rs.req.Reverses {
			return nil, 0, errs.F(errs.Conflict, "idempotency_conflict", field(i, "key"),
				"idempotency key %q was used for transfer %d with different content", rs.req.Key, s.id)
		}
		out[i] = toTransfer(county, rs, s)
		out[i].Replayed = true
	}
	if len(fresh) == 0 {
		return out, 0, nil
	}
	// Balances of every account × channel the new transfers touch.
	// Only debited accounts are read (their no-overdraft check needs the
	// balance); credits are written as deltas, so paying a thousand
	// households reads one balance, not a thousand.
	bal, err := loadBalances(ctx, tx, county, res, fresh, chans)
	if err != nil {
		return nil, 0, err
	}
	initial := make(map[[2]int64]money.Fen, len(bal))
	for k, v := range bal {
		initial[k] = v
	}
	type bk struct{ acc, ch int64 }
	changed := make(map[bk]int64, 2*len(fresh))
	nextID := h.lastTransfer
	prev := h.lastHash
	now := clock.Micros(tx.Now)
	rows := make([]stored, 0, len(fresh))
	for _, i := range fresh {
		rs := res[i]
		nextID++
		for j, lg := range rs.legs {
			fk, tk := bk{rs.from.id, lg.ch}, bk{rs.to.id, lg.ch}
			fb := bal[[2]int64{fk.acc, fk.ch}]
			nb := fb - lg.amt
			if nb > fb { // wrapped
				return nil, 0, errs.F(errs.Invalid, "invalid_amount", field(i, fmt.Sprintf("legs[%d].amount", j)), "the balance of %q would overflow", rs.req.From)
			}
			if rs.from.noOverdraft && nb < 0 {
				if optimistic {
					// Perhaps a replay of a transfer whose money has moved on
					// since: look the keys up before refusing.
					return nil, 0, errKeySeen
				}
				return nil, 0, errs.F(errs.InsufficientFunds, "insufficient_funds", field(i, fmt.Sprintf("legs[%d].amount", j)),
					"account %q holds %s yuan on channel %q; %s yuan needed", rs.req.From, fb.String(), rs.req.Legs[j].Channel, lg.amt.String())
			}
			bal[[2]int64{fk.acc, fk.ch}] = nb
			changed[fk] = nextID
			tb := bal[[2]int64{tk.acc, tk.ch}]
			nt := tb + lg.amt
			if nt < tb {
				return nil, 0, errs.F(errs.Invalid, "invalid_amount", field(i, fmt.Sprintf("legs[%d].amount", j)), "the balance of %q would overflow", rs.req.To)
			}
			bal[[2]int64{tk.acc, tk.ch}] = nt
			changed[tk] = nextID
		}
		s := stored{id: nextID, key: rs.req.Key, kind: kindOf(rs.req), from: rs.from.id, to: rs.to.id, legs: rs.legsText,
			total: int64(rs.total), memo: rs.req.Memo, docNo: rs.req.DocNo, reverses: rs.req.Reverses, postedAt: now, actor: actor}
		s.hash = transferHash(prev, county, s)
		prev = s.hash
		rows = append(rows, s)
		out[i] = toTransfer(county, rs, s)
	}
	// Write: transfers, balances, head, day index.
	trows := make([][]any, len(rows))
	for k, s := range rows {
		var rev any
		if s.reverses != 0 {
			rev = s.reverses
		}
		trows[k] = []any{county, s.id, s.key, s.kind, s.from, s.to, s.legs, s.total, s.memo, s.docNo, rev, s.postedAt, s.actor, s.hash}
	}
	if optimistic {
		if _, err := tx.ExecContext(ctx, `SAVEPOINT ledger_post`); err != nil {
			return nil, 0, errs.Wrap(err, "ledger: savepoint")
		}
	}
	if err := bulkTransfers.exec(ctx, tx, l.prepared[bulkTransfers], trows); err != nil {
		if optimistic && errs.CodeOf(err) == "unique_violation" {
			if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT ledger_post`); rerr != nil {
				return nil, 0, errs.Wrap(rerr, "ledger: rollback to savepoint")
			}
			if _, rerr := tx.ExecContext(ctx, `RELEASE SAVEPOINT ledger_post`); rerr != nil {
				return nil, 0, errs.Wrap(rerr, "ledger: release savepoint")
			}
			return nil, 0, errKeySeen
		}
		return nil, 0, errs.Wrap(err, "ledger: insert transfers")
	}
	if optimistic {
		if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT ledger_post`); err != nil {
			return nil, 0, errs.Wrap(err, "ledger: release savepoint")
		}
	}
	brows := make([][]any, 0, len(changed))
	for k, last := range changed {
		key := [2]int64{k.acc, k.ch}
		brows = append(brows, []any{county, k.acc, k.ch, int64(bal[key] - initial[key]), last})
	}
	if err := bulkBalances.exec(ctx, tx, l.prepared[bulkBalances], brows); err != nil {
		return nil, 0, errs.Wrap(err, "ledger: write balances")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE ledger_heads SET last_transfer_id = ?, last_hash = ? WHERE county = ?`, nextID, prev, county); err != nil {
		return nil, 0, errs.Wrap(err, "ledger: advance head")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_days (county, day, first_transfer_id) VALUES (?, ?, ?) ON CONFLICT (county, day) DO NOTHING`,
		county, clock.Day(tx.Now), h.lastTransfer+1); err != nil {
		return nil, 0, errs.Wrap(err, "ledger: day index")
	}
	return out, len(fresh), nil
}

func kindOf(r TransferRequest) string {
	if r.Kind == "" {
		return "transfer"
	}
	return r.Kind
}

func toTransfer(county string, rs resolved, s stored) Transfer {
	return Transfer{County: county, ID: s.id, Key: s.key, Kind: s.kind, From: rs.req.From, To: rs.req.To,
		Legs: rs.req.Legs, Total: money.Fen(s.total), Memo: s.memo, DocNo: s.docNo, Reverses: s.reverses,
		PostedAt: clock.FromMicros(s.postedAt), Actor: s.actor, Hash: hex.EncodeToString(s.hash)}
}

// checkShape validates a request that does not depend on the database.
func checkShape(r TransferRequest, field func(string) string) error {
	if r.Kind != "" && !validTransferKind(r.Kind) {
		return errs.F(errs.Invalid, "invalid_transfer", field("kind"), "unknown transfer kind %q", r.Kind)
	}
	if r.From == "" {
		return errs.F(errs.Invalid, "invalid_transfer", field("from"), "the account to take money from is required")
	}
	if r.To == "" {
		return errs.F(errs.Invalid, "invalid_transfer", field("to"), "the account to pay into is required")
	}
	if r.From == r.To {
		return errs.F(errs.Invalid, "invalid_transfer", field("to"), "from and to are the same account %q", r.From)
	}
	if len(r.Legs) == 0 {
		return errs.F(errs.Invalid, "invalid_transfer", field("legs"), "at least one channel leg is required")
	}
	if len(r.Legs) > 64 {
		return errs.F(errs.Invalid, "invalid_transfer", field("legs"), "at most 64 legs per transfer")
	}
	if len(r.Memo) > 500 || len(r.DocNo) > 100 {
		return errs.F(errs.Invalid, "invalid_transfer", field("memo"), "memo (≤500) or document number (≤100) too long")
	}
	seen := map[string]bool{}
	var total money.Fen
	for j, lg := range r.Legs {
		if lg.Channel == "" {
			return errs.F(errs.Invalid, "invalid_transfer", field(fmt.Sprintf("legs[%d].channel", j)), "channel is required")
		}
		if seen[lg.Channel] {
			return errs.F(errs.Invalid, "invalid_transfer", field(fmt.Sprintf("legs[%d].channel", j)), "channel %q appears twice; one leg per channel", lg.Channel)
		}
		seen[lg.Channel] = true
		if lg.Amount <= 0 {
			return errs.F(errs.Invalid, "invalid_amount", field(fmt.Sprintf("legs[%d].amount", j)), "amount must be greater than zero, got %s", lg.Amount.String())
		}
		if lg.Amount > MaxLeg {
			return errs.F(errs.Invalid, "invalid_amount", field(fmt.Sprintf("legs[%d].amount", j)), "amount %s exceeds the largest leg, %s yuan", lg.Amount.String(), MaxLeg.String())
		}
		t, err := money.Add(total, lg.Amount)
		if err != nil {
			return errs.F(errs.Invalid, "invalid_amount", field(fmt.Sprintf("legs[%d].amount", j)), "the transfer's total overflows")
		}
		total = t
	}
	return nil
}

// fillReversal fills an empty reversal request from the original transfer.
func fillReversal(ctx context.Context, tx *store.Tx, county string, r *TransferRequest) error {
	if len(r.Legs) > 0 && r.From != "" && r.To != "" {
		return nil
	}
	orig, err := loadByID(ctx, tx, county, r.Reverses)
	if err != nil {
		if errs.KindOf(err) == errs.NotFound {
			return errs.F(errs.NotFound, "unknown_transfer", "reverses", "transfer %d does not exist", r.Reverses)
		}
		return err
	}
	legs, err := decodeLegs(orig.legs)
	if err != nil {
		return errs.Wrap(err, "ledger: transfer %d", orig.id)
	}
	ids := []int64{orig.from, orig.to}
	names, err := accountCodes(ctx, tx, county, ids)
	if err != nil {
		return err
	}
	_, byID, err := loadChannels(ctx, tx, county)
	if err != nil {
		return err
	}
	if r.From == "" {
		r.From = names[orig.to]
	}
	if r.To == "" {
		r.To = names[orig.from]
	}
	if len(r.Legs) == 0 {
		for _, lg := range legs {
			r.Legs = append(r.Legs, Leg{Channel: byID[lg.ch].code, Amount: lg.amt})
		}
	}
	return nil
}

// checkMirror requires a reversal to move exactly the original's legs back.
func checkMirror(ctx context.Context, tx *store.Tx, county string, r TransferRequest, orig stored, field func(string) string) error {
	names, err := accountCodes(ctx, tx, county, []int64{orig.from, orig.to})
	if err != nil {
		return err
	}
	if r.From != names[orig.to] || r.To != names[orig.from] {
		return errs.F(errs.RuleBroken, "channel_mismatch", field("from"), "a reversal moves money from %q back to %q", names[orig.to], names[orig.from])
	}
	legs, err := decodeLegs(orig.legs)
	if err != nil {
		return errs.Wrap(err, "ledger: transfer %d", orig.id)
	}
	_, byID, err := loadChannels(ctx, tx, county)
	if err != nil {
		return err
	}
	if len(legs) != len(r.Legs) {
		return errs.F(errs.RuleBroken, "channel_mismatch", field("legs"), "a reversal must return every leg of transfer %d", orig.id)
	}
	for j, lg := range legs {
		if r.Legs[j].Channel != byID[lg.ch].code || r.Legs[j].Amount != lg.amt {
			return errs.F(errs.RuleBroken, "channel_mismatch", field(fmt.Sprintf("legs[%d]", j)),
				"leg %d of the reversal must return %s yuan on channel %q", j, lg.amt.String(), byID[lg.ch].code)
		}
	}
	return nil
}

func loadByID(ctx context.Context, q store.Querier, county string, id int64) (stored, error) {
	s, err := scanStored(q.QueryRowContext(ctx, transferByIDSQL, county, id))
	if err == sql.ErrNoRows {
		return s, errs.E(errs.NotFound, "unknown_transfer", "transfer %d does not exist", id)
	}
	if err != nil {
		return s, errs.Wrap(err, "ledger: read transfer")
	}
	return s, nil
}

func loadByKeys(ctx context.Context, tx *store.Tx, county string, reqs []TransferRequest) (map[string]stored, error) {
	out := map[string]stored{}
	for start := 0; start < len(reqs); start += 500 {
		end := min(start+500, len(reqs))
		args := make([]any, 0, 2*(end-start))
		for _, r := range reqs[start:end] {
			args = append(args, county, r.Key)
		}
		rows, err := tx.QueryContext(ctx, keyLookupSQL(end-start), args...)
		if err != nil {
			return nil, errs.Wrap(err, "ledger: look up keys")
		}
		for rows.Next() {
			s, err := scanStored(rows)
			if err != nil {
				rows.Close()
				return nil, errs.Wrap(err, "ledger: scan transfer")
			}
			out[s.key] = s
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Wrap(err, "ledger: look up keys")
		}
	}
	return out, nil
}

// resolveAccounts maps the batch's account codes to accounts, from the
// cache where it can. Accounts are immutable and never deleted, so an entry
// cached after its transaction committed stays true.
func (l *Ledger) resolveAccounts(ctx context.Context, tx *store.Tx, county string, reqs []TransferRequest) (map[string]acct, error) {
	out := make(map[string]acct, 2*len(reqs))
	var miss []string
	l.cacheMu.RLock()
	for _, r := range reqs {
		for _, c := range []string{r.From, r.To} {
			if _, ok := out[c]; ok {
				continue
			}
			if a, ok := l.cache[county+"\x00"+c]; ok {
				out[c] = a
				continue
			}
			out[c] = acct{id: -1}
			miss = append(miss, c)
		}
	}
	l.cacheMu.RUnlock()
	for _, c := range miss {
		delete(out, c)
	}
	if len(miss) == 0 {
		return out, nil
	}
	found, err := accountsByCode(ctx, tx, county, miss)
	if err != nil {
		return nil, err
	}
	for c, a := range found {
		out[c] = a
	}
	tx.AfterCommit(func() {
		l.cacheMu.Lock()
		defer l.cacheMu.Unlock()
		if l.cache == nil || len(l.cache) > maxCachedAccounts {
			l.cache = make(map[string]acct, len(found))
		}
		for c, a := range found {
			l.cache[county+"\x00"+c] = a
		}
	})
	return out, nil
}

// maxCachedAccounts bounds the account cache (it starts afresh beyond).
const maxCachedAccounts = 1 << 20

func accountsByCode(ctx context.Context, q store.Querier, county string, codes []string) (map[string]acct, error) {
	out := make(map[string]acct, len(codes))
	for start := 0; start < len(codes); start += 500 {
		end := min(start+500, len(codes))
		args := make([]any, 0, 2*(end-start))
		for _, c := range codes[start:end] {
			args = append(args, county, c)
		}
		rows, err := q.QueryContext(ctx, accountsByCodeSQL(end-start), args...)
		if err != nil {
			return nil, errs.Wrap(err, "ledger: resolve accounts")
		}
		for rows.Next() {
			var a acct
			var nod int
			if err := rows.Scan(&a.id, &a.code, &a.kind, &nod); err != nil {
				rows.Close()
				return nil, errs.Wrap(err, "ledger: scan account")
			}
			a.noOverdraft = nod != 0
			out[a.code] = a
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func accountCodes(ctx context.Context, q store.Querier, county string, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	for start := 0; start < len(ids); start += 500 {
		end := min(start+500, len(ids))
		args := make([]any, 0, 2*(end-start))
		for _, id := range ids[start:end] {
			args = append(args, county, id)
		}
		rows, err := q.QueryContext(ctx, accountIDLookupSQL(end-start), args...)
		if err != nil {
			return nil, errs.Wrap(err, "ledger: account codes")
		}
		for rows.Next() {
			var id int64
			var c string
			if err := rows.Scan(&id, &c); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = c
		}
		rows.Close()
	}
	return out, nil
}

func loadChannels(ctx context.Context, q store.Querier, county string) (map[string]chanInfo, map[int64]chanInfo, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, code, name FROM ledger_channels WHERE county = ?`, county)
	if err != nil {
		return nil, nil, errs.Wrap(err, "ledger: channels")
	}
	defer rows.Close()
	byCode, byID := map[string]chanInfo{}, map[int64]chanInfo{}
	for rows.Next() {
		var c chanInfo
		if err := rows.Scan(&c.id, &c.code, &c.name); err != nil {
			return nil, nil, err
		}
		byCode[c.code], byID[c.id] = c, c
	}
	return byCode, byID, rows.Err()
}

// loadUsedChannels reads the channels a batch names: by code when they
// are few (an allocation from a pool of 200 channels reads its one or two),
// the county's whole list otherwise.
func loadUsedChannels(ctx context.Context, tx *store.Tx, county string, reqs []TransferRequest) (map[string]chanInfo, error) {
	set := map[string]bool{}
	var codes []any
	for _, r := range reqs {
		for _, lg := range r.Legs {
			if !set[lg.Channel] {
				set[lg.Channel] = true
				codes = append(codes, lg.Channel)
			}
		}
	}
	if len(codes) > 100 {
		byCode, _, err := loadChannels(ctx, tx, county)
		return byCode, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, code, name FROM ledger_channels WHERE county = ? AND code IN (`+placeholders(len(codes))+`)`, append([]any{county}, codes...)...)
	if err != nil {
		return nil, errs.Wrap(err, "ledger: channels")
	}
	defer rows.Close()
	byCode := make(map[string]chanInfo, len(codes))
	for rows.Next() {
		var c chanInfo
		if err := rows.Scan(&c.id, &c.code, &c.name); err != nil {
			return nil, err
		}
		byCode[c.code] = c
	}
	return byCode, rows.Err()
}

// loadBalances reads the balances of the accounts the fresh transfers
// debit; when the batch uses only a few channels, only those channels'
// balances (the pool holds 200).
func loadBalances(ctx context.Context, tx *store.Tx, county string, res []resolved, fresh []int, chans map[string]chanInfo) (map[[2]int64]money.Fen, error) {
	chanFilter, chanArgs := "", []any(nil)
	if len(chans) > 0 && len(chans) <= 100 {
		for _, c := range chans {
			chanArgs = append(chanArgs, c.id)
		}
		chanFilter = ` AND channel_id IN (` + placeholders(len(chanArgs)) + `)`
	}
	set := map[int64]bool{}
	var ids []int64
	for _, i := range fresh {
		if id := res[i].from.id; !set[id] {
			set[id] = true
			ids = append(ids, id)
		}
	}
	out := make(map[[2]int64]money.Fen, 2*len(ids))
	for start := 0; start < len(ids); start += 500 {
		end := min(start+500, len(ids))
		args := make([]any, 0, end-start+1)
		args = append(args, county)
		for _, id := range ids[start:end] {
			args = append(args, id)
		}
		rows, err := tx.QueryContext(ctx, `SELECT account_id, channel_id, balance FROM ledger_balances WHERE county = ? AND account_id IN (`+placeholders(end-start)+`)`+chanFilter, append(args, chanArgs...)...)
		if err != nil {
			return nil, errs.Wrap(err, "ledger: read balances")
		}
		for rows.Next() {
			var a, c, b int64
			if err := rows.Scan(&a, &c, &b); err != nil {
				rows.Close()
				return nil, err
			}
			out[[2]int64{a, c}] = money.Fen(b)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Look-ups by a key are shaped so that both planners use the key's unique
// index whatever their statistics say. Written as "county = ? AND key IN
// (…)", SQLite without statistics (a fresh or freshly loaded database)
// estimates that "county = ?" selects ten rows and scans the county's
// primary key instead: a replayed batch then read the whole county (13
// minutes at 1,000,000 transfers); PostgreSQL before its first ANALYZE
// likewise takes "county = ?" for selective and scans the county. Here the
// (county, value) pairs are a VALUES list that drives a CROSS JOIN (SQLite
// never reorders a CROSS JOIN), and each row is found by equality on every
// column of the unique index: a one-row probe per pair. No constant
// "county = ?" is left for a plan that scans a county. The first pair is
// cast so that PostgreSQL types the list. Arguments: county, value, county,
// value, … (pairs). See docs/ARCHITECTURE.md.

// transferByIDSQL reads a transfer by its id: the primary key.
const transferByIDSQL = `SELECT ` + transferCols + ` FROM ledger_transfers WHERE county = ? AND id = ?`

// accountsByCodeSQL resolves n account codes by the primary key (county,
// code), shaped like keyLookupSQL: as "county = ? AND code IN (…)",
// PostgreSQL before its first ANALYZE of a bulk-loaded table took
// "county = ?" for selective and scanned the county through another index.
func accountsByCodeSQL(n int) string {
	return `SELECT a.id, a.code, a.kind, a.no_overdraft FROM (VALUES ` + valuesList(n, "TEXT") + `) AS k CROSS JOIN ledger_accounts a WHERE a.county = k.column1 AND a.code = k.column2`
}

// keyLookupSQL finds transfers by idempotency key (ledger_transfers_key).
func keyLookupSQL(n int) string {
	return `SELECT ` + prefixCols("t.", transferCols) + ` FROM (VALUES ` + valuesList(n, "TEXT") + `) AS k CROSS JOIN ledger_transfers t WHERE t.county = k.column1 AND t.idem_key = k.column2`
}

// accountIDLookupSQL finds account codes by id (ledger_accounts_id).
func accountIDLookupSQL(n int) string {
	return `SELECT a.id, a.code FROM (VALUES ` + valuesList(n, "BIGINT") + `) AS k CROSS JOIN ledger_accounts a WHERE a.county = k.column1 AND a.id = k.column2`
}

// valuesList is "(CAST(? AS TEXT), CAST(? AS typ)), (?, ?), …": n pairs
// (county, value).
func valuesList(n int, typ string) string {
	if n <= 0 {
		return ""
	}
	return `(CAST(? AS TEXT), CAST(? AS ` + typ + `))` + strings.Repeat(`, (?, ?)`, n-1)
}

// prefixCols qualifies a comma-separated column list with a table alias.
func prefixCols(alias, cols string) string {
	parts := strings.Split(cols, ", ")
	for i, c := range parts {
		parts[i] = alias + c
	}
	return strings.Join(parts, ", ")
}

func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}

// insertRows writes rows with multi-row INSERT statements of at most ~4000
// parameters each (both engines' limits are far above).
func insertRows(ctx context.Context, tx *store.Tx, head string, cols int, rows [][]any, suffix string) error {
	per := max(1, 4000/cols)
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		args := make([]any, 0, (end-start)*cols)
		for _, r := range rows[start:end] {
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, chunkSQL(head, cols, end-start, suffix), args...); err != nil {
			return err
		}
	}
	return nil
}

func chunkSQL(head string, cols, n int, suffix string) string {
	one := "(" + placeholders(cols) + ")"
	var b strings.Builder
	b.Grow(len(head) + n*(len(one)+1) + len(suffix))
	b.WriteString(head)
	for k := 0; k < n; k++ {
		if k > 0 {
			b.WriteByte(',')
		}
		b.WriteString(one)
	}
	b.WriteString(suffix)
	return b.String()
}

// bulk is a multi-row INSERT of the posting path, prepared once for chunks
// of 2^k rows so that any number of rows is written without parsing SQL
// (on SQLite, parsing a long statement costs as much as running it).
type bulk struct {
	head, suffix string
	cols         int
	stmts        map[int]*sql.Stmt // rows per chunk → statement
	sizes        []int             // descending
}

// Statements the posting path runs in bulk.
var (
	bulkTransfers = &bulk{head: `INSERT INTO ledger_transfers (county, ` + transferCols + `) VALUES `, cols: 14}
	bulkBalances  = &bulk{head: `INSERT INTO ledger_balances (county, account_id, channel_id, balance, last_transfer_id) VALUES `, cols: 5,
		suffix: ` ON CONFLICT (county, account_id, channel_id) DO UPDATE SET balance = ledger_balances.balance + excluded.balance, last_transfer_id = excluded.last_transfer_id`}
)

func (b *bulk) maxRows() int {
	n := 1
	for n*2*b.cols <= 8000 {
		n *= 2
	}
	return n
}

// exec writes rows greedily in the largest prepared chunks; without
// prepared statements it parses as it goes.
func (b *bulk) exec(ctx context.Context, tx *store.Tx, stmts map[int]*sql.Stmt, rows [][]any) error {
	if len(stmts) == 0 {
		return insertRows(ctx, tx, b.head, b.cols, rows, b.suffix)
	}
	args := make([]any, 0, min(len(rows), b.maxRows())*b.cols)
	for start := 0; start < len(rows); {
		n := b.maxRows()
		for n > len(rows)-start {
			n /= 2
		}
		args = args[:0]
		for _, r := range rows[start : start+n] {
			args = append(args, r...)
		}
		var err error
		if st := stmts[n]; st != nil {
			_, err = tx.ExecStmt(ctx, st, args...)
		} else {
			_, err = tx.ExecContext(ctx, chunkSQL(b.head, b.cols, n, b.suffix), args...)
		}
		if err != nil {
			return err
		}
		start += n
	}
	return nil
}

// prepare readies the bulk statements once. Failure is not an error:
// posting then parses as it goes.
func (l *Ledger) prepare(ctx context.Context) {
	l.prepOnce.Do(func() {
		l.prepared = map[*bulk]map[int]*sql.Stmt{}
		for _, b := range []*bulk{bulkTransfers, bulkBalances} {
			m := map[int]*sql.Stmt{}
			for n := b.maxRows(); n >= 1; n /= 2 {
				st, err := l.db.PrepareWriter(ctx, chunkSQL(b.head, b.cols, n, b.suffix))
				if err != nil {
					for _, st := range m {
						st.Close()
					}
					m = nil
					break
				}
				m[n] = st
			}
			l.prepared[b] = m
		}
	})
}

// CheckTx validates a batch exactly as PostTx would post it now — shape,
// accounts, channels, idempotency keys, reversals, no-overdraft balances —
// and writes nothing (the posting runs inside a savepoint that is rolled
// back). Money moves entered for approval are checked with it. Errors:
// those of Post.
func (l *Ledger) CheckTx(ctx context.Context, tx *store.Tx, actor, county string, reqs []TransferRequest) error {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT ledger_check`); err != nil {
		return errs.Wrap(err, "ledger: savepoint")
	}
	_, _, perr := l.PostTx(ctx, tx, actor, county, reqs)
	if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT ledger_check`); err != nil {
		return errs.Wrap(err, "ledger: rollback to savepoint")
	}
	if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT ledger_check`); err != nil {
		return errs.Wrap(err, "ledger: release savepoint")
	}
	return perr
}
