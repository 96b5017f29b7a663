"""What the two front ends (``cli/`` and ``gdb/``) share, below both of them: the walk
options and argparse types (options.py) and streaming output to its destination
(output.py). Never imports ``gdb``."""
