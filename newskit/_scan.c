/*
 * newskit._scan: lists the record files under a folder with their sizes, modification
 * times, inode numbers and inode change times, as newskit.files._scan_folder does in Python,
 * without the GIL (so a cache can be read meanwhile) and without a Python object per entry.
 *
 * scan(root, threads=1) returns ((offsets, data, numbers), digest): each record file's relative
 * POSIX path, size, mtime_ns, inode and ctime_ns as columns (see columns()), sorted by the
 * bytes of the paths, and digest() of the entries, made while they are still plain C memory.
 * The folders are listed by one thread; the files are then stat'ed by up to `threads` threads
 * (a stat is most of a scan's time: the system call). digest(entries) tells one set of entries
 * from another, whatever their order (newskit.cache compares the listing with the one a cache
 * kept by it). Hidden entries (names starting with ".") are skipped; folders are walked, but
 * not symbolic links to folders; files whose name ends in .txt or .md (any case) are listed,
 * with -1 for size, mtime, inode and ctime when they cannot be stat'ed (a dangling link). A
 * folder that cannot be listed raises OSError whose filename is its path relative to root.
 *
 * read_files(paths, max_bytes) reads the record files a load parses, a list at a time without
 * the GIL (so the next files are read while the last ones are parsed), and makes each one's
 * content digest there too: BLAKE2b with a 16-byte digest (RFC 7693), as
 * hashlib.blake2b(data, digest_size=16).hexdigest() makes it.
 *
 * preallocate(fd, offset, length) allocates a range of a file about to be written (a cache
 * file), so that the writes into it need not allocate its blocks page by page.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether the name ends in .txt or .md, ignoring ASCII case. */
static int is_record_name(const char *name, size_t len) {
    if (len >= 3 && name[len - 3] == '.' && (name[len - 2] | 0x20) == 'm' &&
        (name[len - 1] | 0x20) == 'd')
        return 1;
    return len >= 4 && name[len - 4] == '.' && (name[len - 3] | 0x20) == 't' &&
           (name[len - 2] | 0x20) == 'x' && (name[len - 1] | 0x20) == 't';
}

/* What a walk found, in plain C memory (the walk runs without the GIL). */
typedef struct {
    char *names; /* relative paths, back to back */
    size_t names_len, names_cap;
    struct Found {
        size_t start, len;
        long long size, mtime, inode, ctime;
        int pending; /* to be stat'ed once the folders are listed */
    } *found;
    size_t n, cap;
    char *rel; /* relative path of the folder being listed, "/"-terminated (or empty) */
    size_t rel_len, rel_cap;
    int error;     /* errno of the first folder that could not be listed; 0 if none */
    int no_memory; /* an allocation failed */
} Scan;

/* Grow *buf (of *cap bytes) to hold at least need bytes; 0 when memory ran out. */
static int reserve(void **buf, size_t *cap, size_t need, size_t item) {
    if (need <= *cap)
        return 1;
    size_t grown = *cap ? *cap * 2 : 256;
    while (grown < need)
        grown *= 2;
    void *p = PyMem_RawRealloc(*buf, grown * item);
    if (p == NULL)
        return 0;
    *buf = p, *cap = grown;
    return 1;
}

/* The numbers of an entry from what stat() told of its file. */
static void set_numbers(struct Found *f, const struct stat *st) {
    f->size = (long long)st->st_size;
    f->inode = (long long)st->st_ino;
#ifdef __APPLE__
    f->mtime = (long long)st->st_mtimespec.tv_sec * 1000000000LL + st->st_mtimespec.tv_nsec;
    f->ctime = (long long)st->st_ctimespec.tv_sec * 1000000000LL + st->st_ctimespec.tv_nsec;
#else
    f->mtime = (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
    f->ctime = (long long)st->st_ctim.tv_sec * 1000000000LL + st->st_ctim.tv_nsec;
#endif
}

static int add(Scan *scan, const char *name, size_t len, const struct stat *st) {
    size_t total = scan->rel_len + len;
    if (!reserve((void **)&scan->names, &scan->names_cap, scan->names_len + total, 1) ||
        !reserve((void **)&scan->found, &scan->cap, scan->n + 1, sizeof(struct Found))) {
        scan->no_memory = 1;
        return -1;
    }
    memcpy(scan->names + scan->names_len, scan->rel, scan->rel_len);
    memcpy(scan->names + scan->names_len + scan->rel_len, name, len);
    struct Found *f = &scan->found[scan->n++];
    f->start = scan->names_len, f->len = total;
    f->size = f->mtime = f->inode = f->ctime = -1;
    f->pending = st == NULL;
    if (st != NULL)
        set_numbers(f, st);
    scan->names_len += total;
    return 0;
}

/* List the folder open at fd (which this closes) into scan; -1 on an error, noted in scan. */
static int walk(int fd, Scan *scan) {
    DIR *dir = fdopendir(fd);
    if (dir == NULL) {
        scan->error = errno;
        close(fd);
        return -1;
    }
    int status = 0;
    for (;;) {
        errno = 0;
        struct dirent *entry = readdir(dir);
        if (entry == NULL) {
            if (errno != 0) {
                scan->error = errno;
                status = -1;
            }
            break;
        }
        const char *name = entry->d_name;
        if (name[0] == '.')
            continue;
        size_t len = strlen(name);
        struct stat st;
        int is_dir = 0, is_link = 0, stat_ok = -1;
        if (entry->d_type == DT_DIR) {
            is_dir = 1;
        } else if (entry->d_type == DT_LNK || entry->d_type == DT_UNKNOWN) {
            if (entry->d_type == DT_UNKNOWN) {
                if (fstatat(dirfd(dir), name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                    is_link = S_ISLNK(st.st_mode);
                    is_dir = S_ISDIR(st.st_mode);
                }
            } else {
                is_link = 1;
            }
            if (is_link) { /* a link to a folder is not followed; to a file, it is */
                stat_ok = fstatat(dirfd(dir), name, &st, 0);
                if (stat_ok == 0 && S_ISDIR(st.st_mode))
                    continue;
            }
        }
        if (is_dir) {
            size_t saved = scan->rel_len;
            if (!reserve((void **)&scan->rel, &scan->rel_cap, saved + len + 1, 1)) {
                scan->no_memory = 1;
                status = -1;
                break;
            }
            memcpy(scan->rel + saved, name, len);
            scan->rel[saved + len] = '/';
            scan->rel_len = saved + len + 1;
            int sub = openat(dirfd(dir), name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (sub < 0) {
                scan->error = errno;
                status = -1;
            } else {
                status = walk(sub, scan);
            }
            if (status < 0)
                break; /* scan->rel names the folder that failed */
            scan->rel_len = saved;
            continue;
        }
        if (!is_record_name(name, len))
            continue;
        /* a file not stat'ed yet is, once every folder is listed (stat_files) */
        if (add(scan, name, len, stat_ok == 0 ? &st : NULL) < 0) {
            status = -1;
            break;
        }
    }
    closedir(dir);
    return status;
}

/* Entries stat'ed by one thread: found[from..to) of a scan, by their paths from root. */
typedef struct {
    Scan *scan;
    int root;
    size_t from, to;
    char *path; /* room for the longest relative path and its NUL */
} StatJob;

static void *stat_range(void *arg) {
    StatJob *job = arg;
    for (size_t k = job->from; k < job->to; k++) {
        struct Found *f = &job->scan->found[k];
        if (!f->pending)
            continue;
        f->pending = 0;
        memcpy(job->path, job->scan->names + f->start, f->len);
        job->path[f->len] = '\0';
        struct stat st;
        if (fstatat(job->root, job->path, &st, 0) == 0) /* else -1s: cannot be stat'ed */
            set_numbers(f, &st);
    }
    return NULL;
}

/* Below this many entries a thread of its own costs more than the stats it would make. */
#define ENTRIES_PER_THREAD 2048
#define MAX_THREADS 16

/* Stat the entries the walk left pending, in up to `threads` threads (this one among them). */
static void stat_files(Scan *scan, int root, int threads) {
    size_t longest = 0;
    for (size_t k = 0; k < scan->n; k++)
        if (scan->found[k].len > longest)
            longest = scan->found[k].len;
    size_t wanted = scan->n / ENTRIES_PER_THREAD;
    size_t count = wanted < (size_t)threads ? wanted : (size_t)threads;
    if (count < 1)
        count = 1;
    if (count > MAX_THREADS)
        count = MAX_THREADS;
    StatJob jobs[MAX_THREADS];
    pthread_t ids[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    for (size_t t = 0; t < count; t++) {
        jobs[t] = (StatJob){scan, root, scan->n * t / count, scan->n * (t + 1) / count, NULL};
        jobs[t].path = PyMem_RawMalloc(longest + 1);
        if (jobs[t].path == NULL) {
            scan->no_memory = 1;
            count = t;
            break;
        }
    }
    /* every job but the first in a thread of its own; a thread that cannot start, here */
    for (size_t t = 1; t < count; t++)
        started[t] = pthread_create(&ids[t], NULL, stat_range, &jobs[t]) == 0;
    if (count > 0)
        stat_range(&jobs[0]);
    for (size_t t = 1; t < count; t++) {
        if (started[t])
            pthread_join(ids[t], NULL);
        else
            stat_range(&jobs[t]);
    }
    for (size_t t = 0; t < count; t++)
        PyMem_RawFree(jobs[t].path);
}

/* The digest of a listing: for each entry a 128-bit hash of its relative path (UTF-8 bytes)
 * and its four numbers, summed over the entries (so the order of the entries does not matter),
 * with their count. The scan makes it of what it found; digest() of a list of entries. */
typedef struct {
    uint64_t a, b;
} Lanes;

static void feed(Lanes *h, uint64_t word) {
    h->a = (h->a ^ word) * 0x9E3779B97F4A7C15ULL;
    h->a ^= h->a >> 29;
    h->b = (h->b ^ word) * 0xC2B2AE3D27D4EB4FULL;
    h->b ^= h->b >> 31;
}

static uint64_t finish(uint64_t x) { /* splitmix64's finaliser */
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

static void add_entry(Lanes *sum, const char *name, size_t len, const long long numbers[4]) {
    Lanes h = {0x243F6A8885A308D3ULL, 0x13198A2E03707344ULL};
    feed(&h, (uint64_t)len);
    for (; len >= 8; name += 8, len -= 8) {
        uint64_t word;
        memcpy(&word, name, 8);
        feed(&h, word);
    }
    uint64_t last = 0;
    memcpy(&last, name, len);
    feed(&h, last);
    for (int k = 0; k < 4; k++)
        feed(&h, (uint64_t)numbers[k]);
    sum->a += finish(h.a);
    sum->b += finish(h.b);
}

static PyObject *digest_text(const Lanes *sum, size_t n) {
    char text[33];
    snprintf(text, sizeof text, "%016llx%016llx",
             (unsigned long long)(sum->a ^ finish((uint64_t)n)), (unsigned long long)sum->b);
    return PyUnicode_FromString(text);
}

/* The relative path of a scan entry, a (relative path, size, mtime_ns, inode, ctime_ns) tuple,
   as UTF-8 (its length in *len); NULL, with an exception set, for anything else. */
static const char *entry_name(PyObject *entry, Py_ssize_t *len) {
    if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 5) {
        PyErr_SetString(PyExc_TypeError, "an entry is not a tuple of five values");
        return NULL;
    }
    return PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(entry, 0), len);
}

/* digest(entries): the digest of a list of (relative path, size, mtime_ns, inode, ctime_ns). */
static PyObject *digest(PyObject *self, PyObject *entries) {
    (void)self;
    if (!PyList_Check(entries)) {
        PyErr_SetString(PyExc_TypeError, "digest() takes a list of entries");
        return NULL;
    }
    Lanes sum = {0, 0};
    Py_ssize_t n = PyList_GET_SIZE(entries);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *entry = PyList_GET_ITEM(entries, i);
        Py_ssize_t len;
        const char *name = entry_name(entry, &len);
        if (name == NULL)
            return NULL;
        long long numbers[4];
        for (int k = 0; k < 4; k++) {
            numbers[k] = PyLong_AsLongLong(PyTuple_GET_ITEM(entry, k + 1));
            if (numbers[k] == -1 && PyErr_Occurred())
                return NULL;
        }
        add_entry(&sum, name, (size_t)len, numbers);
    }
    return digest_text(&sum, (size_t)n);
}

/* The columns of a listing being made (see columns()): three bytearrays. */
typedef struct {
    PyObject *offsets, *data, *numbers;
    size_t n, used;
} Columns;

/* Start the columns of n entries with total bytes of names; -1 (an exception set) when
   memory ran out (finish_columns releases what was made). */
static int start_columns(Columns *c, size_t n, size_t total) {
    c->n = n, c->used = 0;
    c->offsets = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)((n + 1) * 8));
    c->data = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)total);
    c->numbers = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)(n * 4 * 8));
    if (c->offsets == NULL || c->data == NULL || c->numbers == NULL)
        return -1;
    ((int64_t *)PyByteArray_AS_STRING(c->offsets))[0] = 0;
    return 0;
}

/* Entry i: its name's bytes, and its four numbers in their columns. */
static void put_entry(Columns *c, size_t i, const char *name, size_t len,
                      const long long numbers[4]) {
    memcpy(PyByteArray_AS_STRING(c->data) + c->used, name, len);
    c->used += len;
    ((int64_t *)PyByteArray_AS_STRING(c->offsets))[i + 1] = (int64_t)c->used;
    int64_t *values = (int64_t *)PyByteArray_AS_STRING(c->numbers);
    for (int k = 0; k < 4; k++)
        values[k * c->n + i] = (int64_t)numbers[k];
}

/* (offsets, data, numbers) when ok, else NULL; this releases the columns either way. */
static PyObject *finish_columns(Columns *c, int ok) {
    PyObject *found = ok ? PyTuple_Pack(3, c->offsets, c->data, c->numbers) : NULL;
    Py_XDECREF(c->offsets);
    Py_XDECREF(c->data);
    Py_XDECREF(c->numbers);
    return found;
}

/* columns(entries): a list of (relative path, size, mtime_ns, inode, ctime_ns) as columns:
   the paths as an Arrow large_string's offsets (int64) and UTF-8 data, and the four numbers
   as int64, one column after the other. */
static PyObject *columns(PyObject *self, PyObject *entries) {
    (void)self;
    if (!PyList_Check(entries)) {
        PyErr_SetString(PyExc_TypeError, "columns() takes a list of entries");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(entries);
    size_t total = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t len;
        if (entry_name(PyList_GET_ITEM(entries, i), &len) == NULL)
            return NULL;
        total += (size_t)len;
    }
    Columns c;
    if (start_columns(&c, (size_t)n, total) < 0)
        return finish_columns(&c, 0);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *entry = PyList_GET_ITEM(entries, i);
        Py_ssize_t len;
        const char *name = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(entry, 0), &len);
        long long numbers[4];
        for (int k = 0; k < 4; k++) {
            numbers[k] = PyLong_AsLongLong(PyTuple_GET_ITEM(entry, k + 1));
            if (numbers[k] == -1 && PyErr_Occurred())
                return finish_columns(&c, 0);
        }
        put_entry(&c, (size_t)i, name, (size_t)len, numbers);
    }
    return finish_columns(&c, 1);
}

/* An entry's place in the sorted listing: by the bytes of its relative path. */
typedef struct {
    const char *name;
    size_t len, k;
} Key;

static int by_name(const void *a, const void *b) {
    const Key *x = a, *y = b;
    int c = memcmp(x->name, y->name, x->len < y->len ? x->len : y->len);
    return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

/* The order of a scan's entries by the bytes of their relative paths (for UTF-8 names, the
   order of Python's str); NULL when memory ran out. Runs without the GIL. */
static Key *sorted_keys(const Scan *scan) {
    Key *keys = PyMem_RawMalloc((scan->n ? scan->n : 1) * sizeof(Key));
    if (keys == NULL)
        return NULL;
    for (size_t k = 0; k < scan->n; k++)
        keys[k] = (Key){scan->names + scan->found[k].start, scan->found[k].len, k};
    qsort(keys, scan->n, sizeof(Key), by_name);
    return keys;
}

/* The entries in the order of keys, as columns (see columns()). */
static PyObject *results(const Scan *scan, const Key *keys) {
    Columns c;
    if (start_columns(&c, scan->n, scan->names_len) < 0)
        return finish_columns(&c, 0);
    for (size_t i = 0; i < scan->n; i++) {
        const struct Found *f = &scan->found[keys[i].k];
        const long long numbers[4] = {f->size, f->mtime, f->inode, f->ctime};
        put_entry(&c, i, scan->names + f->start, f->len, numbers);
    }
    return finish_columns(&c, 1);
}

static PyObject *scan(PyObject *module, PyObject *args) {
    (void)module;
    PyObject *path = NULL;
    int threads = 1;
    if (!PyArg_ParseTuple(args, "O&|i:scan", PyUnicode_FSConverter, &path, &threads))
        return NULL;
    Scan state = {0};
    Lanes sum = {0, 0};
    Key *keys = NULL;
    Py_BEGIN_ALLOW_THREADS
    int fd = open(PyBytes_AS_STRING(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int root = fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 0); /* walk closes fd */
    if (fd < 0 || root < 0)
        state.error = errno;
    else if (walk(fd, &state) == 0 && !state.no_memory)
        stat_files(&state, root, threads);
    if (fd >= 0 && root < 0)
        close(fd);
    if (root >= 0)
        close(root);
    for (size_t k = 0; k < state.n; k++) {
        const struct Found *f = &state.found[k];
        const long long numbers[4] = {f->size, f->mtime, f->inode, f->ctime};
        add_entry(&sum, state.names + f->start, f->len, numbers);
    }
    keys = state.error || state.no_memory ? NULL : sorted_keys(&state);
    if (keys == NULL && !state.error)
        state.no_memory = 1;
    Py_END_ALLOW_THREADS
    Py_DECREF(path);
    PyObject *found = NULL;
    if (state.no_memory) {
        PyErr_NoMemory();
    } else if (state.error) {
        /* the folder's path relative to root ("" for root) as the OSError's filename */
        PyObject *rel = PyUnicode_DecodeFSDefaultAndSize(
            state.rel, state.rel_len ? (Py_ssize_t)state.rel_len - 1 : 0);
        if (rel != NULL) {
            errno = state.error;
            PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, rel);
            Py_DECREF(rel);
        }
    } else {
        PyObject *columns = results(&state, keys);
        PyObject *text = columns != NULL ? digest_text(&sum, state.n) : NULL;
        if (text != NULL)
            found = PyTuple_Pack(2, columns, text);
        Py_XDECREF(columns);
        Py_XDECREF(text);
    }
    PyMem_RawFree(keys);
    PyMem_RawFree(state.names);
    PyMem_RawFree(state.found);
    PyMem_RawFree(state.rel);
    return found;
}

/* BLAKE2b (RFC 7693, section 3 and appendix C), unkeyed, of a whole buffer at once. */
static const uint64_t blake2b_iv[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};
static const uint8_t blake2b_sigma[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

#define ROTR64(x, n) (((x) >> (n)) | ((x) << (64 - (n))))
#define B2B_G(a, b, c, d, x, y)                                                                \
    do {                                                                                       \
        v[a] = v[a] + v[b] + (x);                                                              \
        v[d] = ROTR64(v[d] ^ v[a], 32);                                                        \
        v[c] = v[c] + v[d];                                                                    \
        v[b] = ROTR64(v[b] ^ v[c], 24);                                                        \
        v[a] = v[a] + v[b] + (y);                                                              \
        v[d] = ROTR64(v[d] ^ v[a], 16);                                                        \
        v[c] = v[c] + v[d];                                                                    \
        v[b] = ROTR64(v[b] ^ v[c], 63);                                                        \
    } while (0)

/* Mix one 128-byte block into h; `bytes` is how many bytes the message has had so far
 * (less than 2**64 here: the high word of the counter stays 0). */
static void blake2b_compress(uint64_t h[8], const unsigned char *block, uint64_t bytes,
                             int last) {
    uint64_t v[16], m[16];
    for (int i = 0; i < 8; i++) {
        v[i] = h[i];
        v[i + 8] = blake2b_iv[i];
    }
    v[12] ^= bytes;
    if (last)
        v[14] = ~v[14];
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(m, block, sizeof m); /* the words are little-endian */
#else
    for (int i = 0; i < 16; i++) {
        uint64_t word = 0;
        for (int j = 7; j >= 0; j--)
            word = (word << 8) | block[8 * i + j];
        m[i] = word;
    }
#endif
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 12 /* each round's message order a constant: about 1.4x faster */
#endif
    for (int r = 0; r < 12; r++) {
        const uint8_t *s = blake2b_sigma[r];
        B2B_G(0, 4, 8, 12, m[s[0]], m[s[1]]);
        B2B_G(1, 5, 9, 13, m[s[2]], m[s[3]]);
        B2B_G(2, 6, 10, 14, m[s[4]], m[s[5]]);
        B2B_G(3, 7, 11, 15, m[s[6]], m[s[7]]);
        B2B_G(0, 5, 10, 15, m[s[8]], m[s[9]]);
        B2B_G(1, 6, 11, 12, m[s[10]], m[s[11]]);
        B2B_G(2, 7, 8, 13, m[s[12]], m[s[13]]);
        B2B_G(3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; i++)
        h[i] ^= v[i] ^ v[i + 8];
}

#define DIGEST_BYTES 16

/* The 32 lower-case hex digits of the 16-byte BLAKE2b digest of data[0:n], into hex. */
static void blake2b_hex(const unsigned char *data, size_t n, char hex[2 * DIGEST_BYTES]) {
    uint64_t h[8];
    memcpy(h, blake2b_iv, sizeof h);
    h[0] ^= 0x01010000ULL ^ DIGEST_BYTES; /* no key, fanout and depth 1 */
    uint64_t done = 0;
    for (; n > 128; data += 128, n -= 128) /* the last block, full or not, is done below */
        blake2b_compress(h, data, done += 128, 0);
    unsigned char block[128] = {0};
    memcpy(block, data, n);
    blake2b_compress(h, block, done + n, 1);
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < DIGEST_BYTES; i++) {
        unsigned byte = (unsigned)(h[i / 8] >> (8 * (i % 8))) & 0xff;
        hex[2 * i] = digits[byte >> 4];
        hex[2 * i + 1] = digits[byte & 15];
    }
}

/* read_files(paths, max_bytes): each file's bytes and their digest (blake2b_hex), as
   files.read_bytes reads a regular file of at most max_bytes (opened without blocking, its size from fstat, read whole in one call);
   None for a file read otherwise: one that cannot be opened or stat'ed, is not a regular file,
   is too big or changed size while read. The caller reads those its own way, which tells
   why. The files are read and digested without the GIL, into one block, then made a
   (bytes, str) pair each. */
static PyObject *read_files(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *paths;
    Py_ssize_t max_bytes;
    if (!PyArg_ParseTuple(args, "O!n:read_files", &PyList_Type, &paths, &max_bytes))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(paths);
    PyObject *encoded = PyList_New(n); /* the paths as file system bytes, kept alive */
    Py_ssize_t *sizes = PyMem_RawMalloc((size_t)(n ? n : 1) * sizeof(Py_ssize_t));
    size_t *starts = PyMem_RawMalloc((size_t)(n ? n : 1) * sizeof(size_t));
    const char **names = PyMem_RawMalloc((size_t)(n ? n : 1) * sizeof(char *));
    char *hexes = PyMem_RawMalloc((size_t)(n ? n : 1) * 2 * DIGEST_BYTES);
    PyObject *found = NULL;
    char *block = NULL;
    size_t used = 0, cap = 0;
    int no_memory = 0;
    if (encoded == NULL || sizes == NULL || starts == NULL || names == NULL || hexes == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *path = PyUnicode_EncodeFSDefault(PyList_GET_ITEM(paths, i));
        if (path == NULL)
            goto done;
        PyList_SET_ITEM(encoded, i, path);
        /* a NUL inside would name another file: leave it to the caller */
        names[i] = strlen(PyBytes_AS_STRING(path)) == (size_t)PyBytes_GET_SIZE(path)
                       ? PyBytes_AS_STRING(path)
                       : NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n && !no_memory; i++) {
        sizes[i] = -1;
        if (names[i] == NULL)
            continue;
        int fd = open(names[i], O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
            continue;
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= max_bytes) {
            size_t size = (size_t)st.st_size;
            if (!reserve((void **)&block, &cap, used + size + 1, 1)) {
                no_memory = 1;
            } else {
                ssize_t got;
                do
                    got = read(fd, block + used, size + 1); /* one more: did it grow? */
                while (got < 0 && errno == EINTR);
                if (got == (ssize_t)size) {
                    sizes[i] = (Py_ssize_t)size, starts[i] = used;
                    blake2b_hex((unsigned char *)block + used, size, hexes + 2 * DIGEST_BYTES * i);
                    used += size;
                }
            }
        }
        close(fd);
    }
    Py_END_ALLOW_THREADS
    if (no_memory) {
        PyErr_NoMemory();
        goto done;
    }
    found = PyList_New(n);
    for (Py_ssize_t i = 0; found != NULL && i < n; i++) {
        PyObject *item = Py_NewRef(Py_None);
        if (sizes[i] >= 0) {
            Py_SETREF(item, NULL);
            PyObject *data = PyBytes_FromStringAndSize(block + starts[i], sizes[i]);
            PyObject *hex = PyUnicode_FromStringAndSize(hexes + 2 * DIGEST_BYTES * i,
                                                        2 * DIGEST_BYTES);
            if (data != NULL && hex != NULL)
                item = PyTuple_Pack(2, data, hex);
            Py_XDECREF(data);
            Py_XDECREF(hex);
        }
        if (item == NULL)
            Py_CLEAR(found);
        else
            PyList_SET_ITEM(found, i, item);
    }
done:
    Py_XDECREF(encoded);
    PyMem_RawFree(sizes);
    PyMem_RawFree(starts);
    PyMem_RawFree(names);
    PyMem_RawFree(hexes);
    PyMem_RawFree(block);
    return found;
}

/* preallocate(fd, offset, length): allocate bytes offset to offset + length of the open file
   fd without writing them (Linux's fallocate, mode 0: the file grows to their end when
   shorter). True when done; False where the system or the file system cannot (then nothing
   is done: no emulation by writing zeros, as glibc's posix_fallocate does, which on a
   network file system costs more than it saves); OSError when there is no room for them. */
static PyObject *preallocate(PyObject *self, PyObject *args) {
    (void)self;
    int fd;
    long long offset, length;
    if (!PyArg_ParseTuple(args, "iLL:preallocate", &fd, &offset, &length))
        return NULL;
#ifdef __linux__
    int rc, error;
    Py_BEGIN_ALLOW_THREADS
    do
        rc = fallocate(fd, 0, (off_t)offset, (off_t)length);
    while (rc != 0 && errno == EINTR);
    error = errno;
    Py_END_ALLOW_THREADS
    if (rc == 0)
        Py_RETURN_TRUE;
    if (error == ENOSPC || error == EDQUOT || error == EFBIG) {
        errno = error;
        return PyErr_SetFromErrno(PyExc_OSError);
    }
#else
    (void)fd, (void)offset, (void)length;
#endif
    Py_RETURN_FALSE;
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_VARARGS,
     "scan(root, threads=1, /)\n--\n\n((offsets, data, numbers), digest): the relative "
     "path, size, mtime_ns, inode and ctime_ns of the record files under the folder root as "
     "columns (see columns()), sorted by path bytes, and digest() of them; the files are "
     "stat'ed by up to threads threads."},
    {"columns", columns, METH_O,
     "columns(entries, /)\n--\n\n(offsets, data, numbers): the relative paths of a list of "
     "scan entries as a large_string's int64 offsets and UTF-8 bytes, and their four "
     "numbers as int64, column after column (bytearrays)."},
    {"digest", digest, METH_O,
     "digest(entries, /)\n--\n\n32 hex digits that tell one set of scan entries from "
     "another, whatever their order."},
    {"read_files", read_files, METH_VARARGS,
     "read_files(paths, max_bytes, /)\n--\n\nEach file's (bytes, digest), the bytes as "
     "files.read_bytes reads a regular file of at most max_bytes and the digest as "
     "hashlib.blake2b(bytes, digest_size=16).hexdigest() makes it, or None for a file to "
     "read otherwise (the caller then tells why); read and digested without the GIL."},
    {"preallocate", preallocate, METH_VARARGS,
     "preallocate(fd, offset, length, /)\n--\n\nAllocate bytes offset to offset + length of "
     "the open file fd without writing them (the file grows to their end when shorter): True "
     "when done, False where the system or the file system cannot (nothing is done then); "
     "OSError when there is no room."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "newskit._scan",
    "Lists the record files of a corpus folder with their sizes and change times, and reads "
    "them.", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__scan(void) { return PyModule_Create(&module); }
