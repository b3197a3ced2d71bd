"""A byte-code cache for Python modules imported from zip files: Ansible's module payloads (AnsiballZ).

Ansible ships every module run's module_utils as a zip that Python imports with zipimport, which compiles each .py
it imports on every run (a zip has no __pycache__): importing ansible.module_utils.basic that way costs ~120 ms of
CPU per module run, about two thirds of a small module's run. kafkaops_zipcache.pth loads this file at interpreter
start (the lab images' Python and admin venv, the controller's venvs from tools/venv.sh); it keeps the compiled code
of each such module and reuses it when the same source comes again.

The key is the path inside the zip, the source's length and CRC-32, and the interpreter (the directory is named
after its cache tag), so changed source is compiled again; the reused code carries this run's file name. The cache
directory is KAFKAOPS_ZIPCACHE_DIR (empty: no cache) or ~/.cache/kafkaops-zipcache, used only when it belongs to the
user running Python and no one else can write to it. Any error compiles as Python would have.
"""

import marshal
import os
import sys
import zipimport
import zlib

_compile_source = zipimport._compile_source
_state = {}


def _cache_dir():
    """The cache directory of this interpreter, created 0700 on first use; None when it cannot be trusted."""
    if "dir" not in _state:
        _state["dir"] = None
        base = os.environ.get("KAFKAOPS_ZIPCACHE_DIR")
        if base is None:
            base = os.path.join(os.path.expanduser("~"), ".cache", "kafkaops-zipcache")
        if base:
            path = os.path.join(base, sys.implementation.cache_tag)
            os.makedirs(path, mode=0o700, exist_ok=True)
            for directory in (base, path):
                st = os.stat(directory)
                if st.st_uid != os.geteuid() or st.st_mode & 0o022:
                    return None
            _state["dir"] = path
    return _state["dir"]


def _renamed(code, filename):
    """The code object (and the ones nested in it) with co_filename set to this run's file name."""
    consts = tuple(_renamed(const, filename) if isinstance(const, type(code)) else const for const in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def cached_compile(pathname, source):
    """zipimport's _compile_source, through the cache."""
    try:
        inner = pathname.split(".zip" + os.sep, 1)[1]
        directory = _cache_dir()
        if directory is None:
            return _compile_source(pathname, source)
        path = os.path.join(directory, f"{inner.replace(os.sep, '.')}.{len(source)}.{zlib.crc32(source):08x}")
        try:
            with open(path, "rb") as handle:
                return _renamed(marshal.loads(handle.read()), pathname)
        except FileNotFoundError:
            pass
        code = _compile_source(pathname, source)
        partial = f"{path}.{os.getpid()}.tmp"
        with open(partial, "wb") as handle:
            handle.write(marshal.dumps(code))
        os.replace(partial, path)
        return code
    except Exception:  # noqa: BLE001 - a cache never breaks an import: compile as Python would
        return _compile_source(pathname, source)


zipimport._compile_source = cached_compile
