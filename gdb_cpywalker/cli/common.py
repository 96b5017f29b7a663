"""Options every CLI subcommand on a live PID shares, and opening that PID's memory (and its Python)."""

import contextlib
import os
import signal
import time

from ..errors import TargetError
from ..frontend.options import count, size  # noqa: F401  (the CLI subcommands' argparse types)
from ..layouts import layout_for
from ..memory import PageCache
from ..memory.process import PROCESS_KINDS, open_process_memory
from ..procfs import process_state
from ..target.detect import detect_python
from ..target.symbols import ProcessSymbols

#: How long ``-S`` waits for the target to report itself stopped.
STOP_TIMEOUT = 5.0


def add_pid_arguments(parser):
    """``-p/--pid`` (required) and ``-S/--stop``: for subcommands that read /proc only."""
    parser.add_argument("-p", "--pid", type=int, required=True, help="the target process")
    parser.add_argument("-S", "--stop", action="store_true",
                        help="SIGSTOP the target during the access, SIGCONT after")


def add_target_arguments(parser):
    """``-p/--pid`` (required), ``--memory auto|procfs|vm`` and ``-S/--stop``."""
    add_pid_arguments(parser)
    parser.add_argument("--memory", choices=PROCESS_KINDS, default="auto",
                        help="how to read the target (auto: process_vm_readv when it works)")


@contextlib.contextmanager
def stopped(pid):
    """Hold ``pid`` stopped with SIGSTOP; SIGCONT after unless it was stopped already."""
    was_stopped = process_state(pid) in "Tt"
    if not was_stopped:
        try:
            os.kill(pid, signal.SIGSTOP)
        except OSError as error:
            raise TargetError("cannot stop process %d: %s" % (pid, error.strerror)) from None
        deadline = time.monotonic() + STOP_TIMEOUT
        while process_state(pid) not in "Tt" and time.monotonic() < deadline:
            time.sleep(0.001)
    try:
        yield
    finally:
        if not was_stopped:
            os.kill(pid, signal.SIGCONT)


def held(args):
    """Context holding ``args.pid`` stopped when ``-S`` was given (else nothing)."""
    return stopped(args.pid) if args.stop else contextlib.nullcontext()


@contextlib.contextmanager
def open_target(args, write=False):
    """The Memory of ``args.pid`` (``args.memory`` backend), stopped around the access if ``-S``."""
    with held(args):
        memory = open_process_memory(args.pid, args.memory, write=write)
        try:
            yield memory
        finally:
            memory.close()


@contextlib.contextmanager
def open_python(args):
    """(memory, symbols, layout) of the python2.7 process ``args.pid``: a page cache over
    ``open_target(args)``, its ELF symbols, and the struct layout of the build it runs."""
    with open_target(args) as backend:
        memory = PageCache(backend)
        symbols = ProcessSymbols(args.pid)
        target = detect_python(memory, symbols)
        yield memory, symbols, layout_for(target.pointer_size, target.unicode_width)
