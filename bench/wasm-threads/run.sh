#!/usr/bin/env bash
# Builds the wasm-threads bench (nightly Rust, atomics, a rebuilt standard library), serves it with the
# cross-origin isolation headers SharedArrayBuffer needs, and times the CLI's default session's SFT steps
# in headless Chromium with 1 and 2 rayon threads, from the main thread and from a dedicated worker. Needs
# the nightly toolchain with rust-src, and what .ci/browser installs (wasm-bindgen-cli, chromium,
# playwright-core).
#   bash bench/wasm-threads/run.sh
set -euo pipefail
cd "$(dirname "$0")"
target="${CARGO_TARGET_DIR:-/var/tmp/gapo-wasm-threads-target}"
node_dir="${GAPO_NODE_DIR:-/var/tmp/gapo-ci-node}"
# The shared memory and thread-local storage exports that wasm-bindgen's thread support expects.
link=(--shared-memory --max-memory=4294967296 --import-memory
  --export=__wasm_init_tls --export=__tls_size --export=__tls_align --export=__tls_base)
RUSTFLAGS='-C target-feature=+atomics,+bulk-memory,+simd128 --cfg getrandom_backend="wasm_js"' \
  CARGO_TARGET_DIR="$target" cargo +nightly rustc --release --target wasm32-unknown-unknown \
  -Z build-std=panic_abort,std -- "${link[@]/#/-Clink-arg=}"
wasm-bindgen --target web --no-typescript --out-dir www --out-name bench \
  "$target/wasm32-unknown-unknown/release/wasm_threads_bench.wasm"
cp threads.mjs "$node_dir/"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 serve.py "$port" www &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
sleep 1
node "$node_dir/threads.mjs" "http://127.0.0.1:$port/"
