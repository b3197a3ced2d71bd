#!/usr/bin/env bash
# Print the path of a working Python X.Y interpreter (the venvs of the other ansible-core versions need
# one each: 2.20 and 2.21 install only on Python >= 3.12). Looks on PATH, then in pyenv's versions (whose
# shims answer only for the selected version), then for uv-managed ones; the newest patch release wins.
#   tools/find-python.sh 3.13
set -euo pipefail
want=$1
works() { [ -x "$1" ] && [ "$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$want" ]; }
candidates=()
command -v "python$want" >/dev/null 2>&1 && candidates+=("$(command -v "python$want")")
for root in "${PYENV_ROOT:-$HOME/.pyenv}/versions" "$HOME/.local/share/uv/python"; do
  [ -d "$root" ] || continue
  while IFS= read -r dir; do candidates+=("$dir/bin/python$want"); done \
    < <(find "$root" -mindepth 1 -maxdepth 1 -name "*$want*" | sort -V -r)
done
for py in /usr/bin/python"$want" /usr/local/bin/python"$want" "${candidates[@]}"; do
  if works "$py"; then echo "$py"; exit 0; fi
done
echo "find-python: no Python $want found (PATH, pyenv, uv); install it, e.g. pyenv install $want" >&2
exit 1
