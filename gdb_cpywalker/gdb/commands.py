"""Every gdb command class, in the order they are registered."""

from .cmd_hexdump import HexdumpCommand
from .cmd_meminfo import MemInfoCommand
from .cmd_origins import MmapOriginsCommand
from .cmd_pybt import PyBtCommand, PyThreadsCommand
from .cmd_pyframe import PyDownCommand, PyFrameCommand, PyUpCommand
from .cmd_pynames import PyGlobalsCommand, PyLocalsCommand, PyPrintCommand
from .cmd_pywalk import PyWalkCommand
from .cmd_report import MmapReportCommand

COMMANDS = [MemInfoCommand, PyWalkCommand, PyBtCommand, PyThreadsCommand, PyFrameCommand,
            PyUpCommand, PyDownCommand, PyLocalsCommand, PyGlobalsCommand, PyPrintCommand,
            MmapOriginsCommand, HexdumpCommand, MmapReportCommand]
