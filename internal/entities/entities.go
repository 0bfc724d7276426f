// Package entities is the register of business entities (经营主体, M-21):
// village collective economic organizations, leading enterprises,
// cooperatives, family farms and agricultural parks, each with its
// unified social credit code (checked, unique per county), legal
// representative, bank account, place and ledger account; the fiscal
// money invested in it, read from the ledger (payments from project
// accounts to its account, per project and channel); and the households
// it drives (带动, M-23) with their yearly income effect.
//
// The legal representative's ID number and the bank account number are
// sealed with the registry's keys (registry.Keys: the same AES-256-GCM
// key and keyed hash), stored beside their masked form; reads return the
// masks, and a clear value leaves the service only through Reveal
// (audited). Authorization is by role (auth) and by place: an entity
// outside the principal's subtree is exactly not found.
package entities

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/ident"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/registry"
	"onepool/internal/store"
)

// The kinds of entity.
const (
	Collective  = "collective"  // 村集体经济组织 (its ledger account is of kind collective)
	Leading     = "leading"     // 龙头企业
	Cooperative = "cooperative" // 农民专业合作社
	FamilyFarm  = "family_farm" // 家庭农场
	Park        = "park"        // 农业园区
)

// Kinds lists every kind, in display order.
var Kinds = []string{Collective, Leading, Cooperative, FamilyFarm, Park}

// KindNames are the kinds' Chinese names (the import accepts them too).
var KindNames = map[string]string{Collective: "村集体经济组织", Leading: "龙头企业", Cooperative: "农民专业合作社", FamilyFarm: "家庭农场", Park: "农业园区"}

// The ways an entity drives a household (利益联结方式).
const (
	Employment   = "employment"    // 务工就业
	LandTransfer = "land_transfer" // 土地流转
	Equity       = "equity"        // 入股分红
	Order        = "order"         // 订单收购
	Trusteeship  = "trusteeship"   // 托管服务
)

// LinkTypes lists every link type, in display order.
var LinkTypes = []string{Employment, LandTransfer, Equity, Order, Trusteeship}

// LinkTypeNames are the link types' Chinese names (the import accepts them too).
var LinkTypeNames = map[string]string{Employment: "务工就业", LandTransfer: "土地流转", Equity: "入股分红", Order: "订单收购", Trusteeship: "托管服务"}

// Bank is an entity's bank account.
type Bank struct {
	Holder, Bank string
	Number       string // input only (plain); never filled on reads
	Masked       string // e.g. 6222****0128
}

// Entity is a business entity. Reads return it masked.
type Entity struct {
	County               string
	USCC                 string
	Kind                 string
	Name                 string
	Place                place.Code
	Account              string // its ledger account; on create, an existing account to link ("" opens one)
	LegalRep             string // the legal representative's name
	RepID                string // their resident ID: input only (plain), optional
	RepIDMasked          string
	Bank                 Bank
	Households           int // households driven now (distinct, live links), on reads
	CreatedBy, UpdatedBy string
	UpdatedAt            time.Time
}

// AccountKind is the ledger account kind of an entity of kind k.
func AccountKind(k string) ledger.AccountKind {
	if k == Collective {
		return ledger.Collective
	}
	return ledger.Entity
}

// AccountCode is the code of the ledger account opened for a new entity
// (ent:USCC, col:USCC for a village collective).
func AccountCode(kind, uscc string) string {
	if kind == Collective {
		return "col:" + uscc
	}
	return "ent:" + uscc
}

// Service is the entities capability.
type Service struct {
	db   *store.DB
	l    *ledger.Ledger
	reg  *registry.Service
	keys *registry.Keys
	now  clock.Clock
	// counties: the profile's linkage threshold (UsePolicy); nil: the default.
	counties *policy.Counties
}

// New returns the service; now nil means the system clock.
func New(db *store.DB, l *ledger.Ledger, reg *registry.Service, keys *registry.Keys, now clock.Clock) *Service {
	if now == nil {
		now = clock.System
	}
	return &Service{db: db, l: l, reg: reg, keys: keys, now: now}
}

// mayWrite: entities are registered by village cadres, township officers
// and the rural-revitalization bureau (the web layer checks the action;
// this is the service's own guard for other callers).
func mayWrite(p auth.Principal) error {
	switch p.Role {
	case auth.RoleVillage, auth.RoleTownship, auth.RoleRural:
		return nil
	}
	return errs.F(errs.Forbidden, "forbidden", "", "entities are registered by village cadres, township officers or the rural-revitalization bureau")
}

const maxName = 100

// checkName trims a name and refuses one that is empty (when required),
// too long, or holds an ID, card or phone number in clear.
func checkName(v *string, required bool, field, what string) error {
	return CheckText(v, required, field, what, "invalid_entity", maxName)
}

// CheckText is the one check of a free-text field (entities', agreements'):
// it trims v and refuses it, with code, when it is empty (and required),
// longer than maxLen characters, or holds an ID, card or phone number in
// clear (those have fields of their own, sealed).
func CheckText(v *string, required bool, field, what, code string, maxLen int) error {
	*v = strings.TrimSpace(*v)
	switch {
	case *v == "" && required:
		return errs.F(errs.Invalid, code, field, "%s is required", what)
	case utf8.RuneCountInString(*v) > maxLen:
		return errs.F(errs.Invalid, code, field, "%s: at most %d characters", what, maxLen)
	case len(ident.ScanPersonalData(*v)) > 0:
		return errs.F(errs.Invalid, code, field, "%s holds an ID, card or phone number: enter it in its own field", what)
	}
	return nil
}

// identReason is the reason of an ident error, without its prefix.
func identReason(err error) string {
	s := strings.TrimPrefix(err.Error(), "ident: ")
	if _, after, ok := strings.Cut(s, ": "); ok {
		return after
	}
	return s
}

// CheckUSCC normalizes and checks a unified social credit code.
func CheckUSCC(v string) (string, error) {
	u := ident.NormalizeUSCC(v)
	if u == "" {
		return "", errs.F(errs.Invalid, "invalid_uscc", "uscc", "the unified social credit code is required")
	}
	if err := ident.ValidateUSCC(u); err != nil {
		return u, errs.F(errs.Invalid, "invalid_uscc", "uscc", "the unified social credit code is not valid: %s", identReason(err))
	}
	return u, nil
}

// normBank is an account number without spaces and hyphens.
func normBank(s string) string { return ident.NormalizeBankCard(s) }

// check validates what does not need the database and normalizes e.
func check(p auth.Principal, county string, e *Entity) error {
	var err error
	if e.USCC, err = CheckUSCC(e.USCC); err != nil {
		return err
	}
	if !slices.Contains(Kinds, e.Kind) {
		return errs.F(errs.Invalid, "invalid_entity", "kind", "the kind must be one of %s", strings.Join(Kinds, ", "))
	}
	if err := checkName(&e.Name, true, "name", "the name"); err != nil {
		return err
	}
	pl, perr := place.Parse(strings.TrimSpace(string(e.Place)))
	if perr != nil || !place.Code(county+"000000").Contains(pl) {
		return errs.F(errs.Invalid, "invalid_place", "place", "%q is not a place of county %s", e.Place, county)
	}
	e.Place = pl
	if e.Kind == Collective && pl.Level() != place.Village {
		return errs.F(errs.Invalid, "invalid_place", "place", "a village collective economic organization belongs to a village")
	}
	if !p.Sees(pl) {
		return errs.F(errs.Forbidden, "outside_area", "place", "place %s is outside your area", pl)
	}
	if err := checkName(&e.LegalRep, true, "legal_rep", "the legal representative"); err != nil {
		return err
	}
	if e.RepID = ident.NormalizeResidentID(e.RepID); e.RepID != "" {
		if err := ident.ValidateResidentID(e.RepID); err != nil {
			return errs.F(errs.Invalid, "invalid_resident_id", "rep_id", "the resident ID is not valid: %s", identReason(err))
		}
	}
	if err := checkName(&e.Bank.Holder, false, "bank_holder", "the account holder"); err != nil {
		return err
	}
	if err := checkName(&e.Bank.Bank, false, "bank", "the bank"); err != nil {
		return err
	}
	if e.Bank.Number = normBank(e.Bank.Number); e.Bank.Number != "" {
		if strings.Trim(e.Bank.Number, "0123456789") != "" || len(e.Bank.Number) < 8 || len(e.Bank.Number) > 32 {
			return errs.F(errs.Invalid, "invalid_bank_account", "bank_account", "the bank account number is 8–32 digits")
		}
		if e.Bank.Holder == "" {
			return errs.F(errs.Invalid, "invalid_bank_account", "bank_holder", "name the holder of the bank account")
		}
		if e.Bank.Bank == "" {
			return errs.F(errs.Invalid, "invalid_bank_account", "bank", "name the bank of the account")
		}
	}
	e.Account = strings.TrimSpace(e.Account)
	return nil
}

// stored is an entity row as stored.
type stored struct {
	Entity
	repEnc, repHash, bankEnc, bankHash string
}

const entityCols = `uscc, kind, name, place, account, legal_rep, rep_id_enc, rep_id_hash, rep_id_mask, bank_holder, bank, bank_enc, bank_hash, bank_mask, created_by, updated_at, updated_by`

func scanStored(county string, sc interface{ Scan(...any) error }) (stored, error) {
	var s stored
	var pl string
	var ts int64
	err := sc.Scan(&s.USCC, &s.Kind, &s.Name, &pl, &s.Account, &s.LegalRep, &s.repEnc, &s.repHash, &s.RepIDMasked,
		&s.Bank.Holder, &s.Bank.Bank, &s.bankEnc, &s.bankHash, &s.Bank.Masked, &s.CreatedBy, &ts, &s.UpdatedBy)
	s.County, s.Place, s.UpdatedAt = county, place.Code(pl), clock.FromMicros(ts)
	return s, err
}

func (s *Service) load(ctx context.Context, q store.Querier, county, uscc string) (stored, error) {
	st, err := scanStored(county, q.QueryRowContext(ctx, `SELECT `+entityCols+` FROM ent_entities WHERE county = ? AND uscc = ?`, county, uscc))
	if errors.Is(err, sql.ErrNoRows) {
		return stored{}, errs.F(errs.NotFound, "unknown_entity", "uscc", "no such entity")
	}
	if err != nil {
		return stored{}, errs.Wrap(err, "entities: read")
	}
	return st, nil
}

// get is an entity p may see: one outside p's subtree is exactly as
// missing.
func (s *Service) get(ctx context.Context, q store.Querier, p auth.Principal, uscc string) (stored, error) {
	st, err := s.load(ctx, q, p.County, ident.NormalizeUSCC(uscc))
	if err != nil {
		return stored{}, err
	}
	if !p.Sees(st.Place) {
		return stored{}, errs.F(errs.NotFound, "unknown_entity", "uscc", "no such entity")
	}
	return st, nil
}

// Get returns an entity (masked) with the number of households it drives.
// Errors: NotFound (unknown_entity, also for one outside p's area).
func (s *Service) Get(ctx context.Context, p auth.Principal, uscc string) (Entity, error) {
	st, err := s.get(ctx, s.db, p, uscc)
	if err != nil {
		return Entity{}, err
	}
	e := st.Entity
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT household) FROM ent_links WHERE county = ? AND entity = ? AND ended = ''`, p.County, e.USCC).Scan(&e.Households); err != nil {
		return Entity{}, errs.Wrap(err, "entities: count links")
	}
	return e, nil
}

// seal fills the sealed, hashed and masked forms of e's sensitive fields.
func (s *Service) seal(e Entity, st *stored) error {
	var err error
	if e.RepID != "" {
		if st.repEnc, err = s.keys.Seal(e.RepID); err != nil {
			return err
		}
		st.repHash, st.RepIDMasked = s.keys.Hash(e.RepID), ident.MaskResidentID(e.RepID)
	}
	if e.Bank.Number != "" {
		if st.bankEnc, err = s.keys.Seal(e.Bank.Number); err != nil {
			return err
		}
		st.bankHash, st.Bank.Masked = s.keys.Hash(e.Bank.Number), ident.MaskBankCard(e.Bank.Number)
	}
	return nil
}

// shown is what an audit entry and a read may show of an entity.
func shown(e Entity) map[string]any {
	return map[string]any{"uscc": e.USCC, "kind": e.Kind, "name": e.Name, "place": e.Place, "account": e.Account, "legal_rep": e.LegalRep,
		"rep_id": e.RepIDMasked, "bank_holder": e.Bank.Holder, "bank": e.Bank.Bank, "bank_account": e.Bank.Masked}
}

// prepare checks a new entity against the database inside tx and returns
// the row to insert and the account to open (nil when an existing one is
// linked). A USCC already registered with the same content is a replay
// (replayed true, the stored entity returned).
func (s *Service) prepare(ctx context.Context, tx *store.Tx, p auth.Principal, e Entity) (st stored, open *ledger.NewAccount, replayed bool, err error) {
	if err := check(p, p.County, &e); err != nil {
		return stored{}, nil, false, err
	}
	st.Entity = e
	if err := s.seal(e, &st); err != nil {
		return stored{}, nil, false, err
	}
	st.RepID, st.Bank.Number = "", ""
	old, err := s.load(ctx, tx, p.County, e.USCC)
	switch {
	case err == nil:
		same := old.Kind == e.Kind && old.Name == e.Name && old.Place == e.Place && old.LegalRep == e.LegalRep &&
			old.repHash == st.repHash && old.bankHash == st.bankHash && old.Bank.Holder == e.Bank.Holder && old.Bank.Bank == e.Bank.Bank &&
			(e.Account == "" || e.Account == old.Account)
		if same && p.Sees(old.Place) {
			return old, nil, true, nil
		}
		// The code is a public register's number: saying it is taken
		// tells nothing about where or whose.
		return stored{}, nil, false, errs.F(errs.Conflict, "entity_exists", "uscc", "the unified social credit code %s is already registered in the county", e.USCC)
	case errs.KindOf(err) != errs.NotFound:
		return stored{}, nil, false, err
	}
	kind := AccountKind(e.Kind)
	if e.Account == "" {
		st.Account = AccountCode(e.Kind, e.USCC)
		open = &ledger.NewAccount{Code: st.Account, Kind: kind, Name: e.Name, Owner: e.Name, Place: e.Place, NoOverdraft: true}
		if a, err := s.l.AccountTx(ctx, tx, p.County, st.Account); err == nil {
			// Opened before (by hand, or by a refused run): link it if it fits.
			if a.Kind != kind || a.Place != e.Place {
				return stored{}, nil, false, errs.F(errs.Conflict, "account_exists", "account", "account %s exists with another kind or place", st.Account)
			}
			open = nil
		}
	} else {
		a, err := s.l.AccountTx(ctx, tx, p.County, e.Account)
		if err != nil || !p.Sees(a.Place) {
			return stored{}, nil, false, errs.F(errs.NotFound, "unknown_account", "account", "account %q does not exist", e.Account)
		}
		if a.Kind != kind {
			return stored{}, nil, false, errs.F(errs.Invalid, "invalid_account", "account", "account %s is of kind %s; this entity needs one of kind %s", a.Code, a.Kind, kind)
		}
		if a.Place != e.Place {
			return stored{}, nil, false, errs.F(errs.Invalid, "invalid_account", "account", "account %s is at place %s, the entity at %s", a.Code, a.Place, e.Place)
		}
	}
	var other string
	err = tx.QueryRowContext(ctx, `SELECT uscc FROM ent_entities WHERE county = ? AND account = ?`, p.County, st.Account).Scan(&other)
	if err == nil {
		return stored{}, nil, false, errs.F(errs.Conflict, "account_linked", "account", "account %s is already the account of entity %s", st.Account, other)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return stored{}, nil, false, errs.Wrap(err, "entities: account")
	}
	return st, open, false, nil
}

func (s *Service) insert(ctx context.Context, tx *store.Tx, p auth.Principal, st stored, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO ent_entities (county, `+entityCols+`, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.County, st.USCC, st.Kind, st.Name, string(st.Place), st.Account, st.LegalRep, st.repEnc, st.repHash, st.RepIDMasked,
		st.Bank.Holder, st.Bank.Bank, st.bankEnc, st.bankHash, st.Bank.Masked, p.Username, clock.Micros(at), p.Username, clock.Micros(at))
	if err != nil {
		return errs.Wrap(err, "entities: insert")
	}
	return nil
}

// Create registers an entity and opens its ledger account (ent:USCC, or
// col:USCC for a village collective), or links the existing account
// e.Account names (of the right kind, at the entity's place, not another
// entity's). Creating again with the same content is a replay: the
// stored entity with replayed true, nothing written. Errors: Invalid
// (invalid_uscc, invalid_entity, invalid_place, invalid_resident_id,
// invalid_bank_account, invalid_account), Forbidden (outside_area),
// Conflict (entity_exists, account_linked, account_exists), NotFound
// (unknown_account).
func (s *Service) Create(ctx context.Context, p auth.Principal, e Entity) (Entity, bool, error) {
	if err := mayWrite(p); err != nil {
		return Entity{}, false, err
	}
	var out stored
	var replayed bool
	now := s.now()
	err := s.db.Write(ctx, now, func(tx *store.Tx) error {
		st, open, rep, err := s.prepare(ctx, tx, p, e)
		if err != nil || rep {
			out, replayed = st, rep
			return err
		}
		if open != nil {
			if _, _, err := s.l.OpenAccountsTx(ctx, tx, p.County, []ledger.NewAccount{*open}); err != nil {
				return err
			}
		}
		if err := s.insert(ctx, tx, p, st, now); err != nil {
			return err
		}
		out = st
		after := shown(st.Entity)
		after["account_opened"] = open != nil
		_, err = audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "entities.create", Object: "entity " + st.USCC, Place: string(st.Place), After: after})
		return err
	})
	if err != nil {
		return Entity{}, false, err
	}
	out.CreatedBy, out.UpdatedBy, out.UpdatedAt = p.Username, p.Username, now
	return out.Entity, replayed, nil
}

// Update changes an entity's name, kind (within its account's kind),
// legal representative and bank account. An empty RepID or bank number
// keeps the stored one (reads never return them). The place and the
// ledger account do not change. Errors: as Create, and NotFound
// (unknown_entity), Invalid (kind_fixed, place_fixed).
func (s *Service) Update(ctx context.Context, p auth.Principal, e Entity) (Entity, error) {
	if err := mayWrite(p); err != nil {
		return Entity{}, err
	}
	var out Entity
	now := s.now()
	err := s.db.Write(ctx, now, func(tx *store.Tx) error {
		old, err := s.get(ctx, tx, p, e.USCC)
		if err != nil {
			return err
		}
		if e.Place == "" {
			e.Place = old.Place
		}
		if err := check(p, p.County, &e); err != nil {
			return err
		}
		if e.Place != old.Place {
			return errs.F(errs.Invalid, "place_fixed", "place", "an entity's place is its ledger account's and does not change")
		}
		if AccountKind(e.Kind) != AccountKind(old.Kind) {
			return errs.F(errs.Invalid, "kind_fixed", "kind", "a village collective stays a village collective, and another entity does not become one (their ledger accounts differ)")
		}
		st := old
		st.Kind, st.Name, st.LegalRep, st.Bank.Holder, st.Bank.Bank = e.Kind, e.Name, e.LegalRep, e.Bank.Holder, e.Bank.Bank
		if err := s.seal(e, &st); err != nil {
			return err
		}
		if st.bankEnc == "" && (st.Bank.Holder != "" || st.Bank.Bank != "") && old.bankEnc == "" {
			return errs.F(errs.Invalid, "invalid_bank_account", "bank_account", "give the bank account number")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ent_entities SET kind = ?, name = ?, legal_rep = ?, rep_id_enc = ?, rep_id_hash = ?, rep_id_mask = ?,
			bank_holder = ?, bank = ?, bank_enc = ?, bank_hash = ?, bank_mask = ?, updated_at = ?, updated_by = ? WHERE county = ? AND uscc = ?`,
			st.Kind, st.Name, st.LegalRep, st.repEnc, st.repHash, st.RepIDMasked, st.Bank.Holder, st.Bank.Bank, st.bankEnc, st.bankHash, st.Bank.Masked,
			clock.Micros(now), p.Username, p.County, st.USCC); err != nil {
			return errs.Wrap(err, "entities: update")
		}
		st.UpdatedAt, st.UpdatedBy = now, p.Username
		out = st.Entity
		_, err = audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "entities.update", Object: "entity " + st.USCC, Place: string(st.Place), Before: shown(old.Entity), After: shown(st.Entity)})
		return err
	})
	return out, err
}

// The fields Reveal shows in clear.
const (
	FieldBank  = "bank_account"
	FieldRepID = "rep_id"
)

// Reveal returns the bank account number or the legal representative's
// ID number in clear, for the roles that see personal data in clear
// (village cadres, township officers, the bureau) within their area, and
// writes an audit entry for every view. Errors: NotFound (the entity, or
// no such value), Forbidden, Invalid (field).
func (s *Service) Reveal(ctx context.Context, p auth.Principal, uscc, field string) (string, error) {
	if field != FieldBank && field != FieldRepID {
		return "", errs.F(errs.Invalid, "invalid_field", "field", "field must be bank_account or rep_id")
	}
	var clear string
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		st, err := s.get(ctx, tx, p, uscc)
		if err != nil {
			return err
		}
		switch p.Role {
		case auth.RoleRural, auth.RoleTownship, auth.RoleVillage:
		default:
			return errs.F(errs.Forbidden, "forbidden", "", "only village cadres, township officers and the rural-revitalization bureau see these fields in clear")
		}
		enc, masked := st.bankEnc, st.Bank.Masked
		if field == FieldRepID {
			enc, masked = st.repEnc, st.RepIDMasked
		}
		if enc == "" {
			return errs.F(errs.NotFound, "no_value", "field", "the entity has no %s on record", field)
		}
		if clear, err = s.keys.Open(enc); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "entities.reveal", Object: "entity " + st.USCC, Place: string(st.Place), After: map[string]any{"field": field, "masked": masked}})
		return err
	})
	return clear, err
}

// Filter selects entities.
type Filter struct {
	Q        string // a name (any part) or a USCC prefix
	Kind     string
	Township place.Code // a township (or village) inside p's area
	Limit    int
	Offset   int
	CountCap int // count at most this many (+1); 0 counts all
}

func where(p auth.Principal, f Filter) (string, []any, error) {
	lo, hi := place.Range(p.Prefix())
	if f.Township != "" {
		if !p.Sees(f.Township) && !f.Township.Contains(p.Place) {
			return "", nil, errs.F(errs.Invalid, "invalid_query", "township", "the township is outside your area")
		}
		tlo, thi := place.Range(f.Township.Prefix())
		lo, hi = max(lo, tlo), min(hi, thi)
	}
	w := `e.county = ? AND e.place BETWEEN ? AND ?`
	args := []any{p.County, lo, hi}
	if f.Kind != "" {
		if !slices.Contains(Kinds, f.Kind) {
			return "", nil, errs.F(errs.Invalid, "invalid_query", "kind", "the kind must be one of %s", strings.Join(Kinds, ", "))
		}
		w += ` AND e.kind = ?`
		args = append(args, f.Kind)
	}
	if q := strings.NewReplacer("%", "", "_", "", "\\", "").Replace(strings.TrimSpace(f.Q)); q != "" {
		w += ` AND (e.name LIKE ? OR e.uscc LIKE ?)`
		args = append(args, "%"+q+"%", strings.ToUpper(q)+"%")
	}
	return w, args, nil
}

// List is one page of the entities in p's area matching f (ordered by
// place and name), each with the households it drives, and the total.
func (s *Service) List(ctx context.Context, p auth.Principal, f Filter) ([]Entity, int, error) {
	w, args, err := where(p, f)
	if err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit, offset := min(limit, 1000), max(f.Offset, 0)
	var total int
	count := `SELECT COUNT(*) FROM ent_entities e WHERE ` + w
	if f.CountCap > 0 {
		count = fmt.Sprintf(`SELECT COUNT(*) FROM (SELECT 1 FROM ent_entities e WHERE %s LIMIT %d) c`, w, f.CountCap+1)
	}
	if err := s.db.QueryRowContext(ctx, count, args...).Scan(&total); err != nil {
		return nil, 0, errs.Wrap(err, "entities: count")
	}
	rows, err := s.db.QueryContext(ctx, fmt.Sprintf(`SELECT %s, (SELECT COUNT(DISTINCT l.household) FROM ent_links l WHERE l.county = e.county AND l.entity = e.uscc AND l.ended = '')
		FROM ent_entities e WHERE %s ORDER BY e.place, e.name, e.uscc LIMIT %d OFFSET %d`, "e."+strings.ReplaceAll(entityCols, ", ", ", e."), w, limit, offset), args...)
	if err != nil {
		return nil, 0, errs.Wrap(err, "entities: list")
	}
	defer rows.Close()
	out := []Entity{}
	for rows.Next() {
		var n int
		st, err := scanStored(p.County, scanPlus{rows, &n})
		if err != nil {
			return nil, 0, errs.Wrap(err, "entities: list")
		}
		st.Households = n
		out = append(out, st.Entity)
	}
	return out, total, rows.Err()
}

// scanPlus scans one more column after scanStored's.
type scanPlus struct {
	r    *sql.Rows
	more *int
}

func (s scanPlus) Scan(dest ...any) error { return s.r.Scan(append(dest, s.more)...) }

// Investment is the money one project paid into an entity's account on
// one channel, net of what went back to the project.
type Investment struct {
	Project string // the project's code ("" for money from another account)
	From    string // the ledger account it came from
	Channel string
	Amount  money.Fen
}

// Invested reads from the ledger the fiscal money invested in an entity:
// payments into its account per source account and channel (projects are
// prj:CODE), less what went back to that account. Sorted by project,
// source and channel. Errors: NotFound.
func (s *Service) Invested(ctx context.Context, p auth.Principal, uscc string) ([]Investment, error) {
	st, err := s.get(ctx, s.db, p, uscc)
	if err != nil {
		return nil, err
	}
	in, err := s.l.Flows(ctx, p.County, ledger.FlowFilter{To: st.Account})
	if err != nil {
		return nil, err
	}
	back, err := s.l.Flows(ctx, p.County, ledger.FlowFilter{From: st.Account})
	if err != nil {
		return nil, err
	}
	type key struct{ from, ch string }
	sum := map[key]money.Fen{}
	for _, f := range in {
		sum[key{f.From, f.Channel}] += f.Amount
	}
	for _, f := range back {
		if _, ok := sum[key{f.To, f.Channel}]; ok {
			sum[key{f.To, f.Channel}] -= f.Amount
		}
	}
	out := []Investment{}
	for k, a := range sum {
		if a == 0 {
			continue
		}
		inv := Investment{From: k.from, Channel: k.ch, Amount: a}
		if code, ok := strings.CutPrefix(k.from, "prj:"); ok {
			inv.Project = code
		}
		out = append(out, inv)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Project != b.Project {
			return a.Project < b.Project
		}
		if a.From != b.From {
			return a.From < b.From
		}
		return a.Channel < b.Channel
	})
	return out, nil
}
