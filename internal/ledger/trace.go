package ledger

import (
	"context"
	"database/sql"
	"slices"
	"sort"
	"strings"

	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
)

// RefreshProjections brings the read models — the flows (money moved per
// channel, from, to) and the touches (transfers per account) — up to the
// latest transfer. Reads that use them call it first; serve also runs it in
// the background. It works in chunks so that it never holds the write lock long.
func (l *Ledger) RefreshProjections(ctx context.Context, county string) error {
	done := int64(0)
	defer func() {
		// A large catch-up changes the tables' shape: refresh the planner's
		// statistics (cheap when nothing is stale).
		if done >= 20000 {
			_ = l.db.Optimize(context.WithoutCancel(ctx))
		}
	}()
	places := map[int64]string{} // account id → place, for the scopes
	for {
		var through, last int64
		err := l.db.QueryRowContext(ctx, `SELECT projected_through, last_transfer_id FROM ledger_heads WHERE county = ?`, county).Scan(&through, &last)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return errs.Wrap(err, "ledger: flows head")
		}
		if through >= last {
			return nil
		}
		err = l.db.Write(ctx, l.now(), func(tx *store.Tx) error {
			h, err := lockHead(ctx, tx, county)
			if err != nil {
				return err
			}
			upto := min(h.lastTransfer, h.projectedThrough+50000)
			if upto <= h.projectedThrough {
				return nil
			}
			type fk struct{ ch, from, to int64 }
			type fv struct{ amt, n int64 }
			agg := map[fk]*fv{}
			var touches [][]any
			type ends struct{ id, from, to int64 }
			var moved []ends
			done += upto - h.projectedThrough
			rows, err := tx.QueryContext(ctx, `SELECT id, from_account, to_account, legs FROM ledger_transfers WHERE county = ? AND id > ? AND id <= ?`, county, h.projectedThrough, upto)
			if err != nil {
				return errs.Wrap(err, "ledger: read transfers for flows")
			}
			for rows.Next() {
				var id, from, to int64
				var legs string
				if err := rows.Scan(&id, &from, &to, &legs); err != nil {
					rows.Close()
					return err
				}
				touches = append(touches, []any{county, from, id}, []any{county, to, id})
				moved = append(moved, ends{id, from, to})
				ls, err := decodeLegs(legs)
				if err != nil {
					rows.Close()
					return errs.Wrap(err, "ledger: legs")
				}
				for _, lg := range ls {
					k := fk{lg.ch, from, to}
					v := agg[k]
					if v == nil {
						v = &fv{}
						agg[k] = v
					}
					v.amt += int64(lg.amt)
					v.n++
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			deltas := make([]flowDelta, 0, len(agg))
			for k, v := range agg {
				deltas = append(deltas, flowDelta{k.ch, k.from, k.to, v.amt, v.n})
			}
			if err := projectFlows(ctx, tx, county, deltas); err != nil {
				return err
			}
			if err := insertRows(ctx, tx, `INSERT INTO ledger_touches (county, account_id, transfer_id) VALUES `, 3, touches,
				` ON CONFLICT (county, account_id, transfer_id) DO NOTHING`); err != nil {
				return errs.Wrap(err, "ledger: write touches")
			}
			var need []int64
			for _, m := range moved {
				for _, a := range []int64{m.from, m.to} {
					if _, ok := places[a]; !ok {
						places[a] = ""
						need = append(need, a)
					}
				}
			}
			if err := accountPlaces(ctx, tx, county, need, places); err != nil {
				return err
			}
			var scoped [][]any
			for _, m := range moved {
				seen := [4]string{}
				n := 0
				for _, a := range []int64{m.from, m.to} {
					for _, sc := range Scopes(places[a]) {
						if !slices.Contains(seen[:n], sc) {
							seen[n] = sc
							n++
							scoped = append(scoped, []any{county, sc, m.id})
						}
					}
				}
			}
			if err := insertRows(ctx, tx, `INSERT INTO ledger_transfer_scopes (county, scope, transfer_id) VALUES `, 3, scoped,
				` ON CONFLICT (county, scope, transfer_id) DO NOTHING`); err != nil {
				return errs.Wrap(err, "ledger: write scopes")
			}
			_, err = tx.ExecContext(ctx, `UPDATE ledger_heads SET projected_through = ? WHERE county = ?`, upto, county)
			return err
		})
		if err != nil {
			return err
		}
	}
}

// Scopes are the list scopes of an account's place: its township's prefix
// (9 digits) and its village's code (12), those it has.
func Scopes(pl string) []string {
	if len(pl) != 12 || pl[6:9] == "000" {
		return nil
	}
	if pl[9:] == "000" {
		return []string{pl[:9]}
	}
	return []string{pl[:9], pl}
}

// accountPlaces reads the places of accounts ids into places.
func accountPlaces(ctx context.Context, tx *store.Tx, county string, ids []int64, places map[int64]string) error {
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, county)
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, place FROM ledger_accounts WHERE county = ? AND id IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return errs.Wrap(err, "ledger: account places")
		}
		for rows.Next() {
			var id int64
			var pl string
			if err := rows.Scan(&id, &pl); err != nil {
				rows.Close()
				return err
			}
			places[id] = pl
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// TraceNode is an account in a trace, or a group of leaf accounts folded
// together (Group > 0 counts them).
type TraceNode struct {
	ID    int64
	Code  string
	Name  string
	Kind  AccountKind
	Place place.Code
	Group int // >0: this node stands for Group accounts of Kind
	// Source is, for a group, the code of the account that paid them
	// (the node the group's edges come from).
	Source string
}

// TraceEdge is money of one channel moved from one node to another, net of
// nothing: reversals appear as edges of their own, backwards.
type TraceEdge struct {
	From, To int64 // node ids (negative for groups)
	Channel  string
	Amount   money.Fen
	Count    int64 // number of transfers
}

// Trace is the flow graph of a channel (where its money went) or into an
// account (where its money came from).
type Trace struct {
	Channels []Channel
	Nodes    map[int64]TraceNode
	Edges    []TraceEdge
	// Holdings: for a channel trace, the accounts holding the channel's money
	// now (net of all edges); for an account trace, its balances.
	Holdings  []Holding
	Truncated bool // more edges exist than MaxTraceEdges
}

// Holding is money of a channel held by a node.
type Holding struct {
	Node    int64
	Channel string
	Amount  money.Fen
}

// OutsideNode is the id of the node that stands for every account outside
// the place prefix a trace was asked for.
const OutsideNode = int64(-1 << 40)

// MaxTraceEdges bounds the edges read for one trace.
const MaxTraceEdges = 20000

// foldAbove is the number of leaf destinations of one kind from one node
// above which they are drawn as one group.
const foldAbove = 12

type flowRow struct {
	ch, from, to int64
	amt, n       int64
}

// TraceChannel returns where the channel's money went, through every hop,
// to the accounts that hold it now. Errors: NotFound (unknown_channel).
//
// prefix, when not empty, keeps only accounts whose place starts with it
// (see OutsideNode).
func (l *Ledger) TraceChannel(ctx context.Context, county, channel, prefix string) (Trace, error) {
	return l.TraceChannelIn(ctx, county, channel, TraceScope{Prefix: prefix})
}

// TraceScope narrows a channel's trace to a part of it (a drill-down).
type TraceScope struct {
	// Prefix keeps the accounts whose place starts with it; the others
	// merge into OutsideNode.
	Prefix string
	// From, when not empty, is the code of an account (a project, the
	// pool…): only what flowed into it and, hop by hop, what flowed on
	// from it are kept.
	From string
}

// TraceChannelIn is TraceChannel narrowed to scope. Households folded at
// county scale by village stay folded as long as more than groupAbove of
// them are in scope; a village's households are then read one by one.
// Errors: NotFound (unknown_channel, unknown_account for From).
func (l *Ledger) TraceChannelIn(ctx context.Context, county, channel string, scope TraceScope) (Trace, error) {
	prefix := scope.Prefix
	if err := l.RefreshProjections(ctx, county); err != nil {
		return Trace{}, err
	}
	byCode, _, err := loadChannels(ctx, l.db, county)
	if err != nil {
		return Trace{}, err
	}
	c, ok := byCode[channel]
	if !ok {
		return Trace{}, errs.F(errs.NotFound, "unknown_channel", "channel", "channel %q does not exist", channel)
	}
	// At county scale (many households reached), households come grouped
	// by source and village from ledger_flow_groups, and only the flows
	// between other accounts are read one by one.
	var reached int64
	if err := l.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(accounts), 0) FROM ledger_flow_groups WHERE county = ? AND channel_id = ?`, county, c.id).Scan(&reached); err != nil {
		return Trace{}, errs.Wrap(err, "ledger: trace groups")
	}
	grouped := reached > groupAbove
	table := "ledger_flows"
	lo, hi := place.Range(prefix)
	inScope := reached
	if grouped && prefix != "" {
		if err := l.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(accounts), 0) FROM ledger_flow_groups WHERE county = ? AND channel_id = ? AND to_place BETWEEN ? AND ?`, county, c.id, lo, hi).Scan(&inScope); err != nil {
			return Trace{}, errs.Wrap(err, "ledger: trace groups")
		}
	}
	// few: the channel reaches many households, but few of them in scope:
	// those are read one by one, through the place index.
	few := grouped && inScope <= groupAbove
	if grouped {
		table = "ledger_flows_inst" // households come from the groups
	}
	var flows []flowRow
	read := func(q string, args ...any) error {
		rows, err := l.db.QueryContext(ctx, q, args...)
		if err != nil {
			return errs.Wrap(err, "ledger: trace")
		}
		defer rows.Close()
		for rows.Next() {
			f := flowRow{ch: c.id}
			if err := rows.Scan(&f.from, &f.to, &f.amt, &f.n); err != nil {
				return err
			}
			flows = append(flows, f)
		}
		return rows.Err()
	}
	if err := read(`SELECT from_account, to_account, amount, n FROM `+table+` WHERE county = ? AND channel_id = ? LIMIT ?`, county, c.id, MaxTraceEdges+1); err != nil {
		return Trace{}, err
	}
	if few {
		if err := read(`SELECT f.from_account, f.to_account, f.amount, f.n FROM ledger_accounts a JOIN ledger_flows f ON f.county = a.county AND f.to_account = a.id AND f.channel_id = ?
			WHERE a.county = ? AND a.kind = 'household' AND a.place BETWEEN ? AND ? LIMIT ?`, c.id, county, lo, hi, MaxTraceEdges+1); err != nil {
			return Trace{}, err
		}
	}
	t := Trace{Channels: []Channel{{County: county, ID: c.id, Code: c.code, Name: c.name}}}
	if len(flows) > MaxTraceEdges {
		flows, t.Truncated = flows[:MaxTraceEdges], true
	}
	var groups []groupRow
	if grouped {
		rows, err := l.db.QueryContext(ctx, `SELECT from_account, to_place, amount, n, accounts FROM ledger_flow_groups WHERE county = ? AND channel_id = ?`, county, c.id)
		if err != nil {
			return Trace{}, errs.Wrap(err, "ledger: trace groups")
		}
		for rows.Next() {
			var g groupRow
			if err := rows.Scan(&g.from, &g.place, &g.amt, &g.n, &g.accounts); err != nil {
				rows.Close()
				return Trace{}, err
			}
			if few && g.place >= lo && g.place <= hi {
				continue // read one by one above
			}
			groups = append(groups, g)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return Trace{}, err
		}
	}
	if scope.From != "" {
		a, err := l.Account(ctx, county, scope.From)
		if err != nil {
			return Trace{}, err
		}
		flows, groups = downstream(a.ID, flows, groups)
	}
	groups = groupsByTownship(groups)
	return l.buildTrace(ctx, county, t, flows, map[int64]string{c.id: c.code}, true, prefix, c.id, groups)
}

// downstream keeps the flows into root and those that leave it or, hop
// by hop, what it paid.
func downstream(root int64, flows []flowRow, groups []groupRow) ([]flowRow, []groupRow) {
	reach := map[int64]bool{root: true}
	for grew := true; grew; {
		grew = false
		for _, f := range flows {
			if reach[f.from] && !reach[f.to] {
				reach[f.to], grew = true, true
			}
		}
	}
	var kf []flowRow
	for _, f := range flows {
		if reach[f.from] || f.to == root {
			kf = append(kf, f)
		}
	}
	var kg []groupRow
	for _, g := range groups {
		if reach[g.from] {
			kg = append(kg, g)
		}
	}
	return kf, kg
}

// groupsByTownship merges, for a source that pays the households of more
// than foldAbove villages, its village groups into one group per
// township: a county's diagram keeps a few tall nodes, each a link to
// the township's own diagram.
func groupsByTownship(groups []groupRow) []groupRow {
	villages := map[int64]int{}
	for _, g := range groups {
		villages[g.from]++
	}
	type k struct {
		from  int64
		place string
	}
	var out []groupRow
	at := map[k]int{}
	for _, g := range groups {
		if villages[g.from] > foldAbove {
			if c, err := place.Parse(g.place); err == nil {
				g.place = string(c.Township())
			}
		}
		key := k{g.from, g.place}
		if i, ok := at[key]; ok {
			out[i].amt += g.amt
			out[i].n += g.n
			out[i].accounts += g.accounts
			continue
		}
		at[key] = len(out)
		out = append(out, g)
	}
	return out
}

// groupAbove is the number of households a channel reaches above which
// its trace shows them grouped by source and village.
const groupAbove = 500

// groupRow is money of a channel from one account to the households of
// one village.
type groupRow struct {
	from     int64
	place    string
	amt, n   int64
	accounts int64
}

// TraceAccount returns where the account's money came from: its balances by
// channel and, hop by hop backwards, the flows of those channels that led to
// it. prefix works as for TraceChannel. Errors: NotFound (unknown_account).
func (l *Ledger) TraceAccount(ctx context.Context, county, code, prefix string) (Trace, error) {
	a, err := l.Account(ctx, county, code)
	if err != nil {
		return Trace{}, err
	}
	if err := l.RefreshProjections(ctx, county); err != nil {
		return Trace{}, err
	}
	_, byID, err := loadChannels(ctx, l.db, county)
	if err != nil {
		return Trace{}, err
	}
	type key struct{ acc, ch int64 }
	seen := map[key]bool{}
	var flows []flowRow
	frontier := []key{}
	// Start from every channel that ever flowed into the account.
	rows, err := l.db.QueryContext(ctx, `SELECT channel_id, from_account, amount, n FROM ledger_flows WHERE county = ? AND to_account = ?`, county, a.ID)
	if err != nil {
		return Trace{}, errs.Wrap(err, "ledger: trace")
	}
	for rows.Next() {
		f := flowRow{to: a.ID}
		if err := rows.Scan(&f.ch, &f.from, &f.amt, &f.n); err != nil {
			rows.Close()
			return Trace{}, err
		}
		flows = append(flows, f)
		if k := (key{f.from, f.ch}); !seen[k] {
			seen[k] = true
			frontier = append(frontier, k)
		}
	}
	rows.Close()
	seen[key{a.ID, 0}] = true
	truncated := false
	for depth := 0; depth < 12 && len(frontier) > 0 && !truncated; depth++ {
		var next []key
		for _, k := range frontier {
			rows, err := l.db.QueryContext(ctx, `SELECT from_account, amount, n FROM ledger_flows WHERE county = ? AND to_account = ? AND channel_id = ?`, county, k.acc, k.ch)
			if err != nil {
				return Trace{}, errs.Wrap(err, "ledger: trace")
			}
			for rows.Next() {
				f := flowRow{to: k.acc, ch: k.ch}
				if err := rows.Scan(&f.from, &f.amt, &f.n); err != nil {
					rows.Close()
					return Trace{}, err
				}
				if f.from == a.ID {
					continue // a reversal back out of the account: not a source
				}
				flows = append(flows, f)
				if nk := (key{f.from, f.ch}); !seen[nk] {
					seen[nk] = true
					next = append(next, nk)
				}
			}
			rows.Close()
			if len(flows) > MaxTraceEdges {
				truncated = true
				break
			}
		}
		frontier = next
	}
	chCodes := map[int64]string{}
	var t Trace
	for _, f := range flows {
		if _, ok := chCodes[f.ch]; !ok {
			c := byID[f.ch]
			chCodes[f.ch] = c.code
			t.Channels = append(t.Channels, Channel{County: county, ID: c.id, Code: c.code, Name: c.name})
		}
	}
	sort.Slice(t.Channels, func(i, j int) bool { return t.Channels[i].Code < t.Channels[j].Code })
	t.Truncated = truncated
	t, err = l.buildTrace(ctx, county, t, flows, chCodes, false, prefix, 0, nil)
	if err != nil {
		return t, err
	}
	bals, err := l.Balances(ctx, county, code)
	if err != nil {
		return t, err
	}
	t.Holdings = nil
	for _, b := range bals {
		if b.Amount != 0 {
			t.Holdings = append(t.Holdings, Holding{Node: a.ID, Channel: b.Channel, Amount: b.Amount})
		}
	}
	return t, nil
}

// buildTrace loads the nodes, folds large fans of leaf accounts into groups
// and computes holdings.
func (l *Ledger) buildTrace(ctx context.Context, county string, t Trace, flows []flowRow, chCodes map[int64]string, fold bool, prefix string, groupCh int64, groups []groupRow) (Trace, error) {
	idset := map[int64]bool{}
	var ids []int64
	for _, g := range groups {
		if !idset[g.from] {
			idset[g.from] = true
			ids = append(ids, g.from)
		}
	}
	for _, f := range flows {
		for _, id := range []int64{f.from, f.to} {
			if !idset[id] {
				idset[id] = true
				ids = append(ids, id)
			}
		}
	}
	nodes := map[int64]TraceNode{}
	for start := 0; start < len(ids); start += 500 {
		end := min(start+500, len(ids))
		args := []any{county}
		for _, id := range ids[start:end] {
			args = append(args, id)
		}
		rows, err := l.db.QueryContext(ctx, `SELECT id, code, name, kind, place FROM ledger_accounts WHERE county = ? AND id IN (`+placeholders(end-start)+`)`, args...)
		if err != nil {
			return t, errs.Wrap(err, "ledger: trace nodes")
		}
		for rows.Next() {
			var n TraceNode
			var kind, pl string
			if err := rows.Scan(&n.ID, &n.Code, &n.Name, &kind, &pl); err != nil {
				rows.Close()
				return t, err
			}
			n.Kind, n.Place = AccountKind(kind), place.Code(pl)
			nodes[n.ID] = n
		}
		rows.Close()
	}
	// Household groups become nodes of their own (negative ids below the
	// fold groups'), placed at their village.
	gid := int64(-1 << 30)
	for _, g := range groups {
		nodes[gid] = TraceNode{ID: gid, Kind: Household, Group: int(g.accounts), Place: place.Code(g.place), Source: nodes[g.from].Code}
		flows = append(flows, flowRow{ch: groupCh, from: g.from, to: gid, amt: g.amt, n: g.n})
		gid--
	}
	if prefix != "" {
		flows = scopeFlows(nodes, flows, prefix)
	}
	out := map[int64]int{}
	for _, f := range flows {
		out[f.from]++
	}
	// Fold: leaves (no outgoing edge) reached from one node, of one kind,
	// beyond foldAbove, become one group node per (from, kind).
	type gk struct {
		from int64
		kind AccountKind
	}
	leafCount := map[gk]map[int64]bool{}
	if fold {
		for _, f := range flows {
			if out[f.to] == 0 && nodes[f.to].Group == 0 {
				k := gk{f.from, nodes[f.to].Kind}
				if leafCount[k] == nil {
					leafCount[k] = map[int64]bool{}
				}
				leafCount[k][f.to] = true
			}
		}
	}
	groupID := map[gk]int64{}
	nextGroup := int64(-1)
	type ek struct {
		from, to int64
		ch       int64
	}
	edges := map[ek]*TraceEdge{}
	var order []ek
	net := map[[2]int64]money.Fen{}
	for _, f := range flows {
		to := f.to
		if fold && out[f.to] == 0 && nodes[f.to].Group == 0 {
			k := gk{f.from, nodes[f.to].Kind}
			if len(leafCount[k]) > foldAbove {
				g, ok := groupID[k]
				if !ok {
					g = nextGroup
					nextGroup--
					groupID[k] = g
					nodes[g] = TraceNode{ID: g, Kind: k.kind, Group: len(leafCount[k]), Name: string(k.kind), Source: nodes[k.from].Code,
						Place: commonPlace(nodes, leafCount[k])}
				}
				to = g
			}
		}
		key := ek{f.from, to, f.ch}
		e := edges[key]
		if e == nil {
			e = &TraceEdge{From: f.from, To: to, Channel: chCodes[f.ch]}
			edges[key] = e
			order = append(order, key)
		}
		e.Amount += money.Fen(f.amt)
		e.Count += f.n
		net[[2]int64{to, f.ch}] += money.Fen(f.amt)
		net[[2]int64{f.from, f.ch}] -= money.Fen(f.amt)
	}
	for _, k := range order {
		t.Edges = append(t.Edges, *edges[k])
	}
	sort.SliceStable(t.Edges, func(i, j int) bool { return t.Edges[i].Amount > t.Edges[j].Amount })
	t.Nodes = nodes
	for k, amt := range net {
		if amt > 0 {
			t.Holdings = append(t.Holdings, Holding{Node: k[0], Channel: chCodes[k[1]], Amount: amt})
		}
	}
	sort.Slice(t.Holdings, func(i, j int) bool {
		if t.Holdings[i].Amount != t.Holdings[j].Amount {
			return t.Holdings[i].Amount > t.Holdings[j].Amount
		}
		return t.Holdings[i].Node < t.Holdings[j].Node
	})
	return t, nil
}

// commonPlace is the smallest division (village, township or county)
// that holds every account of ids, or "" when they lie in several counties.
func commonPlace(nodes map[int64]TraceNode, ids map[int64]bool) place.Code {
	var common place.Code
	for id := range ids {
		p := nodes[id].Place
		switch {
		case common == "":
			common = p
		case common.Contains(p):
		case common.Township().Contains(p):
			common = common.Township()
		case common.County().Contains(p):
			common = common.County()
		default:
			return ""
		}
	}
	return common
}

// scopeFlows merges the nodes outside prefix into OutsideNode, dropping
// flows that stay outside.
func scopeFlows(nodes map[int64]TraceNode, flows []flowRow, prefix string) []flowRow {
	hidden := map[int64]bool{}
	count := 0
	for id, n := range nodes {
		if !strings.HasPrefix(string(n.Place), prefix) {
			hidden[id] = true
			count += max(1, n.Group)
			delete(nodes, id)
		}
	}
	if len(hidden) == 0 {
		return flows
	}
	nodes[OutsideNode] = TraceNode{ID: OutsideNode, Group: count}
	kept := flows[:0]
	for _, f := range flows {
		if hidden[f.from] {
			f.from = OutsideNode
		}
		if hidden[f.to] {
			f.to = OutsideNode
		}
		if f.from != OutsideNode || f.to != OutsideNode {
			kept = append(kept, f)
		}
	}
	return kept
}

// flowDelta is money of a channel moved from one account to another in n
// transfers.
type flowDelta struct{ ch, from, to, amt, n int64 }

// acctInfo is where an account is and what it is.
type acctInfo struct{ place, kind string }

// accountInfo loads place and kind of the accounts ids.
func accountInfo(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, county string, ids map[int64]bool) (map[int64]acctInfo, error) {
	list := make([]int64, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	where := make(map[int64]acctInfo, len(list))
	for start := 0; start < len(list); start += 500 {
		end := min(start+500, len(list))
		args := []any{county}
		for _, id := range list[start:end] {
			args = append(args, id)
		}
		rows, err := q.QueryContext(ctx, `SELECT id, place, kind FROM ledger_accounts WHERE county = ? AND id IN (`+placeholders(end-start)+`)`, args...)
		if err != nil {
			return nil, errs.Wrap(err, "ledger: account places")
		}
		for rows.Next() {
			var id int64
			var p acctInfo
			if err := rows.Scan(&id, &p.place, &p.kind); err != nil {
				rows.Close()
				return nil, err
			}
			where[id] = p
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return where, nil
}

// projectFlows adds a chunk's flows to ledger_flows (with the destination's
// kind), to ledger_flow_groups (flows into households, by source and
// village, counting the households) and to ledger_place_totals.
func projectFlows(ctx context.Context, tx *store.Tx, county string, deltas []flowDelta) error {
	ids := map[int64]bool{}
	for _, f := range deltas {
		ids[f.from], ids[f.to] = true, true
	}
	where, err := accountInfo(ctx, tx, county, ids)
	if err != nil {
		return err
	}
	// Which (channel, from, household) flows exist already: a new one adds
	// a household to its group.
	type fk struct{ ch, from, to int64 }
	hh := map[int64]bool{}
	for _, f := range deltas {
		if where[f.to].kind == string(Household) {
			hh[f.to] = true
		}
	}
	existing := map[fk]bool{}
	hlist := make([]int64, 0, len(hh))
	for id := range hh {
		hlist = append(hlist, id)
	}
	for start := 0; start < len(hlist); start += 500 {
		end := min(start+500, len(hlist))
		args := []any{county}
		for _, id := range hlist[start:end] {
			args = append(args, id)
		}
		rows, err := tx.QueryContext(ctx, `SELECT channel_id, from_account, to_account FROM ledger_flows WHERE county = ? AND to_account IN (`+placeholders(end-start)+`)`, args...)
		if err != nil {
			return errs.Wrap(err, "ledger: existing household flows")
		}
		for rows.Next() {
			var k fk
			if err := rows.Scan(&k.ch, &k.from, &k.to); err != nil {
				rows.Close()
				return err
			}
			existing[k] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	type gk struct {
		ch, from int64
		place    string
	}
	type gv struct{ amt, n, accounts int64 }
	groups := map[gk]*gv{}
	batch := make([][]any, 0, len(deltas))
	for _, f := range deltas {
		to := where[f.to]
		batch = append(batch, []any{county, f.ch, f.from, f.to, to.kind, f.amt, f.n})
		if to.kind != string(Household) {
			continue
		}
		k := gk{f.ch, f.from, to.place}
		g := groups[k]
		if g == nil {
			g = &gv{}
			groups[k] = g
		}
		g.amt += f.amt
		g.n += f.n
		if !existing[fk{f.ch, f.from, f.to}] {
			g.accounts++
		}
	}
	if err := insertRows(ctx, tx, `INSERT INTO ledger_flows (county, channel_id, from_account, to_account, to_kind, amount, n) VALUES `, 7, batch,
		` ON CONFLICT (county, channel_id, from_account, to_account) DO UPDATE SET amount = ledger_flows.amount + excluded.amount, n = ledger_flows.n + excluded.n`); err != nil {
		return errs.Wrap(err, "ledger: write flows")
	}
	var inst [][]any
	for _, f := range deltas {
		if where[f.to].kind != string(Household) {
			inst = append(inst, []any{county, f.ch, f.from, f.to, f.amt, f.n})
		}
	}
	if err := insertRows(ctx, tx, `INSERT INTO ledger_flows_inst (county, channel_id, from_account, to_account, amount, n) VALUES `, 6, inst,
		` ON CONFLICT (county, channel_id, from_account, to_account) DO UPDATE SET amount = ledger_flows_inst.amount + excluded.amount, n = ledger_flows_inst.n + excluded.n`); err != nil {
		return errs.Wrap(err, "ledger: write institutional flows")
	}
	gb := make([][]any, 0, len(groups))
	for k, g := range groups {
		gb = append(gb, []any{county, k.ch, k.from, k.place, g.amt, g.n, g.accounts})
	}
	if err := insertRows(ctx, tx, `INSERT INTO ledger_flow_groups (county, channel_id, from_account, to_place, amount, n, accounts) VALUES `, 7, gb,
		` ON CONFLICT (county, channel_id, from_account, to_place) DO UPDATE SET amount = ledger_flow_groups.amount + excluded.amount, n = ledger_flow_groups.n + excluded.n, accounts = ledger_flow_groups.accounts + excluded.accounts`); err != nil {
		return errs.Wrap(err, "ledger: write flow groups")
	}
	return projectPlaceTotals(ctx, tx, county, deltas, where)
}

// projectPlaceTotals adds a chunk's flows to ledger_place_totals: money
// per place × kind × channel (credited to the destination's place and kind,
// debited from the source's).
func projectPlaceTotals(ctx context.Context, tx *store.Tx, county string, flows []flowDelta, where map[int64]acctInfo) error {
	type tk struct {
		place, kind string
		ch          int64
	}
	tot := map[tk]int64{}
	for _, f := range flows {
		to, from := where[f.to], where[f.from]
		tot[tk{to.place, to.kind, f.ch}] += f.amt
		tot[tk{from.place, from.kind, f.ch}] -= f.amt
	}
	batch := make([][]any, 0, len(tot))
	for k, amt := range tot {
		if amt != 0 {
			batch = append(batch, []any{county, k.place, k.kind, k.ch, amt})
		}
	}
	if err := insertRows(ctx, tx, `INSERT INTO ledger_place_totals (county, place, kind, channel_id, amount) VALUES `, 5, batch,
		` ON CONFLICT (county, place, kind, channel_id) DO UPDATE SET amount = ledger_place_totals.amount + excluded.amount`); err != nil {
		return errs.Wrap(err, "ledger: write place totals")
	}
	return nil
}
