# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""tools/ansiballz-cache: real ansible-playbook runs of a module whose module_utils change between runs.

The property that matters: a run always executes the module's current source (a kept payload is never used once a
file in it changed, or once its collection is found elsewhere), and an unchanged payload is reused, not rebuilt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CALLBACK_DIR = Path(__file__).resolve().parents[3] / "tools" / "ansiballz-cache"
PLAYBOOK = """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - testns.probe.value: {}
      register: result
    - ansible.builtin.debug:
        msg: "VALUE={{ result.value }}"
"""
MODULE = """#!/usr/bin/python
from ansible.module_utils.basic import AnsibleModule
from ansible_collections.testns.probe.plugins.module_utils.value import VALUE


def main():
    AnsibleModule(argument_spec={}).exit_json(changed=False, value=VALUE)


if __name__ == "__main__":
    main()
"""


def write_collection(root, value):
    base = root / "ansible_collections" / "testns" / "probe"
    (base / "plugins" / "modules").mkdir(parents=True, exist_ok=True)
    (base / "plugins" / "module_utils").mkdir(parents=True, exist_ok=True)
    (base / "galaxy.yml").write_text("namespace: testns\nname: probe\nversion: 1.0.0\n")
    (base / "plugins" / "modules" / "value.py").write_text(MODULE)
    util = base / "plugins" / "module_utils" / "value.py"
    util.write_text(f"VALUE = {value!r}\n")
    return util


@pytest.fixture
def lab(tmp_path):
    store = tmp_path / "store"
    store.mkdir(mode=0o700)
    (tmp_path / "play.yml").write_text(PLAYBOOK)
    (tmp_path / "ansible.cfg").write_text("[defaults]\n")
    return tmp_path, store


def run(tmp_path, store, collections):
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(tmp_path / "ansible.cfg"),
        ANSIBLE_CALLBACK_PLUGINS=str(CALLBACK_DIR),
        ANSIBLE_COLLECTIONS_PATH=":".join(str(c) for c in collections),
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "local"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_DEBUG="1",
        KAFKAOPS_ANSIBALLZ_CACHE_DIR=str(store),
    )
    playbook = Path(sys.executable).with_name("ansible-playbook")
    proc = subprocess.run(
        [
            str(playbook),
            "-i",
            "localhost,",
            "-e",
            f"ansible_python_interpreter={sys.executable}",
            str(tmp_path / "play.yml"),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    value = [line for line in proc.stdout.splitlines() if "VALUE=" in line][-1].split("VALUE=")[1].strip().strip('"')
    return value, "ANSIBALLZ: using cached module" in proc.stdout + proc.stderr


def records(store):
    found = list(store.glob("*/*testns.probe.plugins.modules.value*.sources.json"))
    return [json.loads(path.read_text()) for path in found]


def test_reused_while_unchanged_and_rebuilt_when_a_module_util_changes(lab):
    tmp_path, store = lab
    first = tmp_path / "first"
    util = write_collection(first, "one")

    assert run(tmp_path, store, [first]) == ("one", False)  # built, then kept
    [record] = records(store)
    assert any(entry[0] == str(util) for entry in record["files"])
    assert run(tmp_path, store, [first]) == ("one", True)  # the kept payload

    util.write_text("VALUE = 'two'\n")  # same length as before: only the content tells
    assert run(tmp_path, store, [first]) == ("two", False)
    assert run(tmp_path, store, [first]) == ("two", True)

    os.utime(util, ns=(1, 1))  # touched, same content: still reused, the record takes the new mtime
    assert run(tmp_path, store, [first]) == ("two", True)
    [record] = records(store)
    assert [entry[2] for entry in record["files"] if entry[0] == str(util)] == [1]


def test_each_place_of_a_collection_keeps_its_own_payload(lab):
    tmp_path, store = lab
    first, shadow = tmp_path / "first", tmp_path / "shadow"
    write_collection(first, "one")
    assert run(tmp_path, store, [first]) == ("one", False)

    write_collection(shadow, "shadow")  # an earlier collections path now has the same collection
    assert run(tmp_path, store, [shadow, first]) == ("shadow", False)
    # Each place keeps its own payload (checkouts side by side): both are reused, neither evicts the other.
    assert run(tmp_path, store, [first]) == ("one", True)
    assert run(tmp_path, store, [shadow, first]) == ("shadow", True)
    assert len(records(store)) == 2


def test_off_when_the_store_is_writable_by_others(lab):
    tmp_path, store = lab
    first = tmp_path / "first"
    write_collection(first, "one")
    store.chmod(0o777)
    assert run(tmp_path, store, [first]) == ("one", False)
    assert run(tmp_path, store, [first]) == ("one", False)
    assert not list(store.iterdir())
