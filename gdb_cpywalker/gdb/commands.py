"""Every gdb command class, in the order they are registered."""

from .cmd_meminfo import MemInfoCommand
from .cmd_pywalk import PyWalkCommand

COMMANDS = [MemInfoCommand, PyWalkCommand]
