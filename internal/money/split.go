package money

import (
	"fmt"
	"math/big"
	"sort"
)

// Split divides total (≥ 0) over weights (each ≥ 0, at least one > 0) by
// the largest-remainder method, in whole fen: each part is the floor of
// total×w/Σw, and the fen left over go one each to the parts with the
// largest remainders (ties to the earlier part). The parts always sum to
// total exactly, a zero weight always gets zero, and the result does not
// depend on how the weights are scaled. Errors wrap ErrInvalid.
func Split(total Fen, weights []int64) ([]Fen, error) {
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
