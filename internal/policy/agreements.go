package policy

import "onepool/internal/money"

// DefaultAgreements are the agreement rules of a profile that has no
// [agreements] section: seed 002's (Zhijin) numbers.
func DefaultAgreements() Agreements {
	return Agreements{EquityDividendMin: 7000, GuaranteedDividendMin: 500, GuaranteedRising: true, MinTermYears: 3,
		CollateralMin: 10000, DirectSubsidyMax: money.Fen(20_000_00)}
}

// AgreementRules are the rules an agreement is checked against: the
// profile's [agreements] section, or DefaultAgreements when it has none
// (every key zero). A section that is present is taken as written, each
// absent key of it falling back to the default.
func (p Profile) AgreementRules() Agreements {
	a, d := p.Agreements, DefaultAgreements()
	if a == (Agreements{}) {
		return d
	}
	if a.EquityDividendMin == 0 {
		a.EquityDividendMin = d.EquityDividendMin
	}
	if a.GuaranteedDividendMin == 0 {
		a.GuaranteedDividendMin = d.GuaranteedDividendMin
	}
	if a.MinTermYears == 0 {
		a.MinTermYears = d.MinTermYears
	}
	if a.CollateralMin == 0 {
		a.CollateralMin = d.CollateralMin
	}
	if a.DirectSubsidyMax == 0 {
		a.DirectSubsidyMax = d.DirectSubsidyMax
	}
	return a
}
