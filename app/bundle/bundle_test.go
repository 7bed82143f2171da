package bundle

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"
)

func TestUnpackRestoresCorruptAndMissingFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"app.py":            {Data: []byte("print('hi')\n")},
		"desklit_auth/x.py": {Data: []byte("X = 1\n")},
		"requirements.txt":  {Data: []byte("streamlit==1\n")},
	}
	dest := t.TempDir()
	rep, err := Unpack(fsys, dest)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 3 || len(rep.Restored) != 3 {
		t.Fatalf("first unpack: %+v", rep)
	}
	rep, err = Unpack(fsys, dest)
	if err != nil || len(rep.Restored) != 0 {
		t.Fatalf("second unpack should write nothing: %+v %v", rep, err)
	}
	if err := os.WriteFile(filepath.Join(dest, "app.py"), []byte("tampered"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dest, "desklit_auth", "x.py")); err != nil {
		t.Fatal(err)
	}
	rep, err = Unpack(fsys, dest)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"app.py", "desklit_auth/x.py"}; !reflect.DeepEqual(rep.Restored, want) {
		t.Fatalf("restored %v, want %v", rep.Restored, want)
	}
	got, _ := os.ReadFile(filepath.Join(dest, "app.py"))
	if string(got) != "print('hi')\n" {
		t.Fatalf("app.py = %q", got)
	}
}

func TestUnpackRemovesFilesDroppedFromTheBundle(t *testing.T) {
	dest := t.TempDir()
	if _, err := Unpack(fstest.MapFS{"a.py": {Data: []byte("a")}, "b.py": {Data: []byte("b")}}, dest); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dest, "mine.py"), []byte("user file"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Unpack(fstest.MapFS{"a.py": {Data: []byte("a")}}, dest)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rep.Removed, []string{"b.py"}) {
		t.Fatalf("removed %v", rep.Removed)
	}
	if _, err := os.Stat(filepath.Join(dest, "mine.py")); err != nil {
		t.Fatalf("a file the bundle never owned was touched: %v", err)
	}
}
