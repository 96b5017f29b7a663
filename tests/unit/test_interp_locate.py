"""Finding the interpreter: RIP-relative decoding, the three lookup paths, scan validation."""

import struct

import pytest

from gdb_cpywalker.errors import DecodeError, TargetError
from gdb_cpywalker.interp.locate import find_interpreter, gil_holder, is_interpreter, scan_for_interpreter
from gdb_cpywalker.interp.objects import DICT_SUBCLASS, ObjectReader
from gdb_cpywalker.interp.x86 import rip_relative_load

from interp_image import LAYOUT, Heap

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


def decoys(heap):
    """Structures a naive scan accepts: each fails exactly one of the real checks."""
    type_type = heap.type_type  # &PyType_Type: readable, ob_type points to itself
    plain_type = heap.type_object("dict", 0)  # named dict, no DICT_SUBCLASS bit
    subclass = heap.type_object("mydict", DICT_SUBCLASS)  # a dict subclass, not dict
    return [
        type_type,
        heap.interpreter(modules=type_type, sysdict=type_type, builtins=type_type),
        heap.interpreter(modules=heap.dict_object({}, plain_type)),
        heap.interpreter(builtins=heap.dict_object({}, subclass)),
        heap.interpreter(back_pointer=False),
    ]


def test_is_interpreter_rejects_type_objects_and_near_misses():
    heap = Heap()
    reader = ObjectReader(heap.memory, LAYOUT)
    assert all(not is_interpreter(reader, decoy) for decoy in decoys(heap))
    assert not is_interpreter(reader, 0x10) and not is_interpreter(reader, BSS)
    assert is_interpreter(reader, heap.interpreter())


def bss_image(heap, words):
    heap.memory.map(BSS, struct.pack("<%dQ" % len(words), *words))
    return [(BSS, BSS + 8 * len(words))]


def test_scan_skips_decoys_and_finds_the_head():
    heap = Heap()
    real = heap.interpreter()
    sub = heap.interpreter()
    heap.put(real + LAYOUT.PyInterpreterState.next, "Q", sub)
    ranges = bss_image(heap, [0, 7, 0xDEADBEEF] + decoys(heap) + [sub, real, real])
    assert scan_for_interpreter(heap.memory, LAYOUT, ranges) == real


def test_scan_without_an_interpreter_says_where_it_looked():
    heap = Heap()
    ranges = bss_image(heap, decoys(heap))
    with pytest.raises(TargetError, match="scan: no pointer in 0x555555600000-0x555555600028"):
        find_interpreter(heap.memory, StubSymbols({}, {".bss": ranges[0]}), LAYOUT, "scan")


def image_with_head_function(heap, interp, prefix=b""):
    """``interp_head`` in .bss and ``PyInterpreterState_Head`` loading it, as libpython has."""
    slot = BSS + 0x40
    heap.memory.map(BSS, 0x100)
    heap.put(slot, "Q", interp)
    end = TEXT + len(prefix) + 7
    heap.memory.map(TEXT, prefix + b"\x48\x8b\x05" + struct.pack("<i", slot - end) + b"\xc3")
    return slot


def test_each_path_and_auto_fallback():
    heap = Heap()
    real = heap.interpreter()
    slot = image_with_head_function(heap, real, prefix=bytes.fromhex("f3 0f 1e fa"))
    sections = {".data": (BSS, BSS + 0x100)}
    debug = StubSymbols({"interp_head": slot, "PyInterpreterState_Head": TEXT}, sections)
    stripped = StubSymbols({"PyInterpreterState_Head": TEXT}, sections)
    nothing_exported = StubSymbols({}, sections)
    assert find_interpreter(heap.memory, debug, LAYOUT) == (real, "symbol")
    assert find_interpreter(heap.memory, stripped, LAYOUT) == (real, "exported")
    assert find_interpreter(heap.memory, nothing_exported, LAYOUT) == (real, "scan")
    assert find_interpreter(heap.memory, debug, LAYOUT, "scan") == (real, "scan")
    with pytest.raises(TargetError, match="symbol: no symbol interp_head"):
        find_interpreter(heap.memory, stripped, LAYOUT, "symbol")


def test_a_null_or_bogus_interp_head_is_not_trusted():
    heap = Heap()
    slot = image_with_head_function(heap, 0)
    with pytest.raises(TargetError, match="is NULL"):
        find_interpreter(heap.memory, StubSymbols({"interp_head": slot}), LAYOUT, "symbol")
    heap.put(slot, "Q", heap.type_type)
    with pytest.raises(TargetError, match="not an interpreter state"):
        find_interpreter(heap.memory, StubSymbols({"PyInterpreterState_Head": TEXT}), LAYOUT, "exported")


def test_gil_holder_is_none_when_released():
    heap = Heap()
    heap.memory.map(BSS, 16)
    symbols = StubSymbols({"_PyThreadState_Current": BSS})
    assert gil_holder(heap.memory, symbols) is None
    heap.put(BSS, "Q", 0x1234)
    assert gil_holder(heap.memory, symbols) == 0x1234
    assert gil_holder(heap.memory, StubSymbols({})) is None
