"""``heap -p PID`` / ``heap --core CORE``: py-heap without gdb; ``heap --diff A B`` compares
two saved censuses.

Also owns how the CLI opens a target for the heap commands (``heap_target``), which
``refs`` uses too; the options it shares with py-heap are ``frontend.options``'.
"""

import argparse
import contextlib
import glob
import sys

from ..errors import UsageError
from ..frontend.options import add_heap_options
from ..heap.progress import Progress
from ..heap.session import HeapTarget, diff_files, heap_report
from ..procfs import read_regions, read_smaps
from .common import add_target_arguments, core_of, open_python, target_regions

NAME = "heap"
HELP = "count the live objects of a python2.7 process or core by type (py-heap without gdb)"


def add_arguments(parser):
    add_target_arguments(parser, required=False, backend="--backend")
    parser.epilog = "-p PID or --core CORE is required, except by --diff BEFORE AFTER."
    add_heap_options(parser, diff_files_too=True)


def stack_pointers(pid):
    """Each thread's stack pointer from /proc/PID/task/*/syscall, where the kernel tells."""
    found = []
    for path in glob.glob("/proc/%d/task/*/syscall" % pid):
        try:
            with open(path) as handle:
                words = handle.read().split()
        except OSError:
            continue
        if len(words) >= 3 and words[-2].startswith("0x"):
            found.append(int(words[-2], 16))
    return found


def progress_writer(command):
    """A Progress on stderr when it is a terminal, else None."""
    if not sys.stderr.isatty():
        return None

    def write(text):
        sys.stderr.write(text)
        sys.stderr.flush()
    return Progress(write, command)


@contextlib.contextmanager
def heap_target(args, with_memory_map=False):
    """The HeapTarget of ``args.pid`` or ``args.core``; ``with_memory_map``: resident sizes
    (smaps Rss of a process, the bytes a core holds) and each thread's stack pointer."""
    if args.pid is None and args.core is None:
        raise UsageError("which process? -p PID or --core CORE")
    progress = progress_writer(args.command)
    with open_python(args) as (memory, symbols, layout):
        core = core_of(args)
        if core is not None:
            regions = target_regions(args)
            resident, source = core_resident(core.file), "core"
            pointers = [core.file.stack_pointer(thread) for thread in core.file.threads]
        else:
            regions = read_smaps(args.pid) if with_memory_map else read_regions(args.pid)
            rss = {region.start: region.smaps.get("Rss", 0) for region in regions}
            resident, source = (lambda region: rss[region.start]), "RSS"
            pointers = stack_pointers(args.pid)
        try:
            yield HeapTarget(memory, layout, symbols, regions, resident, source,
                             [sp for sp in pointers if sp], progress,
                             running=core is None and not args.stop)
        finally:
            if progress is not None:
                progress.done()


def core_resident(core_file):
    """``resident(region)``: the bytes of ``region`` a core file holds (its PT_LOADs' file parts)."""
    def dumped(region):
        return sum(max(0, min(load.vaddr + load.filesz, region.end) - max(load.vaddr, region.start))
                   for load in core_file.loads)
    return dumped


def run(args):
    if args.diff and len(args.diff) > 2:
        raise UsageError("--diff takes one saved census, or two to compare")
    if args.diff and len(args.diff) == 2:
        if args.pid is not None or args.core is not None:
            raise UsageError("--diff BEFORE AFTER compares two files: leave out -p and --core")
        sys.stdout.write(diff_files(args.diff[0], args.diff[1], args))
        return 0
    options = argparse.Namespace(**vars(args))
    options.diff = args.diff[0] if args.diff else None
    with heap_target(args, with_memory_map=args.memory_report) as target:
        text = heap_report(target, options)
    sys.stdout.write(text)
    return 0
