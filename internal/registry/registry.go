// Package registry is the households registry (M-20): households, their
// members and bank card, each year's poverty status, causes, income and
// expenses, and the leads (线索) a registry raises when one resident ID
// appears in two households or one card pays several.
//
// Sensitive fields — resident ID numbers, bank card numbers and the causes
// of poverty (illness, disability) — are stored only encrypted
// (AES-256-GCM under a key kept outside the database, see Keys), beside a
// keyed hash of the normalized value for look-ups and duplicate detection
// and a masked form for display. Reads return masked values; a clear value
// leaves the service only through Reveal (audited, for the roles that need
// it), CardInClear (for the payout file, audited by its caller) and the
// causes of Year and Screen (for the eligibility rules inside the server).
package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/ident"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
)

// A household's status in a year.
const (
	Poor        = "poor"                  // 贫困户（未脱贫）
	Exited      = "exited"                // 脱贫户
	Monitored   = "monitored"             // 监测户（防止返贫监测对象）
	Edge        = "edge"                  // 边缘易致贫户
	NonPoorAgri = "non_poor_agricultural" // 一般农户
	NonPoor     = "non_poor"              // 非贫困户
)

// Statuses lists every status.
var Statuses = []string{Poor, Exited, Monitored, Edge, NonPoorAgri, NonPoor}

// Causes lists the causes of poverty (致贫原因) a year may record.
var Causes = []string{"illness", "disability", "disaster", "accident", "schooling", "labour", "other"}

// Lead kinds and statuses.
const (
	LeadDuplicateID = "duplicate_id" // one resident ID in several households
	LeadSharedCard  = "shared_card"  // one bank card on several households

	LeadOpen       = "open"       // to be looked at
	LeadOverridden = "overridden" // a manager accepted it, with a reason
	LeadResolved   = "resolved"   // the records changed: fewer than two households left
)

// Member is a person of a household.
type Member struct {
	Seq        int    // 1, 2, … in the household's order
	Name       string // as given
	ResidentID string // input only (plain); never filled on reads
	IDMasked   string // e.g. 110*************21 (no birth-date digit)
	Relation   string // 户主, 配偶, 子女, 父母, 其他
	BirthYear  int    // from the ID number; the full birth date is never shown
	Alive      bool
}

// Card is the bank account the household's payments go to.
type Card struct {
	Holder, Bank string
	Number       string // input only (plain); never filled on reads
	Masked       string // e.g. 6222****0128
}

// Household is a registered household. Reads return it masked.
type Household struct {
	County    string
	Code      string
	Village   place.Code
	Head      string
	Members   []Member
	Card      Card
	UpdatedAt time.Time
	UpdatedBy string
	// Note is why a save changes the household (a member's date of
	// death, say): kept in the save's audit entry, not stored with it.
	Note string
}

// Year is a household's record for one year.
type Year struct {
	Household string
	Year      int
	Status    string
	Stable    bool     // stably out of poverty (稳定脱贫): only with status exited
	Causes    []string // in clear for callers inside the server; the web layer masks or hides them
	Income    money.Fen
	Expenses  money.Fen
	Members   int       // members alive (from the registry, not typed)
	PerCapita money.Fen // (Income − Expenses) ÷ Members, rounded down to the fen; 0 without a living member
}

// Lead is a possible duplicate for a person to look at.
type Lead struct {
	ID         int64
	Kind       string   // duplicate_id, shared_card
	Households []string // sorted codes
	Status     string   // open, overridden, resolved
	Reason     string   // why it was overridden
	DecidedBy  string
	CreatedAt  time.Time
}

// Service is the registry capability.
type Service struct {
	db   *store.DB
	keys *Keys
	now  clock.Clock
}

// New returns the service; now nil means the system clock.
func New(db *store.DB, keys *Keys, now clock.Clock) *Service {
	if now == nil {
		now = clock.System
	}
	return &Service{db: db, keys: keys, now: now}
}

// mayWrite: households are entered by village cadres, township officers and
// the rural-revitalization bureau.
func mayWrite(p auth.Principal) error {
	switch p.Role {
	case auth.RoleVillage, auth.RoleTownship, auth.RoleRural:
		return nil
	}
	return errs.F(errs.Forbidden, "forbidden", "", "households are entered by village cadres, township officers or the rural-revitalization bureau")
}

var codeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

const (
	maxMembers = 60
	maxName    = 50
)

// checkText trims a name-like value and refuses one that is empty (when
// required), too long, or holds an ID, card or phone number in clear.
func checkText(v *string, required bool, code, field, what string) error {
	*v = strings.TrimSpace(*v)
	switch {
	case *v == "" && required:
		return errs.F(errs.Invalid, code, field, "%s is required", what)
	case utf8.RuneCountInString(*v) > maxName:
		return errs.F(errs.Invalid, code, field, "%s: at most %d characters", what, maxName)
	case len(ident.ScanPersonalData(*v)) > 0:
		return errs.F(errs.Invalid, code, field, "%s holds an ID, card or phone number: enter it in its own field", what)
	}
	return nil
}

func checkVillage(county string, v place.Code) error {
	if !v.Valid() || v.Level() != place.Village || !place.Code(county+"000000").Contains(v) {
		return errs.F(errs.Invalid, "invalid_place", "village", "%q is not a village of county %s", v, county)
	}
	return nil
}

// identReason is the reason of an ident error, without its prefix
// ("ident: invalid resident ID: ").
func identReason(err error) string {
	s := strings.TrimPrefix(err.Error(), "ident: ")
	if _, after, ok := strings.Cut(s, ": "); ok {
		return after
	}
	return s
}

// check validates what does not need the stored record and normalizes h.
func check(county string, h *Household) error {
	h.Code = strings.TrimSpace(h.Code)
	if !codeRE.MatchString(h.Code) {
		return errs.F(errs.Invalid, "invalid_household", "code", "the household code is 1–32 letters, digits, '-' or '_'")
	}
	h.Village = place.Code(strings.TrimSpace(string(h.Village)))
	if err := checkVillage(county, h.Village); err != nil {
		return err
	}
	if err := checkText(&h.Head, true, "invalid_household", "head", "the head of household"); err != nil {
		return err
	}
	if len(h.Members) == 0 {
		return errs.F(errs.Invalid, "invalid_household", "members", "a household has at least one member")
	}
	if len(h.Members) > maxMembers {
		return errs.F(errs.Invalid, "invalid_household", "members", "at most %d members", maxMembers)
	}
	h.Members = append([]Member(nil), h.Members...)
	for i := range h.Members {
		m := &h.Members[i]
		f := func(x string) string { return fmt.Sprintf("members[%d].%s", i, x) }
		if err := checkText(&m.Name, true, "invalid_member", f("name"), "the name"); err != nil {
			return err
		}
		if m.ResidentID = ident.NormalizeResidentID(m.ResidentID); m.ResidentID != "" {
			if err := ident.ValidateResidentID(m.ResidentID); err != nil {
				return errs.F(errs.Invalid, "invalid_resident_id", f("resident_id"), "the resident ID is not valid: %s", identReason(err))
			}
		}
		if err := checkText(&m.Relation, true, "invalid_member", f("relation"), "the relation to the head"); err != nil {
			return err
		}
	}
	c := &h.Card
	c.Number = ident.NormalizeBankCard(c.Number)
	if err := checkText(&c.Holder, false, "invalid_card", "card.holder", "the account holder"); err != nil {
		return err
	}
	if err := checkText(&c.Bank, false, "invalid_card", "card.bank", "the bank"); err != nil {
		return err
	}
	if c.Number != "" {
		if _, err := ident.ValidateBankCard(c.Number); err != nil {
			return errs.F(errs.Invalid, "invalid_card", "card.number", "the card number is not valid: %s", identReason(err))
		}
	}
	if c.Number != "" || c.Masked != "" {
		if c.Holder == "" {
			return errs.F(errs.Invalid, "invalid_card", "card.holder", "name the account holder")
		}
		if c.Bank == "" {
			return errs.F(errs.Invalid, "invalid_card", "card.bank", "name the bank (开户行)")
		}
	} else if c.Holder != "" || c.Bank != "" {
		return errs.F(errs.Invalid, "invalid_card", "card.number", "the card number is required with a holder or bank")
	}
	return nil
}

// stored is a household as stored, with its sealed fields.
type stored struct {
	Household
	idEnc, idHash     []string // parallel to Members
	cardEnc, cardHash string
}

// record is a household ready to write: validated, sealed and hashed; its
// Household holds masked values only.
type record struct {
	h                 Household
	idEnc, idHash     []string
	cardEnc, cardHash string
	alive             int
}

// prepare seals a checked household. A member without ResidentID keeps
// the stored ID of the member with the same Seq and IDMasked, and a card
// without Number keeps the stored card with the same Masked: a form that
// edits a household read back masked does not lose its IDs and card.
func (s *Service) prepare(h Household, old *stored) (record, error) {
	r := record{h: h}
	r.h.Members = make([]Member, len(h.Members))
	seen := map[string]int{}
	for i, m := range h.Members {
		field := fmt.Sprintf("members[%d].resident_id", i)
		var enc, hash string
		if m.ResidentID != "" {
			var err error
			if enc, err = s.keys.Seal(m.ResidentID); err != nil {
				return r, err
			}
			hash = s.keys.Hash(m.ResidentID)
			m.IDMasked, m.BirthYear = shown(m.ResidentID)
		} else {
			found := false
			if old != nil && m.IDMasked != "" {
				for j, om := range old.Members {
					if om.Seq == m.Seq && om.IDMasked == m.IDMasked {
						enc, hash, m.BirthYear, found = old.idEnc[j], old.idHash[j], om.BirthYear, true
						break
					}
				}
			}
			if !found {
				return r, errs.F(errs.Invalid, "invalid_resident_id", field, "the resident ID is required")
			}
		}
		if j, dup := seen[hash]; dup {
			return r, errs.F(errs.Invalid, "duplicate_member", field, "the same resident ID as member %d (%s)", j+1, h.Members[j].Name)
		}
		seen[hash] = i
		m.Seq, m.ResidentID = i+1, ""
		r.h.Members[i] = m
		r.idEnc, r.idHash = append(r.idEnc, enc), append(r.idHash, hash)
		if m.Alive {
			r.alive++
		}
	}
	c := h.Card
	switch {
	case c.Number != "":
		enc, err := s.keys.Seal(c.Number)
		if err != nil {
			return r, err
		}
		r.cardEnc, r.cardHash, c.Masked = enc, s.keys.Hash(c.Number), ident.MaskBankCard(c.Number)
	case c.Masked != "":
		if old == nil || old.cardEnc == "" || old.Card.Masked != c.Masked {
			return r, errs.F(errs.Invalid, "invalid_card", "card.number", "the card number is required")
		}
		r.cardEnc, r.cardHash = old.cardEnc, old.cardHash
	}
	c.Number = ""
	r.h.Card = c
	if c.Masked != "" {
		ok := false
		for _, m := range r.h.Members {
			ok = ok || m.Name == c.Holder
		}
		if !ok {
			return r, errs.F(errs.RuleBroken, "card_holder_mismatch", "card.holder", "the account holder %s is not a member of the household", c.Holder)
		}
	}
	return r, nil
}

// Save creates or replaces a household with its members and card, in one
// transaction with an audit entry holding masked values only, and raises
// or updates the leads its IDs and card give: a member's ID in another
// household of the county (duplicate_id), the card on another household
// (shared_card). It returns the saved household (masked) and the leads it
// raised or touched. Errors: Forbidden, NotFound (a place outside p's
// subtree), Invalid (naming the field, e.g. members[1].resident_id),
// RuleBroken (card_holder_mismatch).
func (s *Service) Save(ctx context.Context, p auth.Principal, h Household) (Household, []Lead, error) {
	if err := mayWrite(p); err != nil {
		return Household{}, nil, err
	}
	if h.County != "" && h.County != p.County {
		return Household{}, nil, auth.NotFound()
	}
	county := p.County
	if err := check(county, &h); err != nil {
		return Household{}, nil, err
	}
	if !p.Sees(h.Village) {
		return Household{}, nil, auth.NotFound()
	}
	var leads []Lead
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		old, err := s.loadStored(ctx, tx, county, h.Code)
		if err != nil && !errs.Is(err, "unknown_household") {
			return err
		}
		if old != nil && !p.Sees(old.Village) {
			return auth.NotFound()
		}
		r, err := s.prepare(h, old)
		if err != nil {
			return err
		}
		if leads, err = s.writeTx(ctx, tx, p.Username, county, r, old); err != nil {
			return err
		}
		after := auditView(r.h, r.idHash, leads)
		after.Note = strings.TrimSpace(h.Note)
		e := audit.Entry{County: county, Actor: p.Username, Action: "registry.save", Object: "household " + h.Code, Place: string(h.Village), After: after}
		if old != nil {
			e.Before = auditView(old.Household, old.idHash, nil)
		}
		_, err = audit.Append(ctx, tx, e)
		return err
	})
	if err != nil {
		return Household{}, nil, err
	}
	out, err := s.Household(ctx, county, h.Code)
	if err != nil {
		return out, nil, err
	}
	leads, err = s.visibleLeads(ctx, p, leads)
	return out, leads, err
}

// visibleLeads keeps the leads all of whose households p sees: a lead
// that reaches outside p's area is the upper level's, and naming its
// other household would tell p where an ID is registered.
func (s *Service) visibleLeads(ctx context.Context, p auth.Principal, leads []Lead) ([]Lead, error) {
	var out []Lead
	for _, l := range leads {
		vils, err := leadVillages(ctx, s.db, p.County, l.ID)
		if err != nil {
			return nil, err
		}
		ok := true
		for _, v := range vils {
			ok = ok && p.Sees(v)
		}
		if ok {
			out = append(out, l)
		}
	}
	return out, nil
}

// auditMember and auditHousehold are what the audit log keeps of a
// household: masked values only.
type auditMember struct {
	Seq        int    `json:"seq"`
	Name       string `json:"name"`
	ResidentID string `json:"resident_id_ref"` // the first 12 hex of the ID's keyed hash: tells a change, shows no digit
	Relation   string `json:"relation"`
	Alive      bool   `json:"alive"`
}

type auditHousehold struct {
	Note       string        `json:"note,omitempty"`
	Code       string        `json:"code"`
	Village    string        `json:"village"`
	Head       string        `json:"head"`
	Members    []auditMember `json:"members"`
	CardHolder string        `json:"card_holder,omitempty"`
	CardBank   string        `json:"card_bank,omitempty"`
	Card       string        `json:"card,omitempty"` // masked
	Leads      []int64       `json:"leads,omitempty"`
}

func auditView(h Household, idHash []string, leads []Lead) auditHousehold {
	a := auditHousehold{Code: h.Code, Village: string(h.Village), Head: h.Head, CardHolder: h.Card.Holder, CardBank: h.Card.Bank, Card: h.Card.Masked}
	for i, m := range h.Members {
		ref := ""
		if i < len(idHash) && len(idHash[i]) >= 12 {
			ref = idHash[i][:12]
		}
		a.Members = append(a.Members, auditMember{m.Seq, m.Name, ref, m.Relation, m.Alive})
	}
	for _, l := range leads {
		a.Leads = append(a.Leads, l.ID)
	}
	return a
}

// writeTx stores a prepared household and brings the leads of its old and
// new IDs and cards up to date; it returns the leads that exist for them.
func (s *Service) writeTx(ctx context.Context, tx *store.Tx, actor, county string, r record, old *stored) ([]Lead, error) {
	h := r.h
	at := clock.Micros(tx.Now)
	if _, err := tx.ExecContext(ctx, `INSERT INTO reg_households (county, code, village, head, card_holder, card_bank, card_enc, card_hash, card_mask, members_alive, created_at, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (county, code) DO UPDATE SET village = excluded.village, head = excluded.head, card_holder = excluded.card_holder, card_bank = excluded.card_bank,
			card_enc = excluded.card_enc, card_hash = excluded.card_hash, card_mask = excluded.card_mask, members_alive = excluded.members_alive,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		county, h.Code, string(h.Village), h.Head, h.Card.Holder, h.Card.Bank, r.cardEnc, r.cardHash, h.Card.Masked, r.alive, at, at, actor); err != nil {
		return nil, errs.Wrap(err, "registry: save household")
	}
	// A new household has no members and no years yet: nothing to
	// replace (an import of 100,000 households saves two statements each).
	if old != nil {
		if _, err := tx.ExecContext(ctx, `DELETE FROM reg_members WHERE county = ? AND household = ?`, county, h.Code); err != nil {
			return nil, errs.Wrap(err, "registry: save members")
		}
	}
	if len(h.Members) > 0 {
		// id_mask and birth stay empty: both are derived from the sealed
		// ID at read time (see shown), so the database holds neither in
		// clear. All members in one statement.
		vals := make([]string, len(h.Members))
		args := make([]any, 0, 8*len(h.Members))
		for i, m := range h.Members {
			vals[i] = "(?, ?, ?, ?, ?, ?, '', ?, '', ?)"
			args = append(args, county, h.Code, m.Seq, m.Name, r.idEnc[i], r.idHash[i], m.Relation, boolInt(m.Alive))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO reg_members (county, household, seq, name, id_enc, id_hash, id_mask, relation, birth, alive) VALUES `+strings.Join(vals, ", "), args...); err != nil {
			return nil, errs.Wrap(err, "registry: save members")
		}
	}
	if old != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE reg_years SET village = ?, members_alive = ? WHERE county = ? AND household = ?`, string(h.Village), r.alive, county, h.Code); err != nil {
			return nil, errs.Wrap(err, "registry: update years")
		}
	}
	ids := append([]string(nil), r.idHash...)
	cards := []string{r.cardHash}
	if old != nil {
		ids = append(ids, old.idHash...)
		cards = append(cards, old.cardHash)
	}
	var leads []Lead
	for _, k := range []struct {
		kind   string
		hashes []string
	}{{LeadDuplicateID, ids}, {LeadSharedCard, cards}} {
		hashes := uniq(k.hashes)
		// One look-up finds the hashes another household holds too, or
		// that a lead names: only those need their lead brought up to date
		// (a new household with its own IDs and card costs two queries).
		busy, err := sharedHashes(ctx, tx, county, k.kind, hashes, h.Code, old != nil)
		if err != nil {
			return nil, err
		}
		for _, hash := range hashes {
			if !busy[hash] {
				continue
			}
			l, changed, err := syncLead(ctx, tx, county, k.kind, hash)
			if err != nil {
				return nil, err
			}
			if l != nil && (changed || l.Status != LeadResolved) {
				leads = append(leads, *l)
			}
		}
	}
	return leads, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// uniq returns the sorted distinct non-empty strings of xs.
func uniq(xs []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range xs {
		if x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

// loadStored reads a household with its sealed fields. Errors: NotFound
// (unknown_household).
func (s *Service) loadStored(ctx context.Context, q store.Querier, county, code string) (*stored, error) {
	st := &stored{}
	h := &st.Household
	h.County, h.Code = county, code
	var vil string
	var at int64
	var alive int
	err := q.QueryRowContext(ctx, `SELECT village, head, card_holder, card_bank, card_enc, card_hash, card_mask, members_alive, updated_at, updated_by
		FROM reg_households WHERE county = ? AND code = ?`, county, code).
		Scan(&vil, &h.Head, &h.Card.Holder, &h.Card.Bank, &st.cardEnc, &st.cardHash, &h.Card.Masked, &alive, &at, &h.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.F(errs.NotFound, "unknown_household", "household", "no household %s", code)
	}
	if err != nil {
		return nil, errs.Wrap(err, "registry: read household")
	}
	h.Village, h.UpdatedAt = place.Code(vil), clock.FromMicros(at)
	rows, err := q.QueryContext(ctx, `SELECT seq, name, id_enc, id_hash, relation, alive FROM reg_members WHERE county = ? AND household = ? ORDER BY seq`, county, code)
	if err != nil {
		return nil, errs.Wrap(err, "registry: read members")
	}
	defer rows.Close()
	for rows.Next() {
		var m Member
		var enc, hash string
		var a int
		if err := rows.Scan(&m.Seq, &m.Name, &enc, &hash, &m.Relation, &a); err != nil {
			return nil, errs.Wrap(err, "registry: read members")
		}
		m.Alive = a != 0
		var err error
		if m.IDMasked, m.BirthYear, err = s.shownSealed(enc); err != nil {
			return nil, err
		}
		h.Members = append(h.Members, m)
		st.idEnc, st.idHash = append(st.idEnc, enc), append(st.idHash, hash)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "registry: read members")
	}
	return st, nil
}

// Household returns a household, masked. Errors: NotFound
// (unknown_household).
func (s *Service) Household(ctx context.Context, county, code string) (Household, error) {
	st, err := s.loadStored(ctx, s.db, county, code)
	if err != nil {
		return Household{}, err
	}
	return st.Household, nil
}

// Households lists the households of villages under prefix (a division
// code prefix; "" for the whole county) by village and code, with their
// members, masked, one page of at most limit (default 100, at most 1000)
// from offset, and the total count.
func (s *Service) Households(ctx context.Context, county, prefix string, limit, offset int) ([]Household, int, error) {
	return s.List(ctx, county, HouseholdFilter{Prefix: prefix, Limit: limit, Offset: offset})
}

// HouseholdFilter selects a page of the households list.
type HouseholdFilter struct {
	Prefix  string     // the viewer's subtree (division code prefix; "" whole county)
	Village place.Code // one village (inside Prefix), or all
	// Year and Status: households with a record of that year (of that
	// status when Status is set). Status without Year is the county's
	// current year, given by the caller.
	Year   int
	Status string
	// Q searches: digits are a household code prefix, anything else a
	// part of the head of household's name.
	Q             string
	Limit, Offset int
	// CountCap > 0 counts at most CountCap+1 households (meaning "more
	// than CountCap"): a page of a county's 200,000 need not count them all.
	CountCap int
}

// householdsFrom is the list's tables, condition and arguments (for the
// page and its count), read in the list's order (village, code): the
// subtree and village as a range on reg_households_list, which carries the
// head's name so that a name search reads the index alone; a status
// filter as a range on reg_years_status (the year's households of that
// status inside the place); the code prefix on the primary key.
//
// counted is the tables the count needs: the year's records alone when
// the filter is a status and no search.
func householdsFrom(county string, f HouseholdFilter) (from, counted, where, order string, args []any) {
	lo, hi := place.Range(f.Prefix)
	if f.Village != "" {
		lo, hi = max(lo, string(f.Village)), min(hi, string(f.Village))
	}
	from, where, order = `reg_households h`, `h.county = ? AND h.village BETWEEN ? AND ?`, `h.village, h.code`
	args = []any{county, lo, hi}
	if f.Year > 0 && f.Status != "" {
		from = `reg_years y JOIN reg_households h ON h.county = y.county AND h.code = y.household`
		where = `y.county = ? AND y.year = ? AND y.status = ? AND y.village BETWEEN ? AND ?`
		order = `y.village, y.household` // the same order: reg_years keeps the village
		args = []any{county, f.Year, f.Status, lo, hi}
	}
	if q := strings.NewReplacer("%", "", "_", "").Replace(strings.TrimSpace(f.Q)); q != "" {
		if strings.Trim(q, "0123456789") == "" {
			// A prefix as a range of the primary key (UTF-8 byte order,
			// PostgreSQL's C collation): LIKE could use no index.
			where += ` AND h.code >= ? AND h.code < ?`
			args = append(args, q, q+"\U0010FFFF")
		} else {
			where += ` AND h.head LIKE ?`
			args = append(args, "%"+q+"%")
		}
	}
	counted = from
	if f.Year > 0 && f.Status != "" && !strings.Contains(where, "h.") {
		counted = `reg_years y`
	}
	if f.Year > 0 && f.Status == "" {
		where += ` AND EXISTS (SELECT 1 FROM reg_years y WHERE y.county = h.county AND y.year = ? AND y.household = h.code)`
		args = append(args, f.Year)
	}
	return from, counted, where, order, args
}

// List is one page of the households matching f, with the total count.
func (s *Service) List(ctx context.Context, county string, f HouseholdFilter) ([]Household, int, error) {
	limit, offset := f.Limit, f.Offset
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	offset = max(offset, 0)
	from, counted, where, order, args := householdsFrom(county, f)
	var total int
	count := `SELECT COUNT(*) FROM ` + counted + ` WHERE ` + where
	if f.CountCap > 0 {
		count = fmt.Sprintf(`SELECT COUNT(*) FROM (SELECT 1 FROM %s WHERE %s LIMIT %d) c`, counted, where, f.CountCap+1)
	}
	if err := s.db.QueryRowContext(ctx, count, args...).Scan(&total); err != nil {
		return nil, 0, errs.Wrap(err, "registry: count households")
	}
	rows, err := s.db.QueryContext(ctx, fmt.Sprintf(`SELECT h.code, h.village, h.head, h.card_holder, h.card_bank, h.card_mask, h.updated_at, h.updated_by
		FROM `+from+` WHERE `+where+` ORDER BY `+order+` LIMIT %d OFFSET %d`, limit, offset), args...)
	if err != nil {
		return nil, 0, errs.Wrap(err, "registry: list households")
	}
	out := []Household{}
	at := map[string]int{}
	for rows.Next() {
		h := Household{County: county}
		var vil string
		var ts int64
		if err := rows.Scan(&h.Code, &vil, &h.Head, &h.Card.Holder, &h.Card.Bank, &h.Card.Masked, &ts, &h.UpdatedBy); err != nil {
			rows.Close()
			return nil, 0, errs.Wrap(err, "registry: list households")
		}
		h.Village, h.UpdatedAt = place.Code(vil), clock.FromMicros(ts)
		at[h.Code] = len(out)
		out = append(out, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, errs.Wrap(err, "registry: list households")
	}
	if len(out) == 0 {
		return out, total, nil
	}
	args = []any{county}
	marks := make([]string, len(out))
	for i, h := range out {
		args, marks[i] = append(args, h.Code), "?"
	}
	rows, err = s.db.QueryContext(ctx, `SELECT household, seq, name, id_enc, relation, alive FROM reg_members
		WHERE county = ? AND household IN (`+strings.Join(marks, ",")+`) ORDER BY household, seq`, args...)
	if err != nil {
		return nil, 0, errs.Wrap(err, "registry: list members")
	}
	defer rows.Close()
	for rows.Next() {
		var code, enc string
		var m Member
		var a int
		if err := rows.Scan(&code, &m.Seq, &m.Name, &enc, &m.Relation, &a); err != nil {
			return nil, 0, errs.Wrap(err, "registry: list members")
		}
		m.Alive = a != 0
		if m.IDMasked, m.BirthYear, err = s.shownSealed(enc); err != nil {
			return nil, 0, err
		}
		h := &out[at[code]]
		h.Members = append(h.Members, m)
	}
	return out, total, rows.Err()
}

// shown is what a page may show of a resident ID: its mask (no birth-date
// digit) and the birth year. Neither is stored: both are derived from the
// sealed ID on every read.
func shown(id string) (mask string, birthYear int) {
	if b, err := ident.ResidentIDBirth(id); err == nil {
		birthYear = b.Year()
	}
	return ident.MaskResidentID(id), birthYear
}

// shownSealed opens a sealed ID and returns what may be shown of it.
func (s *Service) shownSealed(enc string) (string, int, error) {
	id, err := s.keys.Open(enc)
	if err != nil {
		return "", 0, err
	}
	mask, year := shown(id)
	return mask, year, nil
}

// ScrubClearColumns empties the id_mask and birth columns of members
// written before they were derived at read time (so a copy of the database
// without the key holds no mask and no birth date), and returns how many
// rows it changed; serve and the demo run it at start (a no-op once done).
// On SQLite the freed bytes are zeroed (secure_delete) so they do not
// linger in the file's free space; on PostgreSQL the old row versions go
// at the next VACUUM.
func (s *Service) ScrubClearColumns(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		if s.db.Dialect == store.SQLite {
			if _, err := tx.ExecContext(ctx, `PRAGMA secure_delete = ON`); err != nil {
				return errs.Wrap(err, "registry: secure_delete")
			}
			defer tx.ExecContext(ctx, `PRAGMA secure_delete = OFF`)
		}
		res, err := tx.ExecContext(ctx, `UPDATE reg_members SET id_mask = '', birth = '' WHERE id_mask <> '' OR birth <> ''`)
		if err != nil {
			return errs.Wrap(err, "registry: scrub clear columns")
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
