"""A corpus as a hive-partitioned Parquet dataset: :func:`write_dataset` and :func:`read_dataset`.

A dataset is a folder any engine reads as it is (DuckDB, Polars, Spark, pandas)::

    DIR/newskit-dataset.json                     the manifest (see below)
    DIR/articles/year=2021/month=3/part-0.parquet
    DIR/articles/year=__HIVE_DEFAULT_PARTITION__/month=__HIVE_DEFAULT_PARTITION__/part-0.parquet
    DIR/topics/..., DIR/images/..., DIR/related/...  partitioned as their articles are
    DIR/providers/part-0.parquet, DIR/problems/part-0.parquet, DIR/fields/part-0.parquet
    DIR/files/part-0.parquet                     each file's relative path and digest

Articles are partitioned by the UTC year and month of ``published_at``; undated ones go to
Hive's null partition (``__HIVE_DEFAULT_PARTITION__``, which DuckDB, Polars, Spark and
pyarrow read as a missing year and month). ``topics``, ``images`` and ``related`` rows go to
the partition of their article (``article_id``). Partition columns are not stored in the files,
as Hive does; each table's columns are those of :mod:`newskit.schema`.

The manifest holds the dataset format's version, the newskit version that wrote it, the
corpus fingerprint and root, the row count and Arrow schema of every table, the categories of
categorical columns, and every Parquet file with its size and row count: a partition removed,
added or edited is found before anything is read.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from newskit import __version__
from newskit.corpus import DATASET_MANIFEST, Corpus, files_fingerprint, is_dataset
from newskit.dates import parse_bound
from newskit.errors import CorpusError
from newskit.files import shown_name
from newskit.schema import (
    ARTICLE_COLUMNS,
    FIELD_COLUMNS,
    IMAGE_COLUMNS,
    MEMORY_POOL,
    PROBLEM_COLUMNS,
    PROVIDER_COLUMNS,
    RELATED_COLUMNS,
    STORY_COLUMNS,
    STRING,
    TOPIC_COLUMNS,
    arrow_schema,
    frame_to_table,
    system_allocator,
    table_to_frame,
)

#: The manifest's name; a folder holding it is a newskit dataset.
MANIFEST = DATASET_MANIFEST
#: What the manifest's ``format`` says, and the layout version this module reads and writes.
FORMAT = "newskit-dataset"
FORMAT_VERSION = 1
#: Hive's name for the partition of a missing value (undated articles).
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"

FILE_COLUMNS: dict[str, object] = {"relpath": STRING, "digest": STRING}
#: Tables partitioned by their article's year and month, and their columns.
PARTITIONED: dict[str, dict[str, object]] = {
    "articles": ARTICLE_COLUMNS,
    "topics": TOPIC_COLUMNS,
    "images": IMAGE_COLUMNS,
    "related": RELATED_COLUMNS,
}
#: Tables written whole, one file each.
WHOLE: dict[str, dict[str, object]] = {
    "providers": PROVIDER_COLUMNS,
    "stories": STORY_COLUMNS,
    "problems": PROBLEM_COLUMNS,
    "fields": FIELD_COLUMNS,
    "files": FILE_COLUMNS,
}
#: The articles columns the report notebooks that load with them (all but the overview, which
#: measures every field) read: not the long text (the HTML of ``featured_content``, ``body``,
#: ``excerpt``), nor the columns none of them reads (the lists of ``categories`` and ``tags``,
#: which a load would make a Python list per article of, and a few counts, flags and dates).
REPORT_COLUMNS = tuple(
    name
    for name in ARTICLE_COLUMNS
    if name
    not in (
        "featured_content", "body", "excerpt", "categories", "tags", "updated_at",
        "is_secured", "n_provider_images", "locale", "has_featured_content", "n_images",
    )
)  # fmt: skip


def _tables() -> dict[str, dict[str, object]]:
    """Every table a dataset holds."""
    return {**PARTITIONED, **WHOLE}


# --------------------------------------------------------------------------- writing


def write_dataset(corpus: Corpus, out_dir: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write every table of ``corpus`` to ``out_dir`` as a hive-partitioned Parquet dataset.

    The dataset is written to a temporary folder beside ``out_dir`` and renamed into place, so
    an interrupted or failed write leaves what was there before.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus (:func:`newskit.load_corpus`), with all its articles columns.
    out_dir : str or path-like
        The dataset folder. It may be missing, empty or an earlier newskit dataset (which is
        replaced); any other folder is refused unless ``overwrite``.
    overwrite : bool, default False
        Replace ``out_dir`` even when it holds something else.

    Returns
    -------
    pathlib.Path
        ``out_dir``.

    Raises
    ------
    CorpusError
        When ``out_dir`` is a file, or a non-empty folder that is not a newskit dataset (and
        not ``overwrite``), or cannot be written.
    """
    out = Path(out_dir)
    shown = shown_name(os.fspath(out))
    missing = [name for name in ARTICLE_COLUMNS if name not in corpus.articles.columns]
    if missing:
        raise ValueError(f"the corpus lacks articles columns {missing}: load it whole to export")
    staging = _staging_folder(out, overwrite=overwrite)
    try:
        try:
            _write_into(corpus, staging)
            os.chmod(staging, 0o777 & ~_umask())
            _swap_into_place(staging, out)
        except OSError as exc:
            raise CorpusError(f"{shown}: cannot write: {_reason(exc)}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def check_target(out_dir: str | os.PathLike, *, overwrite: bool = False) -> None:
    """Raise the :class:`CorpusError` :func:`write_dataset` would raise for ``out_dir`` before
    writing anything (not a folder, a folder of something else, cannot be written), so that a
    caller finds out before loading a corpus."""
    shutil.rmtree(_staging_folder(Path(out_dir), overwrite=overwrite))


def _staging_folder(out: Path, *, overwrite: bool) -> Path:
    """A new temporary folder beside ``out``, once ``out`` is known to be replaceable."""
    shown = shown_name(os.fspath(out))
    if out.exists() and not out.is_dir():
        raise CorpusError(f"{shown}: not a folder")
    if out.is_dir() and not overwrite and not is_dataset(out) and any(out.iterdir()):
        raise CorpusError(
            f"{shown}: folder is not empty and not a newskit dataset; "
            "choose another folder or overwrite it"
        )
    parent = out.absolute().parent
    if parent.exists() and not parent.is_dir():
        raise CorpusError(
            f"{shown}: cannot write: {shown_name(os.fspath(out.parent))} is not a folder"
        )
    try:
        parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    except OSError as exc:
        raise CorpusError(f"{shown}: cannot write: {_reason(exc)}") from exc


def _reason(exc: OSError) -> str:
    """What went wrong, as the system says it (Arrow's errors wrap it in their own words)."""
    return os.strerror(exc.errno) if exc.errno else str(exc.strerror or exc)


def _umask() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def _swap_into_place(staging: Path, out: Path) -> None:
    """Rename ``staging`` to ``out``, the folder there before (if any) removed after."""
    if not out.exists():
        os.rename(staging, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
    os.rename(out, old / "dataset")
    try:
        os.rename(staging, out)
    except OSError:
        os.rename(old / "dataset", out)  # put it back
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


def _sorted_files(corpus: Corpus) -> pd.DataFrame:
    """Each file's relative path and digest, by path."""
    digests = corpus._digests
    return pd.DataFrame(
        {
            "relpath": pd.array(sorted(digests), dtype=STRING),
            "digest": pd.array([digests[key] for key in sorted(digests)], dtype=STRING),
        }
    )


def _write_into(corpus: Corpus, folder: Path) -> None:
    articles = corpus.articles
    frames = {
        "articles": articles,
        "topics": corpus.topics,
        "images": corpus.images,
        "related": corpus.related,
        "providers": corpus.providers,
        "problems": corpus.problems,
        "fields": corpus.fields,
        "files": _sorted_files(corpus),
    }
    frames["stories"] = corpus.stories
    # each article's partition: its UTC year and month (missing when undated)
    when = articles["published_at"]
    keys = pd.DataFrame(
        {
            "article_id": articles["article_id"],
            "year": when.dt.year.astype("Int64"),
            "month": when.dt.month.astype("Int64"),
        }
    )
    files = []
    for name, columns in _tables().items():
        if name not in frames:
            continue
        table = frame_to_table(frames[name], columns)
        if name in WHOLE:
            files.append(_write_file(folder, f"{name}/part-0.parquet", table, None, None))
            continue
        files.extend(_write_partitions(folder, name, table, frames[name]["article_id"], keys))
    # The categories of each categorical column as the corpus has them (a selection keeps them
    # all), and which such columns the corpus holds as text (problems.severity, after problems
    # of several kinds are put together).
    categories = {}
    for name, frame in frames.items():
        for column, dtype in _tables()[name].items():
            if dtype != "category":
                continue
            values = frame[column]
            if isinstance(values.dtype, pd.CategoricalDtype):
                categories[f"{name}.{column}"] = [str(v) for v in values.cat.categories]
            else:
                categories[f"{name}.{column}"] = None
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "newskit_version": __version__,
        "fingerprint": corpus.fingerprint,
        "root": os.fspath(corpus.root),
        "counts": {name: len(frame) for name, frame in frames.items()},
        "schema": {name: _schema_json(columns) for name, columns in _tables().items()},
        "categories": categories,
        "files": files,
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=True) + "\n"
    (folder / MANIFEST).write_text(text, encoding="utf-8")


def _write_partitions(
    folder: Path, name: str, table: pa.Table, article_ids: pd.Series, keys: pd.DataFrame
) -> list[dict]:
    """One Parquet file per (year, month) of the table's articles, rows in their order."""
    if table.num_rows == 0:  # an empty table still has a file, so readers find its schema
        return [_write_file(folder, _partition_path(name, None, None), table, None, None)]
    if name == "articles":
        year, month = keys["year"], keys["month"]
    else:
        where = pd.Index(keys["article_id"]).get_indexer(article_ids)
        if (where < 0).any():
            raise ValueError(f"{name}: rows of articles the corpus does not have")
        year = keys["year"].take(where).reset_index(drop=True)
        month = keys["month"].take(where).reset_index(drop=True)
    # one code per partition, the null partition last; a stable sort keeps the rows' order
    code = (year.fillna(99999).to_numpy(dtype=np.int64) * 100) + month.fillna(99).to_numpy(
        dtype=np.int64
    )
    order = np.argsort(code, kind="stable")
    sorted_codes = code[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    ends = np.r_[starts[1:], len(order)]
    written = []
    for start, end in zip(starts, ends, strict=True):
        rows = order[start:end]
        first = rows[0]
        y = None if pd.isna(year.iloc[first]) else int(year.iloc[first])
        m = None if pd.isna(month.iloc[first]) else int(month.iloc[first])
        part = table.take(pa.array(rows))
        written.append(_write_file(folder, _partition_path(name, y, m), part, y, m))
    return written


def _partition_path(name: str, year: int | None, month: int | None) -> str:
    y = NULL_PARTITION if year is None else str(year)
    m = NULL_PARTITION if month is None else str(month)
    return f"{name}/year={y}/month={m}/part-0.parquet"


def _write_file(
    folder: Path, relpath: str, table: pa.Table, year: int | None, month: int | None
) -> dict:
    path = folder / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    import pyarrow.parquet as pq  # here: a load of record files never needs it (ssl, fs)

    pq.write_table(table, path)
    table_name = relpath.split("/", 1)[0]
    return {
        "path": relpath,
        "table": table_name,
        "year": year,
        "month": month,
        "rows": table.num_rows,
        "bytes": path.stat().st_size,
    }


def _schema_json(columns: dict[str, object]) -> list[list[str]]:
    """A table's columns as the manifest records them: name, Arrow type, pandas dtype."""
    arrow = arrow_schema(columns)
    return [[field.name, str(field.type), str(columns[field.name])] for field in arrow]


# --------------------------------------------------------------------------- reading


def read_dataset(
    path: str | os.PathLike,
    *,
    columns: list[str] | tuple[str, ...] | None = None,
    start: object = None,
    end: object = None,
    cache: bool = True,
    cache_dir: str | os.PathLike | None = None,
) -> Corpus:
    """Read a dataset written by :func:`write_dataset` back into a :class:`Corpus`.

    Every table comes back with the dtypes and row order of the corpus that was exported, so
    it compares equal to that corpus (``pandas.testing.assert_frame_equal``), with the same
    ``fingerprint`` and ``summary()``; with ``start`` or ``end`` it equals
    ``corpus.select(start=..., end=...)``.

    Parameters
    ----------
    path : str or path-like
        The dataset folder.
    columns : list of str, optional
        The articles columns to read (``article_id`` and ``story_id`` always are); default
        all. For instance :data:`REPORT_COLUMNS`, which leaves out ``body``,
        ``featured_content`` and ``excerpt``.
    start, end : optional
        Inclusive bounds on ``published_at``, as for :meth:`Corpus.select`; only the
        partitions of months inside them are read, and undated articles are left out.
    cache : bool, default True
        Read the whole dataset (no ``start`` or ``end``) through newskit's cache, as record
        files are: the first read decodes every table once into a cache file, and every read
        maps that file, so only the pages of the columns a load goes on to use are ever in
        memory (a report's load holds a few hundred bytes per article) and no Parquet page is
        decoded again. The cache file is keyed by the dataset's path and checked against its
        manifest and every Parquet file's size and modification time; a folder where it cannot
        be written only costs speed.
    cache_dir : str or path-like, optional
        Where cache files live (as for :func:`newskit.load_corpus`).

    Raises
    ------
    CorpusError
        When ``path`` is not a newskit dataset, was written in another format version or with
        other columns, or its files differ from what its manifest lists.
    """
    root = Path(path)
    manifest = _read_manifest(root)
    wanted = article_columns(columns)
    first = parse_bound(start, end=False, name="start")
    last = parse_bound(end, end=True, name="end")
    bounded = first is not None or last is not None
    tables = _cached_tables(root, manifest, cache_dir) if cache and not bounded else None
    if tables is None:
        tables = _decoded_tables(root, manifest, _with_keys(wanted, bounded), first, last)
        _check_fingerprint(root, manifest, tables["files"])
    elif wanted is not None:
        tables["articles"] = tables["articles"].select(wanted)
    corpus = _corpus_of(manifest, tables, bounded)
    if bounded and wanted is not None:
        corpus.articles = corpus.articles[wanted]
    _release_freed_memory()
    return corpus


def _decoded_tables(
    root: Path,
    manifest: dict,
    columns: list[str] | None,
    first: pd.Timestamp | None,
    last: pd.Timestamp | None,
) -> dict[str, pa.Table]:
    """Every table of the dataset decoded, as Arrow, in the corpus's order: the articles with
    ``columns`` (default all), and with ``first`` or ``last`` only the partitions of the
    months inside them and the rows of the articles dated inside them."""
    bounded = first is not None or last is not None
    by_table: dict[str, list[dict]] = {}
    for entry in manifest["files"]:
        if _month_inside(entry, first, last) or entry["table"] in WHOLE or not bounded:
            by_table.setdefault(entry["table"], []).append(entry)
    files = _read_table(root, by_table.get("files", []), FILE_COLUMNS)
    order = files.column("relpath").combine_chunks()
    articles = _read_table(root, by_table["articles"], ARTICLE_COLUMNS, columns=columns)
    articles = _in_file_order(articles, order)
    if bounded:
        articles = articles.filter(_inside(articles["published_at"], first, last))
    kept = articles.column("article_id")
    tables = {"files": files, "articles": articles}
    for name, columns_of in PARTITIONED.items():
        if name == "articles":
            continue
        table = _in_file_order(_read_table(root, by_table.get(name, []), columns_of), order)
        if bounded:
            table = table.filter(pc.is_in(table["article_id"], value_set=kept.combine_chunks()))
        tables[name] = table
    for name, columns_of in WHOLE.items():
        if name != "files":
            tables[name] = _read_table(root, by_table.get(name, []), columns_of)
    return tables


def _check_fingerprint(root: Path, manifest: dict, files: pa.Table) -> None:
    found = files_fingerprint(files.select(["relpath", "digest"]))
    if found != manifest["fingerprint"]:
        raise CorpusError(
            f"{shown_name(os.fspath(root))}: the files table gives fingerprint "
            f"{found}, the manifest {manifest['fingerprint']}: dataset edited"
        )


def _cached_tables(
    root: Path, manifest: dict, cache_dir: str | os.PathLike | None
) -> dict[str, pa.Table] | None:
    """Every table of the whole dataset from its cache file (memory-mapped), written first,
    a column at a time, when there is none that matches; None when no cache file can be
    written or read (the caller decodes what it needs)."""
    from newskit import cache as _cache

    store = _cache.cache_file(root, cache_dir)
    stamp = {
        "dataset": os.path.abspath(root),
        "code": _cache.code_version(),
        "files": _files_digest(root, manifest),
    }
    sections = _cache.read_tables(store, stamp)
    tables = None if sections is None else _assembled(sections)
    with system_allocator():  # what decoding frees goes back to the system
        # a column one batch: reading a batch's header maps the pages around it
        written = tables is None and _cache.write_tables(
            store, _decoded_columns(root, manifest), stamp, batch_rows=0
        )
    if written:
        _release_freed_memory()
        sections = _cache.read_tables(store, stamp)
        tables = None if sections is None else _assembled(sections)
    return tables


def _decoded_columns(root: Path, manifest: dict) -> Iterator[tuple[str, pa.Table]]:
    """Every column of every table of the whole dataset (``TABLE/COLUMN``, a one-column
    table), decoded one after the other in the corpus's order: what a dataset's cache file
    holds. A column at a time, so that writing the cache never holds more than one column
    of a table decoded."""
    by_table: dict[str, list[dict]] = {}
    for entry in manifest["files"]:
        by_table.setdefault(entry["table"], []).append(entry)
    files = _read_table(root, by_table.get("files", []), FILE_COLUMNS)
    _check_fingerprint(root, manifest, files)
    order = files.column("relpath").combine_chunks()
    for name, columns_of in _tables().items():
        if name == "files":
            for column in FILE_COLUMNS:
                yield f"files/{column}", files.select([column])
            continue
        read = _column_reader(root, by_table.get(name, []), columns_of)
        rows = _file_order(read("article_id"), order) if name in PARTITIONED else None
        for column in columns_of:
            part = read(column)
            if rows is not None:
                part = pc.take(part, rows, memory_pool=MEMORY_POOL)
            yield f"{name}/{column}", pa.table({column: part})
            del part


def _column_reader(
    root: Path, entries: list[dict], columns_of: dict[str, object]
) -> Callable[[str], pa.ChunkedArray]:
    """A function giving one column of ``entries``' files, in their order; each file is
    opened once, its footer read once, whatever the number of columns read."""
    import pyarrow.parquet as pq  # here: a load of record files never needs it

    schema = arrow_schema(columns_of)
    opened = []
    for entry in entries:
        where = root / entry["path"]
        try:
            found = pq.ParquetFile(where)
        except (OSError, pa.ArrowException) as exc:
            raise CorpusError(f"{shown_name(os.fspath(where))}: unreadable: {exc}") from exc
        if found.metadata.num_rows != entry["rows"]:
            raise CorpusError(
                f"{shown_name(os.fspath(where))}: {found.metadata.num_rows} rows, the manifest "
                f"says {entry['rows']}: dataset edited"
            )
        opened.append((where, found))

    def read(column: str) -> pa.ChunkedArray:
        field = schema.field(column)
        parts = []
        for where, found in opened:
            try:
                part = found.read(columns=[column]).column(0)
                part = part.cast(field.type) if part.type != field.type else part
            except (OSError, pa.ArrowException, KeyError, ValueError) as exc:
                raise CorpusError(f"{shown_name(os.fspath(where))}: unreadable: {exc}") from exc
            parts.extend(part.chunks)
        return pa.chunked_array(parts, type=field.type)

    return read


def _assembled(sections: dict[str, pa.Table]) -> dict[str, pa.Table] | None:
    """The tables of a dataset's cache file (see :func:`_decoded_columns`), None when it
    lacks a column or holds another type than this code's."""
    tables = {}
    for name, columns_of in _tables().items():
        schema = arrow_schema(columns_of)
        found = [sections.get(f"{name}/{column}") for column in schema.names]
        if any(part is None or part.num_columns != 1 for part in found):
            return None
        table = pa.Table.from_arrays([part.column(0) for part in found], names=schema.names)
        if not table.schema.equals(schema):
            return None
        tables[name] = table
    return tables


def _files_digest(root: Path, manifest: dict) -> str:
    """A digest of the manifest and of every Parquet file's size and modification time: a
    dataset exported again, or a file written over, gets another."""
    digest = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode())
    for entry in manifest["files"]:
        found = (root / entry["path"]).stat()
        digest.update(f"{entry['path']}\0{found.st_size}\0{found.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _corpus_of(manifest: dict, tables: dict[str, pa.Table], bounded: bool) -> Corpus:
    """The :class:`Corpus` of a dataset's tables (its providers, stories and fields as
    exported, unless ``bounded``: a selection builds its own). The stories stay Arrow until
    asked for, as a load of record files keeps them."""
    frames = {
        name: _restore(tables[name], columns_of, manifest, name)
        for name, columns_of in _tables().items()
        if name not in ("files", "stories") and not (bounded and name in ("providers", "fields"))
    }
    corpus = Corpus(
        Path(manifest["root"]),
        frames["articles"],
        frames["topics"],
        frames["images"],
        frames["related"],
        frames["problems"],
        tables["files"].select(["relpath", "digest"]),
        providers=None if bounded else frames["providers"],
        stories=None if bounded else tables["stories"],
    )
    if not bounded:
        corpus._fields = frames["fields"]
    return corpus


def article_columns(columns: list[str] | tuple[str, ...] | None) -> list[str] | None:
    """The articles columns to read for ``columns``: those, ``article_id`` and none twice, in
    the table's order (``None``: all)."""
    if columns is None:
        return None
    if isinstance(columns, str):
        raise TypeError("columns must be a list of articles column names, not a string")
    unknown = [name for name in columns if name not in ARTICLE_COLUMNS]
    if unknown:
        raise ValueError(f"unknown articles columns {unknown}; see newskit.schema.ARTICLE_COLUMNS")
    chosen = {"article_id", "story_id", *columns}  # the keys of the other tables
    return [name for name in ARTICLE_COLUMNS if name in chosen]


#: The articles columns a selection needs to build its providers and stories tables.
_PROVIDER_INPUTS = ("provider_domain", "provider_name", "published_at", "quality", "heat", "title")


def _with_keys(wanted: list[str] | None, bounded: bool) -> list[str] | None:
    if wanted is None:
        return None
    if not bounded:
        return wanted
    chosen = {*wanted, *_PROVIDER_INPUTS}
    return [name for name in ARTICLE_COLUMNS if name in chosen]


def _read_manifest(root: Path) -> dict:
    shown = shown_name(os.fspath(root))
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CorpusError(f"{shown}: not a newskit dataset (no {MANIFEST})") from exc
    except (OSError, ValueError) as exc:
        raise CorpusError(f"{shown}/{MANIFEST}: unreadable manifest: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CorpusError(f"{shown}/{MANIFEST}: not a newskit dataset manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise CorpusError(
            f"{shown}: dataset format version {manifest.get('format_version')!r} (written by "
            f"newskit {manifest.get('newskit_version')}); this newskit {__version__} reads "
            f"version {FORMAT_VERSION}: export the corpus again"
        )
    for name, columns in _tables().items():
        expected = _schema_json(columns)
        found = manifest.get("schema", {}).get(name)
        if found != expected:
            raise CorpusError(
                f"{shown}: table {name} has other columns than newskit {__version__}'s "
                f"(written by newskit {manifest.get('newskit_version')}): export the corpus again"
            )
    _check_files(root, manifest)
    return manifest


def _check_files(root: Path, manifest: dict) -> None:
    """Every file the manifest lists is there with its size, and no other Parquet file is."""
    shown = shown_name(os.fspath(root))
    listed = {entry["path"]: entry for entry in manifest.get("files", [])}
    for relpath, entry in listed.items():
        try:
            size = (root / relpath).stat().st_size
        except OSError as exc:
            raise CorpusError(
                f"{shown}: {relpath}: listed in the manifest but missing ({exc.strerror}): "
                "dataset edited; export the corpus again"
            ) from exc
        if size != entry["bytes"]:
            raise CorpusError(
                f"{shown}: {relpath}: {size} bytes, the manifest says {entry['bytes']}: "
                "dataset edited; export the corpus again"
            )
    for name in _tables():
        for found in sorted((root / name).rglob("*.parquet")):
            relpath = found.relative_to(root).as_posix()
            if relpath not in listed:
                raise CorpusError(
                    f"{shown}: {relpath}: not in the manifest: dataset edited; "
                    "export the corpus again"
                )
    if not any(entry["table"] == "articles" for entry in listed.values()):
        raise CorpusError(f"{shown}: the manifest lists no articles file")


def _month_inside(entry: dict, first: pd.Timestamp | None, last: pd.Timestamp | None) -> bool:
    """Whether a partition's month overlaps ``[first, last]`` (undated: never)."""
    if entry["year"] is None or entry["month"] is None:
        return False
    begins = pd.Timestamp(year=entry["year"], month=entry["month"], day=1, tz="UTC")
    ends = begins + pd.offsets.MonthBegin(1)
    return (first is None or ends > first) and (last is None or begins <= last)


def _read_table(
    root: Path,
    entries: list[dict],
    columns_of: dict[str, object],
    *,
    columns: list[str] | None = None,
) -> pa.Table:
    """The rows of ``entries``' files in their order, with ``columns`` (default all)."""
    schema = arrow_schema(columns_of)
    if columns is not None:
        schema = pa.schema([schema.field(name) for name in columns])
    if not entries:
        return schema.empty_table()
    import pyarrow.dataset as pads  # here: a load of record files never needs it

    def read(entry: dict) -> pa.Table:
        where = root / entry["path"]
        try:
            found = pads.dataset(where, format="parquet")
            table = found.to_table(columns=schema.names, memory_pool=MEMORY_POOL)
            if table.schema != schema:
                table = table.select(schema.names).cast(schema)
        except (OSError, pa.ArrowException, KeyError, ValueError) as exc:
            raise CorpusError(f"{shown_name(os.fspath(where))}: unreadable: {exc}") from exc
        if table.num_rows != entry["rows"] and columns is None:
            raise CorpusError(
                f"{shown_name(os.fspath(where))}: {table.num_rows} rows, the manifest says "
                f"{entry['rows']}: dataset edited"
            )
        return table

    # one file after the other (Arrow decodes each with its own threads): reader threads of
    # our own would each get a malloc arena, which keeps what it freed
    parts = [read(entry) for entry in entries]
    return pa.concat_tables(parts) if len(parts) > 1 else parts[0]


def _file_order(ids: pa.ChunkedArray, order: pa.Array) -> pa.Array | None:
    """The rows of a table with these ``article_id`` in the order of their files (the
    corpus's order; a stable sort, so the rows of one article keep theirs), None when they
    are in that order."""
    if not len(ids):
        return None
    position = pc.index_in(ids, value_set=order).to_numpy(zero_copy_only=False)
    rows = np.argsort(position, kind="stable")
    return None if (rows == np.arange(len(rows))).all() else pa.array(rows)


def _in_file_order(table: pa.Table, order: pa.Array) -> pa.Table:
    """``table``'s rows in the order of their files (see :func:`_file_order`)."""
    indices = _file_order(table["article_id"], order)
    if indices is None:
        return table
    # a column at a time, each old one freed before the next is copied: the copies reuse
    # its memory, so the process does not keep a whole second table's worth
    columns = {}
    for name in table.column_names:
        columns[name] = pc.take(table.column(name), indices, memory_pool=MEMORY_POOL)
        table = table.drop_columns([name])
    return pa.table(columns)


def _inside(when: pa.ChunkedArray, first: pd.Timestamp | None, last: pd.Timestamp | None):
    keep = pc.is_valid(when)
    stamp = pa.timestamp("ns", "UTC")
    if first is not None:
        keep = pc.and_(keep, pc.greater_equal(when, pa.scalar(first.value, type=stamp)))
    if last is not None:
        keep = pc.and_(keep, pc.less_equal(when, pa.scalar(last.value, type=stamp)))
    return pc.fill_null(keep, False)


def _restore(table: pa.Table, columns: dict[str, object], manifest: dict, name: str):
    """A table as its DataFrame, dtypes and categories as exported."""
    chosen = {column: dtype for column, dtype in columns.items() if column in table.column_names}
    frame = table_to_frame(table, chosen)
    for column, dtype in chosen.items():
        if dtype != "category":
            continue
        stored = manifest["categories"].get(f"{name}.{column}", [])
        if stored is None:
            frame[column] = frame[column].astype(STRING)
        else:
            frame[column] = frame[column].cat.set_categories(pd.Index(stored, dtype=STRING))
    return frame


def _release_freed_memory() -> None:
    """Hand the memory reading freed back to the system (glibc's ``malloc_trim``).

    Decoding Parquet pages and putting rows in order allocate and free many buffers; glibc
    keeps the freed pages between the live ones, so without this a process would go on
    holding about twice what the tables take. Distributed's workers do the same.
    """
    if not sys.platform.startswith("linux"):  # pragma: no cover
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
