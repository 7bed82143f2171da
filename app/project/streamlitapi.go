package project

import (
	"slices"

	"github.com/desklit/desklit/app/pyruntime"
)

// An app written for an older Streamlit uses names Streamlit has since removed from st.*
// (st.experimental_rerun, st.cache, st.experimental_user: "st.experimental_user has been
// removed"). A project that does not pin its Streamlit would get Desklit's, in which the app stops
// at the first such call; it gets the last Streamlit that has them instead, resolved as of the
// day the next one removed them (pyruntime.Source.StreamlitBefore).

// removedAPIs are the names Streamlit removed from st.* (the list Streamlit 1.67 keeps in
// streamlit/command_suggestions.py, and st.bokeh_chart), each with the first release without it:
// measured on the streamlit/__init__.py of every 1.x.0 wheel on PyPI. Names gone before 1.0
// (st.beta_secrets) are left out: no Streamlit that old installs on a Python Desklit runs.
var removedAPIs = map[string]string{
	"beta_columns": "1.23.0", "beta_container": "1.23.0", "beta_expander": "1.23.0", "experimental_show": "1.23.0",
	"experimental_connection": "1.37.0", "experimental_data_editor": "1.37.0", "experimental_memo": "1.37.0",
	"experimental_rerun": "1.37.0", "experimental_singleton": "1.37.0",
	"experimental_audio_input": "1.45.0",
	"experimental_dialog":      "1.49.0", "experimental_fragment": "1.49.0",
	"experimental_get_query_params": "1.54.0", "experimental_set_query_params": "1.54.0", "experimental_user": "1.54.0",
	"bokeh_chart": "1.59.0",
	"cache":       "1.62.0",
}

// successors are the names that replaced removed ones (Streamlit's own list): a file that uses
// both is written for either Streamlit (user = st.user if hasattr(st, "user") else
// st.experimental_user), and its removed name asks for no older Streamlit.
var successors = map[string][]string{
	"beta_columns": {"columns"}, "beta_container": {"container"}, "beta_expander": {"expander"}, "experimental_show": {"write"},
	"experimental_connection": {"connection"}, "experimental_data_editor": {"data_editor"},
	"experimental_memo": {"cache_data"}, "experimental_rerun": {"rerun"}, "experimental_singleton": {"cache_resource"},
	"experimental_audio_input": {"audio_input"}, "experimental_dialog": {"dialog"}, "experimental_fragment": {"fragment"},
	"experimental_get_query_params": {"query_params"}, "experimental_set_query_params": {"query_params"},
	"experimental_user": {"user"}, "cache": {"cache_data", "cache_resource"},
}

// withoutGuarded drops from one file's names of st.* the removed ones whose successor the file
// uses too.
func withoutGuarded(names []string) []string {
	return slices.DeleteFunc(slices.Clone(names), func(n string) bool {
		return slices.ContainsFunc(successors[n], func(s string) bool { return slices.Contains(names, s) })
	})
}

// addedAPIs are the names of st.* added since 1.0, each with the first release that has it
// (measured likewise): an app that uses st.login needs 1.42.0 or newer whatever else it uses.
var addedAPIs = map[string]string{
	"camera_input": "1.4.0",
	"snow":         "1.7.0",
	"tabs":         "1.11.0",
	"cache_data":   "1.18.0", "cache_resource": "1.18.0",
	"divider":       "1.21.0",
	"column_config": "1.23.0", "data_editor": "1.23.0",
	"chat_input": "1.24.0", "chat_message": "1.24.0",
	"toast":  "1.25.0",
	"status": "1.26.0", "toggle": "1.26.0",
	"link_button": "1.27.0", "rerun": "1.27.0", "scatter_chart": "1.27.0",
	"connection":   "1.28.0",
	"query_params": "1.30.0", "switch_page": "1.30.0",
	"page_link": "1.31.0", "write_stream": "1.31.0",
	"popover": "1.32.0",
	"html":    "1.33.0",
	"logo":    "1.35.0",
	"Page":    "1.36.0", "navigation": "1.36.0",
	"context": "1.37.0", "dialog": "1.37.0", "feedback": "1.37.0", "fragment": "1.37.0",
	"audio_input": "1.40.0", "pills": "1.40.0", "segmented_control": "1.40.0",
	"login": "1.42.0", "logout": "1.42.0",
	"badge":          "1.44.0",
	"user":           "1.45.0",
	"pdf":            "1.49.0",
	"space":          "1.51.0",
	"datetime_input": "1.52.0",
	"iframe":         "1.56.0", "menu_button": "1.56.0",
	"App": "1.57.0", "bottom": "1.57.0",
	"pagination":    "1.58.0",
	"mermaid_chart": "1.59.0", "skeleton": "1.59.0",
	"echarts_chart": "1.64.0",
	"grid":          "1.67.0",
}

// StreamlitBefore is the oldest Streamlit release that removed a name of st.* the app's code
// uses ("" when it uses none), and the names that release removed, as "st.name".
func (p *Project) StreamlitBefore() (version string, names []string, err error) {
	code, err := scanCode(p.RunDir())
	if err != nil {
		return "", nil, err
	}
	version, names = streamlitBefore(code)
	return version, names, nil
}

// streamlitBefore reads StreamlitBefore of the names the code uses. A name removed before a name
// the app also uses was added (st.experimental_rerun, gone in 1.37.0, beside st.login, new in
// 1.42.0) cannot be had with the other: the newer name decides.
func streamlitBefore(code codeUse) (version string, names []string) {
	need := ""
	for _, n := range code.names {
		if v, ok := addedAPIs[n]; ok && (need == "" || pyruntime.CompareVersions(v, need) > 0) {
			need = v
		}
	}
	for _, n := range code.names {
		v, ok := removedAPIs[n]
		if !ok || need != "" && pyruntime.CompareVersions(v, need) <= 0 {
			continue
		}
		switch {
		case version == "" || pyruntime.CompareVersions(v, version) < 0:
			version, names = v, []string{"st." + n}
		case v == version:
			names = append(names, "st."+n)
		}
	}
	return version, names
}

// Source is what pyruntime builds the app's environment from (Deps.Source), with the Streamlit
// before StreamlitBefore's release when the app uses names it removed, and Streamlit's sign-in
// packages when it calls st.login: a project without a dependency file then resolves that
// Streamlit (or Desklit's) alone, with them.
func (p *Project) Source(base string) (pyruntime.Source, error) {
	src := p.Deps.Source(base)
	if src.Kind == pyruntime.SourceRequirements {
		src.Root = p.Dir
	}
	code, err := scanCode(p.RunDir())
	if err != nil {
		return src, err
	}
	before, names := streamlitBefore(code)
	if before == "" && !code.login {
		return src, nil
	}
	if src.Kind == pyruntime.SourceLocked && p.Deps.Kind == DepsNone {
		src = pyruntime.Source{Kind: pyruntime.SourcePyproject, File: p.Script, Base: base}
	}
	src.StreamlitBefore, src.StreamlitUses, src.StLogin = before, names, code.login
	return src, nil
}
