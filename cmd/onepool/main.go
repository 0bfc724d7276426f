// Command onepool runs a county's rural-revitalization fund system: one
// binary, SQLite by default, PostgreSQL by flag. See the README.
//
// main only calls run, which parses flags and wires the parts together.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"onepool/bench"
	"onepool/internal/adopt"
	"onepool/internal/app"
	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/demo"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/store/pgcluster"
	"onepool/internal/tabular"
	"onepool/internal/web"
	"onepool/internal/workflow"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var ec exitCode
		if errors.As(err, &ec) {
			os.Exit(int(ec))
		}
		fmt.Fprintln(os.Stderr, "onepool:", err)
		os.Exit(1)
	}
}

// exitCode ends the program with a code, its message already printed.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

const usage = `onepool — one pool for a county's rural-revitalization funds

Usage:
  onepool serve   [--db DB] [--addr :8080] [--demo] [--tls-cert F --tls-key F] [--trust-proxy [IP,CIDR,…]]
                                               run the server (migrates first); a bare --trust-proxy
                                               trusts a proxy on this machine (loopback) only
  onepool demo    [--db DB]                    create the demo county (idempotent), print sign-ins
  onepool user add --username U --name N --role R --place CODE
                                               create a user; prints a generated password
  onepool user token --username U [--label L] [--days N]
                                               issue an API token for a user (valid N days, default 90, 1–365)
  onepool user token list --username U         list a user's tokens (id, label, created, last used, expires, state)
  onepool user token revoke --username U --id N   revoke a user's token
  onepool adopt opening --county C --file F --doc 文号 --day YYYY-MM-DD --user U [--key K]
                                               enter a county's opening balances (CSV or xlsx) as user U
                                               for approval by another person (系统 → 资金 → 期初导入)
  onepool migrate [--db DB]                    apply database migrations
  onepool verify  [--db DB]                    check the ledger and audit hash chains and balances
  onepool backup  [--db DB] --out FILE [--format pg_dump|logical]
                                               a consistent copy while the server runs (not the key)
  onepool restore [--db DB] --in FILE [--force]
                                               bring a backup back (stop the server first)
  onepool bench ledger [--db DB] [--transfers N]  measure the ledger (see docs/PERFORMANCE.md)
  onepool bench web [--db DB] [--households N] [--transfers N] [--requests N]
  onepool bench funds [--db DB] [--channels N] [--arrivals N] [--projects N] [--payments N]
  onepool bench projects [--db DB | --pg] [--projects N] [--steps N] [--runs N]
  onepool bench relief [--db DB | --pg] [--households N] [--payouts N] [--kill=false]
  onepool bench dividends [--db DB | --pg] [--households N] [--agreements N] [--kill=false]
  onepool bench assets [--db DB | --pg] [--assets N] [--per-asset N] [--register N] [--kill=false]
                                               page p50/p99 on the enlarged demo county

DB is sqlite:PATH, a file path, or a postgres:// URL (default sqlite:onepool.db;
the ONEPOOL_DB environment variable overrides the default).
`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return exitCode(2)
	}
	defaultDB := "sqlite:onepool.db"
	if v := getenv("ONEPOOL_DB"); v != "" {
		defaultDB = v
	}
	switch args[1] {
	case "serve":
		return cmdServe(ctx, args[2:], defaultDB, getenv, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, args[2:], defaultDB, stdout, stderr)
	case "verify":
		return cmdVerify(ctx, args[2:], defaultDB, stdout, stderr)
	case "backup":
		return cmdBackup(ctx, args[2:], defaultDB, stdout, stderr)
	case "restore":
		return cmdRestore(ctx, args[2:], defaultDB, stdout, stderr)
	case "demo":
		return cmdDemo(ctx, args[2:], defaultDB, getenv, stdout, stderr)
	case "user":
		return cmdUser(ctx, args[2:], defaultDB, stdout, stderr)
	case "adopt":
		return cmdAdopt(ctx, args[2:], defaultDB, stdout, stderr)
	case "bench":
		return cmdBench(ctx, args[2:], defaultDB, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "onepool: unknown command %q\n\n%s", args[1], usage)
		return exitCode(2)
	}
}

func flags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("onepool "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return exitCode(2)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected arguments: %v\n", fs.Args())
		return exitCode(2)
	}
	return nil
}

func openMigrated(ctx context.Context, source string) (*store.DB, error) {
	db, err := store.Open(ctx, source)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.Optimize(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func cmdMigrate(ctx context.Context, args []string, defaultDB string, stdout, stderr io.Writer) error {
	fs := flags("migrate", stderr)
	dbf := fs.String("db", defaultDB, "database: sqlite:PATH, PATH or postgres://…")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := store.Open(ctx, *dbf)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrated %s: %d migration(s) applied\n", db.Source, n)
	return nil
}

func cmdVerify(ctx context.Context, args []string, defaultDB string, stdout, stderr io.Writer) error {
	fs := flags("verify", stderr)
	dbf := fs.String("db", defaultDB, "database: sqlite:PATH, PATH or postgres://…")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := store.Open(ctx, *dbf)
	if err != nil {
		return err
	}
	defer db.Close()
	// One snapshot for the ledger and the audit log: what is posted while
	// verify runs is not seen, so it never looks like a break.
	var rep ledger.VerifyReport
	var aud []audit.Problem
	err = db.Snapshot(ctx, func(q store.Querier) error {
		var err error
		if rep, err = ledger.VerifyIn(ctx, q); err != nil {
			return err
		}
		aud, err = audit.VerifyIn(ctx, q)
		return err
	})
	if err != nil {
		return err
	}
	if len(rep.Problems) == 0 && len(aud) == 0 {
		fmt.Fprintf(stdout, "ok: %d county ledger(s), %d transfers, %d balances, audit chains intact\n", rep.Counties, rep.Transfers, rep.Balances)
		return nil
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(stdout, "BROKEN", p.String())
	}
	for _, p := range aud {
		fmt.Fprintln(stdout, "BROKEN", p.String())
	}
	return exitCode(1)
}

// cmdBackup copies the database consistently while it is being written
// (store.Backup). The data key is not in the copy: it is backed up apart.
func cmdBackup(ctx context.Context, args []string, defaultDB string, stdout, stderr io.Writer) error {
	fs := flags("backup", stderr)
	dbf := fs.String("db", defaultDB, "database: sqlite:PATH, PATH or postgres://…")
	out := fs.String("out", "", "the backup file to write (must not exist)")
	format := fs.String("format", "", "PostgreSQL only: pg_dump (default when pg_dump is on the PATH) or logical")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(stderr, "onepool backup: give --out FILE")
		return exitCode(2)
	}
	res, err := store.Backup(ctx, *dbf, *out, *format)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup of %s written to %s (%s, %d bytes, mode 0600)\n", redact(*dbf), *out, res.Format, res.Bytes)
	fmt.Fprintln(stdout, "the data key is not in the backup: keep the key file (or $ONEPOOL_KEY) backed up apart; without it the ID and card numbers cannot be read")
	return nil
}

// cmdRestore brings a backup back into an empty database (or, with
// --force, over one), then migrates it.
func cmdRestore(ctx context.Context, args []string, defaultDB string, stdout, stderr io.Writer) error {
	fs := flags("restore", stderr)
	dbf := fs.String("db", defaultDB, "database to restore into: sqlite:PATH, PATH or postgres://…")
	in := fs.String("in", "", "the backup file")
	force := fs.Bool("force", false, "replace a database that already holds data")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *in == "" {
		fmt.Fprintln(stderr, "onepool restore: give --in FILE")
		return exitCode(2)
	}
	if err := store.Restore(ctx, *dbf, *in, *force); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s into %s; now run: onepool verify --db %s — and start serve with the data key of the backed-up database\n", *in, redact(*dbf), redact(*dbf))
	return nil
}

// redact drops a password from a postgres:// URL.
func redact(src string) string {
	if u, err := url.Parse(src); err == nil && u.User != nil && strings.Contains(src, "://") {
		u.User = url.User(u.User.Username())
		return u.String()
	}
	return src
}

func cmdServe(ctx context.Context, args []string, defaultDB string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flags("serve", stderr)
	dbf := fs.String("db", defaultDB, "database: sqlite:PATH, PATH or postgres://…")
	addr := fs.String("addr", ":8080", "listen address")
	withDemo := fs.Bool("demo", false, "create the demo county first (idempotent) and print its sign-ins")
	certFile := fs.String("tls-cert", "", "serve HTTPS with this certificate (PEM)")
	keyFile := fs.String("tls-key", "", "the certificate's private key (PEM)")
	var trust proxyFlag
	fs.Var(&trust, "trust-proxy", "believe X-Forwarded-Proto/-For only from these reverse proxies (IPs or CIDRs, comma-separated; bare: loopback)")
	args = joinTrustProxy(args)
	dataKey := fs.String("data-key", "", "the registry's encryption key file (default: next to a SQLite database, else ./onepool.key; $ONEPOOL_KEY overrides)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if (*certFile == "") != (*keyFile == "") {
		fmt.Fprintln(stderr, "onepool serve: give both --tls-cert and --tls-key, or neither")
		return exitCode(2)
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	db, err := openMigrated(ctx, *dbf)
	if err != nil {
		return err
	}
	defer db.Close()
	keys, err := loadKeys(ctx, db, *dataKey, *dbf, getenv, stdout)
	if err != nil {
		return err
	}
	l := ledger.New(db, clock.System)
	a := auth.New(db, clock.System, auth.Config{})
	if *withDemo {
		if err := runDemo(ctx, a, l, keys, stdout); err != nil {
			return err
		}
	}
	// Members saved before the mask and the birth date were derived at
	// read time had both in clear: empty them (a no-op once done).
	if n, err := registry.New(db, keys, clock.System).ScrubClearColumns(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Info("registry: emptied the clear mask and birth date of members stored before they were derived from the sealed ID", "rows", n)
	}
	h := app.Server(web.Deps{DB: db, Ledger: l, Auth: a, Keys: keys, Clock: clock.System, Log: log, Proxies: trust.prefixes, Limits: web.DefaultLimits()})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second}
	port := ln.Addr().(*net.TCPAddr).Port
	scheme := "http"
	if *certFile != "" {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "onepool serving on %s://localhost:%d/ (database %s)\n", scheme, port, db.Source)
	go refreshProjectionsLoop(ctx, db, l, log)
	go flushAuditLoop(ctx, h)
	defer h.FlushAudit(context.Background(), true)
	errc := make(chan error, 1)
	go func() {
		if *certFile != "" {
			errc <- srv.ServeTLS(ln, *certFile, *keyFile)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// flushAuditLoop writes the folded counts of repeated refusals whose
// minute is over, so that a flood that stops is still counted.
func flushAuditLoop(ctx context.Context, h *web.Server) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			h.FlushAudit(ctx, false)
		}
	}
}

// proxyFlag is --trust-proxy: bare (or =true) it trusts loopback proxies,
// as the boolean flag of earlier versions did for any peer; with a list
// it trusts those addresses and prefixes.
type proxyFlag struct{ prefixes []netip.Prefix }

func (p *proxyFlag) IsBoolFlag() bool { return true }

func (p *proxyFlag) String() string {
	if p == nil {
		return ""
	}
	var parts []string
	for _, x := range p.prefixes {
		parts = append(parts, x.String())
	}
	return strings.Join(parts, ",")
}

func (p *proxyFlag) Set(v string) error {
	switch v {
	case "true":
		p.prefixes = append([]netip.Prefix(nil), web.Loopback...)
		return nil
	case "false":
		p.prefixes = nil
		return nil
	}
	list, err := web.ParseProxies(v)
	if err != nil {
		return fmt.Errorf("want IP addresses or CIDR prefixes separated by commas: %v", err)
	}
	if len(list) == 0 {
		return errors.New("an empty list of proxies")
	}
	p.prefixes = list
	return nil
}

// joinTrustProxy lets --trust-proxy take its list as the next argument
// ("--trust-proxy 127.0.0.1,10.0.0.5"), which the flag package does not
// do for a flag that may also stand alone; serve takes no positional
// arguments, so a following word that is not a flag is the list.
func joinTrustProxy(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if (a == "--trust-proxy" || a == "-trust-proxy") && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
			out = append(out, a+"="+args[i+1])
			i++
			continue
		}
		out = append(out, a)
	}
	return out
}

// throwawayPG starts a durable PostgreSQL cluster in a temporary folder
// (the server binaries of this machine) with one database for a benchmark.
func throwawayPG(ctx context.Context, name string) (string, func(), error) {
	c, err := pgcluster.Start(ctx, pgcluster.Options{Durable: true})
	if err != nil {
		return "", nil, err
	}
	u, err := pgcluster.CreateDatabase(ctx, c.URL("postgres"), name)
	if err != nil {
		c.Stop()
		return "", nil, err
	}
	return u, c.Stop, nil
}

// loadKeys finds the registry's encryption key: $ONEPOOL_KEY, the file
// given, or a file next to the SQLite database (./onepool.key for
// PostgreSQL); the first run generates it and says where — it must be
// backed up apart from the database. The key must match the fingerprint
// the database stores (registry.BindKeys): a wrong or missing key stops
// the command instead of generating a new one over encrypted data.
func loadKeys(ctx context.Context, db *store.DB, path, src string, getenv func(string) string, stdout io.Writer) (*registry.Keys, error) {
	if path == "" {
		path = "onepool.key"
		if p, ok := strings.CutPrefix(src, "sqlite:"); ok {
			path = p + ".key"
		} else if !strings.Contains(src, "://") {
			path = src + ".key"
		}
	}
	keys, created, err := registry.BindKeys(ctx, db, path, getenv)
	if err != nil {
		return nil, err
	}
	if created {
		fmt.Fprintf(stdout, "generated the registry's encryption key in %s: back it up apart from the database (without it the ID and card numbers cannot be read)\n", path)
	}
	return keys, nil
}

// runDemo creates the demo county and prints its sign-ins.
func runDemo(ctx context.Context, a *auth.Service, l *ledger.Ledger, keys *registry.Keys, stdout io.Writer) error {
	creds, err := demo.Run(ctx, a, l, keys)
	if err != nil {
		return err
	}
	for _, cty := range []struct{ code, what string }{{demo.County, ""}, {demo.AdoptedCounty, ", started mid-year through the opening import"}} {
		fmt.Fprintf(stdout, "demo county %s ready (fictional data%s). Sign in with:\n", cty.code, cty.what)
		for _, c := range creds {
			if c.County == cty.code {
				fmt.Fprintf(stdout, "  %-16s %-22s %-9s %s\n", c.Username, c.Password, c.Role, c.Place)
			}
		}
	}
	return nil
}

func cmdDemo(ctx context.Context, args []string, defaultDB string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flags("demo", stderr)
	dbf := fs.String("db", defaultDB, "database")
	dataKey := fs.String("data-key", "", "the registry's encryption key file (as for serve)")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openMigrated(ctx, *dbf)
	if err != nil {
		return err
	}
	defer db.Close()
	keys, err := loadKeys(ctx, db, *dataKey, *dbf, getenv, stdout)
	if err != nil {
		return err
	}
	return runDemo(ctx, auth.New(db, clock.System, auth.Config{}), ledger.New(db, clock.System), keys, stdout)
}

// cmdUser administers users from the command line (the first
// administrator of a county is created here).
func cmdUser(ctx context.Context, args []string, defaultDB string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "token") {
		fmt.Fprint(stderr, "usage: onepool user add --username U --name N --role R --place CODE | onepool user token [list|revoke] --username U [--label L] [--days N] [--id N]\n")
		return exitCode(2)
	}
	if args[0] == "token" && len(args) > 1 && (args[1] == "list" || args[1] == "revoke") {
		return cmdUserToken(ctx, args[1], args[2:], defaultDB, stdout, stderr)
	}
	fs := flags("user "+args[0], stderr)
	dbf := fs.String("db", defaultDB, "database")
	username := fs.String("username", "", "user name (a–z, 0–9, . - _)")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "", "admin, rural, finance, sector, township, village or auditor")
	pl := fs.String("place", "", "12-digit division code the user acts in")
	label := fs.String("label", "cli", "what the token is for")
	days := fs.Int("days", auth.DefaultTokenDays, "days the token is valid (1–365)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	db, err := openMigrated(ctx, *dbf)
	if err != nil {
		return err
	}
	defer db.Close()
	a := auth.New(db, clock.System, auth.Config{})
	if args[0] == "token" {
		u, err := a.FindUser(ctx, *username)
		if err != nil {
			return err
		}
		tok, err := a.IssueTokenDays(ctx, u.Principal(), *label, *days)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, tok)
		return nil
	}
	code, err := place.Parse(*pl)
	if err != nil {
		fmt.Fprintf(stderr, "onepool user add: --place: %v\n", err)
		return exitCode(2)
	}
	pw := randomPassword()
	u, err := a.CreateUser(ctx, auth.System(code.Prefix()[:6]), auth.NewUser{Username: *username, DisplayName: *name, Role: auth.Role(*role), Place: code, Password: pw})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s (%s at %s); password: %s\n", u.Username, u.Role, u.Place, pw)
	return nil
}

// cmdUserToken lists or revokes a user's API tokens, as the county's
// administrator (the operator of the machine).
func cmdUserToken(ctx context.Context, verb string, args []string, defaultDB string, stdout, stderr io.Writer) error {
	fs := flags("user token "+verb, stderr)
	dbf := fs.String("db", defaultDB, "database")
	username := fs.String("username", "", "the tokens' user")
	id := fs.Int64("id", 0, "the token to revoke (see list)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *username == "" || (verb == "revoke" && *id <= 0) {
		fmt.Fprintf(stderr, "onepool user token %s: give --username%s\n", verb, map[bool]string{true: " and --id", false: ""}[verb == "revoke"])
		return exitCode(2)
	}
	db, err := openMigrated(ctx, *dbf)
	if err != nil {
		return err
	}
	defer db.Close()
	a := auth.New(db, clock.System, auth.Config{})
	u, err := a.FindUser(ctx, *username)
	if err != nil {
		return err
	}
	sys := auth.System(u.County)
	if verb == "revoke" {
		if err := a.RevokeToken(ctx, sys, u.Username, *id); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked token %d of %s\n", *id, u.Username)
		return nil
	}
	ts, err := a.Tokens(ctx, sys, u.Username)
	if err != nil {
		return err
	}
	now := time.Now()
	day := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.In(clock.Zone).Format("2006-01-02 15:04")
	}
	fmt.Fprintf(stdout, "%-4s %-16s %-16s %-16s %-16s %s\n", "ID", "CREATED", "LAST USED", "EXPIRES", "STATE", "LABEL")
	for _, t := range ts {
		state := t.State(now)
		if state == "revoked" {
			state += " (" + t.RevokeReason + ")"
		}
		fmt.Fprintf(stdout, "%-4d %-16s %-16s %-16s %-16s %s\n", t.ID, day(t.CreatedAt), day(t.LastUsed), day(t.ExpiresAt), state, t.Label)
	}
	return nil
}

func randomPassword() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// refreshProjectionsLoop keeps the trace projection close to the ledger so that
// trace pages rarely catch up on demand.
func refreshProjectionsLoop(ctx context.Context, db *store.DB, l *ledger.Ledger, log *slog.Logger) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rows, err := db.QueryContext(ctx, `SELECT county FROM ledger_heads WHERE projected_through < last_transfer_id`)
		if err != nil {
			continue
		}
		var counties []string
		for rows.Next() {
			var c string
			if rows.Scan(&c) == nil {
				counties = append(counties, c)
			}
		}
		rows.Close()
		for _, c := range counties {
			if err := l.RefreshProjections(ctx, c); err != nil && ctx.Err() == nil {
				log.Warn("refresh flows", "county", c, "err", err)
			}
		}
	}
}

func cmdBench(ctx context.Context, args []string, defaultDB string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "web" {
		fs := flags("bench web", stderr)
		dbf := fs.String("db", "", "database (default: a fresh SQLite file in a temp dir); an existing enlarged county is reused")
		hh := fs.Int("households", 200000, "household accounts of the enlarged demo county")
		n := fs.Int("transfers", 1000000, "transfers of the enlarged demo county")
		reqs := fs.Int("requests", 200, "measured requests per page")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		return bench.Web(ctx, bench.WebOptions{DB: *dbf, Households: *hh, Transfers: *n, Requests: *reqs}, stdout)
	}
	if len(args) > 0 && args[0] == "funds" {
		fs := flags("bench funds", stderr)
		dbf := fs.String("db", "", "database (default: a fresh SQLite file in a temp dir); an existing synthetic county is reused")
		o := bench.FundsOptions{}
		fs.IntVar(&o.Channels, "channels", 200, "fund channels")
		fs.IntVar(&o.Arrivals, "arrivals", 50000, "arrivals")
		fs.IntVar(&o.Projects, "projects", 20000, "projects, each allocated from two channels")
		fs.IntVar(&o.Payments, "payments", 1000000, "payments from projects to households")
		fs.IntVar(&o.Households, "households", 100000, "household accounts")
		fs.IntVar(&o.Runs, "runs", 100, "measured runs per operation")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		o.DB = *dbf
		return bench.Funds(ctx, o, stdout)
	}
	if len(args) > 0 && args[0] == "relief" {
		fs := flags("bench relief", stderr)
		dbf := fs.String("db", "", "database (default: a fresh SQLite file in a temp dir); an existing synthetic county is reused; needed for the kill test")
		pg := fs.Bool("pg", false, "run on a throwaway PostgreSQL cluster (initdb on this machine) instead of --db")
		o := bench.ReliefOptions{}
		fs.IntVar(&o.Households, "households", 1000000, "households screened")
		fs.IntVar(&o.Payouts, "payouts", 100000, "approved applications in the payout batch")
		kill := fs.Bool("kill", true, "run the batch in a child process, SIGKILL it half way, then finish it (needs --db)")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		o.DB = *dbf
		if *pg {
			u, stop, err := throwawayPG(ctx, "bench_relief")
			if err != nil {
				return err
			}
			defer stop()
			o.DB = u
		}
		if *kill && o.DB != "" {
			if exe, err := os.Executable(); err == nil {
				o.Self = exe
			}
		}
		return bench.Relief(ctx, o, stdout)
	}
	if len(args) > 0 && args[0] == "dividends" {
		fs := flags("bench dividends", stderr)
		dbf := fs.String("db", "", "database (default: a fresh SQLite file in a temp dir); must not hold the synthetic county yet; needed for the kill test")
		pg := fs.Bool("pg", false, "run on a throwaway PostgreSQL cluster (initdb on this machine) instead of --db")
		o := bench.DividendsOptions{}
		fs.IntVar(&o.Households, "households", 100000, "households, spread evenly over the agreements")
		fs.IntVar(&o.Agreements, "agreements", 2000, "active entity agreements (guaranteed and equity alternately)")
		kill := fs.Bool("kill", true, "approve and send in a child process, SIGKILL it half way through the batch, then finish (needs --db)")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		o.DB = *dbf
		if *pg {
			u, stop, err := throwawayPG(ctx, "bench_dividends")
			if err != nil {
				return err
			}
			defer stop()
			o.DB = u
		}
		if *kill && o.DB != "" {
			if exe, err := os.Executable(); err == nil {
				o.Self = exe
			}
		}
		return bench.Dividends(ctx, o, stdout)
	}
	if len(args) > 0 && args[0] == "assets" {
		fs := flags("bench assets", stderr)
		dbf := fs.String("db", "", "database (default: a fresh SQLite file in a temp dir); must not hold the synthetic county yet; needed for the kill test")
		pg := fs.Bool("pg", false, "run on a throwaway PostgreSQL cluster (initdb on this machine) instead of --db")
		o := bench.AssetsOptions{}
		fs.IntVar(&o.Assets, "assets", 5000, "operating assets with income of the year")
		fs.IntVar(&o.PerAsset, "per-asset", 20, "households kept with each asset")
		fs.IntVar(&o.Register, "register", 50000, "assets in the register for the list queries (0: skip them)")
		kill := fs.Bool("kill", true, "approve and send in a child process, SIGKILL it during the approval and half way through the batch, then finish (needs --db)")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		o.DB = *dbf
		if *pg {
			u, stop, err := throwawayPG(ctx, "bench_assets")
			if err != nil {
				return err
			}
			defer stop()
			o.DB = u
		}
		if *kill && o.DB != "" {
			if exe, err := os.Executable(); err == nil {
				o.Self = exe
			}
		}
		return bench.Assets(ctx, o, stdout)
	}
	if len(args) > 0 && args[0] == "assets-child" { // the kill test's child process
		fs := flags("bench assets-child", stderr)
		dbf := fs.String("db", "", "database")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		return bench.AssetsChild(ctx, *dbf)
	}
	if len(args) > 0 && args[0] == "dividends-child" { // the kill test's child process
		fs := flags("bench dividends-child", stderr)
		dbf := fs.String("db", "", "database")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		return bench.DividendsChild(ctx, *dbf)
	}
	if len(args) > 0 && args[0] == "relief-send" { // the kill test's child process
		fs := flags("bench relief-send", stderr)
		dbf := fs.String("db", "", "database")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		return bench.ReliefSend(ctx, *dbf)
	}
	if len(args) > 0 && args[0] == "projects" {
		fs := flags("bench projects", stderr)
		dbf := fs.String("db", "", "database (default: a fresh SQLite file in a temp dir); an existing synthetic county is reused")
		pg := fs.Bool("pg", false, "run on a throwaway PostgreSQL cluster (initdb on this machine) instead of --db")
		o := bench.ProjectsOptions{}
		fs.IntVar(&o.Projects, "projects", 20000, "projects in the library")
		fs.IntVar(&o.Steps, "steps", 200000, "review steps (decisions) in all")
		fs.IntVar(&o.Runs, "runs", 200, "measured runs per query")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		o.DB = *dbf
		if *pg {
			u, stop, err := throwawayPG(ctx, "bench_projects")
			if err != nil {
				return err
			}
			defer stop()
			o.DB = u
		}
		return bench.Projects(ctx, o, stdout)
	}
	if len(args) == 0 || args[0] != "ledger" {
		fmt.Fprint(stderr, "usage: onepool bench ledger [--db DB] [--transfers N]\n       onepool bench web [--db DB] [--households N] [--transfers N] [--requests N]\n       onepool bench funds [--db DB] [--channels N] [--arrivals N] [--projects N] [--payments N]\n       onepool bench projects [--db DB] [--projects N] [--steps N] [--runs N]\n       onepool bench relief [--db DB] [--households N] [--payouts N] [--kill=false]\n       onepool bench dividends [--db DB] [--households N] [--agreements N] [--kill=false]\n")
		return exitCode(2)
	}
	fs := flags("bench ledger", stderr)
	dbf := fs.String("db", "", "database (default: a fresh SQLite file in a temp dir)")
	n := fs.Int("transfers", 100000, "payout transfers to post")
	api := fs.Int("api", 5000, "single transfers to post through the HTTP API")
	hot := fs.Duration("hot", 10*time.Second, "duration of the hot-account test")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	return bench.Ledger(ctx, bench.LedgerOptions{DB: *dbf, Transfers: *n, API: *api, Hot: *hot}, stdout)
}

// cmdAdopt enters a county's opening balances from a file, as a named
// county user (the maker): the set waits for another person's approval
// on the 期初导入 page, like one uploaded there.
func cmdAdopt(ctx context.Context, args []string, defaultDB string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "opening" {
		fmt.Fprint(stderr, "usage: onepool adopt opening --county C --file F --doc 文号 --day YYYY-MM-DD --user U [--key K]\n")
		return exitCode(2)
	}
	fs := flags("adopt opening", stderr)
	dbf := fs.String("db", defaultDB, "database")
	cty := fs.String("county", "", "the county's 6-digit code")
	file := fs.String("file", "", "the opening file (CSV or xlsx: 账户代码, 渠道代码, 金额（元）)")
	doc := fs.String("doc", "", "the set's document number (文号)")
	day := fs.String("day", "", "the set's document date (凭证日期), YYYY-MM-DD")
	user := fs.String("user", "", "the county user entering it (finance or rural-revitalization bureau)")
	key := fs.String("key", "", "idempotency key (default: from the 文号 and the date)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *cty == "" || *file == "" || *user == "" {
		fmt.Fprintln(stderr, "onepool adopt opening: give --county, --file and --user")
		return exitCode(2)
	}
	d, err := tabular.ParseDate(*day)
	if *day != "" && err != nil {
		return err
	}
	db, err := openMigrated(ctx, *dbf)
	if err != nil {
		return err
	}
	defer db.Close()
	a := auth.New(db, clock.System, auth.Config{})
	u, err := a.User(ctx, auth.System(*cty), *user)
	if err != nil {
		return err
	}
	p := auth.Principal{Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, Place: u.Place, County: u.County}
	if u.County != *cty || u.Disabled || !auth.Allowed(u.Role, auth.WriteFunds) {
		return errs.F(errs.Forbidden, "forbidden", "user", "user %s may not enter money of county %s", u.Username, *cty)
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := adopt.ReadRows(f)
	if err != nil {
		return err
	}
	l := ledger.New(db, clock.System)
	counties := policy.NewCounties(db, clock.System)
	fsv := funds.New(db, l, counties, clock.System)
	ins := instruct.NewService(db, workflow.New(db, clock.System), counties, clock.System)
	ad := adopt.New(db, l, fsv, clock.System)
	ad.UseInstructions(ins)
	in, err := ad.Propose(ctx, p, adopt.Opening{Key: *key, DocNo: *doc, Day: d, Rows: rows})
	if err != nil {
		return err
	}
	what := "entered"
	if in.Replayed {
		what = "already entered"
	}
	fmt.Fprintf(stdout, "opening set %s as instruction %d (%s yuan, %d rows): it posts when another person approves it at /instructions/%d\n", what, in.ID, in.Amount, len(rows), in.ID)
	return nil
}
