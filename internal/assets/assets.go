// Package assets is the register of project assets (扶贫项目资产, M-50 …
// M-52): what an accepted project built, its type (operating 经营性,
// public-welfare 公益性, household 到户类), its original value with the
// channel legs of the money that built it — read from the project's
// payments in the ledger when the asset is registered, so "which channels
// built this workshop" is a trace, not a note — its ownership confirmed
// (确权) to the village collective of its village or, for a household
// asset, to the household, and the villages' quantified shares when
// several co-own it. Every change is an event of the asset's history
// (as_events) and an audit entry, in the same write transaction; a
// disposed asset leaves the register and keeps its history.
//
// An operating asset has a ledger account (ast:ID, kind asset, no
// overdraft) its income arrives in, with the legs of the money that built
// it, so a ledger trace from a channel reaches the asset and the
// households paid from its income.
//
// Authorization is by role (auth: assets.view, assets.write) and by place:
// an asset outside the principal's subtree is exactly not found.
package assets

import (
	"context"
	"database/sql"
	"encoding/json"
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
	"onepool/internal/entities"
	"onepool/internal/errs"
	"onepool/internal/ident"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
)

// The types of asset (the national classification of project assets).
const (
	Operating     = "operating"      // 经营性资产
	PublicWelfare = "public_welfare" // 公益性资产
	Household     = "household"      // 到户类资产
)

// Types lists the types in display order.
var Types = []string{Operating, PublicWelfare, Household}

// The categories: what an asset is.
var Categories = []string{"road", "water", "workshop", "greenhouse", "building", "equipment", "livestock", "plantation", "pv", "other"}

// The statuses of an asset in the register.
const (
	Registered = "registered" // 待确权
	Confirmed  = "confirmed"  // 已确权
	Disposing  = "disposing"  // 处置中
	Disposed   = "disposed"   // 已处置 (out of the register, history kept)
)

// Statuses lists the statuses in order.
var Statuses = []string{Registered, Confirmed, Disposing, Disposed}

// The uses of an asset (use_state).
const (
	InUse    = ""         // 在用
	Leased   = "leased"   // 出租
	Invested = "invested" // 入股
	Idle     = "idle"     // 闲置
)

// The owners an asset is confirmed to.
const (
	OwnerCollective = "collective" // the village collective economic organization (村集体)
	OwnerHousehold  = "household"  // the household (到户类)
)

// ProjectStatuses are the project statuses from which an asset may be
// registered: accepted (已验收) and after.
var ProjectStatuses = []string{"accepted", "handed_over", "aftercare"}

// Leg is the money of one channel in an asset's original value.
type Leg = ledger.Leg

// Share is a village's quantified share of an asset (basis points).
type Share struct {
	Village place.Code
	Share   int64 // basis points; an asset's shares sum to 10000
}

// Asset is one asset of the register.
type Asset struct {
	County       string
	ID           int64
	Code         string
	Project      string
	Name         string
	Type         string
	Category     string
	Place        place.Code // its village
	Location     string
	Quantity     int64 // thousandths of Unit
	Unit         string
	Value        money.Fen // original value
	BookValue    money.Fen
	BuiltOn      string // YYYY-MM-DD
	Status       string
	UseState     string
	OwnerKind    string
	Owner        string // the collective's USCC or the household's code
	ConfirmDoc   string
	ConfirmedAt  time.Time
	ConfirmedBy  string
	KeeperUnit   string
	KeeperPerson string
	Account      string // ast:ID for an operating asset
	Legs         []Leg  // on reads: the channels of its original value, in channel order
	Shares       []Share
	CreatedBy    string
	CreatedAt    time.Time
	UpdatedBy    string
	UpdatedAt    time.Time
}

// AccountCode is the ledger account of an operating asset.
func AccountCode(id int64) string { return fmt.Sprintf("ast:%d", id) }

// QuantityText prints a quantity in thousandths as a decimal (1500 → "1.5").
func QuantityText(q int64) string {
	s := fmt.Sprintf("%d.%03d", q/1000, q%1000)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// ParseQuantity reads a decimal quantity with at most three decimals.
func ParseQuantity(s string) (int64, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	whole, frac, _ := strings.Cut(s, ".")
	bad := errs.F(errs.Invalid, "invalid_asset", "quantity", "the quantity %q is not a number with at most three decimals", s)
	if whole == "" || len(frac) > 3 || len(whole) > 12 {
		return 0, bad
	}
	var q int64
	for _, c := range whole + (frac + "000")[:3] {
		if c < '0' || c > '9' {
			return 0, bad
		}
		q = q*10 + int64(c-'0')
	}
	return q, nil
}

// Service is the assets capability.
type Service struct {
	db   *store.DB
	l    *ledger.Ledger
	ents *entities.Service
	now  clock.Clock
	reg  *registerDeps // the register's collaborators (UseServices, register_deps.go)
}

// New returns the service; now nil means the system clock.
func New(db *store.DB, l *ledger.Ledger, ents *entities.Service, now clock.Clock) *Service {
	if now == nil {
		now = clock.System
	}
	return &Service{db: db, l: l, ents: ents, now: now}
}

// DB is the service's database (for the capability's other files' tests).
func (s *Service) DB() *store.DB { return s.db }

// mayWrite: the register is kept by village cadres, township officers and
// the rural-revitalization bureau (the web layer checks the action; this
// is the service's own guard for other callers).
func mayWrite(p auth.Principal) error {
	switch p.Role {
	case auth.RoleVillage, auth.RoleTownship, auth.RoleRural:
		return nil
	}
	return errs.F(errs.Forbidden, "forbidden", "", "the asset register is kept by village cadres, township officers or the rural-revitalization bureau")
}

// NotFound is the error for a missing asset and for one outside the
// principal's area.
func NotFound() error { return errs.F(errs.NotFound, "unknown_asset", "id", "no such asset") }

const maxText = 200

// CheckText trims a text field and refuses one that is empty (when
// required), too long, or holds an ID, card or phone number in clear.
func CheckText(v *string, required bool, field string) error {
	*v = strings.TrimSpace(*v)
	switch {
	case *v == "" && required:
		return errs.F(errs.Invalid, "invalid_asset", field, "%s is required", field)
	case utf8.RuneCountInString(*v) > maxText:
		return errs.F(errs.Invalid, "invalid_asset", field, "%s: at most %d characters", field, maxText)
	case len(ident.ScanPersonalData(*v)) > 0:
		return errs.F(errs.Invalid, "invalid_asset", field, "%s holds an ID, card or phone number", field)
	}
	return nil
}

const assetCols = `id, code, project, name, type, category, place, location, quantity, unit, value, book_value, built_on, status, use_state,
	owner_kind, owner, confirm_doc, confirmed_at, confirmed_by, keeper_unit, keeper_person, account, created_at, created_by, updated_at, updated_by`

func scan(county string, sc interface{ Scan(...any) error }) (Asset, error) {
	a := Asset{County: county}
	var pl string
	var conf, cr, up int64
	err := sc.Scan(&a.ID, &a.Code, &a.Project, &a.Name, &a.Type, &a.Category, &pl, &a.Location, &a.Quantity, &a.Unit, &a.Value, &a.BookValue, &a.BuiltOn,
		&a.Status, &a.UseState, &a.OwnerKind, &a.Owner, &a.ConfirmDoc, &conf, &a.ConfirmedBy, &a.KeeperUnit, &a.KeeperPerson, &a.Account, &cr, &a.CreatedBy, &up, &a.UpdatedBy)
	a.Place = place.Code(pl)
	if conf != 0 {
		a.ConfirmedAt = time.UnixMicro(conf)
	}
	a.CreatedAt, a.UpdatedAt = time.UnixMicro(cr), time.UnixMicro(up)
	return a, err
}

// GetTx reads an asset with its legs and shares through q. Errors:
// NotFound (unknown_asset, also for one outside p's area).
func (s *Service) GetTx(ctx context.Context, q store.Querier, p auth.Principal, id int64) (Asset, error) {
	a, err := scan(p.County, q.QueryRowContext(ctx, `SELECT `+assetCols+` FROM as_assets WHERE county = ? AND id = ?`, p.County, id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !p.Sees(a.Place)) {
		return Asset{}, NotFound()
	}
	if err != nil {
		return Asset{}, errs.Wrap(err, "assets: read")
	}
	if a.Legs, err = legsTx(ctx, q, p.County, id); err != nil {
		return Asset{}, err
	}
	if a.Shares, err = sharesTx(ctx, q, p.County, id); err != nil {
		return Asset{}, err
	}
	return a, nil
}

// Get returns an asset with its legs and shares.
func (s *Service) Get(ctx context.Context, p auth.Principal, id int64) (Asset, error) {
	return s.GetTx(ctx, s.db, p, id)
}

func legsTx(ctx context.Context, q store.Querier, county string, id int64) ([]Leg, error) {
	rows, err := q.QueryContext(ctx, `SELECT channel, amount FROM as_legs WHERE county = ? AND asset = ? ORDER BY channel`, county, id)
	if err != nil {
		return nil, errs.Wrap(err, "assets: legs")
	}
	defer rows.Close()
	out := []Leg{}
	for rows.Next() {
		var l Leg
		if err := rows.Scan(&l.Channel, &l.Amount); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func sharesTx(ctx context.Context, q store.Querier, county string, id int64) ([]Share, error) {
	rows, err := q.QueryContext(ctx, `SELECT village, share FROM as_shares WHERE county = ? AND asset = ? ORDER BY village`, county, id)
	if err != nil {
		return nil, errs.Wrap(err, "assets: shares")
	}
	defer rows.Close()
	out := []Share{}
	for rows.Next() {
		var sh Share
		var v string
		if err := rows.Scan(&v, &sh.Share); err != nil {
			return nil, err
		}
		sh.Village = place.Code(v)
		out = append(out, sh)
	}
	return out, rows.Err()
}

// Event is one entry of an asset's history.
type Event struct {
	Seq    int
	Action string
	Detail map[string]string
	Actor  string
	At     time.Time
}

// AddEventTx appends an entry to an asset's history and writes its audit
// entry (action "assets."+action), in the caller's transaction.
func AddEventTx(ctx context.Context, tx *store.Tx, p auth.Principal, a Asset, action string, detail map[string]string, at time.Time) error {
	if detail == nil {
		detail = map[string]string{}
	}
	b, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	var seq int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM as_events WHERE county = ? AND asset = ?`, a.County, a.ID).Scan(&seq); err != nil {
		return errs.Wrap(err, "assets: event seq")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO as_events (county, asset, seq, action, detail, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		a.County, a.ID, seq, action, string(b), p.Username, at.UnixMicro()); err != nil {
		return errs.Wrap(err, "assets: event")
	}
	_, err = audit.Append(ctx, tx, audit.Entry{County: a.County, Actor: p.Username, Action: "assets." + action,
		Object: fmt.Sprintf("asset %s", a.Code), Place: string(a.Place), After: detail})
	return err
}

// Events lists an asset's history in order.
func (s *Service) Events(ctx context.Context, p auth.Principal, id int64) ([]Event, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT seq, action, detail, actor, at FROM as_events WHERE county = ? AND asset = ? ORDER BY seq`, p.County, id)
	if err != nil {
		return nil, errs.Wrap(err, "assets: events")
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		var d string
		var at int64
		if err := rows.Scan(&e.Seq, &e.Action, &d, &e.Actor, &at); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(d), &e.Detail)
		e.At = time.UnixMicro(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// SpentTx is what a project has paid out, per channel in channel order:
// its payments, less those reversed, read from the ledger through q.
func (s *Service) SpentTx(ctx context.Context, q store.Querier, county, project string) ([]Leg, error) {
	hist, err := s.l.HistoryTx(ctx, q, county, "prj:"+project)
	if err != nil {
		return nil, err
	}
	by := map[string]money.Fen{}
	paid := map[int64]bool{}
	for _, t := range hist {
		switch {
		case !t.In && t.Kind == "payment":
			paid[t.ID] = true
			for _, lg := range t.Legs {
				by[lg.Channel] += lg.Amount
			}
		case t.In && t.Kind == "reversal" && paid[t.Reverses]:
			for _, lg := range t.Legs {
				by[lg.Channel] -= lg.Amount
			}
		}
	}
	return sortedLegs(by), nil
}

func sortedLegs(by map[string]money.Fen) []Leg {
	out := []Leg{}
	for ch, a := range by {
		if a > 0 {
			out = append(out, Leg{Channel: ch, Amount: a})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Channel < out[j].Channel })
	return out
}

// NewAsset is what registering an asset takes.
type NewAsset struct {
	Code     string // optional: an existing number (imports); "" → ZC + id
	Project  string
	Name     string
	Type     string
	Category string
	Place    place.Code // the village it is in
	Location string
	Quantity int64 // thousandths
	Unit     string
	Value    money.Fen // original value: at most what the project paid and is not yet in other assets
}

func checkNew(p auth.Principal, n *NewAsset) error {
	if err := CheckText(&n.Name, true, "name"); err != nil {
		return err
	}
	if !slices.Contains(Types, n.Type) {
		return errs.F(errs.Invalid, "invalid_asset", "type", "the type must be one of %s", strings.Join(Types, ", "))
	}
	if !slices.Contains(Categories, n.Category) {
		return errs.F(errs.Invalid, "invalid_asset", "category", "the category must be one of %s", strings.Join(Categories, ", "))
	}
	pl, err := place.Parse(strings.TrimSpace(string(n.Place)))
	if err != nil || pl.Level() != place.Village || !place.Code(p.County+"000000").Contains(pl) {
		return errs.F(errs.Invalid, "invalid_place", "place", "an asset is registered at a village of the county")
	}
	n.Place = pl
	if err := CheckText(&n.Location, false, "location"); err != nil {
		return err
	}
	if err := CheckText(&n.Unit, false, "unit"); err != nil {
		return err
	}
	if n.Quantity < 0 {
		return errs.F(errs.Invalid, "invalid_asset", "quantity", "the quantity cannot be negative")
	}
	if n.Value <= 0 {
		return errs.F(errs.Invalid, "invalid_amount", "value", "the original value must be more than zero")
	}
	n.Code = strings.TrimSpace(n.Code)
	n.Project = strings.TrimSpace(n.Project)
	return nil
}

// Register enters an asset an accepted project built. Its original value
// takes the channels of what the project paid and other assets of the
// project do not already hold, pro rata (money.Split: the legs sum to the
// value exactly). Errors: Invalid, NotFound (unknown_project,
// unknown_asset_place), RuleBroken (not_accepted, value_exceeds_spent),
// Conflict (asset_code_taken), Forbidden.
func (s *Service) Register(ctx context.Context, p auth.Principal, n NewAsset) (Asset, error) {
	var id int64
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		var err error
		id, err = s.RegisterTx(ctx, tx, p, n)
		return err
	})
	if err != nil {
		return Asset{}, err
	}
	return s.Get(ctx, p, id)
}

// RegisterTx is Register in the caller's transaction; it returns the new
// asset's id.
func (s *Service) RegisterTx(ctx context.Context, tx *store.Tx, p auth.Principal, n NewAsset) (int64, error) {
	if err := mayWrite(p); err != nil {
		return 0, err
	}
	if err := checkNew(p, &n); err != nil {
		return 0, err
	}
	if !p.Sees(n.Place) {
		return 0, errs.F(errs.NotFound, "unknown_asset_place", "place", "no such village in your area")
	}
	if n.Project == "" {
		return 0, errs.F(errs.Invalid, "invalid_asset", "project", "name the project that built the asset")
	}
	var status, prjPlace string
	err := tx.QueryRowContext(ctx, `SELECT status, place FROM fund_projects WHERE county = ? AND code = ?`, p.County, n.Project).Scan(&status, &prjPlace)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !p.Sees(place.Code(prjPlace))) {
		return 0, errs.F(errs.NotFound, "unknown_project", "project", "project %q does not exist", n.Project)
	}
	if err != nil {
		return 0, errs.Wrap(err, "assets: project")
	}
	if !slices.Contains(ProjectStatuses, status) {
		return 0, errs.F(errs.RuleBroken, "not_accepted", "project", "project %s is %s: its assets are registered once it is accepted", n.Project, status)
	}
	spent, err := s.SpentTx(ctx, tx, p.County, n.Project)
	if err != nil {
		return 0, err
	}
	free := map[string]money.Fen{}
	for _, lg := range spent {
		free[lg.Channel] = lg.Amount
	}
	rows, err := tx.QueryContext(ctx, `SELECT l.channel, l.amount FROM as_legs l JOIN as_assets a ON a.county = l.county AND a.id = l.asset
		WHERE a.county = ? AND a.project = ?`, p.County, n.Project)
	if err != nil {
		return 0, errs.Wrap(err, "assets: project's assets")
	}
	for rows.Next() {
		var ch string
		var amt money.Fen
		if err := rows.Scan(&ch, &amt); err != nil {
			rows.Close()
			return 0, err
		}
		free[ch] -= amt
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	left := sortedLegs(free)
	var total money.Fen
	ws := make([]money.Fen, len(left))
	for i, lg := range left {
		total += lg.Amount
		ws[i] = lg.Amount
	}
	if n.Value > total {
		return 0, errs.F(errs.RuleBroken, "value_exceeds_spent", "value", "the original value %s is more than the project paid and its other assets do not hold: %s", n.Value, total)
	}
	parts, err := money.SplitFen(n.Value, ws)
	if err != nil {
		return 0, errs.Wrap(err, "assets: split")
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM as_assets WHERE county = ?`, p.County).Scan(&id); err != nil {
		return 0, errs.Wrap(err, "assets: next id")
	}
	code := n.Code
	if code == "" {
		code = fmt.Sprintf("ZC%06d", id)
	} else if err := CheckText(&code, true, "code"); err != nil {
		return 0, err
	}
	var taken int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM as_assets WHERE county = ? AND code = ?`, p.County, code).Scan(&taken); err != nil {
		return 0, errs.Wrap(err, "assets: code")
	}
	if taken > 0 {
		return 0, errs.F(errs.Conflict, "asset_code_taken", "code", "asset number %s is already registered", code)
	}
	var builtOn string
	_ = tx.QueryRowContext(ctx, `SELECT day FROM project_events WHERE county = ? AND project = ? AND status_to = 'accepted' ORDER BY seq DESC LIMIT 1`, p.County, n.Project).Scan(&builtOn)
	now := s.now()
	if builtOn == "" {
		builtOn = clock.Day(now)
	}
	account := ""
	if n.Type == Operating {
		account = AccountCode(id)
		if _, _, err := s.l.OpenAccountsTx(ctx, tx, p.County, []ledger.NewAccount{{Code: account, Kind: ledger.Asset,
			Name: n.Name + "（资产收益）", Owner: code, Place: n.Place, NoOverdraft: true}}); err != nil {
			return 0, err
		}
	}
	at := now.UnixMicro()
	if _, err := tx.ExecContext(ctx, `INSERT INTO as_assets (county, `+assetCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.County, id, code, n.Project, n.Name, n.Type, n.Category, string(n.Place), n.Location, n.Quantity, n.Unit, n.Value, n.Value, builtOn,
		Registered, InUse, "", "", "", 0, "", "", "", account, at, p.Username, at, p.Username); err != nil {
		return 0, errs.Wrap(err, "assets: insert")
	}
	legs := map[string]string{}
	for i, lg := range left {
		if parts[i] == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO as_legs (county, asset, channel, amount) VALUES (?, ?, ?, ?)`, p.County, id, lg.Channel, parts[i]); err != nil {
			return 0, errs.Wrap(err, "assets: legs")
		}
		legs[lg.Channel] = parts[i].Plain()
	}
	a := Asset{County: p.County, ID: id, Code: code, Place: n.Place}
	detail := map[string]string{"project": n.Project, "name": n.Name, "type": n.Type, "value": n.Value.Plain()}
	for ch, amt := range legs {
		detail["leg:"+ch] = amt
	}
	return id, AddEventTx(ctx, tx, p, a, "registered", detail, now)
}
