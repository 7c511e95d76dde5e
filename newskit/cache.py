"""The on-disk cache of parsed corpora: one checked file per corpus, outside the corpus folder.

A cache file holds the per-file tables of one corpus (before duplicates are flagged) and, for
every record file, its relative path, size, modification time and content digest. It is
written atomically (a temporary file, then :func:`os.replace`), so a load killed midway or two
loads at once never leave a half-written file, and it is read only after its magic bytes,
format, newskit code version, corpus path and CRC-32 checksum all match: anything else (a
corrupt, truncated, stale or foreign file) reads as "no cache" and is rebuilt.

Arrow IPC (Feather's format) rather than Parquet: the cache is a private, short-lived copy
read on every load, and Arrow IPC reads back without decoding (about 7x faster than Parquet
for a 20,000-row articles table), keeping Arrow-backed string columns zero-copy.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import struct
import tempfile
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa

from newskit.schema import STRING, cast_frame

#: Bumped whenever the layout of a cache file or of the tables in it changes.
CACHE_VERSION = 2
#: Environment variable naming the cache folder.
CACHE_DIR_ENV = "NEWSKIT_CACHE_DIR"
SUFFIX = ".nkcache"
#: A temporary cache file older than this (seconds) is left over from a write that was
#: killed, and the next write deletes it; a live write takes well under a second.
STALE_TMP_SECONDS = 600

_MAGIC = b"NEWSKIT-CORPUS-CACHE\n"
_HEAD = struct.Struct("<QI")  # header length, header CRC-32
_SOURCES = (
    "_plainyaml.c",
    "_scan.c",
    "cache.py",
    "columns.py",
    "corpus.py",
    "parse.py",
    "records.py",
    "schema.py",
)
_code_version: str | None = None
_writers: list[threading.Thread] = []


def default_cache_dir() -> Path:
    """``$NEWSKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/newskit``, else ``~/.cache/newskit``."""
    if os.environ.get(CACHE_DIR_ENV):
        return Path(os.environ[CACHE_DIR_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "newskit"


def cache_file(root: Path, cache_dir: str | os.PathLike | None = None) -> Path:
    """The cache file of the corpus at ``root`` (as spelled: paths in the tables follow it)."""
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    # surrogateescape: a folder name that is not UTF-8 is hashed as its bytes
    named = f"{os.path.abspath(root)}\0{root}".encode(errors="surrogateescape")
    key = hashlib.sha256(named).hexdigest()[:32]
    return folder / f"{key}{SUFFIX}"


def code_version() -> str:
    """A digest of the newskit modules that shape a loaded corpus: new code, new cache."""
    global _code_version
    if _code_version is None:
        digest = hashlib.sha256(str(CACHE_VERSION).encode())
        here = Path(__file__).parent
        for name in _SOURCES:
            digest.update((here / name).read_bytes())
        _code_version = digest.hexdigest()[:16]
    return _code_version


def read_tables(path: Path, stamp: dict) -> dict[str, pa.Table] | None:
    """Read the tables of a cache file, or ``None`` when it is missing or cannot be trusted.

    Parameters
    ----------
    path : pathlib.Path
        The cache file.
    stamp : dict
        What the file's header must say (corpus path, code version); any difference means the
        file belongs to another corpus or another newskit.
    """
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        return _decode(data, stamp)
    except Exception:  # noqa: BLE001 - whatever is wrong with the file, it is not trusted
        return None


def write_tables(path: Path, tables: dict[str, pa.Table], stamp: dict) -> bool:
    """Write ``tables`` to a cache file atomically; return False (and write nothing) on failure.

    A cache folder that cannot be created or written (read-only, full disk) only costs speed.
    """
    sections, chunks, offset = [], [], 0
    for name, table in tables.items():
        table = table.combine_chunks()  # merged tables arrive in many slices
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        buffer = sink.getvalue()
        sections.append([name, offset, buffer.size])
        chunks.append(buffer)
        offset += buffer.size
    payload_crc = 0
    for chunk in chunks:
        payload_crc = zlib.crc32(chunk, payload_crc)
    header = json.dumps(
        {
            "version": CACHE_VERSION,
            "stamp": stamp,
            "sections": sections,
            "payload_length": offset,
            "payload_crc": payload_crc,
        },
        sort_keys=True,
    ).encode()
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporary_files(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=SUFFIX, dir=path.parent)
        with os.fdopen(fd, "wb") as out:
            out.write(_MAGIC + _HEAD.pack(len(header), zlib.crc32(header)) + header)
            for chunk in chunks:
                out.write(chunk)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False
    return True


def _remove_stale_temporary_files(folder: Path) -> None:
    """Delete the temporary files of cache writes that were killed (not of writes under way)."""
    stale = time.time() - STALE_TMP_SECONDS
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(".tmp-") and entry.name.endswith(SUFFIX):
                with contextlib.suppress(OSError):
                    if entry.stat(follow_symlinks=False).st_mtime < stale:
                        os.unlink(entry.path)


def write_tables_soon(path: Path, tables: Callable[[], dict[str, pa.Table]], stamp: dict) -> None:
    """Build and write a cache file from a background thread; the process waits for it.

    ``tables`` is called in that thread to build the tables. The caller has its corpus
    without waiting for the cache (building, serialising, checksumming and writing the cache
    of 20,000 articles takes about 0.1 s); Arrow tables are immutable, so the thread shares
    them safely. :func:`wait_for_writes` waits for pending writes.
    """

    def build_and_write() -> None:
        with contextlib.suppress(Exception):  # a cache not built only costs speed
            write_tables(path, tables(), stamp)

    thread = threading.Thread(target=build_and_write, name="newskit-cache-writer")
    thread.start()
    _writers.append(thread)


def wait_for_writes() -> None:
    """Wait until every cache file this process started writing is written (or given up)."""
    while _writers:
        _writers.pop().join()


def clear_cache(cache_dir: str | os.PathLike | None = None) -> list[Path]:
    """Delete every newskit cache file (and leftover temporary file) in the cache folder.

    Returns
    -------
    list of pathlib.Path
        The files deleted.
    """
    wait_for_writes()
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    removed = []
    if not folder.is_dir():
        return removed
    for path in sorted(folder.glob(f"*{SUFFIX}")):  # with leftover .tmp-* files
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def frame_to_table(frame: pd.DataFrame) -> pa.Table:
    """A DataFrame of newskit's columns as an Arrow table.

    Categories are stored as text and lists as lists of text, with explicit types, so tables
    of different files always concatenate (an all-missing column is not of Arrow's null type).
    """
    arrays = {}
    for name in frame.columns:
        col = frame[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            arrays[name] = pa.array(col.astype(object), type=pa.large_string(), from_pandas=True)
        elif col.dtype == object:
            arrays[name] = pa.array(col, type=pa.list_(pa.large_string()), from_pandas=True)
        else:
            arrays[name] = pa.array(col, from_pandas=True)
    return pa.table(arrays)


def table_to_frame(table: pa.Table, columns: dict[str, object]) -> pd.DataFrame:
    """Rebuild a DataFrame with exactly ``columns`` and their dtypes from an Arrow table.

    The columns are cast with :func:`newskit.schema.cast_frame`, as a fresh load casts them.
    """
    out = {}
    for name, dtype in columns.items():
        col = table.column(name)
        if dtype == "object":
            out[name] = pd.Series(col.to_pylist(), dtype=object)
        elif dtype == "category":
            out[name] = col.to_pandas(types_mapper=lambda _type: STRING)
        elif isinstance(dtype, pd.api.extensions.ExtensionDtype) and not isinstance(
            dtype, pd.DatetimeTZDtype
        ):
            out[name] = col.to_pandas(types_mapper=lambda _type, dtype=dtype: dtype)
        else:
            out[name] = col.to_pandas()
    return cast_frame(pd.DataFrame(out, index=pd.RangeIndex(table.num_rows)), columns)


def _decode(data: bytes, stamp: dict) -> dict[str, pa.Table] | None:
    if not data.startswith(_MAGIC):
        return None
    start = len(_MAGIC) + _HEAD.size
    header_length, header_crc = _HEAD.unpack_from(data, len(_MAGIC))
    header_bytes = data[start : start + header_length]
    if len(header_bytes) != header_length or zlib.crc32(header_bytes) != header_crc:
        return None
    header = json.loads(header_bytes)
    if header.get("version") != CACHE_VERSION or header.get("stamp") != stamp:
        return None
    payload = memoryview(data)[start + header_length :]
    if len(payload) != header["payload_length"] or zlib.crc32(payload) != header["payload_crc"]:
        return None
    buffer = pa.py_buffer(data)
    tables = {}
    for name, offset, length in header["sections"]:
        section = buffer.slice(start + header_length + offset, length)
        tables[name] = pa.ipc.open_stream(section).read_all()
    return tables
