// Package bundle unpacks the files the binary carries (the Streamlit app and its Python package)
// into the user's data directory and keeps them intact: each file is checked by SHA-256 at every
// start, and a missing or changed file is restored from the binary.
package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// ManifestName is the file, inside the destination, that lists every unpacked file's hash.
const ManifestName = ".desklit-manifest.json"

// Report says what Unpack did.
type Report struct {
	Files    int      // files in the bundle
	Restored []string // files written because they were missing or did not match
	Removed  []string // files that an earlier bundle had and this one does not
}

type manifest struct {
	Files map[string]string `json:"files"` // slash path -> sha256 hex
}

// Unpack makes dest hold exactly the files of fsys (plus whatever else the user put there that no
// bundle ever owned). Files are written to a temporary name and renamed, so a crash mid-way leaves
// either the old or the new file, never half of one.
func Unpack(fsys fs.FS, dest string) (Report, error) {
	var rep Report
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return rep, fmt.Errorf("create %s: %w", dest, err)
	}
	old := readManifest(filepath.Join(dest, ManifestName))
	want := manifest{Files: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		h := hex.EncodeToString(sum[:])
		want.Files[p] = h
		target := filepath.Join(dest, filepath.FromSlash(p))
		if fileHash(target) == h {
			return nil
		}
		if err := writeAtomic(target, data); err != nil {
			return err
		}
		rep.Restored = append(rep.Restored, p)
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("unpack into %s: %w", dest, err)
	}
	rep.Files = len(want.Files)
	for p := range old.Files {
		if _, ok := want.Files[p]; !ok {
			if err := os.Remove(filepath.Join(dest, filepath.FromSlash(p))); err == nil {
				rep.Removed = append(rep.Removed, p)
			}
		}
	}
	sort.Strings(rep.Restored)
	sort.Strings(rep.Removed)
	data, _ := json.MarshalIndent(want, "", " ")
	if err := writeAtomic(filepath.Join(dest, ManifestName), data); err != nil {
		return rep, fmt.Errorf("write manifest: %w", err)
	}
	return rep, nil
}

func readManifest(p string) manifest {
	var m manifest
	data, err := os.ReadFile(p)
	if err == nil {
		_ = json.Unmarshal(data, &m)
	}
	return m
}

func fileHash(p string) string {
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

func writeAtomic(target string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), ".unpack-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
