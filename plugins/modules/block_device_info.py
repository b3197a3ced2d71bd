#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: block_device_info
short_description: Find a block device (an EBS volume by its id) and report whether it is empty
version_added: 0.1.0
description:
  - Finds the block device of an EBS volume by O(volume_id), or a block device by O(device), and reports its
    kernel device path, size, filesystem or partition-table signatures, filesystem type and UUID, partitions
    and other holders, and where it is mounted.
  - On Nitro instances the kernel names EBS volumes C(/dev/nvme1n1) and so on, in no guaranteed order. The only
    reliable link to the volume is the NVMe serial number, the volume id without its dash
    (C(vol0123456789abcdef0)). The module matches it in C(/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_*),
    in the C(SERIAL) column of C(lsblk) and in C(/sys/class/block/*/device/serial), so it also works without udev.
  - On Xen instances EBS volumes have no serial; the volume attached as C(/dev/sdf) appears as C(/dev/xvdf).
    When no serial matches, the module falls back to O(device) and its Xen alias, but never to a device whose
    serial names another EBS volume.
  - Signatures are probed with C(blkid -p) (low-level superblock probing, so it does not depend on the blkid
    cache or udev), on the device and on each of its partitions. RV(head_is_zero) tells whether the first MiB
    of the device is all zeros, so a caller can refuse to format a device that holds data without any known
    signature.
  - The module only reads; it never changes anything and always reports C(changed=false).
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  volume_id:
    description:
      - Id of the EBS volume to find, for example V(vol-0123456789abcdef0).
      - The module fails when the volume is not attached to this host, listing the EBS volumes that are.
      - One of O(volume_id) and O(device) is required.
    type: str
  device:
    description:
      - With O(volume_id), the device name the volume was attached as (as in the EC2 API, for example
        V(/dev/sdf)); used only when no NVMe serial matches (Xen instances), together with its Xen alias
        (V(/dev/xvdf) for V(/dev/sdf) and the other way round).
      - Without O(volume_id), the block device to describe, for example V(/dev/nvme1n1) or V(/dev/loop0);
        symbolic links are followed.
    type: str
  mount_path:
    description:
      - Also report what is mounted at this directory and whether it is empty, see RV(mount_path).
    type: path
requirements:
  - C(lsblk) and C(blkid) from util-linux on the target.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: N/A
    details: The module does not change anything.
  platform:
    platforms: posix
notes:
  - Needs root to probe the device (C(blkid -p) and reading its first MiB open the device).
  - Linux only.
seealso:
  - module: community.general.filesystem
  - module: ansible.posix.mount
  - name: Amazon EBS and NVMe
    description: How EBS volumes appear as NVMe devices and how to map them to volume ids.
    link: https://docs.aws.amazon.com/ebs/latest/userguide/identify-nvme-ebs-device.html
"""

EXAMPLES = r"""
- name: Find the broker's data volume (waiting a little for the attachment to appear)
  kafkaops.cluster.block_device_info:
    volume_id: vol-0123456789abcdef0
    device: /dev/sdf
    mount_path: /var/lib/kafka
  register: data_volume
  retries: 12
  delay: 5
  until: data_volume is succeeded

- name: Refuse anything but an empty device or an xfs filesystem
  ansible.builtin.assert:
    that: >-
      (not data_volume.has_signature and data_volume.head_is_zero)
      or (data_volume.fstype == 'xfs' and data_volume.pttype is none and data_volume.children | length == 0)
    fail_msg: "{{ data_volume.device }} carries {{ data_volume.signatures | join(', ') }}"

- name: Describe a device by path
  kafkaops.cluster.block_device_info:
    device: /dev/nvme1n1
  register: disk
"""

RETURN = r"""
device:
  description: Kernel device path of the device found (symbolic links resolved).
  returned: success
  type: str
  sample: /dev/nvme1n1
name:
  description: Kernel name of the device.
  returned: success
  type: str
  sample: nvme1n1
resolved_by:
  description:
    - How the device was found, V(nvme_serial) (the EBS volume's NVMe serial), V(device) (O(device) itself)
      or V(xen_alias) (the Xen alias of O(device)).
  returned: success
  type: str
  sample: nvme_serial
volume_id:
  description: EBS volume id read from the device's serial, V(null) when the device has no EBS serial.
  returned: success
  type: str
  sample: vol-0123456789abcdef0
serial:
  description: Serial number of the device as the kernel reports it, V(null) when it has none.
  returned: success
  type: str
  sample: vol0123456789abcdef0
size:
  description: Size in bytes.
  returned: success
  type: int
  sample: 536870912000
type:
  description: Device type as C(lsblk) reports it (V(disk), V(part), V(loop), ...).
  returned: success
  type: str
  sample: disk
fstype:
  description: Filesystem (or other content) type found by C(blkid -p) on the device itself, V(null) if none.
  returned: success
  type: str
  sample: xfs
uuid:
  description: UUID of that filesystem, V(null) if none.
  returned: success
  type: str
  sample: 0b4d3d1e-7f5a-4f3c-9a57-2f1e4e9b7c11
label:
  description: Label of that filesystem, V(null) if none.
  returned: success
  type: str
  sample: null
pttype:
  description: Partition table type found on the device (V(gpt), V(dos)), V(null) if none.
  returned: success
  type: str
  sample: null
children:
  description: Partitions of the device and devices built on it (LVM, RAID, dm-crypt), as C(lsblk) lists them.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: Kernel name.
      type: str
      sample: nvme1n1p1
    device:
      description: Device path.
      type: str
      sample: /dev/nvme1n1p1
    type:
      description: Device type (V(part), V(lvm), V(crypt), ...).
      type: str
      sample: part
    fstype:
      description: Filesystem type found by C(blkid -p), V(null) if none.
      type: str
      sample: ext4
    mountpoints:
      description: Where it is mounted.
      type: list
      elements: str
      sample: []
  sample: []
signatures:
  description: Everything found on the device, in words; empty when the device has no signature at all.
  returned: success
  type: list
  elements: str
  sample: ["ext4 filesystem (UUID 6f1c7c2e-8d0e-4b8a-a5c4-3c7f1d2e9b10)", "partition nvme1n1p1 (xfs)"]
has_signature:
  description:
    - Whether the device carries any filesystem, partition table or other signature, has partitions or holders,
      or C(blkid) found several conflicting signatures.
    - V(false) means that a new filesystem destroys nothing C(blkid) knows about (see also RV(head_is_zero)).
  returned: success
  type: bool
  sample: false
head_is_zero:
  description:
    - Whether the first MiB of the device reads as zeros (a new EBS volume does).
    - V(null) when the device has a signature (the head is not read then).
  returned: success
  type: bool
  sample: true
mountpoints:
  description: Where the device itself is mounted (from C(/proc/self/mountinfo)).
  returned: success
  type: list
  elements: str
  sample: ["/var/lib/kafka"]
mount_path:
  description: What is mounted at O(mount_path).
  returned: when O(mount_path) is set
  type: dict
  contains:
    path:
      description: O(mount_path), normalized (no trailing slash).
      type: str
      sample: /var/lib/kafka
    mounted:
      description: Whether a filesystem is mounted at exactly this path.
      type: bool
      sample: true
    source:
      description: Mount source of that filesystem (as in C(/proc/self/mountinfo)), V(null) if none.
      type: str
      sample: /dev/nvme1n1
    fstype:
      description: Type of that filesystem, V(null) if none.
      type: str
      sample: xfs
    is_this_device:
      description: Whether the filesystem mounted there lives on the device found.
      type: bool
      sample: true
    exists:
      description: Whether the path exists.
      type: bool
      sample: true
    is_empty:
      description: Whether the path is missing or an empty directory.
      type: bool
      sample: false
  sample: {"path": "/var/lib/kafka", "mounted": false, "source": null, "fstype": null, "is_this_device": false,
           "exists": true, "is_empty": true}
attached_ebs_volumes:
  description: Every EBS volume with an NVMe serial on this host, volume id to device path.
  returned: always
  type: dict
  sample: {"vol-0aaaaaaaaaaaaaaaa": "/dev/nvme0n1", "vol-0123456789abcdef0": "/dev/nvme1n1"}
"""

import json
import os
import stat

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.kafkaops.cluster.plugins.module_utils.block_devices import BLKID_AMBIVALENT
from ansible_collections.kafkaops.cluster.plugins.module_utils.block_devices import BLKID_FOUND
from ansible_collections.kafkaops.cluster.plugins.module_utils.block_devices import BLKID_NOTHING
from ansible_collections.kafkaops.cluster.plugins.module_utils.block_devices import HEAD_BYTES
from ansible_collections.kafkaops.cluster.plugins.module_utils.block_devices import VOLUME_ID_RE
from ansible_collections.kafkaops.cluster.plugins.module_utils.block_devices import BlockDeviceError
from ansible_collections.kafkaops.cluster.plugins.module_utils.block_devices import describe
from ansible_collections.kafkaops.cluster.plugins.module_utils.block_devices import describe_mount_path
from ansible_collections.kafkaops.cluster.plugins.module_utils.block_devices import ebs_volumes
from ansible_collections.kafkaops.cluster.plugins.module_utils.block_devices import flatten_lsblk
from ansible_collections.kafkaops.cluster.plugins.module_utils.block_devices import mountpoints_of
from ansible_collections.kafkaops.cluster.plugins.module_utils.block_devices import parse_blkid_export
from ansible_collections.kafkaops.cluster.plugins.module_utils.block_devices import parse_mountinfo
from ansible_collections.kafkaops.cluster.plugins.module_utils.block_devices import resolve
from ansible_collections.kafkaops.cluster.plugins.module_utils.block_devices import xen_aliases

# ---------------------------------------------------------------- host access


class Host:
    """Everything the module reads from the host (unit tests replace this class)."""

    def __init__(self, module, dev_root="/dev", sys_root="/sys", proc_root="/proc"):
        self.module = module
        self.dev_root = dev_root
        self.sys_root = sys_root
        self.proc_root = proc_root

    def _run(self, args, ok=(0,)):
        rc, out, err = self.module.run_command(args)
        if rc not in ok:
            raise BlockDeviceError(f"{' '.join(args)} failed (rc={rc}): {to_native(err or out).strip()}")
        return rc, out

    def by_id(self):
        """``{link name: resolved path}`` of ``/dev/disk/by-id`` ({} without udev)."""
        directory = os.path.join(self.dev_root, "disk", "by-id")
        try:
            names = os.listdir(directory)
        except FileNotFoundError:
            return {}
        return {name: os.path.realpath(os.path.join(directory, name)) for name in names}

    def lsblk(self):
        lsblk = self.module.get_bin_path("lsblk", required=True)
        _rc, out = self._run([lsblk, "-J", "-b", "-o", "NAME,PATH,SERIAL,SIZE,TYPE,MAJ:MIN"])
        try:
            return flatten_lsblk(json.loads(out))
        except ValueError as e:
            raise BlockDeviceError(f"cannot parse lsblk output: {e}") from e

    def sysfs_serials(self, names):
        serials = {}
        for name in names:
            try:
                with open(os.path.join(self.sys_root, "class", "block", name, "device", "serial")) as f:
                    serial = f.read().strip()
            except OSError:
                continue
            if serial:
                serials[name] = serial
        return serials

    def block_realpath(self, path):
        """The resolved path when ``path`` is a block device, else None."""
        try:
            if stat.S_ISBLK(os.stat(path).st_mode):
                return os.path.realpath(path)
        except OSError:
            pass
        return None

    def blkid(self, path):
        blkid = self.module.get_bin_path("blkid", required=True)
        rc, out, err = self.module.run_command([blkid, "-p", "-o", "export", path])
        # blkid also exits 2 when it cannot open the device: only a silent 2 means "nothing found".
        if rc not in (BLKID_FOUND, BLKID_NOTHING, BLKID_AMBIVALENT) or (rc == BLKID_NOTHING and err.strip()):
            raise BlockDeviceError(f"blkid -p {path} failed (rc={rc}): {to_native(err or out).strip()}")
        probe = parse_blkid_export(out) if rc == BLKID_FOUND else {}
        probe.pop("DEVNAME", None)
        if rc == BLKID_AMBIVALENT:
            probe["ambivalent"] = True
        return probe

    def head_is_zero(self, path):
        try:
            with open(path, "rb") as f:
                head = f.read(HEAD_BYTES)
        except OSError as e:
            raise BlockDeviceError(f"cannot read {path}: {to_native(e)}") from e
        return head.count(0) == len(head)

    def mountinfo(self):
        path = os.path.join(self.proc_root, "self", "mountinfo")
        try:
            with open(path) as f:
                return parse_mountinfo(f.read())
        except OSError as e:
            raise BlockDeviceError(f"cannot read {path}: {to_native(e)}") from e

    def directory_entries(self, path):
        """``(exists, entries)`` of a directory (entries of a missing path: [])."""
        try:
            return True, sorted(os.listdir(path))
        except FileNotFoundError:
            return False, []
        except NotADirectoryError:
            return True, [os.path.basename(path)]


def probe_device(host, volume_id, device, mount_path):
    """Find and describe the device; returns ``(result, attached_ebs_volumes)``."""
    devices = host.lsblk()
    ebs = ebs_volumes(host.by_id(), devices, host.sysfs_serials([d["name"] for d in devices if d["parent"] is None]))
    try:
        candidates = {name: host.block_realpath(name) for name in xen_aliases(device)}
        path, resolved_by = resolve(volume_id, device, ebs, candidates)
        matches = [d for d in devices if d["device"] == path or f"/dev/{d['name']}" == path]
        if not matches:
            raise BlockDeviceError(f"{path} is not listed by lsblk")
    except BlockDeviceError as e:
        e.attached = ebs
        raise
    dev = matches[0]
    mounts = host.mountinfo()
    children = []
    for child in devices:
        if child["parent"] == dev["name"]:
            children.append(
                {
                    "name": child["name"],
                    "device": child["device"],
                    "type": child["type"],
                    "fstype": host.blkid(child["device"]).get("TYPE"),
                    "mountpoints": mountpoints_of(mounts, child["majmin"]),
                }
            )
    probe = host.blkid(dev["device"])
    # The head only matters for a device without signatures (a mounted root disk may not even be readable).
    head_is_zero = None if probe or children else host.head_is_zero(dev["device"])
    result = describe(dev, resolved_by, probe, children, head_is_zero, mounts, ebs)
    if mount_path:
        exists, entries = host.directory_entries(mount_path)
        result["mount_path"] = describe_mount_path(mount_path, mounts, dev["majmin"], exists, entries)
    return result, ebs


def main():
    module = AnsibleModule(
        argument_spec=dict(
            volume_id=dict(type="str"),
            device=dict(type="str"),
            mount_path=dict(type="path"),
        ),
        required_one_of=[("volume_id", "device")],
        supports_check_mode=True,
    )
    volume_id = module.params["volume_id"]
    if volume_id is not None and not VOLUME_ID_RE.match(volume_id):
        module.fail_json(msg=f"volume_id must look like vol-0123456789abcdef0, got {volume_id!r}")
    mount_path = module.params["mount_path"]
    if mount_path is not None and not os.path.isabs(mount_path):
        module.fail_json(msg=f"mount_path must be an absolute path, got {mount_path!r}")
    try:
        result, ebs = probe_device(Host(module), volume_id, module.params["device"], mount_path)
    except BlockDeviceError as e:
        module.fail_json(msg=to_native(e), attached_ebs_volumes=getattr(e, "attached", {}))
    module.exit_json(changed=False, attached_ebs_volumes=ebs, **result)


if __name__ == "__main__":
    main()
