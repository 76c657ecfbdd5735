// Renders the chart with Go's text/template, the engine Helm uses, and the few Helm functions the
// chart calls (include, required, default, quote, indent, nindent, toJson, b64enc). Helm itself is
// not installable from Debian's packages; this catches template errors, missing values (every key
// must exist) and, through check.py, manifests that are not what Kubernetes expects.
//
// Usage: go run ./render <chart dir> <context.json>   (context: {"Values":…, "Chart":…, "Release":…})
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: render <chart dir> <context.json>")
		os.Exit(2)
	}
	raw, err := os.ReadFile(os.Args[2])
	check(err)
	var ctx map[string]interface{}
	check(json.Unmarshal(raw, &ctx))

	t := template.New("chart").Option("missingkey=error")
	t.Funcs(template.FuncMap{
		"include": func(name string, data interface{}) (string, error) {
			var b bytes.Buffer
			err := t.ExecuteTemplate(&b, name, data)
			return b.String(), err
		},
		"required": func(msg string, v interface{}) (interface{}, error) {
			if v == nil || v == "" {
				return nil, errors.New(msg)
			}
			return v, nil
		},
		"default": func(d interface{}, v interface{}) interface{} {
			if v == nil || v == "" {
				return d
			}
			return v
		},
		"quote":   func(v interface{}) string { return fmt.Sprintf("%q", fmt.Sprint(v)) },
		"indent":  func(n int, s string) string { return indent(n, s) },
		"nindent": func(n int, s string) string { return "\n" + indent(n, s) },
		"toJson": func(v interface{}) (string, error) {
			b, err := json.Marshal(v)
			return string(b), err
		},
		"b64enc": func(v interface{}) string { return base64.StdEncoding.EncodeToString([]byte(fmt.Sprint(v))) },
	})
	dir := filepath.Join(os.Args[1], "templates")
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	check(err)
	sort.Strings(files)
	for _, f := range files {
		src, err := os.ReadFile(f)
		check(err)
		_, err = t.New(filepath.Base(f)).Parse(string(src))
		check(err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		if strings.HasPrefix(name, "_") {
			continue
		}
		var b bytes.Buffer
		if err := t.ExecuteTemplate(&b, name, ctx); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			os.Exit(1)
		}
		if strings.TrimSpace(b.String()) == "" {
			continue
		}
		fmt.Printf("---\n# Source: capig/templates/%s\n%s\n", name, strings.TrimLeft(b.String(), "\n"))
	}
}

func indent(n int, s string) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
