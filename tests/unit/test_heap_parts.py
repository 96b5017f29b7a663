"""The pieces around the heap scan: census snapshots and diffs, the address set and counts,
the memory breakdown, progress throttling, referents with labels, sizeof formulas."""


import pytest
from builder import ImageBuilder, Ref

from gdb_cpywalker.errors import UsageError
from gdb_cpywalker.heap import census as census_module
from gdb_cpywalker.heap import snapshot
from gdb_cpywalker.heap.addrset import AddressSet, Spans
from gdb_cpywalker.heap.census import Census, Row
from gdb_cpywalker.heap.countmap import CountMap
from gdb_cpywalker.heap.memmap import PARTS, breakdown, stack_regions
from gdb_cpywalker.heap.progress import Progress
from gdb_cpywalker.heap.referents import Referents
from gdb_cpywalker.heap.scan import ScanStats
from gdb_cpywalker.heap.types import TypeTable
from gdb_cpywalker.interp.objects import StateReader
from gdb_cpywalker.procfs import Region
from gdb_cpywalker.render.heap import census_table, diff_table


def test_census_json_round_trip_totals_and_selection(tmp_path):
    census = Census([Row("str", 10, 500), Row("dict", 2, 560), Row("int", 3, 72)], ["weird"], ["a note"])
    assert [row.type for row in census.rows] == ["dict", "str", "int"]
    document = census.to_json(limit=1)
    assert document["objects"] == 15 and document["bytes"] == 1132
    assert document["types"] == [{"type": "dict", "count": 2, "bytes": 560}]
    assert [row["type"] for row in census.to_json(min_bytes=100)["types"]] == ["dict", "str"]
    path = tmp_path / "census.json"
    snapshot.save(census, str(path))
    assert snapshot.load(str(path)).rows == census.rows
    text = census_table(census, limit=2)
    assert text.splitlines()[-3].endswith("total: 3 types (2 shown)")
    assert "object.__sizeof__" in text and text.endswith("a note\n")


@pytest.mark.parametrize("content, message", [
    ("{", "is not JSON"), ("[1]", "is not a py-heap census"), ('{"types": [{"type": 1}]}', "not a py-heap census"),
])
def test_loading_a_bad_census_is_a_usage_error(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(UsageError, match=message):
        snapshot.load(str(path))
    with pytest.raises(UsageError, match="cannot read"):
        snapshot.load(str(tmp_path / "missing.json"))


def test_diff_is_growth_biggest_first_unchanged_left_out():
    before = Census([Row("str", 10, 500), Row("dict", 2, 560), Row("gone", 1, 16)])
    after = Census([Row("str", 12, 600), Row("dict", 2, 560), Row("new", 5, 5000)])
    growth = census_module.diff(before, after)
    assert [(row.type, row.count, row.bytes) for row in growth] == [
        ("new", 5, 5000), ("str", 2, 100), ("gone", -1, -16)]
    table = diff_table(growth, before="a.json", after="b.json")
    assert table.splitlines()[1].split() == ["+5", "+5,000", "5", "new"]
    assert "total growth from a.json (3 types changed)" in table


def test_address_set_and_count_map():
    seen = AddressSet()
    assert seen.add_new([0x7F0000000010, 0x7F0000000010, 0x7F0000100010]) == [0x7F0000000010, 0x7F0000100010]
    assert seen.add_new([0x7F0000000010, 0x7F0000000018]) == [0x7F0000000018]
    assert 0x7F0000000018 in seen and 0x7F0000000020 not in seen and seen.count == 3
    spans = Spans([(0x5000, 0x6000), (0x1000, 0x2000)])
    assert 0x1000 in spans and 0x1FFF in spans and 0x2000 not in spans and 0xFFF not in spans
    assert spans.overlap(0x1800, 0x5800) == 0x800 + 0x800 and spans.overlap(0, 0x1000) == 0
    counts = CountMap()
    counts.add([0x1000, 0x1000, 0x2010] + [0x3000] * 300)
    assert (counts.get(0x1000), counts.get(0x2010), counts.get(0x3000), counts.get(0x9000)) == (2, 1, 300, 0)


class _Stats:
    def __init__(self, pools, malloc, pool_objects, malloc_objects):
        self.stats = ScanStats()
        self.pools = Spans([pools])
        self.stats.malloc_spans = malloc
        self.stats.object_bytes.update(pymalloc=pool_objects, malloc=malloc_objects)


def test_memory_breakdown_adds_up_to_the_resident_total():
    from gdb_cpywalker.heap.glibc import MallocSpan

    regions = [Region(0x400000, 0x401000, "r-xp", path="/bin/python2.7"),
               Region(0x1000000, 0x1010000, "rw-p", path="[heap]"),
               Region(0x7F0000000000, 0x7F0000040000, "rw-p"),
               Region(0x7F0000100000, 0x7F0000101000, "---p"),
               Region(0x7F0000101000, 0x7F0000109000, "rw-p"),
               Region(0x7FFF00000000, 0x7FFF00021000, "rw-p", path="[stack]")]
    scan = _Stats((0x7F0000000000, 0x7F0000020000),
                  [MallocSpan("brk", 0x1000000, 0x1000000, 0x1010000)], 100000, 30000)
    total, parts = breakdown(regions, lambda region: region.size, scan)
    shares = {part.name: part.bytes for part in parts}
    assert total == sum(shares.values()) == sum(region.size for region in regions)
    assert [part.name for part in parts] == list(PARTS)
    assert shares["Python objects in pymalloc"] == 100000
    assert shares["free space in pymalloc pools and arenas"] == 0x20000 - 100000
    assert shares["Python objects outside pymalloc"] == 30000
    assert shares["other malloc'ed memory (C extensions, malloc overhead)"] == 0x10000 - 30000
    assert shares["stacks"] == 0x21000 + 0x8000
    assert shares["file-backed mappings (code, data)"] == 0x1000
    assert stack_regions(regions, [0x1000008]) == {0x1000000, 0x7F0000101000, 0x7FFF00000000}


def test_progress_at_most_once_a_second_then_cleared():
    written, now = [], [0.0]
    progress = Progress(written.append, "py-heap", clock=lambda: now[0])
    progress("reading the heap", 10, 100)
    now[0] = 1.5
    progress("reading the heap", 50 << 20, 100 << 20)
    now[0] = 1.9
    progress("reading the heap", 60, 100)
    now[0] = 3.0
    progress("following references", 1234, 0)
    progress.done()
    assert written == ["\r\x1b[Kpy-heap: reading the heap: 50.00MiB of 100.00MiB (50%)",
                       "\r\x1b[Kpy-heap: following references: 1234", "\r\x1b[K"]


def _table(builder):
    reader = StateReader(builder.image(), builder.layout)
    return reader, TypeTable(reader, Spans([(builder.base, builder.base + len(builder.buf) + 4096)]))


def test_referents_with_labels():
    builder = ImageBuilder()
    key, value = builder.str_(b"name"), builder.str_(b"v")
    items = builder.tuple_([Ref(value), Ref(key)])
    mapping = builder.dict_([(Ref(key), Ref(items))], deleted=1)
    array = builder.list_([Ref(mapping), Ref(value)])
    widget = builder.heap_type("Widget", slots=("a",))
    instance = builder.instance(widget, {b"x": Ref(value)}, {builder.basicsize("object"): Ref(array)})
    reader, table = _table(builder)
    referents = Referents(reader, table)

    def labelled(address):
        entry = table.get(reader.object_header(address)[1].address)
        found = table.read_object(address)
        return referents.of(entry, found[0], 0, address, labelled=True)
    assert labelled(items) == [("[0]", value), ("[1]", key)]
    assert labelled(array) == [("[0]", mapping), ("[1]", value)]
    assert labelled(mapping) == [("key", builder.dummy_key()), ("key", key), (("value", key), items)]
    pairs = labelled(instance)
    assert pairs[0] == ("__class__", widget) and ("a", array) in pairs
    assert [label for label, _ in pairs][-1] == "__dict__"
    entry = table.get(reader.object_header(instance)[1].address)
    assert referents.of(entry, table.read_object(instance)[0], 0, instance) == [value for value in (
        widget, array, reader.word(instance + 24))]


def help_of(capsys, name):
    from gdb_cpywalker import cli
    with pytest.raises(SystemExit):
        cli.main([name, "--help"])
    return " ".join(capsys.readouterr().out.split())


def test_cli_heap_and_refs_take_the_target_options_every_subcommand_takes(capsys):
    walk, heap, refs = (help_of(capsys, name) for name in ("walk", "heap", "refs"))
    core = "--core CORE an ELF core file instead of a live process (.gz/.xz/.bz2/.zst too; - reads standard input)"
    reading = "how to access a live target (auto: process_vm_readv/writev when it works)"
    assert core in walk and core in heap and core in refs
    assert "(-p PID | --core CORE)" in walk and "(-p PID | --core CORE)" in refs
    assert "[-p PID | --core CORE]" in heap and "required, except by --diff BEFORE AFTER" in heap
    assert "--memory {auto,procfs,vm} " + reading in refs
    assert "--backend {auto,procfs,vm} " + reading in heap and "--memory where the process's" in heap
