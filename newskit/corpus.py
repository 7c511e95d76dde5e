"""Files -> records -> DataFrames: :func:`load_corpus` and the :class:`Corpus` it returns."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from newskit.errors import CorpusError
from newskit.parse import MAX_FILE_BYTES, RecordError, parse_record
from newskit.records import Record, build_record, is_article
from newskit.schema import (
    ARTICLE_COLUMNS,
    IMAGE_COLUMNS,
    PROBLEM_COLUMNS,
    PROVIDER_COLUMNS,
    RELATED_COLUMNS,
    TOPIC_COLUMNS,
    build_frame,
    cast_frame,
)

#: File name endings read as records (compared case-insensitively).
SUFFIXES = (".txt", ".md")


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
    ) -> None:
        self.root = root
        self.articles = articles
        self.topics = topics
        self.images = images
        self.related = related
        self.problems = problems
        self.providers = build_providers(articles)
        self._digests = digests

    def __len__(self) -> int:
        return len(self.articles)

    def __repr__(self) -> str:
        return (f"<Corpus {str(self.root)!r}: {len(self)} articles, "
                f"{self.n_errors} errors, {self.n_warnings} warnings>")

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
        start, end : date-like, optional
            Inclusive bounds on ``published_at`` (naive values are taken as UTC; an ``end``
            given as a bare date includes that whole day). Articles with no date are dropped
            when either bound is set.
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
        if start is not None:
            keep &= when >= _utc(start)
        if end is not None:
            bound = _utc(end)
            if isinstance(end, str) and len(end.strip()) == 10:
                bound += pd.Timedelta(days=1) - pd.Timedelta(1, "ns")
            keep &= when <= bound
        if topic is not None:
            wanted = _as_list(topic)
            ids = self.topics.loc[self.topics["topic"].isin(wanted), "article_id"]
            keep &= articles["article_id"].isin(ids)
        if provider is not None:
            wanted = [value.lower() for value in _as_list(provider)]
            keep &= (articles["provider_domain"].str.lower().isin(wanted)
                     | articles["provider_name"].str.lower().isin(wanted))
        keep = keep.fillna(False).astype(bool)
        ids = articles.loc[keep, "article_id"]

        def restrict(table: pd.DataFrame) -> pd.DataFrame:
            return table[table["article_id"].isin(ids)].reset_index(drop=True)

        return Corpus(self.root, restrict(articles), restrict(self.topics),
                      restrict(self.images), restrict(self.related), self.problems,
                      self._digests)

    def summary(self) -> dict:
        """The headline numbers of the corpus, as a plain dict."""
        articles = self.articles
        dates = articles["published_at"].dropna()
        return {
            "root": str(self.root),
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


def load_corpus(path: str | os.PathLike, *, strict: bool = False) -> Corpus:
    """Load a corpus of news records into a :class:`Corpus`.

    Parameters
    ----------
    path : str or path-like
        A folder, searched recursively for ``*.txt`` and ``*.md`` files (hidden files and
        folders are skipped), or one record file.
    strict : bool, default False
        Raise :class:`~newskit.CorpusError` when any file cannot be loaded, instead of
        reporting it in ``Corpus.problems``.

    Returns
    -------
    Corpus
        Every file found is either a row of ``articles`` or an ``error`` row of ``problems``.
    """
    root = Path(path)
    files = find_files(root)
    base = root if root.is_dir() else root.parent
    results = [read_file(base / relpath, relpath) for relpath in files]
    corpus = build_corpus(root, results)
    if strict:
        raise_for_errors(corpus)
    return corpus


def find_files(root: Path) -> list[str]:
    """Relative POSIX paths of the record files under ``root``, sorted."""
    if root.is_file():
        return [root.name]
    if not root.is_dir():
        if root.exists() or root.is_symlink():
            raise CorpusError(f"{root}: not a folder or a regular file")
        raise CorpusError(f"{root}: no such file or folder")
    found = []
    for folder, dirnames, filenames in os.walk(root, onerror=_raise_walk_error):
        dirnames[:] = [name for name in dirnames if not name.startswith(".")]
        rel = Path(folder).relative_to(root)
        for name in filenames:
            if not name.startswith(".") and name.lower().endswith(SUFFIXES):
                found.append((rel / name).as_posix())
    return sorted(found)


def read_file(path: Path, relpath: str) -> FileResult:
    """Read and normalise one record file; never raises on bad content."""
    shown = str(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            # a FIFO or device would block or never end
            raise RecordError("not a regular file")
        size = info.st_size
        if size > MAX_FILE_BYTES:
            raise RecordError(
                f"file is {size / 2**20:.1f} MiB, over the {MAX_FILE_BYTES // 2**20} MiB limit "
                "for one record"
            )
        data = path.read_bytes()
    except OSError as exc:
        return FileResult(relpath, shown, None, [_problem(shown, "error", None,
                                                          f"cannot read file: {exc.strerror}")])
    except RecordError as exc:
        return FileResult(relpath, shown, None, [_problem(shown, "error", None, str(exc))])
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    try:
        meta, body = parse_record(data)
        if not is_article(meta):
            raise RecordError("not a news record: front matter has no title and no URL")
    except RecordError as exc:
        return FileResult(relpath, shown, None, [_problem(shown, "error", None, str(exc))],
                          digest)
    record = build_record(meta, body, article_id=relpath, path=shown)
    problems = [_problem(shown, "warning", name, message) for name, message in record.warnings]
    return FileResult(relpath, shown, record, problems, digest)


def build_corpus(root: Path, results: list[FileResult]) -> Corpus:
    """Assemble per-file results into a :class:`Corpus`, flagging duplicates."""
    records = [result.record for result in results if result.record is not None]
    articles = build_frame([record.article for record in records], ARTICLE_COLUMNS)
    topics = build_frame(
        [{"article_id": r.article["article_id"], "topic": topic}
         for r in records for topic in r.article["topics"]],
        TOPIC_COLUMNS,
    )
    images = build_frame([image for r in records for image in r.images], IMAGE_COLUMNS)
    related = build_frame([story for r in records for story in r.related], RELATED_COLUMNS)
    problems = [problem for result in results for problem in result.problems]
    articles, duplicate_problems = flag_duplicates(articles)
    problems = build_frame(problems + duplicate_problems, PROBLEM_COLUMNS)
    problems = problems.sort_values("path", kind="stable", ignore_index=True)
    digests = {result.relpath: result.digest for result in results}
    return Corpus(root, articles, topics, images, related, problems, digests)


def flag_duplicates(articles: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Mark every article whose original_url or web_url an earlier file already has.

    The first file (in path order) stays unflagged; each later copy gets ``is_duplicate`` and a
    warning naming the file it repeats.
    """
    articles = articles.copy()
    flagged = pd.Series(False, index=articles.index)
    problems = []
    for column, key in (("original_url", "originalUrl"), ("web_url", "webUrl")):
        values = articles[column]
        present = values.notna()
        repeat = present & values.duplicated(keep="first")
        first_path = articles.loc[present].drop_duplicates(column).set_index(column)["path"]
        for index in articles.index[repeat & ~flagged]:
            other = first_path[values[index]]
            problems.append(_problem(articles.at[index, "path"], "warning", key,
                                     f"duplicate of {other} (same {key})"))
        flagged |= repeat
    articles["is_duplicate"] = flagged.to_numpy()
    return articles, problems


def build_providers(articles: pd.DataFrame) -> pd.DataFrame:
    """One row per provider_domain: name, article count, date span, mean scores."""
    known = articles[articles["provider_domain"].notna()]
    if known.empty:
        return build_frame([], PROVIDER_COLUMNS)
    grouped = known.groupby("provider_domain", sort=False)
    frame = pd.DataFrame({
        "provider_name": grouped["provider_name"].agg(_most_common),
        "n_articles": grouped.size(),
        "first_published_at": grouped["published_at"].min(),
        "last_published_at": grouped["published_at"].max(),
        "mean_quality": grouped["quality"].mean().astype("float64"),
        "mean_heat": grouped["heat"].mean().astype("float64"),
    }).reset_index()
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


def _problem(path: str, severity: str, field_name: str | None, message: str) -> dict:
    return {"path": path, "severity": severity, "field": field_name, "message": message}


def _most_common(values: pd.Series) -> object:
    counts = values.dropna().value_counts()
    return counts.index[0] if len(counts) else pd.NA


def _counts(values: pd.Series, limit: int | None = None) -> dict[str, int]:
    counts = values.dropna().astype(str).value_counts()
    if limit is not None:
        counts = counts.head(limit)
    return {str(key): int(value) for key, value in counts.items()}


def _raise_walk_error(exc: OSError) -> None:
    raise CorpusError(f"{exc.filename}: cannot list folder: {exc.strerror}") from exc


def _utc(value: object) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a date: {value!r}") from exc
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)
