# Shared by python2.7 test targets: threads park on a lock forever at a known line, and the
# main thread waits until every one of them is parked there.
import sys
import thread
import time

parked = {}


def park():
    lock = thread.allocate_lock()
    lock.acquire()
    parked[thread.get_ident()] = lock
    lock.acquire()


PARK_LINE = park.__code__.co_firstlineno + 4


def wait_until_parked(idents):
    """Return once each thread of ``idents`` waits at PARK_LINE."""
    while True:
        frames = sys._current_frames()
        if all(ident in parked and ident in frames and frames[ident].f_lineno == PARK_LINE
               for ident in idents):
            return
        time.sleep(0.01)
