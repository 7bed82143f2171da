package devidp

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"html"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"sync"
	"unicode"

	"github.com/go-chi/chi/v5"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// AvatarPath is where the provider draws its demo users' pictures: AvatarPath + username +
// ".png" (the picture claim: a PNG, as Google's are JPEGs, so that an app that downloads it and
// opens it with Pillow can), or ".svg".
const AvatarPath = "/avatars/"

// avatarColours are the backgrounds of the drawn pictures, one per user by name.
var avatarColours = []color.RGBA{{0x3f, 0x51, 0xb5, 0xff}, {0x00, 0x89, 0x7b, 0xff}, {0x6d, 0x4c, 0x41, 0xff}, {0x8e, 0x24, 0xaa, 0xff},
	{0xc6, 0x28, 0x28, 0xff}, {0x2e, 0x7d, 0x32, 0xff}, {0xef, 0x6c, 0x00, 0xff}, {0x37, 0x47, 0x4f, 0xff}}

const avatarSize = 96

// avatar draws a demo user's picture: the initials of the name on a colour of its own, as a PNG
// or an SVG (no network, no file). 404 for a user the provider does not have.
func (s *storage) avatar(w http.ResponseWriter, r *http.Request) {
	file := chi.URLParam(r, "file")
	name, ext := file, ""
	if i := strings.LastIndexByte(file, '.'); i >= 0 {
		name, ext = file[:i], file[i:]
	}
	var user *User
	for i := range s.users {
		if s.users[i].Username == name {
			user = &s.users[i]
		}
	}
	if user == nil || ext != ".png" && ext != ".svg" {
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
	bg := avatarColours[h.Sum32()%uint32(len(avatarColours))]
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	if ext == ".svg" {
		w.Header().Set("Content-Type", "image/svg+xml")
		fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">`+
			`<circle cx="48" cy="48" r="48" fill="#%02x%02x%02x"/>`+
			`<text x="48" y="48" dy=".35em" text-anchor="middle" font-family="sans-serif" font-size="38" fill="#fff">%s</text></svg>`,
			bg.R, bg.G, bg.B, html.EscapeString(initials))
		return
	}
	data, err := avatarPNG(initials, bg)
	if err != nil {
		http.Error(w, "the picture could not be drawn", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(data)
}

// avatarFace is Go Bold at the initials' size, parsed once.
var avatarFace = sync.OnceValues(func() (font.Face, error) {
	f, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, err
	}
	return opentype.NewFace(f, &opentype.FaceOptions{Size: 38, DPI: 72, Hinting: font.HintingFull})
})

// avatarPNG draws the initials in white on a disc of bg (its edge smoothed: 4×4 samples a pixel).
func avatarPNG(initials string, bg color.RGBA) ([]byte, error) {
	face, err := avatarFace()
	if err != nil {
		return nil, err
	}
	img := image.NewRGBA(image.Rect(0, 0, avatarSize, avatarSize))
	const r = avatarSize / 2.0
	for y := 0; y < avatarSize; y++ {
		for x := 0; x < avatarSize; x++ {
			in := 0
			for sy := 0; sy < 4; sy++ {
				for sx := 0; sx < 4; sx++ {
					dx, dy := float64(x)+(float64(sx)+0.5)/4-r, float64(y)+(float64(sy)+0.5)/4-r
					if dx*dx+dy*dy <= r*r {
						in++
					}
				}
			}
			a := uint32(in) * 0xff / 16 // premultiplied: each channel scaled by the coverage
			img.SetRGBA(x, y, color.RGBA{uint8(uint32(bg.R) * a / 0xff), uint8(uint32(bg.G) * a / 0xff), uint8(uint32(bg.B) * a / 0xff), uint8(a)})
		}
	}
	d := &font.Drawer{Dst: img, Src: image.White, Face: face}
	m := face.Metrics()
	d.Dot = fixed.Point26_6{X: (fixed.I(avatarSize) - d.MeasureString(initials)) / 2, Y: (fixed.I(avatarSize) + m.CapHeight) / 2}
	d.DrawString(initials)
	var out bytes.Buffer
	if err := png.Encode(&out, img); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
