package pyruntime

import (
	"cmp"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

// GitFetchError is a requirement installed from its Git repository (`git+https://…`, `name @
// git+…`) that uv could not fetch: the repository's host cannot be reached (no internet, a
// company network), the repository is private or gone, Git is not installed (most Windows
// computers), or Desklit is offline.
type GitFetchError struct {
	Name        string       // the project's name
	Repository  string       // the repository's URL, as git was given it
	Requirement *Requirement // the project's line that names it, when found
	Reason      string       // git's own words ("Could not resolve host: github.com")
	NotFound    bool         // the host answered that there is no such repository
	NoGit       bool         // Git is not installed
	Offline     bool         // Desklit is offline: nothing is fetched
	Wheels      string       // the project's wheels/ folder
	Err         error
}

func (e *GitFetchError) Error() string {
	var b strings.Builder
	what := e.Repository
	if e.Requirement != nil {
		what = e.Requirement.String()
	}
	fmt.Fprintf(&b, "%s needs %s, which is installed from its Git repository", e.Name, what)
	switch {
	case e.NoGit:
		b.WriteString(", and Git is not installed: install Git (https://git-scm.com/downloads; on Windows `winget install Git.Git`), then open the app again.")
		return b.String()
	case e.Offline:
		b.WriteString(", and Desklit is offline (DESKLIT_OFFLINE): turn offline mode off and open the app again")
	case e.NotFound:
		b.WriteString(", and its host has no repository at that address (it is private, or it is gone): " +
			"check the address (for a private repository, make sure Git can sign in to it) and open the app again")
	default:
		b.WriteString(", and the repository could not be fetched")
		if e.Reason != "" {
			fmt.Fprintf(&b, " (git: %s)", e.Reason)
		}
		b.WriteString(": connect to the internet (for a private repository, make sure Git can sign in to it) and open the app again")
	}
	fmt.Fprintf(&b, ", or replace that line with the package's name and version and put its wheel in %s.", e.Wheels)
	return b.String()
}

func (e *GitFetchError) Unwrap() error { return e.Err }

var (
	// gitCommandRE finds the repository in the git command uv ran ("`/usr/bin/git fetch --force
	// --update-head-ok 'https://github.com/o/r.git' '+HEAD:…'`").
	gitCommandRE = regexp.MustCompile(`git(?:\.exe)? (?:fetch|clone)\b[^']*'([^']+)'`)
	// gitFatalRE is git's own reason ("fatal: unable to access 'URL': Could not resolve host:
	// github.com", "fatal: repository 'URL' not found", "fatal: could not read Username …").
	gitFatalRE      = regexp.MustCompile(`fatal: (?:unable to access '[^']*': )?(.+)`)
	gitRepositoryRE = regexp.MustCompile(`fatal: repository '([^']+)' not found`)
)

// readGit is what uv's output says about a Git dependency it could not fetch: the repository
// and git's reason; ok is false when the failure was not a Git fetch. uv says "Git operation
// failed" (online, or offline: "Remote Git fetches are not allowed because network connectivity
// is disabled") and "Git executable not found" without Git.
func readGit(lines []string) (repo, reason string, noGit, notFound, ok bool) {
	text := strings.Join(lines, "\n")
	noGit = strings.Contains(text, "Git executable not found")
	if !noGit && !strings.Contains(text, "Git operation failed") {
		return "", "", false, false, false
	}
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if m := gitCommandRE.FindStringSubmatch(l); m != nil && repo == "" {
			repo = m[1]
		}
		if m := gitRepositoryRE.FindStringSubmatch(l); m != nil {
			repo, notFound = m[1], true
		} else if m := gitFatalRE.FindStringSubmatch(l); m != nil {
			reason = strings.TrimSpace(m[1])
		}
	}
	return strings.TrimSuffix(repo, "/"), reason, noGit, notFound, true
}

// gitError is err as a GitFetchError when uv could not fetch a Git dependency; nil otherwise.
func (o Options) gitError(err error) error {
	var ue *uvError
	if !errors.As(err, &ue) {
		return nil
	}
	repo, reason, noGit, notFound, ok := readGit(ue.lines)
	if !ok {
		return nil
	}
	e := &GitFetchError{Name: o.name(), Repository: repo, Reason: reason, NoGit: noGit, NotFound: notFound, Offline: o.Offline,
		Wheels: filepath.Join(o.Source.dir(), "wheels"), Err: err}
	// The project's line for it: the one naming the repository, or (offline, when uv ran no git
	// to name it) the first that installs from Git.
	find := cmp.Or(strings.TrimSuffix(repo, ".git"), "git+")
	for _, r := range o.projectEntries() {
		if strings.Contains(r.Text, find) {
			req := r.requirement()
			e.Requirement = &req
			break
		}
	}
	if e.Repository == "" && e.Requirement != nil {
		e.Repository = e.Requirement.Text
	}
	return e
}
