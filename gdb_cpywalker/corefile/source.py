"""Where a core's bytes come from: the file itself, or a compressed core or stdin spooled once.

A plain core file is read in place with ``pread``. A compressed one (gzip, xz, bzip2, and
zstd when the ``zstandard`` module is installed) or a pipe (``--core -``) cannot be read at
random offsets: it is decompressed in one sequential pass into an unlinked temporary file
(``$TMPDIR``), in bounded chunks, and read from there. A compressed stream that ends early
keeps what it held: the core is then truncated, which the reader reports as such.
"""

import bz2
import importlib.util
import lzma
import os
import stat
import sys
import tempfile
import zlib
from collections import namedtuple

from ..errors import TargetError


def _zstd():
    import zstandard
    return zstandard.ZstdDecompressor().decompressobj()


#: How a stream starts -> (format name, a new incremental decompressor, or None: unsupported).
_MAGIC = (
    (b"\x1f\x8b", "gzip", lambda: zlib.decompressobj(wbits=31)),
    (b"\xfd7zXZ\x00", "xz", lzma.LZMADecompressor),
    (b"BZh", "bzip2", bz2.BZ2Decompressor),
    (b"\x28\xb5\x2f\xfd", "zstd", _zstd),
    (b"\x04\x22\x4d\x18", "lz4", None),
)
#: Compressed bytes fed to a decompressor at a time: bounds the memory one step may take.
_CHUNK = 1 << 16

#: ``fd``: a readable descriptor (``pread`` only); ``size``: bytes in it; ``compression``: the
#: format name or None; ``truncated_stream``: why a compressed stream ended early, else None.
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
    if stat.S_ISREG(os.fstat(fd).st_mode):
        kind, decompressor = _compression(name, os.pread(fd, 8, 0))
        if decompressor is None:
            return CoreSource(name, fd, os.fstat(fd).st_size, None, None)
        os.lseek(fd, 0, os.SEEK_SET)
        head = b""
    else:  # a pipe: what was read to recognize it is part of the stream
        head = os.read(fd, 8)
        kind, decompressor = _compression(name, head)
    with os.fdopen(os.dup(fd), "rb") as raw:
        source = _spooled(name, head, raw, kind, decompressor)
    os.close(fd)
    return source


def _compression(name, head):
    """``(format name, decompressor factory)`` of a stream starting with ``head``; ``(None, None)``
    if it is not compressed."""
    for magic, kind, decompressor in _MAGIC:
        if head.startswith(magic):
            if decompressor is None:
                raise CoreFileError("%s is %s-compressed: decompress it first" % (name, kind))
            if kind == "zstd" and importlib.util.find_spec("zstandard") is None:
                raise CoreFileError("%s is zstd-compressed and the zstandard module is not installed: "
                                    "pip install zstandard, or decompress it first (zstd -d)" % name)
            return kind, decompressor
    return None, None


def _spooled(name, head, raw, kind, decompressor):
    """``head`` and the rest of ``raw``, decompressed when ``decompressor`` is given, copied
    into an unlinked temporary file: a CoreSource reading that copy."""
    with tempfile.TemporaryFile(prefix="cpywalker-core-") as spool:
        try:
            problem = _copy(head, raw, spool, decompressor)
        except OSError as error:
            raise CoreFileError("cannot read %s: %s" % (name, error.strerror)) from None
        size = spool.tell()
        if size == 0 and problem:
            raise CoreFileError("cannot decompress %s: %s" % (name, problem))
        return CoreSource(name, os.dup(spool.fileno()), size, kind, problem)


def _copy(head, raw, spool, new_decompressor):
    """Copy (and decompress) everything; the reason a compressed stream ended early, or None.

    Concatenated streams (``cat a.gz b.gz``) are read one after the other.
    """
    decompressor = None
    chunk = head or raw.read(_CHUNK)
    while chunk:
        if new_decompressor is None:
            spool.write(chunk)
        else:
            decompressor = decompressor or new_decompressor()
            try:
                spool.write(decompressor.decompress(chunk))
            except (zlib.error, lzma.LZMAError, OSError, ValueError, EOFError) as error:
                return str(error) or type(error).__name__
            if decompressor.eof:
                leftover, decompressor = decompressor.unused_data, None
                if leftover:
                    chunk = leftover
                    continue
        chunk = raw.read(_CHUNK)
    if decompressor is not None and not decompressor.eof:
        return "no end marker"
    return None
