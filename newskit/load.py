"""Reading and parsing record files into per-file Arrow tables: chunks, the worker pool,
progress, and the incremental merge of newly parsed files with those a cache kept.

One file goes through :func:`read_record` (bytes -> front matter, or the problem that kept it
out); a chunk of files through :func:`parse_chunk` (Arrow tables, column-wise where
:mod:`newskit.columnar` can, record by record where not); a load through :func:`parse_all`
(serially, or by a pool of processes for large loads) and :func:`load_changed`. The tables are
those of :data:`newskit.schema.FILE_TABLES`, before duplicates across files are flagged.

Worker processes import this module and what it imports (not pandas' frames machinery): a
forkserver starts them, so that is all a cold parallel load waits for before they parse.
"""

from __future__ import annotations

import contextlib
import contextvars
import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from newskit.columnar import build_tables, record_rows
from newskit.files import Listing, content_digest, read_ahead, read_bytes
from newskit.machine import usable_cpus
from newskit.parse import RecordError, parse_record
from newskit.records import build_record, is_article
from newskit.schema import (
    FILE_TABLES,
    MEMORY_POOL,
    problem_row,
    rows_to_table,
    take_as_slices,
    text_hashes,
)
from newskit.stories import article_keys

#: Fewer files than this are parsed in this process: a process pool costs more than it saves.
PARALLEL_MIN_FILES = 1000
#: ... and fewer than this before this process has started the pool's forkserver, which
#: imports newskit, pandas and Arrow (about 0.45 s) while this process parses alone: measured
#: on 2 CPUs, a fresh process parsed 20,000 files alone in 0.59 s against 0.62 s with a pool,
#: and 25,000 in 0.76 s against 0.72 s (tests/bench/run.py --pool-threshold).
PARALLEL_MIN_FILES_COLD = 25_000
#: Whether this process has started the forkserver its pools' workers are forked from (it
#: runs until the process exits).
_forkserver_started = False
#: Loads parsing at least this many files show a progress bar (when output is interactive).
PROGRESS_MIN_FILES = 1000


class FileRead(NamedTuple):
    """What reading one record file gave: its front matter and body, or the problem (an
    ``error`` row) that kept it out; ``digest`` is of its bytes (``""`` if unreadable)."""

    meta: dict | None
    body: str
    digest: str
    problem: dict | None


def read_record(path: str, read: tuple[bytes, str] | None = None) -> FileRead:
    """Read and parse one record file (``read``: its bytes and their digest, when already
    read, as :func:`newskit.files.read_ahead` gives them); never raises on what the file
    holds."""
    try:
        data, digest = (read_bytes(path), None) if read is None else read
    except OSError as exc:
        return FileRead(
            None, "", "", problem_row(path, "error", None, f"cannot read file: {exc.strerror}")
        )
    except RecordError as exc:
        return FileRead(None, "", "", problem_row(path, "error", None, str(exc)))
    digest = content_digest(data) if digest is None else digest
    try:
        meta, body = parse_record(data)
        if not is_article(meta):
            raise RecordError("not a news record: front matter has no title and no URL")
    except RecordError as exc:
        return FileRead(None, "", digest, problem_row(path, "error", None, str(exc)))
    return FileRead(meta, body, digest, None)


def _paths(base: str, relpaths: list[str]) -> list[str]:
    prefix = str(Path(base) / "_")[:-1]  # joined as pathlib joins them, without its cost
    return [prefix + relpath for relpath in relpaths]


def parse_chunk(
    base: str, relpaths: list[str], contents: Iterator[bytes | None] | None = None
) -> dict:
    """The per-file tables of the files ``base/relpath``, as Arrow, and their digests.

    ``contents`` gives the files' bytes and digests in order (:func:`newskit.files.read_ahead`
    of their paths, by default).

    Records go to Arrow column-wise (:func:`newskit.columnar.build_tables`); should a value
    not fit its Arrow type there, the chunk is built record by record instead
    (:func:`build_file_tables`), which gives the same tables.

    Returns
    -------
    dict
        The tables of :data:`newskit.schema.FILE_TABLES` (``story_keys``: what
        :func:`newskit.stories.article_keys` makes of the articles), and ``digests``:
        relpath -> digest.
    """
    paths = _paths(base, relpaths)
    if contents is None:
        contents = read_ahead(paths)
    reads = [read_record(path, next(contents)) for path in paths]
    loaded = [i for i, read in enumerate(reads) if read.meta is not None]
    try:
        tables, slow = build_tables(
            [reads[i].meta for i in loaded],
            [reads[i].body for i in loaded],
            [relpaths[i] for i in loaded],
            [paths[i] for i in loaded],
        )
        warned = {loaded[j]: record.warnings for j, record in slow.items()}
        problems = []
        for i, read in enumerate(reads):
            if read.problem is not None:
                problems.append({**read.problem, "relpath": relpaths[i]})
            for name, message in warned.get(i, ()):
                problems.append(
                    {**problem_row(paths[i], "warning", name, message), "relpath": relpaths[i]}
                )
        tables["problems"] = rows_to_table(problems, FILE_TABLES["problems"][0])
    except (pa.ArrowException, TypeError, ValueError, AttributeError, OverflowError):
        tables = build_file_tables(relpaths, paths, reads)
    tables["story_keys"] = article_keys(tables["articles"])
    tables["digests"] = {
        relpath: read.digest for relpath, read in zip(relpaths, reads, strict=True)
    }
    return tables


def build_file_tables(relpaths: list[str], paths: list[str], reads: list[FileRead]) -> dict:
    """The per-file tables of read files, built record by record with
    :func:`~newskit.records.build_record`: the plain road the column-wise one must equal."""
    records, problems = [], []
    for relpath, path, read in zip(relpaths, paths, reads, strict=True):
        if read.meta is None:
            problems.append({**read.problem, "relpath": relpath})
            continue
        record = build_record(read.meta, read.body, article_id=relpath, path=path)
        records.append(record)
        problems.extend(
            {**problem_row(path, "warning", name, message), "relpath": relpath}
            for name, message in record.warnings
        )
    rows = record_rows(records) | {"problems": problems}
    return {name: rows_to_table(rows[name], FILE_TABLES[name][0]) for name in rows}


@contextmanager
def without_gc() -> Iterator[None]:
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


def load_changed(
    base: Path,
    listing: Listing,
    cached: dict | None,
    *,
    workers: int | None,
    progress: bool | None,
) -> tuple[dict[str, pa.Table], dict[str, pa.Table]]:
    """Parse the files the cache cannot vouch for; merge them with the cached rest in order.

    Returns the per-file tables and ``files`` (relpath, size, mtime_ns, inode, ctime_ns,
    digest) as Arrow, and the per-file tables of the files parsed.
    """
    n = len(listing)
    relpaths, sizes, mtimes, inodes, ctimes = listing.columns()
    reuse = np.zeros(n, dtype=bool)
    if cached is not None and n:
        old = cached["files"]
        where = pc.index_in(relpaths, value_set=old["relpath"], memory_pool=MEMORY_POOL)
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
    parts = parse_all(base, todo, workers=workers, progress=progress)
    parsed: dict[str, str] = {}
    for part in parts:
        parsed.update(part.get("digests", {}))
    digests = pa.array([parsed[relpath] for relpath in todo], type=pa.large_string())
    if reuse.any():
        position = np.arange(n, dtype=np.int64)
        # where each cached file's rows go: its place now if kept, else nowhere (-1)
        now = np.full(old.num_rows + 1, -1, dtype=np.int64)
        now[where[reuse]] = position[reuse]
        find_old = _finder(old["relpath"])
        fresh = pa.array(todo, type=pa.large_string())
        tables = {
            name: _merge(
                cached[name],
                now[find_old(cached[name][key])],
                [part[name] for part in parts],
                fresh,
                position[~reuse],
                key,
            )
            for name, (_, key) in FILE_TABLES.items()
        }
        old_digests = old["digest"].take(pa.array(known))
        digests = pc.replace_with_mask(old_digests, pa.array(~reuse), digests)
    else:
        tables = {name: _concat([part[name] for part in parts]) for name in FILE_TABLES}
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
    return tables, {name: _concat([part[name] for part in parts]) for name in FILE_TABLES}


def parse_all(
    base: Path, relpaths: list[str], *, workers: int | None, progress: bool | None
) -> list[dict]:
    """Per-file tables of ``relpaths``, in order, parsed in chunks by a pool or serially
    (or on a Dask cluster, inside :func:`parsing_on`)."""
    if not relpaths:
        return [parse_chunk(str(base), [])]
    client = _DASK_CLIENT.get()
    if client is not None:
        return _parse_on_dask(client, base, relpaths, progress)
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
        left = chunks[len(parts) :]
        # the files of every chunk left read ahead, while the chunks before are parsed
        paths = (path for chunk in left for path in _paths(str(base), chunk))
        with contextlib.closing(read_ahead(paths)) as contents:
            for chunk in left:
                parts.append(parse_chunk(str(base), chunk, contents))
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
    futures: list = [None] * len(chunks)
    # Chunks [0, bounds[0]) are submitted to the pool, [bounds[1], n) parsed here.
    bounds = [0, len(chunks)]
    claim = threading.Lock()
    failed: list[BaseException] = []

    def submit_all() -> None:
        # A worker's start waits for the forkserver to import newskit (the first submit
        # blocks that long): submitted from this thread, while the caller's parses.
        try:
            with _main_script_hidden():
                while True:
                    with claim:
                        i = bounds[0]
                        if i >= bounds[1]:
                            return
                        bounds[0] = i + 1
                    futures[i] = pool.submit(parse_chunk, str(base), chunks[i])
        except BaseException as exc:  # re-raised in the caller's thread
            failed.append(exc)

    starter = threading.Thread(target=submit_all, name="newskit-pool-start", daemon=True)
    try:
        with _signals_between_chunks() as act_on_signals:
            _start_forkserver(pool)
            starter.start()
            # While the workers start, this process parses the last chunks.
            while starter.is_alive():
                act_on_signals()
                with claim:
                    i = bounds[1] - 1
                    if i < bounds[0]:
                        break
                    bounds[1] = i
                parts[i] = parse_chunk(str(base), chunks[i])
                if bar is not None:
                    bar.update(len(chunks[i]))
            starter.join()
            if failed:
                raise failed[0]
            # Then the chunks no worker has taken yet, last first.
            for i in reversed(range(bounds[0])):
                act_on_signals()
                if not futures[i].cancel():
                    break
                parts[i] = parse_chunk(str(base), chunks[i])
                if bar is not None:
                    bar.update(len(chunks[i]))
            for i in range(bounds[0]):
                while parts[i] is None:
                    act_on_signals()
                    with contextlib.suppress(TimeoutError):
                        parts[i] = futures[i].result(timeout=_SIGNAL_POLL_SECONDS)
                if bar is not None and not futures[i].cancelled():
                    bar.update(len(chunks[i]))
    except BaseException:
        # Ctrl-C (or any failure): drop the chunks not started; the workers, which ignore
        # SIGINT, finish the one each is parsing and exit.
        with claim:
            bounds[1] = bounds[0]  # no more submits
        pool.shutdown(wait=True, cancel_futures=True)
        if starter.is_alive():
            starter.join()
        raise
    pool.shutdown(wait=True)
    return parts  # type: ignore[return-value]


# --------------------------------------------------------------------------- Dask

#: The Dask client loads in this context parse on (see :func:`parsing_on`).
_DASK_CLIENT: contextvars.ContextVar[object | None] = contextvars.ContextVar(
    "newskit_dask_client", default=None
)
#: Files per task on a Dask cluster: enough that a task's overhead (a few ms) is small.
DASK_CHUNK_FILES = 1000
DASK_MISSING = "Dask is not installed: pip install 'newskit[dask]'"


@contextmanager
def parsing_on(client: object) -> Iterator[None]:
    """Loads inside this context parse their files on a Dask cluster through ``client``
    (a ``distributed.Client``): :func:`parse_chunk` is mapped over chunks of files, and the
    rest of the load (merge, duplicates, providers) runs here, so the result is exactly a
    local load's. The workers must see the corpus at the same path (a shared file system)."""
    token = _DASK_CLIENT.set(client)
    try:
        yield
    finally:
        _DASK_CLIENT.reset(token)


@contextmanager
def dask_client(address: str | None = None) -> Iterator[object]:
    """A ``distributed.Client`` of the scheduler at ``address``, or of a new
    ``LocalCluster`` (one single-threaded worker process per CPU) when it is None; closed
    (the cluster shut down) on leaving.

    Raises
    ------
    NewskitError
        When Dask's distributed scheduler is not installed, naming the extra to install.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        from newskit.errors import NewskitError

        raise NewskitError(DASK_MISSING) from exc
    if address:
        with Client(address) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=usable_cpus(), threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _parse_on_dask(
    client: object, base: Path, relpaths: list[str], progress: bool | None
) -> list[dict]:
    size = DASK_CHUNK_FILES
    chunks = [relpaths[i : i + size] for i in range(0, len(relpaths), size)]
    futures = client.map(  # type: ignore[attr-defined]
        parse_chunk, [str(base)] * len(chunks), chunks, pure=False
    )
    bar = _progress_bar(len(relpaths), progress)
    try:
        parts = []
        for future, chunk in zip(futures, chunks, strict=True):
            parts.append(future.result())
            if bar is not None:
                bar.update(len(chunk))
    except BaseException:
        client.cancel(futures)  # type: ignore[attr-defined]
        raise
    finally:
        if bar is not None:
            bar.close()
    return parts


def _start_forkserver(pool: ProcessPoolExecutor) -> None:
    """Start the pool's forkserver (when it uses one) with SIGINT blocked from its first
    instruction: a Ctrl-C while it imports newskit would otherwise print its traceback. The
    blocked mask survives exec and fork, so its workers never take SIGINT either; in this
    process a SIGINT that came meanwhile is delivered once the mask is restored."""
    if pool._mp_context.get_start_method() != "forkserver":  # pragma: no cover - spawn
        return
    from multiprocessing import forkserver

    global _forkserver_started
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        with _main_script_hidden():
            forkserver.ensure_running()
        _forkserver_started = True
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
    """The optional readers (and C keys) this process runs without, which workers must do
    without too (they import newskit afresh rather than inherit this process's memory)."""
    from newskit import parse, schema

    off = [name for name in ("yaml_rs", "_plainyaml") if getattr(parse, name) is None]
    return (*off, "_keys") if schema._keys is None else tuple(off)


def _init_worker(parent: int, disabled: tuple[str, ...]) -> None:
    """Make a pool worker die with the process that started the pool, ignore Ctrl-C (the
    parent stops the pool) and parse as that process does."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.disable()  # as in the parent's load (see _without_gc), which a fresh process lacks
    from newskit import parse, schema

    pa.set_memory_pool(schema.MEMORY_POOL)  # as in the parent's load (schema.system_allocator)

    for name in disabled:
        setattr(schema if name == "_keys" else parse, name, None)
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
    if n_files < (PARALLEL_MIN_FILES if _forkserver_started else PARALLEL_MIN_FILES_COLD):
        return 1
    return max(1, min(usable_cpus(), n_files // (PARALLEL_MIN_FILES // 2)))


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


def _concat(tables: list[pa.Table]) -> pa.Table:
    return pa.concat_tables(tables) if len(tables) > 1 else tables[0]


def _merge(
    cached: pa.Table,
    cached_at: np.ndarray,
    parsed: list[pa.Table],
    fresh: pa.Array,
    fresh_at: np.ndarray,
    key: str,
) -> pa.Table:
    """The kept cached rows and the newly parsed rows, in file order, without copying rows.

    ``cached_at`` is the position in file order of each cached row's file (-1: its file
    changed or is gone, the row is left out); ``fresh`` are the files parsed anew and
    ``fresh_at`` their positions. Rows are taken as slices of runs of consecutive rows: the
    cached rows are in order, so a few changed files cost a few slices.
    """
    table = pa.concat_tables([cached, *parsed])

    def positions(keys: pa.ChunkedArray) -> np.ndarray:
        found = pc.index_in(keys, value_set=fresh, memory_pool=MEMORY_POOL).fill_null(-1)
        found = found.to_numpy()
        return np.where(found >= 0, fresh_at[np.maximum(found, 0)] if len(fresh_at) else -1, -1)

    where = np.concatenate([cached_at, *[positions(part[key]) for part in parsed]])
    rows = np.flatnonzero(where >= 0)
    order = rows[np.argsort(where[rows], kind="stable")]
    return take_as_slices(table, order)


def _finder(values: pa.ChunkedArray) -> Callable[[pa.ChunkedArray], np.ndarray]:
    """A function giving the position in ``values`` (distinct texts) of each of some texts,
    ``len(values)`` for one that is not among them.

    By a hash table of the values' 64-bit hashes, built once for every lookup, where newskit's
    C keys are built and no two values share a hash: a text among the values has the hash of
    its own value only. Otherwise, and for texts not found, by Arrow's ``index_in``.
    """
    hashes = text_hashes(values)
    index = None if hashes is None else pd.Index(hashes)
    if index is not None and not index.is_unique:
        index = None

    def find(texts: pa.ChunkedArray) -> np.ndarray:
        if index is not None:
            found = index.get_indexer(text_hashes(texts))
            if not (found < 0).any():
                return found
        found = pc.index_in(texts, value_set=values, memory_pool=MEMORY_POOL)
        return found.fill_null(len(values)).to_numpy().astype(np.int64)

    return find
