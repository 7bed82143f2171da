package project

import (
	"bytes"
	"errors"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// decodeFailure is what went wrong in desklit.toml, told apart by where go-toml stopped and by its
// error types, never by the words of its messages.
type decodeFailure int

const (
	notTOML    decodeFailure = iota // the file is not TOML (go-toml's own message is shown)
	setTwice                        // a key or a table defined twice, or as both a value and a table
	unknownKey                      // a key settings has no field for
	wrongType                       // a value of another type than its field's
)

// decodeSettings reads data into s. Only when that fails is the document read again alone (into a
// map), to tell why: that read fails only when the text is not TOML — without a key for a syntax
// error, with the key when a key or table is given twice. When the document is TOML, the first
// read's *toml.StrictMissingError is an unknown key, any other *toml.DecodeError a value of the
// wrong type.
func decodeSettings(file string, data []byte, s *settings) error {
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(s)
	if err == nil {
		return nil
	}
	var doc map[string]any
	if derr := toml.Unmarshal(data, &doc); derr != nil {
		var de *toml.DecodeError
		if !errors.As(derr, &de) {
			return &Error{File: file, Msg: derr.Error()}
		}
		if len(de.Key()) == 0 {
			return decodeError(file, de, notTOML)
		}
		return decodeError(file, de, setTwice)
	}
	var strict *toml.StrictMissingError
	var de *toml.DecodeError
	switch {
	case errors.As(err, &strict) && len(strict.Errors) > 0:
		return decodeError(file, &strict.Errors[0], unknownKey)
	case errors.As(err, &de):
		return decodeError(file, de, wrongType)
	}
	return &Error{File: file, Msg: err.Error()}
}

// decodeError names the file, the key and the line of de with our sentence for what failed.
func decodeError(file string, de *toml.DecodeError, what decodeFailure) error {
	row, _ := de.Position()
	key := de.Key()
	msg := settingsMessage(key, what)
	if len(key) > 0 && key[0] == "services" {
		msg = serviceMessage(key, what)
	}
	if what == notTOML {
		msg = strings.TrimPrefix(de.Error(), "toml: ") // where the syntax breaks, in go-toml's words
	}
	return &Error{File: file, Key: strings.Join(key, "."), Line: row, Msg: msg}
}

// settingsMessage words a failure at a key outside [services.*].
func settingsMessage(key []string, what decodeFailure) string {
	switch {
	case what == setTwice:
		return "is set twice (or both as a value and as a table)"
	case what == unknownKey:
		return "unknown key (known: name, version, script, icon, python, [auth] issuer, client_id, audience, scope, [ports] streamlit, component, api, callback, idp, [services.NAME], demo_api)"
	case len(key) == 2 && key[0] == "ports":
		return "must be a port number"
	case len(key) == 1 && key[0] == "demo_api":
		return "must be true or false"
	case len(key) == 1 && (key[0] == "auth" || key[0] == "ports"):
		return "must be a table: [" + key[0] + "]"
	}
	return "must be a string"
}

// serviceMessage words a failure at a [services.*] key.
func serviceMessage(key []string, what decodeFailure) string {
	last := key[len(key)-1]
	switch {
	case what == setTwice && len(key) == 2:
		return "two services on one name: [services." + key[1] + "] is declared twice"
	case what == setTwice:
		return "is set twice (or both as a value and as a table)"
	case what == unknownKey && len(key) > 2:
		return "unknown key (known in [services.NAME]: " + serviceKeys + ")"
	case len(key) == 1:
		return "must be tables: [services.NAME]"
	case len(key) == 2:
		return "must be a table: [services." + key[1] + "]"
	case len(key) == 3 && (last == "command" || last == "public"):
		return `must be a list of strings, such as ["python", "api.py"]`
	case len(key) == 3 && last == "port":
		return "must be a port number"
	case len(key) == 3 && last == "ready_timeout":
		return `must be a duration string, such as "20s" or "2m"`
	case len(key) == 3 && last == "scopes":
		return "must be a table of path pattern = scope"
	}
	return "must be a string"
}
