package workflow

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/place"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

func who(user string, role auth.Role, pl string) auth.Principal {
	return auth.Principal{Username: user, DisplayName: user, Role: role, Place: place.Code(pl), County: pl[:6]}
}

// noticed starts an item of kind at village A with chain and brings it to
// its notice step; the notice runs today only.
func noticed(t *testing.T, ctx context.Context, db *store.DB, e *Engine, kind, subject string, chain []Step, approvers ...auth.Principal) Notice {
	t.Helper()
	var n Notice
	err := db.Write(ctx, e.Now(), func(tx *store.Tx) error {
		it, err := e.StartTx(ctx, tx, who("vil1", auth.RoleVillage, "990101001001"), "990101", NewItem{Kind: kind, Subject: subject, Title: subject, Place: "990101001001", Chain: chain})
		if err != nil {
			return err
		}
		for _, p := range approvers {
			if it, err = e.DecideTx(ctx, tx, p, "990101", it.ID, Decision{Action: Approve}); err != nil {
				return err
			}
		}
		day := clock.Day(tx.Now)
		n, err = e.OpenNoticeTx(ctx, tx, who("twpA", auth.RoleTownship, "990101001000"), "990101", it.ID, NoticeInput{Title: "公示", Body: "公示内容", Starts: day, Ends: day}, 1)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestObjectionReceiptAndQueue: an objection gets a receipt that finds it
// (and nothing else does), lands in the queue of the office that answers
// it — the township for a relief application, the county bureau for a
// project — is overdue past the reply days, holds the notice step until
// answered, and the answer is what the receipt then shows.
func TestObjectionReceiptAndQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 2, 10, 0, 0, 0, clock.Zone)
		e := New(db, func() time.Time { return now })
		vil2 := who("vil2", auth.RoleVillage, "990101001001")
		twpA := who("twpA", auth.RoleTownship, "990101001000")
		twpB := who("twpB", auth.RoleTownship, "990101002000")
		rural := who("rural", auth.RoleRural, "990101000000")

		reliefChain := []Step{{Name: "申请", Role: "village", Level: "village"}, {Name: "村级初审", Role: "village", Level: "village"},
			{Name: "乡镇复审", Role: "township", Level: "township"}, {Name: "县审定", Role: "rural", Level: "county", NoticeBefore: true}}
		rn := noticed(t, ctx, db, e, "relief", "1", reliefChain, vil2, twpA)
		projectChain := []Step{{Name: "提出", Role: "village", Level: "village"}, {Name: "县批复", Role: "rural", Level: "county", NoticeBefore: true}}
		pn := noticed(t, ctx, db, e, "project", "P-1", projectChain)

		ro, err := e.FileObjection(ctx, "public", "990101", rn.ID, ObjectionInput{Body: "他家有车，电话13800138000", Name: "张三", Contact: "13900139000", ReplyDays: 5})
		if err != nil {
			t.Fatal(err)
		}
		po, err := e.FileObjection(ctx, "public", "990101", pn.ID, ObjectionInput{Body: "项目选址不当"})
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^990101-2026-\d{6}-[2-9A-HJKMNP-Z]{6}$`).MatchString(ro.Receipt) || ro.Receipt == po.Receipt {
			t.Fatalf("receipts %q, %q: want county-year-sequence-check, distinct", ro.Receipt, po.Receipt)
		}
		got, err := e.ObjectionByReceipt(ctx, " "+strings.ToLower(ro.Receipt)+" ")
		if err != nil || got.ID != ro.ID || got.Status != "open" {
			t.Fatalf("lookup of %s: %+v, %v", ro.Receipt, got, err)
		}
		// The sequence alone, or with another check code, finds nothing.
		forged := ro.Receipt[:len(ro.Receipt)-6] + "222222"
		if forged == ro.Receipt {
			forged = ro.Receipt[:len(ro.Receipt)-6] + "333333"
		}
		for _, bad := range []string{forged, ro.Receipt[:len(ro.Receipt)-7], "990101-2026-000001", "x"} {
			if _, err := e.ObjectionByReceipt(ctx, bad); errs.KindOf(err) != errs.NotFound {
				t.Errorf("lookup of %q: %v, want not found", bad, err)
			}
		}

		queue := func(p auth.Principal) []int64 {
			t.Helper()
			os, err := e.ObjectionQueue(ctx, p, 50)
			if err != nil {
				t.Fatal(err)
			}
			ids := []int64{}
			for _, o := range os {
				ids = append(ids, o.ID)
			}
			return ids
		}
		if q := queue(twpA); len(q) != 1 || q[0] != ro.ID {
			t.Errorf("township A's queue %v, want the relief objection %d", q, ro.ID)
		}
		if q := queue(rural); len(q) != 1 || q[0] != po.ID {
			t.Errorf("county bureau's queue %v, want the project objection %d", q, po.ID)
		}
		if q := queue(twpB); len(q) != 0 {
			t.Errorf("township B's queue %v, want nothing", q)
		}

		// After the notice and past the 5 reply days: overdue, and the
		// notice step is held.
		now = now.AddDate(0, 0, 6)
		if !ro.Overdue(now) || po.Overdue(now) {
			t.Errorf("after 6 days: relief objection overdue %v (5 days), project %v (7 days)", ro.Overdue(now), po.Overdue(now))
		}
		if n, err := e.OverdueObjections(ctx, "990101", "990101001"); err != nil || n != 1 {
			t.Errorf("overdue objections in township A: %d, %v; want 1", n, err)
		}
		err = db.Write(ctx, now, func(tx *store.Tx) error {
			_, err := e.DecideTx(ctx, tx, rural, "990101", rn.Item, Decision{Action: Approve})
			return err
		})
		if e, ok := errs.As(err); !ok || e.Code != "open_objection" {
			t.Fatalf("approving with an open objection: %v, want open_objection", err)
		}

		err = db.Write(ctx, now, func(tx *store.Tx) error {
			_, _, err := e.AnswerTx(ctx, tx, twpA, "990101", ro.ID, false, "经入户核实，车辆为借用")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if q := queue(twpA); len(q) != 0 {
			t.Errorf("township A's queue after the answer: %v", q)
		}
		got, err = e.ObjectionByReceipt(ctx, ro.Receipt)
		if err != nil || got.Status != "dismissed" || got.Reply != "经入户核实，车辆为借用" || got.RepliedBy != "twpA" || got.RepliedAt.IsZero() {
			t.Errorf("after the answer the receipt shows %+v, %v", got, err)
		}
		err = db.Write(ctx, now, func(tx *store.Tx) error {
			_, err := e.DecideTx(ctx, tx, rural, "990101", rn.Item, Decision{Action: Approve})
			return err
		})
		if err != nil {
			t.Errorf("approving once every objection is answered: %v", err)
		}
	})
}

func TestMaskDigits(t *testing.T) {
	for in, want := range map[string]string{
		"电话13800138000，身份证42052719900101123X": "电话***********，身份证*****************X",
		"户号12345 金额 123456 元":                 "户号12345 金额 ****** 元",
		"全角１２３４５６７":                           "全角*******",
		"没有数字":                                "没有数字",
	} {
		if got := MaskDigits(in); got != want {
			t.Errorf("MaskDigits(%q) = %q, want %q", in, got, want)
		}
	}
}
