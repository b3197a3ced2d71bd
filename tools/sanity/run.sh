#!/usr/bin/env bash
# ansible-test sanity for this collection with the ansible-core of one venv, offline from the internet
# except the package registry (make lint runs it once per controller venv).
#   tools/sanity/run.sh [VENV]          (default .venv)
# ansible-test needs the collection at .../ansible_collections/kafkaops/cluster: this copies the files
# git knows (tracked + untracked, not ignored) to build/sanity-<core version>/ and links the declared
# dependencies (amazon.aws, community.*, ansible.posix) from the venv's `ansible` package beside it.
# `--venv` puts every test's pinned requirements in ~/.ansible/test/venv (reused by later runs); its pip
# bootstrap would download get-pip.py from ci-files.testing.ansible.com, which CI cannot reach, so the
# bootstrap script it looks for in its cache is tools/sanity/get_pip.py (ensurepip + pip from PyPI).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
VENV=${1:-.venv}
PY=$ROOT/$VENV/bin/python
SITE=$("$PY" -c 'import ansible_test, os; print(os.path.dirname(os.path.dirname(ansible_test.__file__)))')
CORE=$("$PY" -c 'from ansible.release import __version__ as v; print(".".join(v.split(".")[:2]))')
PYVER=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

PIP_PIN=$(grep -oP "pip='\K[0-9.]+" "$SITE/ansible_test/_internal/python_requirements.py")
mkdir -p ~/.ansible/test/cache
install -m 0644 tools/sanity/get_pip.py ~/.ansible/test/cache/get_pip_"${PIP_PIN//./_}".py

WORK=build/sanity-$CORE
DEST=$WORK/ansible_collections/kafkaops/cluster
rm -rf "$WORK"
mkdir -p "$DEST"
git ls-files -z --cached --others --exclude-standard | tar --null -T - --ignore-failed-read -cf - 2>/dev/null \
  | tar -C "$DEST" -xf -
for ns in amazon community ansible; do
  ln -s "$SITE/ansible_collections/$ns" "$WORK/ansible_collections/$ns"
done
# ansible-test lists the collection's files with git when it sits in a repository: give the copy its own.
git -C "$DEST" init -q
git -C "$DEST" add -A
git -C "$DEST" -c user.name=sanity -c user.email=sanity@localhost commit -q -m snapshot

echo "ansible-test sanity: ansible-core $CORE, Python $PYVER"
cd "$DEST"
PATH=$ROOT/$VENV/bin:$PATH "$ROOT/$VENV/bin/ansible-test" sanity --venv --python "$PYVER" --color no "${@:2}" \
  | grep -v -E '^(Collecting|Downloading|Installing|Successfully|Attempting|Found existing|Uninstalling|Using cached|  )'
