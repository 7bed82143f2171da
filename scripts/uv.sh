#!/usr/bin/env bash
# Puts the pinned uv (scripts/uv-requirements.txt, checked by hash) into DIR for one platform.
#
#   scripts/uv.sh [DIR]                         # this machine (default DIR: build/bin)
#   PLATFORM=win_amd64 scripts/uv.sh dist/win   # another platform's uv.exe (pip --platform)
#
# A wheel already downloaded is kept in .cache/uv-wheels, so a second run needs no network.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:-$root/build/bin}"
py="${PYTHON:-${DESKLIT_PYTHON:-python3}}"
cache="$root/.cache/uv-wheels/${PLATFORM:-native}"
mkdir -p "$dir" "$cache"
args=(download --disable-pip-version-check --no-input --no-deps --require-hashes --only-binary=:all:
      -r "$root/scripts/uv-requirements.txt" -d "$cache" --find-links "$cache")
if [[ -n "${PLATFORM:-}" ]]; then args+=(--platform "$PLATFORM"); fi
shopt -s nullglob
wheels=("$cache"/uv-*.whl)
if [[ ${#wheels[@]} -eq 0 ]]; then
  "$py" -m pip "${args[@]}" -q
  wheels=("$cache"/uv-*.whl)
fi
[[ ${#wheels[@]} -eq 1 && -f "${wheels[0]}" ]] || { echo "uv.sh: expected one uv wheel in $cache" >&2; exit 1; }
exe=uv; [[ "${PLATFORM:-}" == win* ]] && exe=uv.exe
"$py" - "${wheels[0]}" "$dir" "$exe" "$root/scripts/uv-requirements.txt" <<'PY'
import hashlib, os, re, sys, zipfile
wheel, dest, exe, pins = sys.argv[1:]
digest = hashlib.sha256(open(wheel, "rb").read()).hexdigest()
if digest not in re.findall(r"sha256:([0-9a-f]{64})", open(pins).read()):
    sys.exit(f"uv.sh: {wheel} does not match the pinned hashes (sha256 {digest}); delete it and run again")
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith("/scripts/" + exe))
    tmp = os.path.join(dest, "." + exe + ".tmp")
    with z.open(name) as src, open(tmp, "wb") as out:
        out.write(src.read())
    os.chmod(tmp, 0o755)
    os.replace(tmp, os.path.join(dest, exe))
PY
echo "uv.sh: $(basename "${wheels[0]}") -> $dir/$exe" >&2
