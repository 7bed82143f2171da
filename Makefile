# Desklit. `make run` sets up what is missing, builds and starts the app; `make test` runs everything.
SHELL := /bin/bash
.DEFAULT_GOAL := build

GO        ?= go
TAGS      := desktop,production,webkit2_41
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1.0-dev)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
# The last commit's date, not the clock's: a build of an unchanged tree is the same build, and
# make sees nothing to relink.
DATE      ?= $(shell TZ=UTC git log -1 --date=format-local:%Y-%m-%dT%H:%M:%SZ --format=%cd 2>/dev/null || echo unknown)
LDFLAGS   := -s -w -X github.com/desklit/desklit/app/version.Version=$(VERSION) \
             -X github.com/desklit/desklit/app/version.Commit=$(COMMIT) \
             -X github.com/desklit/desklit/app/version.Date=$(DATE)
BIN       := build/bin/desklit
WINBIN    := build/bin/desklit-window
CACHE     := $(CURDIR)/.cache
TESTVENV  := $(CACHE)/venv-test
TESTWHEELS := $(CACHE)/test-wheelhouse
PYTHON    ?= python3
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian/Ubuntu packages: build (GTK/WebKit), window and keyring tests, browser tests.
APT_PKGS  := libgtk-3-dev libwebkit2gtk-4.1-dev pkg-config build-essential python3-venv \
             xvfb xauth dbus dbus-x11 gnome-keyring libsecret-tools imagemagick xdotool x11-utils \
             chromium fonts-dejavu-core file nsis iproute2 util-linux git \
             wine64 gcc-mingw-w64-x86-64
# Non-Wails packages must build for every desktop OS.
PORTABLE_PKGS = $(shell $(GO) list ./app/... | grep -v /app/desktop)

.PHONY: deps apt-deps go-deps node-deps build frontend component run dev test test-go vet \
        test-keyring test-python test-frontend test-gui test-gui-e2e test-e2e test-corpus test-dist test-windows wheelhouse uv \
        test-wheels bench clean

deps: apt-deps go-deps node-deps

apt-deps:
	@missing=$$(for p in $(APT_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null; then \
	    echo "Installing: $$missing"; \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	  else echo "Missing system packages ($$missing); see README for macOS/Windows prerequisites"; fi; \
	fi

go-deps:
	$(GO) mod download

# test/oidc-provider: panva's oidc-provider, the certified OpenID provider the sign-in interop
# tests run on 127.0.0.1 (app/authflow TestOIDCProvider*).
node-deps: frontend/node_modules/.stamp runtime/component/node_modules/.stamp test/oidc-provider/node_modules/.stamp

%/node_modules/.stamp: %/package-lock.json
	cd $* && npm ci --no-audit --no-fund
	touch $@

# The two web UIs are files made from their sources: built again only when a source changed
# (dist/index.html, rewritten by every build, stands for the whole dist/).
FRONTEND_SRC  := $(shell find frontend/src -type f) \
                 $(addprefix frontend/,index.html package.json vite.config.ts tsconfig.json)
COMPONENT_SRC := $(shell find runtime/component/src runtime/component/public -type f) \
                 $(addprefix runtime/component/,index.html package.json vite.config.ts tsconfig.json)

frontend: frontend/dist/index.html
component: runtime/component/dist/index.html

frontend/dist/index.html: $(FRONTEND_SRC) frontend/node_modules/.stamp
	cd frontend && npm run build
	touch $@

runtime/component/dist/index.html: $(COMPONENT_SRC) runtime/component/node_modules/.stamp
	cd runtime/component && npm run build
	touch runtime/component/dist/.gitkeep $@

# What the binaries are made of: the module's Go files (main.go's folder, app/, frontend/), what
# they embed (the built UIs, the Streamlit app and its package, the icon) and the link flags.
GO_SRC := go.mod go.sum build/appicon.png frontend/dist/index.html runtime/component/dist/index.html \
          $(wildcard *.go) $(shell find app frontend -name node_modules -prune -o -name '*.go' -print) \
          $(shell find runtime/streamlit \( -name tests -o -name __pycache__ -o -name .pytest_cache \) -prune -o -type f -print)

# The link flags in a file that changes only when they do (a new VERSION or COMMIT relinks).
build/bin/.ldflags: FORCE
	@mkdir -p $(@D)
	@echo '$(LDFLAGS)' | cmp -s - $@ || echo '$(LDFLAGS)' >$@

.PHONY: FORCE
FORCE:

# Two binaries from the one main package: desklit-window (the window, with Wails, GTK and WebKit)
# and desklit (everything else, no cgo: the commands and the services start in milliseconds; it
# hands the window commands to desklit-window beside it). `go build` may find the binary up to
# date and leave it alone: touch tells make so.
$(WINBIN): $(GO_SRC) build/bin/.ldflags
	$(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $@ .
	@touch $@

$(BIN): $(GO_SRC) build/bin/.ldflags
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o $@ .
	@touch $@

build: deps $(WINBIN) $(BIN) uv

# The demo's wheels too (once per change of its lock), so that the app starts offline.
run: build build/wheelhouse/SHA256SUMS
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] || [ "$$(uname)" = Darwin ]; then ./$(BIN); \
	else echo "No display: starting the services without a window (desklit run)."; ./$(BIN) run; fi

dev: deps
	$(GO) run github.com/wailsapp/wails/v2/cmd/wails@v2.16.0 dev -tags webkit2_41

vet: frontend component
	$(GO) vet -tags webkit2_41 ./...
	$(GO) vet -tags $(TAGS) .
	GOOS=windows $(GO) vet $(PORTABLE_PKGS)
	GOOS=darwin $(GO) vet $(PORTABLE_PKGS)
	$(GO) -C bench vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt: $$unformatted"; exit 1; fi

# The runtime integration test builds the real Streamlit environment from the wheelhouse with the
# package index switched off and checks /_stcore/health.
test-go: frontend component wheelhouse uv test-wheels test/oidc-provider/node_modules/.stamp
	DESKLIT_TEST_WHEELHOUSE=$(CURDIR)/build/wheelhouse DESKLIT_TEST_WHEELS=$(TESTWHEELS) DESKLIT_UV=$(CURDIR)/build/bin/uv \
	  DESKLIT_TEST_OIDC_PROVIDER=$(CURDIR)/test/oidc-provider \
	  $(GO) test -race -tags webkit2_41 -count=1 ./...
	@# The window's packaging of a real project compresses Streamlit's wheels: minutes under -race,
	@# seconds without, so it runs once more without the race detector (it skips itself under -race).
	DESKLIT_TEST_WHEELHOUSE=$(CURDIR)/build/wheelhouse DESKLIT_TEST_WHEELS=$(TESTWHEELS) DESKLIT_UV=$(CURDIR)/build/bin/uv \
	  $(GO) test -tags webkit2_41 -count=1 -run '^TestPackageSingleFile$$' ./app/appwindow/
	$(GO) -C bench test -race -count=1 ./internal/...

test-keyring:
	test/keyring/with-secret-service.sh $(GO) test -race -count=1 ./app/keyringstore/...

$(TESTVENV)/.stamp: runtime/streamlit/requirements.txt runtime/streamlit/requirements-dev.txt | wheelhouse
	$(PYTHON) -m venv $(TESTVENV)
	$(TESTVENV)/bin/pip install -q --disable-pip-version-check --find-links build/wheelhouse -r runtime/streamlit/requirements.txt -r runtime/streamlit/requirements-dev.txt
	touch $@

# The oldest Streamlit with st.login, for desklit_auth.stlogin's pins (test/streamlit-min).
STMINVENV := $(CACHE)/venv-streamlit-min
$(STMINVENV)/.stamp: test/streamlit-min/requirements.txt
	$(PYTHON) -m venv $(STMINVENV)
	$(STMINVENV)/bin/pip install -q --disable-pip-version-check --require-hashes -r test/streamlit-min/requirements.txt
	touch $@

test-python: $(TESTVENV)/.stamp $(STMINVENV)/.stamp
	cd runtime/streamlit && $(TESTVENV)/bin/python -m pytest -q
	cd runtime/streamlit && $(STMINVENV)/bin/python -m pytest -q tests/test_stlogin.py
	$(TESTVENV)/bin/python -m pytest -q bench/e2e/probe

test-frontend: node-deps
	cd frontend && npm test
	cd runtime/component && npm test

test-gui: build
	mkdir -p test/out && test/gui/smoke.sh -o test/out/smoke.png -- $(BIN)

# The window end to end on the production build: first-run progress, ready, the sign-in window,
# signed in, the logs, a clean close, and a foreign program on 8888 (screenshots in
# test/out/screenshots: tests write nothing that git tracks); then an st.login app in the window
# (test/projects/st-login, with Authlib from the test wheels); then a project with two services of
# its own: their pills in the header, Services › Restart of one (in a network namespace as root).
test-gui-e2e: build wheelhouse test-wheels
	test/gui/e2e.sh $(BIN)
	DESKLIT_TEST_WHEELS=$(TESTWHEELS) test/gui/stlogin-e2e.sh $(BIN)
	DESKLIT_TEST_WHEELS=$(TESTWHEELS) test/gui/services-e2e.sh $(BIN)

test-e2e: build wheelhouse test-wheels
	test/e2e/run.sh $(BIN)

# The corpus (test/corpus, issue 21): each sample project under `desklit run` and under a bare
# `streamlit run` in a venv uv builds from the same requirements, compared in Chromium (needs
# PyPI; uv's cache and the bare venvs stay in .cache/corpus); then live reload under desklit run.
test-corpus: build wheelhouse
	test/corpus/run.sh $(BIN)
	XDG_CACHE_HOME=$(CACHE)/corpus/xdg-cache DESKLIT_BIN=$(BIN) DESKLIT_UV=$(CURDIR)/build/bin/uv \
	  node --test test/corpus/reload.test.mjs

# Packaging: build dist/ (the .deb, tarball, Windows .exe and installer), check the Windows and
# macOS artefacts, then install the .deb, start it as a desktop would and remove it (root).
test-dist: build
	$(MAKE) dist dist-check
	$(MAKE) package-sample package-services
	$(SUDO) $(MAKE) dist-e2e package-e2e

# `desklit package` on the sample project with a package outside the demo's lock, for Linux (this
# tree's binaries) and Windows (make dist's), offline: the wheels come from the wheelhouses and
# the test wheels. Its Windows artefacts are checked; package-e2e installs the .deb beside
# Desklit's and runs both (as root).
PKGOUT := test/out/package
.PHONY: package-sample package-e2e package-services
package-sample: build test-wheels
	rm -rf $(PKGOUT)
	DESKLIT_OFFLINE=true DESKLIT_FIND_LINKS=$(TESTWHEELS)$(foreach d,$(wildcard $(CACHE)/wheelhouse-win_amd64-*),:$(d)) \
	  $(BIN) package test/projects/extra-package --target linux,windows --binaries $(CACHE)/dist-work/windows -o $(PKGOUT)
	test/dist/package-windows-check.sh $(PKGOUT) extra-package "Extra package"

# A packaged app runs its own services (#23): test/projects/notes-fastapi packaged, its tarball
# unpacked read-only and its launcher run as another user in a network namespace (root, or a
# user namespace): the service Ready, guarded (401 without a token), gone with the app.
package-services: build test-wheels
	test/dist/package-services-e2e.sh $(BIN) $(TESTWHEELS)

package-e2e:
	test/dist/package-e2e.sh $(firstword $(wildcard $(PKGOUT)/extra-package_*_amd64.deb)) $(firstword $(wildcard $(DIST_DIR)/desklit_*_amd64.deb))

# The Windows build run under Wine (wine64; test/windows/run.sh says what each part checks) in a
# throw-away Windows 10 prefix: every package's Go tests cross-compiled (the supervisor's Windows
# process tests among them), desklit.exe end to end (doctor, serve api, login, status, logout),
# make dist's installer installed and uninstalled, and a `desklit package --target windows`
# installer. It uses make dist's Windows build (make test's test-dist made it; else it is made).
test-windows: frontend component uv test-wheels
	@if ! ls $(DIST_DIR)/desklit-*-windows-amd64-installer.exe >/dev/null 2>&1 || \
	   [ ! -f $(CACHE)/dist-work/windows/desklit.exe ]; then $(MAKE) dist-windows; fi
	test/windows/run.sh

test: deps vet test-go test-keyring test-python test-frontend test-gui test-gui-e2e test-e2e test-corpus test-dist test-windows
	@echo "make test: all suites passed"

wheelhouse:
	scripts/wheelhouse.sh build/wheelhouse
build/wheelhouse/SHA256SUMS: runtime/streamlit/requirements.txt scripts/wheelhouse.sh
	scripts/wheelhouse.sh build/wheelhouse

# uv builds every Python environment: the pinned, hash-checked wheel's binary, beside desklit.
uv: build/bin/uv
build/bin/uv: scripts/uv-requirements.txt scripts/uv.sh
	scripts/uv.sh build/bin

# The sample projects' wheels beyond Desklit's lock (test/projects/test-wheels.txt), hash-checked.
test-wheels: $(TESTWHEELS)/.stamp
$(TESTWHEELS)/.stamp: test/projects/test-wheels.txt
	mkdir -p $(TESTWHEELS)
	$(PYTHON) -m pip download -q --disable-pip-version-check --no-deps --require-hashes --only-binary=:all: \
	  -r test/projects/test-wheels.txt -d $(TESTWHEELS)
	touch $@

bench:
	bench/run.sh

# The docs' pictures (docs/screenshots, tracked) are refreshed on purpose, never by `make test`:
# the window end to end and every UI state on the scripted backend, taken into
# test/out/screenshots and copied over; deb-installed.png too when `make test-dist` left one.
SHOTS := test/out/screenshots
.PHONY: screenshots
screenshots: build wheelhouse
	test/gui/e2e.sh $(BIN) $(SHOTS)
	test/gui/screenshots-fake.sh $(SHOTS)/ui-states
	cp $(SHOTS)/gui-*.png docs/screenshots/
	@if [ -f $(SHOTS)/package-installed.png ]; then cp $(SHOTS)/package-installed.png docs/screenshots/; fi
	cp $(SHOTS)/ui-states/*.png docs/screenshots/ui-states/
	@if [ -f test/out/deb-installed.png ]; then cp test/out/deb-installed.png docs/screenshots/; \
	else echo "screenshots: no test/out/deb-installed.png (make test-dist makes it); kept the old one"; fi

include dist.mk

clean:
	rm -rf build/bin dist $(CACHE) frontend/node_modules runtime/component/node_modules
