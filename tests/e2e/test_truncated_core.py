"""A core file cut short, as a core size limit or a full disk leaves it: the kernel writes
the notes first, then the memory, and stops. The test makes one from a gcore core of the
stripped python2.7 (rewritten with the kernel's layout, see support/corefiles.py) and cuts
it a page after a known str: what is before the cut reads as usual; hexdump, mem-info and
mem-info ADDR say "not in the core file (truncated at offset N)" for what is after it;
commands that walk memory say first that the core is truncated.
"""

import os
import re

import pytest

from support.corefiles import PAGE, PT_NOTE, kernel_layout
from support.gdbsession import GdbSession
from support.paths import STRIPPED
from support.target import Target

EXECUTABLE = os.path.join(STRIPPED, "bin", "python2.7")


@pytest.fixture(scope="module")
def cores(tmp_path_factory):
    """(whole core, truncated core, cut offset, (vaddr, offset, filesz) of the cut segment,
    the segments, handshake)."""
    folder = tmp_path_factory.mktemp("truncated")
    with Target("idle.py", stripped=True) as target:
        with GdbSession(["-p", str(target.pid)], source=False) as gdb:
            assert "Saved corefile" in gdb.cmd("gcore %s" % (folder / "gcore.core"))
        info = target.info
    whole = str(folder / "kernel-layout.core")
    segments = kernel_layout(str(folder / "gcore.core"), whole)
    marker = info["marker_id"]
    vaddr, offset, filesz = [(vaddr, offset, filesz) for kind, offset, vaddr, filesz in segments
                             if kind != PT_NOTE and vaddr <= marker < vaddr + filesz][0]
    cut = offset + (marker - vaddr) + 200
    cut += -cut % PAGE
    assert cut < offset + filesz, "the marker sits in the last page of its segment"
    truncated = str(folder / "truncated.core")
    with open(whole, "rb") as source, open(truncated, "wb") as dest:
        dest.write(source.read(cut))
    return whole, truncated, cut, (vaddr, offset, filesz), segments, info


def test_the_kernel_layout_core_reads_whole(cores):
    whole, _, _, _, _, info = cores
    with GdbSession([EXECUTABLE, whole]) as gdb:
        assert gdb.cmd("py-walk --format repr %#x" % info["marker_id"]).strip() == repr("CPYWALKER-MARKER-" * 4)
        out = gdb.cmd("py-bt")
        assert "(found by exported)" in out and "truncated" not in out, out
        assert "not in the core file" not in gdb.cmd("mem-info")


def test_truncated_core_says_where_and_why_memory_is_missing(cores):
    _, truncated, cut, (vaddr, offset, filesz), segments, info = cores
    missing_from = vaddr + cut - offset
    reason = "not in the core file (truncated at offset %d)" % cut
    with GdbSession([EXECUTABLE, truncated]) as gdb:
        table = gdb.cmd("mem-info")
        row = [line for line in table.splitlines() if line.startswith("%012x-" % vaddr)][0]
        assert row.endswith("  [%#x-%#x %s]" % (missing_from, vaddr + filesz, reason)), row
        lost = [start for kind, start_offset, start, size in segments
                if kind != PT_NOTE and size and start_offset >= cut]
        rows = {int(line.split("-")[0], 16): line for line in table.splitlines()[:-1]}
        assert lost and all(rows[start].endswith("  [%s]" % reason) for start in lost), table
        assert not any("not in the core file" in line for start, line in rows.items() if start < vaddr), table
        assert re.search(r"^\d+ regions, \S+ mapped, \S+ %s$" % re.escape(reason), table, re.M), table

        out = gdb.cmd("hexdump %#x 32" % missing_from)
        assert out == "hexdump: cannot read 32 bytes at %#x (%s)\n" % (missing_from, reason), out
        out = gdb.cmd("hexdump %#x 32" % (missing_from - 16)).splitlines()
        assert out[0].startswith("%016x  " % (missing_from - 16))
        assert out[1] == "hexdump: %#x - %#x: cannot read (%s)" % (missing_from, missing_from + 16, reason), out
        out = gdb.cmd("mem-info %#x" % (missing_from + 8))
        assert out.splitlines()[1].endswith(", " + reason), out
        assert not gdb.cmd("mem-info %#x" % (missing_from - 8)).splitlines()[1].endswith(reason)

        marker = gdb.cmd("hexdump %#x 64" % info["marker_id"])
        assert "|....CPYWALKER-MA|" in marker, marker
        # the str is in the core, its type (libpython's .data) is past the cut: gdb alone would
        # read the type from libpython on disk (as linked, its pointers unrelocated)
        note = "py-walk: note: the core file is truncated at offset %d: " % cut
        out = gdb.cmd("py-walk --format repr %#x" % info["marker_id"])
        assert out.startswith(note) and re.fullmatch(
            r"<error: bad ob_type 0x[0-9a-f]+: type object not readable \(cannot read \d+ bytes at "
            r"0x[0-9a-f]+ \(%s\)\) at %#x>" % (re.escape(reason), info["marker_id"]), out.splitlines()[1]), out
        out = gdb.cmd("py-bt")
        assert out.startswith(note.replace("py-walk", "py-bt")), out
        assert "internal error" not in out and len(out.splitlines()) == 2, out
