// Package payout is the one way money reaches payees' bank cards: batches
// of lines, each line one payee's payment of one item of a client (a
// relief application today; dividends, subsidies, asset income and
// interest subsidies later), keyed by (county, source kind, source id,
// attempt). A batch moves each line's money from the client's source
// account to its bank-in-transit account in chunks, one transaction each,
// with idempotent keys, so a run killed half way leaves whole chunks and
// the next run sends what was not sent. The bank's payout file is the one
// export with full card numbers (restricted, audited); the bank's return
// file pays each line's payee once or returns a failed line to the source
// account with its reason code, and a file imported twice changes
// nothing. A failed line is sent again only once its card was corrected.
//
// This package is a mechanism: it never imports a capability. A
// capability registers a Client: its source kind and accounts, how to
// find its payable items, the legs of each line, and what happens to its
// item when a line is sent, paid or failed. Batches and return files
// stay money instructions (internal/instruct): one person enters them,
// another approves.
package payout

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
)

// Chunk is how many payout lines one transaction writes: a batch of
// 100,000 is a hundred short transactions, and a crash loses at most the
// chunk in flight (which is simply sent again).
const Chunk = 1000

// Line statuses.
const (
	Sent   = "sent"   // at the bank, waiting for its return
	Paid   = "paid"   // the payee was paid
	Failed = "failed" // the bank returned it (see the line's Code)
)

// Reason codes of a failed line.
const (
	Refused        = "refused"         // the bank refused the payment
	AccountInvalid = "account_invalid" // the card or its holder is not valid
	Returned       = "returned"        // returned by the bank (the default)
)

// Batch is a payout batch for the bank.
type Batch struct {
	ID        int64
	Kind      string
	Lines     int
	Total     money.Fen
	CreatedAt time.Time
	CreatedBy string
}

// Line is one payee's payment in a batch.
type Line struct {
	Batch     int64
	Line      int
	Kind      string
	Source    int64 // the client's item
	Attempt   int
	Payee     string
	Place     place.Code
	Amount    money.Fen
	CardMask  string
	Status    string // sent, paid, failed
	Code      string // a failed line's reason code
	Reason    string
	SettledAt time.Time
}

// Item is one payable item of a client, as it is now.
type Item struct {
	Source   int64      // the client's id of the item
	Attempts int        // payout attempts so far: the next line is attempt Attempts+1
	Payee    string     // the payee's code (a household)
	Place    place.Code // the payee's place
	Amount   money.Fen
	CardMask string // the card as pages may show it
	CardRef  string // a digest of the card as it is now (holder, bank, number)
}

// SourcesIn is the condition "county = ? AND id IN (…)" on a client's
// table for the items' sources, and its arguments (a client's Sending
// marks its items in one update).
func SourcesIn(county string, its []Item) (string, []any) {
	args := make([]any, 0, len(its)+1)
	args = append(args, county)
	for _, it := range its {
		args = append(args, it.Source)
	}
	return `county = ? AND id IN (?` + strings.Repeat(", ?", len(its)-1) + `)`, args
}

// Totals sums the items waiting for a batch.
type Totals struct {
	Count    int       `json:"count"`
	Total    money.Fen `json:"total"`
	Bound    int64     `json:"max_app"`  // the last source id (the name is relief's, kept for its entered batches)
	Attempts int64     `json:"attempts"` // attempts so far: a failed line sent again makes a new batch
}

// Spec names a client's kind, accounts and words.
type Spec struct {
	Kind         string // the source kind ("relief")
	BatchKind    string // the instruct kind of its batches (instruct.ReliefBatch)
	Source       string // the ledger account money leaves (no overdraft)
	Transit      string // the bank-in-transit account (no overdraft)
	TransferKind string // the ledger kind of sends and payments ("relief_payout")
	Title        string // the memos' and summaries' title ("防返贫救助")
	Item         string // what a source is called ("申请")
	Payee        string // what a payee is counted in ("户")
	Back         string // where a failed line goes back to ("基金")
}

// Client is a capability paying through the mechanism. Every method that
// takes a tx reads and writes through it.
type Client interface {
	Spec() Spec
	// Permit says whether p may enter batches and returns and export
	// the payout file.
	Permit(p auth.Principal) error
	// Setup opens the client's accounts and channels the first time.
	Setup(ctx context.Context, tx *store.Tx, county string) error
	// Waiting lists up to limit items never sent (or freed again),
	// source ≤ bound, in source order.
	Waiting(ctx context.Context, tx *store.Tx, county string, bound int64, limit int) ([]Item, error)
	// WaitingTotals sums every item Waiting would list up to bound.
	WaitingTotals(ctx context.Context, tx *store.Tx, county string, bound int64) (Totals, error)
	// Failed lists up to limit items whose last line failed, source in
	// (after, bound], in source order.
	Failed(ctx context.Context, tx *store.Tx, county string, after, bound int64, limit int) ([]Item, error)
	// Legs splits each item's amount over the source account's channels
	// (relief: donations first).
	Legs(ctx context.Context, tx *store.Tx, county string, items []Item) ([][]ledger.Leg, error)
	// Covers refuses a total the source account cannot pay now.
	Covers(ctx context.Context, tx *store.Tx, county string, total money.Fen) error
	// Sending marks the items as at the bank (one more attempt each).
	Sending(ctx context.Context, tx *store.Tx, county string, items []Item) error
	// Settled records that a line was paid (transfer: the payment) or
	// failed (transfer 0).
	Settled(ctx context.Context, tx *store.Tx, county string, l Line, paid bool, transfer int64) error
	// Moved runs after every chunk sent and every return settled.
	Moved(ctx context.Context, tx *store.Tx, county string) error
	// PayeeAccount is the ledger account a paid line pays, opened if need be.
	PayeeAccount(ctx context.Context, tx *store.Tx, county string, l Line) (string, error)
	// Card is the payee's card in clear, for the bank's payout file only.
	Card(ctx context.Context, county, payee string) (holder, bank, number string, err error)
	// Nothing is the refusal when no item waits for payment.
	Nothing() error
	// Short words a posting the source account cannot pay.
	Short(err error) error
}

// Service is the payout mechanism.
type Service struct {
	db      *store.DB
	l       *ledger.Ledger
	now     clock.Clock
	clients map[string]Client // by source kind
	ins     *instruct.Service // UseInstructions
}

// New returns the mechanism; clients Register with it.
func New(db *store.DB, l *ledger.Ledger, now clock.Clock) *Service {
	if now == nil {
		now = clock.System
	}
	return &Service{db: db, l: l, now: now, clients: map[string]Client{}}
}

// Register adds a client (at wiring time). With instructions already in
// use, its batch executor is registered at once.
func (s *Service) Register(c Client) {
	s.clients[c.Spec().Kind] = c
	if s.ins != nil {
		s.registerBatch(c)
	}
}

func (s *Service) client(kind string) (Client, error) {
	c := s.clients[kind]
	if c == nil {
		return nil, errs.F(errs.Invalid, "unknown_payout_kind", "kind", "no capability pays items of kind %q", kind)
	}
	return c, nil
}

// Send puts every item of kind waiting for payment — and every failed one
// whose card was corrected — of the caller's county in a new batch, and
// sends it chunk by chunk. A payment that would take the source account
// below zero is refused (the client's Short) and its chunk is not
// written. Run again after a crash, it sends only what was not sent.
// Errors: the client's Permit and Nothing, RuleBroken (card_not_corrected),
// InsufficientFunds.
func (s *Service) Send(ctx context.Context, p auth.Principal, kind string) (Batch, error) {
	c, err := s.client(kind)
	if err != nil {
		return Batch{}, err
	}
	if err := c.Permit(p); err != nil {
		return Batch{}, err
	}
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		if err := c.Setup(ctx, tx, p.County); err != nil {
			return err
		}
		_, err := s.waitingTx(ctx, tx, c, p.County, math.MaxInt64)
		return err
	})
	if err != nil {
		return Batch{}, err
	}
	// The batch is created with its first chunk, so a refused payout
	// leaves no batch behind.
	var id int64
	return s.sendRest(ctx, p, c, &id)
}

// SendMore continues a batch after an interruption (Send does it too).
func (s *Service) SendMore(ctx context.Context, p auth.Principal, kind string, batch int64) (Batch, error) {
	c, err := s.client(kind)
	if err != nil {
		return Batch{}, err
	}
	if err := c.Permit(p); err != nil {
		return Batch{}, err
	}
	return s.sendRest(ctx, p, c, &batch)
}

func (s *Service) sendRest(ctx context.Context, p auth.Principal, c Client, batch *int64) (Batch, error) {
	for {
		sent := 0
		err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
			var err error
			sent, err = s.sendChunkTx(ctx, tx, c, p, batch)
			return err
		})
		if err != nil {
			return Batch{}, err
		}
		if sent == 0 {
			return s.Batch(ctx, p.County, c.Spec().Kind, *batch)
		}
	}
}

// waitingTx sums what a batch up to bound would send: the items waiting
// and the failed ones whose card was corrected. Nothing at all is the
// client's Nothing; only failed lines with their cards unchanged is
// card_not_corrected.
func (s *Service) waitingTx(ctx context.Context, tx *store.Tx, c Client, county string, bound int64) (Totals, error) {
	t, held, err := s.totalsTx(ctx, tx, c, county, bound)
	if err != nil {
		return t, err
	}
	if t.Count == 0 && held > 0 {
		return t, errs.F(errs.RuleBroken, "card_not_corrected", "card", "%d failed line(s) wait for their card to be corrected: a failed line is sent again only once its card was corrected", held)
	}
	if t.Count == 0 {
		return t, c.Nothing()
	}
	return t, nil
}

// totalsTx sums what a batch up to bound would send, and counts the
// failed lines held until their card is corrected.
func (s *Service) totalsTx(ctx context.Context, tx *store.Tx, c Client, county string, bound int64) (Totals, int, error) {
	t, err := c.WaitingTotals(ctx, tx, county, bound)
	if err != nil {
		return t, 0, err
	}
	held := 0
	for after := int64(0); ; {
		items, err := c.Failed(ctx, tx, county, after, bound, Chunk)
		if err != nil {
			return t, 0, err
		}
		ok, err := s.retriable(ctx, tx, c.Spec().Kind, county, items)
		if err != nil {
			return t, 0, err
		}
		held += len(items) - len(ok)
		for _, it := range ok {
			t.Count++
			t.Total += it.Amount
			t.Attempts += int64(it.Attempts)
			t.Bound = max(t.Bound, it.Source)
		}
		if len(items) < Chunk {
			return t, held, nil
		}
		after = items[len(items)-1].Source
	}
}

// retriable keeps the failed items whose card changed since their last
// line failed (a line sent before the mechanism kept cards, card_ref ”,
// is sent again as before).
func (s *Service) retriable(ctx context.Context, tx *store.Tx, kind, county string, items []Item) ([]Item, error) {
	var out []Item
	for _, it := range items {
		var ref string
		err := tx.QueryRowContext(ctx, `SELECT card_ref FROM payout_lines WHERE county = ? AND kind = ? AND source = ? AND attempt = ?`, county, kind, it.Source, it.Attempts).Scan(&ref)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, errs.Wrap(err, "payout: failed line")
		}
		if ref == "" || ref != it.CardRef {
			out = append(out, it)
		}
	}
	return out, nil
}

// nextChunk reads the next chunk of a batch bounded by bound: the items
// waiting first, then the failed ones whose card was corrected, each in
// source order along the client's index.
func (s *Service) nextChunk(ctx context.Context, tx *store.Tx, c Client, county string, bound int64) ([]Item, error) {
	items, err := c.Waiting(ctx, tx, county, bound, Chunk)
	if err != nil {
		return nil, err
	}
	for after := int64(0); len(items) < Chunk; {
		failed, err := c.Failed(ctx, tx, county, after, bound, Chunk)
		if err != nil {
			return nil, err
		}
		ok, err := s.retriable(ctx, tx, c.Spec().Kind, county, failed)
		if err != nil {
			return nil, err
		}
		items = append(items, ok[:min(len(ok), Chunk-len(items))]...)
		if len(failed) < Chunk {
			break
		}
		after = failed[len(failed)-1].Source
	}
	return items, nil
}

// sendChunkTx sends the next chunk of a batch (batch 0: a new one). A
// batch approved as an instruction sends only the items it was approved
// with (sources up to its bound).
func (s *Service) sendChunkTx(ctx context.Context, tx *store.Tx, c Client, p auth.Principal, batchID *int64) (int, error) {
	spec := c.Spec()
	batch := *batchID
	bound := int64(math.MaxInt64)
	if batch != 0 {
		var b int64
		if err := tx.QueryRowContext(ctx, `SELECT bound FROM payout_batches WHERE county = ? AND kind = ? AND id = ?`, p.County, spec.Kind, batch).Scan(&b); err != nil {
			return 0, errs.Wrap(err, "payout: batch")
		}
		if b > 0 {
			bound = b
		}
	}
	items, err := s.nextChunk(ctx, tx, c, p.County, bound)
	if err != nil {
		return 0, err
	}
	if len(items) == 0 {
		return 0, nil
	}
	if batch == 0 {
		if batch, err = s.newBatchTx(ctx, tx, spec.Kind, p.County, p.Username, 0, 0); err != nil {
			return 0, err
		}
		if _, err := audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: spec.Kind + ".batch", Object: fmt.Sprintf("payout batch %d", batch), Place: p.County + "000000"}); err != nil {
			return 0, err
		}
	}
	var line int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(line), 0) FROM payout_lines WHERE county = ? AND batch = ?`, p.County, batch).Scan(&line); err != nil {
		return 0, errs.Wrap(err, "payout: line")
	}
	legs, err := c.Legs(ctx, tx, p.County, items)
	if err != nil {
		return 0, err
	}
	reqs := make([]ledger.TransferRequest, len(items))
	for i, it := range items {
		reqs[i] = ledger.TransferRequest{Key: fmt.Sprintf("%s-send:%d:%d", spec.Kind, it.Source, it.Attempts+1), Kind: spec.TransferKind, From: spec.Source, To: spec.Transit,
			Legs: legs[i], Memo: fmt.Sprintf("%s %s%d 代发批次%d", spec.Title, spec.Item, it.Source, batch)}
	}
	ts, _, err := s.l.PostTx(ctx, tx, p.Username, p.County, reqs)
	if err != nil {
		if errs.KindOf(err) == errs.InsufficientFunds {
			return 0, c.Short(err)
		}
		return 0, err
	}
	// The lines in one multi-row insert: a chunk is the posting, this,
	// the client's update and the batch's.
	var total money.Fen
	vals := make([]string, 0, len(items))
	args := make([]any, 0, len(items)*13)
	for i, it := range items {
		line++
		vals = append(vals, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'sent', '', '', ?, 0, 0)")
		args = append(args, p.County, batch, line, spec.Kind, it.Source, it.Attempts+1, it.Payee, string(it.Place), int64(it.Amount), it.CardMask, it.CardRef, ts[i].ID)
		total += it.Amount
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO payout_lines (county, batch, line, kind, source, attempt, payee, place, amount, card_mask, card_ref, status, code, reason, sent_transfer, settled_transfer, settled_at)
		VALUES `+strings.Join(vals, ", "), args...); err != nil {
		return 0, errs.Wrap(err, "payout: lines")
	}
	if err := c.Sending(ctx, tx, p.County, items); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE payout_batches SET lines = lines + ?, total = total + ? WHERE county = ? AND id = ?`, len(items), int64(total), p.County, batch); err != nil {
		return 0, errs.Wrap(err, "payout: batch")
	}
	if err := c.Moved(ctx, tx, p.County); err != nil {
		return 0, err
	}
	*batchID = batch
	return len(items), nil
}

// newBatchTx creates an empty batch with the county's next id.
func (s *Service) newBatchTx(ctx context.Context, tx *store.Tx, kind, county, by string, bound, instruction int64) (int64, error) {
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM payout_batches WHERE county = ?`, county).Scan(&id); err != nil {
		return 0, errs.Wrap(err, "payout: batch id")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO payout_batches (county, id, kind, lines, total, bound, instruction, created_at, created_by) VALUES (?, ?, ?, 0, 0, ?, ?, ?, ?)`,
		county, id, kind, bound, instruction, clock.Micros(tx.Now), by); err != nil {
		return 0, errs.Wrap(err, "payout: batch")
	}
	return id, nil
}

// Batch returns a batch of kind.
func (s *Service) Batch(ctx context.Context, county, kind string, id int64) (Batch, error) {
	b := Batch{ID: id, Kind: kind}
	var total, at int64
	err := s.db.QueryRowContext(ctx, `SELECT lines, total, created_at, created_by FROM payout_batches WHERE county = ? AND kind = ? AND id = ?`, county, kind, id).Scan(&b.Lines, &total, &at, &b.CreatedBy)
	if err != nil {
		return b, errs.F(errs.NotFound, "unknown_batch", "batch", "no payout batch %d", id)
	}
	b.Total, b.CreatedAt = money.Fen(total), clock.FromMicros(at)
	return b, nil
}

// Batches lists the county's batches of kind, newest first.
func (s *Service) Batches(ctx context.Context, county, kind string) ([]Batch, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, lines, total, created_at, created_by FROM payout_batches WHERE county = ? AND kind = ? ORDER BY id DESC LIMIT 200`, county, kind)
	if err != nil {
		return nil, errs.Wrap(err, "payout: batches")
	}
	defer rows.Close()
	var out []Batch
	for rows.Next() {
		b := Batch{Kind: kind}
		var total, at int64
		if err := rows.Scan(&b.ID, &b.Lines, &total, &at, &b.CreatedBy); err != nil {
			return nil, err
		}
		b.Total, b.CreatedAt = money.Fen(total), clock.FromMicros(at)
		out = append(out, b)
	}
	return out, rows.Err()
}

// Lines lists a batch's lines in order.
func (s *Service) Lines(ctx context.Context, county string, batch int64) ([]Line, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT line, kind, source, attempt, payee, place, amount, card_mask, status, code, reason, settled_at FROM payout_lines WHERE county = ? AND batch = ? ORDER BY line`, county, batch)
	if err != nil {
		return nil, errs.Wrap(err, "payout: lines")
	}
	defer rows.Close()
	var out []Line
	for rows.Next() {
		l := Line{Batch: batch}
		var pl string
		var amt, at int64
		if err := rows.Scan(&l.Line, &l.Kind, &l.Source, &l.Attempt, &l.Payee, &pl, &amt, &l.CardMask, &l.Status, &l.Code, &l.Reason, &at); err != nil {
			return nil, err
		}
		l.Place, l.Amount = place.Code(pl), money.Fen(amt)
		if at != 0 {
			l.SettledAt = clock.FromMicros(at)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// BatchOf is the batch an approved instruction created (0: none).
func (s *Service) BatchOf(ctx context.Context, county string, instruction int64) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM payout_batches WHERE county = ? AND instruction = ?`, county, instruction).Scan(&id)
	if err != nil {
		return 0, errs.Wrap(err, "payout: batch of instruction")
	}
	return id, nil
}

// LinesOf lists the lines of one source of kind (its attempts), in order.
func (s *Service) LinesOf(ctx context.Context, county, kind string, source int64) ([]Line, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT batch, line, attempt, payee, place, amount, card_mask, status, code, reason, settled_at FROM payout_lines WHERE county = ? AND kind = ? AND source = ? ORDER BY attempt`, county, kind, source)
	if err != nil {
		return nil, errs.Wrap(err, "payout: lines")
	}
	defer rows.Close()
	out := []Line{}
	for rows.Next() {
		l := Line{Kind: kind, Source: source}
		var pl string
		var amt, at int64
		if err := rows.Scan(&l.Batch, &l.Line, &l.Attempt, &l.Payee, &pl, &amt, &l.CardMask, &l.Status, &l.Code, &l.Reason, &at); err != nil {
			return nil, err
		}
		l.Place, l.Amount = place.Code(pl), money.Fen(amt)
		if at != 0 {
			l.SettledAt = clock.FromMicros(at)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
