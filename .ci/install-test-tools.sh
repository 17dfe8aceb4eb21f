#!/bin/sh
# Install what the site tests (tests/testsuite/site.rs) need and are not part of cargo: the Nu Html
# Checker (npm package vnu-jar, run with the machine's java) and headless Chromium.
# Idempotent: anything already present is left alone. Run it before `cargo test`.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/target/test-tools"
mkdir -p "$tools"

apt_updated=
apt_install() {
    echo "installing $* (Debian packages) for the site tests: missing"
    [ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

command -v java >/dev/null 2>&1 || apt_install default-jre-headless
command -v npm >/dev/null 2>&1 || apt_install npm

jar="$tools/node_modules/vnu-jar/build/dist/vnu.jar"
if [ -f "$jar" ]; then
    echo "vnu.jar present: $jar"
else
    echo "installing the Nu Html Checker (npm vnu-jar) into $tools"
    (cd "$tools" && npm install --no-audit --no-fund --silent vnu-jar)
    [ -f "$jar" ] || { echo "vnu-jar installed but $jar is missing" >&2; exit 1; }
fi

if command -v chromium >/dev/null 2>&1; then
    echo "chromium present: $(command -v chromium)"
else
    apt_install chromium
fi
