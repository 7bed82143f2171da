package pyruntime

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

// A `pip freeze` made in a conda environment names what conda installed by the folder conda built
// it in, on one of conda's build machines ("numpy @ file:///home/conda/feedstock_root/
// build_artifacts/numpy_1707225380409/work/dist/numpy-1.26.4-cp311-cp311-linux_x86_64.whl",
// "certifi @ file:///croot/certifi_1707229174982/work/certifi"): a file no other machine has,
// on which pip fails. These are conda-forge's and Anaconda's builds of public packages, under
// their PyPI names, so Desklit takes them from the package index instead (uv's --overrides): the
// version the file's name gives, else the version the rest of the resolution settles on. A path
// that is not a conda build folder (the analyst's own package, `mylib @ file:///home/ada/mylib`)
// is never swapped for a package of the same name from the index.

// condaBuildRE matches the build folders of conda's build machines: conda-forge's Linux and macOS
// (feedstock_root), conda-build's (conda-bld), Anaconda's (croot, abs_…, /tmp/build/80754af9,
// /home/builder/ci_310, /work/ci_py311) and the Windows ones (D:/bld, C:/b/abs_…, C:/ci,
// C:/ci_311); and conda-build's work folder itself, named by the package and the build's time in
// milliseconds ("anyio_1676425491996/work"), wherever the machine kept it.
var condaBuildRE = regexp.MustCompile(`(?i)/(feedstock_root|conda-bld|croot|abs_[^/]*|tmp/build/80754af9|ci_(?:py)?\d+)/|^/?[a-z]:/(bld|b|ci|ci_\d+)/|/[\w.-]+_\d{10,}/work(/|$)`)

// condaBuilt are uv overrides for the requirements of project that name a file in a conda build
// folder that is not on this machine, and a note for each; it also gives the project's entries
// the override's text, so that the dated resolution sees what is resolved.
func condaBuilt(project *reqFile) (overrides, notes []string) {
	for i, e := range project.Entries {
		if e.Name == "" || !strings.Contains(e.Text, "@") {
			continue
		}
		p, rest, ok := LocalRequirement(e.Text)
		if !ok || !condaBuildRE.MatchString("/"+strings.TrimPrefix(path.Clean(strings.ReplaceAll(p, `\`, "/")), "/")) {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			continue // conda's folder is here: the freeze was made on this machine
		}
		req := e.Name
		if v := builtVersion(path.Base(strings.ReplaceAll(p, `\`, "/")), e.Name); v != "" {
			req += "==" + v
		}
		if rest != "" {
			req += " " + rest // the marker
		}
		overrides = append(overrides, req)
		notes = append(notes, fmt.Sprintf("%s line %d names conda's build folder on the machine it was frozen on: %s is taken from the package index", filepath.Base(e.File), e.Line, strings.Fields(req)[0]))
		project.Entries[i].Text = req
	}
	return overrides, notes
}

// builtVersion is the version a wheel's or a source archive's file name gives for the
// distribution name (PEP 503 normalised), "" when the name is a folder's ("work", "certifi").
func builtVersion(file, name string) string {
	if pin, ok := WheelPin(file); ok && pin.Name == name {
		return pin.Version
	}
	for _, ext := range []string{".tar.gz", ".zip"} {
		if base, ok := strings.CutSuffix(file, ext); ok {
			if i := strings.LastIndex(base, "-"); i > 0 && normalizeName(base[:i]) == name {
				return base[i+1:]
			}
		}
	}
	return ""
}

// condaOverrides writes condaBuilt's overrides into tmp: uv's arguments for them, and the notes
// for the lock's top, each said in the progress and the log.
func (o Options) condaOverrides(tmp string, project *reqFile) (args, notes []string, err error) {
	overrides, said := condaBuilt(project)
	if len(overrides) == 0 {
		return nil, nil, nil
	}
	f := filepath.Join(tmp, "conda-builds.txt")
	if err := os.WriteFile(f, []byte(strings.Join(overrides, "\n")+"\n"), 0o644); err != nil {
		return nil, nil, err
	}
	for _, n := range said {
		o.logger().Warn("a requirement names a file of conda's build machine: taken from the index", "project", o.name(), "note", n)
		o.report(Progress{Step: StepResolve, Message: n})
		notes = append(notes, "# "+n)
	}
	return []string{"--overrides", f}, notes, nil
}
