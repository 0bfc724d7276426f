package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"onepool/internal/auth"
	"onepool/internal/demo"
	"onepool/internal/place"
	"onepool/internal/registry"
	"onepool/internal/store"
)

// The list pages of the web benchmark read the household registry, so the
// enlarged county has one: a registered household (head and spouse) for
// every household account, imported through the registry's own import in
// files of 50,000 households, with the benchmark's fixed data key (the
// same key every run, so that a re-run reads what an earlier one sealed).

// registryChunk is the households of one import file.
const registryChunk = 50_000

// BenchKeys is the benchmark's registry data key (fixed; never a real one).
func BenchKeys() *registry.Keys {
	k, err := registry.NewKeys(bytes.Repeat([]byte{0x5e}, 32))
	if err != nil {
		panic(err)
	}
	return k
}

// bigRegistryCode is the registry code of the enlarged county's household
// h in village v: the village's code, then the household's number.
func bigRegistryCode(village string, h int) string {
	return fmt.Sprintf("%s-%06d", village, h)
}

// registryFile is the import file of households [from, to): a head and a
// spouse each, the card on the head's row.
func registryFile(villages []place.Node, from, to int) []byte {
	var b bytes.Buffer
	b.WriteString("户编号,村代码,户主,姓名,身份证号,与户主关系,是否健在,开户人,开户行,银行卡号\n")
	for h := from; h < to; h++ {
		v := string(villages[h%len(villages)].Code)
		head := bigName(h)
		day := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, h%18000)
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,户主,是,%s,农商银行,%s\n", bigRegistryCode(v, h), v, head, head, benchResidentID(day, h), head, benchCard(h))
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,配偶,是,,,\n", bigRegistryCode(v, h), v, head, bigName(h+7_000_000), benchResidentID(day.AddDate(0, 0, 400), h+1_000_000))
	}
	return b.Bytes()
}

// benchResidentID is a valid 18-digit resident ID (GB 11643 check digit)
// of a person born on day, with a sequence from n.
func benchResidentID(day time.Time, n int) string {
	body := fmt.Sprintf("420527%s%03d", day.Format("20060102"), n%1000)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(body[i]-'0') * w
	}
	return body + string("10X98765432"[sum%11])
}

// benchCard is a 19-digit card number with a Luhn check digit.
func benchCard(n int) string {
	body := fmt.Sprintf("621700%012d", n)
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return body + string(rune('0'+(10-sum%10)%10))
}

// EnsureRegistry imports the enlarged county's households into the
// registry, skipping the files an earlier run imported.
func EnsureRegistry(ctx context.Context, db *store.DB, a *auth.Service, keys *registry.Keys, households int, progress io.Writer) error {
	villages, err := demoVillages(ctx, a)
	if err != nil {
		return err
	}
	reg := registry.New(db, keys, nil)
	rural := auth.Principal{Username: "demo.rural", DisplayName: "bench", Role: auth.RoleRural, Place: place.Code(demo.County + "000000"), County: demo.County}
	start := time.Now()
	for from := 0; from < households; from += registryChunk {
		to := min(from+registryChunk, households)
		last := bigRegistryCode(string(villages[(to-1)%len(villages)].Code), to-1)
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM reg_households WHERE county = ? AND code = ?`, demo.County, last).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		if _, err := reg.Import(ctx, rural, bytes.NewReader(registryFile(villages, from, to))); err != nil {
			return fmt.Errorf("registry households %d–%d: %w", from, to-1, err)
		}
		fmt.Fprintf(progress, "  registry: %d/%d households (%v)\n", to, households, time.Since(start).Round(time.Millisecond))
	}
	for from := 0; from < households; from += registryChunk {
		to := min(from+registryChunk, households)
		last := bigRegistryCode(string(villages[(to-1)%len(villages)].Code), to-1)
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM reg_years WHERE county = ? AND year = 2026 AND household = ?`, demo.County, last).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		if _, err := reg.ImportYears(ctx, rural, bytes.NewReader(yearsFile(villages, from, to))); err != nil {
			return fmt.Errorf("registry years %d–%d: %w", from, to-1, err)
		}
		fmt.Fprintf(progress, "  registry years 2026: %d/%d households (%v)\n", to, households, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// yearsFile is the 2026 records of households [from, to): seven in ten
// exited, one monitored, half a one edge, the rest not poor.
func yearsFile(villages []place.Node, from, to int) []byte {
	var b bytes.Buffer
	b.WriteString("户编号,年度,状态,致贫原因,家庭纯收入,支出,稳定脱贫\n")
	for h := from; h < to; h++ {
		status, stable := "non_poor", "否"
		switch r := mix(uint64(h)) % 20; {
		case r < 14:
			status, stable = "exited", "是"
		case r < 16:
			status = "monitored"
		case r < 17:
			status = "edge"
		}
		fmt.Fprintf(&b, "%s,2026,%s,,%d,0,%s\n", bigRegistryCode(string(villages[h%len(villages)].Code), h), status, 8000+h%20000, stable)
	}
	return b.Bytes()
}

// listPages are the list pages measured at county scale: search, filter
// and a page deep in the list, as a county officer and a township officer.
func listPages(households int, villages []string) []WebPage {
	v := villages[len(villages)-1]
	name := []rune(bigName(households / 2))
	return []WebPage{
		{"households page 3 (county)", "demo.finance", "/registry?page=3"},
		{"households search name + village, page 2", "demo.finance", "/registry?q=" + string(name[:1]) + "&village=" + v + "&page=2"},
		{"households status 2026 filter, page 3 (township)", "demo.township", "/registry?status=monitored&year=2026&page=3"},
		{"households code prefix (township)", "demo.township", "/registry?q=" + villages[0]},
		{"transfers kind + channel + dates, page 3", "demo.finance", "/ledger/transfers?kind=payment&channel=ZX&from=2026-01-01&to=2026-12-31&page=3"},
		{"transfers page 3 (township)", "demo.township", "/ledger/transfers?page=3"},
		{"audit log page 3", "demo.auditor", "/audit?page=3"},
	}
}
