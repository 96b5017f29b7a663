"""Strace-style call lines, log records and the safe opening of the log file."""

import errno
import os
import tracemalloc

import pytest

from gdb_cpywalker.tracking import syscalls
from gdb_cpywalker.tracking.events import (Event, PyFrame, call_fields, format_frame, frame_location,
                                           module_offset, parse_py_line)
from gdb_cpywalker.tracking import log
from gdb_cpywalker.tracking.log import (DEFAULT_PATH, LogError, LogWriter, Run, before_line, chosen_path,
                                        end_line, parse_log, read_log, run_of)
from gdb_cpywalker.procfs import parse_maps

ANON = 0x22  # MAP_PRIVATE|MAP_ANONYMOUS
MINUS_ONE_64 = (1 << 64) - 1


def mmap_event(seq=17, result=0x7f3a1c000000, args=(0, 8192, 3, ANON, -1, 0), path="", frames=()):
    return Event(seq, 4242, "mmap", args, result, path, frames)


def test_the_issue_example_line():
    assert mmap_event().call_line() == ("#17 tid=4242 mmap(NULL, 8192, PROT_READ|PROT_WRITE, "
                                        "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f3a1c000000")


@pytest.mark.parametrize("name, registers, result, text", [
    ("munmap", (0x7f3a1c000000, 8192, 7, 7, 7, 7), 0, "munmap(0x7f3a1c000000, 8192) = 0"),
    ("mprotect", (0x7f0000001000, 4096, 0, 9, 9, 9), 0, "mprotect(0x7f0000001000, 4096, PROT_NONE) = 0"),
    ("mmap", (0, 1 << 40, 3, ANON, MINUS_ONE_64, 0), -errno.ENOMEM,
     "mmap(NULL, 1099511627776, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)"
     " = -1 ENOMEM (Cannot allocate memory)"),
    ("mremap", (0x7f0000000000, 8192, 16384, 1, 0xdead, 0), 0x7f0000100000,
     "mremap(0x7f0000000000, 8192, 16384, MREMAP_MAYMOVE) = 0x7f0000100000"),
    ("mremap", (0x7f0000000000, 8192, 8192, 3, 0x7f0000200000, 0), 0x7f0000200000,
     "mremap(0x7f0000000000, 8192, 8192, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000200000) = 0x7f0000200000"),
    ("brk", (0, 1, 2, 3, 4, 5), 0x555555559000, "brk(NULL) = 0x555555559000"),
    ("mmap", (0x7f0000000000, 4096, 5, 0x812, 0xffffffff00000003, 0x3000), 0x7f0000000000,
     "mmap(0x7f0000000000, 4096, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, "
     "3</usr/lib/a\\x2cb\\x3ec\\x0a\\xc3\\xa9.so>, 0x3000) = 0x7f0000000000"),
    ("mmap", (0, 4096, 0x10, 0x80000000 | ANON, MINUS_ONE_64, 0), 0x7f0000000000,
     "mmap(NULL, 4096, 0x10, MAP_PRIVATE|MAP_ANONYMOUS|0x80000000, -1, 0) = 0x7f0000000000"),
])
def test_calls_format_like_strace_and_parse_back(name, registers, result, text):
    path = "/usr/lib/a,b>c\n\u00e9.so" if "3<" in text else ""
    args = syscalls.normalize_args(name, registers)
    assert syscalls.format_call(name, args, result, path) == text
    assert syscalls.parse_call(text) == (name, args, result, path)


def test_normalized_arguments():
    assert syscalls.normalize_args("mmap", (0, 1, 2, 3, 0xffffffff, 0))[4] == -1
    assert syscalls.normalize_args("munmap", (1, 2, 3, 4, 5, 6)) == (1, 2)
    assert syscalls.signed_result((1 << 64) - 12) == -12
    assert syscalls.failed("mmap", -12) and not syscalls.failed("brk", -12)
    assert syscalls.takes_fd("mmap", (0, 1, 1, 2, 3, 0))
    assert not syscalls.takes_fd("mmap", (0, 1, 1, ANON, 3, 0))


def test_frames_as_gdb_writes_them():
    assert format_frame(1, frame_location(0x555555555189, "make_map", "maps.c", 12)) == \
        "#1  0x0000555555555189 in make_map () at maps.c:12"
    assert format_frame(12, frame_location(0x7f0000001234, None, module="/lib/libc.so.6", offset=0x1234)) == \
        "#12 0x00007f0000001234 in ?? () from /lib/libc.so.6+0x1234"
    regions = parse_maps("7f0000000000-7f0000001000 r--p 00000000 08:01 5 /lib/libc.so.6\n"
                         "7f0000001000-7f0000003000 r-xp 00001000 08:01 5 /lib/libc.so.6\n"
                         "7f0000003000-7f0000004000 rw-p 00000000 00:00 0 \n")
    assert module_offset(regions, 0x7f0000002010) == ("/lib/libc.so.6", 0x2010)
    assert module_offset(regions, 0x7f0000003010) == (None, None)


def test_a_log_reads_back_into_the_same_events():
    frames = ("#0  0x00007ffff7ed69b3 in __GI___mmap64 () at mmap64.c:58",
              "#1  0x0000555555555189 in make_map () at maps.c:12")
    events = [mmap_event(1, frames=frames),
              Event(2, 4243, "munmap", (0x7f3a1c000000, 8192), 0, "", frames[:1]),
              mmap_event(3, args=(0, 4096, 1, 2, 3, 0), path="/etc/hosts")]
    run = Run(4242, "run", "2026-11-23T04:50:00Z", "/usr/bin/my app")
    text = run.header() + "".join(e.record() for e in events) + end_line("events=3 exited with code 0")
    runs = parse_log(text + "#4 tid=4242 mmap(NU")  # a live log can end mid-line
    assert len(runs) == 1
    assert (runs[0].pid, runs[0].mode, runs[0].program) == (4242, "run", "/usr/bin/my app")
    assert runs[0].events == events
    assert runs[0].end == "events=3 exited with code 0"
    assert run_of(runs, 4242) is runs[0]
    with pytest.raises(LogError, match=r"no run for pid 7 \(pids logged: 4242\)"):
        run_of(runs, 7)


def test_a_file_that_is_not_a_log_is_refused_with_its_line():
    with pytest.raises(LogError, match="line 1: no 'mmaptracker log:' header"):
        parse_log("hello\n")
    with pytest.raises(LogError, match="line 2: not an mmaptracker record"):
        parse_log(Run(1, "run", "t", "p").header() + "Breakpoint 1, mmap ()\n")


def test_the_log_path_choice():
    assert chosen_path("", {}) == DEFAULT_PATH == "/tmp/mmaptracker.log"
    assert chosen_path("", {"MMAPTRACKER_LOG": "/x/env.log"}) == "/x/env.log"
    assert chosen_path("/x/set.log", {"MMAPTRACKER_LOG": "/x/env.log"}) == "/x/set.log"


def test_the_writer_empties_the_file_and_writes_at_once(tmp_path):
    path = tmp_path / "track.log"
    path.write_text("old content\n")
    writer = LogWriter(str(path))
    writer.write("first\n")
    assert path.read_text() == "first\n"
    writer.close()
    fresh = tmp_path / "fresh.log"
    LogWriter(str(fresh)).close()
    assert fresh.stat().st_mode & 0o777 == 0o600


def test_a_full_disk_cuts_the_log_back_to_its_last_whole_record(tmp_path, monkeypatch):
    path = tmp_path / "track.log"
    writer = LogWriter(str(path))
    assert writer.write("#1 tid=1 brk(NULL) = 0x1000\n")
    room = [10]  # then the disk is full: a cut write, then ENOSPC

    def write(fd, data):
        if not room[0]:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written = real_write(fd, data[:room[0]])
        room[0] -= written
        return written
    real_write = os.write
    monkeypatch.setattr(os, "write", write)
    assert not writer.write("#2 tid=1 brk(0x2000) = 0x2000\n")
    assert writer.failure == "No space left on device"
    assert path.read_text() == "#1 tid=1 brk(NULL) = 0x1000\n"
    room[0] = 100  # room again (the cut freed it): only the end line is still written
    assert not writer.write("#3 tid=1 brk(NULL) = 0x2000\n")
    assert writer.write(end_line("events=1 exited with code 0"), last=True)
    writer.close()
    assert path.read_text() == "#1 tid=1 brk(NULL) = 0x1000\nmmaptracker end: events=1 exited with code 0\n"


def test_a_symlink_is_never_followed(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    link = tmp_path / "mmaptracker.log"
    link.symlink_to(victim)
    with pytest.raises(LogError, match="refusing to write the log to .*mmaptracker.log: it is a symbolic link"):
        LogWriter(str(link))
    assert victim.read_text() == "precious\n"


def test_a_file_of_another_user_is_left_alone(tmp_path):
    assert os.geteuid() == 0, "the tests run as root here, so they can chown a file to nobody"
    other = tmp_path / "theirs.log"
    other.write_text("theirs\n")
    os.chown(str(other), 65534, 65534)
    with pytest.raises(LogError, match=r"it belongs to (user nobody \(uid 65534\)|uid 65534), not to you"):
        LogWriter(str(other))
    assert other.read_text() == "theirs\n"


def test_a_hard_link_is_not_written_through(tmp_path):
    original = tmp_path / "original"
    original.write_text("kept\n")
    os.link(str(original), str(tmp_path / "mmaptracker.log"))
    with pytest.raises(LogError, match="it has other hard links"):
        LogWriter(str(tmp_path / "mmaptracker.log"))
    assert original.read_text() == "kept\n"


def test_a_directory_is_not_a_log(tmp_path):
    with pytest.raises(LogError, match=r"^%s is not a regular file \(a directory\): refusing to log there$"
                       % tmp_path):
        LogWriter(str(tmp_path))
    with pytest.raises(LogError, match=r"is not a regular file \(a directory\): refusing to read a log"):
        read_log(str(tmp_path))


def test_a_fifo_is_refused_without_blocking(tmp_path, monkeypatch):
    fifo = tmp_path / "mmaptracker.log"
    os.mkfifo(str(fifo))
    refusal = r"^%s is not a regular file \(a FIFO\): refusing to log there$" % fifo
    with pytest.raises(LogError, match=refusal):
        LogWriter(str(fifo))
    with pytest.raises(LogError, match=r"^%s is not a regular file \(a FIFO\): refusing to read a log from it$"
                       % fifo):
        read_log(str(fifo))
    monkeypatch.setattr(log, "_refuse_special", lambda *args, **kwargs: None)  # planted after the check:
    with pytest.raises(LogError, match=refusal):  # no reader, the open fails with ENXIO
        LogWriter(str(fifo))
    reader = os.open(str(fifo), os.O_RDONLY | os.O_NONBLOCK)
    try:
        with pytest.raises(LogError, match=refusal):  # a reader: the open works, fstat refuses
            LogWriter(str(fifo))
    finally:
        os.close(reader)


def test_mmap_flags_0_are_map_file_as_strace_writes_them():
    text = "mmap(NULL, 4096, PROT_READ, MAP_FILE, 3</etc/hosts>, 0) = 0x7f0000000000"
    args = (0, 4096, 1, 0, 3, 0)
    assert syscalls.format_call("mmap", args, 0x7f0000000000, "/etc/hosts") == text
    assert syscalls.parse_call(text) == ("mmap", args, 0x7f0000000000, "/etc/hosts")


def test_records_are_dropped_from_the_end_to_make_room_for_the_end_line(tmp_path, monkeypatch):
    path = tmp_path / "track.log"
    writer = LogWriter(str(path))
    assert writer.write("header\n")
    assert writer.write("#1 one\n", record=True) and writer.write("#2 two\n", record=True)

    def full(fd, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    real_write = os.write
    monkeypatch.setattr(os, "write", full)
    assert not writer.write("#3 three\n", record=True)
    assert not writer.write(end_line("events=2"), last=True)
    assert writer.drop_last_record()
    assert path.read_text() == "header\n#1 one\n"
    monkeypatch.setattr(os, "write", real_write)
    assert writer.write(end_line("events=1"), last=True)
    assert writer.drop_last_record() and not writer.drop_last_record()  # never the header
    writer.close()
    assert path.read_text() == "header\n"


def sample_log(records=40):
    """A log text with Python and native stack lines, a before line and an end line."""
    run = Run(4242, "attach", "2026-11-23T04:50:00Z", "/usr/bin/app")
    region, = parse_maps("7f0000000000-7f0000004000 rw-p 00000000 00:00 0 \n")
    frames = ("#0  0x00007ffff7ed69b3 in __GI___mmap64 () at mmap64.c:58",
              "#1  0x0000555555555189 in make_map () at maps.c:12")
    python = (PyFrame("app.py", 3, "<module>"), PyFrame("caf\u00e9 \\\"x\udcff.py", 9, "f\nx"))
    events = [Event(n, 4242, "mmap", (0, 4096 * n, 3, ANON, -1, 0), 0x7f1000000000 + n * 0x100000, "",
                    frames[n % 2:], python[:n % 3], "" if n % 3 else "no Python stack: x", n / 7.0)
              for n in range(1, records + 1)]
    return run.header() + before_line(region) + "".join(e.record() for e in events) + end_line("events=%d" % records)


def test_a_log_read_by_blocks_of_any_size_is_the_log_parsed_whole(tmp_path, monkeypatch):
    text = sample_log()
    path = tmp_path / "track.log"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    whole = parse_log(text)
    assert len(whole[0].events) == 40 and whole[0].events[1].python[1].function == "f\nx"
    for block in (7, 64, 333):
        monkeypatch.setattr(log, "BLOCK", block)
        notes = []
        assert read_log(str(path), notes) == whole and notes == []


def test_hostile_lines_are_skipped_in_a_few_notes_with_bounded_memory(tmp_path):
    """Binary garbage, a 10 MB frame line, values no register holds, an infinite time, a record
    cut mid-UTF-8: the events around them are read whole, what was skipped fits in a few lines."""
    good = sample_log(3).encode("utf-8", "surrogateescape").split(b"\n")
    head, records = good[:2], good[2:-2]  # header and before line; #1 (3 lines) #2 (5) #3 (3)
    garbage = (bytes(range(11, 256)) + bytes(range(10)) + b"\n#3 tid=1 \xff\xfe\n") * 500
    long_frame = b"    #0  " + b"x" * (10 << 20)
    hostile = b"\n".join(head + records[:3]) + b"\n" + garbage + b"\n".join(
        records[3:5] + [long_frame] + records[5:]) + (
        b"\n#4 tid=1 t=1.0 mmap(NULL, -4096, PROT_READ, MAP_PRIVATE, -1, 0) = 0x1000\n"
        b"#5 tid=1 t=" + b"9" * 400 + b".0 brk(NULL) = 0x1000\n"
        b"    #0  0x1 in f ()\n"
        b"#6 tid=1 t=1.0 clone(NULL) = 0\n"
        b"#7 tid=1 t=1.0 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f20000000"
        + "\u00e9".encode()[:1])
    path = tmp_path / "hostile.log"
    path.write_bytes(hostile)
    notes = []
    tracemalloc.start()
    try:
        run, = read_log(str(path), notes)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20
    expected, = parse_log(sample_log(3))
    assert run.events == expected.events  # #2's 10 MB frame line is left out, its other lines kept
    assert notes == ["%s lines 6-1005 (1000 lines): not an mmaptracker record: %r"
                     % (path, (bytes(range(11, 128)).decode() + "".join(chr(0xdc00 + b) for b in range(128, 256))
                               + bytes(range(10)).decode())[:120]),
                     "%s line 1008: a line of more than 1048576 bytes" % path,
                     "%s lines 1015-1018 (4 lines): not an mmaptracker record: %r"  # #4 to #6
                     % (path, "#4 tid=1 t=1.0 mmap(NULL, -4096, PROT_READ, MAP_PRIVATE, -1, 0) = 0x1000"),
                     "%s line 1019: cut short at the end of the file (%d bytes without an end of line): "
                     "ignored" % (path, len(hostile) - hostile.rfind(b"\n") - 1)]


def test_a_file_without_a_header_in_its_first_megabyte_is_refused_unread(tmp_path):
    sparse = tmp_path / "sparse.log"
    with open(str(sparse), "wb") as handle:
        handle.truncate(2 << 30)  # 2 GB of holes: nothing of it is stored
    with pytest.raises(LogError, match=r"^%s is not an mmaptracker log: no 'mmaptracker log:' header in its "
                       r"first 1048576 bytes \(%s line 1: a line of more than 1048576 bytes\)$" % (sparse, sparse)):
        read_log(str(sparse), [])
    lines = tmp_path / "lines.log"
    lines.write_bytes(b"2026-11-23 app started\n" * 100000)
    with pytest.raises(LogError, match=r"no 'mmaptracker log:' header in its first 1048576 bytes "
                       r"\(%s lines 1-\d+ \(\d+ lines\): no 'mmaptracker log:' header before it\)$" % lines):
        read_log(str(lines), [])
    assert read_log(str(tmp_path / "empty.log"), []) == [] if (tmp_path / "empty.log").write_bytes(b"") == 0 else 0


def test_values_no_register_holds_are_no_record():
    for text in ("mmap(NULL, -4096, PROT_READ, MAP_PRIVATE, -1, 0) = 0x1000",
                 "munmap(0x10000000000000000, 4096) = 0",
                 "mmap(NULL, 4096, PROT_READ|0x10000000000000000, MAP_PRIVATE, -1, 0) = 0x1000",
                 "brk(NULL) = -0x1000", "brk(NULL) = 0x10000000000000000"):
        with pytest.raises(ValueError, match="does not fit in 64 bits"):
            syscalls.parse_call(text)
    assert syscalls.parse_call("munmap(0x0, 18446744073709551615) = 0")[1] == (0, MINUS_ONE_64)
    with pytest.raises(ValueError, match="not a time"):
        call_fields("#1 tid=1 t=%s.0 brk(NULL) = 0x1000" % ("9" * 400))


def test_python_names_keep_every_byte_through_the_log():
    """Quotes, backslashes, controls and bytes that are not UTF-8 are \\xHH in a py line; a name
    holding '", line 1, in ' cannot move the file name's end."""
    frame = PyFrame('a", line 3, in b\\\udcff\u00e9.py', 7, 'g", line 9, in h\n')
    line = frame.log_line()
    assert line == 'File "a\\x22, line 3, in b\\x5c\\xff\u00e9.py", line 7, in g\\x22, line 9, in h\\x0a'
    assert parse_py_line(line) == frame
