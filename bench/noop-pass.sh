#!/usr/bin/env bash
# A batch pass with nothing to do over a large local inbox: how long it takes and how many
# bytes eventcast reads. Each inbox entry is the demo's agenda (its own title and date) and
# a sparse WAV recording of SIZE_MB (a valid header, then a hole). The catalog holds every
# entry as published from these inputs: the demo's one real entry, cloned, with each
# entry's fingerprint as `eventcast -v batch --dry-run` logs it. A first pass hashes every
# recording (remembered in the work folder); the measured second pass should read none.
# Usage: bench/noop-pass.sh [ENTRIES] [SIZE_MB]   (default 300 entries of 500 MB)
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-tools demo >/dev/null
entries="${1:-300}"
size_mb="${2:-500}"
cargo build --release --quiet
bin="$PWD/target/release/eventcast"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bin" demo --out "$tmp/demo" >/dev/null
config="$tmp/demo/inputs/pipeline.toml"
cp -r "$tmp/demo/site" "$tmp/site"

python3 - "$tmp/inbox" "$tmp/demo/inputs/agenda.toml" "$entries" "$size_mb" <<'PY'
import os, struct, sys
inbox, agenda_path, count, size_mb = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
agenda = open(agenda_path).read()
size = size_mb * 1024 * 1024
for i in range(count):
    day = f"20{10 + i // 336:02d}-{i // 28 % 12 + 1:02d}-{i % 28 + 1:02d}"
    d = os.path.join(inbox, f"{day}-webinar-{i:03d}")
    os.makedirs(d)
    open(os.path.join(d, "agenda.toml"), "w").write(
        agenda.replace("2026-11-20", day).replace('title = "', f'title = "Webinar {i:03d}: ', 1))
    data = size - 44
    header = b"RIFF" + struct.pack("<I", 36 + data) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16) + b"data" + struct.pack("<I", data)
    with open(os.path.join(d, "recording.wav"), "wb") as f:
        f.write(header)
        f.truncate(size)
PY
echo "inbox: $entries entries, each a sparse WAV of $size_mb MB ($(du -sh "$tmp/inbox" | cut -f1) on disk)"

# Runs eventcast, printing wall seconds and what it read (its /proc io, polled to the end;
# its ffprobe children are counted apart by their own /proc io).
measure() {
    python3 - "$@" <<'PY'
import subprocess, sys, time
start = time.monotonic()
with open("/tmp/noop-pass-last.out", "w") as out, open("/tmp/noop-pass-last.err", "w") as err:
    p = subprocess.Popen(sys.argv[1:], stdout=out, stderr=err)
    last = {}
    while p.poll() is None:
        try:
            with open(f"/proc/{p.pid}/io") as f:
                last = {k: int(v) for k, v in (l.split(": ") for l in f.read().splitlines())}
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
        time.sleep(0.002)
wall = time.monotonic() - start
print(f"  {wall:.2f} s wall, read {last.get('rchar', 0) / 1e6:.2f} MB through read calls "
      f"({last.get('read_bytes', 0) / 1e6:.2f} MB from the disk), exit {p.returncode}")
lines = open("/tmp/noop-pass-last.out").read().strip().splitlines()
print("  summary:", lines[-1] if lines else "(none)")
PY
}

args=(batch --inbox "$tmp/inbox" --out "$tmp/site" --work "$tmp/work" --config "$config")
echo "first pass (--dry-run: every input read and hashed once):"
measure "$bin" -v --log-format json "${args[@]}" --dry-run
cp /tmp/noop-pass-last.err "$tmp/first.log"

python3 - "$tmp/site/catalog.json" "$tmp/first.log" <<'PY'
import json, sys, copy
catalog_path, log = sys.argv[1], sys.argv[2]
catalog = json.load(open(catalog_path))
template = catalog["webinars"][0]
seen = 0
for line in open(log):
    if not line.startswith("{"):
        continue
    e = json.loads(line)
    if e.get("message") != "inputs fingerprinted":
        continue
    slug, fp = e["slug"], e["fingerprint"]
    agenda = next(s for s in e["spans"] if "webinar" in s)["webinar"]
    w = copy.deepcopy(template)
    w.pop("identity", None)
    date = slug[:10]
    w.update(slug=slug, fingerprint=fp, date=date)
    # The title as the agenda gives it (slug and identity are made from it).
    w["title"] = "Webinar " + agenda.split("-webinar-")[1] + ": " + template["title"]
    catalog["webinars"].append(w)
    seen += 1
json.dump(catalog, open(catalog_path, "w"), indent=1)
print(f"catalog: {seen} entries published from these inputs (cloned from the demo's)")
PY

echo "second pass (nothing to do), twice:"
for _ in 1 2; do measure "$bin" "${args[@]}"; done
grep -c "up to date, skipped" /tmp/noop-pass-last.out | sed 's/^/  webinars up to date: /'
