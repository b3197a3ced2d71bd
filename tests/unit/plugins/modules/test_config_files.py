# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""config_files: main() on a real temporary directory (owner and group: the user running the tests)."""

from __future__ import annotations

import base64
import grp
import os
import pwd
import stat

from ansible_collections.kafkaops.cluster.plugins.modules import config_files

ME = pwd.getpwuid(os.geteuid()).pw_name
MY_GROUP = grp.getgrgid(os.getegid()).gr_name


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def args(tmp_path, content="a=1\n", mode="0640"):
    return {
        "directories": [{"path": str(tmp_path / "conf"), "owner": ME, "group": MY_GROUP, "mode": "0750"}],
        "files": [
            {
                "dest": str(tmp_path / "conf" / "app.properties"),
                "content": content,
                "owner": ME,
                "group": MY_GROUP,
                "mode": mode,
            },
            {"dest": str(tmp_path / "conf" / "secret.properties"), "content": "password=s3cret\n", "mode": "0600"},
        ],
    }


def test_check_mode_predicts_and_changes_nothing(tmp_path, run_module):
    failed, result = run_module(config_files.main, args(tmp_path), check_mode=True, diff=True)
    assert not failed and result["changed"]
    assert not (tmp_path / "conf").exists()
    assert result["directories"][str(tmp_path / "conf")] == {
        "changed": True,
        "created": True,
        "attributes_changed": False,
    }
    assert [d["after_header"] for d in result["diff"]] == [
        str(tmp_path / "conf"),
        str(tmp_path / "conf" / "app.properties"),
        str(tmp_path / "conf" / "secret.properties"),
    ]


def test_create_then_idempotent(tmp_path, run_module):
    failed, result = run_module(config_files.main, args(tmp_path))
    assert not failed and result["changed"]
    assert (tmp_path / "conf" / "app.properties").read_text() == "a=1\n"
    assert mode_of(tmp_path / "conf") == 0o750
    assert mode_of(tmp_path / "conf" / "app.properties") == 0o640
    assert mode_of(tmp_path / "conf" / "secret.properties") == 0o600
    assert not [p for p in os.listdir(tmp_path / "conf") if p.startswith(".")]  # no temporary file left

    failed, result = run_module(config_files.main, args(tmp_path), diff=True)
    assert not failed and not result["changed"]
    assert result["diff"] == []
    failed, result = run_module(config_files.main, args(tmp_path), check_mode=True)
    assert not failed and not result["changed"]


def test_content_change_rewrites_only_that_file_and_shows_the_diff(tmp_path, run_module):
    run_module(config_files.main, args(tmp_path))
    secret_inode = os.stat(tmp_path / "conf" / "secret.properties").st_ino
    failed, result = run_module(config_files.main, args(tmp_path, content="a=2\n"), diff=True)
    assert not failed and result["changed"]
    assert result["files"][str(tmp_path / "conf" / "app.properties")]["content_changed"]
    assert not result["files"][str(tmp_path / "conf" / "secret.properties")]["changed"]
    assert os.stat(tmp_path / "conf" / "secret.properties").st_ino == secret_inode
    assert result["diff"] == [
        {
            "before_header": str(tmp_path / "conf" / "app.properties"),
            "after_header": str(tmp_path / "conf" / "app.properties"),
            "before": "a=1\n",
            "after": "a=2\n",
        }
    ]
    assert (tmp_path / "conf" / "app.properties").read_text() == "a=2\n"


def test_mode_change_is_an_attribute_change(tmp_path, run_module):
    run_module(config_files.main, args(tmp_path))
    failed, result = run_module(config_files.main, args(tmp_path, mode="0644"))
    assert not failed and result["changed"]
    entry = result["files"][str(tmp_path / "conf" / "app.properties")]
    assert entry == {"changed": True, "content_changed": False, "attributes_changed": True}
    assert mode_of(tmp_path / "conf" / "app.properties") == 0o644


def test_bad_batch_is_refused_whole_and_nothing_changes(tmp_path, run_module):
    bad = args(tmp_path)
    bad["files"].append({"dest": "relative.txt", "content": "", "mode": "0644"})
    bad["files"].append({"dest": str(tmp_path / "missing" / "x"), "content": "", "mode": "0644"})
    bad["files"].append({"dest": str(tmp_path / "conf" / "app.properties"), "content": "", "mode": 420})
    bad["directories"].append({"path": str(tmp_path / "d"), "owner": "no-such-user-kafkaops", "mode": "0755"})
    failed, result = run_module(config_files.main, bad)
    assert failed and not result["changed"]
    assert len(result["errors"]) == 5, result["errors"]
    joined = " ".join(result["errors"])
    for expected in (
        "must be absolute",
        "does not exist and is not in directories",
        "listed twice",
        "is not an octal string",
        "unknown owner",
    ):
        assert expected in joined
    assert not (tmp_path / "conf").exists()


def test_failure_half_way_reports_what_was_done(tmp_path, run_module, monkeypatch):
    real_write = config_files._write

    def write(entry, attrs):
        if entry["dest"].endswith("secret.properties"):
            raise PermissionError(13, "Permission denied")
        real_write(entry, attrs)

    monkeypatch.setattr(config_files, "_write", write)
    failed, result = run_module(config_files.main, args(tmp_path))
    assert failed and result["changed"]
    assert result["done"] == [str(tmp_path / "conf"), str(tmp_path / "conf" / "app.properties")]
    assert "secret.properties" in result["msg"]


def test_check_mode_on_a_fresh_host_warns_instead_of_failing(tmp_path, run_module):
    fresh = args(tmp_path)
    fresh["directories"] = []
    fresh["files"][0]["owner"] = "no-such-user-kafkaops"
    failed, result = run_module(config_files.main, fresh, check_mode=True, diff=True)
    assert not failed and result["changed"]
    assert any("unknown owner" in str(w) for w in result["warnings"])
    assert any("does not exist" in str(w) for w in result["warnings"])
    failed, result = run_module(config_files.main, fresh)
    assert failed and not result["changed"]


def test_binary_content_from_base64(tmp_path, run_module):
    blob = bytes(range(256))
    batch = {
        "files": [
            {
                "dest": str(tmp_path / "keystore.p12"),
                "content_base64": base64.b64encode(blob).decode(),
                "mode": "0640",
            }
        ]
    }
    failed, result = run_module(config_files.main, batch, diff=True)
    assert not failed and result["changed"]
    assert (tmp_path / "keystore.p12").read_bytes() == blob
    assert result["diff"][0]["after"] == "(binary, 256 bytes)\n"  # never the bytes themselves
    failed, result = run_module(config_files.main, batch)
    assert not failed and not result["changed"]


def test_content_must_be_one_kind_and_valid_base64(tmp_path, run_module):
    batch = {
        "files": [
            {"dest": str(tmp_path / "a"), "mode": "0644"},
            {"dest": str(tmp_path / "b"), "content": "x", "content_base64": "eA==", "mode": "0644"},
            {"dest": str(tmp_path / "c"), "content_base64": "not base64!", "mode": "0644"},
        ]
    }
    failed, result = run_module(config_files.main, batch)
    assert failed and not result["changed"]
    joined = " ".join(result["errors"])
    assert "got neither" in joined and "got content and content_base64" in joined
    assert "not valid Base64" in joined
    assert not list(tmp_path.iterdir())


def test_return_previous(tmp_path, run_module):
    conf = tmp_path / "conf"
    wanted = {
        "directories": [{"path": str(conf), "owner": ME, "group": MY_GROUP, "mode": "0750"}],
        "files": [
            {"dest": str(conf / "server.properties"), "content": "a=1\n", "mode": "0640", "return_previous": True},
            {"dest": str(conf / "other.properties"), "content": "b=1\n", "mode": "0640"},
        ],
    }
    failed, result = run_module(config_files.main, wanted)
    assert not failed and result["files"][str(conf / "server.properties")]["previous"] is None  # did not exist
    assert "previous" not in result["files"][str(conf / "other.properties")]  # not asked for
    wanted["files"][0]["content"] = "a=2\n"
    failed, result = run_module(config_files.main, wanted, check_mode=True)
    assert not failed and result["files"][str(conf / "server.properties")]["previous"] == "a=1\n"
    failed, result = run_module(config_files.main, wanted)
    assert not failed and result["files"][str(conf / "server.properties")]["previous"] == "a=1\n"
    failed, result = run_module(config_files.main, wanted)
    assert not failed and not result["changed"]
    assert "previous" not in result["files"][str(conf / "server.properties")]  # unchanged: nothing to compare
    wanted["files"][0]["mode"] = "0600"  # attributes only: the content before is the content now
    failed, result = run_module(config_files.main, wanted)
    assert not failed and result["files"][str(conf / "server.properties")]["previous"] == "a=2\n"


def test_return_previous_refused_for_base64(tmp_path, run_module):
    entry = {"dest": str(tmp_path / "store.p12"), "content_base64": "AAEC", "mode": "0600", "return_previous": True}
    failed, result = run_module(config_files.main, {"files": [entry]})
    assert failed and "return_previous is for text files" in result["msg"]
    assert not (tmp_path / "store.p12").exists()
