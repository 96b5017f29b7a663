"""Renderers: data in, text out (region tables, hexdumps, object trees). No gdb here."""
