"""pthread_t -> kernel thread id (LWP), read from glibc's ``struct pthread`` in memory.

A Python thread's ``thread_id`` is its pthread_t, the address of glibc's ``struct
pthread``; its ``tid`` field holds the LWP. glibc exports where that field is for
libthread_db (``_thread_db_pthread_tid``: size in bits, count, offset); without the
symbol, the offset every x86-64 glibc since 2.x has used is taken, and the result is
only believed when it names a thread of the target.
"""

import struct

from ..errors import CpywalkerError

#: ``offsetof(struct pthread, tid)`` on x86-64 glibc.
DEFAULT_TID_OFFSET = 0x2D0
DESCRIPTOR = "_thread_db_pthread_tid"


def tid_offset(memory, symbols):
    """Where ``tid`` is in ``struct pthread``: from libthread_db's descriptor when exported."""
    address = symbols.address(DESCRIPTOR)
    if address:
        try:
            bits, _count, offset = struct.unpack("<III", memory.read(address, 12))
            if bits == 32 and offset < 0x10000:
                return offset
        except CpywalkerError:
            pass
    return DEFAULT_TID_OFFSET


def pthread_tids(memory, symbols, pthreads, tids):
    """``{pthread_t: tid}`` for the ``pthreads`` whose tid field names one of ``tids``."""
    offset = tid_offset(memory, symbols)
    found = {}
    for pthread in pthreads:
        try:
            tid = memory.u32(pthread + offset)
        except CpywalkerError:
            continue
        if tid in tids:
            found[pthread] = tid
    return found
