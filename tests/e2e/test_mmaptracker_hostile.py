"""mmaptracker on a python2.7 program whose mappings come from places that are easy to get wrong
(tests/targets/hostile27.py on the stripped python2.7): the main thread starting a thread, a
thread started from C, 900 frames of recursion, a generator, a forked child that maps, and
file and function names holding XML and folded-stack metacharacters, a newline and bytes
that are not UTF-8 -- then the report of that log in every format, and the SVG in a browser."""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import pytest

from support.paths import ROOT, STRIPPED, TARGETS, clean_env
from gdb_cpywalker.tracking.log import read_log
from test_mmaptracker import SCRIPT
from test_mmaptracker_report import browser_paint, marked_lines
from unit.test_tracking_report import svg_frames

PAGE = 4096
SHARED_ANONYMOUS = 0x21  # mmap.mmap(-1, size)
TARGET = os.path.join(TARGETS, "hostile27.py")
LINES = marked_lines(TARGET)
ODD_FILE = "/opt/app/caf\u00e9 <&\"'>;\udcff.py"
ODD_NAME = "odd <&\"'>; name\nsecond line"


def report(log, *options):
    result = subprocess.run([sys.executable, "-m", "gdb_cpywalker", "report", "--log", str(log)] + list(options),
                            cwd=ROOT, env=clean_env(), capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.decode("utf-8")  # strict: every format is UTF-8 text


@pytest.fixture(scope="module")
def tracked(tmp_path_factory, gdb_binary):
    work = tmp_path_factory.mktemp("hostile")
    log = work / "hostile.log"
    result = subprocess.run(
        ["gdb", "-nx", "-q", "-iex", "set auto-load python-scripts off",
         "-ex", "set environment PYTHONHOME %s" % STRIPPED,
         "-ex", "set environment LD_LIBRARY_PATH %s" % os.path.join(STRIPPED, "lib"),
         "-x", SCRIPT, "--args", os.path.join(STRIPPED, "bin", "python2.7"), TARGET],
        cwd=ROOT, env=clean_env(MMAPTRACKER_LOG=str(log)), stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    info = json.loads(next(line for line in result.stdout.splitlines() if line.startswith('{"')))
    run, = read_log(str(log))
    return info, run, log


def maps_of(run, pages, flags=None):
    return [event for event in run.events if event.name == "mmap" and event.args[1] == pages * PAGE
            and (flags is None or event.args[3] & flags == flags)]


def stack(event):
    return [(os.path.basename(frame.file), frame.line, frame.function) for frame in event.python]


def test_a_thread_being_started_is_charged_to_the_line_that_starts_it(tracked):
    """The new thread's state exists (frameless, with the starting thread's id) while the
    starting thread maps the new thread's 8 MiB stack: that mapping is the starting line's."""
    info, run, _ = tracked
    stack_map, = [event for event in maps_of(run, 2049, 0x20000) if event.tid == info["pid"]]  # MAP_STACK
    assert stack(stack_map)[:2] == [("hostile27.py", LINES["module_thread"], "<module>"),
                                    ("hostile27.py", LINES["thread_start"], "start_a_thread")]
    assert stack(stack_map)[-1][::2] == ("threading.py", "start")
    mapped, = maps_of(run, 3, SHARED_ANONYMOUS)
    assert mapped.tid != info["pid"] and stack(mapped)[-2:] == [
        ("hostile27.py", LINES["thread_lambda"], "<lambda>"), ("hostile27.py", LINES["allocate"], "allocate")]


def test_a_thread_started_from_c_deep_recursion_and_a_generator_have_exact_stacks(tracked):
    info, run, _ = tracked
    from_c, = maps_of(run, 9, SHARED_ANONYMOUS)
    assert from_c.tid != info["pid"]
    assert stack(from_c) == [("hostile27.py", LINES["c_thread"], "<lambda>"),
                             ("hostile27.py", LINES["allocate"], "allocate")]
    deepest, = maps_of(run, 5, SHARED_ANONYMOUS)
    assert stack(deepest) == ([("hostile27.py", LINES["module_recurse"], "<module>")]
                              + [("hostile27.py", LINES["recurse"], "recurse")] * info["depth"]
                              + [("hostile27.py", LINES["deepest"], "recurse"),
                                 ("hostile27.py", LINES["allocate"], "allocate")])
    generated, = maps_of(run, 6, SHARED_ANONYMOUS)
    assert stack(generated) == [("hostile27.py", LINES["module_generator"], "<module>"),
                                ("hostile27.py", LINES["generator"], "generate"),
                                ("hostile27.py", LINES["allocate"], "allocate")]


def test_a_forked_child_is_not_tracked_and_its_maps_are_not_the_parents(tracked):
    info, run, _ = tracked
    assert maps_of(run, 8, SHARED_ANONYMOUS) == []
    assert {event.tid for event in run.events} >= {info["pid"]}
    assert run.end == "events=%d exited with code 0" % len(run.events)


def test_names_keep_their_bytes_in_the_log_and_every_report_format(tracked, tmp_path):
    info, run, log = tracked
    odd, = maps_of(run, info["odd_pages"], SHARED_ANONYMOUS)
    assert [(frame.file, frame.line, frame.function) for frame in odd.python[1:]] == [
        (ODD_FILE, 2, ODD_NAME), (TARGET, LINES["allocate"], "allocate")]
    assert 'py  File "/opt/app/caf\u00e9 <&\\x22\'>;\\xff.py", line 2, in odd <&\\x22\'>; name\\x0asecond line\n' \
        in log.read_bytes().decode("utf-8")  # one line, valid UTF-8

    printed = "odd <&\"'>; name\\x0asecond line"
    table = report(log, "--limit", "0")
    assert "<- /opt/app/caf\u00e9 <&\"'>;\\xff.py:2 in %s\n" % printed in table

    document = json.loads(report(log, "--format", "json", "--timeline"))
    site, = [site for site in document["sites"] if len(site["python"]) == 3
             and site["python"][1]["line"] == 2]
    assert site["python"][1] == {"file": "/opt/app/caf\u00e9 <&\"'>;\\xff.py", "line": 2, "function": ODD_NAME}
    assert site["live_bytes"] == info["odd_pages"] * PAGE

    folded = report(log, "--format", "folded").splitlines()
    line, = [line for line in folded if "odd <&" in line]
    frames, value = line.rsplit(" ", 1)
    assert frames.split(";")[1] == "odd <&\"'>: name\\x0asecond line (caf\u00e9 <&\"'>:\\xff.py:2)"
    assert int(value) == site["live_bytes"]

    svg = tmp_path / "hostile.svg"
    report(log, "--format", "svg", "--timeline", "-o", str(svg))
    rects = svg_frames(ElementTree.fromstring(svg.read_bytes()))
    assert [rect["kind"] for rect in rects
            if rect["hover"].startswith("/opt/app/caf\u00e9 <&\"'>;\\xff.py:2 in %s\n" % printed)] == ["python"]
    python_blue, _, painted = browser_paint(svg, rects)
    assert painted("python") > 1000 and python_blue > 0.8 * painted("python"), (python_blue, painted("python"))
