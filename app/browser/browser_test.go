package browser

import (
	"strings"
	"testing"
)

func TestCommands(t *testing.T) {
	const u = "http://127.0.0.1:9010/authorize?x=1"
	tests := []struct {
		env, goos string
		want      [][]string
	}{
		{"", "linux", [][]string{{"xdg-open", u}}},
		{"", "darwin", [][]string{{"open", u}}},
		{"", "windows", [][]string{{"rundll32", "url.dll,FileProtocolHandler", u}}},
		{"firefox -new-window:chromium %s --incognito", "linux", [][]string{
			{"firefox", "-new-window", u}, {"chromium", u, "--incognito"}, {"xdg-open", u}}},
		// Windows separates commands as it separates PATH, so a drive letter's colon stays.
		{`C:\Tools\b.exe;"C:\Program Files\Mozilla Firefox\firefox.exe" -new-window`, "windows", [][]string{
			{`C:\Tools\b.exe`, u}, {`C:\Program Files\Mozilla Firefox\firefox.exe`, "-new-window", u},
			{"rundll32", "url.dll,FileProtocolHandler", u}}},
		{`/opt/my browser/b:"/opt/my browser/b" --x`, "linux", [][]string{
			{"/opt/my", "browser/b", u}, {"/opt/my browser/b", "--x", u}, {"xdg-open", u}}},
	}
	for _, tt := range tests {
		got := Commands(tt.env, tt.goos, u)
		if len(got) != len(tt.want) {
			t.Errorf("%q/%s: got %q", tt.env, tt.goos, got)
			continue
		}
		for i := range got {
			if strings.Join(got[i], " ") != strings.Join(tt.want[i], " ") {
				t.Errorf("%q/%s: got %q want %q", tt.env, tt.goos, got, tt.want)
			}
		}
	}
}
