package policy_test

import (
	"strings"
	"testing"

	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/policy"
)

func yuan(s string) money.Fen {
	f, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return f
}

// TestSeedProfiles: the five seed counties' profiles load and carry the
// seeds' figures.
func TestSeedProfiles(t *testing.T) {
	if got := strings.Join(policy.Builtin(), ","); got != "nan,pingli,tongchuan,zhijin,zigui" {
		t.Fatalf("built-in profiles: %s", got)
	}
	zg, err := policy.Get("zigui")
	if err != nil {
		t.Fatal(err)
	}
	if zg.Funds.Integration != policy.Strict || zg.Funds.VillageTotalMin != yuan("3,000,000") || zg.Funds.PerPoorHouseholdMin != yuan("10,000") ||
		zg.Funds.AnnualGrowthMin.String() != "10%" || len(zg.Funds.VillageMinimums) != 4 || zg.Funds.VillageMinimums[1].Amount != yuan("400,000") {
		t.Errorf("zigui funds: %+v", zg.Funds)
	}
	if c, ok := zg.Funds.Category("disaster"); !ok || c.Integrable {
		t.Errorf("zigui: disaster relief funds must not be integrable: %+v", c)
	}
	pl, _ := policy.Get("pingli")
	if pl.Funds.Integration != policy.Pooled || pl.Funds.MinIntegrationRatio.String() != "60%" || len(pl.Funds.InputPlan) != 4 || pl.Funds.InputPlan[2].Amount != yuan("100,000,000") {
		t.Errorf("pingli: %+v", pl.Funds)
	}
	zj, _ := policy.Get("zhijin")
	if zj.Agreements.EquityDividendMin.String() != "70%" || zj.Agreements.GuaranteedDividendMin.String() != "5%" || zj.Agreements.MinTermYears != 3 || zj.Agreements.DirectSubsidyMax != yuan("20,000") {
		t.Errorf("zhijin: %+v", zj.Agreements)
	}
	nan, _ := policy.Get("nan")
	if nan.Funds.CoFundingVillageShare.String() != "20%" || nan.Funds.CoFundingCountyShare.String() != "80%" || nan.Funds.CategoryShares[0].Min.String() != "30%" ||
		len(nan.Review.Steps) != 5 || nan.Review.Steps[1].Checks[0] != "真实性" || nan.Review.Steps[3].Checks[0] != "资金保障" {
		t.Errorf("nan: %+v %+v", nan.Funds, nan.Review)
	}
	tc, _ := policy.Get("tongchuan")
	s, ok := tc.Relief.StandardFor(2021)
	if tc.Relief.Floor != yuan("1,000,000") || !ok || s.Amount != yuan("6,000") || tc.Funds.PoorVillageMin != yuan("10,000,000") || len(tc.Relief.Steps) != 3 || tc.Relief.NoticeDays != 5 {
		t.Errorf("tongchuan: %+v", tc.Relief)
	}
	if p := policy.Percent(1250); p.String() != "12.5%" || p.Of(yuan("1,000")) != yuan("125") {
		t.Errorf("percent: %s %s", p, p.Of(yuan("1,000")))
	}
}

// TestOverrides: a county picks a profile and overrides keys; the
// overridden keys are listed; bad overrides are refused naming the key.
func TestOverrides(t *testing.T) {
	p, err := policy.Resolve("zigui", "[funds]\nintegration = \"pooled\"\nvillage_total_min = \"3,500,000\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if p.Funds.Integration != policy.Pooled || p.Funds.VillageTotalMin != yuan("3,500,000") || p.Funds.PerPoorHouseholdMin != yuan("10,000") {
		t.Errorf("overridden: %+v", p.Funds)
	}
	if strings.Join(p.Overridden, ",") != "funds.integration,funds.village_total_min" {
		t.Errorf("overridden keys: %v", p.Overridden)
	}
	for _, c := range []struct{ in, want string }{
		{"[funds]\nintegration = \"mixed\"", "funds.integration"},
		{"[funds]\nmin_integration_ratio = 60", "min_integration_ratio"},
		{"[funds]\nmin_integration_ratio = \"60\"", "funds.min_integration_ratio"},
		{"[funds]\nvillage_total_min = \"3,000,000.001\"", "funds.village_total_min"},
		{"[funds]\nper_poor_household_min = \"-1\"", "funds.per_poor_household_min"},
		{"[funds]\nintegation = \"pooled\"", "unknown key funds.integation"},
		{"[funds]\ncofunding_village_share = \"30%\"\ncofunding_county_share = \"80%\"", "cofunding"},
		{"[review]\nnotice_days = 0", "review.notice_days"},
		{"[[funds.input_plan]]\nname = \"5\"\namount = \"5\"\nmeasure = \"spent\"", "funds.input_plan[0].measure"},
		{"[[funds.input_plan]]\nname = \"5\"\namount = \"5\"\ncategories = [\"yachts\"]", "funds.input_plan[0].categories"},
		{"[[relief.steps]]\nname = \"x\"\nrole = \"mayor\"\nlevel = \"county\"", "relief.steps[0].role"},
		{"[review.approval]\nname = \"x\"\nrole = \"rural\"\nlevel = \"province\"", "review.approval.level"},
		{"not toml", "overrides"},
	} {
		_, err := policy.Resolve("zigui", c.in)
		if errs.KindOf(err) != errs.Invalid || !strings.Contains(err.Error(), c.want) {
			t.Errorf("override %q: %v, want an invalid_profile error naming %q", c.in, err, c.want)
		}
	}
	if _, err := policy.Resolve("nowhere", ""); errs.CodeOf(err) != "unknown_profile" {
		t.Errorf("unknown profile: %v", err)
	}
	if _, err := policy.Resolve("../zigui", ""); errs.CodeOf(err) != "unknown_profile" {
		t.Errorf("path in profile id: %v", err)
	}
}

// TestMissingKey: a profile without a required key is refused naming it.
func TestMissingKey(t *testing.T) {
	_, err := policy.Parse("[profile]\nid = \"x1\"\nname = \"X\"\nseed = \"9\"\nversion = 1\neffective = \"2026-01-01\"\nsource = \"s\"\n")
	if errs.KindOf(err) != errs.Invalid || !strings.Contains(err.Error(), "missing key funds.integration") {
		t.Errorf("missing key: %v", err)
	}
}

// TestObjectionRules: a profile that says nothing answers objections in
// 7 days and shows their text masked; a county may set both, within
// bounds.
func TestObjectionRules(t *testing.T) {
	p, err := policy.Resolve("zigui", "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Review.ObjectionReplyDays != 7 || p.Review.ObjectionText != "masked" {
		t.Errorf("defaults: %d days, text %q", p.Review.ObjectionReplyDays, p.Review.ObjectionText)
	}
	p, err = policy.Resolve("zigui", "[review]\nobjection_reply_days = 5\nobjection_text = \"hidden\"\n")
	if err != nil || p.Review.ObjectionReplyDays != 5 || p.Review.ObjectionText != "hidden" {
		t.Errorf("overridden: %+v, %v", p.Review, err)
	}
	for _, in := range []string{"[review]\nobjection_reply_days = 61", "[review]\nobjection_reply_days = -1", "[review]\nobjection_text = \"full\""} {
		if _, err := policy.Resolve("zigui", in); errs.KindOf(err) != errs.Invalid || !strings.Contains(err.Error(), "review.objection_") {
			t.Errorf("override %q: %v, want refused naming the key", in, err)
		}
	}
}

func TestAgreementRules(t *testing.T) {
	zj, err := policy.Get("zhijin")
	if err != nil {
		t.Fatal(err)
	}
	r := zj.AgreementRules()
	if r.EquityDividendMin != 7000 || r.GuaranteedDividendMin != 500 || !r.GuaranteedRising || r.MinTermYears != 3 || r.CollateralMin != 10000 || r.DirectSubsidyMax != 20_000_00 {
		t.Fatalf("zhijin rules: %+v", r)
	}
	if (policy.Profile{}).AgreementRules() != policy.DefaultAgreements() {
		t.Fatalf("a profile without the section: %+v", (policy.Profile{}).AgreementRules())
	}
	p := policy.Profile{Agreements: policy.Agreements{MinTermYears: 5}}
	if r := p.AgreementRules(); r.MinTermYears != 5 || r.DirectSubsidyMax != 20_000_00 || r.GuaranteedRising {
		t.Fatalf("a partial section: %+v", r)
	}
}
