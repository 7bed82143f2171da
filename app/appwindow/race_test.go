//go:build race

package appwindow

// raceDetector: the tests run under -race, where heavy compression takes minutes.
const raceDetector = true
