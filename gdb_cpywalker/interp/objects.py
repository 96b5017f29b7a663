"""What interp reads of objects, on top of decode's ``ObjectReader``: exact builtin checks,
tuples of names, cells and dicts keyed by str or int.

Values users see are rendered by ``decode``/``render``; these reads only follow the
interpreter's own structures.
"""

from ..decode.objects import dict_items, instance_dict_address
from ..decode.reader import ObjectReader
from ..errors import CpywalkerError, DecodeError


class StateReader(ObjectReader):
    """decode's reader (page cache, checked sizes, cached type info) plus interp's reads."""

    def type_name(self, address):
        """``tp_name`` of the type of the object at ``address``."""
        return self.object_header(address)[1].name

    def is_exact(self, address, kind):
        """True when the object at ``address`` is exactly the builtin ``kind`` ("dict", ...).

        Its type must be a ready static type with the kind's tp_flags subclass bit (when
        the kind has one) and the kind's tp_name: ``&PyType_Type``, a dict subclass or a
        type merely named "dict" all fail.
        """
        try:
            _, info = self.object_header(address)
        except CpywalkerError:
            return False
        return info.kind == kind and info.name == kind and not info.is_heap

    def expect(self, address, kind):
        if not self.is_exact(address, kind):
            raise DecodeError(address, "expected a %s" % kind)

    def tuple_items(self, address):
        """Item addresses of a ``tuple``."""
        self.expect(address, "tuple")
        size = self.unpack(self.layout.PyVarObject, address)[2]
        if size < 0:
            raise DecodeError(address, "negative tuple size %d" % size)
        return self.words(address + self.layout.PyTupleObject.ob_item, size)

    def int_value(self, address):
        self.expect(address, "int")
        return self.unpack(self.layout.PyIntObject, address)[2]

    def cell_contents(self, address):
        self.expect(address, "cell")
        return self.word(address + self.layout.PyCellObject.ob_ref)

    def keyed(self, address, key_of):
        """``{key_of(key): value address}`` of a dict, skipping keys ``key_of`` refuses."""
        self.expect(address, "dict")
        _, words = dict_items(self, address)
        out = {}
        for key, value in zip(words[::2], words[1::2]):
            try:
                out[key_of(key)] = value
            except CpywalkerError:
                continue
        return out

    def str_keyed(self, address):
        """``{name: value address}`` of a dict's str keys (other keys are skipped)."""
        return self.keyed(address, self.string)

    def instance_dict(self, address):
        """The ``__dict__`` of an instance (``_PyObject_GetDictPtr``), or 0."""
        slot = instance_dict_address(self, address, self.object_header(address)[1])
        return self.word(slot) if slot else 0
