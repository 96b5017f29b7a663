"""Options every CLI subcommand shares, and opening the target's memory (and its Python):
a live PID (``-p``) or an ELF core file (``--core``, read by ``corefile/`` without gdb).
"""

import contextlib
import os
import signal
import sys
import time

from ..corefile import open_core
from ..errors import TargetError, UsageError
from ..frontend.options import count, size  # noqa: F401  (the CLI subcommands' argparse types)
from ..interp.text import SourceFiles
from ..layouts import layout_for
from ..memory import PageCache
from ..memory.process import PROCESS_KINDS, open_process_memory
from ..procfs import process_state, read_regions
from ..target.detect import detect_python
from ..target.symbols import ProcessSymbols

#: How long ``-S`` waits for the target to report itself stopped.
STOP_TIMEOUT = 5.0


def add_pid_arguments(parser, core=False, required=True):
    """``-p/--pid`` and ``-S/--stop``: for subcommands that read /proc only; with ``core``,
    ``-p PID`` or ``--core CORE`` (and ``--exe``, ``--sysroot``, ``--lib-path``), one of them
    ``required`` (``heap --diff BEFORE AFTER`` needs neither)."""
    if core:
        which = parser.add_mutually_exclusive_group(required=required)
        which.add_argument("-p", "--pid", type=int, help="the target process")
        which.add_argument("--core", metavar="CORE",
                           help="an ELF core file instead of a live process (.gz/.xz/.bz2/.zst "
                                "too; - reads standard input)")
        add_core_arguments(parser)
    else:
        parser.add_argument("-p", "--pid", type=int, required=True, help="the target process")
    parser.add_argument("-S", "--stop", action="store_true",
                        help="SIGSTOP the target during the access, SIGCONT after")


def add_core_arguments(parser):
    """Where the files a core's process mapped are on this machine."""
    parser.add_argument("--exe", metavar="EXE",
                        help="with --core: the program's executable (default: the path the core names)")
    parser.add_argument("--sysroot", metavar="DIR",
                        help="with --core: look up the mapped files under DIR (a core from another machine)")
    parser.add_argument("--lib-path", action="append", default=[], metavar="DIR[:DIR...]",
                        help="with --core: look up mapped files by name in these folders first")


def add_target_arguments(parser, core=True, required=True, backend="--memory"):
    """``-p/--pid`` (or ``--core CORE`` with ``core``), ``--memory auto|procfs|vm`` and ``-S/--stop``;
    ``backend``: the name of the ``--memory`` option (``heap``'s ``--memory`` is its breakdown)."""
    add_pid_arguments(parser, core, required)
    parser.add_argument(backend, dest="memory", choices=PROCESS_KINDS, default="auto",
                        help="how to access a live target (auto: process_vm_readv/writev when it works)")


def core_of(args):
    """The opened ``--core`` of ``args`` (opened once per command, warnings on stderr), or None."""
    path = getattr(args, "core", None)
    if path is None:
        return None
    core = getattr(args, "opened_core", None)
    if core is None:
        lib_path = [folder for entry in args.lib_path for folder in entry.split(":") if folder]
        core = open_core(path, args.exe, args.sysroot, lib_path)
        args.opened_core = core
        for warning in core.warnings():
            sys.stderr.write("%s: warning: %s\n" % (getattr(args, "command", "core"), warning))
    return core


def target_regions(args):
    """The target's memory map: the core's regions, or /proc/PID/maps."""
    core = core_of(args)
    return core.regions() if core is not None else read_regions(args.pid)


def source_files(args):
    """The target's source files: relative paths from a live process's cwd (a core does not
    say: from here), absolute ones under its root (its mount namespace) or a core's
    ``--sysroot`` first."""
    if getattr(args, "core", None):
        return SourceFiles(None, args.sysroot)
    return SourceFiles("/proc/%d/cwd" % args.pid, "/proc/%d/root" % args.pid)


@contextlib.contextmanager
def stopped(pid):
    """Hold ``pid`` stopped with SIGSTOP; SIGCONT after unless it was stopped already."""
    was_stopped = process_state(pid) in "Tt"
    try:  # from the SIGSTOP on: a SIGTERM of ours while waiting must still continue it
        if not was_stopped:
            try:
                os.kill(pid, signal.SIGSTOP)
            except OSError as error:
                was_stopped = True  # not stopped by us: nothing to continue
                raise TargetError("cannot stop process %d: %s" % (pid, error.strerror)) from None
            deadline = time.monotonic() + STOP_TIMEOUT
            while process_state(pid) not in "Tt" and time.monotonic() < deadline:
                time.sleep(0.001)
        yield
    finally:
        if not was_stopped:
            with contextlib.suppress(ProcessLookupError):  # it died meanwhile: say why, not this
                os.kill(pid, signal.SIGCONT)


def held(args):
    """Context holding the target for one access: ``args.pid`` stopped when ``-S`` was given;
    a ``--core`` closed after it."""
    if getattr(args, "core", None) is not None:
        if args.stop:
            raise UsageError("-S stops a live process; a core file needs no stopping")
        return _closing_core(args)
    return stopped(args.pid) if args.stop else contextlib.nullcontext()


@contextlib.contextmanager
def _closing_core(args):
    try:
        yield
    finally:
        core = getattr(args, "opened_core", None)
        if core is not None:
            core.close()
            args.opened_core = None


@contextlib.contextmanager
def open_target(args, write=False):
    """The Memory of ``args.pid`` (``args.memory`` backend) or of ``args.core``, stopped around
    the access if ``-S``."""
    with held(args):
        core = core_of(args)
        if core is not None:
            if write:
                raise UsageError("a core file is read-only")
            yield core.memory
            return
        memory = open_process_memory(args.pid, args.memory, write=write)
        try:
            yield memory
        finally:
            memory.close()


@contextlib.contextmanager
def open_python(args):
    """(memory, symbols, layout) of the python2.7 process ``args.pid`` or core ``args.core``:
    a page cache over ``open_target(args)``, its ELF symbols, and the struct layout of the
    build it runs."""
    with open_target(args) as backend:
        memory = PageCache(backend)
        core = core_of(args)
        symbols = core.symbols if core is not None else ProcessSymbols(args.pid)
        target = detect_python(memory, symbols)
        yield memory, symbols, layout_for(target.pointer_size, target.unicode_width)
