package ident

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// withCheck appends the MOD 11-2 check character to 17 digits, so tests can
// build IDs whose only defect is something other than the checksum.
func withCheck(s17 string) string {
	sum := 0
	for i, w := range residentIDWeights {
		sum += int(s17[i]-'0') * w
	}
	return s17 + string(residentIDCheck[sum%11])
}

// fixNow pins the package clock for the duration of a test.
func fixNow(t *testing.T, at time.Time) {
	t.Helper()
	old := now
	now = func() time.Time { return at }
	t.Cleanup(func() { now = old })
}

func TestValidateResidentID(t *testing.T) {
	fixNow(t, time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC))
	valid := []string{
		"11010519491231002X",
		"11010519491231002x",
		"440300199001011238",
		"610926200002290017", // 2000 is a leap year
		"610926190001010013",
		"110105202402291233",
		"110105199912319991",
		"11010519000101001X",
		withCheck("11010520250615123"), // born "today"
		withCheck("11010520250616123"), // one day of time-zone slack
	}
	for _, s := range valid {
		if err := ValidateResidentID(s); err != nil {
			t.Errorf("ValidateResidentID(%q) = %v, want nil", s, err)
		}
	}

	invalid := []struct {
		in  string
		msg string
	}{
		{"110105194912310021", "checksum: check character is '1', want 'X'"},
		{"110105194912310020", "checksum"},
		{"440300199001011239", "checksum: check character is '9', want '8'"},
		{"44030019900101123X", "checksum"},
		{"", "length: want 18 characters, got 0"},
		{"11010519491231002", "length: want 18 characters, got 17"},
		{"11010519491231002XX", "length: want 18 characters, got 19"},
		{" 11010519491231002X", "length"},
		{"110105194912310", "length"},
		{"11010519491231002Ｘ", "characters: check character is 'Ｘ'"},
		{"１１０１０５１９４９１２３１００２Ｘ", "characters: character 1 is '１'"},
		{"1101051949123100XX", "characters: character 17 is 'X'"},
		{"A1010519491231002X", "characters: character 1 is 'A'"},
		{"11010519491231002Y", "characters: check character is 'Y'"},
		{"110105 9491231002X", "characters: character 7 is ' '"},
		{withCheck("11010519491301002"), "birth date: 19491301 is not a valid date"},
		{withCheck("11010519490230002"), "birth date: 19490230"},
		{withCheck("11010519000229001"), "birth date: 19000229"}, // 1900 is not a leap year
		{withCheck("11010519490000002"), "birth date: 19490000"},
		{withCheck("11010519491200002"), "birth date: 19491200"},
		{withCheck("11010518991231002"), "birth date: 18991231"},
		{withCheck("11010500000101002"), "birth date"},
		{withCheck("11010520250617123"), "birth date: 20250617 is in the future"},
		{withCheck("11010599991231123"), "in the future"},
	}
	for _, tt := range invalid {
		err := ValidateResidentID(tt.in)
		if err == nil {
			t.Errorf("ValidateResidentID(%q) = nil, want error", tt.in)
			continue
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("ValidateResidentID(%q) error %v does not wrap ErrInvalid", tt.in, err)
		}
		if !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("ValidateResidentID(%q) error %q does not mention %q", tt.in, err, tt.msg)
		}
	}
}

func TestResidentIDBirth(t *testing.T) {
	fixNow(t, time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC))
	tests := []struct {
		in   string
		want time.Time
	}{
		{"11010519491231002X", time.Date(1949, 12, 31, 0, 0, 0, 0, time.UTC)},
		{"11010519491231002x", time.Date(1949, 12, 31, 0, 0, 0, 0, time.UTC)},
		{"610926200002290017", time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := ResidentIDBirth(tt.in)
		if err != nil || !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("ResidentIDBirth(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if got, err := ResidentIDBirth("110105194912310021"); err == nil || !got.IsZero() {
		t.Errorf("ResidentIDBirth(bad checksum) = %v, %v; want zero time and error", got, err)
	}
}

func TestNormalizeResidentID(t *testing.T) {
	tests := map[string]string{
		"11010519491231002x":       "11010519491231002X",
		"  11010519491231002x\n":   "11010519491231002X",
		"\u300011010519491231002X": "11010519491231002X",
		"440300199001011238":       "440300199001011238",
		"":                         "",
	}
	for in, want := range tests {
		got := NormalizeResidentID(in)
		if got != want {
			t.Errorf("NormalizeResidentID(%q) = %q, want %q", in, got, want)
		}
	}
	if err := ValidateResidentID(NormalizeResidentID(" 11010519491231002x ")); err != nil {
		t.Errorf("normalized ID invalid: %v", err)
	}
}

func TestValidateUSCC(t *testing.T) {
	valid := []string{
		"91350100M000100Y43",
		"91110000600037341L",
		"91440300MA5EXAMPLA",
		"121000004000000010", // check value 31 is written as '0'
		"91110108MA01ABCDEN",
		"93610926MA7000000C",
	}
	for _, s := range valid {
		if err := ValidateUSCC(s); err != nil {
			t.Errorf("ValidateUSCC(%q) = %v, want nil", s, err)
		}
	}

	invalid := []struct {
		in  string
		msg string
	}{
		{"91350100M000100Y44", "checksum: check character is '4', want '3'"},
		{"91350100M000100Y4Y", "checksum"},
		{"91350100M000101Y43", "checksum"},
		{"19350100M000100Y43", "checksum"}, // transposed characters
		{"91350100m000100y43", "characters: character 9 is 'm'"},
		{"91350100M000100I43", "characters: character 16 is 'I'"},
		{"91350100O000100Y43", "characters: character 9 is 'O'"},
		{"91350100M000100Z43", "characters: character 16 is 'Z'"},
		{"91350100S000100Y43", "characters: character 9 is 'S'"},
		{"91350100V000100Y43", "characters: character 9 is 'V'"},
		{"91350100M000100Y4-", "characters: character 18 is '-'"},
		{"９1350100M000100Y43", "characters: character 1 is '９'"},
		{"91350100M000100Y4", "length: want 18 characters, got 17"},
		{"91350100M000100Y433", "length: want 18 characters, got 19"},
		{"", "length"},
		{" 91350100M000100Y43", "length"},
	}
	for _, tt := range invalid {
		err := ValidateUSCC(tt.in)
		if err == nil {
			t.Errorf("ValidateUSCC(%q) = nil, want error", tt.in)
			continue
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("ValidateUSCC(%q) error %v does not wrap ErrInvalid", tt.in, err)
		}
		if !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("ValidateUSCC(%q) error %q does not mention %q", tt.in, err, tt.msg)
		}
	}
	if got := NormalizeUSCC(" 91350100m000100y43\t"); got != "91350100M000100Y43" {
		t.Errorf("NormalizeUSCC = %q", got)
	}
}

func TestLuhnValid(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"4111111111111111", true},
		{"4111 1111 1111 1111", true},
		{"4111-1111-1111-1111", true},
		{"4111111111111112", false},
		{"6222021234567890128", true},
		{"6222021234567890129", false},
		{"79927398713", true},
		{"79927398710", false},
		{"0", true},
		{"00", true},
		{"18", true},
		{"", false},
		{"   ", false},
		{"4111a11111111111", false},
		{"４１１１１１１１１１１１１１１１", false},
	}
	for _, tt := range tests {
		if got := LuhnValid(tt.in); got != tt.want {
			t.Errorf("LuhnValid(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestValidateBankCard(t *testing.T) {
	tests := []struct {
		in      string
		warning bool
		errMsg  string // "" means valid
	}{
		{"6222021234567890128", false, ""},
		{"6222 0212 3456 7890 128", false, ""},
		{"6222-0212-3456-7890-128", false, ""},
		{"6222\u30000212\t3456 7890128", false, ""},
		{"622848123456789012", false, ""},
		{"6228480123456789015", false, ""},
		{"621700123451", false, ""}, // 12 digits
		{"6222021234567890129", true, ""},
		{"6222021234567890120", true, ""},
		{"622202123456", true, ""},
		{"62220212345", false, "length: want 12 to 19 digits, got 11"},
		{"62220212345678901281", false, "length: want 12 to 19 digits, got 20"},
		{"", false, "length: want 12 to 19 digits, got 0"},
		{" - ", false, "length"},
		{"6222O21234567890128", false, "characters: character 5 is 'O'"},
		{"6222021234567890１28", false, "characters: character 17 is '１'"},
		{"6222.0212.3456.7890", false, "characters: character 5 is '.'"},
	}
	for _, tt := range tests {
		warning, err := ValidateBankCard(tt.in)
		if tt.errMsg != "" {
			if err == nil {
				t.Errorf("ValidateBankCard(%q) = %q, nil; want error", tt.in, warning)
				continue
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("ValidateBankCard(%q) error %v does not wrap ErrInvalid", tt.in, err)
			}
			if !strings.Contains(err.Error(), tt.errMsg) {
				t.Errorf("ValidateBankCard(%q) error %q does not mention %q", tt.in, err, tt.errMsg)
			}
			if warning != "" {
				t.Errorf("ValidateBankCard(%q) warning %q alongside error", tt.in, warning)
			}
			continue
		}
		if err != nil {
			t.Errorf("ValidateBankCard(%q) error: %v", tt.in, err)
			continue
		}
		if want := map[bool]string{true: LuhnWarning}[tt.warning]; warning != want {
			t.Errorf("ValidateBankCard(%q) warning = %q, want %q", tt.in, warning, want)
		}
	}
}

func TestNormalizeBankCard(t *testing.T) {
	tests := map[string]string{
		"6222 0212 3456 7890 128":  "6222021234567890128",
		"6222-0212-3456-7890-128":  "6222021234567890128",
		" 6222\u30000212\t3456\n7": "6222021234567",
		"":                         "",
		"62a2":                     "62a2",
	}
	for in, want := range tests {
		if got := NormalizeBankCard(in); got != want {
			t.Errorf("NormalizeBankCard(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestScrub(t *testing.T) {
	in := "张三 110105194912310021 卡 6222021234567890123 电话 13812345678 户号 12345"
	got := Scrub(in)
	if f := ScanPersonalData(got); len(f) != 0 {
		t.Fatalf("Scrub(%q) = %q still holds %v", in, got, f)
	}
	for _, want := range []string{"张三", "110*************21", "6222****0123", "138****5678", "户号 12345"} {
		if !strings.Contains(got, want) {
			t.Errorf("Scrub(%q) = %q, want it to contain %q", in, got, want)
		}
	}
}

// TestCheckCharacters: the check characters the issuing helpers compute
// make IDs and cards that validate, and a changed digit does not.
func TestCheckCharacters(t *testing.T) {
	body := "11010519491231002"
	id := body + string(ResidentIDCheckChar(body))
	if ValidateResidentID(id) != nil || ValidateResidentID(body+"1") == nil {
		t.Errorf("resident ID %s: %v", id, ValidateResidentID(id))
	}
	card := "622202123456789012" + string(LuhnDigit("622202123456789012"))
	if !LuhnValid(card) || LuhnValid(card[:18]+string('0'+(card[18]-'0'+1)%10)) {
		t.Errorf("card %s", card)
	}
}
