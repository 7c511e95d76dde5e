"""What changed between two snapshots of a corpus: :func:`compare` -> :class:`Comparison`.

Articles are matched one to one, in three passes: by normalised original URL, then by any
normalised URL (original or web) the two share, then by ``article_id`` (the path relative to the
corpus folder) among the articles still unmatched. An article found under another path is
*moved*, not removed and added again. Within one side, articles sharing a normalised URL are
duplicates, listed in :attr:`Comparison.duplicates`: where a URL could pair several articles,
a pair at the same path is taken first, then the first in the loader's path order; the others
are matched by ``article_id`` or counted as added or removed.

Everything here but the loading of a path is a pure function of the two corpora.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from newskit.corpus import Corpus, load_corpus, shown_name
from newskit.errors import CorpusError
from newskit.stats import build_provider_leaderboard, count_topics, measure_concentration
from newskit.urls import normalize_urls

#: Article columns compared field by field, in this order (``extra`` is compared key by key,
#: as ``extra.<key>``). ``article_id`` and ``path`` are what :attr:`Comparison.moved` shows;
#: ``is_duplicate`` and ``has_featured_content`` follow from other fields.
COMPARED_FIELDS = (
    "title",
    "excerpt",
    "category",
    "type",
    "published_at",
    "updated_at",
    "locale",
    "original_url",
    "web_url",
    "amp_url",
    "cdn_amp_url",
    "quality",
    "heat",
    "is_published",
    "provider_name",
    "provider_domain",
    "n_provider_images",
    "topics",
    "categories",
    "tags",
    "is_secured",
    "n_images",
    "n_related",
    "featured_content",
    "body",
)
#: List fields whose order is not a change: the same topics in another order are the same topics.
UNORDERED_FIELDS = frozenset(["topics", "categories", "tags"])
SCORES = ("quality", "heat")

_ARTICLE_SUMMARY = ["article_id", "title", "published_at", "provider_domain", "url"]


@dataclass(frozen=True)
class Comparison:
    """What changed between two snapshots of a corpus (see :func:`compare`).

    Attributes
    ----------
    old_root, new_root : str
        The two corpus folders, as newskit shows paths.
    added : DataFrame
        Articles only in the new snapshot: ``article_id``, ``title``, ``published_at``,
        ``provider_domain``, ``url`` (normalised), ``when`` (``new``: published after the old
        snapshot's last date; ``backfill``: on or before it; ``undated``).
    removed : DataFrame
        Articles only in the old snapshot: ``article_id``, ``title``, ``published_at``,
        ``provider_domain``, ``url``.
    changed : DataFrame
        One row per matched article and field whose value differs: ``article_id`` and
        ``title`` (new side), ``key`` (the URL or ``article_id`` it was matched by), ``field``
        (a column of ``articles``, or ``extra.<key>``), ``old``, ``new``.
    moved : DataFrame
        Matched articles whose file moved: ``key``, ``old_article_id``, ``new_article_id``.
    unchanged : DataFrame
        Matched articles with no field changed (a moved file may be one): ``article_id``,
        ``old_article_id``, ``key``, ``matched_by`` (``url`` or ``article_id``).
    field_counts : DataFrame
        ``field``, ``n_articles``: how many matched articles changed in each field.
    headline : DataFrame
        ``measure``, ``old``, ``new``, ``change``: articles, duplicates, dates, providers,
        topics, load problems, fingerprint.
    completeness : DataFrame
        Per front-matter key (from ``Corpus.fields``): ``key``, ``old_share``, ``new_share``,
        ``change``, ``old_articles``, ``new_articles``; largest change first.
    scores : DataFrame
        One row per score (``quality``, ``heat``): how it changed among matched articles
        (``n_changed``, ``n_up``, ``n_down``, ``mean_change``, ``median_change``,
        ``min_change``, ``max_change``) and how its distribution shifted (``old_mean``,
        ``new_mean``, ``mean_shift``, ``old_median``, ``new_median``, ``median_shift``).
    topics, providers : DataFrame
        ``topic`` (or ``provider``), ``old_articles``, ``new_articles``, ``old_share``,
        ``new_share``, ``share_change``, ``status`` (``new``, ``vanished``, ``kept``);
        largest change first.
    concentration : DataFrame
        ``measure`` (``top_share``, ``herfindahl``, ``effective_providers``), ``old``, ``new``,
        ``change``.
    problems : DataFrame
        Load problems that appeared or went away: ``status`` (``new``, ``resolved``),
        ``path`` (relative to its corpus), ``severity``, ``field``, ``message``.
    duplicates : DataFrame
        Articles sharing a normalised URL with an earlier one of their side: ``status``
        (``new``, ``resolved``, ``kept``), ``article_id``, ``url``, ``duplicate_of``.
    notes : list of str
        Sentences a reader should know: how duplicates were matched, corpora sharing nothing.
    """

    old_root: str
    new_root: str
    added: pd.DataFrame
    removed: pd.DataFrame
    changed: pd.DataFrame
    moved: pd.DataFrame
    unchanged: pd.DataFrame
    field_counts: pd.DataFrame
    headline: pd.DataFrame
    completeness: pd.DataFrame
    scores: pd.DataFrame
    topics: pd.DataFrame
    providers: pd.DataFrame
    concentration: pd.DataFrame
    problems: pd.DataFrame
    duplicates: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    #: The tables, in the order reports show them.
    TABLES = (
        "headline",
        "added",
        "removed",
        "changed",
        "field_counts",
        "moved",
        "unchanged",
        "completeness",
        "scores",
        "topics",
        "providers",
        "concentration",
        "problems",
        "duplicates",
    )

    def counts(self) -> dict[str, int]:
        """How many articles were added (new and backfill), removed, changed, moved, unchanged."""
        when = self.added["when"]
        return {
            "added": len(self.added),
            "added_new": int((when == "new").sum()),
            "added_backfill": int((when == "backfill").sum()),
            "added_undated": int((when == "undated").sum()),
            "removed": len(self.removed),
            "changed": int(self.changed["article_id"].nunique()),
            "moved": len(self.moved),
            "unchanged": len(self.unchanged),
        }

    def to_dict(self) -> dict:
        """Everything as JSON-ready values: roots, counts, notes and every table as records."""
        return {
            "old": self.old_root,
            "new": self.new_root,
            "counts": self.counts(),
            "notes": list(self.notes),
            **{name: records(getattr(self, name)) for name in self.TABLES},
        }


def compare(old: Corpus | str | os.PathLike, new: Corpus | str | os.PathLike) -> Comparison:
    """What changed between two snapshots of a corpus.

    Parameters
    ----------
    old, new : Corpus, str or path-like
        The earlier and the later snapshot: loaded corpora, or folders (or record files) to
        load with :func:`~newskit.load_corpus`.

    Returns
    -------
    Comparison
        Added, removed, changed (per field), moved and unchanged articles, and how the
        headline numbers, field completeness, scores, topics, providers, load problems and
        duplicates moved between the two.

    Raises
    ------
    CorpusError
        When a side cannot be loaded or has no article, or both are the same folder.
    TypeError
        When a side is neither a corpus nor a path.
    """
    if not isinstance(old, Corpus) and not isinstance(new, Corpus) and _same(old, new):
        raise CorpusError(
            f"{shown_name(os.fspath(new))}: old and new are the same folder; "
            "compare two snapshots (copies) of a corpus"
        )
    old_corpus = _side(old, "old")
    new_corpus = _side(new, "new")
    if old_corpus is new_corpus:
        raise CorpusError(f"{shown_name(os.fspath(old_corpus.root))}: old and new are one corpus")
    for corpus, side in ((old_corpus, "old"), (new_corpus, "new")):
        if len(corpus) == 0:
            s = corpus.summary()
            raise CorpusError(
                f"{s['root']}: the {side} snapshot has no article to compare "
                f"({s['n_files']} files, {s['n_errors']} could not be loaded)"
            )
    return compare_corpora(old_corpus, new_corpus)


def compare_corpora(old: Corpus, new: Corpus) -> Comparison:
    """:func:`compare` of two loaded corpora, either of which may be empty."""
    old_articles, new_articles = old.articles, new.articles
    old_keys, old_dups = _url_keys(old_articles)
    new_keys, new_dups = _url_keys(new_articles)
    pairs = match_articles(old_articles, new_articles, old_keys=old_keys, new_keys=new_keys)

    old_ids = old_articles["article_id"].astype(object).to_numpy()
    new_ids = new_articles["article_id"].astype(object).to_numpy()
    pairs = pairs.assign(
        old_article_id=old_ids[pairs["old_row"].to_numpy(dtype=int)],
        article_id=new_ids[pairs["new_row"].to_numpy(dtype=int)],
    )
    changed = _changed_fields(old_articles, new_articles, pairs)
    changed_ids = set(changed["article_id"])

    moved = pairs.loc[pairs["old_article_id"] != pairs["article_id"]]
    moved = pd.DataFrame(
        {
            "key": moved["key"].astype(object),
            "old_article_id": moved["old_article_id"].astype(object),
            "new_article_id": moved["article_id"].astype(object),
        }
    ).reset_index(drop=True)
    unchanged = pairs.loc[~pairs["article_id"].isin(changed_ids)]
    unchanged = unchanged[["article_id", "old_article_id", "key", "matched_by"]].reset_index(
        drop=True
    )

    removed = _article_rows(old_articles, old_keys, _unmatched(len(old_articles), pairs["old_row"]))
    added = _article_rows(new_articles, new_keys, _unmatched(len(new_articles), pairs["new_row"]))
    old_last = old_articles["published_at"].max()
    published = added["published_at"]
    if pd.isna(old_last):
        when = np.where(published.isna(), "undated", "new")
    else:
        when = np.where(
            published.isna(), "undated", np.where(published > old_last, "new", "backfill")
        )
    added = added.assign(when=pd.Series(when, index=added.index, dtype=object))

    field_counts = (
        changed.groupby("field", sort=False)["article_id"]
        .nunique()
        .rename("n_articles")
        .reset_index()
        .sort_values(["n_articles"], ascending=False, kind="stable")
        .reset_index(drop=True)
    )
    duplicates = _compare_duplicates(old_dups, new_dups)
    comparison = Comparison(
        old_root=shown_name(os.fspath(old.root)),
        new_root=shown_name(os.fspath(new.root)),
        added=added,
        removed=removed,
        changed=changed,
        moved=moved,
        unchanged=unchanged,
        field_counts=field_counts.astype({"field": object, "n_articles": "int64"}),
        headline=compare_headline(old, new),
        completeness=compare_completeness(old.fields, new.fields),
        scores=compare_scores(old_articles, new_articles, pairs),
        topics=compare_shares(count_topics(old_articles), count_topics(new_articles), "topic"),
        providers=compare_shares(
            build_provider_leaderboard(old_articles),
            build_provider_leaderboard(new_articles),
            "provider",
        ),
        concentration=compare_concentration(old_articles, new_articles),
        problems=compare_problems(old, new),
        duplicates=duplicates,
    )
    return dataclasses.replace(comparison, notes=_notes(comparison, pairs, old, new))


def match_articles(
    old: pd.DataFrame,
    new: pd.DataFrame,
    *,
    old_keys: pd.DataFrame | None = None,
    new_keys: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Pair the articles of two snapshots, one to one.

    Parameters
    ----------
    old, new : DataFrame
        The two ``articles`` tables.
    old_keys, new_keys : DataFrame, optional
        Their URL keys as :func:`_url_keys` gives them (computed when not given).

    Returns
    -------
    DataFrame
        ``old_row``, ``new_row`` (positions in the two tables), ``key`` (the normalised URL, or
        the ``article_id``, they were matched by), ``matched_by`` (``url`` or ``article_id``);
        in the new table's order.
    """
    if old_keys is None:
        old_keys = _url_keys(old)[0]
    if new_keys is None:
        new_keys = _url_keys(new)[0]
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    rows: list[tuple[int, int, str, str]] = []

    old_ids = old["article_id"].astype(object).to_numpy()
    new_ids = new["article_id"].astype(object).to_numpy()

    def by_url(pairs: pd.DataFrame) -> pd.DataFrame:
        # Among the pairs a URL allows (duplicates give several), the same path first.
        moved = (
            old_ids[pairs["row_old"].to_numpy(dtype=int)]
            != new_ids[pairs["row_new"].to_numpy(dtype=int)]
        )
        pairs = pairs.assign(_moved=moved).sort_values(["_moved", "row_old", "row_new"])
        return pairs[["row_old", "row_new", "url"]]

    def take(candidates: pd.DataFrame, matched_by: str) -> None:
        for o, n, key in candidates.itertuples(index=False, name=None):
            if o not in taken_old and n not in taken_new:
                taken_old.add(o)
                taken_new.add(n)
                rows.append((o, n, key, matched_by))

    # 1. the original URL of both; 2. any URL of either (a web URL become the original one).
    on_original = old_keys[old_keys["column"] == "original_url"].merge(
        new_keys[new_keys["column"] == "original_url"], on="url", suffixes=("_old", "_new")
    )
    take(by_url(on_original), "url")
    take(by_url(old_keys.merge(new_keys, on="url", suffixes=("_old", "_new"))), "url")
    # 3. the same relative path, among what is left.
    ids_old = pd.DataFrame({"id": old_ids, "row_old": range(len(old))})
    ids_new = pd.DataFrame({"id": new_ids, "row_new": range(len(new))})
    ids_old = ids_old[~ids_old["row_old"].isin(taken_old)]
    ids_new = ids_new[~ids_new["row_new"].isin(taken_new)]
    on_id = ids_old.merge(ids_new, on="id")
    take(on_id[["row_old", "row_new", "id"]], "article_id")

    frame = pd.DataFrame(rows, columns=["old_row", "new_row", "key", "matched_by"])
    frame = frame.astype(
        {"old_row": "int64", "new_row": "int64", "key": object, "matched_by": object}
    )
    return frame.sort_values("new_row").reset_index(drop=True)


def _url_keys(articles: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The normalised URLs of each article, and which articles repeat an earlier one's.

    Returns ``keys`` (``row``, ``column``, ``url``: one row per article and distinct URL) and
    ``duplicates`` (``row``, ``article_id``, ``url``, ``duplicate_of``: each article having a
    URL an earlier article of the table has, once, with the first such article).
    """
    parts = []
    for column in ("original_url", "web_url"):
        urls = normalize_urls(articles[column]).astype(object)
        parts.append(
            pd.DataFrame(
                {"row": np.arange(len(articles)), "column": column, "url": urls.to_numpy()}
            )
        )
    keys = pd.concat(parts, ignore_index=True).dropna(subset=["url"])
    keys = keys.sort_values(["row", "column"], ascending=[True, False], kind="stable")
    keys = keys.drop_duplicates(["row", "url"])  # original and web URL alike: one key
    holder = keys.groupby("url", sort=False)["row"].transform("min")
    repeats = keys[keys["row"] != holder]
    ids = articles["article_id"].astype(object).to_numpy()
    duplicates = pd.DataFrame(
        {
            "row": repeats["row"].to_numpy(dtype="int64"),
            "article_id": ids[repeats["row"].to_numpy(dtype=int)],
            "url": repeats["url"].to_numpy(dtype=object),
            "duplicate_of": ids[holder[repeats.index].to_numpy(dtype=int)],
        }
    ).drop_duplicates("row")
    return keys.reset_index(drop=True), duplicates.reset_index(drop=True)


def _unmatched(n_rows: int, matched: pd.Series) -> np.ndarray:
    keep = np.ones(n_rows, dtype=bool)
    keep[matched.to_numpy(dtype=int)] = False
    return np.flatnonzero(keep)


def _article_rows(articles: pd.DataFrame, keys: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """The few columns that say which article a row of ``added``/``removed`` is."""
    primary = keys.sort_values(["row", "column"], ascending=[True, False]).drop_duplicates("row")
    url = pd.Series(primary["url"].to_numpy(dtype=object), index=primary["row"].to_numpy())
    picked = articles.iloc[rows]
    return pd.DataFrame(
        {
            "article_id": picked["article_id"].astype(object).to_numpy(),
            "title": picked["title"].astype(object).to_numpy(),
            "published_at": picked["published_at"].to_numpy(),
            "provider_domain": picked["provider_domain"].astype(object).to_numpy(),
            "url": url.reindex(rows).to_numpy(dtype=object),
        },
        columns=_ARTICLE_SUMMARY,
    ).astype({"published_at": articles["published_at"].dtype})


def _changed_fields(old: pd.DataFrame, new: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """One row per matched article and field whose value differs."""
    old_rows = pairs["old_row"].to_numpy(dtype=int)
    new_rows = pairs["new_row"].to_numpy(dtype=int)
    ids = pairs["article_id"].tolist()
    keys = pairs["key"].tolist()
    titles = new["title"].astype(object).to_numpy()[new_rows]
    found: list[tuple[int, int, str, object, object]] = []  # (pair, field order, field, old, new)
    for order, name in enumerate(COMPARED_FIELDS):
        before = old[name].astype(object).to_numpy()[old_rows]
        after = new[name].astype(object).to_numpy()[new_rows]
        unordered = name in UNORDERED_FIELDS
        for i, (a, b) in enumerate(zip(before, after, strict=True)):
            if not same_value(a, b, unordered=unordered):
                found.append((i, order, name, _plain(a), _plain(b)))
    before = old["extra"].astype(object).to_numpy()[old_rows]
    after = new["extra"].astype(object).to_numpy()[new_rows]
    extra_order = len(COMPARED_FIELDS)
    for i, (a, b) in enumerate(zip(before, after, strict=True)):
        if a is b or (_missing(a) and _missing(b)) or a == b:
            continue
        a_keys = {} if _missing(a) else json.loads(a)
        b_keys = {} if _missing(b) else json.loads(b)
        for key in sorted(set(a_keys) | set(b_keys)):
            if a_keys.get(key) != b_keys.get(key) or (key in a_keys) != (key in b_keys):
                found.append((i, extra_order, f"extra.{key}", a_keys.get(key), b_keys.get(key)))
    found.sort(key=lambda item: (item[0], item[1]))
    return pd.DataFrame(
        {
            "article_id": pd.Series([ids[f[0]] for f in found], dtype=object),
            "title": pd.Series([_plain(titles[f[0]]) for f in found], dtype=object),
            "key": pd.Series([keys[f[0]] for f in found], dtype=object),
            "field": pd.Series([f[2] for f in found], dtype=object),
            "old": pd.Series([f[3] for f in found], dtype=object),
            "new": pd.Series([f[4] for f in found], dtype=object),
        }
    )


def same_value(a: object, b: object, *, unordered: bool = False) -> bool:
    """Whether two cells hold the same value; two missing values are the same.

    Lists compare item by item (as sets when ``unordered``); timestamps as instants.
    """
    a_missing, b_missing = _missing(a), _missing(b)
    if a_missing or b_missing:
        return a_missing and b_missing
    if isinstance(a, list | tuple | np.ndarray) or isinstance(b, list | tuple | np.ndarray):
        a_items, b_items = list(_as_items(a)), list(_as_items(b))
        if unordered:
            return sorted(map(str, a_items)) == sorted(map(str, b_items))
        return a_items == b_items
    return bool(a == b)


def _as_items(value: object) -> list:
    if isinstance(value, list | tuple | np.ndarray):
        return [v.item() if hasattr(v, "item") else v for v in value]
    return [value]


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _plain(value: object) -> object:
    """A cell as a plain Python value: lists of str, ints, Timestamps, None for missing."""
    if isinstance(value, list | tuple | np.ndarray):
        return _as_items(value)
    if _missing(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str | pd.Timestamp):
        return value.item()
    return value


def compare_headline(old: Corpus, new: Corpus) -> pd.DataFrame:
    """``measure``, ``old``, ``new``, ``change`` for the headline numbers of two corpora."""
    a, b = old.summary(), new.summary()

    def span(s: dict) -> int | None:
        if s["first_published_at"] is None:
            return None
        return int((s["last_published_at"] - s["first_published_at"]).days)

    def day(stamp: pd.Timestamp | None) -> str | None:
        return None if stamp is None else stamp.strftime("%Y-%m-%d")

    def days_between(x: pd.Timestamp | None, y: pd.Timestamp | None) -> int | None:
        return None if x is None or y is None else int((y - x).days)

    rows = [
        ("articles", a["n_articles"], b["n_articles"]),
        ("stories", len(old.stories), len(new.stories)),
        ("files", a["n_files"], b["n_files"]),
        ("duplicates", a["n_duplicates"], b["n_duplicates"]),
        ("providers", a["n_providers"], b["n_providers"]),
        ("topics", a["n_topics"], b["n_topics"]),
        ("load errors", a["n_errors"], b["n_errors"]),
        ("load warnings", a["n_warnings"], b["n_warnings"]),
        ("span (days)", span(a), span(b)),
    ]
    frame = [(m, x, y, None if x is None or y is None else y - x) for m, x, y in rows]
    frame += [
        (
            "first published",
            day(a["first_published_at"]),
            day(b["first_published_at"]),
            _signed_days(days_between(a["first_published_at"], b["first_published_at"])),
        ),
        (
            "last published",
            day(a["last_published_at"]),
            day(b["last_published_at"]),
            _signed_days(days_between(a["last_published_at"], b["last_published_at"])),
        ),
        (
            "fingerprint",
            a["fingerprint"],
            b["fingerprint"],
            "same" if a["fingerprint"] == b["fingerprint"] else "changed",
        ),
    ]
    return pd.DataFrame(frame, columns=["measure", "old", "new", "change"], dtype=object)


def _signed_days(days: int | None) -> str | None:
    return None if days is None else f"{days:+d} days"


def compare_completeness(old_fields: pd.DataFrame, new_fields: pd.DataFrame) -> pd.DataFrame:
    """How the share of articles carrying each front-matter key changed (``Corpus.fields``)."""
    a = old_fields[["key", "n_articles", "share"]].astype({"key": object})
    b = new_fields[["key", "n_articles", "share"]].astype({"key": object})
    merged = a.merge(b, on="key", how="outer", suffixes=("_old", "_new"))
    frame = pd.DataFrame(
        {
            "key": merged["key"].astype(object),
            "old_share": merged["share_old"].fillna(0.0).astype("float64"),
            "new_share": merged["share_new"].fillna(0.0).astype("float64"),
            "old_articles": merged["n_articles_old"].fillna(0).astype("int64"),
            "new_articles": merged["n_articles_new"].fillna(0).astype("int64"),
        }
    )
    frame.insert(3, "change", frame["new_share"] - frame["old_share"])
    return _largest_change_first(frame, "change", "key")


def compare_scores(old: pd.DataFrame, new: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """How quality and heat changed among matched articles, and how their distributions moved."""
    rows = []
    for score in SCORES:
        before = _floats(old[score])
        after = _floats(new[score])
        paired_old = before[pairs["old_row"].to_numpy(dtype=int)]
        paired_new = after[pairs["new_row"].to_numpy(dtype=int)]
        both = ~np.isnan(paired_old) & ~np.isnan(paired_new)
        change = (paired_new - paired_old)[both]
        change = change[change != 0]
        old_mean, new_mean = _stat(np.nanmean, before), _stat(np.nanmean, after)
        old_median, new_median = _stat(np.nanmedian, before), _stat(np.nanmedian, after)
        rows.append(
            {
                "score": score,
                "n_changed": len(change),
                "n_up": int((change > 0).sum()),
                "n_down": int((change < 0).sum()),
                "mean_change": _stat(np.mean, change),
                "median_change": _stat(np.median, change),
                "min_change": _stat(np.min, change),
                "max_change": _stat(np.max, change),
                "old_mean": old_mean,
                "new_mean": new_mean,
                "mean_shift": new_mean - old_mean,
                "old_median": old_median,
                "new_median": new_median,
                "median_shift": new_median - old_median,
            }
        )
    frame = pd.DataFrame(rows)
    return frame.astype({"score": object, "n_changed": "int64", "n_up": "int64", "n_down": "int64"})


def _floats(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _stat(function, values: np.ndarray) -> float:
    values = values[~np.isnan(values)]
    return float(function(values)) if len(values) else float("nan")


def compare_shares(old: pd.DataFrame, new: pd.DataFrame, label: str) -> pd.DataFrame:
    """How each topic's (or provider's) share of the articles changed.

    Parameters
    ----------
    old, new : DataFrame
        ``label``, ``n_articles``, ``share`` of each snapshot (as ``count_topics`` or
        ``build_provider_leaderboard`` give them).
    label : str
        The column naming what is counted: ``topic`` or ``provider``.
    """
    a = old[[label, "n_articles", "share"]].astype({label: object})
    b = new[[label, "n_articles", "share"]].astype({label: object})
    merged = a.merge(b, on=label, how="outer", suffixes=("_old", "_new"), indicator=True)
    status = merged["_merge"].map({"both": "kept", "left_only": "vanished", "right_only": "new"})
    frame = pd.DataFrame(
        {
            label: merged[label].astype(object),
            "old_articles": merged["n_articles_old"].fillna(0).astype("int64"),
            "new_articles": merged["n_articles_new"].fillna(0).astype("int64"),
            "old_share": merged["share_old"].fillna(0.0).astype("float64"),
            "new_share": merged["share_new"].fillna(0.0).astype("float64"),
            "status": status.astype(object),
        }
    )
    frame.insert(5, "share_change", frame["new_share"] - frame["old_share"])
    return _largest_change_first(frame, "share_change", label)


def _largest_change_first(frame: pd.DataFrame, change: str, label: str) -> pd.DataFrame:
    order = frame.assign(_size=frame[change].abs()).sort_values(
        ["_size", label], ascending=[False, True], kind="stable"
    )
    return order.drop(columns="_size").reset_index(drop=True)


def compare_concentration(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """``measure``, ``old``, ``new``, ``change`` of the provider concentration measures."""
    a, b = measure_concentration(old), measure_concentration(new)
    rows = []
    for measure in ("top_share", "herfindahl", "effective_providers"):
        x = float(a[measure].iloc[0]) if len(a) else float("nan")
        y = float(b[measure].iloc[0]) if len(b) else float("nan")
        rows.append((measure, x, y, y - x))
    frame = pd.DataFrame(rows, columns=["measure", "old", "new", "change"])
    return frame.astype({"measure": object})


def compare_problems(old: Corpus, new: Corpus) -> pd.DataFrame:
    """Load problems found in one snapshot only: ``new`` ones and ``resolved`` ones.

    Paths (and paths inside messages) are taken relative to each corpus, so a problem that
    stayed where it was is the same problem in two folders.
    """
    a, b = _relative_problems(old), _relative_problems(new)
    merged = a.merge(b, how="outer", indicator=True)
    merged = merged[merged["_merge"] != "both"]
    status = merged["_merge"].map({"left_only": "resolved", "right_only": "new"}).astype(object)
    frame = merged.drop(columns="_merge")
    frame.insert(0, "status", status)
    frame = frame.sort_values(["status", "path", "field"], kind="stable", na_position="first")
    return frame.reset_index(drop=True)


def _relative_problems(corpus: Corpus) -> pd.DataFrame:
    problems = corpus.problems
    root = shown_name(os.fspath(corpus.root)).rstrip(os.sep)
    # A corpus that is one file names that file in its problems: keep its name.
    name = os.path.basename(root)

    def relative(text: object) -> object:
        if _missing(text):
            return None
        text = str(text).replace(root + os.sep, "")
        return name if text == root else text.replace(root, name)

    return pd.DataFrame(
        {
            "path": problems["path"].astype(object).map(relative),
            "severity": problems["severity"].astype(object),
            "field": problems["field"].astype(object).map(lambda v: None if _missing(v) else v),
            "message": problems["message"].astype(object).map(relative),
        },
        columns=["path", "severity", "field", "message"],
    ).drop_duplicates()


def _compare_duplicates(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    columns = ["article_id", "url", "duplicate_of"]
    merged = old[columns].merge(new[columns], on=["article_id", "url"], how="outer", indicator=True)
    status = merged["_merge"].map({"both": "kept", "left_only": "resolved", "right_only": "new"})
    frame = pd.DataFrame(
        {
            "status": status.astype(object),
            "article_id": merged["article_id"].astype(object),
            "url": merged["url"].astype(object),
            "duplicate_of": merged["duplicate_of_y"]
            .where(merged["duplicate_of_y"].notna(), merged["duplicate_of_x"])
            .astype(object),
        }
    )
    order = {"new": 0, "resolved": 1, "kept": 2}
    frame = frame.sort_values(
        ["status", "article_id"], key=lambda s: s.map(order) if s.name == "status" else s
    )
    return frame.reset_index(drop=True)


def _notes(comparison: Comparison, pairs: pd.DataFrame, old: Corpus, new: Corpus) -> list[str]:
    notes = []
    if pairs.empty:
        notes.append(
            "The two snapshots share no article (no normalised URL and no article_id in "
            "common): every old article counts as removed and every new one as added."
        )
    duplicates = comparison.duplicates
    if len(duplicates):
        counts = duplicates["status"].value_counts()
        n = len(duplicates)
        notes.append(
            f"{_plural(n, 'article')} {'shares' if n == 1 else 'share'} a normalised URL with "
            f"an earlier article of {'its' if n == 1 else 'their'} snapshot (new: "
            f"{counts.get('new', 0)}, resolved: {counts.get('resolved', 0)}, kept: "
            f"{counts.get('kept', 0)}). A URL shared by several articles matches the article "
            "at the same path first, then the first in path order."
        )
    n = int((pairs["matched_by"] == "article_id").sum())
    if n:
        notes.append(
            f"{_plural(n, 'article')} {'was' if n == 1 else 'were'} matched by article_id "
            "(the path), having no URL in common."
        )
    if old.fingerprint == new.fingerprint:
        notes.append("Both snapshots have the same fingerprint: their files are identical.")
    elif os.fspath(old.root) == os.fspath(new.root):
        notes.append("Both snapshots were loaded from the same folder, at different times.")
    return notes


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def records(table: pd.DataFrame) -> list[dict]:
    """A table as JSON-ready records: missing values as ``None``, times as ISO 8601 text."""
    return [
        {name: _json_value(value) for name, value in zip(table.columns, row, strict=True)}
        for row in table.itertuples(index=False, name=None)
    ]


def _json_value(value: object) -> object:
    if isinstance(value, list | tuple | np.ndarray):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if _missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str):
        return _json_value(value.item())
    if isinstance(value, float) and math.isinf(value):
        return None
    return value


def _side(value: object, side: str) -> Corpus:
    if isinstance(value, Corpus):
        return value
    if isinstance(value, str | os.PathLike):
        return load_corpus(value)
    raise TypeError(f"{side} must be a Corpus or a path, got {type(value).__name__}")


def _same(old: str | os.PathLike, new: str | os.PathLike) -> bool:
    try:
        return os.path.samefile(old, new)
    except OSError:
        return False
