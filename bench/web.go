package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"onepool/internal/app"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/demo"
	"onepool/internal/ledger"
	"onepool/internal/store"
	"onepool/internal/web"
)

// WebOptions configure the web pages benchmark.
type WebOptions struct {
	DB         string // database source; empty for a fresh SQLite file
	Households int    // household accounts of the enlarged demo county (default 200,000)
	Transfers  int    // transfers of the enlarged demo county (default 1,000,000)
	Requests   int    // measured requests per page (default 200)
}

// WebTarget is the p99 each page must stay under.
const WebTarget = 100 * time.Millisecond

// WebPage is a page the web benchmark requests, as a signed-in user.
type WebPage struct {
	Name, User, Path string
}

// WebPages lists the pages measured on the enlarged demo county: the
// dashboard, an account page and trace pages, for the county finance
// bureau, and the dashboard and a channel trace of a township officer.
func WebPages(households int, villages []string) []WebPage {
	hh := BigHousehold(households, villages)
	return append([]WebPage{
		{"dashboard", "demo.finance", "/desk"},
		{"account " + hh, "demo.finance", "/ledger/accounts/" + hh},
		{"trace channel ZX", "demo.finance", "/ledger/trace?channel=ZX"},
		{"trace account prj:2026-001", "demo.finance", "/ledger/trace?account=prj:2026-001"},
		{"dashboard (township)", "demo.township", "/desk"},
		{"trace channel ZX (township)", "demo.township", "/ledger/trace?channel=ZX"},
	}, listPages(households, villages)...)
}

// BigHousehold is the code of a household of the enlarged county that
// received money: the one the first payment went to.
func BigHousehold(households int, villages []string) string {
	h := 7 % households // payment 0's household; see bigPlan.payment
	return bigHouseholdCode(villages[h%len(villages)], h/len(villages))
}

// Web builds (or reuses) the enlarged demo county and measures how long
// the dashboard, an account page and trace pages take to render, calling
// the server's handler in process, one request after another. It prints
// p50, p99 and max per page, and OVER TARGET where p99 exceeds WebTarget.
func Web(ctx context.Context, o WebOptions, w io.Writer) error {
	if o.Households <= 0 {
		o.Households = 200_000
	}
	if o.Transfers <= 0 {
		o.Transfers = 1_000_000
	}
	if o.Requests <= 0 {
		o.Requests = 200
	}
	db, done, err := openBenchDB(ctx, o.DB)
	if err != nil {
		return err
	}
	defer done()
	l := ledger.New(db, clock.System)
	a := auth.New(db, nil, auth.Config{})
	big, err := isBig(ctx, db, a, o.Households, o.Transfers)
	if err != nil {
		return err
	}
	if big {
		fmt.Fprintf(w, "big county %s already in %s: %d households, %d transfers\n", demo.County, db.Source, o.Households, o.Transfers)
	} else if err := BigCounty(ctx, db, l, a, o.Households, o.Transfers, w); err != nil {
		return err
	}
	if err := EnsureRegistry(ctx, db, a, BenchKeys(), o.Households, w); err != nil {
		return err
	}
	if err := l.RefreshProjections(ctx, demo.County); err != nil {
		return err
	}
	villages, err := villageCodes(ctx, a)
	if err != nil {
		return err
	}
	var accounts, transfers int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM ledger_accounts WHERE county = ?`, demo.County).Scan(&accounts); err != nil {
		return err
	}
	if err := db.QueryRowContext(ctx, `SELECT last_transfer_id FROM ledger_heads WHERE county = ?`, demo.County).Scan(&transfers); err != nil {
		return err
	}
	h := app.Server(web.Deps{DB: db, Ledger: l, Auth: a, Keys: BenchKeys()})
	tokens := map[string]string{}
	pages := WebPages(o.Households, villages)
	for _, p := range pages {
		if tokens[p.User] != "" {
			continue
		}
		tok, _, err := a.Login(ctx, p.User, demo.Password(p.User), "127.0.0.1")
		if err != nil {
			return fmt.Errorf("sign in as %s: %w", p.User, err)
		}
		tokens[p.User] = tok
	}
	fmt.Fprintf(w, "bench web on %s (county %s: %d accounts, %d transfers): %d sequential requests per page, in process\n",
		db.Dialect, demo.County, accounts, transfers, o.Requests)
	fmt.Fprintf(w, "  %-54s %9s %9s %9s %10s %9s\n", "page", "p50 ms", "p99 ms", "max ms", "p99/100ms", "KiB")
	over := 0
	for _, p := range pages {
		lat, size, err := measurePage(ctx, h, p, tokens[p.User], 5, o.Requests)
		if err != nil {
			return err
		}
		p99 := pct(lat, 99)
		flag := ""
		if p99 > WebTarget {
			flag = "  OVER TARGET"
			over++
		}
		fmt.Fprintf(w, "  %-54s %9.2f %9.2f %9.2f %10.2f %9.1f%s\n", p.Name+" ("+p.User+")", ms(pct(lat, 50)), ms(p99), ms(pct(lat, 100)),
			float64(p99)/float64(WebTarget), float64(size)/1024, flag)
	}
	if over == 0 {
		fmt.Fprintf(w, "web: every page p99 under %v\n", WebTarget)
	} else {
		fmt.Fprintf(w, "web: %d page(s) OVER TARGET (p99 > %v)\n", over, WebTarget)
	}
	return nil
}

// isBig reports whether the database already holds the enlarged county of
// these sizes: its last household account and its last payment exist.
func isBig(ctx context.Context, db *store.DB, a *auth.Service, households, transfers int) (bool, error) {
	var heads int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM ledger_heads WHERE county = ?`, demo.County).Scan(&heads); err != nil || heads == 0 {
		return false, err
	}
	villages, err := demoVillages(ctx, a)
	if err != nil || len(villages) == 0 {
		return false, err
	}
	p, err := newBigPlan(villages, households, transfers)
	if err != nil {
		return false, err
	}
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM ledger_accounts WHERE county = ? AND code >= 'big:hh:' AND code < 'big:hh;'`, demo.County).Scan(&n); err != nil {
		return false, err
	}
	if n < int64(households) {
		return false, nil
	}
	return keyPosted(ctx, db, p.payment(p.payments-1).Key)
}

func villageCodes(ctx context.Context, a *auth.Service) ([]string, error) {
	vs, err := demoVillages(ctx, a)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v.Code)
	}
	return out, nil
}

// getPage requests one page as the session's user and checks for 200.
func getPage(ctx context.Context, h http.Handler, path, token string) (int, error) {
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
	req.AddCookie(&http.Cookie{Name: "op_session", Value: token})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		body := rec.Body.String()
		if len(body) > 300 {
			body = body[:300]
		}
		return 0, fmt.Errorf("GET %s: status %d: %s", path, rec.Code, strings.TrimSpace(body))
	}
	return rec.Body.Len(), nil
}

// measurePage requests p warm times, then n times, timing each.
func measurePage(ctx context.Context, h http.Handler, p WebPage, token string, warm, n int) ([]time.Duration, int, error) {
	for i := 0; i < warm; i++ {
		if _, err := getPage(ctx, h, p.Path, token); err != nil {
			return nil, 0, err
		}
	}
	lat := make([]time.Duration, 0, n)
	size := 0
	for i := 0; i < n; i++ {
		t0 := time.Now()
		s, err := getPage(ctx, h, p.Path, token)
		if err != nil {
			return nil, 0, err
		}
		lat = append(lat, time.Since(t0))
		size = s
	}
	return lat, size, nil
}
