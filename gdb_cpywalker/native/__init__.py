"""Native stacks, and each thread's native and Python frames as one stack (py-bt --native).

``frames`` is the data model whoever unwinds (gdb in ``gdb/nativestack.py``, or
``unwind`` here from ``cfi``'s .eh_frame rows and ``registers`` from ``ptrace``, /proc or
a core), ``symbolize`` names code addresses as gdb's ``bt`` does without debug info,
``merge`` pairs each ``PyEval_EvalFrameEx`` with the Python frame it runs and folds the
interpreter's plumbing, ``annotate`` says what a thread waits for, ``text`` prints it.
Nothing here imports gdb.
"""
