package ident

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestMaskResidentID(t *testing.T) {
	tests := map[string]string{
		"11010519491231002X": "110*************2X",
		"11010519491231002x": "110*************2x",
		"440300199001011238": "440*************38",
		"110105491231002":    "110**********02", // legacy 15-digit ID
		"12345678901":        "123******01",
		"1234567890":         "**********",
		"123":                "***",
		"":                   "",
		"一二三四五六七八九十一":        "一二三******十一",
	}
	for in, want := range tests {
		if got := MaskResidentID(in); got != want {
			t.Errorf("MaskResidentID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskBankCard(t *testing.T) {
	tests := map[string]string{
		"6222021234567890128":     "6222****0128",
		"6222 0212 3456 7890 128": "6222****0128",
		"6222-0212-3456-7890":     "6222****7890",
		"622202123456":            "6222****3456",
		"62220212345":             "***********",
		"6222":                    "****",
		"":                        "",
		"6222 0212 345":           "***********",
	}
	for in, want := range tests {
		if got := MaskBankCard(in); got != want {
			t.Errorf("MaskBankCard(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	tests := map[string]string{
		"13812345678":    "138****5678",
		"19912345678":    "199****5678",
		"+8613812345678": "+86*******5678",
		"01012345678":    "010****5678",
		"1381234567":     "**********",
		"12345":          "*****",
		"":               "",
		"一二三四五六七八九十一":    "一二三****八九十一",
	}
	for in, want := range tests {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskName(t *testing.T) {
	tests := map[string]string{
		"张三丰":    "张**",
		"张三":     "张*",
		"张":      "张",
		"":       "",
		"  李四  ": "李*",
		"欧阳娜娜":   "欧阳**",
		"欧阳锋":    "欧阳*",
		"欧阳":     "欧*",
		"司马懿":    "司马*",
		"诸葛亮":    "诸葛*",
		"上官婉儿":   "上官**",
		"东方不败":   "东方**",
		"皇甫嵩":    "皇甫*",
		"尉迟恭":    "尉迟*",
		"公孙胜":    "公孙*",
		"慕容复":    "慕容*",
		"长孙无忌":   "长孙**",
		"宇文化及":   "宇文**",
		"司徒雷登":   "司徒**",
		"夏侯惇":    "夏侯*",
		"轩辕剑":    "轩辕*",
		"令狐冲":    "令狐*",
		"端木蓉":    "端木*",
		"司空摘星":   "司***", // not in the compound list
		"欧小阳":    "欧**",
		"Alice":  "A****",
		"买买提·艾力": "买*****",
	}
	for in, want := range tests {
		if got := MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMaskNeverPanics runs every mask over short and odd inputs and checks
// that short inputs become stars of the same rune length.
func TestMaskNeverPanics(t *testing.T) {
	masks := map[string]func(string) string{
		"MaskResidentID": MaskResidentID,
		"MaskBankCard":   MaskBankCard,
		"MaskPhone":      MaskPhone,
		"MaskName":       MaskName,
	}
	inputs := []string{"", "1", "12", "一", "一二", "\xff", "\xff\xfe", "1\u00002"}
	for name, mask := range masks {
		for _, in := range inputs {
			got := mask(in)
			if name == "MaskName" {
				continue
			}
			if utf8.RuneCountInString(got) != utf8.RuneCountInString(in) || strings.Trim(got, "*") != "" {
				t.Errorf("%s(%q) = %q, want stars of the same length", name, in, got)
			}
		}
	}
}

func TestScanPersonalData(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"clean", "金额 1,234.56 元，编号 2024-001，电话 138****5678", nil},
		{"masked", "身份证 110105********002X 卡号 6222****0128", nil},
		{"resident ID", "身份证号：11010519491231002X。", []string{"11010519491231002X"}},
		{"resident ID lower x", "id=11010519491231002x;", []string{"11010519491231002x"}},
		{"resident ID digits", "<td>440300199001011238</td>", []string{"440300199001011238"}},
		{"ID embedded in longer run", "1440300199001011238", []string{"1440300199001011238"}}, // 19 digits: card shape
		{"ID embedded in 20 digits", "14403001990010112381", nil},
		{"17 digits without X", "12345678901234567 ", []string{"12345678901234567"}}, // card shape
		{"17 digits with X preceded by digit", "112345678901234567X", []string{"112345678901234567"}},
		{"card 16", "卡号6222021234567890尾", []string{"6222021234567890"}},
		{"card 19", "6222021234567890128", []string{"6222021234567890128"}},
		{"15 digits", "622202123456789", nil},
		{"20 digits", "62220212345678901281", nil},
		{"mobile", "联系电话13812345678。", []string{"13812345678"}},
		{"mobile 19x", "tel:19912345678", []string{"19912345678"}},
		{"mobile with letters around", "abc15012345678def", []string{"15012345678"}},
		{"not mobile 12x", "12812345678", nil},
		{"not mobile 10x", "10012345678", nil},
		{"mobile in longer run", "138123456789", nil},
		{"mobile in shorter run", "1381234567", nil},
		{"mobile after plus", "+8613812345678", nil}, // 13-digit run
		{"mobile after separator", "+86-13812345678", []string{"13812345678"}},
		{"split card not detected", "6222 0212 3456 7890", nil},
		{
			"several",
			"张三 11010519491231002X 13812345678, 6222021234567890128; 13912345678",
			[]string{"11010519491231002X", "13812345678", "6222021234567890128", "13912345678"},
		},
		{"adjacent after X", "11010519491231002X13812345678", []string{"11010519491231002X", "13812345678"}},
		{"full-width digits ignored", "１３８１２３４５６７８", nil},
	}
	for _, tt := range tests {
		got := ScanPersonalData(tt.in)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: ScanPersonalData(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// TestScanFindsWhatMasksHide checks that the scanner flags raw values and
// not their masked forms.
func TestScanFindsWhatMasksHide(t *testing.T) {
	raw := []struct {
		value string
		mask  func(string) string
	}{
		{"11010519491231002X", MaskResidentID},
		{"440300199001011238", MaskResidentID},
		{"6222021234567890128", MaskBankCard},
		{"6222021234567890", MaskBankCard},
		{"13812345678", MaskPhone},
	}
	for _, r := range raw {
		page := "<p>" + r.value + "</p>"
		if got := ScanPersonalData(page); len(got) != 1 || got[0] != r.value {
			t.Errorf("ScanPersonalData(raw %q) = %q", r.value, got)
		}
		masked := "<p>" + r.mask(r.value) + "</p>"
		if got := ScanPersonalData(masked); got != nil {
			t.Errorf("ScanPersonalData(masked %q) = %q, want nothing", masked, got)
		}
	}
}

// TestMaskedIDWithBirthYearIsNotRecoverable counts, for IDs of several
// years, the valid IDs that agree with what a page may show: the mask, the
// birth year, and — granted to the attacker — the full six-digit region
// code. Thousands must remain, all equally likely; the earlier 6 + 4 mask
// left about 33 (and none with the birth date shown).
func TestMaskedIDWithBirthYearIsNotRecoverable(t *testing.T) {
	withCheck := func(body string) string { return body + string(ResidentIDCheckChar(body)) }
	for _, id := range []string{withCheck("99010119700315001"), withCheck("11010519491231002"), withCheck("44030020000229123"), withCheck("99010119851107014")} {
		mask := MaskResidentID(id)
		if strings.Contains(mask, id[6:14]) || strings.Contains(mask, id[10:14]) {
			t.Fatalf("mask %s shows birth digits of %s", mask, id)
		}
		year := id[6:10]
		n, hit := 0, false
		for day := 0; day < 366; day++ {
			d := time.Date(atoi(year), 1, 1+day, 0, 0, 0, 0, time.UTC)
			if d.Format("2006") != year {
				continue
			}
			for seq := 0; seq < 100; seq++ {
				body := id[:6] + d.Format("20060102") + fmt.Sprintf("%02d", seq) + id[16:17]
				cand := withCheck(body)
				if ValidateResidentID(cand) == nil && MaskResidentID(cand) == mask {
					n++
					hit = hit || cand == id
				}
			}
		}
		if !hit {
			t.Fatalf("%s: the enumeration misses the ID itself", id)
		}
		if n < 3000 {
			t.Errorf("%s (mask %s, born %s): only %d candidate IDs remain, want ≥ 3000", id, mask, year, n)
		}
		// The old 6 + 4 mask with the year: a few dozen; with the date: one.
		old := 0
		for day := 0; day < 366; day++ {
			d := time.Date(atoi(year), 1, 1+day, 0, 0, 0, 0, time.UTC)
			if d.Format("2006") == year && withCheck(id[:6]+d.Format("20060102")+id[14:17]) == id[:6]+d.Format("20060102")+id[14:] {
				old++
			}
		}
		if old > 60 {
			t.Errorf("sanity: the old mask left %d candidates; the counting is wrong", old)
		}
	}
}

func TestRemaskLegacyIDs(t *testing.T) {
	in := `{"resident_id":"110105********002X","x":"990101********0013 and 6222****0128"}`
	want := `{"resident_id":"110*************2X","x":"990*************13 and 6222****0128"}`
	if got := RemaskLegacyIDs(in); got != want {
		t.Errorf("RemaskLegacyIDs = %s, want %s", got, want)
	}
}
