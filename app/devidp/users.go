package devidp

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// User is a demo account of the dev IdP. Permissions are the API scopes granted to the user;
// they appear in the access token's scope claim (and as "permissions", as Auth0's RBAC does).
type User struct {
	Username    string   `json:"username"`
	Password    string   `json:"password"`
	Sub         string   `json:"sub,omitempty"`
	Name        string   `json:"name"`
	Email       string   `json:"email"`
	Picture     string   `json:"picture,omitempty"`
	Permissions []string `json:"permissions,omitempty"`
}

// DefaultUsers are written to users.json when it does not exist: the default analyst may read
// messages; the viewer may sign in but the protected API answers 403.
func DefaultUsers() []User {
	return []User{
		{Username: "analyst", Password: "desklit", Sub: "demo|analyst", Name: "Ada Analyst",
			Email: "ada@example.com", Permissions: []string{"read:messages"}},
		{Username: "viewer", Password: "desklit", Sub: "demo|viewer", Name: "Victor Viewer",
			Email: "victor@example.com"},
	}
}

// loadUsers reads the users file, creating it with DefaultUsers (mode 0600) when missing.
func loadUsers(path string) ([]User, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		users := DefaultUsers()
		b, err := json.MarshalIndent(users, "", "  ")
		if err != nil {
			return nil, err
		}
		if err := writeFileAtomic(path, append(b, '\n')); err != nil {
			return nil, fmt.Errorf("write default demo users: %w", err)
		}
		return users, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read demo users: %w", err)
	}
	var users []User
	if err := json.Unmarshal(b, &users); err != nil {
		return nil, fmt.Errorf("parse demo users %s: %w", path, err)
	}
	seen := map[string]bool{}
	for i := range users {
		u := &users[i]
		if u.Username == "" || u.Password == "" {
			return nil, fmt.Errorf("demo users %s: entry %d needs a username and a password", path, i+1)
		}
		if seen[u.Username] {
			return nil, fmt.Errorf("demo users %s: username %q appears twice", path, u.Username)
		}
		seen[u.Username] = true
		if u.Sub == "" {
			u.Sub = "demo|" + u.Username
		}
	}
	if len(users) == 0 {
		return nil, fmt.Errorf("demo users %s: no users", path)
	}
	return users, nil
}

func findUser(users []User, username, password string) (*User, bool) {
	for i := range users {
		u := &users[i]
		if u.Username == username &&
			subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) == 1 {
			return u, true
		}
	}
	return nil, false
}

func userBySub(users []User, sub string) (*User, bool) {
	for i := range users {
		if users[i].Sub == sub {
			return &users[i], true
		}
	}
	return nil, false
}

// writeFileAtomic writes data with mode 0600 through a temporary file and a rename, so a
// crash never leaves a half-written file.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
