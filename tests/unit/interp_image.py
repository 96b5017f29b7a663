"""Interpreter and thread states on the synthetic 2.7 heap of tests/unit/builder.py."""

from builder import ImageBuilder, Ref

from gdb_cpywalker.interp.namespaces import CO_NEWLOCALS, CO_OPTIMIZED

__all__ = ["InterpBuilder", "Ref"]


class InterpBuilder(ImageBuilder):
    """``ImageBuilder`` plus PyInterpreterState, PyThreadState, code objects and frames."""

    def state(self, struct_name, **words):
        """A zeroed pystate struct with pointer-sized fields set."""
        compiled = getattr(self.layout, struct_name)
        address = self.alloc(compiled.size)
        for name, value in words.items():
            self.word(address + getattr(compiled, name), value)
        return address

    def __init__(self):
        super().__init__()
        #: interpreter address -> its first thread state
        self.first_thread = {}

    def interpreter(self, modules=None, sysdict=None, builtins=None, back_pointer=True):
        """A PyInterpreterState with one thread state (``tstate_head``); empty dicts by default."""
        interp = self.state("PyInterpreterState", **{
            name: value if value is not None else self.dict_({})
            for name, value in (("modules", modules), ("sysdict", sysdict), ("builtins", builtins))})
        tstate = self.state("PyThreadState", interp=interp if back_pointer else 0x1000)
        self.word(interp + self.layout.PyInterpreterState.tstate_head, tstate)
        self.first_thread[interp] = tstate
        return interp

    def code_object(self, name, lnotab, varnames=(), cellvars=(), freevars=(),
                    flags=CO_OPTIMIZED | CO_NEWLOCALS):
        names = [self.tuple_([text.encode() for text in group]) for group in (varnames, cellvars, freevars)]
        return self.new("PyCodeObject", self.builtin("code"), co_flags=flags, co_nlocals=len(varnames),
                        co_varnames=names[0], co_cellvars=names[1], co_freevars=names[2],
                        co_filename=self.str_(b"known.py"), co_name=self.str_(name.encode()),
                        co_firstlineno=1, co_lnotab=self.str_(lnotab))

    def frame(self, code, back, globals_, builtins, slots=(), **fields):
        address = self.new("PyFrameObject", self.builtin("frame"), extra=8 * len(slots), f_code=code,
                           f_back=back, f_globals=globals_, f_builtins=builtins, **fields)
        self.words(address + self.layout.PyFrameObject.f_localsplus, list(slots))
        return address

    def cell(self, value):
        return self.new("PyCellObject", self.builtin("cell"), ob_ref=value)
