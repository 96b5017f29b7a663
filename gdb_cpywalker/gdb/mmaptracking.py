"""Tracking memory-mapping system calls inside gdb (what ``mmaptracker.gdb`` starts).

One ``catch syscall mmap munmap mremap mprotect brk`` catchpoint, whose condition
``$rax != -38 && $_mmaptracker_event()`` records the call and answers 0, so the program
never stops for it. The kernel stops a traced thread at each call's entry (rax is
-ENOSYS there: gdb skips it without calling Python) and at its return, where the
arguments are still in their registers and the result is in rax. This sees libc's wrappers, raw ``syscall()`` and the
dynamic loader alike, in every thread. Each distinct frame PC is symbolized once.
A ``catch exec`` the same way starts a new run in the log: a new address space.

In a Python program each event also gets its thread's Python stack (``PythonStacks``),
read from memory as ``py-bt`` reads it, symbols or not.

``mmaptracker.gdb`` (``track_from_script``) ends gdb as strace ends: with the program's
own exit status, 128+N when signal N killed it, and ``TRACKER_FAILURE`` (2) when the
tracker itself could not start (log refused, nothing to run).
"""

import os
import signal
import time

import gdb

from ..errors import CpywalkerError, TargetError
from ..interp.locate import find_interpreter, interpreter_slot
from ..interp.objects import StateReader
from ..interp.pystacks import StackSampler
from ..layouts import layout_for
from ..memory.cache import PageCache
from ..memory.procfs import ProcMemory
from ..procfs import process_state, read_regions, wait_status
from ..target.detect import detect_python
from ..tracking import syscalls
from ..tracking.events import PY_NOTES, Event, PyFrame, format_frame, frame_location, module_offset
from ..tracking.log import (LogError, LogWriter, Run, before_line, chosen_path, end_line, read_log,
                            run_of)
from .symbols import GdbSymbols

SYSCALLS = ("mmap", "munmap", "mremap", "mprotect", "brk")
MAX_FRAMES = 64
#: With a Python stack, the native backtrace ends at the innermost frame of the interpreter's
#: eval loop: the frames beyond are the interpreter running the Python stack's frames.
EVAL_LOOP = "PyEval_EvalFrameEx ("
_ARGUMENT_REGISTERS = ("rdi", "rsi", "rdx", "r10", "r8", "r9")
#: gdb's exit status when the tracker itself fails (the program's own status can be 2 too).
TRACKER_FAILURE = 2
#: How long a process that gdb lost track of is given to finish dying (seconds).
DEATH_WAIT = 2.0
_tracker = None


class Tracker:
    """The events of the current run, the log they go to, and the symbolized PCs."""

    def __init__(self, log_path, attached):
        self.log = LogWriter(log_path)
        self.attached = attached
        self.run = None
        self.locations = {}
        self.logged = 0
        self.run_logged = 0
        self.errors = 0
        self.started = time.monotonic()
        #: record Python stacks (``set mmaptracker python-stacks off`` turns them off)
        self.python_stacks = _python_stacks_setting.value
        self.python = None
        #: the program's exit status as strace gives it (code, or 128+N for signal N), once it ended
        self.exit_status = None
        #: the wait status of a program that died while gdb had lost track of it (reap_vanished)
        self.vanished_status = None
        #: quit gdb when the program exits after Ctrl-C and 'continue' (mmaptracker.gdb)
        self.quit_at_exit = False

    @property
    def events(self):
        return self.run.events if self.run else []

    def on_syscall_return(self):
        frame = gdb.newest_frame()
        result = int(frame.read_register("rax"))
        name = syscalls.NAMES.get(int(frame.read_register("orig_rax")))
        if name is None:
            return
        run = self.current_run()
        args = syscalls.normalize_args(name, [int(frame.read_register(r)) for r in _ARGUMENT_REGISTERS])
        path = self._fd_path(run.pid, args[4]) if syscalls.takes_fd(name, args) else ""
        python, note = self.python.stack(int(frame.read_register("fs_base")))
        native = self._backtrace(frame, run.pid, EVAL_LOOP if python else None)
        event = Event(len(run.events) + 1, gdb.selected_thread().ptid[1], name, args,
                      syscalls.signed_result(result), path, native, python, note,
                      round(time.monotonic() - self.started, 6))
        run.events.append(event)
        if self._write(event.record(), record=True):
            self.logged += 1
            self.run_logged += 1

    def on_exec(self):
        self._end_log("then exec")
        self._begin_run(gdb.selected_inferior().pid, "exec")

    def on_exit(self, event):
        """The inferior is gone from gdb: it exited, or was detached or killed.

        gdb 13's ``exited`` event carries ``exit_code`` only on a real exit; a process
        still alive afterwards was detached (``detach``, or ``quit`` of an attached gdb).
        """
        pid = event.inferior.pid or (self.run.pid if self.run else 0)
        if self.run is None:
            self.current_run(pid)
        how, status = ending(event, pid, self.vanished_status)
        self._end_log(how)
        missed = "; %d calls could not be recorded, see above" % self.errors if self.errors else ""
        incomplete = "log incomplete: %s; " % self.log.failure if self.log.failure else ""
        if how == "detached":
            gdb.write("mmaptracker: detached after %d events, logged to %s%s\n"
                      % (self.logged, self.log.path, " (%s)" % (incomplete + missed[2:]).rstrip("; ")
                         if incomplete or missed else ""))
            return
        gdb.write("mmaptracker: %d events logged to %s (%sprogram %s%s)\n"
                  % (self.logged, self.log.path, incomplete, how, missed))
        self.exit_status = status
        if self.quit_at_exit and status is not None:
            gdb.post_event(lambda: gdb.execute("quit %d" % status))

    def reap_vanished(self):
        """After gdb failed mid-event: True when the program had died (killed as its threads
        mapped memory, gdb 13 fails "Cannot find user-level thread for LWP N" and leaves
        every thread marked running, which no command can resume). Its death is read from
        /proc and gdb's ``kill`` lets gdb forget the process; the exited event then ends the log."""
        pid = gdb.selected_inferior().pid
        deadline = time.monotonic() + DEATH_WAIT
        while pid:
            try:
                status = wait_status(pid)
            except TargetError:
                status = -1
            if status is not None:
                break
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        if pid:
            self.vanished_status = status
            said = gdb.execute("kill", to_string=True)  # gdb's "[Inferior 1 (process N) killed]" is not the story
            gdb.write("".join(line for line in said.splitlines(True) if line.startswith("mmaptracker:")))
        return True

    def switch_log(self, path):
        """Go on in ``path``, which first gets everything of this run so far."""
        new = LogWriter(path)
        self.log.close()
        self.log = new
        self.logged = self.run_logged = 0
        if self.run:
            self._write(self.run.header())
            for event in self.run.events:
                if self._write(event.record(), record=True):
                    self.logged += 1
                    self.run_logged += 1

    def _end_log(self, how):
        """The run's end line; on a full disk, records are dropped from the end until it fits."""
        while not self._write(self._end_line(how), last=True) and self.log.drop_last_record():
            self.logged -= 1
            self.run_logged -= 1

    def _write(self, text, last=False, record=False):
        """Write to the log; say it once when the log stops (a full disk)."""
        failed_before = self.log.failure
        if self.log.write(text, last, record):
            return True
        if not failed_before and self.log.failure:
            gdb.write("mmaptracker: cannot write the log %s: %s; it ends at its last whole record "
                      "(%d events), tracking goes on in memory\n"
                      % (self.log.path, self.log.failure, self.logged), gdb.STDERR)
        return False

    def _end_line(self, how):
        incomplete = " (log incomplete: %s)" % self.log.failure if self.log.failure else ""
        return end_line("events=%d %s%s" % (self.run_logged, how, incomplete))

    def current_run(self, pid=None):
        """The run of the selected inferior; a new pid (``run`` again) starts a new run."""
        pid = gdb.selected_inferior().pid if pid is None else pid
        if self.run is None or self.run.pid != pid:
            self._begin_run(pid, "attach" if self.attached and self.run is None else "run")
        return self.run

    def _begin_run(self, pid, mode):
        self.run = Run(pid, mode, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                       gdb.current_progspace().filename or "?")
        self.run_logged = 0
        self.started = time.monotonic()
        self.python = PythonStacks(pid, self.python_stacks)
        self._write(self.run.header())
        if mode == "attach":
            try:
                self.run.before = read_regions(pid)
            except TargetError:
                self.run.before = []
            self._write("".join(before_line(region) for region in self.run.before))

    def _backtrace(self, frame, pid, last=None):
        """The frames from ``frame`` outwards, up to the entry point or the frame of function
        ``last`` (the interpreter's eval loop when the Python stack tells the rest)."""
        frames = []
        previous_pc, same_pc = None, 0
        while frame is not None and len(frames) < MAX_FRAMES:
            pc = frame.pc()
            same_pc = same_pc + 1 if pc == previous_pc else 0  # inlined frames share a PC
            key = (pc, same_pc)
            known = self.locations.get(key)
            if known is None:
                known = self.locations[key] = self._locate(frame, pc, pid)
            location, outermost = known
            frames.append(format_frame(len(frames), location))
            if outermost or (last and location.startswith(last, 22)):  # after "0x%016x in "
                break
            previous_pc = pc
            try:
                frame = frame.older()
            except gdb.error:
                break
        return tuple(frames)

    @staticmethod
    def _locate(frame, pc, pid):
        """(frame text, whether it is an entry point): nothing above ``_start`` is a real caller."""
        name = frame.name()
        sal = frame.find_sal()
        filename = sal.symtab.filename if sal.symtab else None
        if filename and sal.line:
            return frame_location(pc, name, filename, sal.line), name == "_start"
        module, offset = module_offset(read_regions(pid), pc)
        return frame_location(pc, name, module=module, offset=offset), name == "_start"

    @staticmethod
    def _fd_path(pid, fd):
        try:
            return os.readlink("/proc/%d/fd/%d" % (pid, fd))
        except OSError:
            return ""


class PythonStacks:
    """The Python stacks of one run: nothing until the program has loaded a CPython 2.7
    (checked again each time gdb learns of new object files), then each event's thread's
    stack, matched by its fs_base register (``pthread_self()`` on x86_64 glibc, which is
    what ``PyThreadState.thread_id`` holds)."""

    def __init__(self, pid, enabled=True):
        self.pid = pid
        self.enabled = enabled
        self._objfiles = 0
        self._sampler = None
        self._backend = None
        self._frames = {}

    def stack(self, thread_id):
        """``(PyFrames outermost first, note)`` of the thread; ``((), "")`` outside Python."""
        if not self.enabled:
            return (), ""
        if self._sampler is None and not self._found_python():
            return (), ""
        self._sampler.reader.cache = PageCache(self._backend)  # the target ran since the last stop
        frames, note = self._sampler.stack(thread_id)
        if note:
            return (), PY_NOTES.get(note, note)
        return tuple(self._frame(frame) for frame in frames), ""

    def _frame(self, frame):
        known = self._frames.get(frame)
        if known is None:
            known = self._frames[frame] = PyFrame(*frame)
        return known

    def _found_python(self):
        count = len(gdb.objfiles())
        if count == self._objfiles:
            return False
        self._objfiles = count
        try:
            backend = ProcMemory(self.pid)  # one pread a page: the lightest reader for these few reads
            memory = PageCache(backend)
            symbols = GdbSymbols()
            target = detect_python(memory, symbols)
            reader = StateReader(memory, layout_for(target.pointer_size, target.unicode_width))
            slot = interpreter_slot(reader, symbols)
            interpreter = None if slot else find_interpreter(memory, symbols, reader.layout).address
        except CpywalkerError:
            return False
        self._backend = backend
        self._sampler = StackSampler(reader, slot, interpreter)
        return True


def ending(event, pid, known=None):
    """``(how, exit status)`` of the inferior of an ``exited`` event: ("exited with code N", N),
    ("killed by signal 9 (SIGKILL)", 137), ("detached", None) or ("killed", None) for gdb's
    ``kill``. ``known``: the wait status read from /proc when gdb could not see the end."""
    if known is not None and known >= 0:
        if known & 0x7f:
            return _killed_by(known & 0x7f)
        return "exited with code %d" % (known >> 8 & 0xff), known >> 8 & 0xff
    if hasattr(event, "exit_code"):
        return "exited with code %d" % event.exit_code, event.exit_code
    if _process_alive(pid):
        return "detached", None
    number = gdb.convenience_variable("_exitsignal")
    return ("killed", None) if number is None else _killed_by(int(number))


def _killed_by(number):
    return "killed by signal %d (%s)" % (number, signal_name(number)), 128 + number


def signal_name(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return "SIG%d" % number


def _process_alive(pid):
    """Whether ``pid`` runs (a zombie or a vanished process does not)."""
    try:
        return process_state(pid) not in ("Z", "X", "x")
    except (TargetError, ValueError, IndexError):
        return False


class _Hook(gdb.Function):
    """$_mmaptracker_NAME(): call the tracker from a catchpoint's condition; 0 (go on), or 1 (stop)
    when Ctrl-C arrived while it ran."""

    def __init__(self, name, callback):
        super().__init__("_mmaptracker_" + name)
        self._callback = callback

    def invoke(self):
        try:
            self._callback()
        except KeyboardInterrupt:  # Ctrl-C met our Python, not the program: stop here, as gdb would
            return 1
        except Exception as error:  # never stop the program for our own failure: say it, go on
            if not _process_alive(gdb.selected_inferior().pid):
                return 0  # killed between the stop and our reads: the end line will say so
            _tracker.errors += 1
            gdb.write("mmaptracker: event not recorded: %s: %s\n" % (type(error).__name__, error),
                      gdb.STDERR)
        return 0


class _LogSetting(gdb.Parameter):
    """The file mmaptracker logs to (default $MMAPTRACKER_LOG, else /tmp/mmaptracker.log)."""

    set_doc = "Set the file mmaptracker logs to."
    show_doc = "Show the file mmaptracker logs to."

    def __init__(self):
        super().__init__("mmaptracker log", gdb.COMMAND_DATA, gdb.PARAM_OPTIONAL_FILENAME)
        self.value = ""
        self._previous = ""

    def get_set_string(self):
        if _tracker is None or not self.value:
            self._previous = self.value
            return ""
        try:
            _tracker.switch_log(self.value)
        except LogError as error:
            self.value = self._previous
            raise gdb.GdbError("mmaptracker: %s" % error) from None
        self._previous = self.value
        return "mmaptracker: logging to %s" % _tracker.log.path

    def get_show_string(self, svalue):
        return "mmaptracker logs to %s." % (_tracker.log.path if _tracker else chosen_path(svalue))


class _Prefix(gdb.Command):
    def __init__(self, name, doc):
        self.__doc__ = doc
        super().__init__(name, gdb.COMMAND_DATA, gdb.COMPLETE_NONE, True)


class _PythonStacksSetting(gdb.Parameter):
    """Whether mmaptracker records the Python stack of each event of a Python program."""

    set_doc = "Set whether mmaptracker records Python stacks."
    show_doc = "Show whether mmaptracker records Python stacks."

    def __init__(self):
        super().__init__("mmaptracker python-stacks", gdb.COMMAND_DATA, gdb.PARAM_BOOLEAN)
        self.value = True

    def get_set_string(self):
        if _tracker is not None:
            _tracker.python_stacks = self.value
            if _tracker.python:
                _tracker.python.enabled = self.value
        return ""

    def get_show_string(self, svalue):
        return "mmaptracker records Python stacks: %s." % svalue


_log_setting = None
_python_stacks_setting = None


def declare_log_setting():
    """``set/show mmaptracker log`` and ``python-stacks``, once."""
    global _log_setting, _python_stacks_setting
    if _log_setting is None:
        _Prefix("set mmaptracker", "Set mmaptracker options.")
        _Prefix("show mmaptracker", "Show mmaptracker options.")
        _log_setting = _LogSetting()
        _python_stacks_setting = _PythonStacksSetting()


def current_run():
    """The run this session tracks (None when it tracks nothing)."""
    return _tracker.run if _tracker else None


def log_path():
    """The log file this session writes, or would read by default."""
    declare_log_setting()
    return _tracker.log.path if _tracker else chosen_path(_log_setting.value)


def events_for(pid, log_path=None):
    """The events of process ``pid``: from ``log_path`` if given, else this session's tracking,
    else the log mmaptracker would write to (another gdb session may have tracked it). Lines
    of the log that are not a log's are passed over, and said on stderr."""
    if log_path is None and _tracker and _tracker.run and _tracker.run.pid == pid:
        return _tracker.events
    declare_log_setting()
    path = log_path or chosen_path(_log_setting.value)
    notes = []
    runs = read_log(path, notes)
    for note in notes:
        gdb.write("mmaptracker: %s\n" % note, gdb.STDERR)
    return run_of(runs, pid, path).events


def start():
    """Open the log and install the catchpoints; LogError if the log cannot be written safely."""
    global _tracker
    declare_log_setting()
    if _tracker is not None:
        return _tracker
    _tracker = Tracker(chosen_path(_log_setting.value), attached=gdb.selected_inferior().pid != 0)
    _Hook("event", _tracker.on_syscall_return)
    _Hook("exec", _tracker.on_exec)
    _catch("syscall " + " ".join(SYSCALLS), "$rax != -38 && $_mmaptracker_event()")  # -ENOSYS: an entry
    _catch("exec", "$_mmaptracker_exec()")
    gdb.events.exited.connect(_tracker.on_exit)
    if _tracker.attached:
        _tracker.current_run()  # the header says when tracking began
    return _tracker


def _catch(what, condition):
    known = {breakpoint.number for breakpoint in gdb.breakpoints()}
    gdb.execute("catch " + what, to_string=True)
    catchpoint = next(b for b in gdb.breakpoints() if b.number not in known)
    catchpoint.condition = condition


def track_from_script():
    """What mmaptracker.gdb does: track, run (or continue the attached process), and quit with
    the program's exit status when it ends (``TRACKER_FAILURE`` when tracking cannot start)."""
    for setting in ("pagination off", "confirm off", "width 0", "height 0"):
        gdb.execute("set " + setting)
    # As strace: signals go to the program unseen; one that kills it ends the log and gdb.
    # SIGINT (Ctrl-C) still stops it for 'mmap-origins' when someone can type at gdb; without
    # a terminal, no one can type 'continue': SIGINT is the program's too. SIGTRAP is gdb's own.
    gdb.execute("handle all nostop noprint pass", to_string=True)
    if not os.isatty(0):
        gdb.execute("handle SIGINT nostop noprint pass", to_string=True)
    attached = gdb.selected_inferior().pid != 0
    if not attached and not gdb.current_progspace().filename:
        _fail("nothing to run: use gdb -x mmaptracker.gdb --args APP [ARGS], "
              "or gdb -p PID -x mmaptracker.gdb")
    try:
        start()
    except LogError as error:
        _fail(str(error))
    try:
        ended = _run_to_the_end("continue" if attached else "run")
    except gdb.error as error:
        _fail("cannot %s the program: %s" % ("continue" if attached else "run", error))
    if ended:
        gdb.execute("quit %d" % (TRACKER_FAILURE if _tracker.exit_status is None else _tracker.exit_status))
    _tracker.quit_at_exit = True  # not sooner: a quit posted inside 'run' crashes gdb 13
    gdb.events.before_prompt.connect(_check_vanished)
    gdb.write("mmaptracker: the program is stopped and still tracked; 'mmap-origins [ADDR]' "
              "tells which call created a region, 'continue' goes on.\n")


def _run_to_the_end(command):
    """``run``/``continue`` until the program ends (True) or Ctrl-C stops it (False);
    gdb.error when it cannot run at all."""
    try:
        gdb.write("mmaptracker: logging memory-mapping calls to %s\n" % _tracker.log.path)
        gdb.execute(command)
    except KeyboardInterrupt:  # Ctrl-C met our Python, not the program: it is stopped all the same
        return False
    except gdb.error:
        if _tracker.exit_status is None and not _tracker.reap_vanished():
            raise
    return _tracker.exit_status is not None or gdb.selected_inferior().pid == 0


def _check_vanished():
    """At each prompt of the session after Ctrl-C: a 'continue' that failed as the program
    died (see ``Tracker.reap_vanished``) ends the session as a normal end would."""
    pid = gdb.selected_inferior().pid
    if pid and _tracker.exit_status is None and not _process_alive(pid):
        _tracker.reap_vanished()


def _fail(message):
    gdb.write("mmaptracker: %s\n" % message, gdb.STDERR)
    gdb.execute("quit %d" % TRACKER_FAILURE)
