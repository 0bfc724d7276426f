package assets

import (
	"encoding/json"
	"math/rand"
	"reflect"
	"testing"

	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
)

// planLinesBefore is planLines as it was (money.Split and proRata per
// line): the reference the faster one must equal.
func planLinesBefore(a Asset, pi PeriodIncome, applied []RunShare, hh []namedHousehold) ([]RunLine, error) {
	ws := make([]int64, len(applied))
	for i, sh := range applied {
		ws[i] = int64(sh.Percent)
	}
	amts, err := money.Split(pi.Total, ws)
	if err != nil {
		return nil, err
	}
	for i := range applied {
		applied[i].Amount = amts[i]
	}
	var lines []RunLine
	var id int64
	for _, sh := range applied {
		if sh.To == policy.ShareToCollective {
			id++
			lines = append(lines, RunLine{ID: id, Share: sh.Key, PayeeKind: PayeeCollective, Payee: a.Owner, Place: a.Place, Amount: sh.Amount})
			continue
		}
		w := make([]int64, len(hh))
		for i, h := range hh {
			w[i] = h.Weight
		}
		parts, err := money.Split(sh.Amount, w)
		if err != nil {
			return nil, err
		}
		for i, h := range hh {
			id++
			lines = append(lines, RunLine{ID: id, Share: sh.Key, PayeeKind: PayeeHousehold, Payee: h.Code, Place: h.place, Amount: parts[i]})
		}
	}
	left := append([]Leg(nil), pi.Legs...)
	for i := range lines {
		legs, err := proRata(lines[i].Amount, left)
		if err != nil {
			return nil, err
		}
		for _, lg := range legs {
			for j := range left {
				if left[j].Channel == lg.Channel {
					left[j].Amount -= lg.Amount
				}
			}
		}
		lines[i].Legs = legs
	}
	return lines, nil
}

// TestPlanLinesAsBefore: for random incomes (one to three channels, some
// fen), rules and households (weights 1–5, up to 60), planLines gives the
// lines, amounts and legs the previous computation gave, and their digest
// is the same.
func TestPlanLinesAsBefore(t *testing.T) {
	r := rand.New(rand.NewSource(41))
	a := Asset{ID: 3, Code: "ZC000003", Owner: "USCC1", Place: place.Code("990101001001")}
	rule := policy.DefaultAssetIncome()
	for k := 0; k < 2000; k++ {
		var pi PeriodIncome
		for _, ch := range []string{"SJ", "XJ", "ZX"}[:1+r.Intn(3)] {
			amt := money.Fen(r.Int63n(5_000_000_00))
			if r.Intn(6) == 0 {
				amt = money.Fen(r.Int63n(7))
			}
			pi.Legs = append(pi.Legs, Leg{Channel: ch, Amount: amt})
			pi.Total += amt
		}
		hh := make([]namedHousehold, r.Intn(60))
		for i := range hh {
			hh[i] = namedHousehold{Code: string(rune('A'+i%26)) + string(rune('a'+i/26)), Weight: 1 + r.Int63n(5), place: a.Place}
		}
		shares := rule.IncomeShares
		if r.Intn(3) == 0 {
			shares = []policy.AssetShare{{Key: "a", Name: "甲", Percent: 3333, To: policy.ShareToHouseholds}, {Key: "b", Name: "乙", Percent: 3333, To: policy.ShareToCollective}, {Key: "c", Name: "丙", Percent: 3334, To: policy.ShareToHouseholds}}
		}
		ap1, _, err := applyShares(rule, shares, nil)
		if err != nil {
			t.Fatal(err)
		}
		ap2 := append([]RunShare(nil), ap1...)
		want, werr := planLinesBefore(a, pi, ap1, hh)
		got, gerr := planLines(a, pi, ap2, hh)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("income %v, %d households: error %v, before %v", pi, len(hh), gerr, werr)
		}
		if werr != nil {
			continue
		}
		if !reflect.DeepEqual(ap1, ap2) || len(got) != len(want) {
			t.Fatalf("income %v: shares %v, before %v; %d lines, before %d", pi, ap2, ap1, len(got), len(want))
		}
		for i := range got {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("income %v, line %d: %+v, before %+v", pi, i, got[i], want[i])
			}
		}
		if digestLines(got) != digestLines(want) {
			t.Fatalf("income %v: digest differs", pi)
		}
	}
}

// TestSharesAndLinesJSONAsBefore: a county run's shares' JSON and its
// lines' digest from the legs' JSON written once are byte for byte
// json.Marshal's and digestLines', so the payload's digests and the runs'
// rows are what they were.
func TestSharesAndLinesJSONAsBefore(t *testing.T) {
	rule := policy.DefaultAssetIncome()
	rule.IncomeShares[0].Name = `a "quoted" <名> & \ share`
	applied, _, err := applyShares(rule, nil, map[string]string{"jobs": "护林员"})
	if err != nil {
		t.Fatal(err)
	}
	js := newSharesJSON(applied)
	for _, amts := range [][]money.Fen{{0, 0, 0}, {1, 22, 333}, {96_000_00, 24_000_00, 120_000_01}} {
		sh := append([]RunShare(nil), applied...)
		for i := range sh {
			sh[i].Amount = amts[i]
		}
		want, _ := json.Marshal(sh)
		if got := js(sh); got != string(want) {
			t.Errorf("shares JSON %s, json.Marshal %s", got, want)
		}
	}
	a := Asset{Owner: "USCC", Place: "990101001001"}
	hh := []namedHousehold{{Code: "h1", Weight: 1}, {Code: "h2", Weight: 2}, {Code: "h3", Weight: 3}}
	pi := PeriodIncome{Total: 1_234_567, Legs: []Leg{{Channel: "SJ", Amount: 234_567}, {Channel: "中央", Amount: 1_000_000}}}
	lines, err := planLines(a, pi, append([]RunShare(nil), applied...), hh)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 60; i++ { // past the digest's 4 KB buffer
		lines = append(lines, lines[i%len(lines)])
		lines[len(lines)-1].ID = int64(len(lines))
	}
	legs := linesLegsJSON(lines)
	for i, l := range lines {
		if legs[i] != legsJSON(l.Legs) {
			t.Fatalf("line %d legs %s, legsJSON %s", i, legs[i], legsJSON(l.Legs))
		}
	}
	if digestLinesLegs(lines, legs) != digestLines(lines) {
		t.Error("the digest from the legs' JSON differs")
	}
}
