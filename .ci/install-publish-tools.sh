#!/usr/bin/env bash
# Install the servers the publish tests (tests/testsuite/publish.rs, servers in tests/testsuite/common/servers.rs) start on 127.0.0.1:
#   - moto's S3 server (PyPI `moto[server]`), which checks SigV4 signatures once IAM is set up;
#   - wsgidav (PyPI, with the cheroot HTTP server), a WebDAV server with basic auth;
#   - Apache httpd with mod_dav (Debian `apache2`), the WebDAV server organisations most
#     often run, configured by each test in a temporary ServerRoot;
#   - rclone (Debian `rclone`), whose `serve webdav` stores no properties.
# Installs only what is missing and says what it did. Versions are pinned to ones tested here.
set -euo pipefail

MOTO_VERSION="5.2.1"
WSGIDAV_VERSION="4.4.0"
CHEROOT_VERSION="11.1.2"

PYTHON="${PYTHON:-python3}"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "install-publish-tools: $PYTHON not found; installing python3 and pip from Debian"
    apt-get update -qq && apt-get install -y -qq python3 python3-pip >/dev/null
fi

have() { "$PYTHON" -c "import $1" >/dev/null 2>&1 && command -v "$2" >/dev/null 2>&1; }

pip_install() {
    # Debian's python refuses system-wide pip installs unless told otherwise.
    "$PYTHON" -m pip install --quiet "$@" 2>/dev/null \
        || "$PYTHON" -m pip install --quiet --break-system-packages "$@"
}

if have moto moto_server && have boto3 moto_server; then
    echo "install-publish-tools: moto_server present ($(command -v moto_server))"
else
    echo "install-publish-tools: installing moto[server]==$MOTO_VERSION from PyPI"
    pip_install "moto[server]==$MOTO_VERSION"
fi

if have wsgidav wsgidav && have cheroot wsgidav; then
    echo "install-publish-tools: wsgidav present ($(command -v wsgidav))"
else
    echo "install-publish-tools: installing wsgidav==$WSGIDAV_VERSION and cheroot==$CHEROOT_VERSION from PyPI"
    pip_install "wsgidav==$WSGIDAV_VERSION" "cheroot==$CHEROOT_VERSION"
fi

apt_updated=
apt_install() {
    echo "install-publish-tools: installing $* from Debian's packages (missing)"
    [ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
if [ -x /usr/sbin/apache2 ] && [ -f /usr/lib/apache2/modules/mod_dav_fs.so ] && command -v htpasswd >/dev/null 2>&1; then
    echo "install-publish-tools: apache2 present (/usr/sbin/apache2)"
else
    apt_install apache2 apache2-utils
fi
if command -v rclone >/dev/null 2>&1; then
    echo "install-publish-tools: rclone present ($(command -v rclone))"
else
    apt_install rclone
fi

# pyenv installs console scripts behind shims that need a rehash.
command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
command -v moto_server >/dev/null && command -v wsgidav >/dev/null \
    && echo "install-publish-tools: ready"
