# Python __repr__ methods py-walk must either compute exactly or answer with CPython's
# default <module.Name object at 0x...> (never a guess): odd ways of defining __repr__,
# attributes behind descriptors or __getattribute__, %s of objects with their own __str__,
# a single tuple operand, metaclasses. Imported by objects.py: OBJECTS is
# [(name, object)]; expected(name, obj) is the text py-walk must print.


class Base(object):
    def __init__(self, x):
        self.x = x

    def __repr__(self):
        return "<Base %r>" % (self.x,)


def other_repr(self):
    return "<other %s>" % (self.x,)


class LambdaRepr(Base):
    __repr__ = lambda self: "<lambda %r>" % (self.x,)  # noqa: E731


class OtherRepr(Base):
    __repr__ = other_repr


class DictRepr(dict):
    __repr__ = dict.__repr__


class ObjectRepr(list):
    __repr__ = object.__repr__


class Formats(object):
    def __init__(self):
        self.f, self.b, self.n, self.big, self.items = 2.5, True, None, 10 ** 30, [1, "a"]
        self.text = "t" * 5000

    def __repr__(self):
        return "<%s %s %s %s %d %x %s %s>" % (self.f, self.b, self.n, self.big, self.f, self.b,
                                              self.items, self.text)


class StrOfFormatted(object):
    def __init__(self):
        self.child = Base(1.0)

    def __repr__(self):
        return "<StrOf %s>" % (self.child,)


class Ident(object):
    def __repr__(self):
        return "<Ident %r>" % (id(self),)


# -- what must print CPython's default repr -------------------------------------------

class ClassMethodRepr(Base):
    @classmethod
    def __repr__(cls):
        return "<cm %s>" % (cls.__name__,)


class Getattribute(Base):
    def __getattribute__(self, name):
        return 99


class ClassAttribute(Base):
    __class__ = int

    def __repr__(self):
        return "<%s>" % (self.__class__.__name__,)


class ModuleNotStr(object):
    def __repr__(self):
        return "<%s>" % (self.__class__.__module__,)


ModuleNotStr.__module__ = 12


class OwnStr(str):
    def __str__(self):
        return "own"


class StrOfOwnStr(object):
    def __init__(self):
        self.x = OwnStr("abc")

    def __repr__(self):
        return "<SOS %s>" % (self.x,)


class SelfFormattingStr(str):
    def __repr__(self):
        return "SF(%s)" % self


class OpaqueDict(dict):
    def __repr__(self):
        return "OD" + dict.__repr__(self)


class Meta(type):
    def __repr__(cls):
        return "<Meta %s>" % (cls.__name__,)


class WithMeta(object):
    __metaclass__ = Meta


class Singleton(type):
    """dateutil's _TzSingleton: a metaclass with its own __module__ string only."""
    def __call__(cls):
        return type.__call__(cls)


class NamedByMeta(type):
    __name__ = "Renamed"   # found before type's __name__: cls.__name__ is "Renamed"


class ClassNameRepr(object):
    __metaclass__ = Singleton

    def __repr__(self):
        return "%s()" % self.__class__.__name__


class RenamedRepr(object):
    __metaclass__ = NamedByMeta

    def __repr__(self):
        return "%s()" % self.__class__.__name__


def _name_repr(self):
    return "<%r>" % (self.__class__.__name__,)


#: %r of a class name that is not plain ASCII: 2.7 escapes it as a str
NonAsciiName = type("caf\xe9\t", (object,), {"__repr__": _name_repr})
QuotedName = type("it's", (object,), {"__repr__": _name_repr})


class Property(object):
    x = property(lambda self: 7)

    def __repr__(self):
        return "<P %r>" % (self.x,)


class Classic:
    def __repr__(self):
        return "<classic>"


class StrOfClassic(object):
    def __init__(self):
        self.x = Classic()

    def __repr__(self):
        return "<SOC %s>" % (self.x,)


class Padded(Base):
    def __repr__(self):
        return "%5r|" % (self.x,)


OBJECTS = [
    ("odd_tuple_operand", Base((1, 2))), ("odd_lambda", LambdaRepr(2)), ("odd_other", OtherRepr(3)),
    ("odd_dict_slot_wrapper", DictRepr(a=1)), ("odd_formats", Formats()),
    ("odd_str_of_formatted", StrOfFormatted()), ("odd_id", Ident()),
    ("odd_singleton_metaclass", ClassNameRepr()),
    ("odd_non_ascii_name", NonAsciiName()), ("odd_quoted_name", QuotedName()),
]
DEFAULT = [
    ("odd_object_slot_wrapper", ObjectRepr([1])), ("odd_classmethod", ClassMethodRepr(4)),
    ("odd_getattribute", Getattribute(5)), ("odd_class_attribute", ClassAttribute(6)),
    ("odd_module_not_str", ModuleNotStr()), ("odd_str_of_own_str", StrOfOwnStr()),
    ("odd_self_formatting_str", SelfFormattingStr("abc")), ("odd_dict", OpaqueDict(a=1)),
    ("odd_metaclass", WithMeta), ("odd_property", Property()), ("odd_str_of_classic", StrOfClassic()),
    ("odd_padded", Padded(8)), ("odd_renamed_by_metaclass", RenamedRepr()),
]
OBJECTS += DEFAULT
_DEFAULT_NAMES = set(name for name, _ in DEFAULT)


def expected(name, obj):
    """repr(obj), or object_repr of typeobject.c for the objects of DEFAULT."""
    if name not in _DEFAULT_NAMES:
        return repr(obj)
    module = type.__dict__["__module__"].__get__(type(obj))   # as type_module() reads it,
    name = type.__dict__["__name__"].__get__(type(obj))       # past any metaclass attribute
    prefix = module + "." if isinstance(module, str) and module != "__builtin__" else ""
    return "<%s%s object at %#x>" % (prefix, name, id(obj))
