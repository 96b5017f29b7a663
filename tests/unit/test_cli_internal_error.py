"""The CLI reports a bug of ours as one line, as gdb's commands do; --debug shows the traceback."""

from gdb_cpywalker import cli
from gdb_cpywalker.cli import bt


def test_an_unexpected_exception_is_one_line_unless_debugging(monkeypatch, capsys):
    def broken(args):
        raise TypeError("unsupported operand type(s) for &: 'NoneType' and 'int'")
    monkeypatch.setattr(bt, "run", broken)
    assert cli.main(["bt", "-p", "1"]) == 1
    assert capsys.readouterr().err == ("bt: internal error: TypeError: unsupported operand type(s) for &: "
                                       "'NoneType' and 'int' (--debug for details)\n")
    assert cli.main(["bt", "-p", "1", "--debug"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):") and err.endswith("(--debug for details)\n")
