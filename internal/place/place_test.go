package place

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Code
	}{
		{"610926100201", "610926100201"},
		{" 610926100201\t", "610926100201"},
		{"610926", "610926000000"},
		{"610926100", "610926100000"},
		{"610000", "610000000000"},
		{"110101001001", "110101001001"},
		{"441900003000", "441900003000"},
		{"999999999999", "999999999999"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in  string
		msg string
	}{
		{"", "empty"},
		{"   ", "empty"},
		{"61092610020", "got 11"},
		{"6109261002011", "got 13"},
		{"6109", "got 4"},
		{"61092610020a", "character 12"},
		{"6109 26100201", "character 5"},
		{"610-926", "character 4"},
		{"６１０９２６", "character 1"},
		{"61092６", "character 6"},
		{"+61092610020", "character 1"},
		{"000000000000", "province segment is 00"},
		{"001234", "province segment is 00"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) = %q, want error", tt.in, got)
			continue
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q) error %v does not wrap ErrInvalid", tt.in, err)
		}
		if !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Parse(%q) error %q does not mention %q", tt.in, err, tt.msg)
		}
	}
}

func TestMustParse(t *testing.T) {
	if got := MustParse("610926"); got != "610926000000" {
		t.Errorf("MustParse = %q", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("MustParse(bad) did not panic")
		}
	}()
	MustParse("bad")
}

func TestLevelAndDerivedCodes(t *testing.T) {
	tests := []struct {
		code     Code
		level    Level
		prefix   string
		parent   Code
		county   Code
		township Code
	}{
		{"610000000000", Province, "61", "", "610000000000", "610000000000"},
		{"610900000000", City, "6109", "610000000000", "610900000000", "610900000000"},
		{"610926000000", County, "610926", "610900000000", "610926000000", "610926000000"},
		{"610926100000", Township, "610926100", "610926000000", "610926000000", "610926100000"},
		{"610926100201", Village, "610926100201", "610926100000", "610926000000", "610926100000"},
		{"610926100200", Village, "610926100200", "610926100000", "610926000000", "610926100000"},
		{"610926001000", Township, "610926001", "610926000000", "610926000000", "610926001000"},
		{"610926100001", Village, "610926100001", "610926100000", "610926000000", "610926100000"},
		{"610910000000", County, "610910", "610900000000", "610910000000", "610910000000"},
		{"611000000000", City, "6110", "610000000000", "611000000000", "611000000000"},
		{"100000000000", Province, "10", "", "100000000000", "100000000000"},
		// Prefecture-level city without counties (Dongguan): townships sit
		// directly below the city.
		{"441900003000", Township, "441900003", "441900000000", "441900000000", "441900003000"},
		{"441900003001", Village, "441900003001", "441900003000", "441900000000", "441900003000"},
		// Province-administered county-level city (Xiantao).
		{"429004000000", County, "429004", "429000000000", "429004000000", "429004000000"},
		{"429000000000", City, "4290", "420000000000", "429000000000", "429000000000"},
		// A village directly below a province (inner segments zero).
		{"420000000001", Village, "420000000001", "420000000000", "420000000000", "420000000000"},
	}
	for _, tt := range tests {
		c := tt.code
		if got := c.Level(); got != tt.level {
			t.Errorf("%s.Level() = %v, want %v", c, got, tt.level)
		}
		if got := c.Prefix(); got != tt.prefix {
			t.Errorf("%s.Prefix() = %q, want %q", c, got, tt.prefix)
		}
		p, ok := c.Parent()
		if p != tt.parent || ok != (tt.parent != "") {
			t.Errorf("%s.Parent() = %q, %v; want %q", c, p, ok, tt.parent)
		}
		if ok && !p.Contains(c) {
			t.Errorf("%s.Parent() = %s does not contain it", c, p)
		}
		if ok && p.Level() >= c.Level() {
			t.Errorf("%s.Parent() = %s is not shallower", c, p)
		}
		if got := c.County(); got != tt.county {
			t.Errorf("%s.County() = %q, want %q", c, got, tt.county)
		}
		if got := c.Township(); got != tt.township {
			t.Errorf("%s.Township() = %q, want %q", c, got, tt.township)
		}
		if !c.Valid() || c.IsZero() {
			t.Errorf("%s: Valid() = %v, IsZero() = %v", c, c.Valid(), c.IsZero())
		}
		if !c.Contains(c) {
			t.Errorf("%s.Contains(itself) = false", c)
		}
	}
}

func TestInvalidCodes(t *testing.T) {
	for _, c := range []Code{"", "610926", "61092610020x", "000000000000", "6109261002011", "６１０９２６１００２０１"} {
		if c.Valid() {
			t.Errorf("Code(%q).Valid() = true", c)
		}
		if l := c.Level(); l != 0 {
			t.Errorf("Code(%q).Level() = %v, want 0", c, l)
		}
		if p := c.Prefix(); p != "" {
			t.Errorf("Code(%q).Prefix() = %q, want empty", c, p)
		}
		if p, ok := c.Parent(); ok || p != "" {
			t.Errorf("Code(%q).Parent() = %q, %v", c, p, ok)
		}
		if got := c.County(); got != "" {
			t.Errorf("Code(%q).County() = %q", c, got)
		}
		if got := c.Township(); got != "" {
			t.Errorf("Code(%q).Township() = %q", c, got)
		}
		if c.Contains("610926100201") || Code("610000000000").Contains(c) {
			t.Errorf("Contains with invalid code %q returned true", c)
		}
	}
	if !Code("").IsZero() || Code("610926000000").IsZero() {
		t.Error("IsZero wrong")
	}
}

func TestLevelString(t *testing.T) {
	tests := map[Level]string{
		Province: "province",
		City:     "city",
		County:   "county",
		Township: "township",
		Village:  "village",
		0:        "invalid",
		6:        "invalid",
		-1:       "invalid",
	}
	for l, want := range tests {
		if got := l.String(); got != want {
			t.Errorf("Level(%d).String() = %q, want %q", int(l), got, want)
		}
	}
	if !(Province < City && City < County && County < Township && Township < Village) {
		t.Error("levels are not ordered from shallow to deep")
	}
}

func TestContains(t *testing.T) {
	tests := []struct {
		c, other Code
		want     bool
	}{
		{"610000000000", "610926100201", true},
		{"610000000000", "610000000000", true},
		{"610900000000", "610926100201", true},
		{"610926000000", "610926100201", true},
		{"610926100000", "610926100201", true},
		{"610926100201", "610926100201", true},
		{"610926100201", "610926100202", false},
		{"610926100000", "610926101000", false},
		{"610926100000", "610926000000", false}, // parent is not inside child
		{"610926000000", "610927000000", false},
		{"610900000000", "611000000000", false},
		{"610000000000", "620000000000", false},
		{"610000000000", "061000000000", false},
		{"441900000000", "441900003000", true},
		{"441900003000", "441900003001", true},
		{"441900000000", "441901000000", true},
		{"441900000000", "442000000000", false},
	}
	for _, tt := range tests {
		if got := tt.c.Contains(tt.other); got != tt.want {
			t.Errorf("%s.Contains(%s) = %v, want %v", tt.c, tt.other, got, tt.want)
		}
	}
}

// TestPrefixMatchesContains checks that Prefix is exactly the string prefix
// test used for subtree queries.
func TestPrefixMatchesContains(t *testing.T) {
	codes := []Code{
		"610000000000", "610900000000", "610926000000", "610926100000",
		"610926100201", "610926101000", "610927000000", "611000000000",
		"620000000000", "441900003000", "441900000000",
	}
	for _, a := range codes {
		for _, b := range codes {
			want := strings.HasPrefix(string(b), a.Prefix())
			if got := a.Contains(b); got != want {
				t.Errorf("%s.Contains(%s) = %v, prefix test %v", a, b, got, want)
			}
		}
	}
}

func TestRange(t *testing.T) {
	for _, c := range []struct{ p, lo, hi string }{
		{"990101", "990101000000", "990101999999"},
		{"990101001", "990101001000", "990101001999"},
		{"990101001001", "990101001001", "990101001001"},
	} {
		lo, hi := Range(c.p)
		if lo != c.lo || hi != c.hi {
			t.Errorf("Range(%q) = %q, %q; want %q, %q", c.p, lo, hi, c.lo, c.hi)
		}
		root := MustParse(lo)
		for _, code := range []string{"990101001001", "990101002000", "990102000000", "990101000000"} {
			if in := lo <= code && code <= hi; in != root.Contains(MustParse(code)) {
				t.Errorf("Range(%q) holds %s: %v; Contains says otherwise", c.p, code, in)
			}
		}
	}
}
