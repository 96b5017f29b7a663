"""Where the interpreter holds objects from outside the heap: its modules, sys and builtins
dicts and codec registries, each thread's frame stack, thread dict and exception state, and
the words of the loaded object files' writable data (C static variables).

Each root is ``(label, address)``; labels read like the way a user would reach the object
(``sys.modules``, ``thread 0x7f.. frame``). Static words are conservative: the scanner
keeps only those that point to a live object.
"""

from ..errors import CpywalkerError
from ..interp.threads import PythonProcess

INTERPRETER_FIELDS = (
    ("modules", "sys.modules"), ("sysdict", "sys.__dict__"), ("builtins", "__builtin__.__dict__"),
    ("modules_reloading", "imp reloading"), ("codec_search_path", "codecs search path"),
    ("codec_search_cache", "codecs cache"), ("codec_error_registry", "codecs error registry"),
)
THREAD_FIELDS = ("frame", "dict", "curexc_type", "curexc_value", "curexc_traceback", "exc_type",
                 "exc_value", "exc_traceback", "async_exc", "c_profileobj", "c_traceobj")
#: Writable sections whose words may be C static variables holding objects.
STATIC_SECTIONS = (".data", ".bss")
#: Most bytes of static data scanned per object file.
MAX_STATIC = 64 << 20


def interpreter_roots(memory, symbols, layout):
    """``(roots, problem)``: the interpreter's roots, and why there are none (or None)."""
    try:
        process = PythonProcess(memory, symbols, layout)
        reader = process.reader
        roots = []
        interp = reader.fields(layout.PyInterpreterState, process.interpreter.address)
        roots += [(label, interp[name]) for name, label in INTERPRETER_FIELDS]
        for thread in process.threads():
            state = reader.fields(layout.PyThreadState, thread.address)
            roots += [("thread %#x %s" % (thread.thread_id, name), state[name]) for name in THREAD_FIELDS]
        return [(label, address) for label, address in roots if address], None
    except CpywalkerError as error:
        return [], str(error)


def static_data(memory, symbols):
    """``(start, bytes)`` of the loaded object files' .data and .bss sections, from an
    8-aligned start, a whole number of words."""
    for start, end in static_ranges(symbols):
        data = memory.read_partial(start, min(end - start, MAX_STATIC))
        yield start, data[:len(data) - len(data) % 8]


def static_ranges(symbols):
    """``[(start, end)]`` of the loaded object files' .data and .bss (8-aligned starts)."""
    out = []
    for path, _ in symbols.objfiles():
        for name in STATIC_SECTIONS:
            section = symbols.section(path, name)
            if section is not None and section[1] > section[0]:
                out.append((section[0] + -section[0] % 8, section[1]))
    return sorted(out)


def static_label(symbols, address):
    """``libpython2.7.so.1.0 .bss+0x1234``: where a static word lives."""
    for path, _ in symbols.objfiles():
        for name in STATIC_SECTIONS:
            section = symbols.section(path, name)
            if section and section[0] <= address < section[1]:
                return "%s %s+%#x" % (path.rpartition("/")[2], name, address - section[0])
    return "static data at %#x" % address
