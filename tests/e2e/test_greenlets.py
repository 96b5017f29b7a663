"""py-bt --greenlets, py-greenlets and bt --greenlets in real gdb on tests/targets/greenlets.py,
with greenlet 1.1.3, 0.4.17 and 2.0.2 as ``make prepare`` installs them under build/: live with
debug info, on the stripped python2.7 with a stripped greenlet extension, from gcore core files
(one with a greenlet's frame left out), the CLI, and every bad input the issue lists.

Every greenlet of the handshake is checked: its header (address, type, state, main, parent),
the thread it is listed under, and its frames outermost first (with --locals: the repr and
address of the locals the target recorded).
"""

import os
import re
import struct
import subprocess
import sys

import pytest

from gdb_cpywalker.layouts import greenlet_layout
from gdb_cpywalker.layouts.greenlet import layout_name
from gdb_cpywalker.target.elf import ElfFile
from support.gdbsession import GdbSession
from support.paths import BUILD, ROOT, STRIPPED, clean_env
from support.target import Target
from test_pybt import frame_line, values


def greenlet_dir(version, stripped=False):
    return os.path.join(BUILD, "greenlet-%s%s" % (version, "-stripped" if stripped else ""))


def start(version, stripped=False):
    return Target("greenlets.py", args=(greenlet_dir(version, stripped),), stripped=stripped)


def header(record, info):
    """The header line py-bt --greenlets prints for a handshake record."""
    parts = [record["type"] + ("" if record["type"] == "greenlet.greenlet" else " (greenlet subclass)")]
    if record["main"]:
        parts.append("main")
    parts.append(record["state"])
    if record["parent"]:
        parts.append("parent %#x" % record["parent"])
    return "Greenlet %#x %s" % (record["id"], ", ".join(parts))


def sections(output):
    """``{greenlet address: (thread id or None, block lines)}`` of py-bt --greenlets output."""
    out = {}
    thread = None
    lines = None
    for line in output.splitlines():
        match = re.match(r"^Thread (0x[0-9a-f]+)", line)
        if match:
            thread, lines = int(match.group(1), 16), None
        elif line == "Greenlets of no known thread":
            thread, lines = None, None
        match = re.match(r"^Greenlet (0x[0-9a-f]+)", line)
        if match:
            lines = [line]
            out[int(match.group(1), 16)] = (thread, lines)
        elif lines is not None:
            lines.append(line)
    return out


def frame_values(lines):
    """``{function: {name: (repr, kind, type, address)}}``: the locals under each File line
    (a function listed twice keeps its innermost frame's)."""
    out = {}
    function = None
    for line in lines:
        match = re.match(r'^  File ".*", line \d+, in (.*)$', line)
        if match:
            function = match.group(1)
            out[function] = {}
        elif function:
            out[function].update(values(line))
    return out


def reachable(info):
    """The handshake without the leaked greenlet, which only a heap scan finds."""
    return dict(info, greenlets=[record for record in info["greenlets"] if record["id"] != info["leaked"]])


def check_greenlets(output, info, version=None, with_locals=False):
    """Every greenlet of the handshake, under its thread, with its header and frames."""
    assert "greenlet %s: %d greenlets (" % (version or info["version"], len(info["greenlets"])) in output, output
    shown = sections(output)
    assert sorted(shown) == sorted(record["id"] for record in info["greenlets"]), output
    for record in info["greenlets"]:
        thread, lines = shown[record["id"]]
        assert thread == record["thread"], (record, output)
        assert lines[0] == header(record, info), (lines[0], record)
        assert [line for line in lines if line.startswith("  File ")] == [
            frame_line(entry) for entry in record["stack"]], (record, lines)
        if record["state"] == "not started":
            assert lines[1].startswith("  run = %s  (function at " % record["run"]), lines
        if record["state"] == "dead":
            assert lines[1:] == [""], lines
        if with_locals:
            shown_values = frame_values(lines)
            for function, expected in record["locals"].items():
                for name, (text, address) in expected.items():
                    assert shown_values[function][name][0] == text, (function, name, lines)
                    assert shown_values[function][name][3] == address, (function, name, lines)
    running = [record for record in info["greenlets"] if record["state"] == "running"]
    for record in running:  # the running greenlet is the first block under its thread's header
        lines = output.splitlines()
        assert lines[lines.index(header(record, info)) - 1].startswith("Thread %#x" % record["thread"])


def check_table(output, info):
    """py-greenlets: one row per greenlet with its state, thread, parent and top frame."""
    rows = {int(line.split()[0], 16): line for line in output.splitlines() if line.startswith("0x")}
    assert sorted(rows) == sorted(record["id"] for record in info["greenlets"]), output
    for record in info["greenlets"]:
        row = rows[record["id"]]
        state = record["state"] + (" (main)" if record["main"] else "")
        assert "  %s  " % state in row and "%#x" % record["thread"] in row, row
        assert ("  %#x  " % record["parent"] if record["parent"] else "  -  ") in row, row
        if record["stack"]:
            name, line = record["stack"][-1][2], record["stack"][-1][1]
            assert row.endswith("  %s (%s:%d)" % (name, record["stack"][-1][0], line)), row
        elif record["state"] == "not started":
            assert row.endswith("  run = %s" % record["run"]), row
        else:
            assert row.endswith("  -"), row


def record_of(info, function):
    """The handshake record of the greenlet whose innermost frames include ``function``."""
    return [r for r in info["greenlets"] if function in [entry[2] for entry in r["stack"]]][0]


@pytest.fixture(scope="module")
def debug_113():
    with start("1.1.3") as target:
        yield target


@pytest.fixture(scope="module")
def stripped_113():
    with start("1.1.3", stripped=True) as target:
        yield target


@pytest.fixture(scope="module")
def stripped_core(tmp_path_factory, stripped_113):
    """A gcore core file of the stripped 1.1.3 target, and the handshake it was taken at."""
    path = str(tmp_path_factory.mktemp("core") / "greenlets.core")
    with GdbSession(["-p", str(stripped_113.pid)], source=False) as gdb:
        assert "Saved corefile" in gdb.cmd("gcore " + path)
    return path


def test_live_with_debug_info(debug_113):
    info = debug_113.info
    with GdbSession(["-p", str(debug_113.pid)]) as gdb:
        gdb.cmd("set cpywalker locals-width 0")
        check_greenlets(gdb.cmd("py-bt --greenlets --locals"), info, with_locals=True)
        check_table(gdb.cmd("py-greenlets"), info)
        fast = gdb.cmd("py-greenlets --reachable")
        assert "greenlets (reachable from the threads and the modules' globals)" in fast
        check_table(fast, reachable(info))
        second = gdb.cmd("py-bt --greenlets --thread %d" % info["second_ident"])
        assert sorted(sections(second)) == sorted(
            record["id"] for record in info["greenlets"] if record["thread"] == info["second_ident"])
        plain = gdb.cmd("py-bt")
        assert "Greenlet" not in plain and "greenlet 1.1.3" not in plain


def test_live_stripped_python_and_stripped_greenlet(stripped_113):
    extension = ElfFile(os.path.join(greenlet_dir("1.1.3", stripped=True), "greenlet", "_greenlet.so"))
    assert extension.section(".symtab") is None and not extension.has_debug_info
    with GdbSession(["-p", str(stripped_113.pid)]) as gdb:
        output = gdb.cmd("py-bt --greenlets")
        assert output.startswith("Python interpreter at") and "(found by exported)" in output
        check_greenlets(output, stripped_113.info)


def drop_pages(source, dest, address):
    """Copy core ``source`` to ``dest`` with the page holding ``address`` not dumped: its
    PT_LOAD is split in three and the middle one points past the end of the file."""
    data = bytearray(open(source, "rb").read())
    (phoff,) = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    fmt = "<IIQQQQQQ"
    page = address & ~0xFFF
    headers = []
    for index in range(phnum):
        kind, flags, offset, vaddr, _, filesz, memsz, align = struct.unpack_from(fmt, data, phoff + index * phentsize)
        if kind != 1 or not vaddr <= page < vaddr + filesz:
            headers.append((kind, flags, offset, vaddr, 0, filesz, memsz, align))
            continue
        for low, high in ((vaddr, page), (page, page + 0x1000), (page + 0x1000, vaddr + memsz)):
            if high > low:
                where = offset + low - vaddr if low != page else 1 << 40
                headers.append((1, flags, where, low, 0, high - low, high - low, align))
    data.extend(bytes(-len(data) % 8))
    struct.pack_into("<Q", data, 0x20, len(data))
    struct.pack_into("<H", data, 0x38, len(headers))
    for entry in headers:
        data.extend(struct.pack(fmt, *entry))
    with open(dest, "wb") as handle:
        handle.write(data)


def test_core_of_the_stripped_process(stripped_core, stripped_113, tmp_path):
    info = stripped_113.info
    python = os.path.join(STRIPPED, "bin", "python2.7")
    with GdbSession([python, stripped_core]) as gdb:
        gdb.cmd("set cpywalker locals-width 0")
        check_greenlets(gdb.cmd("py-bt --greenlets --locals"), info, with_locals=True)
        check_table(gdb.cmd("py-greenlets"), info)
        alpha = record_of(info, "alpha_inner")
        top = int(gdb.cmd("x/gx %#x" % (alpha["id"] + 72)).split()[-1], 16)  # its top_frame
    result = run_cli("--core", stripped_core, "--greenlets", "--locals", "--width", "0")
    assert result.returncode == 0, result.stderr
    check_greenlets(result.stdout, info, with_locals=True)
    dropped = str(tmp_path / "dropped.core")
    drop_pages(stripped_core, dropped, top)
    with GdbSession([python, dropped]) as gdb:
        output = gdb.cmd("py-bt --greenlets")
        block = sections(output)[alpha["id"]][1]
        # the page's PT_LOAD points past the end of the file: gdb-cpywalker calls that truncated
        assert block[0] == header(alpha, info) and re.fullmatch(
            r"  \(unreadable frame at %#x: cannot read 16 bytes at %#x \(not in the core file "
            r"\(truncated at offset %d\)\)\)" % (top, top, os.path.getsize(dropped)), block[1]), block
        assert sorted(sections(output)) == sorted(record["id"] for record in info["greenlets"])
        assert "Traceback (most recent call last):\n  File" in output and "Error" not in output
        assert gdb.alive()


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "gdb_cpywalker", "bt"] + list(args), cwd=ROOT,
                          env=clean_env(), capture_output=True, text=True, timeout=120)


def test_cli_on_stripped_113_and_on_202(stripped_113):
    result = run_cli("-p", str(stripped_113.pid), "--greenlets", "--locals", "--width", "0")
    assert result.returncode == 0, result.stderr
    assert "(every object on the heap whose type is greenlet.greenlet or a subclass)" in result.stdout
    check_greenlets(result.stdout, stripped_113.info, with_locals=True)
    result = run_cli("-p", str(stripped_113.pid), "--greenlets", "--reachable")
    check_greenlets(result.stdout, reachable(stripped_113.info))
    with start("2.0.2", stripped=True) as target:
        result = run_cli("-p", str(target.pid), "--greenlets", "--locals", "--width", "0")
        assert result.returncode == 0, result.stderr
        check_greenlets(result.stdout, target.info, with_locals=True)


def test_native_stack_of_a_thread_running_a_greenlet(stripped_core, stripped_113):
    """The main thread runs a greenlet started from its main greenlet: the eval frames of
    the suspended main greenlet are still on the C stack, below greenlet's switch, and are
    said to run none of the thread's Python frames. greenlet's stripped static functions
    read _greenlet.so+0x..., gdb's ?? (they were named _init, the size-0 symbol of .init)."""
    result = run_cli("--core", stripped_core, "--native", "--thread", str(stripped_113.pid))
    assert result.returncode == 0, result.stderr
    switch = [line for line in result.stdout.splitlines() if "/_greenlet.so" in line]
    assert switch and all(re.match(r"#\d+ +0x[0-9a-f]+ in _greenlet\.so\+0x[0-9a-f]+ \(\) from ", line)
                          for line in switch), switch
    assert "  (warning: this PyEval_EvalFrameEx runs no frame of the thread's Python frame chain (2 frames, " \
        "all shown above))" in result.stdout


def test_greenlet_0417_and_corrupt_frame_chains():
    with start("0.4.17") as target, GdbSession(["-p", str(target.pid)]) as gdb:
        info = target.info
        check_greenlets(gdb.cmd("py-bt --greenlets"), info)
        beta, worker = record_of(info, "beta_recurse"), record_of(info, "run")
        beta_top = int(gdb.cmd("x/gx %#x" % (beta["id"] + 72)).split()[-1], 16)
        gdb.cmd("set {long}(%#x + 24) = %#x" % (beta_top, beta_top))  # f_back of its top frame: itself
        gdb.cmd("set {long}(%#x + 72) = 0x10" % worker["id"])  # top_frame: unmapped
        shown = sections(gdb.cmd("py-bt --greenlets"))
        assert shown[beta["id"]][1][1:] == ["Traceback (most recent call last):",
                                             frame_line(beta["stack"][-1]), "    greenlet.getcurrent().parent.switch()",
                                             "  (f_back cycle at %#x)" % beta_top, ""]
        assert shown[worker["id"]][1][1:] == [
            "  (unreadable frame at 0x10: cannot read 16 bytes at 0x10 (not mapped))", ""]
        assert gdb.alive()


def test_greenlet_202_and_a_corrupt_greenlet():
    with start("2.0.2") as target, GdbSession(["-p", str(target.pid)]) as gdb:
        info = target.info
        gdb.cmd("set cpywalker locals-width 0")
        check_greenlets(gdb.cmd("py-bt --greenlets --locals"), info, with_locals=True)
        check_table(gdb.cmd("py-greenlets"), info)
        dead = [record for record in info["greenlets"] if record["state"] == "dead"][0]
        gdb.cmd("set {long}(%#x + 32) = 0x10" % dead["id"])  # pimpl
        shown = sections(gdb.cmd("py-bt --greenlets"))
        assert shown[dead["id"]][1][0] == "Greenlet %#x: cannot read 120 bytes at 0x10 (not mapped)" % dead["id"]
        assert len(shown) == len(info["greenlets"])


def test_no_greenlet_module_and_an_unknown_release():
    with Target("greenlets.py", args=("--none",)) as target:
        result = run_cli("-p", str(target.pid), "--greenlets")
        assert (result.returncode, result.stdout, result.stderr) == (
            1, "", "bt: no greenlet module in this process (sys.modules has no 'greenlet')\n")
        with GdbSession(["-p", str(target.pid)]) as gdb:
            assert gdb.cmd("py-greenlets") == "py-greenlets: no greenlet module in this process " \
                                              "(sys.modules has no 'greenlet')\n"
            assert gdb.alive()
    with Target("greenlets.py", args=("--fake", "0.3.4")) as target:
        result = run_cli("-p", str(target.pid), "--greenlets")
        assert (result.returncode, result.stderr) == (
            1, "bt: greenlet 0.3.4 is not supported (supported releases: 0.4.x, 1.0.x, 1.1.x, 2.0.x)\n")


#: per release: the extension, and our struct name -> the C/C++ types that declare its fields
#: in the extension's DWARF (a C++ class's ``ptype /o`` leaves its base class's fields out)
DWARF_TYPES = {
    "0.4.17": ("greenlet.so", {"PyGreenlet": ("PyGreenlet",)}),
    "1.1.3": ("greenlet/_greenlet.so", {"PyGreenlet": ("PyGreenlet",)}),
    "2.0.2": ("greenlet/_greenlet.so", {
        "PyGreenlet": ("PyGreenlet",),
        "UserGreenlet": ("greenlet::Greenlet", "greenlet::UserGreenlet"),
        "MainGreenlet": ("greenlet::Greenlet", "greenlet::MainGreenlet"),
        "ThreadState": ("greenlet::ThreadState",)}),
}
PTYPE_FIELD = re.compile(r"^/\*\s+(\d+)\s+\|\s+\d+ \*/\s+.*?[\s*&]_?(\w+);$")
PTYPE_BLOCK = re.compile(r"^/\*\s+(\d+)\s+\|\s+\d+ \*/\s+.*\{$")
PTYPE_SIZE = re.compile(r"/\* total size \(bytes\):\s+(\d+) \*/")


def ptype_offsets(extension, c_type):
    """``({field: offset}, sizeof)`` of ``c_type`` from ``ptype /o`` (a leading _ dropped)."""
    result = subprocess.run(["gdb", "-nx", "-q", "-batch", "-ex", "ptype /o " + c_type, extension],
                            env=clean_env(), capture_output=True, text=True, timeout=60)
    offsets = {}
    opened = []  # offsets of the nested class blocks open at this line
    for line in result.stdout.splitlines():
        line = line.strip()
        match = PTYPE_FIELD.match(line)
        if match:
            offsets.setdefault(match.group(2), int(match.group(1)))
        elif PTYPE_BLOCK.match(line):
            opened.append(int(PTYPE_BLOCK.match(line).group(1)))
        elif line.startswith("}") and opened:
            offsets.setdefault(line.rstrip(";").split()[-1].lstrip("_"), opened.pop())
    assert offsets, result.stdout + result.stderr
    return offsets, int(PTYPE_SIZE.findall(result.stdout)[-1])


@pytest.mark.parametrize("version", sorted(DWARF_TYPES))
def test_declared_layouts_match_the_dwarf_of_each_release(version):
    """Offsets and sizes of layouts/greenlet.py against ``ptype /o`` of the unstripped extension."""
    extension, types = DWARF_TYPES[version]
    layout = greenlet_layout(layout_name(version))
    for name, c_types in types.items():
        dwarf = {}
        for c_type in c_types:
            offsets, size = ptype_offsets(os.path.join(greenlet_dir(version), extension), c_type)
            dwarf.update(offsets)
        compiled = getattr(layout, name)
        checked = [field for field in compiled.fields if field != "vtable"]
        assert {field: dwarf.get(field) for field in checked} == {
            field: getattr(compiled, field) for field in checked}, (name, dwarf)
        if name != "ThreadState":  # declared only as far as it is read
            assert size == compiled.size, (name, size)
