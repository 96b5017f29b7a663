"""The standalone command line (python3 -m gdb_cpywalker)."""


def main(argv=None):
    raise SystemExit("not yet")
