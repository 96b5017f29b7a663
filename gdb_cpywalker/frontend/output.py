"""Writing rendered text to its destination as it is made: a file (``--output``), the
CLI's stdout or gdb's pager, in writes of about WRITE_SIZE characters.

Nothing but the pieces being joined is held: a walk of a million objects writes its
first bytes long before it ends. When the target dies mid-walk (ProcessGone), what was
made is written, then a last line saying the output is incomplete, and the error goes on
as ``process N is gone (killed during the walk)``.
"""

import errno
import os
import select
import time

from ..errors import ProcessGone, UsageError

#: Characters gathered before one write to the destination.
WRITE_SIZE = 1 << 16
#: The last line of output cut short.
INCOMPLETE = "<output incomplete: %s>\n"
#: What ProcessGone says after a walk that had started.
KILLED = "killed during the walk"


def stream_to(pieces, write, also_interrupted=False):
    """Write every piece through ``write``; return the characters written.

    ``also_interrupted``: Ctrl-C (KeyboardInterrupt) marks the output incomplete too
    (else the line written last is ended, for the error line that follows).
    """
    written = 0
    buffered, size = [], 0
    tail = "\n"  # the last character written; None while a write may be cut short
    try:
        for piece in pieces:
            buffered.append(piece)
            size += len(piece)
            if size >= WRITE_SIZE:
                text = "".join(buffered)
                buffered, size = [], 0
                tail = None
                write(text)
                written += len(text)
                tail = text[-1:]
        text = "".join(buffered)
        buffered = []
        tail = None
        write(text)
        return written + len(text)
    except ProcessGone as error:
        if not written and not buffered:  # gone before anything was made: nothing to mark
            raise
        _mark_incomplete(write, buffered, tail, "process %d is gone (%s)" % (error.pid, KILLED))
        raise ProcessGone(error.pid, KILLED) from None
    except KeyboardInterrupt:
        if also_interrupted:
            _mark_incomplete(write, buffered, tail, "interrupted")
        elif tail != "\n":  # the error that follows starts on its own line
            write("\n")
        raise


def _mark_incomplete(write, buffered, tail, reason):
    text = "".join(buffered)
    tail = text[-1:] or tail
    write(text + ("" if tail == "\n" else "\n") + INCOMPLETE % reason)


def write_file(pieces, path):
    """Stream ``pieces`` into the file ``path`` (UTF-8); return the bytes written.

    A FIFO is written once a reader has opened it; waiting for one, or for a slow reader
    to take more, goes in short steps that Ctrl-C interrupts (in gdb too).
    """
    written = 0
    interrupted = False

    def write(text):
        nonlocal written, interrupted
        view = memoryview(text.encode("utf-8", "backslashreplace"))
        while view:
            try:
                done = os.write(descriptor, view)
            except BlockingIOError:  # a FIFO whose reader has not taken the last write yet
                if interrupted:  # Ctrl-C while waiting: the rest (the marker) is dropped
                    return
                try:
                    select.select([], [descriptor], [], _WAIT)
                except KeyboardInterrupt:
                    interrupted = True
                    raise
                continue
            written += done
            view = view[done:]

    try:
        descriptor = _open_output(path)
    except OSError as error:
        raise UsageError("cannot write %s: %s" % (path, error.strerror)) from None
    try:
        stream_to(pieces, write, also_interrupted=True)
    except OSError as error:
        raise UsageError("cannot write %s: %s (after %d bytes)"
                         % (path, error.strerror, written)) from None
    finally:
        os.close(descriptor)
    return written


#: Seconds between two looks at a FIFO without a reader (or with a full pipe).
_WAIT = 0.05


def _open_output(path):
    """A descriptor of ``path`` opened for writing, created or truncated, non-blocking."""
    while True:
        try:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
                           | os.O_NONBLOCK, 0o666)
        except OSError as error:
            if error.errno != errno.ENXIO:  # ENXIO: a FIFO nobody reads yet
                raise
        time.sleep(_WAIT)


def wrote_note(size, path):
    """The one-line note a front end prints after ``write_file``."""
    return "wrote %d bytes to %s\n" % (size, path)
