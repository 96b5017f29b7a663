"""gdb-cpywalker: inspect memory and CPython 2.7 objects of a live process or core file.

The core (everything but the ``gdb`` subpackage) never imports ``gdb``.
"""

__version__ = "0.1.0"
