package pyruntime

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
)

// UVVersion is the uv that Desklit ships (scripts/uv-requirements.txt pins its wheels by hash).
const UVVersion = "0.13.8"

// uvName is uv's executable name on this system.
func uvName() string {
	if runtime.GOOS == "windows" {
		return "uv.exe"
	}
	return "uv"
}

// FindUV returns the uv that builds the environments: DESKLIT_UV when set, else the uv beside
// this program (every distribution ships it there; `make` puts it in build/bin), else in the
// installed share folder.
func FindUV(exe string, getenv func(string) string) (string, error) {
	if p := getenv("DESKLIT_UV"); p != "" {
		if !isFile(p) {
			return "", fmt.Errorf("DESKLIT_UV is %s, which does not exist", p)
		}
		return p, nil
	}
	var tried []string
	if exe != "" {
		dir := filepath.Dir(exe)
		for _, p := range []string{
			filepath.Join(dir, uvName()),
			filepath.Join(dir, "..", "lib", "desklit", uvName()),
			filepath.Join(dir, "..", "share", "desklit", uvName()),
			filepath.Join(dir, "..", "Resources", uvName()), // macOS: Desklit.app/Contents/MacOS/..
		} {
			if isFile(p) {
				return filepath.Clean(p), nil
			}
			tried = append(tried, filepath.Clean(p))
		}
	}
	return "", fmt.Errorf("uv, which builds the Python environments, is missing (looked in %s): reinstall Desklit, or run `make uv` in a source tree", strings.Join(tried, ", "))
}

// uvEnviron is the environment uv runs with: one shared cache, no Python downloads, links into
// the environments from the cache, and nothing that points Python at another environment.
// Online, the user's pip index settings are honoured as uv's own when uv's are not set.
func (o Options) uvEnviron(online bool) []string {
	env := baseEnviron()
	set := map[string]bool{}
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		set[k] = true
	}
	env = append(env, "UV_CACHE_DIR="+o.CacheDir, "UV_PYTHON_DOWNLOADS=never", "UV_NO_PROGRESS=1", "NO_COLOR=1")
	if !set["UV_LINK_MODE"] {
		env = append(env, "UV_LINK_MODE=hardlink") // uv falls back to copying across file systems
	}
	if !online {
		return env
	}
	for pip, uv := range map[string]string{"PIP_INDEX_URL": "UV_INDEX_URL", "PIP_EXTRA_INDEX_URL": "UV_EXTRA_INDEX_URL"} {
		if v := os.Getenv(pip); v != "" && !set[uv] && !set["UV_DEFAULT_INDEX"] {
			env = append(env, uv+"="+v)
		}
	}
	if !set["UV_SYSTEM_CERTS"] && !set["UV_NATIVE_TLS"] && !set["SSL_CERT_FILE"] {
		env = append(env, "UV_SYSTEM_CERTS=1") // the system's certificates (a company proxy's CA)
	}
	return env
}

// sourceArgs are uv's package-source flags: offline the local wheel folders only, with the
// index and the user's uv configuration off; online the index (as the user configured it) too.
func (o Options) sourceArgs(online bool) []string {
	var args []string
	if !online {
		args = append(args, "--offline", "--no-index", "--no-config")
	}
	for _, d := range o.wheelDirs() {
		args = append(args, "--find-links", d)
	}
	return args
}

// wheelDirs are the FindLinks folders that exist, absolute, each once (the bundled wheelhouse
// can be found by two of the places looked in).
func (o Options) wheelDirs() []string {
	var dirs []string
	for _, d := range o.FindLinks {
		abs, err := filepath.Abs(d)
		if st, serr := os.Stat(abs); err == nil && serr == nil && st.IsDir() && !slices.Contains(dirs, abs) {
			dirs = append(dirs, abs)
		}
	}
	return dirs
}

// runUV runs uv with args, logging its output; onLine sees each line. It returns uv's error
// lines (what follows "error:") with the error, for messages.
func (o Options) runUV(ctx context.Context, online bool, args []string, extraEnv []string, onLine func(string)) error {
	if o.UV == "" {
		return errors.New("no uv given")
	}
	var errLines []string
	collect := func(line string) {
		if len(errLines) > 0 || strings.HasPrefix(line, "error:") || strings.HasPrefix(line, "  × ") {
			if !strings.HasPrefix(line, "TRACE ") && !strings.HasPrefix(line, "DEBUG ") {
				errLines = append(errLines, line)
			}
		}
		if onLine != nil {
			onLine(line)
		}
	}
	err := runLogged(ctx, append([]string{o.UV}, args...), append(o.uvEnviron(online), extraEnv...), o.log(), collect)
	if err != nil && ctx.Err() == nil && len(errLines) > 0 {
		return &uvError{lines: errLines, err: err}
	}
	return err
}

// uvError is uv's own explanation of a failure (a resolver conflict, a missing package).
type uvError struct {
	lines []string
	err   error
}

func (e *uvError) Error() string {
	text := strings.TrimSpace(strings.Join(e.lines, "\n"))
	text = strings.TrimPrefix(text, "error: ")
	return text
}

func (e *uvError) Unwrap() error { return e.err }

var notFoundRE = []*regexp.Regexp{
	regexp.MustCompile(`Because ([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])? was not found in the provided package locations`),
	regexp.MustCompile(`Because there are no versions of ([A-Za-z0-9][A-Za-z0-9._-]*)`),
	regexp.MustCompile(`Because there is no version of ([A-Za-z0-9][A-Za-z0-9._-]*)`),
	regexp.MustCompile(`Because ([A-Za-z0-9][A-Za-z0-9._-]*) was not found in the package registry`),
	// Offline with find-links folders that hold no wheel at all, uv says the cache.
	regexp.MustCompile(`Because ([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])? was not found in the cache`),
	regexp.MustCompile(`Because only [^ ]+ of ([A-Za-z0-9][A-Za-z0-9._-]*) is available`),
	regexp.MustCompile(`Distribution not found at: .*?/([A-Za-z0-9_.]+)-[0-9]`),
	regexp.MustCompile(`Network connectivity is disabled, but .* (?:for|of) ` + "`?" + `([A-Za-z0-9][A-Za-z0-9._-]*)`),
}

// uvFailure is what uv's own words say about a failed run.
type uvFailure struct {
	missing     string // the package uv could not find; "?" when it could not find one it does not name
	unreachable bool   // an online run could not reach the index
	noWheel     string // the requirement ("name==version") with no wheel for the target platform
	sourceOnly  string // the package with no usable wheel where only wheels were allowed
	// built is the package ("name==version") that had to be built from its source and did not
	// build; unreadable when its source's metadata could not even be read (pandas 0.24.2's
	// "pytz (>=2011k)", which today's version rules refuse).
	built      string
	unreadable bool
	instead    string // the package uv says the one that failed is often confused for
	noUsable   string // the release or range ("gcloud==0.18.3", "pyod>=1.1.3", "docopt") uv found no usable wheel of
	fetch      string // the URL uv could not fetch
	cause      string // uv's last "cause:", the innermost ("Connection refused (os error 111)")
	file       string // a requirement's file that is not there (its file: URL)
}

// noUsableWheelsRE is the release or range uv found no wheel of ("Because gcloud==0.18.3 has no
// usable wheels", "Because pyod>=1.1.3 has…", "Because all versions of docopt have…"); fetchFailedRE the URL it could not fetch ("Failed to fetch: `https://…/plotly/`", with
// or without the quotes); missingFileRE a requirement's file that is not there ("Distribution not
// found at: file:///…/streamlit-1.52.1-py3-none-any.whl").
var (
	noUsableWheelsRE = regexp.MustCompile(`Because (?:all versions of ([A-Za-z0-9._-]+) have|([A-Za-z0-9._-]+(?:[=<>!~]=?[^\s]+)?) has) no usable wheels`)
	fetchFailedRE    = regexp.MustCompile("Failed to fetch: `?([^`\\s]+)`?")
	missingFileRE    = regexp.MustCompile(`Distribution not found at: (file://\S+)`)
)

// insteadRE is uv's hint of the package meant ("`sklearn` is often confused for
// `scikit-learn`. Did you mean to install `scikit-learn` instead?").
var insteadRE = regexp.MustCompile("Did you mean to install `([A-Za-z0-9._-]+)` instead")

// buildFailedRE finds the package uv could not build from its source ("Failed to build
// `pandas==1.1.5`", when installing or when reading its metadata for a resolution; "Failed to
// download and build `pandas==1.3.2`" when it fetched the source first). The first is the
// project's: a build dependency that failed under it ("cause: Failed to build `numpy==1.19.3`",
// pandas' build-system.requires) comes after.
var buildFailedRE = regexp.MustCompile("Failed to (?:download and )?build `([A-Za-z0-9._-]+==[^`\\s]+)`")

// invalidMetadataRE finds the package whose source distribution's metadata uv could not read
// ("Because pandas==0.24.2 has invalid metadata").
var invalidMetadataRE = regexp.MustCompile(`Because ([A-Za-z0-9._-]+==\S+) has invalid metadata`)

// noWheelRE finds the requirement uv says has no wheel for the target platform.
var noWheelRE = regexp.MustCompile(`Because ([A-Za-z0-9._-]+(?:==[^\s]+)?) has no wheels with a matching`)

// sourceOnlyRE finds the package uv needed a wheel of and found none of.
var sourceOnlyRE = regexp.MustCompile("Wheels are required for `([A-Za-z0-9._-]+)` because building from source is disabled")

// readUV is the one place that reads uv's messages (uv has no machine-readable errors); the
// offline and online tests run the real uv into each case.
func readUV(err error) uvFailure {
	var ue *uvError
	if !errors.As(err, &ue) {
		return uvFailure{}
	}
	var f uvFailure
	text := strings.Join(ue.lines, " ")
	for _, re := range notFoundRE {
		if m := re.FindStringSubmatch(text); m != nil {
			f.missing = normalizeName(m[1])
			break
		}
	}
	if f.missing == "" && (strings.Contains(text, "Network connectivity is disabled") || strings.Contains(text, "was not found in the cache")) {
		f.missing = "?"
	}
	if m := noWheelRE.FindStringSubmatch(text); m != nil {
		f.noWheel = m[1]
	}
	if m := sourceOnlyRE.FindStringSubmatch(text); m != nil {
		f.sourceOnly = normalizeName(m[1])
	}
	if m := buildFailedRE.FindStringSubmatch(text); m != nil {
		f.built = m[1]
	} else if m := invalidMetadataRE.FindStringSubmatch(text); m != nil {
		f.built, f.unreadable = m[1], true
	}
	if m := insteadRE.FindStringSubmatch(text); m != nil {
		f.instead = m[1]
	}
	for re, field := range map[*regexp.Regexp]*string{noUsableWheelsRE: &f.noUsable, fetchFailedRE: &f.fetch, missingFileRE: &f.file} {
		if m := re.FindStringSubmatch(text); m != nil {
			*field = cmp.Or(m[1:]...)
		}
	}
	for _, l := range ue.lines {
		if c, ok := strings.CutPrefix(strings.TrimSpace(l), "cause: "); ok {
			f.cause = c
		}
	}
	lower := strings.ToLower(text)
	for _, s := range []string{"failed to fetch", "dns error", "connection refused", "could not connect", "timed out",
		"error sending request", "network is unreachable", "failed to lookup address", "tcp connect error"} {
		f.unreachable = f.unreachable || strings.Contains(lower, s)
	}
	return f
}
