package money

import (
	"math"
	"math/rand"
	"reflect"
	"testing"
)

func TestSplitSumsToTheWhole(t *testing.T) {
	cases := []struct {
		total Fen
		w     []int64
		want  []Fen
	}{
		{1, []int64{1, 1, 1}, []Fen{1, 0, 0}},
		{100, []int64{1, 1, 1}, []Fen{34, 33, 33}},
		{10000001, []int64{3, 3, 1}, []Fen{4285715, 4285715, 1428571}},
		{60000_00, []int64{40, 10, 50}, []Fen{24000_00, 6000_00, 30000_00}},
		{5, []int64{0, 1, 0, 1}, []Fen{0, 3, 0, 2}},
		{0, []int64{0, 0}, []Fen{0, 0}},
	}
	for _, c := range cases {
		got, err := Split(c.total, c.w)
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Fatalf("Split(%d, %v) = %v, want %v", c.total, c.w, got, c.want)
			}
		}
	}
	r := rand.New(rand.NewSource(7))
	for range 2000 {
		n := 1 + r.Intn(30)
		w := make([]int64, n)
		for i := range w {
			w[i] = r.Int63n(1_000_000)
		}
		w[r.Intn(n)]++
		total := Fen(r.Int63n(1 << 40))
		got, err := Split(total, w)
		if err != nil {
			t.Fatal(err)
		}
		var sum Fen
		for i, g := range got {
			if w[i] == 0 && g != 0 {
				t.Fatalf("zero weight got %d", g)
			}
			sum += g
		}
		if sum != total {
			t.Fatalf("parts sum to %d, want %d", sum, total)
		}
	}
	if _, err := Split(1, []int64{0, 0}); err == nil {
		t.Fatal("a split over no weight must be refused")
	}
	if _, err := Split(-1, []int64{1}); err == nil {
		t.Fatal("a negative total must be refused")
	}
}

// TestSplitIntoAsBig: the 128-bit path gives the big-integer parts (and its
// refusals) for random totals and weights — small, large, zero, ties,
// near int64 — so every split is the same as before the fast path.
func TestSplitIntoAsBig(t *testing.T) {
	r := rand.New(rand.NewSource(14))
	check := func(total Fen, ws []int64) {
		t.Helper()
		want, werr := splitBig(total, ws)
		got, gerr := SplitInto(total, ws, make([]Fen, len(ws)))
		if (werr == nil) != (gerr == nil) || (werr == nil && !reflect.DeepEqual(got, want)) {
			t.Fatalf("SplitInto(%d, %v) = %v, %v; splitBig %v, %v", total, ws, got, gerr, want, werr)
		}
	}
	check(0, nil)
	check(5, nil)
	check(5, []int64{0, 0})
	check(0, []int64{0, 0})
	check(-1, []int64{1})
	check(7, []int64{1, -1, 3})
	check(10, []int64{math.MaxInt64, 1})
	check(math.MaxInt64, []int64{math.MaxInt64 - 1, 1})
	check(100, []int64{1, 1, 1})
	check(2, []int64{1, 0, 1, 1, 0, 1})
	for k := 0; k < 20000; k++ {
		n := 1 + r.Intn(40)
		ws := make([]int64, n)
		for i := range ws {
			switch r.Intn(5) {
			case 0:
				ws[i] = 0
			case 1:
				ws[i] = 1 + r.Int63n(3)
			case 2:
				ws[i] = r.Int63n(1 << 40)
			default:
				ws[i] = 1 + r.Int63n(10000)
			}
		}
		total := Fen(r.Int63n(1 << uint(1+r.Intn(62))))
		check(total, ws)
	}
}
