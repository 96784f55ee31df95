#!/usr/bin/env bash
# The page benchmark: builds the page with a cargo profile (dev, as the browser test loads it, or
# wasm-release, as trunk ships it), prints the wasm's size raw and gzipped, serves it and times the
# default run on the CPU path in headless Chromium (tests/browser/bench.mjs: each phase's steps per second
# and the time to the end). Needs what .ci/browser installs (wasm-bindgen-cli, chromium, playwright-core).
# With GAPO_PAGE_PROFILE=1 it profiles SFT steps instead (tests/browser/profile.mjs; names need dev).
#
#   bash bench/page.sh [dev|wasm-release] [label]
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-dev}
label=${2:-$profile}
target="${CARGO_TARGET_DIR:-target}"
node_dir="${GAPO_NODE_DIR:-/var/tmp/gapo-ci-node}"
folder=$([ "$profile" = dev ] && echo debug || echo "$profile")

cargo build --target wasm32-unknown-unknown -p gapo-web --profile "$profile"
page="$target/page-bench-$label"
rm -rf "$page" && mkdir -p "$page"
wasm-bindgen --target web --no-typescript --out-dir "$page" --out-name gapo-web \
  "$target/wasm32-unknown-unknown/$folder/gapo-web.wasm"
sed 's|<link data-trunk rel="rust"[^>]*/>|<script type="module">import init from "./gapo-web.js"; init();</script>|' \
  index.html > "$page/index.html"
raw=$(stat -c %s "$page/gapo-web_bg.wasm")
gz=$(gzip -9 -c "$page/gapo-web_bg.wasm" | wc -c)
echo "wasm: $raw bytes, $gz gzipped"

cp tests/browser/bench.mjs tests/browser/profile.mjs "$node_dir/"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$page" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
sleep 1
if [ "${GAPO_PAGE_PROFILE:-}" = 1 ]; then
  node "$node_dir/profile.mjs" "http://127.0.0.1:$port/"
else
  node "$node_dir/bench.mjs" "http://127.0.0.1:$port/" "$label $(git rev-parse --short HEAD) wasm ${gz}B gz"
fi
