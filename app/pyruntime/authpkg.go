package pyruntime

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// authFiles are desklit_auth's files (slash paths under the package folder) and their bytes.
func authFiles(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "__pycache__" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".py") && !strings.HasSuffix(p, ".typed") {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	return files, err
}

// authHash identifies the desklit_auth of the running Desklit ("" when none is installed).
func (o Options) authHash() string {
	if o.AuthPackage == "" {
		return ""
	}
	files, err := authFiles(o.AuthPackage)
	if err != nil || len(files) == 0 {
		return "unreadable"
	}
	h := sha256.New()
	for _, name := range slices.Sorted(mapKeys(files)) {
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(files[name]))
		h.Write(files[name])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// authWheel writes desklit_auth as a wheel into dir: version 0+<hash>, so that the environment's
// metadata says which Desklit's package it holds. It depends on requests, which every lock has.
func (o Options) authWheel(dir string) (string, error) {
	files, err := authFiles(o.AuthPackage)
	if err != nil {
		return "", fmt.Errorf("read desklit_auth: %w", err)
	}
	if _, ok := files["__init__.py"]; !ok {
		return "", fmt.Errorf("%s is not the desklit_auth package (no __init__.py)", o.AuthPackage)
	}
	version := "0+" + o.authHash()[:12]
	info := "desklit_auth-" + version + ".dist-info/"
	entries := map[string][]byte{
		info + "METADATA": []byte("Metadata-Version: 2.1\nName: desklit-auth\nVersion: " + version +
			"\nSummary: Desklit's sign-in component host for Streamlit apps\nRequires-Dist: requests\n"),
		info + "WHEEL":     []byte("Wheel-Version: 1.0\nGenerator: desklit\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
		info + "INSTALLER": []byte("desklit\n"),
	}
	for name, data := range files {
		entries["desklit_auth/"+name] = data
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var record strings.Builder
	for _, name := range slices.Sorted(mapKeys(entries)) {
		w, err := zw.Create(name)
		if err != nil {
			return "", err
		}
		if _, err := w.Write(entries[name]); err != nil {
			return "", err
		}
		sum := sha256.Sum256(entries[name])
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", name, base64.RawURLEncoding.EncodeToString(sum[:]), len(entries[name]))
	}
	record.WriteString(info + "RECORD,,\n")
	w, err := zw.Create(info + "RECORD")
	if err != nil {
		return "", err
	}
	if _, err := w.Write([]byte(record.String())); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "desklit_auth-"+version+"-py3-none-any.whl")
	return path, os.WriteFile(path, buf.Bytes(), 0o644)
}

// installAuth installs desklit_auth into the environment of python (no index, no dependencies).
func (o Options) installAuth(ctx context.Context, python string) error {
	if o.AuthPackage == "" {
		return nil
	}
	tmp, err := os.MkdirTemp("", "desklit-auth-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	wheel, err := o.authWheel(tmp)
	if err != nil {
		return err
	}
	args := []string{"pip", "install", "--python", python, "--offline", "--no-index", "--no-config", "--no-deps", "--reinstall", "--quiet", wheel}
	if err := o.runUV(ctx, false, args, nil, nil); err != nil {
		return buildError("install desklit_auth", err)
	}
	return nil
}

// updateAuth brings an environment's desklit_auth to this Desklit's version in place (after an
// upgrade of Desklit): install, check, new manifest and marker. It runs under the build lock.
func (o Options) updateAuth(ctx context.Context, env Env) error {
	o.logger().Info("updating desklit_auth in the python environment", "dir", env.Dir)
	o.report(Progress{Step: StepCheck, Percent: pctInstallEnd, Message: "updating Desklit's sign-in package"})
	if err := os.Remove(filepath.Join(env.Dir, markerName)); err != nil {
		return err
	}
	if err := o.installAuth(ctx, env.Python); err != nil {
		return err
	}
	return o.writeChecked(ctx, env.Dir, env.Key)
}
