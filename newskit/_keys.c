/*
 * newskit._keys: the story keys of plain titles and plain web addresses, made straight from
 * the buffers of an Arrow text column, without a Python object per value. They are what the
 * quick roads of newskit.stories._title_keys and newskit.urls._normalize_distinct make with
 * Arrow's string kernels (which stay the road where this module was not built), and the
 * differential tests hold the two equal.
 *
 * title_keys(length, offset, validity, offsets, data) and url_keys(...) take the buffers of
 * a large_string array (validity may be None; offset is the array's) and return
 * (validity, offsets, data, status): the buffers of a large_string array of the keys, and a
 * byte per value: 0 missing, 1 key made, 2 not plain (left to Python; no key). title_keys
 * adds (validity, offsets, data) of the titles' suffixes: the name key of a plain title's last
 * " - " part, missing where it has none.
 *
 * A plain title holds printable ASCII, the Latin-1 letters À-ÿ, the quotes ‘ ’ and × ÷ · – — •
 * (characters NFKC leaves as they are); no "&", "|" or "::", no "..." at its end and no
 * section name before its first ":" ("Opinion: ..."). Its key is its casefolded words (runs of
 * [a-z0-9_] and the letters; "ß" reads "ss"; quotes ' ` ‘ ’ dropped first) joined by one
 * space. A part of it after spaces, one of - · – — • and spaces is its last part (when no
 * other follows): the words of that part, without a first "the", are its suffix.
 *
 * A plain address is http(s)://host/path in printable ASCII: host labels of [A-Za-z0-9-]
 * (two or more, a final dot allowed), path segments of any printable character but space,
 * "#", "/" and "?", no empty segment but a final "/", and nothing of AMP ("ampproject", an
 * "amp" segment, an .amp, .amp.htm or .amp.html ending; any case). Its key is
 * https://host/path with the host lower-cased, without its final dot, without "www.", "m." and
 * "amp." (each in turn, when a dot remains), and without the path's final "/".
 *
 * plain_words(length, offset, offsets, data) gives the words newskit.stats._plain_words finds
 * in titles, each with the title it is of: the distinctive words' tokens, in one pass.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <string.h>

enum { MISSING = 0, MADE = 1, NOT_PLAIN = 2 };

static int is_word(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static unsigned char lower(unsigned char c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

/* Whether s[i:] starts with word (lower case), ignoring ASCII case. */
static int has_at(const unsigned char *s, Py_ssize_t len, Py_ssize_t i, const char *word) {
    Py_ssize_t k = (Py_ssize_t)strlen(word);
    if (i + k > len)
        return 0;
    for (Py_ssize_t j = 0; j < k; j++)
        if (lower(s[i + j]) != (unsigned char)word[j])
            return 0;
    return 1;
}

/* newskit.stories.SECTION_NAMES: cut from the start of a title ("Opinion: ..."); the tests
 * check that the two lists agree. */
static const char *const sections[] = {
    "opinion",   "analysis",      "editorial",       "commentary", "comment",   "exclusive",
    "breaking",  "breaking news", "update",          "updated",    "watch",     "video",
    "live",      "podcast",       "retransmission",  "re-transmission",         "correction",
    "corrected", "press release", "sponsored",       "review",     "explainer", NULL,
};

/* Whether s[start:end], spaces around it left out, is a section name, in any case. */
static int is_section(const unsigned char *s, Py_ssize_t start, Py_ssize_t end) {
    while (start < end && s[start] == ' ')
        start++;
    while (end > start && s[end - 1] == ' ')
        end--;
    for (int k = 0; sections[k]; k++)
        if ((Py_ssize_t)strlen(sections[k]) == end - start && has_at(s, end, start, sections[k]))
            return 1;
    return 0;
}

/* What a character of a plain title is to its key. */
enum { BAD, WORD, GAP, QUOTE };

/* The kind of each ASCII character in a title (set up when the module is loaded). */
static unsigned char ascii_kind[128];

static void set_ascii_kinds(void) {
    for (int c = 0; c < 128; c++)
        ascii_kind[c] = c < 0x20 || c > 0x7e        ? BAD
                        : c == '\'' || c == '`'      ? QUOTE
                        : is_word(lower((unsigned char)c)) ? WORD
                                                      : GAP;
}

/* The non-ASCII character of a plain title at s[i] (valid UTF-8; ASCII ones are read from
 * ascii_kind): its kind, its width in bytes and, for a WORD, its lower-cased bytes (casefold:
 * "ß" is "ss") in low[0..*n). Those a plain title may hold: the Latin-1 letters À-ÿ (their NFKC
 * form is themselves), the quotes ‘ ’ (dropped) and × ÷ · – — • (gaps between words). */
static int title_char(const unsigned char *s, Py_ssize_t len, Py_ssize_t i, Py_ssize_t *width,
                      unsigned char *low, int *n) {
    unsigned char c = s[i];
    *width = 1;
    if (i + 1 < len && c == 0xC2 && s[i + 1] == 0xB7) { /* · */
        *width = 2;
        return GAP;
    }
    if (i + 1 < len && c == 0xC3 && s[i + 1] >= 0x80 && s[i + 1] <= 0xBF) {
        unsigned char d = s[i + 1];
        *width = 2;
        if (d == 0x97 || d == 0xB7) /* × ÷ */
            return GAP;
        if (d == 0x9F) { /* ß */
            low[0] = low[1] = 's';
            *n = 2;
            return WORD;
        }
        low[0] = 0xC3;
        low[1] = d < 0x9F ? d + 0x20 : d; /* À-Þ: à-þ */
        *n = 2;
        return WORD;
    }
    if (i + 2 < len && c == 0xE2 && s[i + 1] == 0x80) {
        unsigned char d = s[i + 2];
        *width = 3;
        if (d == 0x98 || d == 0x99) /* ‘ ’ */
            return QUOTE;
        if (d == 0x93 || d == 0x94 || d == 0xA2) /* – — • */
            return GAP;
    }
    return BAD;
}

/* The width of the separator character (- · – — •) at s[i], or 0. */
static Py_ssize_t separator_at(const unsigned char *s, Py_ssize_t len, Py_ssize_t i) {
    if (s[i] == '-')
        return 1;
    if (i + 1 < len && s[i] == 0xC2 && s[i + 1] == 0xB7)
        return 2;
    if (i + 2 < len && s[i] == 0xE2 && s[i + 1] == 0x80 &&
        (s[i + 2] == 0x93 || s[i + 2] == 0x94 || s[i + 2] == 0xA2))
        return 3;
    return 0;
}

/* The words of s[start:end] into out, lower-cased, quotes dropped, joined by one space;
 * without a first word "the" when drop_the. Returns the bytes written. */
static Py_ssize_t words_of(const unsigned char *s, Py_ssize_t start, Py_ssize_t end,
                           unsigned char *out, int drop_the) {
    Py_ssize_t n = 0, width, word_start = 0;
    int gap = 0, words = 0, k;
    unsigned char low[2];
    for (Py_ssize_t i = start; i < end; i += width) {
        int kind;
        width = 1;
        if (s[i] < 0x80) { /* the usual character, by table */
            kind = ascii_kind[s[i]];
            if (kind == WORD && !gap && n) { /* within a word */
                out[n++] = lower(s[i]);
                continue;
            }
            low[0] = lower(s[i]);
            k = 1;
        } else
            kind = title_char(s, end, i, &width, low, &k);
        if (kind == QUOTE)
            continue;
        if (kind != WORD) {
            gap = 1;
            continue;
        }
        if (gap && n) {
            if (drop_the && words == 1 && n - word_start == 3 && !memcmp(out + word_start, "the", 3))
                n = 0; /* "the" was the first word: start again */
            else
                out[n++] = ' ';
        }
        if (gap || !n) {
            word_start = n;
            words++;
        }
        gap = 0;
        out[n++] = low[0];
        if (k == 2)
            out[n++] = low[1];
    }
    if (drop_the && words == 1 && n == 3 && !memcmp(out, "the", 3))
        n = 0;
    return n;
}

/* The key of a plain title into out (at most len bytes) and, when it has a " - " part (or
 * " · ", " – ", " — ", " • "), the name key of its last part into suffix (at most len bytes;
 * *suffix_len -1 when none). -1 when the title is not plain. */
static Py_ssize_t title_key(const unsigned char *s, Py_ssize_t len, unsigned char *out,
                            unsigned char *suffix, Py_ssize_t *suffix_len) {
    Py_ssize_t colon = -1, width;
    unsigned char low[2];
    int k;
    *suffix_len = -1;
    for (Py_ssize_t i = 0; i < len; i += width) {
        unsigned char c = s[i];
        width = 1;
        if (c >= 0x80 ? title_char(s, len, i, &width, low, &k) == BAD
                      : ascii_kind[c] == BAD || c == '&' || c == '|')
            return -1;
        if (c == ':') {
            if (i + 1 < len && s[i + 1] == ':') /* " :: " parts a title from its outlet */
                return -1;
            if (colon < 0)
                colon = i;
        }
    }
    /* a colon after a section name: the name is cut ("Watch: ..."); any other is a gap */
    if (colon >= 0 && is_section(s, 0, colon))
        return -1;
    Py_ssize_t start = 0, end = len;
    while (start < end && s[start] == ' ')
        start++;
    while (end > start && s[end - 1] == ' ')
        end--;
    if (end - start >= 3 && s[end - 1] == '.' && s[end - 2] == '.' && s[end - 3] == '.')
        return -1;
    /* the last part: after the last run of spaces, separator, run of spaces (runs matched
     * one after another: a run of spaces ending one match never starts the next) */
    Py_ssize_t last = -1, taken = start;
    for (Py_ssize_t j = start + 1; j < end; j++) {
        unsigned char c = s[j];
        if (c != '-' && c != 0xC2 && c != 0xE2)
            continue;
        Py_ssize_t sep = separator_at(s, end, j);
        if (!sep || s[j - 1] != ' ' || j - 1 < taken || j + sep >= end || s[j + sep] != ' ')
            continue;
        Py_ssize_t after = j + sep;
        while (after < end && s[after] == ' ')
            after++;
        last = taken = after;
        j = after - 1;
    }
    if (last >= 0)
        *suffix_len = words_of(s, last, end, suffix, 1);
    return words_of(s, 0, len, out, 0);
}

static int is_label(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

static int is_path(unsigned char c) {
    return c >= 0x21 && c <= 0x7e && c != '#' && c != '/' && c != '?';
}

/* Whether s[start:end] holds a dot. */
static int has_dot(const unsigned char *s, Py_ssize_t start, Py_ssize_t end) {
    return memchr(s + start, '.', (size_t)(end - start)) != NULL;
}

/* The key of a plain address into out (at most len + 1 bytes); -1 when it is not plain. */
static Py_ssize_t url_key(const unsigned char *s, Py_ssize_t len, unsigned char *out,
                          unsigned char *suffix, Py_ssize_t *suffix_len) {
    (void)suffix;
    *suffix_len = -1;
    Py_ssize_t i;
    if (has_at(s, len, 0, "https://"))
        i = 8;
    else if (has_at(s, len, 0, "http://"))
        i = 7;
    else
        return -1;
    /* host: label (. label)+ .? */
    Py_ssize_t host = i, labels = 0;
    while (1) {
        Py_ssize_t start = i;
        while (i < len && is_label(s[i]))
            i++;
        if (i == start)
            break; /* an empty label: only after a final dot */
        labels++;
        if (i < len && s[i] == '.')
            i++;
        else
            break;
    }
    Py_ssize_t host_end = i; /* the final dot included, if any */
    if (labels < 2)
        return -1;
    if (i < len && s[i] != '/')
        return -1;
    /* path: (/ segment)* /? */
    Py_ssize_t path = i;
    while (i < len) {
        i++; /* the "/" */
        Py_ssize_t start = i;
        while (i < len && is_path(s[i]))
            i++;
        if (i == len)
            break;
        if (s[i] != '/' || i == start)
            return -1;
    }
    /* nothing of AMP, in any case */
    for (Py_ssize_t j = 0; j < len; j++) {
        if ((s[j] | 0x20) != 'a' && s[j] != '/')
            continue;
        if (has_at(s, len, j, "ampproject"))
            return -1;
        if (s[j] == '/' && has_at(s, len, j + 1, "amp") && (j + 4 == len || s[j + 4] == '/'))
            return -1;
    }
    Py_ssize_t end = len;
    if (end > 0 && s[end - 1] == '/')
        end--;
    if (end >= 4 && has_at(s, end, end - 4, ".amp"))
        return -1;
    if (end >= 8 && has_at(s, end, end - 8, ".amp.htm"))
        return -1;
    if (end >= 9 && has_at(s, end, end - 9, ".amp.html"))
        return -1;
    /* the key */
    Py_ssize_t h0 = host, h1 = host_end;
    while (h1 > h0 && s[h1 - 1] == '.')
        h1--;
    static const char *prefixes[] = {"www.", "m.", "amp."};
    for (int p = 0; p < 3; p++) {
        Py_ssize_t k = (Py_ssize_t)strlen(prefixes[p]);
        if (h1 - h0 > k && has_at(s, h1, h0, prefixes[p]) && has_dot(s, h0 + k, h1))
            h0 += k;
    }
    memcpy(out, "https://", 8);
    Py_ssize_t n = 8;
    for (Py_ssize_t j = h0; j < h1; j++)
        out[n++] = lower(s[j]);
    Py_ssize_t path_end = len;
    if (path_end > path && s[path_end - 1] == '/')
        path_end--;
    memcpy(out + n, s + path, (size_t)(path_end - path));
    return n + (path_end - path);
}

typedef Py_ssize_t (*key_fn)(const unsigned char *, Py_ssize_t, unsigned char *, unsigned char *,
                              Py_ssize_t *);

/* The keys of an Arrow large_string array's values (see the module), and with_suffix: the
 * name keys of the titles' last parts. */
static PyObject *make_keys(PyObject *args, key_fn key, Py_ssize_t extra, int with_suffix) {
    Py_ssize_t length, offset;
    PyObject *validity_obj;
    Py_buffer offsets, data = {0}, validity = {0};
    PyObject *data_obj;
    if (!PyArg_ParseTuple(args, "nnOy*O", &length, &offset, &validity_obj, &offsets, &data_obj))
        return NULL;
    PyObject *result = NULL, *out[7] = {NULL};
    if (length < 0 || offset < 0 || offsets.len < (Py_ssize_t)((offset + length + 1) * 8)) {
        PyErr_SetString(PyExc_ValueError, "offsets buffer too short");
        goto done;
    }
    if (data_obj != Py_None && PyObject_GetBuffer(data_obj, &data, PyBUF_SIMPLE) < 0)
        goto done;
    if (validity_obj != Py_None) {
        if (PyObject_GetBuffer(validity_obj, &validity, PyBUF_SIMPLE) < 0)
            goto done;
        if (validity.len < (offset + length + 7) / 8) {
            PyErr_SetString(PyExc_ValueError, "validity buffer too short");
            goto done;
        }
    }
    const int64_t *in_offsets = (const int64_t *)offsets.buf + offset;
    const unsigned char *in = data.buf;
    int64_t first = in_offsets[0], last = in_offsets[length];
    if (first < 0 || last < first || (length && last > data.len)) {
        PyErr_SetString(PyExc_ValueError, "offsets out of the data buffer");
        goto done;
    }
    Py_ssize_t cap = (Py_ssize_t)(last - first) + extra * length;
    /* keys: validity, offsets, data; status; suffixes: validity, offsets, data */
    int outputs = with_suffix ? 7 : 4;
    Py_ssize_t bytes = (length + 7) / 8, places = (length + 1) * 8;
    Py_ssize_t sizes[7] = {bytes, places, cap, length, bytes, places, (Py_ssize_t)(last - first)};
    for (int k = 0; k < outputs; k++)
        if ((out[k] = PyBytes_FromStringAndSize(NULL, sizes[k])) == NULL)
            goto done;
    unsigned char *valid_bits = (unsigned char *)PyBytes_AS_STRING(out[0]);
    int64_t *keys_at = (int64_t *)PyBytes_AS_STRING(out[1]);
    unsigned char *keys = (unsigned char *)PyBytes_AS_STRING(out[2]);
    unsigned char *state = (unsigned char *)PyBytes_AS_STRING(out[3]);
    unsigned char *suffix_bits = with_suffix ? (unsigned char *)PyBytes_AS_STRING(out[4]) : NULL;
    int64_t *suffixes_at = with_suffix ? (int64_t *)PyBytes_AS_STRING(out[5]) : NULL;
    unsigned char *suffixes = with_suffix ? (unsigned char *)PyBytes_AS_STRING(out[6]) : NULL;
    const unsigned char *bits = validity.buf;
    memset(valid_bits, 0, (size_t)bytes);
    if (with_suffix)
        memset(suffix_bits, 0, (size_t)bytes);
    int64_t n = 0, m = 0;
    Py_BEGIN_ALLOW_THREADS;
    for (Py_ssize_t i = 0; i < length; i++) {
        keys_at[i] = n;
        if (with_suffix)
            suffixes_at[i] = m;
        Py_ssize_t at = offset + i, suffix_len;
        if (bits && !(bits[at >> 3] >> (at & 7) & 1)) {
            state[i] = MISSING;
            continue;
        }
        Py_ssize_t made = key(in + in_offsets[i], (Py_ssize_t)(in_offsets[i + 1] - in_offsets[i]),
                              keys + n, with_suffix ? suffixes + m : NULL, &suffix_len);
        if (made < 0) {
            state[i] = NOT_PLAIN;
            continue;
        }
        state[i] = MADE;
        valid_bits[i >> 3] |= (unsigned char)(1 << (i & 7));
        n += made;
        if (with_suffix && suffix_len >= 0) {
            suffix_bits[i >> 3] |= (unsigned char)(1 << (i & 7));
            m += suffix_len;
        }
    }
    keys_at[length] = n;
    if (with_suffix)
        suffixes_at[length] = m;
    Py_END_ALLOW_THREADS;
    if (_PyBytes_Resize(&out[2], (Py_ssize_t)n) < 0)
        goto done;
    if (with_suffix && _PyBytes_Resize(&out[6], (Py_ssize_t)m) < 0)
        goto done;
    result = PyTuple_New(outputs);
    if (result == NULL)
        goto done;
    for (int k = 0; k < outputs; k++) {
        PyTuple_SET_ITEM(result, k, out[k]);
        out[k] = NULL;
    }
done:
    for (int k = 0; k < 7; k++)
        Py_XDECREF(out[k]);
    PyBuffer_Release(&offsets);
    if (data.obj)
        PyBuffer_Release(&data);
    if (validity.obj)
        PyBuffer_Release(&validity);
    return result;
}

static inline uint64_t mix64(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t hash_bytes(const unsigned char *s, int64_t n) {
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t word;
        memcpy(&word, s, 8);
        h = mix64(h ^ word);
        s += 8;
        n -= 8;
    }
    uint64_t tail = 0;
    memcpy(&tail, s, (size_t)n);
    return mix64(h ^ tail ^ ((uint64_t)n << 56));
}

/* The buffers of an Arrow large_string or large_binary array passed as (length, offset,
   offsets, data): its offsets checked against the data. */
typedef struct {
    Py_ssize_t length;
    const int64_t *at; /* the array's offsets, from its offset on */
    const unsigned char *bytes;
    Py_buffer offsets, data;
} text_buffers;

/* 0, or -1 with an exception set and nothing held. */
static int take_text_buffers(PyObject *args, text_buffers *t) {
    Py_ssize_t offset;
    PyObject *data_obj;
    memset(&t->data, 0, sizeof t->data);
    if (!PyArg_ParseTuple(args, "nny*O", &t->length, &offset, &t->offsets, &data_obj))
        return -1;
    if (t->length < 0 || offset < 0 ||
        t->offsets.len < (Py_ssize_t)((offset + t->length + 1) * 8)) {
        PyErr_SetString(PyExc_ValueError, "offsets buffer too short");
        goto failed;
    }
    if (data_obj != Py_None && PyObject_GetBuffer(data_obj, &t->data, PyBUF_SIMPLE) < 0)
        goto failed;
    t->at = (const int64_t *)t->offsets.buf + offset;
    t->bytes = t->data.buf;
    if (t->length &&
        (t->at[0] < 0 || t->at[t->length] < t->at[0] || t->at[t->length] > t->data.len)) {
        PyErr_SetString(PyExc_ValueError, "offsets out of the data buffer");
        goto failed;
    }
    return 0;
failed:
    PyBuffer_Release(&t->offsets);
    if (t->data.obj)
        PyBuffer_Release(&t->data);
    return -1;
}

static void release_text_buffers(text_buffers *t) {
    PyBuffer_Release(&t->offsets);
    if (t->data.obj)
        PyBuffer_Release(&t->data);
}

/* hashes(length, offset, offsets, data): a 64-bit hash of each value of an Arrow large_string
   or large_binary array (nulls included: the caller masks them), as bytes of uint64. */
static PyObject *hashes(PyObject *self, PyObject *args) {
    (void)self;
    text_buffers t;
    if (take_text_buffers(args, &t) < 0)
        return NULL;
    PyObject *out = PyBytes_FromStringAndSize(NULL, t.length * 8);
    if (out != NULL) {
        uint64_t *found = (uint64_t *)PyBytes_AS_STRING(out);
        Py_BEGIN_ALLOW_THREADS;
        for (Py_ssize_t i = 0; i < t.length; i++) {
            int64_t n = t.at[i + 1] - t.at[i];
            found[i] = n > 0 ? hash_bytes(t.bytes + t.at[i], n)
                             : hash_bytes((const unsigned char *)"", 0);
        }
        Py_END_ALLOW_THREADS;
    }
    release_text_buffers(&t);
    return out;
}

/* A byte of a plain title's word (newskit.stats._plain_words, on the bytes of titles whose
   separators are spaces): an ASCII letter, or either byte of a Latin-1 letter (0xC3 and the
   byte after it). */
static int word_byte(const unsigned char *s, Py_ssize_t start, Py_ssize_t i) {
    unsigned char c = s[i];
    return (unsigned char)((c | 32) - 'a') < 26 || c == 0xC3 || (i > start && s[i - 1] == 0xC3);
}

/* plain_words(length, offset, offsets, data): the words of plain titles, lower-cased, in
   order, as (title, offsets, data): the title (0 to length - 1) of each word as bytes of
   int64, and the offsets and bytes of a large_string array of the words. A word is a run of
   word bytes and of apostrophes that each stand between two word bytes; ASCII letters and the
   second bytes of À-Þ (0x80-0x9E) get the case bit. */
static PyObject *plain_words(PyObject *self, PyObject *args) {
    (void)self;
    text_buffers tb;
    PyObject *title = NULL, *ends = NULL, *bytes = NULL, *result = NULL;
    if (take_text_buffers(args, &tb) < 0)
        return NULL;
    Py_ssize_t length = tb.length;
    const int64_t *at = tb.at;
    for (Py_ssize_t t = 0; t < length; t++) {
        if (at[t + 1] < at[t]) {
            PyErr_SetString(PyExc_ValueError, "offsets not in order");
            goto done;
        }
    }
    const unsigned char *s = tb.bytes;
    /* first the number of words and of their bytes, then the words */
    Py_ssize_t n_words = 0, n_bytes = 0;
    for (int pass = 0; pass < 2; pass++) {
        int64_t *word_title = pass ? (int64_t *)PyBytes_AS_STRING(title) : NULL;
        int64_t *word_end = pass ? (int64_t *)PyBytes_AS_STRING(ends) : NULL;
        unsigned char *out = pass ? (unsigned char *)PyBytes_AS_STRING(bytes) : NULL;
        Py_ssize_t w = 0, b = 0;
        if (pass)
            word_end[0] = 0;
        for (Py_ssize_t t = 0; t < length; t++) {
            Py_ssize_t start = at[t], end = at[t + 1];
            int in_word = 0;
            for (Py_ssize_t i = start; i < end; i++) {
                unsigned char c = s[i];
                int inner = word_byte(s, start, i) ||
                            (c == '\'' && i > start && i + 1 < end && word_byte(s, start, i - 1) &&
                             word_byte(s, start, i + 1));
                if (!inner) {
                    if (in_word && pass)
                        word_end[w] = b;
                    in_word = 0;
                    continue;
                }
                if (!in_word) {
                    if (pass)
                        word_title[w] = t;
                    w++;
                    in_word = 1;
                }
                if (pass) {
                    int second = i > start && s[i - 1] == 0xC3;
                    int letter = (unsigned char)((c | 32) - 'a') < 26;
                    out[b] = (letter || (second && c < 0x9F)) ? (c | 32) : c;
                }
                b++;
            }
            if (in_word && pass)
                word_end[w] = b;
        }
        if (!pass) {
            n_words = w;
            n_bytes = b;
            title = PyBytes_FromStringAndSize(NULL, n_words * 8);
            ends = PyBytes_FromStringAndSize(NULL, (n_words + 1) * 8);
            bytes = PyBytes_FromStringAndSize(NULL, n_bytes);
            if (title == NULL || ends == NULL || bytes == NULL)
                goto done;
        }
    }
    result = PyTuple_Pack(3, title, ends, bytes);
done:
    Py_XDECREF(title);
    Py_XDECREF(ends);
    Py_XDECREF(bytes);
    release_text_buffers(&tb);
    return result;
}

static PyObject *title_keys(PyObject *self, PyObject *args) { return make_keys(args, title_key, 0, 1); }

static PyObject *url_keys(PyObject *self, PyObject *args) { return make_keys(args, url_key, 1, 0); }

static PyMethodDef methods[] = {
    {"title_keys", title_keys, METH_VARARGS, "The keys of plain titles (see the module)."},
    {"url_keys", url_keys, METH_VARARGS, "The keys of plain web addresses (see the module)."},
    {"hashes", hashes, METH_VARARGS, "A 64-bit hash of each value of a text or binary array."},
    {"plain_words", plain_words, METH_VARARGS, "The words of plain titles (see the function)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "newskit._keys",
                                    "Story keys of plain titles and addresses.", -1, methods};

PyMODINIT_FUNC PyInit__keys(void) {
    set_ascii_kinds();
    return PyModule_Create(&module);
}
