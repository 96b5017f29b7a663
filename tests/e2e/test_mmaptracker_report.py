"""Python stacks in the log and the report, on a real python2.7 (debug and stripped) tracked by
mmaptracker.gdb: mappings from known lines, the same line from two callers, closed mappings,
a 20 MB string, thousands of map/close pairs; RSS from smaps; the SVG in a real browser."""

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
import zlib

import pytest

from support.paths import ROOT, STRIPPED, TARGETS, clean_env, python27
from gdb_cpywalker.tracking.log import read_log
from gdb_cpywalker.tracking.origins import replay
from test_mmaptracker import SCRIPT
from unit.test_tracking_report import svg_frames

PAGE = 4096
ARENA = 256 * 1024
PAIRS = 2000
TARGET = os.path.join(TARGETS, "report27.py")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def marked_lines(target=TARGET):
    """``{name: line}`` of the ``# LINE name`` marks of the target."""
    with open(target) as handle:
        return {line.rsplit("# LINE ", 1)[1].strip(): number
                for number, line in enumerate(handle, 1) if "# LINE " in line}


LINES = marked_lines()


def cli(*args):
    result = subprocess.run([sys.executable, "-m", "gdb_cpywalker"] + list(args), cwd=ROOT,
                            env=clean_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module", params=["debug", "stripped"])
def tracked(request, tmp_path_factory, gdb_binary):
    """report27.py tracked to its wait: the log, what it printed, the report and origins read
    while it waited (with RSS), then the final log once it exited."""
    work = tmp_path_factory.mktemp("report-" + request.param)
    log = work / "track.log"
    before = []
    if request.param == "stripped":
        program = os.path.join(STRIPPED, "bin", "python2.7")
        before = ["-ex", "set environment PYTHONHOME %s" % STRIPPED,
                  "-ex", "set environment LD_LIBRARY_PATH %s" % os.path.join(STRIPPED, "lib")]
    else:
        program = python27()
    gdb = subprocess.Popen(["gdb", "-nx", "-q", "-iex", "set auto-load python-scripts off"] + before
                           + ["-x", SCRIPT, "--args", program, TARGET, str(PAIRS)],
                           cwd=str(work), env=clean_env(MMAPTRACKER_LOG=str(log)), stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in gdb.stdout:
            if line.startswith('{"'):
                info = json.loads(line)
                break
        else:
            pytest.fail("the target printed nothing: %s" % gdb.stderr.read())
        pid = str(info["pid"])
        waiting = {
            "json": json.loads(cli("report", "--log", str(log), "-p", pid, "--format", "json").stdout),
            "lines": json.loads(cli("report", "--log", str(log), "--group-by", "python-line",
                                    "--format", "json").stdout),
            "table": cli("report", "--log", str(log), "-p", pid, "--limit", "6").stdout,
            "origins": cli("origins", "-p", pid, "--log", str(log), hex(info["nested"])).stdout,
            "svg": work / "report.svg",
            "build": request.param,
        }
        cli("report", "--log", str(log), "--format", "svg", "--timeline", "-o", str(waiting["svg"]))
        waiting["run"], = read_log(str(log))
        out, errors = gdb.communicate("go\n", timeout=300)
    finally:
        if gdb.poll() is None:
            gdb.kill()
            gdb.wait()
    assert gdb.returncode == 0, errors
    return info, waiting, log


def python_site(document, *names):
    """The site whose Python stack ends with the marked lines ``names`` (outermost first)."""
    wanted = [("report27.py", LINES[name]) for name in names]
    found = [site for site in document["sites"]
             if [(os.path.basename(f["file"]), f["line"]) for f in site["python"][-len(wanted):]] == wanted
             and len(site["python"]) == len(wanted) + (0 if names[0].startswith("module") else 1)]
    assert len(found) == 1, [site["python"] for site in document["sites"][:10]]
    return found[0]


def arenas_of(run, site):
    """Bytes of the pymalloc arenas (256 KiB anonymous maps) the site's stack mapped that are still
    mapped: replayed with origins' address map, independently of the report's accounting."""
    stack = [(os.path.basename(f["file"]), f["line"], f["function"]) for f in site["python"]]
    total = 0
    for piece in replay(run.events).pieces:
        origin = piece.origin
        if origin.name == "mmap" and origin.args[1] == ARENA and \
                [(os.path.basename(f.file), f.line, f.function) for f in origin.python] == stack:
            total += piece.end - piece.start
    return total


def test_live_bytes_per_python_site_are_what_the_program_kept(tracked):
    _, waiting, _ = tracked
    document, run = waiting["json"], waiting["run"]
    for names, pages in [(("module_first", "first_caller", "allocate"), 5),
                         (("module_second", "second_caller", "allocate"), 7),
                         (("module_nested", "nested_outer", "nested_inner", "allocate"), 11)]:
        site = python_site(document, *names)
        assert site["live_bytes"] == pages * PAGE + arenas_of(run, site), names
        assert site["mapped_bytes"] >= site["live_bytes"] and site["peak_bytes"] >= site["live_bytes"]
        assert site["python"][-1]["function"] == "allocate"


def test_closed_mappings_and_thousands_of_pairs_hold_nothing_but_their_peak(tracked):
    _, waiting, _ = tracked
    closed = python_site(waiting["json"], "module_closed", "closed_again", "allocate")
    assert closed["live_bytes"] == arenas_of(waiting["run"], closed)
    assert closed["peak_bytes"] >= 3 * PAGE and closed["mapped_bytes"] >= 3 * PAGE
    churn = python_site(waiting["json"], "module_churn", "churn", "allocate")
    assert churn["calls"] >= PAIRS and churn["mapped_bytes"] >= PAIRS * 2 * PAGE
    assert churn["live_bytes"] == arenas_of(waiting["run"], churn)
    assert 2 * PAGE <= churn["peak_bytes"] <= 2 * PAGE + 2 * ARENA


def test_a_20mb_string_is_charged_to_its_line(tracked):
    info, waiting, _ = tracked
    site = python_site(waiting["json"], "module_big", "big_string")
    assert info["big"] <= site["live_bytes"] <= info["big"] + 3 * PAGE
    assert site["python"][-1]["function"] == "big_string"
    assert " in sysmalloc_mmap () " in "".join(site["native"]) or waiting["build"] == "stripped"


def test_the_same_line_from_two_callers_is_two_sites_or_one_line(tracked):
    _, waiting, _ = tracked
    first = python_site(waiting["json"], "module_first", "first_caller", "allocate")
    second = python_site(waiting["json"], "module_second", "second_caller", "allocate")
    assert first is not second
    allocate, = [site for site in waiting["lines"]["sites"]
                 if [(os.path.basename(f["file"]), f["line"]) for f in site["python"]]
                 == [("report27.py", LINES["allocate"])]]
    assert allocate["live_bytes"] >= (5 + 7 + 11) * PAGE
    assert allocate["calls"] >= PAIRS + 4


def test_events_before_the_interpreter_and_between_frames_say_why(tracked):
    _, waiting, _ = tracked
    events = waiting["run"].events
    assert events[0].python == () and events[0].python_note == ""  # before libpython was loaded
    notes = {event.python_note for event in events if event.python_note}
    assert "no Python stack: the interpreter is not running yet" in notes
    with_stack = [event for event in events if event.python]
    assert len(with_stack) > 2 * PAIRS
    assert all(event.frames[-1].split(" in ", 1)[1].startswith("PyEval_EvalFrameEx (")
               for event in with_stack)


def test_a_python_thread_has_its_own_stack(tracked):
    info, waiting, _ = tracked
    event, = [e for e in waiting["run"].events if e.name == "mmap" and e.args[1] == 13 * PAGE]
    assert event.tid != info["pid"]
    assert [(f.function, f.line) for f in event.python[-2:]] == [("in_a_thread", LINES["in_a_thread"]),
                                                                   ("allocate", LINES["allocate"])]
    assert os.path.basename(event.python[0].file) == "threading.py"


def test_rss_comes_from_smaps_while_the_program_runs(tracked):
    _, waiting, _ = tracked
    first = python_site(waiting["json"], "module_first", "first_caller", "allocate")
    second = python_site(waiting["json"], "module_second", "second_caller", "allocate")
    assert first["rss_bytes"] >= 5 * PAGE  # the program wrote every page
    assert second["rss_bytes"] <= second["live_bytes"] - 7 * PAGE  # never touched: only arenas
    header = waiting["table"].splitlines()[3]
    assert header.split() == ["live", "peak", "mapped", "calls", "rss", "site"]
    assert "report27.py:%d in big_string" % LINES["big_string"] in waiting["table"]


def test_origins_shows_the_python_stack_first(tracked):
    _, waiting, _ = tracked
    lines = waiting["origins"].splitlines()
    created = next(index for index, line in enumerate(lines) if "created by #" in line)
    assert lines[created + 1].strip().startswith('py  File "')
    python = [line.strip() for line in lines[created + 1:] if line.strip().startswith("py  ")]
    assert [line.rsplit(", in ", 1)[1] for line in python] == ["<module>", "nested_outer",
                                                               "nested_inner", "allocate"]
    assert lines[created + 5].strip().startswith("#0  ")


def png_pixels(path):
    """(width, height, rows of RGB tuples) of an 8-bit RGB or RGBA PNG (standard library only)."""
    with open(path, "rb") as handle:
        data = handle.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, chunks = 8, {}
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        chunks.setdefault(kind, []).append(data[offset + 8:offset + 8 + length])
        offset += 12 + length
    width, height, depth, color = struct.unpack(">IIBB", chunks[b"IHDR"][0][:10])
    assert depth == 8 and color in (2, 6)
    channels = 3 if color == 2 else 4
    raw = zlib.decompress(b"".join(chunks[b"IDAT"]))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xff
            elif kind == 2:
                line[i] = (line[i] + up) & 0xff
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xff
            elif kind == 4:
                guess = left + up - corner
                best = min((abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner))
                line[i] = (line[i] + best[2]) & 0xff
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, channels)])
        previous = line
    return width, height, rows


def test_the_svg_flame_graph_parses_and_renders_in_a_browser(tracked):
    _, waiting, _ = tracked
    svg_path = waiting["svg"]
    root = ElementTree.parse(str(svg_path)).getroot()
    rects = svg_frames(root)
    big, = [r for r in rects if r["title"].endswith("report27.py:%d in big_string" % LINES["big_string"])]
    everything, = [r for r in rects if r["title"] == "all"]
    site = python_site(waiting["json"], "module_big", "big_string")
    share = float(site["live_bytes"]) / waiting["json"]["live_bytes"]
    assert big["kind"] == "python" and abs(big["width"] - everything["width"] * share) < 1
    below = [r for r in rects if r["kind"] == "native" and r["x"] >= big["x"] - 0.1
             and r["x"] + r["width"] <= big["x"] + big["width"] + 0.1]
    assert below and min(r["y"] for r in below) > big["y"]
    assert "MiB" in big["hover"]
    assert not [element for element in root.iter() if element.tag.endswith("script")
                or element.get("href") or element.get("{http://www.w3.org/1999/xlink}href")]
    if waiting["build"] != "debug":
        return  # the same writer made both: one browser run is enough

    python_blue, native_warm, painted = browser_paint(svg_path, rects)
    assert painted("python") > 5000 and painted("native") > 5000
    assert python_blue > 0.8 * painted("python") and native_warm > 0.8 * painted("native"), \
        (python_blue, painted("python"), native_warm, painted("native"))


def browser_paint(svg_path, rects):
    """Headless chromium's screenshot of the SVG: (blue pixels, warm pixels, painted) where
    ``painted(kind)`` counts the pixels the SVG's frames of that kind ask for in the window.
    A file that is no valid XML paints chromium's error page instead."""
    chromium = shutil.which("chromium")
    assert chromium, "chromium is required: make prepare installs it (apt-get install chromium)"
    png = svg_path.with_suffix(".png")
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    try:
        subprocess.run([chromium] + CHROMIUM_FLAGS + ["--user-data-dir=" + profile, "--window-size=1200,700",
                        "--screenshot=" + str(png), svg_path.as_uri()],
                       capture_output=True, timeout=120, check=True)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    width, height, rows = png_pixels(str(png))
    assert (width, height) == (1200, 700)
    pixels = [pixel for row in rows for pixel in row]
    python_blue = sum(1 for r, g, b in pixels if b > r + 60)
    native_warm = sum(1 for r, g, b in pixels if r > b + 60)

    def painted(kind):
        return sum(r["width"] * 17 for r in rects if r["kind"] == kind and r["y"] + 17 <= height)
    return python_blue, native_warm, painted
