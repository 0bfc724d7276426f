package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/place"
)

// Pickers: every form field that takes a household, member, entity,
// account, project or channel is searched by name or code through one
// endpoint, GET /api/v1/pick/{county}/{kind}?q=…&limit=…, filtered in
// SQL to the caller's subtree exactly as the lists are (a record outside
// answers nothing). static/pick.js turns <input data-pick="KIND"> into a
// search-as-you-type box that writes the chosen value into the field;
// without script the field stays a plain text input taking the code.

const (
	pickMaxQ       = 64 // characters of the search
	pickMaxLimit   = 50
	pickLimitFirst = 20
)

// pickOption is one answer of a picker: the value the field takes and
// what the user reads.
type pickOption struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// pickKinds are the kinds a picker searches and the action each needs.
var pickKinds = map[string]auth.Action{
	"household":         auth.ViewRegistry, // registry households: value = household code
	"member":            auth.ViewRegistry, // members of ?household=: value = member number
	"payee":             auth.ViewLedger,   // household and entity accounts: value = account code
	"entity":            auth.ViewLedger,   // entity accounts
	"household_account": auth.ViewLedger,   // household accounts (hh:…)
	"account":           auth.ViewLedger,   // any account of the subtree
	"project":           auth.ViewFunds,    // fund projects: value = project code
	"channel":           auth.ViewFunds,    // fund channels (county-wide): value = channel code
	"registered_entity": auth.ViewEntities, // the entities register: value = unified social credit code
}

func (s *Server) apiPick(w http.ResponseWriter, c *call) error {
	kind := c.r.PathValue("kind")
	act, ok := pickKinds[kind]
	if !ok {
		return errs.F(errs.Invalid, "invalid_kind", "kind", "kind must be household, member, payee, entity, household_account, account, project, channel or registered_entity")
	}
	if err := auth.Authorize(c.p, act, ""); err != nil {
		return err
	}
	q := strings.TrimSpace(c.r.URL.Query().Get("q"))
	if utf8.RuneCountInString(q) > pickMaxQ {
		return errs.F(errs.Invalid, "invalid_query", "q", "the search is at most %d characters", pickMaxQ)
	}
	// LIKE's wildcards are not searched for.
	q = strings.NewReplacer("%", "", "_", "", "\\", "").Replace(q)
	limit := pickLimitFirst
	if v := c.r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > pickMaxLimit {
			return errs.F(errs.Invalid, "invalid_limit", "limit", "limit must be 1–%d", pickMaxLimit)
		}
		limit = n
	}
	out, err := s.pick(c, kind, q, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// prefixHi is the upper bound of the strings beginning with q (U+10FFFF is
// the largest code point; UTF-8 and the C collation order by code point).
func prefixHi(q string) string { return q + "\U0010FFFF" }

// pick answers at most limit options of kind matching q (a prefix of the
// code or of the name), inside the caller's subtree.
func (s *Server) pick(c *call, kind, q string, limit int) ([]pickOption, error) {
	ctx := c.r.Context()
	county := c.p.County
	lo, hi := place.Range(c.p.Prefix())
	tree, _ := s.d.Auth.Places(ctx, county)
	placeName := func(pl string) string {
		if tree != nil {
			if n, ok := tree.Get(place.Code(pl)); ok {
				return n.Name
			}
		}
		return pl
	}
	out := []pickOption{}
	switch kind {
	case "member":
		code := strings.TrimSpace(c.r.URL.Query().Get("household"))
		if code == "" {
			return out, nil
		}
		h, err := c.household(code)
		if err != nil {
			return nil, err
		}
		for _, m := range h.Members {
			if q != "" && !strings.HasPrefix(m.Name, q) && strconv.Itoa(m.Seq) != q {
				continue
			}
			out = append(out, pickOption{Value: strconv.Itoa(m.Seq), Label: fmt.Sprintf("%s (%d) · %s", m.Name, m.Seq, m.Relation)})
			if len(out) == limit {
				break
			}
		}
		return out, nil
	case "household":
		// Two index range scans: the code prefix on the primary key
		// (county, code), the name prefix inside the subtree's villages
		// (reg_households_list).
		const sel = `SELECT h.code, h.head, h.village FROM reg_households h WHERE h.county = ? AND h.village BETWEEN ? AND ? AND `
		return s.pickRows(ctx, q, out, limit, placeName,
			pickQuery{sel + `h.code >= ? AND h.code < ? ORDER BY h.code LIMIT ?`, []any{county, lo, hi, q, prefixHi(q)}, false},
			pickQuery{sel + `h.head >= ? AND h.head < ? ORDER BY h.village, h.code LIMIT ?`, []any{county, lo, hi, q, prefixHi(q)}, true})
	case "payee", "entity", "household_account", "account":
		kinds := map[string]string{"payee": `a.kind IN ('household', 'entity')`, "entity": `a.kind = 'entity'`, "household_account": `a.kind = 'household'`, "account": `1 = 1`}[kind]
		sel := `SELECT a.code, a.name, a.place FROM ledger_accounts a WHERE a.county = ? AND a.place BETWEEN ? AND ? AND ` + kinds + ` AND `
		qs := []pickQuery{{sel + `a.code >= ? AND a.code < ? ORDER BY a.code LIMIT ?`, []any{county, lo, hi, q, prefixHi(q)}, false}}
		if kind != "account" && q != "" {
			// A household's number or an entity's code typed bare.
			for _, p := range []string{"hh:", "ent:"} {
				qs = append(qs, pickQuery{sel + `a.code >= ? AND a.code < ? ORDER BY a.code LIMIT ?`, []any{county, lo, hi, p + q, prefixHi(p + q)}, false})
			}
		}
		qs = append(qs, pickQuery{sel + `a.name >= ? AND a.name < ? ORDER BY a.place, a.id LIMIT ?`, []any{county, lo, hi, q, prefixHi(q)}, true})
		return s.pickRows(ctx, q, out, limit, placeName, qs...)
	case "project":
		const sel = `SELECT p.code, p.name, p.place FROM fund_projects p WHERE p.county = ? AND p.place BETWEEN ? AND ? AND `
		return s.pickRows(ctx, q, out, limit, placeName,
			pickQuery{sel + `p.code >= ? AND p.code < ? ORDER BY p.code LIMIT ?`, []any{county, lo, hi, q, prefixHi(q)}, false},
			pickQuery{sel + `p.name >= ? AND p.name < ? ORDER BY p.place, p.code LIMIT ?`, []any{county, lo, hi, q, prefixHi(q)}, true})
	case "registered_entity":
		// The code prefix on the primary key (county, uscc), the name
		// prefix inside the subtree's place index (ent_entities_place).
		const sel = `SELECT e.uscc, e.name, e.place FROM ent_entities e WHERE e.county = ? AND e.place BETWEEN ? AND ? AND `
		return s.pickRows(ctx, q, out, limit, placeName,
			pickQuery{sel + `e.uscc >= ? AND e.uscc < ? ORDER BY e.uscc LIMIT ?`, []any{county, lo, hi, q, prefixHi(q)}, false},
			pickQuery{sel + `e.name >= ? AND e.name < ? ORDER BY e.place, e.uscc LIMIT ?`, []any{county, lo, hi, q, prefixHi(q)}, true})
	case "channel":
		// Channels are the county's (a short list every user of it sees).
		const sel = `SELECT ch.code, ch.name, '' FROM fund_channels ch WHERE ch.county = ? AND `
		return s.pickRows(ctx, q, out, limit, nil,
			pickQuery{sel + `ch.code >= ? AND ch.code < ? ORDER BY ch.code LIMIT ?`, []any{county, q, prefixHi(q)}, false},
			pickQuery{sel + `ch.name >= ? AND ch.name < ? ORDER BY ch.code LIMIT ?`, []any{county, q, prefixHi(q)}, true})
	}
	return out, nil
}

// pickQuery is one bounded search of a picker. For an empty search only
// the byName queries run (every name is >= ”): they walk the subtree's
// place index in order, where a code query would walk the whole county.
type pickQuery struct {
	sql    string
	args   []any
	byName bool
}

// pickRows runs the queries in order, each bounded by what is still
// wanted, and answers the distinct rows (code, name, place) as options.
func (s *Server) pickRows(ctx context.Context, q string, out []pickOption, limit int, placeName func(string) string, qs ...pickQuery) ([]pickOption, error) {
	seen := map[string]bool{}
	for _, pq := range qs {
		if len(out) >= limit {
			break
		}
		if !pq.byName && q == "" {
			continue
		}
		rows, err := s.d.DB.QueryContext(ctx, pq.sql, append(pq.args, limit)...)
		if err != nil {
			return nil, errs.Wrap(err, "pick")
		}
		for rows.Next() {
			var code, name, pl string
			if err := rows.Scan(&code, &name, &pl); err != nil {
				rows.Close()
				return nil, errs.Wrap(err, "pick")
			}
			if seen[code] || len(out) >= limit {
				continue
			}
			seen[code] = true
			label := fmt.Sprintf("%s (%s)", name, code)
			if pl != "" && placeName != nil {
				label += " · " + placeName(pl)
			}
			out = append(out, pickOption{Value: code, Label: label})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Wrap(err, "pick")
		}
	}
	return out, nil
}
