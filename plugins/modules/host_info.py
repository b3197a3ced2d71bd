#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: host_info
short_description: Paths, Debian packages, users and groups of a host, read in one run
version_added: 0.1.0
description:
  - Reads what a role needs to know before it installs anything, in B(one) module run on the host instead of one
    M(ansible.builtin.stat), C(dpkg-query), M(ansible.builtin.group), M(ansible.builtin.user) and
    M(ansible.builtin.file) run each. A role then runs its changing tasks only where the host differs, so a
    converge of a host that is as it should be costs one round trip for all of them.
  - Paths are read with C(lstat) (a symbolic link is reported as a link, with its target, never followed).
  - The module only reads; it never changes anything and always reports C(changed=false).
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  paths:
    description: Absolute paths to describe, see RV(paths).
    type: list
    elements: path
    default: []
  packages:
    description: Debian package names whose installation state to read with C(dpkg-query), see RV(packages).
    type: list
    elements: str
    default: []
  users:
    description: User names to look up in the user database, see RV(users).
    type: list
    elements: str
    default: []
  groups:
    description: Group names to look up in the group database, see RV(groups).
    type: list
    elements: str
    default: []
requirements:
  - C(dpkg-query) on the host when O(packages) is given (Debian family).
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
seealso:
  - module: ansible.builtin.stat
  - module: ansible.builtin.getent
  - module: ansible.builtin.package_facts
"""

EXAMPLES = r"""
- name: Read what the install steps would change
  kafkaops.cluster.host_info:
    paths: [/opt/kafka, /opt/kafkaops/dist]
    packages: [openjdk-17-jre-headless]
    users: [kafka]
    groups: [kafka]
  register: host

- name: Create the service group
  ansible.builtin.group:
    name: kafka
    system: true
  when: not host.groups.kafka.exists
"""

RETURN = r"""
paths:
  description:
    - Per path of O(paths), whether it exists and, when it does, its type (V(file), V(directory), V(link) or
      V(other)), owner and group names (the numeric id when the database has no name), mode as a four-digit
      octal string and, for a link, its target as stored in the link.
  returned: always
  type: dict
  sample: {"/opt/kafka": {"exists": true, "type": "link", "owner": "root", "group": "root", "mode": "0777",
           "target": "/opt/kafka_2.13-3.9.2"}}
packages:
  description: Per package of O(packages), V(true) when dpkg has it installed (status C(ii)).
  returned: always
  type: dict
  sample: {"openjdk-17-jre-headless": true}
users:
  description:
    - Per user of O(users), whether it exists and, when it does, its uid, primary group name, home directory and
      login shell.
  returned: always
  type: dict
  sample: {"kafka": {"exists": true, "uid": 999, "group": "kafka", "home": "/var/lib/kafka",
           "shell": "/usr/sbin/nologin"}}
groups:
  description: Per group of O(groups), whether it exists and, when it does, its gid.
  returned: always
  type: dict
  sample: {"kafka": {"exists": true, "gid": 999}}
"""

import grp
import os
import pwd
import stat

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native


def _name(lookup, ident):
    try:
        return lookup(ident)[0]
    except KeyError:
        return str(ident)


def describe_path(path):
    """``{"exists": False}`` or the path's type, owner, group, mode (and target for a link), from lstat."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return {"exists": False}
    if stat.S_ISLNK(st.st_mode):
        kind = "link"
    elif stat.S_ISDIR(st.st_mode):
        kind = "directory"
    elif stat.S_ISREG(st.st_mode):
        kind = "file"
    else:
        kind = "other"
    info = {
        "exists": True,
        "type": kind,
        "owner": _name(pwd.getpwuid, st.st_uid),
        "group": _name(grp.getgrgid, st.st_gid),
        "mode": f"{stat.S_IMODE(st.st_mode):04o}",
    }
    if kind == "link":
        info["target"] = os.readlink(path)
    return info


def describe_user(name):
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return {"exists": False}
    return {
        "exists": True,
        "uid": entry.pw_uid,
        "group": _name(grp.getgrgid, entry.pw_gid),
        "home": entry.pw_dir,
        "shell": entry.pw_shell,
    }


def describe_group(name):
    try:
        return {"exists": True, "gid": grp.getgrnam(name).gr_gid}
    except KeyError:
        return {"exists": False}


def parse_dpkg_query(out, names):
    """``{name: installed}`` from ``dpkg-query --show --showformat='${db:Status-Abbrev} ${Package}\\n'`` output.

    A package dpkg does not know is missing from the output (dpkg-query exits 1 and names it on stderr).
    """
    installed = set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[0] == "ii":
            installed.add(fields[1])
    return {name: name in installed for name in names}


def main():
    module = AnsibleModule(
        argument_spec={
            "paths": {"type": "list", "elements": "path", "default": []},
            "packages": {"type": "list", "elements": "str", "default": []},
            "users": {"type": "list", "elements": "str", "default": []},
            "groups": {"type": "list", "elements": "str", "default": []},
        },
        supports_check_mode=True,
    )
    relative = [p for p in module.params["paths"] if not os.path.isabs(p)]
    if relative:
        module.fail_json(msg=f"paths must be absolute: {', '.join(relative)}")
    packages = {}
    if module.params["packages"]:
        dpkg_query = module.get_bin_path("dpkg-query")
        if dpkg_query is None:
            module.fail_json(msg="packages needs dpkg-query (a Debian-family host); it is not on this host's PATH")
        rc, out, err = module.run_command(
            [dpkg_query, "--show", "--showformat=${db:Status-Abbrev} ${Package}\n"] + module.params["packages"]
        )
        if rc not in (0, 1):  # 1: a package dpkg does not know (not installed)
            module.fail_json(msg=f"dpkg-query failed (rc={rc}): {to_native(err or out).strip()}")
        packages = parse_dpkg_query(out, module.params["packages"])
    module.exit_json(
        changed=False,
        paths={path: describe_path(path) for path in module.params["paths"]},
        packages=packages,
        users={name: describe_user(name) for name in module.params["users"]},
        groups={name: describe_group(name) for name in module.params["groups"]},
    )


if __name__ == "__main__":
    main()
