package main

import (
	"strings"
	"testing"

	"onepool/internal/store/storetest"
)

// TestUserTokenCommands: `user token` issues a token for --days, `user
// token list` shows it with its expiry and state, `user token revoke`
// revokes it, on both stores.
func TestUserTokenCommands(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(d.String(), func(t *testing.T) {
			src := storetest.Source(t, d)
			if _, _, err := runCmd(t, "user", "add", "--db", src, "--username", "fin", "--name", "财政局", "--role", "finance", "--place", county+"000000"); err != nil {
				t.Fatal(err)
			}
			tok, _, err := runCmd(t, "user", "token", "--db", src, "--username", "fin", "--label", "bank sync", "--days", "30")
			if err != nil || !strings.HasPrefix(tok, "op_") {
				t.Fatalf("issue: %v %q", err, tok)
			}
			if _, _, err := runCmd(t, "user", "token", "--db", src, "--username", "fin", "--days", "0"); err == nil || !strings.Contains(err.Error(), "invalid_days") {
				t.Errorf("--days 0: %v", err)
			}
			runCmd(t, "user", "token", "--db", src, "--username", "fin")
			out, _, err := runCmd(t, "user", "token", "list", "--db", src, "--username", "fin")
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if err != nil || len(lines) != 3 || !strings.HasPrefix(lines[1], "1 ") || !strings.Contains(lines[1], "bank sync") || !strings.Contains(lines[1], "active") || !strings.Contains(lines[2], "cli") {
				t.Fatalf("list: %v\n%s", err, out)
			}
			if out, _, err := runCmd(t, "user", "token", "revoke", "--db", src, "--username", "fin", "--id", "1"); err != nil || !strings.Contains(out, "revoked token 1 of fin") {
				t.Fatalf("revoke: %v %s", err, out)
			}
			out, _, _ = runCmd(t, "user", "token", "list", "--db", src, "--username", "fin")
			if lines := strings.Split(strings.TrimSpace(out), "\n"); !strings.Contains(lines[1], "revoked (admin)") || !strings.Contains(lines[2], "active") {
				t.Errorf("list after revoke:\n%s", out)
			}
			if _, _, err := runCmd(t, "user", "token", "revoke", "--db", src, "--username", "fin", "--id", "1"); err == nil || !strings.Contains(err.Error(), "already_revoked") {
				t.Errorf("revoke twice: %v", err)
			}
			_, _, err = runCmd(t, "user", "token", "revoke", "--db", src, "--username", "fin")
			wantExit(t, err, 2)
		})
	}
}

// TestTrustProxyFlag: a bare --trust-proxy trusts loopback only, a list
// (after = or as the next argument) trusts exactly it, and a bad list is
// a usage error.
func TestTrustProxyFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
		bad  bool
	}{
		{[]string{"--trust-proxy"}, "127.0.0.0/8,::1/128", false},
		{[]string{"--trust-proxy", "--addr", ":0"}, "127.0.0.0/8,::1/128", false},
		{[]string{"--trust-proxy=true"}, "127.0.0.0/8,::1/128", false},
		{[]string{"--trust-proxy", "127.0.0.1,10.0.0.5"}, "127.0.0.1/32,10.0.0.5/32", false},
		{[]string{"-trust-proxy=10.0.0.0/24"}, "10.0.0.0/24", false},
		{[]string{}, "", false},
		{[]string{"--trust-proxy", "10.0.0.300"}, "", true},
		{[]string{"--trust-proxy=evil.example"}, "", true},
	} {
		fs := flags("serve", &strings.Builder{})
		var p proxyFlag
		fs.Var(&p, "trust-proxy", "")
		fs.String("addr", "", "")
		err := fs.Parse(joinTrustProxy(c.args))
		if c.bad != (err != nil) || (!c.bad && p.String() != c.want) || fs.NArg() != 0 {
			t.Errorf("%v: %q, %v, args left %v", c.args, p.String(), err, fs.Args())
		}
	}
	_, _, err := runCmd(t, "serve", "--db", "sqlite:"+t.TempDir()+"/x.db", "--trust-proxy", "not-an-address")
	wantExit(t, err, 2)
}
