package packager

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/desklit/desklit/app/pyruntime"
)

// build makes the wheel of a package that has no wheel for p, only a source distribution
// (hash-checked against the lock), with pip, here: a pure-Python wheel (py3-none-any) serves
// every target; a wheel for this system only (a C extension: markupsafe 2.1.1 has no wheel for
// CPython 3.11) serves a target that is this system, as it serves Desklit's own environments, and
// is refused for any other with a NoWheelError. It returns the wheel's path and its SHA-256; the
// wheel is kept for the next package.
func (w wheelSource) build(ctx context.Context, pin pyruntime.Pin, p pyruntime.Platform) (string, string, error) {
	dir := filepath.Join(w.cache, "built", pin.Name+"-"+pin.Version)
	if wheel := w.builtWheel(dir, pin, p); wheel != "" {
		return fileSum(wheel)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	// --no-binary for it alone: for all, pip would build its build requirements from their
	// sources too (numpy, Cython: 17 minutes for scikit-surprise instead of one).
	if out, err := w.pip(ctx, []string{"wheel", "--no-cache-dir", "--no-binary=" + pin.Name, "-w", dir}, []pyruntime.Pin{pin}, dir); err != nil {
		if ctx.Err() != nil {
			return "", "", ctx.Err()
		}
		return "", "", &NoWheelError{Package: pin.Name + "==" + pin.Version, Platform: p,
			Detail: "it has no wheel, and its source distribution did not build into one here:\n" + lastLines(out, 8)}
	}
	if wheel := w.builtWheel(dir, pin, p); wheel != "" {
		return fileSum(wheel)
	}
	return "", "", &NoWheelError{Package: pin.Name + "==" + pin.Version, Platform: p,
		Detail: fmt.Sprintf("it has no wheel for %s, and its source distribution builds one for %s only (it is not pure Python): build the wheel on a %s system and put it in the project's wheels/ folder", p, w.host, p)}
}

// builtWheel is a wheel of pin in dir that installs on p ("" when there is none): a pure one, or
// one for this system when p is this system.
func (w wheelSource) builtWheel(dir string, pin pyruntime.Pin, p pyruntime.Platform) string {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, ".whl") && p.WheelFits(name, pin) && (strings.HasSuffix(name, "-none-any.whl") || p == w.host) {
			return filepath.Join(dir, name)
		}
	}
	return ""
}

func fileSum(path string) (string, string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", "", err
	}
	sum := sha256.Sum256(data)
	return path, hex.EncodeToString(sum[:]), nil
}

// pinLineRE finds the first line of a requirement in a uv lock: "name==version" and what follows
// on that line (markers, the continuation).
var pinLineRE = regexp.MustCompile(`(?m)^([A-Za-z0-9._-]+)==([^\s;\\]+)[^\n]*\\\n`)

// addHash adds a hash to pin's entry in a hash lock (uv's format: "name==version \" then one
// "    --hash=…" line each), so that the wheel built from source installs with --require-hashes.
func addHash(lock []byte, pin pyruntime.Pin, hash string) ([]byte, error) {
	for _, m := range pinLineRE.FindAllSubmatchIndex(lock, -1) {
		name, version := string(lock[m[2]:m[3]]), string(lock[m[4]:m[5]])
		if !strings.EqualFold(strings.NewReplacer("_", "-", ".", "-").Replace(name), pin.Name) || version != pin.Version {
			continue
		}
		out := append([]byte{}, lock[:m[1]]...)
		out = append(out, "    --hash="+hash+" \\\n"...)
		return append(out, lock[m[1]:]...), nil
	}
	return nil, fmt.Errorf("the lock has no entry for %s==%s", pin.Name, pin.Version)
}
