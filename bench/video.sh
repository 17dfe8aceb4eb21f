#!/usr/bin/env bash
# Benchmark of the video clips (output.video_clips): what they add to a run, and what the
# smart cut saves over re-encoding every clip whole, on a generated 10-minute 720p recording
# (25 fps, a keyframe every 10 s, moving picture).
#
#   cargo build --release && bench/video.sh [WORKDIR]
#
# Prints wall time and user+sys CPU seconds of: eventcast without clips, eventcast with
# clips (same inputs, fresh work folders), and the clips re-encoded whole (libx264 with the
# settings eventcast uses for a re-encoded head, AAC audio), one ffmpeg per episode, as many
# at once as eventcast runs. On a shared machine, CPU seconds are the steadier number.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${BIN:-$ROOT/target/release/eventcast}"
W="${1:-/tmp/eventcast-bench-video}"
JOBS="$(nproc)"
TIME=/usr/bin/time
[ -x "$BIN" ] || { echo "build first: cargo build --release (or set BIN)" >&2; exit 1; }
[ -x "$TIME" ] || { echo "needs GNU time: apt-get install -y time" >&2; exit 1; }
mkdir -p "$W"
cd "$W"
ff() { ffmpeg -hide_banner -nostdin -loglevel error -y "$@"; }

# ---- the recording: intro 1, two 4-minute talks, wrap-up 1 (minutes) ----------------------
SECTIONS=("slt 1" "awb 4" "rms 4" "kal16 1")
if [ ! -f rec-10m.mp4 ]; then
  echo "generating the 10-minute recording in $W ..."
  text="Cities learn from each other. When a city shares what worked and what failed, other cities save years."
  i=0; inputs=(); filters=""
  for s in "${SECTIONS[@]}"; do
    set -- $s
    ff -f lavfi -i "flite=text='$text':voice=$1" -af "apad=pad_dur=0.7,aresample=48000" -ac 2 "voice-$i.wav"
    inputs+=(-stream_loop -1 -i "voice-$i.wav")
    filters+="[$i:a]atrim=duration=$(( $2 * 60 )),asetpts=N/SR/TB[s$i];"
    i=$((i + 1))
  done
  concat=""; for k in $(seq 0 $((i - 1))); do concat+="[s$k]"; done
  ff "${inputs[@]}" -filter_complex "${filters}${concat}concat=n=$i:v=0:a=1[a]" -map "[a]" \
     -c:a pcm_s16le speech.wav
  ff -f lavfi -i "testsrc2=size=1280x720:rate=25" -i speech.wav -map 0:v -map 1:a -shortest \
     -c:v libx264 -preset ultrafast -g 250 -pix_fmt yuv420p -c:a aac -b:a 128k rec-10m.mp4
  rm -f speech.wav voice-*.wav
fi
cat > agenda.toml <<TOML
title = "Video benchmark webinar"
date = "2026-11-20"
language = "en"
description = "A generated ten-minute webinar with two talks."
[moderator]
name = "Moderator"
[[items]]
kind = "intro"
minutes = 1
[[items]]
kind = "talk"
minutes = 4
[[items.speakers]]
name = "Speaker One"
[[items]]
kind = "talk"
minutes = 4
[[items.speakers]]
name = "Speaker Two"
[[items]]
kind = "wrapup"
minutes = 1
[[items.speakers]]
name = "Moderator"
TOML
sed "s/^video_clips = false/video_clips = true/" "$ROOT/pipeline.toml" > clips.toml
cp "$ROOT/pipeline.toml" audio.toml

timed() { # $1 = label, rest = command; prints "label wall cpu"
  local label=$1; shift
  $TIME -f "%e %U %S" -o "time-$label.txt" "$@"
  read -r wall user sys < "time-$label.txt"
  printf '%-28s wall %6.1f s   cpu %6.1f s\n' "$label" "$wall" "$(echo "$user + $sys" | bc)"
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

run() { # $1 = config
  rm -rf "out-$1"; mkdir -p "out-$1"
  "$BIN" --quiet run --recording rec-10m.mp4 --agenda agenda.toml --config "$1.toml" \
    --out "out-$1/site" --work "out-$1/work" --jobs "$JOBS"
}
export -f run; export BIN JOBS
timed "eventcast, audio only" bash -c "run audio"
timed "eventcast, with clips" bash -c "run clips"

# ---- the clips re-encoded whole, for the same spans ------------------------------------------
SPANS=$(python3 -c '
import json, glob
for r in json.load(open(glob.glob("out-clips/work/*/renditions.json")[0]))["value"]:
    e = r["episode"]; print(e["start"], e["end"] - e["start"], e["id"])')
whole() {
  echo "$SPANS" | xargs -P "$JOBS" -L 1 sh -c 'ffmpeg -hide_banner -nostdin -loglevel error -y \
    -ss "$0" -t "$1" -i rec-10m.mp4 -map 0:v:0 -map 0:a:0 -c:v libx264 -preset veryfast \
    -crf 18 -c:a aac -b:a 96k -movflags +faststart "whole-$2.mp4"'
}
timed "clips re-encoded whole" bash -c "$(declare -f whole); SPANS='$SPANS'; JOBS=$JOBS; whole"

echo
echo "how each clip's picture was made:"
python3 - out-clips/work/*/media/.*.mp4.done.json <<'PY'
import json, sys
for path in sys.argv[1:]:
    _, c = json.load(open(path))
    extra = " (re-encoded %.2f s)" % c["reencoded"] if "reencoded" in c else ""
    print("  %-40s %7.1f s  %s%s" % (c["file_name"], c["duration"], c["method"], extra))
PY
du -ch out-clips/site/*/*.mp4 | tail -1 | sed 's/^/  clips (smart cut): /'
du -ch whole-*.mp4 | tail -1 | sed 's/^/  clips (re-encoded whole): /'
