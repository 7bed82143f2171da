package packager

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/goreleaser/nfpm/v2"
	_ "github.com/goreleaser/nfpm/v2/deb" // registers the deb packager
	"github.com/goreleaser/nfpm/v2/files"
	_ "github.com/goreleaser/nfpm/v2/rpm" // registers the rpm packager
)

// desktopEntry is the app's menu entry.
func (b *build) desktopEntry() string {
	return fmt.Sprintf(`[Desktop Entry]
Type=Application
Version=1.0
Name=%s
Comment=%s, a Streamlit app (made with Desklit)
Exec=%s
TryExec=%s
Icon=%s
Terminal=false
Categories=Office;
StartupNotify=true
SingleMainWindow=true
`, b.man.Name, b.man.Name, b.man.AppID, b.man.AppID, b.man.AppID)
}

// linux packs the stage as a .deb and an .rpm (nfpm: the program in /usr/lib/<id>, a command
// /usr/bin/<id>, the menu entry and the icons) and a tarball (the stage with share/ beside it).
func (b *build) linux(stage, work, python string) ([]string, error) {
	id := b.man.AppID
	share := filepath.Join(work, "share")
	if err := b.icon.writeHicolor(filepath.Join(share, "icons", "hicolor"), id); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(share, "applications"), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(share, "applications", id+".desktop"), []byte(b.desktopEntry()), 0o644); err != nil {
		return nil, err
	}
	var contents files.Contents
	for _, tree := range []struct{ root, dest string }{{stage, "/usr/lib/" + id}, {share, "/usr/share"}} {
		c, err := treeContents(tree.root, tree.dest)
		if err != nil {
			return nil, err
		}
		contents = append(contents, c...)
	}
	contents = append(contents, &files.Content{Type: files.TypeSymlink, Source: "/usr/lib/" + id + "/desklit", Destination: "/usr/bin/" + id})
	scripts, err := writeScripts(work)
	if err != nil {
		return nil, err
	}
	info := b.nfpmInfo(contents, scripts, python)
	var out []string
	for _, format := range []string{"deb", "rpm"} {
		f, err := b.nfpm(info, format, work, python)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", format, err)
		}
		out = append(out, f)
	}
	tgz, err := b.tarball(stage, share, work)
	if err != nil {
		return nil, err
	}
	return append(out, tgz), nil
}

// treeContents are the files under root, installed under dest as root-owned with their modes.
func treeContents(root, dest string) (files.Contents, error) {
	var contents files.Contents
	err := walkFiles(root, func(p, rel string, st fs.FileInfo) error {
		contents = append(contents, &files.Content{Source: p, Destination: filepath.ToSlash(filepath.Join(dest, rel)),
			FileInfo: &files.ContentFileInfo{Mode: st.Mode().Perm(), Owner: "root", Group: "root"}})
		return nil
	})
	return contents, err
}

// nfpmInfo describes the .deb and the .rpm: the app's name and version, what it depends on, its
// files and scripts.
func (b *build) nfpmInfo(contents files.Contents, scripts nfpm.Scripts, python string) *nfpm.Info {
	return &nfpm.Info{
		Name: b.man.AppID, Arch: "amd64", Platform: "linux", Version: b.man.Version, VersionSchema: "none",
		Section: "misc", Priority: "optional", Maintainer: b.man.Name + " <nobody@localhost>", Vendor: b.man.Name,
		Description: fmt.Sprintf("%s: a Streamlit app, signed in and offline-ready (made with Desklit %s)", b.man.Name, b.man.Desklit),
		MTime:       time.Now().UTC().Truncate(time.Second),
		Overridables: nfpm.Overridables{
			// Its wheels are for one Python (numpy's cp311 does not install on 3.12): that one, as
			// Debian names its interpreter's package.
			Depends:    []string{"libgtk-3-0", "libwebkit2gtk-4.1-0", "python" + python},
			Recommends: []string{"gnome-keyring"},
			Contents:   contents,
			Scripts:    scripts,
			// zstd at its best level: the payload is mostly wheels and binaries that gzip -9 leaves
			// 13 % above an xz .deb; zstd comes within 4 % in a tenth of the pure-Go xz's time.
			// dpkg reads data.tar.zst since 1.21.18 (Debian 12, Ubuntu 21.10); rpm since 4.14.
			Deb: nfpm.Deb{Compression: "zstd:best"},
			RPM: nfpm.RPM{Summary: b.man.Name + ", a Streamlit app", Compression: "zstd:19"},
		},
	}
}

func (b *build) nfpm(info *nfpm.Info, format, work, python string) (string, error) {
	pkger, err := nfpm.Get(format)
	if err != nil {
		return "", err
	}
	i := *info
	i.Contents = append(files.Contents(nil), info.Contents...)
	if format == "rpm" {
		i.Depends = []string{"gtk3", "webkit2gtk4.1", "python(abi) = " + python} // what every Python package of that version provides
		i.Recommends = []string{"gnome-keyring"}
	}
	ip := nfpm.WithDefaults(&i)
	if err := nfpm.PrepareForPackager(ip, format); err != nil {
		return "", err
	}
	name := filepath.Join(work, pkger.ConventionalFileName(ip))
	f, err := os.Create(name)
	if err != nil {
		return "", err
	}
	if err := pkger.Package(ip, f); err != nil {
		f.Close()
		return "", err
	}
	return name, f.Close()
}

// writeScripts are the package's scripts: the menu and the icon cache learn of the app.
func writeScripts(work string) (nfpm.Scripts, error) {
	body := `#!/bin/sh
set -e
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q /usr/share/applications || true; fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true; fi
exit 0
`
	p := filepath.Join(work, "refresh-menu.sh")
	if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
		return nfpm.Scripts{}, err
	}
	return nfpm.Scripts{PostInstall: p, PostRemove: p}, nil
}

// tarball is <id>-<version>-linux-amd64.tar.gz: the stage, with share/ (the menu entry and the
// icons) and a README beside the binaries.
func (b *build) tarball(stage, share, work string) (string, error) {
	top := fmt.Sprintf("%s-%s-linux-amd64", b.man.AppID, b.man.Version)
	name := filepath.Join(work, top+".tar.gz")
	f, err := os.Create(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	readme := fmt.Sprintf("%s %s (made with Desklit %s)\n\nRun ./desklit, or double-click it. To add it to the menu:\n  mkdir -p ~/.local/share && cp -r share/icons share/applications ~/.local/share/\n  ln -s \"$PWD/desklit\" ~/.local/bin/%s\n",
		b.man.Name, b.man.Version, b.man.Desklit, b.man.AppID)
	if err := tarTree(tw, stage, top); err != nil {
		return "", err
	}
	if err := tarTree(tw, share, top+"/share"); err != nil {
		return "", err
	}
	if err := tw.WriteHeader(&tar.Header{Name: top + "/README.txt", Mode: 0o644, Size: int64(len(readme)), ModTime: time.Now()}); err != nil {
		return "", err
	}
	if _, err := io.WriteString(tw, readme); err != nil {
		return "", err
	}
	if err := tw.Close(); err != nil {
		return "", err
	}
	if err := gz.Close(); err != nil {
		return "", err
	}
	return name, f.Close()
}

// tarTree adds root's files under prefix, owned by root.
func tarTree(tw *tar.Writer, root, prefix string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		name := prefix
		if rel != "." {
			name = prefix + "/" + filepath.ToSlash(rel)
		}
		st, err := d.Info()
		if err != nil {
			return err
		}
		h, err := tar.FileInfoHeader(st, "")
		if err != nil {
			return err
		}
		h.Name, h.Uid, h.Gid, h.Uname, h.Gname = name, 0, 0, "root", "root"
		if d.IsDir() {
			h.Name += "/"
			return tw.WriteHeader(h)
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		return writeFileTo(tw, p)
	})
}

// safeName is a file name made of the app's name (for the Windows and macOS artefacts).
func (b *build) safeName() string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(`<>:"/\|?*`, r) || r < 32 {
			return '-'
		}
		return r
	}, b.man.Name)
}
