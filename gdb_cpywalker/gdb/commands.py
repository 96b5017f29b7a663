"""Every gdb command class, in the order they are registered."""

from .cmd_meminfo import MemInfoCommand

COMMANDS = [MemInfoCommand]
