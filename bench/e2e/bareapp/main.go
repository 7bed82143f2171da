// Command bareapp is the least any Wails v2 window can do to show a Streamlit app: a bare window
// (the options of bench/e2e/hello) whose page loads BENCH_STREAMLIT_URL in a full-size iframe as
// soon as that server answers. bench/e2e/baseline.sh starts it beside a bare Streamlit and
// compares its launch timeline with Desklit's window.
//
//	go -C bench build -tags desktop,production,webkit2_41 -o ../build/bench/bareapp ./e2e/bareapp
package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/logger"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
)

// The page probes the server with no-cors fetches (a refused connection rejects, any answer
// resolves) every 20 ms, then points the iframe at it: no error page, no polling after that.
const page = `<!doctype html>
<html><head><meta charset="utf-8"><title>Bare</title>
<style>html,body{margin:0;height:100%%;background:#f6f7f9}iframe{border:0;width:100%%;height:100%%;display:block}</style>
</head><body><iframe id="app" title="Streamlit app"></iframe>
<script>
const url = %s;
const probe = () => fetch(url + "_stcore/health", {mode: "no-cors", cache: "no-store"})
  .then(() => { document.getElementById("app").src = url; }, () => setTimeout(probe, 20));
probe();
</script></body></html>`

func main() {
	target := os.Getenv("BENCH_STREAMLIT_URL")
	if target == "" {
		fmt.Fprintln(os.Stderr, "bareapp: set BENCH_STREAMLIT_URL (e.g. http://127.0.0.1:14010/)")
		os.Exit(2)
	}
	quoted, _ := json.Marshal(target) // a JS string literal; < and > come out escaped
	body := fmt.Sprintf(page, quoted)
	err := wails.Run(&options.App{
		Title:            "Bare",
		Width:            1280,
		Height:           800,
		BackgroundColour: options.NewRGB(246, 247, 249),
		AssetServer: &assetserver.Options{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(body))
		})},
		LogLevelProduction: logger.ERROR,
		Linux:              &linux.Options{ProgramName: "bareapp", WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "bareapp:", err)
		os.Exit(1)
	}
}
