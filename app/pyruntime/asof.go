package pyruntime

import (
	_ "embed"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// A project that pins an older Streamlit and leaves other requirements free was written when
// that Streamlit was current. Today's releases of the free ones break it where pip would install
// them too: numpy 2 under the pandas 1.5 that Streamlit 1.20 allows (built for numpy 1: "numpy.dtype
// size changed"), Altair 5 under a Streamlit before 1.23, protobuf 4 under one before 1.12.
// Desklit resolves such a project as of the moment its Streamlit was superseded (uv's
// --exclude-newer), from the package index, whose upload times tell uv what existed then; where
// that cannot be done (offline, the index unreachable, an exact pin newer than that moment), as
// of today.

//go:embed streamlit-releases.tsv
var streamlitReleasesTSV string

// streamlitRelease is one release of Streamlit and when its first file was uploaded to PyPI.
type streamlitRelease struct {
	version string
	at      time.Time
}

// streamlitReleases is streamlit-releases.tsv (written by scripts/streamlit-releases.py), read
// once: oldest first.
var streamlitReleases = sync.OnceValue(func() []streamlitRelease {
	var out []streamlitRelease
	for _, line := range strings.Split(streamlitReleasesTSV, "\n") {
		version, at, ok := strings.Cut(line, "\t")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		if t, err := time.Parse(time.RFC3339, strings.TrimSpace(at)); err == nil {
			out = append(out, streamlitRelease{version, t})
		}
	}
	return out
})

// supersededAt is when the first release of Streamlit after v was uploaded to PyPI; zero when no
// later release is known.
func supersededAt(v string) time.Time {
	for _, r := range streamlitReleases() {
		if CompareVersions(r.version, v) > 0 {
			return r.at
		}
	}
	return time.Time{}
}

// asOf is the moment to resolve the project's requirements as of (zero: today): when the newest
// Streamlit they allow — an exact pin, a range (streamlit~=1.22.0, >=1.20,<1.30), the release
// before one that removed names of st.* the app uses — is older than Desklit's own, the moment
// the next release came out; and only when something is left free: a requirement of its own, or
// Streamlit's dependencies, which a file that pins its top-level packages only (streamlit==1.25.0
// alone) leaves to today (pyarrow 26 beside numpy 1: "pyarrow requires NumPy 2.0"). A complete
// freeze pins everything already, a lock (poetry.lock, Pipfile.lock) too. exact are the other
// packages the project pins exactly, which the moment does not hold back (a pandas pinned to a
// release after that Streamlit's time is the project's choice).
func (o Options) asOf(project reqFile) (at time.Time, exact []string) {
	specs, named, ok := streamlitSpecs(project)
	if !ok {
		return time.Time{}, nil // a URL or a version Desklit cannot compare
	}
	if o.capsStreamlit(project) {
		specs, named = append(specs, "<"+o.Source.StreamlitBefore), true
	}
	if !named {
		return time.Time{}, nil
	}
	return o.asOfRelease(project, newestRelease(strings.Join(specs, ",")))
}

// asOfRelease is asOf for the project's requirements under Streamlit version: the moment the
// next release came out, when version is older than Desklit's own and something is left free;
// zero otherwise.
func (o Options) asOfRelease(project reqFile, version string) (at time.Time, exact []string) {
	if o.Plain || o.Offline || len(o.Source.Constraints) > 0 || version == "" {
		return time.Time{}, nil
	}
	free := false
	for _, e := range project.Entries { // a constraint's pin (-c constraints.txt) is a pin too
		if e.Name == "" {
			continue
		}
		_, isExact := exactVersion(e.Text)
		if isExact && e.Name != "streamlit" {
			exact = append(exact, e.Name)
		}
		free = free || !e.Constraint && !isExact && !strings.Contains(e.Text, "@")
	}
	if free = free || !freezesStreamlitStack(exact); !free {
		return time.Time{}, nil
	}
	if own := o.ownStreamlit(); own != "" && CompareVersions(version, own) >= 0 {
		return time.Time{}, nil
	}
	return supersededAt(version), exact
}

// streamlitStack are dependencies of every Streamlit that a `pip freeze` of its environment
// pins; a file that pins most of them is such a freeze.
var streamlitStack = []string{"numpy", "pandas", "pyarrow", "altair", "protobuf", "tornado"}

// freezesStreamlitStack reports whether the exact pins (normalised names) hold most of
// streamlitStack.
func freezesStreamlitStack(exact []string) bool {
	n := 0
	for _, name := range streamlitStack {
		if slices.Contains(exact, name) {
			n++
		}
	}
	return 2*n > len(streamlitStack)
}

// streamlitSpecs are the version specifiers of the project's streamlit requirements and
// constraints (none for a bare "streamlit"); named reports whether a requirement names
// streamlit, ok is false for a URL.
func streamlitSpecs(project reqFile) (specs []string, named, ok bool) {
	for _, e := range project.Entries {
		if e.Name != "streamlit" {
			continue
		}
		spec, ok := specifier(e.Text)
		if !ok {
			return nil, true, false
		}
		if named = named || !e.Constraint; spec != "" {
			specs = append(specs, spec)
		}
	}
	return specs, named, true
}

// capLowers reports whether the Streamlit before Source.StreamlitBefore is older than the newest
// the project's own requirements allow: the cap, not the project, decides its Streamlit.
func (o Options) capLowers(project reqFile) bool {
	if !o.capsStreamlit(project) {
		return false
	}
	specs, _, ok := streamlitSpecs(project)
	own := newestRelease(strings.Join(specs, ","))
	return !ok || own == "" || CompareVersions(own, o.Source.StreamlitBefore) >= 0
}

// specifier is the version specifier of a requirement ("~=1.22.0" of "streamlit[auth]~=1.22.0 ;
// python_version>'3.8'"; "" for none); ok is false for a URL requirement.
func specifier(text string) (spec string, ok bool) {
	req, _, _ := strings.Cut(text, ";")
	m := specRE.FindStringSubmatch(strings.TrimSpace(req))
	if m == nil || strings.HasPrefix(strings.TrimSpace(m[1]), "@") {
		return "", false
	}
	return strings.Join(strings.Fields(m[1]), ""), true
}

var specRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*(.*)$`)

// newestRelease is the newest Streamlit release (of streamlit-releases.tsv) that the specifiers
// admit; "" when none does or they cannot be read.
func newestRelease(spec string) string {
	r, err := ParseRange(spec)
	if err != nil {
		return ""
	}
	newest := ""
	for _, rel := range streamlitReleases() {
		if r.Admits(rel.version) {
			newest = rel.version // the table is oldest first
		}
	}
	return newest
}

// exactVersion is the version a requirement pins exactly ("streamlit==1.20.0", with extras or a
// marker); exact is false for a range or a wildcard (==1.20.*).
func exactVersion(text string) (version string, exact bool) {
	spec, _, _ := strings.Cut(text, ";")
	spec = strings.TrimSpace(spec)
	m := pinRE.FindStringSubmatch(spec)
	if m == nil || strings.ContainsAny(m[2], "*,<>!~=") || strings.Contains(spec[len(m[0]):], ",") {
		return "", false
	}
	return m[2], true
}
