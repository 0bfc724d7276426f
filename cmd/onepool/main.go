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
	"os"
	"os/signal"
	"syscall"
	"time"

	"onepool/bench"
	"onepool/internal/audit"
	"onepool/internal/clock"
	"onepool/internal/ledger"
	"onepool/internal/store"
	"onepool/internal/web"
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
  onepool serve   [--db DB] [--addr :8080]     run the server (migrates first)
  onepool migrate [--db DB]                    apply database migrations
  onepool verify  [--db DB]                    check the ledger and audit hash chains and balances
  onepool bench ledger [--db DB] [--transfers N]  measure the ledger (see docs/PERFORMANCE.md)

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
	rep, err := ledger.Verify(ctx, db)
	if err != nil {
		return err
	}
	aud, err := audit.Verify(ctx, db)
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

func cmdServe(ctx context.Context, args []string, defaultDB string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flags("serve", stderr)
	dbf := fs.String("db", defaultDB, "database: sqlite:PATH, PATH or postgres://…")
	addr := fs.String("addr", ":8080", "listen address")
	if err := parse(fs, args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	db, err := openMigrated(ctx, *dbf)
	if err != nil {
		return err
	}
	defer db.Close()
	token := getenv("ONEPOOL_API_TOKEN")
	if token == "" {
		b := make([]byte, 24)
		rand.Read(b)
		token = hex.EncodeToString(b)
		fmt.Fprintf(stdout, "API token for this run (set ONEPOOL_API_TOKEN to fix one): %s\n", token)
	}
	l := ledger.New(db, clock.System)
	h := web.NewServer(web.Deps{DB: db, Ledger: l, Clock: clock.System, Log: log, APIToken: token})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second}
	port := ln.Addr().(*net.TCPAddr).Port
	fmt.Fprintf(stdout, "onepool serving %s on http://localhost:%d/ (database %s)\n", "ledger API", port, db.Source)
	go refreshProjectionsLoop(ctx, db, l, log)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
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
	if len(args) == 0 || args[0] != "ledger" {
		fmt.Fprint(stderr, "usage: onepool bench ledger [--db DB] [--transfers N]\n")
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
