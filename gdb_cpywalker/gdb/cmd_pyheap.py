"""``py-heap`` (what Python objects fill the target's memory) and ``py-refs ADDR`` (what
keeps one alive), live or from a core, with or without debug symbols.

Both read memory only; a census of a big heap shows its progress on stderr once a second
when typed at a terminal, and Ctrl-C stops it (``py-heap: interrupted``).
"""

import sys

import gdb

from ..coremaps import parse_core_sections
from ..frontend.options import add_heap_options, add_refs_options
from ..heap.progress import Progress
from ..heap.session import HeapTarget, heap_report, refs_report
from ..procfs import read_smaps
from .command import CpywalkerCommand, address_of, make_parser
from .memory import MEMORY_KINDS, live_local_pid
from .nativestack import selection_kept
from .regions import current_regions, stack_pointer
from .symbols import GdbSymbols, open_python

heap_parser = make_parser("py-heap", "Count the live Python objects of the target by type.")
add_heap_options(heap_parser)
heap_parser.add_argument("--backend", choices=MEMORY_KINDS,
                         help="how to read the target (default: set cpywalker memory)")

refs_parser = make_parser("py-refs", "Show what refers to the Python object at ADDR, and a path to it from a root.")
add_refs_options(refs_parser)
refs_parser.add_argument("--memory", choices=MEMORY_KINDS,
                         help="how to read the target (default: set cpywalker memory)")
refs_parser.add_argument("expression", nargs="+", metavar="ADDR",
                         help="any gdb expression: 0x7f3a1c2b8d70, $rdi, op")


def stack_pointers():
    """Each thread's ``$sp`` (the selected thread and frame are selected again after)."""
    found = []
    with selection_kept():
        for thread in gdb.selected_inferior().threads():
            try:
                thread.switch()
            except gdb.error:
                continue
            found.append(stack_pointer())
    return [sp for sp in found if sp is not None]


def resident_sizes(regions):
    """``(resident(region), source)``: smaps Rss of a live process, else the bytes of each
    region the core file holds (its load sections)."""
    pid = live_local_pid()
    if pid is not None:
        rss = {region.start: region.smaps.get("Rss", 0) for region in read_smaps(pid)}
        return (lambda region: rss.get(region.start, 0)), "RSS"
    sections = parse_core_sections(gdb.execute("maintenance info sections", to_string=True))

    def dumped(region):
        return sum(max(0, min(end, region.end) - max(start, region.start)) for start, end, _ in sections)
    return dumped, "core"


def heap_target(command, backend, from_tty, with_memory_map=False):
    """The HeapTarget of the selected inferior for ``command`` (and the Progress it shows,
    or None)."""
    memory, layout = open_python(backend)
    regions = current_regions()
    progress = None
    if from_tty and sys.stdin.isatty():
        progress = Progress(lambda text: gdb.write(text, gdb.STDERR), command)
    resident, source = resident_sizes(regions) if with_memory_map else (None, "RSS")
    pointers = stack_pointers() if with_memory_map else ()
    return HeapTarget(memory, layout, GdbSymbols(), regions, resident, source, pointers, progress)


class PyHeapCommand(CpywalkerCommand):
    """Count the live Python objects by type: py-heap [--type NAME] [--leaks] [--memory] [--save FILE] [--diff FILE] [--limit N] [--min-bytes SIZE] [--format table|json]."""

    command_name = "py-heap"
    parser = heap_parser
    walks_memory = True

    def run(self, args, from_tty):
        target = heap_target(self.command_name, args.backend, from_tty, args.memory_report)
        try:
            text = heap_report(target, args)
        finally:
            if target.progress is not None:
                target.progress.done()
        gdb.write(text)


class PyRefsCommand(CpywalkerCommand):
    """Show what refers to the Python object at ADDR and a path from a root: py-refs [--format text|json] [--limit N] ADDR."""

    command_name = "py-refs"
    parser = refs_parser
    walks_memory = True

    def run(self, args, from_tty):
        address = address_of(" ".join(args.expression))
        target = heap_target(self.command_name, args.memory, from_tty)
        try:
            text = refs_report(target, address, args.format, args.limit)
        finally:
            if target.progress is not None:
                target.progress.done()
        gdb.write(text)
