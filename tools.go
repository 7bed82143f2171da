//go:build tools

// Package main pins modules that later packages import, so that go.mod is complete before they land.
package main

import (
	_ "github.com/MicahParks/keyfunc/v3"
	_ "github.com/adrg/xdg"
	_ "github.com/coreos/go-oidc/v3/oidc"
	_ "github.com/go-chi/chi/v5"
	_ "github.com/go-jose/go-jose/v4"
	_ "github.com/golang-jwt/jwt/v5"
	_ "github.com/shirou/gopsutil/v3/process"
	_ "github.com/wailsapp/wails/v2"
	_ "github.com/zalando/go-keyring"
	_ "github.com/zitadel/oidc/v3/pkg/op"
	_ "golang.org/x/oauth2"
	_ "golang.org/x/sys/unix"
	_ "golang.org/x/time/rate"
)
