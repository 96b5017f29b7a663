"""Where a core's bytes come from: the file itself, or a compressed core or stdin spooled once.

A plain core file is read in place with ``pread``. A compressed one (gzip, xz, bzip2, and
zstd when the ``zstandard`` module is installed) or a pipe (``--core -``) cannot be read at
random offsets: it is decompressed in one sequential pass into an unlinked temporary file
(``$TMPDIR``), in bounded chunks, and read from there. A compressed stream that ends early
keeps what it held: the core is then truncated, which the reader reports as such.
"""

import bz2
import gzip
import importlib.util
import lzma
import os
import shutil
import stat
import sys
import tempfile
import zlib
from collections import namedtuple

from ..errors import TargetError

#: How a stream starts -> (format name, how to open it as a file object of decompressed bytes).
_MAGIC = (
    (b"\x1f\x8b", "gzip", lambda raw: gzip.GzipFile(fileobj=raw)),
    (b"\xfd7zXZ\x00", "xz", lambda raw: lzma.LZMAFile(raw)),
    (b"BZh", "bzip2", lambda raw: bz2.BZ2File(raw)),
    (b"\x28\xb5\x2f\xfd", "zstd", lambda raw: _zstd_reader(raw)),
    (b"\x04\x22\x4d\x18", "lz4", None),
)
_CHUNK = 1 << 20

#: ``fd``: a readable descriptor positioned anywhere (``pread`` only); ``size``: bytes in it;
#: ``compression``: the format name or None; ``truncated_stream``: why a compressed stream
#: ended early, else None.
CoreSource = namedtuple("CoreSource", "name fd size compression truncated_stream")


class CoreFileError(TargetError):
    """The core cannot be opened or is not a core file this reader understands."""


def open_source(path):
    """The ``CoreSource`` of ``path`` (``-``: standard input); CoreFileError when unreadable."""
    name = "<stdin>" if path == "-" else path
    try:
        fd = os.dup(sys.stdin.fileno()) if path == "-" else os.open(path, os.O_RDONLY)
    except OSError as error:
        raise CoreFileError("cannot open %s: %s" % (name, error.strerror)) from None
    try:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise CoreFileError("%s is a directory, not a core file" % name)
        return _source(name, fd)
    except BaseException:
        os.close(fd)
        raise


def _source(name, fd):
    regular = stat.S_ISREG(os.fstat(fd).st_mode)
    if regular:
        head = os.pread(fd, 8, 0)
        kind, opener = _compression(name, head)
        if opener is None:
            return CoreSource(name, fd, os.fstat(fd).st_size, None, None)
        with os.fdopen(os.dup(fd), "rb") as raw:
            source = _spooled(name, opener(raw), kind)
    else:
        with os.fdopen(os.dup(fd), "rb") as raw:
            head = raw.read(8)
            kind, opener = _compression(name, head)
            source = _spooled(name, (opener or _as_is)(_Prefixed(head, raw)), kind)
    os.close(fd)
    return source


def _compression(name, head):
    """``(format name, opener)`` of a stream starting with ``head``; ``(None, None)`` if plain."""
    for magic, kind, opener in _MAGIC:
        if head.startswith(magic):
            if opener is None:
                raise CoreFileError("%s is %s-compressed: decompress it first" % (name, kind))
            if kind == "zstd" and importlib.util.find_spec("zstandard") is None:
                raise CoreFileError("%s is zstd-compressed and the zstandard module is not installed: "
                                    "pip install zstandard, or decompress it first (zstd -d)" % name)
            return kind, opener
    return None, None


def _spooled(name, stream, kind):
    """Copy ``stream`` into an unlinked temporary file: a CoreSource reading that copy."""
    with tempfile.TemporaryFile(prefix="cpywalker-core-") as spool:
        problem = None
        try:
            shutil.copyfileobj(stream, spool, _CHUNK)
        except (EOFError, lzma.LZMAError, zlib.error, gzip.BadGzipFile) as error:
            problem = str(error) or type(error).__name__
        except OSError as error:
            if error.errno is not None:
                raise CoreFileError("cannot read %s: %s" % (name, error.strerror)) from None
            problem = str(error)
        spool.flush()
        size = spool.tell()
        if size == 0 and problem:
            raise CoreFileError("cannot decompress %s: %s" % (name, problem))
        return CoreSource(name, os.dup(spool.fileno()), size, kind, problem)


def _zstd_reader(raw):
    import zstandard
    return zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)


def _as_is(stream):
    return stream


class _Prefixed:
    """A read-only stream: ``head`` (already read from a pipe), then the rest of ``raw``."""

    def __init__(self, head, raw):
        self._head = head
        self._raw = raw

    def read(self, size=-1):
        head, self._head = self._head, b""
        if size is None or size < 0:
            return head + self._raw.read()
        if len(head) > size:
            head, self._head = head[:size], head[size:]
        return head + (self._raw.read(size - len(head)) if size > len(head) else b"")

    def readable(self):
        return True
