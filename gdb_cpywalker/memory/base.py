"""The Memory protocol: read bytes at a remote address, and typed readers on top.

Contract for every user of this module: addresses are integers in the *target's*
address space; nothing is ever dereferenced locally. A backend implements
``read_partial`` (and ``write`` when it can); everything else is derived.
"""

import struct

from ..errors import MemoryReadError, MemoryWriteError, UsageError

_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")

#: Largest single read a caller may ask for without saying so explicitly.
DEFAULT_READ_LIMIT = 64 << 20


class Memory:
    """Byte-addressed view of a target. Subclasses implement ``read_partial``."""

    #: True when ``write`` is supported.
    writable = False
    #: Short name shown to users ("gdb", "procfs", "vm", "image", ...).
    name = "memory"

    def read_partial(self, address, size):
        """Return up to ``size`` bytes from ``address``: fewer where readable memory ends.

        An empty result means ``address`` itself is unreadable.
        """
        raise NotImplementedError

    def readable_ranges(self):
        """``[(start, end), ...]`` of the target's readable memory, or None when this
        backend cannot tell (readers then probe the last byte of what they check)."""
        return None

    def write(self, address, data):
        """Write ``data`` at ``address``; raise MemoryWriteError if impossible."""
        raise MemoryWriteError(address, len(data), "%s memory is read-only" % self.name)

    def read(self, address, size, limit=DEFAULT_READ_LIMIT):
        """Return exactly ``size`` bytes or raise MemoryReadError naming the first gap."""
        if size < 0 or size > limit:
            raise UsageError("refusing to read %d bytes at %#x (limit %d)" % (size, address, limit))
        if address < 0 or address + size > 1 << 64:
            raise MemoryReadError(address, size, "outside the address space")
        data = self.read_partial(address, size)
        if len(data) != size:
            raise self.read_error(address, size, data)
        return data

    def unreadable_reason(self, address):
        """Why ``address`` cannot be read, for error messages (a core file says more)."""
        return "not mapped"

    def read_error(self, address, size, data):
        """The MemoryReadError of a read of ``size`` bytes at ``address`` that gave only ``data``."""
        why = self.unreadable_reason(address + len(data))
        if data:
            why = "only %d readable" % len(data) + ("" if why == "not mapped" else ", then " + why)
        return MemoryReadError(address, size, why)

    def read_many(self, requests):
        """Read several ``(address, size)`` ranges; backends may batch them.

        Returns a list of bytes (possibly short, as ``read_partial``) in request order.
        """
        return [self.read_partial(address, size) for address, size in requests]

    def u32(self, address):
        return _U32.unpack(self.read(address, 4))[0]

    def u64(self, address):
        return _U64.unpack(self.read(address, 8))[0]

    def pointer(self, address):
        """A 64-bit little-endian pointer (the only model tested end to end)."""
        return self.u64(address)

    def cstring(self, address, limit=4096):
        """The NUL-terminated string at ``address`` (bytes, without the NUL), at most ``limit``."""
        out = b""
        while len(out) < limit:
            chunk = self.read_partial(address + len(out), min(256, limit - len(out)))
            if not chunk:
                if not out:
                    raise MemoryReadError(address, 1)
                break
            end = chunk.find(b"\0")
            if end >= 0:
                return out + chunk[:end]
            out += chunk
        return out[:limit]


def read_contiguous(read_piece, address, size):
    """Up to ``size`` bytes from ``address``: ``read_piece(address, size)`` chunks joined until
    one comes back empty (where readable memory ends)."""
    out = []
    while size > 0:
        chunk = read_piece(address, size)
        if not chunk:
            break
        out.append(chunk)
        address += len(chunk)
        size -= len(chunk)
    return b"".join(out)
