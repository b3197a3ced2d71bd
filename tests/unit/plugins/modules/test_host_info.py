# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""host_info: main() on a real temporary directory and this machine's user and group databases."""

from __future__ import annotations

import grp
import os
import pwd

from ansible_collections.kafkaops.cluster.plugins.modules import host_info

ME = pwd.getpwuid(os.geteuid())
MY_GROUP = grp.getgrgid(os.getegid()).gr_name


def test_paths_users_groups(tmp_path, run_module):
    (tmp_path / "dir").mkdir(mode=0o750)
    os.chmod(tmp_path / "dir", 0o750)
    (tmp_path / "file").write_text("x")
    os.chmod(tmp_path / "file", 0o640)
    os.symlink("dir", tmp_path / "link")
    os.symlink(str(tmp_path / "nowhere"), tmp_path / "dangling")
    paths = [str(tmp_path / name) for name in ("dir", "file", "link", "dangling", "missing")]
    failed, result = run_module(
        host_info.main,
        {
            "paths": paths,
            "users": [ME.pw_name, "kafkaops-no-such-user"],
            "groups": [MY_GROUP, "kafkaops-no-such-group"],
        },
        check_mode=True,
    )
    assert not failed and not result["changed"]
    described = {os.path.basename(path): info for path, info in result["paths"].items()}
    assert described["dir"] == {
        "exists": True,
        "type": "directory",
        "owner": ME.pw_name,
        "group": MY_GROUP,
        "mode": "0750",
    }
    assert described["file"]["type"] == "file" and described["file"]["mode"] == "0640"
    assert described["link"]["type"] == "link" and described["link"]["target"] == "dir"  # as stored, not followed
    assert described["dangling"]["type"] == "link" and described["dangling"]["target"] == str(tmp_path / "nowhere")
    assert described["missing"] == {"exists": False}
    assert result["users"][ME.pw_name] == {
        "exists": True,
        "uid": ME.pw_uid,
        "group": grp.getgrgid(ME.pw_gid).gr_name,
        "home": ME.pw_dir,
        "shell": ME.pw_shell,
    }
    assert result["users"]["kafkaops-no-such-user"] == {"exists": False}
    assert result["groups"][MY_GROUP] == {"exists": True, "gid": os.getegid()}
    assert result["groups"]["kafkaops-no-such-group"] == {"exists": False}
    assert result["packages"] == {}


def test_relative_path_refused(run_module):
    failed, result = run_module(host_info.main, {"paths": ["opt/kafka", "/opt"]})
    assert failed and result["msg"] == "paths must be absolute: opt/kafka"


def test_parse_dpkg_query():
    out = "ii  openjdk-17-jre-headless\nrc  old-package\nii  libc6\n"
    assert host_info.parse_dpkg_query(out, ["openjdk-17-jre-headless", "old-package", "unknown", "libc6:amd64"]) == {
        "openjdk-17-jre-headless": True,
        "old-package": False,  # removed, its configuration kept
        "unknown": False,  # dpkg-query names it on stderr only
        "libc6:amd64": False,  # an architecture suffix never matches: apt decides
    }
