# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The data_volume role on a real block device: a loop device backed by a sparse file.

Each test attaches a fresh loop device, runs the role through a small playbook on localhost
(``data_volume_device`` = the loop device, since it has no EBS serial) with a temporary mount
path and a temporary fstab, so the host's /etc/fstab is never touched, and detaches it again
(unmounting first) even when the test fails.

Needs root and working loop devices; otherwise every test is skipped with the precise reason.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from playbook_check import ansible_playbook

PYTHON = sys.executable
# mkfs.xfs refuses filesystems below 300 MiB; the file is sparse, so this costs almost nothing.
DISK_BYTES = 512 * 1024 * 1024
# The size an EBS ModifyVolume grows the volume to in the grow test.
GROWN_BYTES = 768 * 1024 * 1024
MOUNT_OPTS = "defaults,noatime,nofail"
PASSNO = {"xfs": "0", "ext4": "2"}

PLAYBOOK = """\
- name: Data volume on a loop device
  hosts: localhost
  gather_facts: false
  roles:
    - role: kafkaops.cluster.data_volume
"""


def _run(*args, check=True):
    return subprocess.run(list(args), capture_output=True, text=True, check=check, timeout=120)


def _mounted_at(path):
    """``maj:min`` of the filesystem mounted at ``path`` (the topmost), or None."""
    found = None
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if fields[4] == str(path):
                found = fields[2]
    return found


def _majmin(device):
    rdev = os.stat(device).st_rdev
    return f"{os.major(rdev)}:{os.minor(rdev)}"


def _blkid(device):
    """``blkid -p`` values of the device ({} when it carries nothing)."""
    proc = _run("blkid", "-p", "-o", "export", device, check=False)
    assert proc.returncode in (0, 2) and not proc.stderr.strip(), proc
    return dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)


def _fstab_digest():
    try:
        return hashlib.sha256(Path("/etc/fstab").read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def _has_capability(number):
    """Whether ``number`` (e.g. 24, CAP_SYS_RESOURCE) is in this process's capability bounding set."""
    with open("/proc/self/status") as f:
        bounding = next(int(line.split()[1], 16) for line in f if line.startswith("CapBnd:"))
    return bool(bounding >> number & 1)


def _fs_bytes(path):
    """Size of the filesystem mounted at ``path``."""
    stat = os.statvfs(path)
    return stat.f_blocks * stat.f_frsize


class Disk:
    """A loop device with a temporary mount path and fstab; ``play()`` runs the role on it."""

    def __init__(self, tmp_path, device, image):
        self.tmp_path = tmp_path
        self.device = device
        self.image = image
        self.mount_path = tmp_path / "kafka"
        self.fstab = tmp_path / "fstab"
        self.fstab.write_text("# test fstab\n")

    def play(self, check=False, **overrides):
        variables = {
            "data_volume_id": "",
            "data_volume_device": self.device,
            "data_volume_mount_path": str(self.mount_path),
            "data_volume_fstab": str(self.fstab),
            "data_volume_manage_packages": False,  # tests talk to loopback only: no package downloads
            "data_volume_attach_timeout": 0,
            **overrides,
        }
        playbook = self.tmp_path / "play.yml"
        playbook.write_text(PLAYBOOK)
        extra = self.tmp_path / "vars.yml"
        extra.write_text(yaml.safe_dump(variables))
        args = ["-i", "localhost,", "-c", "local", "-e", f"ansible_python_interpreter={PYTHON}"]
        args += ["-e", f"@{extra}", str(playbook)] + (["--check"] if check else [])
        rc, output = ansible_playbook(args)
        recap = re.search(r"localhost\s+:\s+ok=\d+\s+changed=(\d+)", output)
        return rc, int(recap.group(1)) if recap else None, output

    def grow(self, size):
        """The volume grows (as after an EBS ModifyVolume): a larger backing file, the loop device told so."""
        with open(self.image, "r+b") as f:
            f.truncate(size)
        _run("losetup", "--set-capacity", self.device)
        assert int(_run("blockdev", "--getsize64", self.device).stdout) == size

    def fstab_entries(self):
        return [line.split() for line in self.fstab.read_text().splitlines() if line.strip() and line[0] != "#"]

    def make_foreign_filesystem(self, fstype, payload):
        """A filesystem of another type holding a data file, as a previously used volume would."""
        _run(f"mkfs.{fstype}", "-q", "-F", self.device)
        scratch = self.tmp_path / "scratch"
        scratch.mkdir()
        _run("mount", self.device, str(scratch))
        try:
            (scratch / "00000000000000000000.log").write_text(payload)
        finally:
            _run("umount", str(scratch))
        return _blkid(self.device)

    def read_back(self, name):
        """Mount the device read-only at a scratch path and read ``name`` from it."""
        scratch = self.tmp_path / "readback"
        scratch.mkdir(exist_ok=True)
        _run("mount", "-o", "ro", self.device, str(scratch))
        try:
            return (scratch / name).read_text()
        finally:
            _run("umount", str(scratch))


@pytest.fixture
def disk(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root: attaching loop devices (losetup) and mounting need root")
    missing = [tool for tool in ("losetup", "blkid", "mount", "umount", "mkfs.ext4") if not shutil.which(tool)]
    if missing:
        pytest.skip(f"missing tools on this host: {', '.join(missing)} (Debian: util-linux, mount, e2fsprogs)")
    image = tmp_path / "disk.img"
    with open(image, "wb") as f:
        f.truncate(DISK_BYTES)
    attach = _run("losetup", "--find", "--show", str(image), check=False)
    if attach.returncode != 0:
        pytest.skip(f"loop devices do not work here: losetup --find --show failed: {attach.stderr.strip()}")
    device = attach.stdout.strip()
    fstab_before = _fstab_digest()
    try:
        yield Disk(tmp_path, device, image)
    finally:
        for path in (tmp_path / "kafka", tmp_path / "scratch", tmp_path / "readback"):
            while _mounted_at(path):
                _run("umount", str(path))
        _run("losetup", "--detach", device)
        assert _fstab_digest() == fstab_before, "/etc/fstab changed"


def _require_mkfs(fstype):
    if not shutil.which(f"mkfs.{fstype}"):
        package = {"xfs": "xfsprogs", "ext4": "e2fsprogs"}[fstype]
        pytest.skip(f"mkfs.{fstype} is not installed on this host (Debian package {package})")


@pytest.mark.parametrize("fstype", ["xfs", "ext4"])
def test_formats_empty_device_mounts_by_uuid_and_never_reformats(disk, fstype):
    _require_mkfs(fstype)

    # Check mode: mkfs is reported, nothing is created or mounted, nothing fails.
    rc, changed, out = disk.play(check=True, data_volume_fstype=fstype)
    assert rc == 0, out
    assert changed == 1, out
    assert "would get a new" in out, out
    assert _blkid(disk.device) == {}
    assert disk.fstab_entries() == []
    assert _mounted_at(disk.mount_path) is None

    # Real run: formatted, mounted by UUID, kept in the (temporary) fstab.
    rc, changed, out = disk.play(data_volume_fstype=fstype)
    assert rc == 0, out
    assert changed == 2, out  # mkfs + mount
    probe = _blkid(disk.device)
    assert probe["TYPE"] == fstype
    uuid = probe["UUID"]
    assert disk.fstab_entries() == [[f"UUID={uuid}", str(disk.mount_path), fstype, MOUNT_OPTS, "0", PASSNO[fstype]]]
    assert _mounted_at(disk.mount_path) == _majmin(disk.device)

    # Idempotent, in check mode too.
    rc, changed, out = disk.play(data_volume_fstype=fstype)
    assert (rc, changed) == (0, 0), out
    rc, changed, out = disk.play(check=True, data_volume_fstype=fstype)
    assert (rc, changed) == (0, 0), out

    # Broker replacement: the volume, with data, comes to a new host (not mounted, not in fstab).
    (disk.mount_path / "data").mkdir()
    (disk.mount_path / "data" / "meta.properties").write_text("broker.id=1\n")
    _run("umount", str(disk.mount_path))
    disk.fstab.write_text("# new host\n")
    rc, changed, out = disk.play(data_volume_fstype=fstype)
    assert rc == 0, out
    assert changed == 1, out  # only the mount
    assert _blkid(disk.device)["UUID"] == uuid  # the same filesystem, not a new one
    assert (disk.mount_path / "data" / "meta.properties").read_text() == "broker.id=1\n"
    assert disk.fstab_entries()[0][0] == f"UUID={uuid}"

    # The volume grew (EBS ModifyVolume): check mode reports the grow and changes nothing, the run grows the mounted
    # filesystem online to the device's size, keeping its data; then nothing more to do.
    size = _fs_bytes(disk.mount_path)
    disk.grow(GROWN_BYTES)
    rc, changed, out = disk.play(check=True, data_volume_fstype=fstype)
    assert (rc, changed) == (0, 1), out
    assert _fs_bytes(disk.mount_path) == size
    if fstype == "ext4" and not _has_capability(24):
        pytest.skip(
            "growing a mounted ext4 (resize2fs, EXT4_IOC_RESIZE_FS) needs CAP_SYS_RESOURCE, which this machine's "
            "capability bounding set lacks; everything before it passed (the check-mode grow included)"
        )
    rc, changed, out = disk.play(data_volume_fstype=fstype)
    assert (rc, changed) == (0, 1), out
    assert _fs_bytes(disk.mount_path) > size + (GROWN_BYTES - DISK_BYTES) * 0.9, (size, _fs_bytes(disk.mount_path))
    assert _blkid(disk.device)["UUID"] == uuid
    assert (disk.mount_path / "data" / "meta.properties").read_text() == "broker.id=1\n"
    rc, changed, out = disk.play(data_volume_fstype=fstype)
    assert (rc, changed) == (0, 0), out


@pytest.mark.parametrize("check", [False, True], ids=["run", "check-mode"])
def test_refuses_device_with_another_filesystem(disk, check):
    # ext2 is always available with e2fsprogs and differs from the requested ext4.
    before = disk.make_foreign_filesystem("ext2", "precious records\n")
    rc, _changed, out = disk.play(check=check, data_volume_fstype="ext4")
    flat = " ".join(out.split())
    assert rc != 0, out
    assert f"Refusing to format or mount {disk.device}: it carries ext2 filesystem (UUID {before['UUID']})" in flat
    assert "not a single ext4 filesystem. The data volume is never reformatted." in flat
    assert "Create the filesystem" not in out and "Mount the data volume" not in out, out
    assert _blkid(disk.device) == before
    assert disk.read_back("00000000000000000000.log") == "precious records\n"
    assert disk.fstab_entries() == []
    assert _mounted_at(disk.mount_path) is None


def test_refuses_partition_table(disk):
    # A DOS partition table with one Linux partition (as a whole-disk volume partitioned by hand would carry).
    mbr = bytearray(512)
    mbr[440:444] = b"\x12\x34\x56\x78"
    mbr[446:462] = (
        bytes([0, 0xFE, 0xFF, 0xFF, 0x83, 0xFE, 0xFF, 0xFF])
        + (2048).to_bytes(4, "little")
        + (204800).to_bytes(4, "little")
    )
    mbr[510:512] = b"\x55\xaa"
    with open(disk.device, "r+b") as f:
        f.write(mbr)
    rc, _changed, out = disk.play(data_volume_fstype="ext4")
    assert rc != 0, out
    assert "it carries dos partition table" in " ".join(out.split()), out
    assert _blkid(disk.device).get("PTTYPE") == "dos"


def test_refuses_unknown_data_without_signature(disk):
    with open(disk.device, "r+b") as f:
        f.seek(8192)
        f.write(b"bytes of an unknown format")
    rc, _changed, out = disk.play(data_volume_fstype="ext4")
    assert rc != 0, out
    assert "no filesystem signature but its first MiB is not zeros" in " ".join(out.split()), out
    assert _blkid(disk.device) == {}


def test_refuses_to_hide_a_non_empty_mount_path(disk):
    disk.mount_path.mkdir()
    (disk.mount_path / "written-before-the-volume.log").write_text("x")
    rc, _changed, out = disk.play(data_volume_fstype="ext4")
    assert rc != 0, out
    assert "is not empty and the data volume is not mounted there yet" in " ".join(out.split()), out
    assert _blkid(disk.device) == {}  # refused in preflight, before mkfs
    assert _mounted_at(disk.mount_path) is None


def test_refuses_to_run_on_aws_without_a_volume_id(tmp_path):
    """On AWS a broker without kafka_data_volume_id has no EBS volume at the data device: refused, nothing touched."""
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAYBOOK)
    args = ["-i", "localhost,", "-c", "local", "-e", f"ansible_python_interpreter={PYTHON}"]
    args += ["-e", "kafkaops_provider=aws", "-e", f"data_volume_fstab={tmp_path / 'fstab'}"]
    args += ["-e", f"data_volume_mount_path={tmp_path / 'kafka'}", str(playbook)]
    rc, output = ansible_playbook(args)
    out = " ".join(output.split())
    assert rc != 0, out
    assert "has no data volume id (kafka_data_volume_id / data_volume_id), and data_volume_require_id is true" in out
    assert "(kafkaops_provider aws): no EBS volume is attached at /dev/sdf, so Kafka would write to the root" in out
    assert not (tmp_path / "fstab").exists() and not (tmp_path / "kafka").exists()
