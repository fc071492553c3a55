#!/usr/bin/env bash
# Vendor the front-end assets the UI serves itself (no CDN: the platform runs on isolated intranets).
# Fetches pinned packages from the npm registry with `npm pack` and copies only the dist files we use
# into src/infogov/static/vendor/<lib>/, plus axe-core for the browser tests.
# Usage: scripts/vendor_static.sh   (needs node/npm; re-run after changing a version below)
set -euo pipefail

BOOTSTRAP=5.3.9
BOOTSTRAP_ICONS=1.13.2
HTMX=2.0.11
ECHARTS=5.6.0
AXE=4.14.1

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENDOR="$ROOT/src/infogov/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

fetch() {  # fetch <package> <version> → unpacked in $WORK/<package>/package
  local pkg="$1" ver="$2" dir="$WORK/${1//\//_}"
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "$pkg@$ver" >/dev/null && tar -xzf ./*.tgz)
  echo "$dir/package"
}

rm -rf "$VENDOR"
mkdir -p "$VENDOR"/{bootstrap,bootstrap-icons/fonts,htmx,echarts}

p="$(fetch bootstrap "$BOOTSTRAP")"
cp "$p/dist/css/bootstrap.min.css" "$p/dist/js/bootstrap.bundle.min.js" "$p/LICENSE" "$VENDOR/bootstrap/"

p="$(fetch bootstrap-icons "$BOOTSTRAP_ICONS")"
cp "$p/font/bootstrap-icons.min.css" "$p/LICENSE" "$VENDOR/bootstrap-icons/"
cp "$p/font/fonts/bootstrap-icons.woff2" "$p/font/fonts/bootstrap-icons.woff" "$VENDOR/bootstrap-icons/fonts/"

p="$(fetch htmx.org "$HTMX")"
cp "$p/dist/htmx.min.js" "$p/LICENSE" "$VENDOR/htmx/"

p="$(fetch echarts "$ECHARTS")"
cp "$p/dist/echarts.min.js" "$p/LICENSE" "$VENDOR/echarts/"

p="$(fetch axe-core "$AXE")"
cp "$p/axe.min.js" "$ROOT/tests/browser/axe.min.js"

cat > "$VENDOR/VERSIONS" <<VERSIONS
bootstrap $BOOTSTRAP
bootstrap-icons $BOOTSTRAP_ICONS
htmx.org $HTMX
echarts $ECHARTS
axe-core $AXE (tests/browser/axe.min.js)
VERSIONS
du -sh "$VENDOR"
