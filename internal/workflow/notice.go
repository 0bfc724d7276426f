package workflow

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/ident"
	"onepool/internal/place"
	"onepool/internal/store"
)

// Notice is a public notice (公示) of an item, posted for places (the
// village boards), from Starts to Ends (local days, inclusive).
type Notice struct {
	County    string
	ID        int64
	Item      int64
	Title     string
	Body      string
	Places    []place.Code
	Place     place.Code // the item's place
	Starts    string     // YYYY-MM-DD
	Ends      string
	State     string // posted, withdrawn
	CreatedAt time.Time
	CreatedBy string
	Shown     string // digest of what it shows, frozen when posted
}

// Running reports whether the notice is up on day (YYYY-MM-DD).
func (n Notice) Running(day string) bool {
	return n.State == "posted" && n.Starts <= day && day <= n.Ends
}

// Over reports whether the notice period has ended before day.
func (n Notice) Over(day string) bool { return n.State == "posted" && day > n.Ends }

// Days is the notice's length in days.
func (n Notice) Days() int { return days(n.Starts, n.Ends) }

func days(from, to string) int {
	a, err1 := time.ParseInLocation("2006-01-02", from, clock.Zone)
	b, err2 := time.ParseInLocation("2006-01-02", to, clock.Zone)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(b.Sub(a).Hours()/24+0.5) + 1
}

// NoticeInput opens a notice.
type NoticeInput struct {
	Title, Body  string
	Places       []place.Code // empty: the item's place
	Starts, Ends string       // YYYY-MM-DD
	// Shown is a digest of what the notice shows (an amount, a list of
	// beneficiaries, a budget), frozen with it: the step after the notice
	// is refused (notice_outdated) when its subject no longer shows the
	// same, until a new notice is posted.
	Shown string
}

// Objection kinds.
const (
	KindObjection = "objection" // 异议
	KindReport    = "report"    // 举报
)

// Objection is an objection or a report filed during a notice.
type Objection struct {
	County    string
	ID        int64
	Notice    int64
	Kind      string
	Name      string // empty: anonymous
	Contact   string
	Body      string
	FiledAt   time.Time
	Status    string // open, upheld, dismissed
	Reply     string
	RepliedBy string
	RepliedAt time.Time
	// Receipt is the objector's receipt number (受理编号; "" for objections
	// filed before receipts). Place is the noticed item's place;
	// AnswerRole and AnswerLevel name the office that answers it (see
	// objections.go), by DueAt (zero: no deadline).
	Receipt                 string
	Place                   place.Code
	AnswerRole, AnswerLevel string
	DueAt                   time.Time
}

// OpenNoticeTx posts the notice of an item waiting at a step that needs
// one. The notice runs at least minDays days and starts today or later.
// Only township and county rural-revitalization staff who see the item
// post notices. Errors: Forbidden, NotFound, RuleBroken (notice_not_due,
// notice_exists, notice_too_short, frozen), Invalid.
func (e *Engine) OpenNoticeTx(ctx context.Context, tx *store.Tx, p auth.Principal, county string, id int64, in NoticeInput, minDays int) (Notice, error) {
	it, err := e.item(ctx, tx, county, id)
	if err != nil {
		return Notice{}, err
	}
	if !p.Sees(it.Place) {
		return Notice{}, auth.NotFound()
	}
	if p.Role != auth.RoleTownship && p.Role != auth.RoleRural {
		return Notice{}, errs.F(errs.Forbidden, "forbidden", "", "notices are posted by the township or the rural-revitalization bureau")
	}
	if it.Frozen {
		return Notice{}, errs.F(errs.RuleBroken, "frozen", "", "%s %s is frozen while it is audited", it.Kind, it.Subject)
	}
	cur, ok := it.Current()
	if !ok || it.State != Pending || !cur.NoticeBefore {
		return Notice{}, errs.F(errs.RuleBroken, "notice_not_due", "", "%s %s is not at a step that needs a public notice", it.Kind, it.Subject)
	}
	if it.NoticeID != 0 {
		return Notice{}, errs.F(errs.RuleBroken, "notice_exists", "", "the notice of %s %s is already posted (notice %d)", it.Kind, it.Subject, it.NoticeID)
	}
	in.Title, in.Body = strings.TrimSpace(in.Title), strings.TrimSpace(in.Body)
	if in.Title == "" || utf8.RuneCountInString(in.Title) > 200 {
		return Notice{}, errs.F(errs.Invalid, "invalid_notice", "title", "a notice needs a title of at most 200 characters")
	}
	if in.Body == "" || utf8.RuneCountInString(in.Body) > 20000 {
		return Notice{}, errs.F(errs.Invalid, "invalid_notice", "body", "a notice needs a text of at most 20,000 characters")
	}
	// Notices are public: no ID number, bank card or phone number may be in them.
	if found := ident.ScanPersonalData(in.Title + "\n" + in.Body); len(found) > 0 {
		return Notice{}, errs.F(errs.Invalid, "personal_data", "body", "a public notice must not contain personal data (%s)", strings.Join(found, ", "))
	}
	today := clock.Day(tx.Now)
	if _, err := time.ParseInLocation("2006-01-02", in.Starts, clock.Zone); err != nil {
		return Notice{}, errs.F(errs.Invalid, "invalid_date", "starts", "start %q is not a date YYYY-MM-DD", in.Starts)
	}
	if _, err := time.ParseInLocation("2006-01-02", in.Ends, clock.Zone); err != nil {
		return Notice{}, errs.F(errs.Invalid, "invalid_date", "ends", "end %q is not a date YYYY-MM-DD", in.Ends)
	}
	if in.Starts < today {
		return Notice{}, errs.F(errs.Invalid, "invalid_date", "starts", "a notice cannot start in the past (%s < %s)", in.Starts, today)
	}
	if n := days(in.Starts, in.Ends); n < minDays {
		return Notice{}, errs.F(errs.RuleBroken, "notice_too_short", "ends", "the notice runs %d days; the profile requires at least %d (公示期不少于%d天)", max(n, 0), minDays, minDays)
	}
	if len(in.Places) == 0 {
		in.Places = []place.Code{it.Place}
	}
	var codes []string
	for i, pl := range in.Places {
		if !pl.Valid() || !place.Code(county+"000000").Contains(pl) {
			return Notice{}, errs.F(errs.Invalid, "invalid_place", fmt.Sprintf("places[%d]", i), "place %q is not in county %s", pl, county)
		}
		codes = append(codes, string(pl))
	}
	var nid int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM wf_notices WHERE county = ?`, county).Scan(&nid); err != nil {
		return Notice{}, errs.Wrap(err, "workflow: notice id")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO wf_notices (county, id, item, title, body, places, place, starts, ends, state, created_at, created_by, shown) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'posted', ?, ?, ?)`,
		county, nid, id, in.Title, in.Body, strings.Join(codes, ","), string(it.Place), in.Starts, in.Ends, clock.Micros(tx.Now), p.Username, in.Shown); err != nil {
		return Notice{}, errs.Wrap(err, "workflow: notice")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE wf_items SET notice_id = ?, updated_at = ? WHERE county = ? AND id = ?`, nid, clock.Micros(tx.Now), county, id); err != nil {
		return Notice{}, errs.Wrap(err, "workflow: notice")
	}
	if _, err := audit.Append(ctx, tx, audit.Entry{County: county, Actor: p.Username, Action: "workflow.notice", Object: fmt.Sprintf("notice %d of %s %s", nid, it.Kind, it.Subject),
		Place: string(it.Place), After: in}); err != nil {
		return Notice{}, err
	}
	return e.notice(ctx, tx, county, nid)
}

// noticeGate refuses to approve a step that needs a notice until the
// notice has run its course and every objection is answered, and while
// the subject no longer shows what the notice showed (shown: the digest
// of it now; "" when the caller freezes nothing).
func (e *Engine) noticeGate(ctx context.Context, tx *store.Tx, it Item, shown string) error {
	if it.NoticeID == 0 {
		return errs.F(errs.RuleBroken, "notice_required", "", "%s %s must be publicly noticed before this step", it.Kind, it.Subject)
	}
	n, err := e.notice(ctx, tx, it.County, it.NoticeID)
	if err != nil {
		return err
	}
	if n.Shown != "" && shown != n.Shown {
		return errs.F(errs.RuleBroken, "notice_outdated", "", "%s %s changed after its notice %d was posted: a new notice must run before it is approved", it.Kind, it.Subject, n.ID)
	}
	if today := clock.Day(tx.Now); !n.Over(today) {
		return errs.F(errs.RuleBroken, "notice_running", "", "the notice runs until %s; decide after it ends", n.Ends)
	}
	var open int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM wf_objections WHERE county = ? AND notice = ? AND status = 'open'`, it.County, n.ID).Scan(&open); err != nil {
		return errs.Wrap(err, "workflow: objections")
	}
	if open > 0 {
		return errs.F(errs.RuleBroken, "open_objection", "", "%d objection(s) to the notice are not answered yet", open)
	}
	return nil
}

const noticeCols = `id, item, title, body, places, place, starts, ends, state, created_at, created_by, shown`

func scanNotice(county string, sc interface{ Scan(...any) error }) (Notice, error) {
	n := Notice{County: county}
	var places, pl string
	var at int64
	if err := sc.Scan(&n.ID, &n.Item, &n.Title, &n.Body, &places, &pl, &n.Starts, &n.Ends, &n.State, &at, &n.CreatedBy, &n.Shown); err != nil {
		return n, err
	}
	for _, c := range strings.Split(places, ",") {
		if c != "" {
			n.Places = append(n.Places, place.Code(c))
		}
	}
	n.Place, n.CreatedAt = place.Code(pl), clock.FromMicros(at)
	return n, nil
}

func (e *Engine) notice(ctx context.Context, q store.Querier, county string, id int64) (Notice, error) {
	n, err := scanNotice(county, q.QueryRowContext(ctx, `SELECT `+noticeCols+` FROM wf_notices WHERE county = ? AND id = ?`, county, id))
	if errors.Is(err, sql.ErrNoRows) {
		return n, errs.F(errs.NotFound, "not_found", "notice", "no notice %d", id)
	}
	if err != nil {
		return n, errs.Wrap(err, "workflow: notice")
	}
	return n, nil
}

// NoticeTx returns a notice read through q.
func (e *Engine) NoticeTx(ctx context.Context, q store.Querier, county string, id int64) (Notice, error) {
	return e.notice(ctx, q, county, id)
}

// Notice returns a notice (public: notices are public by nature).
func (e *Engine) Notice(ctx context.Context, county string, id int64) (Notice, error) {
	return e.notice(ctx, e.db, county, id)
}

// Notices lists the posted notices under a place prefix whose period has
// not ended before day (running or still to start), newest first.
func (e *Engine) Notices(ctx context.Context, county, prefix, day string, limit int) ([]Notice, error) {
	lo, hi := place.Range(prefix)
	rows, err := e.db.QueryContext(ctx, `SELECT `+noticeCols+` FROM wf_notices WHERE county = ? AND ends >= ? AND state = 'posted' AND place BETWEEN ? AND ? ORDER BY starts DESC, id DESC LIMIT ?`,
		county, day, lo, hi, limit)
	if err != nil {
		return nil, errs.Wrap(err, "workflow: notices")
	}
	defer rows.Close()
	var out []Notice
	for rows.Next() {
		n, err := scanNotice(county, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// ObjectionInput is what anyone — signed in or not — files.
type ObjectionInput struct {
	Kind          string // objection, report
	Name, Contact string // optional
	Body          string
	// ReplyDays is the profile's reply deadline in days (0: DefaultReplyDays).
	ReplyDays int
}

// FileObjection records an objection or report to a running notice, from
// anyone (the public portal needs no sign-in). The contact is kept for
// the staff who answer, never shown publicly nor written to the audit
// log. Errors: NotFound, RuleBroken (notice_closed), Invalid.
func (e *Engine) FileObjection(ctx context.Context, actor, county string, noticeID int64, in ObjectionInput) (Objection, error) {
	in.Kind = strings.TrimSpace(in.Kind)
	if in.Kind == "" {
		in.Kind = KindObjection
	}
	if in.Kind != KindObjection && in.Kind != KindReport {
		return Objection{}, errs.F(errs.Invalid, "invalid_objection", "kind", "kind must be objection or report")
	}
	in.Name, in.Contact, in.Body = strings.TrimSpace(in.Name), strings.TrimSpace(in.Contact), strings.TrimSpace(in.Body)
	if in.Body == "" || utf8.RuneCountInString(in.Body) > 2000 {
		return Objection{}, errs.F(errs.Invalid, "invalid_objection", "body", "say what the objection is, in at most 2000 characters")
	}
	if utf8.RuneCountInString(in.Name) > 50 || utf8.RuneCountInString(in.Contact) > 50 {
		return Objection{}, errs.F(errs.Invalid, "invalid_objection", "contact", "name and contact have at most 50 characters each")
	}
	var out Objection
	err := e.db.Write(ctx, e.now(), func(tx *store.Tx) error {
		n, err := e.notice(ctx, tx, county, noticeID)
		if err != nil {
			return err
		}
		if !n.Running(clock.Day(tx.Now)) {
			return errs.F(errs.RuleBroken, "notice_closed", "notice", "the notice runs %s to %s: objections are taken during it", n.Starts, n.Ends)
		}
		it, err := e.item(ctx, tx, county, n.Item)
		if err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM wf_objections WHERE county = ?`, county).Scan(&id); err != nil {
			return errs.Wrap(err, "workflow: objection id")
		}
		check, err := newCheck()
		if err != nil {
			return err
		}
		days := in.ReplyDays
		if days <= 0 {
			days = DefaultReplyDays
		}
		role, level := answererOf(it)
		due := tx.Now.AddDate(0, 0, days)
		receipt := receiptOf(county, tx.Now, id, check)
		if _, err := tx.ExecContext(ctx, `INSERT INTO wf_objections (county, id, notice, kind, name, contact, body, filed_at, status, reply, replied_by, replied_at, receipt, place, answer_role, answer_level, due_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', '', '', 0, ?, ?, ?, ?, ?)`,
			county, id, noticeID, in.Kind, in.Name, in.Contact, in.Body, clock.Micros(tx.Now), receipt, string(it.Place), role, level, clock.Micros(due)); err != nil {
			return errs.Wrap(err, "workflow: objection")
		}
		out = Objection{County: county, ID: id, Notice: noticeID, Kind: in.Kind, Name: in.Name, Contact: in.Contact, Body: in.Body, FiledAt: tx.Now, Status: "open",
			Receipt: receipt, Place: it.Place, AnswerRole: role, AnswerLevel: level, DueAt: due}
		_, err = audit.Append(ctx, tx, audit.Entry{County: county, Actor: actor, Action: "workflow.objection", Object: fmt.Sprintf("objection %d to notice %d", id, noticeID),
			Place: string(n.Place), After: map[string]any{"kind": in.Kind, "body": ident.Scrub(in.Body)}})
		return err
	})
	return out, err
}

// Objection returns one objection. Errors: NotFound.
func (e *Engine) Objection(ctx context.Context, county string, id int64) (Objection, error) {
	o, err := scanObjection(county, e.db.QueryRowContext(ctx, `SELECT `+objectionCols+` FROM wf_objections WHERE county = ? AND id = ?`, county, id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, errs.F(errs.NotFound, "not_found", "objection", "no objection %d", id)
	}
	if err != nil {
		return o, errs.Wrap(err, "workflow: objection")
	}
	return o, nil
}

// Objections lists a notice's objections, oldest first.
func (e *Engine) Objections(ctx context.Context, county string, noticeID int64) ([]Objection, error) {
	rows, err := e.db.QueryContext(ctx, `SELECT `+objectionCols+` FROM wf_objections WHERE county = ? AND notice = ? ORDER BY id`, county, noticeID)
	if err != nil {
		return nil, errs.Wrap(err, "workflow: objections")
	}
	defer rows.Close()
	var out []Objection
	for rows.Next() {
		o, err := scanObjection(county, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// AnswerTx answers an open objection: upheld, the item goes back to its
// maker and the notice is withdrawn (a resubmitted item is noticed
// afresh); dismissed, with the reasons. Township and rural-revitalization
// staff who see the item answer. Errors: Forbidden, NotFound, RuleBroken
// (already_answered), Invalid (opinion_required).
func (e *Engine) AnswerTx(ctx context.Context, tx *store.Tx, p auth.Principal, county string, objectionID int64, upheld bool, reply string) (Objection, Item, error) {
	o, err := scanObjection(county, tx.QueryRowContext(ctx, `SELECT `+objectionCols+` FROM wf_objections WHERE county = ? AND id = ?`, county, objectionID))
	if errors.Is(err, sql.ErrNoRows) {
		return Objection{}, Item{}, errs.F(errs.NotFound, "not_found", "objection", "no objection %d", objectionID)
	}
	if err != nil {
		return Objection{}, Item{}, errs.Wrap(err, "workflow: objection")
	}
	n, err := e.notice(ctx, tx, county, o.Notice)
	if err != nil {
		return Objection{}, Item{}, err
	}
	it, err := e.item(ctx, tx, county, n.Item)
	if err != nil {
		return Objection{}, Item{}, err
	}
	if !p.Sees(it.Place) {
		return Objection{}, Item{}, auth.NotFound()
	}
	if p.Role != auth.RoleTownship && p.Role != auth.RoleRural {
		return Objection{}, Item{}, errs.F(errs.Forbidden, "forbidden", "", "objections are answered by the township or the rural-revitalization bureau")
	}
	if o.Status != "open" {
		return Objection{}, Item{}, errs.F(errs.RuleBroken, "already_answered", "", "objection %d was answered already (%s)", o.ID, o.Status)
	}
	reply = strings.TrimSpace(reply)
	if reply == "" {
		return Objection{}, Item{}, errs.F(errs.Invalid, "opinion_required", "reply", "give the reasons of the answer")
	}
	status := "dismissed"
	if upheld {
		status = "upheld"
	}
	if _, err := tx.ExecContext(ctx, `UPDATE wf_objections SET status = ?, reply = ?, replied_by = ?, replied_at = ? WHERE county = ? AND id = ?`,
		status, reply, p.Username, clock.Micros(tx.Now), county, o.ID); err != nil {
		return Objection{}, Item{}, errs.Wrap(err, "workflow: answer")
	}
	if _, err := audit.Append(ctx, tx, audit.Entry{County: county, Actor: p.Username, Action: "workflow.answer", Object: fmt.Sprintf("objection %d to notice %d", o.ID, n.ID),
		Place: string(it.Place), After: map[string]any{"status": status, "reply": reply}}); err != nil {
		return Objection{}, Item{}, err
	}
	if upheld && it.State == Pending && it.NoticeID == n.ID {
		if _, err := tx.ExecContext(ctx, `UPDATE wf_notices SET state = 'withdrawn' WHERE county = ? AND id = ?`, county, n.ID); err != nil {
			return Objection{}, Item{}, errs.Wrap(err, "workflow: withdraw")
		}
		if it, err = e.move(ctx, tx, p, it, "objection_upheld", 0, Decision{Opinion: reply}); err != nil {
			return Objection{}, Item{}, err
		}
	}
	o.Status, o.Reply, o.RepliedBy, o.RepliedAt = status, reply, p.Username, tx.Now
	return o, it, nil
}

// VoidNoticeTx withdraws the notice of an item whose subject changed after
// the notice was posted (what it showed is no longer true): the step
// after the notice then waits for a new notice. A no-op without a notice.
func (e *Engine) VoidNoticeTx(ctx context.Context, tx *store.Tx, actor, county string, id int64, reason string) error {
	it, err := e.item(ctx, tx, county, id)
	if err != nil || it.NoticeID == 0 {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE wf_notices SET state = 'withdrawn' WHERE county = ? AND id = ?`, county, it.NoticeID); err != nil {
		return errs.Wrap(err, "workflow: void notice")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE wf_items SET notice_id = 0, updated_at = ? WHERE county = ? AND id = ?`, clock.Micros(tx.Now), county, id); err != nil {
		return errs.Wrap(err, "workflow: void notice")
	}
	_, err = audit.Append(ctx, tx, audit.Entry{County: county, Actor: actor, Action: "workflow.notice_void", Object: fmt.Sprintf("notice %d of %s %s", it.NoticeID, it.Kind, it.Subject),
		Place: string(it.Place), After: map[string]any{"reason": reason}})
	return err
}
