package registry

import (
	"context"
	"sort"
	"strings"

	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/place"
	"onepool/internal/store"
)

// The import's batch path. Save writes one household in about five
// statements (writeTx, syncLead); on PostgreSQL each is a round trip, and
// a file of 25,000 households spent its time waiting. The import writes
// the same rows, leads and audit entry in chunks of importChunk
// households: the stored records of the chunk, the current holders of
// every ID and card hash it names and their leads are read in a few
// statements; the leads are brought up to date in memory, household after
// household, by exactly syncLead's rules (so lead ids, households, status
// and scope are those the one-by-one path gives); then the chunk is
// written with multi-row statements. TestImportBatchEqualsOneByOne
// compares the two.

// importChunk is how many households one chunk writes.
var importChunk = 500

// head is what the import's checks need of a stored household.
type head struct{ village, holder, bank, mask string }

// householdHeads returns the stored households of codes (one statement per
// thousand codes).
func householdHeads(ctx context.Context, db *store.DB, county string, codes []string) (map[string]head, error) {
	out := make(map[string]head, len(codes))
	err := store.Chunks(len(codes), 4, func(start, end int) error {
		args := make([]any, 0, 2*(end-start))
		for _, c := range codes[start:end] {
			args = append(args, county, c)
		}
		rows, err := db.QueryContext(ctx, probe(db.Dialect, store.ValuesRows([]string{"TEXT", "TEXT"}, end-start), `h.code, h.village, h.card_holder, h.card_bank, h.card_mask`,
			`reg_households h`, `h.county = k.column1 AND h.code = k.column2`, ``), args...)
		if err != nil {
			return errs.Wrap(err, "registry: import")
		}
		defer rows.Close()
		for rows.Next() {
			var c string
			var h head
			if err := rows.Scan(&c, &h.village, &h.holder, &h.bank, &h.mask); err != nil {
				return errs.Wrap(err, "registry: import")
			}
			out[c] = h
		}
		return wrapNil(rows.Err(), "registry: import")
	})
	return out, err
}

// probe is a look-up driven by a VALUES list k (vals): for each of its
// rows, the rows of from matching where (which names k's columns), the
// columns sel, ordered by order (names of sel's columns; "" none). Each row
// of k is one probe of an index: on SQLite the CROSS JOINs fix the order of
// the loops; on PostgreSQL the tables are in a LATERAL subquery that
// OFFSET 0 keeps from being flattened, so that it runs once per row of k
// with k's values as constants — else, with no statistics on the tables
// the import fills, it hash-joined k to a scan of the whole table, once
// per chunk (a cost that grew with the table: 3 s of 100,000 rows).
func probe(d store.Dialect, vals, sel, from, where, order string) string {
	q := `SELECT ` + sel + ` FROM (VALUES ` + vals + `) AS k CROSS JOIN ` + from + ` WHERE ` + where
	if d == store.Postgres {
		q = `SELECT x.* FROM (VALUES ` + vals + `) AS k CROSS JOIN LATERAL (SELECT ` + sel + ` FROM ` + from + ` WHERE ` + where + ` OFFSET 0) AS x`
	}
	if order != "" {
		q += ` ORDER BY ` + order
	}
	return q
}

// loadStoredMany is loadStored for many codes: the households found, by
// code, in two statements per few hundred codes.
func (s *Service) loadStoredMany(ctx context.Context, tx *store.Tx, county string, codes []string) (map[string]*stored, error) {
	out := map[string]*stored{}
	err := store.Chunks(len(codes), 4, func(start, end int) error {
		args := make([]any, 0, 2*(end-start))
		for _, c := range codes[start:end] {
			args = append(args, county, c)
		}
		vals := store.ValuesRows([]string{"TEXT", "TEXT"}, end-start)
		rows, err := tx.QueryContext(ctx, probe(tx.Dialect(), vals, `h.code, h.village, h.head, h.card_holder, h.card_bank, h.card_enc, h.card_hash, h.card_mask, h.updated_at, h.updated_by`,
			`reg_households h`, `h.county = k.column1 AND h.code = k.column2`, ``), args...)
		if err != nil {
			return errs.Wrap(err, "registry: read household")
		}
		found := false
		for rows.Next() {
			st := &stored{}
			h := &st.Household
			var vil string
			var at int64
			if err := rows.Scan(&h.Code, &vil, &h.Head, &h.Card.Holder, &h.Card.Bank, &st.cardEnc, &st.cardHash, &h.Card.Masked, &at, &h.UpdatedBy); err != nil {
				rows.Close()
				return errs.Wrap(err, "registry: read household")
			}
			h.County, h.Village, h.UpdatedAt = county, place.Code(vil), clock.FromMicros(at)
			out[h.Code], found = st, true
		}
		rows.Close()
		if err := rows.Err(); err != nil || !found {
			return wrapNil(err, "registry: read household")
		}
		rows, err = tx.QueryContext(ctx, probe(tx.Dialect(), vals, `m.household AS household, m.seq AS seq, m.name, m.id_enc, m.id_hash, m.relation, m.alive`,
			`reg_members m`, `m.county = k.column1 AND m.household = k.column2`, `household, seq`), args...)
		if err != nil {
			return errs.Wrap(err, "registry: read members")
		}
		defer rows.Close()
		for rows.Next() {
			var code, enc, hash string
			var m Member
			var a int
			if err := rows.Scan(&code, &m.Seq, &m.Name, &enc, &hash, &m.Relation, &a); err != nil {
				return errs.Wrap(err, "registry: read members")
			}
			st := out[code]
			if st == nil {
				continue
			}
			m.Alive = a != 0
			var err error
			if m.IDMasked, m.BirthYear, err = s.shownSealed(enc); err != nil {
				return err
			}
			st.Members = append(st.Members, m)
			st.idEnc, st.idHash = append(st.idEnc, enc), append(st.idHash, hash)
		}
		return wrapNil(rows.Err(), "registry: read members")
	})
	return out, err
}

// leadState is a lead held in memory while a chunk is written.
type leadState struct {
	Lead
	hash      string
	scope     string
	isNew     bool // not in the database yet
	dirty     bool // households, status, reason or decided_by changed
	relink    bool // its reg_lead_households are replaced
	scopeDiff bool // its scope changed
}

// holders is who holds a hash: the households by code.
type holders map[string]map[string]bool

func (hs holders) add(hash, code string) {
	if hash == "" {
		return
	}
	if hs[hash] == nil {
		hs[hash] = map[string]bool{}
	}
	hs[hash][code] = true
}

func (hs holders) remove(hash, code string) {
	delete(hs[hash], code)
}

// others reports whether a household other than self holds hash.
func (hs holders) others(hash, self string) bool {
	for c := range hs[hash] {
		if c != self {
			return true
		}
	}
	return false
}

func (hs holders) codes(hash string) []string {
	out := make([]string, 0, len(hs[hash]))
	for c := range hs[hash] {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// writeImport is the import's batch writer (see the top of this file).
func (s *Service) writeImport(ctx context.Context, tx *store.Tx, actor, county string, order []*importHousehold, progress func(step string, done, total int), members int) ([]int64, error) {
	var nextLead int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM reg_leads WHERE county = ?`, county).Scan(&nextLead); err != nil {
		return nil, errs.Wrap(err, "registry: lead id")
	}
	var leadIDs []int64
	written := 0
	progress(StepWrite, 0, members)
	for start := 0; start < len(order); start += importChunk {
		chunk := order[start:min(start+importChunk, len(order))]
		ids, err := s.writeImportChunk(ctx, tx, actor, county, chunk, &nextLead)
		if err != nil {
			return nil, err
		}
		leadIDs = append(leadIDs, ids...)
		for _, x := range chunk {
			written += len(x.h.Members)
		}
		progress(StepWrite, written, members)
	}
	return leadIDs, nil
}

func (s *Service) writeImportChunk(ctx context.Context, tx *store.Tx, actor, county string, chunk []*importHousehold, nextLead *int64) ([]int64, error) {
	codes := make([]string, len(chunk))
	for i, x := range chunk {
		codes[i] = x.h.Code
	}
	olds, err := s.loadStoredMany(ctx, tx, county, codes)
	if err != nil {
		return nil, err
	}
	// Checked and sealed first, in the file's order: the first bad
	// household is refused before anything of the chunk is written.
	recs := make([]record, len(chunk))
	for i, x := range chunk {
		h := x.h
		if err := check(county, &h); err != nil {
			return nil, x.rowError(err)
		}
		if recs[i], err = s.prepare(h, olds[h.Code]); err != nil {
			return nil, x.rowError(err)
		}
	}
	// Every hash of the chunk, new and old, with its holders and lead.
	kinds := []string{LeadDuplicateID, LeadSharedCard}
	hashes := map[string][]string{}
	// A lead can change only for a hash another household holds (on
	// record, or earlier in the chunk) or one of a household on record
	// (sharedHashes): only those leads are read. A first import of new
	// households with their own IDs and cards reads none.
	mayLead := map[string]map[string]int{LeadDuplicateID: {}, LeadSharedCard: {}}
	for _, r := range recs {
		old := olds[r.h.Code]
		ids := append([]string(nil), r.idHash...)
		cards := []string{r.cardHash}
		if old != nil {
			ids = append(ids, old.idHash...)
			cards = append(cards, old.cardHash)
		}
		for kind, hs := range map[string][]string{LeadDuplicateID: uniq(ids), LeadSharedCard: uniq(cards)} {
			hashes[kind] = append(hashes[kind], hs...)
			for _, h := range hs {
				if old != nil {
					mayLead[kind][h] += 2
				} else {
					mayLead[kind][h]++
				}
			}
		}
	}
	villages := map[string]string{}
	held := map[string]holders{}
	leads := map[string]map[string]*leadState{}
	for _, kind := range kinds {
		hs := uniq(hashes[kind])
		hashes[kind] = hs
		if held[kind], err = loadHolders(ctx, tx, county, kind, hs, villages); err != nil {
			return nil, err
		}
		var ask []string
		for _, h := range hs {
			if mayLead[kind][h] >= 2 || len(held[kind][h]) > 0 {
				ask = append(ask, h)
			}
		}
		if leads[kind], err = loadLeads(ctx, tx, county, kind, ask); err != nil {
			return nil, err
		}
	}
	scopeOf := func(codes []string) string {
		if len(codes) == 0 {
			return county
		}
		lo, hi := "", ""
		for i, c := range codes {
			v := villages[c]
			if i == 0 || v < lo {
				lo = v
			}
			if i == 0 || v > hi {
				hi = v
			}
		}
		switch {
		case len(lo) != 12:
			return county
		case lo == hi:
			return lo
		case lo[:9] == hi[:9]:
			return lo[:9]
		}
		return county
	}
	at := clock.Micros(tx.Now)
	// syncLead's rules, in memory.
	sync := func(kind, hash string) (*leadState, bool) {
		codes := held[kind].codes(hash)
		cur := leads[kind][hash]
		if cur == nil {
			if len(codes) < 2 {
				return nil, false
			}
			l := &leadState{Lead: Lead{ID: *nextLead, Kind: kind, Households: codes, Status: LeadOpen, CreatedAt: clock.FromMicros(at)}, hash: hash, scope: scopeOf(codes), isNew: true, relink: true}
			*nextLead++
			leads[kind][hash] = l
			return l, true
		}
		if strings.Join(codes, ",") == strings.Join(cur.Households, ",") {
			if sc := scopeOf(codes); sc != cur.scope {
				cur.scope, cur.scopeDiff = sc, true
			}
			return cur, false
		}
		switch {
		case len(codes) < 2:
			cur.Status = LeadResolved
		case cur.Status == LeadResolved || !subset(codes, cur.Households):
			cur.Status, cur.Reason, cur.DecidedBy = LeadOpen, "", ""
		}
		cur.Households, cur.dirty, cur.relink = codes, true, true
		if sc := scopeOf(codes); sc != cur.scope {
			cur.scope, cur.scopeDiff = sc, true
		}
		return cur, true
	}
	var leadIDs []int64
	for _, r := range recs {
		code := r.h.Code
		old := olds[code]
		ids := append([]string(nil), r.idHash...)
		cards := []string{r.cardHash}
		if old != nil {
			for _, h := range old.idHash {
				held[LeadDuplicateID].remove(h, code)
			}
			held[LeadSharedCard].remove(old.cardHash, code)
			ids = append(ids, old.idHash...)
			cards = append(cards, old.cardHash)
		}
		for _, h := range r.idHash {
			held[LeadDuplicateID].add(h, code)
		}
		held[LeadSharedCard].add(r.cardHash, code)
		villages[code] = string(r.h.Village)
		for _, k := range []struct {
			kind   string
			hashes []string
		}{{LeadDuplicateID, ids}, {LeadSharedCard, cards}} {
			for _, hash := range uniq(k.hashes) {
				// sharedHashes: another household holds it, or (for a
				// household on record) a lead names it.
				if !held[k.kind].others(hash, code) && (old == nil || leads[k.kind][hash] == nil) {
					continue
				}
				l, changed := sync(k.kind, hash)
				if l != nil && (changed || l.Status != LeadResolved) {
					leadIDs = append(leadIDs, l.ID)
				}
			}
		}
	}
	if err := writeChunkRows(ctx, tx, actor, county, recs, olds); err != nil {
		return nil, err
	}
	var all []*leadState
	for _, kind := range kinds {
		for _, l := range leads[kind] {
			all = append(all, l)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	return leadIDs, writeLeads(ctx, tx, county, all, at)
}

// loadHolders returns the households holding each of hashes (member IDs
// or cards, by kind) and records their villages.
func loadHolders(ctx context.Context, tx *store.Tx, county, kind string, hashes []string, villages map[string]string) (holders, error) {
	out := holders{}
	err := store.Chunks(len(hashes), 2, func(start, end int) error {
		args := make([]any, 0, 2*(end-start))
		for _, h := range hashes[start:end] {
			args = append(args, county, h)
		}
		vals := store.ValuesRows([]string{"TEXT", "TEXT"}, end-start)
		// (county, hash) pairs drive the join, each a probe of the
		// (county, id_hash) or (county, card_hash) index, then of the
		// household's primary key (CROSS JOIN fixes SQLite's order: a
		// plain JOIN let it scan reg_households first).
		q := probe(tx.Dialect(), vals, `k.column2 AS hash, h.code, h.village`, `reg_members m CROSS JOIN reg_households h`,
			`m.county = k.column1 AND m.id_hash = k.column2 AND h.county = m.county AND h.code = m.household`, ``)
		if kind == LeadSharedCard {
			// c reads the card index alone (it holds the code): asked for
			// the village too, SQLite scanned the county's primary key.
			q = probe(tx.Dialect(), vals, `k.column2 AS hash, h.code, h.village`, `reg_households c CROSS JOIN reg_households h`,
				`c.county = k.column1 AND c.card_hash = k.column2 AND h.county = c.county AND h.code = c.code`, ``)
		}
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return errs.Wrap(err, "registry: find duplicates")
		}
		defer rows.Close()
		for rows.Next() {
			var hash, code, vil string
			if err := rows.Scan(&hash, &code, &vil); err != nil {
				return errs.Wrap(err, "registry: find duplicates")
			}
			out.add(hash, code)
			villages[code] = vil
		}
		return wrapNil(rows.Err(), "registry: find duplicates")
	})
	return out, err
}

// loadLeads returns the leads of kind naming hashes, by hash.
func loadLeads(ctx context.Context, tx *store.Tx, county, kind string, hashes []string) (map[string]*leadState, error) {
	out := map[string]*leadState{}
	err := store.Chunks(len(hashes), 3, func(start, end int) error {
		args := make([]any, 0, 3*(end-start))
		for _, h := range hashes[start:end] {
			args = append(args, county, kind, h)
		}
		rows, err := tx.QueryContext(ctx, probe(tx.Dialect(), store.ValuesRows([]string{"TEXT", "TEXT", "TEXT"}, end-start), leadCols+`, l.hash, l.scope`,
			`reg_leads l`, `l.county = k.column1 AND l.kind = k.column2 AND l.hash = k.column3`, ``), args...)
		if err != nil {
			return errs.Wrap(err, "registry: read lead")
		}
		defer rows.Close()
		for rows.Next() {
			var l leadState
			var hh string
			var at int64
			if err := rows.Scan(&l.ID, &l.Kind, &hh, &l.Status, &l.Reason, &l.DecidedBy, &at, &l.hash, &l.scope); err != nil {
				return errs.Wrap(err, "registry: read lead")
			}
			if hh != "" {
				l.Households = strings.Split(hh, ",")
			}
			l.CreatedAt = clock.FromMicros(at)
			out[l.hash] = &l
		}
		return wrapNil(rows.Err(), "registry: read lead")
	})
	return out, err
}

// writeChunkRows writes a chunk's households, members and years' copies
// as writeTx does, in multi-row statements.
func writeChunkRows(ctx context.Context, tx *store.Tx, actor, county string, recs []record, olds map[string]*stored) error {
	at := clock.Micros(tx.Now)
	var existing []string
	for _, r := range recs {
		if olds[r.h.Code] != nil {
			existing = append(existing, r.h.Code)
		}
	}
	if err := store.Chunks(len(existing), 1, func(start, end int) error {
		args := []any{county}
		for _, c := range existing[start:end] {
			args = append(args, c)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM reg_members WHERE county = ? AND household IN (`+marks(end-start)+`)`, args...)
		return wrapNil(err, "registry: save members")
	}); err != nil {
		return err
	}
	if tx.Dialect() == store.Postgres {
		if err := writeChunkArrays(ctx, tx, actor, county, recs, at); err != nil {
			return err
		}
	} else {
		hh := make([][]any, len(recs))
		var ms [][]any
		for i, r := range recs {
			h := r.h
			hh[i] = []any{county, h.Code, string(h.Village), h.Head, h.Card.Holder, h.Card.Bank, r.cardEnc, r.cardHash, h.Card.Masked, r.alive, at, at, actor}
			// id_mask and birth stay empty, as writeTx leaves them.
			for j, m := range h.Members {
				ms = append(ms, []any{county, h.Code, m.Seq, m.Name, r.idEnc[j], r.idHash[j], "", m.Relation, "", boolInt(m.Alive)})
			}
		}
		if err := store.InsertRows(ctx, tx, `INSERT INTO reg_households (county, code, village, head, card_holder, card_bank, card_enc, card_hash, card_mask, members_alive, created_at, updated_at, updated_by) VALUES `, 13, hh,
			` ON CONFLICT (county, code) DO UPDATE SET `+householdUpdate); err != nil {
			return errs.Wrap(err, "registry: save household")
		}
		if err := store.InsertRows(ctx, tx, `INSERT INTO reg_members (county, household, seq, name, id_enc, id_hash, id_mask, relation, birth, alive) VALUES `, 10, ms, ""); err != nil {
			return errs.Wrap(err, "registry: save members")
		}
	}
	var years [][]any
	for _, r := range recs {
		if olds[r.h.Code] != nil {
			years = append(years, []any{county, r.h.Code, string(r.h.Village), r.alive})
		}
	}
	return store.Chunks(len(years), 4, func(start, end int) error {
		var args []any
		for _, y := range years[start:end] {
			args = append(args, y...)
		}
		_, err := tx.ExecContext(ctx, `UPDATE reg_years SET village = v.column3, members_alive = v.column4 FROM (VALUES `+store.ValuesRows([]string{"TEXT", "TEXT", "TEXT", "BIGINT"}, end-start)+`) AS v
			WHERE reg_years.county = v.column1 AND reg_years.household = v.column2`, args...)
		return wrapNil(err, "registry: update years")
	})
}

// householdUpdate is what a household on record takes from its new row.
const householdUpdate = `village = excluded.village, head = excluded.head, card_holder = excluded.card_holder, card_bank = excluded.card_bank,
	card_enc = excluded.card_enc, card_hash = excluded.card_hash, card_mask = excluded.card_mask, members_alive = excluded.members_alive,
	updated_at = excluded.updated_at, updated_by = excluded.updated_by`

// writeChunkArrays is the chunk's households and members on PostgreSQL:
// one statement each, the columns sent as arrays and unnested. A
// multi-row INSERT of 4,000 parameters cost ~20 ms a statement on the
// loaded test machine, the arrays a fraction (pgx sends them in binary;
// there is one parameter per column to bind and nothing to parse per row).
func writeChunkArrays(ctx context.Context, tx *store.Tx, actor, county string, recs []record, at int64) error {
	n := len(recs)
	code, vil, head, holder, bank, cenc, chash, cmask := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	alive := make([]int64, n)
	var mh, mname, menc, mhash, mrel []string
	var mseq, malive []int64
	for i, r := range recs {
		h := r.h
		code[i], vil[i], head[i], holder[i], bank[i], cenc[i], chash[i], cmask[i], alive[i] = h.Code, string(h.Village), h.Head, h.Card.Holder, h.Card.Bank, r.cardEnc, r.cardHash, h.Card.Masked, int64(r.alive)
		for j, m := range h.Members {
			mh, mname, menc, mhash, mrel = append(mh, h.Code), append(mname, m.Name), append(menc, r.idEnc[j]), append(mhash, r.idHash[j]), append(mrel, m.Relation)
			mseq, malive = append(mseq, int64(m.Seq)), append(malive, int64(boolInt(m.Alive)))
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO reg_households (county, code, village, head, card_holder, card_bank, card_enc, card_hash, card_mask, members_alive, created_at, updated_at, updated_by)
		SELECT CAST(? AS TEXT), u.* , CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT)
		FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[])) AS u
		ON CONFLICT (county, code) DO UPDATE SET `+householdUpdate,
		county, at, at, actor, code, vil, head, holder, bank, cenc, chash, cmask, alive); err != nil {
		return errs.Wrap(err, "registry: save household")
	}
	// id_mask and birth stay empty, as writeTx leaves them.
	if _, err := tx.ExecContext(ctx, `INSERT INTO reg_members (county, household, seq, name, id_enc, id_hash, id_mask, relation, birth, alive)
		SELECT CAST(? AS TEXT), u.household, u.seq, u.name, u.id_enc, u.id_hash, '', u.relation, '', u.alive
		FROM unnest(CAST(? AS TEXT[]), CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[])) AS u(household, seq, name, id_enc, id_hash, relation, alive)`,
		county, mh, mseq, mname, menc, mhash, mrel, malive); err != nil {
		return errs.Wrap(err, "registry: save members")
	}
	return nil
}

// writeLeads writes the leads a chunk raised or changed, and their
// households.
func writeLeads(ctx context.Context, tx *store.Tx, county string, ls []*leadState, at int64) error {
	var fresh, changed [][]any
	var unlink []int64
	var links [][]any
	for _, l := range ls {
		hh := strings.Join(l.Households, ",")
		switch {
		case l.isNew:
			fresh = append(fresh, []any{county, l.ID, l.Kind, l.hash, hh, l.Status, l.Reason, l.DecidedBy, at, l.scope})
		case l.dirty || l.scopeDiff:
			changed = append(changed, []any{county, l.ID, hh, l.Status, l.Reason, l.DecidedBy, l.scope})
		}
		if l.relink {
			if !l.isNew {
				unlink = append(unlink, l.ID)
			}
			for _, c := range l.Households {
				links = append(links, []any{county, c, l.ID})
			}
		}
	}
	if err := store.InsertRows(ctx, tx, `INSERT INTO reg_leads (county, id, kind, hash, households, status, reason, decided_by, created_at, scope) VALUES `, 10, fresh, ""); err != nil {
		return errs.Wrap(err, "registry: raise lead")
	}
	if err := store.Chunks(len(changed), 7, func(start, end int) error {
		var args []any
		for _, c := range changed[start:end] {
			args = append(args, c...)
		}
		_, err := tx.ExecContext(ctx, `UPDATE reg_leads SET households = v.column3, status = v.column4, reason = v.column5, decided_by = v.column6, scope = v.column7
			FROM (VALUES `+store.ValuesRows([]string{"TEXT", "BIGINT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT"}, end-start)+`) AS v WHERE reg_leads.county = v.column1 AND reg_leads.id = v.column2`, args...)
		return wrapNil(err, "registry: update lead")
	}); err != nil {
		return err
	}
	if err := store.Chunks(len(unlink), 1, func(start, end int) error {
		args := []any{county}
		for _, id := range unlink[start:end] {
			args = append(args, id)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM reg_lead_households WHERE county = ? AND lead IN (`+marks(end-start)+`)`, args...)
		return wrapNil(err, "registry: update lead")
	}); err != nil {
		return err
	}
	return wrapNil(store.InsertRows(ctx, tx, `INSERT INTO reg_lead_households (county, household, lead) VALUES `, 3, links, ""), "registry: link lead")
}

// marks is n comma-separated placeholders.
func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// wrapNil is errs.Wrap for an error that may be nil.
func wrapNil(err error, what string) error {
	if err == nil {
		return nil
	}
	return errs.Wrap(err, "%s", what)
}
