/*
 * newskit._lists: the Python lists of a column of lists of text (topics, categories, tags),
 * made from the column's Arrow buffers with each distinct text one str object, as
 * newskit.schema.text_lists does with pyarrow alone (to_pylist, which makes a str object per
 * item); the tests hold the two equal.
 *
 * text_lists(offsets, indices, nulls, texts) takes, for n lists: offsets, n + 1 int32 list
 * offsets (the first need not be 0); indices, an int32 per item numbering its text in texts
 * (-1: a missing item, None); nulls, n bytes, nonzero where the list itself is missing (None),
 * or empty when none is; texts, a list of str. It returns a list of n lists (or None).
 *
 * values_of(objects, keys) takes a list of objects and a tuple of keys, and returns a list per
 * key of each object's value for it: [o.get(key) if type(o) is dict else None for o in
 * objects], as newskit.columnar.values_of does in Python (the column-wise builder reads ~20
 * keys of every record's front matter this way).
 *
 * items_of(lists) takes a list of objects and returns (owners, items): the items of those that
 * are lists (type(o) is list), one after the other, and the index of the list each came from,
 * as newskit.columnar._items does in Python.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>

static PyObject *text_lists(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer offsets = {0}, indices = {0}, nulls = {0};
    PyObject *texts, *result = NULL;
    if (!PyArg_ParseTuple(args, "y*y*y*O!", &offsets, &indices, &nulls, &PyList_Type, &texts))
        return NULL;
    Py_ssize_t n = offsets.len / (Py_ssize_t)sizeof(int32_t) - 1;
    Py_ssize_t n_items = indices.len / (Py_ssize_t)sizeof(int32_t);
    Py_ssize_t n_texts = PyList_GET_SIZE(texts);
    const int32_t *at = offsets.buf, *index = indices.buf;
    const unsigned char *missing = nulls.len ? nulls.buf : NULL;
    if (n < 0 || (missing != NULL && nulls.len != n)) {
        PyErr_SetString(PyExc_ValueError, "offsets and nulls do not describe the same lists");
        goto done;
    }
    result = PyList_New(n);
    if (result == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (missing != NULL && missing[i]) {
            Py_INCREF(Py_None);
            PyList_SET_ITEM(result, i, Py_None);
            continue;
        }
        int64_t start = (int64_t)at[i] - at[0], end = (int64_t)at[i + 1] - at[0];
        if (start < 0 || end < start || end > n_items) {
            PyErr_SetString(PyExc_ValueError, "list offsets out of range");
            Py_CLEAR(result);
            goto done;
        }
        PyObject *list = PyList_New((Py_ssize_t)(end - start));
        if (list == NULL) {
            Py_CLEAR(result);
            goto done;
        }
        for (int64_t j = start; j < end; j++) {
            int32_t k = index[j];
            PyObject *item = (k >= 0 && k < n_texts) ? PyList_GET_ITEM(texts, k) : Py_None;
            Py_INCREF(item);
            PyList_SET_ITEM(list, (Py_ssize_t)(j - start), item);
        }
        PyList_SET_ITEM(result, i, list);
    }
done:
    PyBuffer_Release(&offsets);
    PyBuffer_Release(&indices);
    PyBuffer_Release(&nulls);
    return result;
}

static PyObject *values_of(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *objects, *keys;
    if (!PyArg_ParseTuple(args, "O!O!", &PyList_Type, &objects, &PyTuple_Type, &keys))
        return NULL;
    /* Object by object, all keys at a time: each mapping is brought into the CPU's cache once
     * (key by key, every mapping would be, once per key). */
    Py_ssize_t n_keys = PyTuple_GET_SIZE(keys), n = PyList_GET_SIZE(objects);
    PyObject *result = PyList_New(n_keys);
    if (result == NULL)
        return NULL;
    for (Py_ssize_t k = 0; k < n_keys; k++) {
        PyObject *column = PyList_New(n);
        if (column == NULL)
            goto fail;
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_INCREF(Py_None);
            PyList_SET_ITEM(column, i, Py_None);
        }
        PyList_SET_ITEM(result, k, column);
    }
    for (Py_ssize_t i = 0; i < n && i < PyList_GET_SIZE(objects); i++) {
        PyObject *object = PyList_GET_ITEM(objects, i);
        if (!PyDict_CheckExact(object))
            continue;
        Py_INCREF(object); /* held while its keys are compared (which may run Python code) */
        for (Py_ssize_t k = 0; k < n_keys; k++) {
            PyObject *value = PyDict_GetItemWithError(object, PyTuple_GET_ITEM(keys, k));
            if (value == NULL) {
                if (PyErr_Occurred()) {
                    Py_DECREF(object);
                    goto fail;
                }
                continue;
            }
            PyObject *column = PyList_GET_ITEM(result, k);
            Py_INCREF(value);
            Py_DECREF(PyList_GET_ITEM(column, i)); /* the None it held */
            PyList_SET_ITEM(column, i, value);
        }
        Py_DECREF(object);
    }
    return result;
fail:
    Py_DECREF(result);
    return NULL;
}

static PyObject *items_of(PyObject *self, PyObject *lists) {
    (void)self;
    if (!PyList_Check(lists)) {
        PyErr_SetString(PyExc_TypeError, "items_of() takes a list");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(lists), total = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *list = PyList_GET_ITEM(lists, i);
        if (PyList_CheckExact(list))
            total += PyList_GET_SIZE(list);
    }
    PyObject *owners = PyList_New(total), *items = PyList_New(total), *result = NULL;
    if (owners == NULL || items == NULL)
        goto done;
    Py_ssize_t at = 0; /* nothing below runs Python code: the lists cannot change meanwhile */
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *list = PyList_GET_ITEM(lists, i);
        if (!PyList_CheckExact(list) || PyList_GET_SIZE(list) == 0)
            continue;
        PyObject *owner = PyLong_FromSsize_t(i);
        if (owner == NULL)
            goto done;
        for (Py_ssize_t j = 0; j < PyList_GET_SIZE(list); j++, at++) {
            PyObject *item = PyList_GET_ITEM(list, j);
            Py_INCREF(item);
            PyList_SET_ITEM(items, at, item);
            Py_INCREF(owner);
            PyList_SET_ITEM(owners, at, owner);
        }
        Py_DECREF(owner);
    }
    result = PyTuple_Pack(2, owners, items);
done:
    Py_XDECREF(owners);
    Py_XDECREF(items);
    return result;
}

static PyMethodDef methods[] = {
    {"items_of", items_of, METH_O,
     "items_of(lists, /)\n--\n\n(owners, items): the items of the lists among lists, and "
     "the index of the list each came from (see the module)."},
    {"values_of", values_of, METH_VARARGS,
     "values_of(objects, keys, /)\n--\n\nEach object's value for each key: a list per key "
     "(see the module)."},
    {"text_lists", text_lists, METH_VARARGS,
     "text_lists(offsets, indices, nulls, texts, /)\n--\n\nPython lists of a column of lists "
     "of text (see the module)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "newskit._lists",
    "Python lists of text from Arrow buffers, and of values from mappings.", -1, methods};

PyMODINIT_FUNC PyInit__lists(void) { return PyModule_Create(&module); }
