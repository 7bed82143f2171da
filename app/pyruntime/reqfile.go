package pyruntime

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// A requirements file is read the way pip and uv read it, for what Desklit must know of it (which
// packages it names, whether it is a hash lock, which files it includes); uv itself reads the
// files for the resolution.

// reqEntry is one requirement of a requirements file (or of a file it includes).
type reqEntry struct {
	Name       string // PEP 503-normalised; "" when a URL or path names no package Desklit can tell
	Constraint bool   // from a -c file: limits a version, requires nothing
	Text       string // the requirement as written, without its options (--hash)
	File       string
	Line       int
}

// reqFile is what readRequirements found: the requirements of the file and its includes, the
// files read (for the lock's key), and whether every requirement carries a hash.
type reqFile struct {
	Entries []reqEntry
	Files   []string
	Hashes  bool // at least one --hash option
	// Sources are the files' own package-source options as uv flags (--index-url,
	// --extra-index-url, --find-links with local folders made absolute): an install from the
	// lock online asks the indexes the resolution asked.
	Sources []string
}

// names reports whether a requirement (not a constraint) names the package.
func (r reqFile) names(name string) bool {
	for _, e := range r.Entries {
		if !e.Constraint && e.Name == name {
			return true
		}
	}
	return false
}

// namesStreamlit reports whether a requirement names a distribution of Streamlit.
func (r reqFile) namesStreamlit() bool {
	return slices.ContainsFunc(streamlitDists, r.names)
}

// constrains reports whether a constraint names the package.
// namesAuthExtra reports whether the requirements install Streamlit's sign-in packages through
// streamlit[auth] (or [all]).
func (r reqFile) namesAuthExtra() bool {
	for _, e := range r.Entries {
		if e.Constraint {
			continue
		}
		extras, _, _ := strings.Cut(strings.ReplaceAll(e.Text, " ", ""), "]")
		if isStreamlit(e.Name) && (strings.Contains(extras, "[auth") || strings.Contains(extras, ",auth") || strings.Contains(extras, "all")) {
			return true
		}
	}
	return false
}

func (r reqFile) constrains(name string) bool {
	for _, e := range r.Entries {
		if e.Constraint && e.Name == name {
			return true
		}
	}
	return false
}

// readText reads a text file as pip and uv do: UTF-8, with or without a byte order mark, or
// UTF-16 (little or big endian) with one, as Windows PowerShell writes `pip freeze >
// requirements.txt`. Line ends are made \n.
func readText(file string) (string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	return decodeText(data, file)
}

func decodeText(data []byte, file string) (string, error) {
	dec := unicode.BOMOverride(unicode.UTF8.NewDecoder())
	out, _, err := transform.Bytes(dec, data)
	if err != nil {
		return "", fmt.Errorf("%s: not readable as UTF-8 or UTF-16 text: %w", file, err)
	}
	if bytes.IndexByte(out, 0) >= 0 {
		return "", fmt.Errorf("%s: holds NUL characters (UTF-16 without a byte order mark?): save it as UTF-8", file)
	}
	return strings.ReplaceAll(string(out), "\r\n", "\n"), nil
}

// ListsAnything tells whether a requirements file has a line other than blanks and comments: an
// empty requirements.txt beside a pyproject.toml says nothing of the project's packages.
func ListsAnything(file string) (bool, error) {
	text, err := readText(file)
	if err != nil {
		return false, err
	}
	lines, _ := reqLines(text)
	return len(lines) > 0, nil
}

// reqLines are a requirements text's logical lines (continuations joined, comments removed),
// each with its first physical line's number.
func reqLines(text string) (lines []string, nums []int) {
	phys := strings.Split(text, "\n")
	for i := 0; i < len(phys); i++ {
		start, line := i+1, phys[i]
		for strings.HasSuffix(line, `\`) && i+1 < len(phys) {
			i++
			line = strings.TrimSuffix(line, `\`) + " " + phys[i]
		}
		if line = stripComment(line); strings.TrimSpace(line) != "" {
			lines, nums = append(lines, strings.TrimSpace(line)), append(nums, start)
		}
	}
	return lines, nums
}

// stripComment removes a comment: "#" at the start of a line or after whitespace (a URL's
// fragment, "pkg.whl#sha256=…", is not one).
func stripComment(line string) string {
	for i := 0; i < len(line); i++ {
		if line[i] == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
			return line[:i]
		}
	}
	return line
}

// includeOpts are the options that name another file: -r files add requirements, -c files
// constraints.
var includeOpts = map[string]bool{"-r": false, "--requirement": false, "-c": true, "--constraint": true}

// readRequirements reads a requirements file and the files it includes (-r, -c, relative to the
// including file), each once.
func readRequirements(file string) (reqFile, error) {
	var r reqFile
	err := r.read(file, false, map[string]bool{})
	return r, err
}

func (r *reqFile) read(file string, constraint bool, seen map[string]bool) error {
	abs, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	if seen[abs] {
		return nil
	}
	seen[abs] = true
	text, err := readText(abs)
	if err != nil {
		return err
	}
	r.Files = append(r.Files, abs)
	lines, nums := reqLines(text)
	for i, line := range lines {
		if err := r.readLine(abs, nums[i], line, constraint, seen); err != nil {
			return err
		}
	}
	return nil
}

func (r *reqFile) readLine(file string, num int, line string, constraint bool, seen map[string]bool) error {
	if strings.Contains(line, "--hash") {
		r.Hashes = true
	}
	if !strings.HasPrefix(line, "-") {
		text, _, _ := strings.Cut(line, " --")
		r.Entries = append(r.Entries, reqEntry{Name: requirementName(line), Constraint: constraint, Text: strings.TrimSpace(text), File: file, Line: num})
		return nil
	}
	opt, arg := splitOption(line)
	if c, ok := includeOpts[opt]; ok {
		if isURL(arg) {
			return &ReqFileError{File: file, Line: num, Msg: "includes " + arg + " from the network: Desklit reads included files from the project only; save it beside the requirements file"}
		}
		inc := filepath.FromSlash(arg)
		if !filepath.IsAbs(inc) {
			inc = filepath.Join(filepath.Dir(file), inc)
		}
		if err := r.read(inc, constraint || c, seen); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return &ReqFileError{File: file, Line: num, Msg: "includes " + arg + ", which does not exist"}
			}
			return err
		}
		return nil
	}
	if opt != "-e" && opt != "--editable" {
		// pip reads an option's one value and passes over what follows it on the line
		// ("--find-links=https://…/large_image_wheels GDAL"); uv reads the rest of the line.
		arg, _, _ = strings.Cut(arg, " ")
	}
	switch opt {
	case "-e", "--editable":
		r.Entries = append(r.Entries, reqEntry{Name: requirementName(arg), Constraint: constraint, Text: line, File: file, Line: num})
	case "-i", "--index-url":
		r.Sources = append(r.Sources, "--index-url", arg)
	case "--extra-index-url":
		r.Sources = append(r.Sources, "--extra-index-url", arg)
	case "-f", "--find-links":
		if !isURL(arg) && !filepath.IsAbs(arg) {
			arg = filepath.Join(filepath.Dir(file), filepath.FromSlash(arg))
		}
		r.Sources = append(r.Sources, "--find-links", arg)
	}
	return nil // a build option: uv reads it
}

// splitOption splits "-r x", "-rx", "--requirement x" or "--requirement=x".
func splitOption(line string) (opt, arg string) {
	if strings.HasPrefix(line, "--") {
		opt, arg, _ = strings.Cut(line, "=")
		if o, a, ok := strings.Cut(opt, " "); ok {
			opt, arg = o, a
		}
		return opt, strings.TrimSpace(arg)
	}
	if len(line) > 2 && line[2] != ' ' {
		return line[:2], strings.TrimSpace(line[2:])
	}
	opt, arg, _ = strings.Cut(line, " ")
	return opt, strings.TrimSpace(arg)
}

// ReqFileError is a requirements file Desklit cannot follow, with the file and line.
type ReqFileError struct {
	File string
	Line int
	Msg  string
}

func (e *ReqFileError) Error() string { return fmt.Sprintf("%s line %d: %s", e.File, e.Line, e.Msg) }

var (
	pep508NameRE = regexp.MustCompile(`^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(?:@|;|[<>=!~(]|$)`)
	eggRE        = regexp.MustCompile(`[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)`)
	wheelNameRE  = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._]*)-[0-9][^-]*(?:-[^-]+)?-[^-]+-[^-]+-[^-]+\.whl$`)
	sdistNameRE  = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*?)-[0-9][^/]*\.(?:tar\.gz|zip|tar\.bz2)$`)
)

// requirementName is the package a requirement line names: "name[extras] specs ; marker",
// "name @ url", or a URL or path whose egg fragment or file name tells it ("" when nothing does:
// a local folder, a VCS URL without #egg=).
func requirementName(line string) string {
	spec, _, _ := strings.Cut(line, " --") // per-requirement options (--hash)
	spec = strings.TrimSpace(spec)
	if m := eggRE.FindStringSubmatch(spec); m != nil {
		return normalizeName(m[1])
	}
	if !isURL(spec) && !looksLikePath(spec) {
		if m := pep508NameRE.FindStringSubmatch(spec); m != nil {
			return normalizeName(m[1])
		}
		return ""
	}
	target, _, _ := strings.Cut(spec, ";")
	base := path.Base(strings.TrimSpace(strings.SplitN(strings.SplitN(target, "#", 2)[0], "?", 2)[0]))
	if u, err := url.PathUnescape(base); err == nil {
		base = u
	}
	for _, re := range []*regexp.Regexp{wheelNameRE, sdistNameRE} {
		if m := re.FindStringSubmatch(base); m != nil {
			return normalizeName(m[1])
		}
	}
	return ""
}

func isURL(s string) bool {
	i := strings.Index(s, "://")
	return i > 0 && !strings.ContainsAny(s[:i], " =<>@;")
}

// looksLikePath: a local path requirement ("./pkg", "../x.whl", "C:\x", "/abs", "pkg.whl").
func looksLikePath(s string) bool {
	return strings.HasPrefix(s, ".") || strings.HasPrefix(s, "/") || strings.HasPrefix(s, `\`) ||
		(len(s) > 2 && s[1] == ':' && (s[2] == '\\' || s[2] == '/')) ||
		strings.HasSuffix(strings.SplitN(strings.TrimSpace(s)+" ", " ", 2)[0], ".whl")
}
