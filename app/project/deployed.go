package project

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// A repository made to be deployed says which script is its app in the recipe it deploys with:
// Compose (composeScript), a Dockerfile's CMD (`streamlit run app/main.py`), Heroku's Procfile
// (`web: sh setup.sh && streamlit run app.py`), the dev container Streamlit's Codespaces
// template writes (`"postAttachCommand": {"server": "streamlit run streamlit_app.py …"}`), a
// start script; and a README says it to whoever runs it by hand. Desklit asks them when a
// folder holds several scripts it cannot choose between.

// deployedScript is the Streamlit script dir's deployment recipes run, the first that names one
// that is here; "" when none does.
func deployedScript(dir string) string {
	if script := composeScript(dir); script != "" {
		return script
	}
	if file := findFold(dir, "Dockerfile"); file != "" {
		if df := dockerfileOf(file); !otherApp(dir, df) {
			if script := runScript(dir, scriptAfterRun(append(slices.Clone(df.entrypoint), df.cmd...)), workdirTails(df.workdir)...); script != "" {
				return script
			}
		}
	}
	for _, recipe := range recipes {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(recipe)))
		if err != nil {
			continue
		}
		for _, m := range streamlitRunRE.FindAllStringSubmatch(string(data), -1) {
			if script := runScript(dir, strings.Trim(m[1], `"'`)); script != "" {
				return script
			}
		}
	}
	return ""
}

// otherApp reports whether a Dockerfile deploys another app than the project's: it installs
// requirements files of its own and not the folder's requirements.txt, which is what Desklit
// installs (rcsmit/streamlit_scripts: a Space for one of a hundred scripts, with
// requirements_handstandanalyzer.txt, beside a README that runs the menu).
func otherApp(dir string, df dockerfile) bool {
	if len(df.requirements) == 0 || !isFile(filepath.Join(dir, "requirements.txt")) {
		return false
	}
	for _, r := range df.requirements {
		if strings.EqualFold(path.Base(filepath.ToSlash(r)), "requirements.txt") {
			return false
		}
	}
	return true
}

// recipes are the files, besides Compose and a Dockerfile, whose `streamlit run X.py` names the
// app: Heroku's Procfile, the dev container, a start script, a Makefile's target, and last the
// README's instructions (xinge-ji/dashboard: "streamlit run streamlit_navigation.py").
var recipes = []string{"Procfile", ".devcontainer/devcontainer.json", ".devcontainer.json", "run.sh", "start.sh", "Makefile",
	"README.md", "readme.md", "README.rst", "README.txt", "README"}

// streamlitRunRE finds `streamlit run X.py` (or python -m streamlit run) in a command line
// written into a text: a Procfile's line, a JSON string.
var streamlitRunRE = regexp.MustCompile(`\bstreamlit\s+run\s+("[^"\n]+\.py"|'[^'\n]+\.py'|[^\s"';&|]+\.py)(?:[\s"';&|]|$)`)

// scriptAfterRun is the script of a Streamlit command line (streamlit run X.py, python -m
// streamlit run X.py), "" when argv runs none.
func scriptAfterRun(argv []string) string {
	for i, a := range argv {
		isST := path.Base(a) == "streamlit" && (i == 0 || argv[i-1] != "-m") || a == "streamlit" && i > 0 && argv[i-1] == "-m"
		if isST && i+2 < len(argv) && argv[i+1] == "run" && strings.EqualFold(path.Ext(argv[i+2]), ".py") {
			return argv[i+2]
		}
	}
	return ""
}

// workdirTails are the folders a Dockerfile's WORKDIR may be in the repository: /app/src, where
// the repository is copied to /app, is src/ (tried longest first: app/src, then src).
func workdirTails(workdir string) []string {
	parts := strings.Split(strings.Trim(path.Clean("/"+workdir), "/"), "/")
	var out []string
	for i := range parts {
		if t := strings.Join(parts[i:], "/"); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// runScript is the file name names in dir, or in one of the folders below it: "" when it is
// not there or leaves dir. An absolute name (/app/src/app.py, inside the image) is looked for
// by the tails of its folder (app/src, src), then at dir's top.
func runScript(dir, name string, folders ...string) string {
	if name == "" {
		return ""
	}
	bases := append([]string{""}, folders...)
	if path.IsAbs(name) {
		bases = append(workdirTails(path.Dir(name)), "")
		name = path.Base(name)
	}
	for _, base := range bases {
		rel := filepath.FromSlash(path.Join(base, name))
		if p := filepath.Join(dir, rel); filepath.IsLocal(rel) && isFile(p) {
			return p
		}
	}
	return ""
}

// procfileRE reads a Procfile's process line: "name: command".
var procfileRE = regexp.MustCompile(`^([A-Za-z0-9_-]+):\s*(\S.*)$`)

// procfileOthers are the lines of dir's Procfile whose command runs no Streamlit (a release
// phase's too, which is said the same way).
func procfileOthers(dir string) []string {
	data, err := os.ReadFile(filepath.Join(dir, "Procfile"))
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		m := procfileRE.FindStringSubmatch(strings.TrimSpace(line))
		if m != nil && !streamlitRunRE.MatchString(m[2]) {
			out = append(out, m[1]+": "+strings.TrimSpace(m[2]))
		}
	}
	return out
}
