/*
 * newskit._lists: between Python lists and Arrow columns. The Python lists of a column of lists
 * of text (topics, categories, tags), made from the column's Arrow buffers with each distinct
 * text one str object, as newskit.schema.text_lists does with pyarrow alone (to_pylist, which
 * makes a str object per item); the tests hold the two equal.
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
 *
 * text_buffers(values) takes a list of str and None and returns (validity, offsets, data,
 * null_count): the buffers of an Arrow large_string array of them (validity None when none is
 * missing), each str's UTF-8 written straight into data, as pa.array(values,
 * pa.large_string()) makes them (newskit.schema.text_array); TypeError for any other value,
 * UnicodeEncodeError for a str holding a surrogate.
 *
 * list_buffers(values) takes a list of lists and tuples of str and None, and None, and returns
 * (validity, offsets, item validity, item offsets, data, item count, null count, item null
 * count): the buffers of an Arrow list<large_string> array of them, as pa.array(values,
 * pa.list_(pa.large_string())) makes them (newskit.schema.text_list_array); None for a column
 * holding anything else (another type, a str with a surrogate), which the caller converts
 * another way.
 *
 * stamp_buffers(values) takes a list of datetime (each with a datetime.timezone) and None and
 * returns (validity, data, null_count): the buffers of an Arrow timestamp[ns, UTC] array of
 * them, as pa.array(values, pa.timestamp("ns", "UTC")) makes them (newskit.schema.stamp_array);
 * TypeError for any other value, OverflowError for a year out of 1678-2261.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <datetime.h>
#include <stdint.h>
#include <string.h>

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


/* The length in UTF-8 of n code points of type T at data; -1 on a surrogate. */
#define UTF8_LENGTH(T, data, n)                                                                  \
    do {                                                                                         \
        const T *p = (const T *)(data);                                                          \
        for (Py_ssize_t i = 0; i < (n); i++) {                                                   \
            Py_UCS4 c = p[i];                                                                    \
            if (c >= 0x80) {                                                                     \
                if (c >= 0xD800 && c <= 0xDFFF)                                                  \
                    return -1;                                                                   \
                size += c < 0x800 ? 1 : c < 0x10000 ? 2 : 3;                                     \
            }                                                                                    \
        }                                                                                        \
    } while (0)

/* The length in UTF-8 of a str; -1 when it holds a surrogate, which UTF-8 cannot encode. */
static Py_ssize_t utf8_length(PyObject *value) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(value), size = n;
    if (PyUnicode_IS_ASCII(value))
        return n;
    switch (PyUnicode_KIND(value)) {
    case PyUnicode_1BYTE_KIND:
        UTF8_LENGTH(Py_UCS1, PyUnicode_DATA(value), n);
        break;
    case PyUnicode_2BYTE_KIND:
        UTF8_LENGTH(Py_UCS2, PyUnicode_DATA(value), n);
        break;
    default:
        UTF8_LENGTH(Py_UCS4, PyUnicode_DATA(value), n);
    }
    return size;
}

/* Write the UTF-8 bytes of n code points of type T at data to out (an unsigned char *). */
#define WRITE_UTF8(T, data, n)                                                                   \
    do {                                                                                         \
        const T *p = (const T *)(data);                                                          \
        for (Py_ssize_t i = 0; i < (n); i++) {                                                   \
            Py_UCS4 c = p[i];                                                                    \
            if (c < 0x80) {                                                                      \
                *out++ = (unsigned char)c;                                                       \
            } else if (c < 0x800) {                                                              \
                *out++ = (unsigned char)(0xC0 | (c >> 6));                                       \
                *out++ = (unsigned char)(0x80 | (c & 0x3F));                                     \
            } else if (c < 0x10000) {                                                            \
                *out++ = (unsigned char)(0xE0 | (c >> 12));                                      \
                *out++ = (unsigned char)(0x80 | ((c >> 6) & 0x3F));                              \
                *out++ = (unsigned char)(0x80 | (c & 0x3F));                                     \
            } else {                                                                             \
                *out++ = (unsigned char)(0xF0 | (c >> 18));                                      \
                *out++ = (unsigned char)(0x80 | ((c >> 12) & 0x3F));                             \
                *out++ = (unsigned char)(0x80 | ((c >> 6) & 0x3F));                              \
                *out++ = (unsigned char)(0x80 | (c & 0x3F));                                     \
            }                                                                                    \
        }                                                                                        \
    } while (0)

/* Write the UTF-8 bytes of a str without surrogates to start; returns how many. */
static Py_ssize_t write_utf8(PyObject *value, char *start) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(value);
    unsigned char *out = (unsigned char *)start;
    if (PyUnicode_IS_ASCII(value)) {
        memcpy(out, PyUnicode_DATA(value), (size_t)n);
        return n;
    }
    switch (PyUnicode_KIND(value)) {
    case PyUnicode_1BYTE_KIND:
        WRITE_UTF8(Py_UCS1, PyUnicode_DATA(value), n);
        break;
    case PyUnicode_2BYTE_KIND:
        WRITE_UTF8(Py_UCS2, PyUnicode_DATA(value), n);
        break;
    default:
        WRITE_UTF8(Py_UCS4, PyUnicode_DATA(value), n);
    }
    return (Py_ssize_t)(out - (unsigned char *)start);
}

static PyObject *text_buffers(PyObject *self, PyObject *values) {
    (void)self;
    if (!PyList_Check(values)) {
        PyErr_SetString(PyExc_TypeError, "text_buffers takes a list");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(values), total = 0, missing = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *value = PyList_GET_ITEM(values, i);
        if (value == Py_None) {
            missing++;
            continue;
        }
        if (!PyUnicode_CheckExact(value)) {
            PyErr_Format(PyExc_TypeError, "not text: %.100s", Py_TYPE(value)->tp_name);
            return NULL;
        }
        Py_ssize_t size = utf8_length(value);
        if (size < 0) { /* a surrogate: the error str.encode gives, as pyarrow gives it */
            PyObject *failed = PyUnicode_AsUTF8String(value);
            Py_XDECREF(failed);
            return NULL;
        }
        total += size;
    }
    PyObject *valid = missing ? PyBytes_FromStringAndSize(NULL, (n + 7) / 8) : Py_NewRef(Py_None);
    PyObject *offsets = PyBytes_FromStringAndSize(NULL, (n + 1) * (Py_ssize_t)sizeof(int64_t));
    PyObject *data = PyBytes_FromStringAndSize(NULL, total);
    if (valid == NULL || offsets == NULL || data == NULL) {
        Py_XDECREF(valid);
        Py_XDECREF(offsets);
        Py_XDECREF(data);
        return NULL;
    }
    unsigned char *bits = missing ? (unsigned char *)PyBytes_AS_STRING(valid) : NULL;
    if (bits)
        memset(bits, 0, (size_t)((n + 7) / 8));
    int64_t *at = (int64_t *)PyBytes_AS_STRING(offsets);
    char *out = PyBytes_AS_STRING(data);
    int64_t end = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *value = PyList_GET_ITEM(values, i);
        at[i] = end;
        if (value == Py_None)
            continue;
        end += write_utf8(value, out + end);
        if (bits)
            bits[i >> 3] |= (unsigned char)(1 << (i & 7));
    }
    at[n] = end;
    return Py_BuildValue("(NNNn)", valid, offsets, data, missing);
}

/* The items of a list or tuple value of list_buffers (NULL for None), or -1 for anything else
 * (the caller then converts the whole column another way). */
static Py_ssize_t list_items(PyObject *value, PyObject ***items) {
    if (PyList_CheckExact(value)) {
        *items = ((PyListObject *)value)->ob_item;
        return PyList_GET_SIZE(value);
    }
    if (PyTuple_CheckExact(value)) {
        *items = ((PyTupleObject *)value)->ob_item;
        return PyTuple_GET_SIZE(value);
    }
    return -1;
}

static PyObject *list_buffers(PyObject *self, PyObject *values) {
    (void)self;
    if (!PyList_Check(values)) {
        PyErr_SetString(PyExc_TypeError, "list_buffers takes a list");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(values), n_items = 0, total = 0, missing = 0, gaps = 0;
    PyObject **items;
    /* first what the column holds: None for anything but lists and tuples of str and None */
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *value = PyList_GET_ITEM(values, i);
        if (value == Py_None) {
            missing++;
            continue;
        }
        Py_ssize_t size = list_items(value, &items);
        if (size < 0)
            Py_RETURN_NONE;
        for (Py_ssize_t k = 0; k < size; k++) {
            if (items[k] == Py_None) {
                gaps++;
                continue;
            }
            if (!PyUnicode_CheckExact(items[k]))
                Py_RETURN_NONE;
            Py_ssize_t length = utf8_length(items[k]);
            if (length < 0) { /* a surrogate */
                PyErr_Clear();
                Py_RETURN_NONE;
            }
            total += length;
        }
        n_items += size;
    }
    if (n_items > INT32_MAX)
        Py_RETURN_NONE;
    PyObject *valid = missing ? PyBytes_FromStringAndSize(NULL, (n + 7) / 8) : Py_NewRef(Py_None);
    PyObject *starts = PyBytes_FromStringAndSize(NULL, (n + 1) * (Py_ssize_t)sizeof(int32_t));
    PyObject *item_valid =
        gaps ? PyBytes_FromStringAndSize(NULL, (n_items + 7) / 8) : Py_NewRef(Py_None);
    PyObject *offsets = PyBytes_FromStringAndSize(NULL, (n_items + 1) * (Py_ssize_t)sizeof(int64_t));
    PyObject *data = PyBytes_FromStringAndSize(NULL, total);
    if (valid == NULL || starts == NULL || item_valid == NULL || offsets == NULL || data == NULL) {
        Py_XDECREF(valid);
        Py_XDECREF(starts);
        Py_XDECREF(item_valid);
        Py_XDECREF(offsets);
        Py_XDECREF(data);
        return NULL;
    }
    unsigned char *bits = missing ? (unsigned char *)PyBytes_AS_STRING(valid) : NULL;
    unsigned char *item_bits = gaps ? (unsigned char *)PyBytes_AS_STRING(item_valid) : NULL;
    if (bits)
        memset(bits, 0, (size_t)((n + 7) / 8));
    if (item_bits)
        memset(item_bits, 0, (size_t)((n_items + 7) / 8));
    int32_t *first = (int32_t *)PyBytes_AS_STRING(starts);
    int64_t *at = (int64_t *)PyBytes_AS_STRING(offsets);
    char *out = PyBytes_AS_STRING(data);
    int64_t end = 0;
    Py_ssize_t j = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *value = PyList_GET_ITEM(values, i);
        first[i] = (int32_t)j;
        if (value == Py_None)
            continue;
        if (bits)
            bits[i >> 3] |= (unsigned char)(1 << (i & 7));
        Py_ssize_t size = list_items(value, &items);
        for (Py_ssize_t k = 0; k < size; k++, j++) {
            at[j] = end;
            if (items[k] == Py_None)
                continue;
            end += write_utf8(items[k], out + end);
            if (item_bits)
                item_bits[j >> 3] |= (unsigned char)(1 << (j & 7));
        }
    }
    first[n] = (int32_t)j;
    at[j] = end;
    return Py_BuildValue("(NNNNNnnn)", valid, starts, item_valid, offsets, data, n_items, missing,
                         gaps);
}

/* Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The UTC offset of a datetime.timezone in microseconds, its days and seconds only, as pyarrow
 * reads it (parsed front matter never has a finer one); -1 with an exception set. */
static int offset_of(PyObject *tz, int64_t *micros) {
    PyObject *delta = PyObject_CallMethod(tz, "utcoffset", "O", Py_None);
    if (delta == NULL)
        return -1;
    if (!PyDelta_Check(delta)) {
        Py_DECREF(delta);
        PyErr_SetString(PyExc_TypeError, "a time zone without a fixed offset");
        return -1;
    }
    *micros = ((int64_t)PyDateTime_DELTA_GET_DAYS(delta) * 86400 +
               PyDateTime_DELTA_GET_SECONDS(delta)) * 1000000;
    Py_DECREF(delta);
    return 0;
}

static PyObject *stamp_buffers(PyObject *self, PyObject *values) {
    (void)self;
    if (!PyList_Check(values)) {
        PyErr_SetString(PyExc_TypeError, "stamp_buffers takes a list");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(values), missing = 0;
    PyObject *data = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(int64_t));
    PyObject *valid = PyBytes_FromStringAndSize(NULL, (n + 7) / 8);
    if (data == NULL || valid == NULL)
        goto failed;
    int64_t *out = (int64_t *)PyBytes_AS_STRING(data);
    unsigned char *bits = (unsigned char *)PyBytes_AS_STRING(valid);
    memset(bits, 0, (size_t)((n + 7) / 8));
    PyObject *zone = NULL, *timezone_type = (PyObject *)Py_TYPE(PyDateTime_TimeZone_UTC);
    int64_t zone_micros = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *value = PyList_GET_ITEM(values, i);
        if (value == Py_None) {
            out[i] = 0;
            missing++;
            continue;
        }
        if (!PyDateTime_CheckExact(value)) {
            PyErr_Format(PyExc_TypeError, "not a datetime: %.100s", Py_TYPE(value)->tp_name);
            goto failed;
        }
        PyObject *tz = PyDateTime_DATE_GET_TZINFO(value);
        if ((PyObject *)Py_TYPE(tz) != timezone_type) {
            PyErr_SetString(PyExc_TypeError, "a datetime without a datetime.timezone");
            goto failed;
        }
        if (tz != zone) { /* the last one's offset, else asked of it */
            if (offset_of(tz, &zone_micros) < 0)
                goto failed;
            zone = tz;
        }
        int year = PyDateTime_GET_YEAR(value);
        if (year < 1678 || year > 2261) { /* beyond int64 nanoseconds either side */
            PyErr_SetString(PyExc_OverflowError, "a date out of the range of nanoseconds");
            goto failed;
        }
        int64_t days = days_from_civil(year, PyDateTime_GET_MONTH(value), PyDateTime_GET_DAY(value));
        int64_t micros = ((days * 24 + PyDateTime_DATE_GET_HOUR(value)) * 60 +
                          PyDateTime_DATE_GET_MINUTE(value)) * 60 +
                         PyDateTime_DATE_GET_SECOND(value);
        micros = micros * 1000000 + PyDateTime_DATE_GET_MICROSECOND(value) - zone_micros;
        out[i] = micros * 1000;
        bits[i >> 3] |= (unsigned char)(1 << (i & 7));
    }
    if (!missing) {
        Py_DECREF(valid);
        valid = Py_NewRef(Py_None);
    }
    return Py_BuildValue("(NNn)", valid, data, missing);
failed:
    Py_XDECREF(data);
    Py_XDECREF(valid);
    return NULL;
}

static PyMethodDef methods[] = {
    {"items_of", items_of, METH_O,
     "items_of(lists, /)\n--\n\n(owners, items): the items of the lists among lists, and "
     "the index of the list each came from (see the module)."},
    {"values_of", values_of, METH_VARARGS,
     "values_of(objects, keys, /)\n--\n\nEach object's value for each key: a list per key "
     "(see the module)."},
    {"text_buffers", text_buffers, METH_O,
     "text_buffers(values, /)\n--\n\n(validity, offsets, data, null_count): the buffers of an "
     "Arrow large_string array of a list of str and None (see the module)."},
    {"list_buffers", list_buffers, METH_O,
     "list_buffers(values, /)\n--\n\nThe buffers of an Arrow list<large_string> array of a "
     "list of lists and tuples of str and None, and None; None for any other column (see the "
     "module)."},
    {"stamp_buffers", stamp_buffers, METH_O,
     "stamp_buffers(values, /)\n--\n\n(validity, data, null_count): the buffers of an Arrow "
     "timestamp[ns, UTC] array of a list of datetime and None (see the module)."},
    {"text_lists", text_lists, METH_VARARGS,
     "text_lists(offsets, indices, nulls, texts, /)\n--\n\nPython lists of a column of lists "
     "of text (see the module)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "newskit._lists",
    "Python lists of text from Arrow buffers, of values from mappings, and Arrow buffers of "
    "text and dates from Python lists.",
    -1, methods};

PyMODINIT_FUNC PyInit__lists(void) {
    PyDateTime_IMPORT;
    if (PyDateTimeAPI == NULL)
        return NULL;
    return PyModule_Create(&module);
}
