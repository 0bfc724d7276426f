package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"onepool/internal/assets"
	"onepool/internal/auth"
	"onepool/internal/demo"
	"onepool/internal/funds"
	"onepool/internal/ledger"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/volume"
	"onepool/internal/workflow"
)

func init() {
	w := "village township rural"
	for k, v := range map[string]rule{
		"GET /assets":                                        {roles: staff, list: true},
		"GET /area/assets":                                   {roles: staff},
		"GET /assets.xlsx":                                   {roles: staff, list: true},
		"POST /assets":                                       {roles: w},
		"POST /assets/import":                                {roles: w},
		"GET /assets/import/template.xlsx":                   {roles: staff},
		"GET /assets/{id}":                                   {roles: staff, record: true},
		"GET /assets/{id}/card":                              {roles: staff, record: true},
		"GET /assets/{id}/qr.svg":                            {roles: staff, record: true},
		"POST /assets/{id}/confirm":                          {roles: w, record: true},
		"POST /assets/{id}/handover":                         {roles: w, record: true},
		"POST /assets/{id}/keeper":                           {roles: w, record: true},
		"POST /assets/{id}/plan":                             {roles: w, record: true},
		"POST /assets/{id}/upkeep":                           {roles: w, record: true},
		"POST /assets/{id}/disposals":                        {roles: w, record: true},
		"POST /assets/disposals/{id}/decide":                 {roles: w, record: true},
		"POST /assets/disposals/{id}/notice":                 {roles: "township rural", record: true},
		"GET /public/{county}/assets/{code}":                 {roles: public},
		"GET /api/v1/assets/{county}":                        {roles: staff, record: true, list: true},
		"POST /api/v1/assets/{county}":                       {roles: w, record: true, list: true},
		"POST /api/v1/assets/{county}/import":                {roles: w, record: true, list: true},
		"GET /api/v1/assets/{county}/{id}":                   {roles: staff, record: true},
		"POST /api/v1/assets/{county}/{id}/confirm":          {roles: w, record: true},
		"POST /api/v1/assets/{county}/{id}/handover":         {roles: w, record: true},
		"POST /api/v1/assets/{county}/{id}/upkeep":           {roles: w, record: true},
		"POST /api/v1/assets/{county}/{id}/disposals":        {roles: w, record: true},
		"POST /api/v1/assets/{county}/disposals/{id}/decide": {roles: w, record: true},
	} {
		matrix[k] = v
	}
}

// fixtureAssetID: the matrix's asset (numbered like the code) and its
// disposal under review: acct-a's at A's village, acct-b's at B's.
var fixtureAssetID = map[string]string{"acct-a": "1", "acct-b": "2"}

// fixtureAssets registers the matrix's assets (imported, public-welfare)
// and a disposal of each waiting for the township.
func fixtureAssets(t *testing.T, db *store.DB, l *ledger.Ledger, pc *policy.Counties) {
	t.Helper()
	ctx := context.Background()
	s := assets.New(db, l, nil, nil)
	s.UseServices(workflow.New(db, nil), pc, funds.New(db, l, pc, nil), volume.New(db, nil), nil)
	rural := auth.Principal{Username: "t", Role: auth.RoleRural, Place: root, County: countyA}
	for _, a := range []struct{ code, vil string }{{"acct-a", vilA}, {"acct-b", vilB}} {
		var id int64
		if err := db.Write(ctx, time.Now(), func(tx *store.Tx) error {
			var err error
			id, err = s.RegisterImportTx(ctx, tx, rural, assets.NewAsset{Code: a.code, Name: "道路 " + a.code, Type: assets.PublicWelfare, Category: "road", Place: place.Code(a.vil), Value: 100_00}, nil, "", "")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		vil := auth.Principal{Username: "t-vil", Role: auth.RoleVillage, Place: place.Code(a.vil), County: countyA}
		if _, err := s.RequestDisposal(ctx, vil, id, assets.DisposalRequest{Kind: "scrap", Reason: "损毁", Resolution: "决议",
			Minutes: &assets.Upload{Name: "纪要.txt", Body: strings.NewReader("村民代表大会纪要")}}); err != nil {
			t.Fatal(err)
		}
	}
}

var assetsIDPath = regexp.MustCompile(`^(/assets/(?:disposals/)?|/api/v1/assets/[0-9]+/(?:disposals/)?)[0-9]+`)

// assetPath puts the asset (or disposal) of code where a matrix path
// names an id, and its number where a public path names a code.
func assetPath(p, code string) string {
	id, ok := fixtureAssetID[code]
	if !ok {
		id = "1099511627776"
	}
	if strings.HasPrefix(p, "/assets/import") {
		return p
	}
	return assetsIDPath.ReplaceAllString(p, "${1}"+id)
}

// TestAssetPagesOnDemo: the register's happy path on the demo county — the
// list by village with its count, an asset's page (legs with channel
// names, the owner by name, the project linked, the history in words),
// the card with its QR code, the export, a refused form that keeps its
// input and a saved one that flashes, the overdue upkeep on the desk, the
// village's page, the public page, and the API's shapes and replay.
func TestAssetPagesOnDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := demoServerWithKeys(t, db)
		b := newBrowser(t, h)
		b.login("demo.township", demo.Password("demo.township"))
		list := b.do("GET", "/assets?place=990101001002", nil, "")
		body := list.Body.String()
		if list.Code != 200 || !strings.Contains(body, "ZC0001") || !strings.Contains(body, "ZC0004") || strings.Contains(body, "ZC0002") || !strings.Contains(body, "共 3 项") || !strings.Contains(body, "ZC0006") || strings.Contains(body, "ZC0005") {
			t.Fatalf("the village's register: %d %.2000s", list.Code, body)
		}
		id := regexp.MustCompile(`href="/assets/([0-9]+)">ZC0001<`).FindStringSubmatch(body)
		if id == nil {
			t.Fatalf("no link to ZC0001")
		}
		page := b.do("GET", "/assets/"+id[1], nil, "").Body.String()
		for _, want := range []string{"桃园村股份经济合作社（演示）", "中央财政衔接推进乡村振兴补助资金", `href="/projects/2026-002"`, "确权给 桃园村股份经济合作社（演示）", "登记入册，原值 950,000.00 元", "由青禾县农业农村局（项目实施单位）移交"} {
			if !strings.Contains(page, want) {
				t.Errorf("the asset page lacks %q", want)
			}
		}
		for _, raw := range []string{">registered<", ">confirmed<", ">handed_over<"} {
			if strings.Contains(page, raw) {
				t.Errorf("the history shows a raw code %s", raw)
			}
		}
		if card := b.do("GET", "/assets/"+id[1]+"/card", nil, ""); card.Code != 200 || !strings.Contains(card.Body.String(), `/assets/`+id[1]+`/qr.svg`) || !strings.Contains(card.Body.String(), "/public/990101/assets/ZC0001") {
			t.Errorf("the card: %d", card.Code)
		}
		if qr := b.do("GET", "/assets/"+id[1]+"/qr.svg", nil, ""); qr.Code != 200 || !strings.HasPrefix(qr.Body.String(), "<svg") {
			t.Errorf("the QR code: %d", qr.Code)
		}
		if x := b.do("GET", "/assets.xlsx?place=990101001002", nil, ""); x.Code != 200 || !strings.Contains(x.Header().Get("Content-Type"), "spreadsheet") {
			t.Errorf("the export: %d %s", x.Code, x.Header().Get("Content-Type"))
		}
		// A refused handover keeps what was typed; a saved one flashes.
		w := b.form("/assets/"+id[1], "/assets/"+id[1]+"/handover", url.Values{"form": {"handover"}, "from_unit": {"县农业农村局"}, "to_unit": {"桃园村"}, "day": {"2026-07-01"}})
		if w.Code == http.StatusSeeOther || !strings.Contains(w.Body.String(), `value="县农业农村局"`) || !strings.Contains(w.Body.String(), "移交文件文号") {
			t.Errorf("a refused handover: %d %.500s", w.Code, w.Body)
		}
		w = b.form("/assets/"+id[1], "/assets/"+id[1]+"/keeper", url.Values{"form": {"keeper"}, "keeper_unit": {"桃园村股份经济合作社"}, "keeper_person": {"杨文清"}})
		if w.Code != http.StatusSeeOther || !strings.Contains(b.do("GET", w.Header().Get("Location"), nil, "").Body.String(), "已保存管护责任") {
			t.Errorf("a saved keeper: %d", w.Code)
		}
		// The desk shows the road's overdue upkeep; the village page its assets.
		if desk := b.do("GET", "/desk", nil, "").Body.String(); !strings.Contains(desk, `id="overdue-upkeep"`) || !strings.Contains(desk, "ZC0002") || !strings.Contains(desk, "逾期") {
			t.Errorf("the desk has no overdue upkeep")
		}
		if v := b.do("GET", "/funds/villages?village=990101001002&year="+demoYear(), nil, "").Body.String(); !strings.Contains(v, `id="village-assets"`) || !strings.Contains(v, "ZC0004") {
			t.Errorf("the village page has no assets")
		} else if m := regexp.MustCompile(`id="village-asset-income">([^<]*)<`).FindStringSubmatch(v); m == nil || m[1] == "0.00" || !strings.Contains(v, "/income\">") {
			t.Errorf("the village page does not show its assets' income of the year (the workshop's rent): %v", m)
		}
		if p := newBrowser(t, h).do("GET", "/public/990101/assets/ZC0003", nil, ""); p.Code != 200 || !strings.Contains(p.Body.String(), "农户") || strings.Contains(p.Body.String(), "李春生") {
			t.Errorf("the public page of a household asset: %d", p.Code)
		}
		// The API: typed answers, [] not null, replay.
		api := b.do("GET", "/api/v1/assets/990101?type=household", nil, "")
		if api.Code != 200 || !strings.Contains(api.Body.String(), `"code":"ZC0003"`) || !strings.Contains(api.Body.String(), `"shares":[]`) {
			t.Errorf("the API list: %d %.500s", api.Code, api.Body)
		}
		one := b.do("GET", "/api/v1/assets/990101/"+id[1], nil, "").Body.String()
		if !strings.Contains(one, `"channel_name":"中央财政衔接推进乡村振兴补助资金"`) || !strings.Contains(one, `"action":"handed_over"`) {
			t.Errorf("the API asset: %.800s", one)
		}
	})
}
