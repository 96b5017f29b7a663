# Target for bench_reprs: runs app.py, then samples objects of its heap deterministically
# and prints one JSON line {"pid", "objects": [[name, id, repr], ...]} (a repr's bytes as
# latin-1 text) before blocking on stdin. Usage: heap_target.py APPS_DIR COUNT
#
# The heap: every object the garbage collector tracks and every object they refer to
# directly (strs, ints, floats... are not tracked themselves), visited in an order
# shuffled with a fixed seed: first at most PER_TYPE objects of one type (so that the
# long tail of types is in the sample, not only strs, tuples and functions), then more of
# the same order up to COUNT. Left out: objects whose
# repr runs Python code py-walk cannot emulate (a class's own __repr__, or any such
# object inside a container), objects whose repr fails or is longer than MAX_REPR, and
# this script's own objects.
import gc
import os
import random
import re
import sys
import types
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_REPR = 50000
PER_TYPE = 12
SEED = 2711
#: what gdb_cpywalker/decode/python_reprs.py emulates: ``return CONST % OPERAND``
FIELD_ONLY = re.compile(r"^d\x01\x00(?:(?:\|\x00\x00(?:j..j..|j..)?)|t..\|\x00\x00\x83\x01\x00(?:j..)?)+"
                        r"(?:f..)?\x16S$", re.S)
CONVERSIONS = set("rsdix%")
EMULATED = ("collections.Counter", "collections.OrderedDict", "decimal.Decimal")
HEAPTYPE = 1 << 9


def repr_owner(cls, name="__repr__"):
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass
    return None


def python_repr(obj):
    """Whether repr(obj) itself runs Python code py-walk does not emulate."""
    cls = type(obj)
    if cls is types.InstanceType:
        klass = obj.__class__
        return hasattr(klass, "__repr__") or hasattr(klass, "__getattr__")
    owner = repr_owner(cls)
    if owner is None or not owner.__flags__ & HEAPTYPE:
        return False
    name = "%s.%s" % (owner.__module__, owner.__name__)
    if name == "decimal.Decimal":
        return repr_owner(cls, "__str__") is not owner
    if name in EMULATED:
        return False
    return not field_only(owner.__dict__["__repr__"])


def field_only(function):
    """A __repr__ whose bytecode is ``return CONST % OPERAND`` of self, self.attr,
    self.__class__.__name__/__module__, type(self).__name__, id(self) (roughly: py-walk
    checks each operand, and refuses the rest with an error text)."""
    if not isinstance(function, types.FunctionType):
        return False
    code = function.func_code
    if not FIELD_ONLY.match(code.co_code) or len(code.co_consts) < 2 or \
            not isinstance(code.co_consts[1], str):
        return False
    if "id" in function.func_globals or "type" in function.func_globals:
        return False
    specs = re.findall("%(.)", code.co_consts[1])
    return all(spec in CONVERSIONS for spec in specs)


def repr_children(obj):
    """The objects whose repr is part of repr(obj) (for a field-only Python __repr__, all
    its attributes)."""
    owner = repr_owner(type(obj)) if type(obj) is not types.InstanceType else None
    if owner is not None and owner.__flags__ & HEAPTYPE and \
            field_only(owner.__dict__["__repr__"]):
        values = list(getattr(obj, "__dict__", {}).values())
        for klass in type(obj).__mro__:
            for name in klass.__dict__.get("__slots__", ()):
                if isinstance(name, str) and hasattr(obj, name):
                    values.append(getattr(obj, name))
        return values + (list(obj) if isinstance(obj, tuple) else [])
    if isinstance(obj, dict):
        children = obj.keys() + obj.values()
        factory = getattr(obj, "default_factory", None)
        return children + [factory] if factory is not None else children
    if isinstance(obj, (list, tuple, set, frozenset)) or type(obj).__name__ == "deque":
        return list(obj)
    if isinstance(obj, types.MethodType):
        return [obj.im_self] if obj.im_self is not None else []
    if isinstance(obj, BaseException):
        return [obj.args]
    if isinstance(obj, slice):
        return [obj.start, obj.stop, obj.step]
    if isinstance(obj, types.DictProxyType):
        return [obj.keys(), obj.values()]
    if isinstance(obj, types.FileType):
        return [obj.name]
    if type(obj).__name__ in ("repeat", "count", "dict_keys", "dict_values", "dict_items",
                              "time", "datetime", "FileIO", "BufferedReader",
                              "BufferedWriter", "BufferedRandom", "TextIOWrapper",
                              "immutabledict", "tuplegetter"):
        return [child for child in gc.get_referents(obj) if not isinstance(child, type)]
    return []


def emulatable(obj, seen, budget):
    """No object of repr(obj) runs Python code py-walk does not emulate (at most
    ``budget`` objects looked at)."""
    stack = [obj]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if len(seen) > budget or python_repr(current):
            return False
        stack.extend(repr_children(current))
    return True


def heap_objects(own):
    found = {}
    order = []
    for obj in gc.get_objects():
        for candidate in [obj] + gc.get_referents(obj):
            key = id(candidate)
            if key not in found and key not in own:
                found[key] = candidate
                order.append(candidate)
    return order


def main():
    apps, count = sys.argv[1], int(sys.argv[2])
    sys.path[:0] = [apps, HERE]
    warnings.simplefilter("ignore")
    import app
    kept = app.run()
    gc.collect()
    own = set([id(kept)])
    objects = heap_objects(own)
    own.update([id(objects), id(own)])
    rng = random.Random(SEED)
    order = list(range(len(objects)))
    rng.shuffle(order)
    chosen = []
    taken = set()
    per_type = {}
    for cap in (PER_TYPE, count):
        for index in order:
            if len(chosen) == count:
                break
            obj = objects[index]
            kind = type(obj)
            if index in taken or id(obj) in own or kind is types.FrameType or \
                    per_type.get(kind, 0) >= cap:
                continue
            taken.add(index)
            try:
                if not emulatable(obj, set(), 2000):
                    continue
                text = repr(obj)
            except Exception:
                continue
            if len(text) > MAX_REPR:
                continue
            per_type[kind] = per_type.get(kind, 0) + 1
            chosen.append(("%s#%d" % (kind.__name__, index), obj, text))
    import json
    line = json.dumps({"pid": os.getpid(), "heap_objects": len(objects),
                       "objects": [[name, id(obj), text.decode("latin-1")]
                                   for name, obj, text in chosen]})
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
    sys.stdin.readline()
    return kept


if __name__ == "__main__":
    main()
