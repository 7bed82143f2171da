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

// An analyst's packaged app writes its own data files (a CSV it appends to): UnpackKeepingData
// keeps them across starts, restores its code, backs the user's copy up when a new bundle brings
// another version of a file the app changed, and leaves a changed data file a new bundle drops.
func TestUnpackKeepingDataKeepsWhatTheAppWrote(t *testing.T) {
	dest := t.TempDir()
	v1 := fstest.MapFS{"app.py": {Data: []byte("v1")}, "data/visits.csv": {Data: []byte("n\n0\n")},
		"data/prices.csv": {Data: []byte("p\n1\n")}, "data/old.csv": {Data: []byte("o\n")}, ".streamlit/config.toml": {Data: []byte("[server]\n")}}
	if _, err := UnpackKeepingData(v1, dest); err != nil {
		t.Fatal(err)
	}
	write := func(p, body string) {
		if err := os.WriteFile(filepath.Join(dest, filepath.FromSlash(p)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("data/visits.csv", "n\n1\n")
	write("data/prices.csv", "p\n2\n")
	write("data/old.csv", "o\nmine\n")
	write("app.py", "tampered")
	rep, err := UnpackKeepingData(v1, dest)
	if err != nil || !reflect.DeepEqual(rep.Kept, []string{"data/old.csv", "data/prices.csv", "data/visits.csv"}) || !reflect.DeepEqual(rep.Restored, []string{"app.py"}) {
		t.Fatalf("the next start: %+v, %v", rep, err)
	}
	if got, _ := os.ReadFile(filepath.Join(dest, "data", "visits.csv")); string(got) != "n\n1\n" {
		t.Errorf("visits.csv = %q: the app's write was undone", got)
	}
	// A new version: another prices.csv, no old.csv.
	v2 := fstest.MapFS{"app.py": {Data: []byte("v2")}, "data/visits.csv": {Data: []byte("n\n0\n")}, "data/prices.csv": {Data: []byte("p\n3\n")}}
	rep, err = UnpackKeepingData(v2, dest)
	if err != nil || !reflect.DeepEqual(rep.BackedUp, []string{"data/prices.csv"}) || !reflect.DeepEqual(rep.Kept, []string{"data/old.csv", "data/visits.csv"}) {
		t.Fatalf("a new version: %+v, %v", rep, err)
	}
	if got, _ := os.ReadFile(filepath.Join(dest, "data", "prices.csv")); string(got) != "p\n3\n" {
		t.Errorf("prices.csv = %q, want the new version's", got)
	}
	mine, _ := filepath.Glob(filepath.Join(dest, "data", "prices.mine-*.csv"))
	if len(mine) != 1 {
		t.Fatalf("backups %v", mine)
	}
	if got, _ := os.ReadFile(mine[0]); string(got) != "p\n2\n" {
		t.Errorf("the backup holds %q, want the app's copy", got)
	}
	if got, _ := os.ReadFile(filepath.Join(dest, "data", "old.csv")); string(got) != "o\nmine\n" {
		t.Errorf("old.csv = %q: a changed data file the bundle dropped was removed", got)
	}
	if !IsCode("src/app.py") || !IsCode(".streamlit/config.toml") || !IsCode("requirements-dev.txt") || IsCode("data/notes.txt") || IsCode("sales.xlsx") {
		t.Error("IsCode")
	}
}
