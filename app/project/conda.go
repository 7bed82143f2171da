package project

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/desklit/desklit/app/pyruntime"
)

// A conda environment file (environment.yml, the Anaconda analyst's) is read as requirements:
// its conda packages by their names on PyPI, and its pip: list as it is. conda's own tools and
// system libraries (python, pip, nodejs, libgdal…) are not Python packages and are left out; so
// is the Python version (conda pins one exactly, and Desklit runs the Python it finds).

// condaEnv is what Desklit reads of an environment file.
type condaEnv struct {
	Dependencies []yaml.Node `yaml:"dependencies"`
}

// condaToPyPI are conda packages whose PyPI distribution has another name.
var condaToPyPI = map[string]string{
	"pytorch": "torch", "pytorch-cpu": "torch", "torchvision-cpu": "torchvision",
	"opencv": "opencv-python", "py-opencv": "opencv-python", "libopencv": "opencv-python",
	"py-xgboost": "xgboost", "py-xgboost-cpu": "xgboost", "python-graphviz": "graphviz",
	"matplotlib-base": "matplotlib", "pytables": "tables", "msgpack-python": "msgpack",
	"tensorflow-cpu": "tensorflow", "pyqt": "PyQt5", "python-kaleido": "kaleido", "python-duckdb": "duckdb",
	"h3-py": "h3",
}

// condaOnly are conda packages that are not Python distributions: the interpreter, conda's and
// pip's own tools, compilers, system and GPU libraries.
var condaOnly = map[string]bool{
	"python": true, "pip": true, "setuptools": true, "wheel": true, "conda": true, "mamba": true,
	"nodejs": true, "openjdk": true, "git": true, "make": true, "cmake": true, "ffmpeg": true,
	"compilers": true, "cudatoolkit": true, "cudnn": true, "nccl": true, "blas": true, "openblas": true,
	"graphviz": true, "gdal": true, "proj": true, "geos": true, "nomkl": true,
}

// condaSpecRE reads a conda match spec: [channel::]name[ version][=build] or name op version.
var condaSpecRE = regexp.MustCompile(`^(?:[\w.-]+::)?([A-Za-z0-9_.-]+)\s*(.*)$`)

// condaRequirements are an environment file's packages as PEP 508 requirements, and the
// packages it names that are not Python distributions (left out).
func condaRequirements(file string) (reqs, left []string, err error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, err
	}
	var env condaEnv
	if err := yaml.Unmarshal(data, &env); err != nil {
		return nil, nil, &Error{File: file, Msg: "not an environment file Desklit can read: " + err.Error()}
	}
	dir := filepath.Dir(file)
	for _, n := range env.Dependencies {
		switch n.Kind {
		case yaml.ScalarNode:
			req, ok, err := condaRequirement(n.Value)
			if err != nil {
				return nil, nil, &Error{File: file, Line: n.Line, Key: "dependencies", Msg: err.Error()}
			}
			if ok {
				reqs = append(reqs, req)
			} else {
				left = append(left, n.Value)
			}
		case yaml.MappingNode:
			var m map[string][]string
			if err := n.Decode(&m); err != nil {
				return nil, nil, &Error{File: file, Line: n.Line, Key: "dependencies", Msg: "a list of pip requirements was expected: " + err.Error()}
			}
			for _, line := range m["pip"] {
				req := pipLine(dir, line)
				if inc := includedFile(req); inc != "" && !isFile(inc) {
					return nil, nil, &Error{File: file, Line: n.Line, Key: "dependencies", Msg: fmt.Sprintf("its pip: list includes %s, which does not exist", strings.TrimSpace(line))}
				}
				reqs = append(reqs, req)
			}
		}
	}
	return reqs, left, nil
}

// condaRequirement is one conda match spec as a requirement; ok is false for a package that is
// not a Python distribution.
func condaRequirement(spec string) (req string, ok bool, err error) {
	m := condaSpecRE.FindStringSubmatch(strings.TrimSpace(spec))
	if m == nil || strings.Contains(spec, "[") {
		return "", false, fmt.Errorf("%q is not a conda package spec Desklit can read", spec)
	}
	name, version := strings.ToLower(m[1]), strings.TrimSpace(m[2])
	if condaOnly[name] || strings.HasPrefix(name, "lib") || strings.HasPrefix(name, "r-") ||
		strings.HasPrefix(name, "cuda-") || strings.HasPrefix(name, "mkl") || strings.HasPrefix(name, "_") {
		return "", false, nil
	}
	if pypi, ok := condaToPyPI[name]; ok {
		name = pypi
	}
	if build := condaBuild(version); build != "" && !strings.HasPrefix(build, "py") {
		// `conda env export` pins every package with its build; a Python package's build
		// names its Python (py311h…, pyhd8ed1ab_0, py_0), a C library's does not (bzip2's
		// h5eee18b_5, tzdata's h04d1e81_0, Windows' vc h21ff451_1).
		return "", false, nil
	}
	switch {
	case version == "":
	case strings.HasPrefix(version, "=") && !strings.HasPrefix(version, "=="):
		// name=1.2[=build]: conda's "1.2" matches 1.2 and every 1.2.x
		v, _, _ := strings.Cut(version[1:], "=")
		version = "==" + strings.TrimSuffix(v, ".*") + ".*"
	case version[0] >= '0' && version[0] <= '9':
		// "name 1.2.*" (fuzzy) or "name 1.2" (exact), maybe with a build string after a space
		v, _, _ := strings.Cut(version, " ")
		version = "==" + v
	default: // ==, >=, <, != … as PEP 440 writes them
		version = strings.ReplaceAll(version, " ", "")
	}
	return name + version, true, nil
}

// condaBuild is the build string of a spec's version part, "" without one: "=1.0.8=h5eee18b_5"
// (`conda env export`) or "1.0.8 h5eee18b_5" (conda's own exact spec).
func condaBuild(version string) string {
	if rest, ok := strings.CutPrefix(version, "="); ok && !strings.HasPrefix(rest, "=") {
		if _, build, ok := strings.Cut(rest, "="); ok {
			return build
		}
		return ""
	}
	if version != "" && version[0] >= '0' && version[0] <= '9' {
		_, build, _ := strings.Cut(version, " ")
		return strings.TrimSpace(build)
	}
	return ""
}

// pipLine is one line of an environment file's pip: list as a requirements line, its relative
// paths (-r other.txt, -e ., ./pkg) made absolute: the resolution reads it from elsewhere.
func pipLine(dir, line string) string {
	line = strings.TrimSpace(line)
	for _, opt := range []string{"-r ", "--requirement ", "-c ", "--constraint "} {
		if rest, ok := strings.CutPrefix(line, opt); ok {
			return opt + absPath(dir, strings.TrimSpace(rest))
		}
	}
	for _, opt := range []string{"-e ", "--editable "} {
		if rest, ok := strings.CutPrefix(line, opt); ok {
			return opt + pathURL(dir, strings.TrimSpace(rest))
		}
	}
	if strings.HasPrefix(line, ".") || strings.HasPrefix(line, "/") {
		return pathURL(dir, line)
	}
	return line
}

// includedFile is the file a pip line (as pipLine made it) includes with -r or -c, "" for any
// other line.
func includedFile(line string) string {
	for _, opt := range []string{"-r ", "--requirement ", "-c ", "--constraint "} {
		if rest, ok := strings.CutPrefix(line, opt); ok {
			return rest
		}
	}
	return ""
}

// pathURL is a path requirement as a file: URL (a folder with a space in its name installs); a
// URL stays as it is.
func pathURL(dir, p string) string {
	if strings.Contains(p, "://") || strings.HasPrefix(p, "file:") {
		return p
	}
	return pyruntime.FileURL(absPath(dir, p))
}

func absPath(dir, p string) string {
	if filepath.IsAbs(p) || strings.Contains(p, "://") {
		return p
	}
	return filepath.Join(dir, filepath.FromSlash(p))
}
