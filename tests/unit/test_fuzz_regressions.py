"""What the core fuzz (tests/e2e/test_fuzz_cores.py, bench/bench_fuzz.py) found, kept as
synthetic cases: each was an internal error before its fix."""

import decimal
import time

from builder import ImageBuilder, Ref

from gdb_cpywalker.decode import decode
from gdb_cpywalker.decode.reader import ObjectReader
from gdb_cpywalker.render.bigint import decimal_string
from gdb_cpywalker.render.repr import decimal_text


def test_a_type_whose_module_lookup_reaches_the_type_again():
    """A heap type's tp_dict key whose ob_type is that type (or a type whose key is typed
    by the first): reading the type's __module__ read the type again, without end
    (RecursionError in py-threads/py-bt/py-locals/py-globals)."""
    builder = ImageBuilder()
    first, second = builder.heap_type("First"), builder.heap_type("Second")
    for owner, other in ((first, first), (second, first)):
        key = builder.str_(b"__module__")
        builder.set_fields("PyTypeObject", owner, tp_dict=builder.dict_([(Ref(key), b"mod")]))
        builder.set_fields("PyObject", key, ob_type=other)
    instances = {heap_type: builder.instance(heap_type, {}) for heap_type in (first, second)}
    for heap_type, instance in instances.items():
        reader = ObjectReader(builder.image())
        node = decode(reader, instance)
        assert node.kind == "instance" and reader.type_info(heap_type).module is None


def test_huge_longs_print_in_subquadratic_time():
    """A bit-flipped long ob_size made a long of a million digits: its text took minutes
    (str(Decimal(int)) is quadratic); py-walk --format json sat on it for 2 minutes."""
    value = (1 << 3_000_000) - 12345
    start = time.perf_counter()
    text = decimal_text(-value)
    assert time.perf_counter() - start < 10
    assert len(text) == 903091 and text.startswith("-9") and text.endswith("7031")
    for small in (0, 7, -(3 ** 700), 10 ** 4400, -(10 ** 4400) + 1):
        assert decimal_string(small) == str(decimal.Decimal(small))


def test_a_decimal_with_flipped_slots_is_an_error_node():
    """A Decimal whose _exp is an int while _is_special says it is Infinity/NaN (or whose
    _int is not a str): KeyError (or AttributeError) inside the repr, an internal error of
    py-walk with --max-string unlimited."""
    builder = ImageBuilder()
    for sign, digits, exp, special in ((0, b"1", -2, True), (0, 5, 0, False),
                                       (0, b"1", b"F", False), (0, b"", 0, False)):
        address = builder.decimal_(sign, digits, exp, special)
        node = decode(ObjectReader(builder.image()), address)
        assert node.kind == "error" and "Decimal with" in str(node.error), (digits, exp, special)
