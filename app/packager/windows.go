package packager

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"github.com/tc-hib/winres"
	"github.com/tc-hib/winres/version"
)

// windows brands Desklit's executable as the app (<id>.exe: its name and version in the version
// resource, its icon) and packs the stage as an NSIS installer (makensis) and a portable zip.
func (b *build) windows(ctx context.Context, stage, work string) ([]string, error) {
	exe := b.man.AppID + ".exe"
	if err := b.brandExe(filepath.Join(stage, "desklit.exe"), filepath.Join(stage, exe)); err != nil {
		return nil, fmt.Errorf("windows: %w", err)
	}
	if err := os.Remove(filepath.Join(stage, "desklit.exe")); err != nil {
		return nil, err
	}
	base := fmt.Sprintf("%s-%s-windows-amd64", b.man.AppID, b.man.Version)
	zipFile := filepath.Join(work, base+".zip")
	if err := zipTree(zipFile, stage, b.safeName()); err != nil {
		return nil, err
	}
	out := []string{zipFile}
	makensis, err := exec.LookPath("makensis")
	if err != nil {
		b.step("windows: makensis (NSIS) is not installed: made only the portable zip (Debian: apt install nsis)")
		return out, nil
	}
	installer := filepath.Join(work, base+"-installer.exe")
	if err := b.nsis(ctx, makensis, stage, exe, installer, work); err != nil {
		return nil, err
	}
	return append(out, installer, installer+".log"), nil
}

// numericVersion is the version as Windows wants it: four numbers.
func numericVersion(v string) string {
	nums := regexp.MustCompile(`^[0-9]+(\.[0-9]+){0,3}`).FindString(v)
	parts := strings.Split(nums, ".")
	for len(parts) < 4 {
		parts = append(parts, "0")
	}
	if parts[0] == "" {
		parts[0] = "0"
	}
	return strings.Join(parts[:4], ".")
}

func (b *build) brandExe(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	rs, err := winres.LoadFromEXE(in)
	if err != nil {
		return fmt.Errorf("read the resources of %s: %w", src, err)
	}
	var vi version.Info
	vi.SetFileVersion(numericVersion(b.man.Version))
	vi.SetProductVersion(numericVersion(b.man.Version))
	for k, v := range map[string]string{
		"CompanyName": b.man.Name, "FileDescription": b.man.Name, "ProductName": b.man.Name,
		"InternalName": b.man.AppID, "OriginalFilename": b.man.AppID + ".exe", "ProductVersion": b.man.Version,
		"FileVersion": numericVersion(b.man.Version), "LegalCopyright": "", "Comments": "Made with Desklit " + b.man.Desklit,
	} {
		if err := vi.Set(0x0409, k, v); err != nil {
			return err
		}
	}
	rs.SetVersionInfo(vi)
	ico, err := b.icon.windowsIcon()
	if err != nil {
		return err
	}
	if err := rs.SetIcon(winres.Name("APP"), ico); err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := in.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if err := rs.WriteToEXE(&buf, in, winres.ForceCheckSum()); err != nil {
		return fmt.Errorf("brand %s: %w", src, err)
	}
	return os.WriteFile(dst, buf.Bytes(), 0o755)
}

var nsisTemplate = template.Must(template.New("nsi").Parse(`Target amd64-unicode
RequestExecutionLevel admin
!include "x64.nsh"
!include "LogicLib.nsh"
Name "{{.Name}}"
OutFile "{{.Out}}"
InstallDir "$PROGRAMFILES64\{{.Name}}"
SetCompressor /SOLID lzma
VIProductVersion "{{.NumVersion}}"
VIFileVersion "{{.NumVersion}}"
VIAddVersionKey "ProductName" "{{.Name}}"
VIAddVersionKey "FileDescription" "{{.Name}} installer"
VIAddVersionKey "ProductVersion" "{{.Version}}"
VIAddVersionKey "FileVersion" "{{.NumVersion}}"
VIAddVersionKey "CompanyName" "{{.Name}}"
VIAddVersionKey "LegalCopyright" ""
Icon "{{.Icon}}"
UninstallIcon "{{.Icon}}"
Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\{{.ID}}"

Section
  SetShellVarContext all
{{- if .WebView2}}
  SetRegView 64
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}" "pv"
  ${If} $0 == ""
    InitPluginsDir
    SetOutPath "$PLUGINSDIR"
    File "{{.WebView2}}"
    ExecWait '"$PLUGINSDIR\MicrosoftEdgeWebview2Setup.exe" /silent /install'
  ${EndIf}
{{- end}}
  SetOutPath "$INSTDIR"
  File /r "{{.Stage}}/*"
  CreateShortcut "$SMPROGRAMS\{{.Name}}.lnk" "$INSTDIR\{{.Exe}}"
  CreateShortcut "$DESKTOP\{{.Name}}.lnk" "$INSTDIR\{{.Exe}}"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "{{.Name}}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "{{.Version}}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\{{.Exe}}"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
SectionEnd

Section "uninstall"
  SetShellVarContext all
  RMDir /r "$INSTDIR"
  Delete "$SMPROGRAMS\{{.Name}}.lnk"
  Delete "$DESKTOP\{{.Name}}.lnk"
  DeleteRegKey HKLM "${UNINST_KEY}"
SectionEnd
`))

// nsis writes the installer script and runs makensis (warnings are errors); its log goes beside
// the installer as <installer>.log (its file list, for checks).
func (b *build) nsis(ctx context.Context, makensis, stage, exe, installer, work string) error {
	icoFile := filepath.Join(work, "app.ico")
	ico, err := b.icon.windowsIcon()
	if err != nil {
		return err
	}
	f, err := os.Create(icoFile)
	if err != nil {
		return err
	}
	if err := ico.SaveICO(f); err != nil {
		f.Close()
		return err
	}
	f.Close()
	data := map[string]string{"Name": b.man.Name, "ID": b.man.AppID, "Version": b.man.Version, "NumVersion": numericVersion(b.man.Version),
		"Out": installer, "Stage": stage, "Exe": exe, "Icon": icoFile, "WebView2": b.webView2()}
	var script bytes.Buffer
	if err := nsisTemplate.Execute(&script, data); err != nil {
		return err
	}
	nsi := filepath.Join(work, "installer.nsi")
	if err := os.WriteFile(nsi, script.Bytes(), 0o644); err != nil {
		return err
	}
	b.step("windows: makensis")
	var log bytes.Buffer
	cmd := exec.CommandContext(ctx, makensis, "-WX", "-V4", nsi)
	cmd.Stdout, cmd.Stderr = &log, &log
	err = cmd.Run()
	if werr := os.WriteFile(installer+".log", log.Bytes(), 0o644); werr != nil && err == nil {
		err = werr
	}
	if err != nil {
		return fmt.Errorf("makensis: %v\n%s", err, lastLines(log.String(), 15))
	}
	return nil
}

// webView2 is Microsoft's WebView2 bootstrapper from the Windows binaries' folder ("" when there
// is none: the installer then relies on Windows 10/11 having the runtime).
func (b *build) webView2() string {
	found := ""
	if b.o.Binaries == "" {
		return ""
	}
	_ = filepath.WalkDir(b.o.Binaries, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.EqualFold(d.Name(), "MicrosoftEdgeWebview2Setup.exe") && found == "" {
			found = p
		}
		return nil
	})
	return found
}

// zipTree writes root's files under the folder top into a zip.
func zipTree(name, root, top string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	err = walkFiles(root, func(p, rel string, st fs.FileInfo) error {
		h, err := zip.FileInfoHeader(st)
		if err != nil {
			return err
		}
		h.Name, h.Method = top+"/"+filepath.ToSlash(rel), zip.Deflate
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		return writeFileTo(w, p)
	})
	if err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}
