package windowapi_test

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/desklit/desklit/app/windowapi"
)

var update = flag.Bool("update", false, "write frontend/src/contract.ts from the Go constants")

var contractFile = filepath.Join("..", "..", "frontend", "src", "contract.ts")

// TestFrontendContract: the frontend's actions, error kinds and states are the Go side's, read
// from one generated file; every Act*, Err* and State* constant of this package is in Contract.
func TestFrontendContract(t *testing.T) {
	want := contractTS()
	if *update {
		if err := os.WriteFile(contractFile, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(contractFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s differs from the Go constants: run go test ./app/windowapi -run TestFrontendContract -update\n--- have\n%s\n--- want\n%s", contractFile, got, want)
	}
	consts := exportedConsts(t)
	for prefix, table := range map[string]map[string]string{"Act": windowapi.Contract.Actions, "Err": windowapi.Contract.Errors, "State": windowapi.Contract.States} {
		for name, value := range consts {
			if rest, ok := strings.CutPrefix(name, prefix); ok && rest != "" && table[rest] != value {
				t.Errorf("%s = %q is not in Contract as %s", name, value, rest)
			}
		}
		for rest := range table {
			if _, ok := consts[prefix+rest]; !ok {
				t.Errorf("Contract names %s%s, which is not a constant", prefix, rest)
			}
		}
	}
}

func contractTS() string {
	var b strings.Builder
	b.WriteString("// Generated from app/windowapi/windowapi.go (windowapi.Contract) by\n// `go test ./app/windowapi -run TestFrontendContract -update`: do not edit.\n\n")
	for _, c := range []struct {
		name  string
		table map[string]string
		doc   string
	}{
		{"Act", windowapi.Contract.Actions, "Actions an ErrorView offers (parameterised ones as \"verb:arg\")."},
		{"Err", windowapi.Contract.Errors, "Error kinds the window explains."},
		{"State", windowapi.Contract.States, "Service states."},
	} {
		fmt.Fprintf(&b, "/** %s */\nexport const %s = {\n", c.doc, c.name)
		for _, k := range slices.Sorted(maps.Keys(c.table)) {
			fmt.Fprintf(&b, "  %s: %s,\n", k, strconv.Quote(c.table[k]))
		}
		b.WriteString("} as const;\n\n")
	}
	b.WriteString("export type ActionVerb = (typeof Act)[keyof typeof Act];\nexport type ErrorKind = (typeof Err)[keyof typeof Err] | '';\nexport type ServiceState = (typeof State)[keyof typeof State];\n")
	return b.String()
}

// exportedConsts are the string constants declared in windowapi.go, by name.
func exportedConsts(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "windowapi.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					out[n.Name], _ = strconv.Unquote(lit.Value)
				}
			}
		}
	}
	return out
}
