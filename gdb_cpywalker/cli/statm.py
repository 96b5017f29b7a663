"""``statm -p PID``: total size, resident, shared, text and data+stack of a live process."""

from ..procfs import read_statm
from ..render.regions import statm_table
from .common import add_pid_arguments, held

NAME = "statm"
HELP = "show the memory status of a live process (procmem's statm)"


def add_arguments(parser):
    add_pid_arguments(parser)


def run(args):
    with held(args):
        print(statm_table(read_statm(args.pid)), end="")
    return 0
