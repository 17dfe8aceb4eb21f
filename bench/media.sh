#!/usr/bin/env bash
# Benchmark of the media stage (issue 4): eventcast against the hand-written ffmpeg script
# and against the work that cannot be avoided, on a generated 60-minute 720p webinar.
#
#   cargo build --release && bench/media.sh [WORKDIR]
#
# Prints wall time and user+sys CPU seconds of each contender, the ratios, the loudness and
# true peak of every output (ffmpeg ebur128), and eventcast's peak RSS (its own process,
# not ffmpeg's) for a 1-hour and a 3-hour recording. The machine's load average is printed too: on a shared machine, CPU
# seconds are the steadier number.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$ROOT/target/release/eventcast"
W="${1:-/tmp/eventcast-bench}"
JOBS="$(nproc)"
TIME=/usr/bin/time
[ -x "$BIN" ] || [ "${GEN_ONLY:-0}" = 1 ] || { echo "build first: cargo build --release" >&2; exit 1; }
[ -x "$TIME" ] || { echo "needs GNU time: apt-get install -y time" >&2; exit 1; }
mkdir -p "$W"
cd "$W"
ff() { ffmpeg -hide_banner -nostdin -loglevel error -y "$@"; }

# ---- the recording: 60 min, 1280x720 video at 5 fps (a still "slide", like a screen share),
# AAC 48 kHz stereo ---------------------------------------------------------------------------
# Sections: intro 5, three 15-minute talks, wrap-up 10 (minutes). Each speaker is a flite
# voice reading a paragraph in a loop, with short pauses, over quiet room noise.
SECTIONS=("slt 5" "awb 15" "rms 15" "kal16 15" "slt 10")
if [ ! -f rec-1h.mp4 ]; then
  echo "generating the 60-minute recording in $W ..."
  text="Cities learn from each other. When a city shares what worked and what failed, other cities save years. Today we look at data, budgets and the people who make change happen."
  i=0; inputs=(); filters=""
  for s in "${SECTIONS[@]}"; do
    set -- $s
    ff -f lavfi -i "flite=text='$text':voice=$1" -af "apad=pad_dur=0.7,aresample=48000" -ac 2 "voice-$i.wav"
    inputs+=(-stream_loop -1 -i "voice-$i.wav")
    filters+="[$i:a]atrim=duration=$(( $2 * 60 )),asetpts=N/SR/TB[s$i];"
    i=$((i + 1))
  done
  concat=""; for k in $(seq 0 $((i - 1))); do concat+="[s$k]"; done
  ff "${inputs[@]}" -f lavfi -i "anoisesrc=color=pink:amplitude=0.002:sample_rate=48000" \
     -filter_complex "${filters}${concat}concat=n=$i:v=0:a=1[sp];[$i:a]aformat=channel_layouts=stereo[n];[sp][n]amix=inputs=2:duration=first:normalize=0[a]" \
     -map "[a]" -c:a pcm_s16le speech.wav
  ff -f lavfi -i "smptehdbars=size=1280x720:rate=5" -i speech.wav -map 0:v -map 1:a -shortest \
     -c:v libx264 -preset ultrafast -g 50 -pix_fmt yuv420p -c:a aac -b:a 128k rec-1h.mp4
  rm -f speech.wav voice-*.wav
fi
if [ ! -f rec-3h.mp4 ]; then
  ff -stream_loop 2 -i rec-1h.mp4 -c copy rec-3h.mp4
fi

[ "${GEN_ONLY:-0}" = 1 ] && exit 0

agenda() { # $1 = scale (1 for the hour, 3 for three hours)
  local s=$1
  cat <<TOML
title = "Benchmark webinar"
series = "Learning from cities"
date = "2026-11-20"
language = "en"
description = "A generated one-hour webinar with three talks."
[moderator]
name = "Moderator"
[[items]]
kind = "intro"
minutes = $((5 * s))
[[items]]
kind = "talk"
minutes = $((15 * s))
[[items.speakers]]
name = "Speaker One"
[[items]]
kind = "talk"
minutes = $((15 * s))
[[items.speakers]]
name = "Speaker Two"
[[items]]
kind = "talk"
minutes = $((15 * s))
[[items.speakers]]
name = "Speaker Three"
[[items]]
kind = "wrapup"
minutes = $((10 * s))
[[items.speakers]]
name = "Moderator"
TOML
}
agenda 1 > agenda-1h.toml
agenda 3 > agenda-3h.toml

# A Zoom-style transcript (the issue's contender plans from a transcript): one 5-second
# "Name: text" cue after another through each section, named after the agenda.
transcript() { # $1 = scale
  awk -v s="$1" 'function ts(t) { return sprintf("%02d:%02d:%02d.000", t / 3600, (t % 3600) / 60, t % 60) }
    BEGIN {
      print "WEBVTT\n"
      split("5 15 15 15 10", mins, " ")
      split("Moderator|Speaker One|Speaker Two|Speaker Three|Moderator", who, "|")
      t = 0; n = 0
      for (k = 1; k <= 5; k++) {
        end = t + mins[k] * 60 * s
        for (; t < end; t += 5) { n++; printf "%d\n%s --> %s\n%s: Cities learn from each other.\n\n", n, ts(t), ts(t + 5), who[k] }
      }
    }'
}
transcript 1 > transcript-1h.vtt
transcript 3 > transcript-3h.vtt

# The episodes both contenders make (start end name), from the agenda's minutes.
EPISODES=("0 3600 webinar" "300 1200 talk-1" "1200 2100 talk-2" "2100 3000 talk-3" "3000 3600 wrapup")
OUT_MINUTES=$(( (3600 + 900 * 3 + 600) / 60 ))

timed() { # $1 = label, rest = command; appends "label wall cpu rss" to times.txt
  # cpu = user+sys of the command and its children (ffmpeg); rss = peak resident memory
  # (VmHWM) of the command's own process, sampled from /proc (GNU time's %M would report
  # the largest child instead).
  local label=$1; shift
  $TIME -f "%e %U %S" -o "time-$label.txt" "$@" &
  local tpid=$! pid="" hwm=0 v
  while kill -0 "$tpid" 2>/dev/null; do
    [ -n "$pid" ] || pid=$(pgrep -P "$tpid" | head -1 || true)
    if [ -n "$pid" ]; then
      v=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
      [ -n "$v" ] && hwm=$v
    fi
    sleep 0.2
  done
  wait "$tpid"
  read -r wall user sys < "time-$label.txt"
  echo "$label $wall $(echo "$user + $sys" | bc) $hwm" >> times.txt
}
: > times.txt
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- 1. eventcast -------------------------------------------------------------------------
echo "running eventcast ..."
rm -rf ec-1h; mkdir -p ec-1h
timed eventcast "$BIN" --quiet run --recording rec-1h.mp4 --agenda agenda-1h.toml --transcript transcript-1h.vtt \
  --out ec-1h/site --work ec-1h/work --jobs "$JOBS"

# ---- 1b. eventcast with LAME's own default quality (3), the hand-written script's encoder --
sed 's/^mp3_quality = .*/mp3_quality = 3/' "$ROOT/pipeline.toml" > pipeline-q3.toml
echo "running eventcast with mp3_quality = 3 ..."
rm -rf ec-q3; mkdir -p ec-q3
timed eventcast-q3 "$BIN" --quiet run --config pipeline-q3.toml --recording rec-1h.mp4 \
  --agenda agenda-1h.toml --transcript transcript-1h.vtt --out ec-q3/site --work ec-q3/work --jobs "$JOBS"

# ---- 2. the unavoidable work: one decode, one ebur128 pass, one MP3 encode per output minute,
# with eventcast's encoder settings (pipeline.toml's default profile: LAME quality 7)
unavoidable() {
  ff -i rec-1h.mp4 -map 0:a:0 -vn -ac 1 -ar 44100 -c:a pcm_s16le base.wav
  ffmpeg -hide_banner -nostdin -i base.wav -af ebur128=peak=true -f null - 2>/dev/null
  printf '%s\n' "${EPISODES[@]}" | xargs -P "$JOBS" -L 1 sh -c \
    'ffmpeg -hide_banner -nostdin -loglevel error -y -ss "$0" -to "$1" -i base.wav -c:a libmp3lame -compression_level 7 -b:a 96k "base-$2.mp3"'
  rm -f base.wav base-*.mp3
}
echo "running the unavoidable work ($JOBS encoders at once, like eventcast) ..."
timed unavoidable bash -c "$(declare -f ff unavoidable); JOBS=$JOBS; EPISODES=(\"0 3600 webinar\" \"300 1200 talk-1\" \"1200 2100 talk-2\" \"2100 3000 talk-3\" \"3000 3600 wrapup\"); unavoidable"

# ---- 3. the hand-written script: two-pass loudnorm per episode, straight from the MP4 -----
script_run() {
  rm -rf script-out; mkdir -p script-out
  for e in "${EPISODES[@]}"; do
    set -- $e
    local m
    m=$(ffmpeg -hide_banner -nostdin -ss "$1" -to "$2" -i rec-1h.mp4 \
        -af loudnorm=I=-16:TP=-1:LRA=11:print_format=json -f null - 2>&1 | sed -n '/^{/,/^}/p')
    local mi mtp mlra mth off
    mi=$(echo "$m" | sed -n 's/.*"input_i" : "\(.*\)".*/\1/p')
    mtp=$(echo "$m" | sed -n 's/.*"input_tp" : "\(.*\)".*/\1/p')
    mlra=$(echo "$m" | sed -n 's/.*"input_lra" : "\(.*\)".*/\1/p')
    mth=$(echo "$m" | sed -n 's/.*"input_thresh" : "\(.*\)".*/\1/p')
    off=$(echo "$m" | sed -n 's/.*"target_offset" : "\(.*\)".*/\1/p')
    ff -ss "$1" -to "$2" -i rec-1h.mp4 \
      -af "loudnorm=I=-16:TP=-1:LRA=11:measured_I=$mi:measured_TP=$mtp:measured_LRA=$mlra:measured_thresh=$mth:offset=$off:linear=true" \
      -ar 44100 -ac 1 -c:a libmp3lame -b:a 96k "script-out/$3.mp3"
  done
}
echo "running the hand-written script (sequential two-pass loudnorm) ..."
timed script bash -c "$(declare -f ff script_run); EPISODES=(\"0 3600 webinar\" \"300 1200 talk-1\" \"1200 2100 talk-2\" \"2100 3000 talk-3\" \"3000 3600 wrapup\"); script_run"

# ---- 4. memory for three hours ---------------------------------------------------------------
echo "running eventcast on the 3-hour recording (peak RSS) ..."
rm -rf ec-3h; mkdir -p ec-3h
timed eventcast-3h "$BIN" --quiet run --recording rec-3h.mp4 --agenda agenda-3h.toml --transcript transcript-3h.vtt \
  --out ec-3h/site --work ec-3h/work --jobs "$JOBS"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- report -----------------------------------------------------------------------------------
echo
echo "outputs: $OUT_MINUTES minutes of episodes from a 60-minute recording, $JOBS cores"
printf '%-14s %9s %12s\n' contender "wall (s)" "user+sys (s)"
while read -r label wall cpu rss; do
  printf '%-14s %9.1f %12.1f\n' "$label" "$wall" "$cpu"
done < times.txt
val() { awk -v l="$1" -v c="$2" '$1 == l { print $c }' times.txt; }
echo "script / eventcast:       wall $(echo "scale=1; $(val script 2) / $(val eventcast 2)" | bc)x   cpu $(echo "scale=1; $(val script 3) / $(val eventcast 3)" | bc)x   (target >= 10x)"
echo "script / eventcast (q3):  wall $(echo "scale=1; $(val script 2) / $(val eventcast-q3 2)" | bc)x   cpu $(echo "scale=1; $(val script 3) / $(val eventcast-q3 3)" | bc)x   (same LAME quality as the script)"
echo "eventcast / unavoidable:  wall $(echo "scale=2; $(val eventcast 2) / $(val unavoidable 2)" | bc)x  cpu $(echo "scale=2; $(val eventcast 3) / $(val unavoidable 3)" | bc)x  (target <= 1.5x)"
echo "peak RSS eventcast: 1 h $(( $(val eventcast 4) / 1024 )) MB, 3 h $(( $(val eventcast-3h 4) / 1024 )) MB"
echo
echo "loudness of every output (ffmpeg ebur128=peak=true; target -16 LUFS, true peak <= -1 dBTP):"
for f in script-out/*.mp3 ec-1h/site/*/*.mp3; do
  s=$(ffmpeg -hide_banner -nostdin -i "$f" -af ebur128=peak=true -f null - 2>&1 | sed -n '/Summary:/,$p')
  i=$(echo "$s" | awk '$1 == "I:" { print $2 }')
  p=$(echo "$s" | awk '$1 == "Peak:" { print $2 }')
  printf '  %-60s %7s LUFS %7s dBTP\n' "$f" "$i" "$p"
done
