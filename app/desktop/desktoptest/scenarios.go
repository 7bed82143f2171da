package desktoptest

import "github.com/desklit/desklit/app/desktop"

// scriptedErrors are the scenarios that show one error (running: with the services up).
var scriptedErrors = map[string]struct {
	running bool
	view    desktop.ErrorView
}{
	PortInUse: {false, desktop.ErrorView{Kind: desktop.ErrPortInUse, Service: "api",
		Title:   "Port 8888 is used by another program",
		Message: `The API needs port 8888, but "python3" (pid 4242) is using it.`,
		Detail:  "python3 -m http.server 8888 --bind 127.0.0.1",
		Actions: []string{"use_port:8889", desktop.ActRetry, desktop.ActQuit}}},
	NoPython: {false, desktop.ErrorView{Kind: desktop.ErrNoPython,
		Message: "Desklit needs Python 3.11 or newer to run the Streamlit app, and none was found on this computer.",
		Actions: []string{desktop.ActRetry, desktop.ActQuit}}},
	Dependencies: {true, desktop.ErrorView{Kind: desktop.ErrDependencies, Title: "The requirements of Sales cannot be installed together",
		Message: "Because streamlit==1.51.0 depends on altair>=4.0,<6 and you require altair==6.0.0, we can conclude that you require streamlit!=1.51.0. And because you require streamlit==1.51.0, we can conclude that your requirements are unsatisfiable.",
		Detail:  "Change one of these requirements so that they agree, save requirements.txt, then open the app again:\n  altair==6.0.0 (requirements.txt line 1)\n  streamlit==1.51.0 (requirements.txt line 14)",
		Folder:  SalesPath, File: SalesPath + "/requirements.txt",
		Actions: []string{desktop.ActEditDeps, desktop.ActOpenFolder, desktop.ActReopen}}},
	ChooseScript: {true, desktop.ErrorView{Kind: desktop.ErrChooseScript, Title: "Which script is the app?", Folder: HelloPath,
		Message: "streamlit-hello holds several Streamlit scripts. Choose the one to run: Desklit opens it and keeps it in File › Open Recent.",
		Actions: []string{desktop.ActScript + ":0_👋_Hello.py", desktop.ActScript + ":explore.py", desktop.ActOpenApp}}},
	Other: {false, desktop.ErrorView{Kind: desktop.ErrOther,
		Message: `{"error":"internal","trace":"goroutine 1 [running]"}`,
		Actions: []string{desktop.ActRetry}}},
}
