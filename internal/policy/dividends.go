package policy

// Dividends are the rules of dividend runs (issue 13, M-31/M-32): the
// [dividends] section of a profile.
type Dividends struct {
	// DueDays is how many days after a period's last day the operator
	// must have paid the period's dividend into the dividend money; later,
	// the desk lists it as overdue. Default 90: a calendar-year period's
	// dividend is due by 31 March of the following year (seed 002 asks
	// for a yearly dividend and names no day).
	DueDays int `json:"due_days"`
}

// DefaultDividends are the dividend rules of a profile without a
// [dividends] section.
func DefaultDividends() Dividends { return Dividends{DueDays: 90} }

// DividendRules are the profile's dividend rules, a key left out taking
// its default.
func (p Profile) DividendRules() Dividends {
	d := p.Dividends
	if d.DueDays <= 0 {
		d.DueDays = DefaultDividends().DueDays
	}
	return d
}

type rawDividends struct {
	DueDays int `toml:"due_days"`
}

func (r rawDividends) convert() (Dividends, error) {
	if r.DueDays < 0 || r.DueDays > 366 {
		return Dividends{}, invalid("dividends.due_days: %d must be 0 (the default, 90) to 366 days", r.DueDays)
	}
	return Dividends{DueDays: r.DueDays}, nil
}
