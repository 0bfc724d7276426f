package web_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"onepool/internal/clock"
	"onepool/internal/demo"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// TestAssetIncomeOnDemo: the demo's workshop is leased to the tea
// cooperative, this year's rent is on it and its distribution run is
// approved by another person with its households' lines at the bank; the
// idle school is leased. Only the cold store (ZC0006) is idle on the
// desk; once the school has gone eight months without rent, the township's and
// the county's desks show it, linked to its page, and a village cadre of
// another village does not. Running the demo again changes nothing.
func TestAssetIncomeOnDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, l, keys, h := demoKeyed(t, db)
		b := newBrowser(t, h)
		b.login("demo.township", demo.Password("demo.township"))
		ids := map[string]string{}
		list := b.do("GET", "/assets?place=990101001002", nil, "").Body.String()
		for _, code := range []string{"ZC0001", "ZC0004"} {
			m := regexp.MustCompile(`href="/assets/([0-9]+)">` + code + `<`).FindStringSubmatch(list)
			if m == nil {
				t.Fatalf("no link to %s", code)
			}
			ids[code] = m[1]
		}
		year := time.Now().In(clock.Zone).Year()
		inc := b.do("GET", "/api/v1/assets/990101/"+ids["ZC0001"]+"/income", nil, "").Body.String()
		for _, want := range []string{`"counterparty":"93990101MA6CHAYE1H"`, `"kind":"rent"`, fmt.Sprintf(`"period":%d`, year), `"state":"posted"`,
			`"created_by":"demo.township"`, `"posted_by":"demo.finance"`} {
			if !strings.Contains(inc, want) {
				t.Errorf("the workshop's income lacks %s: %.1500s", want, inc)
			}
		}
		run := regexp.MustCompile(`"runs":\[\{"id":([0-9]+)`).FindStringSubmatch(inc)
		if run == nil {
			t.Fatalf("no run: %.1500s", inc)
		}
		lines := b.do("GET", "/api/v1/assets/990101/"+ids["ZC0001"]+"/runs/"+run[1], nil, "").Body.String()
		if n := strings.Count(lines, `"payee_kind":"household"`); n != 4 || strings.Count(lines, `"status":"sending"`) != 4 {
			t.Errorf("the run's household lines (%d) are not all at the bank: %.2000s", n, lines)
		}
		if sch := b.do("GET", "/api/v1/assets/990101/"+ids["ZC0004"]+"/income", nil, "").Body.String(); !strings.Contains(sch, `"counterparty":"91990101MA6LUYUAN6"`) {
			t.Errorf("the school is not leased: %.800s", sch)
		}
		// Running the demo again changes nothing.
		if _, err := demo.Run(context.Background(), a, l, keys); err != nil {
			t.Fatal(err)
		}
		if again := b.do("GET", "/api/v1/assets/990101/"+ids["ZC0001"]+"/income", nil, "").Body.String(); again != inc {
			t.Errorf("the demo run again changed the workshop's income:\n%s\n%s", inc, again)
		}
		if again := b.do("GET", "/api/v1/assets/990101/"+ids["ZC0001"]+"/runs/"+run[1], nil, "").Body.String(); again != lines {
			t.Errorf("the demo run again changed the run's lines")
		}
		// The demo's cold store (ZC0006) has earned nothing since it was
		// confirmed seven months ago: the desk's one idle lead.
		if desk := b.do("GET", "/desk", nil, "").Body.String(); !strings.Contains(desk, `id="idle-assets"`) || !strings.Contains(desk, ">ZC0006<") ||
			!strings.Contains(desk, "7 个月无收益") || strings.Contains(desk, ">ZC0004<") || strings.Contains(desk, ">ZC0001<") {
			t.Errorf("the demo's desk does not show the cold store's idle lead alone")
		}

		// Eight months pass without the school's rent.
		ago := time.Now().In(clock.Zone).AddDate(0, -8, -1)
		if err := db.Write(context.Background(), time.Now(), func(tx *store.Tx) error {
			if _, err := tx.ExecContext(context.Background(), `UPDATE as_assets SET confirmed_at = ? WHERE county = '990101' AND code = 'ZC0004'`, ago.UnixMicro()); err != nil {
				return err
			}
			_, err := tx.ExecContext(context.Background(), `UPDATE as_leases SET starts = ? WHERE county = '990101' AND asset = ?`, clock.Day(ago), ids["ZC0004"])
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{"demo.township", "demo.rural"} {
			c := newBrowser(t, h)
			c.login(who, demo.Password(who))
			desk := c.do("GET", "/desk", nil, "").Body.String()
			sec := desk[max(0, strings.Index(desk, `id="idle-assets"`)):]
			if !strings.Contains(desk, `id="idle-assets"`) || !strings.Contains(sec, `href="/assets/`+ids["ZC0004"]+`">ZC0004<`) || !strings.Contains(sec, "桃园村") ||
				!strings.Contains(sec, "8 个月无收益") || strings.Contains(sec, ">ZC0001<") {
				t.Errorf("%s's desk: no idle lead for the school: %.3000s", who, sec)
			}
		}
		v := newBrowser(t, h)
		v.login("demo.village", demo.Password("demo.village"))
		if desk := v.do("GET", "/desk", nil, "").Body.String(); strings.Contains(desk, "ZC0004") {
			t.Errorf("another village's cadre sees the school's lead")
		}
	})
}
