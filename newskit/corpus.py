"""Files -> records -> DataFrames: :func:`load_corpus` and the :class:`Corpus` it returns."""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from newskit import cache as _cache
from newskit.dates import parse_bound
from newskit.errors import CorpusError
from newskit.files import list_files, shown_listing, shown_name
from newskit.load import load_changed, without_gc
from newskit.machine import give_back_memory
from newskit.records import implausible_date
from newskit.schema import (
    FIELD_COLUMNS,
    FILE_TABLES,
    MEMORY_POOL,
    PROBLEM_COLUMNS,
    PROVIDER_COLUMNS,
    RELATED_COLUMNS,
    STORY_COLUMNS,
    STRING,
    TYPED_KEYS,
    VALUE_KINDS,
    build_frame,
    cast_frame,
    frame_to_table,
    problem_row,
    system_allocator,
    table_to_frame,
    text_hashes,
)
from newskit.stories import StoryOptions, build_stories, build_story_table
from newskit.story_update import Earlier, update_stories

# The columns flag_duplicates reads.
_URL_COLUMNS = {"path": STRING, "original_url": STRING, "web_url": STRING}


class Corpus:
    """A loaded corpus: typed tables of its articles and the problems found loading it.

    Attributes
    ----------
    root : pathlib.Path
        The folder (or file) the corpus was loaded from.
    articles, topics, images, related, providers, stories, problems : pandas.DataFrame
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
        digests: Mapping[str, str] | pa.Table,
        *,
        providers: pd.DataFrame | None = None,
        stories: pd.DataFrame | pa.Table | None = None,
    ) -> None:
        self.root = root
        self.articles = articles
        self.topics = topics
        self.images = images
        self.related = related
        self.problems = problems
        # providers: build_providers(articles), passed in when a cache kept it
        self.providers = build_providers(articles) if providers is None else providers
        # stories: one row per story of the articles (see newskit.stories); as a cache kept
        # them, an Arrow table made a frame when first asked for (a warm load that never
        # looks at the stories does not build their topic lists)
        self._stories = build_story_table(articles, topics=topics) if stories is None else stories
        self._fields: pd.DataFrame | None = None  # built when first asked for
        self._files = _file_digests(digests)

    @property
    def stories(self) -> pd.DataFrame:
        """One row per story of the articles (:data:`newskit.schema.STORY_COLUMNS`)."""
        if isinstance(self._stories, pa.Table):
            self._stories = table_to_frame(self._stories, STORY_COLUMNS)
        return self._stories

    @stories.setter
    def stories(self, value: pd.DataFrame) -> None:
        self._stories = value

    def stories_table(self) -> pa.Table:
        """``stories`` as Arrow (what a cache keeps), without making the frame."""
        if isinstance(self._stories, pa.Table):
            return self._stories
        return frame_to_table(self._stories, STORY_COLUMNS)

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
        """The headline numbers, as JupyterLab shows a corpus (``display.render_corpus``)."""
        from newskit.display import render_corpus

        return render_corpus(self)._repr_html_()

    @property
    def n_errors(self) -> int:
        return int((self.problems["severity"] == "error").sum())

    @property
    def n_warnings(self) -> int:
        return int((self.problems["severity"] == "warning").sum())

    @property
    def fingerprint(self) -> str:
        """A short hash of every file's name and content: equal corpora, equal fingerprints."""
        return files_fingerprint(self._files)

    @property
    def _digests(self) -> dict[str, str]:
        """Each file's relative path and content digest."""
        return dict(
            zip(self._files["relpath"].to_pylist(), self._files["digest"].to_pylist(), strict=True)
        )

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
            Keep articles having any of these topics (case-insensitive).
        provider : str or list of str, optional
            Keep articles whose provider domain or name is one of these (case-insensitive).

        Returns
        -------
        Corpus
            The same problems and fingerprint; the tables restricted to the kept articles.
            With no filter, this corpus itself (not a copy).
        """
        first = parse_bound(start, end=False, name="start")
        last = parse_bound(end, end=True, name="end")
        if first is None and last is None and topic is None and provider is None:
            return self
        articles = self.articles
        keep = pd.Series(True, index=articles.index)
        when = articles["published_at"]
        if first is not None:
            keep &= when >= first
        if last is not None:
            keep &= when <= last
        if topic is not None:
            wanted = {value.casefold() for value in _as_list(topic)}
            ids = self.topics.loc[self.topics["topic"].str.casefold().isin(wanted), "article_id"]
            keep &= _is_in(articles["article_id"], ids)
        if provider is not None:
            wanted = [value.lower() for value in _as_list(provider)]
            keep &= articles["provider_domain"].str.lower().isin(wanted) | articles[
                "provider_name"
            ].str.lower().isin(wanted)
        keep = keep.fillna(False).astype(bool)
        ids = articles.loc[keep, "article_id"]

        def restrict(table: pd.DataFrame) -> pd.DataFrame:
            return table[_is_in(table["article_id"], ids)].reset_index(drop=True)

        return Corpus(
            self.root,
            restrict(articles),
            restrict(self.topics),
            restrict(self.images),
            restrict(self.related),
            self.problems,
            self._files,
        )

    def summary(self) -> dict:
        """The headline numbers of the corpus, as a plain dict.

        ``n_stories`` counts the stories (see :mod:`newskit.stories`) and ``share_copies`` is
        the share of the articles that are not their story's first copy (None without
        articles), as :func:`newskit.stats.summarize_stories` counts them.
        """
        articles = self.articles
        dates = articles["published_at"].dropna()
        n_stories = len(self._stories)
        return {
            "root": shown_name(os.fspath(self.root)),
            "n_files": self._files.num_rows,
            "n_articles": len(articles),
            "n_stories": n_stories,
            "share_copies": (len(articles) - n_stories) / len(articles) if len(articles) else None,
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
    stories: StoryOptions | bool | None = None,
    columns: list[str] | tuple[str, ...] | None = None,
) -> Corpus:
    """Load a corpus of news records into a :class:`Corpus`.

    Parameters
    ----------
    path : str or path-like
        A folder, searched recursively for ``*.txt`` and ``*.md`` files (hidden files and
        folders are skipped), or one record file; or a dataset folder written by
        ``newskit export`` (:func:`newskit.dataset.read_dataset`), which is read as it is.
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
        below ``newskit.load.PARALLEL_MIN_FILES`` files, or below
        ``PARALLEL_MIN_FILES_COLD`` in a process whose pool's forkserver has not started yet
        (its start costs more than parsing that many files here).
    progress : bool, optional
        Show a progress bar while parsing; default: for loads parsing many files, when output
        goes to a terminal or a notebook and ``NEWSKIT_PROGRESS`` is not ``0``.
    stories : StoryOptions or bool, optional
        How articles that are copies of one piece are grouped into stories (``story_id``,
        ``Corpus.stories``; see :mod:`newskit.stories` for the rules): default
        ``StoryOptions()``; False makes every article its own story. Stories are kept in the
        cache with the options that made them.
    columns : list of str, optional
        The articles columns to keep (``article_id`` and ``story_id`` always are); default
        all. A dataset reads only these (``newskit.dataset.REPORT_COLUMNS`` leaves out the
        long text).

    Returns
    -------
    Corpus
        Every file found is either a row of ``articles`` or an ``error`` row of ``problems``.
    """
    options = _story_options(stories)
    if is_dataset(path):
        from newskit import dataset  # imports this module

        corpus = dataset.read_dataset(path, columns=columns, cache=cache, cache_dir=cache_dir)
    else:
        kept = None
        if columns is not None:
            from newskit import dataset

            kept = dataset.article_columns(columns)
        with without_gc(), system_allocator():
            corpus = _load(
                Path(path),
                cache=cache,
                cache_dir=cache_dir,
                workers=workers,
                progress=progress,
                stories=options,
                skip=frozenset() if kept is None else _MADE_NOT_READ - set(kept),
            )
        if kept is not None:
            corpus._fields = corpus.fields  # of every column, before they are dropped
            corpus.articles = corpus.articles[kept]
    give_back_memory()  # what the load freed, which the C allocator would keep
    if strict:
        raise_for_errors(corpus)
    return corpus


def files_fingerprint(files: pa.Table) -> str:
    """:attr:`Corpus.fingerprint` of a table of files (``relpath``, ``digest``)."""
    # "relpath\0digest\n" of every file in order of relpath, hashed as one text
    files = files.take(pc.sort_indices(files["relpath"]))
    text = pa.large_string()
    ends = pc.binary_join_element_wise(files["digest"], pa.scalar("", text), pa.scalar("\n", text))
    lines = pc.binary_join_element_wise(files["relpath"], ends, pa.scalar("\0", text))
    lines = lines.combine_chunks() if isinstance(lines, pa.ChunkedArray) else lines
    digest = hashlib.sha256()
    if len(lines):
        _, offsets, data = lines.buffers()
        bounds = np.frombuffer(offsets, dtype="int64")[lines.offset :][: len(lines) + 1]
        digest.update(memoryview(data)[bounds[0] : bounds[-1]])
    return digest.hexdigest()[:16]


#: The file that makes a folder a newskit dataset (see :mod:`newskit.dataset`).
DATASET_MANIFEST = "newskit-dataset.json"
#: Set by ``newskit report`` for its kernels to a corpus folder (absolute) whose cache is read
#: as it is, without listing the folder again: the corpus as the report's own load found it,
#: the same for every notebook of the report.
SNAPSHOT_ENV = "NEWSKIT_SNAPSHOT"
#: Set beside :data:`SNAPSHOT_ENV` to the payload CRC-32 the report's load found right in the
#: corpus's cache file (:func:`newskit.cache.checked_checksum`): the kernels do not read the
#: whole file again to check it.
SNAPSHOT_CRC_ENV = "NEWSKIT_SNAPSHOT_CRC"


def is_dataset(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a folder holding a newskit dataset's manifest."""
    return (Path(path) / DATASET_MANIFEST).is_file()


def _load(
    root: Path,
    *,
    cache: bool,
    cache_dir: str | os.PathLike | None,
    workers: int | None,
    progress: bool | None,
    stories: StoryOptions,
    skip: frozenset[str] = frozenset(),
) -> Corpus:
    """The corpus at ``root``, without the articles columns in ``skip`` (of
    :data:`_MADE_NOT_READ`; the caller drops them), which ``fields`` counts all the same."""
    _cache.wait_for_writes()  # an earlier load's cache, and no thread running when forking
    started_ns = time.time_ns()
    store = _cache.cache_file(root, cache_dir) if cache else None
    stamp = {"root": str(root), "abs": os.path.abspath(root), "code": _cache.code_version()}
    snapshot = store is not None and os.environ.get(SNAPSHOT_ENV) == stamp["abs"]
    trusted = _snapshot_crc() if snapshot else None
    with ThreadPoolExecutor(1) as reader:  # read the cache (I/O, CRC) while listing files
        pending = (
            reader.submit(_cache.read_tables, store, stamp, trusted) if store is not None else None
        )
        listing = None if snapshot else shown_listing(list_files(root))
        cached = pending.result() if pending is not None else None
    # paths in the tables are shown names (see shown_name); read_bytes finds the file again
    base = Path(shown_name(os.fspath(root if root.is_dir() else root.parent)))
    if cached is not None and not _cache.is_cache_of(cached):
        cached = None
    if listing is None and not (cached is not None and _cache.vouches_for_all(cached["files"])):
        listing = shown_listing(list_files(root))  # no snapshot to read: list the folder
    unchanged = cached is not None and (
        listing is None or _cache.unchanged(cached["files"], listing)
    )
    key = _cache.story_key(stories)
    earlier = None
    if unchanged:
        tables = cached
    else:
        tables, parsed = load_changed(base, listing, cached, workers=workers, progress=progress)
        if cached is not None and (found := _cache.read_earlier(cached, key)) is not None:
            earlier = (found, parsed)
    kept = _cache.read_stories(tables, key) if unchanged else None
    # the per-file tables go to the cache file while duplicates and stories are found (a
    # snapshot read with other story options keeps the cache as the report's load wrote it)
    write = None
    if store is not None and (not unchanged or kept is None) and listing is not None:
        write = _cache.start_cache_write(store, stamp, tables, listing, started_ns)
    try:
        corpus, duplicates = _corpus_from(
            root, tables, unchanged=unchanged, skip=skip, stories=stories, kept=kept,
            earlier=earlier,
        )  # fmt: skip
        if write is not None:
            _cache.finish_cache_write(write, tables, duplicates, corpus, key)
    except BaseException:
        if write is not None:
            write.abandon()
        raise
    return corpus


def _snapshot_crc() -> int | None:
    """:data:`SNAPSHOT_CRC_ENV`, None when unset or not a number."""
    try:
        return int(os.environ[SNAPSHOT_CRC_ENV])
    except (KeyError, ValueError):
        return None


def _corpus_from(
    root: Path,
    tables: dict[str, pa.Table],
    *,
    unchanged: bool,
    skip: frozenset[str],
    stories: StoryOptions,
    kept: dict | None,
    earlier: tuple | None,
) -> tuple[Corpus, tuple[np.ndarray, pd.DataFrame]]:
    """The corpus of a load's tables (the cache's when ``unchanged``), and the duplicates
    found across its files."""
    frames = {
        name: table_to_frame(tables[name], columns)
        for name, (columns, _) in FILE_TABLES.items()
        if name not in ("articles", "story_keys")  # story keys: read by the story rules as Arrow
    }
    columns = {c: d for c, d in FILE_TABLES["articles"][0].items() if c not in skip}
    frames["articles"] = table_to_frame(tables["articles"], columns)
    frames["story_keys"] = tables["story_keys"]
    providers = None
    if unchanged:  # duplicates and providers as the load that wrote the cache found them
        duplicates = (
            tables["duplicate_flags"]["is_duplicate"].to_numpy(),
            table_to_frame(tables["duplicate_problems"], PROBLEM_COLUMNS),
        )
        providers = table_to_frame(tables["providers"], PROVIDER_COLUMNS)
    else:
        # the URL columns in one piece: factorising hundreds of merged slices is slow
        urls = tables["articles"].select(list(_URL_COLUMNS)).combine_chunks()
        flagged, found = flag_duplicates(table_to_frame(urls, _URL_COLUMNS))
        duplicates = (flagged["is_duplicate"].to_numpy(), build_frame(found, PROBLEM_COLUMNS))
    digests = tables["files"].select(["relpath", "digest"])
    corpus = finish_corpus(
        root,
        frames,
        digests,
        duplicates=duplicates,
        providers=providers,
        stories=stories,
        kept_stories=kept,
        earlier=earlier,
    )
    if skip:
        counted = _values_counted(tables["articles"], skip)
        corpus._fields = build_fields(corpus.articles, counted=counted)[0]
    return corpus, duplicates


#: The articles columns a load makes at a cost (numbers, flags, categories, Python lists: the
#: allocator keeps their memory once dropped, and their pages of a mapped cache stay in memory)
#: and reads nothing of: a load with ``columns=`` that leaves them out does not make them.
_MADE_NOT_READ = frozenset(
    [
        "category", "type", "updated_at", "is_published", "n_provider_images", "topics",
        "categories", "tags", "is_secured", "n_images", "n_related", "has_featured_content",
    ]
)  # fmt: skip


def _values_counted(table: pa.Table, names: frozenset[str]) -> dict[str, int]:
    """Per articles column of ``names``, the articles with a value (for a list, a non-empty
    one), counted on the Arrow table as :func:`build_fields` counts them on the frame."""
    kinds = {column: kind for column, kind in TYPED_KEYS.values()}
    counted = {}
    for name in names:
        column = table[name]
        if kinds.get(name) != "list":
            counted[name] = len(column) - column.null_count
            continue
        if pa.types.is_list(column.type):  # a list: non-empty ones
            column = pc.list_value_length(column)
        counted[name] = int(pc.sum(pc.greater(column, 0)).as_py() or 0)  # a count: above 0
    return counted


def _story_options(stories: StoryOptions | bool | None) -> StoryOptions:
    if stories is None or stories is True:
        return StoryOptions().resolved()
    if stories is False:
        return StoryOptions(enabled=False)
    if isinstance(stories, StoryOptions):
        return stories.resolved()
    raise TypeError(f"stories must be a StoryOptions, True or False, not {stories!r}")


def finish_corpus(
    root: Path,
    tables: dict,
    digests: Mapping[str, str] | pa.Table,
    *,
    duplicates: tuple[np.ndarray, pd.DataFrame] | None = None,
    providers: pd.DataFrame | None = None,
    stories: StoryOptions | None = None,
    kept_stories: dict[str, pd.DataFrame | pa.Table] | None = None,
    earlier: tuple[Earlier, dict[str, pa.Table]] | None = None,
) -> Corpus:
    """Flag duplicates and group stories across all files, and build the :class:`Corpus`.

    ``duplicates`` is what :func:`flag_duplicates` found for these articles, when known: their
    ``is_duplicate`` values and the duplicate warnings as a problems frame; ``providers`` is
    :func:`build_providers` of the flagged articles, when known; ``kept_stories`` what
    :func:`newskit.stories.build_stories` found with the options ``stories``, when a cache
    kept it (``story_ids``, ``related_stories``, ``stories`` frames); ``earlier``, the stories a
    cache kept and the per-file tables of the files parsed since, when known: only what those
    files can affect is grouped again (:func:`newskit.story_update.update_stories`). An
    article dated after this moment gets a warning here, not with its file's rows: those a
    cache keeps.
    """
    if duplicates is None:
        articles, found = flag_duplicates(tables["articles"])
        duplicates = (articles["is_duplicate"].to_numpy(), build_frame(found, PROBLEM_COLUMNS))
    flags, duplicate_problems = duplicates
    articles = tables["articles"].assign(is_duplicate=flags)
    related = tables["related"]
    if kept_stories is None:
        found = None
        if earlier is not None:
            found = update_stories(
                articles,
                related,
                topics=tables["topics"],
                options=stories,
                earlier=earlier[0],
                parsed=earlier[1],
            )
        if found is None:
            found = build_stories(
                articles,
                related,
                topics=tables["topics"],
                options=stories,
                keys=tables.get("story_keys"),
                as_arrow=True,  # a frame when first asked for
            )
        story_ids, related_ids, copies = (
            found.story_id,
            found.related_story_id,
            found.related_is_copy,
        )
        story_table = found.stories
    else:
        story_ids = kept_stories["story_ids"]["story_id"]
        related_ids = kept_stories["related_stories"]["story_id"]
        copies = kept_stories["related_stories"]["is_copy"]
        story_table = kept_stories["stories"]  # Arrow: a frame when first asked for
    articles = articles.assign(story_id=pd.array(story_ids, dtype=STRING))
    related = cast_frame(
        related.assign(story_id=related_ids.to_numpy(), is_copy=copies.to_numpy()),
        RELATED_COLUMNS,
    )
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
        related,
        problems,
        digests,
        providers=providers,
        stories=story_table,
    )


def _file_digests(digests: Mapping[str, str] | pa.Table) -> pa.Table:
    """``relpath`` and ``digest`` of every file as Arrow text, from a mapping or a table."""
    if isinstance(digests, pa.Table):
        return digests.select(["relpath", "digest"]).cast(
            pa.schema([("relpath", pa.large_string()), ("digest", pa.large_string())])
        )
    return pa.table(
        {
            "relpath": pa.array(list(digests), pa.large_string()),
            "digest": pa.array(list(digests.values()), pa.large_string()),
        }
    )


def build_fields(
    articles: pd.DataFrame, *, counted: Mapping[str, int] | None = None
) -> tuple[pd.DataFrame, list[dict]]:
    """Every front-matter key ``articles`` carry, and a warning for each of varying type.

    Keys whose column ``articles`` lacks (a load with ``columns=``, a selection of one) are
    not counted, unless ``counted`` gives the number of articles with a value in it (what a
    load that does not make a column counts on its Arrow table).

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
        if column in articles:
            values = articles[column]
            if kind != "list":
                present = values.notna()
            elif values.dtype == object:  # lists
                present = np.fromiter(map(bool, values), dtype=bool, count=len(values))
            else:
                present = values > 0
            n = int(present.sum())
        elif counted is not None and column in counted:
            n = counted[column]
        else:  # not loaded (load_corpus(columns=...)): not counted
            continue
        rows.append(
            {"key": key, "column": column, "stored": "typed", "kinds": kind, "n_articles": n}
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
    if "extra" not in articles or "path" not in articles:  # not loaded
        return counts, found
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
            problems.append(problem_row(varying[0][1], "warning", key, message))
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
    mask = (articles["published_at"] > now).fillna(False).to_numpy(dtype=bool)
    # the two columns read, not the frame: a row filter copies every column it holds
    later = articles[["path", "published_at"]].loc[mask] if mask.any() else articles.iloc[:0]
    rows = [
        problem_row(path, "warning", "publishedDateTime", implausible_date(stamp, "in the future"))
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
        first_row = _first_rows(articles[column])  # missing values get -1
        repeat = (first_row >= 0) & (first_row != np.arange(len(first_row)))
        if repeat.any() and paths is None:
            paths = articles["path"]
        found = np.flatnonzero(repeat & ~flagged)
        if len(found):  # the paths of the rows named, not of every row
            named = paths.take(np.concatenate([found, first_row[found]])).tolist()
            for path, other in zip(named[: len(found)], named[len(found) :], strict=True):
                problems.append(
                    problem_row(path, "warning", key, f"duplicate of {other} (same {key})")
                )
        flagged |= repeat
    articles = articles.assign(is_duplicate=flagged)
    return articles, problems


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
    key_codes, key_values = pd.factorize(keys)
    name_codes, name_values = pd.factorize(names)
    rows = np.flatnonzero((key_codes >= 0) & (name_codes >= 0))
    # each (key, name) pair: its count and its first row
    pairs, first, counts = np.unique(
        key_codes[rows] * max(len(name_values), 1) + name_codes[rows],
        return_index=True,
        return_counts=True,
    )
    key, name = np.divmod(pairs, max(len(name_values), 1))
    # per key, the pair most rows have, on a tie the first to appear
    ranked = np.lexsort((first, -counts, key))
    chosen = ranked[np.diff(key[ranked], prepend=-1) != 0]
    # the keys in order of their first row with a name
    first_of_key = np.full(len(key_values), len(rows), dtype=np.int64)
    np.minimum.at(first_of_key, key, first)
    chosen = chosen[np.argsort(first_of_key[key[chosen]], kind="stable")]
    return pd.Series(
        list(np.asarray(name_values, dtype=object)[name[chosen]]),
        index=list(np.asarray(key_values, dtype=object)[key[chosen]]),
        name="provider_name",
        dtype=None if len(chosen) else object,
    )


def build_providers(articles: pd.DataFrame) -> pd.DataFrame:
    """One row per provider_domain: name, article count, date span, mean scores.

    The name is the one most articles of that domain give (on a tie, the first in file order).
    """
    columns = ["provider_domain", "provider_name", "published_at", "quality", "heat"]
    known = articles[columns][articles["provider_domain"].notna().to_numpy()]
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


def _first_rows(values: pd.Series) -> np.ndarray:
    """For each row, the first row holding an equal value (the row itself when it is the
    first), -1 where the value is missing. Rows are matched by a 64-bit hash of each value
    made by newskit's C keys, every match then checked on the values; where two values share
    a hash, or the C keys are not built, by the values themselves."""
    array = pa.chunked_array(pa.array(values, from_pandas=True)).combine_chunks(MEMORY_POOL)
    present = array.is_valid().to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(present)
    first = np.full(len(present), -1, dtype=np.int64)
    hashes = text_hashes(pa.chunked_array([array])) if len(array) else None
    if hashes is not None:
        codes = pd.factorize(hashes[rows])[0]  # numbered in order of first appearance
        new = np.ones(len(codes), dtype=bool)
        new[1:] = codes[1:] > np.maximum.accumulate(codes)[:-1]
        first[rows] = rows[np.flatnonzero(new)[codes]]
        again = rows[first[rows] != rows]
        if not len(again) or pc.all(pc.equal(array.take(again), array.take(first[again]))).as_py():
            return first
    array = array.filter(pa.array(present)) if len(rows) < len(array) else array
    codes = pc.dictionary_encode(array, memory_pool=MEMORY_POOL).indices.to_numpy()
    _, first_of_code = np.unique(codes, return_index=True)  # codes count from 0
    first[rows] = rows[first_of_code[codes]]
    return first


def _counts(values: pd.Series, limit: int | None = None) -> dict[str, int]:
    counts = values.dropna().astype(str).value_counts()
    if limit is not None:
        counts = counts.head(limit)
    return {str(key): int(value) for key, value in counts.items()}


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _is_in(values: pd.Series, wanted: pd.Series) -> np.ndarray:
    """Which of ``values`` are among ``wanted``: Arrow's hash lookup, as a boolean array
    (pandas' ``isin`` on Arrow-backed text builds a Python list of ``wanted`` first)."""
    text = pa.large_string()
    found = pc.is_in(pa.array(values, type=text), value_set=pa.array(wanted, type=text))
    return found.to_numpy(zero_copy_only=False)
