"""gdb loads the extension, attaches to a real python2.7 and stays usable."""

from support.gdbsession import GdbSession
from support.target import Target


def test_source_from_any_directory_and_attach(python27_binary, gdb_binary):
    with Target("idle.py") as target, GdbSession(["-p", str(target.pid)]) as gdb:
        assert "cpywalker" in gdb.cmd("help set cpywalker")
        assert gdb.cmd("show cpywalker memory").strip() == "How gdb-cpywalker reads target memory is auto."
        assert gdb.alive()
