package auth_test

import (
	"context"
	"testing"
	"time"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// TestTokenLifecycle: a token expires (90 days by default, or the days
// asked for), is listed by its owner and by an administrator of the
// user's place, is revoked by either, and stops at a password change and a
// disable; each kind of refusal has its own code, and issue and revoke
// are audited.
func TestTokenLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, clk := setup(t, db)
		admin := newUser(t, a, auth.System("990101"), "boss", auth.RoleAdmin, root).Principal()
		twpAdmin := newUser(t, a, admin, "twpadmin", auth.RoleAdmin, twpB).Principal()
		fin := newUser(t, a, admin, "fin", auth.RoleFinance, root).Principal()
		li := newUser(t, a, admin, "li", auth.RoleTownship, twpA).Principal()

		// Default 90 days: works on day 89, expired on day 90.
		tok1, err := a.IssueToken(ctx, fin, "bank")
		if err != nil {
			t.Fatal(err)
		}
		tok2, err := a.IssueTokenDays(ctx, fin, "report", 7)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range []int{0, -1, 366} {
			if _, err := a.IssueTokenDays(ctx, fin, "x", d); errs.CodeOf(err) != "invalid_days" {
				t.Errorf("%d days: %v", d, err)
			}
		}
		if p, err := a.TokenPrincipal(ctx, tok1); err != nil || p.Username != "fin" {
			t.Fatalf("fresh token: %v %v", p, err)
		}
		clk.add(7 * 24 * time.Hour)
		if _, err := a.TokenPrincipal(ctx, tok2); errs.CodeOf(err) != "token_expired" || errs.KindOf(err) != errs.Unauthenticated {
			t.Errorf("7-day token after 7 days: %v", err)
		}
		clk.add(82 * 24 * time.Hour) // day 89
		if _, err := a.TokenPrincipal(ctx, tok1); err != nil {
			t.Errorf("day 89: %v", err)
		}
		clk.add(24 * time.Hour)
		if _, err := a.TokenPrincipal(ctx, tok1); errs.CodeOf(err) != "token_expired" {
			t.Errorf("day 90: %v", err)
		}
		if _, err := a.TokenPrincipal(ctx, "op_not-a-token"); errs.CodeOf(err) != "unauthenticated" {
			t.Errorf("unknown token: %v", err)
		}

		// Listing: label, created, last used, expiry, state.
		ts, err := a.Tokens(ctx, fin, "fin")
		if err != nil || len(ts) != 2 {
			t.Fatalf("own tokens: %v %v", ts, err)
		}
		now := clk.now()
		if ts[0].ID != 1 || ts[0].Label != "bank" || ts[0].State(now) != "expired" || ts[0].LastUsed.IsZero() || ts[1].ID != 2 || !ts[1].LastUsed.IsZero() { // token 2 was tried only once expired: never used
			t.Errorf("listed: %+v", ts)
		}
		if got := ts[0].ExpiresAt.Sub(ts[0].CreatedAt); got != 90*24*time.Hour {
			t.Errorf("default lifetime %v", got)
		}

		// Revoke: by the owner; by an administrator of the user's place;
		// not by another user; a township's administrator does not even
		// see a county user.
		tok3, _ := a.IssueToken(ctx, fin, "ci")
		tok4, _ := a.IssueToken(ctx, fin, "sync")
		tokLi, _ := a.IssueToken(ctx, li, "li")
		if err := a.RevokeToken(ctx, li, "fin", 3); errs.KindOf(err) != errs.Forbidden && errs.KindOf(err) != errs.NotFound {
			t.Errorf("another user revoked a token: %v", err)
		}
		if err := a.RevokeToken(ctx, twpAdmin, "fin", 3); errs.KindOf(err) != errs.NotFound {
			t.Errorf("a township administrator revoked a county user's token: %v", err)
		}
		if _, err := a.Tokens(ctx, twpAdmin, "fin"); errs.KindOf(err) != errs.NotFound {
			t.Errorf("a township administrator listed a county user's tokens: %v", err)
		}
		if err := a.RevokeToken(ctx, fin, "fin", 3); err != nil {
			t.Fatal(err)
		}
		if err := a.RevokeToken(ctx, fin, "fin", 3); errs.CodeOf(err) != "already_revoked" {
			t.Errorf("revoked twice: %v", err)
		}
		if err := a.RevokeToken(ctx, fin, "fin", 99); errs.CodeOf(err) != "unknown_token" {
			t.Errorf("unknown id: %v", err)
		}
		if _, err := a.TokenPrincipal(ctx, tok3); errs.CodeOf(err) != "token_revoked" {
			t.Errorf("revoked token: %v", err)
		}
		if _, err := a.TokenPrincipal(ctx, tok4); err != nil {
			t.Errorf("revoking one token stopped another: %v", err)
		}
		if err := a.RevokeToken(ctx, admin, "fin", 4); err != nil {
			t.Fatal(err)
		}
		if _, err := a.TokenPrincipal(ctx, tok4); errs.CodeOf(err) != "token_revoked" {
			t.Errorf("token revoked by an administrator: %v", err)
		}
		all, err := a.SubtreeTokens(ctx, admin)
		if err != nil || len(all) != 5 {
			t.Errorf("administrator's list: %d %v", len(all), err)
		}
		if sub, _ := a.SubtreeTokens(ctx, twpAdmin); len(sub) != 0 {
			t.Errorf("a township administrator lists other places' tokens: %+v", sub)
		}
		ts, _ = a.Tokens(ctx, admin, "fin")
		if ts[2].RevokedBy != "fin" || ts[2].RevokeReason != auth.RevokedByOwner || ts[3].RevokedBy != "boss" || ts[3].RevokeReason != auth.RevokedByAdmin {
			t.Errorf("revocations: %+v %+v", ts[2], ts[3])
		}

		// A password change (own, or reset by an administrator) and a
		// disable stop every token.
		tok5, _ := a.IssueToken(ctx, fin, "after")
		if err := a.SetPassword(ctx, fin, "fin", "fin-new-password"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.TokenPrincipal(ctx, tok5); errs.CodeOf(err) != "token_revoked" {
			t.Errorf("token after an own password change: %v", err)
		}
		tok6, _ := a.IssueToken(ctx, fin, "after reset")
		if err := a.SetPassword(ctx, admin, "fin", "fin-reset-password"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.TokenPrincipal(ctx, tok6); errs.CodeOf(err) != "token_revoked" {
			t.Errorf("token after a password reset: %v", err)
		}
		if err := a.SetDisabled(ctx, admin, "li", true); err != nil {
			t.Fatal(err)
		}
		a.SetDisabled(ctx, admin, "li", false)
		if _, err := a.TokenPrincipal(ctx, tokLi); errs.CodeOf(err) != "token_revoked" {
			t.Errorf("token after disable and enable: %v", err)
		}
		ts, _ = a.Tokens(ctx, li, "li")
		if len(ts) != 1 || ts[0].RevokeReason != auth.RevokedByDisable {
			t.Errorf("li's tokens: %+v", ts)
		}

		// Issue and revoke are in the audit log.
		for action, want := range map[string]int{"token.issue": 7, "token.revoke": 2} {
			recs, err := audit.List(ctx, db, audit.Filter{County: "990101", Action: action, Limit: 100})
			if err != nil || len(recs) != want {
				t.Errorf("%s: %d entries, want %d (%v)", action, len(recs), want, err)
			}
		}
	})
}
