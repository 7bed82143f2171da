package main

import (
	"fmt"
	"os/exec"
)

// rgb is one exact pixel colour.
type rgb struct{ r, g, b byte }

// The app's page is visible when the screen holds both of the colours that only the app's
// script draws, each on at least minPixels pixels: the "Years" slider's track and handle as
// WebKit draws them (rendered with the script's first widgets) and the line of the "Balance over time"
// chart, the page's last element, drawn once Vega has loaded (Streamlit's first chart colour).
// Neither Desklit's own bar nor Streamlit's skeleton uses either colour.
var (
	sliderRed = rgb{197, 57, 72}
	chartBlue = rgb{0, 104, 201}
)

const minPixels = 150

// grab is the whole X screen (DISPLAY) as packed 8-bit RGB, from ImageMagick's `import`.
func grab() ([]byte, error) {
	px, err := exec.Command("import", "-silent", "-window", "root", "-depth", "8", "rgb:-").Output()
	if err != nil {
		return nil, fmt.Errorf("import -window root: %w", err)
	}
	if len(px) == 0 || len(px)%3 != 0 {
		return nil, fmt.Errorf("screen grab: %d bytes is not packed RGB", len(px))
	}
	return px, nil
}

// count is how many pixels of px have exactly colour c.
func count(px []byte, c rgb) int {
	n := 0
	for i := 0; i+2 < len(px); i += 3 {
		if px[i] == c.r && px[i+1] == c.g && px[i+2] == c.b {
			n++
		}
	}
	return n
}

// visible tells whether the screen shows the app's page (see sliderRed, chartBlue).
func visible() (bool, error) {
	px, err := grab()
	if err != nil {
		return false, err
	}
	return count(px, sliderRed) >= minPixels && count(px, chartBlue) >= minPixels, nil
}
