package project

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// findScript picks a folder's entrypoint as Streamlit users expect it: the script beside a
// pages/ folder (Streamlit's multipage layout), else streamlit_app.py, app.py or main.py, else
// the folder's only script. Not scripts: the pages another script names for st.navigation (an
// index.py beside the streamlit_navigation.py that lists it as st.Page("index.py")), helper
// modules that the folder's other files import (a utils.py beside the pages), tests by pytest's naming (an app_test.py beside the app, as in
// streamlit/llm-examples) and setup.py; and where some of the rest import streamlit, the others
// (a data-fetching script beside the dashboard). Several candidates: a NoScriptError listing
// them, for the user to choose.
func findScript(dir string) (string, error) {
	top, err := pyFiles(dir)
	if err != nil {
		return "", err
	}
	// An empty file beside others is no app (an app.py and a main.py left empty beside
	// streamlit.py); alone, it is the app just begun.
	if code := slices.DeleteFunc(slices.Clone(top), func(n string) bool { return isEmpty(filepath.Join(dir, n)) }); len(code) > 0 {
		top = code
	}
	if len(top) == 0 {
		return scriptBelow(dir)
	}
	top = withoutNavigationPages(dir, top)
	scripts := withoutTests(withoutHelpers(dir, top))
	if isDir(filepath.Join(dir, "pages")) && len(scripts) == 1 {
		return filepath.Join(dir, scripts[0]), nil
	}
	uses := func(n string) bool { return usesStreamlit(dir, n) }
	if !slices.ContainsFunc(scripts, uses) {
		// No script here uses streamlit (the main.py `uv init` writes, an invoke tasks.py): the
		// app one folder down, when there is one.
		if below, err := scriptBelow(dir); err == nil {
			return below, nil
		}
	}
	var named []string
	for _, n := range scriptNames {
		if slices.Contains(top, n) {
			named = append(named, n)
		}
	}
	// A named script that uses streamlit; one that does not only when no other script does.
	if i := slices.IndexFunc(named, uses); i >= 0 {
		return filepath.Join(dir, named[i]), nil
	}
	if len(named) > 0 && !slices.ContainsFunc(scripts, uses) {
		return filepath.Join(dir, named[0]), nil
	}
	scripts = importingStreamlit(dir, scripts)
	switch {
	case len(scripts) == 1 && (usesStreamlit(dir, scripts[0]) || len(top) > 1):
		return filepath.Join(dir, scripts[0]), nil
	case len(top) == 1 && len(withoutTests(top)) == 1:
		return filepath.Join(dir, top[0]), nil
	case len(scripts) == 1:
		return filepath.Join(dir, scripts[0]), nil
	}
	return "", &NoScriptError{Dir: dir, Candidates: scripts}
}

// mentionsStreamlit reports whether any Python file of dir, or of its folders three deep (not
// hidden ones, environments or node_modules), has the word streamlit: an app's code that
// findScript's reading of imports does not follow (main.py → app.ui.views → streamlit) has it
// somewhere. Past maxScanned files it answers true rather than read on.
func mentionsStreamlit(dir string) bool {
	const maxScanned = 2000
	scanned := 0
	var walk func(d string, depth int) bool
	walk = func(d string, depth int) bool {
		entries, err := os.ReadDir(d)
		if err != nil {
			return false
		}
		for _, e := range entries {
			name := e.Name()
			switch {
			case e.IsDir():
				skip := strings.HasPrefix(name, ".") || name == "node_modules" || name == "site-packages" ||
					isFile(filepath.Join(d, name, "pyvenv.cfg"))
				if !skip && depth < 3 && walk(filepath.Join(d, name), depth+1) {
					return true
				}
			case strings.EqualFold(filepath.Ext(name), ".py"):
				if scanned++; scanned > maxScanned {
					return true
				}
				if data, err := readHead(filepath.Join(d, name), 1<<20); err == nil && bytes.Contains(bytes.ToLower(data), []byte("streamlit")) {
					return true
				}
			}
		}
		return false
	}
	return walk(dir, 0)
}

// scriptsDeeper are the Python files that import streamlit two or three folders below dir
// (apps/sales/app.py), as slash paths, sorted, at most ten: deeper than findScript looks, named
// so that the user can choose. Pages, tests, environments and hidden folders are passed over.
func scriptsDeeper(dir string) []string {
	var found []string
	var walk func(rel string, depth int)
	walk = func(rel string, depth int) {
		entries, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return
		}
		for _, e := range entries {
			name, path := e.Name(), strings.TrimPrefix(rel+"/"+e.Name(), "/")
			switch {
			case len(found) >= 10:
				return
			case e.IsDir():
				if depth < 3 && !strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "_") && !notAppFolders[strings.ToLower(name)] &&
					!isFile(filepath.Join(dir, filepath.FromSlash(path), "pyvenv.cfg")) {
					walk(path, depth+1)
				}
			case depth >= 2 && strings.EqualFold(filepath.Ext(name), ".py") && len(withoutTests([]string{name})) == 1 &&
				importedModules(filepath.Join(dir, filepath.FromSlash(path)))["streamlit"]:
				found = append(found, path)
			}
		}
	}
	walk("", 0)
	slices.Sort(found)
	return found
}

// readHead is the first n bytes of a file (all of a smaller one).
func readHead(file string, n int64) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, n))
}

// notAppFolders are subfolders where no app's entrypoint is looked for.
var notAppFolders = map[string]bool{"pages": true, "tests": true, "test": true, "docs": true, "doc": true, "build": true,
	"dist": true, "node_modules": true, "venv": true, "env": true, "site-packages": true, "wheels": true}

// scriptBelow is the entrypoint of a folder with no script of its own, one level down, as a
// repository that keeps its app in src/ or app/ (Streamlit Community Cloud's "main file path"
// src/Overview.py): each subfolder's own choice of script, when it imports streamlit. One is the
// app; several are the candidates ("src/Overview.py", "admin/app.py"). A src/ with no script of
// its own is the "src layout" of a package (Poetry's `from = "src"`): its packages' folders are
// looked in too (src/sales/app.py).
func scriptBelow(dir string) (string, error) {
	found, err := scriptsBelow(dir, "", true)
	if err != nil {
		return "", err
	}
	slices.Sort(found)
	if len(found) == 1 {
		return filepath.Join(dir, filepath.FromSlash(found[0])), nil
	}
	return "", &NoScriptError{Dir: dir, Candidates: found}
}

// scriptsBelow are the scripts of dir's subfolders (scriptBelow), as slash paths from dir with
// prefix; srcLayout: a src/ folder's packages too.
func scriptsBelow(dir, prefix string, srcLayout bool) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var found []string
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || notAppFolders[strings.ToLower(name)] ||
			isFile(filepath.Join(dir, name, "pyvenv.cfg")) {
			continue
		}
		sub := filepath.Join(dir, name)
		if own, _ := pyFiles(sub); len(own) == 0 {
			if srcLayout && name == "src" {
				more, _ := scriptsBelow(sub, prefix+"src/", false)
				found = append(found, more...)
			}
			continue // one level only
		}
		name = prefix + name
		script, err := findScript(sub)
		var ns *NoScriptError
		switch {
		case err == nil && usesStreamlit(sub, filepath.Base(script)):
			found = append(found, name+"/"+filepath.Base(script))
		case errors.As(err, &ns):
			for _, c := range ns.Candidates {
				if usesStreamlit(sub, c) {
					found = append(found, name+"/"+c)
				}
			}
		}
	}
	return found, nil
}

// pyFiles are the names of a folder's own .py files, sorted.
func pyFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".py") {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out, nil
}

// Scripts are the folder's candidate entrypoints (its top-level .py files that no other file of
// the project imports), for a user who chooses.
func Scripts(dir string) []string {
	var e *NoScriptError
	if _, err := findScript(dir); errors.As(err, &e) {
		return e.Candidates
	}
	return nil
}

// withoutTests drops tests (pytest's test_*.py, *_test.py, conftest.py), setup.py and a
// package's __init__.py from names.
func withoutTests(names []string) []string {
	return slices.DeleteFunc(slices.Clone(names), func(n string) bool {
		stem := strings.ToLower(strings.TrimSuffix(n, filepath.Ext(n)))
		return strings.HasPrefix(stem, "test_") || strings.HasSuffix(stem, "_test") || stem == "conftest" || stem == "setup" || stem == "__init__"
	})
}

// importingStreamlit are the names that use streamlit (usesStreamlit), when some do; else all of
// them.
func importingStreamlit(dir string, names []string) []string {
	var st []string
	for _, n := range names {
		if usesStreamlit(dir, n) {
			st = append(st, n)
		}
	}
	if len(st) > 0 {
		return st
	}
	return names
}

// usesStreamlit reports whether the script name in dir imports streamlit, itself or through a
// module of its own folder (init_streamlit.py: from src.ui.main import main, where src/ui/main.py
// imports streamlit).
func usesStreamlit(dir, name string) bool {
	if importedModules(filepath.Join(dir, name))["streamlit"] {
		return true
	}
	for _, m := range localImports(dir, filepath.Join(dir, name)) {
		if importedModules(m)["streamlit"] {
			return true
		}
	}
	return false
}

var (
	fromImportRE  = regexp.MustCompile(`^\s*from\s+([A-Za-z_][\w.]*)\s+import\s+\(?\s*([\w\s,]*)`)
	plainImportRE = regexp.MustCompile(`^\s*import\s+([A-Za-z_][\w.]*(?:\s+as\s+\w+)?(?:\s*,\s*[A-Za-z_][\w.]*(?:\s+as\s+\w+)?)*)`)
)

// localImports are the files of dir that file imports by dotted name (from src.ui import main →
// src/ui/main.py, or src/ui.py, or src/ui/__init__.py; import helpers → helpers.py).
func localImports(dir, file string) []string {
	var out []string
	for _, n := range dottedImports(file) {
		base := filepath.Join(dir, filepath.FromSlash(strings.ReplaceAll(n, ".", "/")))
		for _, f := range []string{base + ".py", filepath.Join(base, "__init__.py")} {
			if f != file && isFile(f) && !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

// dottedImports are the dotted names a Python file imports: "a.b" for import a.b, and for
// from a.b import c, d: "a.b.c", "a.b.d" and "a.b".
func dottedImports(file string) []string {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var names []string
	from := "" // the module of a parenthesised import that goes on over the next lines
	for _, line := range strings.Split(string(data), "\n") {
		code, _, _ := strings.Cut(line, "#")
		switch m := fromImportRE.FindStringSubmatch(code); {
		case from != "":
			list, closed := strings.CutSuffix(strings.TrimSpace(code), ")")
			if i := strings.Index(list, ")"); i >= 0 {
				list, closed = list[:i], true
			}
			names = append(names, importedNames(from, list)...)
			if closed {
				from = ""
			}
		case m != nil:
			names = append(names, importedNames(m[1], m[2])...)
			names = append(names, m[1])
			if strings.Contains(code, "(") && !strings.Contains(code, ")") {
				from = m[1]
			}
		default:
			if m := plainImportRE.FindStringSubmatch(code); m != nil {
				for _, n := range strings.Split(m[1], ",") {
					if f := strings.Fields(n); len(f) > 0 {
						names = append(names, f[0])
					}
				}
			}
		}
	}
	return names
}

// importedNames are "mod.a", "mod.b" for the list "a, b as c," of `from mod import …` (blank
// parts, of a trailing comma or a line end, left out).
func importedNames(mod, list string) []string {
	var out []string
	for _, n := range strings.Split(list, ",") {
		if f := strings.Fields(n); len(f) > 0 && f[0] != "(" {
			out = append(out, mod+"."+strings.TrimPrefix(f[0], "("))
		}
	}
	return out
}

// importRE finds the modules a Python file imports at the start of a line ("import a, b",
// "from a import x", "from a.b import c").
var importRE = regexp.MustCompile(`^\s*(?:from\s+([A-Za-z_][\w]*)[\w.]*\s+import\b|import\s+([A-Za-z_][\w.]*(?:\s*(?:as\s+\w+)?\s*,\s*[A-Za-z_][\w.]*)*))`)

// withoutHelpers drops from top the modules imported by the folder's other Python files (its
// top-level files and pages/).
func withoutHelpers(dir string, top []string) []string {
	files := slices.Clone(top)
	pages, _ := pyFiles(filepath.Join(dir, "pages"))
	for _, n := range pages {
		files = append(files, filepath.Join("pages", n))
	}
	imported := map[string]bool{}
	for _, f := range files {
		self := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		for m := range importedModules(filepath.Join(dir, f)) {
			if m != self {
				imported[m] = true
			}
		}
		// A helper imported through its folder's package name (from st_scripts.st_utils import x,
		// in st_scripts/, run from the folder above).
		for _, h := range localImports(filepath.Dir(dir), filepath.Join(dir, f)) {
			if filepath.Dir(h) == dir {
				imported[strings.TrimSuffix(filepath.Base(h), ".py")] = true
			}
		}
	}
	return slices.DeleteFunc(slices.Clone(top), func(n string) bool {
		return imported[strings.TrimSuffix(n, filepath.Ext(n))]
	})
}

// pageRE finds the scripts a file names as pages of its st.navigation: st.Page("index.py"),
// Page(page="home.py", …), st.Page(r"views/a.py").
var pageRE = regexp.MustCompile(`\bPage\(\s*(?:page\s*=\s*)?[rRuU]?["']([^"'\n]+\.py)["']`)

// withoutNavigationPages drops from top the scripts that another of them names as a page
// (st.Page, whose paths are the entrypoint's folder's): the one that names them is the app.
// Where every script is some other's page (two apps naming each other), top stays as it is.
func withoutNavigationPages(dir string, top []string) []string {
	pages := map[string]bool{}
	for _, n := range top {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			continue
		}
		for _, m := range pageRE.FindAllStringSubmatch(string(data), -1) {
			if p := filepath.Clean(filepath.FromSlash(m[1])); p != n {
				pages[p] = true
			}
		}
	}
	rest := slices.DeleteFunc(slices.Clone(top), func(n string) bool { return pages[n] })
	if len(rest) == 0 {
		return top
	}
	return rest
}

// importedModules are the top-level module names a file imports.
func importedModules(file string) map[string]bool {
	out := map[string]bool{}
	f, err := os.Open(file)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		m := importRE.FindStringSubmatch(sc.Text())
		switch {
		case m == nil:
		case m[1] != "":
			out[m[1]] = true
		default:
			for _, part := range strings.Split(m[2], ",") {
				name, _, _ := strings.Cut(strings.TrimSpace(part), " ")
				name, _, _ = strings.Cut(name, ".")
				out[name] = true
			}
		}
	}
	return out
}

// isEmpty reports whether a file holds nothing but blanks.
func isEmpty(p string) bool {
	st, err := os.Stat(p)
	if err != nil || st.Size() > 64 {
		return false
	}
	data, err := os.ReadFile(p)
	return err == nil && strings.TrimSpace(string(data)) == ""
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
