"""Finding the interpreter: RIP-relative decoding, the three lookup paths, scan validation."""

import struct

import pytest

from gdb_cpywalker.errors import DecodeError, TargetError
from gdb_cpywalker.interp.locate import find_interpreter, gil_holder, is_interpreter, scan_for_interpreter
from gdb_cpywalker.interp.objects import StateReader
from gdb_cpywalker.interp.x86 import rip_relative_load

from interp_image import InterpBuilder

TEXT = 0x555555554000
BSS = 0x555555600000


class StubSymbols:
    """The Symbols protocol over a dict: what a stripped build exports, or a debug build names."""

    def __init__(self, addresses, sections=None):
        self.addresses = addresses
        self.sections = sections or {}

    def address(self, name):
        return self.addresses.get(name)

    def libpython(self):
        return ("/lib/libpython2.7.so.1.0", 0) if self.sections else None

    def section(self, objfile, name):
        return self.sections.get(name)


def test_rip_relative_load_of_the_real_libpython_bytes():
    # objdump of 2.7.18's PyInterpreterState_Head at 0x116e00: mov 0xe08c9(%rip),%rax; ret
    code = bytes.fromhex("48 8b 05 c9 08 0e 00 c3")
    assert rip_relative_load(code, 0x116e00) == (0x1F76D0, False)


def test_rip_relative_load_after_endbr64_and_through_the_got():
    code = bytes.fromhex("f3 0f 1e fa 48 8b 05 f5 ff ff ff 48 8b 00 c3")
    slot, through_got = rip_relative_load(code, 0x1000)
    assert slot == 0x1000 and through_got  # disp32 -11 from the end of the mov


@pytest.mark.parametrize("code", [
    "8b 05 c9 08 0e 00 c3",        # 32-bit mov: no REX.W
    "48 8b 45 f8 c3 90 90",        # mov -8(%rbp),%rax: not RIP-relative
    "48 8d 05 c9 08 0e 00",        # lea, not a load
    "48 8b 05 c9",                 # cut short
])
def test_rip_relative_load_refuses_other_instructions(code):
    with pytest.raises(DecodeError):
        rip_relative_load(bytes.fromhex(code), 0x1000)


def decoys(builder):
    """Structures a naive scan accepts: each fails exactly one of the real checks."""
    type_type = builder.builtin("type")  # &PyType_Type: readable, ob_type points to itself
    named_dict = builder.make_type("dict", builder.basicsize("dict"))  # no DICT_SUBCLASS bit
    subclass = builder.heap_type("mydict", "dict")  # a dict subclass, not dict
    return [
        type_type,
        builder.interpreter(modules=type_type, sysdict=type_type, builtins=type_type),
        builder.interpreter(modules=builder.dict_({}, type_address=named_dict)),
        builder.interpreter(builtins=builder.dict_({}, type_address=subclass)),
        builder.interpreter(back_pointer=False),
    ]


def test_is_interpreter_rejects_type_objects_and_near_misses():
    builder = InterpBuilder()
    fakes = decoys(builder)
    real = builder.interpreter()
    reader = StateReader(builder.image(), builder.layout)
    assert [is_interpreter(reader, fake) for fake in fakes] == [False] * len(fakes)
    assert not is_interpreter(reader, 0x10) and not is_interpreter(reader, BSS)
    assert is_interpreter(reader, real)


def with_bss(memory, words):
    memory.map(BSS, struct.pack("<%dQ" % len(words), *words))
    return [(BSS, BSS + 8 * len(words))]


def test_scan_skips_decoys_and_finds_the_head():
    builder = InterpBuilder()
    fakes = decoys(builder)
    real = builder.interpreter()
    sub = builder.interpreter()
    builder.word(real + builder.layout.PyInterpreterState.next, sub)
    memory = builder.image()
    ranges = with_bss(memory, [0, 7, 0xDEADBEEF] + fakes + [sub, real, real])
    assert scan_for_interpreter(StateReader(memory, builder.layout), ranges) == real


def test_scan_without_an_interpreter_says_where_it_looked():
    builder = InterpBuilder()
    fakes = decoys(builder)
    memory = builder.image()
    ranges = with_bss(memory, fakes)
    with pytest.raises(TargetError, match="scan: no pointer in 0x555555600000-0x555555600028"):
        find_interpreter(memory, StubSymbols({}, {".bss": ranges[0]}), builder.layout, "scan")


def with_head_function(memory, interp, prefix=b""):
    """``interp_head`` in .bss and ``PyInterpreterState_Head`` loading it, as libpython has."""
    slot = BSS + 0x40
    memory.map(BSS, 0x100)
    memory.write(slot, struct.pack("<Q", interp))
    end = TEXT + len(prefix) + 7
    memory.map(TEXT, prefix + b"\x48\x8b\x05" + struct.pack("<i", slot - end) + b"\xc3")
    return slot


def test_each_path_and_auto_fallback():
    builder = InterpBuilder()
    real = builder.interpreter()
    memory = builder.image()
    slot = with_head_function(memory, real, prefix=bytes.fromhex("f3 0f 1e fa"))
    sections = {".data": (BSS, BSS + 0x100)}
    debug = StubSymbols({"interp_head": slot, "PyInterpreterState_Head": TEXT}, sections)
    stripped = StubSymbols({"PyInterpreterState_Head": TEXT}, sections)
    nothing_exported = StubSymbols({}, sections)
    layout = builder.layout
    assert find_interpreter(memory, debug, layout) == (real, "symbol")
    assert find_interpreter(memory, stripped, layout) == (real, "exported")
    assert find_interpreter(memory, nothing_exported, layout) == (real, "scan")
    assert find_interpreter(memory, debug, layout, "scan") == (real, "scan")
    with pytest.raises(TargetError, match="symbol: no symbol interp_head"):
        find_interpreter(memory, stripped, layout, "symbol")


def test_a_null_or_bogus_interp_head_is_not_trusted():
    builder = InterpBuilder()
    type_type = builder.builtin("type")
    memory = builder.image()
    slot = with_head_function(memory, 0)
    with pytest.raises(TargetError, match="is NULL"):
        find_interpreter(memory, StubSymbols({"interp_head": slot}), builder.layout, "symbol")
    memory.write(slot, struct.pack("<Q", type_type))
    with pytest.raises(TargetError, match="not an interpreter state"):
        find_interpreter(memory, StubSymbols({"PyInterpreterState_Head": TEXT}), builder.layout, "exported")


def test_gil_holder_is_none_when_released():
    memory = InterpBuilder().image()
    memory.map(BSS, 16)
    symbols = StubSymbols({"_PyThreadState_Current": BSS})
    assert gil_holder(memory, symbols) is None
    memory.write(BSS, struct.pack("<Q", 0x1234))
    assert gil_holder(memory, symbols) == 0x1234
    assert gil_holder(memory, StubSymbols({})) is None
