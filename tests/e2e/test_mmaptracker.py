"""mmaptracker.gdb running real programs under real gdb: what the log holds, how gdb ends, refusals."""

import json
import os
import subprocess

import pytest

from support.cbuild import build_c
from support.paths import GDBINIT, ROOT, TARGETS, clean_env, python27
from gdb_cpywalker.tracking.log import read_log

SCRIPT = os.path.join(ROOT, "mmaptracker.gdb")
PAGE = 4096


def track(cwd, program, log=None, before=(), timeout=120):
    """Run ``gdb -x mmaptracker.gdb --args PROGRAM`` (the script named relative to ``cwd``)."""
    env = clean_env(**({"MMAPTRACKER_LOG": str(log)} if log else {}))
    command = ["gdb", "-nx", "-q"] + list(before) + ["-x", os.path.relpath(SCRIPT, str(cwd)), "--args"]
    return subprocess.run(command + list(program), cwd=str(cwd), env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)


def handshake(output):
    return json.loads(next(line for line in output.splitlines() if line.startswith('{"pid"')))


def function_names(event):
    return [frame.split(" in ", 1)[1].split(" (", 1)[0] for frame in event.frames]


@pytest.fixture(scope="module")
def c_run(tmp_path_factory, gdb_binary):
    """One tracked run of mmap_calls.c, from a directory that is not the project's."""
    cwd = tmp_path_factory.mktemp("elsewhere")
    binary = build_c("mmap_calls")
    result = track(cwd, [binary], cwd / "calls.log")
    run, = read_log(str(cwd / "calls.log"))
    return result, run, handshake(result.stdout), binary, cwd / "calls.log"


def calls(run, name, size=None):
    return [e for e in run.events if e.name == name and (size is None or e.args[1] == size)]


def test_gdb_ends_with_the_programs_status_and_says_how_many_events_went_where(c_run):
    result, run, info, _, log = c_run
    assert result.returncode == 0, result.stderr
    assert "mmaptracker: %d events logged to %s (program exited with code 0)" % (len(run.events), log) \
        in result.stdout
    assert run.pid == info["pid"] and run.mode == "run"
    assert run.end == "events=%d exited with code 0" % len(run.events)
    assert [e.seq for e in run.events] == list(range(1, len(run.events) + 1))
    assert log.read_text().count("\n#") == len(run.events)


def test_nested_maps_carry_their_callers(c_run):
    _, run, info, _, _ = c_run
    event, = calls(run, "mmap", 5 * PAGE)
    assert event.result == info["nested"] and event.args == (0, 5 * PAGE, 3, 0x22, -1, 0)
    assert event.tid == info["pid"]
    names = function_names(event)
    start = names.index("map_pages")
    assert names[start:start + 4] == ["map_pages", "middle_function", "outer_function", "main"]
    assert "at " in event.frames[start] and "mmap_calls.c:" in event.frames[start]


def test_unmaps_protections_and_remaps_are_logged_with_their_results(c_run):
    _, run, info, _, _ = c_run
    assert [(e.args, e.result) for e in calls(run, "munmap", PAGE)] == [((info["partial"] + PAGE, PAGE), 0)]
    split, = [e for e in calls(run, "mprotect") if e.args[0] == info["split"] + PAGE]
    assert split.call_line().endswith("mprotect(%#x, 4096, PROT_READ) = 0" % (info["split"] + PAGE))
    remap, = calls(run, "mremap")
    assert remap.args[1:4] == (6 * PAGE, 10 * PAGE, 1) and remap.result == info["remapped"]
    failed, = calls(run, "mmap", 0)
    assert failed.call_line().endswith("= -1 EINVAL (Invalid argument)")


def test_raw_syscalls_threads_files_brk_and_the_loader_are_seen(c_run):
    _, run, info, binary, _ = c_run
    raw, = calls(run, "mmap", 7 * PAGE)
    assert raw.result == info["raw"] and function_names(raw)[:2] == ["syscall", "main"]
    threaded, = calls(run, "mmap", 9 * PAGE)
    assert threaded.tid != info["pid"] and "thread_maps" in function_names(threaded)
    mapped_file, = [e for e in calls(run, "mmap", PAGE) if e.result == info["file"]]
    assert mapped_file.path == binary and "3<%s>" % binary in mapped_file.call_line()
    grown = [e for e in calls(run, "brk") if e.args[0]]
    assert [e.result - info["heap"] for e in grown[-2:]] == [16 * PAGE, 32 * PAGE]
    assert function_names(grown[-1])[-1] == "main"
    libc = [e for e in calls(run, "mmap") if e.path.endswith("/libc.so.6")]
    assert libc and "_dl_map_object" in function_names(libc[0])


def test_the_forked_child_is_not_followed(c_run):
    _, run, _, _, _ = c_run
    assert calls(run, "mmap", 11 * PAGE) == []
    assert {e.tid for e in run.events} == {run.pid, calls(run, "mmap", 9 * PAGE)[0].tid}


def test_a_python27_program(tmp_path, python27_binary):
    log = tmp_path / "py.log"
    result = track(tmp_path, [python27(), os.path.join(TARGETS, "mmaps27.py")], log)
    assert result.returncode == 0, result.stderr
    run, = read_log(str(log))
    assert run.pid == handshake(result.stdout)["pid"]
    kept, = calls(run, "mmap", 17 * PAGE)
    closed, = calls(run, "mmap", 19 * PAGE)
    assert kept.call_line().endswith("mmap(NULL, 69632, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, "
                                     "-1, 0) = %#x" % kept.result)
    assert "new_mmap_object" in function_names(kept)
    assert "PyEval_EvalFrameEx" in function_names(kept)
    assert [e.args for e in calls(run, "munmap", 19 * PAGE)] == [(closed.result, 19 * PAGE)]


def test_set_mmaptracker_log_chooses_the_file(tmp_path, gdb_binary):
    chosen = tmp_path / "chosen.log"
    before = ["-ex", "source " + GDBINIT, "-ex", "set mmaptracker log " + str(chosen)]
    result = track(tmp_path, [build_c("mmap_calls")], log=tmp_path / "env.log", before=before)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "env.log").exists()
    run, = read_log(str(chosen))
    assert calls(run, "mmap", 5 * PAGE)


def test_a_symlink_as_log_is_refused_and_nothing_runs(tmp_path, gdb_binary):
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    link = tmp_path / "mmaptracker.log"
    link.symlink_to(victim)
    result = track(tmp_path, [build_c("mmap_calls")], link)
    assert result.returncode == 2
    assert "mmaptracker: refusing to write the log to %s: it is a symbolic link" % link in result.stderr
    assert '{"pid"' not in result.stdout
    assert victim.read_text() == "precious\n"


def test_a_log_owned_by_another_user_is_refused(tmp_path, gdb_binary):
    theirs = tmp_path / "theirs.log"
    theirs.write_text("theirs\n")
    os.chown(str(theirs), 65534, 65534)
    result = track(tmp_path, [build_c("mmap_calls")], theirs)
    assert result.returncode == 2
    assert "refusing to write the log to %s: it belongs to" % theirs in result.stderr
    assert theirs.read_text() == "theirs\n"


def test_frames_without_symbols_name_the_file_and_offset(tmp_path, gdb_binary):
    stripped = build_c("mmap_pairs", ["-s"])
    result = track(tmp_path, [stripped, "3"], tmp_path / "stripped.log")
    assert result.returncode == 0, result.stderr
    run, = read_log(str(tmp_path / "stripped.log"))
    ours = [e for e in calls(run, "mmap", 2 * PAGE) if any(stripped in frame for frame in e.frames)]
    assert len(ours) == 3 and len(calls(run, "munmap", 2 * PAGE)) == 3
    frame = next(frame for frame in ours[0].frames if stripped in frame)
    offset = int(frame.rsplit("+", 1)[1], 16)
    assert frame.split()[1].startswith("0x0000") and " in ?? () from %s+0x" % stripped in frame
    assert 0 < offset < os.path.getsize(stripped)


def test_exec_starts_a_new_run_of_the_same_process(tmp_path, gdb_binary):
    binary = build_c("mmap_exec")
    result = track(tmp_path, [binary], tmp_path / "exec.log")
    assert result.returncode == 0, result.stderr
    before, after = read_log(str(tmp_path / "exec.log"))
    assert (before.mode, after.mode) == ("run", "exec") and before.pid == after.pid
    assert after.program == binary
    def mapped_pages(run):
        return [e.args[1] // PAGE for e in calls(run, "mmap") if "map_pages" in function_names(e)]
    assert (mapped_pages(before), mapped_pages(after)) == ([3], [4])
    assert before.end == "events=%d then exec" % len(before.events)
    assert "mmaptracker: %d events logged" % (len(before.events) + len(after.events)) in result.stdout
