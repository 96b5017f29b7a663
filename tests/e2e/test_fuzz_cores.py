"""Corrupted cores stay a guard: a core of the stripped python2.7 (tests/targets/fuzz_state.py)
with 300, 3,000 and 30,000 bits flipped (fixed seeds) in its writable memory's data pages.
In one gdb session per core, py-threads, py-bt --locals, py-locals, py-globals, mem-info and
py-walk of ROOT (repr and json, every budget unlimited) give output, error nodes or one-line
errors: never an internal error, a traceback, gdb dying, or a session over a minute.
More seeds: ``make bench BENCH=fuzz``.
"""

import json

import pytest

from support import fuzzcore
from support.target import Target

SEEDS = ((1, 300), (2, 3000), (3, 30000))


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A gcore core of the fuzz target, its data pages and the target's handshake."""
    path = str(tmp_path_factory.mktemp("fuzz") / "fuzz.core")
    with Target("fuzz_state.py", stripped=True, launcher=fuzzcore.reproducible) as target:
        fuzzcore.gcore(target.pid, path)
        return path, fuzzcore.data_spans(path), target.info


def test_the_untouched_core_answers_every_command(pristine):
    core, _, info = pristine
    lines = fuzzcore.commands(info["root"])
    session = fuzzcore.run_session(core, lines)
    assert fuzzcore.judge(session, lines) == []
    out = session.sections
    assert len(out["py-threads"].splitlines()) == 2 + 1 + len(info["threads"]), out["py-threads"]
    assert out["py-bt --locals"].count('"holder-') == len(info["threads"])
    assert out[lines[5]].startswith("[0, -7, 9223372036854775807, "), out[lines[5]][:200]
    assert json.loads(out[lines[6]])["root"] == "%#x" % info["root"]


@pytest.mark.parametrize("seed, flips", SEEDS)
def test_bit_flipped_core(pristine, seed, flips):
    core, spans, info = pristine
    lines = fuzzcore.commands(info["root"])
    with fuzzcore.flipped(core, spans, flips, seed):
        session = fuzzcore.run_session(core, lines)
        problems = fuzzcore.judge(session, lines)
        kept = fuzzcore.keep(core, fuzzcore.FAILURES, "seed%d-%d.core" % (seed, flips)) if problems else None
    assert not problems, "seed %d, %d flips, %.1f s, kept in %s:\n%s" % (
        seed, flips, session.seconds, kept, "\n".join(problems))
