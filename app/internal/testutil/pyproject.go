package testutil

import (
	"path/filepath"
	"strings"
	"testing"
)

// pyBackend is a PEP 517 and PEP 660 build backend that lives in the project itself
// (backend-path) and needs nothing to build, so that a project builds offline, as setuptools'
// would online. The wheel holds the project's module file as it is on disk, tagged TAG (a
// platform tag stands in for a C extension); the editable wheel, a .pth that puts the project's
// folder on the path.
const pyBackend = `import base64, hashlib, os, zipfile

NAME, VERSION, TAG = "%NAME%", "%VERSION%", "%TAG%"
MODULE = NAME.replace("-", "_")
INFO = MODULE + "-" + VERSION + ".dist-info"


def _metadata():
    return "Metadata-Version: 2.1\nName: " + NAME + "\nVersion: " + VERSION + "\n"


def _wheel(wheel_directory, files):
    files[INFO + "/METADATA"] = _metadata().encode()
    files[INFO + "/WHEEL"] = ("Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: " + TAG + "\n").encode()
    rows = []
    for name, body in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(body).digest()).rstrip(b"=").decode()
        rows.append(name + ",sha256=" + digest + "," + str(len(body)))
    files[INFO + "/RECORD"] = ("\n".join(rows + [INFO + "/RECORD,,"]) + "\n").encode()
    name = MODULE + "-" + VERSION + "-" + TAG + ".whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as z:
        for n, body in files.items():
            z.writestr(n, body)
    return name


def get_requires_for_build_wheel(config_settings=None):
    return []


get_requires_for_build_editable = get_requires_for_build_wheel


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    os.makedirs(os.path.join(metadata_directory, INFO))
    with open(os.path.join(metadata_directory, INFO, "METADATA"), "w") as f:
        f.write(_metadata())
    return INFO


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with open(MODULE + ".py", "rb") as f:
        return _wheel(wheel_directory, {MODULE + ".py": f.read()})


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, {MODULE + ".pth": (os.path.abspath(".") + "\n").encode()})
`

// PythonProject writes into dir the source of the distribution name==version, built by an
// in-tree backend into wheels tagged tag ("py3-none-any"): one module (name with underscores)
// that sets VALUE = value. It returns the files written, by slash path.
func PythonProject(t testing.TB, dir, name, version, tag, value string) map[string]string {
	t.Helper()
	files := map[string]string{
		"pyproject.toml": "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\".\"]\n\n[project]\nname = \"" +
			name + "\"\nversion = \"" + version + "\"\n",
		"backend.py": strings.NewReplacer("%NAME%", name, "%VERSION%", version, "%TAG%", tag).Replace(pyBackend),
		strings.ReplaceAll(name, "-", "_") + ".py": "VALUE = " + pyQuote(value) + "\n",
	}
	for n, body := range files {
		WriteFile(t, filepath.Join(dir, filepath.FromSlash(n)), body)
	}
	return files
}

func pyQuote(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}
