package ledger

import (
	"context"
	"fmt"
	"strings"

	"onepool/internal/audit"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/place"
	"onepool/internal/store"
)

// OpenAccounts opens accounts idempotently by code: an account that already
// exists with the same attributes is returned as it is; with other
// attributes it is an account_exists conflict. One audit entry records the call.
//
// Errors: Invalid (invalid_code, invalid_account, invalid_place), Conflict
// (account_exists).
func (l *Ledger) OpenAccounts(ctx context.Context, actor, county string, in []NewAccount) ([]Account, error) {
	var out []Account
	err := l.db.Write(ctx, l.now(), func(tx *store.Tx) error {
		var n int
		var err error
		out, n, err = l.OpenAccountsTx(ctx, tx, county, in)
		if err != nil || n == 0 {
			return err
		}
		obj := "account " + county + "/" + out[0].Code
		if len(out) > 1 {
			obj = fmt.Sprintf("accounts %s/%s … (%d)", county, out[0].Code, len(out))
		}
		var after any = map[string]any{"opened": n}
		if len(out) == 1 {
			a := out[0]
			after = map[string]any{"code": a.Code, "kind": a.Kind, "name": a.Name, "owner": a.Owner, "place": a.Place, "no_overdraft": a.NoOverdraft}
		}
		_, err = audit.Append(ctx, tx, audit.Entry{County: county, Actor: actor, Action: "ledger.open_accounts", Object: obj, Place: string(out[0].Place), After: after})
		return err
	})
	return out, err
}

// OpenAccountsTx is OpenAccounts inside the caller's transaction, without an
// audit entry. It returns the accounts and how many were newly opened.
func (l *Ledger) OpenAccountsTx(ctx context.Context, tx *store.Tx, county string, in []NewAccount) ([]Account, int, error) {
	if err := ValidCounty(county); err != nil {
		return nil, 0, err
	}
	if len(in) == 0 || len(in) > MaxBatch {
		return nil, 0, errs.F(errs.Invalid, "invalid_account", "accounts", "give 1–%d accounts", MaxBatch)
	}
	field := func(i int, f string) string {
		if len(in) == 1 {
			return f
		}
		return fmt.Sprintf("accounts[%d].%s", i, f)
	}
	seen := map[string]bool{}
	codes := make([]string, len(in))
	for i := range in {
		a := &in[i]
		a.Code, a.Name, a.Owner = strings.TrimSpace(a.Code), strings.TrimSpace(a.Name), strings.TrimSpace(a.Owner)
		if err := validCode(field(i, "code"), a.Code); err != nil {
			return nil, 0, err
		}
		if seen[a.Code] {
			return nil, 0, errs.F(errs.Invalid, "invalid_account", field(i, "code"), "account %q appears twice", a.Code)
		}
		seen[a.Code] = true
		codes[i] = a.Code
		if !validKind(a.Kind) {
			return nil, 0, errs.F(errs.Invalid, "invalid_account", field(i, "kind"), "unknown account kind %q", a.Kind)
		}
		if a.Name == "" || len(a.Name) > 200 {
			return nil, 0, errs.F(errs.Invalid, "invalid_account", field(i, "name"), "a name of 1–200 bytes is required")
		}
		p, err := place.Parse(string(a.Place))
		if err != nil {
			return nil, 0, errs.F(errs.Invalid, "invalid_place", field(i, "place"), "%q is not a division code (12, 9 or 6 digits)", string(a.Place))
		}
		if !strings.HasPrefix(string(p), county) {
			return nil, 0, errs.F(errs.Invalid, "invalid_place", field(i, "place"), "place %s is not in county %s", p, county)
		}
		a.Place = p
	}
	h, err := lockHead(ctx, tx, county)
	if err != nil {
		return nil, 0, err
	}
	if len(codes) > lookupChunk {
		// A bulk load (a county's households): see store.FreshPlans.
		if err := tx.FreshPlans(ctx); err != nil {
			return nil, 0, errs.Wrap(err, "ledger: plans")
		}
	}
	existing, err := loadAccounts(ctx, tx, county, codes)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Account, len(in))
	var rows [][]any
	next := h.lastAccount
	for i, a := range in {
		if e, ok := existing[a.Code]; ok {
			if e.Kind != a.Kind || e.Name != a.Name || e.Owner != a.Owner || e.Place != a.Place || e.NoOverdraft != a.NoOverdraft {
				return nil, 0, errs.F(errs.Conflict, "account_exists", field(i, "code"), "account %q exists with other attributes", a.Code)
			}
			e.Replayed = true
			out[i] = e
			continue
		}
		next++
		acc := Account{County: county, ID: next, Code: a.Code, Kind: a.Kind, Name: a.Name, Owner: a.Owner, Place: a.Place, NoOverdraft: a.NoOverdraft, CreatedAt: tx.Now.In(clock.Zone)}
		out[i] = acc
		rows = append(rows, []any{county, acc.ID, acc.Code, string(acc.Kind), acc.Name, acc.Owner, string(acc.Place), b2i(acc.NoOverdraft), clock.Micros(tx.Now)})
	}
	if len(rows) == 0 {
		return out, 0, nil
	}
	if err := insertRows(ctx, tx, `INSERT INTO ledger_accounts (county, id, code, kind, name, owner, place, no_overdraft, created_at) VALUES `, 9, rows, ""); err != nil {
		return nil, 0, errs.Wrap(err, "ledger: insert accounts")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE ledger_heads SET last_account_id = ? WHERE county = ?`, next, county); err != nil {
		return nil, 0, errs.Wrap(err, "ledger: advance head")
	}
	tx.AfterCommit(func() { l.remember(county, out) })
	return out, len(rows), nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

const accountCols = `id, code, kind, name, owner, place, no_overdraft, created_at`

func scanAccount(county string, sc interface{ Scan(...any) error }) (Account, error) {
	var a Account
	var nod int
	var at int64
	var kind, pl string
	err := sc.Scan(&a.ID, &a.Code, &kind, &a.Name, &a.Owner, &pl, &nod, &at)
	a.County, a.Kind, a.Place, a.NoOverdraft, a.CreatedAt = county, AccountKind(kind), place.Code(pl), nod != 0, clock.FromMicros(at)
	return a, err
}

// AccountsTx returns the accounts of the codes that exist, by code, read
// through q: an import checks 200,000 codes at once. 500 codes a query,
// each a probe of the primary key driven by a VALUES list (see
// accountsByCodeSQL: an IN list with "county = ?" scanned the county on
// PostgreSQL before statistics, 2.6 s a query at 20,000 accounts).
func (l *Ledger) AccountsTx(ctx context.Context, q store.Querier, county string, codes []string) (map[string]Account, error) {
	return loadAccounts(ctx, q, county, codes)
}

// loadAccounts is AccountsTx. OpenAccountsTx used to look its codes up as
// "county = ? AND code IN (…)", which scanned the county on PostgreSQL
// once the table had grown inside the transaction (opening 50,000
// household accounts took 110 s in 100 look-ups); through the VALUES list
// each code probes the primary key.
// lookupChunk is how many codes one look-up probes.
const lookupChunk = 500

func loadAccounts(ctx context.Context, q store.Querier, county string, codes []string) (map[string]Account, error) {
	out := make(map[string]Account, len(codes))
	for start := 0; start < len(codes); start += lookupChunk {
		end := min(start+lookupChunk, len(codes))
		args := make([]any, 0, 2*(end-start))
		for _, c := range codes[start:end] {
			args = append(args, county, c)
		}
		rows, err := q.QueryContext(ctx, `SELECT `+prefixCols("a.", accountCols)+` FROM (VALUES `+valuesList(end-start, "TEXT")+`) AS k CROSS JOIN ledger_accounts a WHERE a.county = k.column1 AND a.code = k.column2`, args...)
		if err != nil {
			return nil, errs.Wrap(err, "ledger: load accounts")
		}
		for rows.Next() {
			a, err := scanAccount(county, rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[a.Code] = a
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Wrap(err, "ledger: load accounts")
		}
	}
	return out, nil
}

// CreateChannels registers channels idempotently by code (same name → the
// existing channel; another name → channel_exists).
func (l *Ledger) CreateChannels(ctx context.Context, actor, county string, in []NewChannel) ([]Channel, error) {
	var out []Channel
	err := l.db.Write(ctx, l.now(), func(tx *store.Tx) error {
		var n int
		var err error
		out, n, err = l.CreateChannelsTx(ctx, tx, county, in)
		if err != nil || n == 0 {
			return err
		}
		codes := make([]string, len(out))
		for i, c := range out {
			codes[i] = c.Code
		}
		_, err = audit.Append(ctx, tx, audit.Entry{County: county, Actor: actor, Action: "ledger.create_channels",
			Object: "channels " + county + "/" + strings.Join(codes, ","), After: map[string]any{"created": n, "codes": codes}})
		return err
	})
	return out, err
}

// CreateChannelsTx is CreateChannels inside the caller's transaction.
func (l *Ledger) CreateChannelsTx(ctx context.Context, tx *store.Tx, county string, in []NewChannel) ([]Channel, int, error) {
	if err := ValidCounty(county); err != nil {
		return nil, 0, err
	}
	if len(in) == 0 {
		return nil, 0, errs.F(errs.Invalid, "invalid_channel", "channels", "no channels given")
	}
	h, err := lockHead(ctx, tx, county)
	if err != nil {
		return nil, 0, err
	}
	byCode, _, err := loadChannels(ctx, tx, county)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Channel, len(in))
	next := h.lastChannel
	n := 0
	for i, c := range in {
		c.Code, c.Name = strings.TrimSpace(c.Code), strings.TrimSpace(c.Name)
		f := fmt.Sprintf("channels[%d]", i)
		if err := validCode(f+".code", c.Code); err != nil {
			return nil, 0, err
		}
		if c.Name == "" || len(c.Name) > 200 {
			return nil, 0, errs.F(errs.Invalid, "invalid_channel", f+".name", "a name of 1–200 bytes is required")
		}
		if e, ok := byCode[c.Code]; ok {
			if e.name != c.Name {
				return nil, 0, errs.F(errs.Conflict, "channel_exists", f+".code", "channel %q exists with the name %q", c.Code, e.name)
			}
			out[i] = Channel{County: county, ID: e.id, Code: e.code, Name: e.name, Replayed: true}
			continue
		}
		next++
		n++
		if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_channels (county, id, code, name, created_at) VALUES (?, ?, ?, ?, ?)`,
			county, next, c.Code, c.Name, clock.Micros(tx.Now)); err != nil {
			return nil, 0, errs.Wrap(err, "ledger: insert channel")
		}
		byCode[c.Code] = chanInfo{next, c.Code, c.Name}
		out[i] = Channel{County: county, ID: next, Code: c.Code, Name: c.Name, CreatedAt: tx.Now}
	}
	if n > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE ledger_heads SET last_channel_id = ? WHERE county = ?`, next, county); err != nil {
			return nil, 0, errs.Wrap(err, "ledger: advance head")
		}
	}
	return out, n, nil
}

func placeCode(s string) place.Code { return place.Code(s) }

// remember puts committed accounts into the account cache.
func (l *Ledger) remember(county string, as []Account) {
	l.cacheMu.Lock()
	defer l.cacheMu.Unlock()
	if l.cache == nil || len(l.cache)+len(as) > maxCachedAccounts {
		l.cache = make(map[string]acct, len(as))
	}
	for _, a := range as {
		l.cache[county+"\x00"+a.Code] = acct{id: a.ID, code: a.Code, kind: a.Kind, noOverdraft: a.NoOverdraft}
	}
}
