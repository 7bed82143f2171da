package control

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
)

// EndpointFile, in the run directory, tells `desklit status` how to reach the running instance:
// its control URL and the status token. The shell writes it at start (0600) and removes it at
// stop; one left by a killed instance names a port nobody answers on.
const EndpointFile = "control.json"

// Endpoint is the content of EndpointFile.
type Endpoint struct {
	URL   string `json:"url"`   // http://127.0.0.1:<port>
	Token string `json:"token"` // the status token (EnableStatus), not the control token
	PID   int    `json:"pid"`
}

// ErrNoEndpoint: no instance has written its endpoint (none runs, or it ran no control channel).
var ErrNoEndpoint = errors.New("no running Desklit found")

// WriteEndpoint writes e to dir atomically, readable by this user only.
func WriteEndpoint(dir string, e Endpoint) error {
	if err := e.check(); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("run directory: %w", err)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, EndpointFile)
	tmp, err := os.CreateTemp(dir, EndpointFile+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", EndpointFile, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err == nil {
		_, err = tmp.Write(append(b, '\n'))
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", EndpointFile, err)
	}
	return nil
}

// RemoveEndpoint removes the file when it still names e: a later instance may have replaced it.
func RemoveEndpoint(dir string, e Endpoint) {
	if cur, err := ReadEndpoint(dir); err == nil && cur == e {
		_ = os.Remove(filepath.Join(dir, EndpointFile))
	}
}

// ReadEndpoint reads the running instance's endpoint from dir: ErrNoEndpoint when there is none.
// It refuses a file that other users may read or write, and a URL other than
// http://127.0.0.1:<port>, so the token is never sent anywhere else.
func ReadEndpoint(dir string) (Endpoint, error) {
	path := filepath.Join(dir, EndpointFile)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Endpoint{}, ErrNoEndpoint
	}
	if err != nil {
		return Endpoint{}, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Endpoint{}, fmt.Errorf("read %s: %w", path, err)
	}
	if err := private(fi); err != nil {
		return Endpoint{}, fmt.Errorf("%s: %w", path, err)
	}
	var e Endpoint
	if err := json.NewDecoder(f).Decode(&e); err != nil {
		return Endpoint{}, fmt.Errorf("read %s: %w", path, err)
	}
	if err := e.check(); err != nil {
		return Endpoint{}, fmt.Errorf("%s: %w", path, err)
	}
	return e, nil
}

// check accepts only a loopback control URL and a token of the required length.
func (e Endpoint) check() error {
	u, err := url.Parse(e.URL)
	if err != nil || u.Scheme != "http" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return errors.New("the control URL is not http://127.0.0.1:<port>")
	}
	host, port, err := net.SplitHostPort(u.Host)
	if n, perr := strconv.Atoi(port); err != nil || host != "127.0.0.1" || perr != nil || n < 1 || n > 65535 {
		return errors.New("the control URL is not http://127.0.0.1:<port>")
	}
	if len(e.Token) < MinTokenLen {
		return errors.New("the status token is too short")
	}
	return nil
}
