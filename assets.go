package main

import (
	"embed"
	"io/fs"

	"github.com/desklit/desklit/app/cli"
	"github.com/desklit/desklit/frontend"
)

// The Streamlit app, its Python package and the built component travel inside the binary; the
// shell unpacks the app into the data directory (checked by hash at every start).
//
//go:embed runtime/streamlit/app.py runtime/streamlit/desklit_serve.py runtime/streamlit/requirements.txt runtime/streamlit/.streamlit/config.toml
//go:embed runtime/streamlit/app_pages/*.py runtime/streamlit/desklit_auth/*.py
//go:embed all:runtime/component/dist
var bundled embed.FS

//go:embed build/appicon.png
var appIcon []byte

func bundledAssets() cli.Assets {
	return cli.Assets{
		Frontend:  sub(frontend.Dist, "dist"),
		Component: sub(bundled, "runtime/component/dist"),
		Streamlit: sub(bundled, "runtime/streamlit"),
		Icon:      appIcon,
	}
}

func sub(fsys fs.FS, dir string) fs.FS {
	s, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // dir is a constant of this file; fs.Sub fails only on an invalid path
	}
	return s
}
