package keyringstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/desklit/desklit/app/session"
)

// Where the session is kept (Status.Backend).
const (
	BackendKeyring = "keyring"
	BackendMemory  = "memory"
	BackendFile    = "file"
)

// Status says where Open keeps the session and, when that is not the keyring, what to tell the
// user.
type Status struct {
	Backend string // BackendKeyring, BackendMemory or BackendFile
	Warning string // empty for the keyring; a sentence for the user otherwise
	Reason  string // why there is no keyring, in a few words; empty for the keyring
}

// Open returns a keyring Store when the keyring answers a probe (write, read back, delete).
// Otherwise (no Secret Service, locked, timed out) it returns a MemoryStore, or a FileStore at
// opts.PlaintextFile when opts.AllowPlaintext is set, and a Status whose Warning tells the user.
func Open(ctx context.Context, opts Options) (session.Store, Status) {
	opts = opts.withDefaults()
	st := New(opts.Backend, opts)
	err := st.Probe(ctx)
	if err == nil {
		return st, Status{Backend: BackendKeyring}
	}
	why := reason(err)
	opts.Logger.Warn("no system keyring; the session is not kept in the keyring",
		"service", opts.Service, "err", err)
	if opts.AllowPlaintext && opts.PlaintextFile != "" {
		return NewFileStore(opts.PlaintextFile, opts.Logger), Status{
			Backend: BackendFile,
			Reason:  why,
			Warning: fmt.Sprintf("No system keyring is available (%s): as you allowed, your session is "+
				"saved unencrypted in %s.", why, opts.PlaintextFile),
		}
	}
	w := fmt.Sprintf("No system keyring is available (%s): you stay signed in until Desklit quits.", why)
	if opts.AllowPlaintext {
		w += " Plain-text storage is allowed but no file is configured."
	}
	return NewMemoryStore(), Status{Backend: BackendMemory, Warning: w, Reason: why}
}

// reason says in a few words why the keyring is not available.
func reason(err error) string {
	switch {
	case errors.Is(err, ErrTimeout):
		var te timeoutError
		if errors.As(err, &te) {
			return fmt.Sprintf("it did not answer within %s; is it locked?", te.after)
		}
		return "it did not answer; is it locked?"
	case errors.Is(err, ErrNoSessionBus):
		return "no D-Bus session bus, so no Secret Service"
	case noSecretService(err):
		return "no Secret Service (such as GNOME Keyring or KWallet) runs in this session"
	}
	// Any other refusal: the keyring library's own words (a D-Bus path, an OS status code) are
	// for the log, where Open writes them; the user reads what it usually means.
	return "the keyring refused to keep a secret: it may be locked, or have no default collection; the reason is in Desklit's log"
}

// Reader is the session in the keyring for a process that only reads it (the component server):
// only the shell writes the keyring. It has Load only; a corrupt session reads as none (the shell
// clears it).
type Reader struct{ s *Store }

// OpenReader returns a Reader when the keyring answers a read (an absent session is an answer),
// else the error; it writes nothing, not even a probe.
func OpenReader(ctx context.Context, opts Options) (*Reader, error) {
	opts = opts.withDefaults()
	st := New(opts.Backend, opts)
	st.reader = true
	if _, err := st.get(ctx, manifestKey); err != nil && !errors.Is(err, ErrEntryNotFound) {
		return nil, err
	}
	return &Reader{s: st}, nil
}

// Load returns the stored session, or session.ErrNotFound.
func (r *Reader) Load(ctx context.Context) (*session.Session, error) { return r.s.Load(ctx) }
