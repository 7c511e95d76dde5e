"""Field names of a news record, the columns and dtypes of newskit's tables, and their Arrow form.

Every table newskit builds is declared here once, as column name -> pandas dtype; its Arrow
schema (:func:`arrow_schema`) and the conversions between the two (:func:`frame_to_table`,
:func:`table_to_frame`, :func:`rows_to_table`) follow from that declaration, so a column added
here reaches the loader, the worker processes and the cache alike.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Arrow's hash kernels (index_in, dictionary_encode) allocate from the system allocator: in a
#: fresh process, mimalloc (pyarrow's default) now and then takes tens of milliseconds on them.
MEMORY_POOL = pa.system_memory_pool()
_pool_lock = threading.Lock()
_pool_users = 0
_pool_before: pa.MemoryPool | None = None


@contextmanager
def system_allocator() -> Iterator[None]:
    """Make :data:`MEMORY_POOL` Arrow's default pool meanwhile, then put back the one before.

    A load's Arrow work (takes, casts, concatenations, conversions to pandas) allocates large
    fresh buffers: from mimalloc, in a fresh process, grouping the stories of a cold load of
    100,000 records took up to 0.13 s more than from the system allocator. Loads in several
    threads at once share one switch; each buffer goes back to the pool it came from."""
    global _pool_users, _pool_before
    with _pool_lock:
        if _pool_users == 0:
            _pool_before = pa.default_memory_pool()
            pa.set_memory_pool(MEMORY_POOL)
        _pool_users += 1
    try:
        yield
    finally:
        with _pool_lock:
            _pool_users -= 1
            if _pool_users == 0:
                pa.set_memory_pool(_pool_before)
                _pool_before = None


#: Front-matter key -> articles column, for the plain scalar fields of a record.
TEXT_FIELDS = {
    "title": "title",
    "excerpt": "excerpt",
    "originalUrl": "original_url",
    "webUrl": "web_url",
    "ampWebUrl": "amp_url",
    "cdnAmpWebUrl": "cdn_amp_url",
    "featuredContent": "featured_content",
    "locale": "locale",
}
#: Text fields written for a reader (Jekyll renders them into pages): their HTML entities are
#: decoded, ``What&#8217;s`` -> ``What’s``. URLs and ``featuredContent`` (HTML) are kept as written.
READER_TEXT_FIELDS = frozenset(["title", "excerpt"])
CATEGORY_FIELDS = {"category": "category", "type": "type"}
SCORE_FIELDS = {"quality": "quality", "heat": "heat"}
#: Front-matter key -> articles column, for lists of text (trimmed, without empty ones or repeats).
LIST_FIELDS = {"topics": "topics", "categories": "categories", "tags": "tags"}


#: Front-matter key (``provider.<key>`` for a key of ``provider``) -> the articles column
#: holding it and the kind of value that column holds ("list": present when not empty).
TYPED_KEYS: dict[str, tuple[str, str]] = {
    **{key: (column, "text") for key, column in (TEXT_FIELDS | CATEGORY_FIELDS).items()},
    **{key: (column, "integer") for key, column in SCORE_FIELDS.items()},
    "publishedDateTime": ("published_at", "datetime"),
    "updatedDateTime": ("updated_at", "datetime"),
    "published": ("is_published", "boolean"),
    "secured": ("is_secured", "boolean"),
    "provider.name": ("provider_name", "text"),
    "provider.domain": ("provider_domain", "text"),
    "provider.images": ("n_provider_images", "list"),
    **{key: (column, "list") for key, column in LIST_FIELDS.items()},
    "images": ("n_images", "list"),
    "related": ("n_related", "list"),
}
#: Keys a record may carry that have typed columns; any other goes to ``extra``.
KNOWN_FIELDS = frozenset(key for key in TYPED_KEYS if "." not in key) | {"provider"}
#: Keys of ``provider`` that have typed columns; any other goes to ``extra`` as ``provider.<key>``.
KNOWN_PROVIDER_FIELDS = frozenset(
    key.removeprefix("provider.") for key in TYPED_KEYS if key.startswith("provider.")
)
#: The kinds of value ``Corpus.fields`` tells apart, in the order it lists them.
VALUE_KINDS = ("text", "integer", "number", "boolean", "datetime", "list", "mapping", "null")

STRING = pd.StringDtype()
DATETIME = pd.DatetimeTZDtype("ns", "UTC")
#: The dates a table can hold: pandas' nanosecond range, 1677-09-21 to 2262-04-11 (UTC).
EARLIEST = pd.Timestamp.min.tz_localize("UTC")
LATEST = pd.Timestamp.max.tz_localize("UTC")
#: The largest score or image size kept (well inside int64); a larger one is left empty.
LARGEST_COUNT = 2**62
#: An article published before this is far outside any news corpus (most likely a mistyped
#: year): it loads, with a warning on its publishedDateTime.
PLAUSIBLE_SINCE = pd.Timestamp("1990-01-01", tz="UTC")

ARTICLE_COLUMNS: dict[str, object] = {
    "article_id": STRING,
    "path": STRING,
    "title": STRING,
    "excerpt": STRING,
    "category": "category",
    "type": "category",
    "published_at": DATETIME,
    "updated_at": DATETIME,
    "locale": STRING,
    "original_url": STRING,
    "web_url": STRING,
    "amp_url": STRING,
    "cdn_amp_url": STRING,
    "quality": "Int64",
    "heat": "Int64",
    "is_published": "boolean",
    "provider_name": STRING,
    "provider_domain": STRING,
    "n_provider_images": "int64",
    "topics": "object",
    "categories": "object",
    "tags": "object",
    "is_secured": "boolean",
    "n_images": "int64",
    "n_related": "int64",
    "has_featured_content": "bool",
    "featured_content": STRING,
    "extra": STRING,
    "body": STRING,
    "is_duplicate": "bool",
    "story_id": STRING,
}

TOPIC_COLUMNS: dict[str, object] = {"article_id": STRING, "topic": STRING}

IMAGE_COLUMNS: dict[str, object] = {
    "article_id": STRING,
    "url": STRING,
    "width": "Int64",
    "height": "Int64",
    "is_cached": "boolean",
}

RELATED_COLUMNS: dict[str, object] = {
    "article_id": STRING,
    "title": STRING,
    "excerpt": STRING,
    "published_at": DATETIME,
    "web_url": STRING,
    "type": "category",
    "provider_name": STRING,
    "provider_domain": STRING,
    "quality": "Int64",
    "story_id": STRING,
    "is_copy": "bool",
}

STORY_COLUMNS: dict[str, object] = {
    "story_id": STRING,
    "n_articles": "int64",
    "n_providers": "int64",
    "title": STRING,
    "first_published_at": DATETIME,
    "first_provider_domain": STRING,
    "last_published_at": DATETIME,
    "topics": "object",
}

PROVIDER_COLUMNS: dict[str, object] = {
    "provider_domain": STRING,
    "provider_name": STRING,
    "n_articles": "int64",
    "first_published_at": DATETIME,
    "last_published_at": DATETIME,
    "mean_quality": "float64",
    "mean_heat": "float64",
}

FIELD_COLUMNS: dict[str, object] = {
    "key": STRING,
    "column": STRING,
    "stored": pd.CategoricalDtype(["typed", "extra"]),
    "n_articles": "int64",
    "share": "float64",
    "kinds": STRING,
}

PROBLEM_COLUMNS: dict[str, object] = {
    "path": STRING,
    "severity": pd.CategoricalDtype(["error", "warning"]),
    "field": STRING,
    "message": STRING,
}


def problem_row(path: str, severity: str, field: str | None, message: str) -> dict:
    """One row of a problems table."""
    return {"path": path, "severity": severity, "field": field, "message": message}


# What a missing key becomes in a column whose dtype has no missing value.
_NOT_MISSING = {"int64": 0, "bool": False}


def build_frame(rows: list[dict], columns: dict[str, object]) -> pd.DataFrame:
    """Build a DataFrame with exactly ``columns``, in order, cast to their dtypes.

    Parameters
    ----------
    rows : list of dict
        One dict per row; missing keys become missing values, or 0 and False in the columns
        that cannot hold one (counts and flags such as ``n_images``).
    columns : dict
        Column name -> dtype, as in this module's ``*_COLUMNS``.
    """
    data = {
        name: [row.get(name, _NOT_MISSING.get(str(dtype))) for row in rows]
        for name, dtype in columns.items()
    }
    frame = pd.DataFrame(data, columns=list(columns))
    return cast_frame(frame, columns)


def cast_frame(frame: pd.DataFrame, columns: dict[str, object]) -> pd.DataFrame:
    """Return ``frame`` with each column of ``columns`` cast to its dtype."""
    out = {name: _cast(frame[name], dtype) for name, dtype in columns.items()}
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


def _cast(col: pd.Series, dtype: object) -> pd.Series:
    """``col`` as ``dtype`` (as it is when it has that dtype already)."""
    if dtype == "category":
        # categories of text, also when the column is empty
        return col.astype(STRING).astype("category")
    if col.dtype == dtype:
        return col
    if isinstance(dtype, pd.DatetimeTZDtype):
        return pd.to_datetime(col, utc=True).astype(dtype)
    return col.astype(dtype)


#: Problems of one file as a load keeps them, before duplicates are flagged (relpath orders
#: them when cached and newly parsed files are merged).
FILE_PROBLEM_COLUMNS: dict[str, object] = {"relpath": STRING, **PROBLEM_COLUMNS}
#: The per-file tables a load assembles (and the cache keeps), with the column that says
#: which file each row came from.
#: Columns a load sets across files once every file is read (stories), not from one file.
CORPUS_WIDE_COLUMNS = {"articles": ("story_id",), "related": ("story_id", "is_copy")}


def _of_one_file(name: str, columns: dict[str, object]) -> dict[str, object]:
    wide = CORPUS_WIDE_COLUMNS.get(name, ())
    return {column: dtype for column, dtype in columns.items() if column not in wide}


#: What the story rules compare of each article, made as its file is parsed, so that a cache
#: keeps it and a changed file's keys are all a load makes again (newskit.stories.article_keys).
STORY_KEY_COLUMNS: dict[str, object] = {
    "article_id": STRING,
    "original_url": STRING,
    "web_url": STRING,
    "amp_url": STRING,
    "cdn_amp_url": STRING,
    "title_key": STRING,
    "title_trimmed": "bool",
    "title_suffix": STRING,
}

FILE_TABLES: dict[str, tuple[dict[str, object], str]] = {
    "articles": (_of_one_file("articles", ARTICLE_COLUMNS), "article_id"),
    "topics": (TOPIC_COLUMNS, "article_id"),
    "images": (IMAGE_COLUMNS, "article_id"),
    "related": (_of_one_file("related", RELATED_COLUMNS), "article_id"),
    "problems": (FILE_PROBLEM_COLUMNS, "relpath"),
    "story_keys": (STORY_KEY_COLUMNS, "article_id"),
}


def arrow_type(dtype: object) -> pa.DataType:
    """The Arrow type a column of this dtype has in newskit's Arrow tables.

    Categories are text and ``object`` columns lists of text, with explicit types, so tables
    of different files always concatenate (an all-missing column is not of Arrow's null type).
    """
    if dtype == "object":
        return pa.list_(pa.large_string())
    if isinstance(dtype, pd.CategoricalDtype) or dtype == "category" or dtype == STRING:
        return pa.large_string()
    if isinstance(dtype, pd.DatetimeTZDtype):
        return pa.timestamp(dtype.unit, tz=str(dtype.tz))
    return {
        "Int64": pa.int64(),
        "int64": pa.int64(),
        "boolean": pa.bool_(),
        "bool": pa.bool_(),
        "float64": pa.float64(),
    }[str(dtype)]


def arrow_schema(columns: dict[str, object]) -> pa.Schema:
    """The Arrow schema of a table of ``columns`` (name -> dtype, as in ``*_COLUMNS``)."""
    return pa.schema([(name, arrow_type(dtype)) for name, dtype in columns.items()])


def frame_to_table(frame: pd.DataFrame, columns: dict[str, object]) -> pa.Table:
    """A DataFrame of ``columns`` as an Arrow table of :func:`arrow_schema` of them."""
    arrays = []
    for name, dtype in columns.items():
        col = frame[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            col = col.astype(object)
        arrays.append(pa.array(col, type=arrow_type(dtype), from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=arrow_schema(columns))


def table_to_frame(table: pa.Table, columns: dict[str, object]) -> pd.DataFrame:
    """Rebuild a DataFrame with exactly ``columns`` and their dtypes from an Arrow table.

    The columns are cast as :func:`cast_frame` casts them, as a fresh load does.
    """
    out = {}
    for name, dtype in columns.items():
        col = table.column(name)
        if dtype == "object":
            out[name] = pd.Series(text_lists(col), dtype=object)
        elif dtype == "category":
            out[name] = col.to_pandas(types_mapper=lambda _type: STRING)
        elif isinstance(dtype, pd.api.extensions.ExtensionDtype) and not isinstance(
            dtype, pd.DatetimeTZDtype
        ):
            out[name] = col.to_pandas(types_mapper=lambda _type, dtype=dtype: dtype)
        else:
            out[name] = col.to_pandas()
        out[name] = _cast(out[name], dtype)
    return pd.DataFrame(out, index=pd.RangeIndex(table.num_rows))


def rows_to_table(rows: list[dict], columns: dict[str, object]) -> pa.Table:
    """Rows of plain values (dates as pandas Timestamps, as records give them) -> a table."""
    schema = arrow_schema(columns)
    arrays = []
    for column in schema:
        values = [row.get(column.name) for row in rows]
        if pa.types.is_timestamp(column.type):  # pandas Timestamps, as nanoseconds
            stamps = pa.array([None if v is None else v.value for v in values], type=pa.int64())
            arrays.append(stamps.cast(column.type))
        else:
            arrays.append(pa.array(values, type=column.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def as_text(
    values: pd.Series | pa.Array | pa.ChunkedArray, *, chunked: bool = False
) -> pa.Array | pa.ChunkedArray:
    """A column as one Arrow text array; values that are not text become missing. With
    ``chunked``, as a chunked array, as the column holds it (no copy into one piece)."""
    text = pa.large_string()
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        found = values.cast(text)
    else:
        try:
            # Arrow's own column as it is, then cast: asking pa.array for the type converts
            # value by value
            found = pa.array(values, from_pandas=True)
            if not (pa.types.is_string(found.type) or pa.types.is_large_string(found.type)):
                raise pa.ArrowTypeError(f"not text: {found.type}")
            found = found.cast(text)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            found = pa.array(
                [v if isinstance(v, str) else None for v in values.astype(object)], text
            )
    if chunked:
        return found if isinstance(found, pa.ChunkedArray) else pa.chunked_array([found])
    return found.combine_chunks() if isinstance(found, pa.ChunkedArray) else found


def take_as_slices(table: pa.Table, rows: np.ndarray) -> pa.Table:
    """``table.take(rows)`` as slices of runs of consecutive rows (no copy): for rows mostly in
    order."""
    if not len(rows):
        return table.slice(0, 0)
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    starts = np.concatenate(([0], breaks)).tolist()
    ends = np.concatenate((breaks, [len(rows)])).tolist()
    return pa.concat_tables(
        [table.slice(int(rows[a]), b - a) for a, b in zip(starts, ends, strict=True)]
    )


def first_places(values: np.ndarray) -> np.ndarray:
    """The position of each distinct value's first occurrence, in order of position (by a
    hash table: numpy's unique sorts, or hashes integers slowly)."""
    return np.flatnonzero(~pd.Series(values).duplicated().to_numpy())


try:  # the C keys (setup.py builds them where a C compiler is at hand)
    from newskit import _keys
except ImportError:  # pragma: no cover - newskit installed without a C compiler
    _keys = None

try:  # the C lists (built likewise)
    from newskit import _lists
except ImportError:  # pragma: no cover - newskit installed without a C compiler
    _lists = None

#: Past this many chunks, :func:`text_lists` joins a column's chunks first.
_LIST_CHUNKS = 16


def text_lists(column: pa.ChunkedArray) -> list:
    """``column.to_pylist()`` of a column of lists of text, each distinct text of a chunk one
    str object (a column of topics repeats a few names), by newskit's C lists where built.

    Where ``to_pylist`` makes a str object per item, sharing them holds about 100 bytes less
    per article for the topics of a report's load, and makes the lists faster.
    """
    if _lists is None:
        return column.to_pylist()
    chunks = column.chunks if column.num_chunks <= _LIST_CHUNKS else [column.combine_chunks()]
    found: list = []
    for chunk in chunks:
        offsets = chunk.offsets.to_numpy()
        items = chunk.values.slice(offsets[0], offsets[-1] - offsets[0]) if len(chunk) else None
        if items is None or len(items) == 0:
            texts, indices = [], np.zeros(0, dtype=np.int32)
        else:
            encoded = pc.dictionary_encode(items, memory_pool=MEMORY_POOL)
            texts = encoded.dictionary.to_pylist()
            indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        nulls = chunk.is_null().to_numpy(zero_copy_only=False) if chunk.null_count else b""
        found += _lists.text_lists(
            np.ascontiguousarray(offsets, dtype=np.int32),
            np.ascontiguousarray(indices, dtype=np.int32),
            np.ascontiguousarray(nulls, dtype=np.uint8) if len(nulls) else b"",
            texts,
        )
    return found


def text_list_array(values: list) -> pa.Array | None:
    """``pa.array(values, pa.list_(pa.large_string()))`` of a list of lists and tuples of str
    and None, and None, its UTF-8 written straight into the buffers by newskit's C lists;
    ``None`` where they were not built or ``values`` holds anything else (the caller converts
    it as it would without them)."""
    if _lists is None:
        return None
    found = _lists.list_buffers(values)
    if found is None:
        return None
    valid, starts, item_valid, offsets, data, n_items, missing, gaps = found
    items = pa.Array.from_buffers(
        pa.large_string(),
        n_items,
        [_buffer(item_valid), pa.py_buffer(offsets), pa.py_buffer(data)],
        null_count=gaps,
    )
    return pa.Array.from_buffers(
        pa.list_(pa.large_string()),
        len(values),
        [_buffer(valid), pa.py_buffer(starts)],
        null_count=missing,
        children=[items],
    )


def _buffer(data: bytes | None) -> pa.Buffer | None:
    return None if data is None else pa.py_buffer(data)


def text_array(values: list) -> pa.Array:
    """``pa.array(values, pa.large_string())`` of a list of str and None, its UTF-8 written
    straight into the array's buffer by newskit's C lists where built (pyarrow's conversion
    looks at each value's type first). ``UnicodeEncodeError`` for a str holding a surrogate,
    as pyarrow; ``TypeError`` for anything but str and None, where pyarrow may convert it."""
    if _lists is None:
        return pa.array(values, type=pa.large_string())
    validity, offsets, data, missing = _lists.text_buffers(values)
    buffers = [None if validity is None else pa.py_buffer(validity)]
    buffers += [pa.py_buffer(offsets), pa.py_buffer(data)]
    return pa.Array.from_buffers(pa.large_string(), len(values), buffers, null_count=missing)


def stamp_array(values: list, type: pa.DataType) -> pa.Array:
    """``pa.array(values, type)`` of a list of datetime and None for a ``timestamp[ns, UTC]``
    ``type``, made by newskit's C lists where built (pyarrow's conversion asks each value's
    time zone for its offset). ``TypeError`` for anything but a datetime with a
    :class:`datetime.timezone` and None, where pyarrow may convert it."""
    if _lists is None or type != _STAMP:
        return pa.array(values, type=type)
    validity, data, missing = _lists.stamp_buffers(values)
    buffers = [None if validity is None else pa.py_buffer(validity), pa.py_buffer(data)]
    return pa.Array.from_buffers(type, len(values), buffers, null_count=missing)


_STAMP = pa.timestamp("ns", tz="UTC")


def text_hashes(values: pa.ChunkedArray) -> np.ndarray | None:
    """A 64-bit hash of each value of a text or binary column by newskit's C keys (equal
    values, equal hashes; two values may share one); ``None`` where they were not built."""
    if _keys is None:
        return None
    chunks = values.chunks if values.num_chunks <= 64 else [values.combine_chunks(MEMORY_POOL)]
    found = [np.zeros(0, dtype=np.uint64)]
    for chunk in chunks:
        if not (pa.types.is_large_string(chunk.type) or pa.types.is_large_binary(chunk.type)):
            chunk = chunk.cast(pa.large_string())
        _, offsets, data = chunk.buffers()
        hashed = _keys.hashes(len(chunk), chunk.offset, offsets, data)
        found.append(np.frombuffer(hashed, dtype=np.uint64))
    return np.concatenate(found)


def plain_words(titles: pa.Array) -> tuple[np.ndarray, pa.Array] | None:
    """The words of a large_string array of plain titles and the title of each, by newskit's
    C keys (what ``newskit.stats._plain_words`` finds with NumPy); ``None`` where they were
    not built."""
    if _keys is None:
        return None
    _, offsets, data = titles.buffers()
    title, ends, text = _keys.plain_words(len(titles), titles.offset, offsets, data)
    n = len(title) // 8
    words = pa.LargeStringArray.from_buffers(n, pa.py_buffer(ends), pa.py_buffer(text))
    return np.frombuffer(title, dtype=np.int64), words


#: Byte per value of :func:`plain_keys`' status.
KEY_MISSING, KEY_MADE, KEY_NOT_PLAIN = 0, 1, 2


def plain_keys(kind: str, values: pa.Array) -> tuple[pa.Array, np.ndarray, pa.Array] | None:
    """The keys of the plain values of an Arrow text array by newskit's C keys
    (``kind``: ``"title"`` or ``"url"``; see ``newskit/_keys.c``), each value's status
    (:data:`KEY_MISSING`, :data:`KEY_MADE`, :data:`KEY_NOT_PLAIN`: no key, the caller makes
    it) and, for titles, the name key of each plain title's last `` - `` part (missing where
    it has none; None for addresses); ``None`` where the C keys were not built."""
    if _keys is None:
        return None
    values = values.cast(pa.large_string())
    validity, offsets, data = values.buffers()
    function = _keys.title_keys if kind == "title" else _keys.url_keys
    made = function(len(values), values.offset, validity, offsets, data)

    def text(buffers: tuple[bytes, bytes, bytes]) -> pa.Array:
        return pa.Array.from_buffers(
            pa.large_string(), len(values), [pa.py_buffer(b) for b in buffers]
        )

    suffixes = text(made[4:]) if kind == "title" else None
    return text(made[:3]), np.frombuffer(made[3], dtype=np.uint8), suffixes
