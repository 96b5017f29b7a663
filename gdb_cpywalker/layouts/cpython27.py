"""CPython 2.7 object structs (Include/*.h and Objects/*.c of 2.7.18), declared once as data.

Each entry mirrors the C struct of the same name field for field; ``"ptr[N]"`` stands
for an inline array of N pointer-sized words (dict and set small tables, the heap
type's method tables). Also the type-flag bits and member types the decoder needs.
"""

PyObject_HEAD = (("ssize", "ob_refcnt"), ("ptr", "ob_type"))
PyObject_VAR_HEAD = PyObject_HEAD + (("ssize", "ob_size"),)

CO_MAXBLOCKS = 20
DEQUE_BLOCKLEN = 62
#: PyNumberMethods (39) + PyMappingMethods (3) + PySequenceMethods (10) + PyBufferProcs (6)
HEAPTYPE_METHOD_SLOTS = 39 + 3 + 10 + 6

# Include/object.h: tp_flags bits
Py_TPFLAGS_HEAPTYPE = 1 << 9
Py_TPFLAGS_INT_SUBCLASS = 1 << 23
Py_TPFLAGS_LONG_SUBCLASS = 1 << 24
Py_TPFLAGS_LIST_SUBCLASS = 1 << 25
Py_TPFLAGS_TUPLE_SUBCLASS = 1 << 26
Py_TPFLAGS_STRING_SUBCLASS = 1 << 27
Py_TPFLAGS_UNICODE_SUBCLASS = 1 << 28
Py_TPFLAGS_DICT_SUBCLASS = 1 << 29
Py_TPFLAGS_BASE_EXC_SUBCLASS = 1 << 30
Py_TPFLAGS_TYPE_SUBCLASS = 1 << 31

# Include/structmember.h
T_OBJECT_EX = 16

#: Include/longintrepr.h: PyLong_SHIFT by digit size (30-bit digits on 64-bit builds)
LONG_SHIFT = {4: 30, 2: 15}

# Include/object.h
PyTypeObject = PyObject_VAR_HEAD + (
    ("ptr", "tp_name"), ("ssize", "tp_basicsize"), ("ssize", "tp_itemsize"),
    ("ptr", "tp_dealloc"), ("ptr", "tp_print"), ("ptr", "tp_getattr"),
    ("ptr", "tp_setattr"), ("ptr", "tp_compare"), ("ptr", "tp_repr"),
    ("ptr", "tp_as_number"), ("ptr", "tp_as_sequence"), ("ptr", "tp_as_mapping"),
    ("ptr", "tp_hash"), ("ptr", "tp_call"), ("ptr", "tp_str"),
    ("ptr", "tp_getattro"), ("ptr", "tp_setattro"), ("ptr", "tp_as_buffer"),
    ("long", "tp_flags"), ("ptr", "tp_doc"), ("ptr", "tp_traverse"),
    ("ptr", "tp_clear"), ("ptr", "tp_richcompare"), ("ssize", "tp_weaklistoffset"),
    ("ptr", "tp_iter"), ("ptr", "tp_iternext"), ("ptr", "tp_methods"),
    ("ptr", "tp_members"), ("ptr", "tp_getset"), ("ptr", "tp_base"),
    ("ptr", "tp_dict"), ("ptr", "tp_descr_get"), ("ptr", "tp_descr_set"),
    ("ssize", "tp_dictoffset"), ("ptr", "tp_init"), ("ptr", "tp_alloc"),
    ("ptr", "tp_new"), ("ptr", "tp_free"), ("ptr", "tp_is_gc"),
    ("ptr", "tp_bases"), ("ptr", "tp_mro"), ("ptr", "tp_cache"),
    ("ptr", "tp_subclasses"), ("ptr", "tp_weaklist"), ("ptr", "tp_del"),
    ("uint", "tp_version_tag"),
)

DECLARATIONS = {
    "PyObject": PyObject_HEAD,
    "PyVarObject": PyObject_VAR_HEAD,
    # Include/object.h
    "PyTypeObject": PyTypeObject,
    # Include/object.h: a class statement's type; method tables inline, then its name
    "PyHeapTypeObject": PyTypeObject + (
        ("ptr[%d]" % HEAPTYPE_METHOD_SLOTS, "ht_methods"), ("ptr", "ht_name"), ("ptr", "ht_slots"),
    ),
    # Include/intobject.h, boolobject.h
    "PyIntObject": PyObject_HEAD + (("long", "ob_ival"),),
    # Include/longintrepr.h
    "PyLongObject": PyObject_VAR_HEAD + (("digit[1]", "ob_digit"),),
    # Include/floatobject.h, complexobject.h
    "PyFloatObject": PyObject_HEAD + (("double", "ob_fval"),),
    "PyComplexObject": PyObject_HEAD + (("double", "real"), ("double", "imag")),
    # Include/stringobject.h
    "PyStringObject": PyObject_VAR_HEAD + (
        ("long", "ob_shash"), ("int", "ob_sstate"), ("char[1]", "ob_sval"),
    ),
    # Include/unicodeobject.h
    "PyUnicodeObject": PyObject_HEAD + (
        ("ssize", "length"), ("ptr", "str"), ("long", "hash"), ("ptr", "defenc"),
    ),
    # Include/bytearrayobject.h, bufferobject.c
    "PyByteArrayObject": PyObject_VAR_HEAD + (
        ("int", "ob_exports"), ("ssize", "ob_alloc"), ("ptr", "ob_bytes"),
    ),
    "PyBufferObject": PyObject_HEAD + (
        ("ptr", "b_base"), ("ptr", "b_ptr"), ("ssize", "b_size"), ("ssize", "b_offset"),
        ("int", "b_readonly"), ("long", "b_hash"),
    ),
    # Include/tupleobject.h, listobject.h
    "PyTupleObject": PyObject_VAR_HEAD + (("ptr[1]", "ob_item"),),
    "PyListObject": PyObject_VAR_HEAD + (("ptr", "ob_item"), ("ssize", "allocated")),
    # Include/dictobject.h (PyDict_MINSIZE = 8)
    "PyDictEntry": (("ssize", "me_hash"), ("ptr", "me_key"), ("ptr", "me_value")),
    "PyDictObject": PyObject_HEAD + (
        ("ssize", "ma_fill"), ("ssize", "ma_used"), ("ssize", "ma_mask"),
        ("ptr", "ma_table"), ("ptr", "ma_lookup"), ("ptr[24]", "ma_smalltable"),
    ),
    # Include/setobject.h (PySet_MINSIZE = 8)
    "setentry": (("long", "hash"), ("ptr", "key")),
    "PySetObject": PyObject_HEAD + (
        ("ssize", "fill"), ("ssize", "used"), ("ssize", "mask"), ("ptr", "table"),
        ("ptr", "lookup"), ("ptr[16]", "smalltable"), ("long", "hash"),
        ("ptr", "weakreflist"),
    ),
    # Include/classobject.h
    "PyClassObject": PyObject_HEAD + (
        ("ptr", "cl_bases"), ("ptr", "cl_dict"), ("ptr", "cl_name"), ("ptr", "cl_getattr"),
        ("ptr", "cl_setattr"), ("ptr", "cl_delattr"), ("ptr", "cl_weakreflist"),
    ),
    "PyInstanceObject": PyObject_HEAD + (
        ("ptr", "in_class"), ("ptr", "in_dict"), ("ptr", "in_weakreflist"),
    ),
    "PyMethodObject": PyObject_HEAD + (
        ("ptr", "im_func"), ("ptr", "im_self"), ("ptr", "im_class"), ("ptr", "im_weakreflist"),
    ),
    # Include/funcobject.h
    "PyFunctionObject": PyObject_HEAD + (
        ("ptr", "func_code"), ("ptr", "func_globals"), ("ptr", "func_defaults"),
        ("ptr", "func_closure"), ("ptr", "func_doc"), ("ptr", "func_name"),
        ("ptr", "func_dict"), ("ptr", "func_weakreflist"), ("ptr", "func_module"),
    ),
    # Include/methodobject.h
    "PyMethodDef": (
        ("ptr", "ml_name"), ("ptr", "ml_meth"), ("int", "ml_flags"), ("ptr", "ml_doc"),
    ),
    "PyCFunctionObject": PyObject_HEAD + (("ptr", "m_ml"), ("ptr", "m_self"), ("ptr", "m_module")),
    # Include/descrobject.h: every descriptor starts with PyDescr_COMMON
    "PyDescrObject": PyObject_HEAD + (("ptr", "d_type"), ("ptr", "d_name")),
    "PyMethodDescrObject": PyObject_HEAD + (
        ("ptr", "d_type"), ("ptr", "d_name"), ("ptr", "d_method"),
    ),
    "PyMemberDescrObject": PyObject_HEAD + (
        ("ptr", "d_type"), ("ptr", "d_name"), ("ptr", "d_member"),
    ),
    "PyGetSetDescrObject": PyObject_HEAD + (
        ("ptr", "d_type"), ("ptr", "d_name"), ("ptr", "d_getset"),
    ),
    "PyWrapperDescrObject": PyObject_HEAD + (
        ("ptr", "d_type"), ("ptr", "d_name"), ("ptr", "d_base"), ("ptr", "d_wrapped"),
    ),
    "wrapperbase": (
        ("ptr", "name"), ("int", "offset"), ("ptr", "function"), ("ptr", "wrapper"),
        ("ptr", "doc"), ("int", "flags"), ("ptr", "name_strobj"),
    ),
    # Objects/descrobject.c: method-wrapper and dictproxy
    "wrapperobject": PyObject_HEAD + (("ptr", "descr"), ("ptr", "self")),
    "proxyobject": PyObject_HEAD + (("ptr", "dict"),),
    # Include/structmember.h, descrobject.h
    "PyMemberDef": (
        ("ptr", "name"), ("int", "type"), ("ssize", "offset"), ("int", "flags"), ("ptr", "doc"),
    ),
    "PyGetSetDef": (
        ("ptr", "name"), ("ptr", "get"), ("ptr", "set"), ("ptr", "doc"), ("ptr", "closure"),
    ),
    # Include/moduleobject.c
    "PyModuleObject": PyObject_HEAD + (("ptr", "md_dict"),),
    # Include/code.h
    "PyCodeObject": PyObject_HEAD + (
        ("int", "co_argcount"), ("int", "co_nlocals"), ("int", "co_stacksize"),
        ("int", "co_flags"), ("ptr", "co_code"), ("ptr", "co_consts"), ("ptr", "co_names"),
        ("ptr", "co_varnames"), ("ptr", "co_freevars"), ("ptr", "co_cellvars"),
        ("ptr", "co_filename"), ("ptr", "co_name"), ("int", "co_firstlineno"),
        ("ptr", "co_lnotab"), ("ptr", "co_zombieframe"), ("ptr", "co_weakreflist"),
    ),
    # Include/frameobject.h (PyTryBlock is three ints)
    "PyFrameObject": PyObject_VAR_HEAD + (
        ("ptr", "f_back"), ("ptr", "f_code"), ("ptr", "f_builtins"), ("ptr", "f_globals"),
        ("ptr", "f_locals"), ("ptr", "f_valuestack"), ("ptr", "f_stacktop"),
        ("ptr", "f_trace"), ("ptr", "f_exc_type"), ("ptr", "f_exc_value"),
        ("ptr", "f_exc_traceback"), ("ptr", "f_tstate"), ("int", "f_lasti"),
        ("int", "f_lineno"), ("int", "f_iblock"),
        ("int[%d]" % (3 * CO_MAXBLOCKS), "f_blockstack"), ("ptr[1]", "f_localsplus"),
    ),
    # Include/cellobject.h, sliceobject.h, Objects/rangeobject.c
    "PyCellObject": PyObject_HEAD + (("ptr", "ob_ref"),),
    "PySliceObject": PyObject_HEAD + (("ptr", "start"), ("ptr", "stop"), ("ptr", "step")),
    "rangeobject": PyObject_HEAD + (("long", "start"), ("long", "step"), ("long", "len")),
    # Include/pyerrors.h
    "PyBaseExceptionObject": PyObject_HEAD + (
        ("ptr", "dict"), ("ptr", "args"), ("ptr", "message"),
    ),
    # Objects/descrobject.c, funcobject.c
    "propertyobject": PyObject_HEAD + (
        ("ptr", "prop_get"), ("ptr", "prop_set"), ("ptr", "prop_del"), ("ptr", "prop_doc"),
        ("int", "getter_doc"),
    ),
    "staticmethod": PyObject_HEAD + (("ptr", "sm_callable"),),
    "classmethod": PyObject_HEAD + (("ptr", "cm_callable"),),
    # Include/weakrefobject.h
    "PyWeakReference": PyObject_HEAD + (
        ("ptr", "wr_object"), ("ptr", "wr_callback"), ("long", "hash"),
        ("ptr", "wr_prev"), ("ptr", "wr_next"),
    ),
    # Include/genobject.h
    "PyGenObject": PyObject_HEAD + (
        ("ptr", "gi_frame"), ("int", "gi_running"), ("ptr", "gi_code"),
        ("ptr", "gi_weakreflist"),
    ),
    # Include/fileobject.h
    "PyFileObject": PyObject_HEAD + (
        ("ptr", "f_fp"), ("ptr", "f_name"), ("ptr", "f_mode"), ("ptr", "f_close"),
        ("int", "f_softspace"), ("int", "f_binary"), ("ptr", "f_buf"), ("ptr", "f_bufend"),
        ("ptr", "f_bufptr"), ("ptr", "f_setbuf"), ("int", "f_univ_newline"),
        ("int", "f_newlinetypes"), ("int", "f_skipnextlf"), ("ptr", "f_encoding"),
        ("ptr", "f_errors"), ("ptr", "weakreflist"), ("int", "unlocked_count"),
        ("int", "readable"), ("int", "writable"),
    ),
    # Objects/dictobject.c: dict_keys, dict_values, dict_items
    "dictviewobject": PyObject_HEAD + (("ptr", "dv_dict"),),
    # Modules/_collectionsmodule.c (deque_block is its struct BLOCK)
    "dequeobject": PyObject_HEAD + (
        ("ptr", "leftblock"), ("ptr", "rightblock"), ("ssize", "leftindex"),
        ("ssize", "rightindex"), ("ssize", "len"), ("long", "state"), ("ssize", "maxlen"),
        ("ptr", "weakreflist"),
    ),
    "deque_block": (
        ("ptr[%d]" % DEQUE_BLOCKLEN, "data"), ("ptr", "rightlink"), ("ptr", "leftlink"),
    ),
}
# Modules/arraymodule.c
DECLARATIONS["arrayobject"] = PyObject_VAR_HEAD + (
    ("ptr", "ob_item"), ("ssize", "allocated"), ("ptr", "ob_descr"), ("ptr", "weakreflist"),
)
DECLARATIONS["arraydescr"] = (
    ("int", "typecode"), ("int", "itemsize"), ("ptr", "getitem"), ("ptr", "setitem"),
)
# Include/datetime.h: _PyTZINFO_HEAD is PyObject_HEAD, hashcode and hastzinfo; a time or
# datetime without tzinfo is allocated without its tzinfo field
_PyTZINFO_HEAD = PyObject_HEAD + (("long", "hashcode"), ("char", "hastzinfo"))
DECLARATIONS["PyDateTime_Delta"] = PyObject_HEAD + (
    ("long", "hashcode"), ("int", "days"), ("int", "seconds"), ("int", "microseconds"),
)
DECLARATIONS["PyDateTime_Date"] = _PyTZINFO_HEAD + (("uchar[4]", "data"),)
DECLARATIONS["PyDateTime_Time"] = _PyTZINFO_HEAD + (("uchar[6]", "data"), ("ptr", "tzinfo"))
DECLARATIONS["PyDateTime_DateTime"] = _PyTZINFO_HEAD + (("uchar[10]", "data"), ("ptr", "tzinfo"))
# Modules/_collectionsmodule.c: a dict followed by the factory
DECLARATIONS["defdictobject"] = DECLARATIONS["PyDictObject"] + (("ptr", "default_factory"),)

# -- C types of extension modules with a repr computable from memory (decode/extension_types.py)
# Modules/itertoolsmodule.c
DECLARATIONS["countobject"] = PyObject_HEAD + (
    ("ssize", "cnt"), ("ptr", "long_cnt"), ("ptr", "long_step"),
)
DECLARATIONS["repeatobject"] = PyObject_HEAD + (("ptr", "element"), ("ssize", "cnt"))
# Objects/typeobject.c, Include/pycapsule.c, Include/structseq.h
DECLARATIONS["superobject"] = PyObject_HEAD + (("ptr", "type"), ("ptr", "obj"), ("ptr", "obj_type"))
DECLARATIONS["PyCapsule"] = PyObject_HEAD + (
    ("ptr", "pointer"), ("ptr", "name"), ("ptr", "context"), ("ptr", "destructor"),
)
DECLARATIONS["PyStructSequence"] = PyObject_VAR_HEAD + (("ptr[1]", "ob_item"),)
# Modules/zipimport.c
DECLARATIONS["ZipImporter"] = PyObject_HEAD + (("ptr", "archive"), ("ptr", "prefix"), ("ptr", "files"))
# Modules/_io/fileio.c: readable, writable, appending are bits 0, 1, 2 of ``flags``
DECLARATIONS["fileio"] = PyObject_HEAD + (
    ("int", "fd"), ("uint", "flags"), ("ptr", "weakreflist"), ("ptr", "dict"),
)
# Modules/_io/bufferedio.c, textio.c (Py_off_t is 64-bit: _FILE_OFFSET_BITS=64)
DECLARATIONS["buffered"] = PyObject_HEAD + (
    ("ptr", "raw"), ("int", "ok"), ("int", "detached"), ("int", "readable"),
    ("int", "writable"), ("int", "fast_closed_checks"), ("double[7]", "abs_pos_to_write_end"),
    ("ptr", "lock"), ("long", "owner"), ("ssize", "buffer_size"), ("ssize", "buffer_mask"),
    ("ptr", "dict"), ("ptr", "weakreflist"),
)
DECLARATIONS["textio"] = PyObject_HEAD + (
    ("int", "ok"), ("int", "detached"), ("ssize", "chunk_size"), ("ptr", "buffer"),
    ("ptr", "encoding"), ("ptr", "encoder"), ("ptr", "decoder"), ("ptr", "readnl"),
    ("ptr", "errors"), ("ptr", "writenl"), ("char[6]", "line_buffering_to_telling"),
    ("ptr", "encodefunc"), ("char", "encoding_start_of_stream"), ("ptr", "decoded_chars"),
    ("ssize", "decoded_chars_used"), ("ptr", "pending_bytes"),
    ("ssize", "pending_bytes_count"), ("ptr", "snapshot"), ("ptr", "raw"),
    ("ptr", "weakreflist"), ("ptr", "dict"),
)
# Modules/socketmodule.h (SOCKET_T is an int on POSIX)
DECLARATIONS["PySocketSockObject"] = PyObject_HEAD + (
    ("int", "sock_fd"), ("int", "sock_family"), ("int", "sock_type"), ("int", "sock_proto"),
    ("ptr", "errorhandler"), ("double", "sock_timeout"), ("ptr", "weakreflist"),
)
# Modules/_ctypes/ctypes.h: a field of a ctypes Structure or Union (its C ``size`` is
# ``field_size`` here: ``size`` is the compiled struct's sizeof)
DECLARATIONS["CFieldObject"] = PyObject_HEAD + (
    ("ssize", "offset"), ("ssize", "field_size"), ("ssize", "index"), ("ptr", "proto"),
    ("ptr", "getfunc"), ("ptr", "setfunc"), ("int", "anonymous"),
)
# Modules/_ctypes/ctypes.h: every ctypes instance; b_value is a 16-byte union aligned
# for long double (the decoder reads the value through b_ptr)
DECLARATIONS["CDataObject"] = PyObject_HEAD + (
    ("ptr", "b_ptr"), ("int", "b_needsfree"), ("ptr", "b_base"), ("ssize", "b_size"),
    ("ssize", "b_length"), ("ssize", "b_index"), ("ptr", "b_objects"),
    ("ptr", "b_value_alignment"), ("char[16]", "b_value"),
)
# Modules/_elementtree.c
DECLARATIONS["ElementObject"] = PyObject_HEAD + (
    ("ptr", "tag"), ("ptr", "text"), ("ptr", "tail"), ("ptr", "extra"),
)
# SQLAlchemy 1.4's C extensions lib/sqlalchemy/cextension/immutabledict.c, resultproxy.c
DECLARATIONS["ImmutableDict"] = PyObject_HEAD + (("ptr", "dict"),)
DECLARATIONS["tuplegetterobject"] = PyObject_HEAD + (("ssize", "nitems"), ("ptr", "item"))
