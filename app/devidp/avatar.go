package devidp

import (
	"fmt"
	"hash/fnv"
	"html"
	"net/http"
	"strings"
	"unicode"

	"github.com/go-chi/chi/v5"
)

// AvatarPath is where the provider draws its demo users' pictures: AvatarPath + username + ".svg".
const AvatarPath = "/avatars/"

// avatarColours are the backgrounds of the drawn pictures, one per user by name.
var avatarColours = []string{"#3f51b5", "#00897b", "#6d4c41", "#8e24aa", "#c62828", "#2e7d32", "#ef6c00", "#37474f"}

// avatar draws a demo user's picture: the initials of the name on a colour of its own, as an
// SVG (no network, no file). 404 for a user the provider does not have.
func (s *storage) avatar(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSuffix(chi.URLParam(r, "file"), ".svg")
	var user *User
	for i := range s.users {
		if s.users[i].Username == name {
			user = &s.users[i]
		}
	}
	if user == nil || !strings.HasSuffix(chi.URLParam(r, "file"), ".svg") {
		http.NotFound(w, r)
		return
	}
	initials := ""
	for _, word := range strings.Fields(user.Name) {
		if r := []rune(word); len(r) > 0 && len([]rune(initials)) < 2 {
			initials += string(unicode.ToUpper(r[0]))
		}
	}
	h := fnv.New32a()
	h.Write([]byte(user.Username))
	colour := avatarColours[h.Sum32()%uint32(len(avatarColours))]
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">`+
		`<circle cx="48" cy="48" r="48" fill="%s"/>`+
		`<text x="48" y="48" dy=".35em" text-anchor="middle" font-family="sans-serif" font-size="38" fill="#fff">%s</text></svg>`,
		colour, html.EscapeString(initials))
}
