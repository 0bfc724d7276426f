package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"onepool/internal/audit"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/place"
	"onepool/internal/store"
	"onepool/internal/tabular"
)

// Places returns the county's place tree (county → townships → villages).
// The tree is cached until the next import.
func (s *Service) Places(ctx context.Context, county string) (*place.Tree, error) {
	s.mu.Lock()
	t := s.trees[county]
	s.mu.Unlock()
	if t != nil {
		return t, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT code, name, parent FROM places WHERE county = ? ORDER BY code`, county)
	if err != nil {
		return nil, errs.Wrap(err, "auth: places")
	}
	defer rows.Close()
	var nodes []place.Node
	for rows.Next() {
		var n place.Node
		var code, parent string
		if err := rows.Scan(&code, &n.Name, &parent); err != nil {
			return nil, errs.Wrap(err, "auth: scan place")
		}
		n.Code, n.Parent = place.Code(code), place.Code(parent)
		nodes = append(nodes, n)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "auth: places")
	}
	t, err = place.NewTree(nodes)
	if err != nil {
		return nil, errs.Wrap(err, "auth: stored place tree")
	}
	s.mu.Lock()
	s.trees[county] = t
	s.mu.Unlock()
	return t, nil
}

// PlaceName is the name of a place in the county's tree, or its code.
func (s *Service) PlaceName(ctx context.Context, pl place.Code) string {
	if !pl.Valid() {
		return string(pl)
	}
	t, err := s.Places(ctx, pl.Prefix()[:min(6, len(pl.Prefix()))])
	if err != nil {
		return string(pl)
	}
	if n, ok := t.Get(pl); ok {
		return n.Name
	}
	return string(pl)
}

// ImportPlaces adds or renames places of actor's county. The rows together
// with the places already stored must form one tree rooted at the county;
// nothing is written when any row is wrong. It returns how many rows were
// new or changed. Errors: Invalid (naming the row), NotFound/Forbidden.
func (s *Service) ImportPlaces(ctx context.Context, actor Principal, rows []place.Node) (int, error) {
	if err := Authorize(actor, ManagePlaces, ""); err != nil {
		return 0, err
	}
	if len(rows) == 0 {
		return 0, errs.F(errs.Invalid, "empty_import", "file", "the file has no places")
	}
	county := actor.County
	root := place.Code(county + "000000")
	cur, err := s.Places(ctx, county)
	if err != nil {
		return 0, err
	}
	merged := map[place.Code]place.Node{}
	for _, r := range cur.Roots() {
		for _, n := range Subtree(cur, r.Code) {
			merged[n.Code] = n
		}
	}
	seen := map[place.Code]int{}
	for i, n := range rows {
		line := i + 1
		if prev, dup := seen[n.Code]; dup {
			return 0, errs.F(errs.Invalid, "invalid_place", "code", "row %d: code %s repeats row %d", line, n.Code, prev)
		}
		seen[n.Code] = line
		if !actor.Sees(n.Code) || !root.Contains(n.Code) {
			return 0, errs.F(errs.Invalid, "invalid_place", "code", "row %d: %s is outside county %s", line, n.Code, county)
		}
		if n.Code == root {
			n.Parent = ""
		} else if n.Parent == "" {
			return 0, errs.F(errs.Invalid, "invalid_place", "parent", "row %d: %s needs a parent", line, n.Code)
		}
		merged[n.Code] = n
	}
	all := make([]place.Node, 0, len(merged))
	for _, n := range merged {
		all = append(all, n)
	}
	t, err := place.NewTree(all)
	if err != nil {
		if format, args, ok := place.Explain(err); ok {
			return 0, errs.F(errs.Invalid, "invalid_place", "file", format, args...) // NewTree's literal formats
		}
		return 0, errs.F(errs.Invalid, "invalid_place", "file", "the places do not form a tree")
	}
	if len(t.Roots()) != 1 || t.Roots()[0].Code != root {
		return 0, errs.F(errs.Invalid, "invalid_place", "file", "the places must form one tree under the county %s (include a row for the county itself)", root)
	}
	var todo []place.Node
	for _, n := range rows {
		if old, ok := cur.Get(n.Code); !ok || old.Name != n.Name || old.Parent != merged[n.Code].Parent {
			todo = append(todo, merged[n.Code])
		}
	}
	if len(todo) == 0 {
		return 0, nil // nothing new: no write, no audit entry
	}
	changed := 0
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		for _, n := range todo {
			if _, err := tx.ExecContext(ctx, `INSERT INTO places (county, code, name, parent, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (county, code) DO UPDATE SET name = excluded.name, parent = excluded.parent, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
				county, string(n.Code), n.Name, string(n.Parent), clock.Micros(tx.Now), actor.Username); err != nil {
				return errs.Wrap(err, "auth: upsert place")
			}
			changed++
		}
		_, err := audit.Append(ctx, tx, audit.Entry{County: county, Actor: actor.Username, Action: "places.import", Object: fmt.Sprintf("places of %s", county),
			Place: string(root), After: map[string]int{"rows": len(rows), "changed": changed}})
		return err
	})
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	delete(s.trees, county)
	s.mu.Unlock()
	return changed, nil
}

// ParsePlaceFile reads (code, name, parent) rows from a CSV or an xlsx
// file (its first sheet), chosen by content, through the shared bounded
// reader (internal/tabular). A first row whose code holds no digit is a
// header. Errors: Invalid (naming the row), and tabular's.
func ParsePlaceFile(r io.Reader) ([]place.Node, error) {
	tr, err := tabular.Open(r, tabular.Limits{Columns: 8})
	if err != nil {
		return nil, err
	}
	defer tr.Close()
	var nodes []place.Node
	var bad []tabular.RowError // every bad row, reported at once
	for first := true; ; first = false {
		rec, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(rec) == 0 || first && place.IsHeader(rec) {
			continue
		}
		n, err := place.ParseRecord(rec)
		if err != nil {
			why := strings.TrimPrefix(err.Error(), "place: ")
			col := "code"
			if f, rest, ok := strings.Cut(strings.TrimPrefix(why, "field "), ": "); ok && strings.HasPrefix(why, "field ") {
				col, why = f, rest
			}
			if len(bad) < 1000 {
				bad = append(bad, tabular.RowError{Row: tr.Row(), Column: col, Why: why})
			}
			continue
		}
		nodes = append(nodes, n)
	}
	if len(bad) > 0 {
		return nil, tabular.Invalid(bad)
	}
	return nodes, nil
}

// Counties lists the counties that have a place tree (for the public
// portal's index).
func (s *Service) Counties(ctx context.Context) ([]place.Node, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT code, name FROM places WHERE parent = '' ORDER BY code`)
	if err != nil {
		return nil, errs.Wrap(err, "auth: counties")
	}
	defer rows.Close()
	var out []place.Node
	for rows.Next() {
		var n place.Node
		var code string
		if err := rows.Scan(&code, &n.Name); err != nil {
			return nil, errs.Wrap(err, "auth: counties")
		}
		n.Code = place.Code(code)
		out = append(out, n)
	}
	return out, rows.Err()
}

// Subtree is the node at code followed by all nodes below it (nil when
// code is not in t).
func Subtree(t *place.Tree, code place.Code) []place.Node {
	n, ok := t.Get(code)
	if !ok {
		return nil
	}
	return append([]place.Node{n}, t.Descendants(code)...)
}
