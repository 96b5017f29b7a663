"""The gdb front end: the only subpackage that imports ``gdb``.

``register()`` installs parameters and commands; ``gdbinit.py`` calls it.
"""

from . import parameters

_registered = False


def register():
    """Install every command once (sourcing gdbinit.py twice is harmless)."""
    global _registered
    if _registered:
        return
    parameters.register()
    from .commands import COMMANDS
    for command in COMMANDS:
        command()
    from .prettyprint import register_printer
    register_printer()
    _registered = True
