package relief

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/ident"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/workflow"
)

// Calc is the top-up computation with its inputs, shown at every step
// (M-62): (standard − per-capita net income) × members, rounded by the
// profile's rule, never negative.
type Calc struct {
	Year      int
	Standard  money.Fen
	Source    string // the standard's source document
	Income    money.Fen
	Expenses  money.Fen
	Members   int
	PerCapita money.Fen
	Rounding  string
	Amount    money.Fen
}

// standard is the profile's standard for a year: the latest at or before it.
func standard(prof policy.Profile, year int) (policy.Standard, bool) {
	var best policy.Standard
	ok := false
	for _, st := range prof.Relief.Standards {
		if st.Year <= year && (!ok || st.Year > best.Year) {
			best, ok = st, true
		}
	}
	return best, ok
}

// Compute is the top-up of a household year under the profile.
func Compute(prof policy.Profile, y registry.Year) (Calc, error) {
	st, ok := standard(prof, y.Year)
	if !ok {
		return Calc{}, errs.F(errs.RuleBroken, "no_standard", "year", "the %s profile has no relief standard for %d", prof.ID, y.Year)
	}
	c := Calc{Year: y.Year, Standard: st.Amount, Source: st.Source, Income: y.Income, Expenses: y.Expenses, Members: y.Members, PerCapita: y.PerCapita, Rounding: prof.Relief.Rounding}
	gap := st.Amount - y.PerCapita
	if gap <= 0 || y.Members <= 0 {
		return c, nil
	}
	raw := gap * money.Fen(y.Members)
	switch prof.Relief.Rounding {
	case "yuan_up":
		c.Amount = (raw + 99) / 100 * 100
	case "yuan_half_up":
		c.Amount = (raw + 50) / 100 * 100
	default:
		c.Amount = raw
	}
	return c, nil
}

// refusal is the condition an applicant fails (M-61), "" when none: the
// allocation-free check the county-wide screening runs a million times.
func refusal(prof policy.Profile, y registry.Year, cause string, member registry.Member) string {
	switch {
	case !member.Alive:
		return "member"
	case !contains(prof.Relief.Causes, cause):
		return "cause"
	case !contains(prof.Relief.EligibleStatuses, y.Status), y.Status == registry.Exited && y.Stable:
		return "status"
	}
	st, ok := standard(prof, y.Year)
	if !ok {
		return "year"
	}
	if y.PerCapita >= st.Amount {
		return "income"
	}
	return ""
}

// eligible explains a refusal, naming the failed condition.
func eligible(prof policy.Profile, y registry.Year, cause string, member registry.Member) error {
	switch refusal(prof, y, cause, member) {
	case "member":
		return errs.F(errs.RuleBroken, "not_eligible", "member", "%s is recorded as deceased: an application names a living member", ident.MaskName(member.Name))
	case "cause":
		return errs.F(errs.RuleBroken, "not_eligible", "cause", "cause %q is not one the fund helps with (%s)", cause, strings.Join(prof.Relief.Causes, ", "))
	case "status":
		if y.Status == registry.Exited && y.Stable {
			return errs.F(errs.RuleBroken, "not_eligible", "status", "the household is stably out of poverty (稳定脱贫) in %d", y.Year)
		}
		return errs.F(errs.RuleBroken, "not_eligible", "status", "the household is %s in %d; the fund helps %s", y.Status, y.Year, strings.Join(prof.Relief.EligibleStatuses, ", "))
	case "year":
		return errs.F(errs.RuleBroken, "no_standard", "year", "the %s profile has no relief standard for %d", prof.ID, y.Year)
	case "income":
		st, _ := standard(prof, y.Year)
		return errs.F(errs.RuleBroken, "not_eligible", "income", "per-capita net income %s is not below the %d standard %s", y.PerCapita, y.Year, st.Amount)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Chain is the review chain of a relief application: the application
// (raised by a village cadre for the household), the profile's steps, and
// the county's approval only after the public notice.
func Chain(prof policy.Profile) []workflow.Step {
	steps := append([]workflow.Step{{Name: "农户申请（村干部代为提出）", Role: string(auth.RoleVillage), Level: "village", Checks: []string{"申请书", "家庭收支"}}},
		workflow.FromPolicy(prof.Relief.Steps)...)
	steps[len(steps)-1].NoticeBefore = true
	return steps
}

// Application is a relief application with its computation.
type Application struct {
	County    string
	ID        int64
	Household string
	Village   place.Code
	MemberSeq int
	Applicant string // the member's name (staff pages; masked on public ones)
	Year      int
	Cause     string // decrypted for staff who see the application
	Calc      Calc
	Frozen    bool
	Status    string
	Item      int64
	Attempts  int
	CreatedAt time.Time
	CreatedBy string
}

// NewApplication is what a village cadre raises for a household.
type NewApplication struct {
	Household string
	MemberSeq int
	Year      int
	Cause     string
	Opinion   string
}

// Apply checks eligibility from the registry and starts the review; a
// refusal names the failed condition and nothing is written. Errors:
// RuleBroken (not_eligible), NotFound, Conflict (application_exists),
// Forbidden.
func (s *Service) Apply(ctx context.Context, p auth.Principal, in NewApplication) (Application, error) {
	prof, err := s.profile(ctx, p.County)
	if err != nil {
		return Application{}, err
	}
	h, err := s.reg.Household(ctx, p.County, in.Household)
	if err != nil {
		return Application{}, err
	}
	if !p.Sees(h.Village) {
		// Exactly the registry's answer for a household that does not exist.
		return Application{}, errs.F(errs.NotFound, "unknown_household", "household", "no such household")
	}
	var member registry.Member
	for _, m := range h.Members {
		if m.Seq == in.MemberSeq {
			member = m
		}
	}
	if member.Name == "" {
		return Application{}, errs.F(errs.Invalid, "invalid_member", "member", "household %s has no member %d", h.Code, in.MemberSeq)
	}
	y, err := s.reg.Year(ctx, p.County, h.Code, in.Year)
	if err != nil {
		return Application{}, err
	}
	if err := eligible(prof, y, in.Cause, member); err != nil {
		return Application{}, err
	}
	calc, err := Compute(prof, y)
	if err != nil {
		return Application{}, err
	}
	cause, err := s.keys.Seal(in.Cause)
	if err != nil {
		return Application{}, errs.Wrap(err, "relief: seal")
	}
	var out Application
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM relief_applications WHERE county = ?`, p.County).Scan(&id); err != nil {
			return errs.Wrap(err, "relief: id")
		}
		it, err := s.wf.StartTx(ctx, tx, p, p.County, workflow.NewItem{Kind: Kind, Subject: fmt.Sprint(id), Title: fmt.Sprintf("%s户防返贫救助（%d）", ident.MaskName(h.Head), in.Year),
			Place: h.Village, Amount: calc.Amount, Chain: Chain(prof), Opinion: in.Opinion})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO relief_applications (county, id, household, village, member_seq, applicant, year, cause_enc, standard, source, income, expenses, rounding, per_capita, members, amount, frozen, status, item, attempts, paid_transfer, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 'review', ?, 0, 0, ?, ?)`,
			p.County, id, h.Code, string(h.Village), member.Seq, member.Name, in.Year, cause, int64(calc.Standard), calc.Source, int64(calc.Income), int64(calc.Expenses), calc.Rounding,
			int64(calc.PerCapita), calc.Members, int64(calc.Amount),
			it.ID, clock.Micros(tx.Now), p.Username); err != nil {
			if errs.KindOf(err) == errs.Conflict {
				return errs.F(errs.Conflict, "application_exists", "household", "household %s already applied for %d", h.Code, in.Year)
			}
			return errs.Wrap(err, "relief: application")
		}
		_, err = audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "relief.apply", Object: fmt.Sprintf("application %d of %s", id, h.Code),
			Place: string(h.Village), After: map[string]any{"household": h.Code, "year": in.Year, "amount": calc.Amount.String(), "cause": "***"}})
		out.ID = id
		return err
	})
	if err != nil {
		return Application{}, err
	}
	return s.Application(ctx, p.County, out.ID)
}

const appCols = `id, household, village, member_seq, applicant, year, cause_enc, standard, source, income, expenses, rounding, per_capita, members, amount, frozen, status, item, attempts, created_at, created_by`

func (s *Service) scanApp(county string, sc interface{ Scan(...any) error }) (Application, error) {
	a := Application{County: county}
	var vil, cause string
	var std, inc, exp, pc, amt, at int64
	var frozen int
	if err := sc.Scan(&a.ID, &a.Household, &vil, &a.MemberSeq, &a.Applicant, &a.Year, &cause, &std, &a.Calc.Source, &inc, &exp, &a.Calc.Rounding, &pc, &a.Calc.Members, &amt, &frozen, &a.Status, &a.Item, &a.Attempts, &at, &a.CreatedBy); err != nil {
		return a, err
	}
	a.Calc.Income, a.Calc.Expenses = money.Fen(inc), money.Fen(exp)
	a.Village, a.Frozen, a.CreatedAt = place.Code(vil), frozen != 0, clock.FromMicros(at)
	a.Calc.Year, a.Calc.Standard, a.Calc.PerCapita, a.Calc.Amount = a.Year, money.Fen(std), money.Fen(pc), money.Fen(amt)
	if c, err := s.keys.Open(cause); err == nil {
		a.Cause = c
	}
	return a, nil
}

// Application returns one application (callers check the place).
func (s *Service) Application(ctx context.Context, county string, id int64) (Application, error) {
	return s.application(ctx, s.db, county, id)
}

func (s *Service) application(ctx context.Context, q store.Querier, county string, id int64) (Application, error) {
	a, err := s.scanApp(county, q.QueryRowContext(ctx, `SELECT `+appCols+` FROM relief_applications WHERE county = ? AND id = ?`, county, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, errs.F(errs.NotFound, "unknown_application", "application", "no application %d", id)
	}
	if err != nil {
		return a, errs.Wrap(err, "relief: application")
	}
	return a, nil
}

// Applications lists applications under a prefix, optionally of a status.
func (s *Service) Applications(ctx context.Context, county, prefix, status string, limit int) ([]Application, error) {
	apps, _, err := s.ListApplications(ctx, county, AppFilter{Prefix: prefix, Status: status, Limit: limit})
	return apps, err
}

// AppFilter selects relief applications for a list page.
type AppFilter struct {
	Prefix  string     // the viewer's subtree (a division-code prefix)
	Village place.Code // "" for every village of the subtree
	Status  string     // "" for all
	Year    int        // 0 for all
	Offset  int
	Limit   int // 500 when 0
}

// ListApplications lists applications, newest first, a page at a time,
// with the total that match. A village outside the prefix matches
// nothing.
func (s *Service) ListApplications(ctx context.Context, county string, f AppFilter) ([]Application, int, error) {
	lo, hi := place.Range(f.Prefix)
	where := ` FROM relief_applications WHERE county = ? AND village BETWEEN ? AND ?`
	args := []any{county, lo, hi}
	if f.Village != "" {
		where += ` AND village = ?`
		args = append(args, string(f.Village))
	}
	if f.Status != "" {
		where += ` AND status = ?`
		args = append(args, f.Status)
	}
	if f.Year != 0 {
		where += ` AND year = ?`
		args = append(args, f.Year)
	}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*)`+where, args...).Scan(&total); err != nil {
		return nil, 0, errs.Wrap(err, "relief: applications")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 500
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+appCols+where+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, errs.Wrap(err, "relief: applications")
	}
	defer rows.Close()
	var out []Application
	for rows.Next() {
		a, err := s.scanApp(county, rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, a)
	}
	return out, total, rows.Err()
}

// Recompute is the application's top-up from the registry as it is now
// (while it is not frozen), with its inputs.
func (s *Service) Recompute(ctx context.Context, a Application) (Calc, error) {
	return s.recomputeTx(ctx, s.db, a)
}

// recomputeTx is Recompute reading the registry through q.
func (s *Service) recomputeTx(ctx context.Context, q store.Querier, a Application) (Calc, error) {
	if a.Frozen {
		return a.Calc, nil
	}
	prof, err := s.profile(ctx, a.County)
	if err != nil {
		return Calc{}, err
	}
	y, err := s.reg.YearTx(ctx, q, a.County, a.Household, a.Year)
	if err != nil {
		return Calc{}, err
	}
	return Compute(prof, y)
}

// BankCheck is the third gate (M-63): the card's holder is a member, the
// number is well formed, and no open lead shares it with another
// household. It returns the problems found (none: ready to pay).
func (s *Service) BankCheck(ctx context.Context, county, household string) ([]string, error) {
	h, err := s.reg.Household(ctx, county, household)
	if err != nil {
		return nil, err
	}
	var problems []string
	holder, _, number, err := s.reg.CardInClear(ctx, county, household)
	if err != nil {
		return nil, err
	}
	if number == "" {
		problems = append(problems, "no bank card recorded")
	} else if _, err := ident.ValidateBankCard(number); err != nil {
		problems = append(problems, "card number: "+err.Error())
	}
	member := false
	for _, m := range h.Members {
		member = member || (m.Name == holder && m.Alive)
	}
	if !member {
		problems = append(problems, "the card holder is not a living member of the household")
	}
	leads, err := s.reg.OpenLeadsFor(ctx, county, household)
	if err != nil {
		return nil, err
	}
	for _, l := range leads {
		if l.Kind == "shared_card" {
			// Not naming the other households: they may lie outside the
			// viewer's area (the lead is then the upper level's).
			problems = append(problems, fmt.Sprintf("the card is also recorded for %d other household(s) (open lead %d)", len(l.Households)-1, l.ID))
		}
	}
	return problems, nil
}

// Decide takes the application's current step: the top-up is recomputed
// from the registry first; the county's approval passes the bank check
// and freezes the amount. Errors: the engine's, RuleBroken (bank_check,
// not_eligible when the registry no longer supports it).
func (s *Service) Decide(ctx context.Context, p auth.Principal, id int64, d workflow.Decision) (Application, error) {
	a, err := s.Application(ctx, p.County, id)
	if err != nil {
		return Application{}, err
	}
	if !p.Sees(a.Village) {
		return Application{}, auth.NotFound()
	}
	// The bank check reads the card in clear and the leads: a gate
	// checked before the decision (and shown on the application's page).
	if d.Action == workflow.Approve {
		it, err := s.wf.Item(ctx, p.County, a.Item)
		if err != nil {
			return Application{}, err
		}
		if it.Step == len(it.Chain)-1 {
			problems, err := s.BankCheck(ctx, p.County, a.Household)
			if err != nil {
				return Application{}, err
			}
			if len(problems) > 0 {
				return Application{}, errs.F(errs.RuleBroken, "bank_check", "card", "the bank account check failed: %s", strings.Join(problems, "; "))
			}
		}
	}
	var outdated *workflow.Item
	var calc Calc
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		// What the decision checks — the registry behind the top-up, who
		// last changed it, the notice — is read inside its transaction.
		a, err := s.application(ctx, tx, p.County, id)
		if err != nil {
			return err
		}
		if calc, err = s.recomputeTx(ctx, tx, a); err != nil {
			return err
		}
		it, err := s.wf.ItemFor(ctx, tx, p.County, Kind, fmt.Sprint(a.ID))
		if err != nil {
			return err
		}
		final := d.Action == workflow.Approve && it.Step == len(it.Chain)-1
		if final && calc.Amount <= 0 {
			return errs.F(errs.RuleBroken, "not_eligible", "income", "per-capita net income %s is no longer below the standard %s", calc.PerCapita, calc.Standard)
		}
		if cur, ok := it.Current(); ok && cur.NoticeBefore && it.NoticeID != 0 && d.Action == workflow.Approve {
			if n, err := s.wf.NoticeTx(ctx, tx, p.County, it.NoticeID); err == nil && n.State == "posted" && n.Shown != "" && n.Shown != shown(calc) {
				outdated = &it
				return errs.F(errs.RuleBroken, "notice_outdated", "", "the top-up changed after the notice (%s yuan now): the notice is withdrawn; post a new notice before the approval", calc.Amount)
			}
		}
		// Whoever last changed the household or its year is one of the
		// application's makers (two people on money).
		if d.Action == workflow.Approve {
			var yearBy, hhBy string
			_ = tx.QueryRowContext(ctx, `SELECT updated_by FROM reg_years WHERE county = ? AND household = ? AND year = ?`, p.County, a.Household, a.Year).Scan(&yearBy)
			_ = tx.QueryRowContext(ctx, `SELECT updated_by FROM reg_households WHERE county = ? AND code = ?`, p.County, a.Household).Scan(&hhBy)
			if (yearBy == p.Username || hhBy == p.Username) && p.Username != it.Maker {
				return errs.F(errs.RuleBroken, "maker_checker", "", "you last changed household %s or its year: another person must take this step", a.Household)
			}
		}
		d.Shown = shown(calc)
		out, err := s.wf.DecideTx(ctx, tx, p, p.County, a.Item, d)
		if err != nil {
			return err
		}
		status := InReview
		switch out.State {
		case workflow.Approved:
			status = Approved
		case workflow.Rejected:
			status = Rejected
		}
		_, err = tx.ExecContext(ctx, `UPDATE relief_applications SET standard = ?, source = ?, income = ?, expenses = ?, rounding = ?, per_capita = ?, members = ?, amount = ?, frozen = ?, status = ?
			WHERE county = ? AND id = ? AND frozen = 0`,
			int64(calc.Standard), calc.Source, int64(calc.Income), int64(calc.Expenses), calc.Rounding, int64(calc.PerCapita), calc.Members, int64(calc.Amount), b2i(status == Approved), status, p.County, id)
		if err != nil {
			return errs.Wrap(err, "relief: decide")
		}
		return nil
	})
	if outdated != nil {
		// The notice no longer shows the truth: it is withdrawn (in a
		// transaction of its own, the refused decision wrote nothing), so
		// that a new one can be posted.
		if verr := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
			return s.wf.VoidNoticeTx(ctx, tx, p.Username, p.County, outdated.ID, "the top-up changed after the notice")
		}); verr != nil {
			return Application{}, verr
		}
	}
	if err != nil {
		return Application{}, err
	}
	return s.Application(ctx, p.County, id)
}

// shown is the digest of what an application's notice shows: a change in
// any of these after the notice voids it.
func shown(c Calc) string {
	return fmt.Sprintf("amount=%d;standard=%d;per_capita=%d;members=%d", int64(c.Amount), int64(c.Standard), int64(c.PerCapita), c.Members)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// PostNotices posts the public notice of every application waiting for
// its notice in the caller's township (or a village of it): the text is
// written here, masked (surname + *, village, amount; no ID, card or
// cause), for the profile's relief.notice_days. Township or rural staff.
func (s *Service) PostNotices(ctx context.Context, p auth.Principal, starts string) (int, error) {
	prof, err := s.profile(ctx, p.County)
	if err != nil {
		return 0, err
	}
	apps, err := s.Applications(ctx, p.County, p.Prefix(), InReview, 10000)
	if err != nil {
		return 0, err
	}
	day, err := time.ParseInLocation("2006-01-02", starts, clock.Zone)
	if err != nil {
		return 0, errs.F(errs.Invalid, "invalid_date", "starts", "start %q is not a date YYYY-MM-DD", starts)
	}
	ends := clock.Day(day.AddDate(0, 0, prof.Relief.NoticeDays-1))
	n := 0
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		n = 0
		for _, a := range apps {
			it, err := s.wf.Item(ctx, p.County, a.Item)
			if err != nil {
				return err
			}
			cur, ok := it.Current()
			if !ok || !cur.NoticeBefore || it.NoticeID != 0 || it.State != workflow.Pending {
				continue
			}
			calc, err := s.Recompute(ctx, a)
			if err != nil {
				return err
			}
			vname := string(a.Village)
			_ = tx.QueryRowContext(ctx, `SELECT name FROM places WHERE county = ? AND code = ?`, p.County, string(a.Village)).Scan(&vname)
			body := fmt.Sprintf("申请人：%s\n所在村：%s\n救助年度：%d\n补差标准：%s元/人；家庭人均纯收入：%s元；家庭人口：%d人\n拟救助金额：%s元\n公示期内对救助对象和金额如有异议，可向村委会、乡镇人民政府反映或在线提出。",
				ident.MaskName(a.Applicant), vname, a.Year, calc.Standard, calc.PerCapita, calc.Members, calc.Amount)
			if _, err := s.wf.OpenNoticeTx(ctx, tx, p, p.County, a.Item, workflow.NoticeInput{Title: fmt.Sprintf("防返贫救助对象公示（%s）", ident.MaskName(a.Applicant)),
				Body: body, Starts: starts, Ends: ends, Places: []place.Code{a.Village}, Shown: shown(calc)}, prof.Relief.NoticeDays); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// Answer answers an objection to a relief notice (upheld: back to the
// village cadre who raised it).
func (s *Service) Answer(ctx context.Context, p auth.Principal, objection int64, upheld bool, reply string) (workflow.Objection, error) {
	var out workflow.Objection
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		o, _, err := s.wf.AnswerTx(ctx, tx, p, p.County, objection, upheld, reply)
		out = o
		return err
	})
	return out, err
}

// Masked is the applicant's name as public pages show it (surname + *).
func (a Application) Masked() string { return ident.MaskName(a.Applicant) }

// Screening is how a county's households stand against the rule.
type Screening struct {
	Households int
	Eligible   int
	Refused    map[string]int // by the failed condition (status, cause, income, member)
	Total      money.Fen      // the top-ups of the eligible households
}

// Screen checks every household's year record against the eligibility
// rule (any of its causes may count) and computes the top-ups, streaming
// the registry: the county-wide view the bureau plans the fund with.
func (s *Service) Screen(ctx context.Context, county string, year int) (Screening, error) {
	return s.ScreenWith(ctx, county, year, nil)
}

// screenEvery is how many households pass between two progress calls.
const screenEvery = 256

// ScreenWith is Screen reporting its progress, when progress is set:
// households screened of the households with a record of the year
// (counted first), every screenEvery households and at the end. It must
// be cheap: it runs on the screening's goroutine.
func (s *Service) ScreenWith(ctx context.Context, county string, year int, progress func(done, total int)) (Screening, error) {
	prof, err := s.profile(ctx, county)
	if err != nil {
		return Screening{}, err
	}
	total := 0
	if progress != nil {
		if total, err = s.reg.CountYears(ctx, county, year); err != nil {
			return Screening{}, err
		}
		progress(0, total)
	}
	out := Screening{Refused: map[string]int{}}
	alive := registry.Member{Name: "-", Alive: true}
	err = s.reg.Screen(ctx, county, year, func(sc registry.Screened) error {
		out.Households++
		if progress != nil && out.Households%screenEvery == 0 {
			progress(out.Households, max(total, out.Households))
		}
		if sc.AnyDeceasedOnly {
			out.Refused["member"]++
			return nil
		}
		cause := ""
		for _, c := range sc.Year.Causes {
			if contains(prof.Relief.Causes, c) {
				cause = c
				break
			}
		}
		if why := refusal(prof, sc.Year, cause, alive); why != "" {
			out.Refused[why]++
			return nil
		}
		c, err := Compute(prof, sc.Year)
		if err != nil {
			return err
		}
		out.Eligible++
		out.Total += c.Amount
		return nil
	})
	if err == nil && progress != nil {
		progress(out.Households, out.Households)
	}
	return out, err
}
