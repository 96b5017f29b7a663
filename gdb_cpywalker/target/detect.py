"""Which CPython build a target runs: version, pointer size, unicode width; non-2.7 refused.

The version comes from the interpreter's object file name (``libpython2.7.so``,
``python2.7``) and from the ``Py_GetVersion()`` text the interpreter keeps in its
writable data ("2.7.18 (default, ...)"); the unicode width from which of
``PyUnicodeUCS4_*`` / ``PyUnicodeUCS2_*`` it exports, else from debug info.
"""

import os
import re
from collections import namedtuple

from ..errors import UnsupportedTarget

PythonTarget = namedtuple("PythonTarget", "version pointer_size unicode_width")

_NAME_VERSION = re.compile(r"python(\d+)\.(\d+)")
#: "2.7.18 (default, Nov 23 2026, 01:02:03) \n[GCC 12.2.0]": PY_VERSION (build info) compiler.
_MEMORY_VERSION = re.compile(rb"(?<![0-9.])(\d+\.\d+\.\d+[a-z0-9+]*) \([^)\0]{1,160}\) \n?\[")
#: Writable sections that may hold Py_GetVersion's static buffer, and how much of them to scan.
_VERSION_SECTIONS = (".data", ".bss")
_SCAN_LIMIT = 8 << 20
_CHUNK = 1 << 16


def detect_python(memory, symbols):
    """The ``PythonTarget`` of a CPython 2.7 target; UnsupportedTarget for anything else."""
    interpreter = symbols.libpython()
    if interpreter is None:
        raise UnsupportedTarget("not a CPython 2.7 target: no CPython interpreter found (no "
                                "loaded object file defines Py_GetVersion: not Python, or "
                                "libpython is not loaded yet)")
    path = interpreter[0]
    name_match = _NAME_VERSION.search(os.path.basename(path))
    name_version = (int(name_match.group(1)), int(name_match.group(2))) if name_match else None
    version = version_in_memory(memory, symbols, path)
    if version is not None:
        major_minor = tuple(int(part) for part in version.split(".")[:2])
    elif name_version is not None:
        major_minor = name_version
        version = "%d.%d" % name_version
    else:
        raise UnsupportedTarget("cannot tell the Python version of %s" % path)
    if major_minor != (2, 7):
        raise UnsupportedTarget("target runs Python %s (%s); gdb-cpywalker decodes CPython 2.7 only"
                                % (version, path))
    return PythonTarget(version, symbols.pointer_size(), unicode_width(symbols))


def unicode_width(symbols):
    """Bytes per Py_UNICODE: 4 for a UCS4 build, 2 for UCS2."""
    if symbols.address("PyUnicodeUCS4_FromString") is not None:
        return 4
    if symbols.address("PyUnicodeUCS2_FromString") is not None:
        return 2
    size = symbols.type_size("Py_UNICODE")
    if size in (2, 4):
        return size
    raise UnsupportedTarget("cannot tell the unicode width: neither PyUnicodeUCS4_* nor "
                            "PyUnicodeUCS2_* symbols are exported")


def version_in_memory(memory, symbols, objfile):
    """The full version text ("2.7.18") from Py_GetVersion's buffer in ``objfile``'s data, or None."""
    for section_name in _VERSION_SECTIONS:
        section = symbols.section(objfile, section_name)
        if section is None:
            continue
        start, end = section
        end = min(end, start + _SCAN_LIMIT)
        for chunk_start in range(start, end, _CHUNK):
            data = memory.read_partial(chunk_start, min(_CHUNK, end - chunk_start) + 256)
            match = _MEMORY_VERSION.search(data)
            if match:
                return match.group(1).decode()
    return None
