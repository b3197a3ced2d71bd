# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure logic of the block_device_info module: find an EBS volume's device and describe what is on it.

Parsers of ``lsblk -J``, ``blkid -p -o export`` and ``/proc/self/mountinfo``, the volume id /
NVMe serial / Xen name mapping, and the description the module returns. The module reads the
host (its ``Host`` class) and passes the data in; nothing here touches the system.
"""

from __future__ import annotations

import os
import re

EBS_BY_ID_PREFIX = "nvme-Amazon_Elastic_Block_Store_"
VOLUME_ID_RE = re.compile(r"^vol-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
_SERIAL_RE = re.compile(r"^vol-?([0-9a-f]{8}|[0-9a-f]{17})$")
HEAD_BYTES = 1024 * 1024
# blkid exit codes (blkid(8)): 0 found, 2 nothing found, 8 ambivalent (several signatures).
BLKID_FOUND = 0
BLKID_NOTHING = 2
BLKID_AMBIVALENT = 8


class BlockDeviceError(Exception):
    """The device cannot be found or probed; the message is for the user."""


# ---------------------------------------------------------------- pure helpers


def volume_for_serial(serial):
    """``vol0123...`` (NVMe serial, maybe space padded) -> ``vol-0123...``; None if not an EBS serial."""
    match = _SERIAL_RE.match((serial or "").strip())
    return f"vol-{match.group(1)}" if match else None


def xen_aliases(device):
    """The device name and its Xen alias: /dev/sdf <-> /dev/xvdf."""
    if not device:
        return []
    match = re.match(r"^(.*/)(sd|xvd)([a-z]+\d*)$", device)
    if not match:
        return [device]
    other = "xvd" if match.group(2) == "sd" else "sd"
    return [device, f"{match.group(1)}{other}{match.group(3)}"]


def flatten_lsblk(data):
    """``lsblk -J`` output -> list of devices (children flattened, each with its ``parent`` name)."""
    flat = []

    def walk(nodes, parent):
        for node in nodes or []:
            entry = {
                "name": node.get("name"),
                "device": node.get("path") or f"/dev/{node.get('name')}",
                "serial": (node.get("serial") or "").strip() or None,
                "size": int(node["size"]) if node.get("size") not in (None, "") else None,
                "type": node.get("type"),
                "majmin": node.get("maj:min"),
                "parent": parent,
                "children": [child.get("name") for child in node.get("children") or []],
            }
            flat.append(entry)
            walk(node.get("children"), entry["name"])

    walk(data.get("blockdevices"), None)
    return flat


def ebs_volumes(by_id, lsblk_devices, sysfs_serials):
    """Map EBS volume id -> device path from the three serial sources.

    ``by_id``: ``{link name in /dev/disk/by-id: resolved device path}``;
    ``lsblk_devices``: from :func:`flatten_lsblk`; ``sysfs_serials``: ``{kernel name: serial}``.
    """
    found = {}
    for link, target in sorted(by_id.items()):
        if not link.startswith(EBS_BY_ID_PREFIX) or "-part" in link:
            continue
        volume = volume_for_serial(re.sub(r"-ns-\d+$", "", link[len(EBS_BY_ID_PREFIX) :]))
        if volume:
            found.setdefault(volume, target)
    paths = {dev["name"]: dev["device"] for dev in lsblk_devices}
    serials = [(dev["name"], dev["serial"]) for dev in lsblk_devices if dev["parent"] is None]
    serials += sorted(sysfs_serials.items())
    for name, serial in serials:
        volume = volume_for_serial(serial)
        if volume and name in paths:
            found.setdefault(volume, paths[name])
    return found


def _describe_attached(ebs):
    if not ebs:
        return "none found"
    return ", ".join(f"{vol} ({path})" for vol, path in sorted(ebs.items(), key=lambda item: item[1]))


def resolve(volume_id, device, ebs, candidates):
    """Return ``(device path, resolved_by)`` or raise :class:`BlockDeviceError`.

    ``ebs``: from :func:`ebs_volumes`; ``candidates``: ``{name from xen_aliases(device): resolved block device
    path or None when it does not exist}``.
    """
    aliases = xen_aliases(device)
    by_path = {path: vol for vol, path in ebs.items()}
    if volume_id and volume_id in ebs:
        return ebs[volume_id], "nvme_serial"
    others = []
    for name in aliases:
        real = candidates.get(name)
        if not real:
            continue
        if volume_id and real in by_path:
            # /dev/sdf may be a udev link to another volume's NVMe device: never take that one.
            others.append(f"{name} is {by_path[real]}")
            continue
        return real, "device" if name == device else "xen_alias"
    tried = f"neither {aliases[0]} nor {aliases[1]} exists" if len(aliases) > 1 else f"{device} does not exist"
    if volume_id:
        msg = f"volume {volume_id} is not attached to this host; attached EBS volumes: {_describe_attached(ebs)}"
        if others:
            msg += f" ({'; '.join(others)})"
        elif aliases:
            msg += f" (no NVMe serial matches and {tried})"
        raise BlockDeviceError(msg)
    raise BlockDeviceError(
        f"block device {device} does not exist on this host{' (nor ' + aliases[1] + ')' if len(aliases) > 1 else ''}"
        f"; attached EBS volumes: {_describe_attached(ebs)}"
    )


def parse_blkid_export(text):
    """``blkid -p -o export`` output -> ``{KEY: value}`` (backslash escapes removed)."""
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip():
            values[key.strip()] = re.sub(r"\\(.)", r"\1", value.strip())
    return values


def _unescape_mountinfo(field):
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def parse_mountinfo(text):
    """``/proc/self/mountinfo`` -> list of ``{majmin, mountpoint, fstype, source}`` in mount order."""
    mounts = []
    for line in text.splitlines():
        fields = line.split()
        if "-" not in fields[6:]:
            continue
        sep = fields.index("-", 6)
        mounts.append(
            {
                "majmin": fields[2],
                "mountpoint": _unescape_mountinfo(fields[4]),
                "fstype": fields[sep + 1] if len(fields) > sep + 1 else None,
                "source": _unescape_mountinfo(fields[sep + 2]) if len(fields) > sep + 2 else None,
            }
        )
    return mounts


def mountpoints_of(mounts, majmin):
    return sorted({m["mountpoint"] for m in mounts if majmin and m["majmin"] == majmin})


def mount_at(mounts, path):
    """The filesystem visible at ``path`` (the last one mounted there), or None."""
    path = os.path.normpath(path)
    found = None
    for mount in mounts:
        if mount["mountpoint"] == path:
            found = mount
    return found


def signatures(probe, children):
    """Human-readable list of what is on the device (``probe``: blkid values plus ``ambivalent``)."""
    found = []
    if probe.get("ambivalent"):
        found.append("several conflicting signatures (blkid -p is ambivalent; see wipefs -n)")
    if probe.get("TYPE"):
        details = ", ".join(f"{key} {probe[key]}" for key in ("UUID", "LABEL") if probe.get(key))
        usage = probe.get("USAGE") or "filesystem"
        found.append(f"{probe['TYPE']} {usage}" + (f" ({details})" if details else ""))
    if probe.get("PTTYPE"):
        found.append(f"{probe['PTTYPE']} partition table")
    for child in children:
        what = "partition" if child["type"] == "part" else child["type"]
        found.append(f"{what} {child['name']}" + (f" ({child['fstype']})" if child["fstype"] else ""))
    return found


def describe(dev, resolved_by, probe, children, head_is_zero, mounts, ebs):
    """The module's result for the device ``dev`` (an entry of :func:`flatten_lsblk`)."""
    by_path = {path: vol for vol, path in ebs.items()}
    found = signatures(probe, children)
    return {
        "device": dev["device"],
        "name": dev["name"],
        "resolved_by": resolved_by,
        "volume_id": by_path.get(dev["device"]) or volume_for_serial(dev["serial"]),
        "serial": dev["serial"],
        "size": dev["size"],
        "type": dev["type"],
        "fstype": probe.get("TYPE"),
        "uuid": probe.get("UUID"),
        "label": probe.get("LABEL"),
        "pttype": probe.get("PTTYPE"),
        "children": children,
        "signatures": found,
        "has_signature": bool(found),
        "head_is_zero": head_is_zero,
        "mountpoints": mountpoints_of(mounts, dev["majmin"]),
    }


def describe_mount_path(path, mounts, majmin, exists, entries):
    path = os.path.normpath(path)
    mount = mount_at(mounts, path)
    return {
        "path": path,
        "mounted": mount is not None,
        "source": mount["source"] if mount else None,
        "fstype": mount["fstype"] if mount else None,
        "is_this_device": bool(mount and majmin and mount["majmin"] == majmin),
        "exists": exists,
        "is_empty": not entries,
    }
