"""Memory backends: the sparse image, the page cache, /proc/PID/mem and process_vm_readv.

The live backends read a real python2.7 child (tests/targets/pages.py) whose layout is
known: pages 'A', 'B' (rw), 'C' (read-only), then an unmapped page.
"""

import os

import pytest

from gdb_cpywalker.errors import MemoryReadError, MemoryWriteError, TargetError, UsageError
from gdb_cpywalker.memory import ImageMemory, PageCache
from gdb_cpywalker.memory.process import open_process_memory
from gdb_cpywalker.memory.procfs import ProcMemory
from gdb_cpywalker.memory.vm import IOV_MAX, PAGE_SIZE, ProcessVmMemory, page_pieces
from gdb_cpywalker.procfs import read_regions, region_at
from support.target import Target

PAGE = 4096


class CountingImage(ImageMemory):
    def __init__(self, segments):
        super().__init__(segments)
        self.calls = 0

    def read_partial(self, address, size):
        self.calls += 1
        return super().read_partial(address, size)


def test_image_reads_writes_and_gaps():
    image = ImageMemory([(0x1000, b"hello world"), (0x3000, 16)])
    assert image.read(0x1006, 5) == b"world"
    assert image.read_partial(0x1006, 100) == b"world"
    assert image.read_partial(0x2000, 4) == b""
    image.write(0x3004, b"\x2a\0\0\0")
    assert image.u32(0x3004) == 42
    with pytest.raises(MemoryReadError) as error:
        image.read(0x1008, 8)
    assert (error.value.address, error.value.size) == (0x1008, 8)
    assert str(error.value) == "cannot read 8 bytes at 0x1008 (only 3 readable)"
    with pytest.raises(MemoryWriteError):
        image.write(0x300e, b"abcd")


def test_page_cache_reads_each_page_once_and_stops_at_gaps():
    image = CountingImage([(0x10000, bytes(range(256)) * 48)])  # 3 pages
    cache = PageCache(image)
    assert cache.read(0x10ffe, 4) == bytes([254, 255, 0, 1])
    calls = image.calls
    assert cache.read(0x10ff0, 16) == bytes(range(240, 256))
    assert image.calls == calls
    assert len(cache.read_partial(0x11000, 3 * PAGE)) == 2 * PAGE
    with pytest.raises(MemoryReadError):
        cache.read(0x12ff0, 32)
    cache.write(0x10000, b"\xff")
    assert cache.read(0x10000, 2) == b"\xff\x01"


def test_page_cache_read_many_serves_cached_pages_and_batches_the_rest():
    image = CountingImage([(0x10000, bytes(range(256)) * 48)])
    cache = PageCache(image)
    cache.read(0x10000, 1)
    calls = image.calls
    results = cache.read_many([(0x10010, 4), (0x11000, 2), (0x10ffe, 4), (0x20000, 8)])
    assert results == [bytes(range(16, 20)), b"\x00\x01", bytes([254, 255, 0, 1]), b""]
    assert image.calls == calls + 3  # the cached page served the first request


def test_page_pieces_split_at_page_boundaries():
    assert page_pieces(PAGE_SIZE - 2, 4) == [(PAGE_SIZE - 2, 2), (PAGE_SIZE, 2)]
    assert page_pieces(0, 2 * PAGE_SIZE) == [(0, PAGE_SIZE), (PAGE_SIZE, PAGE_SIZE)]
    assert page_pieces(5, 10) == [(5, 10)]
    assert page_pieces((1 << 64) - 2, 16) == [((1 << 64) - 2, 2)]


@pytest.fixture(scope="module")
def target():
    with Target("pages.py") as running:
        base = running.info["base"]
        regions = read_regions(running.pid)
        assert region_at(regions, base + 3 * PAGE) is None, "page 3 must be unmapped"
        assert region_at(regions, base + 2 * PAGE).perms == "r--p"
        yield running


@pytest.fixture(params=["procfs", "vm"])
def live(request, target):
    memory = open_process_memory(target.pid, request.param, write=True)
    yield memory, target.info["base"]
    memory.close()


def test_live_reads_known_bytes_across_pages(live):
    memory, base = live
    assert memory.read(base + PAGE - 3, 6) == b"AAABBB"
    assert memory.read(base + 2 * PAGE, 4) == b"CCCC"


def test_live_partial_read_stops_at_unmapped_page(live):
    memory, base = live
    data = memory.read_partial(base + 2 * PAGE + 100, 2 * PAGE)
    assert data == b"C" * (PAGE - 100)
    assert memory.read_partial(base + 3 * PAGE, 16) == b""
    with pytest.raises(MemoryReadError) as error:
        memory.read(base + 3 * PAGE - 8, 16)
    assert (error.value.address, error.value.size) == (base + 3 * PAGE - 8, 16)
    with pytest.raises(MemoryReadError, match="not mapped"):
        memory.read(0x10, 8)


def test_live_write_then_read_back(live):
    memory, base = live
    payload = memory.name.encode() + b" wrote this"
    address = base + PAGE + (96 if memory.name == "vm" else 32)  # each backend its own spot
    assert memory.write(address, payload) == len(payload)
    with open("/proc/%d/mem" % memory.pid, "rb") as mem:
        mem.seek(address - 2)
        assert mem.read(len(payload) + 4) == b"BB" + payload + b"BB"


def test_live_write_into_read_only_page(live):
    memory, base = live
    address = base + 2 * PAGE + (96 if memory.name == "vm" else 32)
    memory.write(address, b"ro-" + memory.name.encode())
    assert memory.read(address - 2, 5 + len(memory.name) + 2) == b"CCro-" + memory.name.encode() + b"CC"


def test_live_write_to_unmapped_fails(live):
    memory, base = live
    with pytest.raises(MemoryWriteError):
        memory.write(base + 3 * PAGE, b"x")


def test_read_only_procfs_refuses_writes(target):
    memory = ProcMemory(target.pid)
    with pytest.raises(MemoryWriteError, match="read-only"):
        memory.write(target.info["base"], b"x")
    memory.close()


def test_vm_read_many_batches_beyond_iov_max(target):
    memory = ProcessVmMemory(target.pid)
    base = target.info["base"]
    requests = [(base + (i % (3 * PAGE - 8)), 8) for i in range(IOV_MAX * 2 + 5)]
    requests[7] = (base + 3 * PAGE - 4, 8)     # stops half way: 4 bytes
    requests[IOV_MAX + 1] = (0x10, 8)         # unmapped: nothing, the batch goes on
    results = memory.read_many(requests)
    with open("/proc/%d/mem" % target.pid, "rb") as mem:
        mem.seek(base)
        image = mem.read(3 * PAGE)
    for (address, size), data in zip(requests, results):
        offset = address - base
        expected = image[offset:offset + size] if 0 <= offset < 3 * PAGE else b""
        assert data == expected
    assert results[7] == b"CCCC" and results[IOV_MAX + 1] == b""


def test_vm_matches_procfs_on_a_whole_region(target):
    heap = [r for r in read_regions(target.pid) if r.name == "[heap]"][0]
    vm = ProcessVmMemory(target.pid)
    procfs = ProcMemory(target.pid)
    assert vm.read(heap.start, heap.size) == procfs.read(heap.start, heap.size)
    procfs.close()


def test_vm_large_read_stops_exactly_where_the_heap_ends(target):
    regions = read_regions(target.pid)
    heap = [r for r in regions if r.name == "[heap]"][0]
    assert region_at(regions, heap.end) is None
    with open("/proc/%d/mem" % target.pid, "rb") as mem:
        mem.seek(heap.start)
        expected = mem.read(heap.size)
    data = ProcessVmMemory(target.pid).read_partial(heap.start, heap.size + (IOV_MAX + 7) * PAGE_SIZE)
    assert data == expected


def test_backend_choice():
    assert ProcessVmMemory.available()
    assert open_process_memory(os.getpid()).name == "vm"
    assert open_process_memory(os.getpid(), "procfs").name == "procfs"
    with pytest.raises(UsageError, match="unknown memory backend"):
        open_process_memory(os.getpid(), "gdb")
    with pytest.raises(TargetError):
        open_process_memory(2 ** 22 + 1, "vm")
