package assets

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"

	"onepool/internal/money"
)

// TestLegsJSONAsEncodingJSON: the hand-written legs JSON and lines digest
// are byte for byte the reflection-based ones they replaced, so digests
// frozen in pending instructions before still match.
func TestLegsJSONAsEncodingJSON(t *testing.T) {
	cases := [][]Leg{{}, {{Channel: "ZX", Amount: 123}}, {{Channel: "SJ", Amount: -5}, {Channel: "a<b&\"c\\", Amount: 0}}, {{Channel: "中央", Amount: 1}}}
	for _, ls := range cases {
		out := make([]jsonLeg, len(ls))
		for i, l := range ls {
			out[i] = jsonLeg{l.Channel, l.Amount}
		}
		want, _ := json.Marshal(out)
		if got := legsJSON(ls); got != string(want) {
			t.Errorf("legsJSON %v = %s, want %s", ls, got, want)
		}
	}
	lines := []RunLine{{ID: 7, Share: "households", PayeeKind: PayeeHousehold, Payee: "990101001001-01", Amount: money.Fen(96000), Legs: cases[2]}, {ID: 8, Share: "jobs", PayeeKind: PayeeCollective, Payee: "X", Legs: cases[0]}}
	h := sha256.New()
	for _, l := range lines {
		fmt.Fprintf(h, "%d|%s|%s|%s|%d|%s\n", l.ID, l.Share, l.PayeeKind, l.Payee, l.Amount, legsJSON(l.Legs))
	}
	if want := hex.EncodeToString(h.Sum(nil)[:16]); digestLines(lines) != want {
		t.Errorf("digestLines = %s, want %s", digestLines(lines), want)
	}
}
