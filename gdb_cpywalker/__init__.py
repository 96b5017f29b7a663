"""gdb-cpywalker: inspect memory and CPython 2.7 objects of a live process or core file.

The core (everything but the ``gdb`` subpackage) never imports ``gdb``.
"""

__version__ = "0.1.0"


def walk(memory, address, **budgets):
    """The object graph at ``address``: ``decode.walk`` with ``Budgets(**budgets)``.

    ``layout=`` may be passed too (default: x86_64, UCS4).
    """
    from .decode import Budgets, walk as decode_walk

    layout = budgets.pop("layout", None)
    return decode_walk(memory, address, Budgets(**budgets), layout=layout)
