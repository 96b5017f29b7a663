"""The 2.7 struct tables: offsets pinned for x86_64/UCS4 (as DWARF of 2.7.18 gives them)
and a 32-bit UCS2 build compiled with i386 alignment."""

import pytest

from gdb_cpywalker.layouts import layout_for

X86_64 = [
    ("PyStringObject", "ob_sval", 36), ("PyTypeObject", "tp_flags", 168),
    ("PyTypeObject", "tp_name", 24), ("PyTypeObject", "tp_basicsize", 32),
    ("PyTypeObject", "tp_base", 256), ("PyTypeObject", "tp_dict", 264),
    ("PyTypeObject", "tp_dictoffset", 288), ("PyTypeObject", "tp_mro", 344),
    ("PyTypeObject", "tp_members", 240), ("PyHeapTypeObject", "ht_name", 856),
    ("PyDictObject", "ma_fill", 16), ("PyDictObject", "ma_mask", 32),
    ("PyDictObject", "ma_table", 40), ("PyDictObject", "ma_smalltable", 56),
    ("PySetObject", "table", 40), ("PySetObject", "smalltable", 56),
    ("PyListObject", "ob_item", 24), ("PyTupleObject", "ob_item", 24),
    ("PyIntObject", "ob_ival", 16), ("PyFloatObject", "ob_fval", 16),
    ("PyLongObject", "ob_digit", 24), ("PyUnicodeObject", "str", 24),
    ("PyCodeObject", "co_filename", 80), ("PyCodeObject", "co_firstlineno", 96),
    ("PyFrameObject", "f_localsplus", 376), ("PyFrameObject", "f_lineno", 124),
    ("PyFunctionObject", "func_name", 56), ("PyMemberDef", "offset", 16),
    ("PyBaseExceptionObject", "args", 24), ("PyWeakReference", "wr_object", 16),
]

X86_64_SIZES = [
    ("PyTypeObject", 392), ("PyHeapTypeObject", 872), ("PyDictEntry", 24),
    ("PyDictObject", 248), ("PySetObject", 200), ("PyFrameObject", 384),
    ("PyCodeObject", 128), ("PyBufferObject", 64), ("PyMemberDef", 40),
    ("wrapperbase", 56), ("setentry", 16), ("PyUnicodeObject", 48),
]


@pytest.mark.parametrize("struct_name, field, offset", X86_64)
def test_x86_64_offsets(struct_name, field, offset):
    assert getattr(getattr(layout_for(8, 4), struct_name), field) == offset


@pytest.mark.parametrize("struct_name, size", X86_64_SIZES)
def test_x86_64_sizes(struct_name, size):
    assert getattr(layout_for(8, 4), struct_name).size == size


def test_i386_ucs2_layout():
    layout = layout_for(4, 2)
    assert layout.PyStringObject.ob_sval == 20
    assert layout.PyTypeObject.tp_flags == 84
    assert layout.PyDictEntry.size == 12
    assert layout.PyFloatObject.ob_fval == 8          # doubles align to 4 on i386
    assert layout.PyComplexObject.imag == 16
    assert layout.model.ctype_size("digit") == 2     # 15-bit long digits
    assert layout.model.ctype_size("unicode") == 2
    assert layout.PyDictObject.ma_smalltable == 28


def test_struct_unpack_returns_every_scalar_field():
    layout = layout_for(8, 4)
    data = bytes(range(24))
    refcnt, ob_type, ival = layout.PyIntObject.unpack_from(data)
    assert refcnt == int.from_bytes(data[0:8], "little")
    assert ival == int.from_bytes(data[16:24], "little", signed=True)
