#!/usr/bin/env bash
# Create a pinned Python venv, reusing one built before from the same interpreter and requirements.
#   tools/venv.sh PYTHON DEST REQUIREMENTS
# The requirements files pin every package (a pip freeze): install with --no-deps, then pip check proves nothing is
# missing. The byte-compiling stays (see the Makefile). Each venv gets tools/zipcache's byte-code cache for Ansible's
# module payloads (local module runs: the loopback module tests, the AWS tests against moto).
#
# Cache: KAFKAOPS_VENV_CACHE (default ~/.cache/kafkaops/venvs; empty: no cache, DEST is built in place). A venv is
# not relocatable (its scripts name its path), so the cached venv is built where it stays,
# <cache>/<key>, and DEST becomes a symlink to it. The key hashes the interpreter (path and version), the
# requirements file and this script, so any change builds a new one. A venv counts only once it is complete
# (.complete written after pip check), built under a lock: parallel checkouts wait for the first build instead of
# building the same venv twice. Nothing writes into a venv after it is built (tests and labs only run from it), so
# checkouts can share it; make clean removes the link, not the cache.
set -euo pipefail
py=${1:?usage: venv.sh PYTHON DEST REQUIREMENTS}
dest=${2:?usage: venv.sh PYTHON DEST REQUIREMENTS}
req=${3:?usage: venv.sh PYTHON DEST REQUIREMENTS}
cache=${KAFKAOPS_VENV_CACHE-$HOME/.cache/kafkaops/venvs}
pip_opts=(-q --disable-pip-version-check)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The base interpreter: PYTHON may be a venv's own python (the Makefile puts .venv/bin first on PATH).
py=$("$py" -c 'import sys; print(getattr(sys, "_base_executable", None) or sys.executable)')

build() { # build VENV_DIR
    "$py" -m venv "$1"
    "$1/bin/pip" install "${pip_opts[@]}" --no-deps -r "$req"
    "$1/bin/pip" check "${pip_opts[@]}"
    "$here/zipcache/install.sh" "$1/bin/python"
}

rm -rf "$dest"
if [ -z "$cache" ]; then
    build "$dest"
    exit 0
fi

key=$( {
    echo "$py"
    "$py" -c 'import sys; print(sys.version)'
    cat "$req" "${BASH_SOURCE[0]}" "$here"/zipcache/{install.sh,kafkaops_zipcache.pth,kafkaops_zipcache.py}
} | sha256sum | cut -c1-16)
name=$(basename "$req" .txt)-$key
mkdir -p "$cache"
(
    flock 9
    if [ ! -f "$cache/$name/.complete" ]; then
        rm -rf "${cache:?}/$name"
        build "$cache/$name"
        touch "$cache/$name/.complete"
        echo "venv: built $cache/$name"
    else
        echo "venv: reusing $cache/$name"
    fi
) 9>"$cache/$name.lock"
ln -sfn "$cache/$name" "$dest"
