package place

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// sampleNodes is a small tree rooted at a county, given out of order.
var sampleNodes = []Node{
	{"610926100201", "村甲", "610926100000"},
	{"610926000000", "宁陕县", ""},
	{"610926101000", "镇乙", "610926000000"},
	{"610926100000", "镇甲", "610926000000"},
	{"610926100202", "村乙", "610926100000"},
	{"610926101001", "村丙", "610926101000"},
	{"610926100200", "村零", "610926100000"},
}

func codes(nodes []Node) []Code {
	if nodes == nil {
		return nil
	}
	out := make([]Code, len(nodes))
	for i, n := range nodes {
		out[i] = n.Code
	}
	return out
}

func TestTree(t *testing.T) {
	tr, err := NewTree(sampleNodes)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Len() != len(sampleNodes) {
		t.Errorf("Len() = %d", tr.Len())
	}
	if n, ok := tr.Get("610926100000"); !ok || n.Name != "镇甲" || n.Parent != "610926000000" {
		t.Errorf("Get(township) = %+v, %v", n, ok)
	}
	if _, ok := tr.Get("610926999000"); ok {
		t.Error("Get(unknown) found a node")
	}

	tests := []struct {
		name string
		got  []Node
		want []Code
	}{
		{"Roots", tr.Roots(), []Code{"610926000000"}},
		{"Children(\"\")", tr.Children(""), []Code{"610926000000"}},
		{"Children(county)", tr.Children("610926000000"), []Code{"610926100000", "610926101000"}},
		{"Children(township)", tr.Children("610926100000"), []Code{"610926100200", "610926100201", "610926100202"}},
		{"Children(village)", tr.Children("610926100201"), nil},
		{"Children(unknown)", tr.Children("620000000000"), nil},
		{"Path(village)", tr.Path("610926100201"), []Code{"610926000000", "610926100000", "610926100201"}},
		{"Path(root)", tr.Path("610926000000"), []Code{"610926000000"}},
		{"Path(unknown)", tr.Path("610926100203"), nil},
		{"Descendants(county)", tr.Descendants("610926000000"), []Code{
			"610926100000", "610926100200", "610926100201", "610926100202",
			"610926101000", "610926101001",
		}},
		{"Descendants(township)", tr.Descendants("610926101000"), []Code{"610926101001"}},
		{"Descendants(village)", tr.Descendants("610926101001"), nil},
		{"Descendants(unknown)", tr.Descendants("610000000000"), nil},
	}
	for _, tt := range tests {
		if got := codes(tt.got); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, got, tt.want)
		}
	}
	if p := tr.Path("610926101001"); len(p) != 3 || p[1].Name != "镇乙" || p[2].Name != "村丙" {
		t.Errorf("Path names = %+v", p)
	}
}

func TestTreeMultipleRootsAndSkippedLevels(t *testing.T) {
	tr, err := NewTree([]Node{
		{"620000000000", "甘肃省", ""},
		{"610000000000", "陕西省", ""},
		{"610926000000", "宁陕县", "610000000000"}, // skips the city level
		{"441900003000", "东城街道", "441900000000"},
		{"441900000000", "东莞市", ""},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := codes(tr.Roots()), []Code{"441900000000", "610000000000", "620000000000"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Roots() = %v, want %v", got, want)
	}
	if got := codes(tr.Path("610926000000")); !reflect.DeepEqual(got, []Code{"610000000000", "610926000000"}) {
		t.Errorf("Path = %v", got)
	}
}

func TestNewTreeEmpty(t *testing.T) {
	tr, err := NewTree(nil)
	if err != nil || tr.Len() != 0 || tr.Roots() != nil {
		t.Errorf("NewTree(nil) = %v, %v", tr, err)
	}
}

func TestNewTreeErrors(t *testing.T) {
	tests := []struct {
		name  string
		nodes []Node
		msg   string
	}{
		{"invalid code", []Node{{"61092610020", "x", ""}}, "invalid code"},
		{"short code", []Node{{"610926", "x", ""}}, "invalid code"},
		{"duplicate", []Node{{"610926000000", "a", ""}, {"610926000000", "b", ""}}, "duplicate code 610926000000"},
		{"missing parent", []Node{{"610926100000", "a", "610926000000"}}, "parent 610926000000 not found"},
		{"invalid parent", []Node{{"610926100000", "a", "610926"}}, "invalid parent"},
		{"self parent", []Node{{"610926000000", "a", "610926000000"}}, "not of a shallower level"},
		{"parent deeper", []Node{
			{"610926100000", "t", ""},
			{"610926000000", "c", "610926100000"},
		}, "not of a shallower level"},
		{"sibling parent", []Node{
			{"610926100000", "t1", ""},
			{"610926101000", "t2", "610926100000"},
		}, "not of a shallower level"},
		{"outside parent", []Node{
			{"610926000000", "c", ""},
			{"610927100000", "t", "610926000000"},
		}, "not inside parent"},
		{"outside province", []Node{
			{"620000000000", "p", ""},
			{"610926000000", "c", "620000000000"},
		}, "not inside parent"},
	}
	for _, tt := range tests {
		tr, err := NewTree(tt.nodes)
		if err == nil {
			t.Errorf("%s: NewTree succeeded (%d nodes)", tt.name, tr.Len())
			continue
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: error %v does not wrap ErrInvalid", tt.name, err)
		}
		if !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: error %q does not mention %q", tt.name, err, tt.msg)
		}
	}
}

func TestParseCSV(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Node
	}{
		{
			name: "plain",
			in:   "610926000000,宁陕县,\n610926100000,城关镇,610926000000\n",
			want: []Node{
				{"610926000000", "宁陕县", ""},
				{"610926100000", "城关镇", "610926000000"},
			},
		},
		{
			name: "header, BOM, CRLF, short codes, spaces, two columns",
			in: "\ufeffcode,name,parent\r\n" +
				"610926, 宁陕县 \r\n" +
				"\r\n" +
				"610926100, 城关镇 , 610926\r\n" +
				"\"610926100201\",\"村,甲\",\"610926100000\"\r\n",
			want: []Node{
				{"610926000000", "宁陕县", ""},
				{"610926100000", "城关镇", "610926000000"},
				{"610926100201", "村,甲", "610926100000"},
			},
		},
		{
			name: "chinese header",
			in:   "代码,名称,上级\n610926000000,宁陕县,\n",
			want: []Node{{"610926000000", "宁陕县", ""}},
		},
		{
			name: "empty",
			in:   "",
			want: nil,
		},
		{
			name: "header only",
			in:   "\ufeffcode,name,parent\n",
			want: nil,
		},
	}
	for _, tt := range tests {
		got, err := ParseCSV(strings.NewReader(tt.in))
		if err != nil {
			t.Errorf("%s: ParseCSV error: %v", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: ParseCSV = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestParseCSVErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		msg     string
		invalid bool // wraps ErrInvalid
	}{
		{"bad code", "code,name,parent\n610926000000,a,\n61092x000000,b,610926000000\n", "line 3, column 1, field code", true},
		{"bad parent", "610926000000,a,\n610926100000,b,61092\n", "line 2, column 16, field parent", true},
		{"empty name", "610926000000, ,\n", "line 1, column 15, field name: empty name", true},
		{"too few fields", "code,name\n610926000000\n", "line 2: want 2 or 3 fields", true},
		{"too many fields", "610926000000,a,,extra\n", "line 1: want 2 or 3 fields", true},
		{"bad first row is not a header", "61092600000x,a,\n", "line 1, column 1, field code", true},
		{"csv syntax", "610926000000,\"a,\n", "line 1", false},
	}
	for _, tt := range tests {
		nodes, err := ParseCSV(strings.NewReader(tt.in))
		if err == nil {
			t.Errorf("%s: ParseCSV = %+v, want error", tt.name, nodes)
			continue
		}
		if errors.Is(err, ErrInvalid) != tt.invalid {
			t.Errorf("%s: error %v: errors.Is(ErrInvalid) = %v", tt.name, err, !tt.invalid)
		}
		if !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: error %q does not mention %q", tt.name, err, tt.msg)
		}
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestParseCSVReadError(t *testing.T) {
	if _, err := ParseCSV(failingReader{}); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("ParseCSV(failing reader) error = %v", err)
	}
}

func TestParseCSVIntoTree(t *testing.T) {
	in := "\ufeffcode,name,parent\n" +
		"610926,宁陕县,\n" +
		"610926100,城关镇,610926\n" +
		"610926100201,村甲,610926100\n"
	nodes, err := ParseCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTree(nodes)
	if err != nil {
		t.Fatal(err)
	}
	if got := codes(tr.Descendants("610926000000")); !reflect.DeepEqual(got, []Code{"610926100000", "610926100201"}) {
		t.Errorf("Descendants = %v", got)
	}
}
