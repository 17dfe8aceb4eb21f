#!/usr/bin/env bash
# Scale-out benchmark: wall time for an inbox of 12 webinars in a bucket, made by 1, 2 and 4
# `eventcast batch` processes at once (each with its own work folder, as separate machines
# would be), all publishing into one S3 site. Runs against a local moto S3 server.
# Usage: bench/scale.sh [WEBINARS] [PROCESSES...]   (default: 12, then 1 2 4)
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-tools test >/dev/null
webinars="${1:-12}"
shift || true
counts=("${@:-1 2 4}")
[ $# -eq 0 ] && counts=(1 2 4)

cargo build --release --quiet
bin="$PWD/target/release/eventcast"
tmp=$(mktemp -d)
trap 'kill $moto 2>/dev/null || true; rm -rf "$tmp"' EXIT

# The demo's sample webinar is the recording of every inbox entry (its inputs only).
"$bin" demo --out "$tmp/demo" >/dev/null
inputs="$tmp/demo/inputs"
duration=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$inputs/recording.mp4")

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# Signatures unchecked: moto miscomputes the SigV4 signature of a listing with a prefix.
moto_server -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto=$!
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.1; done
keys=$(python3 tests/publish_servers/moto_setup.py "http://127.0.0.1:$port" bench)
export AWS_ACCESS_KEY_ID=$(echo "$keys" | sed -n 1p)
export AWS_SECRET_ACCESS_KEY=$(echo "$keys" | sed -n 2p)

echo "inbox: $webinars webinars of ${duration%.*} s each (the demo recording, $(du -h "$inputs/recording.mp4" | cut -f1)); $(nproc) cores"
for n in "${counts[@]}"; do
    run="$tmp/run-$n"
    mkdir -p "$run"
    # A fresh inbox and site per process count: prefixes of their own.
    python3 - "$port" "$inputs" "$webinars" "in-$n" <<'PY'
import sys, boto3, os
port, inputs, count, prefix = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1")
agenda = open(os.path.join(inputs, "agenda.toml")).read()
for i in range(count):
    name = f"2026-10-{i % 28 + 1:02d}-webinar-{i:03d}"
    text = agenda.replace("2026-11-20", f"2026-10-{i % 28 + 1:02d}").replace('title = "', f'title = "Webinar {i:03d}: ', 1)
    s3.put_object(Bucket="bench", Key=f"{prefix}/{name}/agenda.toml", Body=text.encode())
    for f in ("recording.mp4", "transcript.vtt"):
        with open(os.path.join(inputs, f), "rb") as fh:
            s3.put_object(Bucket="bench", Key=f"{prefix}/{name}/{f}", Body=fh.read())
PY
    head=$(sed -n '/^\[target\]/q;p' "$inputs/pipeline.toml" | sed "s#image = \"artwork.png\"#image = \"$inputs/artwork.png\"#")
    printf '%s\n[target]\nkind = "s3"\nendpoint = "http://127.0.0.1:%s"\nregion = "us-east-1"\nbucket = "bench"\nprefix = "site-%s/"\npath_style = true\n' \
        "$head" "$port" "$n" > "$run/pipeline.toml"
    start=$(date +%s.%N)
    pids=()
    for i in $(seq 0 $((n - 1))); do
        "$bin" --log-format json batch --inbox "s3://bench/in-$n/" --config "$run/pipeline.toml" \
            --work "$run/work-$i" --shard "$i/$n" --steal --hold never \
            --jobs "$(( $(nproc) / n > 0 ? $(nproc) / n : 1 ))" \
            >"$run/out-$i.txt" 2>"$run/log-$i.json" &
        pids+=($!)
    done
    status=0
    for p in "${pids[@]}"; do wait "$p" || status=1; done
    end=$(date +%s.%N)
    published=$(cat "$run"/out-*.txt | grep -cE "^\S+\s+published\s" || true)
    printf '%d process(es): %.1f s wall for %d webinars (%d published; exit %d); ' \
        "$n" "$(echo "$end - $start" | bc)" "$webinars" "$published" "$status"
    # The publish stage (media up, catalog written conditionally, pages and feed) is the part
    # that all machines share: its time per webinar, and the catalog writes that lost a race.
    python3 - "$run" <<'PY'
import glob, json, statistics, sys
times, conflicts = [], 0
for path in glob.glob(f"{sys.argv[1]}/log-*.json"):
    for line in open(path):
        if not line.startswith("{"):
            continue
        e = json.loads(line)
        m = e.get("message", "")
        if m.startswith("publish done in "):
            times.append(float(m.split()[3]))
        if m.startswith("published into "):
            conflicts += int(e.get("conflicts", 0))
print(f"publish stage {statistics.median(times):.2f} s median, {max(times):.2f} s max per webinar; "
      f"{conflicts} catalog writes merged again after a race")
PY
    if [ "$status" != 0 ]; then
        tail -n 3 "$run/out-0.txt" "$run/log-0.json" >&2
    fi
done
