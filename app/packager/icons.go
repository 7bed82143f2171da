package packager

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	"github.com/srwiley/oksvg"
	"github.com/srwiley/rasterx"
	"github.com/tc-hib/winres"
	"golang.org/x/image/draw"
)

// hicolorSizes are the sizes of the Linux icon theme's apps icons.
var hicolorSizes = []int{16, 22, 24, 32, 48, 64, 128, 256, 512}

// icon is the app's icon, loaded once at its largest and scaled to every size a platform wants.
type icon struct{ img image.Image }

// loadIcon reads a PNG or an SVG (rendered at 1024 px). A PNG smaller than 256 px is refused:
// every platform wants at least that.
func loadIcon(file string) (*icon, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("icon: %w", err)
	}
	switch strings.ToLower(filepath.Ext(file)) {
	case ".svg":
		svg, err := oksvg.ReadIconStream(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("icon %s: %w", file, err)
		}
		const size = 1024
		svg.SetTarget(0, 0, size, size)
		rgba := image.NewRGBA(image.Rect(0, 0, size, size))
		svg.Draw(rasterx.NewDasher(size, size, rasterx.NewScannerGV(size, size, rgba, rgba.Bounds())), 1)
		return &icon{img: rgba}, nil
	case ".png":
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("icon %s: %w", file, err)
		}
		if b := img.Bounds(); b.Dx() < 256 || b.Dy() < 256 {
			return nil, fmt.Errorf("icon %s is %dx%d: give a PNG of at least 256x256 (or an SVG)", file, b.Dx(), b.Dy())
		}
		return &icon{img: img}, nil
	}
	return nil, fmt.Errorf("icon %s: give a .png or an .svg", file)
}

// scaled is the icon at size×size (square: a wide image is fitted, centred).
func (i *icon) scaled(size int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, size, size))
	b := i.img.Bounds()
	w, h := size, size
	if b.Dx() > b.Dy() {
		h = size * b.Dy() / b.Dx()
	} else if b.Dy() > b.Dx() {
		w = size * b.Dx() / b.Dy()
	}
	r := image.Rect((size-w)/2, (size-h)/2, (size-w)/2+w, (size-h)/2+h)
	draw.CatmullRom.Scale(dst, r, i.img, b, draw.Over, nil)
	return dst
}

func (i *icon) png(size int) ([]byte, error) {
	var buf bytes.Buffer
	err := png.Encode(&buf, i.scaled(size))
	return buf.Bytes(), err
}

// writeHicolor writes dir/<size>x<size>/apps/<name>.png for the Linux icon theme.
func (i *icon) writeHicolor(dir, name string) error {
	for _, s := range hicolorSizes {
		data, err := i.png(s)
		if err != nil {
			return err
		}
		p := filepath.Join(dir, fmt.Sprintf("%dx%d", s, s), "apps", name+".png")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// windowsIcon is the icon for a Windows executable (16 to 256 px).
func (i *icon) windowsIcon() (*winres.Icon, error) {
	return winres.NewIconFromResizedImage(i.img, []int{16, 24, 32, 48, 64, 128, 256})
}

// icns is the icon as a macOS .icns file: PNG images from 16 to 1024 px.
func (i *icon) icns() ([]byte, error) {
	var body bytes.Buffer
	for _, e := range []struct {
		typ  string
		size int
	}{{"icp4", 16}, {"icp5", 32}, {"icp6", 64}, {"ic07", 128}, {"ic08", 256}, {"ic09", 512}, {"ic10", 1024}} {
		data, err := i.png(e.size)
		if err != nil {
			return nil, err
		}
		body.WriteString(e.typ)
		_ = binary.Write(&body, binary.BigEndian, uint32(8+len(data)))
		body.Write(data)
	}
	var out bytes.Buffer
	out.WriteString("icns")
	_ = binary.Write(&out, binary.BigEndian, uint32(8+body.Len()))
	out.Write(body.Bytes())
	return out.Bytes(), nil
}
