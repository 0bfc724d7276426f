package projects

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
	"onepool/internal/volume"
	"onepool/internal/workflow"
)

// transition is one step of the lifecycle after approval: from which
// statuses, by which roles.
type transition struct {
	from  []string
	roles []auth.Role
}

// Transitions after approval (the review chain moves the earlier ones).
var transitions = map[string]transition{
	Construction: {[]string{Approved, Funded}, []auth.Role{auth.RoleTownship, auth.RoleRural, auth.RoleSector}},
	Completed:    {[]string{Construction}, []auth.Role{auth.RoleTownship, auth.RoleRural, auth.RoleSector}},
	Accepted:     {[]string{Completed}, []auth.Role{auth.RoleRural, auth.RoleSector}},
	HandedOver:   {[]string{Accepted}, []auth.Role{auth.RoleRural, auth.RoleTownship}},
	Aftercare:    {[]string{HandedOver}, []auth.Role{auth.RoleVillage, auth.RoleTownship, auth.RoleRural}},
}

// MayAdvance reports whether p's role may move a project in status from
// to status to (for showing the buttons; Advance checks again).
func MayAdvance(p auth.Principal, from, to string) bool {
	t, ok := transitions[to]
	if !ok || !contains(t.from, from) {
		return false
	}
	for _, r := range t.roles {
		if p.Role == r {
			return to != Accepted || p.Place.Level() == place.County
		}
	}
	return false
}

// Advance moves an approved project along its lifecycle: construction
// started, completed, accepted (验收, by the county, not by whoever
// reported it complete), assets handed over (note: the asset and who keeps
// it), after-care. Errors: RuleBroken (invalid_transition, maker_checker,
// frozen), Forbidden, NotFound, Invalid.
func (s *Service) Advance(ctx context.Context, p auth.Principal, code, to, note string) (Project, error) {
	t, ok := transitions[to]
	if !ok {
		return Project{}, errs.F(errs.Invalid, "invalid_transition", "to", "status %q cannot be set by hand", to)
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 2000 {
		return Project{}, errs.F(errs.Invalid, "invalid_note", "note", "at most 2000 characters")
	}
	if to == HandedOver && note == "" {
		return Project{}, errs.F(errs.Invalid, "invalid_note", "note", "say which assets were handed over to whom (资产移交)")
	}
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		pr, err := s.get(ctx, tx, p.County, code)
		if err != nil {
			return err
		}
		if !p.Sees(pr.Place) {
			return auth.NotFound()
		}
		allowed := false
		for _, r := range t.roles {
			allowed = allowed || p.Role == r
		}
		if !allowed {
			return errs.F(errs.Forbidden, "forbidden", "", "your role (%s) may not mark a project %s", p.Role, to)
		}
		if !contains(t.from, pr.Status) {
			return errs.F(errs.RuleBroken, "invalid_transition", "to", "project %s is %s; it becomes %s only from %s", code, pr.Status, to, strings.Join(t.from, " or "))
		}
		if it, err := s.wf.ItemFor(ctx, tx, p.County, Kind, code); err == nil && it.Frozen {
			return errs.F(errs.RuleBroken, "frozen", "", "project %s is frozen while it is audited: %s", code, it.FrozenReason)
		}
		if to == Accepted {
			if p.Place.Level() != place.County {
				return errs.F(errs.Forbidden, "forbidden", "", "acceptance (验收) is organised by the county")
			}
			var maker string
			if err := tx.QueryRowContext(ctx, `SELECT actor FROM project_events WHERE county = ? AND project = ? AND status_to = ? ORDER BY seq DESC LIMIT 1`, p.County, code, Completed).Scan(&maker); err == nil {
				if err := auth.CheckMakerChecker(p, maker); err != nil {
					return err
				}
			}
		}
		if err := funds.SetStatusTx(ctx, tx, p.Username, p.County, code, pr.Status, to, note); err != nil {
			return err
		}
		if to == HandedOver {
			if _, err := tx.ExecContext(ctx, `UPDATE fund_projects SET asset_state = ? WHERE county = ? AND code = ?`, note, p.County, code); err != nil {
				return errs.Wrap(err, "projects: asset state")
			}
		}
		_, err = audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "projects." + to, Object: "project " + code, Place: string(pr.Place),
			Before: map[string]string{"status": pr.Status}, After: map[string]string{"status": to, "note": note}})
		return err
	})
	if err != nil {
		return Project{}, err
	}
	return s.Get(ctx, p.County, code)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Event is one status change of a project.
type Event struct {
	From, To, Day, Note, Actor string
	At                         time.Time
}

// Events lists a project's status changes in order.
func (s *Service) Events(ctx context.Context, county, code string) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT status_from, status_to, day, note, actor, at FROM project_events WHERE county = ? AND project = ? ORDER BY seq`, county, code)
	if err != nil {
		return nil, errs.Wrap(err, "projects: events")
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at int64
		if err := rows.Scan(&e.From, &e.To, &e.Day, &e.Note, &e.Actor, &at); err != nil {
			return nil, err
		}
		e.At = clock.FromMicros(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// inLifecycle are the statuses in which a project is tracked, inspected
// and evaluated: approved and after.
var inLifecycle = []string{Approved, Funded, Construction, Completed, Accepted, HandedOver, Aftercare, Reclaimed}

// maySupervise: township, county bureaus and sector departments track and
// inspect; auditors inspect too.
func maySupervise(p auth.Principal) error {
	switch p.Role {
	case auth.RoleTownship, auth.RoleRural, auth.RoleSector, auth.RoleFinance, auth.RoleAuditor:
		return nil
	}
	return errs.F(errs.Forbidden, "forbidden", "", "your role (%s) does not supervise projects", p.Role)
}

func (s *Service) supervised(ctx context.Context, tx *store.Tx, p auth.Principal, code string) (Project, error) {
	pr, err := s.get(ctx, tx, p.County, code)
	if err != nil {
		return pr, err
	}
	if !p.Sees(pr.Place) {
		return pr, auth.NotFound()
	}
	if err := maySupervise(p); err != nil {
		return pr, err
	}
	if !contains(inLifecycle, pr.Status) {
		return pr, errs.F(errs.RuleBroken, "not_approved", "project", "project %s is %s: performance is tracked once it is approved", code, pr.Status)
	}
	return pr, nil
}

// Tracking is one measurement of a goal.
type Tracking struct {
	Day, Indicator, Value, Note, Actor string
}

// Track records a goal's value (绩效跟踪). Errors: Invalid (unknown_goal),
// RuleBroken (not_approved), Forbidden, NotFound.
func (s *Service) Track(ctx context.Context, p auth.Principal, code string, t Tracking) error {
	t.Indicator, t.Value, t.Note = strings.TrimSpace(t.Indicator), strings.TrimSpace(t.Value), strings.TrimSpace(t.Note)
	if t.Value == "" {
		return errs.F(errs.Invalid, "invalid_tracking", "value", "record the value reached")
	}
	return s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		pr, err := s.supervised(ctx, tx, p, code)
		if err != nil {
			return err
		}
		known := false
		for _, g := range pr.Goals {
			known = known || g.Indicator == t.Indicator
		}
		if !known {
			return errs.F(errs.Invalid, "unknown_goal", "indicator", "%q is not one of the project's performance goals", t.Indicator)
		}
		day := clock.Day(tx.Now)
		if _, err := tx.ExecContext(ctx, `INSERT INTO project_tracking (county, project, seq, day, indicator, value, note, actor, at)
			VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM project_tracking WHERE county = ? AND project = ?), ?, ?, ?, ?, ?, ?)`,
			p.County, code, p.County, code, day, t.Indicator, t.Value, t.Note, p.Username, clock.Micros(tx.Now)); err != nil {
			return errs.Wrap(err, "projects: tracking")
		}
		_, err = audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "projects.track", Object: "project " + code, Place: string(pr.Place), After: t})
		return err
	})
}

// TrackingOf lists a project's goal measurements in order.
func (s *Service) TrackingOf(ctx context.Context, county, code string) ([]Tracking, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT day, indicator, value, note, actor FROM project_tracking WHERE county = ? AND project = ? ORDER BY seq`, county, code)
	if err != nil {
		return nil, errs.Wrap(err, "projects: tracking")
	}
	defer rows.Close()
	var out []Tracking
	for rows.Next() {
		var t Tracking
		if err := rows.Scan(&t.Day, &t.Indicator, &t.Value, &t.Note, &t.Actor); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Phases of inspection (003: 事前、事中、事后).
var Phases = []string{"early", "mid", "late"}

// Inspection is one inspection visit with its findings and photos.
type Inspection struct {
	Phase, Day, Inspector, Findings, Actor string
	Files                                  []int64
}

// Inspect records an inspection with its photos, all in one transaction.
// Errors: Invalid (invalid_phase, …), volume's upload errors, RuleBroken
// (not_approved), Forbidden, NotFound.
func (s *Service) Inspect(ctx context.Context, p auth.Principal, code string, in Inspection, photos []Upload) (Inspection, error) {
	in.Inspector, in.Findings = strings.TrimSpace(in.Inspector), strings.TrimSpace(in.Findings)
	if !contains(Phases, in.Phase) {
		return in, errs.F(errs.Invalid, "invalid_phase", "phase", "phase must be early, mid or late (事前、事中、事后)")
	}
	if in.Findings == "" || utf8.RuneCountInString(in.Findings) > 5000 {
		return in, errs.F(errs.Invalid, "invalid_inspection", "findings", "record the findings, in at most 5000 characters")
	}
	if in.Inspector == "" {
		in.Inspector = p.DisplayName
	}
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		pr, err := s.supervised(ctx, tx, p, code)
		if err != nil {
			return err
		}
		in.Files, in.Day, in.Actor = nil, clock.Day(tx.Now), p.Username
		for _, ph := range photos {
			f, err := s.vol.PutTx(ctx, tx, p.Username, p.County, Owner(code), "inspection", ph.Name, string(pr.Place), ph.R)
			if err != nil {
				return err
			}
			in.Files = append(in.Files, f.ID)
		}
		files, _ := json.Marshal(append([]int64{}, in.Files...))
		if _, err := tx.ExecContext(ctx, `INSERT INTO project_inspections (county, project, seq, phase, day, inspector, findings, files, actor, at)
			VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM project_inspections WHERE county = ? AND project = ?), ?, ?, ?, ?, ?, ?, ?)`,
			p.County, code, p.County, code, in.Phase, in.Day, in.Inspector, in.Findings, string(files), p.Username, clock.Micros(tx.Now)); err != nil {
			return errs.Wrap(err, "projects: inspection")
		}
		_, err = audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "projects.inspect", Object: "project " + code, Place: string(pr.Place), After: in})
		return err
	})
	return in, err
}

// Inspections lists a project's inspections in order.
func (s *Service) Inspections(ctx context.Context, county, code string) ([]Inspection, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT phase, day, inspector, findings, files, actor FROM project_inspections WHERE county = ? AND project = ? ORDER BY seq`, county, code)
	if err != nil {
		return nil, errs.Wrap(err, "projects: inspections")
	}
	defer rows.Close()
	var out []Inspection
	for rows.Next() {
		var in Inspection
		var files string
		if err := rows.Scan(&in.Phase, &in.Day, &in.Inspector, &in.Findings, &files, &in.Actor); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(files), &in.Files)
		out = append(out, in)
	}
	return out, rows.Err()
}

// Evaluate records the post-evaluation score (后评价, 0–100) of an
// accepted project. Errors: Invalid, RuleBroken (not_accepted), Forbidden.
func (s *Service) Evaluate(ctx context.Context, p auth.Principal, code string, score int, note string) error {
	if score < 0 || score > 100 {
		return errs.F(errs.Invalid, "invalid_score", "score", "the score is 0 to 100")
	}
	if p.Role != auth.RoleRural && p.Role != auth.RoleFinance && p.Role != auth.RoleAuditor {
		return errs.F(errs.Forbidden, "forbidden", "", "post-evaluation is by the rural-revitalization or finance bureau, or audit")
	}
	return s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		pr, err := s.get(ctx, tx, p.County, code)
		if err != nil {
			return err
		}
		if !p.Sees(pr.Place) {
			return auth.NotFound()
		}
		if !contains([]string{Accepted, HandedOver, Aftercare}, pr.Status) {
			return errs.F(errs.RuleBroken, "not_accepted", "project", "project %s is %s: it is evaluated after acceptance", code, pr.Status)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE fund_projects SET score = ?, score_note = ? WHERE county = ? AND code = ?`, score, strings.TrimSpace(note), p.County, code); err != nil {
			return errs.Wrap(err, "projects: evaluate")
		}
		_, err = audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "projects.evaluate", Object: "project " + code, Place: string(pr.Place),
			Before: map[string]any{"score": pr.Score}, After: map[string]any{"score": score, "note": note}})
		return err
	})
}

// Violation is a reclaim or a switch (M-16).
type Violation struct {
	Kind      string // reclaim, switch
	Amount    int64  // fen
	ToProject string
	Transfers []int64
	Reason    string
	Actor     string
	At        time.Time
}

// reclaimOrder is a reclaim or switch as entered: what it moves, frozen.
type reclaimOrder struct {
	Project string       `json:"project"`
	To      string       `json:"to,omitempty"`
	Reason  string       `json:"reason"`
	Legs    []ledger.Leg `json:"legs"`
}

// Reclaim enters, for approval by another person (two people on money),
// the return of a project's unspent money to the pool (收回), or — with
// to set — its move to another approved project (调整项目), keeping every
// channel leg; at approval the project is reclaimed. A township officer
// (for their township), the rural-revitalization or the finance bureau
// enters it. Errors: RuleBroken (nothing_to_reclaim, project_not_approved,
// purpose_mismatch), Forbidden, NotFound, Invalid (reason required).
func (s *Service) Reclaim(ctx context.Context, p auth.Principal, code, to, reason string) (instruct.Instruction, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return instruct.Instruction{}, errs.F(errs.Invalid, "opinion_required", "reason", "name the violation the money is reclaimed for")
	}
	if p.Role != auth.RoleTownship && p.Role != auth.RoleRural && p.Role != auth.RoleFinance {
		return instruct.Instruction{}, errs.F(errs.Forbidden, "forbidden", "", "reclaiming is decided by the township or the county bureaus")
	}
	kind := instruct.Reclaim
	if to != "" {
		kind = instruct.Switch
	}
	return s.f.Instructions().Propose(ctx, p, func(tx *store.Tx) (instruct.New, error) {
		pr, err := s.get(ctx, tx, p.County, code)
		if err != nil {
			return instruct.New{}, err
		}
		if !p.Sees(pr.Place) {
			return instruct.New{}, auth.NotFound()
		}
		if to == code {
			return instruct.New{}, errs.F(errs.Invalid, "invalid_project", "to", "switch to another project")
		}
		if to != "" {
			target, err := s.get(ctx, tx, p.County, to)
			if err != nil {
				return instruct.New{}, err
			}
			if !p.Sees(target.Place) {
				return instruct.New{}, auth.NotFound()
			}
		}
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM money_instructions WHERE county = ? AND subject = ? AND kind IN ('reclaim', 'switch') AND state = 'pending'`, p.County, code).Scan(&open); err != nil {
			return instruct.New{}, errs.Wrap(err, "projects: pending reclaim")
		}
		if open > 0 {
			return instruct.New{}, errs.F(errs.RuleBroken, "instruction_pending", "project", "a reclaim of project %s is already waiting for approval", code)
		}
		legs, err := s.f.HoldingsTx(ctx, tx, p.County, code)
		if err != nil {
			return instruct.New{}, err
		}
		if len(legs) == 0 {
			return instruct.New{}, errs.F(errs.RuleBroken, "nothing_to_reclaim", "project", "project %s holds no money to reclaim", code)
		}
		if to != "" {
			if err := s.f.CheckAllocationTx(ctx, tx, p.County, funds.Allocation{Key: "check", Project: to, Legs: legs}); err != nil {
				return instruct.New{}, err
			}
		}
		var total money.Fen
		for _, l := range legs {
			total += l.Amount
		}
		var seq int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM money_instructions WHERE county = ? AND subject = ? AND kind IN ('reclaim', 'switch')`, p.County, code).Scan(&seq); err != nil {
			return instruct.New{}, errs.Wrap(err, "projects: reclaim key")
		}
		summary := fmt.Sprintf("收回项目 %s %s 的资金 %s 元到资金池：%s", pr.Code, pr.Name, total, reason)
		if to != "" {
			summary = fmt.Sprintf("项目 %s %s 的资金 %s 元调整到项目 %s：%s", pr.Code, pr.Name, total, to, reason)
		}
		return instruct.New{Kind: kind, Key: fmt.Sprintf("%s:%d", code, seq+1), Place: pr.Place, Amount: total, Subject: code, Summary: summary,
			Payload: reclaimOrder{Project: code, To: to, Reason: reason, Legs: legs}}, nil
	})
}

// UseInstructions registers the executors of reclaims and switches.
func (s *Service) UseInstructions(ins *instruct.Service) {
	ins.Register(instruct.Reclaim, s.execReclaim)
	ins.Register(instruct.Switch, s.execReclaim)
}

// execReclaim posts an approved reclaim or switch: the project must still
// hold exactly what was entered (else instruction_stale: enter it again).
func (s *Service) execReclaim(ctx context.Context, tx *store.Tx, p auth.Principal, in instruct.Instruction) ([]int64, error) {
	var o reclaimOrder
	if err := instruct.Decode(in, &o); err != nil {
		return nil, err
	}
	code, to, reason := o.Project, o.To, o.Reason
	v := Violation{Kind: in.Kind, ToProject: to, Reason: reason, Actor: p.Username}
	{
		pr, err := s.get(ctx, tx, p.County, code)
		if err != nil {
			return nil, err
		}
		now, err := s.f.HoldingsTx(ctx, tx, p.County, code)
		if err != nil {
			return nil, err
		}
		if !sameLegs(now, o.Legs) {
			return nil, errs.F(errs.RuleBroken, "instruction_stale", "", "project %s no longer holds what the instruction was entered for: reject it and enter it again", code)
		}
		var seq int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM project_violations WHERE county = ? AND project = ?`, p.County, code).Scan(&seq); err != nil {
			return nil, errs.Wrap(err, "projects: violation")
		}
		key := fmt.Sprintf("%s:%d", code, seq)
		back, err := s.f.ReclaimTx(ctx, tx, p.Username, p.County, code, key, reason)
		if err != nil {
			return nil, err
		}
		v.Transfers = append(v.Transfers, back.ID)
		for _, l := range back.Legs {
			v.Amount += int64(l.Amount)
		}
		if to != "" {
			fwd, err := s.f.AllocateTx(ctx, tx, p.Username, p.County, funds.Allocation{Key: "switch:" + key, Project: to, Legs: append([]ledger.Leg{}, back.Legs...), Memo: "调整项目：" + reason})
			if err != nil {
				return nil, err
			}
			v.Transfers = append(v.Transfers, fwd.ID)
		}
		ids, _ := json.Marshal(v.Transfers)
		if _, err := tx.ExecContext(ctx, `INSERT INTO project_violations (county, project, seq, kind, amount, to_project, transfers, reason, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.County, code, seq, v.Kind, v.Amount, to, string(ids), reason, in.Maker, clock.Micros(tx.Now)); err != nil {
			return nil, errs.Wrap(err, "projects: violation")
		}
		if err := funds.SetStatusTx(ctx, tx, p.Username, p.County, code, pr.Status, Reclaimed, reason); err != nil {
			return nil, err
		}
		if _, err := audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "projects." + v.Kind, Object: "project " + code, Place: string(pr.Place),
			After: map[string]any{"violation": v, "maker": in.Maker, "instruction": in.ID}}); err != nil {
			return nil, err
		}
	}
	return v.Transfers, nil
}

func sameLegs(a, b []ledger.Leg) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Violations lists a project's reclaims and switches.
func (s *Service) Violations(ctx context.Context, county, code string) ([]Violation, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT kind, amount, to_project, transfers, reason, actor, at FROM project_violations WHERE county = ? AND project = ? ORDER BY seq`, county, code)
	if err != nil {
		return nil, errs.Wrap(err, "projects: violations")
	}
	defer rows.Close()
	var out []Violation
	for rows.Next() {
		var v Violation
		var ids string
		var at int64
		if err := rows.Scan(&v.Kind, &v.Amount, &v.ToProject, &ids, &v.Reason, &v.Actor, &at); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(ids), &v.Transfers)
		v.At = clock.FromMicros(at)
		out = append(out, v)
	}
	return out, rows.Err()
}

// StatusCount is how many projects of a township are in each status.
type StatusCount struct {
	Township place.Code
	Counts   map[string]int
	Total    int
}

// ByTownship counts the projects under a prefix per township and status
// (the review status per township).
func (s *Service) ByTownship(ctx context.Context, county, prefix string, year int) ([]StatusCount, error) {
	lo, hi := place.Range(prefix)
	q := `SELECT substr(place, 1, 9), status, COUNT(*) FROM fund_projects WHERE county = ? AND place BETWEEN ? AND ?`
	args := []any{county, lo, hi}
	if year != 0 {
		q += ` AND plan_year = ?`
		args = append(args, year)
	}
	rows, err := s.db.QueryContext(ctx, q+` GROUP BY substr(place, 1, 9), status ORDER BY 1`, args...)
	if err != nil {
		return nil, errs.Wrap(err, "projects: by township")
	}
	defer rows.Close()
	var out []StatusCount
	for rows.Next() {
		var t9, st string
		var n int
		if err := rows.Scan(&t9, &st, &n); err != nil {
			return nil, err
		}
		code := place.Code(t9 + "000")
		if len(out) == 0 || out[len(out)-1].Township != code {
			out = append(out, StatusCount{Township: code, Counts: map[string]int{}})
		}
		out[len(out)-1].Counts[st] += n
		out[len(out)-1].Total += n
	}
	return out, rows.Err()
}

// Reminder is the annual calendar's next due date (001: next year's
// village list before September) and how far the villages are.
type Reminder struct {
	Due           string // YYYY-MM-DD
	DaysLeft      int
	PlanYear      int
	Villages      int // villages under the prefix
	WithProposals int // of them with at least one project for PlanYear
}

// Calendar returns the reminder of the profile's next-year village list,
// or ok false when the profile sets no date.
func (s *Service) Calendar(ctx context.Context, county, prefix string, villages []place.Code) (Reminder, bool, error) {
	prof, err := s.profile(ctx, county)
	if err != nil {
		return Reminder{}, false, err
	}
	md := prof.Funds.NextYearVillagesBy
	if md == "" {
		return Reminder{}, false, nil
	}
	now := s.now().In(clock.Zone)
	due, err := time.ParseInLocation("2006-01-02", fmt.Sprintf("%d-%s", now.Year(), md), clock.Zone)
	if err != nil {
		return Reminder{}, false, nil
	}
	today, _ := time.ParseInLocation("2006-01-02", clock.Day(now), clock.Zone)
	if today.After(due) {
		due = due.AddDate(1, 0, 0)
	}
	r := Reminder{Due: due.Format("2006-01-02"), DaysLeft: int(due.Sub(today).Hours() / 24), PlanYear: due.Year() + 1, Villages: len(villages)}
	lo, hi := place.Range(prefix)
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT place FROM fund_projects WHERE county = ? AND plan_year = ? AND place BETWEEN ? AND ?`, county, r.PlanYear, lo, hi)
	if err != nil {
		return Reminder{}, false, errs.Wrap(err, "projects: calendar")
	}
	defer rows.Close()
	with := map[place.Code]bool{}
	for rows.Next() {
		var pl string
		if err := rows.Scan(&pl); err != nil {
			return Reminder{}, false, err
		}
		with[place.Code(pl)] = true
	}
	for _, v := range villages {
		if with[v] {
			r.WithProposals++
		}
	}
	return r, true, rows.Err()
}

// Volume lists the project's documents (every version).
func (s *Service) Volume(ctx context.Context, county, code string) ([]volume.File, error) {
	return s.vol.List(ctx, county, Owner(code))
}

// ItemOf returns the project's review item (NotFound before it is proposed).
func (s *Service) ItemOf(ctx context.Context, county, code string) (workflow.Item, error) {
	return s.wf.ItemFor(ctx, s.db, county, Kind, code)
}
