#!/usr/bin/env bash
# Stands in for the system browser ($BROWSER) in end-to-end tests: it records the URL that Desklit
# asked to open, and the test's Chromium opens it.
set -eu
printf '%s\n' "$1" >> "${DESKLIT_E2E_URL_FILE:?}"
