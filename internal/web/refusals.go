package web

import (
	"errors"

	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/place"
)

// Refusals of values the web layer parses itself (amounts, division
// codes): each is a literal format with the input as its argument, so
// that the catalogue says it in Chinese with what was typed, instead of
// the code's generic sentence (which is what a refusal built from a
// lower package's English error text would fall back to).

// amountRefusal refuses input, an amount field's text, that money.Parse
// refused with err.
func amountRefusal(field, input string, err error) error {
	if errors.Is(err, money.ErrOverflow) {
		return errs.F(errs.Invalid, "invalid_amount", field, "the amount %q is too large", input)
	}
	if input == "" {
		return errs.F(errs.Invalid, "invalid_amount", field, "give an amount in yuan, such as 1,234.56")
	}
	return errs.F(errs.Invalid, "invalid_amount", field, "%q is not an amount in yuan with at most two decimals, such as 1,234.56", input)
}

// parseAmount is money.Parse with amountRefusal.
func parseAmount(field, input string) (money.Fen, error) {
	f, err := money.Parse(input)
	if err != nil {
		return 0, amountRefusal(field, input, err)
	}
	return f, nil
}

// parsePlace is place.Parse with a refusal that names the input.
func parsePlace(field, input string) (place.Code, error) {
	pc, err := place.Parse(input)
	if err != nil {
		return "", errs.F(errs.Invalid, "invalid_place", field, "%q is not a division code (12, 9 or 6 digits)", input)
	}
	return pc, nil
}
