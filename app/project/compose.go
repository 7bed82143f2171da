package project

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// A repository with a Streamlit front end and its own API (FastAPI, Flask) beside it says how the
// two run together in a Compose file: each service's folder (build: ./backend), its command (or
// its Dockerfile's CMD), its port, and the environment that tells the app where the API is
// (API_URL=http://backend:8000, Compose's network name). An analyst who opens such a repository
// in Desklit means that whole app: Desklit runs the Python services the file builds from the
// project, each in its folder with an environment of its own requirements, on 127.0.0.1 and the
// port the file gives it, and gives the app the file's environment with the services' names
// made 127.0.0.1. A service it cannot run so (an image: postgres, a shell command) is named in
// ComposeLeftOut.

// composeFiles are the names Docker Compose looks for, in its order.
var composeFiles = []string{"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"}

// composeDoc is what Desklit reads of a Compose file.
type composeDoc struct {
	Name     string                    `yaml:"name"` // the Compose project's, else its folder's
	Services map[string]composeService `yaml:"services"`
}

type composeService struct {
	Image       string    `yaml:"image"`
	Build       yaml.Node `yaml:"build"` // "./dir" or {context, dockerfile}
	Command     yaml.Node `yaml:"command"`
	Entrypoint  yaml.Node `yaml:"entrypoint"`
	Ports       []any     `yaml:"ports"`
	Expose      []any     `yaml:"expose"`
	Environment yaml.Node `yaml:"environment"`
	EnvFile     yaml.Node `yaml:"env_file"`
	WorkingDir  string    `yaml:"working_dir"`
	Volumes     []any     `yaml:"volumes"`
	Container   string    `yaml:"container_name"`
	line        int
}

// compose is what readCompose found: the services to run, the app's environment, and what was
// left out (with why).
type compose struct {
	File     string
	Services []Service
	AppEnv   []string
	LeftOut  []string
}

// readCompose reads the Compose file in dir (nil when there is none). appDir is the app's
// folder: the service built from it is the app itself, whose environment the app gets.
func readCompose(dir, appDir string) (*compose, error) {
	file, root, doc, err := loadCompose(dir)
	if file == "" || err != nil {
		return nil, err
	}
	lines := serviceLines(root)
	names := slices.Sorted(maps.Keys(doc.Services))
	sort.SliceStable(names, func(i, j int) bool { return lines[names[i]] < lines[names[j]] }) // the file's order
	c := &compose{File: file}
	type candidate struct {
		name string
		sv   Service
		env  []string
		app  bool
	}
	// The app is the service that runs streamlit; when none says so, the one built from the app's
	// folder.
	named := slices.ContainsFunc(names, func(n string) bool {
		run, why := commandOf(dir, doc.Services[n])
		return why == "" && isStreamlit(run.argv)
	})
	var found []candidate
	moves := map[string]movedPort{}
	for _, name := range names {
		cs := doc.Services[name]
		sv, env, app, why := fromCompose(dir, appDir, cs, named)
		if why != "" {
			c.LeftOut = append(c.LeftOut, fmt.Sprintf("%s (%s)", name, why))
			continue
		}
		sv.File, sv.Lines = file, map[string]int{"": lines[name]}
		found = append(found, candidate{name, sv, env, app})
	}
	used := map[int]bool{}
	for _, f := range found {
		used[f.sv.Port] = true
	}
	for i, f := range found {
		if argv, move, ok := unprivileged(f.sv, doc.Services[f.name].Ports, used); ok {
			found[i].sv.Command, found[i].sv.Port, moves[f.name], used[move.to] = argv, move.to, move, true
		}
	}
	taken := map[string]bool{}
	hosts := append(slices.Clone(names), containerNames(dir, doc)...)
	for _, f := range found {
		// Every service's name means this machine now, a left-out one's too (the user starts it),
		// and so does its container's (API_HOST=fintrack_api_1).
		env := rewriteHosts(f.env, hosts, moves)
		if f.app {
			c.AppEnv = append(c.AppEnv, env...)
			continue
		}
		f.sv.Name = serviceName(f.name, taken)
		f.sv.Env = env
		c.Services = append(c.Services, f.sv)
	}
	return c, nil
}

// loadCompose reads dir's Compose file ("" when there is none) with its variables filled in as
// Compose fills them: from the environment, else the .env file beside it, else the default the
// file gives (${API_PORT:-8000}).
func loadCompose(dir string) (string, *yaml.Node, composeDoc, error) {
	var doc composeDoc
	file := composeFile(dir)
	if file == "" {
		return "", nil, doc, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "", nil, doc, err
	}
	dotenv := readDotenv(filepath.Join(dir, ".env"))
	text := interpolate(string(data), func(k string) (string, bool) {
		if v, ok := os.LookupEnv(k); ok {
			return v, true
		}
		v, ok := dotenv[k]
		return v, ok
	})
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(text), &root); err != nil {
		return "", nil, doc, &Error{File: file, Msg: "not a Compose file Desklit can read: " + err.Error()}
	}
	if err := root.Decode(&doc); err != nil {
		return "", nil, doc, &Error{File: file, Msg: "not a Compose file Desklit can read: " + err.Error()}
	}
	return file, &root, doc, nil
}

var variableRE = regexp.MustCompile(`\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// interpolate fills in a Compose file's variables: $VAR, ${VAR}, ${VAR:-default} (unset or
// empty), ${VAR-default} (unset), ${VAR:+alt}/${VAR+alt}, ${VAR:?message} (the value, or
// nothing); $$ is a dollar sign.
func interpolate(text string, lookup func(string) (string, bool)) string {
	return variableRE.ReplaceAllStringFunc(text, func(m string) string {
		if m == "$$" {
			return "$"
		}
		g := variableRE.FindStringSubmatch(m)
		name, op, arg := cmp.Or(g[1], g[4]), g[2], g[3]
		v, set := lookup(name)
		switch op {
		case ":-":
			if v == "" {
				return arg
			}
		case "-":
			if !set {
				return arg
			}
		case ":+":
			if v != "" {
				return arg
			}
			return ""
		case "+":
			if set {
				return arg
			}
			return ""
		}
		return v
	})
}

// readDotenv reads a .env file's KEY=VALUE lines (comments, blank lines and "export " passed
// over; quotes around a value taken off); nil when there is none.
func readDotenv(file string) map[string]string {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for _, line := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "export "))
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		} else if i := strings.Index(v, " #"); i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		out[strings.TrimSpace(k)] = v
	}
	return out
}

// envFiles reads a service's env_file entries ("./.env", a list, or {path: …}) relative to the
// Compose file's folder, in order; a file that is not there is passed over.
func envFiles(dir string, n yaml.Node) []string {
	var paths []string
	switch n.Kind {
	case yaml.ScalarNode:
		paths = []string{n.Value}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if c.Kind == yaml.ScalarNode {
				paths = append(paths, c.Value)
			} else {
				var e struct {
					Path string `yaml:"path"`
				}
				if c.Decode(&e) == nil && e.Path != "" {
					paths = append(paths, e.Path)
				}
			}
		}
	}
	var out []string
	for _, p := range paths {
		vars := readDotenv(filepath.Join(dir, filepath.FromSlash(p)))
		for _, k := range slices.Sorted(maps.Keys(vars)) {
			out = append(out, k+"="+vars[k])
		}
	}
	return out
}

// fromCompose turns one Compose service into a Desklit service, or says why it cannot run
// here. app: the service is the Streamlit app itself (it runs streamlit; when no service of the
// file says so (named false), the one built from the app's folder).
func fromCompose(dir, appDir string, cs composeService, named bool) (sv Service, env []string, app bool, why string) {
	run, why := commandOf(dir, cs)
	if why != "" {
		return sv, nil, false, why
	}
	env = append(envFiles(dir, cs.EnvFile), composeEnv(cs.Environment)...) // environment: wins
	argv := run.argv
	if isStreamlit(argv) || !named && filepath.Clean(run.ctx) == filepath.Clean(appDir) {
		return sv, env, true, ""
	}
	switch {
	case len(argv) == 0:
		return sv, nil, false, "no command, and no CMD in its Dockerfile " + run.dockerfile
	case shellish(argv):
		return sv, nil, false, "its command is a shell script: " + strings.Join(argv, " ")
	case strings.HasPrefix(argv[0], "/"):
		return sv, nil, false, "its program " + argv[0] + " is a file of its image, not of the project"
	}
	port := composePort(cs.Ports, cs.Expose, run.expose, argv)
	if port == 0 {
		return sv, nil, false, "no port: name it in ports"
	}
	sv = Service{Command: loopback(argv), Protect: ProtectNone, Port: port, Dir: run.ctx, Optional: true}
	if cs.WorkingDir != "" && !strings.HasPrefix(cs.WorkingDir, "/") {
		sv.Dir = filepath.Join(run.ctx, filepath.FromSlash(cs.WorkingDir))
	}
	deps, err := findDeps(run.ctx)
	if err == nil && deps.Kind != DepsNone {
		sv.Deps = &deps
	}
	return sv, env, false, ""
}

// composeRun is how Docker runs a Compose service built from the project: its build folder, its
// Dockerfile, and its command line (the entrypoint, Compose's, else the image's, and its
// arguments: Compose's command, else the image's CMD unless Compose replaced the entrypoint).
type composeRun struct {
	ctx, dockerfile string
	argv            []string
	expose          int
}

// commandOf reads a service's build folder, Dockerfile and command line, or says why it has none
// Desklit can run.
func commandOf(dir string, cs composeService) (composeRun, string) {
	context, dockerfile := buildContext(cs.Build)
	if context == "" {
		// A Python image running the project's folder mounted as its working directory
		// (image: python:3.11-slim, volumes: [".:/app"], working_dir: /app) runs the project too.
		mounted := mountedProject(cs)
		switch {
		case cs.Image == "":
			return composeRun{}, "no build"
		case !strings.Contains(strings.ToLower(cs.Image), "python") || mounted == "":
			return composeRun{}, "the image " + cs.Image + ": Desklit runs the services the project builds"
		}
		context = mounted
	}
	ctx := dirFold(dir, context) // as Docker Desktop on Windows and macOS finds ./api in API/
	if rel, err := filepath.Rel(dir, ctx); err != nil || strings.HasPrefix(rel, "..") || !isDir(ctx) {
		return composeRun{}, "its build folder " + context + " is not in the project"
	}
	run := composeRun{ctx: ctx, dockerfile: cmp.Or(dockerfile, "Dockerfile")}
	file := findFold(ctx, run.dockerfile) // Docker Desktop on Windows and macOS finds api.Dockerfile as api.dockerfile
	if file == "" && dockerfile != "" {
		return composeRun{}, "its Dockerfile " + dockerfile + " is not in " + context
	}
	df := dockerfileOf(file)
	ep, cmd := df.entrypoint, df.cmd
	if cs.Entrypoint.Kind != 0 {
		ep, cmd = words(cs.Entrypoint), nil
	}
	if cs.Command.Kind != 0 {
		cmd = words(cs.Command)
	}
	// ENTRYPOINT [""] is Docker's way of clearing the base image's.
	run.argv = withoutInstall(slices.DeleteFunc(append(slices.Clone(ep), cmd...), func(a string) bool { return a == "" }))
	run.expose = df.expose
	return run, ""
}

// mountedProject is the project folder (relative, slash path) a service's image runs as its
// working directory through a bind mount (".:/app" with working_dir: /app; "./api:/code"),
// "" when there is none.
func mountedProject(cs composeService) string {
	for _, v := range cs.Volumes {
		var source, target string
		switch m := v.(type) {
		case string:
			parts := strings.Split(m, ":")
			if len(parts) < 2 {
				continue
			}
			source, target = parts[0], parts[1]
		case map[string]any:
			source, _ = m["source"].(string)
			target, _ = m["target"].(string)
		}
		local := source == "." || strings.HasPrefix(source, "./")
		if local && (target == cs.WorkingDir || cs.WorkingDir == "" && len(cs.Volumes) == 1) {
			return source
		}
	}
	return ""
}

var installRE = regexp.MustCompile(`^\s*(?:pip3?|python3?\s+-m\s+pip|uv\s+pip)\s+install\b`)

// withoutInstall is a shell command line that installs the requirements and then runs the
// service (sh -c "pip install -r requirements.txt && uvicorn api:app --port 8000") as the command
// it runs: Desklit installs the requirements itself. Any other command line is unchanged.
func withoutInstall(argv []string) []string {
	if len(argv) != 3 || (filepath.Base(argv[0]) != "sh" && filepath.Base(argv[0]) != "bash") || argv[1] != "-c" {
		return argv
	}
	var rest []string
	for _, part := range strings.Split(argv[2], "&&") {
		if !installRE.MatchString(part) {
			rest = append(rest, strings.TrimSpace(part))
		}
	}
	if len(rest) != 1 || strings.ContainsAny(rest[0], ";|&$`") {
		return argv
	}
	return splitWords(rest[0])
}

// dirFold is the folder rel (a slash path) below dir, each of its names matched as a case-blind
// file system matches it when no folder has it exactly (./api for API/); dir joined with rel when
// none does.
func dirFold(dir, rel string) string {
	exact := filepath.Join(dir, filepath.FromSlash(rel))
	if isDir(exact) {
		return exact
	}
	at := dir
	for _, name := range strings.Split(path.Clean(filepath.ToSlash(rel)), "/") {
		next := filepath.Join(at, name)
		if !isDir(next) && name != "." && name != ".." {
			entries, _ := os.ReadDir(at)
			for _, e := range entries {
				if e.IsDir() && strings.EqualFold(e.Name(), name) {
					next = filepath.Join(at, e.Name())
					break
				}
			}
		}
		at = next
	}
	if isDir(at) {
		return at
	}
	return exact
}

// findFold is dir's file name, else one that differs only in case ("" when none).
func findFold(dir, name string) string {
	if p := filepath.Join(dir, filepath.FromSlash(name)); isFile(p) {
		return p
	}
	entries, err := os.ReadDir(filepath.Join(dir, filepath.Dir(filepath.FromSlash(name))))
	if err != nil {
		return ""
	}
	for _, e := range entries {
		if !e.IsDir() && strings.EqualFold(e.Name(), filepath.Base(name)) {
			return filepath.Join(dir, filepath.Dir(filepath.FromSlash(name)), e.Name())
		}
	}
	return ""
}

// composeScript is the Streamlit script a Compose file in dir runs (streamlit run
// src/streamlit_app.py, in its build folder or the file's), "" when it names none that is here:
// the app of a repository whose root holds no script of its own.
func composeScript(dir string) string {
	file, _, doc, err := loadCompose(dir)
	if file == "" || err != nil {
		return ""
	}
	for _, name := range slices.Sorted(maps.Keys(doc.Services)) {
		run, why := commandOf(dir, doc.Services[name])
		if why != "" || !isStreamlit(run.argv) {
			continue
		}
		i := slices.Index(run.argv, "run")
		if i < 0 || i+1 >= len(run.argv) || !strings.EqualFold(filepath.Ext(run.argv[i+1]), ".py") {
			continue
		}
		for _, base := range []string{run.ctx, dir} {
			if p := filepath.Join(base, filepath.FromSlash(run.argv[i+1])); filepath.IsLocal(filepath.FromSlash(run.argv[i+1])) && isFile(p) {
				return p
			}
		}
	}
	return ""
}

// composeFile is dir's Compose file, by Compose's names in its order (any case: Docker Desktop
// on Windows and macOS reads Docker-compose.yml too); "" when there is none.
func composeFile(dir string) string {
	for _, n := range composeFiles {
		if p := findFold(dir, n); p != "" {
			return p
		}
	}
	return ""
}

// serviceLines are the lines of the services' keys in the file.
func serviceLines(root *yaml.Node) map[string]int {
	out := map[string]int{}
	if len(root.Content) == 0 {
		return out
	}
	top := root.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value != "services" {
			continue
		}
		svcs := top.Content[i+1]
		for j := 0; j+1 < len(svcs.Content); j += 2 {
			out[svcs.Content[j].Value] = svcs.Content[j].Line
		}
	}
	return out
}

// buildContext reads build: "./dir" or {context: ./dir, dockerfile: Dockerfile.api}.
func buildContext(n yaml.Node) (context, dockerfile string) {
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Value, ""
	case yaml.MappingNode:
		var b struct {
			Context    string `yaml:"context"`
			Dockerfile string `yaml:"dockerfile"`
		}
		if n.Decode(&b) == nil {
			return cmp.Or(b.Context, "."), b.Dockerfile
		}
	}
	return "", ""
}

// words reads a command: a list, or a string split as a shell splits words (quotes kept whole).
func words(n yaml.Node) []string {
	switch n.Kind {
	case yaml.SequenceNode:
		var out []string
		if n.Decode(&out) == nil {
			return out
		}
	case yaml.ScalarNode:
		return splitWords(n.Value)
	}
	return nil
}

// splitWords splits a command line on blanks, keeping quoted parts whole (no expansions).
func splitWords(s string) []string {
	var out []string
	var cur strings.Builder
	var quote rune
	inWord := false
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}

// composeEnv reads environment: a map or a list of KEY=VALUE (a bare KEY, taken from the
// shell running Compose, is left to the user's environment).
func composeEnv(n yaml.Node) []string {
	var out []string
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			out = append(out, n.Content[i].Value+"="+n.Content[i+1].Value)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if strings.Contains(c.Value, "=") {
				out = append(out, c.Value)
			}
		}
	}
	return out
}

// dockerfile is what Desklit reads of a Dockerfile: its last CMD, ENTRYPOINT, EXPOSE and WORKDIR.
type dockerfile struct {
	cmd, entrypoint []string
	expose          int
	workdir         string
	requirements    []string // the files its RUN lines install with pip install -r
}

var dockerLineRE = regexp.MustCompile(`(?i)^\s*(CMD|ENTRYPOINT|EXPOSE|WORKDIR|RUN)\s+(.*)$`)

// pipRequirementRE finds the requirements file of a `pip install -r FILE` (or uv pip install,
// --requirement FILE) in a RUN line.
var pipRequirementRE = regexp.MustCompile(`\bpip3?\s+install\b[^&;|]*?\s(?:-r\s*|--requirement[=\s]+)([^\s&;|]+)`)

func dockerfileOf(file string) dockerfile {
	var d dockerfile
	data, err := os.ReadFile(file)
	if err != nil {
		return d
	}
	text := strings.ReplaceAll(string(data), "\\\r\n", " ")
	text = strings.ReplaceAll(text, "\\\n", " ")
	for _, line := range strings.Split(text, "\n") {
		m := dockerLineRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		arg := strings.TrimSpace(m[2])
		switch strings.ToUpper(m[1]) {
		case "EXPOSE":
			first, _, _ := strings.Cut(arg+" ", " ")
			p, _, _ := strings.Cut(first, "/")
			d.expose, _ = strconv.Atoi(p)
		case "CMD":
			d.cmd = execForm(arg)
		case "ENTRYPOINT":
			d.entrypoint = execForm(arg)
		case "WORKDIR":
			d.workdir = strings.Trim(arg, `"'`)
		case "RUN":
			for _, m := range pipRequirementRE.FindAllStringSubmatch(arg, -1) {
				d.requirements = append(d.requirements, strings.Trim(m[1], `"'`))
			}
		}
	}
	return d
}

// execForm reads ["uvicorn", "app:app"] (exec form) or a shell form's words.
func execForm(arg string) []string {
	var out []string
	if strings.HasPrefix(arg, "[") && json.Unmarshal([]byte(arg), &out) == nil {
		return out
	}
	return splitWords(arg)
}

// isStreamlit reports whether a command runs Streamlit (streamlit run, python -m streamlit).
func isStreamlit(argv []string) bool {
	for i, a := range argv {
		if filepath.Base(a) == "streamlit" || a == "-m" && i+1 < len(argv) && argv[i+1] == "streamlit" {
			return true
		}
	}
	return false
}

// shellish reports whether a command needs a shell: sh -c, operators, variables.
func shellish(argv []string) bool {
	if b := filepath.Base(argv[0]); b == "sh" || b == "bash" {
		return true
	}
	return slices.ContainsFunc(argv, func(a string) bool {
		return a == "&&" || a == "||" || a == ";" || a == "|" || strings.Contains(a, "$")
	})
}

var portArgRE = regexp.MustCompile(`^(?:--port(?:=|$)|-p$|--bind(?:=|$)|-b$)`)

// composePort is the port the service listens on: the container side of its first ports entry
// ("8000:8000", "127.0.0.1:8000:80", {target: 80}), else expose, else its Dockerfile's EXPOSE,
// else a --port/--bind/-b in its command.
func composePort(ports, expose []any, dockerExpose int, argv []string) int {
	for _, p := range ports {
		switch v := p.(type) {
		case map[string]any:
			if t, ok := v["target"].(int); ok {
				return t
			}
		default:
			s := fmt.Sprint(v)
			s, _, _ = strings.Cut(s, "/")
			parts := strings.Split(s, ":")
			if n, err := strconv.Atoi(parts[len(parts)-1]); err == nil {
				return n
			}
		}
	}
	for _, e := range expose {
		s, _, _ := strings.Cut(fmt.Sprint(e), "/")
		if n, err := strconv.Atoi(s); err == nil {
			return n
		}
	}
	if dockerExpose > 0 {
		return dockerExpose
	}
	for _, a := range portArgs(argv) {
		if n, err := strconv.Atoi(a.port); err == nil {
			return n
		}
	}
	return 0
}

// loopback makes a command listen on 127.0.0.1 where it asks for every address (0.0.0.0, ::):
// Desklit's services are this machine's only.
func loopback(argv []string) []string {
	out := slices.Clone(argv)
	for i, a := range out {
		for _, all := range []string{"0.0.0.0", "[::]", "::"} {
			switch {
			case a == all:
				out[i] = "127.0.0.1"
			case strings.HasSuffix(a, "="+all):
				out[i] = strings.TrimSuffix(a, all) + "127.0.0.1"
			case strings.HasPrefix(a, all+":"):
				out[i] = "127.0.0.1" + strings.TrimPrefix(a, all)
			case strings.Contains(a, "="+all+":"):
				out[i] = strings.Replace(a, "="+all+":", "=127.0.0.1:", 1)
			}
		}
	}
	return out
}

// containerNames are the names Compose gives the services' containers, which its network also
// resolves: container_name, else "<project>_<service>_1" (Compose 1, whose project name keeps
// letters and digits only) and "<project>-<service>-1" (Compose 2, which keeps - and _ too), the
// project being the file's name:, else its folder's, in lower case (Jo-Eck/FinTrack's
// API_HOST=fintrack_api_1).
func containerNames(dir string, doc composeDoc) []string {
	project := strings.ToLower(cmp.Or(doc.Name, filepath.Base(dir)))
	keep := func(extra string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune(extra, r) {
				return r
			}
			return -1
		}, project)
	}
	v1, v2 := keep(""), keep("-_")
	var out []string
	for _, name := range slices.Sorted(maps.Keys(doc.Services)) {
		if c := doc.Services[name].Container; c != "" {
			out = append(out, c)
		}
		if v1 != "" {
			out = append(out, v1+"_"+name+"_1", v2+"-"+name+"-1")
		}
	}
	return out
}

// rewriteHosts makes Compose's network names 127.0.0.1 in environment values: a URL's host
// (http://backend:8000/x, postgres://u@db/x), a host and port (BACKEND_HOST=backend:80) and a
// value that is the name alone (API_HOST=backend); with a moved port, the port it runs on.
func rewriteHosts(env []string, hosts []string, moves map[string]movedPort) []string {
	out := slices.Clone(env)
	for i, kv := range out {
		k, v, _ := strings.Cut(kv, "=")
		v = movedAddresses(v, moves)
		if v == "0.0.0.0" || v == "::" { // API_HOST=0.0.0.0: every address, this machine's only here
			v = "127.0.0.1"
		}
		for _, name := range hosts {
			if v == name {
				v = "127.0.0.1"
				continue
			}
			re := regexp.MustCompile(`(//|@)` + regexp.QuoteMeta(name) + `([:/]|$)`)
			v = re.ReplaceAllString(v, "${1}127.0.0.1${2}")
			hostPort := regexp.MustCompile(`^` + regexp.QuoteMeta(name) + `(:\d+)$`)
			v = hostPort.ReplaceAllString(v, "127.0.0.1${1}")
		}
		out[i] = k + "=" + v
	}
	return out
}

// serviceName makes a Compose name a Desklit service name (lower case, letters, digits, - and _;
// not one of Desklit's own: "api" → "api-service").
func serviceName(name string, taken map[string]bool) string {
	n := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, name)
	if n == "" || n[0] < 'a' || n[0] > 'z' {
		n = "svc-" + n
	}
	if slices.Contains(reservedServiceNames, n) {
		n += "-service"
	}
	base := n
	for i := 2; taken[n]; i++ {
		n = fmt.Sprintf("%s-%d", base, i)
	}
	taken[n] = true
	return n
}
