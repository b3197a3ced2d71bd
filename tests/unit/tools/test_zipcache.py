# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""tools/zipcache/kafkaops_zipcache.py: real interpreters importing from real zip files (python -S, so an installed
copy of the hook does not stand in for this one; -B, so nothing is written into tools/)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

HOOK_DIR = Path(__file__).resolve().parents[3] / "tools" / "zipcache"
PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import kafkaops_zipcache
sys.path.insert(0, sys.argv[2])
import payload.mod as mod
print(json.dumps({"value": mod.VALUE, "file": mod.nested.__code__.co_filename}))
"""


def make_zip(path, value):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("payload/__init__.py", "")
        archive.writestr("payload/mod.py", f"VALUE = {value!r}\n\ndef nested():\n    return VALUE\n")
    return path


def run(zip_path, cache_dir):
    env = dict(os.environ, KAFKAOPS_ZIPCACHE_DIR=str(cache_dir))
    out = subprocess.run(
        [sys.executable, "-S", "-B", "-c", PROBE, str(HOOK_DIR), str(zip_path)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def cached(cache_dir):
    return sorted(p.name for p in Path(cache_dir).glob("*/*") if p.is_file())


def test_reuses_the_code_of_the_same_source_with_this_runs_file_name(tmp_path):
    cache = tmp_path / "cache"
    first = run(make_zip(tmp_path / "a.zip", "one"), cache)
    entries = cached(cache)
    assert first == {"value": "one", "file": str(tmp_path / "a.zip" / "payload" / "mod.py")}
    assert len(entries) == 2 and all(e.startswith("payload.") for e in entries)
    # The cached code is what runs: replace it with other code under the same key.
    key = next(Path(cache).glob("*/payload.mod.py.*"))
    key.write_bytes(__import__("marshal").dumps(compile("VALUE = 'from the cache'\nnested = lambda: 0\n", "x", "exec")))
    second = run(make_zip(tmp_path / "b.zip", "one"), cache)
    assert second == {"value": "from the cache", "file": str(tmp_path / "b.zip" / "payload" / "mod.py")}


def test_changed_source_is_compiled_again(tmp_path):
    cache = tmp_path / "cache"
    run(make_zip(tmp_path / "a.zip", "one"), cache)
    assert run(make_zip(tmp_path / "b.zip", "two"), cache)["value"] == "two"
    assert len(cached(cache)) == 3


def test_a_damaged_entry_falls_back_to_compiling(tmp_path):
    cache = tmp_path / "cache"
    run(make_zip(tmp_path / "a.zip", "one"), cache)
    for entry in Path(cache).glob("*/payload.mod.py.*"):
        entry.write_bytes(b"not marshal data")
    assert run(make_zip(tmp_path / "b.zip", "one"), cache)["value"] == "one"


def test_an_untrusted_or_disabled_directory_is_not_used(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    assert run(make_zip(tmp_path / "a.zip", "one"), shared)["value"] == "one"
    assert cached(shared) == []
    assert run(make_zip(tmp_path / "b.zip", "one"), "")["value"] == "one"
