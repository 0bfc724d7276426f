// Package audit keeps the audit log (操作日志): who did what, when, to which
// record, with the state before and after. Entries are appended in the same
// transaction as the change they describe, are immutable (the store refuses
// update and delete), and are hash-chained per county so that an entry edited
// or deleted directly in the database is found by Verify.
package audit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/place"
	"onepool/internal/store"
)

// SystemCounty is the county code under which system-wide entries (such as a
// failed login for an unknown user) are chained.
const SystemCounty = "000000"

// Entry is one audit record to append.
type Entry struct {
	County  string // 6-digit county code; SystemCounty for system-wide events
	Actor   string // user name, "cli", "system" or "public"
	Action  string // dotted verb, e.g. "ledger.post", "auth.login"
	Object  string // what was acted on, e.g. "transfer 990101/42"
	Place   string // division code of the record, when it has one
	Outcome string // "ok", "denied", "failed"
	Before  any    // state before (marshalled as JSON), nil when none
	After   any    // state after, nil when none
}

// Record is a stored audit entry.
type Record struct {
	County  string
	ID      int64
	At      time.Time
	Actor   string
	Action  string
	Object  string
	Place   string
	Outcome string
	Before  string // JSON or ""
	After   string // JSON or ""
	Hash    string // hex
}

func toJSON(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// Append adds e to the log inside tx, chaining it to the county's previous
// entry, and returns its id. The entry's time is the transaction's time.
func Append(ctx context.Context, tx *store.Tx, e Entry) (int64, error) {
	if e.County == "" {
		e.County = SystemCounty
	}
	if e.Outcome == "" {
		e.Outcome = "ok"
	}
	before, err := toJSON(e.Before)
	if err != nil {
		return 0, errs.Wrap(err, "audit: encode before")
	}
	after, err := toJSON(e.After)
	if err != nil {
		return 0, errs.Wrap(err, "audit: encode after")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_heads (county, last_id, last_hash) VALUES (?, 0, ?) ON CONFLICT (county) DO NOTHING`, e.County, []byte{}); err != nil {
		return 0, errs.Wrap(err, "audit: head")
	}
	q := `SELECT last_id, last_hash FROM audit_heads WHERE county = ?`
	if tx.Dialect() == store.Postgres {
		q += ` FOR UPDATE`
	}
	var lastID int64
	var prev []byte
	if err := tx.QueryRowContext(ctx, q, e.County).Scan(&lastID, &prev); err != nil {
		return 0, errs.Wrap(err, "audit: lock head")
	}
	r := Record{County: e.County, ID: lastID + 1, At: tx.Now, Actor: e.Actor, Action: e.Action,
		Object: e.Object, Place: e.Place, Outcome: e.Outcome, Before: before, After: after}
	h := hashOf(prev, r)
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (county, id, at, actor, action, object, place, outcome, before_json, after_json, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.County, r.ID, clock.Micros(r.At), r.Actor, r.Action, r.Object, r.Place, r.Outcome, r.Before, r.After, h); err != nil {
		return 0, errs.Wrap(err, "audit: insert")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_heads SET last_id = ?, last_hash = ? WHERE county = ?`, r.ID, h, r.County); err != nil {
		return 0, errs.Wrap(err, "audit: advance head")
	}
	return r.ID, nil
}

// AppendAll adds entries to the log inside tx exactly as Append would one
// after the other — the same records, ids, times and hash chain — but in
// a few statements: each county's head is locked once, the records are
// written with multi-row INSERTs and the head is advanced once. It
// returns the entries' ids in order. Batch paths (a plan import writing
// thousands of projects) use it.
func AppendAll(ctx context.Context, tx *store.Tx, entries []Entry) ([]int64, error) {
	ids := make([]int64, len(entries))
	if len(entries) == 0 {
		return ids, nil
	}
	type head struct {
		last int64
		hash []byte
	}
	heads := map[string]*head{}
	var counties []string
	for i := range entries {
		if entries[i].County == "" {
			entries[i].County = SystemCounty
		}
		if heads[entries[i].County] == nil {
			heads[entries[i].County] = &head{}
			counties = append(counties, entries[i].County)
		}
	}
	sort.Strings(counties) // one lock order for every batch
	q := `SELECT last_id, last_hash FROM audit_heads WHERE county = ?`
	if tx.Dialect() == store.Postgres {
		q += ` FOR UPDATE`
	}
	for _, c := range counties {
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_heads (county, last_id, last_hash) VALUES (?, 0, ?) ON CONFLICT (county) DO NOTHING`, c, []byte{}); err != nil {
			return nil, errs.Wrap(err, "audit: head")
		}
		h := heads[c]
		if err := tx.QueryRowContext(ctx, q, c).Scan(&h.last, &h.hash); err != nil {
			return nil, errs.Wrap(err, "audit: lock head")
		}
	}
	rows := make([][]any, len(entries))
	for i, e := range entries {
		if e.Outcome == "" {
			e.Outcome = "ok"
		}
		before, err := toJSON(e.Before)
		if err != nil {
			return nil, errs.Wrap(err, "audit: encode before")
		}
		after, err := toJSON(e.After)
		if err != nil {
			return nil, errs.Wrap(err, "audit: encode after")
		}
		h := heads[e.County]
		r := Record{County: e.County, ID: h.last + 1, At: tx.Now, Actor: e.Actor, Action: e.Action,
			Object: e.Object, Place: e.Place, Outcome: e.Outcome, Before: before, After: after}
		h.hash, h.last = hashOf(h.hash, r), r.ID
		ids[i] = r.ID
		rows[i] = []any{r.County, r.ID, clock.Micros(r.At), r.Actor, r.Action, r.Object, r.Place, r.Outcome, r.Before, r.After, h.hash}
	}
	if err := store.InsertRows(ctx, tx, `INSERT INTO audit_log (county, id, at, actor, action, object, place, outcome, before_json, after_json, hash) VALUES `, 11, rows, ""); err != nil {
		return nil, errs.Wrap(err, "audit: insert")
	}
	for _, c := range counties {
		h := heads[c]
		if _, err := tx.ExecContext(ctx, `UPDATE audit_heads SET last_id = ?, last_hash = ? WHERE county = ?`, h.last, h.hash, c); err != nil {
			return nil, errs.Wrap(err, "audit: advance head")
		}
	}
	return ids, nil
}

// Record appends e in a transaction of its own: for events that are not part
// of a use case's transaction (logins, denied access).
func Write(ctx context.Context, db *store.DB, now time.Time, e Entry) error {
	return db.Write(ctx, now, func(tx *store.Tx) error {
		_, err := Append(ctx, tx, e)
		return err
	})
}

func hashOf(prev []byte, r Record) []byte {
	h := sha256.New()
	h.Write(prev)
	var n [8]byte
	field := func(s string) {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	num := func(v int64) {
		binary.BigEndian.PutUint64(n[:], uint64(v))
		h.Write(n[:])
	}
	field(r.County)
	num(r.ID)
	num(clock.Micros(r.At))
	field(r.Actor)
	field(r.Action)
	field(r.Object)
	field(r.Place)
	field(r.Outcome)
	field(r.Before)
	field(r.After)
	return h.Sum(nil)
}

// Filter selects audit records. Zero fields match everything.
type Filter struct {
	County string
	Actor  string
	Action string // prefix, e.g. "ledger."
	Object string // substring
	// PlacePrefix keeps entries whose place starts with it (a subtree);
	// entries without a place are kept only when it is a whole county.
	PlacePrefix string
	From, To    time.Time
	BeforeID    int64 // page: records with id < BeforeID
	Limit       int
	Offset      int // page: skip this many (after BeforeID)
}

// Count counts the records matching f (BeforeID, Limit and Offset aside).
func Count(ctx context.Context, db *store.DB, f Filter) (int, error) {
	f.BeforeID = 0
	where, args := f.where()
	q := `SELECT COUNT(*) FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	var n int
	if err := db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, errs.Wrap(err, "audit: count")
	}
	return n, nil
}

// List returns matching records, newest first.
func List(ctx context.Context, db *store.DB, f Filter) ([]Record, error) {
	where, args := f.where()
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	q := `SELECT county, id, at, actor, action, object, place, outcome, before_json, after_json, hash FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += fmt.Sprintf(" ORDER BY at DESC, id DESC LIMIT %d OFFSET %d", f.Limit, max(f.Offset, 0))
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, errs.Wrap(err, "audit: list")
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		var at int64
		var h []byte
		if err := rows.Scan(&r.County, &r.ID, &at, &r.Actor, &r.Action, &r.Object, &r.Place, &r.Outcome, &r.Before, &r.After, &h); err != nil {
			return nil, errs.Wrap(err, "audit: scan")
		}
		r.At = clock.FromMicros(at)
		r.Hash = hex.EncodeToString(h)
		out = append(out, r)
	}
	return out, rows.Err()
}

func (f Filter) where() ([]string, []any) {
	var where []string
	var args []any
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if f.County != "" {
		add("county = ?", f.County)
	}
	if f.Actor != "" {
		add("actor = ?", f.Actor)
	}
	if f.Action != "" {
		add("action LIKE ?", escapeLike(f.Action)+"%")
	}
	if f.Object != "" {
		add("object LIKE ?", "%"+escapeLike(f.Object)+"%")
	}
	if f.PlacePrefix != "" {
		lo, hi := place.Range(f.PlacePrefix)
		if len(f.PlacePrefix) <= 6 {
			where = append(where, "(place = '' OR place BETWEEN ? AND ?)")
		} else {
			where = append(where, "place BETWEEN ? AND ?")
		}
		args = append(args, lo, hi)
	}
	if !f.From.IsZero() {
		add("at >= ?", clock.Micros(f.From))
	}
	if !f.To.IsZero() {
		add("at < ?", clock.Micros(f.To))
	}
	if f.BeforeID > 0 {
		add("id < ?", f.BeforeID)
	}
	return where, args
}

func escapeLike(s string) string {
	return strings.NewReplacer("%", "", "_", "").Replace(s)
}

// Problem is the first break found in a county's audit chain.
type Problem struct {
	County string
	ID     int64
	Reason string
}

// String describes the problem.
func (p Problem) String() string {
	return fmt.Sprintf("audit entry %s/%d: %s", p.County, p.ID, p.Reason)
}

// Verify walks every county's chain and returns the first problem of each
// broken chain (an edited entry, a deleted entry, a truncated tail).
func Verify(ctx context.Context, db *store.DB) ([]Problem, error) {
	var out []Problem
	err := db.Snapshot(ctx, func(q store.Querier) error {
		var err error
		out, err = VerifyIn(ctx, q)
		return err
	})
	return out, err
}

// VerifyIn is Verify reading through q, which must be one snapshot
// (store.Snapshot): heads and entries read at one point.
func VerifyIn(ctx context.Context, db store.Querier) ([]Problem, error) {
	heads := map[string]struct {
		id   int64
		hash []byte
	}{}
	rows, err := db.QueryContext(ctx, `SELECT county, last_id, last_hash FROM audit_heads ORDER BY county`)
	if err != nil {
		return nil, errs.Wrap(err, "audit: read heads")
	}
	var counties []string
	for rows.Next() {
		var c string
		var id int64
		var h []byte
		if err := rows.Scan(&c, &id, &h); err != nil {
			rows.Close()
			return nil, err
		}
		heads[c] = struct {
			id   int64
			hash []byte
		}{id, h}
		counties = append(counties, c)
	}
	rows.Close()
	var problems []Problem
	for _, c := range counties {
		p, err := verifyCounty(ctx, db, c, heads[c].id, heads[c].hash)
		if err != nil {
			return nil, err
		}
		if p != nil {
			problems = append(problems, *p)
		}
	}
	return problems, nil
}

func verifyCounty(ctx context.Context, db store.Querier, county string, headID int64, headHash []byte) (*Problem, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, at, actor, action, object, place, outcome, before_json, after_json, hash
		FROM audit_log WHERE county = ? ORDER BY id`, county)
	if err != nil {
		return nil, errs.Wrap(err, "audit: read log")
	}
	defer rows.Close()
	prev := []byte{}
	var expect int64 = 1
	for rows.Next() {
		r := Record{County: county}
		var at int64
		var h []byte
		if err := rows.Scan(&r.ID, &at, &r.Actor, &r.Action, &r.Object, &r.Place, &r.Outcome, &r.Before, &r.After, &h); err != nil {
			return nil, err
		}
		r.At = time.UnixMicro(at)
		if r.ID != expect {
			return &Problem{county, expect, "missing (deleted from the database)"}, nil
		}
		want := hashOf(prev, r)
		if string(want) != string(h) {
			return &Problem{county, r.ID, "content does not match its hash (edited in the database)"}, nil
		}
		prev = h
		expect++
	}
	if err := rows.Err(); err != nil && err != sql.ErrNoRows {
		return nil, err
	}
	if expect-1 != headID || string(prev) != string(headHash) {
		return &Problem{county, expect, fmt.Sprintf("chain ends at %d but the head says %d (entries deleted)", expect-1, headID)}, nil
	}
	return nil, nil
}
