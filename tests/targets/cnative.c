/* A C extension for py-bt --native tests: a C frame of our own between two Python frames
 * (call), and a C loop that holds the GIL while other threads queue for it (hold_gil). */
#include <Python.h>
#include <poll.h>
#include <unistd.h>

/* call(function): function() called from C, so the stack reads Python -> C -> Python. */
static PyObject *cnative_call(PyObject *self, PyObject *args)
{
    PyObject *function, *result;
    if (!PyArg_ParseTuple(args, "O:call", &function))
        return NULL;
    result = PyObject_CallObject(function, NULL);
    return result;
}

/* hold_gil(fd, delay): keep the GIL for delay seconds, say "gil-held" on stdout, then
 * poll fd in a loop (again after an interruption) without ever releasing the GIL. */
static PyObject *cnative_hold_gil(PyObject *self, PyObject *args)
{
    static const char line[] = "gil-held\n";
    struct pollfd watched;
    int fd;
    double delay;
    if (!PyArg_ParseTuple(args, "id:hold_gil", &fd, &delay))
        return NULL;
    usleep((useconds_t)(delay * 1e6));
    if (write(1, line, sizeof line - 1) < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    watched.fd = fd;
    watched.events = POLLIN;
    while (poll(&watched, 1, -1) <= 0)
        ;
    Py_RETURN_NONE;
}

static PyMethodDef cnative_methods[] = {
    {"call", cnative_call, METH_VARARGS, "call(f): f() called from C"},
    {"hold_gil", cnative_hold_gil, METH_VARARGS, "hold_gil(fd, delay): hold the GIL in a C loop"},
    {NULL, NULL, 0, NULL}
};

PyMODINIT_FUNC initcnative(void)
{
    Py_InitModule("cnative", cnative_methods);
}
