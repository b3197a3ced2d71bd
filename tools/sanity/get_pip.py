# -*- coding: utf-8 -*-
# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for pip's get-pip.py that ansible-test's --venv runs to put pip into a new venv.

ansible-test downloads get-pip.py from ci-files.testing.ansible.com, a host CI cannot reach.
This does the same job from the package registry: ensurepip bootstraps the pip wheel that
ships with Python, which then installs the pinned pip (and whatever else ansible-test asks
for) from PyPI. Called as ``python get_pip_<version>.py <pip install options> pip==<version>``.
"""

import subprocess
import sys

subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
# get-pip's own options (it always leaves setuptools and wheel out of a fresh venv here).
args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", *args]))
