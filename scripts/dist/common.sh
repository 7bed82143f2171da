# Sourced by the scripts in scripts/dist: the version, the Go link flags and small helpers.
#
# Input (environment; dist.mk sets them from the Makefile's VERSION, COMMIT and DATE):
#   DIST_VERSION  package version (default: VERSION without a leading "v" when it starts with a
#                 digit, e.g. tag v1.2.3 -> 1.2.3; else wails.json's productVersion + "+git" +
#                 VERSION, e.g. 0.1.0+git1d25bc7-dirty; without VERSION: productVersion)
#   COMMIT, DATE  stamped into app/version with VERSION=DIST_VERSION
#   DIST_DIR      output folder (default: dist)
#   GO            the go command (default: go)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
GO="${GO:-go}"
product_version() { sed -n 's/.*"productVersion": *"\([^"]*\)".*/\1/p' "$root/wails.json"; }
if [ -z "${DIST_VERSION:-}" ]; then
	v=${VERSION:-}
	v=${v#v}
	if [ -z "$v" ]; then
		DIST_VERSION=$(product_version)
	elif [[ $v =~ ^[0-9]+\.[0-9]+(\.[0-9]+)?([-+~][0-9A-Za-z.+~-]*)?$ ]]; then
		DIST_VERSION=$v
	else
		DIST_VERSION="$(product_version)+git$v"
	fi
fi
COMMIT="${COMMIT:-$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)}"
DATE="${DATE:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}"
DIST_DIR="${DIST_DIR:-dist}"
case "$DIST_DIR" in /*) ;; *) DIST_DIR="$root/$DIST_DIR" ;; esac
# Scratch space outside dist/ so that dist/ holds only what ships.
WORK="${DIST_WORK:-$root/.cache/dist-work}"
LDFLAGS="-s -w -X github.com/desklit/desklit/app/version.Version=$DIST_VERSION \
-X github.com/desklit/desklit/app/version.Commit=$COMMIT \
-X github.com/desklit/desklit/app/version.Date=$DATE"

# numeric_version: the leading x.y.z of DIST_VERSION (Windows resources and installers need numbers).
numeric_version() {
	local v parts
	v=$(printf '%s' "$DIST_VERSION" | grep -oE '^[0-9]+(\.[0-9]+){0,2}' || true)
	[ -n "$v" ] || v=0.0.0
	IFS=. read -ra parts <<<"$v"
	while [ "${#parts[@]}" -lt 3 ]; do parts+=(0); done
	printf '%s.%s.%s\n' "${parts[0]}" "${parts[1]}" "${parts[2]}"
}

# wails_info KEY: a value of wails.json's "info" block (companyName, productName, copyright, comments).
wails_info() { sed -n "s/.*\"$1\": *\"\\([^\"]*\\)\".*/\\1/p" "$root/wails.json" | head -1; }

# render FILE: FILE with the Wails template fields this project uses filled in.
render() {
	sed -e "s|{{.Info.ProductName}}|$(wails_info productName)|g" \
		-e "s|{{.Info.CompanyName}}|$(wails_info companyName)|g" \
		-e "s|{{.Info.ProductVersion}}|$(numeric_version)|g" \
		-e "s|{{.Info.Copyright}}|$(wails_info copyright)|g" \
		-e "s|{{.Info.Comments}}|$(wails_info comments)|g" \
		-e "s|{{.OutputFilename}}|desklit|g" \
		-e "s|{{.Name}}|desklit|g" "$1"
}

# check_frontend: the window UI and the component must have been built (make build).
check_frontend() {
	local f
	for f in frontend/dist/index.html runtime/component/dist/index.html; do
		if [ ! -f "$root/$f" ]; then
			echo "dist: $f is missing: run 'make build' first" >&2
			exit 1
		fi
	done
}

# check_wheelhouse DIR: DIR holds wheels and every one matches SHA256SUMS.
check_wheelhouse() {
	local n
	n=$(find "$1" -maxdepth 1 -name '*.whl' | wc -l)
	[ "$n" -gt 0 ] || { echo "dist: no wheels in $1" >&2; exit 1; }
	[ "$(wc -l <"$1/SHA256SUMS")" -eq "$n" ] || { echo "dist: $1/SHA256SUMS does not list its $n wheels" >&2; exit 1; }
	(cd "$1" && sha256sum --quiet -c SHA256SUMS) || { echo "dist: $1 fails its SHA256SUMS" >&2; exit 1; }
}

log() { printf 'dist: %s\n' "$*" >&2; }
