"""greenlet's object structs on CPython 2.7, declared as data per layout, and which release has which.

``"c"`` is ``PyGreenlet`` of greenlet.h in 0.4.x and 1.x (the C implementation): on 2.7 none
of its version-conditional fields exist, so 0.4.17 and 1.1.3 have the same 128 bytes.
``"cpp"`` is 2.0.x, the C++ rewrite: ``PyGreenlet`` is a header and ``pimpl``, a pointer to a
``greenlet::Greenlet`` (vtable pointer, ExceptionState, SwitchingArgs, StackState,
PythonState) extended by ``UserGreenlet`` or ``MainGreenlet``; the thread's
``greenlet::ThreadState`` is reached from its main greenlet. Offsets checked against the
DWARF of the 0.4.17, 1.1.3 and 2.0.2 wheels (``ptype /o``) for x86-64.
"""

from .cpython27 import PyObject_HEAD

#: greenlet.h (0.4.x, 1.x) without the Python 3 fields
C_DECLARATIONS = {
    "PyGreenlet": PyObject_HEAD + (
        ("ptr", "stack_start"), ("ptr", "stack_stop"), ("ptr", "stack_copy"),
        ("ssize", "stack_saved"), ("ptr", "stack_prev"), ("ptr", "parent"), ("ptr", "run_info"),
        ("ptr", "top_frame"), ("int", "recursion_depth"), ("ptr", "weakreflist"),
        ("ptr", "exc_type"), ("ptr", "exc_value"), ("ptr", "exc_traceback"), ("ptr", "dict"),
    ),
}

# greenlet_greenlet.hpp (2.0.x): class Greenlet, its members in declaration order
_CPP_GREENLET = (
    ("ptr", "vtable"),
    ("ptr", "exc_value"), ("ptr", "exc_type"), ("ptr", "exc_traceback"),  # ExceptionState
    ("ptr", "args"), ("ptr", "kwargs"),  # SwitchingArgs
    ("ptr", "stack_start"), ("ptr", "stack_stop"), ("ptr", "stack_copy"),  # StackState
    ("ssize", "stack_saved"), ("ptr", "stack_prev"),
    ("ptr", "top_frame"), ("int", "recursion_depth"), ("int", "trash_delete_nesting"),  # PythonState
)

CPP_DECLARATIONS = {
    "PyGreenlet": PyObject_HEAD + (("ptr", "weakreflist"), ("ptr", "dict"), ("ptr", "pimpl")),
    "UserGreenlet": _CPP_GREENLET + (
        ("ptr", "self"), ("ptr", "main_greenlet"), ("ptr", "run_callable"), ("ptr", "parent"),
    ),
    "MainGreenlet": _CPP_GREENLET + (("ptr", "self"), ("ptr", "thread_state")),
    # greenlet_thread_state.hpp
    "ThreadState": (("ptr", "main_greenlet"), ("ptr", "current_greenlet"), ("ptr", "tracefunc")),
}

DECLARATIONS = {"c": C_DECLARATIONS, "cpp": CPP_DECLARATIONS}

#: ``__version__`` prefix -> layout; any other release is refused by name.
RELEASES = (("0.4.", "c"), ("1.0.", "c"), ("1.1.", "c"), ("2.0.", "cpp"))

#: ``stack_stop`` of a main greenlet: (char*)-1 in every release
MAIN_STACK_STOP = -1


def layout_name(version):
    """The layout of greenlet ``version`` (its ``__version__`` text), or None when unsupported."""
    for prefix, name in RELEASES:
        if version.startswith(prefix):
            return name
    return None


def supported_releases():
    return ", ".join(prefix + "x" for prefix, _ in RELEASES)
