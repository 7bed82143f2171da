package keyringstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/desklit/desklit/app/session"
)

// FileStore keeps the session unencrypted in a JSON file readable by its owner only (0600): the
// fallback with no keyring when the user explicitly allowed plain text.
type FileStore struct {
	path string
	log  *slog.Logger
	mu   sync.Mutex
}

var _ session.Store = (*FileStore)(nil)

// NewFileStore returns a FileStore at path; the file and its directory are made on Save.
func NewFileStore(path string, log *slog.Logger) *FileStore {
	if log == nil {
		log = slog.Default()
	}
	return &FileStore{path: path, log: log}
}

// Path is the file's path.
func (f *FileStore) Path() string { return f.path }

// Load reads the session, or returns ErrNotFound. A corrupt file is removed with a warning.
func (f *FileStore) Load(ctx context.Context) (*session.Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.load()
}

func (f *FileStore) load() (*session.Session, error) {
	b, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load session: %w", err)
	}
	var sess session.Session
	if err := json.Unmarshal(b, &sess); err != nil {
		f.log.Warn("the session file is corrupt; removing it (sign in again)", "path", f.path)
		if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("remove corrupt session file: %w", err)
		}
		return nil, ErrNotFound
	}
	return &sess, nil
}

// Save writes sess, atomically (a temporary file renamed over the old).
func (f *FileStore) Save(ctx context.Context, sess *session.Session) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if sess == nil {
		return errors.New("save session: nil session")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := json.Marshal(sess)
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	dir := filepath.Dir(f.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".session-*.tmp") // CreateTemp makes it 0600
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this finds nothing
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("save session: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save session: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return nil
}

// Delete removes the file; no file is not an error.
func (f *FileStore) Delete(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}
