"""Files -> records -> DataFrames: :func:`load_corpus` and the :class:`Corpus` it returns."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import marshal
import multiprocessing
import os
import re
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from newskit import cache as _cache
from newskit import columns as _columns
from newskit.dates import parse_bound
from newskit.errors import CorpusError
from newskit.parse import MAX_FILE_BYTES, RecordError, parse_record
from newskit.records import Record, build_record, implausible_date, is_article
from newskit.schema import (
    ARTICLE_COLUMNS,
    FIELD_COLUMNS,
    IMAGE_COLUMNS,
    PROBLEM_COLUMNS,
    PROVIDER_COLUMNS,
    RELATED_COLUMNS,
    STRING,
    TOPIC_COLUMNS,
    TYPED_KEYS,
    VALUE_KINDS,
    build_frame,
    cast_frame,
)

try:  # newskit's C folder scan, built on install where a C compiler is at hand
    from newskit import _scan
except ImportError:  # pragma: no cover - optional speed-up
    _scan = None

#: File name endings read as records (compared case-insensitively).
SUFFIXES = (".txt", ".md")
_COMMON_SUFFIXES = (".md", ".txt")  # the usual spelling: no need to lower-case the name
#: Fewer files than this are parsed in this process: a process pool costs more than it saves.
PARALLEL_MIN_FILES = 1000
#: Loads parsing at least this many files show a progress bar (when output is interactive).
PROGRESS_MIN_FILES = 1000
#: A file modified this recently (ns) may change again within the file system's timestamp
#: resolution without its size or mtime changing, so the cache does not vouch for it.
RACY_NS = 2_000_000_000

# Problems of one file, before duplicates are flagged; relpath orders them on a merge.
_FILE_PROBLEM_COLUMNS: dict[str, object] = {"relpath": STRING, **PROBLEM_COLUMNS}
# The per-file tables a load assembles (and the cache keeps), with the column ordering them.
_TABLES: dict[str, tuple[dict[str, object], str]] = {
    "articles": (ARTICLE_COLUMNS, "article_id"),
    "topics": (TOPIC_COLUMNS, "article_id"),
    "images": (IMAGE_COLUMNS, "article_id"),
    "related": (RELATED_COLUMNS, "article_id"),
    "problems": (_FILE_PROBLEM_COLUMNS, "relpath"),
}
# Arrow's hash kernels (index_in, dictionary_encode) allocate from the system allocator: in a
# fresh process, mimalloc (pyarrow's default) now and then takes tens of milliseconds on them.
_POOL = pa.system_memory_pool()
# The columns flag_duplicates reads.
_URL_COLUMNS = {"path": STRING, "original_url": STRING, "web_url": STRING}
# What flag_duplicates and build_providers found, kept for loads where nothing changed.
_DUPLICATE_TABLES: dict[str, tuple[dict[str, object], None]] = {
    "duplicate_flags": ({"is_duplicate": "bool"}, None),
    "duplicate_problems": (PROBLEM_COLUMNS, None),
    "providers": (PROVIDER_COLUMNS, None),
}
# What the scan tells of one file: relative path, size, mtime_ns, inode, ctime_ns.
_Entry = tuple[str, int, int, int, int]
_FILES_COLUMNS: dict[str, object] = {
    "relpath": STRING,
    "size": "int64",
    "mtime_ns": "int64",
    "inode": "int64",
    "ctime_ns": "int64",
    "digest": STRING,
}


@dataclass
class FileResult:
    """What reading one file gave: a record, or the problems that kept it out."""

    relpath: str
    path: str
    record: Record | None
    problems: list[dict] = field(default_factory=list)
    digest: str = ""


class Corpus:
    """A loaded corpus: typed tables of its articles and the problems found loading it.

    Attributes
    ----------
    root : pathlib.Path
        The folder (or file) the corpus was loaded from.
    articles, topics, images, related, providers, problems : pandas.DataFrame
        See the README for their columns.
    fields : pandas.DataFrame
        Every front-matter key the articles carry (see :func:`build_fields`).
    """

    def __init__(
        self,
        root: Path,
        articles: pd.DataFrame,
        topics: pd.DataFrame,
        images: pd.DataFrame,
        related: pd.DataFrame,
        problems: pd.DataFrame,
        digests: dict[str, str],
        *,
        providers: pd.DataFrame | None = None,
    ) -> None:
        self.root = root
        self.articles = articles
        self.topics = topics
        self.images = images
        self.related = related
        self.problems = problems
        # providers: build_providers(articles), passed in when a cache kept it
        self.providers = build_providers(articles) if providers is None else providers
        self._fields: pd.DataFrame | None = None  # built when first asked for
        self._digests = digests

    @property
    def fields(self) -> pd.DataFrame:
        """One row per front-matter key the articles carry: :func:`build_fields`."""
        if self._fields is None:
            self._fields = build_fields(self.articles)[0]
        return self._fields

    def __len__(self) -> int:
        return len(self.articles)

    def __repr__(self) -> str:
        return (
            f"<Corpus {str(self.root)!r}: {len(self)} articles, "
            f"{self.n_errors} errors, {self.n_warnings} warnings>"
        )

    def _repr_html_(self) -> str:
        return __import__("newskit.display").display.render_corpus(self)._repr_html_()

    @property
    def n_errors(self) -> int:
        return int((self.problems["severity"] == "error").sum())

    @property
    def n_warnings(self) -> int:
        return int((self.problems["severity"] == "warning").sum())

    @property
    def fingerprint(self) -> str:
        """A short hash of every file's name and content: equal corpora, equal fingerprints."""
        digest = hashlib.sha256()
        for relpath in sorted(self._digests):
            digest.update(f"{relpath}\0{self._digests[relpath]}\n".encode())
        return digest.hexdigest()[:16]

    def select(
        self,
        *,
        start: object = None,
        end: object = None,
        topic: str | list[str] | None = None,
        provider: str | list[str] | None = None,
    ) -> Corpus:
        """A corpus of the articles in a date window, with a topic and from a provider.

        Parameters
        ----------
        start, end : str, datetime.date, datetime.datetime, pandas.Timestamp or numpy.datetime64
            Inclusive bounds on ``published_at``, read by `newskit.dates.parse_bound`: naive
            values are UTC, an ``end`` that is a calendar date (``date(2021, 2, 10)``,
            ``"2021-2-10"``) includes that whole day; an empty or unparseable value, ``NaT``,
            ``now`` or ``today`` is a ValueError. Articles with no date are dropped when either
            bound is set.
        topic : str or list of str, optional
            Keep articles having any of these topics.
        provider : str or list of str, optional
            Keep articles whose provider domain or name is one of these (case-insensitive).

        Returns
        -------
        Corpus
            The same problems and fingerprint; the tables restricted to the kept articles.
        """
        articles = self.articles
        keep = pd.Series(True, index=articles.index)
        when = articles["published_at"]
        first = parse_bound(start, end=False, name="start")
        last = parse_bound(end, end=True, name="end")
        if first is not None:
            keep &= when >= first
        if last is not None:
            keep &= when <= last
        if topic is not None:
            wanted = _as_list(topic)
            ids = self.topics.loc[self.topics["topic"].isin(wanted), "article_id"]
            keep &= articles["article_id"].isin(ids)
        if provider is not None:
            wanted = [value.lower() for value in _as_list(provider)]
            keep &= articles["provider_domain"].str.lower().isin(wanted) | articles[
                "provider_name"
            ].str.lower().isin(wanted)
        keep = keep.fillna(False).astype(bool)
        ids = articles.loc[keep, "article_id"]

        def restrict(table: pd.DataFrame) -> pd.DataFrame:
            return table[table["article_id"].isin(ids)].reset_index(drop=True)

        return Corpus(
            self.root,
            restrict(articles),
            restrict(self.topics),
            restrict(self.images),
            restrict(self.related),
            self.problems,
            self._digests,
        )

    def summary(self) -> dict:
        """The headline numbers of the corpus, as a plain dict."""
        articles = self.articles
        dates = articles["published_at"].dropna()
        return {
            "root": shown_name(os.fspath(self.root)),
            "n_files": len(self._digests),
            "n_articles": len(articles),
            "first_published_at": dates.min() if len(dates) else None,
            "last_published_at": dates.max() if len(dates) else None,
            "types": _counts(articles["type"]),
            "n_providers": int(articles["provider_domain"].nunique()),
            "top_providers": _counts(articles["provider_domain"], 5),
            "n_topics": int(self.topics["topic"].nunique()),
            "top_topics": _counts(self.topics["topic"], 5),
            "n_duplicates": int(articles["is_duplicate"].sum()),
            "n_errors": self.n_errors,
            "n_warnings": self.n_warnings,
            "fingerprint": self.fingerprint,
        }


def load_corpus(
    path: str | os.PathLike,
    *,
    strict: bool = False,
    cache: bool = True,
    cache_dir: str | os.PathLike | None = None,
    workers: int | None = None,
    progress: bool | None = None,
) -> Corpus:
    """Load a corpus of news records into a :class:`Corpus`.

    Parameters
    ----------
    path : str or path-like
        A folder, searched recursively for ``*.txt`` and ``*.md`` files (hidden files and
        folders are skipped), or one record file.
    strict : bool, default False
        Raise :class:`~newskit.CorpusError` when any file cannot be loaded, instead of
        reporting it in ``Corpus.problems``.
    cache : bool, default True
        Reuse what an earlier load parsed for every file whose size and modification time are
        unchanged, and keep this load's result for the next one. The result is the same as
        with ``cache=False``. The cache file is written by a background thread, which the
        next load and the end of the process wait for.
    cache_dir : str or path-like, optional
        Where cache files live; default ``$NEWSKIT_CACHE_DIR``, else
        ``$XDG_CACHE_HOME/newskit``, else ``~/.cache/newskit`` (never the corpus folder).
    workers : int, optional
        Processes parsing files; default one per CPU for large loads and 1 (this process)
        below ``PARALLEL_MIN_FILES`` files.
    progress : bool, optional
        Show a progress bar while parsing; default: for loads parsing many files, when output
        goes to a terminal or a notebook and ``NEWSKIT_PROGRESS`` is not ``0``.

    Returns
    -------
    Corpus
        Every file found is either a row of ``articles`` or an ``error`` row of ``problems``.
    """
    with _without_gc():
        corpus = _load(
            Path(path), cache=cache, cache_dir=cache_dir, workers=workers, progress=progress
        )
    if strict:
        raise_for_errors(corpus)
    return corpus


@contextmanager
def _without_gc() -> Iterator[None]:
    """Pause the cycle collector: a load allocates ~100 objects per file and makes no cycles,
    and collections triggered meanwhile would walk every object (about a third of the time of
    an incremental load). Forked workers inherit the pause."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load(
    root: Path,
    *,
    cache: bool,
    cache_dir: str | os.PathLike | None,
    workers: int | None,
    progress: bool | None,
) -> Corpus:
    _cache.wait_for_writes()  # an earlier load's cache, and no thread running when forking
    started_ns = time.time_ns()
    store = _cache.cache_file(root, cache_dir) if cache else None
    stamp = {"root": str(root), "abs": os.path.abspath(root), "code": _cache.code_version()}
    with ThreadPoolExecutor(1) as reader:  # read the cache (I/O, CRC) while listing files
        pending = reader.submit(_cache.read_tables, store, stamp) if store is not None else None
        entries = _shown_entries(_scan_entries(root))
        cached = pending.result() if pending is not None else None
    # paths in the tables are shown names (see shown_name); _read_bytes finds the file again
    base = Path(shown_name(os.fspath(root if root.is_dir() else root.parent)))
    if cached is not None and not _is_cache_of(cached):
        cached = None
    unchanged = cached is not None and _unchanged(cached["files"], entries)
    tables = (
        cached
        if unchanged
        else _load_changed(base, entries, cached, workers=workers, progress=progress)
    )
    frames = {
        name: _cache.table_to_frame(tables[name], columns) for name, (columns, _) in _TABLES.items()
    }
    providers = None
    if unchanged:  # duplicates and providers as the load that wrote the cache found them
        duplicates = (
            tables["duplicate_flags"]["is_duplicate"].to_numpy(),
            _cache.table_to_frame(tables["duplicate_problems"], PROBLEM_COLUMNS),
        )
        providers = _cache.table_to_frame(tables["providers"], PROVIDER_COLUMNS)
    else:
        # the URL columns in one piece: factorising hundreds of merged slices is slow
        urls = tables["articles"].select(list(_URL_COLUMNS)).combine_chunks()
        flagged, found = flag_duplicates(_cache.table_to_frame(urls, _URL_COLUMNS))
        duplicates = (flagged["is_duplicate"].to_numpy(), build_frame(found, PROBLEM_COLUMNS))
    relpaths = map(itemgetter(0), entries)
    digests = dict(zip(relpaths, tables["files"]["digest"].to_pylist(), strict=True))
    corpus = finish_corpus(root, frames, digests, duplicates=duplicates, providers=providers)
    if store is not None and not unchanged:
        _write_cache(store, stamp, tables, duplicates, corpus.providers, entries, started_ns)
    return corpus


def find_files(root: Path) -> list[str]:
    """Relative POSIX paths of the record files under ``root``, sorted."""
    return [entry[0] for entry in _scan_entries(root)]


def scan_files(root: Path) -> list[tuple[str, int, int]]:
    """``(relative POSIX path, size, mtime_ns)`` of the record files under ``root``, sorted.

    Hidden files and folders are skipped and symbolic links to folders are not followed (as
    :func:`os.walk` does); a file that cannot be stat'ed gets size and mtime -1. Names are
    as the ``os`` functions give them (see :func:`shown_name` for how the tables show them).
    """
    return [entry[:3] for entry in _scan_entries(root)]


def _scan_entries(root: Path) -> list[_Entry]:
    """:func:`scan_files` with each file's inode number and inode change time (ns) too:
    what tells a replaced file from one of the same size and mtime."""
    if root.is_file():
        info = root.stat()
        return [(root.name, info.st_size, info.st_mtime_ns, _inode(info), info.st_ctime_ns)]
    if not root.is_dir():
        if root.exists() or root.is_symlink():
            raise CorpusError(f"{shown_name(os.fspath(root))}: not a folder or a regular file")
        raise CorpusError(f"{shown_name(os.fspath(root))}: no such file or folder")
    folder = os.fspath(root)
    if _scan is not None:
        try:
            found = _scan.scan(folder)
        except OSError as exc:  # filename: the folder's path relative to root
            shown = os.path.join(folder, exc.filename) if exc.filename else folder
            raise CorpusError(f"{shown_name(shown)}: cannot list folder: {exc.strerror}") from exc
    else:
        found = _scan_folder(folder)
    found.sort(key=itemgetter(0))  # paths are unique; comparing them alone is faster
    return found


def _inode(info: os.stat_result) -> int:
    """The inode number as the C scan gives it: its 64 bits read as a signed number."""
    number = info.st_ino
    return number - 2**64 if number >= 2**63 else number


def _shown_entries(entries: list[tuple]) -> list[tuple]:
    """``entries`` with each relative path as :func:`shown_name` shows it, sorted by it."""
    try:  # one check for the usual case: every name is UTF-8
        "".join(map(itemgetter(0), entries)).encode()
    except UnicodeEncodeError:
        entries = [(shown_name(relpath), *rest) for relpath, *rest in entries]
        entries.sort(key=itemgetter(0))
    return entries


def shown_name(name: str) -> str:
    """A file name or path as newskit's tables show it.

    Bytes of a name that are not UTF-8 (which Python's ``os`` functions carry as lone
    surrogates) are written ``\\xNN``, as ``bytes.decode(errors="backslashreplace")`` writes
    them: ``caf\\xe9.md`` for the Latin-1 name ``café.md``. Other names are left as they are.
    """
    try:
        name.encode()
    except UnicodeEncodeError:
        return os.fsencode(name).decode(errors="backslashreplace")
    return name


_ESCAPED_BYTE = re.compile(rb"\\x([89a-f][0-9a-f])")


def _named_file(shown: str) -> str | None:
    """The path whose :func:`shown_name` is ``shown``, when that holds escaped bytes."""
    if "\\x" not in shown:
        return None
    raw = _ESCAPED_BYTE.sub(lambda match: bytes([int(match[1], 16)]), shown.encode())
    return os.fsdecode(raw)


def _scan_folder(folder: str) -> list[_Entry]:
    """What the C scan lists, with os.scandir: depth-first, without recursion (so a deep
    tree is no RecursionError). Each folder is opened relative to its parent's descriptor
    (cheaper than a whole path, and no limit on the length of one), which stays open while
    any of its subfolders waits. Errors name the folder as os.walk's would."""
    found: list[_Entry] = []
    append = found.append
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
    waiting: dict[int, int] = {}  # descriptor -> its subfolders not yet opened
    pending: list[tuple[int | None, str, str]] = [(None, folder, "")]  # parent, path, prefix

    def release(fd: int) -> None:
        waiting[fd] -= 1
        if not waiting[fd]:
            del waiting[fd]
            os.close(fd)

    try:
        while pending:
            parent, path, prefix = pending.pop()
            try:
                name = path if parent is None else os.path.basename(path)
                fd = os.open(name, flags, dir_fd=parent)
            except OSError as exc:
                raise CorpusError(
                    f"{shown_name(path)}: cannot list folder: {exc.strerror}"
                ) from exc
            finally:
                if parent is not None:
                    release(parent)
            subfolders = []
            try:
                with os.scandir(fd) as entries:
                    for entry in entries:
                        name = entry.name
                        if name[0] == ".":
                            continue
                        try:
                            is_dir = entry.is_dir()
                        except OSError:
                            is_dir = False
                        if is_dir:
                            if not entry.is_symlink():
                                subfolders.append(name)
                        elif name.endswith(_COMMON_SUFFIXES) or name.lower().endswith(SUFFIXES):
                            try:
                                info = entry.stat()
                            except OSError:
                                append((prefix + name, -1, -1, -1, -1))
                            else:
                                append(
                                    (
                                        prefix + name,
                                        info.st_size,
                                        info.st_mtime_ns,
                                        _inode(info),
                                        info.st_ctime_ns,
                                    )
                                )
            except OSError as exc:
                os.close(fd)
                raise CorpusError(
                    f"{shown_name(path)}: cannot list folder: {exc.strerror}"
                ) from exc
            if subfolders:
                waiting[fd] = len(subfolders)
                for name in reversed(subfolders):  # popped in directory order
                    pending.append((fd, os.path.join(path, name), f"{prefix}{name}/"))
            else:
                os.close(fd)
    finally:
        for fd in waiting:
            os.close(fd)
    return found


def parse_files(base: str | os.PathLike, relpaths: list[str]) -> dict[str, pd.DataFrame]:
    """Read and parse the files ``base/relpath`` into per-file tables (run in worker processes).

    Returns
    -------
    dict
        ``articles``, ``topics``, ``images``, ``related`` and ``problems`` (with a ``relpath``
        column) DataFrames, before duplicates are flagged, and ``digests``: relpath -> digest.
    """
    base = Path(base)
    return build_tables([read_file(base / relpath, relpath) for relpath in relpaths])


def read_file(path: Path, relpath: str) -> FileResult:
    """Read and normalise one record file; never raises on bad content."""
    shown = str(path)
    return _file_result(relpath, shown, read_front_matter(shown))


def read_front_matter(path: str) -> tuple[dict | None, str, str, dict | None]:
    """``(front matter, body, digest, None)`` of one record file, or ``(None, "", digest,
    error problem)`` when it cannot be loaded (digest ``""`` when it could not be read)."""
    try:
        data = _read_bytes(path)
    except OSError as exc:
        return None, "", "", _problem(path, "error", None, f"cannot read file: {exc.strerror}")
    except RecordError as exc:
        return None, "", "", _problem(path, "error", None, str(exc))
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    try:
        meta, body = parse_record(data)
        if not is_article(meta):
            raise RecordError("not a news record: front matter has no title and no URL")
    except RecordError as exc:
        return None, "", digest, _problem(path, "error", None, str(exc))
    return meta, body, digest, None


def _file_result(relpath: str, path: str, read: tuple) -> FileResult:
    meta, body, digest, problem = read
    if meta is None:
        return FileResult(relpath, path, None, [problem], digest)
    record = build_record(meta, body, article_id=relpath, path=path)
    problems = [_problem(path, "warning", name, message) for name, message in record.warnings]
    return FileResult(relpath, path, record, problems, digest)


def _read_bytes(path: str) -> bytes:
    """The whole of a regular file of at most ``MAX_FILE_BYTES``, in few system calls."""
    # O_NONBLOCK: opening a FIFO must not wait for a writer; regular files ignore it
    flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        named = _named_file(path)  # a path shown with escaped bytes: the file it names
        if named is None:
            raise
        fd = os.open(named, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
            raise RecordError("not a regular file")
        size = info.st_size
        if size > MAX_FILE_BYTES:
            raise RecordError(
                f"file is {size / 2**20:.1f} MiB, over the {MAX_FILE_BYTES // 2**20} MiB limit "
                "for one record"
            )
        chunks = [os.read(fd, size + 1)]
        if len(chunks[0]) == size:  # as fstat said: the whole file
            return chunks[0]
        while chunks[-1]:  # it grew or shrank since: read to its end
            chunks.append(os.read(fd, max(size, 65536)))
    finally:
        os.close(fd)
    return b"".join(chunks)


def build_corpus(root: Path, results: list[FileResult]) -> Corpus:
    """Assemble per-file results into a :class:`Corpus`, flagging duplicates."""
    tables = build_tables(results)
    return finish_corpus(root, tables, tables["digests"])


def build_tables(results: list[FileResult]) -> dict:
    """The per-file tables of ``results`` (see :func:`parse_files`), in their order."""
    rows = _columns.record_rows([r.record for r in results if r.record is not None])
    return {
        name: build_frame(rows[name], columns)
        for name, columns in (
            ("articles", ARTICLE_COLUMNS),
            ("topics", TOPIC_COLUMNS),
            ("images", IMAGE_COLUMNS),
            ("related", RELATED_COLUMNS),
        )
    } | {
        "problems": build_frame(
            [
                {**problem, "relpath": result.relpath}
                for result in results
                for problem in result.problems
            ],
            _FILE_PROBLEM_COLUMNS,
        ),
        "digests": {result.relpath: result.digest for result in results},
    }


def finish_corpus(
    root: Path,
    tables: dict,
    digests: dict[str, str],
    *,
    duplicates: tuple[np.ndarray, pd.DataFrame] | None = None,
    providers: pd.DataFrame | None = None,
) -> Corpus:
    """Flag duplicates across all files and build the :class:`Corpus` of per-file tables.

    ``duplicates`` is what :func:`flag_duplicates` found for these articles, when known: their
    ``is_duplicate`` values and the duplicate warnings as a problems frame; ``providers`` is
    :func:`build_providers` of the flagged articles, when known. An article dated after this
    moment gets a warning here, not with its file's rows: those a cache keeps.
    """
    if duplicates is None:
        articles, found = flag_duplicates(tables["articles"])
        duplicates = (articles["is_duplicate"].to_numpy(), build_frame(found, PROBLEM_COLUMNS))
    flags, duplicate_problems = duplicates
    articles = tables["articles"].assign(is_duplicate=flags)
    problems = tables["problems"].drop(columns="relpath")
    later = _future_dates(articles, pd.Timestamp.now(tz="UTC"))
    # corpus.fields is built when first asked for; its warnings now (cheap without extra keys)
    mixed = _mixed_kinds(_extra_keys(articles)[1])
    found = [frame for frame in (duplicate_problems, later) if len(frame)]
    if mixed:
        found.append(build_frame(mixed, PROBLEM_COLUMNS))
    if found:
        problems = pd.concat([problems, *found], ignore_index=True)
    problems = problems.sort_values("path", kind="stable", ignore_index=True)
    return Corpus(
        root,
        articles,
        tables["topics"],
        tables["images"],
        tables["related"],
        problems,
        digests,
        providers=providers,
    )


def build_fields(articles: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Every front-matter key ``articles`` carry, and a warning for each of varying type.

    Returns
    -------
    fields : DataFrame
        One row per key (``provider.<key>`` for a key of ``provider``): ``key``, ``column``
        (the articles column holding it, or ``extra``), ``stored`` (``typed`` or ``extra``),
        ``n_articles`` (articles with a value; for lists, a non-empty one), ``share`` and
        ``kinds`` (of value: a typed column's kind; in ``extra``, every kind seen). Most
        common keys first.
    problems : list of dict
        A warning for each key in ``extra`` whose values are of several kinds (null aside),
        naming the first file of each kind.
    """
    rows = []
    for key, (column, kind) in TYPED_KEYS.items():
        values = articles[column]
        if kind != "list":
            present = values.notna()
        elif values.dtype == object:  # lists
            present = np.fromiter(map(bool, values), dtype=bool, count=len(values))
        else:
            present = values > 0
        rows.append(
            {
                "key": key,
                "column": column,
                "stored": "typed",
                "kinds": kind,
                "n_articles": int(present.sum()),
            }
        )
    counts, kinds = _extra_keys(articles)
    for key, count in counts.items():
        rows.append(
            {
                "key": key,
                "column": "extra",
                "stored": "extra",
                "n_articles": count,
                "kinds": ", ".join(kinds[key]),
            }
        )
    rows = [row for row in rows if row["n_articles"]]
    rows.sort(key=lambda row: (-row["n_articles"], row["key"]))
    for row in rows:
        row["share"] = row["n_articles"] / len(articles)
    return build_frame(rows, FIELD_COLUMNS), _mixed_kinds(kinds)


def _extra_keys(articles: pd.DataFrame) -> tuple[dict[str, int], dict[str, dict[str, str]]]:
    """Per key of ``extra``: the number of articles with it, and its kinds of value (in
    ``VALUE_KINDS`` order), each with the path of the first file holding one."""
    counts: dict[str, int] = {}
    found: dict[str, dict[str, str]] = {}
    extra = articles["extra"]
    has = extra.notna().to_numpy(dtype=bool)
    if has.any():
        for path, text in zip(articles["path"][has], extra[has], strict=True):
            for key, value in json.loads(text).items():
                counts[key] = counts.get(key, 0) + 1
                found.setdefault(key, {}).setdefault(_value_kind(value), path)
    kinds = {
        key: dict(sorted(seen.items(), key=lambda item: VALUE_KINDS.index(item[0])))
        for key, seen in found.items()
    }
    return counts, kinds


def _mixed_kinds(kinds: dict[str, dict[str, str]]) -> list[dict]:
    """A warning for each key of ``extra`` with values of several kinds (null aside)."""
    problems = []
    for key, seen in kinds.items():
        varying = [(kind, path) for kind, path in seen.items() if kind != "null"]
        if len(varying) > 1:
            where = ", ".join(f"{kind} in {path}" for kind, path in varying)
            message = f"values of several kinds: {where}; kept in extra"
            problems.append(_problem(varying[0][1], "warning", key, message))
    return problems


_ISO_STAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)


def _value_kind(value: object) -> str:
    """The kind of a value of ``extra`` (dates are held as ISO 8601 text there)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "datetime" if _ISO_STAMP.match(value) else "text"
    return "list" if isinstance(value, list) else "mapping"


def _future_dates(articles: pd.DataFrame, now: pd.Timestamp) -> pd.DataFrame:
    """A warning for each article published after ``now``, as a problems frame."""
    later = articles.loc[(articles["published_at"] > now).fillna(False).to_numpy(dtype=bool)]
    rows = [
        _problem(path, "warning", "publishedDateTime", implausible_date(stamp, "in the future"))
        for path, stamp in zip(later["path"], later["published_at"], strict=True)
    ]
    return build_frame(rows, PROBLEM_COLUMNS)


def flag_duplicates(articles: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Mark every article whose original_url or web_url an earlier file already has.

    The first file (in path order) stays unflagged; each later copy gets ``is_duplicate`` and a
    warning naming the file it repeats.
    """
    flagged = np.zeros(len(articles), dtype=bool)
    paths = None
    problems = []
    for column, key in (("original_url", "originalUrl"), ("web_url", "webUrl")):
        codes = _codes(articles[column])  # missing values get -1
        present = codes >= 0
        _, first = np.unique(codes[present], return_index=True)  # codes count from 0
        first_row = np.flatnonzero(present)[first]  # per code: the row that has it first
        repeat = present.copy()
        repeat[present] = first_row[codes[present]] != np.flatnonzero(present)
        if repeat.any() and paths is None:
            paths = articles["path"].tolist()
        for index in np.flatnonzero(repeat & ~flagged):
            other = paths[first_row[codes[index]]]
            problems.append(
                _problem(paths[index], "warning", key, f"duplicate of {other} (same {key})")
            )
        flagged |= repeat
    articles = articles.assign(is_duplicate=flagged)
    return articles, problems


def _load_changed(
    base: Path,
    entries: list[_Entry],
    cached: dict | None,
    *,
    workers: int | None,
    progress: bool | None,
) -> dict[str, pa.Table]:
    """Parse the files the cache cannot vouch for; merge them with the cached rest in order.

    Returns the per-file tables and ``files`` (relpath, size, mtime_ns, inode, ctime_ns,
    digest) as Arrow.
    """
    n = len(entries)
    names, *stats = zip(*entries, strict=True) if n else ((), (), (), (), ())
    relpaths = pa.array(names, type=pa.large_string())
    sizes, mtimes, inodes, ctimes = (np.array(values, dtype=np.int64) for values in stats)
    reuse = np.zeros(n, dtype=bool)
    if cached is not None and n:
        old = cached["files"]
        where = pc.index_in(relpaths, value_set=old["relpath"], memory_pool=_POOL)
        where = where.fill_null(-1).to_numpy()
        known = np.maximum(where, 0)
        reuse = (
            (where >= 0)
            & (mtimes != -1)
            & (old["size"].to_numpy()[known] == sizes)
            & (old["mtime_ns"].to_numpy()[known] == mtimes)
            & (old["inode"].to_numpy()[known] == inodes)
            & (old["ctime_ns"].to_numpy()[known] == ctimes)
        )
    todo = relpaths.filter(pa.array(~reuse)).to_pylist()
    parts = _parse_all(base, todo, workers=workers, progress=progress)
    parsed: dict[str, str] = {}
    for part in parts:
        parsed.update(part.get("digests", {}))
    digests = pa.array([parsed[relpath] for relpath in todo], type=pa.large_string())
    if reuse.any():
        position = np.arange(n, dtype=np.int64)
        kept = relpaths.filter(pa.array(reuse))
        fresh = pa.array(todo, type=pa.large_string())
        tables = {
            name: _merge(
                cached[name],
                kept,
                position[reuse],
                [part[name] for part in parts],
                fresh,
                position[~reuse],
                key,
            )
            for name, (_, key) in _TABLES.items()
        }
        old_digests = old["digest"].take(pa.array(known))
        digests = pc.replace_with_mask(old_digests, pa.array(~reuse), digests)
    else:
        tables = {name: _concat([part[name] for part in parts]) for name in _TABLES}
    tables["files"] = pa.table(
        {
            "relpath": relpaths,
            "size": pa.array(sizes, type=pa.int64()),
            "mtime_ns": pa.array(mtimes, type=pa.int64()),
            "inode": pa.array(inodes, type=pa.int64()),
            "ctime_ns": pa.array(ctimes, type=pa.int64()),
            "digest": digests,
        }
    )
    return tables


def _parse_all(
    base: Path, relpaths: list[str], *, workers: int | None, progress: bool | None
) -> list[dict]:
    """Per-file tables of ``relpaths``, in order, parsed in chunks by a pool or serially."""
    if not relpaths:
        return [_parse_chunk(str(base), [])]
    count = _worker_count(workers, len(relpaths))
    size = max(50, min(2000, -(-len(relpaths) // (count * 4)))) if count > 1 else 1000
    chunks = [relpaths[i : i + size] for i in range(0, len(relpaths), size)]
    bar = _progress_bar(len(relpaths), progress)
    parts: list[dict] = []
    try:
        if count > 1:
            try:
                parts = _parse_in_pool(base, chunks, count, bar)
            except (OSError, EOFError, BrokenProcessPool):
                parts = []  # no processes to be had here: parse in this one
        for chunk in chunks[len(parts) :]:
            parts.append(_parse_chunk(str(base), chunk))
            if bar is not None:
                bar.update(len(chunk))
    finally:
        if bar is not None:
            bar.close()
    return parts


def _parse_in_pool(base: Path, chunks: list[list[str]], count: int, bar: object) -> list[dict]:
    pool = ProcessPoolExecutor(
        count,
        mp_context=_pool_context(),
        initializer=_init_worker,
        initargs=(os.getpid(), _disabled_speed_ups()),
    )
    parts: list[dict | None] = [None] * len(chunks)
    try:
        with _signals_between_chunks() as act_on_signals:
            _start_forkserver(pool)
            with _main_script_hidden():  # the workers (and the forkserver) start on submit
                futures = [pool.submit(_parse_chunk, str(base), chunk) for chunk in chunks]
            # While the workers start (a forkserver imports newskit first), this process
            # parses the last chunks, those no worker has taken yet.
            for i in reversed(range(len(chunks))):
                act_on_signals()
                if not futures[i].cancel():
                    break
                parts[i] = _parse_chunk(str(base), chunks[i])
                if bar is not None:
                    bar.update(len(chunks[i]))
            for i, future in enumerate(futures):
                while parts[i] is None:
                    act_on_signals()
                    with contextlib.suppress(TimeoutError):
                        parts[i] = future.result(timeout=_SIGNAL_POLL_SECONDS)
                if bar is not None and not future.cancelled():
                    bar.update(len(chunks[i]))
    except BaseException:
        # Ctrl-C (or any failure): drop the chunks not started; the workers, which ignore
        # SIGINT, finish the one each is parsing and exit.
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return parts  # type: ignore[return-value]


def _start_forkserver(pool: ProcessPoolExecutor) -> None:
    """Start the pool's forkserver (when it uses one) with SIGINT blocked from its first
    instruction: a Ctrl-C while it imports newskit would otherwise print its traceback. The
    blocked mask survives exec and fork, so its workers never take SIGINT either; in this
    process a SIGINT that came meanwhile is delivered once the mask is restored."""
    if pool._mp_context.get_start_method() != "forkserver":  # pragma: no cover - spawn
        return
    from multiprocessing import forkserver

    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        with _main_script_hidden():
            forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


#: How often a parallel parse looks for a signal while it waits for a worker's chunk.
_SIGNAL_POLL_SECONDS = 0.05


@contextmanager
def _signals_between_chunks() -> Iterator[Callable[[], None]]:
    """Hold SIGINT and SIGTERM while a pool runs and act on them between chunks.

    A signal whose Python handler raises (Ctrl-C's KeyboardInterrupt, the CLI's SIGTERM) may
    otherwise land inside one of multiprocessing's finalizers, where the exception is printed
    as "Exception ignored" and lost, and the load goes on. Here the handler only notes the
    signal; the yielded function runs the original handler at a point where raising is safe.
    Handlers that are not Python functions (the default action, ignoring) are left alone.
    """
    pending: list[int] = []
    held: dict[int, object] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            handler = signal.getsignal(signum)
            if callable(handler):
                held[signum] = signal.signal(signum, lambda n, _frame: pending.append(n))

    def act_on_signals() -> None:
        if pending:
            signum = pending[0]
            pending.clear()
            held[signum](signum, None)  # type: ignore[operator]

    try:
        yield act_on_signals
    finally:
        for signum, handler in held.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]
        # A signal noted before the pool finished, or broke (a terminal signals the whole
        # process group, the forkserver and the workers too): it wins over what followed.
        act_on_signals()


@contextmanager
def _main_script_hidden() -> Iterator[None]:
    """Start processes without running the caller's script again in them.

    A forkserver or spawned process re-runs the ``__main__`` script (as ``__mp_main__``) so
    that what it defines unpickles; the workers need only newskit, and a script that loads a
    corpus at its top level, with no ``if __name__ == "__main__":``, would otherwise load it
    again in every worker.
    """
    main = sys.modules.get("__main__")
    if main is None:  # pragma: no cover
        yield
        return
    saved = {
        name: main.__dict__[name] for name in ("__file__", "__spec__") if name in main.__dict__
    }
    main.__dict__.pop("__file__", None)
    main.__spec__ = None
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


def _pool_context() -> multiprocessing.context.BaseContext:
    """forkserver: forking a process that runs threads (a Jupyter kernel, a progress bar's
    monitor) may deadlock the child; spawn where there is no forkserver. The server imports
    newskit.corpus once (see newskit._forkserver), and each worker is forked from it ready to
    parse and ignoring Ctrl-C."""
    if "forkserver" not in multiprocessing.get_all_start_methods():  # pragma: no cover
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["newskit._forkserver"])
    return context


def _disabled_speed_ups() -> tuple[str, ...]:
    """The optional readers this process runs without, which workers must do without too
    (they import newskit afresh rather than inherit this process's memory)."""
    from newskit import parse

    off = [name for name in ("yaml_rs", "_plainyaml") if getattr(parse, name) is None]
    return tuple(off)


def _init_worker(parent: int, disabled: tuple[str, ...]) -> None:
    """Make a pool worker die with the process that started the pool, ignore Ctrl-C (the
    parent stops the pool) and parse as that process does."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.disable()  # as in the parent's load (see _without_gc), which a fresh process lacks
    from newskit import parse

    for name in disabled:
        setattr(parse, name, None)
    _die_with_parent()
    _watch_parent(parent)


PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Linux: have the kernel SIGKILL this worker when the process that forked it exits (the
    forkserver, or under spawn the caller itself)."""
    if not sys.platform.startswith("linux"):  # pragma: no cover
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _watch_parent(parent: int) -> None:
    """A thread that ends this worker once ``parent``, which started the pool, is gone.

    A forkserver's workers are its children, not the caller's, and keep it alive (they hold
    its pipe), so the kernel's parent-death signal alone would not reach them: the worker
    waits on a pidfd of ``parent`` instead, or polls where there is none.
    """
    import threading

    try:
        handle = os.pidfd_open(parent)
    except (AttributeError, OSError):  # pragma: no cover - not Linux 5.3+
        handle = None
    # Opened before checking: if the caller is still this worker's parent or grandparent,
    # the pidfd is of the caller and not of a process that took its number later.
    if not _started_by(os.getppid(), parent):
        os._exit(1)

    def watch() -> None:
        if handle is not None:
            import select

            select.select([handle], [], [])
        else:  # pragma: no cover
            while _started_by(os.getppid(), parent):
                time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="newskit-parent-watch", daemon=True).start()


def _started_by(pid: int, parent: int) -> bool:
    """Whether ``pid`` is ``parent`` or a child of it (the forkserver)."""
    if pid == parent:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat_line = f.read()
    except OSError:  # pragma: no cover - no /proc: trust the parent
        return os.name != "posix" or sys.platform != "linux"
    # pid (comm) state ppid ...: comm may hold spaces and parentheses
    fields = stat_line[stat_line.rindex(b")") + 2 :].split()
    return int(fields[1]) == parent


def _worker_count(workers: int | None, n_files: int) -> int:
    if workers is not None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers must be a positive whole number, not {workers!r}")
        return min(workers, n_files)
    if n_files < PARALLEL_MIN_FILES:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, n_files // (PARALLEL_MIN_FILES // 2)))


def _progress_bar(total: int, progress: bool | None) -> object:
    """A tqdm.auto bar, or None when it should stay quiet."""
    if progress is None:
        progress = (
            total >= PROGRESS_MIN_FILES
            and os.environ.get("NEWSKIT_PROGRESS", "1") != "0"
            and (_in_notebook() or (sys.stderr is not None and sys.stderr.isatty()))
        )
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="parsing records", unit="file", leave=False)


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    ipython = shell.get_ipython()
    return ipython is not None and type(ipython).__name__ == "ZMQInteractiveShell"


def _parse_chunk(base: str, relpaths: list[str]) -> dict:
    """:func:`parse_files` as Arrow tables: cheap to send between processes and to merge.

    Records go to Arrow column-wise (:func:`newskit.columns.build_tables`); should a value
    not fit its Arrow type, the chunk takes the pandas road instead. Either way
    :func:`newskit.schema.cast_frame` casts the columns when they become frames.
    """
    prefix = str(Path(base) / "_")[:-1]  # joined as pathlib joins them, without its cost
    paths = [prefix + relpath for relpath in relpaths]
    read = [read_front_matter(path) for path in paths]
    loaded = [i for i, (meta, _, _, _) in enumerate(read) if meta is not None]
    schemas = {name: _arrow_schema(columns) for name, (columns, _) in _TABLES.items()}
    try:
        tables, slow = _columns.build_tables(
            [read[i][0] for i in loaded],
            [read[i][1] for i in loaded],
            [relpaths[i] for i in loaded],
            [paths[i] for i in loaded],
            schemas,
        )
        warned = {loaded[j]: record.warnings for j, record in slow.items()}
        problems = []
        for i, (_, _, _, problem) in enumerate(read):
            if problem is not None:
                problems.append({**problem, "relpath": relpaths[i]})
            for name, message in warned.get(i, ()):
                problems.append(
                    {**_problem(paths[i], "warning", name, message), "relpath": relpaths[i]}
                )
        tables["problems"] = _columns.rows_to_table(problems, schemas["problems"])
    except (pa.ArrowException, TypeError, ValueError, AttributeError, OverflowError):
        results = [
            _file_result(relpath, path, r)
            for relpath, path, r in zip(relpaths, paths, read, strict=True)
        ]
        frames = build_tables(results)
        tables = {name: _cache.frame_to_table(frames[name]) for name in _TABLES}
    tables["digests"] = {relpath: r[2] for relpath, r in zip(relpaths, read, strict=True)}
    return tables


def _concat(tables: list[pa.Table]) -> pa.Table:
    return pa.concat_tables(tables) if len(tables) > 1 else tables[0]


def _merge(
    cached: pa.Table,
    kept: pa.Array,
    kept_at: np.ndarray,
    parsed: list[pa.Table],
    fresh: pa.Array,
    fresh_at: np.ndarray,
    key: str,
) -> pa.Table:
    """The kept cached rows and the newly parsed rows, in file order, without copying rows.

    ``kept`` and ``fresh`` are the files whose cached rows stay and the files parsed anew;
    ``kept_at`` and ``fresh_at`` their positions in file order. Cached rows of other files
    (changed or deleted) are left out. Rows are taken as slices of runs of consecutive rows:
    the cached rows are in order, so a few changed files cost a few slices.
    """
    table = pa.concat_tables([cached, *parsed])

    def positions(keys: pa.ChunkedArray, files: pa.Array, at: np.ndarray) -> np.ndarray:
        found = pc.index_in(keys, value_set=files, memory_pool=_POOL).fill_null(-1).to_numpy()
        return np.where(found >= 0, at[np.maximum(found, 0)] if len(at) else -1, -1)

    where = np.concatenate(
        [
            positions(cached[key], kept, kept_at),
            *[positions(part[key], fresh, fresh_at) for part in parsed],
        ]
    )
    rows = np.flatnonzero(where >= 0)
    order = rows[np.argsort(where[rows], kind="stable")]
    if len(order) == 0:
        return table.slice(0, 0)
    breaks = np.flatnonzero(np.diff(order) != 1) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [len(order)]))
    return pa.concat_tables(
        [
            table.slice(int(order[start]), int(end - start))
            for start, end in zip(starts, ends, strict=True)
        ]
    )


def _is_cache_of(tables: dict) -> bool:
    """Whether a checked cache file holds the tables, columns and types this code writes."""
    wanted = {name: columns for name, (columns, _) in {**_TABLES, **_DUPLICATE_TABLES}.items()}
    wanted["files"] = _FILES_COLUMNS
    return all(
        name in tables and tables[name].schema.equals(_arrow_schema(columns))
        for name, columns in wanted.items()
    )


def _arrow_schema(columns: dict[str, object]) -> pa.Schema:
    """The Arrow schema :func:`newskit.cache.frame_to_table` gives a frame of ``columns``."""

    def arrow_type(dtype: object) -> pa.DataType:
        if dtype == "object":
            return pa.list_(pa.large_string())
        if dtype == "category" or dtype == STRING:
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

    return pa.schema([(name, arrow_type(dtype)) for name, dtype in columns.items()])


def _unchanged(files: pa.Table, entries: list[_Entry]) -> bool:
    """Whether every file is as the cache saw it (and the cache vouched for all of them)."""
    metadata = files.schema.metadata or {}
    return metadata.get(b"entries") == _entries_digest(entries).encode()


def _entries_digest(entries: list[_Entry]) -> str:
    # marshal version 2 writes no back-references, so equal lists give equal bytes
    return hashlib.blake2b(marshal.dumps(entries, 2), digest_size=16).hexdigest()


def _write_cache(
    store: Path,
    stamp: dict,
    tables: dict,
    duplicates: tuple[np.ndarray, pd.DataFrame],
    providers: pd.DataFrame,
    entries: list[_Entry],
    started_ns: int,
) -> None:
    flags, duplicate_problems = duplicates
    # frames are mutable: take Arrow copies now; the rest is built in the writing thread
    kept = {
        **{name: tables[name] for name in _TABLES},
        "duplicate_flags": pa.table({"is_duplicate": pa.array(flags, type=pa.bool_())}),
        "duplicate_problems": _cache.frame_to_table(duplicate_problems),
        "providers": _cache.frame_to_table(providers),
    }

    def build() -> dict[str, pa.Table]:
        # unread files and files changed too recently to be told apart by mtime are re-read
        files = tables["files"]
        recent = started_ns - RACY_NS
        unread = set(pc.filter(files["relpath"], pc.equal(files["digest"], "")).to_pylist())
        stored = [
            (
                relpath,
                size,
                -1 if max(mtime, ctime) >= recent or relpath in unread else mtime,
                inode,
                ctime,
            )
            for relpath, size, mtime, inode, ctime in entries
        ]
        mtimes = pa.array([entry[2] for entry in stored], type=pa.int64())
        files = files.set_column(2, "mtime_ns", mtimes)
        return {
            **kept,
            "files": files.replace_schema_metadata({"entries": _entries_digest(stored)}),
        }

    _cache.write_tables_soon(store, build, stamp)


def name_providers(keys: pd.Series, names: pd.Series) -> pd.Series:
    """The display name of each provider key: the name most of its articles give, on a tie
    the first in file order. The one rule for every table that names a provider.

    Parameters
    ----------
    keys, names : Series
        Aligned: each article's provider key (its domain) and provider name (may be missing).

    Returns
    -------
    Series
        Indexed by key (in order of first appearance), the chosen name; keys whose articles
        give no name are left out.
    """
    pairs = pd.DataFrame({"key": keys.to_numpy(dtype=object), "name": names.to_numpy(dtype=object)})
    pairs = pairs.dropna()
    # each (key, name) pair in order of first appearance; a stable sort keeps that on ties
    counts = pairs.groupby(["key", "name"], sort=False).size().reset_index(name="n")
    counts = counts.sort_values("n", ascending=False, kind="stable")
    chosen = counts.drop_duplicates("key").set_index("key")["name"]
    order = pd.unique(pairs["key"])
    return chosen.reindex(order).dropna().rename("provider_name").rename_axis(None)


def build_providers(articles: pd.DataFrame) -> pd.DataFrame:
    """One row per provider_domain: name, article count, date span, mean scores.

    The name is the one most articles of that domain give (on a tie, the first in file order).
    """
    known = articles[articles["provider_domain"].notna()]
    if known.empty:
        return build_frame([], PROVIDER_COLUMNS)
    grouped = known.groupby("provider_domain", sort=False)
    names = name_providers(known["provider_domain"], known["provider_name"])
    frame = pd.DataFrame(
        {
            "provider_name": names.reindex(grouped.size().index),
            "n_articles": grouped.size(),
            "first_published_at": grouped["published_at"].min(),
            "last_published_at": grouped["published_at"].max(),
            "mean_quality": grouped["quality"].mean().astype("float64"),
            "mean_heat": grouped["heat"].mean().astype("float64"),
        }
    ).reset_index()
    frame = frame.sort_values(["n_articles", "provider_domain"], ascending=[False, True])
    return cast_frame(frame.reset_index(drop=True), PROVIDER_COLUMNS)


def raise_for_errors(corpus: Corpus) -> None:
    """Raise :class:`~newskit.CorpusError` for the first error-level problem, if any."""
    errors = corpus.problems[corpus.problems["severity"] == "error"]
    if errors.empty:
        return
    first = errors.iloc[0]
    more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
    raise CorpusError(f"{first['path']}: {first['message']}{more}")


def _codes(values: pd.Series) -> np.ndarray:
    """``pd.factorize(values)[0]``: equal values, equal codes from 0 up; missing values -1."""
    array = pa.chunked_array(pa.array(values, from_pandas=True)).combine_chunks(_POOL)
    codes = pc.dictionary_encode(array, memory_pool=_POOL).indices
    return codes.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _problem(path: str, severity: str, field_name: str | None, message: str) -> dict:
    return {"path": path, "severity": severity, "field": field_name, "message": message}


def _counts(values: pd.Series, limit: int | None = None) -> dict[str, int]:
    counts = values.dropna().astype(str).value_counts()
    if limit is not None:
        counts = counts.head(limit)
    return {str(key): int(value) for key, value in counts.items()}


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)
