package assets

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/place"
	"onepool/internal/store"
)

// Filter selects assets of the register: by place (a village or a
// township inside the principal's area), type, status, category, and a
// search of the name or the number. An empty Status lists the register
// (every asset but the disposed); Status "disposed" lists those.
type Filter struct {
	Place    place.Code
	Type     string
	Status   string
	Category string
	Project  string
	Q        string
	Limit    int
	Offset   int
	// CountCap > 0 counts at most CountCap+1 rows (see ledger.CountCap).
	CountCap int
}

func listWhere(p auth.Principal, f Filter) (string, []any, error) {
	lo, hi := place.Range(p.Prefix())
	if f.Place != "" {
		if !f.Place.Valid() || (!p.Sees(f.Place) && !f.Place.Contains(p.Place)) {
			return "", nil, errs.F(errs.Invalid, "invalid_query", "place", "the place is outside your area")
		}
		plo, phi := place.Range(f.Place.Prefix())
		lo, hi = max(lo, plo), min(hi, phi)
	}
	w := `a.county = ? AND a.place BETWEEN ? AND ?`
	args := []any{p.County, lo, hi}
	switch {
	case f.Status == "":
		w += ` AND a.status <> ?`
		args = append(args, Disposed)
	case slices.Contains(Statuses, f.Status):
		w += ` AND a.status = ?`
		args = append(args, f.Status)
	default:
		return "", nil, errs.F(errs.Invalid, "invalid_query", "status", "the status must be one of %s", strings.Join(Statuses, ", "))
	}
	if f.Type != "" {
		if !slices.Contains(Types, f.Type) {
			return "", nil, errs.F(errs.Invalid, "invalid_query", "type", "the type must be one of %s", strings.Join(Types, ", "))
		}
		w += ` AND a.type = ?`
		args = append(args, f.Type)
	}
	if f.Category != "" {
		if !slices.Contains(Categories, f.Category) {
			return "", nil, errs.F(errs.Invalid, "invalid_query", "category", "the category must be one of %s", strings.Join(Categories, ", "))
		}
		w += ` AND a.category = ?`
		args = append(args, f.Category)
	}
	if f.Project != "" {
		w += ` AND a.project = ?`
		args = append(args, f.Project)
	}
	if q := strings.NewReplacer("%", "", "_", "", "\\", "").Replace(strings.TrimSpace(f.Q)); q != "" {
		if len([]rune(q)) > 50 {
			return "", nil, errs.F(errs.Invalid, "invalid_query", "q", "the search is at most 50 characters")
		}
		w += ` AND (a.name LIKE ? OR a.code LIKE ?)`
		args = append(args, "%"+q+"%", strings.ToUpper(q)+"%")
	}
	return w, args, nil
}

// List is one page of the assets in p's area matching f, ordered by
// village and number (the index as_assets_place), and their count (capped
// at f.CountCap+1 when it is set). Legs and shares are not read (Get).
func (s *Service) List(ctx context.Context, p auth.Principal, f Filter) ([]Asset, int, error) {
	w, args, err := listWhere(p, f)
	if err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit, offset := min(limit, 1000), max(f.Offset, 0)
	if f.CountCap > 0 && strings.TrimSpace(f.Q) != "" {
		return s.search(ctx, p, f, w, args, limit, offset)
	}
	var total int
	count := `SELECT COUNT(*) FROM as_assets a WHERE ` + w
	if f.CountCap > 0 {
		count = fmt.Sprintf(`SELECT COUNT(*) FROM (SELECT 1 FROM as_assets a WHERE %s LIMIT %d) c`, w, f.CountCap+1)
	}
	if err := s.db.QueryRowContext(ctx, count, args...).Scan(&total); err != nil {
		return nil, 0, errs.Wrap(err, "assets: count")
	}
	rows, err := s.db.QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM as_assets a WHERE %s ORDER BY a.place, a.id LIMIT %d OFFSET %d`,
		"a."+strings.ReplaceAll(strings.Join(strings.Fields(assetCols), " "), ", ", ", a."), w, limit, offset), args...)
	if err != nil {
		return nil, 0, errs.Wrap(err, "assets: list")
	}
	defer rows.Close()
	out := []Asset{}
	for rows.Next() {
		a, err := scan(p.County, rows)
		if err != nil {
			return nil, 0, errs.Wrap(err, "assets: list")
		}
		out = append(out, a)
	}
	return out, total, rows.Err()
}

// search is List for a search: a substring of the names matches no
// index, so every entry of the area is read once — the matching ids in
// the list's order up to the cap, their number the count, the page's
// rows then read by key — instead of twice (the count, then the page);
// planned afresh on PostgreSQL (store.ReadFresh), whose generic plan
// would walk the index in order and visit the table row by row.
func (s *Service) search(ctx context.Context, p auth.Principal, f Filter, w string, args []any, limit, offset int) (out []Asset, total int, err error) {
	err = s.db.ReadFresh(ctx, func(q store.Querier) error {
		out, total, err = s.searchIn(ctx, q, p, f, w, args, limit, offset)
		return err
	})
	return out, total, err
}

func (s *Service) searchIn(ctx context.Context, q store.Querier, p auth.Principal, f Filter, w string, args []any, limit, offset int) ([]Asset, int, error) {
	rows, err := q.QueryContext(ctx, fmt.Sprintf(`SELECT a.id FROM as_assets a WHERE %s ORDER BY a.place, a.id LIMIT %d`, w, max(f.CountCap+1, offset+limit)), args...)
	if err != nil {
		return nil, 0, errs.Wrap(err, "assets: search")
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, 0, errs.Wrap(err, "assets: search")
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return nil, 0, errs.Wrap(err, "assets: search")
	}
	total := min(len(ids), f.CountCap+1)
	out := []Asset{}
	if offset >= len(ids) {
		return out, total, nil
	}
	page := ids[offset:min(offset+limit, len(ids))]
	in, pargs := strings.Repeat(", ?", len(page))[2:], []any{p.County}
	for _, id := range page {
		pargs = append(pargs, id)
	}
	// By key, in the page's order (an ORDER BY here would let SQLite walk
	// the place index instead).
	prows, err := q.QueryContext(ctx, `SELECT `+assetCols+` FROM as_assets WHERE county = ? AND id IN (`+in+`)`, pargs...)
	if err != nil {
		return nil, 0, errs.Wrap(err, "assets: search")
	}
	defer prows.Close()
	byID := make(map[int64]Asset, len(page))
	for prows.Next() {
		a, err := scan(p.County, prows)
		if err != nil {
			return nil, 0, errs.Wrap(err, "assets: search")
		}
		byID[a.ID] = a
	}
	if err := prows.Err(); err != nil {
		return nil, 0, errs.Wrap(err, "assets: search")
	}
	for _, id := range page {
		if a, ok := byID[id]; ok {
			out = append(out, a)
		}
	}
	return out, total, nil
}

// Sum is the original and book value of every asset matching f (the
// export's and the list's totals).
func (s *Service) Sum(ctx context.Context, p auth.Principal, f Filter) (value, book int64, err error) {
	w, args, err := listWhere(p, f)
	if err != nil {
		return 0, 0, err
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(a.value), 0), COALESCE(SUM(a.book_value), 0) FROM as_assets a WHERE `+w, args...).Scan(&value, &book); err != nil {
		return 0, 0, errs.Wrap(err, "assets: sum")
	}
	return value, book, nil
}

// ByCode finds an asset by its number (资产编号) in p's area.
func (s *Service) ByCode(ctx context.Context, p auth.Principal, code string) (Asset, error) {
	var id int64
	if err := s.db.QueryRowContext(ctx, `SELECT id FROM as_assets WHERE county = ? AND code = ?`, p.County, strings.TrimSpace(code)).Scan(&id); err != nil {
		return Asset{}, NotFound()
	}
	return s.Get(ctx, p, id)
}

// Keeper is the asset's upkeep responsibility (管护责任): the unit and
// the person.
type Keeper struct {
	Unit, Person string
}

// SetKeeper names who keeps the asset (管护责任单位、责任人). Errors:
// Invalid, NotFound, RuleBroken (asset_disposed), Forbidden.
func (s *Service) SetKeeper(ctx context.Context, p auth.Principal, id int64, k Keeper) (Asset, error) {
	if err := mayWrite(p); err != nil {
		return Asset{}, err
	}
	if err := CheckText(&k.Unit, true, "keeper_unit"); err != nil {
		return Asset{}, err
	}
	if err := CheckText(&k.Person, true, "keeper_person"); err != nil {
		return Asset{}, err
	}
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		a, err := s.liveTx(ctx, tx, p, id)
		if err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE as_assets SET keeper_unit = ?, keeper_person = ?, updated_at = ?, updated_by = ? WHERE county = ? AND id = ?`,
			k.Unit, k.Person, now.UnixMicro(), p.Username, p.County, id); err != nil {
			return errs.Wrap(err, "assets: keeper")
		}
		return AddEventTx(ctx, tx, p, a, "keeper", map[string]string{"unit": k.Unit, "person": k.Person}, now)
	})
	if err != nil {
		return Asset{}, err
	}
	return s.Get(ctx, p, id)
}

// liveTx reads an asset that is still in the register (not disposed).
func (s *Service) liveTx(ctx context.Context, tx *store.Tx, p auth.Principal, id int64) (Asset, error) {
	a, err := s.GetTx(ctx, tx, p, id)
	if err != nil {
		return Asset{}, err
	}
	if a.Status == Disposed {
		return Asset{}, errs.F(errs.RuleBroken, "asset_disposed", "id", "asset %s has been disposed of: its record is kept, nothing more is recorded", a.Code)
	}
	return a, nil
}

// OwnerName is the name of an asset's owner for a page: the collective's
// name or the household head's name (never an ID number); "" before 确权.
func (s *Service) OwnerName(ctx context.Context, a Asset) string {
	var name string
	switch a.OwnerKind {
	case OwnerCollective:
		_ = s.db.QueryRowContext(ctx, `SELECT name FROM ent_entities WHERE county = ? AND uscc = ?`, a.County, a.Owner).Scan(&name)
	case OwnerHousehold:
		_ = s.db.QueryRowContext(ctx, `SELECT head FROM reg_households WHERE county = ? AND code = ?`, a.County, a.Owner).Scan(&name)
	}
	return name
}
