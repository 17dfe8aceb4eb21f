#!/usr/bin/env bash
# Publish benchmark:
#  1. upload throughput of a 100 MiB file to a local moto S3 server (examples/publish_bench.rs);
#  2. requests made by a no-change re-run, counted at the test suite's proxy (S3 and WebDAV).
# Usage: bench/publish.sh [SIZE_MB]
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-publish-tools.sh
export SIZE_MB="${1:-100}"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
INITIAL_NO_AUTH_ACTION_COUNT=4 moto_server -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null || true' EXIT
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.1; done
keys=$(python3 tests/publish_servers/moto_setup.py "http://127.0.0.1:$port" bench)
export AWS_ACCESS_KEY_ID=$(echo "$keys" | sed -n 1p)
export AWS_SECRET_ACCESS_KEY=$(echo "$keys" | sed -n 2p)
export BENCH_ENDPOINT="http://127.0.0.1:$port" BENCH_BUCKET=bench
# The dev profile builds dependencies with opt-level 2 (Cargo.toml), enough for I/O.
cargo run --quiet --example publish_bench
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

echo "no-change re-run, requests counted at the proxy:"
cargo test --quiet --test testsuite rerun_uploads_nothing -- --nocapture --test-threads 1 2>&1 \
    | grep -oE "no-change [A-Za-z ]*re-run: [0-9]+ requests"
