"""CPython 2.7 interpreter and thread state structs (Include/pystate.h), declared as data.

The 2.7.18 x86-64 build has HAVE_DLOPEN and not WITH_TSC, as every Linux build does.
"""

DECLARATIONS = {
    "PyInterpreterState": (
        ("ptr", "next"), ("ptr", "tstate_head"), ("ptr", "modules"), ("ptr", "sysdict"),
        ("ptr", "builtins"), ("ptr", "modules_reloading"), ("ptr", "codec_search_path"),
        ("ptr", "codec_search_cache"), ("ptr", "codec_error_registry"), ("int", "dlopenflags"),
    ),
    "PyThreadState": (
        ("ptr", "next"), ("ptr", "interp"), ("ptr", "frame"), ("int", "recursion_depth"),
        ("int", "tracing"), ("int", "use_tracing"), ("ptr", "c_profilefunc"),
        ("ptr", "c_tracefunc"), ("ptr", "c_profileobj"), ("ptr", "c_traceobj"),
        ("ptr", "curexc_type"), ("ptr", "curexc_value"), ("ptr", "curexc_traceback"),
        ("ptr", "exc_type"), ("ptr", "exc_value"), ("ptr", "exc_traceback"), ("ptr", "dict"),
        ("int", "tick_counter"), ("int", "gilstate_counter"), ("ptr", "async_exc"),
        ("long", "thread_id"), ("int", "trash_delete_nesting"), ("ptr", "trash_delete_later"),
    ),
}
