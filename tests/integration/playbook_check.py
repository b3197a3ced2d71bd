# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run one of the collection's playbooks in check mode against a throw-away inventory (the refusal tests)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def run_check(tmp_path, playbook, inventory, extra_vars):
    """``ansible-playbook --check`` of playbooks/PLAYBOOK with INVENTORY and EXTRA_VARS (dicts): (rc, output)."""
    inv = tmp_path / "inventory.yml"
    inv.write_text(yaml.safe_dump(inventory))
    ev = tmp_path / "vars.yml"
    ev.write_text(yaml.safe_dump(extra_vars))
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    proc = subprocess.run(
        ["ansible-playbook", "--check", "-i", str(inv), "-e", f"@{ev}", str(REPO / "playbooks" / playbook)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return proc.returncode, proc.stdout + proc.stderr
