"""Interpreter state, threads and frames of a CPython 2.7 target, read from memory only.

``locate`` finds the ``PyInterpreterState`` (debug symbol, exported function's machine
code, or a validated scan), ``threads`` lists its thread states, ``frames`` walks each
thread's frame chain and computes line numbers, ``namespaces`` reads locals, globals and
builtins; ``greenlets`` reads greenlet objects (release, state, thread, frames) and
``greenlet_search`` finds them. Nothing here imports gdb or calls a function in the target.
"""
