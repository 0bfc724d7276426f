package money

import (
	"cmp"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"slices"
	"sort"
)

// Split divides total (≥ 0) over weights (each ≥ 0, at least one > 0) by
// the largest-remainder method, in whole fen: each part is the floor of
// total×w/Σw, and the fen left over go one each to the parts with the
// largest remainders (ties to the earlier part). The parts always sum to
// total exactly, a zero weight always gets zero, and the result does not
// depend on how the weights are scaled. Errors wrap ErrInvalid.
func Split(total Fen, weights []int64) ([]Fen, error) {
	return SplitInto(total, weights, nil)
}

// SplitInto is Split writing its parts into out when it is long enough
// (a caller splitting many times reuses one slice). While the weights'
// sum fits in an int64 it computes in 128-bit integers without
// allocating (for up to 16 weights); past that, in big integers.
func SplitInto(total Fen, weights []int64, out []Fen) ([]Fen, error) {
	var sum int64
	for _, w := range weights {
		if w < 0 || sum > math.MaxInt64-w {
			return splitBig(total, weights)
		}
		sum += w
	}
	if total < 0 || sum == 0 {
		return splitBig(total, weights)
	}
	parts := out
	if len(parts) < len(weights) {
		parts = make([]Fen, len(weights))
	}
	parts = parts[:len(weights)]
	var stack [16]uint64
	rem := stack[:0]
	if len(weights) > len(stack) {
		rem = make([]uint64, 0, len(weights))
	}
	left := int64(total)
	for i, w := range weights {
		hi, lo := bits.Mul64(uint64(total), uint64(w))
		q, r := bits.Div64(hi, lo, uint64(sum)) // hi < sum: total × w < 2^63 × sum
		parts[i] = Fen(q)
		rem = append(rem, r)
		left -= int64(q)
	}
	if left == 0 {
		return parts, nil
	}
	// left < the non-zero weights: the first left of them by remainder,
	// descending (ties to the earlier weight), get a fen each.
	var istack [16]int
	order := istack[:0]
	if len(weights) > len(istack) {
		order = make([]int, 0, len(weights))
	}
	for i, w := range weights {
		if w != 0 {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rem[b], rem[a]) })
	for _, i := range order[:left] {
		parts[i]++
	}
	return parts, nil
}

// splitBig is Split in big integers: the reference, and the path for
// weights whose sum overflows an int64.
func splitBig(total Fen, weights []int64) ([]Fen, error) {
	if total < 0 {
		return nil, fmt.Errorf("money: split of a negative amount %s: %w", total, ErrInvalid)
	}
	sum := new(big.Int)
	for _, w := range weights {
		if w < 0 {
			return nil, fmt.Errorf("money: split with a negative weight %d: %w", w, ErrInvalid)
		}
		sum.Add(sum, big.NewInt(w))
	}
	if sum.Sign() == 0 {
		if total == 0 {
			return make([]Fen, len(weights)), nil
		}
		return nil, fmt.Errorf("money: split of %s over no weight: %w", total, ErrInvalid)
	}
	parts := make([]Fen, len(weights))
	rems := make([]*big.Int, len(weights))
	left := int64(total)
	t := big.NewInt(int64(total))
	for i, w := range weights {
		q, r := new(big.Int).QuoRem(new(big.Int).Mul(t, big.NewInt(w)), sum, new(big.Int))
		parts[i] = Fen(q.Int64()) // ≤ total: fits
		rems[i] = r
		left -= q.Int64()
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rems[order[a]].Cmp(rems[order[b]]) > 0 })
	// left < number of non-zero weights: each gets at most one more fen.
	for _, i := range order {
		if left == 0 {
			break
		}
		if weights[i] == 0 {
			continue
		}
		parts[i]++
		left--
	}
	return parts, nil
}

// SplitFen is Split with amounts as weights (pro rata of amounts, e.g. a
// line's share of channel legs).
func SplitFen(total Fen, weights []Fen) ([]Fen, error) {
	ws := make([]int64, len(weights))
	for i, w := range weights {
		ws[i] = int64(w)
	}
	return Split(total, ws)
}
