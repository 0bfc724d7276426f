package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// literalRefusal is one errs.F / errs.E / errs.TooManyFor / table Fail call
// of the source whose format is a string literal.
type literalRefusal struct {
	pos, code, format string
}

// literalRefusals walks the Go source of internal/ and cmd/ (tests
// excluded) with go/parser.
func literalRefusals(t *testing.T) []literalRefusal {
	t.Helper()
	var out []literalRefusal
	fset := token.NewFileSet()
	for _, dir := range []string{"../../internal", "../../cmd"} {
		err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(fset, p, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				var name string
				switch fn := call.Fun.(type) {
				case *ast.SelectorExpr:
					name = fn.Sel.Name
					if id, ok := fn.X.(*ast.Ident); ok && id.Name == "errs" {
						name = "errs." + name
					}
				case *ast.Ident:
					if f.Name.Name == "errs" {
						name = "errs." + fn.Name
					}
				}
				idx, cidx := -1, -1
				switch name {
				case "errs.F":
					idx, cidx = 3, 1
				case "errs.E":
					idx, cidx = 2, 1
				case "errs.TooManyFor":
					idx = 1
				case "Fail": // tabular.Table.Fail(col, format, …)
					idx = 1
				case "FailAt": // tabular.Table.FailAt(row, col, format, …)
					idx = 2
				case "invalid": // policy's invalid(format, …) → errs.F(…, "invalid_profile", …)
					if f.Name.Name == "policy" {
						idx = 0
					}
				}
				if idx < 0 || len(call.Args) <= idx {
					return true
				}
				r := literalRefusal{pos: fset.Position(call.Pos()).String()}
				if lit, ok := call.Args[idx].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					r.format, _ = strconv.Unquote(lit.Value)
				} else {
					return true
				}
				if cidx >= 0 {
					if lit, ok := call.Args[cidx].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						r.code, _ = strconv.Unquote(lit.Value)
					}
				}
				out = append(out, r)
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(out) < 400 {
		t.Fatalf("found only %d refusals: is the walk broken?", len(out))
	}
	return out
}

// verbs are a format's formatting verbs (%% excluded).
var verbRE = regexp.MustCompile(`%(?:\[\d+\])?[-+# 0]*\d*(?:\.\d+)?[a-zA-Z%]`)

func verbCount(f string) (n int, indexed bool) {
	for _, v := range verbRE.FindAllString(f, -1) {
		if v == "%%" {
			continue
		}
		if strings.HasPrefix(v, "%[") {
			indexed = true
		}
		n++
	}
	return n, indexed
}

// Every refusal the code can give has its Chinese sentence, with as many
// verbs as the English one; every literal code has its generic sentence.
// A new errs.F without Chinese fails here, naming it.
func TestEveryRefusalHasChinese(t *testing.T) {
	var missing, badVerbs, missingCodes []string
	seen := map[string]bool{}
	for _, r := range literalRefusals(t) {
		if r.code != "" && errorCodesZh[r.code] == "" && !seen["code:"+r.code] {
			seen["code:"+r.code] = true
			missingCodes = append(missingCodes, r.pos+": code "+strconv.Quote(r.code))
		}
		if seen[r.format] {
			continue
		}
		seen[r.format] = true
		zh, ok := errorFormatsZh[r.format]
		if !ok {
			missing = append(missing, r.pos+": "+strconv.Quote(r.format))
			continue
		}
		if zh == "" {
			continue // says the code's generic sentence
		}
		en, _ := verbCount(r.format)
		if n, indexed := verbCount(zh); !indexed && n != en {
			badVerbs = append(badVerbs, r.pos+": "+strconv.Quote(r.format)+" → "+strconv.Quote(zh))
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d refusal formats have no Chinese in errorFormatsZh (internal/web/messages_errors_*.go):\n%s", len(missing), strings.Join(missing, "\n"))
	}
	if len(badVerbs) > 0 {
		t.Errorf("Chinese formats whose verbs differ from the English:\n%s", strings.Join(badVerbs, "\n"))
	}
	if len(missingCodes) > 0 {
		t.Errorf("codes without a generic Chinese sentence in errorCodesZh:\n%s", strings.Join(missingCodes, "\n"))
	}
}

// The Chinese catalogue itself holds no English sentence and no raw code
// or configuration key (a word_with_underscores or a.dotted.key).
func TestChineseCatalogueHasNoEnglish(t *testing.T) {
	rawKey := regexp.MustCompile(`[a-z]+_[a-z_]+|[a-z]+\.[a-z_]+\[`)
	check := func(where, s string) {
		if englishRun.MatchString(s) || rawKey.MatchString(s) {
			t.Errorf("%s: %q reads as English or a raw key", where, s)
		}
	}
	for en, zh := range errorFormatsZh {
		check(en, zh)
	}
	for code, zh := range errorCodesZh {
		check(code, zh)
	}
	for f, zh := range fieldsZh {
		check(f, zh)
	}
}
