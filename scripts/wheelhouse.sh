#!/usr/bin/env bash
# Fills a wheelhouse with every wheel of runtime/streamlit/requirements.txt for one platform and
# Python, checked against the lock's hashes, and writes SHA256SUMS beside them. Desklit then
# builds its runtime from it with the package index switched off.
#
#   scripts/wheelhouse.sh [DIR]            # default DIR: build/wheelhouse, for this machine's python
#   PYTHON=python3.12 scripts/wheelhouse.sh
#   PLATFORM=win_amd64 PY_VERSION=3.12 scripts/wheelhouse.sh dist/wheelhouse-win   # cross-fill
#
# PYTHON (default: $DESKLIT_PYTHON, else python3) runs pip; PLATFORM and PY_VERSION pick another
# target's wheels (pip download --platform/--python-version), e.g. for packaging.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:-$root/build/wheelhouse}"
req="${REQUIREMENTS:-$root/runtime/streamlit/requirements.txt}"
py="${PYTHON:-${DESKLIT_PYTHON:-python3}}"

mkdir -p "$dir"
args=(download --disable-pip-version-check --no-input --no-deps --require-hashes
      --only-binary=:all: -r "$req" -d "$dir")
if [[ -n "${PLATFORM:-}" ]]; then args+=(--platform "$PLATFORM"); fi
if [[ -n "${PY_VERSION:-}" ]]; then args+=(--python-version "$PY_VERSION" --implementation cp); fi

echo "wheelhouse: $("$py" -c 'import sys; print(sys.executable, sys.version.split()[0])') -> $dir" >&2
"$py" -m pip "${args[@]}"

sum=(sha256sum); command -v sha256sum >/dev/null || sum=(shasum -a 256)
(cd "$dir" && LC_ALL=C ls -1 -- *.whl | xargs "${sum[@]}" >SHA256SUMS)
echo "wheelhouse: $(find "$dir" -maxdepth 1 -name '*.whl' | wc -l) wheels, $(du -sh "$dir" | cut -f1)" >&2
