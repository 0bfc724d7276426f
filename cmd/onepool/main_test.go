package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const county = "990101"

// syncBuffer is a bytes.Buffer safe for the server goroutine to write while
// the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

var noEnv = env(nil)

// runCmd runs the command to completion and returns its stdout, stderr and error.
func runCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), append([]string{"onepool"}, args...), noEnv, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

func wantExit(t *testing.T, err error, code int) {
	t.Helper()
	var ec exitCode
	if !errors.As(err, &ec) || int(ec) != code {
		t.Fatalf("got error %v, want exitCode(%d)", err, code)
	}
}

var urlRe = regexp.MustCompile(`http://localhost:(\d+)/`)

func TestServeEndToEnd(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(d.String(), func(t *testing.T) {
			src := storetest.Source(t, d)
			if d == store.SQLite && !strings.HasPrefix(src, "sqlite:") {
				t.Fatalf("SQLite source %q", src)
			}
			serveEndToEnd(t, src)
		})
	}
}

func serveEndToEnd(t *testing.T, src string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// A finance officer and an API token, made on the command line.
	out, _, err := runCmd(t, "user", "add", "--db", src, "--username", "fin", "--name", "财政局", "--role", "finance", "--place", county+"000000")
	if err != nil || !strings.Contains(out, "password: ") {
		t.Fatalf("user add: %v: %s", err, out)
	}
	tok, _, err := runCmd(t, "user", "token", "--db", src, "--username", "fin")
	if err != nil || !strings.HasPrefix(tok, "op_") {
		t.Fatalf("user token: %v: %s", err, tok)
	}
	tok = strings.TrimSpace(tok)
	// A second finance officer approves what the first enters.
	if out, _, err := runCmd(t, "user", "add", "--db", src, "--username", "fin2", "--name", "财政局审核", "--role", "finance", "--place", county+"000000"); err != nil {
		t.Fatalf("user add fin2: %v: %s", err, out)
	}
	tok2, _, err := runCmd(t, "user", "token", "--db", src, "--username", "fin2")
	if err != nil {
		t.Fatal(err)
	}
	tok2 = strings.TrimSpace(tok2)
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"onepool", "serve", "--db", src, "--addr", "127.0.0.1:0"}, noEnv, stdout, stderr)
	}()

	// Wait for the URL.
	var baseURL string
	deadline := time.Now().Add(30 * time.Second)
	for baseURL == "" {
		if m := urlRe.FindStringSubmatch(stdout.String()); m != nil {
			baseURL = "http://127.0.0.1:" + m[1]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended early: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no URL printed\nstdout: %s\nstderr: %s", stdout, stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}

	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	do := func(method, path, body, token string) (int, string) {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, baseURL+path, rd)
		if err != nil {
			t.Fatal(err)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b)
	}

	// Poll /healthz until it answers 200.
	for deadline := time.Now().Add(30 * time.Second); ; {
		req, _ := http.NewRequest("GET", baseURL+"/healthz", nil)
		resp, err := client.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				if !strings.Contains(string(b), `"status":"ok"`) {
					t.Fatalf("healthz: %s", b)
				}
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("healthz never answered 200: %v\nstderr: %s", err, stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}

	api := "/api/v1/ledger/" + county
	step := func(method, path, body string, want int, substr ...string) string {
		t.Helper()
		code, b := do(method, path, body, tok)
		if code != want {
			t.Fatalf("%s %s: status %d, want %d: %s", method, path, code, want, b)
		}
		for _, s := range substr {
			if !strings.Contains(b, s) {
				t.Fatalf("%s %s: body lacks %s: %s", method, path, s, b)
			}
		}
		return b
	}
	if code, b := do("GET", api+"/channels", "", ""); code != http.StatusUnauthorized {
		t.Fatalf("no token: status %d: %s", code, b)
	}
	if code, b := do("GET", api+"/channels", "", "wrong"); code != http.StatusUnauthorized {
		t.Fatalf("wrong token: status %d: %s", code, b)
	}
	step("POST", api+"/channels", `{"code":"ZX","name":"中央专项扶贫资金"}`, http.StatusCreated, `"code":"ZX"`)
	step("POST", api+"/accounts", `{"accounts":[{"code":"treasury","kind":"external","name":"国库","place":"990101"},{"code":"pool","kind":"pool","name":"资金池","place":"990101","no_overdraft":true}]}`,
		http.StatusCreated, `"code":"treasury"`, `"code":"pool"`)
	// An arrival is the funds capability's: the ledger API enters
	// adjustments only, and a second person approves them.
	step("POST", api+"/transfers", `{"key":"arr-1","kind":"arrival","from":"treasury","to":"pool","legs":[{"channel":"ZX","amount":"1234.56"}]}`,
		http.StatusUnprocessableEntity, `"code":"capability_kind"`)
	step("POST", api+"/transfers", `{"key":"adj-1","kind":"adjustment","from":"treasury","to":"pool","legs":[{"channel":"ZX","amount":"1234.56"}]}`,
		http.StatusAccepted, `"id":1,`, `"amount":"1234.56","amount_fen":123456`, `"state":"pending"`)
	step("GET", api+"/accounts/pool/balances", "", http.StatusOK, `"total_fen":0`)
	step("POST", "/api/v1/instructions/"+county+"/1/decide", `{"action":"approve"}`, http.StatusUnprocessableEntity, `"code":"maker_checker"`)
	if code, b := do("POST", "/api/v1/instructions/"+county+"/1/decide", `{"action":"approve"}`, tok2); code != http.StatusOK || !strings.Contains(b, `"transfers":[1]`) {
		t.Fatalf("the second officer approves: %d %s", code, b)
	}
	step("GET", api+"/accounts/pool/balances", "", http.StatusOK, `"channel":"ZX"`, `"amount":"1234.56"`, `"total_fen":123456`)
	step("GET", api+"/accounts/treasury/balances", "", http.StatusOK, `"amount":"-1234.56"`)
	step("POST", api+"/transfers", `{"key":"too-much","kind":"adjustment","from":"pool","to":"treasury","legs":[{"channel":"ZX","amount":"1234.57"}]}`,
		http.StatusUnprocessableEntity, `"code":"insufficient_funds"`)

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v after cancel\nstderr: %s", err, stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}

	// What the server wrote is intact.
	out, _, err = runCmd(t, "verify", "--db", src)
	if err != nil || !strings.Contains(out, "ok: 1 county ledger(s), 1 transfers") {
		t.Fatalf("verify after serve: %v: %s", err, out)
	}
}

// TestServeDemo is the README's first command: serve --demo prints the
// demo sign-ins; a township officer signs in through the login form and
// sees their township; running the demo again changes nothing.
func TestServeDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	src := storetest.Source(t, store.SQLite)
	go func() {
		done <- run(ctx, []string{"onepool", "serve", "--demo", "--db", src, "--addr", "127.0.0.1:0"}, noEnv, stdout, stderr)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for !urlRe.MatchString(stdout.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("no URL printed\nstdout: %s\nstderr: %s", stdout, stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	credRe := regexp.MustCompile(`(?m)^\s+demo\.township\s+(\S+)\s+township`)
	m := credRe.FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("no township sign-in printed: %s", stdout)
	}
	baseURL := "http://127.0.0.1:" + urlRe.FindStringSubmatch(stdout.String())[1]
	jar, _ := cookiejar.New(nil)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second}
	get := func(path string) string {
		t.Helper()
		resp, err := client.Get(baseURL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return string(b)
	}
	login := get("/login")
	csrf := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindStringSubmatch(login)
	if csrf == nil {
		t.Fatalf("no CSRF token in the login form: %s", login)
	}
	resp, err := client.PostForm(baseURL+"/login", url.Values{"csrf": {csrf[1]}, "username": {"demo.township"}, "password": {m[1]}, "next": {"/desk"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "清溪镇") || !strings.Contains(string(b), "各渠道资金去向") {
		t.Fatalf("after login: %d %s", resp.StatusCode, b)
	}
	if page := get("/ledger/accounts"); !strings.Contains(page, "上坝村") || strings.Contains(page, "石门村") {
		t.Errorf("a township officer's account list is not their township's")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	before, _, _ := runCmd(t, "verify", "--db", src)
	out, _, err := runCmd(t, "demo", "--db", src)
	if err != nil || !strings.Contains(out, "demo.auditor") {
		t.Fatalf("demo again: %v: %s", err, out)
	}
	after, _, _ := runCmd(t, "verify", "--db", src)
	if before != after || !strings.HasPrefix(after, "ok:") {
		t.Errorf("running the demo twice changed the ledger: %q → %q", before, after)
	}
}

func TestMigrateAndVerifyCommands(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(d.String(), func(t *testing.T) {
			src := storetest.Source(t, d)
			out, _, err := runCmd(t, "migrate", "--db", src)
			if err != nil || !strings.Contains(out, "migrated") {
				t.Fatalf("migrate: %v: %q", err, out)
			}
			if strings.Contains(out, ": 0 migration(s)") {
				t.Fatalf("first migrate applied nothing: %q", out)
			}
			out, _, err = runCmd(t, "migrate", "--db", src)
			if err != nil || !strings.Contains(out, "migrated") || !strings.Contains(out, ": 0 migration(s) applied") {
				t.Fatalf("second migrate: %v: %q", err, out)
			}
			out, _, err = runCmd(t, "verify", "--db", src)
			if err != nil || !strings.HasPrefix(out, "ok") {
				t.Fatalf("verify on an empty database: %v: %q", err, out)
			}
			// The default database comes from ONEPOOL_DB.
			var stdout, stderr bytes.Buffer
			err = run(context.Background(), []string{"onepool", "verify"}, env(map[string]string{"ONEPOOL_DB": src}), &stdout, &stderr)
			if err != nil || !strings.HasPrefix(stdout.String(), "ok") {
				t.Fatalf("verify with ONEPOOL_DB: %v: %q %q", err, stdout.String(), stderr.String())
			}
		})
	}
}

// openLedger opens and migrates src and posts a few transfers: treasury →
// pool (transfer 1), pool → hh:0 (2), pool → hh:1 (3).
func openLedger(t *testing.T, src string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	l := ledger.New(db, nil)
	if _, err := l.CreateChannels(ctx, "test", county, []ledger.NewChannel{{Code: "ZX", Name: "中央专项扶贫资金"}, {Code: "JT", Name: "交通行业资金"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.OpenAccounts(ctx, "test", county, []ledger.NewAccount{
		{Code: "treasury", Kind: ledger.External, Name: "国库", Place: place.Code(county)},
		{Code: "pool", Kind: ledger.Pool, Name: "资金池", Place: place.Code(county), NoOverdraft: true},
		{Code: "hh:0", Kind: ledger.Household, Name: "农户0", Place: place.Code(county + "100201"), NoOverdraft: true},
		{Code: "hh:1", Kind: ledger.Household, Name: "农户1", Place: place.Code(county + "100201"), NoOverdraft: true},
	}); err != nil {
		t.Fatal(err)
	}
	fen := func(s string) money.Fen {
		f, err := money.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	if _, err := l.Post(ctx, "test", county, []ledger.TransferRequest{
		{Key: "arr", Kind: "arrival", From: "treasury", To: "pool", Legs: []ledger.Leg{{Channel: "ZX", Amount: fen("1000")}, {Channel: "JT", Amount: fen("500")}}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Post(ctx, "test", county, []ledger.TransferRequest{
		{Key: "p0", Kind: "payment", From: "pool", To: "hh:0", Legs: []ledger.Leg{{Channel: "ZX", Amount: fen("100")}}},
		{Key: "p1", Kind: "payment", From: "pool", To: "hh:1", Legs: []ledger.Leg{{Channel: "ZX", Amount: fen("50")}, {Channel: "JT", Amount: fen("25.5")}}},
	}); err != nil {
		t.Fatal(err)
	}
	return db
}

// refused runs a statement that the immutability triggers must refuse.
func refused(t *testing.T, db *store.DB, q string) {
	t.Helper()
	_, err := db.ExecRaw(context.Background(), q, county)
	if err == nil {
		t.Fatalf("not refused: %s", q)
	}
	if msg := err.Error(); !strings.Contains(msg, "immutable") && !strings.Contains(msg, "append-only") {
		t.Fatalf("%s: refused for another reason: %v", q, err)
	}
}

func dropTrigger(t *testing.T, db *store.DB, table, sqliteName string) {
	t.Helper()
	q := "DROP TRIGGER " + sqliteName
	if db.Dialect == store.Postgres {
		q = "DROP TRIGGER " + table + "_no_change ON " + table
	}
	if _, err := db.ExecRaw(context.Background(), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// verifyBroken runs verify on src and wants exit 1 with every substring in
// its output.
func verifyBroken(t *testing.T, src string, want ...string) {
	t.Helper()
	out, _, err := runCmd(t, "verify", "--db", src)
	t.Logf("verify: %s", out)
	wantExit(t, err, 1)
	if !strings.Contains(out, "BROKEN") {
		t.Errorf("verify output has no BROKEN line: %q", out)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("verify output lacks %q: %q", w, out)
		}
	}
}

func verifyOK(t *testing.T, src string) {
	t.Helper()
	out, _, err := runCmd(t, "verify", "--db", src)
	if err != nil || !strings.HasPrefix(out, "ok: 1 county ledger(s), 3 transfers") {
		t.Fatalf("verify before tampering: %v: %q", err, out)
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	ctx := context.Background()
	for _, d := range storetest.Dialects() {
		t.Run(d.String(), func(t *testing.T) {
			t.Run("transfer", func(t *testing.T) {
				src := storetest.Source(t, d)
				db := openLedger(t, src)
				verifyOK(t, src)
				// The store refuses to update or delete postings.
				refused(t, db, `UPDATE ledger_transfers SET legs = '1:999' WHERE county = ? AND id = 2`)
				refused(t, db, `DELETE FROM ledger_transfers WHERE county = ? AND id = 3`)
				verifyOK(t, src)
				dropTrigger(t, db, "ledger_transfers", "ledger_transfers_no_update")
				res, err := db.ExecRaw(ctx, `UPDATE ledger_transfers SET legs = '1:999' WHERE county = ? AND id = 2`, county)
				if err != nil {
					t.Fatal(err)
				}
				if n, _ := res.RowsAffected(); n != 1 {
					t.Fatalf("tampering updated %d rows", n)
				}
				verifyBroken(t, src, "990101/2")
			})
			t.Run("deleted transfer", func(t *testing.T) {
				src := storetest.Source(t, d)
				db := openLedger(t, src)
				verifyOK(t, src)
				dropTrigger(t, db, "ledger_transfers", "ledger_transfers_no_delete")
				if _, err := db.ExecRaw(ctx, `DELETE FROM ledger_transfers WHERE county = ? AND id = 3`, county); err != nil {
					t.Fatal(err)
				}
				verifyBroken(t, src, "990101/3", "deleted")
			})
			t.Run("audit", func(t *testing.T) {
				src := storetest.Source(t, d)
				db := openLedger(t, src)
				verifyOK(t, src)
				refused(t, db, `UPDATE audit_log SET after_json = '{}' WHERE county = ? AND id = 1`)
				refused(t, db, `DELETE FROM audit_log WHERE county = ? AND id = 1`)
				verifyOK(t, src)
				dropTrigger(t, db, "audit_log", "audit_log_no_update")
				res, err := db.ExecRaw(ctx, `UPDATE audit_log SET after_json = '{"tampered":true}' WHERE county = ? AND id = 1`, county)
				if err != nil {
					t.Fatal(err)
				}
				if n, _ := res.RowsAffected(); n != 1 {
					t.Fatalf("tampering updated %d rows", n)
				}
				verifyBroken(t, src, "audit entry", "990101/1")
			})
			t.Run("balance", func(t *testing.T) {
				src := storetest.Source(t, d)
				db := openLedger(t, src)
				verifyOK(t, src)
				res, err := db.ExecRaw(ctx, `UPDATE ledger_balances SET balance = balance + 100 WHERE county = ? AND account_id = (SELECT id FROM ledger_accounts WHERE county = ? AND code = 'hh:0')`, county, county)
				if err != nil {
					t.Fatal(err)
				}
				if n, _ := res.RowsAffected(); n != 1 {
					t.Fatalf("tampering updated %d rows", n)
				}
				verifyBroken(t, src, "balance")
			})
		})
	}
}

func TestUnknownCommandAndBadDB(t *testing.T) {
	_, stderr, err := runCmd(t, "frobnicate")
	wantExit(t, err, 2)
	if !strings.Contains(stderr, `unknown command "frobnicate"`) || !strings.Contains(stderr, "Usage:") {
		t.Errorf("stderr: %q", stderr)
	}

	var stdout, errb bytes.Buffer
	wantExit(t, run(context.Background(), []string{"onepool"}, noEnv, &stdout, &errb), 2)
	if !strings.Contains(errb.String(), "Usage:") {
		t.Errorf("no usage without a command: %q", errb.String())
	}

	out, _, err := runCmd(t, "help")
	if err != nil || !strings.Contains(out, "Usage:") {
		t.Errorf("help: %v: %q", err, out)
	}

	_, _, err = runCmd(t, "verify", "--db", "mysql://x")
	if err == nil {
		t.Fatal("verify --db mysql://x succeeded")
	}
	var ec exitCode
	if errors.As(err, &ec) {
		t.Errorf("bad database gave %v, want a described error", err)
	}
	if !strings.Contains(err.Error(), "unsupported database") {
		t.Errorf("bad database error: %v", err)
	}
	if _, _, err := runCmd(t, "migrate", "--db", "mysql://x"); err == nil {
		t.Error("migrate --db mysql://x succeeded")
	}
	if _, _, err := runCmd(t, "serve", "--db", "mysql://x", "--addr", "127.0.0.1:0"); err == nil {
		t.Error("serve --db mysql://x succeeded")
	}

	_, _, err = runCmd(t, "verify", "--no-such-flag")
	wantExit(t, err, 2)
	_, _, err = runCmd(t, "verify", "--db", "sqlite:"+t.TempDir()+"/x.db", "extra")
	wantExit(t, err, 2)
	_, _, err = runCmd(t, "bench")
	wantExit(t, err, 2)
}

// TestServeTLS: serve terminates HTTPS itself with --tls-cert/--tls-key,
// and its session cookie is then Secure.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	src := storetest.Source(t, store.SQLite)
	go func() {
		done <- run(ctx, []string{"onepool", "serve", "--db", src, "--addr", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", keyFile}, noEnv, stdout, stderr)
	}()
	re := regexp.MustCompile(`https://localhost:(\d+)/`)
	deadline := time.Now().Add(30 * time.Second)
	for !re.MatchString(stdout.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("no https URL printed\nstdout: %s\nstderr: %s", stdout, stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	pool := x509.NewCertPool()
	pool.AddCert(must(x509.ParseCertificate(der)))
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get("https://127.0.0.1:" + re.FindStringSubmatch(stdout.String())[1] + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("https /login: %d, HSTS %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	for _, c := range resp.Cookies() {
		if !c.Secure || !c.HttpOnly {
			t.Errorf("cookie %s over HTTPS: Secure=%v HttpOnly=%v", c.Name, c.Secure, c.HttpOnly)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	// Half a pair of flags is refused.
	_, _, err = runCmd(t, "serve", "--db", src, "--tls-cert", certFile)
	wantExit(t, err, 2)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestAdoptOpeningCommand: the demo prints the adopted county's sign-ins;
// `adopt opening` enters a file for approval (nothing posted), a replay
// says so, and the adopted county refuses a second set.
func TestAdoptOpeningCommand(t *testing.T) {
	dir := t.TempDir()
	src := "sqlite:" + filepath.Join(dir, "adopt.db")
	out, _, err := runCmd(t, "demo", "--db", src)
	if err != nil || !strings.Contains(out, "demo county 990102 ready") || !strings.Contains(out, "demo2.finance2") {
		t.Fatalf("demo: %v: %s", err, out)
	}
	good := filepath.Join(dir, "opening.csv")
	os.WriteFile(good, []byte("账户代码,渠道代码,金额（元）\npool,ZX,1万元\n"), 0o600)
	args := []string{"adopt", "opening", "--db", src, "--county", "990101", "--file", good, "--doc", "青财建〔2026〕9号", "--day", "2026-09-30", "--user", "demo.finance"}
	out, _, err = runCmd(t, args...)
	if err != nil || !strings.Contains(out, "opening set entered as instruction") {
		t.Fatalf("adopt opening: %v: %s", err, out)
	}
	if out, _, err = runCmd(t, args...); err != nil || !strings.Contains(out, "already entered") {
		t.Fatalf("replay: %v: %s", err, out)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("账户代码,渠道代码,金额（元）\nhh:nobody,ZX,1\n"), 0o600)
	if _, _, err := runCmd(t, "adopt", "opening", "--db", src, "--county", "990102", "--file", bad, "--doc", "d", "--day", "2026-09-30", "--user", "demo2.finance"); errs.CodeOf(err) != "opening_exists" {
		t.Fatalf("a second set in the adopted county: %v", err)
	}
}
