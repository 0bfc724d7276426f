package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http/httptest"
	"onepool/internal/ledger"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"onepool/internal/app"
	"onepool/internal/auth"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/web"
)

// snakeKey is a JSON key of the API: lower case words joined by "_".
var snakeKey = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// nullable are the keys whose null is documented (not a list): the
// input plan's open line.
var nullable = map[string]bool{"planned": true}

// shapeProblems walks a decoded JSON value and reports every key that is
// not snake_case and every null (lists answer [] when empty; the only
// nulls are the documented nullable scalars). Keys of objects that are
// maps keyed by data (a division code, a status, a role) are values, not
// names: they are checked only for being non-empty strings.
func shapeProblems(path string, v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := path + "." + k
			if !snakeKey.MatchString(k) && !dataKey(path, k) {
				*out = append(*out, fmt.Sprintf("%s: key %q is not snake_case", p, k))
			}
			if x[k] == nil && !nullable[k] {
				*out = append(*out, fmt.Sprintf("%s: null", p))
			}
			shapeProblems(p, x[k], out)
		}
	case []any:
		for i, e := range x {
			if e == nil {
				*out = append(*out, fmt.Sprintf("%s[%d]: null", path, i))
			}
			shapeProblems(fmt.Sprintf("%s[%d]", path, i), e, out)
		}
	}
}

// dataKey reports whether k is a key of a map keyed by data rather than a
// field name: status counts, team members by role, policy overrides by
// setting, and keys that are codes (division codes, channel codes).
func dataKey(parent, k string) bool {
	for _, m := range []string{".counts", ".members", ".overrides"} {
		if strings.HasSuffix(parent, m) {
			return true
		}
	}
	return regexp.MustCompile(`^[0-9A-Z][0-9A-Za-z_:.-]*$`).MatchString(k) && (strings.HasSuffix(parent, "by_channel") || strings.HasSuffix(parent, "shares"))
}

// TestAPIShapeOnDemo walks every GET route of the JSON API on the demo
// county as the county's rural-revitalization, finance and audit users,
// with path values taken from the demo's own lists, and fails on any key
// that is not snake_case and on any null (an empty list must be []). Every
// route must answer 200 with JSON to at least one of the three users.
func TestAPIShapeOnDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, _, _, srv := demoKeyed(t, db)
		users := map[string]auth.Principal{
			"rural":   {Username: "demo.rural", Role: auth.RoleRural, Place: "990101000000", County: "990101"},
			"finance": {Username: "demo.finance", Role: auth.RoleFinance, Place: "990101000000", County: "990101"},
			"auditor": {Username: "demo.auditor", Role: auth.RoleAuditor, Place: "990101000000", County: "990101"},
		}
		toks := map[string]string{}
		for name, p := range users {
			tok, err := a.IssueToken(ctx, p, "shape")
			if err != nil {
				t.Fatal(err)
			}
			toks[name] = tok
		}
		get := func(who, path string) (int, string, []byte) {
			r := httptest.NewRequest("GET", path, nil)
			r.Header.Set("Authorization", "Bearer "+toks[who])
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, r)
			return w.Code, w.Header().Get("Content-Type"), w.Body.Bytes()
		}
		// first reads the first row's field of a list the rural user sees.
		first := func(path, list, field string) string {
			t.Helper()
			code, _, body := get("rural", path)
			if code != 200 {
				t.Fatalf("GET %s: %d %s", path, code, body)
			}
			var all map[string]json.RawMessage
			var rows []map[string]any
			if json.Unmarshal(body, &all) != nil || json.Unmarshal(all[list], &rows) != nil || len(rows) == 0 {
				t.Fatalf("GET %s: no %s in %s", path, list, body)
			}
			return fmt.Sprint(rows[0][field])
		}
		c := "/api/v1/"
		project := first(c+"projects/990101", "projects", "code")
		samples := map[string]map[string]string{
			"ledger/{county}/accounts/":     {"code": "pool"},
			"ledger/{county}/transfers/":    {"id": first(c+"ledger/990101/transfers", "transfers", "id")},
			"instructions/{county}/":        {"id": first(c+"instructions/990101", "instructions", "id")},
			"funds/{county}/projects/":      {"code": first(c+"funds/990101/projects", "projects", "code")},
			"funds/{county}/channels/":      {"code": first(c+"funds/990101/channels", "channels", "code")},
			"funds/{county}/villages/":      {"village": "990101001001"},
			"projects/{county}/":            {"code": project},
			"relief/{county}/applications/": {"id": first(c+"relief/990101", "applications", "id")},
			"registry/{county}/households/": {"code": first(c+"registry/990101/households", "households", "code")},
			"relief/{county}/batches/":      {"id": "1"},
			"pick/{county}/":                {"kind": "household"},
			"entities/{county}/":            {"code": first(c+"entities/990101", "entities", "uscc")},
			"agreements/{county}/":          {"id": first(c+"agreements/990101", "agreements", "id")},
			"assets/{county}/":              {"id": first(c+"assets/990101", "assets", "id")},
			// The demo's first run is the tea cooperative's (agreement 1).
			"agreements/{county}/{id}/dividends/runs/": {"id": "1", "run": "1"},
		}
		queries := map[string]string{
			"/api/v1/ledger/{county}/trace":             "?channel=ZX",
			"/api/v1/pick/{county}/{kind}":              "?q=%E5%BC%A0",
			"/api/v1/agreements/{county}/dividend-runs": "?year=2026",
		}
		// Records the demo has none of (a plan import, a receipt, a job):
		// their answers' shapes are asserted by their own tests
		// (adopt_test, api_objections_test, jobs_test).
		noDemoRecord := []string{"/adopt/{county}/plan/", "/public/{county}/objections/", "/jobs/{county}/", "/dividend-runs/{county}/", "/assets/{county}/{id}/", "/asset-runs/{county}/"}
		param := regexp.MustCompile(`\{([a-z_]+)\}`)
		walked := 0
		for _, rt := range srv.Routes() {
			method, path, ok := strings.Cut(rt.Pattern, " ")
			if !rt.API || !ok || method != "GET" {
				continue
			}
			concrete := param.ReplaceAllStringFunc(path, func(m string) string {
				name := m[1 : len(m)-1]
				if name == "county" {
					return "990101"
				}
				// The longest prefix first: a route's own sample wins.
				prefixes := slices.Collect(maps.Keys(samples))
				slices.SortFunc(prefixes, func(a, b string) int { return len(b) - len(a) })
				for _, prefix := range prefixes {
					if vals := samples[prefix]; strings.HasPrefix(path, c+prefix) && vals[name] != "" {
						return vals[name]
					}
				}
				return "0"
			})
			concrete += queries[path]
			answered := false
			for _, who := range []string{"rural", "finance", "auditor"} {
				code, ctype, body := get(who, concrete)
				if !strings.HasPrefix(ctype, "application/json") {
					if code == 200 {
						answered = true // a file (volume.zip)
					}
					continue
				}
				var v any
				if err := json.Unmarshal(body, &v); err != nil {
					t.Errorf("%s GET %s: not JSON: %v", who, concrete, err)
					continue
				}
				var probs []string
				shapeProblems("", v, &probs)
				for _, p := range probs {
					t.Errorf("%s GET %s: %s", who, concrete, p)
				}
				if code == 200 {
					answered = true
				}
			}
			if !answered && !strings.Contains(path, "/batches/") && !slices.ContainsFunc(noDemoRecord, func(p string) bool { return strings.Contains(path, p) }) {
				t.Errorf("GET %s: no user got 200 (add a sample value for its path to this test)", concrete)
			}
			walked++
		}
		// Every project of the demo, not only the first: they are at
		// different stages (notice, objections, review history, money).
		code, _, body := get("rural", c+"projects/990101?limit=1000")
		var lib struct {
			Projects []struct {
				Code string `json:"code"`
			} `json:"projects"`
		}
		if code != 200 || json.Unmarshal(body, &lib) != nil || len(lib.Projects) < 2 {
			t.Fatalf("projects: %d %s", code, body)
		}
		for _, p := range lib.Projects {
			for _, path := range []string{c + "projects/990101/" + p.Code, c + "funds/990101/projects/" + p.Code + "/report"} {
				code, _, body := get("rural", path)
				var v any
				if code != 200 || json.Unmarshal(body, &v) != nil {
					t.Errorf("GET %s: %d %s", path, code, body)
					continue
				}
				var probs []string
				shapeProblems("", v, &probs)
				for _, pr := range probs {
					t.Errorf("GET %s: %s", path, pr)
				}
			}
		}
		if walked < 25 {
			t.Errorf("walked %d GET routes; the route table is not what this test expects", walked)
		}
	})
}

// TestAPIRoutesDocumented: every route registered under /api/ is in
// docs/API.md — written either as the full path or, in a section's table,
// as the path below the section's "Under `/api/v1/…`" prefix.
func TestAPIRoutesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/API.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := documentedRoutes(string(doc))
	db := storetest.MustOpen(t, store.SQLite)
	h := app.Server(web.Deps{DB: db, Ledger: ledger.New(db, nil), Auth: auth.New(db, nil, auth.Config{})})
	var missing []string
	for _, rt := range h.Routes() {
		method, path, ok := strings.Cut(rt.Pattern, " ")
		if !rt.API || !ok {
			continue // the catch-all /api/ answers not_found
		}
		if !documented[method+" "+normRoute(path)] {
			missing = append(missing, rt.Pattern)
		}
	}
	if len(missing) > 0 {
		t.Errorf("routes not documented in docs/API.md:\n  %s", strings.Join(missing, "\n  "))
	}
}

// normRoute writes every path parameter as {}: the docs may name them
// differently ({code}, {id}).
func normRoute(p string) string {
	return regexp.MustCompile(`\{[^}]*\}`).ReplaceAllString(p, "{}")
}

// documentedRoutes reads "METHOD /api/…" from the text (bullets, tables
// with the full path) and, in tables under a line that says
// "Under `/api/v1/…`" or "All under `/api/v1/…`", a row's method and path
// relative to that prefix.
func documentedRoutes(doc string) map[string]bool {
	out := map[string]bool{}
	full := regexp.MustCompile("(GET|POST|PUT|PATCH|DELETE) `?(/api/v1/[^`?\\s\\[]*)")
	under := regexp.MustCompile("[Uu]nder `(/api/v1/[^`]*)`")
	row := regexp.MustCompile("^\\|\\s*(GET|POST|PUT|PATCH|DELETE)\\s*\\|\\s*`([^`]*)`")
	prefix := ""
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "#") {
			prefix = ""
		}
		if m := under.FindStringSubmatch(line); m != nil {
			prefix = m[1]
		}
		for _, m := range full.FindAllStringSubmatch(line, -1) {
			out[m[1]+" "+normRoute(strings.TrimRight(m[2], ".,;:"))] = true
		}
		if m := row.FindStringSubmatch(line); m != nil && (prefix != "" || strings.HasPrefix(m[2], "/api/")) {
			rel := m[2]
			if i := strings.IndexAny(rel, "?["); i >= 0 {
				rel = rel[:i]
			}
			if strings.HasPrefix(rel, "/api/") {
				out[m[1]+" "+normRoute(rel)] = true
				continue
			}
			out[m[1]+" "+normRoute(prefix+rel)] = true
		}
	}
	return out
}
