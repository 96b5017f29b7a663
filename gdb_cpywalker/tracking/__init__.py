"""Memory-mapping events (mmap, munmap, mremap, mprotect, brk): decoding, log format, origins.

Pure: registers and text in, records and text out. ``gdb/mmaptracking.py`` feeds it from
a live gdb session; ``cli/origins.py`` reads a log written earlier.
"""
