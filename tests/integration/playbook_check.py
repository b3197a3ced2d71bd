# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run ansible-playbook the way the integration tests do: the project's ansible.cfg, no colours, output captured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
# The ansible-playbook of the venv running the tests, else the one on PATH.
_SIBLING = Path(sys.executable).with_name("ansible-playbook")
ANSIBLE_PLAYBOOK = str(_SIBLING) if _SIBLING.exists() else "ansible-playbook"


def ansible_playbook(args, cwd=REPO):
    """``ansible-playbook ARGS`` (strings) run in CWD: ``(returncode, stdout + stderr)``."""
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    proc = subprocess.run(
        [ANSIBLE_PLAYBOOK, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    return proc.returncode, proc.stdout + proc.stderr


def run_check(tmp_path, playbook, inventory, extra_vars):
    """``ansible-playbook --check`` of playbooks/PLAYBOOK with INVENTORY and EXTRA_VARS (dicts): (rc, output)."""
    inv = tmp_path / "inventory.yml"
    inv.write_text(yaml.safe_dump(inventory))
    ev = tmp_path / "vars.yml"
    ev.write_text(yaml.safe_dump(extra_vars))
    return ansible_playbook(["--check", "-i", str(inv), "-e", f"@{ev}", str(REPO / "playbooks" / playbook)])
