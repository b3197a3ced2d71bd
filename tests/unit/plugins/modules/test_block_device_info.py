# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""block_device_info: pure helpers with canned host data, main() with a fake host, Host with fake directories."""

from __future__ import annotations

import json

import pytest

from ansible_collections.kafkaops.cluster.plugins.module_utils import block_devices as bd
from ansible_collections.kafkaops.cluster.plugins.modules import block_device_info as bdi

VOL = "vol-0123456789abcdef0"
SERIAL = "vol0123456789abcdef0"
ROOT_VOL = "vol-0aaaaaaaaaaaaaaaa"
OTHER_VOL = "vol-0bbbbbbbbbbbbbbbb"


def lsblk_json(*devices):
    return {"blockdevices": list(devices)}


def node(name, serial=None, size=536870912000, dtype="disk", majmin="259:1", children=None):
    entry = {"name": name, "path": f"/dev/{name}", "serial": serial, "size": size, "type": dtype, "maj:min": majmin}
    if children:
        entry["children"] = children
    return entry


# A Nitro instance: root volume nvme0n1 (partitioned), the data volume nvme1n1.
NITRO = lsblk_json(
    node(
        "nvme0n1",
        "vol0aaaaaaaaaaaaaaaa",
        majmin="259:0",
        children=[node("nvme0n1p1", dtype="part", majmin="259:2")],
    ),
    node("nvme1n1", SERIAL, majmin="259:1"),
)
NITRO_BY_ID = {
    "nvme-Amazon_Elastic_Block_Store_vol0aaaaaaaaaaaaaaaa": "/dev/nvme0n1",
    "nvme-Amazon_Elastic_Block_Store_vol0aaaaaaaaaaaaaaaa-part1": "/dev/nvme0n1p1",
    "nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0": "/dev/nvme1n1",
    "nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0-ns-1": "/dev/nvme1n1",
    "nvme-nvme.1d0f-766f6c30313233343536373839616263646566300000-416d617a6f6e-00000001": "/dev/nvme1n1",
}
# A Xen instance: no serials; the volume attached as /dev/sdf shows up as /dev/xvdf.
XEN = lsblk_json(
    node("xvda", majmin="202:0", children=[node("xvda1", dtype="part", majmin="202:1")]),
    node("xvdf", majmin="202:80"),
)


# ---------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    "serial, volume",
    [
        (SERIAL, VOL),
        ("vol0123456789abcdef0   ", VOL),  # sysfs pads serials with spaces
        ("vol-0123456789abcdef0", VOL),
        ("vol12345678", "vol-12345678"),  # old short ids
        ("S3Z9NB0K123456", None),  # not an EBS serial
        ("", None),
        (None, None),
    ],
)
def test_volume_for_serial(serial, volume):
    assert bd.volume_for_serial(serial) == volume


@pytest.mark.parametrize(
    "device, aliases",
    [
        ("/dev/sdf", ["/dev/sdf", "/dev/xvdf"]),
        ("/dev/xvdf", ["/dev/xvdf", "/dev/sdf"]),
        ("/dev/sdba", ["/dev/sdba", "/dev/xvdba"]),
        ("/dev/nvme1n1", ["/dev/nvme1n1"]),
        ("/dev/loop3", ["/dev/loop3"]),
        (None, []),
    ],
)
def test_xen_aliases(device, aliases):
    assert bd.xen_aliases(device) == aliases


def test_flatten_lsblk_keeps_parents():
    flat = bd.flatten_lsblk(NITRO)
    assert [(d["name"], d["parent"]) for d in flat] == [("nvme0n1", None), ("nvme0n1p1", "nvme0n1"), ("nvme1n1", None)]
    assert flat[0]["children"] == ["nvme0n1p1"]
    assert flat[2]["serial"] == SERIAL


def test_flatten_lsblk_accepts_old_string_sizes_and_missing_path():
    flat = bd.flatten_lsblk({"blockdevices": [{"name": "xvdf", "size": "1073741824", "type": "disk"}]})
    assert flat[0]["device"] == "/dev/xvdf"
    assert flat[0]["size"] == 1073741824


@pytest.mark.parametrize(
    "by_id, lsblk, sysfs, expected",
    [
        pytest.param(NITRO_BY_ID, NITRO, {}, {ROOT_VOL: "/dev/nvme0n1", VOL: "/dev/nvme1n1"}, id="udev-and-lsblk"),
        pytest.param({}, NITRO, {}, {ROOT_VOL: "/dev/nvme0n1", VOL: "/dev/nvme1n1"}, id="lsblk-serial-only"),
        pytest.param(
            {},
            lsblk_json(node("nvme0n1", majmin="259:0"), node("nvme1n1", majmin="259:1")),
            {"nvme0n1": "vol0aaaaaaaaaaaaaaaa  ", "nvme1n1": SERIAL},
            {ROOT_VOL: "/dev/nvme0n1", VOL: "/dev/nvme1n1"},
            id="sysfs-only-no-udev",
        ),
        pytest.param({}, XEN, {}, {}, id="xen-no-serials"),
    ],
)
def test_ebs_volumes(by_id, lsblk, sysfs, expected):
    assert bd.ebs_volumes(by_id, bd.flatten_lsblk(lsblk), sysfs) == expected


NITRO_EBS = {ROOT_VOL: "/dev/nvme0n1", VOL: "/dev/nvme1n1"}


@pytest.mark.parametrize(
    "volume_id, device, ebs, candidates, expected",
    [
        pytest.param(VOL, "/dev/sdf", NITRO_EBS, {}, ("/dev/nvme1n1", "nvme_serial"), id="nvme-serial-match"),
        pytest.param(
            VOL,
            "/dev/sdf",
            NITRO_EBS,
            {"/dev/sdf": "/dev/nvme1n1"},
            ("/dev/nvme1n1", "nvme_serial"),
            id="serial-wins-over-device-link",
        ),
        pytest.param(
            VOL,
            "/dev/sdf",
            {},
            {"/dev/sdf": None, "/dev/xvdf": "/dev/xvdf"},
            ("/dev/xvdf", "xen_alias"),
            id="xen-alias",
        ),
        pytest.param(
            VOL, "/dev/xvdf", {}, {"/dev/xvdf": "/dev/xvdf"}, ("/dev/xvdf", "device"), id="xen-device-as-given"
        ),
        pytest.param(None, "/dev/loop3", {}, {"/dev/loop3": "/dev/loop3"}, ("/dev/loop3", "device"), id="device-path"),
        pytest.param(
            None,
            "/dev/disk/by-label/data",
            {},
            {"/dev/disk/by-label/data": "/dev/vdb"},
            ("/dev/vdb", "device"),
            id="link",
        ),
    ],
)
def test_resolve(volume_id, device, ebs, candidates, expected):
    assert bd.resolve(volume_id, device, ebs, candidates) == expected


@pytest.mark.parametrize(
    "volume_id, device, ebs, candidates, message",
    [
        pytest.param(
            VOL,
            "/dev/sdf",
            {ROOT_VOL: "/dev/nvme0n1"},
            {"/dev/sdf": None, "/dev/xvdf": None},
            f"volume {VOL} is not attached to this host; attached EBS volumes: {ROOT_VOL} (/dev/nvme0n1)"
            " (no NVMe serial matches and neither /dev/sdf nor /dev/xvdf exists)",
            id="not-attached",
        ),
        pytest.param(
            VOL,
            None,
            {},
            {},
            f"volume {VOL} is not attached to this host; attached EBS volumes: none found",
            id="not-attached-no-device",
        ),
        pytest.param(
            VOL,
            "/dev/sdf",
            {OTHER_VOL: "/dev/nvme1n1"},
            {"/dev/sdf": "/dev/nvme1n1", "/dev/xvdf": None},
            f"volume {VOL} is not attached to this host; attached EBS volumes: {OTHER_VOL} (/dev/nvme1n1)"
            f" (/dev/sdf is {OTHER_VOL})",
            id="device-name-is-another-volume",
        ),
        pytest.param(
            None,
            "/dev/sdg",
            NITRO_EBS,
            {"/dev/sdg": None, "/dev/xvdg": None},
            "block device /dev/sdg does not exist on this host (nor /dev/xvdg); attached EBS volumes: "
            f"{ROOT_VOL} (/dev/nvme0n1), {VOL} (/dev/nvme1n1)",
            id="device-missing",
        ),
    ],
)
def test_resolve_refuses(volume_id, device, ebs, candidates, message):
    with pytest.raises(bd.BlockDeviceError) as err:
        bd.resolve(volume_id, device, ebs, candidates)
    assert str(err.value) == message


def test_parse_blkid_export():
    text = "DEVNAME=/dev/nvme1n1\nUUID=0b4d3d1e-7f5a\nLABEL=kafka\\ data\nTYPE=xfs\nUSAGE=filesystem\n"
    assert bd.parse_blkid_export(text) == {
        "DEVNAME": "/dev/nvme1n1",
        "UUID": "0b4d3d1e-7f5a",
        "LABEL": "kafka data",
        "TYPE": "xfs",
        "USAGE": "filesystem",
    }


MOUNTINFO = """\
22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p1 rw
30 22 0:25 / /run rw,nosuid shared:5 - tmpfs tmpfs rw
40 22 259:1 / /var/lib/kafka rw,noatime shared:20 - xfs /dev/nvme1n1 rw,attr2
41 22 259:1 /data /srv/kafka\\040data rw,noatime - xfs /dev/nvme1n1 rw
50 22 0:40 / /mnt rw - tmpfs tmpfs rw
51 50 7:3 / /mnt rw - ext4 /dev/loop3 rw
"""


def test_parse_mountinfo_and_lookups():
    mounts = bd.parse_mountinfo(MOUNTINFO)
    assert mounts[2] == {"majmin": "259:1", "mountpoint": "/var/lib/kafka", "fstype": "xfs", "source": "/dev/nvme1n1"}
    assert bd.mountpoints_of(mounts, "259:1") == ["/srv/kafka data", "/var/lib/kafka"]
    assert bd.mountpoints_of(mounts, "259:9") == []
    # Stacked mounts: the last one is what the path shows.
    assert bd.mount_at(mounts, "/mnt/")["source"] == "/dev/loop3"
    assert bd.mount_at(mounts, "/var/lib") is None


@pytest.mark.parametrize(
    "probe, children, expected",
    [
        pytest.param({}, [], [], id="empty"),
        pytest.param(
            {"TYPE": "ext4", "UUID": "6f1c", "USAGE": "filesystem"}, [], ["ext4 filesystem (UUID 6f1c)"], id="has-fs"
        ),
        pytest.param(
            {"PTTYPE": "gpt", "PTUUID": "x"},
            [{"name": "nvme1n1p1", "type": "part", "fstype": "xfs"}],
            ["gpt partition table", "partition nvme1n1p1 (xfs)"],
            id="has-partition-table",
        ),
        pytest.param({"TYPE": "LVM2_member", "USAGE": "raid"}, [], ["LVM2_member raid"], id="lvm"),
        pytest.param(
            {"ambivalent": True},
            [],
            ["several conflicting signatures (blkid -p is ambivalent; see wipefs -n)"],
            id="ambivalent",
        ),
    ],
)
def test_signatures(probe, children, expected):
    assert bd.signatures(probe, children) == expected


# ---------------------------------------------------------------- main() with a fake host


class FakeHost:
    """Canned host: lsblk JSON, by-id links, sysfs serials, blkid answers per path, existing paths."""

    lsblk_data = NITRO
    by_id_links = NITRO_BY_ID
    serials = {}
    blkid_answers = {}
    existing = {}
    mountinfo_text = MOUNTINFO
    head = True
    dirs = {}

    def __init__(self, module):
        self.head_reads = []

    def lsblk(self):
        return bd.flatten_lsblk(self.lsblk_data)

    def by_id(self):
        return dict(self.by_id_links)

    def sysfs_serials(self, names):
        return {n: s for n, s in self.serials.items() if n in names}

    def block_realpath(self, path):
        return self.existing.get(path)

    def blkid(self, path):
        return dict(self.blkid_answers.get(path, {}))

    def head_is_zero(self, path):
        self.head_reads.append(path)
        return self.head

    def mountinfo(self):
        return bd.parse_mountinfo(self.mountinfo_text)

    def directory_entries(self, path):
        return self.dirs.get(path, (False, []))


@pytest.fixture
def host(monkeypatch):
    def install(**attrs):
        fake = type("Host", (FakeHost,), attrs)
        monkeypatch.setattr(bdi, "Host", fake)
        return fake

    return install


def test_main_finds_empty_volume_by_serial(run_module, host):
    host(mountinfo_text="22 1 254:1 / / rw - ext4 /dev/nvme0n1p1 rw\n", dirs={"/var/lib/kafka": (True, [])})
    failed, result = run_module(
        bdi.main, dict(volume_id=VOL, device="/dev/sdf", mount_path="/var/lib/kafka"), check_mode=True
    )
    assert not failed, result
    assert result["changed"] is False
    assert result["device"] == "/dev/nvme1n1"
    assert result["resolved_by"] == "nvme_serial"
    assert result["volume_id"] == VOL
    assert result["serial"] == SERIAL
    assert result["size"] == 536870912000
    assert result["has_signature"] is False
    assert result["head_is_zero"] is True
    assert result["signatures"] == []
    assert result["fstype"] is None and result["uuid"] is None
    assert result["mountpoints"] == []
    assert result["mount_path"] == {
        "path": "/var/lib/kafka",
        "mounted": False,
        "source": None,
        "fstype": None,
        "is_this_device": False,
        "exists": True,
        "is_empty": True,
    }
    assert result["attached_ebs_volumes"] == {ROOT_VOL: "/dev/nvme0n1", VOL: "/dev/nvme1n1"}


def test_main_reports_mounted_filesystem(run_module, host):
    host(
        blkid_answers={"/dev/nvme1n1": {"TYPE": "xfs", "UUID": "0b4d", "USAGE": "filesystem"}},
        dirs={"/var/lib/kafka": (True, ["data"])},
    )
    failed, result = run_module(bdi.main, dict(volume_id=VOL, mount_path="/var/lib/kafka"))
    assert not failed, result
    assert (result["fstype"], result["uuid"]) == ("xfs", "0b4d")
    assert result["has_signature"] is True
    assert result["head_is_zero"] is None  # not read when a signature is there
    assert result["mountpoints"] == ["/srv/kafka data", "/var/lib/kafka"]
    assert result["mount_path"]["is_this_device"] is True
    assert result["mount_path"]["is_empty"] is False


def test_main_partitioned_root_volume(run_module, host):
    host(blkid_answers={"/dev/nvme0n1": {"PTTYPE": "gpt"}, "/dev/nvme0n1p1": {"TYPE": "ext4", "UUID": "r"}})
    failed, result = run_module(bdi.main, dict(volume_id=ROOT_VOL))
    assert not failed, result
    assert result["pttype"] == "gpt"
    assert result["children"] == [
        {"name": "nvme0n1p1", "device": "/dev/nvme0n1p1", "type": "part", "fstype": "ext4", "mountpoints": []}
    ]
    assert result["signatures"] == ["gpt partition table", "partition nvme0n1p1 (ext4)"]
    assert result["has_signature"] is True


def test_main_xen_alias(run_module, host):
    host(lsblk_data=XEN, by_id_links={}, existing={"/dev/xvdf": "/dev/xvdf"})
    failed, result = run_module(bdi.main, dict(volume_id=VOL, device="/dev/sdf"))
    assert not failed, result
    assert (result["device"], result["resolved_by"]) == ("/dev/xvdf", "xen_alias")
    assert result["volume_id"] is None
    assert result["attached_ebs_volumes"] == {}


def test_main_not_attached(run_module, host):
    host(existing={})
    failed, result = run_module(bdi.main, dict(volume_id=OTHER_VOL, device="/dev/sdg"))
    assert failed
    assert result["msg"] == (
        f"volume {OTHER_VOL} is not attached to this host; attached EBS volumes: {ROOT_VOL} (/dev/nvme0n1), "
        f"{VOL} (/dev/nvme1n1) (no NVMe serial matches and neither /dev/sdg nor /dev/xvdg exists)"
    )
    assert result["attached_ebs_volumes"] == {ROOT_VOL: "/dev/nvme0n1", VOL: "/dev/nvme1n1"}


def test_main_loop_device_by_path(run_module, host):
    host(
        lsblk_data=lsblk_json(node("loop3", size=314572800, dtype="loop", majmin="7:3")),
        by_id_links={},
        existing={"/dev/loop3": "/dev/loop3"},
        head=False,
    )
    failed, result = run_module(bdi.main, dict(device="/dev/loop3", mount_path="/mnt"))
    assert not failed, result
    assert (result["device"], result["type"], result["resolved_by"]) == ("/dev/loop3", "loop", "device")
    assert result["has_signature"] is False
    assert result["head_is_zero"] is False  # data without a known signature: callers must not format
    assert result["mount_path"]["is_this_device"] is True


@pytest.mark.parametrize(
    "args, message",
    [
        ({}, "one of the following is required: volume_id, device"),
        ({"volume_id": "vol-123"}, "volume_id must look like vol-0123456789abcdef0, got 'vol-123'"),
        ({"device": "/dev/sdf", "mount_path": "data"}, "mount_path must be an absolute path, got 'data'"),
    ],
)
def test_main_bad_arguments(run_module, host, args, message):
    host()
    failed, result = run_module(bdi.main, args)
    assert failed
    assert result["msg"] == message


# ---------------------------------------------------------------- Host with fake directories and commands


class FakeModule:
    def __init__(self, answers):
        self.answers = answers
        self.commands = []

    def get_bin_path(self, name, required=False):
        return f"/usr/bin/{name}"

    def run_command(self, args):
        self.commands.append(args)
        return self.answers[args[0].rsplit("/", 1)[-1]]


def test_host_reads_by_id_sysfs_and_mountinfo(tmp_path):
    by_id = tmp_path / "dev" / "disk" / "by-id"
    by_id.mkdir(parents=True)
    (tmp_path / "dev" / "nvme1n1").write_text("")
    (by_id / f"nvme-Amazon_Elastic_Block_Store_{SERIAL}").symlink_to("../../nvme1n1")
    serial = tmp_path / "sys" / "class" / "block" / "nvme1n1" / "device"
    serial.mkdir(parents=True)
    (serial / "serial").write_text(SERIAL + "      \n")
    (tmp_path / "proc" / "self").mkdir(parents=True)
    (tmp_path / "proc" / "self" / "mountinfo").write_text(MOUNTINFO)
    host = bdi.Host(
        FakeModule({}), dev_root=str(tmp_path / "dev"), sys_root=str(tmp_path / "sys"), proc_root=str(tmp_path / "proc")
    )
    assert host.by_id() == {f"nvme-Amazon_Elastic_Block_Store_{SERIAL}": str(tmp_path / "dev" / "nvme1n1")}
    assert host.sysfs_serials(["nvme0n1", "nvme1n1"]) == {"nvme1n1": SERIAL}
    assert len(host.mountinfo()) == 6
    assert bdi.Host(FakeModule({}), dev_root=str(tmp_path / "none")).by_id() == {}


def test_host_head_and_directories(tmp_path):
    host = bdi.Host(FakeModule({}))
    zeros, data = tmp_path / "zeros", tmp_path / "data"
    zeros.write_bytes(bytes(bd.HEAD_BYTES + 10))
    data.write_bytes(bytes(4096) + b"x")
    assert host.head_is_zero(str(zeros)) is True
    assert host.head_is_zero(str(data)) is False
    with pytest.raises(bd.BlockDeviceError, match="cannot read"):
        host.head_is_zero(str(tmp_path / "missing"))
    assert host.block_realpath(str(zeros)) is None  # a regular file is no block device
    assert host.directory_entries(str(tmp_path / "missing")) == (False, [])
    assert host.directory_entries(str(tmp_path)) == (True, ["data", "zeros"])


@pytest.mark.parametrize(
    "answer, expected",
    [
        pytest.param((0, "DEVNAME=/dev/loop3\nTYPE=ext4\nUUID=u\n", ""), {"TYPE": "ext4", "UUID": "u"}, id="found"),
        pytest.param((2, "", ""), {}, id="nothing"),
        pytest.param((8, "", ""), {"ambivalent": True}, id="ambivalent"),
    ],
)
def test_host_blkid(answer, expected):
    module = FakeModule({"blkid": answer})
    assert bdi.Host(module).blkid("/dev/loop3") == expected
    assert module.commands == [["/usr/bin/blkid", "-p", "-o", "export", "/dev/loop3"]]


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param((2, "", "blkid: error: /dev/vda: Operation not permitted"), id="cannot-open-is-not-empty"),
        pytest.param((4, "", "usage"), id="usage"),
    ],
)
def test_host_blkid_errors_are_never_empty(answer):
    with pytest.raises(bd.BlockDeviceError, match=r"blkid -p /dev/vda failed"):
        bdi.Host(FakeModule({"blkid": answer})).blkid("/dev/vda")


def test_host_lsblk():
    module = FakeModule({"lsblk": (0, json.dumps(XEN), "")})
    assert [d["name"] for d in bdi.Host(module).lsblk()] == ["xvda", "xvda1", "xvdf"]
    assert module.commands[0][1:] == ["-J", "-b", "-o", "NAME,PATH,SERIAL,SIZE,TYPE,MAJ:MIN"]
    with pytest.raises(bd.BlockDeviceError, match="cannot parse lsblk output"):
        bdi.Host(FakeModule({"lsblk": (0, "garbage", "")})).lsblk()
