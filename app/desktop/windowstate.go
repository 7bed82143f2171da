package desktop

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WindowState is the remembered size and position of the main window.
type WindowState struct {
	X         int  `json:"x"`
	Y         int  `json:"y"`
	Width     int  `json:"width"`
	Height    int  `json:"height"`
	Maximised bool `json:"maximised"`
	// HasPosition is false until a position was saved (the window is then centred).
	HasPosition bool `json:"hasPosition"`
}

// Window size limits: big enough for the header and the app, small enough for any screen.
const (
	defaultWidth  = 1280
	defaultHeight = 800
	minWidth      = 720
	minHeight     = 480
	maxDim        = 16384
)

// DefaultWindowState is used when nothing (valid) was saved.
func DefaultWindowState() WindowState {
	return WindowState{Width: defaultWidth, Height: defaultHeight}
}

// LoadWindowState reads the state from path; a missing or malformed file gives the defaults
// (a window must open even when its remembered state is broken).
func LoadWindowState(path string) (WindowState, error) {
	if path == "" {
		return DefaultWindowState(), nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return DefaultWindowState(), nil
	}
	if err != nil {
		return DefaultWindowState(), fmt.Errorf("read window state: %w", err)
	}
	var s WindowState
	if err := json.Unmarshal(data, &s); err != nil {
		return DefaultWindowState(), fmt.Errorf("window state %s: %w", path, err)
	}
	return s.sane(), nil
}

// sane clamps sizes and drops positions far off any screen.
func (s WindowState) sane() WindowState {
	if s.Width < minWidth || s.Width > maxDim || s.Height < minHeight || s.Height > maxDim {
		s.Width, s.Height = defaultWidth, defaultHeight
	}
	if s.X < -maxDim || s.X > maxDim || s.Y < -maxDim || s.Y > maxDim {
		s.X, s.Y, s.HasPosition = 0, 0, false
	}
	return s
}

// SaveWindowState writes the state atomically (temp file + rename).
func SaveWindowState(path string, s WindowState) error {
	if path == "" {
		return nil
	}
	data, err := json.MarshalIndent(s.sane(), "", "  ")
	if err != nil {
		return fmt.Errorf("window state: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("window state dir: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".window-*.json")
	if err != nil {
		return fmt.Errorf("window state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("window state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("window state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("window state: %w", err)
	}
	return nil
}
