"""CPython 2.7 object structs (Include/*.h of 2.7.18), declared once as data.

Each entry mirrors the C struct of the same name field for field.
"""

PyObject_HEAD = (("ssize", "ob_refcnt"), ("ptr", "ob_type"))
PyObject_VAR_HEAD = PyObject_HEAD + (("ssize", "ob_size"),)

DECLARATIONS = {
    "PyObject": PyObject_HEAD,
    "PyVarObject": PyObject_VAR_HEAD,
    # Include/object.h
    "PyTypeObject": PyObject_VAR_HEAD + (
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
    ),
    # Include/stringobject.h
    "PyStringObject": PyObject_VAR_HEAD + (
        ("long", "ob_shash"), ("int", "ob_sstate"), ("char[1]", "ob_sval"),
    ),
}
