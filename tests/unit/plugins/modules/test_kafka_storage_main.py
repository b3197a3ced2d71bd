# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafka_storage: main() on real temporary directories, with a stand-in for `java @argfile` (a script that formats
the way kafka-storage does: meta.properties in every unformatted log directory). The real tool runs in the KRaft lab
(molecule/kraft) and in tools/kafka-bundle/selftest-kraft.sh."""

from __future__ import annotations

import grp
import os
import pwd
import stat
import textwrap

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_storage as storage
from ansible_collections.kafkaops.cluster.plugins.modules import kafka_storage

ME = pwd.getpwuid(os.geteuid()).pw_name
MY_GROUP = grp.getgrgid(os.getegid()).gr_name
CID = "q1Sh-9_nRYeXJbQxHmzE0w"
SECRET = "lab-admin-secret"

# The stand-in: records its argv and the argfile it was given, then formats like `kafka-storage format
# --ignore-formatted` (or fails with rc 1 when FAIL_AFTER_FIRST is set, after formatting one directory).
FAKE_JAVA = textwrap.dedent(
    """\
    #!/usr/bin/env python3
    import os, shlex, sys
    record = os.environ["FAKE_JAVA_RECORD"]
    argfile = sys.argv[1][1:]
    words = shlex.split(open(argfile).read())
    with open(record, "w") as out:
        out.write(repr(sys.argv) + "\\n" + repr(words) + "\\n" + oct(os.stat(argfile).st_mode & 0o777))
    config = words[words.index("--config") + 1]
    cluster = words[words.index("--cluster-id") + 1]
    props = dict(l.split("=", 1) for l in open(config).read().splitlines() if "=" in l)
    dirs = props["log.dirs"].split(",") + ([props["metadata.log.dir"]] if "metadata.log.dir" in props else [])
    for n, d in enumerate(dict.fromkeys(dirs)):
        os.makedirs(d, exist_ok=True)
        meta = os.path.join(d, "meta.properties")
        if not os.path.exists(meta):
            open(meta, "w").write(f"cluster.id={cluster}\\nnode.id={props['node.id']}\\ndirectory.id=dir{n}\\n")
            if os.environ.get("FAIL_AFTER_FIRST"):
                print("disk full", file=sys.stderr)
                sys.exit(1)
    """
)


def setup(tmp_path, monkeypatch, roles="controller", log_dirs=("meta",)):
    home = tmp_path / "kafka"
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "kafka-storage.sh").write_text('exec "$bin/kafka-run-class.sh" kafka.tools.StorageTool "$@"\n')
    java = tmp_path / "java"
    java.write_text(FAKE_JAVA)
    java.chmod(0o755)
    config = tmp_path / "server.properties"
    dirs = ",".join(str(tmp_path / d) for d in log_dirs)
    config.write_text(
        f"process.roles={roles}\nnode.id=1001\nlog.dirs={dirs}\ncontroller.quorum.bootstrap.servers=c0:9097\n"
    )
    monkeypatch.setenv("FAKE_JAVA_RECORD", str(tmp_path / "record"))
    return {
        "config": str(config),
        "kafka_home": str(home),
        "java": str(java),
        "owner": ME,
        "group": MY_GROUP,
    }


def formatting(base, **kw):
    return dict(
        base,
        cluster_id=CID,
        initial_controllers=[{"id": 1001, "host": "c0", "port": 9097}],
        scram_credentials=[{"name": "admin", "password": SECRET}],
        **kw,
    )


def test_read_only_without_cluster_id(tmp_path, monkeypatch, run_module):
    base = setup(tmp_path, monkeypatch)
    failed, result = run_module(kafka_storage.main, base)
    assert not failed and not result["changed"]
    assert result["formatted"] is False and result["cluster_id"] is None and result["node_id"] == 1001
    assert not (tmp_path / "record").exists()


def test_check_mode_predicts_and_formats_nothing(tmp_path, monkeypatch, run_module):
    base = setup(tmp_path, monkeypatch)
    failed, result = run_module(kafka_storage.main, formatting(base), check_mode=True, diff=True)
    assert not failed and result["changed"]
    assert result["formatted_now"] == [str(tmp_path / "meta")]
    assert result["diff"]["after"] == {str(tmp_path / "meta"): CID}
    assert not (tmp_path / "record").exists() and not (tmp_path / "meta" / "meta.properties").exists()


def test_format_through_an_argfile_then_idempotent(tmp_path, monkeypatch, run_module):
    base = setup(tmp_path, monkeypatch)
    failed, result = run_module(kafka_storage.main, formatting(base))
    assert not failed and result["changed"] and result["cluster_id"] == CID and result["formatted"]
    argv, words, mode = (tmp_path / "record").read_text().splitlines()
    assert SECRET not in argv  # the process list shows only `java @<file>`
    assert f"SCRAM-SHA-512=[name=admin,password={SECRET}]" in words
    assert "kafka.tools.StorageTool" in words and "--initial-controllers" in words
    assert mode == "0o600"
    assert not any(p.name.startswith("kafkaops-format-") for p in tmp_path.iterdir())
    assert stat.S_IMODE(os.stat(tmp_path / "meta").st_mode) & 0o002 == 0

    (tmp_path / "record").unlink()
    failed, again = run_module(kafka_storage.main, formatting(base))
    assert not failed and not again["changed"] and again["formatted_now"] == []
    assert not (tmp_path / "record").exists()


def test_another_clusters_directory_is_refused_by_name_and_nothing_formatted(tmp_path, monkeypatch, run_module):
    base = setup(tmp_path, monkeypatch, roles="broker", log_dirs=("d1", "d2"))
    (tmp_path / "d1").mkdir()
    (tmp_path / "d1" / "meta.properties").write_text("cluster.id=AAAAAAAAAAAAAAAAAAAAAQ\nnode.id=1001\n")
    failed, result = run_module(kafka_storage.main, dict(base, cluster_id=CID))
    assert failed and not result["changed"]
    assert f"{tmp_path / 'd1'} is formatted for cluster AAAAAAAAAAAAAAAAAAAAAQ, not {CID}" in result["msg"]
    assert not (tmp_path / "record").exists() and not (tmp_path / "d2").exists()


def test_bad_input_is_refused_before_anything_is_read(tmp_path, monkeypatch, run_module):
    base = setup(tmp_path, monkeypatch, roles="broker")
    failed, result = run_module(
        kafka_storage.main,
        dict(base, cluster_id="nope", initial_controllers=[{"id": 1, "host": "c", "port": 1}]),
    )
    assert failed and not result["changed"]
    assert "is not a Kafka cluster id" in result["msg"] and "only for controllers" in result["msg"]


def test_a_format_that_fails_half_way_reports_what_it_did(tmp_path, monkeypatch, run_module):
    base = setup(tmp_path, monkeypatch, roles="broker", log_dirs=("d1", "d2"))
    monkeypatch.setenv("FAIL_AFTER_FIRST", "1")
    failed, result = run_module(kafka_storage.main, dict(base, cluster_id=CID))
    assert failed and result["changed"]
    assert result["formatted_now"] == [str(tmp_path / "d1")]
    assert "disk full" in result["msg"]
    monkeypatch.delenv("FAIL_AFTER_FIRST")
    failed, rerun = run_module(kafka_storage.main, dict(base, cluster_id=CID))
    assert not failed and rerun["formatted_now"] == [str(tmp_path / "d2")] and rerun["formatted"]


def test_directory_ids_of_the_initial_quorum_are_the_derived_ones(tmp_path, monkeypatch, run_module):
    base = setup(tmp_path, monkeypatch)
    run_module(kafka_storage.main, formatting(base))
    words = (tmp_path / "record").read_text().splitlines()[1]
    assert f"1001@c0:9097:{storage.directory_id(CID, 1001)}" in words
