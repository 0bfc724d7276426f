package money

import (
	"math/rand"
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
