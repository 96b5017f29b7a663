"""The CLI on core files, without gdb (``--core``), against the live process it was taken from
and against gdb on the same core: gcore cores of tests/targets/threads.py run by the stripped
and by the debug python2.7; bad cores; a core cut after its notes; compressed cores and stdin;
``--sysroot``/``--lib-path`` for a core whose files moved."""

import gzip
import os
import re
import shutil
import struct
import subprocess
import sys

import pytest
import zstandard

from support.gdbsession import GdbSession
from support.paths import ROOT, STRIPPED, clean_env, python27
from support.target import Target

#: One malloc arena: the core holds the heap and the thread stacks, not four 64 MiB reservations.
SMALL = {"MALLOC_ARENA_MAX": "1"}
NATIVE = re.compile(r" \[(?:gdb thread \d+, )?LWP (\d+)\]")
REGION = re.compile(r"^[0-9a-f]+-[0-9a-f]+ ")


def cli(*args, stdin=None):
    """``(exit status, stdout, stderr)`` of ``python3 -m gdb_cpywalker ARGS``."""
    result = subprocess.run([sys.executable, "-m", "gdb_cpywalker"] + [str(a) for a in args],
                            cwd=ROOT, env=clean_env(), input=stdin, capture_output=True, timeout=120)
    return result.returncode, result.stdout.decode(), result.stderr.decode()


def ok(*args, **kwargs):
    code, out, err = cli(*args, **kwargs)
    assert code == 0 and err == "", err
    return out


def gcore(pid, folder, name):
    prefix = str(folder / name)
    subprocess.run(["gcore", "-o", prefix, str(pid)], check=True, capture_output=True)
    return "%s.%d" % (prefix, pid)


def without_lwps(text):
    return NATIVE.sub("", text)


def lwps(text):
    """``{Python thread id: LWP}`` named by the thread headers of a backtrace."""
    return {int(match.group(1), 16): int(match.group(2)) for match in
            re.finditer(r"^Thread (0x[0-9a-f]+).*?(?:gdb thread \d+, )?LWP (\d+)\]", text, re.M)}


def frames(output):
    """``{thread id: [(file, line, function)]}`` of a backtrace, outermost first."""
    out, current = {}, None
    for line in output.splitlines():
        header = re.match(r"^Thread (0x[0-9a-f]+)", line)
        if header:
            current = out.setdefault(int(header.group(1), 16), [])
        entry = re.match(r'^  File "(.*)", line (\d+), in (\S+)$', line)
        if entry and current is not None:
            current.append([entry.group(1), int(entry.group(2)), entry.group(3)])
    return out


def check_stacks(output, info):
    assert frames(output) == {thread["ident"]: thread["stack"] for thread in info["threads"]}


@pytest.fixture(scope="module")
def stripped(tmp_path_factory):
    """The stripped target (still running) and a gcore core of it."""
    with Target("threads.py", stripped=True, env=SMALL) as target:
        yield target, gcore(target.pid, tmp_path_factory.mktemp("core"), "stripped")


@pytest.fixture(scope="module")
def core_gdb(stripped):
    """gdb on the stripped target's core (the reference on the same file)."""
    with GdbSession([os.path.join(STRIPPED, "bin", "python2.7"), stripped[1]]) as gdb:
        gdb.cmd("set cpywalker locals-width 0")
        yield gdb


def test_bt_of_a_core_is_the_live_bt_and_gdbs(stripped, core_gdb):
    target, core = stripped
    live = ok("bt", "-p", target.pid, "--locals", "--width", "0")
    ours = ok("bt", "--core", core, "--locals", "--width", "0")
    first, rest = ours.split("\n", 1)
    assert first == "core file %s of PID %d (%s), signal SIGSTOP" % (
        core, target.pid, os.path.join(STRIPPED, "bin", "python2.7")[:80])
    assert rest.startswith("Python interpreter at 0x") and "(found by exported)" in rest.split("\n")[0]
    assert without_lwps(rest) == live
    check_stacks(rest, target.info)
    threads = lwps(rest)
    assert threads[target.info["main_ident"]] == target.pid and len(set(threads.values())) == 5
    alpha = [thread for thread in target.info["threads"] if thread["name"] == "worker-alpha"][0]
    for choice in ("%#x" % alpha["ident"], str(threads[alpha["ident"]])):  # thread id, or its LWP
        assert list(frames(ok("bt", "--core", core, "--thread", choice))) == [alpha["ident"]]
    theirs = core_gdb.cmd("py-bt --locals")
    assert without_lwps(theirs).rstrip("\n") == without_lwps(rest).rstrip("\n")
    assert lwps(theirs) == threads


def test_walk_of_a_core_is_the_targets_repr_and_gdbs(stripped, core_gdb):
    target, core = stripped
    alpha = [thread for thread in target.info["threads"] if thread["name"] == "worker-alpha"][0]
    for name in ("items", "label", "mapping"):
        text, address = alpha["locals"]["alpha_inner"][name]
        assert ok("walk", "--core", core, address, "--format", "repr") == text + "\n"
    mapping = alpha["locals"]["alpha_inner"]["mapping"][1]
    tree = ok("walk", "--core", core, mapping)
    assert tree == ok("walk", "-p", target.pid, mapping)
    assert core_gdb.cmd("py-walk %#x" % mapping).rstrip("\n") == tree.rstrip("\n")
    assert ok("walk", "--core", core, mapping, "--format", "json") == ok(
        "walk", "-p", target.pid, mapping, "--format", "json")
    code, out, err = cli("walk", "--core", core, "0x10")
    assert (code, out, err) == (1, "", "walk: cannot read 16 bytes at 0x10 (not mapped)\n")


def test_info_of_a_core_is_gdbs_mem_info_with_the_live_perms(stripped, core_gdb):
    target, core = stripped
    ours = ok("info", "--core", core).splitlines()
    theirs = [line for line in core_gdb.cmd("mem-info").splitlines() if REGION.match(line)]
    assert ours[:-1] == theirs and ours[-1].endswith("mapped")
    with open("/proc/%d/maps" % target.pid) as handle:
        live = {tuple(line.split()[0].split("-")): line.split()[1] for line in handle}
    elf_rows = [row.split() for row in ours[:-1] if re.search(r"(\.so[.\d]*|/python2\.7)$", row)]
    assert len(elf_rows) > 20
    for row in elf_rows:  # gcore did not dump the code: its perms come from the mapped file
        assert row[2] == live[tuple(row[0].split("-"))], row
    assert any(row[2] == "r-xp" for row in elf_rows)


def test_read_of_a_core_is_the_live_read(stripped):
    target, core = stripped
    heap_object = target.info["global_marker_id"]
    code = int([line for line in ok("info", "--core", core, "-P", "*libpython*").splitlines()
                if " r-xp " in line][0].split("-")[0], 16)
    for address, length in ((heap_object, 64), (code + 0x1230, 512)):  # dumped; only in the file
        assert ok("read", "--core", core, "%#x" % address, length) == ok(
            "read", "-p", target.pid, "%#x" % address, length)


def test_core_of_the_debug_python_finds_interp_head_and_checks_exe(tmp_path):
    with Target("threads.py", env=SMALL) as target:
        core = gcore(target.pid, tmp_path, "debug")
        live = ok("bt", "-p", target.pid, "--lookup", "symbol")
    ours = ok("bt", "--core", core, "--exe", python27(), "--lookup", "symbol").split("\n", 1)[1]
    assert without_lwps(ours) == live and "(found by symbol)" in live.split("\n")[0]
    code, out, err = cli("bt", "--core", core, "--exe", "/bin/true")
    assert code == 1 and out == "" and err.startswith(
        "bt: --exe /bin/true is not the program of this core: /bin/true is another build than the "
        "one the core mapped as %s (build-id " % python27()) and err.count("\n") == 1


def test_bad_cores_are_one_line_errors(stripped, tmp_path):
    _, core = stripped
    text = tmp_path / "notes.txt"
    text.write_text("not a core\n")
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    cut = tmp_path / "cut"
    with open(core, "rb") as source, open(cut, "wb") as out:
        out.write(source.read(os.path.getsize(core) // 2))
    with subprocess.Popen(["sleep", "60"]) as sleeper:
        other = gcore(sleeper.pid, tmp_path, "sleep")
        sleeper.kill()
    cases = [
        ("/nonexistent/core", "bt: cannot open /nonexistent/core: No such file or directory"),
        (str(text), "bt: %s is not a core file (not an ELF file)" % text),
        (str(empty), "bt: %s is not a core file (empty)" % empty),
        (python27(), "bt: %s is a shared library or PIE executable, not a core file" % python27()),
        (str(cut), "bt: %s: truncated core file (%d bytes): its notes are missing" % (cut, os.path.getsize(cut))),
        (other, "bt: not a CPython 2.7 target: no CPython interpreter found (no loaded object file "
                "defines Py_GetVersion: not Python, or libpython is not loaded yet)"),
    ]
    for path, message in cases:
        assert cli("bt", "--core", path) == (1, "", message + "\n")
    assert cli("write", "-p", 1, "--core", core, "0x10", "-s", "x")[2].startswith(
        "write: unrecognized arguments: --core")
    assert cli("bt", "--core", core, "-S") == (
        1, "", "bt: -S stops a live process; a core file needs no stopping\n")


def kernel_layout(core, out_path):
    """Rewrite a gcore core as the kernel lays one out (headers, notes, then the memory):
    the offsets of its PT_LOAD data in the new file, by virtual address."""
    with open(core, "rb") as handle:
        data = handle.read()
    phoff, = struct.unpack_from("<Q", data, 32)
    phnum, = struct.unpack_from("<H", data, 56)
    headers = [list(struct.unpack_from("<IIQQQQQQ", data, phoff + 56 * index)) for index in range(phnum)]
    ordered = sorted(headers, key=lambda header: header[0] != 4)  # PT_NOTE first
    offset, pieces, where = 64 + 56 * phnum, [], {}
    for header in ordered:
        pieces.append(data[header[2]:header[2] + header[5]])
        header[2] = offset
        where[header[3]] = offset
        offset += header[5]
    head = bytearray(data[:64])
    struct.pack_into("<QQH", head, 32, 64, 0, 0)  # no section headers
    struct.pack_into("<HHH", head, 58, 0, 0, 0)
    struct.pack_into("<H", head, 56, phnum)
    struct.pack_into("<H", head, 54, 56)
    with open(out_path, "wb") as out:
        out.write(bytes(head) + b"".join(struct.pack("<IIQQQQQQ", *h) for h in ordered) + b"".join(pieces))
    return sorted(where.items())


@pytest.fixture(scope="module")
def kernel_core(stripped, tmp_path_factory):
    """The stripped target's core rewritten in the kernel's layout, and its segments' offsets."""
    path = str(tmp_path_factory.mktemp("kernel") / "kernel-layout")
    return path, kernel_layout(stripped[1], path)


def test_a_core_cut_after_its_notes_says_where(stripped, kernel_core, tmp_path):
    target, core = stripped
    whole, segments = kernel_core
    assert without_lwps(ok("bt", "--core", whole)).split("\n", 1)[1] == without_lwps(
        ok("bt", "--core", core)).split("\n", 1)[1]
    marker = target.info["global_marker_id"]
    holding = max(offset for vaddr, offset in segments if vaddr <= marker)
    cut = tmp_path / "cut-after-notes"
    with open(whole, "rb") as source, open(cut, "wb") as out:
        out.write(source.read(holding))
    code, out, err = cli("walk", "--core", cut, marker)
    assert code == 1 and out == "" and err == (
        "walk: warning: %s: truncated core file: memory past offset %d is missing\n"
        "walk: cannot read 16 bytes at %#x (not in the core file (truncated at offset %d))\n"
        % (cut, holding, marker, holding))
    code, out, err = cli("read", "--core", cut, marker, 16)
    assert code == 1 and err.endswith("read: cannot read 16 bytes at %#x (not in the core file "
                                      "(truncated at offset %d))\n" % (marker, holding))


def test_compressed_cores_and_stdin(stripped, kernel_core, tmp_path):
    _, core = stripped
    plain = ok("bt", "--core", core).split("\n", 1)[1]
    with open(core, "rb") as handle:
        data = handle.read()
    packed = {"core.gz": gzip.compress(data, 1), "core.zst": zstandard.ZstdCompressor(level=1).compress(data)}
    for name, blob in packed.items():
        (tmp_path / name).write_bytes(blob)
        assert ok("bt", "--core", tmp_path / name).split("\n", 1)[1] == plain
    piped = ok("bt", "--core", "-", stdin=packed["core.gz"])
    assert piped.startswith("core file <stdin> of PID") and piped.split("\n", 1)[1] == plain
    cut = tmp_path / "cut.gz"  # gcore writes the notes last: a cut stream loses them
    cut.write_bytes(packed["core.gz"][:len(packed["core.gz"]) // 2])
    code, out, err = cli("bt", "--core", cut)
    assert (code, out) == (1, "") and re.match(
        r"^bt: %s: truncated core file \(\d+ bytes\): its notes are missing \(the gzip stream "
        r"ends early: no end marker\)\n$" % re.escape(str(cut)), err)
    with open(kernel_core[0], "rb") as handle:  # the kernel writes them first: what is left is read
        packed = gzip.compress(handle.read(), 1)
    code, out, err = cli("bt", "--core", "-", stdin=packed[:len(packed) // 2])
    warnings = err.splitlines()
    assert warnings[0].startswith("bt: warning: <stdin>: the gzip stream ends early (no end marker): "
                                  "reading the ")
    assert warnings[1].startswith("bt: warning: <stdin>: truncated core file: memory past offset ")
    assert len(warnings) == 2 + code and "Traceback" not in err


def test_sysroot_and_lib_path_for_a_core_whose_files_moved(tmp_path):
    origin = tmp_path / "origin" / "python27"
    shutil.copytree(STRIPPED, origin, symlinks=True)
    with Target("threads.py", stripped=True, env=SMALL, python_home=str(origin)) as target:
        core = gcore(target.pid, tmp_path, "moved")
        info = target.info
    sysroot = tmp_path / "sysroot"
    moved = sysroot / str(origin).lstrip("/")
    moved.parent.mkdir(parents=True)
    shutil.move(str(origin), str(moved))
    code, out, err = cli("bt", "--core", core)
    assert (code, out) == (1, "") and err == (
        "bt: no CPython interpreter found: %s is not readable here (--sysroot DIR, --lib-path DIR)\n"
        % (origin / "lib" / "libpython2.7.so.1.0"))
    with_sysroot = ok("bt", "--core", core, "--sysroot", sysroot)
    check_stacks(with_sysroot, info)
    assert "\n    self.__bootstrap_inner()\n" in with_sysroot  # threading.py's source, under the sysroot
    check_stacks(ok("bt", "--core", core, "--lib-path", "/nonexistent:%s" % (moved / "lib")), info)
    rows = ok("info", "--core", core, "--sysroot", sysroot, "-P", "*libpython*").splitlines()
    assert [row.split()[2] for row in rows[:-1]] == ["r--p", "r-xp", "r--p", "r--p", "rw-p"]
