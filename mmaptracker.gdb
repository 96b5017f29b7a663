# mmaptracker.gdb: log every mmap, munmap, mremap, mprotect and brk of a program, with
# arguments, result and backtrace, then tell which call created any region.
#
#   gdb -x /path/to/mmaptracker.gdb --args APP [ARGS]    run APP under tracking
#   gdb -p PID -x /path/to/mmaptracker.gdb               track PID from now on
#
# The log goes to /tmp/mmaptracker.log, or to $MMAPTRACKER_LOG, or to the file of
# 'set mmaptracker log FILE' (a regular file only). gdb quits when the program ends, with
# its status as strace gives it: the program's exit code, or 128+N when signal N killed it
# (137 for SIGKILL); 2 when the tracker cannot start (log refused, nothing to run), which
# the program's own code can also be. After Ctrl-C, 'mmap-origins [ADDR]' names the call
# that created each region; 'continue' goes on (gdb still quits at the end); 'detach'
# leaves the program running, untracked.
# In a python2.7 program each call also gets its thread's Python stack (no symbols needed);
# 'mmap-report' tells which call sites (Python lines) hold how much memory.
# Outside gdb: python3 -m gdb_cpywalker origins -p PID --log FILE [ADDR]
#              python3 -m gdb_cpywalker report --log FILE [-p PID] [--format table|json|folded|svg]
python
import os as _os

def _mmaptracker_root():
    """The folder of this script: gdb holds the file open while it is being sourced."""
    for fd in _os.listdir("/proc/self/fd"):
        try:
            path = _os.path.realpath("/proc/self/fd/" + fd)
        except OSError:
            continue
        root = _os.path.dirname(path)
        if path.endswith(".gdb") and _os.path.isfile(_os.path.join(root, "gdb_cpywalker", "gdbinit.py")):
            return root
    raise gdb.GdbError("mmaptracker.gdb: the gdb_cpywalker package is not next to this script")

gdb.execute("source " + _os.path.join(_mmaptracker_root(), "gdb_cpywalker", "gdbinit.py"))
from gdb_cpywalker.gdb import mmaptracking
mmaptracking.track_from_script()
end
