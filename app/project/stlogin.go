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
	streamlitAliasRE = regexp.MustCompile(`^\s*import\s+streamlit(?:\s+as\s+([A-Za-z_]\w*))?\s*(?:#.*)?$`)
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

// stLoginUse returns the shape of the [auth] the app's code needs when it calls st.login
// (st.login(), st.login("google"), on_click=st.login): the providers named by its calls and by a
// secrets example in dir/.streamlit (secrets.toml.example, secrets.example.toml, …), and the
// example's expose_tokens. nil when no Python file under dir calls it.
func stLoginUse(dir string) (*StLogin, error) {
	var providers []string
	used := false
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
		if ok, names := stLoginCalls(path); ok {
			used = true
			providers = append(providers, names...)
		}
		return nil
	})
	if err != nil || !used {
		return nil, err
	}
	out := &StLogin{}
	ex, err := secretsExample(dir)
	if err != nil {
		return nil, err
	}
	if ex != nil {
		providers = append(providers, ex.Providers...)
		out.ExposeTokens = ex.ExposeTokens
	}
	out.Providers = MergeProviders(providers)
	return out, nil
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

// stLoginCalls reports whether a Python file calls st.login (through the name it imports
// streamlit as), and the providers its calls name with a literal.
func stLoginCalls(file string) (bool, []string) {
	f, err := os.Open(file)
	if err != nil {
		return false, nil
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || st.Size() > stLoginMaxSize {
		return false, nil
	}
	var lines []string
	aliases := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), stLoginMaxSize)
	for sc.Scan() {
		line := sc.Text()
		if m := streamlitAliasRE.FindStringSubmatch(line); m != nil {
			aliases[cmp.Or(m[1], "streamlit")] = true
		}
		lines = append(lines, line)
	}
	if len(aliases) == 0 {
		return false, nil
	}
	var names []string
	for a := range aliases {
		names = append(names, regexp.QuoteMeta(a))
	}
	sort.Strings(names)
	alias := `\b(?:` + strings.Join(names, "|") + `)\.login\b`
	use := regexp.MustCompile(alias)
	// st.login("name"), st.login(provider="name"), on_click=st.login, args=("name",)
	named := regexp.MustCompile(alias + `(?:\s*\(\s*(?:provider\s*=\s*)?|\s*,\s*args\s*=\s*[(\[]\s*)(?:"([\w.-]+)"|'([\w.-]+)')`)
	found := false
	var providers []string
	for _, line := range lines {
		code, _, _ := strings.Cut(line, "#")
		if !use.MatchString(code) {
			continue
		}
		found = true
		for _, m := range named.FindAllStringSubmatch(code, -1) {
			providers = append(providers, cmp.Or(m[1], m[2]))
		}
	}
	return found, providers
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
