package place

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Node is one administrative division in a Tree.
type Node struct {
	// Code is the division's 12-digit code.
	Code Code
	// Name is the division's name, such as "宁陕县".
	Name string
	// Parent is the code of the enclosing division in the tree, or "" for
	// a root. It need not be the immediate administrative parent (a tree
	// may skip levels), but it must contain Code and be of a shallower
	// level.
	Parent Code
}

// Tree is an immutable in-memory tree of administrative divisions. A tree
// may have several roots, and roots may be of any level (for example a
// single county and its townships and villages). It is safe for
// concurrent use.
type Tree struct {
	nodes    map[Code]Node
	children map[Code][]Code // sorted by code; key "" holds the roots
}

// NewTree builds a Tree from nodes, which may be given in any order. It
// returns an error wrapping ErrInvalid if a code is not valid or occurs
// twice, or if a node's non-empty Parent is not valid, is not among the
// nodes, does not contain the node's code, or is not of a shallower level.
func NewTree(nodes []Node) (*Tree, error) {
	t := &Tree{
		nodes:    make(map[Code]Node, len(nodes)),
		children: make(map[Code][]Code),
	}
	for _, n := range nodes {
		if !n.Code.Valid() {
			return nil, invalidf("tree: node %q (%s): invalid code", n.Code, n.Name)
		}
		if _, dup := t.nodes[n.Code]; dup {
			return nil, invalidf("tree: duplicate code %s", n.Code)
		}
		t.nodes[n.Code] = n
	}
	for _, n := range nodes {
		if !n.Parent.IsZero() {
			switch p, ok := t.nodes[n.Parent]; {
			case !n.Parent.Valid():
				return nil, invalidf("tree: node %s: invalid parent code %q", n.Code, n.Parent)
			case !ok:
				return nil, invalidf("tree: node %s: parent %s not found", n.Code, n.Parent)
			case p.Code.Level() >= n.Code.Level():
				return nil, invalidf("tree: node %s (%s): parent %s (%s) is not of a shallower level",
					n.Code, n.Code.Level(), p.Code, p.Code.Level())
			case !p.Code.Contains(n.Code):
				return nil, invalidf("tree: node %s is not inside parent %s", n.Code, n.Parent)
			}
		}
		t.children[n.Parent] = append(t.children[n.Parent], n.Code)
	}
	for _, c := range t.children {
		slices.Sort(c)
	}
	return t, nil
}

// Len returns the number of nodes in t.
func (t *Tree) Len() int { return len(t.nodes) }

// Get returns the node with the given code and whether it exists.
func (t *Tree) Get(code Code) (Node, bool) {
	n, ok := t.nodes[code]
	return n, ok
}

// Roots returns the nodes without a parent, sorted by code.
func (t *Tree) Roots() []Node { return t.Children("") }

// Children returns the direct children of code sorted by code, or nil if
// it has none or is not in t. Children("") returns the roots.
func (t *Tree) Children(code Code) []Node {
	codes := t.children[code]
	if len(codes) == 0 {
		return nil
	}
	out := make([]Node, len(codes))
	for i, c := range codes {
		out[i] = t.nodes[c]
	}
	return out
}

// Path returns the nodes from the root down to code inclusive, or nil if
// code is not in t.
func (t *Tree) Path(code Code) []Node {
	var path []Node
	for {
		n, ok := t.nodes[code]
		if !ok {
			break
		}
		path = append(path, n)
		code = n.Parent
	}
	slices.Reverse(path)
	return path
}

// Descendants returns all nodes below code, excluding code itself, in
// depth-first pre-order with siblings sorted by code, so every node comes
// before its own descendants. It returns nil if code has no children or is
// not in t.
func (t *Tree) Descendants(code Code) []Node {
	if _, ok := t.nodes[code]; !ok {
		return nil
	}
	var out []Node
	var walk func(Code)
	walk = func(c Code) {
		for _, child := range t.children[c] {
			out = append(out, t.nodes[child])
			walk(child)
		}
	}
	walk(code)
	return out
}

// utf8BOM is the byte order mark some spreadsheet programs write at the
// start of UTF-8 CSV files.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// ParseCSV reads division rows of the form "code,name,parent" from r. The
// parent column may be empty or absent (two-column rows) for roots. Codes
// are parsed with Parse, so 6- and 9-digit codes are padded; names are
// trimmed and must not be empty. A leading UTF-8 byte order mark is
// ignored, as is a header row, recognised by a first field that contains
// no digit (such as "code" or "代码"). Blank lines are skipped.
//
// Errors name the line number and field; content errors wrap ErrInvalid.
// The returned nodes are in file order; pass them to NewTree to check
// their consistency.
func ParseCSV(r io.Reader) ([]Node, error) {
	br := bufio.NewReader(r)
	if head, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(head, utf8BOM) {
		br.Discard(len(utf8BOM))
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true

	var nodes []Node
	for first := true; ; first = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("place: csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if first && !strings.ContainsAny(rec[0], "0123456789") {
			continue // header row
		}
		if len(rec) < 2 || len(rec) > 3 {
			return nil, invalidf("csv line %d: want 2 or 3 fields (code,name,parent), got %d", line, len(rec))
		}
		fieldErr := func(i int, field, reason string) error {
			l, col := cr.FieldPos(i)
			return invalidf("csv line %d, column %d, field %s: %s", l, col, field, reason)
		}

		var n Node
		var reason string
		if n.Code, reason = parseCode(rec[0]); reason != "" {
			return nil, fieldErr(0, "code", reason)
		}
		if n.Name = strings.TrimSpace(rec[1]); n.Name == "" {
			return nil, fieldErr(1, "name", "empty name")
		}
		if len(rec) == 3 && strings.TrimSpace(rec[2]) != "" {
			if n.Parent, reason = parseCode(rec[2]); reason != "" {
				return nil, fieldErr(2, "parent", reason)
			}
		}
		nodes = append(nodes, n)
	}
	return nodes, nil
}

// IsHeader reports whether a first row is a header: its first field holds
// no digit (such as "code" or "代码").
func IsHeader(rec []string) bool { return len(rec) > 0 && !strings.ContainsAny(rec[0], "0123456789") }

// ParseRecord reads one division row (code, name and an optional parent)
// as ParseCSV does. The error names the field and wraps ErrInvalid.
func ParseRecord(rec []string) (Node, error) {
	if len(rec) < 2 || len(rec) > 3 {
		return Node{}, invalidf("want 2 or 3 fields (code,name,parent), got %d", len(rec))
	}
	var n Node
	var reason string
	if n.Code, reason = parseCode(strings.TrimSpace(rec[0])); reason != "" {
		return Node{}, invalidf("field code: %s", reason)
	}
	if n.Name = strings.TrimSpace(rec[1]); n.Name == "" {
		return Node{}, invalidf("field name: empty name")
	}
	if len(rec) == 3 && strings.TrimSpace(rec[2]) != "" {
		if n.Parent, reason = parseCode(strings.TrimSpace(rec[2])); reason != "" {
			return Node{}, invalidf("field parent: %s", reason)
		}
	}
	return n, nil
}
