"""Census files as an adversary hands them over: --diff of what is not a census, a FIFO, a
directory, a huge or deeply nested file; --save to a link, a FIFO, a directory, a place
that cannot be written. Each is one UsageError line, at once (nothing blocks), and a
failed save leaves nothing behind."""

import os

import pytest

from gdb_cpywalker.errors import UsageError
from gdb_cpywalker.heap import snapshot
from gdb_cpywalker.heap.census import Census, Row

CENSUS = Census([Row("str", 10, 500), Row("dict", 2, 560)])


@pytest.mark.parametrize("content, message", [
    ('{"types": [{"type": "x", "count": 1e400, "bytes": 1}]}', r"types\[0\] is not"),
    ('{"types": [{"type": null, "count": 1, "bytes": 1}]}', r"types\[0\] is not"),
    ('{"types": [{"type": "x", "count": true, "bytes": 1}]}', r"types\[0\] is not"),
    ('{"types": [{"type": "x", "count": 1, "bytes": 1.5}]}', r"types\[0\] is not"),
    ('{"types": [{"type": "x", "count": -1, "bytes": 1}]}', r"types\[0\] is not"),
    ('{"types": [{"type": "x", "count": 1, "bytes": 1}, {"type": "x", "count": 1, "bytes": 1}]}',
     "type 'x' twice"),
    ('{"types": "nope"}', 'no "types" list'),
    ('{"traceEvents": []}', 'no "types" list'),
    ('{"types": [], "inexact": [1, "a"]}', '"inexact" is not a list of strings'),
    ("[" * 100000 + "]" * 100000, "nested too deeply|not a py-heap census"),
    ("\xff\xfe{", "is not JSON"),
])
def test_a_file_that_is_not_a_census_is_one_line(tmp_path, content, message):
    path = tmp_path / "other.json"
    path.write_bytes(content.encode("latin-1"))
    with pytest.raises(UsageError, match=message):
        snapshot.load(str(path))


def test_what_is_not_a_regular_file_is_refused_without_blocking(tmp_path, monkeypatch):
    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)
    for path in (fifo, str(tmp_path), "/dev/zero"):
        with pytest.raises(UsageError, match="not a regular file"):
            snapshot.load(path)
    big = tmp_path / "big.json"
    big.write_text('{"types": []}' + " " * 100)
    monkeypatch.setattr(snapshot, "MAX_FILE", 64)
    with pytest.raises(UsageError, match="not a py-heap census"):
        snapshot.load(str(big))


def test_save_refuses_links_fifos_directories_and_places_it_cannot_write(tmp_path):
    target = tmp_path / "precious"
    target.write_text("keep me")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "nowhere")
    fifo = tmp_path / "fifo"
    os.mkfifo(str(fifo))
    for path, message in ((link, "symbolic link"), (dangling, "symbolic link"), (fifo, "not a regular file"),
                          (tmp_path, "not a regular file"), (tmp_path / "no" / "x.json", "no directory"),
                          ("/proc/self/census.json", "cannot write")):
        with pytest.raises(UsageError, match=message):
            snapshot.save(CENSUS, str(path))
    assert target.read_text() == "keep me" and not (tmp_path / "nowhere").exists()
    assert sorted(os.listdir(str(tmp_path))) == ["dangling.json", "fifo", "link.json", "precious"]


def test_save_replaces_a_census_whole_and_reads_back(tmp_path):
    path = tmp_path / "census.json"
    path.write_text("old")
    snapshot.save(CENSUS, str(path))
    assert snapshot.load(str(path)).rows == CENSUS.rows
    assert os.listdir(str(tmp_path)) == ["census.json"]
    assert oct(os.stat(str(path)).st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask():
    mask = os.umask(0o22)
    os.umask(mask)
    return mask
