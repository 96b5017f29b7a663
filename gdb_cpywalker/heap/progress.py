"""Progress of a long heap command on one line of stderr, at most once a second.

``Progress(write)`` is the ``progress(phase, done, total)`` callback HeapScan takes:
``total`` 0 means "count only". Nothing is shown during the first second, so quick
commands print nothing; ``done()`` clears the line.
"""

import time

from ..render.units import format_size

INTERVAL = 1.0


class Progress:
    """``write(text)`` puts text on the terminal's stderr (no newline added)."""

    def __init__(self, write, command, clock=time.monotonic):
        self.write = write
        self.command = command
        self.clock = clock
        self.started = clock()
        self.last = self.started
        self.shown = False

    def __call__(self, phase, done, total):
        now = self.clock()
        if now - self.last < INTERVAL:
            return
        self.last = now
        if total:
            text = "%s: %s: %s of %s (%d%%)" % (self.command, phase, format_size(done),
                                               format_size(total), 100 * done // total)
        elif done:
            text = "%s: %s: %d" % (self.command, phase, done)
        else:
            text = "%s: %s" % (self.command, phase)
        self.write("\r\x1b[K" + text)
        self.shown = True

    def done(self):
        if self.shown:
            self.write("\r\x1b[K")
            self.shown = False
