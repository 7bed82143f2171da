#!/usr/bin/env bash
# Writes DIST_DIR/SHA256SUMS (default dist/) for every file in it; check with
#   cd dist && sha256sum -c SHA256SUMS
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$DIST_DIR"
files=$(find . -maxdepth 1 -type f ! -name SHA256SUMS -printf '%f\n' | LC_ALL=C sort)
[ -n "$files" ] || { echo "dist: nothing in $DIST_DIR to checksum" >&2; exit 1; }
# shellcheck disable=SC2086
sha256sum -- $files >SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS
sha256sum --quiet -c SHA256SUMS
log "wrote $DIST_DIR/SHA256SUMS ($(wc -l <SHA256SUMS) files)"
