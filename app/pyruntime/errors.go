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

// ResolveError is a set of requirements that cannot be satisfied, with the resolver's own words.
type ResolveError struct {
	Name        string
	File        string
	Explanation string
}

func (e *ResolveError) Error() string {
	return fmt.Sprintf("the dependencies of %s (%s) cannot be satisfied:\n%s", e.Name, e.File, e.Explanation)
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
		return &ResolveError{Name: o.name(), File: o.Source.File, Explanation: ue.Error()}
	}
	return err
}
