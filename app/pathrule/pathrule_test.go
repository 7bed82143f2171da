package pathrule

import "testing"

func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		pattern string
		ok      bool
	}{
		{"/api/ping", true}, {"/api/admin/*", true}, {"/api/*/items", true}, {"/*", true},
		{"api/ping", false}, {"", false}, {"/api/[a-", false}, {"/api/x\\", false},
		{"/api/a b", false}, {"/api#x", false},
	} {
		if err := Check(tt.pattern); (err == nil) != tt.ok {
			t.Errorf("Check(%q) = %v, want ok=%v", tt.pattern, err, tt.ok)
		}
	}
}

func TestMatch(t *testing.T) {
	for _, tt := range []struct {
		pattern, path string
		want          bool
	}{
		{"/api/ping", "/api/ping", true},
		{"/api/ping", "/api/ping/", false},
		{"/api/ping", "/api/pings", false},
		{"/api/admin/*", "/api/admin/users/7", true},
		{"/api/admin/*", "/api/admin", true},
		{"/api/admin/*", "/api/administrator", false},
		{"/api/admin/*", "/api/x/../admin/users", true},
		{"/api/admin/*", "//api//admin/x", true},
		{"/api/ping", "/api/admin/../ping", true},
		{"/api/*/items", "/api/7/items", true},
		{"/api/*/items", "/api/7/8/items", false},
		{"/api/*/admin/*", "/api/7/admin/x/y", true},
		{"/api/*/admin/*", "/api/7/other/x", false},
		{"/*", "/anything/at/all", true},
	} {
		if got := Match(tt.pattern, tt.path); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}
