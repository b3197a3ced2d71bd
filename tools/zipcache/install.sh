#!/bin/sh
# Install the zip import byte-code cache (kafkaops_zipcache.py) into a Python's site-packages:
#   tools/zipcache/install.sh PYTHON
# PYTHON is a venv's python (its site-packages) or a system python3 (the first of site.getsitepackages()).
set -eu
py=${1:?usage: install.sh PYTHON}
here=$(cd "$(dirname "$0")" && pwd)
site=$("$py" -c 'import site, sys; print(site.getsitepackages()[0])')
mkdir -p "$site"
cp "$here/kafkaops_zipcache.py" "$here/kafkaops_zipcache.pth" "$site/"
"$py" -m py_compile "$site/kafkaops_zipcache.py"
