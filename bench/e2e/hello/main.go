// Command hello is a bare Wails v2 hello-world window: the baseline that bench/e2e/window.sh
// measures Desklit's window against (memory, idle CPU). It uses the same window options that
// matter for cost (size, GPU policy, background colour) and nothing else.
//
//	go -C bench build -tags desktop,production,webkit2_41 -o ../build/bench/hello ./e2e/hello
package main

import (
	"embed"
	"fmt"
	"os"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/logger"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
)

//go:embed index.html
var assets embed.FS

func main() {
	err := wails.Run(&options.App{
		Title:              "Hello",
		Width:              1280,
		Height:             800,
		BackgroundColour:   options.NewRGB(246, 247, 249),
		AssetServer:        &assetserver.Options{Assets: assets},
		LogLevelProduction: logger.ERROR,
		Linux:              &linux.Options{ProgramName: "hello", WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "hello:", err)
		os.Exit(1)
	}
}
