#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: config_files
short_description: Several directories and small files with their owner and mode in one round trip
version_added: 0.1.0
description:
  - Makes sure every directory in O(directories) and every file in O(files) exists with the given owner, group,
    mode and (for files) content, like one M(ansible.builtin.file) task per directory and one
    M(ansible.builtin.copy) C(content=) task per file, in B(one) module run on the host instead of two per file
    (the copy action's checksum C(stat) and its C(file) attributes run). The roles render the content on the
    controller (C(lookup('ansible.builtin.template', ...))), so a converge that changes nothing costs one
    round trip per host for all of a service's files.
  - The whole batch is validated before anything is read or changed (relative or duplicate paths, modes that
    are not octal strings, unknown owners or groups, a file whose directory neither exists nor is listed, a file
    with no content or with both kinds, content that is not valid Base64).
    Every problem is reported at once and nothing is changed. In check mode an unknown owner or group and a
    missing directory are warnings instead (an earlier task of the run would have created them).
  - Directories are created first, in the order given. A file is written to a temporary file in its directory
    with its final owner and mode, then renamed over the old one, so a reader never sees a partial file and a
    secret is never readable by others, not even for a moment.
  - "Returns per path what changed. With C(--diff), the content and attribute changes of every file (a task
    with C(diff: false) or C(no_log: true) shows none, for files holding secrets)."
  - A run that fails half way reports C(changed=true) and what was done before the failure.
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  directories:
    description: Directories to create (parents must exist or come earlier in the list) and their attributes.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute path.
        type: path
        required: true
      owner:
        description: User name (or numeric id) owning it. Empty keeps the current owner (V(root) for a new one).
        type: str
        default: ""
      group:
        description: Group name (or numeric id). Empty keeps the current group.
        type: str
        default: ""
      mode:
        description: Octal permission bits as a string, for example V("0750") (an unquoted YAML number is refused).
        type: raw
        required: true
  files:
    description: Files to write and their attributes.
    type: list
    elements: dict
    default: []
    suboptions:
      dest:
        description: Absolute path of the file.
        type: path
        required: true
      content:
        description: The whole content of the file (text). Exactly one of O(files[].content) and
          O(files[].content_base64).
        type: str
      content_base64:
        description: The whole content of a binary file (a PKCS12 keystore, say), Base64 encoded. Its diff shows
          the sizes only.
        type: str
      owner:
        description: User name (or numeric id) owning it. Empty keeps the current owner (V(root) for a new one).
        type: str
        default: ""
      group:
        description: Group name (or numeric id). Empty keeps the current group.
        type: str
        default: ""
      mode:
        description: Octal permission bits as a string, for example V("0640").
        type: raw
        required: true
      return_previous:
        description:
          - Return the content the file had before when the file changes (content or attributes; or would, in check
            mode), as RV(files.previous), so a caller can act on what changed without reading the file in a run of
            its own.
          - Text files only; never for a file holding secrets (the result would show them).
        type: bool
        default: false
attributes:
  check_mode:
    support: full
    description: Reports what it would create or change and writes nothing.
  diff_mode:
    support: full
    description: Shows the content and attribute changes of every file (none with C(diff=false) or C(no_log=true)).
notes:
  - Files are compared byte for byte; a file is rewritten only when its content differs.
  - SELinux contexts and extended attributes are not managed.
"""

EXAMPLES = r"""
- name: Render the broker's log4j.properties and systemd unit
  kafkaops.cluster.config_files:
    directories:
      - {path: /etc/kafka, owner: root, group: kafka, mode: "0750"}
    files:
      - dest: /etc/kafka/log4j.properties
        content: "{{ lookup('ansible.builtin.template', 'log4j.properties.j2') }}"
        owner: root
        group: kafka
        mode: "0640"
  notify: restart kafka
  register: _files

- name: Files holding secrets (no content in the output, no diff)
  kafkaops.cluster.config_files:
    files:
      - {dest: /etc/kafka/secrets.properties, content: "{{ lookup('ansible.builtin.template', 'secrets.j2') }}",
         owner: kafka, group: kafka, mode: "0600"}
  no_log: true
  diff: false
"""

RETURN = r"""
directories:
  description: Per directory path, whether it was created (C(created)) and whether its attributes changed.
  returned: always
  type: dict
  sample: {"/etc/kafka": {"changed": true, "created": true, "attributes_changed": false}}
files:
  description: Per file path, whether its content and whether its attributes changed (or would, in check mode).
  returned: always
  type: dict
  sample: {"/etc/kafka/log4j.properties": {"changed": true, "content_changed": true, "attributes_changed": false}}
  contains:
    previous:
      description:
        - With O(files[].return_previous), when the file changed (or would), the content before (text), V(null)
          when the file did not exist.
      returned: when requested and the file changed
      type: str
"""

import base64
import binascii
import grp
import os
import pwd
import re
import stat
import tempfile

from ansible.module_utils.basic import AnsibleModule

_MODE = re.compile(r"^0?[0-7]{3,4}$")


def _mode(value):
    """The permission bits of an octal string, or None when the value is not one."""
    if not isinstance(value, str) or not _MODE.match(value):
        return None
    return int(value, 8)


def _bytes(entry):
    """The bytes an entry asks for (validate() has checked that exactly one content is given and decodes)."""
    if entry.get("content_base64") is not None:
        return base64.b64decode(entry["content_base64"], validate=True)
    return entry["content"].encode("utf-8")


def _uid(name):
    if name.isdigit():
        return int(name)
    return pwd.getpwnam(name).pw_uid


def _gid(name):
    if name.isdigit():
        return int(name)
    return grp.getgrnam(name).gr_gid


def _id_or_unknown(lookup, name):
    """The numeric id of a name, or -1 for one that does not exist (yet: check mode only)."""
    try:
        return lookup(name)
    except KeyError:
        return -1


def validate(directories, files, check_mode=False):
    """Every problem with the batch and the warnings: (errors, warnings), before anything is read or written.

    In check mode an unknown owner or group and a missing directory are warnings: an earlier task of the same
    run (the service user's creation, the directories' task) would have created them.
    """
    errors = []
    warnings = []
    soft = warnings if check_mode else errors
    seen = set()
    listed_dirs = set()
    for kind, entries, key in (("directory", directories, "path"), ("file", files, "dest")):
        for entry in entries:
            path = entry[key]
            if not os.path.isabs(path):
                errors.append(f"{kind} {path!r}: the path must be absolute")
            elif os.path.normpath(path) in seen:
                errors.append(f"{kind} {path!r}: listed twice")
            seen.add(os.path.normpath(path))
            if kind == "directory":
                listed_dirs.add(os.path.normpath(path))
            if _mode(entry["mode"]) is None:
                errors.append(
                    '{} {!r}: mode {!r} is not an octal string such as "0640" (quote it in YAML)'.format(
                        kind, path, entry["mode"]
                    )
                )
            for field, lookup in (("owner", _uid), ("group", _gid)):
                if entry[field]:
                    try:
                        lookup(entry[field])
                    except KeyError:
                        soft.append(f"{kind} {path!r}: unknown {field} {entry[field]!r}")
    for entry in files:
        parent = os.path.dirname(os.path.normpath(entry["dest"]))
        if os.path.isabs(entry["dest"]) and parent not in listed_dirs and not os.path.isdir(parent):
            soft.append(
                "file {!r}: its directory {} does not exist and is not in directories".format(entry["dest"], parent)
            )
        if os.path.isdir(entry["dest"]):
            errors.append("file {!r}: is a directory".format(entry["dest"]))
        given = [key for key in ("content", "content_base64") if entry.get(key) is not None]
        if len(given) != 1:
            errors.append(
                "file {!r}: give exactly one of content and content_base64 (got {})".format(
                    entry["dest"], " and ".join(given) or "neither"
                )
            )
        elif given == ["content_base64"]:
            try:
                base64.b64decode(entry["content_base64"], validate=True)
            except (binascii.Error, ValueError):
                errors.append("file {!r}: content_base64 is not valid Base64".format(entry["dest"]))
            if entry.get("return_previous"):
                errors.append(
                    "file {!r}: return_previous is for text files (content), not content_base64".format(entry["dest"])
                )
    for entry in directories:
        if os.path.lexists(entry["path"]) and not os.path.isdir(entry["path"]):
            errors.append("directory {!r}: exists and is not a directory".format(entry["path"]))
    return errors, warnings


def read_state(directories, files):
    """What is on disk now: per path its (uid, gid, mode) and, for files, the content (None when missing)."""
    state = {"directories": {}, "files": {}}
    for entry in directories:
        try:
            st = os.stat(entry["path"])
            state["directories"][entry["path"]] = (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode))
        except FileNotFoundError:
            state["directories"][entry["path"]] = None
    for entry in files:
        try:
            with open(entry["dest"], "rb") as fh:
                content = fh.read()
            st = os.stat(entry["dest"])
            state["files"][entry["dest"]] = (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode), content)
        except FileNotFoundError:
            state["files"][entry["dest"]] = None
    return state


def _wanted_attrs(entry, current):
    """The (uid, gid, mode) an entry asks for; an empty owner/group keeps the current one (root when new)."""
    uid = _id_or_unknown(_uid, entry["owner"]) if entry["owner"] else (current[0] if current else os.geteuid())
    gid = _id_or_unknown(_gid, entry["group"]) if entry["group"] else (current[1] if current else os.getegid())
    return uid, gid, _mode(entry["mode"])


def plan(directories, files, state):
    """The actions: ('mkdir'|'attrs', entry, attrs) for directories, ('write'|'attrs', entry, attrs) for files."""
    actions = []
    for entry in directories:
        current = state["directories"][entry["path"]]
        attrs = _wanted_attrs(entry, current)
        if current is None:
            actions.append(("mkdir", entry, attrs))
        elif current != attrs:
            actions.append(("dir_attrs", entry, attrs))
    for entry in files:
        current = state["files"][entry["dest"]]
        attrs = _wanted_attrs(entry, current)
        content = _bytes(entry)
        if current is None or current[3] != content:
            actions.append(("write", entry, attrs))
        elif current[:3] != attrs:
            actions.append(("file_attrs", entry, attrs))
    return actions


def _set_attrs(path, attrs):
    uid, gid, mode = attrs
    os.chown(path, uid, gid)
    os.chmod(path, mode)


def _write(entry, attrs):
    directory = os.path.dirname(entry["dest"])
    fd, tmp = tempfile.mkstemp(prefix=".{}.".format(os.path.basename(entry["dest"])), dir=directory)
    try:
        # Owner and mode before the content: a secret is never readable by anyone else.
        os.fchown(fd, attrs[0], attrs[1])
        os.fchmod(fd, attrs[2])
        with os.fdopen(fd, "wb") as fh:
            fh.write(_bytes(entry))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, entry["dest"])
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def apply(actions):
    """Carry the actions out in order; return the paths done (raises with them attached on failure)."""
    done = []
    for kind, entry, attrs in actions:
        path = entry.get("path") or entry["dest"]
        try:
            if kind == "mkdir":
                os.mkdir(path)
                _set_attrs(path, attrs)
            elif kind == "write":
                _write(entry, attrs)
            else:
                _set_attrs(path, attrs)
        except OSError as exc:
            exc.kafkaops_done = done
            exc.kafkaops_path = path
            raise
        done.append(path)
    return done


def _fmt(attrs):
    uid, gid, mode = attrs
    return f"owner={_user_name(uid)} group={_group_name(gid)} mode={mode:04o}"


def _user_name(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except (KeyError, OverflowError):
        return str(uid)


def _group_name(gid):
    try:
        return grp.getgrgid(gid).gr_name
    except (KeyError, OverflowError):
        return str(gid)


def diffs(actions, state):
    """One diff per changed path, in the shape of ansible.builtin.copy's (headers, before, after)."""
    out = []
    for kind, entry, attrs in actions:
        if kind in ("mkdir", "dir_attrs"):
            current = state["directories"][entry["path"]]
            out.append(
                {
                    "before_header": entry["path"],
                    "after_header": entry["path"],
                    "before": "absent\n" if current is None else f"directory {_fmt(current)}\n",
                    "after": f"directory {_fmt(attrs)}\n",
                }
            )
            continue
        current = state["files"][entry["dest"]]
        if entry.get("content_base64") is not None:
            before = "" if current is None else f"(binary, {len(current[3])} bytes)\n"
            after = f"(binary, {len(_bytes(entry))} bytes)\n"
        else:
            before = "" if current is None else current[3].decode("utf-8", "replace")
            after = entry["content"]
        if current is not None and current[:3] != attrs:
            before = f"# {_fmt(current[:3])}\n{before}"
            after = f"# {_fmt(attrs)}\n{after}"
        out.append(
            {
                "before_header": entry["dest"] if current is not None else "{} (absent)".format(entry["dest"]),
                "after_header": entry["dest"],
                "before": before,
                "after": after,
            }
        )
    return out


def summary(directories, files, actions, state):
    kinds = {}
    for kind, entry, _attrs in actions:
        kinds.setdefault(entry.get("path") or entry["dest"], set()).add(kind)
    dirs = {}
    for entry in directories:
        k = kinds.get(entry["path"], set())
        dirs[entry["path"]] = {"changed": bool(k), "created": "mkdir" in k, "attributes_changed": "dir_attrs" in k}
    out_files = {}
    for entry in files:
        k = kinds.get(entry["dest"], set())
        out_files[entry["dest"]] = {
            "changed": bool(k),
            "content_changed": "write" in k,
            "attributes_changed": "file_attrs" in k,
        }
        if entry.get("return_previous") and k:
            before = state["files"][entry["dest"]]
            out_files[entry["dest"]]["previous"] = None if before is None else before[3].decode("utf-8", "replace")
    return dirs, out_files


def main():
    entry_common = dict(
        owner=dict(type="str", default=""),
        group=dict(type="str", default=""),
        mode=dict(type="raw", required=True),
    )
    module = AnsibleModule(
        argument_spec=dict(
            directories=dict(
                type="list",
                elements="dict",
                default=[],
                options=dict(path=dict(type="path", required=True), **entry_common),
            ),
            files=dict(
                type="list",
                elements="dict",
                default=[],
                options=dict(
                    dest=dict(type="path", required=True),
                    content=dict(type="str"),
                    content_base64=dict(type="str", no_log=False),
                    return_previous=dict(type="bool", default=False),
                    **entry_common,
                ),
            ),
        ),
        supports_check_mode=True,
    )
    directories = module.params["directories"]
    files = module.params["files"]

    errors, warnings = validate(directories, files, module.check_mode)
    if errors:
        module.fail_json(msg="Nothing changed: " + "; ".join(errors), errors=errors, changed=False)
    for warning in warnings:
        module.warn(f"check mode: {warning} (assumed created by an earlier task)")

    state = read_state(directories, files)
    actions = plan(directories, files, state)
    result = {"changed": bool(actions)}
    if module._diff:
        result["diff"] = diffs(actions, state)

    if actions and not module.check_mode:
        try:
            apply(actions)
        except OSError as exc:
            done = getattr(exc, "kafkaops_done", [])
            module.fail_json(
                msg="Failed at {}: {}; done before it: {}".format(exc.kafkaops_path, exc, ", ".join(done) or "nothing"),
                changed=bool(done),
                done=done,
            )
        # Re-read: what is on disk now must be what was asked for.
        left = plan(directories, files, read_state(directories, files))
        if left:
            module.fail_json(
                msg="Written, but these paths still differ: {}".format(
                    ", ".join(entry.get("path") or entry["dest"] for _k, entry, _a in left)
                ),
                changed=True,
            )

    result["directories"], result["files"] = summary(directories, files, actions, state)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
