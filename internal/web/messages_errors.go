package web

// Messages as data: a refusal (*errs.Error) carries its English format and
// arguments; the web layer says it in the user's language from this
// catalogue. The Chinese sentences are keyed by the English format (one
// code is used with several sentences across packages), and use the same
// verbs on the same arguments. A format without a Chinese sentence falls
// back to its code's generic sentence, then to its kind's, so that nothing
// English reaches a Chinese page. The catalogue test walks the source and
// fails on any literal format without its Chinese.

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"onepool/internal/errs"
	"onepool/internal/tabular"
)

// errorFormatsZh maps an English format (of errs.F, errs.E, a table's
// Fail) to its Chinese format. The entries live in messages_errors_*.go,
// one file per package that refuses.
var errorFormatsZh = map[string]string{}

// addErrorFormats merges a batch of Chinese formats into the catalogue.
func addErrorFormats(m map[string]string) {
	for k, v := range m {
		errorFormatsZh[k] = v
	}
}

// englishRun is three or more English words in a row: an English
// sentence. A Chinese rendering that still holds one (an argument that
// was itself English) is replaced by the code's generic sentence.
var englishRun = regexp.MustCompile(`[A-Za-z]{2,}(?:[ ,;:'"()/-]+[A-Za-z]{2,}){2,}`)

// errorText is err's message for a page or an API body in lang ("zh" or
// "en"), without the field prefix.
func errorText(lang string, err error) string {
	e, ok := errs.As(err)
	if !ok {
		if lang == "en" {
			return err.Error()
		}
		return kindZh[errs.Internal]
	}
	if lang == "en" {
		return e.Message
	}
	return zhMessage(e)
}

// formMessage is errorText with the field named in front when the
// sentence does not already name it (a form's error line).
func formMessage(lang string, err error) string {
	msg := errorText(lang, err)
	e, ok := errs.As(err)
	if !ok || e.Field == "" || e.Field == routeField {
		return msg
	}
	if lang == "en" {
		if !strings.Contains(msg, e.Field) {
			msg = e.Field + ": " + msg
		}
		return msg
	}
	if l := fieldZh(e.Field); l != "" && !strings.Contains(msg, l) {
		msg = l + "：" + msg
	}
	return msg
}

// zhMessage renders e in Chinese.
func zhMessage(e *errs.Error) string {
	var ie *tabular.ImportError
	if e.Code == "invalid_rows" && errors.As(e, &ie) {
		return rowsText("zh", ie)
	}
	format, args := e.Format, e.Args
	if format == "" {
		format, args = e.Message, nil
	}
	if zh, ok := errorFormatsZh[format]; ok && zh != "" {
		if s := fmt.Sprintf(zh, zhArgsOf(format, args)...); !englishRun.MatchString(s) && !strings.Contains(s, "%!") {
			return s
		}
	}
	return codeZh(e.Kind, e.Code)
}

// codeZh is the generic Chinese sentence of a code, else of its kind.
func codeZh(k errs.Kind, code string) string {
	if s, ok := errorCodesZh[code]; ok {
		return s
	}
	return kindZh[k]
}

// kindZh is the last fallback: one sentence per kind.
var kindZh = map[errs.Kind]string{
	errs.Internal:          "系统内部错误，请联系管理员查看服务器日志",
	errs.Invalid:           "输入有误，请检查后重新填写",
	errs.NotFound:          "未找到该记录",
	errs.Conflict:          "与当前状态冲突，请刷新后重试",
	errs.Forbidden:         "您无权进行此操作",
	errs.Unauthenticated:   "请先登录",
	errs.InsufficientFunds: "资金余额不足",
	errs.RuleBroken:        "不符合政策规定，不能办理",
	errs.Unavailable:       "系统繁忙，请稍后重试",
	errs.TooMany:           "请求过于频繁，请稍后再试",
	errs.StorageFull:       "数据库磁盘已满，暂时不能保存，请联系管理员",
}

// argPrefixes are the label families an argument that is a code may
// belong to, tried in order.
var argPrefixes = []string{"role.", "queue.kind.", "status.", "rstatus.", "hstatus.", "purpose.", "kind.", "tkind.", "level.", "cause.", "phase.", "audit.action.", "area."}

// argHints name, for a format whose argument is ambiguous (township is a
// role and a level), the label family of each argument ("" = any).
var argHints = map[string][]string{
	"step %q is taken at %s level; your place %s is not": {"", "level.", ""},
	"level %q must be one of %s":                         {"level.", "level."},
}

// zhArgsOf is zhArgs with the hints of format.
func zhArgsOf(format string, args []any) []any {
	hints, ok := argHints[format]
	if !ok {
		return zhArgs(args)
	}
	out := zhArgs(args)
	for i, h := range hints {
		if h == "" || i >= len(args) {
			continue
		}
		if s, ok := args[i].(string); ok {
			parts := strings.Split(s, ", ")
			for j, p := range parts {
				if m, ok := messages[h+p]; ok {
					parts[j] = m.zh
				}
			}
			out[i] = strings.Join(parts, "、")
		}
	}
	return out
}

// zhArgs translates the arguments that are codes with a label (a role, a
// status, a purpose…) or errors of their own; user data passes unchanged.
func zhArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = zhArg(a)
	}
	return out
}

func zhArg(a any) any {
	switch v := a.(type) {
	case nil:
		return a
	case *errs.Error:
		return zhMessage(v)
	case error:
		if e, ok := errs.As(v); ok {
			return zhMessage(e)
		}
		return v
	case []string:
		parts := make([]string, len(v))
		for i, s := range v {
			parts[i] = labelZh(s)
		}
		return strings.Join(parts, "、")
	case fmt.Stringer:
		if l, ok := codeLabelZh(v.String()); ok {
			return l
		}
		return a
	}
	if rv := reflect.ValueOf(a); rv.Kind() == reflect.String {
		return labelZh(rv.String())
	}
	return a
}

// labelZh is the Chinese label of a code, of each of a comma-separated
// list of codes, or s itself.
func labelZh(s string) string {
	if l, ok := codeLabelZh(s); ok {
		return l
	}
	for _, sep := range []string{", ", ","} {
		if !strings.Contains(s, sep) {
			continue
		}
		parts := strings.Split(s, sep)
		for i, p := range parts {
			l, ok := codeLabelZh(strings.TrimSpace(p))
			if !ok {
				return s
			}
			parts[i] = l
		}
		return strings.Join(parts, "、")
	}
	return s
}

func codeLabelZh(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	for _, p := range argPrefixes {
		if m, ok := messages[p+s]; ok {
			return m.zh, true
		}
	}
	if l, ok := fieldsZh[s]; ok {
		return l, true
	}
	return "", false
}

// fieldZh is the Chinese label of a field ("amount", "channels[3].level",
// "card.number"), or "" when there is none (the prefix is then dropped).
func fieldZh(f string) string {
	if l, ok := fieldsZh[f]; ok {
		return l
	}
	if m := indexedField.FindStringSubmatch(f); m != nil {
		i, _ := strconv.Atoi(m[2])
		list, sub := fieldsZh[m[1]], fieldZh(m[3])
		switch {
		case list == "" || sub == "":
			return sub
		case m[1] == "members":
			return fmt.Sprintf("第 %d 名家庭成员的%s", i+1, sub)
		default:
			return fmt.Sprintf("%s第 %d 项的%s", list, i+1, sub)
		}
	}
	if i := strings.LastIndexAny(f, ".]"); i >= 0 && i+1 < len(f) {
		return fieldsZh[strings.TrimLeft(f[i+1:], ".")]
	}
	return ""
}

// indexedField is a field of one element of a list: "members[1].resident_id".
var indexedField = regexp.MustCompile(`^(\w+)\[(\d+)\]\.([\w.]+)$`)

// rowText is one bad cell of an import in lang.
func rowText(lang string, r tabular.RowError) string {
	if lang == "en" {
		return r.String()
	}
	col := fieldZh(r.Column)
	if col == "" {
		col = r.Column // the file's own header
	}
	return fmt.Sprintf("第 %d 行「%s」列：%s", r.Row, col, rowWhyZh(r))
}

// rowWhyZh is why a cell is bad, in Chinese.
func rowWhyZh(r tabular.RowError) string {
	format, args := r.Format, r.Args
	if format == "" {
		format, args = r.Why, nil
	}
	if zh, ok := errorFormatsZh[format]; ok && zh != "" {
		if s := fmt.Sprintf(zh, zhArgsOf(format, args)...); !englishRun.MatchString(s) && !strings.Contains(s, "%!") {
			return s
		}
	}
	return "内容不符合要求"
}

// rowsText is a whole import's refusal in lang: every bad cell (the first
// 20 of them, and how many more).
func rowsText(lang string, ie *tabular.ImportError) string {
	if lang == "en" {
		return ie.Error()
	}
	var b []string
	for i, r := range ie.Rows {
		if i == 20 {
			break
		}
		b = append(b, rowText("zh", r))
	}
	more := ie.Omitted
	if len(ie.Rows) > 20 {
		more += len(ie.Rows) - 20
	}
	if more > 0 {
		b = append(b, fmt.Sprintf("……另有 %d 处", more))
	}
	return "文件未导入，没有写入任何数据：" + strings.Join(b, "；")
}

// apiLang is the language of an API answer: Chinese when Accept-Language
// asks for it first, English (the API's default) otherwise.
func apiLang(acceptLanguage string) string {
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case tag == "zh" || strings.HasPrefix(tag, "zh-"):
			return "zh"
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			return "en"
		}
	}
	return "en"
}

// errorParams are an error's arguments as strings, for the API.
func errorParams(e *errs.Error) []string {
	out := make([]string, len(e.Args))
	for i, a := range e.Args {
		switch v := a.(type) {
		case error:
			out[i] = v.Error()
		default:
			out[i] = fmt.Sprint(v)
		}
	}
	return out
}
