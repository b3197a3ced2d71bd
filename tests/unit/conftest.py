# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Make ``ansible_collections.kafkaops.cluster`` importable for plain ``pytest``.

At session start a temporary directory gets ``ansible_collections/kafkaops/cluster``
symlinked to the repository root and goes first on ``sys.path``. When the checkout
already lives at ``.../ansible_collections/kafkaops/cluster`` (as under
``ansible-test units``) nothing is done.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

_tmpdir = None


def _ensure_collection_importable():
    global _tmpdir
    if REPO_ROOT.parent.name == "kafkaops" and REPO_ROOT.parents[1].name == "ansible_collections":
        root = str(REPO_ROOT.parents[2])
    else:
        _tmpdir = tempfile.mkdtemp(prefix="kafkaops-unit-")
        namespace = Path(_tmpdir, "ansible_collections", "kafkaops")
        namespace.mkdir(parents=True)
        os.symlink(REPO_ROOT, namespace / "cluster", target_is_directory=True)
        root = _tmpdir
    if root not in sys.path:
        sys.path.insert(0, root)


def pytest_sessionstart(session):
    _ensure_collection_importable()


def pytest_sessionfinish(session, exitstatus):
    if _tmpdir:
        shutil.rmtree(_tmpdir, ignore_errors=True)


@pytest.fixture
def run_module(capsys):
    """Run a module's ``main()`` with the given args; return ``(failed, result)``."""
    from ansible.module_utils.testing import patch_module_args

    def _run(main, args, check_mode=False, diff=False):
        args = dict(args)
        if check_mode:
            args["_ansible_check_mode"] = True
        if diff:
            args["_ansible_diff"] = True
        with patch_module_args(args):
            with pytest.raises(SystemExit) as exit_info:
                main()
        result = json.loads(capsys.readouterr().out)
        return exit_info.value.code != 0, result

    return _run
