package workflow

import (
	"context"
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

// PaperObjection is an objection received while a notice was held on
// paper, and how it was answered.
type PaperObjection struct {
	Kind   string // objection, report
	Body   string
	Upheld bool
	Reply  string
}

// PaperNotice is a notice already held on village boards, recorded after
// the fact.
type PaperNotice struct {
	Title, Body  string       // what the board showed (the title may be empty)
	Places       []place.Code // empty: the item's place
	Starts, Ends string       // YYYY-MM-DD, inclusive
	Photo        int64        // the volume file of the board's photo (checked by the caller)
	Objections   []PaperObjection
	Shown        string // as NoticeInput.Shown
}

// RecordPaperNoticeTx records a notice that was held on paper for an item
// waiting at a step that needs one. It satisfies the step exactly as an
// online notice that ran its days: its dates must cover the profile's
// minimum (minDays) and it must have ended; the objections received are
// recorded with their answers — an upheld one withdraws the notice and
// returns the item to its maker, as online. Township and county
// rural-revitalization staff who see the item record it. Errors:
// Forbidden, NotFound, RuleBroken (notice_not_due, notice_exists,
// notice_too_short, notice_not_over, frozen), Invalid (invalid_date,
// invalid_notice, invalid_objection, personal_data, photo_required).
func (e *Engine) RecordPaperNoticeTx(ctx context.Context, tx *store.Tx, p auth.Principal, county string, id int64, in PaperNotice, minDays int) (Notice, Item, error) {
	it, err := e.item(ctx, tx, county, id)
	if err != nil {
		return Notice{}, Item{}, err
	}
	if !p.Sees(it.Place) {
		return Notice{}, Item{}, auth.NotFound()
	}
	if p.Role != auth.RoleTownship && p.Role != auth.RoleRural {
		return Notice{}, Item{}, errs.F(errs.Forbidden, "forbidden", "", "notices are posted by the township or the rural-revitalization bureau")
	}
	if it.Frozen {
		return Notice{}, Item{}, errs.F(errs.RuleBroken, "frozen", "", "%s %s is frozen while it is audited", it.Kind, it.Subject)
	}
	cur, ok := it.Current()
	if !ok || it.State != Pending || !cur.NoticeBefore {
		return Notice{}, Item{}, errs.F(errs.RuleBroken, "notice_not_due", "", "%s %s is not at a step that needs a public notice", it.Kind, it.Subject)
	}
	if it.NoticeID != 0 {
		return Notice{}, Item{}, errs.F(errs.RuleBroken, "notice_exists", "", "the notice of %s %s is already posted (notice %d)", it.Kind, it.Subject, it.NoticeID)
	}
	in.Title, in.Body = strings.TrimSpace(in.Title), strings.TrimSpace(in.Body)
	if in.Title == "" {
		in.Title = it.Title + " 公示（纸质）"
	}
	if utf8.RuneCountInString(in.Title) > 200 {
		return Notice{}, Item{}, errs.F(errs.Invalid, "invalid_notice", "title", "a notice needs a title of at most 200 characters")
	}
	if in.Body == "" {
		in.Body = it.Title
	}
	if utf8.RuneCountInString(in.Body) > 20000 {
		return Notice{}, Item{}, errs.F(errs.Invalid, "invalid_notice", "body", "a notice needs a text of at most 20,000 characters")
	}
	if found := ident.ScanPersonalData(in.Title + "\n" + in.Body); len(found) > 0 {
		return Notice{}, Item{}, errs.F(errs.Invalid, "personal_data", "body", "a public notice must not contain personal data (%s)", strings.Join(found, ", "))
	}
	if _, err := time.ParseInLocation("2006-01-02", in.Starts, clock.Zone); err != nil {
		return Notice{}, Item{}, errs.F(errs.Invalid, "invalid_date", "starts", "start %q is not a date YYYY-MM-DD", in.Starts)
	}
	if _, err := time.ParseInLocation("2006-01-02", in.Ends, clock.Zone); err != nil {
		return Notice{}, Item{}, errs.F(errs.Invalid, "invalid_date", "ends", "end %q is not a date YYYY-MM-DD", in.Ends)
	}
	if in.Ends < in.Starts {
		return Notice{}, Item{}, errs.F(errs.Invalid, "invalid_date", "ends", "the notice ends (%s) before it starts (%s)", in.Ends, in.Starts)
	}
	today := clock.Day(tx.Now)
	if in.Ends >= today {
		return Notice{}, Item{}, errs.F(errs.RuleBroken, "notice_not_over", "ends", "a notice held on paper is recorded once it has ended: it ends %s, today is %s", in.Ends, today)
	}
	if n := days(in.Starts, in.Ends); n < minDays {
		return Notice{}, Item{}, errs.F(errs.RuleBroken, "notice_too_short", "ends", "the notice on paper ran %d days (%s to %s); the profile requires at least %d (公示期不少于%d天)", n, in.Starts, in.Ends, minDays, minDays)
	}
	if in.Photo <= 0 {
		return Notice{}, Item{}, errs.F(errs.Invalid, "photo_required", "photo", "a notice held on paper is recorded with a photo of the board")
	}
	if len(in.Places) == 0 {
		in.Places = []place.Code{it.Place}
	}
	var codes []string
	for i, pl := range in.Places {
		if !pl.Valid() || !place.Code(county+"000000").Contains(pl) {
			return Notice{}, Item{}, errs.F(errs.Invalid, "invalid_place", fmt.Sprintf("places[%d]", i), "place %q is not in county %s", pl, county)
		}
		codes = append(codes, string(pl))
	}
	upheld := false
	for i, o := range in.Objections {
		o.Kind, o.Body, o.Reply = strings.TrimSpace(o.Kind), strings.TrimSpace(o.Body), strings.TrimSpace(o.Reply)
		if o.Kind == "" {
			o.Kind = KindObjection
		}
		if o.Kind != KindObjection && o.Kind != KindReport {
			return Notice{}, Item{}, errs.F(errs.Invalid, "invalid_objection", fmt.Sprintf("objections[%d].kind", i), "kind must be objection or report")
		}
		if o.Body == "" || utf8.RuneCountInString(o.Body) > 2000 {
			return Notice{}, Item{}, errs.F(errs.Invalid, "invalid_objection", fmt.Sprintf("objections[%d].body", i), "say what the objection is, in at most 2000 characters")
		}
		if o.Reply == "" || utf8.RuneCountInString(o.Reply) > 2000 {
			return Notice{}, Item{}, errs.F(errs.Invalid, "opinion_required", fmt.Sprintf("objections[%d].reply", i), "say how the objection was answered, in at most 2000 characters")
		}
		in.Objections[i] = o
		upheld = upheld || o.Upheld
	}
	var nid int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM wf_notices WHERE county = ?`, county).Scan(&nid); err != nil {
		return Notice{}, Item{}, errs.Wrap(err, "workflow: notice id")
	}
	now := clock.Micros(tx.Now)
	state := "posted"
	if upheld {
		state = "withdrawn"
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO wf_notices (county, id, item, title, body, places, place, starts, ends, state, created_at, created_by, shown, paper, photo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
		county, nid, id, in.Title, in.Body, strings.Join(codes, ","), string(it.Place), in.Starts, in.Ends, state, now, p.Username, in.Shown, in.Photo); err != nil {
		return Notice{}, Item{}, errs.Wrap(err, "workflow: paper notice")
	}
	for _, o := range in.Objections {
		var oid int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM wf_objections WHERE county = ?`, county).Scan(&oid); err != nil {
			return Notice{}, Item{}, errs.Wrap(err, "workflow: objection id")
		}
		status := "dismissed"
		if o.Upheld {
			status = "upheld"
		}
		filed, _ := time.ParseInLocation("2006-01-02", in.Starts, clock.Zone)
		if _, err := tx.ExecContext(ctx, `INSERT INTO wf_objections (county, id, notice, kind, name, contact, body, filed_at, status, reply, replied_by, replied_at) VALUES (?, ?, ?, ?, '', '', ?, ?, ?, ?, ?, ?)`,
			county, oid, nid, o.Kind, o.Body, clock.Micros(filed), status, o.Reply, p.Username, now); err != nil {
			return Notice{}, Item{}, errs.Wrap(err, "workflow: paper objection")
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE wf_items SET notice_id = ?, updated_at = ? WHERE county = ? AND id = ?`, nid, now, county, id); err != nil {
		return Notice{}, Item{}, errs.Wrap(err, "workflow: notice")
	}
	scrubbed := make([]map[string]any, len(in.Objections))
	for i, o := range in.Objections {
		scrubbed[i] = map[string]any{"kind": o.Kind, "body": ident.Scrub(o.Body), "upheld": o.Upheld, "reply": o.Reply}
	}
	if _, err := audit.Append(ctx, tx, audit.Entry{County: county, Actor: p.Username, Action: "workflow.notice_paper", Object: fmt.Sprintf("notice %d of %s %s (held on paper)", nid, it.Kind, it.Subject),
		Place: string(it.Place), After: map[string]any{"recorded_after_the_fact": true, "title": in.Title, "places": codes, "starts": in.Starts, "ends": in.Ends,
			"days": days(in.Starts, in.Ends), "min_days": minDays, "photo": in.Photo, "objections": scrubbed, "state": state}}); err != nil {
		return Notice{}, Item{}, err
	}
	if it, err = e.item(ctx, tx, county, id); err != nil {
		return Notice{}, Item{}, err
	}
	if upheld {
		if it, err = e.move(ctx, tx, p, it, "objection_upheld", 0, Decision{Opinion: "纸质公示期间异议成立"}); err != nil {
			return Notice{}, Item{}, err
		}
	}
	n, err := e.notice(ctx, tx, county, nid)
	return n, it, err
}

// PaperOf reports whether a notice was held on paper, and its photo.
func (e *Engine) PaperOf(ctx context.Context, q store.Querier, county string, id int64) (paper bool, photo int64, err error) {
	var pp int
	if err := q.QueryRowContext(ctx, `SELECT paper, photo FROM wf_notices WHERE county = ? AND id = ?`, county, id).Scan(&pp, &photo); err != nil {
		return false, 0, errs.Wrap(err, "workflow: paper notice")
	}
	return pp != 0, photo, nil
}
