// Package ledger is onepool's one double-entry ledger (资金台账). Every money
// movement — arrivals, integration into the pool, allocations, payments,
// dividends, relief payouts, reclaimed money — is a Transfer from one account
// to another in one or more legs, each tagged with a fund channel (资金渠道),
// so that balances are kept per account × channel and any yuan can be traced
// from its channel to the account that finally holds it (各记其功).
//
// Transfers are immutable and hash-chained per county; a correction is a
// reversing transfer. Every transfer carries an idempotency key: the same key
// with the same content returns the original transfer, with other content it
// is an idempotency_conflict. A batch commits whole or not at all.
package ledger

import (
	"database/sql"
	"regexp"
	"strings"
	"sync"
	"time"

	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
)

// AccountKind classifies accounts.
type AccountKind string

// The account kinds.
const (
	External   AccountKind = "external"   // treasury, donor, bank: outside the county's books; may go negative
	ChannelAcc AccountKind = "channel"    // a channel's appropriation account (渠道资金)
	Pool       AccountKind = "pool"       // the county's integrated pool (资金池)
	Project    AccountKind = "project"    // a project (项目)
	Household  AccountKind = "household"  // a household's card (一卡通)
	Entity     AccountKind = "entity"     // a business entity, contractor or cooperative (经营主体)
	Collective AccountKind = "collective" // a village collective economic organization (村集体经济组织)
	Asset      AccountKind = "asset"      // a project asset (扶贫项目资产)
	Relief     AccountKind = "relief"     // the anti-return-to-poverty relief fund (防返贫基金)
	Loan       AccountKind = "loan"       // microloans and their risk compensation (小额信贷)
	Suspense   AccountKind = "suspense"   // money awaiting classification, e.g. failed bank payouts
)

// Kinds lists every account kind, in display order.
var Kinds = []AccountKind{External, ChannelAcc, Pool, Project, Household, Entity, Collective, Asset, Relief, Loan, Suspense}

func validKind(k AccountKind) bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// TransferKinds are the kinds a transfer may have.
var TransferKinds = []string{"arrival", "integration", "allocation", "payment", "refund", "reclaim",
	"reversal", "donation", "topup", "dividend", "disbursement", "repayment", "interest_subsidy",
	"relief_payout", "adjustment", "transfer", "opening", "subsidy_payout", "asset_income", "asset_payout", "asset_proceeds", "dividend_in", "principal_return"}

func validTransferKind(k string) bool {
	for _, x := range TransferKinds {
		if x == k {
			return true
		}
	}
	return false
}

// Account is a ledger account.
type Account struct {
	County      string
	ID          int64
	Code        string
	Kind        AccountKind
	Name        string
	Owner       string
	Place       place.Code
	NoOverdraft bool
	CreatedAt   time.Time
	// Replayed is true when OpenAccounts found the account already open
	// with the same attributes (an idempotent replay) and opened nothing.
	Replayed bool
}

// NewAccount describes an account to open.
type NewAccount struct {
	Code        string
	Kind        AccountKind
	Name        string
	Owner       string
	Place       place.Code
	NoOverdraft bool
}

// Channel is a fund channel as the ledger knows it.
type Channel struct {
	County    string
	ID        int64
	Code      string
	Name      string
	CreatedAt time.Time
	// Replayed is true when CreateChannels found the channel already
	// registered with the same name (an idempotent replay).
	Replayed bool
}

// NewChannel describes a channel to register.
type NewChannel struct {
	Code string
	Name string
}

// Leg is one channel's part of a transfer.
type Leg struct {
	Channel string
	Amount  money.Fen
}

// TransferRequest asks for one transfer.
type TransferRequest struct {
	Key      string // idempotency key, unique per county
	Kind     string // one of TransferKinds
	From, To string // account codes
	Legs     []Leg  // at least one; channels distinct; amounts > 0
	Memo     string
	DocNo    string // document number (文号/凭证号), optional
	Reverses int64  // id of the transfer this one reverses; Legs, From and To may then be left empty
}

// Transfer is a posted transfer.
type Transfer struct {
	County   string
	ID       int64
	Key      string
	Kind     string
	From, To string
	Legs     []Leg
	Total    money.Fen
	Memo     string
	DocNo    string
	Reverses int64
	PostedAt time.Time
	Actor    string
	Hash     string
	// Replayed is true when the key had been posted before and this is the
	// original transfer returned again (not part of the transfer's content).
	Replayed bool
}

// Balance is an account's balance on one channel.
type Balance struct {
	Channel     string
	ChannelName string
	Amount      money.Fen
}

// Ledger is the ledger service.
type Ledger struct {
	db  *store.DB
	now clock.Clock

	prepOnce sync.Once
	prepared map[*bulk]map[int]*sql.Stmt // read-only once prepOnce has run

	cacheMu sync.RWMutex
	cache   map[string]acct // county\x00code → account, filled after commit
}

// New returns the ledger over db with the given clock.
func New(db *store.DB, now clock.Clock) *Ledger {
	if now == nil {
		now = clock.System
	}
	return &Ledger{db: db, now: now}
}

// DB returns the ledger's database.
func (l *Ledger) DB() *store.DB { return l.db }

var (
	countyRe = regexp.MustCompile(`^[0-9]{6}$`)
	codeRe   = regexp.MustCompile(`^[\p{L}\p{N}_.:/\-]{1,120}$`)
)

// ValidCounty checks a 6-digit county code.
func ValidCounty(county string) error {
	if !countyRe.MatchString(county) {
		return errs.F(errs.Invalid, "invalid_county", "county", "county must be a 6-digit division code prefix, got %q", county)
	}
	return nil
}

func validCode(field, code string) error {
	if !codeRe.MatchString(code) {
		return errs.F(errs.Invalid, "invalid_code", field, "%s must be 1–120 letters, digits or _ . : / -, got %q", field, code)
	}
	return nil
}

func trimReq(r TransferRequest) TransferRequest {
	r.Key = strings.TrimSpace(r.Key)
	r.Kind = strings.TrimSpace(r.Kind)
	r.From = strings.TrimSpace(r.From)
	r.To = strings.TrimSpace(r.To)
	r.Memo = strings.TrimSpace(r.Memo)
	r.DocNo = strings.TrimSpace(r.DocNo)
	for i := range r.Legs {
		r.Legs[i].Channel = strings.TrimSpace(r.Legs[i].Channel)
	}
	return r
}
