# Copyright: (c) 2026, kafkaops.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keep Ansible's module payloads (AnsiballZ) from one ansible-playbook run to the next.

ansible-core builds each module's payload (the module and every module_util it imports, found by parsing their
source) once per ansible-playbook process, in a cache under that process's own temporary directory: every run
parses the same files again, about 0.2 CPU-seconds per module it uses (bench/ansiballz). This callback, loaded from
this checkout's ansible.cfg (callback_plugins; it needs no enabling), links the payloads of earlier runs into that
directory when a run starts and keeps the ones it built when the run ends.

A payload is reused only while every file in it is byte for byte the one this run would read: each kept payload
records, for every member, the source file it came from (the ansible package, or the collection its name resolves to
in this run) with its size, mtime and SHA-256; a changed, added or removed file drops the payload and this run
builds it as usual. Payloads are kept per place (the directories of the ansible package and the collections), so
checkouts side by side do not evict each other's: a run uses only those of the directories it reads. A payload with
a member that is not its source file unchanged is never kept. The directory is KAFKAOPS_ANSIBALLZ_CACHE_DIR (empty:
off) or ~/.cache/kafkaops/ansiballz, one subdirectory per ansible-core version and Python, used only when it belongs
to the user running Ansible and no one else can write to it. Any error leaves the run as ansible-core made it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import pickle
import sys
import zipfile

import ansible
from ansible import constants as C
from ansible.plugins.callback import CallbackBase
from ansible.release import __version__ as ansible_version

try:
    from ansible.utils.collection_loader._collection_finder import _get_collection_path
except ImportError:  # pragma: no cover - an ansible-core without it: the callback stays idle
    _get_collection_path = None

DOCUMENTATION = r"""
name: kafkaops_ansiballz_cache
type: aggregate
short_description: keep module payloads (AnsiballZ) between runs while their sources are unchanged
description:
  - Links the module payloads of earlier runs into this run's AnsiballZ cache when their source files are
    unchanged, and keeps the payloads this run built. Set KAFKAOPS_ANSIBALLZ_CACHE_DIR to an empty string to turn
    it off.
"""

_SUFFIX = ".sources.json"
# Members ansible-core writes itself (the same for one ansible-core version, which names the cache's directory).
_GENERATED = {"ansible/__init__.py", "ansible/module_utils/__init__.py"}


def _generated(member, data):
    parts = member.split("/")
    return member in _GENERATED or (
        parts[0] == "ansible_collections" and len(parts) <= 3 and parts[-1] == "__init__.py" and not data.strip()
    )


def _digest(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _store_dir():
    """This interpreter's and ansible-core's directory in the cache, created 0700; None when off or not trusted."""
    base = os.environ.get("KAFKAOPS_ANSIBALLZ_CACHE_DIR")
    if base is None:
        base = os.path.join(os.path.expanduser("~"), ".cache", "kafkaops", "ansiballz")
    if not base or _get_collection_path is None:
        return None
    where = hashlib.sha256(os.path.dirname(os.path.abspath(ansible.__file__)).encode()).hexdigest()[:12]
    path = os.path.join(base, f"{ansible_version}-{sys.implementation.cache_tag}-{where}")
    for directory in (base, path):  # the base is checked before anything is created in it
        os.makedirs(directory, mode=0o700, exist_ok=True)
        st = os.stat(directory)
        if st.st_uid != os.geteuid() or st.st_mode & 0o022:
            return None
    return path


def _write(path, data):
    """Replace path with data at once (a concurrent run reads the old file or the new one)."""
    temp = f"{path}.{os.getpid()}"
    with open(temp, "wb") as handle:
        handle.write(data)
    os.replace(temp, path)


class _Sources:
    """Where this run reads each payload member from: the ansible package, or the collection its name resolves to."""

    def __init__(self):
        self.ansible_root = os.path.dirname(os.path.dirname(os.path.abspath(ansible.__file__)))
        self._collections = {}

    def collection(self, name):
        if name not in self._collections:
            try:
                self._collections[name] = os.path.abspath(_get_collection_path(name))
            except (ValueError, ImportError, TypeError):
                self._collections[name] = None
        return self._collections[name]

    def path(self, member):
        """(collection or '', source path) of a member of the payload's zip; None where it has no source file."""
        parts = member.split("/")
        if parts[0] == "ansible":
            return "", os.path.join(self.ansible_root, *parts)
        if parts[0] == "ansible_collections" and len(parts) > 3:
            name = f"{parts[1]}.{parts[2]}"
            root = self.collection(name)
            return (name, os.path.join(root, *parts[3:])) if root else None
        return None


def _record(cached_file, sources, why):
    """The sources record of a payload this run built; None (and why(reason)) when a member is not its source."""
    with open(cached_file, "rb") as handle:
        cached = pickle.load(handle)  # this process's own file, written by ansible-core a moment ago
    files, collections = [], {}
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(cached.zip_data))) as archive:
        for info in archive.infolist():
            data = archive.read(info)
            if _generated(info.filename, data):
                continue
            found = sources.path(info.filename)
            if found is None:
                return why(f"{info.filename}: no source file for it")
            collection, path = found
            if os.path.isfile(path):
                with open(path, "rb") as handle:
                    if handle.read() != data:
                        return why(f"{info.filename}: not the content of {path}")
                st = os.stat(path)
                files.append([path, st.st_size, st.st_mtime_ns, hashlib.sha256(data).hexdigest()])
            elif data.strip():
                return why(f"{info.filename}: made by ansible-core ({path} does not exist)")
            else:
                files.append([path, None, None, None])  # an empty __init__.py ansible-core made: still no file there
            if collection:
                collections[collection] = sources.collection(collection)
    return {"ansible_root": sources.ansible_root, "collections": collections, "files": files}


def _where(record):
    """A payload's variant: where its ansible package and collections were (checkouts side by side keep theirs)."""
    roots = json.dumps([record.get("ansible_root"), sorted(record.get("collections", {}).items())])
    return hashlib.sha256(roots.encode()).hexdigest()[:12]


def _valid(record, sources):
    """True when every file is the same; "touched" when only mtimes changed (the record is updated); "elsewhere" when
    this run reads the package or a collection from other directories; False when a file changed or is gone."""
    if any(size is not None and not os.path.exists(path) for path, size, _mtime, _digest in record["files"]):
        return False
    if record.get("ansible_root") != sources.ansible_root or any(
        sources.collection(name) != root for name, root in record.get("collections", {}).items()
    ):
        return "elsewhere"
    result = True
    for entry in record["files"]:
        path, size, mtime_ns, digest = entry
        try:
            st = os.stat(path)
        except FileNotFoundError:
            if size is None:
                continue
            return False
        if size is None or st.st_size != size:
            return False
        if st.st_mtime_ns != mtime_ns:
            if _digest(path) != digest:
                return False
            entry[2], result = st.st_mtime_ns, "touched"
    return result


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "kafkaops_ansiballz_cache"
    CALLBACK_NEEDS_ENABLED = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._store = None
        self._run_cache = None
        self._sources = None  # one resolution of the collections' directories per run, for seeding and keeping
        try:
            self._store = _store_dir()
            if self._store:
                self._run_cache = os.path.join(C.DEFAULT_LOCAL_TMP, "ansiballz_cache")
                self._seed()
        except Exception as exc:  # noqa: BLE001 - a cache must never fail a run
            self._display.vvv(f"kafkaops_ansiballz_cache: off ({exc})")
            self._store = None

    def _seed(self):
        sources = self._sources = _Sources()
        os.makedirs(self._run_cache, exist_ok=True)
        for name in os.listdir(self._store):
            if not name.endswith(_SUFFIX):
                continue
            variant = name[: -len(_SUFFIX)]
            record_path = os.path.join(self._store, name)
            try:
                with open(record_path) as handle:
                    record = json.load(handle)
                valid = _valid(record, sources)
                if not valid:
                    os.unlink(record_path)
                    continue
                if valid == "elsewhere":
                    continue
                if valid == "touched":
                    _write(record_path, json.dumps(record).encode())
                payload = variant.rsplit("~", 1)[0]
                os.symlink(os.path.join(self._store, variant), os.path.join(self._run_cache, payload))
            except (OSError, ValueError, KeyError):
                continue

    def v2_playbook_on_stats(self, stats):
        if not self._store:
            return
        try:
            self._keep()
        except Exception as exc:  # noqa: BLE001
            self._display.vvv(f"kafkaops_ansiballz_cache: nothing kept ({exc})")

    def _keep(self):
        if not os.path.isdir(self._run_cache):
            return
        sources = self._sources
        for payload in os.listdir(self._run_cache):
            source = os.path.join(self._run_cache, payload)
            if payload.endswith(("-part", ".lock")) or os.path.islink(source):
                continue
            record = _record(
                source,
                sources,
                lambda reason, name=payload: self._display.vvv(f"kafkaops_ansiballz_cache: {name} not kept: {reason}"),
            )
            if record is None:
                continue
            target = os.path.join(self._store, f"{payload}~{_where(record)}")
            with open(source, "rb") as handle:
                _write(target, handle.read())
            _write(target + _SUFFIX, json.dumps(record).encode())
