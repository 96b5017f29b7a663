"""The report: a run replayed into call sites (whole pages, unmaps, mremap moves, brk, the
regions before tracking), its formats, and logs that are cut, foreign, empty or odd."""

import dataclasses
import io
import json
import xml.etree.ElementTree as ElementTree

import pytest

from gdb_cpywalker.cli import main
from gdb_cpywalker.procfs import parse_maps, parse_smaps
from gdb_cpywalker.render.flamegraph import Frame, folded, printable, svg
from gdb_cpywalker.tracking.accounting import BEFORE_TRACKING, account, add_rss, caller_label
from gdb_cpywalker.tracking.events import Event, PyFrame
from gdb_cpywalker.tracking.log import Run, before_line, end_line, parse_log
from gdb_cpywalker.tracking.usage_report import flame_stacks, render, timeline_table

PAGE = 4096
BASE = 0x7f0000000000
ANON = 0x22


class Calls:
    """Numbered events as the tracker logs them, each from a Python line or a C function."""

    def __init__(self):
        self.events = []

    def add(self, name, args, result, line=None, caller="make_map"):
        frames = ("#0  0x00007f0000100000 in __GI___%s () at %s.c:1" % (name, name),
                  "#1  0x0000555555555189 in %s () at maps.c:12" % caller,
                  "#2  0x0000555555555200 in main () at maps.c:30")
        python = (PyFrame("app.py", 40, "<module>"), PyFrame("app.py", line, "load")) if line else ()
        event = Event(len(self.events) + 1, 100, name, tuple(args), result, "", frames, python,
                      time=0.5 * len(self.events))
        self.events.append(event)
        return event

    def mmap(self, address, size, line=None, caller="make_map"):
        return self.add("mmap", (0, size, 3, ANON, -1, 0), address, line, caller)

    def run(self, before=()):
        run = Run(4242, "attach" if before else "run", "2026-11-23T04:50:00Z", "/usr/bin/app")
        run.events = list(self.events)
        run.before = list(before)
        return run


def site(report, label):
    found, = [s for s in report.sites if s.label == label]
    return found


def test_live_peak_and_mapped_bytes_per_python_line_in_whole_pages():
    calls = Calls()
    calls.mmap(BASE, 4 * PAGE + 1, line=10)            # 5 pages as the kernel maps them
    calls.add("munmap", (BASE + PAGE, PAGE), 0)        # a hole: 4 pages left
    calls.mmap(BASE + 0x100000, 3 * PAGE, line=11)
    calls.add("munmap", (BASE + 0x100000, 3 * PAGE), 0)  # closed again
    calls.mmap(BASE + 0x200000, 2 * PAGE, line=10)      # the same line again
    report = account(calls.run())
    ten, eleven = site(report, "app.py:10 in load"), site(report, "app.py:11 in load")
    assert (ten.calls, ten.mapped, ten.live, ten.peak) == (2, 7 * PAGE, 6 * PAGE, 6 * PAGE)
    assert (eleven.calls, eleven.mapped, eleven.live, eleven.peak) == (1, 3 * PAGE, 0, 3 * PAGE)
    assert report.sites[0] is ten and report.live_total == 6 * PAGE
    assert report.peak_total == 7 * PAGE
    assert [point[2] for point in report.timeline] == [5 * PAGE, 4 * PAGE, 7 * PAGE, 4 * PAGE, 6 * PAGE]
    assert report.timeline[-1][:2] == (5, 2.0)


def test_mremap_moves_stay_with_the_first_mapper_growth_goes_to_the_grower():
    calls = Calls()
    calls.mmap(BASE, 2 * PAGE, line=10)
    calls.add("mremap", (BASE, 2 * PAGE, 5 * PAGE, 1, 0), BASE + 0x100000, line=20)
    calls.add("mremap", (BASE + 0x100000, 5 * PAGE, 4 * PAGE, 0, 0), BASE + 0x100000, line=21)
    report = account(calls.run())
    assert site(report, "app.py:10 in load").live == 2 * PAGE
    grower = site(report, "app.py:20 in load")
    assert (grower.mapped, grower.live, grower.peak) == (3 * PAGE, 2 * PAGE, 3 * PAGE)
    assert report.live_total == 4 * PAGE and report.skipped == []


def test_brk_growth_belongs_to_who_grew_it_and_shrinks_apply():
    calls = Calls()
    calls.add("brk", (0,), 0x555555559000)
    calls.add("brk", (0x55555557a000,), 0x55555557a000, caller="grow_heap")
    calls.add("brk", (0x555555569000,), 0x555555569000, caller="trim_heap")
    report = account(calls.run(), "native-function")
    grew = site(report, "grow_heap () at maps.c:12")
    assert (grew.mapped, grew.live, grew.peak) == (0x21000, 0x10000, 0x21000)
    assert all(s.label != "trim_heap () at maps.c:12" for s in report.sites)


def test_regions_before_tracking_are_one_line_and_take_their_unmaps():
    before = parse_maps("7f0000000000-7f0000004000 rw-p 00000000 00:00 0 \n"
                        "555555559000-555555600000 rw-p 00000000 00:00 0 [heap]\n")
    calls = Calls()
    calls.add("munmap", (BASE, PAGE), 0)
    calls.add("brk", (0x555555610000,), 0x555555610000, caller="grow_heap")
    calls.add("munmap", (BASE + 0x900000, PAGE), 0)  # never seen mapped
    report = account(calls.run(before))
    assert report.before.live == 3 * PAGE + (0x555555600000 - 0x555555559000)
    assert site(report, "grow_heap () at maps.c:12").live == 0x10000
    assert report.skipped == ["1 munmap call on memory the log never saw mapped (made before "
                              "tracking or by the kernel)"]
    table = render(report)
    assert table.splitlines()[-3].strip().endswith(BEFORE_TRACKING)
    document = json.loads(render(report, "json"))
    assert document["mapped_before_tracking"] == {"live_bytes": report.before.live}
    assert document["live_bytes"] == report.live_total == report.before.live + 0x10000


def test_groupings():
    calls = Calls()
    calls.mmap(BASE, PAGE, line=10)
    calls.mmap(BASE + 0x100000, PAGE, line=10, caller="other_caller")
    calls.mmap(BASE + 0x200000, PAGE)
    assert len(account(calls.run(), "python").sites) == 2
    assert len(account(calls.run(), "python-line").sites) == 2
    assert len(account(calls.run(), "native").sites) == 2
    by_function = account(calls.run(), "native-function")
    assert sorted(s.label for s in by_function.sites) == ["make_map () at maps.c:12",
                                                          "other_caller () at maps.c:12"]
    assert caller_label(("#0  0x1 in ?? () from /lib/libc.so.6+0x10",
                         "#1  0x2 in ?? () from /usr/lib/app+0x20")) == "?? () from /usr/lib/app+0x20"


def test_json_holds_sites_and_skipped_only_as_data():
    calls = Calls()
    calls.mmap(BASE, 2 * PAGE, line=10)
    document = json.loads(render(account(calls.run()), "json", timeline=True))
    assert set(document) >= {"sites", "skipped", "timeline"}
    first, = document["sites"]
    assert first["python"] == [{"file": "app.py", "line": 40, "function": "<module>"},
                               {"file": "app.py", "line": 10, "function": "load"}]
    assert first["native"][1].endswith("in make_map () at maps.c:12")
    assert (first["calls"], first["mapped_bytes"], first["live_bytes"], first["peak_bytes"]) == \
        (1, 2 * PAGE, 2 * PAGE, 2 * PAGE)
    assert document["timeline"] == [{"event": 1, "time": 0.0, "mapped_bytes": 2 * PAGE}]


def test_folded_and_svg_put_python_frames_above_the_native_code_they_called():
    calls = Calls()
    calls.mmap(BASE, 2 * PAGE, line=10)
    calls.mmap(BASE + 0x100000, 3 * PAGE)
    report = account(calls.run())
    assert render(report, "folded") == (
        "make_map;__GI___mmap 12288\n"
        "<module> (app.py:40);load (app.py:10);make_map;__GI___mmap 8192\n"
        .replace("make_map;__GI___mmap 12288\n", "main;make_map;__GI___mmap 12288\n"))
    root = ElementTree.fromstring(render(report, "svg", timeline=True))
    rects = svg_frames(root)
    load, = [r for r in rects if r["title"] == "app.py:10 in load"]
    column = [r for r in rects if r["x"] >= load["x"] - 0.1 and r["x"] + r["width"] <= load["x"] + load["width"] + 0.1]
    python = [r for r in column if r["kind"] == "python"]
    native = [r for r in column if r["kind"] == "native"]
    assert [r["title"] for r in python] == ["app.py:40 in <module>", "app.py:10 in load"]
    assert [r["title"] for r in native] == ["make_map () at maps.c:12", "__GI___mmap () at mmap.c:1"]
    assert max(r["y"] for r in python) < min(r["y"] for r in native)
    everything, = [r for r in rects if r["title"] == "all"]
    assert abs(python[0]["width"] - everything["width"] * 2 / 5) < 0.5
    assert "main () at maps.c:30" in [r["title"] for r in rects if r["kind"] == "native"]
    assert root.find(".//{http://www.w3.org/2000/svg}path") is not None  # the timeline chart
    assert "8.00KiB (40.00%)" in python[0]["hover"]


def svg_frames(root):
    """Every frame box of a flame graph SVG: title (first hover line), hover, kind, x, y, width."""
    ns = "{http://www.w3.org/2000/svg}"
    out = []
    for group in root.iter(ns + "g"):
        classes = group.get("class", "").split()
        if "frame" not in classes:
            continue
        rect, hover = group.find(ns + "rect"), group.find(ns + "title").text
        out.append({"title": hover.split("\n")[0], "hover": hover, "kind": classes[1],
                    "x": float(rect.get("x")), "y": float(rect.get("y")), "width": float(rect.get("width"))})
    return out


def test_flamegraph_escapes_and_folded_separators():
    stacks = [((Frame("a;b", "a<b>&", "python"), Frame("c\nd", "c", "native")), 10), ((), 0)]
    assert folded(stacks) == "a:b;c\\x0ad 10\n"
    ElementTree.fromstring(svg(stacks, "t<&>"))


def test_names_from_the_program_are_printable_in_folded_stacks_and_valid_xml():
    """Control characters (a terminal escape, a newline) and bytes that were not UTF-8 (surrogate
    escapes) are written \\xHH: XML forbids the first and UTF-8 cannot encode the second."""
    odd = 'f;g <&"> \x1b[31m\udcff\x00\n'
    stacks = [((Frame(odd, odd, "python"), Frame("h\x85", "h\x85", "native")), 10)]
    assert folded(stacks) == 'f:g <&"> \\x1b[31m\\xff\\x00\\x0a;h\\x85 10\n'
    text = svg(stacks, odd)
    frames = svg_frames(ElementTree.fromstring(text.encode("utf-8")))  # strict: no surrogate left
    assert [frame["title"] for frame in frames] == ["all", 'f;g <&"> \\x1b[31m\\xff\\x00\\x0a', "h\\x85"]
    assert printable("caf\u00e9 \u4e2d") == "caf\u00e9 \u4e2d"


def test_stacks_too_narrow_to_draw_share_one_box_so_widths_add_up():
    stacks = [((Frame("big", "big", "python"),), 10 ** 6)]
    stacks += [((Frame("small%d" % n, "small", "native"),), 1) for n in range(100000)]
    frames = sorted(svg_frames(ElementTree.fromstring(svg(stacks, "t"))), key=lambda f: (f["y"], f["x"]))
    assert [frame["title"] for frame in frames] == [
        "all", "big", "100000 more frames, each too narrow to draw"]
    assert frames[1]["width"] + frames[2]["width"] == pytest.approx(frames[0]["width"], abs=0.1)


def test_rss_is_shared_by_the_sites_with_pages_in_a_region():
    calls = Calls()
    calls.mmap(BASE, 2 * PAGE, line=10)
    calls.mmap(BASE + 2 * PAGE, 2 * PAGE, line=11)
    report = account(calls.run())
    add_rss(report, parse_smaps("7f0000000000-7f0000004000 rw-p 00000000 00:00 0\nRss: 8 kB\n"))
    assert site(report, "app.py:10 in load").rss == site(report, "app.py:11 in load").rss == PAGE
    assert "rss" in render(report).splitlines()[3]


def test_timeline_table_samples_the_run():
    calls = Calls()
    for index in range(50):
        calls.mmap(BASE + index * 0x10000, PAGE, line=10)
    text = timeline_table(account(calls.run()), rows=5)
    lines = text.splitlines()
    assert lines[0] == "timeline of bytes mapped by tracked calls (peak 200.00KiB after event #50)"
    assert [line.split()[0] for line in lines[2:]] == ["10", "20", "30", "40", "50"]


def report_cli(tmp_path, text, *options, capsys):
    log = tmp_path / "odd.log"
    log.write_text(text)
    status = main(["report", "--log", str(log)] + list(options))
    out, err = capsys.readouterr()
    return status, out, err


def good_log():
    calls = Calls()
    calls.mmap(BASE, 2 * PAGE, line=10)
    run = calls.run()
    return run.header() + "".join(event.record() for event in run.events)


def test_a_log_cut_short_still_reports(tmp_path, capsys):
    status, out, err = report_cli(tmp_path, good_log() + "#2 tid=100 t=1.0 mmap(NULL, 40", capsys=capsys)
    assert status == 0 and err == ""
    assert "app.py:10 in load" in out
    assert "skipped: the run has no end line: the program still ran, or the log was cut short" in out


def test_odd_lines_are_skipped_and_said(tmp_path, capsys):
    text = (good_log() + "#2 tid=100 t=1.0 madvise(0x7f0000000000, 4096) = 0\n"
            "    #0  0x00007f0000100000 in madvise ()\n"
            "#3 tid=100 t=1.1 munmap(0x7f0000900000, 4096) = 0\n" + end_line("events=3 exited with code 0"))
    status, out, err = report_cli(tmp_path, text, "--format", "json", capsys=capsys)
    assert status == 0 and err == ""
    document = json.loads(out)
    assert document["skipped"][0].endswith("lines 8-9 (2 lines): not an mmaptracker record: "
                                           "'#2 tid=100 t=1.0 madvise(0x7f0000000000, 4096) = 0'")
    assert document["skipped"][1].startswith("1 munmap call on memory the log never saw mapped")
    assert document["sites"][0]["live_bytes"] == 2 * PAGE


def test_folded_and_svg_notes_go_to_stderr(tmp_path, capsys):
    status, out, err = report_cli(tmp_path, good_log(), "--format", "folded", capsys=capsys)
    assert status == 0
    assert out == "<module> (app.py:40);load (app.py:10);make_map;__GI___mmap 8192\n"
    assert err == "report: the run has no end line: the program still ran, or the log was cut short\n"


@pytest.mark.parametrize("text, message", [
    ("", "holds no mmaptracker run: it is empty"),
    ("Breakpoint 1, mmap ()\n#0 0x1 in f ()\n",
     "holds no mmaptracker run (%s lines 1-2 (2 lines): no 'mmaptracker log:' header before it)"),
])
def test_empty_or_foreign_logs_are_one_line(tmp_path, capsys, text, message):
    status, out, err = report_cli(tmp_path, text, capsys=capsys)
    log = tmp_path / "odd.log"
    assert (status, out) == (1, "")
    assert err == "report: %s %s\n" % (log, message.replace("%s", str(log)) if "%s" in message else message)


def test_before_lines_read_back(tmp_path):
    region, = parse_maps("7f0000000000-7f0000004000 rw-s 00000000 00:05 1234 /dev/zero (deleted)\n")
    text = Run(1, "attach", "t", "p").header() + before_line(region)
    run, = parse_log(text)
    assert run.before == [region]


def test_a_damaged_log_repeating_event_numbers_still_charges_each_call_to_its_own_site():
    calls = Calls()
    calls.mmap(BASE, 2 * PAGE, line=10)
    calls.mmap(BASE + 0x100000, 3 * PAGE, line=11)
    run = calls.run()
    run.events[1] = dataclasses.replace(run.events[1], seq=1)
    report = account(run)
    assert [(s.label, s.live, s.calls) for s in report.sites] == [
        ("app.py:11 in load", 3 * PAGE, 1), ("app.py:10 in load", 2 * PAGE, 1)]


def test_names_that_were_not_utf8_or_hold_controls_are_printable_in_the_table_and_valid_json(tmp_path, capsys):
    calls = Calls()
    event = calls.mmap(BASE, 2 * PAGE, line=10)
    calls.events[0] = dataclasses.replace(event, python=(PyFrame("/opt/\udcffx\u00e9.py", 3, "f\x1b[2J\ng"),))
    run = calls.run()
    text = run.header() + "".join(e.record() for e in run.events) + end_line("events=1 exited with code 0")
    log = tmp_path / "odd.log"
    log.write_bytes(text.encode("utf-8", "surrogateescape"))
    assert main(["report", "--log", str(log)]) == 0
    out, _ = capsys.readouterr()
    assert "  /opt/\\xffx\u00e9.py:3 in f\\x1b[2J\\x0ag\n" in out and "\x1b" not in out
    assert main(["report", "--log", str(log), "--format", "json"]) == 0
    out, _ = capsys.readouterr()
    out.encode("utf-8")  # no surrogate left
    frame, = json.loads(out)["sites"][0]["python"]
    assert frame == {"file": "/opt/\\xffx\u00e9.py", "line": 3, "function": "f\x1b[2J\ng"}


def test_a_log_of_several_runs_says_which_the_report_is_of(tmp_path, capsys):
    first = good_log() + end_line("events=1 then exec")
    second = good_log().replace("mode=run", "mode=exec") + end_line("events=1 exited with code 0")
    status, out, err = report_cli(tmp_path, first + second, "--format", "json", capsys=capsys)
    assert status == 0 and err == ""
    assert json.loads(out)["skipped"][0] == (
        "%s holds 2 runs (pid 4242 run, pid 4242 exec): this is the last, pid 4242 (exec), started "
        "2026-11-23T04:50:00Z" % (tmp_path / "odd.log"))
    third = good_log().replace("pid=4242", "pid=77") + end_line("events=1 exited with code 0")
    status, out, err = report_cli(tmp_path, first + second + third, "--format", "json", capsys=capsys)
    assert json.loads(out)["skipped"][0].endswith(", pid 77 (run), started 2026-11-23T04:50:00Z; -p PID "
                                                  "picks another")
    status, out, err = report_cli(tmp_path, first + second + third, "--format", "json", "-p", "4242",
                                  capsys=capsys)
    assert json.loads(out)["skipped"][0].endswith(": this is pid 4242's last (exec), started "
                                                  "2026-11-23T04:50:00Z")


def test_an_output_file_that_cannot_be_written_is_one_line(tmp_path, capsys):
    status, out, err = report_cli(tmp_path, good_log(), "-o", "/dev/full", capsys=capsys)
    assert (status, out) == (1, "") and err.startswith("report: cannot write /dev/full: No space left on device")
    assert err.count("\n") == 1
