"""py-threads, py-bt, py-locals, py-globals and the CLI ``bt`` on a stripped python2.7 whose
interpreter state is damaged step by step (tests/targets/damaged_state.py): thread names
are decoration, so a missing or foreign ``threading._active``, a replaced ``threading``
module or damaged thread names lose names, never the stacks; damaged frame fields (code
names, globals, locals) become ``?`` or a one-line note. Never an internal error.

One target and one gdb session serve every step: gdb detaches, the target applies the next
step and reports, gdb attaches again.
"""

import json
import re
import select
import subprocess
import sys

import pytest

from support.gdbsession import GdbSession
from support.paths import ROOT, clean_env
from support.target import Target

STEPS = ("del", "none", "list", "mixed", "not-module", "gone", "frames")
WORKER_NAMES = {"first_worker": "first", "second_worker": "second"}
PYTHON_TRACEBACK = re.compile(r'File "[^"]*gdb_cpywalker/|Traceback \(most recent call last\):\n\s+File "[^"]*\.py", line \d+, in (run|invoke|main)\b')


def next_report(target, step):
    target.process.stdin.write((step + "\n").encode())
    target.process.stdin.flush()
    ready, _, _ = select.select([target.process.stdout], [], [], 30)
    assert ready, "target did not answer step %s" % step
    report = json.loads(target.process.stdout.readline().decode())
    assert report["step"] == step
    return report


def expected_names(step, report):
    """{thread ident: name in quotes or None} after ``step``."""
    main, (first, second) = report["main_ident"], report["workers"]
    if step == "start":
        return {main: "MainThread", first: "first", second: "second"}
    if step == "mixed":
        return {main: 'evil\\nThread 0x1 "forged"', first: None, second: None}
    return {main: None, first: None, second: None}


def check_clean(output):
    assert "internal error" not in output, output
    assert not PYTHON_TRACEBACK.search(output), output


def check_bt(output, step, report):
    """Every thread's header with its name (or none), and the workers' frames."""
    check_clean(output)
    headers = {int(match.group(1), 16): match.group(2)
               for match in re.finditer(r'^Thread (0x[0-9a-f]+)(?: "(.*)")?(?: \[gdb thread.*)?$', output, re.M)}
    assert headers == expected_names(step, report), output
    for ident, stack in report["stacks"].items():
        block = output.split("Thread %#x" % int(ident), 1)[1].split("\nThread ", 1)[0]
        assert [line for line in block.splitlines() if line.startswith("  File ")] == [
            '  File "%s", line %d, in %s' % tuple(entry) for entry in stack], output
    if step == "frames":
        assert output.count('File "?", line') == 2 and output.count(", in ?\n") == 2, output


def check_gdb(gdb, step, report):
    output = gdb.cmd("py-bt --locals")
    check_bt(output, step, report)
    if step == "frames":  # the main thread's module frame: f_locals is an int
        assert "(locals unreadable: expected a dict at" in output, output
    table = gdb.cmd("py-threads")
    check_clean(table)
    rows = table.splitlines()[2:]
    assert len(rows) == 3 and all(re.search(r"0x[0-9a-f]+  (yes|no) ", row) for row in rows), table
    for ident in report["workers"]:
        where = "--frame 1 --thread %d" % ident
        names = gdb.cmd("py-locals " + where)
        check_clean(names)
        assert re.search(r"^  token = \d  \(int at 0x", names, re.M), names
        names = gdb.cmd("py-globals " + where)
        check_clean(names)
        if step == "frames":
            assert names.splitlines()[1:] == ["  (globals unreadable: expected a dict at 0x0)"], names
        else:
            assert "  park = <function park at" in names, names
        assert gdb.cmd("py-print %s token" % where).startswith("token = "), names


def run_cli(pid):
    result = subprocess.run([sys.executable, "-m", "gdb_cpywalker", "bt", "-p", str(pid), "--locals"],
                            cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=120)
    check_clean(result.stdout + result.stderr)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def damaged_target():
    with Target("damaged_state.py", stripped=True) as target:
        yield target


def test_damaged_interpreter_state_step_by_step(damaged_target):
    report = damaged_target.info
    pid = report["pid"]
    gdb = GdbSession(["-p", str(pid)])
    try:
        for step in ("start",) + STEPS:
            if step != "start":
                gdb.cmd("detach")
                report = next_report(damaged_target, step)
                gdb.cmd("attach %d" % pid)
            check_gdb(gdb, step, report)
            check_bt(run_cli(pid), step, report)
    finally:
        gdb.close()
