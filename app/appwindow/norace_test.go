//go:build !race

package appwindow

const raceDetector = false
