#!/usr/bin/env bash
# Demo output, two builds of eventcast (a baseline and HEAD) compared on the SAME inputs: the
# demo's sample webinar (made once, by HEAD) is published by each build into the same output
# path, one after the other, and the two sites are compared file by file. Each build
# publishes twice, to show that HEAD is byte-identical run to run (the baseline for reference).
#
# Usage: bench/demo-diff.sh BASE_BIN HEAD_BIN [DIR]      (DIR defaults to /tmp/demo-cmp)
#   e.g. git worktree add /tmp/wt-base 2c06e37 && (cd /tmp/wt-base && cargo build)
#        bench/demo-diff.sh /tmp/wt-base/target/debug/eventcast target/debug/eventcast
#
# DIR/inputs is made with `HEAD_BIN demo` when missing (recording.mp4, agenda.toml,
# transcript.vtt, artwork.png, pipeline.toml). The demo's pipeline.toml is kept as
# pipeline.demo.toml; pipeline.toml is it without its [review] section, which builds before
# review holds refuse as an unknown key (`--hold never` is given to builds that have it, so
# review settings never keep a run from publishing). Results: DIR/site-base, site-base2,
# site-head, site-head2, and DIR/logs/*.log. The work folder is removed after each run.
#
# Each differing file is shown: JSON, XML, HTML, VTT and CSS as a text diff; audio as the
# difference between `ffprobe -show_format -show_streams -show_chapters` of the two files
# and whether their decoded audio (`ffmpeg -f md5`) is the same. A text difference is
# classed "timestamp" when the files are equal once dates and times are masked, "intended"
# when every changed line is one of the known changes (KNOWN below), else "UNEXPLAINED".
# Exit status: 0 when base vs head has no unexplained difference and head is identical run to
# run, 1 otherwise.
set -euo pipefail

base_bin=$(realpath "${1:?usage: bench/demo-diff.sh BASE_BIN HEAD_BIN [DIR]}")
head_bin=$(realpath "${2:?usage: bench/demo-diff.sh BASE_BIN HEAD_BIN [DIR]}")
dir=$(realpath -m "${3:-/tmp/demo-cmp}")
mkdir -p "$dir/logs"
cd "$dir"
inputs="$dir/inputs"

if [ ! -f "$inputs/recording.mp4" ]; then
  rm -rf "$dir/demo"
  "$head_bin" demo --out "$dir/demo" >"$dir/logs/demo.log" 2>&1
  mkdir -p "$inputs"
  cp -a "$dir/demo/inputs/"{recording.mp4,agenda.toml,transcript.vtt,artwork.png} "$inputs/"
  cp -a "$dir/demo/inputs/pipeline.toml" "$inputs/pipeline.demo.toml"
  awk '/^\[review\]/{skip=1} /^\[/ && !/^\[review\]/{skip=0} !skip' \
    "$inputs/pipeline.demo.toml" >"$inputs/pipeline.toml"
fi

# Publish the inputs with one build into $dir/site, then move the site to $dir/site-NAME.
publish() {
  local bin=$1 name=$2 extra=()
  "$bin" run --help | grep -q -- '--hold' && extra=(--hold never)
  rm -rf "$dir/site" "$dir/work" "$dir/site-$name"
  if ! "$bin" run --recording "$inputs/recording.mp4" --agenda "$inputs/agenda.toml" \
    --transcript "$inputs/transcript.vtt" --config "$inputs/pipeline.toml" \
    --out "$dir/site" --work "$dir/work" "${extra[@]}" >"$dir/logs/$name.log" 2>&1; then
    echo "$name: $bin run failed, see $dir/logs/$name.log" >&2
    exit 1
  fi
  mv "$dir/site" "$dir/site-$name"
  rm -rf "$dir/work"
}

if [ -z "${COMPARE_ONLY:-}" ]; then # COMPARE_ONLY=1: compare the sites already there
  publish "$base_bin" base
  publish "$head_bin" head
  publish "$head_bin" head2
  publish "$base_bin" base2
fi

# Dates and times as feeds, pages and logs write them.
mask_times() {
  sed -E \
    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?/<TIME>/g' \
    -e 's/(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{1,2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} ([+-][0-9]{4}|GMT|UTC)/<TIME>/g' \
    "$1"
}

# The known, intended changes since 2c06e37, as a changed line old -> new: (file name
# pattern, old line regex, new line regex with \1.. from old's groups; its group `person`,
# if any, must be a moderator's or speaker's name in the newer site's catalog.json).
KNOWN='
[
  ["\\.chapters\\.json$", "^(\\s*\"title\": \"(.*))\",?$", "^\\1 – (?P<person>[^\"]+)\",?$",
   "JSON chapter title gained \" – speaker\" (ID3 and JSON chapters carry the same titles)"],
  ["^catalog\\.json$", "^\\s*\"fingerprint\": \"[0-9a-f]+\",?$", "^\\s*\"fingerprint\": \"[0-9a-f]+\",?$",
   "catalog fingerprint: made from the blake3 hash of each input, not its bytes (abde3bb)"]
]'

# Class of a text file pair: every changed line explained by KNOWN, or not.
# Usage: classify_text REL OLD_FILE NEW_FILE NEW_SITE
classify_text() {
  python3 - "$1" "$2" "$3" "$KNOWN" "$4" <<'EOF'
import difflib, json, os, re, sys
rel, a, b, known = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
people = set()
try:
    for w in json.load(open(os.path.join(sys.argv[5], "catalog.json"), encoding="utf-8"))["webinars"]:
        people |= {p["name"] for p in [w.get("moderator") or {}] + w.get("speakers", []) if "name" in p}
except (OSError, ValueError, KeyError):
    pass
name = rel.rsplit("/", 1)[-1]
la, lb = open(a, encoding="utf-8").read().splitlines(), open(b, encoding="utf-8").read().splitlines()
why, unexplained = set(), []
for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, la, lb, autojunk=False).get_opcodes():
    if op == "equal":
        continue
    olds, news = la[i1:i2], lb[j1:j2]
    if op != "replace" or len(olds) != len(news):
        unexplained += [f"- {l}" for l in olds] + [f"+ {l}" for l in news]
        continue
    for o, n in zip(olds, news):
        for pat, old_re, new_re, reason in known:
            m = re.search(pat, name) and re.match(old_re, o)
            # new_re's \1.. stand for old's groups, matched literally
            m2 = m and re.match(re.sub(r"\\(\d)", lambda g: re.escape(m.group(int(g.group(1)))), new_re), n)
            if m2 and ("person" not in m2.groupdict() or m2.group("person") in people):
                why.add(reason)
                break
        else:
            unexplained += [f"- {o}", f"+ {n}"]
if unexplained:
    print("UNEXPLAINED")
    for l in unexplained:
        print("      " + l)
else:
    print("intended: " + "; ".join(sorted(why)))
EOF
}

probe() {
  ffprobe -v error -show_format -show_streams -show_chapters -of json "$1" </dev/null |
    grep -v '"filename"'
}

# Compare two sites; print one line per file and details for each differing one.
# Sets $unexplained to the number of differences not explained.
compare() {
  local a=$1 b=$2 rel
  unexplained=0
  echo "== $a vs $b"
  while read -r rel; do
    if [ ! -e "$a/$rel" ] || [ ! -e "$b/$rel" ]; then
      echo "ONLY IN $([ -e "$a/$rel" ] && echo "$a" || echo "$b"): $rel  UNEXPLAINED"
      unexplained=$((unexplained + 1))
      continue
    fi
    cmp -s "$a/$rel" "$b/$rel" && { echo "same      $rel"; continue; }
    case "$rel" in
      *.json | *.xml | *.html | *.vtt | *.css | *.txt)
        if cmp -s <(mask_times "$a/$rel") <(mask_times "$b/$rel"); then
          echo "DIFFERS   $rel  -> timestamp only"
          diff <(cat "$a/$rel") <(cat "$b/$rel") | sed 's/^/      /' || true
        else
          local class
          class=$(classify_text "$rel" <(mask_times "$a/$rel") <(mask_times "$b/$rel") "$b")
          echo "DIFFERS   $rel  -> ${class%%$'\n'*}"
          diff <(cat "$a/$rel") <(cat "$b/$rel") | sed 's/^/      /' || true
          case "$class" in UNEXPLAINED*) unexplained=$((unexplained + 1)) ;; esac
        fi
        ;;
      *.mp3 | *.m4a | *.mp4 | *.oga | *.ogg | *.opus | *.aac)
        local md5a md5b
        md5a=$(ffmpeg -nostdin -v error -i "$a/$rel" -map 0:a:0 -f md5 - 2>/dev/null)
        md5b=$(ffmpeg -nostdin -v error -i "$b/$rel" -map 0:a:0 -f md5 - 2>/dev/null)
        echo "DIFFERS   $rel  ($(stat -c %s "$a/$rel") vs $(stat -c %s "$b/$rel") bytes;" \
          "decoded audio $([ "$md5a" = "$md5b" ] && echo same || echo DIFFERENT))  UNEXPLAINED until read"
        diff <(probe "$a/$rel") <(probe "$b/$rel") | sed 's/^/      /' || true
        unexplained=$((unexplained + 1))
        ;;
      *)
        echo "DIFFERS   $rel  ($(stat -c %s "$a/$rel") vs $(stat -c %s "$b/$rel") bytes," \
          "$(cmp -l "$a/$rel" "$b/$rel" 2>/dev/null | wc -l) bytes differ)  UNEXPLAINED"
        unexplained=$((unexplained + 1))
        ;;
    esac
  done < <({ (cd "$a" && find . -type f); (cd "$b" && find . -type f); } | sed 's|^\./||' | sort -u)
  echo
}

status=0
compare site-head site-head2
[ "$unexplained" = 0 ] || { echo "head: NOT identical run to run"; status=1; }
compare site-base site-base2
[ "$unexplained" = 0 ] || echo "(base not identical run to run: its differences above)"
compare site-base site-head
[ "$unexplained" = 0 ] || { echo "base vs head: $unexplained unexplained difference(s)"; status=1; }
exit $status
