package pyruntime

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// NotFoundError is a package that no wheel folder (and, online, no index) has.
type NotFoundError struct {
	Package   string
	Name      string   // the project's name
	FindLinks []string // the folders looked in
	Wheels    string   // the project's wheels/ folder (where to put it)
	Offline   bool     // the index was not tried (offline mode) or could not be reached
	// Explanation is the resolver's own account (which requirement needed what).
	Explanation string
}

func (e *NotFoundError) Error() string {
	pkg := e.Package
	if pkg == "" || pkg == "?" {
		pkg = "a package it needs"
	}
	where := "the bundled wheels"
	if len(e.FindLinks) > 0 {
		where = strings.Join(e.FindLinks, ", ")
	}
	var msg string
	if e.Offline {
		msg = fmt.Sprintf("%s needs %s, which is not in %s and the package index is not reachable (or Desklit is offline): put its wheel in %s, or connect to the internet and open the app again",
			e.Name, pkg, where, e.Wheels)
	} else {
		msg = fmt.Sprintf("%s needs %s, which is neither in %s nor on the package index: check its name and version in the project's dependencies, or put its wheel in %s",
			e.Name, pkg, where, e.Wheels)
	}
	if e.Explanation != "" {
		msg += "\n" + e.Explanation
	}
	return msg
}

// ResolveError is a set of requirements that cannot be satisfied, with the resolver's own words
// and the project's requirements it names.
type ResolveError struct {
	Name        string
	File        string
	Explanation string
	// Requirements are the project's own requirements that the explanation names, each with
	// its file and line: what the user may change.
	Requirements []Requirement
	// NoWheel is the requirement that has no wheel for the target platform, when that is why.
	NoWheel string
	// SourceOnly is the package (name) that has no wheel at all, only a source distribution,
	// when that is why (a Platform's resolution takes wheels only, unless Options.FromSource).
	SourceOnly string
}

// Requirement is one requirement of a project's dependency files, where it is written.
type Requirement struct {
	Text string // as written ("pandas==2.2.3")
	File string
	Line int // 0 when not known
}

func (r Requirement) String() string {
	if r.Line > 0 {
		return fmt.Sprintf("%s (%s line %d)", r.Text, filepath.Base(r.File), r.Line)
	}
	return fmt.Sprintf("%s (%s)", r.Text, filepath.Base(r.File))
}

func (e *ResolveError) Error() string {
	msg := fmt.Sprintf("the dependencies of %s (%s) cannot be satisfied:\n%s", e.Name, e.File, e.Explanation)
	if len(e.Requirements) > 0 {
		msg += "\nThe requirements involved:"
		for _, r := range e.Requirements {
			msg += "\n  " + r.String()
		}
	}
	return msg
}

func (o Options) notFound(pkg string, offline bool, cause error) error {
	wheels := filepath.Join(o.Source.dir(), "wheels")
	nf := &NotFoundError{Package: pkg, Name: o.name(), FindLinks: o.wheelDirs(), Wheels: wheels, Offline: offline}
	var ue *uvError
	if errors.As(cause, &ue) {
		nf.Explanation = ue.Error()
	}
	return nf
}

func (o Options) resolveError(err error) error {
	var ue *uvError
	if errors.As(err, &ue) {
		why := ue.Error()
		return &ResolveError{Name: o.name(), File: o.Source.File, Explanation: why, Requirements: o.requirementsIn(why),
			NoWheel: readUV(err).noWheel, SourceOnly: readUV(err).sourceOnly}
	}
	return err
}

// requirementsIn are the project's requirements whose package the resolver's explanation names.
func (o Options) requirementsIn(why string) []Requirement {
	var entries []reqEntry
	switch o.Source.Kind {
	case SourceRequirements:
		req, err := readRequirements(o.Source.File)
		if err != nil {
			return nil
		}
		entries = req.Entries
	case SourcePyproject:
		text, _ := readText(o.Source.File)
		lines := strings.Split(text, "\n")
		for _, r := range o.Source.Requirements {
			e := reqEntry{Name: requirementName(r), Text: r, File: o.Source.File}
			for i, l := range lines {
				if strings.Contains(l, r) {
					e.Line = i + 1
					break
				}
			}
			entries = append(entries, e)
		}
	}
	var out []Requirement
	for _, e := range entries {
		if e.Name != "" && namedIn(why, e.Name) {
			out = append(out, Requirement{Text: e.Text, File: e.File, Line: e.Line})
		}
	}
	return out
}

// namedIn reports whether text names the package as a word of its own (PEP 503 names: "-", "_"
// and "." are alike, and case does not matter).
func namedIn(text, name string) bool {
	words := strings.FieldsFunc(text, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
	})
	for _, w := range words {
		if normalizeName(strings.Trim(w, "-_.")) == name {
			return true
		}
	}
	return false
}
