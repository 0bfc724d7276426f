package assets_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"onepool/internal/assets"
	"onepool/internal/auth"
	"onepool/internal/entities"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/ident"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/payout"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/volume"
	"onepool/internal/workflow"
)

// IncomeEnv is Env with the income side wired as app.Wire does: the
// county's profile, two people on money, one shared payout mechanism,
// the registry's cards, and a clock the test moves.
type IncomeEnv struct {
	Env
	I   *assets.IncomeService
	Ins *instruct.Service
	Pay *payout.Service
	Reg *registry.Service
	Now *time.Time
}

func NewIncomeEnv(t *testing.T, db *store.DB) IncomeEnv {
	t.Helper()
	e := NewEnv(t, db)
	now := time.Date(2026, 1, 5, 10, 0, 0, 0, time.Local)
	clk := func() time.Time { return now }
	keys, err := registry.NewKeys([]byte("assets-test-key-0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	reg := registry.New(db, keys, nil)
	pc := policy.NewCounties(db, nil)
	wf := workflow.New(db, nil)
	ins := instruct.NewService(db, wf, pc, nil)
	pay := payout.New(db, e.L, nil)
	pay.UseInstructions(ins)
	inc := assets.NewIncome(e.S, pc, reg, clk)
	inc.UseInstructions(ins)
	inc.UsePayout(pay, reg)
	return IncomeEnv{Env: e, I: inc, Ins: ins, Pay: pay, Reg: reg, Now: &now}
}

var village1 = who("cun", auth.RoleVillage, "990101001001")

func residentID(seq int) string {
	body := fmt.Sprintf("99010119700101%03d", seq)
	return body + string(ident.ResidentIDCheckChar(body))
}

func (e IncomeEnv) household(t *testing.T, i int, card string) string {
	t.Helper()
	code := fmt.Sprintf("990101001001-%02d", i)
	head := fmt.Sprintf("张%02d", i)
	if _, _, err := e.Reg.Save(ctx, rural, registry.Household{County: county, Code: code, Village: "990101001001", Head: head,
		Members: []registry.Member{{Name: head, ResidentID: residentID(i), Relation: "户主", Alive: true}},
		Card:    registry.Card{Holder: head, Bank: "农商行", Number: card}}); err != nil {
		t.Fatal(err)
	}
	return code
}

func (e IncomeEnv) approve(t *testing.T, in instruct.Instruction) instruct.Instruction {
	t.Helper()
	if _, err := e.Ins.Decide(ctx, township, in.ID, workflow.Decision{Action: workflow.Approve}); err == nil {
		t.Fatal("the maker's own township approved a money instruction")
	}
	out, err := e.Ins.Decide(ctx, finance, in.ID, workflow.Decision{Action: workflow.Approve})
	if err != nil {
		t.Fatalf("approve %s: %v", in.Kind, err)
	}
	if out.State != instruct.Posted {
		t.Fatalf("approved %s is %s", in.Kind, out.State)
	}
	return out
}

func balances(t *testing.T, l *ledger.Ledger, code string) map[string]money.Fen {
	t.Helper()
	bals, err := l.Balances(ctx, county, code)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]money.Fen{}
	for _, b := range bals {
		if b.Amount != 0 {
			out[b.Channel] = b.Amount
		}
	}
	return out
}

// TestAcceptanceScenario is issue 14's acceptance scenario through the
// disposal: the workshop built from two channels (600,000 and 400,000)
// is registered at 1,000,000 with those legs and confirmed to its
// village's collective; leased at 60,000 a year to a cooperative; the
// rent arrives; the year's income is distributed by the profile's rule
// (40% to 25 households unable to work, 10% to public-welfare jobs, 50%
// to the collective) — the lines sum exactly, each household is paid
// once through the bank file, a failed line is retried after its card is
// corrected; a banned use (allowances) and shares that do not add up to
// 100% are refused with the rule; six months without rent raise an idle
// lead, and a new lease clears it; finally the workshop is scrapped
// through congress (minutes) → township → county (after its notice) and
// the salvage proceeds return to the collective on the original legs.
func TestAcceptanceScenario(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := NewIncomeEnv(t, db)
		coop := uscc("93990101MA0000003")
		if _, _, err := e.Ents.Create(ctx, rural, entities.Entity{USCC: coop, Kind: entities.Cooperative, Name: "茶叶专业合作社", Place: "990101001000", LegalRep: "李华"}); err != nil {
			t.Fatal(err)
		}
		// An entity of another county.
		other := auth.Principal{Username: "x", Role: auth.RoleRural, Place: "990102000000", County: "990102"}
		far := uscc("93990102MA0000004")
		if _, _, err := e.Ents.Create(ctx, other, entities.Entity{USCC: far, Kind: entities.Cooperative, Name: "外县合作社", Place: "990102000000", LegalRep: "赵强"}); err != nil {
			t.Fatal(err)
		}
		ws, err := e.S.Register(ctx, township, assets.NewAsset{Project: "P1", Name: "扶贫车间", Type: assets.Operating, Category: "workshop", Place: "990101001001", Value: 1_000_000_00})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ws.Legs) != "[{SJ 400,000.00} {ZX 600,000.00}]" {
			t.Fatalf("legs %v", ws.Legs)
		}
		lease := assets.NewLease{Counterparty: coop, Starts: "2026-01-01", Years: 5, Rent: 60_000_00, Doc: "车间租赁合同 2026-01"}
		if _, err := e.I.LeaseAsset(ctx, township, ws.ID, lease); errs.CodeOf(err) != "not_confirmed" {
			t.Fatalf("a lease before 确权: %v", err)
		}
		if _, err := e.S.Confirm(ctx, township, ws.ID, assets.Confirmation{Doc: "平政确〔2026〕3号"}); err != nil {
			t.Fatal(err)
		}
		bad := lease
		bad.Counterparty = far
		if _, err := e.I.LeaseAsset(ctx, township, ws.ID, bad); errs.CodeOf(err) != "unknown_entity" {
			t.Fatalf("a lease to an entity of another county: %v", err)
		}
		bad.Counterparty = e.Col1
		if _, err := e.I.LeaseAsset(ctx, township, ws.ID, bad); errs.CodeOf(err) != "lease_to_owner" {
			t.Fatalf("a lease to its owner: %v", err)
		}
		if ls, _ := e.I.Leases(ctx, rural, ws.ID); len(ls) != 0 {
			t.Fatalf("a refused lease wrote: %+v", ls)
		}
		l, err := e.I.LeaseAsset(ctx, township, ws.ID, lease)
		if err != nil {
			t.Fatal(err)
		}
		if l.Ends != "2030-12-31" || l.State != assets.LeaseActive || l.CounterpartyName != "茶叶专业合作社" {
			t.Fatalf("lease %+v", l)
		}
		got, _ := e.S.Get(ctx, rural, ws.ID)
		if got.UseState != assets.Leased || got.Owner != e.Col1 || got.OwnerKind != assets.OwnerCollective {
			t.Fatalf("leased: the owner must not change: %+v", got)
		}
		if _, err := e.I.LeaseAsset(ctx, township, ws.ID, lease); errs.CodeOf(err) != "already_leased" {
			t.Fatalf("leased twice: %v", err)
		}

		// The rent arrives on the asset's account, with the legs that built it.
		if _, err := e.I.RecordIncome(ctx, township, ws.ID, assets.NewIncomeRecord{Amount: 60_000_00, ReceivedOn: "2026-01-10"}); errs.CodeOf(err) != "invalid_asset" {
			t.Fatalf("income without its document: %v", err)
		}
		in, err := e.I.RecordIncome(ctx, township, ws.ID, assets.NewIncomeRecord{Kind: assets.IncomeRent, Amount: 60_000_00, DocNo: "收据 0001", ReceivedOn: "2026-01-10"})
		if err != nil {
			t.Fatal(err)
		}
		if in.Period != 2026 || in.Lease != l.ID || fmt.Sprint(in.Legs) != "[{SJ 24,000.00} {ZX 36,000.00}]" {
			t.Fatalf("income %+v", in)
		}
		if again, err := e.I.RecordIncome(ctx, township, ws.ID, assets.NewIncomeRecord{Kind: assets.IncomeRent, Amount: 60_000_00, DocNo: "收据 0001", ReceivedOn: "2026-01-10"}); err != nil || !again.Replayed || again.ID != in.ID {
			t.Fatalf("the same document again: %+v %v", again, err)
		}
		if have := balances(t, e.L, ws.Account); have["ZX"] != 36_000_00 || have["SJ"] != 24_000_00 {
			t.Fatalf("the asset's account: %v", have)
		}

		var hh []assets.RunHousehold
		for i := 1; i <= 25; i++ {
			hh = append(hh, assets.RunHousehold{Code: e.household(t, i, fmt.Sprintf("62220000%08d", i))})
		}
		// Bad input: a banned use, shares that are not 100%.
		if _, _, err := e.I.ProposeRun(ctx, township, ws.ID, assets.NewRun{Period: 2026, Households: hh, Uses: map[string]string{"jobs": "村干部补贴"}}); errs.CodeOf(err) != "banned_use" ||
			!strings.Contains(err.Error(), "assets.banned_uses") {
			t.Fatalf("a banned use: %v", err)
		}
		ninety := []policy.AssetShare{{Key: "households", Name: "无劳动能力脱贫户", Percent: 4000, To: "households"}, {Key: "reinvest", Name: "再投入", Percent: 5000, To: "collective"}}
		if _, _, err := e.I.ProposeRun(ctx, township, ws.ID, assets.NewRun{Period: 2026, Households: hh, Shares: ninety}); errs.CodeOf(err) != "shares_not_100" || !strings.Contains(err.Error(), "90%") {
			t.Fatalf("shares of 90%%: %v", err)
		}
		if _, _, err := e.I.ProposeRun(ctx, township, ws.ID, assets.NewRun{Period: 2026}); errs.CodeOf(err) != "households_required" {
			t.Fatalf("no households: %v", err)
		}
		if runs, _ := e.I.Runs(ctx, rural, ws.ID); len(runs) != 0 {
			t.Fatalf("a refused run wrote: %+v", runs)
		}

		run, ins, err := e.I.ProposeRun(ctx, township, ws.ID, assets.NewRun{Period: 2026, Households: hh, Uses: map[string]string{"reinvest": "购置茶叶加工设备"}, Key: "run-2026"})
		if err != nil {
			t.Fatal(err)
		}
		if run.Total != 60_000_00 || run.Lines != 27 || ins.State != instruct.Pending || ins.Kind != instruct.AssetDistribution {
			t.Fatalf("run %+v, instruction %+v", run, ins)
		}
		if _, again, err := e.I.ProposeRun(ctx, township, ws.ID, assets.NewRun{Period: 2026, Households: hh, Uses: map[string]string{"reinvest": "购置茶叶加工设备"}, Key: "run-2026"}); err != nil || !again.Replayed || again.ID != ins.ID {
			t.Fatalf("the run entered again: %+v %v", again, err)
		}
		if _, _, err := e.I.ProposeRun(ctx, township, ws.ID, assets.NewRun{Period: 2026, Households: hh}); errs.CodeOf(err) != "run_exists" {
			t.Fatalf("a second run of the period: %v", err)
		}
		if have := balances(t, e.L, ws.Account); have["ZX"] != 36_000_00 {
			t.Fatalf("a run entered by one person moved money: %v", have)
		}
		e.approve(t, ins)
		lines, err := e.I.Lines(ctx, rural, run.ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var sum, hhSum money.Fen
		byCh := map[string]money.Fen{}
		for _, ln := range lines {
			sum += ln.Amount
			var legSum money.Fen
			for _, lg := range ln.Legs {
				legSum += lg.Amount
				byCh[lg.Channel] += lg.Amount
			}
			if legSum != ln.Amount {
				t.Fatalf("line %d: legs %v do not sum to %s", ln.ID, ln.Legs, ln.Amount)
			}
			if ln.PayeeKind == assets.PayeeHousehold {
				hhSum += ln.Amount
				if ln.Amount != 960_00 || ln.Status != assets.LineWaiting || !strings.HasPrefix(ln.Name, "张") {
					t.Fatalf("household line %+v", ln)
				}
			}
		}
		if sum != 60_000_00 || hhSum != 24_000_00 || byCh["ZX"] != 36_000_00 || byCh["SJ"] != 24_000_00 {
			t.Fatalf("lines sum to %s (households %s), legs %v", sum, hhSum, byCh)
		}
		// The collective's account: jobs 6,000 + reinvestment 30,000, on the same channels.
		if have := balances(t, e.L, "col:"+e.Col1); have["ZX"] != 21_600_00 || have["SJ"] != 14_400_00 {
			t.Fatalf("the collective's account: %v", have)
		}
		if have := balances(t, e.L, ws.Account); len(have) != 0 {
			t.Fatalf("the asset's account after the run: %v", have)
		}

		// The households' lines through the bank file.
		if _, err := e.I.ProposePayment(ctx, township, ""); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("a township pays: %v", err)
		}
		pin, err := e.I.ProposePayment(ctx, rural, "")
		if err != nil || pin.Amount != 24_000_00 {
			t.Fatalf("payment: %+v %v", pin, err)
		}
		pin = e.approve(t, pin)
		batch, err := e.Pay.BatchOf(ctx, county, pin.ID)
		if err != nil || batch == 0 {
			t.Fatalf("batch %d %v", batch, err)
		}
		file, err := e.Pay.PayoutFile(ctx, rural, assets.PayoutKind, batch)
		if err != nil || len(file) != 27 {
			t.Fatalf("payout file: %d rows %v", len(file), err)
		}
		var ret strings.Builder
		ret.WriteString("批次,序号,结果,原因\n")
		for i := 1; i <= 25; i++ {
			if i == 3 {
				fmt.Fprintf(&ret, "%d,%d,账户无效,卡号错误\n", batch, i)
			} else {
				fmt.Fprintf(&ret, "%d,%d,成功,\n", batch, i)
			}
		}
		rin, err := e.I.ProposeReturn(ctx, rural, strings.NewReader(ret.String()))
		if err != nil {
			t.Fatal(err)
		}
		e.approve(t, rin)
		if _, err := e.I.ProposePayment(ctx, rural, ""); errs.CodeOf(err) != "card_not_corrected" {
			t.Fatalf("a retry before the card is corrected: %v", err)
		}
		failed := hh[2].Code
		e.household(t, 3, "6222000099998888")
		pin2, err := e.I.ProposePayment(ctx, rural, "")
		if err != nil || pin2.Amount != 960_00 {
			t.Fatalf("retry: %+v %v", pin2, err)
		}
		pin2 = e.approve(t, pin2)
		batch2, _ := e.Pay.BatchOf(ctx, county, pin2.ID)
		rin2, err := e.I.ProposeReturn(ctx, rural, strings.NewReader(fmt.Sprintf("批次,序号,结果,原因\n%d,1,成功,\n", batch2)))
		if err != nil {
			t.Fatal(err)
		}
		e.approve(t, rin2)
		// Each household paid once, on the channels that built the workshop.
		for _, h := range hh {
			have := balances(t, e.L, "hh:"+h.Code)
			if have["ZX"] != 576_00 || have["SJ"] != 384_00 {
				t.Fatalf("household %s holds %v", h.Code, have)
			}
		}
		pls, err := e.Pay.LinesOf(ctx, county, assets.PayoutKind, lines[2].ID)
		if err != nil || len(pls) != 2 || pls[0].Status != payout.Failed || pls[1].Status != payout.Paid || pls[0].Payee != failed {
			t.Fatalf("the failed line's attempts: %+v %v", pls, err)
		}
		if _, err := e.I.ProposePayment(ctx, rural, ""); errs.CodeOf(err) != "nothing_to_pay" {
			t.Fatalf("paid twice: %v", err)
		}
		if have := balances(t, e.L, assets.DistFund); len(have) != 0 {
			t.Fatalf("left in the fund: %v", have)
		}
		// The trace of a channel: from the project that built the
		// workshop to its builder, and from the workshop's account to the
		// collective and, through the fund and the bank, to the households
		// (the failed line's 576.00 back to the fund and sent again).
		tr, err := e.L.TraceChannel(ctx, county, "ZX", "990101")
		if err != nil {
			t.Fatal(err)
		}
		codeOf := func(id int64) string {
			if n := tr.Nodes[id]; n.Group > 0 {
				return fmt.Sprintf("%d %s", n.Group, n.Kind)
			}
			return tr.Nodes[id].Code
		}
		edges := map[string]money.Fen{}
		for _, ed := range tr.Edges {
			edges[codeOf(ed.From)+" → "+codeOf(ed.To)] += ed.Amount
		}
		for k, want := range map[string]money.Fen{"prj:P1 → ext:builder": 600_000_00, ws.Account + " → col:" + e.Col1: 21_600_00,
			ws.Account + " → " + assets.DistFund: 14_400_00, assets.DistFund + " → " + assets.DistBank: 14_976_00,
			assets.DistBank + " → " + assets.DistFund: 576_00} { // the failed line back, then sent again
			if edges[k] != want {
				t.Errorf("the ZX trace's %s: %s, want %s (edges %v)", k, edges[k], want, edges)
			}
		}
		var toHouseholds money.Fen
		for _, ed := range tr.Edges {
			if tr.Nodes[ed.From].Code == assets.DistBank && tr.Nodes[ed.To].Kind == ledger.Household {
				toHouseholds += ed.Amount
			}
		}
		if toHouseholds != 25*576_00 {
			t.Errorf("the ZX trace reaches the households with %s, want %s", toHouseholds, money.Fen(25*576_00))
		}

		// Six months without rent raise an idle lead.
		*e.Now = time.Date(2026, 7, 9, 10, 0, 0, 0, time.Local)
		if leads, _ := e.I.IdleLeads(ctx, township); len(leads) != 0 {
			t.Fatalf("idle after five months: %+v", leads)
		}
		*e.Now = time.Date(2026, 7, 11, 10, 0, 0, 0, time.Local)
		leads, err := e.I.IdleLeads(ctx, township)
		if err != nil || len(leads) != 1 || leads[0].Asset != ws.ID || leads[0].Months != 6 || leads[0].Since != "2026-01-10" {
			t.Fatalf("idle leads: %+v %v", leads, err)
		}
		if leads, _ := e.I.IdleLeads(ctx, town2); len(leads) != 0 {
			t.Fatalf("another township sees the lead: %+v", leads)
		}
		// A new lease clears it.
		if _, err := e.I.EndLease(ctx, township, l.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := e.I.LeaseAsset(ctx, township, ws.ID, assets.NewLease{Counterparty: coop, Starts: "2026-07-11", Ends: "2031-07-10", Rent: 50_000_00, Doc: "车间租赁合同 2026-07"}); err != nil {
			t.Fatal(err)
		}
		if leads, _ := e.I.IdleLeads(ctx, township); len(leads) != 0 {
			t.Fatalf("the lead after a new lease: %+v", leads)
		}

		// A run is checked again at approval: income arriving after its
		// entry makes it stale.
		if _, err := e.I.RecordIncome(ctx, township, ws.ID, assets.NewIncomeRecord{Amount: 10_000_00, DocNo: "收据 0002", ReceivedOn: "2027-01-10"}); err != nil {
			t.Fatal(err)
		}
		_, ins27, err := e.I.ProposeRun(ctx, township, ws.ID, assets.NewRun{Period: 2027, Households: hh})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.I.RecordIncome(ctx, township, ws.ID, assets.NewIncomeRecord{Amount: 1, DocNo: "收据 0003", ReceivedOn: "2027-02-10"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Ins.Decide(ctx, finance, ins27.ID, workflow.Decision{Action: workflow.Approve}); errs.CodeOf(err) != "instruction_stale" {
			t.Fatalf("a stale run approved: %v", err)
		}
		ev, _ := e.S.Events(ctx, rural, ws.ID)
		var acts []string
		for _, x := range ev {
			acts = append(acts, x.Action)
		}
		if want := "registered confirmed lease income distribution_entered distributed lease_ended lease income distribution_entered income"; strings.Join(acts, " ") != want {
			t.Fatalf("history: %s", strings.Join(acts, " "))
		}
		_ = place.Code("")

		// The last step: the workshop is scrapped (报废). The villagers'
		// congress resolves it (minutes attached), the township reviews,
		// the county approves after its public notice; the salvage
		// proceeds return to the collective with the original legs.
		clk := func() time.Time { return *e.Now }
		wf := workflow.New(db, clk)
		pc := policy.NewCounties(db, clk)
		ds := assets.New(db, e.L, e.Ents, clk)
		ds.UseServices(wf, pc, funds.New(db, e.L, pc, clk), volume.New(db, clk), nil)
		scrap := assets.DisposalRequest{Kind: "scrap", Reason: "厂房主体结构损坏，经鉴定为危房", Resolution: "村民代表大会决议〔2026〕5号", Proceeds: 10_000_01}
		if _, err := ds.RequestDisposal(ctx, village1, ws.ID, scrap); errs.CodeOf(err) != "minutes_required" {
			t.Fatalf("a scrapping without the congress minutes: %v", err)
		}
		scrap.Minutes = &assets.Upload{Name: "会议纪要.txt", Body: strings.NewReader("2026年7月11日村民代表大会，应到35人，实到32人，同意报废32人。")}
		d, err := ds.RequestDisposal(ctx, village1, ws.ID, scrap)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ds.DecideDisposal(ctx, township, d.ID, assets.DisposalDecision{Action: "approve", Opinion: "程序合规"}); err != nil {
			t.Fatal(err)
		}
		if _, err := ds.DecideDisposal(ctx, rural, d.ID, assets.DisposalDecision{Action: "approve"}); errs.CodeOf(err) != "notice_required" {
			t.Fatalf("the county's approval before the notice: %v", err)
		}
		if have := balances(t, e.L, "col:"+e.Col1); have["ZX"] != 21_600_00 || have["SJ"] != 14_400_00 {
			t.Fatalf("proceeds moved before the county's approval: %v", have)
		}
		if _, err := ds.DisposalNotice(ctx, rural, d.ID, "2026-07-12", "2026-07-21"); err != nil {
			t.Fatal(err)
		}
		*e.Now = time.Date(2026, 7, 22, 10, 0, 0, 0, time.Local)
		done, err := ds.DecideDisposal(ctx, rural, d.ID, assets.DisposalDecision{Action: "approve", Opinion: "同意报废"})
		if err != nil || done.State != "approved" || done.Transfer == 0 {
			t.Fatalf("scrapping approved: %+v %v", done, err)
		}
		// 600,000 : 400,000 of 10,000.01 → ZX 6,000.01, SJ 4,000.00 (money.Split),
		// on top of the run's 21,600 / 14,400.
		if have := balances(t, e.L, "col:"+e.Col1); have["ZX"] != 27_600_01 || have["SJ"] != 18_400_00 || len(have) != 2 {
			t.Fatalf("the collective after the salvage proceeds: %v", have)
		}
		if _, n, _ := e.S.List(ctx, rural, assets.Filter{}); n != 0 {
			t.Fatalf("the scrapped workshop is still in the register: %d", n)
		}
		if got, err := e.S.Get(ctx, rural, ws.ID); err != nil || got.Status != assets.Disposed {
			t.Fatalf("the scrapped workshop: %+v %v", got, err)
		}
		ev, _ = e.S.Events(ctx, rural, ws.ID)
		acts = acts[:0]
		for _, x := range ev {
			acts = append(acts, x.Action)
		}
		if want := "registered confirmed lease income distribution_entered distributed lease_ended lease income distribution_entered income disposal_requested disposed"; strings.Join(acts, " ") != want {
			t.Fatalf("history after the scrapping: %s", strings.Join(acts, " "))
		}
		if leads, _ := e.I.IdleLeads(ctx, township); len(leads) != 0 {
			t.Fatalf("a scrapped asset is an idle lead: %+v", leads)
		}
	})
}
