# Packaging (included by the Makefile). `make dist` builds everything that can be built on Linux
# into dist/ with SHA256SUMS: the Linux tarball and .deb (with the wheelhouse), the Windows .exe
# and NSIS installer (cross-built; with a win_amd64 wheelhouse). The macOS .app needs a Mac:
# scripts/dist/macos.sh lays it out from a darwin binary (see its header).
# Run `make build` first (the window UI and the component must be built).
#
#   make dist                  everything below, then the checksums
#   make dist-linux            dist/desklit-<v>-linux-amd64.tar.gz, dist/desklit_<v>_amd64.deb
#   make dist-windows          dist/desklit-<v>-windows-amd64.exe and ...-installer.exe
#   make dist-check            the checks that need no install: Windows artefacts, macOS layout
#   make dist-e2e              install the .deb, start it as a desktop would, remove it (root)
#
# DIST_VERSION: VERSION when it is a version number (a tag such as v1.2.3 gives 1.2.3), else
# wails.json's productVersion + "+git<describe>" (e.g. 0.1.0+git1d25bc7-dirty).

# (scripts/dist/common.sh derives it; set DIST_VERSION to override.)

DIST_DIR      ?= dist
DIST_VERSION  ?=
DIST_DATE     := $(DATE)
DIST_ENV       = DIST_DIR='$(DIST_DIR)' VERSION='$(VERSION)' DIST_VERSION='$(DIST_VERSION)' \
                 COMMIT='$(COMMIT)' DATE='$(DIST_DATE)' GO='$(GO)'

.PHONY: dist dist-linux dist-windows dist-sums dist-check dist-e2e

# dist/ starts empty so that it and its checksums hold only this version's artefacts.
dist:
	rm -rf $(DIST_DIR)
	$(DIST_ENV) scripts/dist/linux.sh
	$(DIST_ENV) scripts/dist/windows.sh
	$(DIST_ENV) scripts/dist/checksums.sh
	@ls -l $(DIST_DIR)

dist-linux:
	$(DIST_ENV) scripts/dist/linux.sh
	$(DIST_ENV) scripts/dist/checksums.sh

dist-windows:
	$(DIST_ENV) scripts/dist/windows.sh
	$(DIST_ENV) scripts/dist/checksums.sh

dist-sums:
	$(DIST_ENV) scripts/dist/checksums.sh

dist-check:
	test/dist/windows-check.sh $(DIST_DIR)
	test/dist/macos-layout.sh
	cd $(DIST_DIR) && sha256sum --quiet -c SHA256SUMS

dist-e2e:
	test/dist/deb-e2e.sh $(firstword $(wildcard $(DIST_DIR)/desklit_*_amd64.deb))
