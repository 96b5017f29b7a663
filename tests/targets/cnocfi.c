/* A python2.7 extension whose code has no unwind information (built with
 * -fno-asynchronous-unwind-tables -fno-unwind-tables): call(fn) calls fn() from such a
 * frame, as hand-written assembly or an old compiler's output would. */
#include <Python.h>

static PyObject *call(PyObject *self, PyObject *fn) {
    volatile char scratch[64];
    PyObject *result;
    scratch[0] = 1;
    result = PyObject_CallObject(fn, NULL);
    scratch[1] = scratch[0];
    return result;
}

static PyMethodDef methods[] = {
    {"call", call, METH_O, "call(fn): fn() called from C code without unwind information"},
    {NULL, NULL, 0, NULL}
};

PyMODINIT_FUNC initcnocfi(void) { Py_InitModule("cnocfi", methods); }
