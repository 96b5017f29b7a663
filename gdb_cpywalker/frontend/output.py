"""Writing rendered text to its destination as it is made: a file (``--output``), the
CLI's stdout or gdb's pager, in writes of about WRITE_SIZE characters.

Nothing but the pieces being joined is held: a walk of a million objects writes its
first bytes long before it ends. When the target dies mid-walk (ProcessGone), what was
made is written, then a last line saying the output is incomplete, and the error goes on
as ``process N is gone (killed during the walk)``.
"""

from ..errors import ProcessGone, UsageError

#: Characters gathered before one write to the destination.
WRITE_SIZE = 1 << 16
#: The last line of output cut short.
INCOMPLETE = "<output incomplete: %s>\n"
#: What ProcessGone says after a walk that had started.
KILLED = "killed during the walk"


def stream_to(pieces, write, also_interrupted=False):
    """Write every piece through ``write``; return the characters written.

    ``also_interrupted``: Ctrl-C (KeyboardInterrupt) marks the output incomplete too.
    """
    written = 0
    buffered, size = [], 0
    tail = "\n"
    try:
        for piece in pieces:
            buffered.append(piece)
            size += len(piece)
            if size >= WRITE_SIZE:
                text = "".join(buffered)
                write(text)
                written += len(text)
                tail = text[-1:]
                buffered, size = [], 0
    except ProcessGone as error:
        if not written and not buffered:  # gone before anything was made: nothing to mark
            raise
        _mark_incomplete(write, buffered, tail, "process %d is gone (%s)" % (error.pid, KILLED))
        raise ProcessGone(error.pid, KILLED) from None
    except KeyboardInterrupt:
        if also_interrupted:
            _mark_incomplete(write, buffered, tail, "interrupted")
        raise
    text = "".join(buffered)
    write(text)
    return written + len(text)


def _mark_incomplete(write, buffered, tail, reason):
    text = "".join(buffered)
    tail = text[-1:] or tail
    write(text + ("" if tail == "\n" else "\n") + INCOMPLETE % reason)


def write_file(pieces, path):
    """Stream ``pieces`` into the file ``path`` (UTF-8); return the bytes written."""
    try:
        handle = open(path, "w", encoding="utf-8", errors="backslashreplace")
    except OSError as error:
        raise UsageError("cannot write %s: %s" % (path, error.strerror)) from None
    try:  # a full disk can fail a short text only when it is flushed: tell() or close()
        with handle:
            stream_to(pieces, handle.write, also_interrupted=True)
            return handle.tell()
    except OSError as error:
        raise UsageError("cannot write %s: %s" % (path, error.strerror)) from None


def wrote_note(size, path):
    """The one-line note a front end prints after ``write_file``."""
    return "wrote %d bytes to %s\n" % (size, path)
