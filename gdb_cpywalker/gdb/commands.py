"""Every gdb command class, in the order they are registered."""

from .cmd_hexdump import HexdumpCommand
from .cmd_meminfo import MemInfoCommand
from .cmd_origins import MmapOriginsCommand
from .cmd_pybt import PyBtCommand, PyThreadsCommand
from .cmd_pyframe import PyDownCommand, PyFrameCommand, PyListCommand, PyUpCommand
from .cmd_pygreenlets import PyGreenletsCommand
from .cmd_pyheap import PyHeapCommand, PyRefsCommand
from .cmd_pynames import PyGlobalsCommand, PyLocalsCommand, PyPrintCommand
from .cmd_pywalk import PyWalkCommand
from .cmd_report import MmapReportCommand

COMMANDS = [MemInfoCommand, PyWalkCommand, PyBtCommand, PyThreadsCommand, PyFrameCommand,
            PyUpCommand, PyDownCommand, PyListCommand, PyLocalsCommand, PyGlobalsCommand,
            PyPrintCommand, MmapOriginsCommand, HexdumpCommand, PyHeapCommand, PyRefsCommand,
            PyGreenletsCommand, MmapReportCommand]
