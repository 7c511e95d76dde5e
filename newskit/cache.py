"""The on-disk cache of parsed corpora: one checked file per corpus, outside the corpus folder.

A cache file holds the per-file tables of one corpus (before duplicates are flagged) and, for
every record file, its relative path, size, modification time and content digest. It is
written atomically (a temporary file, then :func:`os.replace`), so a load killed midway or two
loads at once never leave a half-written file, and it is read only after its magic bytes,
format, newskit code version, corpus path and CRC-32 checksum all match: anything else (a
corrupt, truncated, stale or foreign file) reads as "no cache" and is rebuilt.

A dataset folder written by ``newskit export`` gets a cache file too, of every table as decoded
from its Parquet files (see :func:`newskit.dataset.read_dataset`), checked the same way.

Arrow IPC (Feather's format) rather than Parquet: the cache is a private, short-lived copy
read on every load, and Arrow IPC reads back without decoding (about 7x faster than Parquet
for a 20,000-row articles table), keeping Arrow-backed string columns zero-copy.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mmap
import os
import queue
import struct
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from newskit.files import Listing, entries_digest, preallocate
from newskit.schema import (
    FILE_TABLES,
    PROBLEM_COLUMNS,
    PROVIDER_COLUMNS,
    STORY_COLUMNS,
    STRING,
    arrow_schema,
    frame_to_table,
    table_to_frame,
)
from newskit.stories import outlet_names
from newskit.story_update import READ_BY_STORIES, Earlier

#: Bumped whenever the layout of a cache file or of the tables in it changes.
CACHE_VERSION = 3
#: Environment variable naming the cache folder.
CACHE_DIR_ENV = "NEWSKIT_CACHE_DIR"
SUFFIX = ".nkcache"
#: A temporary cache file older than this (seconds) is left over from a write that was
#: killed, and the next write deletes it; a live write takes well under a second.
STALE_TMP_SECONDS = 600

_MAGIC = b"NEWSKIT-CORPUS-CACHE\n"
#: The payload CRC-32 of each cache file this process read whole and found right, or wrote:
#: path -> CRC (see :func:`checked_checksum`).
_checked: dict[str, int] = {}
_TAIL = struct.Struct("<QI")  # header length, header CRC-32: the file's last bytes
_READ_BLOCK = 1 << 20
#: A file modified this recently (ns) may change again within the file system's timestamp
#: resolution without its size or mtime changing, so the cache does not vouch for it.
RACY_NS = 2_000_000_000
#: What a cache keeps beyond the per-file tables: what duplicates, providers and stories a
#: load found (for loads where nothing changed), and what the scan told of each file, with
#: its digest.
DERIVED_TABLES: dict[str, dict[str, object]] = {
    "duplicate_flags": {"is_duplicate": "bool"},
    "duplicate_problems": PROBLEM_COLUMNS,
    "providers": PROVIDER_COLUMNS,
    "story_ids": {"story_id": STRING},
    "related_stories": {"story_id": STRING, "is_copy": "bool"},
    "stories": STORY_COLUMNS,
}
FILES_COLUMNS: dict[str, object] = {
    "relpath": STRING,
    "size": "int64",
    "mtime_ns": "int64",
    "inode": "int64",
    "ctime_ns": "int64",
    "digest": STRING,
}
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
    """A digest of newskit's code: new code, new cache.

    It covers every Python and C source file of the package, not a list of the modules that
    shape a loaded corpus: a module split or added can never leave a stale cache trusted.
    """
    global _code_version
    if _code_version is None:
        digest = hashlib.sha256(str(CACHE_VERSION).encode())
        here = Path(__file__).parent
        for source in sorted([*here.glob("*.py"), *here.glob("*.c")]):
            digest.update(f"{source.name}\0{source.stat().st_size}\0".encode())
            digest.update(source.read_bytes())
        _code_version = digest.hexdigest()[:16]
    return _code_version


def read_tables(
    path: Path, stamp: dict, trusted_crc: int | None = None
) -> dict[str, pa.Table] | None:
    """Read the tables of a cache file, or ``None`` when it is missing or cannot be trusted.

    The file is memory-mapped: the tables' columns are views of it, and only the pages of the
    columns a load goes on to use are ever in memory (its checksum is computed by reading the
    file, not through the mapping). Cache files are replaced whole (a new file renamed over
    the old one), never changed in place, so a mapping stays valid while a table uses it.

    Parameters
    ----------
    path : pathlib.Path
        The cache file.
    stamp : dict
        What the file's header must say (corpus path, code version); any difference means the
        file belongs to another corpus or another newskit.
    trusted_crc : int, optional
        The payload CRC-32 another process found right in this file moments ago
        (:func:`checked_checksum`): a file whose header gives it is not read whole again.
    """
    try:
        with open(path, "rb") as file:
            mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
            return _decode(mapped, stamp, file.fileno(), path, trusted_crc)
    except Exception:  # noqa: BLE001 - whatever is wrong with the file, it is not trusted
        return None


def checked_checksum(path: Path) -> int | None:
    """The payload CRC-32 of the cache file ``path`` as this process last read it whole and
    found it right, or wrote it; None when it did neither. Cache files are replaced whole,
    never changed in place: a file whose header still gives this CRC is that file."""
    return _checked.get(os.fspath(path))


def write_tables(
    path: Path,
    tables: Mapping[str, pa.Table] | Iterable[tuple[str, pa.Table]],
    stamp: dict,
    *,
    batch_rows: int | None = None,
) -> bool:
    """Write ``tables`` to a cache file atomically; return False (and write nothing) on failure.

    A cache folder that cannot be created or written (read-only, full disk) only costs speed.
    Each table is written straight to the file as Arrow IPC, in batches of up to
    :data:`BATCH_ROWS` rows, each made one piece (merged tables arrive in many slices) only
    as it is written, and checksummed as it goes: the file is never built in memory. Each
    batch's room in the file is allocated before it is written
    (:func:`newskit.files.preallocate`; what is left over is cut off at the end). ``tables``
    may be (name, table) pairs, taken one at a time: each table can be made just before it
    is written and let go after. ``batch_rows`` (default :data:`BATCH_ROWS`) is the rows of
    a batch; 0: a table is one batch.
    """
    batch_rows = BATCH_ROWS if batch_rows is None else batch_rows
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporary_files(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=SUFFIX, dir=path.parent)
        with os.fdopen(fd, "wb") as raw:
            raw.write(_MAGIC)
            out = _Checksummed(raw)
            sections = []
            reserved = 0  # bytes of the file allocated ahead; -1: the file system cannot
            pairs = tables.items() if isinstance(tables, Mapping) else tables
            for name, table in pairs:
                start = out.size
                with pa.ipc.new_stream(out, table.schema) as writer:
                    step = batch_rows or max(table.num_rows, 1)
                    for first in range(0, table.num_rows, step):
                        part = table.slice(first, step).combine_chunks()
                        # its room allocated at once, before it is written; a full disk
                        # stops the write here
                        end = len(_MAGIC) + out.size + part.nbytes + _SLACK
                        if 0 <= reserved < end:
                            done = preallocate(raw.fileno(), reserved, end - reserved)
                            reserved = end if done else -1
                        for batch in part.to_batches():
                            writer.write_batch(batch)
                sections.append([name, start, out.size - start])
            header = json.dumps(
                {
                    "version": CACHE_VERSION,
                    "stamp": stamp,
                    "sections": sections,
                    "payload_length": out.size,
                    "payload_crc": out.crc,
                },
                sort_keys=True,
            ).encode()
            raw.write(header + _TAIL.pack(len(header), zlib.crc32(header)))
            raw.flush()
            os.ftruncate(raw.fileno(), raw.tell())  # what was allocated beyond the end
        os.replace(tmp, path)
        _checked[os.fspath(path)] = out.crc
    except BaseException as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if isinstance(exc, OSError):
            return False
        raise
    return True


#: Rows per record batch of a cache file's tables (a table of fewer rows is one batch).
BATCH_ROWS = 65_536
#: Bytes allocated for a batch beyond its Arrow buffers': Arrow IPC's schema, batch header
#: and padding.
_SLACK = 1 << 16


class _Checksummed:
    """A binary file that keeps the length and CRC-32 of what is written to it."""

    def __init__(self, out: object) -> None:
        self.out, self.size, self.crc = out, 0, 0

    def write(self, data: bytes | pa.Buffer) -> int:
        view = memoryview(data)
        self.crc = zlib.crc32(view, self.crc)
        self.size += view.nbytes
        return self.out.write(view)

    def flush(self) -> None:
        self.out.flush()

    @property
    def closed(self) -> bool:
        return self.out.closed


def _remove_stale_temporary_files(folder: Path) -> None:
    """Delete the temporary files of cache writes that were killed (not of writes under way)."""
    stale = time.time() - STALE_TMP_SECONDS
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(".tmp-") and entry.name.endswith(SUFFIX):
                with contextlib.suppress(OSError):
                    if entry.stat(follow_symlinks=False).st_mtime < stale:
                        os.unlink(entry.path)


class CacheWrite:
    """A cache file written by a background thread while the load goes on; the process waits
    for it (:func:`wait_for_writes`).

    The thread writes the per-file tables at once (most of the file), while the loading
    thread flags duplicates and groups stories; :meth:`finish` hands it what those found, the
    rest of the file. A load that fails calls :meth:`abandon`: nothing is written. Arrow
    tables are immutable, so the thread shares them safely.
    """

    def __init__(self, path: Path, first: Callable[[], dict[str, pa.Table]], stamp: dict):
        self._rest: queue.SimpleQueue = queue.SimpleQueue()

        def tables() -> Iterator[tuple[str, pa.Table]]:
            yield from first().items()
            rest = self._rest.get()
            if rest is None:
                raise _Abandoned
            yield from rest().items()

        def write() -> None:
            with contextlib.suppress(Exception):  # a cache not written only costs speed
                write_tables(path, tables(), stamp)

        thread = threading.Thread(target=write, name="newskit-cache-writer")
        thread.start()
        _writers.append(thread)

    def finish(self, rest: Callable[[], dict[str, pa.Table]]) -> None:
        """Write the rest of the file: the tables ``rest`` builds (in the writing thread)."""
        self._rest.put(rest)

    def abandon(self) -> None:
        """Write nothing: the temporary file is removed."""
        self._rest.put(None)


class _Abandoned(Exception):
    """A cache write given up (its load failed)."""


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


def _decode(
    data: mmap.mmap, stamp: dict, fd: int, path: Path, trusted_crc: int | None
) -> dict[str, pa.Table] | None:
    """The tables of the cache file ``path`` mapped as ``data`` (and open as ``fd``): the magic
    bytes, the tables, then the header (JSON: version, stamp, each table's section, the
    payload's length and CRC-32) and its length and CRC-32; ``None`` when anything is off.
    The payload's CRC is computed unless the header gives ``trusted_crc``."""
    if data[: len(_MAGIC)] != _MAGIC or len(data) < len(_MAGIC) + _TAIL.size:
        return None
    header_length, header_crc = _TAIL.unpack_from(data, len(data) - _TAIL.size)
    end = len(data) - _TAIL.size - header_length
    if end < len(_MAGIC):
        return None
    header_bytes = data[end : len(data) - _TAIL.size]
    if zlib.crc32(header_bytes) != header_crc:
        return None
    header = json.loads(header_bytes)
    if header.get("version") != CACHE_VERSION or header.get("stamp") != stamp:
        return None
    if end - len(_MAGIC) != header["payload_length"]:
        return None
    crc = header["payload_crc"]
    if crc != trusted_crc:
        if _crc_of(fd, len(_MAGIC), end) != crc:
            return None
        _checked[os.fspath(path)] = crc
    buffer = pa.py_buffer(data)
    tables = {}
    for name, offset, length in header["sections"]:
        section = buffer.slice(len(_MAGIC) + offset, length)
        tables[name] = pa.ipc.open_stream(section).read_all()
    return tables


def _crc_of(fd: int, start: int, end: int) -> int:
    """The CRC-32 of bytes ``start`` to ``end`` of the file open as ``fd``, read a block at a
    time (read through the mapping, every page of the file would stay in memory)."""
    crc = 0
    while start < end:
        block = os.pread(fd, min(_READ_BLOCK, end - start), start)
        if not block:
            raise OSError("the cache file ended early")
        crc = zlib.crc32(block, crc)
        start += len(block)
    return crc


def is_cache_of(tables: dict) -> bool:
    """Whether a checked cache file holds the tables, columns and types this code writes."""
    wanted = {name: columns for name, (columns, _) in FILE_TABLES.items()}
    wanted |= DERIVED_TABLES | {"files": FILES_COLUMNS}
    return all(
        name in tables and tables[name].schema.equals(arrow_schema(columns))
        for name, columns in wanted.items()
    )


def unchanged(files: pa.Table, listing: Listing) -> bool:
    """Whether every file is as the cache saw it (and the cache vouched for all of them)."""
    metadata = files.schema.metadata or {}
    digest = listing.digest or entries_digest(listing.entries)
    return metadata.get(b"entries") == digest.encode()


def vouches_for_all(files: pa.Table) -> bool:
    """Whether the cache vouched for every file when it was written (no file was changed too
    recently, unread or without a modification time), so that its rows are the files as a
    load found them."""
    return files.num_rows == 0 or pc.min(files["mtime_ns"]).as_py() >= 0


def start_cache_write(
    store: Path, stamp: dict, tables: dict, listing: Listing, started_ns: int
) -> CacheWrite:
    """Start keeping a load's tables in the cache file ``store``: the per-file tables now,
    the rest when the load calls :func:`finish_cache_write` (see :class:`CacheWrite`).

    ``tables`` are the per-file tables and ``files`` (see :func:`newskit.load.load_changed`:
    the files as ``listing``, the scan's, found them); ``started_ns`` is when the load began:
    a file changed since then may not be what was read.
    """

    def first() -> dict[str, pa.Table]:
        # unread files and files changed too recently to be told apart by mtime are re-read
        files = tables["files"]
        mtimes = files["mtime_ns"].to_numpy()
        doubtful = np.maximum(mtimes, files["ctime_ns"].to_numpy()) >= started_ns - RACY_NS
        doubtful |= np.asarray(pc.equal(files["digest"], "").to_numpy(), dtype=bool)
        if doubtful.any():
            mtimes = pa.array(np.where(doubtful, -1, mtimes), type=pa.int64())
            files = files.set_column(2, "mtime_ns", mtimes)
            columns = ("relpath", "size", "mtime_ns", "inode", "ctime_ns")
            rows = zip(*(files[c].to_pylist() for c in columns), strict=True)
            digest = entries_digest(list(rows))
        else:  # the files as the scan listed them
            digest = listing.digest or entries_digest(listing.entries)
        return {
            **{name: tables[name] for name in FILE_TABLES},
            "files": files.replace_schema_metadata({"entries": digest}),
        }

    return CacheWrite(store, first, stamp)


def finish_cache_write(
    write: CacheWrite,
    tables: dict,
    duplicates: tuple[np.ndarray, pd.DataFrame],
    corpus: object,
    story_key: str,
) -> None:
    """Hand a cache write what the load found across files: ``duplicates``, and the
    providers and stories of ``corpus`` (the loaded :class:`~newskit.Corpus`; its stories
    kept with ``story_key``, the options that made them)."""
    flags, duplicate_problems = duplicates
    story_ids = frame_to_table(corpus.articles[["story_id"]], DERIVED_TABLES["story_ids"])
    # frames are mutable: take Arrow copies now; the rest is built in the writing thread
    kept = {
        "duplicate_flags": pa.table({"is_duplicate": pa.array(flags, type=pa.bool_())}),
        "duplicate_problems": frame_to_table(duplicate_problems, PROBLEM_COLUMNS),
        "providers": frame_to_table(corpus.providers, PROVIDER_COLUMNS),
        "related_stories": frame_to_table(
            corpus.related[["story_id", "is_copy"]], DERIVED_TABLES["related_stories"]
        ),
        "stories": corpus.stories_table(),
    }

    def rest() -> dict[str, pa.Table]:
        # the options the stories were made with, and the outlet names (see
        # newskit.story_update: a later load regroups only what changed files can affect)
        outlets = sorted(outlet_names(tables["articles"], tables["related"]))
        metadata = {"options": story_key, "outlets": json.dumps(outlets)}
        return {**kept, "story_ids": story_ids.replace_schema_metadata(metadata)}

    write.finish(rest)


def story_key(options: object) -> str:
    """What the stories of a cache depend on besides the files and the code: the resolved
    options, and scikit-learn's version where its tokeniser finds near-duplicates."""
    from dataclasses import asdict

    key = asdict(options)
    if key.get("near_duplicates"):
        import sklearn

        key["sklearn"] = sklearn.__version__
    return json.dumps(key, sort_keys=True)


def read_earlier(tables: dict[str, pa.Table], key: str) -> Earlier | None:
    """What :func:`newskit.story_update.update_stories` needs of the stories a cache kept,
    when they were made with ``key`` (else None)."""
    metadata = tables["story_ids"].schema.metadata or {}
    if metadata.get(b"options") != key.encode() or b"outlets" not in metadata:
        return None
    return Earlier(
        articles=tables["articles"].select(
            [c for c in READ_BY_STORIES if c in tables["articles"].column_names]
        ),
        keys=tables["story_keys"],
        story_ids=tables["story_ids"]["story_id"],
        related=tables["related"].select(["article_id"]),
        related_ids=tables["related_stories"]["story_id"],
        related_copies=tables["related_stories"]["is_copy"],
        stories=tables["stories"],
        outlets=frozenset(json.loads(metadata[b"outlets"])),
    )


def read_stories(
    tables: dict[str, pa.Table], key: str
) -> dict[str, pd.DataFrame | pa.Table] | None:
    """The stories a cache kept when they were made with ``key`` (else None): the
    ``story_ids`` and ``related_stories`` frames, and the ``stories`` table as Arrow
    (:class:`newskit.Corpus` makes it a frame when first asked for)."""
    metadata = tables["story_ids"].schema.metadata or {}
    if metadata.get(b"options") != key.encode():
        return None
    found: dict[str, pd.DataFrame | pa.Table] = {
        name: table_to_frame(tables[name], DERIVED_TABLES[name])
        for name in ("story_ids", "related_stories")
    }
    return found | {"stories": tables["stories"]}
