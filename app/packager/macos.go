package packager

import (
	"fmt"
	"os"
	"path/filepath"
)

// macos lays the stage out as <Name>.app (the binaries in Contents/MacOS, the rest in
// Contents/Resources, where Desklit looks for them) and zips it.
func (b *build) macos(stage, work string) ([]string, error) {
	app := filepath.Join(work, b.safeName()+".app", "Contents")
	for _, d := range []string{"MacOS", "Resources"} {
		if err := os.MkdirAll(filepath.Join(app, d), 0o755); err != nil {
			return nil, err
		}
	}
	entries, err := os.ReadDir(stage)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		dst := filepath.Join(app, "Resources", e.Name())
		if e.Name() == "desklit" || e.Name() == "uv" {
			dst = filepath.Join(app, "MacOS", e.Name())
		}
		if err := os.Rename(filepath.Join(stage, e.Name()), dst); err != nil {
			return nil, err
		}
	}
	icns, err := b.icon.icns()
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(app, "Resources", "icon.icns"), icns, 0o644); err != nil {
		return nil, err
	}
	plist := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>CFBundleName</key><string>%s</string>
  <key>CFBundleDisplayName</key><string>%s</string>
  <key>CFBundleIdentifier</key><string>io.desklit.app.%s</string>
  <key>CFBundleVersion</key><string>%s</string>
  <key>CFBundleShortVersionString</key><string>%s</string>
  <key>CFBundleExecutable</key><string>desklit</string>
  <key>CFBundleIconFile</key><string>icon</string>
  <key>CFBundlePackageType</key><string>APPL</string>
  <key>LSMinimumSystemVersion</key><string>10.15</string>
  <key>NSHighResolutionCapable</key><true/>
</dict>
</plist>
`, b.man.Name, b.man.Name, b.man.AppID, b.man.Version, b.man.Version)
	if err := os.WriteFile(filepath.Join(app, "Info.plist"), []byte(plist), 0o644); err != nil {
		return nil, err
	}
	zipFile := filepath.Join(work, fmt.Sprintf("%s-%s-macos.zip", b.man.AppID, b.man.Version))
	return []string{zipFile}, zipTree(zipFile, filepath.Dir(app), b.safeName()+".app")
}
