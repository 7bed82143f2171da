package project

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/desklit/desklit/app/internal/testutil"
	"github.com/desklit/desklit/app/pyruntime"
)

// TestStreamlitBefore: the names of st.* an app's code uses that Streamlit has removed give the
// release before which its Streamlit must be, through the name it imports streamlit as, in its
// pages and modules too; a name removed before another it uses was added does not count
// (Gilcare/CareGrid: st.experimental_rerun in a page beside st.login and st.experimental_user).
func TestStreamlitBefore(t *testing.T) {
	for _, tt := range []struct {
		name   string
		files  map[string]string
		before string
		names  []string
	}{
		{"none", map[string]string{"app.py": "import streamlit as st\nst.rerun()\n"}, "", nil},
		{"st.experimental_rerun in a page", map[string]string{"app.py": "import streamlit as st\n",
			"pages/a.py": "import streamlit as stl\nif x:\n    stl.experimental_rerun()  # 2023\n"}, "1.37.0", []string{"st.experimental_rerun"}},
		{"the oldest removal decides", map[string]string{"app.py": "import streamlit as st\n@st.cache\ndef f(): pass\nst.experimental_memo\nst.experimental_singleton\n"},
			"1.37.0", []string{"st.experimental_memo", "st.experimental_singleton"}},
		{"a shim for either Streamlit", map[string]string{"app.py": "import streamlit as st\nuser = st.user if hasattr(st, \"user\") else st.experimental_user\n"}, "", nil},
		{"a comment or another module is no use", map[string]string{"app.py": "import streamlit as st\n# st.experimental_rerun()\nimport pandas as pd\npd.cache\n"}, "", nil},
		{"a name removed before another was added", map[string]string{
			"CareGrid.py":         "import streamlit as st\nif not st.experimental_user.is_logged_in:\n    st.login(\"auth0\")\n",
			"pages/dashboard.py":  "import streamlit as st\nst.experimental_rerun()\n",
			"venv/lib/x/site.py":  "import streamlit as st\nst.beta_columns(2)\n",
			".hidden/old_copy.py": "import streamlit as st\nst.beta_columns(2)\n"}, "1.54.0", []string{"st.experimental_user"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := tree(t, tt.files)
			if _, ok := tt.files["venv/lib/x/site.py"]; ok {
				testutil.WriteFile(t, filepath.Join(dir, "venv", "pyvenv.cfg"), "home = /usr/bin\n")
			}
			p, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			before, names, err := p.StreamlitBefore()
			if err != nil || before != tt.before || !slices.Equal(names, tt.names) {
				t.Errorf("StreamlitBefore = %q %q %v, want %q %q", before, names, err, tt.before, tt.names)
			}
			src, err := p.Source("/desklit/requirements.txt")
			if err != nil || src.StreamlitBefore != tt.before {
				t.Fatalf("Source = %+v %v", src, err)
			}
			// No dependency file: the Streamlit before that release is resolved for the app alone.
			if tt.before != "" && (src.Kind != pyruntime.SourcePyproject || src.File != p.Script || src.Base != "/desklit/requirements.txt") {
				t.Errorf("Source of a project with no dependency file = %+v", src)
			}
			if tt.before == "" && src.Kind != pyruntime.SourceLocked {
				t.Errorf("Source of a project using no removed name = %+v, want Desklit's lock", src)
			}
		})
	}
}

// The tables agree with each other: nothing is removed before it was added.
func TestStreamlitAPITables(t *testing.T) {
	for n, removed := range removedAPIs {
		if added, ok := addedAPIs[n]; ok && pyruntime.CompareVersions(added, removed) >= 0 {
			t.Errorf("st.%s added in %s, removed in %s", n, added, removed)
		}
	}
	for _, n := range []string{"login", "navigation", "rerun", "user"} {
		if addedAPIs[n] == "" {
			t.Errorf("st.%s has no release in addedAPIs", n)
		}
	}
}

// An app that calls st.login (singhtaru/GoogleAuth: no dependency file) is resolved with
// Streamlit's sign-in packages: its environment is no longer Desklit's own lock, which lacks them.
func TestSourceOfAnStLoginApp(t *testing.T) {
	for files, kind := range map[string]string{"": pyruntime.SourcePyproject, "streamlit[auth]\n": pyruntime.SourceRequirements} {
		tf := map[string]string{"app.py": "import os, streamlit as st\nst.button('Log in', on_click=st.login)\n"}
		if files != "" {
			tf["requirements.txt"] = files
		}
		p, err := Load(tree(t, tf))
		if err != nil {
			t.Fatal(err)
		}
		src, err := p.Source("/desklit/requirements.txt")
		if err != nil || !src.StLogin || src.Kind != kind || src.StreamlitBefore != "" {
			t.Errorf("%q: Source = %+v, %v; want an st.login %s source", files, src, err, kind)
		}
	}
}
