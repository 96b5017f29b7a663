"""Every gdb command class, in the order they are registered."""

COMMANDS = []
