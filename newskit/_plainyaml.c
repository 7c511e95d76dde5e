/*
 * newskit._plainyaml: reads the plain subset of YAML that news-record front matter is written
 * in, to the Python values PyYAML's safe loader gives, several times faster than yaml-rs.
 *
 * load(text) returns a dict, or None for any document outside the subset; the caller then
 * parses it with yaml-rs or PyYAML, so None is never wrong, only slower. The subset is a part
 * of what newskit.parse.is_plain_yaml accepts, one line at a time:
 *
 *   - blank lines; "key: value", "key:", "- value" and "- key: value" lines; indentation of
 *     at most 40 spaces; no tabs, comments, tags, anchors, aliases, flow collections, block
 *     scalars or continuation lines;
 *   - keys: [A-Za-z_][A-Za-z0-9_]*, not a YAML 1.1 boolean or null word;
 *   - values: double-quoted strings with the escapes \" \\ \/ \n \r \t \b \f \0 \uXXXX (no
 *     surrogates), single-quoted strings, ISO 8601 timestamps with a time zone and a valid
 *     day, decimal integers of at most 18 digits, true, false, null, ~, and plain text that
 *     starts with a letter and holds no indicator PyYAML would read differently;
 *   - structure: a mapping at column 0; a key with no value followed by a more indented
 *     block, or by a "- " sequence at the key's own column; sequence items that are values or
 *     mappings starting on the dash line. Anything else, such as an indentation PyYAML would
 *     reject, gives None.
 *
 * Every byte read is bounds-checked against the end of the text; nesting is at most about 80
 * levels deep (indentation is capped), so the recursion is bounded; a text of more than
 * 100,000 lines is declined, which bounds the memory a hostile file can make it take.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <datetime.h>
#include <string.h>

#define MAX_INDENT 40
#define MAX_LINES 100000 /* bounds the memory a hostile file can ask for */

enum { K_ENTRY, K_DASH_VALUE, K_DASH_ENTRY };
enum { V_NONE, V_DOUBLE, V_SINGLE, V_STAMP, V_INT, V_TRUE, V_FALSE, V_NULL, V_TEXT };

typedef struct {
    int kind;
    Py_ssize_t indent; /* column of the first character that is not a space */
    Py_ssize_t col;    /* entries: column of the key */
    const char *key;
    Py_ssize_t key_len;
    int vkind;
    const char *val;
    Py_ssize_t val_len;
} Line;

typedef struct {
    Line *lines;
    Py_ssize_t n;
    Py_ssize_t i;
} Parser;

/* Marks "outside the subset" (as opposed to NULL with an exception set). */
static PyObject REFUSED_OBJECT;
#define REFUSED (&REFUSED_OBJECT)

/* --- characters --------------------------------------------------------------------------- */

/* The code point of the UTF-8 sequence at p (the text is valid UTF-8), and its length. */
static Py_UCS4 next_char(const char *p, const char *end, int *len) {
    const unsigned char *u = (const unsigned char *)p;
    Py_ssize_t left = end - p;
    if (u[0] < 0x80) {
        *len = 1;
        return u[0];
    }
    if ((u[0] & 0xE0) == 0xC0 && left >= 2) {
        *len = 2;
        return ((Py_UCS4)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
    }
    if ((u[0] & 0xF0) == 0xE0 && left >= 3) {
        *len = 3;
        return ((Py_UCS4)(u[0] & 0x0F) << 12) | ((Py_UCS4)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
    }
    if ((u[0] & 0xF8) == 0xF0 && left >= 4) {
        *len = 4;
        return ((Py_UCS4)(u[0] & 0x07) << 18) | ((Py_UCS4)(u[1] & 0x3F) << 12) |
               ((Py_UCS4)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
    }
    *len = 0; /* cannot happen for valid UTF-8 */
    return 0;
}

/* Non-ASCII characters both parsers read alike: printable, no line or paragraph separators,
   byte-order marks or non-characters. */
static int is_wide(Py_UCS4 c) {
    return (c >= 0xA0 && c <= 0x2027) || (c >= 0x202A && c <= 0xD7FF) ||
           (c >= 0xE000 && c <= 0xFEFE) || (c >= 0xFF00 && c <= 0xFFFD) ||
           (c >= 0x10000 && c <= 0x10FFFF);
}

/* ASCII bytes that stand for themselves inside double-quoted strings, single-quoted strings
   and plain text (filled in by init_tables). */
static unsigned char DOUBLE_OK[128], SINGLE_OK[128], TEXT_OK[128];

static void init_tables(void) {
    for (int c = 0x20; c < 0x7F; c++) {
        DOUBLE_OK[c] = c != '"' && c != '\\';
        SINGLE_OK[c] = c != '\'';
        TEXT_OK[c] = !strchr("#,:[]{}", c);
    }
}

static int is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Whether p..end holds only spaces. */
static int only_spaces(const char *p, const char *end) {
    while (p < end && *p == ' ')
        p++;
    return p == end;
}

/* Whether [p, p+len) equals one of the NULL-terminated words, ignoring ASCII case. */
static int is_word_ci(const char *p, Py_ssize_t len, const char *const *words) {
    if (len == 0 || len > 8 || !strchr("ynotfi", p[0] | 0x20)) /* none of the words */
        return 0;
    for (; *words; words++) {
        Py_ssize_t n = (Py_ssize_t)strlen(*words);
        if (n != len)
            continue;
        Py_ssize_t k = 0;
        while (k < n && (p[k] | 0x20) == (*words)[k])
            k++;
        if (k == n)
            return 1;
    }
    return 0;
}

static const char *const KEY_WORDS[] = {"yes", "no", "on", "off", "true", "false",
                                        "null", "y", "n", NULL};
static const char *const TEXT_WORDS[] = {"yes", "no", "on", "off", "true", "false", "null",
                                         "y", "n", "inf", "infinity", "nan", NULL};

/* --- scalars: where each ends, or NULL --------------------------------------------------- */

/* Past one character inside quotes: a wide character, or a run of the ASCII characters ok
   allows; NULL at any other. */
static const char *skip_chars(const char *p, const char *end, const unsigned char *ok) {
    unsigned char c = (unsigned char)*p;
    if (c >= 0x80) {
        int len;
        Py_UCS4 u = next_char(p, end, &len);
        return len && is_wide(u) ? p + len : NULL;
    }
    if (!ok[c])
        return NULL;
    for (p++; p < end && (unsigned char)*p < 0x80 && ok[(unsigned char)*p];)
        p++;
    return p;
}

static const char *scan_double(const char *p, const char *end) {
    p++; /* the opening quote */
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            return p + 1;
        if (c == '\\') {
            if (p + 1 >= end)
                return NULL;
            char e = p[1];
            if (strchr("\"\\/nrtbf0", e) && e != '\0') {
                p += 2;
            } else if (e == 'u') {
                if (end - p < 6 || !is_hex(p[2]) || !is_hex(p[3]) || !is_hex(p[4]) ||
                    !is_hex(p[5]))
                    return NULL;
                if ((p[2] == 'd' || p[2] == 'D') && strchr("89abcdefABCDEF", p[3]))
                    return NULL; /* a surrogate */
                p += 6;
            } else {
                return NULL;
            }
        } else if ((p = skip_chars(p, end, DOUBLE_OK)) == NULL) {
            return NULL;
        }
    }
    return NULL;
}

static const char *scan_single(const char *p, const char *end) {
    p++;
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c == '\'') {
            if (p + 1 < end && p[1] == '\'') {
                p += 2;
                continue;
            }
            return p + 1;
        }
        if ((p = skip_chars(p, end, SINGLE_OK)) == NULL)
            return NULL;
    }
    return NULL;
}

static int two_digits(const char *p, int *out) {
    if (!is_digit(p[0]) || !is_digit(p[1]))
        return 0;
    *out = (p[0] - '0') * 10 + (p[1] - '0');
    return 1;
}

/* 2021-04-12T13:30:00(.ffffff)?(Z|+hh:mm|-hh:mm) with a day that exists. */
static const char *scan_stamp(const char *p, const char *end) {
    int year, month, day, hour, minute, second, tzh, tzm;
    if (end - p < 20 || !is_digit(p[0]) || !is_digit(p[1]) || !is_digit(p[2]) ||
        !is_digit(p[3]) || p[4] != '-' || !two_digits(p + 5, &month) || p[7] != '-' ||
        !two_digits(p + 8, &day) || p[10] != 'T' || !two_digits(p + 11, &hour) ||
        p[13] != ':' || !two_digits(p + 14, &minute) || p[16] != ':' ||
        !two_digits(p + 17, &second))
        return NULL;
    year = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
    if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 ||
        second > 59)
        return NULL;
    if (day > 28) { /* as is_plain_yaml: never February 29th */
        if (month == 2)
            return NULL;
        if (day == 31 && !(month == 1 || month == 3 || month == 5 || month == 7 ||
                           month == 8 || month == 10 || month == 12))
            return NULL;
        if (day > 31)
            return NULL;
    }
    p += 19;
    if (p < end && *p == '.') {
        const char *digits = ++p;
        while (p < end && is_digit(*p) && p - digits < 6)
            p++;
        if (p == digits || (p < end && is_digit(*p)))
            return NULL;
    }
    if (p < end && *p == 'Z')
        return p + 1;
    if (end - p >= 6 && (*p == '+' || *p == '-') && two_digits(p + 1, &tzh) && p[3] == ':' &&
        two_digits(p + 4, &tzm) && tzh <= 23 && tzm <= 59)
        return p + 6;
    return NULL;
}

static const char *scan_int(const char *p, const char *end) {
    if (p < end && *p == '-')
        p++;
    if (p >= end || !is_digit(*p))
        return NULL;
    if (*p == '0')
        return p + 1;
    const char *start = p;
    while (p < end && is_digit(*p) && p - start < 18)
        p++;
    return p;
}

/* Plain text: a letter, then characters other than # , : [ ] { }, a ":" followed by an ASCII
   character that is not a space, a "#" after an ASCII character that is not a space. */
static const char *scan_text(const char *p, const char *end) {
    if (p >= end || !is_alpha(*p))
        return NULL;
    const char *start = p;
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x80) {
            int len;
            Py_UCS4 u = next_char(p, end, &len);
            if (!len || !is_wide(u))
                break;
            p += len;
        } else if (c == ':') {
            if (p + 1 < end && p[1] > ' ' && p[1] < 0x7F)
                p++;
            else
                break;
        } else if (c == '#') {
            if (p > start && p[-1] > ' ' && p[-1] < 0x7F)
                p++;
            else
                break;
        } else if (TEXT_OK[c]) {
            p++;
            while (p < end && (unsigned char)*p < 0x80 && TEXT_OK[(unsigned char)*p])
                p++;
        } else {
            break;
        }
    }
    return p;
}

/* Classify the value at p, which must run to end (the end of its line) but for spaces. */
static int scan_value(const char *p, const char *end, int *vkind, Py_ssize_t *len) {
    const char *stop = NULL;
    int kind;
    if (*p == '"') {
        stop = scan_double(p, end), kind = V_DOUBLE;
    } else if (*p == '\'') {
        stop = scan_single(p, end), kind = V_SINGLE;
    } else if (is_digit(*p) && (stop = scan_stamp(p, end)) != NULL) {
        kind = V_STAMP;
    } else if (is_digit(*p) || *p == '-') {
        stop = scan_int(p, end), kind = V_INT;
    } else if (end - p >= 4 && memcmp(p, "true", 4) == 0) {
        stop = p + 4, kind = V_TRUE;
    } else if (end - p >= 5 && memcmp(p, "false", 5) == 0) {
        stop = p + 5, kind = V_FALSE;
    } else if (end - p >= 4 && memcmp(p, "null", 4) == 0) {
        stop = p + 4, kind = V_NULL;
    } else if (*p == '~') {
        stop = p + 1, kind = V_NULL;
    } else {
        stop = scan_text(p, end), kind = V_TEXT;
        if (stop != NULL) {
            while (stop > p && stop[-1] == ' ')
                stop--;
            if (is_word_ci(p, stop - p, TEXT_WORDS))
                return 0;
        }
    }
    if (stop == NULL || !only_spaces(stop, end))
        return 0;
    *vkind = kind;
    *len = stop - p;
    return 1;
}

/* "key:" or "key: value" from p to end; fills the key and value of line. */
static int scan_entry(const char *p, const char *end, Line *line) {
    const char *key = p;
    if (p >= end || !(is_alpha(*p) || *p == '_'))
        return 0;
    while (p < end && (is_alpha(*p) || is_digit(*p) || *p == '_'))
        p++;
    if (p >= end || *p != ':' || is_word_ci(key, p - key, KEY_WORDS))
        return 0;
    line->key = key;
    line->key_len = p - key;
    p++;
    if (only_spaces(p, end)) {
        line->vkind = V_NONE;
        return 1;
    }
    if (*p != ' ')
        return 0;
    while (p < end && *p == ' ')
        p++;
    line->val = p;
    return scan_value(p, end, &line->vkind, &line->val_len);
}

/* One line: 1 and filled in, 0 for a blank line, -1 outside the subset. */
static int scan_line(const char *p, const char *end, Line *line) {
    const char *start = p;
    while (p < end && *p == ' ')
        p++;
    if (p == end)
        return 0;
    line->indent = p - start;
    if (line->indent > MAX_INDENT)
        return -1;
    if (*p == '-') {
        const char *q = p + 1;
        if (q >= end || *q != ' ')
            return -1;
        while (q < end && *q == ' ')
            q++;
        if (q == end)
            return -1; /* an empty item: left to the other parsers */
        line->col = q - start;
        if (scan_entry(q, end, line)) {
            line->kind = K_DASH_ENTRY;
            return 1;
        }
        line->key = NULL;
        line->val = q;
        if (!scan_value(q, end, &line->vkind, &line->val_len))
            return -1;
        line->kind = K_DASH_VALUE;
        return 1;
    }
    line->col = line->indent;
    line->kind = K_ENTRY;
    return scan_entry(p, end, line) ? 1 : -1;
}

/* --- values -------------------------------------------------------------------------------- */

static int put_utf8(char *out, Py_UCS4 c) {
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    out[0] = (char)(0xE0 | (c >> 12));
    out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[2] = (char)(0x80 | (c & 0x3F));
    return 3;
}

static int hex_value(char c) {
    return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* The text between the quotes, unescaped. */
static PyObject *quoted(const char *p, Py_ssize_t len, int kind) {
    const char *body = p + 1, *end = p + len - 1;
    if (!memchr(body, kind == V_DOUBLE ? '\\' : '\'', end - body))
        return PyUnicode_DecodeUTF8(body, end - body, "strict");
    char *buf = PyMem_Malloc(end - body + 1);
    if (buf == NULL)
        return PyErr_NoMemory();
    Py_ssize_t n = 0;
    for (const char *q = body; q < end;) {
        if (kind == V_SINGLE) {
            buf[n++] = *q;
            q += (*q == '\'') ? 2 : 1;
            continue;
        }
        if (*q != '\\') {
            buf[n++] = *q++;
            continue;
        }
        switch (q[1]) {
        case 'n': buf[n++] = '\n'; break;
        case 'r': buf[n++] = '\r'; break;
        case 't': buf[n++] = '\t'; break;
        case 'b': buf[n++] = '\b'; break;
        case 'f': buf[n++] = '\f'; break;
        case '0': buf[n++] = '\0'; break;
        case 'u': {
            Py_UCS4 c = (Py_UCS4)((hex_value(q[2]) << 12) | (hex_value(q[3]) << 8) |
                                  (hex_value(q[4]) << 4) | hex_value(q[5]));
            n += put_utf8(buf + n, c);
            q += 6;
            continue;
        }
        default: buf[n++] = q[1]; /* " \ / */
        }
        q += 2;
    }
    PyObject *text = PyUnicode_DecodeUTF8(buf, n, "strict");
    PyMem_Free(buf);
    return text;
}

static PyObject *timestamp(const char *p, Py_ssize_t len) {
#define D(k) (p[k] - '0')
    int year = D(0) * 1000 + D(1) * 100 + D(2) * 10 + D(3);
    int month = D(5) * 10 + D(6), day = D(8) * 10 + D(9);
    int hour = D(11) * 10 + D(12), minute = D(14) * 10 + D(15), second = D(17) * 10 + D(18);
    int micro = 0, k = 19;
    if (p[k] == '.') { /* as PyYAML: the first six digits, padded with zeros */
        int digits = 0;
        for (k++; k < len && is_digit(p[k]); k++, digits++)
            micro = micro * 10 + D(k);
        for (; digits < 6; digits++)
            micro *= 10;
    }
    PyObject *tz;
    if (p[k] == 'Z') {
        tz = Py_NewRef(PyDateTime_TimeZone_UTC);
    } else {
        int offset = (D(k + 1) * 10 + D(k + 2)) * 3600 + (D(k + 4) * 10 + D(k + 5)) * 60;
        PyObject *delta = PyDelta_FromDSU(0, p[k] == '-' ? -offset : offset, 0);
        if (delta == NULL)
            return NULL;
        tz = PyTimeZone_FromOffset(delta);
        Py_DECREF(delta);
        if (tz == NULL)
            return NULL;
    }
#undef D
    PyObject *value = PyDateTimeAPI->DateTime_FromDateAndTime(
        year, month, day, hour, minute, second, micro, tz, PyDateTimeAPI->DateTimeType);
    Py_DECREF(tz);
    return value;
}

static PyObject *scalar(const Line *line) {
    const char *p = line->val;
    Py_ssize_t len = line->val_len;
    switch (line->vkind) {
    case V_DOUBLE:
    case V_SINGLE: return quoted(p, len, line->vkind);
    case V_STAMP: return timestamp(p, len);
    case V_INT: {
        long long value = 0;
        int negative = p[0] == '-';
        for (Py_ssize_t k = negative; k < len; k++)
            value = value * 10 + (p[k] - '0');
        return PyLong_FromLongLong(negative ? -value : value);
    }
    case V_TRUE: Py_RETURN_TRUE;
    case V_FALSE: Py_RETURN_FALSE;
    case V_NULL: Py_RETURN_NONE;
    case V_TEXT: return PyUnicode_DecodeUTF8(p, len, "strict");
    default: Py_RETURN_NONE; /* V_NONE: "key:" with nothing after it */
    }
}

/* Keys repeat from one record to the next: the last key seen in each of these slots is reused,
   its hash already computed. Keys are ASCII, so a str's data are its bytes. */
#define KEY_SLOTS 64
static PyObject *key_cache[KEY_SLOTS];

static PyObject *key_object(const char *p, Py_ssize_t len) {
    size_t h = (size_t)len;
    for (Py_ssize_t k = 0; k < len; k++)
        h = h * 31 + (unsigned char)p[k];
    PyObject **slot = &key_cache[h % KEY_SLOTS];
    if (*slot != NULL && PyUnicode_GET_LENGTH(*slot) == len &&
        memcmp(PyUnicode_DATA(*slot), p, len) == 0)
        return Py_NewRef(*slot);
    PyObject *key = PyUnicode_FromStringAndSize(p, len);
    if (key == NULL)
        return NULL;
    Py_XSETREF(*slot, Py_NewRef(key));
    return key;
}

/* --- structure ----------------------------------------------------------------------------- */

static PyObject *parse_node(Parser *ps);

static PyObject *parse_sequence(Parser *ps, Py_ssize_t col);

/* A mapping whose keys are at column col; its first entry may sit on a dash line. */
static PyObject *parse_mapping(Parser *ps, Py_ssize_t col, int from_dash) {
    PyObject *dict = PyDict_New();
    if (dict == NULL)
        return NULL;
    int first = 1;
    while (ps->i < ps->n) {
        const Line *line = &ps->lines[ps->i];
        if (first && from_dash) {
            if (line->kind != K_DASH_ENTRY || line->col != col)
                break;
        } else if (line->kind != K_ENTRY || line->indent != col) {
            break;
        }
        first = 0;
        ps->i++;
        PyObject *value;
        if (line->vkind != V_NONE || ps->i >= ps->n) {
            value = scalar(line);
        } else {
            const Line *next = &ps->lines[ps->i];
            if (next->indent > col)
                value = parse_node(ps);
            else if (next->indent == col && next->kind != K_ENTRY)
                value = parse_sequence(ps, col);
            else
                value = scalar(line);
        }
        if (value == NULL || value == REFUSED) {
            Py_DECREF(dict);
            return value;
        }
        PyObject *key = key_object(line->key, line->key_len);
        int failed = key == NULL || PyDict_SetItem(dict, key, value) < 0;
        Py_XDECREF(key);
        Py_DECREF(value);
        if (failed) {
            Py_DECREF(dict);
            return NULL;
        }
    }
    return dict;
}

static PyObject *parse_sequence(Parser *ps, Py_ssize_t col) {
    PyObject *list = PyList_New(0);
    if (list == NULL)
        return NULL;
    while (ps->i < ps->n) {
        const Line *line = &ps->lines[ps->i];
        if (line->kind == K_ENTRY || line->indent != col)
            break;
        PyObject *item;
        if (line->kind == K_DASH_VALUE) {
            ps->i++;
            item = scalar(line);
        } else {
            item = parse_mapping(ps, line->col, 1);
        }
        if (item == NULL || item == REFUSED) {
            Py_DECREF(list);
            return item;
        }
        int failed = PyList_Append(list, item) < 0;
        Py_DECREF(item);
        if (failed) {
            Py_DECREF(list);
            return NULL;
        }
    }
    return list;
}

static PyObject *parse_node(Parser *ps) {
    const Line *line = &ps->lines[ps->i];
    if (line->kind == K_ENTRY)
        return parse_mapping(ps, line->indent, 0);
    return parse_sequence(ps, line->indent);
}

/* --- the module ---------------------------------------------------------------------------- */

/* The mapping of the front matter text..end (valid UTF-8), or None outside the subset. */
static PyObject *read_text(const char *text, const char *end) {
    Py_ssize_t lines_max = 1;
    for (const char *p = text; (p = memchr(p, '\n', end - p)) != NULL; p++)
        if (++lines_max > MAX_LINES)
            Py_RETURN_NONE; /* no record is that long: left to the other parsers */
    Line *lines = PyMem_Malloc(sizeof(Line) * lines_max);
    if (lines == NULL)
        return PyErr_NoMemory();
    Parser ps = {lines, 0, 0};
    for (const char *p = text; p <= end;) {
        const char *eol = memchr(p, '\n', end - p);
        if (eol == NULL)
            eol = end;
        int found = scan_line(p, eol, &lines[ps.n]);
        if (found < 0) {
            PyMem_Free(lines);
            Py_RETURN_NONE;
        }
        ps.n += found;
        p = eol + 1;
    }
    PyObject *result = REFUSED;
    if (ps.n > 0 && lines[0].kind == K_ENTRY && lines[0].indent == 0) {
        result = parse_mapping(&ps, 0, 0);
        if (result != NULL && result != REFUSED && ps.i != ps.n) {
            Py_DECREF(result); /* lines left over: an indentation PyYAML would not take */
            result = REFUSED;
        }
    }
    PyMem_Free(lines);
    if (result == REFUSED)
        Py_RETURN_NONE;
    return result;
}

static PyObject *load(PyObject *module, PyObject *arg) {
    (void)module;
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "load() takes a str");
        return NULL;
    }
    Py_ssize_t size;
    const char *text = PyUnicode_AsUTF8AndSize(arg, &size);
    if (text == NULL) { /* lone surrogates: not UTF-8, not ours */
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    return read_text(text, text + size);
}

/* Whether p..end starts with a fence line: "---" (or "..." when dots), then spaces or tabs,
   then a line break or the end; *line_end is set to the end of the line. */
static int is_fence(const char *p, const char *end, int dots, const char **line_end) {
    const char *mark = dots ? "..." : "---";
    if (end - p < 3 || memcmp(p, mark, 3) != 0)
        return 0;
    p += 3;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p < end && *p != '\n')
        return 0;
    *line_end = p;
    return 1;
}

/* Like newskit.parse.parse_record(data): the front matter mapping and the body, or None when
   the bytes need anything beyond the common case (an error to report, a byte-order mark, a
   front matter outside the subset). Line endings \r\n and \r are read as \n. */
static PyObject *load_record(PyObject *module, PyObject *arg) {
    (void)module;
    if (!PyBytes_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "load_record() takes bytes");
        return NULL;
    }
    const char *data = PyBytes_AS_STRING(arg);
    Py_ssize_t size = PyBytes_GET_SIZE(arg);
    if (size < 3 || memcmp(data, "---", 3) != 0 || memchr(data, '\0', size) != NULL)
        Py_RETURN_NONE; /* no fence first (or a byte-order mark), or a binary file */
    char *copy = NULL;
    if (memchr(data, '\r', size) != NULL) {
        copy = PyMem_Malloc(size);
        if (copy == NULL)
            return PyErr_NoMemory();
        Py_ssize_t n = 0;
        for (Py_ssize_t k = 0; k < size; k++) {
            if (data[k] != '\r')
                copy[n++] = data[k];
            else if (k + 1 >= size || data[k + 1] != '\n')
                copy[n++] = '\n';
        }
        data = copy, size = n;
    }
    const char *end = data + size, *front, *front_end, *body, *line_end;
    PyObject *result = NULL, *meta = NULL, *text = NULL;
    if (!is_fence(data, end, 0, &line_end) || line_end == end)
        goto decline;
    front = line_end + 1;
    /* the first "---" or "..." line after the opening one closes the front matter */
    for (const char *p = front;; p++) {
        if (p < end && ((*p == '-' && is_fence(p, end, 0, &line_end)) ||
                        (*p == '.' && is_fence(p, end, 1, &line_end)))) {
            front_end = p;
            break;
        }
        p = memchr(p, '\n', end - p);
        if (p == NULL)
            goto decline;
    }
    if (front_end == front)
        goto decline; /* empty: an error to report */
    text = PyUnicode_DecodeUTF8(front, front_end - front, "strict"); /* valid UTF-8? */
    if (text == NULL)
        goto decline;
    Py_CLEAR(text);
    meta = read_text(front, front_end);
    if (meta == NULL)
        goto done;
    if (meta == Py_None)
        goto decline;
    body = line_end;
    while (body < end && *body == '\n')
        body++;
    while (end > body && end[-1] == '\n')
        end--;
    text = PyUnicode_DecodeUTF8(body, end - body, "strict");
    if (text == NULL)
        goto decline;
    result = PyTuple_Pack(2, meta, text);
    goto done;
decline:
    PyErr_Clear();
    result = Py_NewRef(Py_None);
done:
    Py_XDECREF(meta);
    Py_XDECREF(text);
    PyMem_Free(copy);
    return result;
}

static PyMethodDef methods[] = {
    {"load", load, METH_O,
     "load(text, /)\n--\n\nThe front matter ``text`` as PyYAML's safe loader reads it, or None "
     "when it is outside the plain subset this reader takes."},
    {"load_record", load_record, METH_O,
     "load_record(data, /)\n--\n\n``(front matter, body)`` of a record file's bytes, as "
     "newskit.parse.parse_record gives them, or None when it takes more than this reader "
     "does."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "newskit._plainyaml",
    "A fast reader of the plain subset of YAML that news records are written in.", -1, methods,
};

PyMODINIT_FUNC PyInit__plainyaml(void) {
    init_tables();
    PyDateTime_IMPORT;
    if (PyDateTimeAPI == NULL)
        return NULL;
    return PyModule_Create(&module);
}
