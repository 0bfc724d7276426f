package funds

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"onepool/internal/audit"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/store"
)

// Project is the minimal project record allocations need (the projects
// capability grows it): what it is for and where.
type Project struct {
	County     string
	Code       string
	Name       string
	Place      place.Code // its village (or township)
	Purpose    string     // what it pays for: a purpose of the profile's categories
	Department string
	// Collective: run by the village collective itself (村集体自主经营),
	// so co-funded by the village and the county (003).
	Collective bool
	// Status in the project lifecycle (the projects capability moves it):
	// "" on creation means StatusReserve.
	Status    string
	CreatedAt time.Time
	CreatedBy string
}

// ProjectAccount is the ledger account of a project.
func ProjectAccount(code string) string { return "prj:" + code }

// Project statuses money depends on (the projects capability has the
// whole lifecycle).
const (
	StatusReserve  = "reserve"  // in the project library (项目库)
	StatusApproved = "approved" // approved into the annual plan
	StatusFunded   = "funded"   // money allocated
)

// Allocatable are the statuses in which a project may receive money: only
// approved projects (and those already being built with it).
var Allocatable = []string{"approved", "funded", "construction", "completed", "accepted"}

// CreateProject records a project and opens its ledger account, in one
// transaction with the audit entry. Errors: Invalid (naming the field),
// Conflict (project_exists).
func (s *Service) CreateProject(ctx context.Context, actor, county string, p Project) (Project, error) {
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		var err error
		p, err = s.CreateProjectTx(ctx, tx, actor, county, p)
		return err
	})
	if err != nil {
		return Project{}, err
	}
	return p, nil
}

// CreateProjectTx is CreateProject inside the caller's transaction.
func (s *Service) CreateProjectTx(ctx context.Context, tx *store.Tx, actor, county string, p Project) (Project, error) {
	prof, err := s.profile(ctx, county)
	if err != nil {
		return Project{}, err
	}
	if err := checkProject(prof, county, &p); err != nil {
		return Project{}, err
	}
	p.County, p.CreatedBy, p.CreatedAt = county, actor, tx.Now
	if _, err := tx.ExecContext(ctx, `INSERT INTO fund_projects (county, code, name, place, purpose, department, collective, status, status_at, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		projectRow(county, p)...); err != nil {
		if errs.KindOf(err) == errs.Conflict {
			return Project{}, errs.F(errs.Conflict, "project_exists", "code", "project %s exists already", p.Code)
		}
		return Project{}, errs.Wrap(err, "funds: project")
	}
	if _, _, err := s.l.OpenAccountsTx(ctx, tx, county, []ledger.NewAccount{projectAccount(p)}); err != nil {
		return Project{}, err
	}
	if _, err := audit.Append(ctx, tx, projectEntry(actor, county, p)); err != nil {
		return Project{}, err
	}
	return p, nil
}

// CreateProjectsTx is CreateProjectTx for many projects in the caller's
// transaction, in a few statements whatever their number (a plan import
// writes thousands): the same checks in the same order, the same rows,
// ledger accounts and audit entries (one funds.project entry each). When
// a project is refused nothing of the batch may be kept (the caller's
// transaction rolls back) and bad is its index; -1 when the refusal is
// not one project's. Errors: CreateProjectTx's.
func (s *Service) CreateProjectsTx(ctx context.Context, tx *store.Tx, actor, county string, ps []Project) (out []Project, bad int, err error) {
	if len(ps) == 0 {
		return []Project{}, -1, nil
	}
	prof, err := s.profile(ctx, county)
	if err != nil {
		return nil, -1, err
	}
	out = make([]Project, len(ps))
	codes := make([]string, len(ps))
	for i, p := range ps {
		p.Code = strings.TrimSpace(p.Code)
		codes[i] = p.Code
	}
	taken, err := projectsTaken(ctx, tx, county, codes)
	if err != nil {
		return nil, -1, err
	}
	seen := make(map[string]bool, len(ps))
	rows := make([][]any, len(ps))
	accts := make([]ledger.NewAccount, len(ps))
	entries := make([]audit.Entry, len(ps))
	for i, p := range ps {
		if err := checkProject(prof, county, &p); err != nil {
			return nil, i, err
		}
		if taken[p.Code] || seen[p.Code] {
			return nil, i, errs.F(errs.Conflict, "project_exists", "code", "project %s exists already", p.Code)
		}
		seen[p.Code] = true
		p.County, p.CreatedBy, p.CreatedAt = county, actor, tx.Now
		out[i], rows[i], accts[i], entries[i] = p, projectRow(county, p), projectAccount(p), projectEntry(actor, county, p)
	}
	if err := store.InsertRows(ctx, tx, `INSERT INTO fund_projects (county, code, name, place, purpose, department, collective, status, status_at, created_at, created_by) VALUES `, 11, rows, ""); err != nil {
		if errs.KindOf(err) == errs.Conflict {
			return nil, -1, errs.F(errs.Conflict, "project_exists", "code", "a project of the batch exists already")
		}
		return nil, -1, errs.Wrap(err, "funds: projects")
	}
	for start := 0; start < len(accts); start += ledger.MaxBatch {
		end := min(start+ledger.MaxBatch, len(accts))
		if _, _, err := s.l.OpenAccountsTx(ctx, tx, county, accts[start:end]); err != nil {
			if e, ok := errs.As(err); ok && len(accts[start:end]) > 1 {
				// accounts[i].field → the project's own field, as for one.
				var i int
				var f string
				if n, _ := fmt.Sscanf(strings.Replace(e.Field, "].", "] ", 1), "accounts[%d] %s", &i, &f); n == 2 {
					e2 := *e
					e2.Field = f
					return nil, start + i, &e2
				}
			}
			return nil, -1, err
		}
	}
	if _, err := audit.AppendAll(ctx, tx, entries); err != nil {
		return nil, -1, err
	}
	return out, -1, nil
}

// projectsTaken reports which of codes are projects of the county, in a
// statement per few hundred codes (probing the primary key through a
// VALUES list, whatever the statistics).
func projectsTaken(ctx context.Context, tx *store.Tx, county string, codes []string) (map[string]bool, error) {
	taken := map[string]bool{}
	err := store.Chunks(len(codes), 2, func(start, end int) error {
		args := make([]any, 0, 2*(end-start))
		for _, c := range codes[start:end] {
			args = append(args, county, c)
		}
		rs, err := tx.QueryContext(ctx, `SELECT p.code FROM (VALUES `+store.ValuesRows([]string{"TEXT", "TEXT"}, end-start)+`) AS k CROSS JOIN fund_projects p WHERE p.county = k.column1 AND p.code = k.column2`, args...)
		if err != nil {
			return errs.Wrap(err, "funds: projects taken")
		}
		defer rs.Close()
		for rs.Next() {
			var c string
			if err := rs.Scan(&c); err != nil {
				return errs.Wrap(err, "funds: projects taken")
			}
			taken[c] = true
		}
		return rs.Err()
	})
	return taken, err
}

// checkProject checks (and trims) a new project under the profile.
func checkProject(prof policy.Profile, county string, p *Project) error {
	p.Code, p.Name, p.Department = strings.TrimSpace(p.Code), strings.TrimSpace(p.Name), strings.TrimSpace(p.Department)
	if !codeRe.MatchString(p.Code) {
		return errs.F(errs.Invalid, "invalid_project", "code", "code %q must be 1–32 letters, digits, - or _", p.Code)
	}
	if p.Name == "" {
		return errs.F(errs.Invalid, "invalid_project", "name", "the project needs a name")
	}
	if !p.Place.Valid() || !place.Code(county+"000000").Contains(p.Place) {
		return errs.F(errs.Invalid, "invalid_place", "place", "place %q is not in county %s", p.Place, county)
	}
	known := false
	for _, c := range prof.Funds.Categories {
		known = known || contains(c.Purposes, p.Purpose)
	}
	if !known {
		return errs.F(errs.Invalid, "unknown_purpose", "purpose", "purpose %q is not one of the %s profile's purposes", p.Purpose, prof.ID)
	}
	if p.Status == "" {
		p.Status = StatusReserve
	}
	return nil
}

// projectRow is a new project's fund_projects row (created at tx.Now).
func projectRow(county string, p Project) []any {
	at := clock.Micros(p.CreatedAt)
	return []any{county, p.Code, p.Name, string(p.Place), p.Purpose, p.Department, b2i(p.Collective), p.Status, at, at, p.CreatedBy}
}

func projectAccount(p Project) ledger.NewAccount {
	return ledger.NewAccount{Code: ProjectAccount(p.Code), Kind: ledger.Project, Name: p.Name, Owner: "项目实施单位", Place: p.Place, NoOverdraft: true}
}

func projectEntry(actor, county string, p Project) audit.Entry {
	return audit.Entry{County: county, Actor: actor, Action: "funds.project", Object: "project " + p.Code, Place: string(p.Place), After: p}
}

// Project returns a project. Errors: NotFound (unknown_project).
func (s *Service) Project(ctx context.Context, county, code string) (Project, error) {
	return s.project(ctx, s.db, county, code)
}

// project reads a project through q (a use case's transaction).
func (s *Service) project(ctx context.Context, q store.Querier, county, code string) (Project, error) {
	p := Project{County: county}
	var pl string
	var at int64
	var coll int
	err := q.QueryRowContext(ctx, `SELECT code, name, place, purpose, department, collective, status, created_at, created_by FROM fund_projects WHERE county = ? AND code = ?`, county, code).
		Scan(&p.Code, &p.Name, &pl, &p.Purpose, &p.Department, &coll, &p.Status, &at, &p.CreatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return p, errs.F(errs.NotFound, "unknown_project", "project", "project %q does not exist", code)
	}
	if err != nil {
		return p, errs.Wrap(err, "funds: project")
	}
	p.Place, p.CreatedAt, p.Collective = place.Code(pl), clock.FromMicros(at), coll != 0
	return p, nil
}

// Projects lists the projects under a place prefix (a subtree), by code.
func (s *Service) Projects(ctx context.Context, county, prefix string) ([]Project, error) {
	lo, hi := place.Range(prefix)
	rows, err := s.db.QueryContext(ctx, `SELECT code, name, place, purpose, department, collective, status, created_at, created_by FROM fund_projects WHERE county = ? AND place BETWEEN ? AND ? ORDER BY code`, county, lo, hi)
	if err != nil {
		return nil, errs.Wrap(err, "funds: projects")
	}
	defer rows.Close()
	var out []Project
	for rows.Next() {
		p := Project{County: county}
		var pl string
		var at int64
		var coll int
		if err := rows.Scan(&p.Code, &p.Name, &pl, &p.Purpose, &p.Department, &coll, &p.Status, &at, &p.CreatedBy); err != nil {
			return nil, err
		}
		p.Place, p.CreatedAt, p.Collective = place.Code(pl), clock.FromMicros(at), coll != 0
		out = append(out, p)
	}
	return out, rows.Err()
}

// Allocation asks for money from the pool for a project.
type Allocation struct {
	Key     string
	Project string
	Amount  money.Fen    // with Legs empty: split by Rule
	Rule    string       // "" for the profile's rule; policy.OldestFirst, ProRata
	Legs    []ledger.Leg // explicit legs (the rule is then Explicit)
	Day     time.Time    // the document date; zero for today
	DocNo   string
	Memo    string
}

// Allocate moves money from the pool to a project in per-channel legs:
// the explicit legs, or a split by the rule (oldest arrival first, or pro
// rata to what each channel holds). Under the strict policy only channels
// whose purposes include the project's may pay; under the pooled policy
// any integrated channel may. Errors: InsufficientFunds (the eligible
// channels cannot cover it, naming them), RuleBroken (purpose_mismatch),
// NotFound (unknown_project), Invalid.
func (s *Service) Allocate(ctx context.Context, actor, county string, a Allocation) (ledger.Transfer, error) {
	var out ledger.Transfer
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		var err error
		out, err = s.AllocateTx(ctx, tx, actor, county, a)
		return err
	})
	return out, err
}

// AllocateTx is Allocate inside the caller's transaction (a project
// switch reclaims and re-allocates in one).
func (s *Service) AllocateTx(ctx context.Context, tx *store.Tx, actor, county string, a Allocation) (ledger.Transfer, error) {
	p, legs, err := s.planAllocation(ctx, tx, county, a)
	if err != nil {
		return ledger.Transfer{}, err
	}
	req := ledger.TransferRequest{Key: "allocation:" + a.Key, Kind: "allocation", From: PoolCode, To: ProjectAccount(p.Code), Legs: legs, DocNo: a.DocNo, Memo: a.Memo}
	ts, n, err := s.l.PostTx(ctx, tx, actor, county, []ledger.TransferRequest{req})
	if err != nil {
		return ledger.Transfer{}, err
	}
	out := ts[0]
	if n == 0 {
		return out, nil
	}
	day := a.Day
	if day.IsZero() {
		day = tx.Now
	}
	if err := recordMovement(ctx, tx, county, out, "allocation", p.Code, day); err != nil {
		return ledger.Transfer{}, err
	}
	if p.Status == StatusApproved {
		if err := SetStatusTx(ctx, tx, actor, county, p.Code, StatusApproved, StatusFunded, "资金已安排 #"+fmt.Sprint(out.ID)); err != nil {
			return ledger.Transfer{}, err
		}
	}
	_, err = audit.Append(ctx, tx, audit.Entry{County: county, Actor: actor, Action: "funds.allocate", Object: fmt.Sprintf("allocation #%d to %s", out.ID, p.Code), Place: string(p.Place), After: req})
	return out, err
}

// planAllocation checks an allocation and settles its legs, reading the
// project, the channels and the pool's holdings through tx: the explicit
// legs (each channel's purposes must fit the project under the strict
// policy), or the split by the rule.
func (s *Service) planAllocation(ctx context.Context, tx *store.Tx, county string, a Allocation) (Project, []ledger.Leg, error) {
	prof, err := s.profile(ctx, county)
	if err != nil {
		return Project{}, nil, err
	}
	p, err := s.project(ctx, tx, county, a.Project)
	if err != nil {
		return Project{}, nil, err
	}
	if !contains(Allocatable, p.Status) {
		return Project{}, nil, errs.F(errs.RuleBroken, "project_not_approved", "project",
			"project %s is %s: only projects approved into the annual plan receive money (资金跟着项目走)", p.Code, p.Status)
	}
	if strings.TrimSpace(a.Key) == "" {
		return Project{}, nil, errs.F(errs.Invalid, "invalid_key", "key", "an idempotency key is required")
	}
	eligible := func(purposes []string) bool {
		return prof.Funds.Integration == policy.Pooled || contains(purposes, p.Purpose)
	}
	legs := a.Legs
	if len(legs) > 0 {
		for i, lg := range legs {
			c, err := s.channel(ctx, tx, county, lg.Channel)
			if err != nil {
				return Project{}, nil, errs.F(errs.NotFound, "unknown_channel", fmt.Sprintf("legs[%d].channel", i), "channel %q is not registered", lg.Channel)
			}
			if !eligible(c.Purposes) {
				return Project{}, nil, errs.F(errs.RuleBroken, "purpose_mismatch", fmt.Sprintf("legs[%d].channel", i),
					"channel %s may pay only for %s, not for %s (strict policy of profile %s: 用途不变)", c.Code, strings.Join(c.Purposes, ", "), p.Purpose, prof.ID)
			}
			if lg.Amount <= 0 {
				return Project{}, nil, errs.F(errs.Invalid, "invalid_amount", fmt.Sprintf("legs[%d].amount", i), "amount must be greater than zero")
			}
		}
		return p, legs, nil
	}
	if a.Amount <= 0 {
		return Project{}, nil, errs.F(errs.Invalid, "invalid_amount", "amount", "amount must be greater than zero")
	}
	rule := a.Rule
	if rule == "" {
		rule = prof.Funds.AllocationRule
	}
	if rule == policy.Explicit {
		return Project{}, nil, errs.F(errs.Invalid, "invalid_allocation", "legs", "the %s profile allocates by explicit legs: name the channels", prof.ID)
	}
	if legs, err = s.split(ctx, tx, county, a.Amount, rule, eligible); err != nil {
		return Project{}, nil, err
	}
	return p, legs, nil
}

// SetStatusTx moves a project from one lifecycle status to another and
// records the event; it refuses (Conflict, status_changed) when the
// project is no longer in from — someone else moved it first.
func SetStatusTx(ctx context.Context, tx *store.Tx, actor, county, code, from, to, note string) error {
	res, err := tx.ExecContext(ctx, `UPDATE fund_projects SET status = ?, status_at = ? WHERE county = ? AND code = ? AND status = ?`, to, clock.Micros(tx.Now), county, code, from)
	if err != nil {
		return errs.Wrap(err, "funds: project status")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.F(errs.Conflict, "status_changed", "status", "project %s is no longer %s", code, from)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO project_events (county, project, seq, status_from, status_to, day, note, actor, at)
		VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM project_events WHERE county = ? AND project = ?), ?, ?, ?, ?, ?, ?)`,
		county, code, county, code, from, to, clock.Day(tx.Now), note, actor, clock.Micros(tx.Now)); err != nil {
		return errs.Wrap(err, "funds: project event")
	}
	return nil
}

// StatusChange is one project's move for SetStatusesTx.
type StatusChange struct {
	Code, From, To, Note string
}

// SetStatusesTx is SetStatusTx for many projects (each at most once) in
// a few statements: the same status updates and events. It refuses
// (Conflict, status_changed, naming the first such project in order)
// when a project is no longer in its from; bad is its index, else -1.
func SetStatusesTx(ctx context.Context, tx *store.Tx, actor, county string, cs []StatusChange) (bad int, err error) {
	if len(cs) == 0 {
		return -1, nil
	}
	at := map[string]int{}
	for i, c := range cs {
		if _, dup := at[c.Code]; dup {
			return -1, errs.Wrap(fmt.Errorf("project %s twice in one batch", c.Code), "funds: project statuses")
		}
		at[c.Code] = i
	}
	now := clock.Micros(tx.Now)
	// Which are still in their from: read first, so that the refusal
	// names the project as the one-row path does.
	err = store.Chunks(len(cs), 2, func(start, end int) error {
		args := make([]any, 0, 2*(end-start))
		for _, c := range cs[start:end] {
			args = append(args, county, c.Code)
		}
		rs, err := tx.QueryContext(ctx, `SELECT p.code, p.status FROM (VALUES `+store.ValuesRows([]string{"TEXT", "TEXT"}, end-start)+`) AS k
			CROSS JOIN fund_projects p WHERE p.county = k.column1 AND p.code = k.column2`, args...)
		if err != nil {
			return errs.Wrap(err, "funds: project statuses")
		}
		defer rs.Close()
		for rs.Next() {
			var code, st string
			if err := rs.Scan(&code, &st); err != nil {
				return errs.Wrap(err, "funds: project statuses")
			}
			if i := at[code]; st == cs[i].From {
				at[code] = -1 - i // found in its from
			}
		}
		return rs.Err()
	})
	if err != nil {
		return -1, err
	}
	for i, c := range cs {
		if at[c.Code] >= 0 {
			return i, errs.F(errs.Conflict, "status_changed", "status", "project %s is no longer %s", c.Code, c.From)
		}
	}
	err = store.Chunks(len(cs), 3, func(start, end int) error {
		args := make([]any, 0, 2+3*(end-start))
		args = append(args, now)
		for _, c := range cs[start:end] {
			args = append(args, c.Code, c.From, c.To)
		}
		args = append(args, county)
		res, err := tx.ExecContext(ctx, `UPDATE fund_projects SET status = v.column3, status_at = ? FROM (VALUES `+store.ValuesRows([]string{"TEXT", "TEXT", "TEXT"}, end-start)+`) AS v
			WHERE fund_projects.county = ? AND fund_projects.code = v.column1 AND fund_projects.status = v.column2`, args...)
		if err != nil {
			return errs.Wrap(err, "funds: project statuses")
		}
		if n, _ := res.RowsAffected(); n != int64(end-start) {
			return errs.F(errs.Conflict, "status_changed", "status", "project %s is no longer %s", cs[start].Code, cs[start].From)
		}
		return nil
	})
	if err != nil {
		return -1, err
	}
	// Every project moves once here: its event's number is one more than
	// its last, read in the same statement.
	rows := make([][]any, len(cs))
	for i, c := range cs {
		rows[i] = []any{county, c.Code, county, c.Code, c.From, c.To, clock.Day(tx.Now), c.Note, actor, now}
	}
	if err := insertEvents(ctx, tx, rows); err != nil {
		return -1, errs.Wrap(err, "funds: project events")
	}
	return -1, nil
}

func insertEvents(ctx context.Context, tx *store.Tx, rows [][]any) error {
	const one = `(?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM project_events WHERE county = ? AND project = ?), ?, ?, ?, ?, ?, ?)`
	return store.Chunks(len(rows), 10, func(start, end int) error {
		var b strings.Builder
		b.WriteString(`INSERT INTO project_events (county, project, seq, status_from, status_to, day, note, actor, at) VALUES `)
		args := make([]any, 0, 10*(end-start))
		for i, r := range rows[start:end] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(one)
			args = append(args, r...)
		}
		_, err := tx.ExecContext(ctx, b.String(), args...)
		return err
	})
}

// holding is what the pool holds of one channel.
type holding struct {
	ch    string
	amt   money.Fen
	first string // the channel's first arrival day
}

// poolHoldings reads, in one query, the pool's positive balances per
// channel with each channel's first arrival and purposes (the allocation's
// hot path: no full channel registry read). A village's own money (level
// "village") is never split by a rule: it is allocated by explicit legs to
// that village's projects.
func (s *Service) poolHoldings(ctx context.Context, q store.Querier, county string, ok func(purposes []string) bool) ([]holding, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.code, b.balance, f.first_arrival, f.purposes
		FROM ledger_accounts a
		JOIN ledger_balances b ON b.county = a.county AND b.account_id = a.id
		JOIN ledger_channels c ON c.county = b.county AND c.id = b.channel_id
		JOIN fund_channels f ON f.county = c.county AND f.code = c.code
		WHERE a.county = ? AND a.code = ? AND b.balance > 0 AND f.level <> 'village'`, county, PoolCode)
	if err != nil {
		return nil, errs.Wrap(err, "funds: pool holdings")
	}
	defer rows.Close()
	var hs []holding
	for rows.Next() {
		var h holding
		var amt int64
		var purposes string
		if err := rows.Scan(&h.ch, &amt, &h.first, &purposes); err != nil {
			return nil, errs.Wrap(err, "funds: pool holdings")
		}
		var ps []string
		if purposes != "" {
			ps = strings.Split(purposes, ",")
		}
		if ok(ps) {
			h.amt = money.Fen(amt)
			hs = append(hs, h)
		}
	}
	return hs, rows.Err()
}

// split divides amount over the pool's channels whose purposes ok accepts.
func (s *Service) split(ctx context.Context, q store.Querier, county string, amount money.Fen, rule string, ok func(purposes []string) bool) ([]ledger.Leg, error) {
	hs, err := s.poolHoldings(ctx, q, county, ok)
	if err != nil {
		return nil, err
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i].ch < hs[j].ch })
	var total money.Fen
	for _, h := range hs {
		total += h.amt
	}
	if total < amount {
		var have []string
		for _, h := range hs {
			have = append(have, h.ch+" "+h.amt.String())
		}
		if len(have) == 0 {
			have = []string{"none"}
		}
		return nil, errs.F(errs.InsufficientFunds, "insufficient_funds", "amount", "the pool holds %s yuan on the channels that may pay for this project (%s); %s yuan needed",
			total, strings.Join(have, ", "), amount)
	}
	var legs []ledger.Leg
	switch rule {
	case policy.OldestFirst:
		sort.Slice(hs, func(i, j int) bool {
			if hs[i].first != hs[j].first {
				return hs[i].first < hs[j].first
			}
			return hs[i].ch < hs[j].ch
		})
		left := amount
		for _, h := range hs {
			if left == 0 {
				break
			}
			take := min(h.amt, left)
			legs = append(legs, ledger.Leg{Channel: h.ch, Amount: take})
			left -= take
		}
	case policy.ProRata:
		// Each channel pays amount × holding ÷ total, rounded down; the
		// fen left over go one by one to the largest holdings.
		sort.Slice(hs, func(i, j int) bool {
			if hs[i].amt != hs[j].amt {
				return hs[i].amt > hs[j].amt
			}
			return hs[i].ch < hs[j].ch
		})
		shares := make([]money.Fen, len(hs))
		var sum money.Fen
		for i, h := range hs {
			v, err := money.MulRatio(amount, int64(h.amt), int64(total), money.RoundDown)
			if err != nil {
				return nil, errs.Wrap(err, "funds: pro rata")
			}
			shares[i] = v
			sum += v
		}
		for i := 0; sum < amount; i = (i + 1) % len(hs) {
			if shares[i] < hs[i].amt {
				shares[i]++
				sum++
			}
		}
		for i, h := range hs {
			if shares[i] > 0 {
				legs = append(legs, ledger.Leg{Channel: h.ch, Amount: shares[i]})
			}
		}
	default:
		return nil, errs.F(errs.Invalid, "invalid_allocation", "rule", "unknown allocation rule %q", rule)
	}
	return legs, nil
}

// Payment pays a recipient (a contractor, a household, an entity) out of a
// project's account; the legs are the project's channels, oldest
// allocation first, unless given.
type Payment struct {
	Key     string
	Project string
	To      string // ledger account code of the recipient
	Amount  money.Fen
	Legs    []ledger.Leg
	DocNo   string
	Memo    string
}

// Pay posts a payment out of a project at once, keeping the channel
// legs (the approval's executor, the demo's history and tests; people
// enter payments with ProposePayment). Errors: InsufficientFunds,
// NotFound, Invalid.
func (s *Service) Pay(ctx context.Context, actor, county string, pm Payment) (ledger.Transfer, error) {
	var out ledger.Transfer
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		var err error
		out, err = s.PayTx(ctx, tx, actor, county, pm)
		return err
	})
	return out, err
}

// PayTx is Pay inside the caller's transaction.
func (s *Service) PayTx(ctx context.Context, tx *store.Tx, actor, county string, pm Payment) (ledger.Transfer, error) {
	p, legs, err := s.planPayment(ctx, tx, county, pm)
	if err != nil {
		return ledger.Transfer{}, err
	}
	req := ledger.TransferRequest{Key: "payment:" + pm.Key, Kind: "payment", From: ProjectAccount(p.Code), To: pm.To, Legs: legs, DocNo: pm.DocNo, Memo: pm.Memo}
	ts, n, err := s.l.PostTx(ctx, tx, actor, county, []ledger.TransferRequest{req})
	if err != nil {
		return ledger.Transfer{}, err
	}
	out := ts[0]
	if n == 0 {
		return out, nil
	}
	_, err = audit.Append(ctx, tx, audit.Entry{County: county, Actor: actor, Action: "funds.pay", Object: fmt.Sprintf("payment #%d from %s to %s", out.ID, p.Code, pm.To), Place: string(p.Place), After: req})
	return out, err
}

// planPayment checks a payment and settles its legs through tx: the
// project's channels, by channel code, unless given.
func (s *Service) planPayment(ctx context.Context, tx *store.Tx, county string, pm Payment) (Project, []ledger.Leg, error) {
	p, err := s.project(ctx, tx, county, pm.Project)
	if err != nil {
		return Project{}, nil, err
	}
	if strings.TrimSpace(pm.Key) == "" {
		return Project{}, nil, errs.F(errs.Invalid, "invalid_key", "key", "an idempotency key is required")
	}
	if strings.TrimSpace(pm.To) == "" {
		return Project{}, nil, errs.F(errs.Invalid, "invalid_account", "to", "name the account that receives the payment")
	}
	if pm.To == ProjectAccount(p.Code) || pm.To == PoolCode {
		return Project{}, nil, errs.F(errs.Invalid, "invalid_account", "to", "a payment goes to a recipient, not back to the project or the pool (use a reclaim)")
	}
	if _, err := s.l.AccountTx(ctx, tx, county, pm.To); err != nil {
		return Project{}, nil, errs.F(errs.NotFound, "unknown_account", "to", "account %q does not exist", pm.To)
	}
	legs := pm.Legs
	if len(legs) > 0 {
		return p, legs, nil
	}
	if pm.Amount <= 0 {
		return Project{}, nil, errs.F(errs.Invalid, "invalid_amount", "amount", "amount must be greater than zero")
	}
	bals, err := s.l.BalancesTx(ctx, tx, county, ProjectAccount(p.Code))
	if err != nil {
		return Project{}, nil, err
	}
	left := pm.Amount
	for _, b := range bals { // by channel code: deterministic
		if left == 0 {
			break
		}
		if b.Amount > 0 {
			take := min(b.Amount, left)
			legs = append(legs, ledger.Leg{Channel: b.Channel, Amount: take})
			left -= take
		}
	}
	if left > 0 {
		return Project{}, nil, errs.F(errs.InsufficientFunds, "insufficient_funds", "amount", "project %s holds %s yuan; %s yuan needed", p.Code, pm.Amount-left, pm.Amount)
	}
	return p, legs, nil
}

// ChannelLine is one channel's part of a project (分头报账).
type ChannelLine struct {
	Channel   string
	Allocated money.Fen // into the project
	Paid      money.Fen // out of it
	Held      money.Fen
	Crossed   bool // the channel's purposes do not include the project's (pooled policy)
}

// ProjectReport is a project's money per channel and its payments.
type ProjectReport struct {
	Project  Project
	Lines    []ChannelLine
	Payments []ledger.Flow
	Total    ChannelLine
}

// ProjectReport is the per-channel reimbursement of a project (分头报账):
// what each channel put in, what it paid, and to whom.
func (s *Service) ProjectReport(ctx context.Context, county, code string) (ProjectReport, error) {
	p, err := s.Project(ctx, county, code)
	if err != nil {
		return ProjectReport{}, err
	}
	acct := ProjectAccount(code)
	in, err := s.l.Flows(ctx, county, ledger.FlowFilter{To: acct})
	if err != nil {
		return ProjectReport{}, err
	}
	out, err := s.l.Flows(ctx, county, ledger.FlowFilter{From: acct})
	if err != nil {
		return ProjectReport{}, err
	}
	chans, err := s.Channels(ctx, county)
	if err != nil {
		return ProjectReport{}, err
	}
	purposes := map[string][]string{}
	for _, c := range chans {
		purposes[c.Code] = c.Purposes
	}
	lines := map[string]*ChannelLine{}
	get := func(ch string) *ChannelLine {
		if lines[ch] == nil {
			lines[ch] = &ChannelLine{Channel: ch, Crossed: !contains(purposes[ch], p.Purpose)}
		}
		return lines[ch]
	}
	for _, f := range in {
		get(f.Channel).Allocated += f.Amount
	}
	for _, f := range out {
		get(f.Channel).Paid += f.Amount
	}
	rep := ProjectReport{Project: p, Payments: out}
	for _, l := range lines {
		l.Held = l.Allocated - l.Paid
		rep.Lines = append(rep.Lines, *l)
		rep.Total.Allocated += l.Allocated
		rep.Total.Paid += l.Paid
		rep.Total.Held += l.Held
	}
	sort.Slice(rep.Lines, func(i, j int) bool { return rep.Lines[i].Channel < rep.Lines[j].Channel })
	return rep, nil
}

// CrossedCategories sums, for the pooled policy's report, how much of each
// channel went to projects whose purpose its category does not cover.
func (s *Service) CrossedCategories(ctx context.Context, county string) (map[string]money.Fen, error) {
	projects, err := s.Projects(ctx, county, county)
	if err != nil {
		return nil, err
	}
	out := map[string]money.Fen{}
	for _, p := range projects {
		rep, err := s.ProjectReport(ctx, county, p.Code)
		if err != nil {
			return nil, err
		}
		for _, l := range rep.Lines {
			if l.Crossed && l.Allocated > 0 {
				out[l.Channel] += l.Allocated
			}
		}
	}
	return out, nil
}

// ReclaimTx returns everything a project still holds to the pool (收回,
// M-16), channel by channel: one ledger transfer of kind "reclaim" whose
// legs are the project's balances, recorded as negative allocations so
// that the village checks and plans count what stays. key makes it
// idempotent. Errors: RuleBroken (nothing_to_reclaim), NotFound.
func (s *Service) ReclaimTx(ctx context.Context, tx *store.Tx, actor, county, code, key, reason string) (ledger.Transfer, error) {
	p, err := s.project(ctx, tx, county, code)
	if err != nil {
		return ledger.Transfer{}, err
	}
	bals, err := s.l.BalancesTx(ctx, tx, county, ProjectAccount(code))
	if err != nil {
		return ledger.Transfer{}, err
	}
	var legs []ledger.Leg
	for _, b := range bals {
		if b.Amount > 0 {
			legs = append(legs, ledger.Leg{Channel: b.Channel, Amount: b.Amount})
		}
	}
	if len(legs) == 0 {
		return ledger.Transfer{}, errs.F(errs.RuleBroken, "nothing_to_reclaim", "project", "project %s holds no money to reclaim", code)
	}
	req := ledger.TransferRequest{Key: "reclaim:" + key, Kind: "reclaim", From: ProjectAccount(code), To: PoolCode, Legs: legs, Memo: reason}
	ts, n, err := s.l.PostTx(ctx, tx, actor, county, []ledger.TransferRequest{req})
	if err != nil {
		return ledger.Transfer{}, err
	}
	out := ts[0]
	if n == 0 {
		return out, nil
	}
	neg := out
	neg.Legs = make([]ledger.Leg, len(out.Legs))
	for i, l := range out.Legs {
		neg.Legs[i] = ledger.Leg{Channel: l.Channel, Amount: -l.Amount}
	}
	if err := recordMovement(ctx, tx, county, neg, "allocation", code, tx.Now); err != nil {
		return ledger.Transfer{}, err
	}
	_, err = audit.Append(ctx, tx, audit.Entry{County: county, Actor: actor, Action: "funds.reclaim", Object: fmt.Sprintf("reclaim #%d from %s", out.ID, code), Place: string(p.Place), After: req})
	return out, err
}
