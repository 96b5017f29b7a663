"""``write -p PID ADDR (--string S | --hex HEX)``: write bytes into a live process (procmem write)."""

from ..errors import UsageError
from .common import add_target_arguments, open_target
from .read import parse_address

NAME = "write"
HELP = "write a string or hex bytes at ADDR in a live process"


def add_arguments(parser):
    add_target_arguments(parser, core=False)
    parser.add_argument("address", metavar="ADDR", help="where to write: 0x7f..., bare hex 00007f... or decimal")
    data = parser.add_mutually_exclusive_group(required=True)
    data.add_argument("-s", "--string", help="the bytes of this string (UTF-8), no NUL added")
    data.add_argument("-x", "--hex", help="these bytes in hex ('48656c6c6f', '48 65 6c')")


def _data(args):
    if args.string is not None:
        return args.string.encode("utf-8")
    try:
        return bytes.fromhex(args.hex)
    except ValueError:
        raise UsageError("not hex bytes: %r" % args.hex) from None


def run(args):
    address = parse_address(args.address)
    data = _data(args)
    if not data:
        raise UsageError("nothing to write")
    with open_target(args, write=True) as memory:
        written = memory.write(address, data)
    print("wrote %d bytes at %#x" % (written, address))
    return 0
