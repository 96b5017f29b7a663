"""CPython 2.7 interpreter and thread state structs (Include/pystate.h), declared as data."""

DECLARATIONS = {}
