// Package frontend carries the window UI built by Vite (npm run build → dist/) into the binary.
package frontend

import "embed"

// Dist holds dist/ (index.html and assets). dist/.gitkeep keeps the folder, and so the
// embed, valid before the first frontend build.
//
//go:embed all:dist
var Dist embed.FS
