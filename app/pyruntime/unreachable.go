package pyruntime

import (
	"fmt"
	neturl "net/url"
	"path/filepath"
	"strings"
)

// SourceUnreachableError is a package source the project's own requirements name (a
// `--find-links` or `--extra-index-url` line: a company's wheel server, PyTorch's CPU index) that
// could not be reached. pip warns and goes on without it; uv, which Desklit resolves with,
// stops. Saying "the package index is not reachable" would send the user to check a connection
// that works.
type SourceUnreachableError struct {
	Name   string // the project's name
	URL    string // the source, as the requirements name it
	File   string // the requirements file that names it
	Reason string // uv's last words for it ("dns error", "Connection refused (os error 111)")
	// After is what follows the source on its line ("GDAL" of "--find-links=URL GDAL"): pip
	// passes over it, uv makes it part of the address it asks for.
	After string
	Err   error
}

func (e *SourceUnreachableError) Error() string {
	msg := fmt.Sprintf("%s's requirements (%s) name the package source %s, which could not be reached", e.Name, filepath.Base(e.File), e.URL)
	if e.Reason != "" {
		msg += " (" + e.Reason + ")"
	}
	if e.After != "" {
		msg += fmt.Sprintf(". Its line goes on after the address (%q), which pip passes over and Desklit's resolver takes as part of the address: take %q out of that line, or put it on a line of its own if it is a package", e.After, e.After)
		return msg + "; then open the app again."
	}
	return msg + ": connect to the network it is on (a company network, a VPN) and open the app again, or take that line out of " +
		filepath.Base(e.File) + " if the packages it served are on the package index (pip goes on without a source it cannot reach; Desklit's resolver does not)."
}

func (e *SourceUnreachableError) Unwrap() error { return e.Err }

// sourceUnreachable is err as a SourceUnreachableError when the URL uv could not fetch is one of
// the project's own extra package sources; nil otherwise (an index, or no URL named).
func (o Options) sourceUnreachable(err error) error {
	uv := readUV(err)
	if uv.fetch == "" {
		return nil
	}
	sources := o.projectSources()
	for i := 0; i+1 < len(sources); i += 2 {
		// An extra source, which pip goes on without; the project's --index-url is its index, an
		// unreachable one as the package index's (offlineFailure).
		url := sources[i+1]
		if (sources[i] == "--find-links" || sources[i] == "--extra-index-url") && strings.HasPrefix(uv.fetch, strings.TrimSuffix(url, "/")) {
			after, _ := neturl.PathUnescape(strings.TrimPrefix(uv.fetch, url))
			if !strings.HasPrefix(after, " ") {
				after = ""
			}
			return &SourceUnreachableError{Name: o.name(), URL: url, File: o.Source.File, Reason: uv.cause, After: strings.TrimSpace(after), Err: err}
		}
	}
	return nil
}
