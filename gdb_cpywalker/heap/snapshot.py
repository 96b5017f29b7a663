"""The census file: ``--save`` writes one, ``--diff`` reads one back.

Both are checked before the census runs (a wrong path fails at once, not after minutes of
scanning). Reading refuses what is not a regular file (a FIFO would block), what is too
big, and JSON that is not a census, each in one line. Writing never follows a symbolic
link at the path (root running gdb in a shared /tmp must not overwrite what a link points
to) nor writes into a FIFO or a device; the file is written whole to a temporary file
beside it, then renamed over the path, so that a full disk leaves no half-written census.
"""

import json
import os
import stat
import tempfile

from ..errors import UsageError
from ..render.units import format_size
from .census import Census

#: Largest census file read (a census of 100,000 types is about 10 MB of JSON).
MAX_FILE = 64 << 20


def load(path):
    """The Census saved in ``path`` (UsageError for anything else)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        raise UsageError("cannot read %s: %s" % (path, error.strerror)) from None
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        raise UsageError("cannot read %s: not a regular file" % path)
    with os.fdopen(descriptor, "rb") as handle:
        if info.st_size > MAX_FILE:
            raise UsageError("%s is not a py-heap census (%s of data)" % (path, format_size(info.st_size)))
        try:
            raw = handle.read(MAX_FILE + 1)
        except OSError as error:
            raise UsageError("cannot read %s: %s" % (path, error.strerror)) from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise UsageError("%s is not JSON: %s" % (path, error)) from None
    except RecursionError:
        raise UsageError("%s is not a py-heap census (JSON nested too deeply)" % path) from None
    return Census.from_json(data, path)


def check_writable(path):
    """UsageError unless ``save`` can write ``path``: not a link, a directory, a FIFO or a
    device, in a directory that exists and is writable."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise UsageError("cannot write %s: %s" % (path, error.strerror)) from None
    if info is not None and stat.S_ISLNK(info.st_mode):
        raise UsageError("cannot write %s: it is a symbolic link (give the file itself)" % path)
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise UsageError("cannot write %s: not a regular file" % path)
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise UsageError("cannot write %s: no directory %s" % (path, folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError("cannot write %s: %s is not writable" % (path, folder))


def save(census, path):
    """Write ``census`` to ``path`` (see the module docstring)."""
    check_writable(path)
    text = json.dumps(census.to_json(), indent=1) + "\n"
    folder = os.path.dirname(path) or "."
    temporary = None
    try:
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".%s." % os.path.basename(path),
                                                 suffix=".tmp")
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
        temporary = None
    except OSError as error:
        raise UsageError("cannot write %s: %s" % (path, error.strerror)) from None
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def _umask():
    mask = os.umask(0o22)
    os.umask(mask)
    return mask
