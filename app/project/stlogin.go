package project

import (
	"bufio"
	"cmp"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// An app written for Streamlit's st.login, cloned from a public repository, has no
// .streamlit/secrets.toml: the file holds the client's secret and .gitignore keeps it out (often
// with a secrets.toml.example beside it). Streamlit then stops at st.login with "you need to
// configure credentials"; Desklit, which signs the app in itself, needs none of the file's secrets,
// only the names of the providers the app asks for. stLoginUse finds them in the app's code and in
// such an example.

// stLoginScan bounds the walk through a project's Python files.
const (
	stLoginMaxFiles = 2000
	stLoginMaxDepth = 6
	stLoginMaxSize  = 1 << 20
)

var (
	importItemRE     = regexp.MustCompile(`^streamlit(?:\s+as\s+([A-Za-z_]\w*))?$`)
	desklitAuthRE    = regexp.MustCompile(`^\s*(?:import|from)\s+desklit_auth\b`)
	secretsExampleRE = regexp.MustCompile(`(?i)^secrets.*\.(toml|example|sample|template|dist)$`)
)

// StLoginShape is the shape of the [auth] the app needs for st.login beyond its secrets files: what
// a package recorded (a packaged app), else what its code and a secrets example name
// (stLoginUse); nil for an app that does not call st.login.
func (p *Project) StLoginShape() (*StLogin, error) {
	if p.StLogin != nil {
		return p.StLogin, nil
	}
	return stLoginUse(p.RunDir())
}

// UsesDesklitAuth reports whether the app's code imports desklit_auth (Desklit's sign-in component
// and authenticated session, which read the launch secret from the page's address).
func (p *Project) UsesDesklitAuth() (bool, error) {
	code, err := scanCode(p.RunDir())
	return code.desklitAuth, err
}

// stLoginUse returns the shape of the [auth] the app's code needs when it calls st.login
// (st.login(), st.login("google"), on_click=st.login): the providers named by its calls and by a
// secrets example in dir/.streamlit (secrets.toml.example, secrets.example.toml, …), and the
// example's expose_tokens. nil when no Python file under dir calls it.
func stLoginUse(dir string) (*StLogin, error) {
	code, err := scanCode(dir)
	if err != nil || !code.login {
		return nil, err
	}
	out := &StLogin{}
	ex, err := secretsExample(dir)
	if err != nil {
		return nil, err
	}
	providers := code.providers
	if ex != nil {
		providers = append(providers, ex.Providers...)
		out.ExposeTokens = ex.ExposeTokens
	}
	out.Providers = MergeProviders(providers)
	return out, nil
}

// codeUse is what the app's Python files ask of Streamlit: st.login (and the providers its calls
// name with a literal), and the names of st.* they use; and whether they import desklit_auth.
type codeUse struct {
	login       bool
	providers   []string
	names       []string // st.NAME, sorted, each once
	desklitAuth bool
}

// scanCode reads the Python files under dir (bounded by stLoginScan's limits) for codeUse.
func scanCode(dir string) (codeUse, error) {
	var use codeUse
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == dir {
				return err
			}
			return nil // an unreadable folder of the project is not the app's code
		}
		if d.IsDir() {
			if path != dir && skipCodeDir(path, d.Name()) || strings.Count(path[len(dir):], string(filepath.Separator)) > stLoginMaxDepth {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.EqualFold(filepath.Ext(path), ".py") {
			return nil
		}
		if files++; files > stLoginMaxFiles {
			return filepath.SkipAll
		}
		f := fileUse(path)
		use.login, use.desklitAuth = use.login || f.login, use.desklitAuth || f.desklitAuth
		use.providers = append(use.providers, f.providers...)
		use.names = append(use.names, f.names...)
		return nil
	})
	slices.Sort(use.names)
	use.names = slices.Compact(use.names)
	return use, err
}

// MergeProviders is the sorted union of lists of provider names.
func MergeProviders(lists ...[]string) []string {
	var all []string
	for _, l := range lists {
		all = append(all, l...)
	}
	sort.Strings(all)
	return slices.Compact(all)
}

// skipCodeDir reports whether a folder holds no code of the app: hidden ones, caches, installed
// packages and Python environments (a folder with pyvenv.cfg, whatever its name).
func skipCodeDir(path, name string) bool {
	switch {
	case strings.HasPrefix(name, "."), name == "__pycache__", name == "node_modules", name == "site-packages":
		return true
	}
	return isFile(filepath.Join(path, "pyvenv.cfg"))
}

// streamlitAliases are the names an import line binds streamlit to: "st" of `import streamlit as
// st`, also among other modules (`import os, streamlit as st, pandas as pd`); "streamlit" of a
// plain `import streamlit`. A submodule (`import streamlit.components.v1 as c`) binds none.
func streamlitAliases(line string) []string {
	m := plainImportRE.FindStringSubmatch(line) // script.go's, which reads the same lines for their modules
	if m == nil {
		return nil
	}
	var out []string
	for _, item := range strings.Split(m[1], ",") {
		if im := importItemRE.FindStringSubmatch(strings.Join(strings.Fields(item), " ")); im != nil {
			out = append(out, cmp.Or(im[1], "streamlit"))
		}
	}
	return out
}

// fileUse reads one Python file for codeUse, through the names it imports streamlit as.
func fileUse(file string) codeUse {
	var use codeUse
	f, err := os.Open(file)
	if err != nil {
		return use
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || st.Size() > stLoginMaxSize {
		return use
	}
	var lines []string
	aliases := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), stLoginMaxSize)
	for sc.Scan() {
		line := sc.Text()
		use.desklitAuth = use.desklitAuth || desklitAuthRE.MatchString(line)
		for _, a := range streamlitAliases(line) {
			aliases[a] = true
		}
		lines = append(lines, line)
	}
	if len(aliases) == 0 {
		return use
	}
	var names []string
	for a := range aliases {
		names = append(names, regexp.QuoteMeta(a))
	}
	sort.Strings(names)
	st := `\b(?:` + strings.Join(names, "|") + `)\.`
	login := regexp.MustCompile(st + `login\b`)
	// st.login("name"), st.login(provider="name"), on_click=st.login, args=("name",)
	named := regexp.MustCompile(st + `login(?:\s*\(\s*(?:provider\s*=\s*)?|\s*,\s*args\s*=\s*[(\[]\s*)(?:"([\w.-]+)"|'([\w.-]+)')`)
	attr := regexp.MustCompile(st + `([A-Za-z_]\w*)`)
	for _, line := range lines {
		code, _, _ := strings.Cut(line, "#")
		for _, m := range attr.FindAllStringSubmatch(code, -1) {
			use.names = append(use.names, m[1])
		}
		if login.MatchString(code) {
			use.login = true
			for _, m := range named.FindAllStringSubmatch(code, -1) {
				use.providers = append(use.providers, cmp.Or(m[1], m[2]))
			}
		}
	}
	slices.Sort(use.names)
	use.names = withoutGuarded(slices.Compact(use.names))
	return use
}

// secretsExample reads the [auth] of the first secrets example in dir/.streamlit (by name); nil
// when there is none or it has no [auth]. An example that is not TOML is passed over: it is
// documentation, not configuration.
func secretsExample(dir string) (*StLogin, error) {
	entries, err := os.ReadDir(filepath.Join(dir, ".streamlit"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.IsDir() || e.Name() == "secrets.toml" || !secretsExampleRE.MatchString(e.Name()) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, ".streamlit", e.Name()))
		if err != nil {
			return nil, err
		}
		var doc struct {
			Auth map[string]any `toml:"auth"`
		}
		if toml.Unmarshal(data, &doc) != nil || doc.Auth == nil {
			continue
		}
		out := &StLogin{ExposeTokens: doc.Auth["expose_tokens"]}
		for k, v := range doc.Auth {
			if _, table := v.(map[string]any); table && k != "client_kwargs" {
				out.Providers = append(out.Providers, k)
			}
		}
		sort.Strings(out.Providers)
		return out, nil
	}
	return nil, nil
}
