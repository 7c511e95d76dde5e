"""Pure functions on the articles (and related) tables: counts, shares, scores, coverage.

Every function takes ``corpus.articles`` (and, for coverage, ``corpus.related``) first and
returns a new DataFrame; none reads files or mutates its input. Empty or too-small input gives
an empty frame with the documented columns, never an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from newskit._deprecation import renamed
from newskit.corpus import name_providers
from newskit.countries import country_name, country_of_domain
from newskit.dates import to_utc
from newskit.schema import (
    PLAUSIBLE_SINCE,
    STRING,
    TYPED_KEYS,
    as_text,
    first_places,
    plain_words,
    text_list_array,
)

#: Accepted ``freq`` values -> pandas period aliases.
FREQS = {"week": "W", "month": "M", "quarter": "Q", "year": "Y"}

#: Label used for providers, topics or types folded together.
OTHER = "other"
#: The fold label when a real key is literally ``other``: it starts with a zero-width space,
#: which keeps the two apart while the bucket still reads "other (the rest)".
OTHER_REST = "\u200bother (the rest)"
#: Dates before this (the loader's rule, which warns on them), or after the present, are far
#: outside any real corpus: they are an alert and are left out of the counts over time, so one
#: mistyped year cannot squash the chart.
EARLIEST = PLAUSIBLE_SINCE
#: Label for a missing provider, type or topic.
UNKNOWN = "(unknown)"
#: Articles a period needs for a share of them to be given: below this, one article more or
#: less swings the share by 20 points or more, so the share is missing (a gap in the chart).
MIN_PERIOD_ARTICLES = 5

#: The record fields the completeness table reports, in its order; the column holding each is
#: :data:`newskit.schema.TYPED_KEYS`'s (``provider``: its domain or name).
FIELDS = (
    "category",
    "title",
    "excerpt",
    "publishedDateTime",
    "originalUrl",
    "webUrl",
    "ampWebUrl",
    "cdnAmpWebUrl",
    "type",
    "quality",
    "heat",
    "published",
    "provider",
    "topics",
    "images",
    "related",
    "featuredContent",
)

#: A small English stopword list for title words; enough to surface content words.
_STOPWORDS = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further get gets got had has have having he her here hers him his how i if in into is it its
    itself just me more most my new no nor not now of off on once only or other our ours out over
    own same she should so some such than that the their theirs them then there these they this
    those through to too under until up very via vs was we were what when where which while who
    whom why will with would you your yours us one two may might must shall let lets use using
    used how's what's it's don't can't won't isn't aren't
    """
STOPWORDS = frozenset(_STOPWORDS.split())

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# _plain_words finds these words in plain titles without the pattern; a test holds the two
# together (test_title_terms_are_the_words_and_pairs_of_tokenize)
#: Characters past ASCII that are never part of a word (typographic quotes but ’, dashes,
#: ellipses, spaces, currency signs, ...): a title whose only characters past ASCII these are
#: has the words it has with each of them a space, so it takes the plain road. A test checks
#: every one of them.
_SEPARATOR_RANGES = (
    (0xA0, 0xA9), (0xAB, 0xB1), (0xB4, 0xB4), (0xB6, 0xB8), (0xBB, 0xBB), (0xBF, 0xBF),
    (0xD7, 0xD7), (0xF7, 0xF7), (0x2000, 0x2018), (0x201A, 0x206F), (0x20A0, 0x20CF),
    (0x2122, 0x2122),
)  # fmt: skip
_SEPARATORS = (
    "[" + "".join(chr(a) + (f"-{chr(b)}" if b > a else "") for a, b in _SEPARATOR_RANGES) + "]"
)
_SEPARATOR = re.compile(_SEPARATORS)
#: Plain titles, whose words are found in their UTF-8 bytes: ASCII and the letters of Latin-1
#: (U+00C0 to U+00FF but × and ÷: é, ü, ß, ...), each a letter alone, lower-cased by one bit
#: (À to Þ; ß and ÿ are lower case) as ASCII's are.
_PLAIN = "[\x00-\x7f\xc0-\xd6\xd8-\xf6\xf8-\xff]*"
_PLAIN_TITLE = re.compile(_PLAIN)
_PLAIN_RE2 = "^[\\x{0}-\\x{7f}\\x{c0}-\\x{d6}\\x{d8}-\\x{f6}\\x{f8}-\\x{ff}]*$"


# --------------------------------------------------------------------------- helpers


def check_argument(name: str, options, value: object) -> None:
    """Raise ValueError unless ``value`` is one of ``options``: called before any data is
    looked at, so a bad argument fails the same way on empty and full data."""
    if value not in options:
        listed = ", ".join(repr(option) for option in options)
        raise ValueError(f"{name} must be one of {listed}, not {value!r}")


def check_count(name: str, value: object, *, optional: bool = False) -> None:
    """Raise unless ``value`` is a whole number >= 0 (or None when ``optional``)."""
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        allowed = "a whole number or None" if optional else "a whole number"
        raise TypeError(f"{name} must be {allowed}, not {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, not {value!r}")


def _check_freq(freq: str) -> None:
    check_argument("freq", ["auto", *FREQS], freq)


def _periods(when: pd.Series, freq: str) -> pd.Series:
    """Start (naive UTC timestamp) of the period each date falls in."""
    when = pd.to_datetime(when, utc=True).dt.tz_convert(None)
    return when.dt.to_period(FREQS[freq]).dt.start_time


def _period_range(periods: pd.Series, freq: str) -> pd.DatetimeIndex:
    """Every period start between the first and last of ``periods``, so gaps show as zeros."""
    span = pd.period_range(periods.min(), periods.max(), freq=FREQS[freq])
    return pd.DatetimeIndex(span.start_time, name="period")


def _resolve_freq(articles: pd.DataFrame, freq: str) -> str:
    _check_freq(freq)
    return choose_freq(articles) if freq == "auto" else freq


def _dated(articles: pd.DataFrame, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The articles counted over time: dated, and not outlying (see :func:`find_outlying_dates`);
    with ``columns``, only those (a copy of every column costs more than the counting)."""
    rows = _dated_rows(articles)
    return articles[rows] if columns is None else articles.loc[rows, list(columns)]


def _dated_rows(articles: pd.DataFrame) -> np.ndarray:
    """Which articles :func:`_dated` keeps, as a boolean array."""
    when = articles["published_at"]
    return (when.notna() & ~find_outlying_dates(articles)).to_numpy(dtype=bool)


def _now(now: object) -> pd.Timestamp:
    return pd.Timestamp.now(tz="UTC") if now is None else to_utc(pd.Timestamp(now))


def _hours(when: pd.Series) -> np.ndarray:
    """Hours since 1970 as floats: differences of these never overflow, unlike Timedeltas
    between dates 580 years apart."""
    when = pd.to_datetime(when, utc=True)
    nanos = when.astype("datetime64[ns, UTC]").astype("int64").to_numpy(dtype="float64")
    return np.where(when.isna().to_numpy(), np.nan, nanos / 3.6e12)


def find_outlying_dates(articles: pd.DataFrame, *, now: object = None) -> pd.Series:
    """Which articles are dated far outside any real corpus: before 1990 or after ``now``.

    Returns
    -------
    Series of bool
        Aligned with ``articles``; False for undated articles.
    """
    when = pd.to_datetime(articles["published_at"], utc=True)  # naive dates taken as UTC
    outlying = (when < EARLIEST) | (when > _now(now))
    return outlying.fillna(False).astype(bool)


def _provider_labels(articles: pd.DataFrame) -> pd.Series:
    """The provider key of each article: its domain, else its name, else ``(unknown)``."""
    codes, labels = _provider_keys(articles)
    labels = pd.Series(labels, dtype=object).astype(str).array  # each label made text once
    return pd.Series(labels.take(codes), index=articles.index, name="provider_domain")


def _provider_labels_one_by_one(articles: pd.DataFrame) -> pd.Series:
    """:func:`_provider_labels`, value by value (any dtype)."""
    domain = articles["provider_domain"].astype(object)
    name = articles["provider_name"].astype(object)
    return domain.where(domain.notna(), name).where(lambda s: s.notna(), UNKNOWN).astype(str)


def _provider_keys(articles: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_provider_labels` as a number per article (0, 1, ... in order of first
    appearance) and the labels those numbers stand for (an object array of text)."""
    domain, name = articles["provider_domain"], articles["provider_name"]
    if isinstance(domain.dtype, pd.StringDtype) and isinstance(name.dtype, pd.StringDtype):
        # text columns (what a load gives): the same rule in Arrow, no Python string per row
        unknown = pa.scalar(UNKNOWN, pa.large_string())
        encoded = pc.coalesce(as_text(domain), as_text(name), unknown).dictionary_encode()
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp)
        return codes, np.array(encoded.dictionary.to_pylist(), dtype=object)
    if not len(articles):
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=object)
    codes, labels = pd.factorize(_provider_labels_one_by_one(articles))
    return codes.astype(np.intp), np.asarray(labels, dtype=object)


def _floats(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _empty(columns: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def _topic_rows(articles: pd.DataFrame) -> pd.DataFrame:
    """One row per (article, topic), each topic counted once per article: ``row`` (the
    article's index label) and ``topic`` (text, as ``str`` gives it; blank and missing
    topics left out), in the order of the articles and of their lists.

    Lists of text (what a load gives) go through Arrow at once; any other values article
    by article (:func:`_topic_rows_one_by_one`), which gives the same rows.
    """
    lists = _text_lists(articles["topics"])
    if lists is None:
        return _topic_rows_one_by_one(articles)
    encoded = lists.flatten().dictionary_encode()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype("int64")
    parents = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False).astype("int64")
    names = encoded.dictionary.to_pylist()
    # each topic once per article (the first, as dict.fromkeys keeps), none missing or blank
    first = first_places(parents * (len(names) + 1) + codes)
    blank = np.array([not name.strip() for name in names] + [True], dtype=bool)
    first = first[~blank[codes[first]]]
    if not len(first):
        return _topic_rows_one_by_one(articles.iloc[:0])
    return pd.DataFrame(
        {
            "row": articles.index.take(parents[first]),
            "topic": pd.Series(np.array(names, dtype=object)[codes[first]], dtype=object),
        }
    )


def _text_lists(values: pd.Series) -> pa.ListArray | None:
    """A column of lists (tuples, arrays; missing values) of text as one Arrow list array, or
    ``None`` when any value is something else (a string, which Arrow would read as a list of
    characters) or holds something else (numbers, mappings, lists)."""
    values = values.to_numpy(dtype=object)
    if (found := text_list_array(values.tolist())) is not None:  # the same in C
        return found
    if not set(map(type, values)) <= {list, tuple, np.ndarray, type(None)}:
        return None
    try:
        return pa.array(values, type=pa.list_(pa.large_string()), from_pandas=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def _topic_rows_one_by_one(articles: pd.DataFrame) -> pd.DataFrame:
    """:func:`_topic_rows`, article by article."""
    rows = [
        (index, str(topic))
        for index, topics in articles["topics"].items()
        if isinstance(topics, (list, tuple, np.ndarray))
        for topic in dict.fromkeys(topics)
        if topic is not None and str(topic).strip()
    ]
    frame = pd.DataFrame(rows, columns=["row", "topic"])
    frame["topic"] = frame["topic"].astype(object)
    return frame


def describe_outlying_dates(articles: pd.DataFrame, *, now: object = None) -> str:
    """A sentence saying how many articles the counts over time leave out for their date
    (see :func:`find_outlying_dates`); ``""`` when none is."""
    n = int(find_outlying_dates(articles, now=now).sum())
    if not n:
        return ""
    which = "article is" if n == 1 else "articles are"
    return (
        f"{n:,} {which} dated before 1990 or in the future, far outside the rest, "
        "and left out of this chart."
    )


def fold_label(keys: pd.Series) -> str:
    """The label of the folded bucket: ``other``, or :data:`OTHER_REST` when a real key is
    literally ``other`` (a provider or topic of that name is never merged into the bucket)."""
    return OTHER_REST if (keys == OTHER).any() else OTHER


def _fold_top(keys: pd.Series, n: int | None, *, other: bool = True) -> pd.Series:
    """Keep the ``n`` most frequent keys; fold the rest into :func:`fold_label` (``other``)
    or drop them."""
    if n is None:
        return keys
    keep = keys.value_counts().index[:n]
    return keys.where(keys.isin(keep), fold_label(keys)) if other else keys[keys.isin(keep)]


def _score_summary(frame: pd.DataFrame, by: str, *, sort: bool = True) -> pd.DataFrame:
    """Articles and mean/median quality and heat per value of ``by``, as columns."""
    grouped = frame.groupby(by, sort=sort)
    return (
        pd.DataFrame(
            {
                "n_articles": grouped.size(),
                "mean_quality": grouped["quality"].mean(),
                "median_quality": grouped["quality"].median(),
                "mean_heat": grouped["heat"].mean(),
                "median_heat": grouped["heat"].median(),
            }
        )
        .rename_axis(by)
        .reset_index()
    )


def tokenize(text: object) -> list[str]:
    """Lower-cased words of ``text`` (letters and inner apostrophes), stopwords removed.

    Examples
    --------
    >>> tokenize("What's new in Power Apps? 3 things")
    ['power', 'apps', 'things']
    """
    if not isinstance(text, str):
        return []
    words = (word.replace("’", "'") for word in _WORD.findall(text.lower()))
    return [word for word in words if len(word) > 1 and word not in STOPWORDS]


# --------------------------------------------------------------------------- overview


def choose_freq(articles: pd.DataFrame) -> str:
    """``"week"`` for a window of up to 26 weeks, ``"month"`` up to 15 years, else ``"year"``.

    The window is that of the dates counted over time (outlying dates left out)."""
    hours = _hours(_dated(articles, ("published_at",))["published_at"])
    if not len(hours):
        return "month"
    span = hours.max() - hours.min()
    if span <= 26 * 7 * 24:
        return "week"
    return "month" if span <= 15 * 366 * 24 else "year"


def count_by_period(articles: pd.DataFrame, *, freq: str = "auto") -> pd.DataFrame:
    """Articles per period, with zero rows for empty periods inside the window.

    Parameters
    ----------
    articles : DataFrame
        ``corpus.articles``; undated articles are left out.
    freq : {"auto", "week", "month", "quarter", "year"}
        Period length; ``"auto"`` applies :func:`choose_freq`.

    Returns
    -------
    DataFrame
        ``period`` (naive UTC start of the period), ``n_articles``.
    """
    columns = {"period": "datetime64[ns]", "n_articles": "int64"}
    freq = _resolve_freq(articles, freq)
    dated = _dated(articles, ("published_at",))
    if dated.empty:
        return _empty(columns)
    periods = _periods(dated["published_at"], freq)
    counts = periods.value_counts().reindex(_period_range(periods, freq), fill_value=0)
    return pd.DataFrame(
        {
            "period": counts.index.astype("datetime64[ns]"),
            "n_articles": counts.to_numpy(dtype="int64"),
        }
    )


@renamed(positional=("column",), top="n")
def count_values(
    articles: pd.DataFrame, *, column: str, n: int | None = None, other: bool = True
) -> pd.DataFrame:
    """Articles per value of ``column`` (missing as ``(unknown)``), most frequent first.

    Parameters
    ----------
    articles : DataFrame
        ``corpus.articles`` or any frame with ``column``.
    column : str
        The column to count, e.g. ``"type"`` or ``"category"``.
    n : int, optional
        Keep the ``n`` most frequent values.
    other : bool, default True
        Fold the values past ``n`` into one ``other`` row (last); False leaves them out.

    Returns
    -------
    DataFrame
        ``<column>`` (the value, named after the column counted), ``n_articles``, ``share``
        (of all rows).
    """
    check_count("n", n, optional=True)
    if column not in articles.columns or column in ("n_articles", "share"):
        raise ValueError(f"column must name a column of the articles to count, not {column!r}")
    columns = {column: STRING, "n_articles": "int64", "share": "float64"}
    if articles.empty:
        return _empty(columns)
    values = articles[column].astype(object)
    values = values.where(values.notna(), UNKNOWN).astype(str)
    folded = fold_label(values)
    values = _fold_top(values, n, other=other)
    counts = values.value_counts()
    counts = counts.reset_index().set_axis([column, "n_articles"], axis=1)
    counts["n_articles"] = counts["n_articles"].astype("int64")
    last = n is not None and other
    counts = counts.sort_values(
        ["n_articles", column],
        ascending=[False, True],
        key=lambda s: s if s.name != column else s.eq(folded) if last else s,
    )
    counts["share"] = counts["n_articles"] / len(articles)
    return counts.astype(columns).reset_index(drop=True)


def count_types(articles: pd.DataFrame) -> pd.DataFrame:
    """Articles per ``type`` (article, video, ...): ``type``, ``n_articles``, ``share``."""
    return count_values(articles, column="type")


def count_published(articles: pd.DataFrame) -> pd.DataFrame:
    """Articles by their ``published`` flag.

    Returns
    -------
    DataFrame
        ``status`` (``published``, ``not published``, ``unknown``; only those present),
        ``n_articles``, ``share``.
    """
    columns = {"status": STRING, "n_articles": "int64", "share": "float64"}
    if articles.empty:
        return _empty(columns)
    flag = articles["is_published"]
    counts = {
        "published": int(flag.eq(True).fillna(False).sum()),
        "not published": int(flag.eq(False).fillna(False).sum()),
        "unknown": int(flag.isna().sum()),
    }
    rows = [(status, n, n / len(articles)) for status, n in counts.items() if n]
    return pd.DataFrame(rows, columns=list(columns)).astype(columns)


def build_missing_matrix(articles: pd.DataFrame) -> pd.DataFrame:
    """Which record fields each article lacks: one boolean column per field, True = missing.

    A text field is missing when absent or blank; ``topics``, ``images`` and ``related`` when
    empty; ``provider`` when it has neither domain nor name.

    Returns
    -------
    DataFrame
        Indexed by ``article_id``, in date order (undated last), one column per :data:`FIELDS`.
    """
    order = _date_order(articles)
    present = {}
    for name in FIELDS:
        if name == "provider":
            ok = (articles["provider_domain"].notna() | articles["provider_name"].notna()).to_numpy(
                dtype=bool
            )
            present[name] = ok[order]
            continue
        column, kind = TYPED_KEYS[name]
        values = articles[column]
        if kind != "list":
            ok = values.notna().to_numpy(dtype=bool)
            if pd.api.types.is_string_dtype(values) or values.dtype == object:
                ok = ok & ~_blank_text(values)
        elif pd.api.types.is_integer_dtype(values):  # images, related: counted by the loader
            ok = (values > 0).to_numpy(dtype=bool)
        else:
            ok = _non_empty_lists(values)
        present[name] = ok[order]
    index = pd.Index(articles["article_id"].astype(STRING).take(order), name="article_id")
    return pd.DataFrame(
        {name: ~ok for name, ok in present.items()}, index=index, columns=list(FIELDS)
    ).astype(bool)


def _date_order(articles: pd.DataFrame) -> np.ndarray:
    """The positions of the articles in date order, undated last, ties as they come (what a
    stable ``sort_values("published_at", na_position="last")`` gives)."""
    when = pd.to_datetime(articles["published_at"], utc=True).array.asi8.copy()
    when[pd.isna(articles["published_at"]).to_numpy()] = np.iinfo("int64").max
    return np.argsort(when, kind="stable")


def _non_empty_lists(values: pd.Series) -> np.ndarray:
    """Whether each value is a list (tuple, array) with at least one item."""
    if set(map(type, values)) <= {list, tuple}:  # what a load gives: no other value to tell
        return np.fromiter(map(len, values), dtype=np.int64, count=len(values)) > 0
    return np.array(
        [isinstance(v, (list, tuple, np.ndarray)) and len(v) > 0 for v in values], dtype=bool
    )


def _blank_text(values: pd.Series) -> np.ndarray:
    """Whether each value is text that ``str.strip`` leaves empty."""
    if isinstance(values.dtype, pd.CategoricalDtype):  # each category once
        categories = pd.Series(values.cat.categories.astype(object))
        blank = np.append(_blank_text(categories), False)  # code -1: missing, not blank
        return blank[values.cat.codes.to_numpy()]
    text = as_text(values, chunked=True)
    # a printable ASCII character that is not a space: not blank, whatever else the text holds
    maybe = ~_starts_printable(text)
    unsure = pc.match_substring_regex(text.filter(pa.array(maybe)), "[!-~]")
    maybe[maybe] = ~np.asarray(unsure.fill_null(True).to_numpy(), dtype=bool)
    blank = np.zeros(len(values), dtype=bool)
    where = np.flatnonzero(maybe)
    blank[where] = [not v.strip() for v in pc.filter(text, pa.array(maybe)).to_pylist()]
    return blank


def _starts_printable(text: pa.ChunkedArray) -> np.ndarray:
    """Whether each text (large_string) begins with a printable ASCII character other than
    space (never for missing or empty ones), read off its first byte."""
    found = []
    for chunk in text.chunks:
        if not len(chunk):
            continue
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)
        offsets = offsets[chunk.offset : chunk.offset + len(chunk) + 1]
        data = chunk.buffers()[2]
        first = np.zeros(len(chunk), dtype=np.uint8)
        has = offsets[1:] > offsets[:-1]
        if data is not None and has.any():
            first[has] = np.frombuffer(data, dtype=np.uint8)[offsets[:-1][has]]
        valid = np.asarray(chunk.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        found.append((first >= 0x21) & (first <= 0x7E) & valid)
    return np.concatenate(found) if found else np.zeros(0, dtype=bool)


def build_completeness(articles: pd.DataFrame) -> pd.DataFrame:
    """How often each record field is present.

    Returns
    -------
    DataFrame
        ``field``, ``n_present``, ``n_missing``, ``share_present``, in :data:`FIELDS` order;
        no rows for no articles.
    """
    missing = build_missing_matrix(articles)
    n_missing = missing.sum().astype("int64")
    total = len(missing)
    if not total:
        return _empty(
            {
                "field": STRING,
                "n_present": "int64",
                "n_missing": "int64",
                "share_present": "float64",
            }
        )
    return pd.DataFrame(
        {
            "field": pd.Series(list(FIELDS), dtype=STRING),
            "n_present": (total - n_missing).to_numpy(dtype="int64"),
            "n_missing": n_missing.to_numpy(dtype="int64"),
            "share_present": ((total - n_missing) / total).to_numpy(dtype="float64"),
        }
    )


def find_alerts(articles: pd.DataFrame, *, now: object = None, examples: int = 3) -> pd.DataFrame:
    """Things a careful reader should know before trusting the numbers.

    Raised when: quality equals heat in every article having both; some dates are before
    1990, in the future (after ``now``) or missing; some articles are duplicates; some
    providers have a single article; some fields are empty in every article.

    Parameters
    ----------
    articles : DataFrame
        ``corpus.articles``.
    now : date-like, optional
        The present, for future dates; default the current UTC time.
    examples : int, default 3
        How many examples (provider names, fields) a detail sentence lists at most.

    Returns
    -------
    DataFrame
        ``alert`` (a short name), ``detail`` (one sentence); no rows when nothing is wrong.
    """
    check_count("examples", examples)
    stamp = _now(now)
    rows: list[tuple[str, str]] = []
    n = len(articles)
    if n == 0:
        return _empty({"alert": STRING, "detail": STRING})

    def listing(values: list[str]) -> str:
        shown = ", ".join(values[:examples])
        return shown + (f" and {len(values) - examples} more" if len(values) > examples else "")

    quality, heat = _floats(articles["quality"]), _floats(articles["heat"])
    both = ~np.isnan(quality) & ~np.isnan(heat)
    if both.sum() and (quality[both] == heat[both]).all():
        which = "the only article" if both.sum() == 1 else f"all {int(both.sum()):,} articles"
        rows.append(
            (
                "quality equals heat",
                f"quality equals heat in {which} having both scores, so the two scores "
                "carry the same information.",
            )
        )
    when = pd.to_datetime(articles["published_at"], utc=True)  # naive dates taken as UTC
    future = int((when > stamp).fillna(False).sum())
    early = int((when < EARLIEST).fillna(False).sum())
    if early:
        rows.append(
            (
                "dates before 1990",
                f"{early:,} of {n:,} articles are dated before 1990 (the earliest "
                f"{articles['published_at'].min():%Y-%m-%d}); they are left out of every "
                "count over time.",
            )
        )
    if future:
        rows.append(
            (
                "dates in the future",
                f"{future:,} of {n:,} articles are dated after {stamp:%Y-%m-%d %H:%M} UTC; "
                "they are left out of every count over time.",
            )
        )
    undated = int(articles["published_at"].isna().sum())
    if undated:
        rows.append(
            (
                "missing dates",
                f"{undated:,} of {n:,} articles have no publication date and are left out "
                "of every count over time.",
            )
        )
    duplicates = int(articles["is_duplicate"].sum())
    if duplicates:
        rows.append(
            (
                "duplicates",
                f"{duplicates:,} of {n:,} articles repeat the URL of an earlier file "
                "and are counted again.",
            )
        )
    providers = _provider_labels(articles).value_counts()
    single = sorted(providers.index[providers == 1])
    if single:
        rows.append(
            (
                "providers with a single article",
                f"{len(single):,} of {len(providers):,} providers have a single article: "
                f"{listing(single)}.",
            )
        )
    completeness = build_completeness(articles)
    empty = completeness.loc[completeness["n_present"] == 0, "field"].tolist()
    fields = "field is" if len(empty) == 1 else "fields are"
    if empty:
        rows.append(
            (
                "fields always empty",
                f"{len(empty)} {fields} empty in every article: {listing(empty)}.",
            )
        )
    return pd.DataFrame(rows, columns=["alert", "detail"], dtype=STRING)


# --------------------------------------------------------------------------- publishing rhythm

#: The rows of :func:`count_by_weekday_and_hour`, Monday first (ISO 8601).
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: Its columns: the hours of the day in UTC, ``"00"`` to ``"23"``.
HOURS = tuple(f"{hour:02d}" for hour in range(24))


def count_by_weekday_and_hour(articles: pd.DataFrame) -> pd.DataFrame:
    """Articles per weekday and hour of the day, in UTC.

    Returns
    -------
    DataFrame
        One row per weekday (:data:`WEEKDAYS`, the index, named ``weekday``), one column per
        hour (:data:`HOURS`), every cell an article count (zeros included); no row when no
        article is dated. Undated and outlying dates (:func:`find_outlying_dates`) are left
        out, as in the counts over time.
    """
    dated = _dated(articles, ("published_at",))
    weekdays = pd.Index(WEEKDAYS, dtype=STRING, name="weekday")
    if dated.empty:
        return pd.DataFrame(
            {hour: pd.Series(dtype="int64") for hour in HOURS},
            index=pd.Index([], dtype=STRING, name="weekday"),
        )
    when = pd.to_datetime(dated["published_at"], utc=True)
    cells = when.dt.day_of_week.to_numpy() * 24 + when.dt.hour.to_numpy()
    counts = np.bincount(cells, minlength=7 * 24).reshape(7, 24)
    return pd.DataFrame(counts.astype("int64"), index=weekdays, columns=list(HOURS))


def measure_provider_cadence(articles: pd.DataFrame, *, n: int | None = None) -> pd.DataFrame:
    """How steadily each provider publishes: articles per active week, and the weeks
    without an article between its first and last.

    A collection that missed a provider for a while shows as gap weeks; a trend over a
    provider's gap says more about the collection than about the provider.

    Parameters
    ----------
    n : int, optional
        Keep the ``n`` providers with the most dated articles (None: all).

    Returns
    -------
    DataFrame
        ``provider``, ``n_articles`` (dated, not outlying), ``first_week`` and ``last_week``
        (the Monday, in UTC, starting the week of its first and last article), ``n_weeks``
        (from the first week to the last, both counted), ``n_active_weeks`` (weeks with an
        article), ``articles_per_active_week``, ``n_gap_weeks`` (``n_weeks`` less
        ``n_active_weeks``), ``longest_gap_weeks``; most articles first.
    """
    check_count("n", n, optional=True)
    columns = {
        "provider": STRING,
        "n_articles": "int64",
        "first_week": "datetime64[ns]",
        "last_week": "datetime64[ns]",
        "n_weeks": "int64",
        "n_active_weeks": "int64",
        "articles_per_active_week": "float64",
        "n_gap_weeks": "int64",
        "longest_gap_weeks": "int64",
    }
    dated = _dated(articles, ("published_at", "provider_domain", "provider_name"))
    if dated.empty:
        return _empty(columns)
    frame = pd.DataFrame(
        {
            "provider": _provider_labels(dated).to_numpy(dtype=object),
            "week": _periods(dated["published_at"], "week").to_numpy(),
        }
    )
    rows = []
    for provider, weeks in frame.groupby("provider")["week"]:
        active = np.unique(weeks.to_numpy(dtype="datetime64[ns]"))
        steps = np.diff(active).astype("timedelta64[D]").astype("int64") // 7
        n_weeks = int((active[-1] - active[0]).astype("timedelta64[D]").astype("int64") // 7) + 1
        rows.append(
            {
                "provider": provider,
                "n_articles": len(weeks),
                "first_week": active[0],
                "last_week": active[-1],
                "n_weeks": n_weeks,
                "n_active_weeks": len(active),
                "articles_per_active_week": len(weeks) / len(active),
                "n_gap_weeks": n_weeks - len(active),
                "longest_gap_weeks": int(steps.max()) - 1 if len(steps) else 0,
            }
        )
    table = pd.DataFrame(rows).sort_values(["n_articles", "provider"], ascending=[False, True])
    table = table[list(columns)].astype(columns).reset_index(drop=True)
    return table if n is None else table.head(n)


# --------------------------------------------------------------------------- topics


@renamed(top="n")
def count_topics(articles: pd.DataFrame, *, n: int | None = None) -> pd.DataFrame:
    """Articles per topic, most frequent first.

    Parameters
    ----------
    n : int, optional
        Keep the ``n`` most frequent topics (no ``other`` row: an article may have several
        topics).

    Returns
    -------
    DataFrame
        ``topic``, ``n_articles``, ``share`` (of all articles; shares may add up past 1).
    """
    check_count("n", n, optional=True)
    columns = {"topic": STRING, "n_articles": "int64", "share": "float64"}
    rows = _topic_rows(articles)
    if rows.empty:
        return _empty(columns)
    counts = rows["topic"].value_counts()
    frame = pd.DataFrame(
        {"topic": counts.index.astype(object), "n_articles": counts.to_numpy(dtype="int64")}
    )
    frame = frame.sort_values(["n_articles", "topic"], ascending=[False, True])
    frame["share"] = frame["n_articles"] / len(articles)
    frame = frame.astype(columns).reset_index(drop=True)
    return frame if n is None else frame.head(n)


@renamed(top="n")
def count_topics_by_period(
    articles: pd.DataFrame,
    *,
    freq: str = "auto",
    n: int | None = 5,
    min_articles: int = MIN_PERIOD_ARTICLES,
) -> pd.DataFrame:
    """Articles per topic and period, and their share of the period's articles.

    Parameters
    ----------
    freq : {"auto", "week", "month", "quarter", "year"}
        Period length.
    n : int, optional, default 5
        Only the ``n`` most frequent topics of the whole window (None: all).
    min_articles : int, default :data:`MIN_PERIOD_ARTICLES`
        A period with fewer articles has no share (NaN): a share of one or two articles
        swings between 0 and 100% and says nothing.

    Returns
    -------
    DataFrame
        ``period``, ``topic``, ``n_articles``, ``n_period_articles`` (all articles of the
        period), ``share`` (``n_articles / n_period_articles``; NaN for a period with fewer
        than ``min_articles``, or none); every period of the window for every topic kept.
    """
    check_count("n", n, optional=True)
    check_count("min_articles", min_articles)
    columns = {
        "period": "datetime64[ns]",
        "topic": STRING,
        "n_articles": "int64",
        "n_period_articles": "int64",
        "share": "float64",
    }
    freq = _resolve_freq(articles, freq)
    dated = _dated(articles, ("published_at", "topics"))
    rows = _topic_rows(dated)
    if rows.empty:
        return _empty(columns)
    topics = count_topics(dated, n=n)["topic"].tolist()
    periods = _periods(dated["published_at"], freq)
    span = _period_range(periods, freq)
    totals = periods.value_counts().reindex(span, fill_value=0)
    rows = rows[rows["topic"].isin(topics)]
    rows = rows.assign(period=periods.loc[rows["row"]].to_numpy())
    counts = rows.groupby(["topic", "period"]).size()
    full = pd.MultiIndex.from_product([topics, span], names=["topic", "period"])
    counts = counts.reindex(full, fill_value=0)
    frame = counts.rename("n_articles").reset_index()
    frame["n_period_articles"] = totals.reindex(frame["period"]).to_numpy(dtype="int64")
    total = frame["n_period_articles"].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        share = frame["n_articles"] / total
    frame["share"] = np.where(total >= max(min_articles, 1), share, np.nan)
    return frame[list(columns)].astype(columns).reset_index(drop=True)


#: A period's name in the plural, for sentences.
_PERIOD_PLURALS = {"week": "weeks", "month": "months", "quarter": "quarters", "year": "years"}


def describe_thin_periods(
    periods: pd.DataFrame, *, freq: str, min_articles: int = MIN_PERIOD_ARTICLES
) -> str:
    """A sentence saying how many periods have too few articles for a share, ``""`` when none.

    Parameters
    ----------
    periods : DataFrame
        ``period`` and ``n_period_articles``, as :func:`count_topics_by_period` returns.
    freq : {"week", "month", "quarter", "year"}
        The period length, for the sentence.
    min_articles : int, default :data:`MIN_PERIOD_ARTICLES`
        The minimum the shares were computed with.
    """
    check_argument("freq", FREQS, freq)
    check_count("min_articles", min_articles)
    sizes = periods.drop_duplicates("period")["n_period_articles"]
    thin = int((sizes < max(min_articles, 1)).sum())
    if not thin:
        return ""
    empty = int((sizes == 0).sum())
    total = len(sizes)
    name = freq if total == 1 else _PERIOD_PLURALS[freq]
    which = f"{thin:,} of the {total:,} {name} {'has' if thin == 1 else 'have'}"
    if min_articles <= 1:
        return f"{which} no article, so no share (gaps in the lines)."
    none = "" if not empty else " (none at all)" if empty == thin else f" ({empty:,} of them none)"
    return (
        f"{which} fewer than {min_articles:,} articles{none}: too few for a share to mean "
        "much, so their shares are left out (gaps in the lines)."
    )


@renamed(top="n")
def build_topic_cooccurrence(articles: pd.DataFrame, *, n: int | None = 12) -> pd.DataFrame:
    """How many articles have both of two topics, for the ``n`` most frequent topics.

    Returns
    -------
    DataFrame
        A square, symmetric frame indexed and columned by topic (most frequent first); the
        diagonal holds each topic's own article count. Empty when there is no topic.
    """
    check_count("n", n, optional=True)
    rows = _topic_rows(articles)
    if rows.empty:
        return pd.DataFrame(dtype="int64")
    topics = count_topics(articles, n=n)["topic"].tolist()
    column = pd.Index(topics).get_indexer(rows["topic"])
    rows = rows[column >= 0]
    # every pair of topics of one article (each topic once per article already), counted
    kept = pd.DataFrame({"row": rows["row"].to_numpy(), "topic": column[column >= 0]})
    pairs = kept.merge(kept, on="row")
    k = len(topics)
    cells = pairs["topic_x"].to_numpy() * k + pairs["topic_y"].to_numpy()
    matrix = np.bincount(cells, minlength=k * k).astype("int64").reshape(k, k)
    return pd.DataFrame(matrix, index=pd.Index(topics), columns=pd.Index(topics))


def find_topic_trends(articles: pd.DataFrame, *, min_articles: int = 1) -> pd.DataFrame:
    """Topics rising and falling between the first and second half of the date window.

    The window runs from the first to the last dated article and is cut at its midpoint;
    shares are of the articles in each half.

    Parameters
    ----------
    min_articles : int, default 1
        Leave out topics with fewer articles over the whole window.

    Returns
    -------
    DataFrame
        ``topic``, ``n_first``, ``n_second``, ``share_first``, ``share_second``, ``change``
        (``share_second - share_first``), ``direction`` (``rising``, ``falling``, ``steady``),
        sorted by ``change``, largest rise first. Empty unless both halves have articles.
    """
    columns = {
        "topic": STRING,
        "n_first": "int64",
        "n_second": "int64",
        "share_first": "float64",
        "share_second": "float64",
        "change": "float64",
        "direction": STRING,
    }
    dated = _dated(articles, ("published_at", "topics"))
    if dated.empty:
        return _empty(columns)
    hours = _hours(dated["published_at"])
    second = hours >= hours.min() + (hours.max() - hours.min()) / 2
    first_half, second_half = dated[~second], dated[second]
    if first_half.empty or second_half.empty:
        return _empty(columns)
    first = count_topics(first_half).set_index("topic")["n_articles"]
    late = count_topics(second_half).set_index("topic")["n_articles"]
    frame = pd.DataFrame({"n_first": first, "n_second": late}).fillna(0).astype("int64")
    frame = frame[frame["n_first"] + frame["n_second"] >= min_articles]
    frame["share_first"] = frame["n_first"] / len(first_half)
    frame["share_second"] = frame["n_second"] / len(second_half)
    frame["change"] = frame["share_second"] - frame["share_first"]
    frame["direction"] = np.select(
        [frame["change"] > 1e-12, frame["change"] < -1e-12], ["rising", "falling"], "steady"
    )
    frame = frame.rename_axis("topic").reset_index()
    frame = frame.sort_values(["change", "topic"], ascending=[False, True])
    return frame[list(columns)].astype(columns).reset_index(drop=True)


@renamed(top="n_words", topics="n_topics")
def count_title_words(
    articles: pd.DataFrame,
    *,
    n_words: int = 10,
    n_topics: int | None = 6,
    drop_topic_words: bool = True,
) -> pd.DataFrame:
    """The most frequent title words per topic (each word counted once per title).

    Parameters
    ----------
    n_words : int, default 10
        Words kept per topic.
    n_topics : int, optional, default 6
        Only the ``n_topics`` most frequent topics (None: all).
    drop_topic_words : bool, default True
        Leave out the words of the topic's own name ("power", "apps" for "Power Apps") and of
        any topic every article has (they say nothing about one topic).

    Returns
    -------
    DataFrame
        ``topic``, ``word``, ``n_titles``, topics in frequency order, words most frequent first
        (ties alphabetical).
    """
    check_count("n_words", n_words)
    check_count("n_topics", n_topics, optional=True)
    columns = {"topic": STRING, "word": STRING, "n_titles": "int64"}
    rows = _topic_rows(articles)
    if rows.empty:
        return _empty(columns)
    counts_all = count_topics(articles)
    order = counts_all["topic"].head(n_topics).tolist()
    everywhere = counts_all.loc[counts_all["n_articles"] == len(articles), "topic"]
    common = {word for topic in everywhere for word in tokenize(topic)}
    words = {index: set(tokenize(title)) for index, title in articles["title"].items()}
    out = []
    for topic in order:
        drop = set(tokenize(topic)) | common if drop_topic_words else set()
        counts: dict[str, int] = {}
        for index in rows.loc[rows["topic"] == topic, "row"]:
            for word in words[index] - drop:
                counts[word] = counts.get(word, 0) + 1
        best = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:n_words]
        out += [(topic, word, n) for word, n in best]
    return pd.DataFrame(out, columns=list(columns)).astype(columns)


# --------------------------------------------------------------------------- providers


@renamed(top="n")
def build_provider_leaderboard(
    articles: pd.DataFrame, *, n: int | None = None, stories: bool = False
) -> pd.DataFrame:
    """Providers by article count, with their share and scores.

    Providers are keyed by domain (else name, else ``(unknown)``).

    Parameters
    ----------
    n : int, optional
        Keep the ``n`` largest providers (shares stay relative to the whole corpus).
    stories : bool, default False
        Add what :func:`find_first_publishers` says of each provider's stories (needs a
        ``story_id`` column).

    Returns
    -------
    DataFrame
        ``provider``, ``provider_name``, ``n_articles``, ``share``, with ``stories`` then
        ``n_stories`` (stories it carried), ``n_first`` (of those, the stories it published
        first: its original stories) and ``syndication_rate`` (the share of its articles
        that copy a story another provider published first); then ``mean_quality``,
        ``median_quality``, ``mean_heat``, ``median_heat``; most articles first.
    """
    check_count("n", n, optional=True)
    story_columns = {"n_stories": "int64", "n_first": "int64", "syndication_rate": "float64"}
    columns = {
        "provider": STRING,
        "provider_name": STRING,
        "n_articles": "int64",
        "share": "float64",
        **(story_columns if stories else {}),
        "mean_quality": "float64",
        "median_quality": "float64",
        "mean_heat": "float64",
        "median_heat": "float64",
    }
    found = _stories(articles) if stories else None  # the check, on empty input too
    if articles.empty:
        return _empty(columns)
    provider, labels = _provider_keys(articles)
    # providers by number until the end, where they get their labels
    frame = pd.DataFrame(
        {
            "provider": provider,
            "quality": _floats(articles["quality"]),
            "heat": _floats(articles["heat"]),
        }
    )
    board = _score_summary(frame, "provider", sort=False)
    names = name_providers(frame["provider"], articles["provider_name"])
    board["provider_name"] = board["provider"].map(names).astype(object)
    board["provider_name"] = board["provider_name"].where(board["provider_name"].notna(), None)
    board["share"] = board["n_articles"] / len(articles)
    if found is not None:
        counts = _publisher_counts(articles, found, provider, len(labels))
        at = board["provider"].to_numpy()
        board["n_stories"] = counts["n_stories"][at]
        board["n_first"] = counts["n_first"][at]
        board["syndication_rate"] = counts["n_copies"][at] / counts["n_articles"][at]
    board["provider"] = labels[board["provider"].to_numpy()]
    board = board.sort_values(["n_articles", "provider"], ascending=[False, True])
    board = board[list(columns)].astype(columns).reset_index(drop=True)
    return board if n is None else board.head(n)


@renamed(top="n")
def measure_concentration(articles: pd.DataFrame, *, n: int = 10) -> pd.DataFrame:
    """How concentrated the corpus is on a few providers.

    Parameters
    ----------
    n : int, default 10
        How many of the largest providers ``top_share`` adds up.

    Returns
    -------
    DataFrame
        One row: ``n_articles``, ``n_providers``, ``top_n`` (= ``n``), ``top_share`` (share
        of the articles from the ``n`` largest providers), ``herfindahl`` (sum of squared
        provider shares, from 1/n_providers to 1), ``effective_providers`` (1 / herfindahl).
        No row for no articles.
    """
    check_count("n", n)
    columns = {
        "n_articles": "int64",
        "n_providers": "int64",
        "top_n": "int64",
        "top_share": "float64",
        "herfindahl": "float64",
        "effective_providers": "float64",
    }
    if articles.empty:
        return _empty(columns)
    shares = _provider_labels(articles).value_counts(normalize=True).to_numpy(dtype="float64")
    herfindahl = float((shares**2).sum())
    row = {
        "n_articles": len(articles),
        "n_providers": len(shares),
        "top_n": n,
        "top_share": float(np.sort(shares)[::-1][:n].sum()),
        "herfindahl": herfindahl,
        "effective_providers": 1 / herfindahl,
    }
    return pd.DataFrame([row]).astype(columns)


@renamed(providers="n_providers", topics="n_topics")
def build_provider_topics(
    articles: pd.DataFrame, *, n_providers: int = 10, n_topics: int = 8, normalize: bool = False
) -> pd.DataFrame:
    """Topic mix of the largest providers.

    Parameters
    ----------
    n_providers, n_topics : int
        How many of the largest providers (rows) and most frequent topics (columns).
    normalize : bool, default False
        Give each cell as a share of the provider's articles instead of a count.

    Returns
    -------
    DataFrame
        Indexed by provider (most articles first), one column per topic.
    """
    check_count("n_providers", n_providers)
    check_count("n_topics", n_topics)
    rows = _topic_rows(articles)
    if rows.empty:
        return pd.DataFrame(dtype="int64")
    keys = _provider_labels(articles)
    board = build_provider_leaderboard(articles, n=n_providers)
    wanted = count_topics(articles, n=n_topics)["topic"].tolist()
    rows = rows.assign(provider=keys.loc[rows["row"]].to_numpy())
    rows = rows[rows["provider"].isin(board["provider"]) & rows["topic"].isin(wanted)]
    table = pd.crosstab(rows["provider"], rows["topic"])
    table = table.reindex(index=board["provider"], columns=wanted, fill_value=0).astype("int64")
    table.index.name = None
    table.columns.name = None
    if normalize:
        sizes = board.set_index("provider")["n_articles"].to_numpy(dtype="float64")
        table = table.div(sizes, axis=0)
    return table


@renamed(top="n")
def count_providers_by_period(
    articles: pd.DataFrame, *, freq: str = "auto", n: int | None = 5, other: bool = True
) -> pd.DataFrame:
    """Articles per period for the ``n`` largest providers, the rest folded into ``other``.

    Parameters
    ----------
    freq : {"auto", "week", "month", "quarter", "year"}
        Period length.
    n : int, optional, default 5
        Keep the ``n`` largest providers of the window (None: all).
    other : bool, default True
        Fold the providers past ``n`` into one ``other`` series; False leaves them out.

    Returns
    -------
    DataFrame
        ``period``, ``provider``, ``n_articles``; every period of the window for each provider,
        providers in leaderboard order with ``other`` last.
    """
    check_count("n", n, optional=True)
    columns = {"period": "datetime64[ns]", "provider": STRING, "n_articles": "int64"}
    freq = _resolve_freq(articles, freq)
    dated = _dated(articles, ("published_at", "provider_domain", "provider_name"))
    if dated.empty:
        return _empty(columns)
    folded = fold_label(_provider_labels(dated))
    keys = _fold_top(_provider_labels(dated), n, other=other)
    periods = _periods(dated["published_at"], freq)
    span = _period_range(periods, freq)
    periods = periods.loc[keys.index]
    order = [key for key in keys.value_counts().index if key != folded]
    order = sorted(order, key=lambda key: (-(keys == key).sum(), key))
    if other and (keys == folded).any():
        order.append(folded)
    counts = pd.DataFrame({"provider": keys.to_numpy(), "period": periods.to_numpy()})
    counts = counts.groupby(["provider", "period"]).size()
    full = pd.MultiIndex.from_product([order, span], names=["provider", "period"])
    frame = counts.reindex(full, fill_value=0).rename("n_articles").reset_index()
    return frame[list(columns)].astype(columns)


def _most_first(values: pd.Series) -> str:
    """The distinct values, most frequent first (ties alphabetical), joined with ", "."""
    counts = values.value_counts()
    return ", ".join(sorted(counts.index, key=lambda value: (-counts[value], value)))


def count_countries(articles: pd.DataFrame) -> pd.DataFrame:
    """Articles and providers per country, as the country-code suffix of the provider's
    domain names it (:func:`newskit.countries.country_of_domain`).

    Returns
    -------
    DataFrame
        ``country`` (an ISO 3166-1 code, or ``unknown``: a generic suffix such as ``.com``,
        a country code sold as a brand such as ``.io``, or no domain), ``country_name``,
        ``n_providers``, ``n_articles``, ``share`` (of the articles), ``suffixes`` (the
        domains' last labels, most articles first); most articles first.
    """
    columns = {
        "country": STRING,
        "country_name": STRING,
        "n_providers": "int64",
        "n_articles": "int64",
        "share": "float64",
        "suffixes": STRING,
    }
    if articles.empty:
        return _empty(columns)
    # each distinct domain once (code -1, the last entry: no domain)
    codes, known = pd.factorize(articles["provider_domain"])
    countries = np.array([*map(country_of_domain, known), country_of_domain(None)], dtype=object)
    suffixes = np.array(
        [*("." + d.rstrip(".").rsplit(".", 1)[-1] for d in known), UNKNOWN], dtype=object
    )
    frame = pd.DataFrame(
        {
            "provider": _provider_labels(articles).to_numpy(dtype=object),
            "country": countries[codes],
            "suffix": suffixes[codes],
        }
    )
    grouped = frame.groupby("country")
    table = (
        pd.DataFrame(
            {
                "n_providers": grouped["provider"].nunique(),
                "n_articles": grouped.size(),
                "suffixes": grouped["suffix"].agg(_most_first),
            }
        )
        .rename_axis("country")
        .reset_index()
    )
    table["country_name"] = table["country"].map(country_name)
    table["share"] = table["n_articles"] / len(articles)
    table = table.sort_values(["n_articles", "country"], ascending=[False, True])
    return table[list(columns)].astype(columns).reset_index(drop=True)


# --------------------------------------------------------------------------- scores

SCORES = ("quality", "heat")


def describe_scores(articles: pd.DataFrame) -> pd.DataFrame:
    """Summary statistics of quality and heat.

    Returns
    -------
    DataFrame
        One row per score: ``score``, ``n``, ``mean``, ``std``, ``min``, ``q25``, ``median``,
        ``q75``, ``max`` (NaN where no article has the score).
    """
    rows = []
    for score in SCORES:
        values = pd.Series(_floats(articles[score])).dropna()
        rows.append(
            {
                "score": score,
                "n": len(values),
                "mean": values.mean(),
                "std": values.std(),
                "min": values.min(),
                "q25": values.quantile(0.25),
                "median": values.median(),
                "q75": values.quantile(0.75),
                "max": values.max(),
            }
        )
    frame = pd.DataFrame(rows)
    frame["score"] = frame["score"].astype(STRING)
    frame["n"] = frame["n"].astype("int64")
    return frame


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rank correlation (average ranks for ties); NaN when undefined."""
    if len(x) < 2:
        return float("nan")
    rx = pd.Series(x).rank().to_numpy()
    ry = pd.Series(y).rank().to_numpy()
    return _pearson(rx, ry)


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 2 or np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def correlate_scores(articles: pd.DataFrame) -> pd.DataFrame:
    """How quality and heat relate, over the articles having both.

    Returns
    -------
    DataFrame
        One row: ``n_pairs``, ``spearman``, ``pearson`` (NaN with fewer than two pairs or a
        constant score), ``share_equal`` (share of pairs where quality equals heat; NaN with
        no pair).
    """
    quality, heat = _floats(articles["quality"]), _floats(articles["heat"])
    both = ~np.isnan(quality) & ~np.isnan(heat)
    x, y = quality[both], heat[both]
    row = {
        "n_pairs": int(both.sum()),
        "spearman": _spearman(x, y),
        "pearson": _pearson(x, y),
        "share_equal": float((x == y).mean()) if len(x) else float("nan"),
    }
    return pd.DataFrame([row]).astype(
        {"n_pairs": "int64", "spearman": "float64", "pearson": "float64", "share_equal": "float64"}
    )


#: What the scores can be grouped by.
GROUPINGS = ("type", "category", "provider", "topic")


def _group_keys(articles: pd.DataFrame, by: str) -> pd.DataFrame:
    """(row, group) pairs for ``by`` in :data:`GROUPINGS`."""
    if by == "topic":
        return _topic_rows(articles).rename(columns={"topic": "group"})
    if by == "provider":
        keys = _provider_labels(articles)
    else:
        keys = articles[by].astype(object)
        keys = keys.where(keys.notna(), UNKNOWN).astype(str)
    return pd.DataFrame({"row": articles.index, "group": keys.to_numpy(dtype=object)})


@renamed(top="n")
def build_scores_by(
    articles: pd.DataFrame, *, by: str = "type", n: int | None = 10, min_articles: int = 1
) -> pd.DataFrame:
    """Quality and heat per type, category, provider or topic.

    Parameters
    ----------
    by : {"type", "category", "provider", "topic"}
        The grouping; an article counts in each of its topics.
    n : int, optional, default 10
        Keep the ``n`` largest groups by article count.
    min_articles : int, default 1
        Leave out groups with fewer articles.

    Returns
    -------
    DataFrame
        ``group``, ``n_articles``, ``mean_quality``, ``median_quality``, ``mean_heat``,
        ``median_heat``; most articles first.
    """
    check_argument("by", GROUPINGS, by)
    check_count("n", n, optional=True)
    check_count("min_articles", min_articles)
    columns = {
        "group": STRING,
        "n_articles": "int64",
        "mean_quality": "float64",
        "median_quality": "float64",
        "mean_heat": "float64",
        "median_heat": "float64",
    }
    keys = _group_keys(articles, by)
    if keys.empty:
        return _empty(columns)
    keys = keys.assign(
        quality=_floats(articles["quality"].loc[keys["row"]]),
        heat=_floats(articles["heat"].loc[keys["row"]]),
    )
    frame = _score_summary(keys, "group")
    frame = frame[frame["n_articles"] >= min_articles]
    frame = frame.sort_values(["n_articles", "group"], ascending=[False, True])
    frame = frame[list(columns)].astype(columns).reset_index(drop=True)
    return frame if n is None else frame.head(n)


@renamed(top="n")
def build_score_groups(
    articles: pd.DataFrame, *, by: str = "type", score: str = "quality", n: int | None = 10
) -> pd.DataFrame:
    """Long form (``group``, ``value``) of one score for the ``n`` largest groups (box plots).

    Returns
    -------
    DataFrame
        ``group``, ``value`` (float); groups in article-count order; rows without the score
        dropped.
    """
    check_argument("by", GROUPINGS, by)
    check_argument("score", SCORES, score)
    check_count("n", n, optional=True)
    keys = _group_keys(articles, by)
    if keys.empty:
        return _empty({"group": STRING, "value": "float64"})
    groups = build_scores_by(articles, by=by, n=n)["group"]
    rank = pd.Index(groups.to_numpy(dtype=object)).get_indexer(keys["group"])  # -1: not shown
    kept = np.flatnonzero(rank >= 0)
    values = _floats(articles[score].loc[keys["row"].to_numpy()[kept]])
    shown = ~np.isnan(values)  # rows without the score dropped
    kept, values = kept[shown], values[shown]
    by_rank = np.argsort(rank[kept], kind="stable")
    group = keys["group"].take(kept[by_rank]).astype(STRING).to_numpy()
    return pd.DataFrame({"group": group, "value": values[by_rank]})


def _check_bins(bins: object) -> None:
    check_count("bins", bins)
    if bins < 1:
        raise ValueError(f"bins must be >= 1, not {bins!r}")


def _bin_frame(edges: np.ndarray, name: str) -> dict[str, np.ndarray]:
    return {f"{name}_from": edges[:-1].astype("float64"), f"{name}_to": edges[1:].astype("float64")}


def count_score_bins(articles: pd.DataFrame, *, bins: int = 20) -> pd.DataFrame:
    """Articles per bin of quality and of heat, on shared bins: what the score histogram shows.

    Parameters
    ----------
    articles : DataFrame
        ``corpus.articles``; a missing score is left out of its count.
    bins : int, default 20
        Equal bins from the lowest to the highest score of either kind (numpy's
        ``histogram_bin_edges``); the last bin holds its upper edge.

    Returns
    -------
    DataFrame
        ``score_from``, ``score_to``, ``n_quality``, ``n_heat``; no rows when no article has
        a score.
    """
    _check_bins(bins)
    columns = {
        "score_from": "float64",
        "score_to": "float64",
        "n_quality": "int64",
        "n_heat": "int64",
    }
    values = {score: _floats(articles[score]) for score in SCORES}
    values = {score: v[~np.isnan(v)] for score, v in values.items()}
    present = np.concatenate(list(values.values()))
    if not len(present):
        return _empty(columns)
    edges = np.histogram_bin_edges(present, bins=bins)
    frame = _bin_frame(edges, "score")
    for score, v in values.items():
        frame[f"n_{score}"] = np.histogram(v, bins=edges)[0]
    return pd.DataFrame(frame).astype(columns)


def count_score_cells(articles: pd.DataFrame, *, bins: int = 10) -> pd.DataFrame:
    """Articles per cell of a coarse quality-by-heat grid: the table behind the hexbin.

    Parameters
    ----------
    articles : DataFrame
        ``corpus.articles``; articles missing either score are left out.
    bins : int, default 10
        Cells along each score, equal, over the range of both scores together (so the
        grid is square, as the hexbin's is).

    Returns
    -------
    DataFrame
        ``quality_from``, ``quality_to``, ``heat_from``, ``heat_to``, ``n_articles``: the
        cells holding at least one article, by quality then heat.
    """
    _check_bins(bins)
    columns = {
        "quality_from": "float64",
        "quality_to": "float64",
        "heat_from": "float64",
        "heat_to": "float64",
        "n_articles": "int64",
    }
    quality, heat = _floats(articles["quality"]), _floats(articles["heat"])
    both = ~np.isnan(quality) & ~np.isnan(heat)
    quality, heat = quality[both], heat[both]
    if not len(quality):
        return _empty(columns)
    edges = np.histogram_bin_edges(np.concatenate([quality, heat]), bins=bins)
    counts = np.histogram2d(quality, heat, bins=[edges, edges])[0].astype("int64")
    rows, cols = np.nonzero(counts)
    return pd.DataFrame(
        {
            "quality_from": edges[rows],
            "quality_to": edges[rows + 1],
            "heat_from": edges[cols],
            "heat_to": edges[cols + 1],
            "n_articles": counts[rows, cols],
        }
    ).astype(columns)


#: How far past the box a whisker reaches, in box lengths (matplotlib's and Tukey's rule).
WHISKER = 1.5


def describe_score_groups(groups: pd.DataFrame) -> pd.DataFrame:
    """The box of each group of :func:`build_score_groups`: quartiles and whiskers.

    Parameters
    ----------
    groups : DataFrame
        ``group``, ``value``, as :func:`build_score_groups` returns.

    Returns
    -------
    DataFrame
        ``group``, ``n_articles``, ``low_whisker``, ``q1``, ``median``, ``q3``,
        ``high_whisker``, groups in the order given. Quartiles are numpy's (linear); each
        whisker reaches the furthest value within :data:`WHISKER` box lengths of the box.
    """
    columns = {
        "group": STRING,
        "n_articles": "int64",
        "low_whisker": "float64",
        "q1": "float64",
        "median": "float64",
        "q3": "float64",
        "high_whisker": "float64",
    }
    rows = []
    for group, values in groups.groupby("group", sort=False)["value"]:
        values = _floats(values)
        values = values[~np.isnan(values)]
        if not len(values):
            continue
        q1, median, q3 = np.percentile(values, [25, 50, 75])
        reach = WHISKER * (q3 - q1)
        low = values[values >= q1 - reach].min()
        high = values[values <= q3 + reach].max()
        rows.append((group, len(values), low, q1, median, q3, high))
    if not rows:
        return _empty(columns)
    return pd.DataFrame(rows, columns=list(columns)).astype(columns)


def build_score_trend(articles: pd.DataFrame, *, freq: str = "auto") -> pd.DataFrame:
    """Mean and median quality and heat per period.

    Returns
    -------
    DataFrame
        ``period``, ``n_articles``, ``mean_quality``, ``median_quality``, ``mean_heat``,
        ``median_heat``; every period of the window, a period without articles with
        ``n_articles`` 0 and no scores (NaN: a gap in a line, not a line across it).
    """
    columns = {
        "period": "datetime64[ns]",
        "n_articles": "int64",
        "mean_quality": "float64",
        "median_quality": "float64",
        "mean_heat": "float64",
        "median_heat": "float64",
    }
    freq = _resolve_freq(articles, freq)
    dated = _dated(articles, ("published_at", "quality", "heat"))
    if dated.empty:
        return _empty(columns)
    periods = _periods(dated["published_at"], freq)
    frame = pd.DataFrame(
        {
            "period": periods.to_numpy(),
            "quality": _floats(dated["quality"]),
            "heat": _floats(dated["heat"]),
        }
    )
    trend = _score_summary(frame, "period").set_index("period")
    trend = trend.reindex(_period_range(periods, freq))
    trend["n_articles"] = trend["n_articles"].fillna(0)
    trend = trend.rename_axis("period").reset_index()
    return trend[list(columns)].astype(columns)


def find_top_scored(
    articles: pd.DataFrame, *, score: str = "quality", n: int = 10, lowest: bool = False
) -> pd.DataFrame:
    """The highest (or lowest) scored articles.

    Parameters
    ----------
    score : {"quality", "heat"}
        The score to rank by; ties broken by the other score, then by date (newest first).
    n : int, default 10
        How many articles.
    lowest : bool, default False
        The lowest scored instead.

    Returns
    -------
    DataFrame
        ``article_id``, ``title``, ``provider``, ``published_at``, ``quality``, ``heat``.
    """
    check_argument("score", SCORES, score)
    check_count("n", n)
    other = "heat" if score == "quality" else "quality"
    keys = pd.DataFrame(
        {
            "published_at": articles["published_at"],
            "quality": articles["quality"],
            "heat": articles["heat"],
        }
    ).reset_index(drop=True)
    keys = keys[keys[score].notna()]
    keys = keys.sort_values(
        [score, other, "published_at"],
        ascending=[lowest, lowest, False],
        na_position="last",
        kind="stable",
    )
    kept = articles.iloc[keys.index[:n]]  # labelled only once ranked
    return pd.DataFrame(
        {
            "article_id": kept["article_id"].astype(STRING),
            "title": kept["title"].astype(STRING),
            "provider": _provider_labels(kept).astype(STRING)
            if len(kept)
            else pd.Series(dtype=STRING),
            "published_at": kept["published_at"],
            "quality": kept["quality"],
            "heat": kept["heat"],
        }
    ).reset_index(drop=True)


# --------------------------------------------------------------------------- coverage


def count_related(articles: pd.DataFrame) -> pd.DataFrame:
    """How many articles have 0, 1, 2, ... related stories.

    Returns
    -------
    DataFrame
        ``n_related``, ``n_articles``, ``share``; every count from 0 to the maximum.
    """
    columns = {"n_related": "int64", "n_articles": "int64", "share": "float64"}
    if articles.empty:
        return _empty(columns)
    counts = articles["n_related"].astype("int64").value_counts()
    counts = counts.reindex(range(int(counts.index.max()) + 1), fill_value=0)
    frame = pd.DataFrame(
        {
            "n_related": counts.index.to_numpy(dtype="int64"),
            "n_articles": counts.to_numpy(dtype="int64"),
        }
    )
    frame["share"] = frame["n_articles"] / len(articles)
    return frame


def count_related_bins(articles: pd.DataFrame) -> pd.DataFrame:
    """:func:`count_related` in at most ~2 log2(max) rows: counts 0, 1, 2 and then
    doubling ranges (``3-4``, ``5-8``, ...), so one article with 100,000 related stories
    gives 19 rows, not 100,001.

    Returns
    -------
    DataFrame
        ``n_related`` (a label such as ``"5-8"``), ``n_articles``, ``share``; empty ranges
        inside the span are kept as zeros.
    """
    columns = {"n_related": STRING, "n_articles": "int64", "share": "float64"}
    if articles.empty:
        return _empty(columns)
    labels, which = _doubling_bins(articles["n_related"].astype("int64").to_numpy(), start=0)
    sizes = np.bincount(which, minlength=len(labels))[: len(labels)]
    frame = pd.DataFrame({"n_related": labels, "n_articles": sizes.astype("int64")})
    frame["share"] = frame["n_articles"] / len(articles)
    return frame.astype(columns)


def _doubling_bins(counts: np.ndarray, *, start: int) -> tuple[list[str], np.ndarray]:
    """Bins of whole numbers from ``start``: 0, 1, 2, then doubling ranges (``3-4``, ``5-8``,
    ...) up to the largest count; the labels, and the bin of each count."""
    edges = [0, 1, 2, 3]
    while edges[-1] <= int(counts.max()):
        edges.append(2 * edges[-1] - 1)
    edges = [edge for edge in edges if edge >= start]
    labels = [
        str(low) if high - low == 1 else f"{low}-{high - 1}"
        for low, high in zip(edges[:-1], edges[1:], strict=True)
    ]
    return labels, np.searchsorted(edges, counts, side="right") - 1


def _related_rows(articles: pd.DataFrame, related: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each related story with the article that lists it (matched by ``article_id``), as
    positions in ``related`` and in ``articles``; in the order of an inner merge of
    ``related`` with ``articles``: related's order, then articles'. Missing ids meet, as in
    a merge."""
    ids = pd.concat([related["article_id"], articles["article_id"]], ignore_index=True)
    codes, _ = pd.factorize(ids)
    codes[codes < 0] = codes.max(initial=-1) + 1
    joined = pd.DataFrame({"id": codes[: len(related)], "story": np.arange(len(related))}).merge(
        pd.DataFrame({"id": codes[len(related) :], "article": np.arange(len(articles))}),
        on="id",
        how="inner",
    )
    return joined["story"].to_numpy(dtype=np.intp), joined["article"].to_numpy(dtype=np.intp)


def _joint_provider_keys(
    articles: pd.DataFrame, related: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_provider_keys` of the articles and of the related stories, numbered
    together: the numbers of each, and the labels."""
    provider, labels = _provider_keys(articles)
    related_provider, related_labels = _provider_keys(related)
    joint, names = pd.factorize(np.concatenate([labels, related_labels]))
    return (
        joint[: len(labels)][provider],
        joint[len(labels) :][related_provider],
        np.asarray(names, dtype=object),
    )


def build_coverage_pairs(
    articles: pd.DataFrame, related: pd.DataFrame, *, include_self: bool = True
) -> pd.DataFrame:
    """Which providers' stories are listed as related to which providers' articles.

    Parameters
    ----------
    articles, related : DataFrame
        ``corpus.articles`` and ``corpus.related``.
    include_self : bool, default True
        Keep pairs where a provider's article lists its own stories.

    Returns
    -------
    DataFrame
        ``provider`` (of the article), ``related_provider``, ``n_stories``; most first.
    """
    columns = {"provider": STRING, "related_provider": STRING, "n_stories": "int64"}
    story_at, article_at = _related_rows(articles, related)
    provider, related_provider, labels = _joint_provider_keys(articles, related)
    provider, related_provider = provider[article_at], related_provider[story_at]
    if not include_self:
        other = provider != related_provider
        provider, related_provider = provider[other], related_provider[other]
    if not len(provider):
        return _empty(columns)
    pairs, counts = np.unique(provider * len(labels) + related_provider, return_counts=True)
    table = pd.DataFrame(
        {
            "provider": labels[pairs // len(labels)],
            "related_provider": labels[pairs % len(labels)],
            "n_stories": counts,
        }
    )
    table = table.sort_values(
        ["n_stories", "provider", "related_provider"], ascending=[False, True, True]
    )
    return table[list(columns)].astype(columns).reset_index(drop=True)


def build_coverage_lag(articles: pd.DataFrame, related: pd.DataFrame) -> pd.DataFrame:
    """Time from each article to each of its related stories.

    Returns
    -------
    DataFrame
        ``article_id``, ``provider``, ``related_provider``, ``lag_hours`` (positive when the
        related story came out after the article); stories or articles without a date are
        left out.
    """
    columns = {
        "article_id": STRING,
        "provider": STRING,
        "related_provider": STRING,
        "lag_hours": "float64",
    }
    story_at, article_at = _related_rows(articles, related)
    lag = _hours(related["published_at"])[story_at] - _hours(articles["published_at"])[article_at]
    dated = ~np.isnan(lag)
    if not dated.any():
        return _empty(columns)
    story_at, article_at = story_at[dated], article_at[dated]
    provider, related_provider, labels = _joint_provider_keys(articles, related)
    table = pd.DataFrame(
        {
            "article_id": related["article_id"].to_numpy(dtype=object)[story_at],
            "provider": labels[provider[article_at]],
            "related_provider": labels[related_provider[story_at]],
            "lag_hours": lag[dated],
        }
    )
    return table.astype(columns)


def describe_lag(lags: pd.DataFrame) -> pd.DataFrame:
    """Summary of :func:`build_coverage_lag`: one row of ``n_stories``, ``share_before``
    (related story published before the article), ``median_hours``, ``min_hours``,
    ``max_hours``; no row when there is no lag."""
    columns = {
        "n_stories": "int64",
        "share_before": "float64",
        "median_hours": "float64",
        "min_hours": "float64",
        "max_hours": "float64",
    }
    hours = lags["lag_hours"].dropna()
    if hours.empty:
        return _empty(columns)
    row = {
        "n_stories": len(hours),
        "share_before": float((hours < 0).mean()),
        "median_hours": hours.median(),
        "min_hours": hours.min(),
        "max_hours": hours.max(),
    }
    return pd.DataFrame([row]).astype(columns)


def count_lag_bins(lags: pd.DataFrame, *, bins: int = 20) -> pd.DataFrame:
    """Related stories per bin of lag in days: what the lag histogram shows.

    Parameters
    ----------
    lags : DataFrame
        As :func:`build_coverage_lag` returns (``lag_hours``).
    bins : int, default 20
        Equal bins from the shortest to the longest lag (numpy's ``histogram_bin_edges``).

    Returns
    -------
    DataFrame
        ``days_from``, ``days_to``, ``n_stories``; no rows when there is no lag.
    """
    _check_bins(bins)
    columns = {"days_from": "float64", "days_to": "float64", "n_stories": "int64"}
    days = _floats(lags["lag_hours"]) / 24
    days = days[~np.isnan(days)]
    if not len(days):
        return _empty(columns)
    edges = np.histogram_bin_edges(days, bins=bins)
    frame = _bin_frame(edges, "days") | {"n_stories": np.histogram(days, bins=edges)[0]}
    return pd.DataFrame(frame).astype(columns)


# --------------------------------------------------------------------------- stories
# These take ``corpus.articles`` with a ``story_id`` column (newskit.stories.build_stories);
# a story's first copy is the article whose ``article_id`` is its ``story_id``.


@dataclass(frozen=True)
class _Stories:
    """The stories of the articles, by position: what the story tables count from."""

    #: each article's story as a number, 0, 1, ... in order of first appearance; -1: none
    codes: np.ndarray
    #: the story ids those numbers stand for
    ids: pd.Index
    #: whether each article is its story's first copy (its ``article_id`` is its ``story_id``)
    is_first: np.ndarray
    #: each story's first copy, as a position in the articles; -1: none
    first: np.ndarray

    def first_of(self) -> np.ndarray:
        """The position of each article's first copy; -1 when its story has none."""
        found = np.full(len(self.codes), -1, dtype=np.intp)
        has = self.codes >= 0
        found[has] = self.first[self.codes[has]]
        return found


def _stories(articles: pd.DataFrame) -> _Stories:
    """The articles' stories (:class:`_Stories`); raises ValueError without ``story_id``."""
    if "story_id" not in articles:
        raise ValueError(
            "articles has no story_id column: add it with newskit.stories.build_stories"
        )
    story = articles["story_id"]
    codes, ids = pd.factorize(story)
    codes = codes.astype(np.intp)
    is_first = _same_values(articles["article_id"], story) & (codes >= 0)
    rows = np.flatnonzero(is_first)
    first = np.full(len(ids), -1, dtype=np.intp)
    first[codes[rows]] = rows
    if np.count_nonzero(first >= 0) < len(rows):
        # what looking a story's first copy up by story_id has always raised
        raise pd.errors.InvalidIndexError(
            "two articles are the first copy of one story: their article_id repeats"
        )
    return _Stories(codes, ids, is_first, first)


def _same_values(left: pd.Series, right: pd.Series) -> np.ndarray:
    """Where two aligned columns hold equal values; a missing value equals nothing."""
    if not (isinstance(left.dtype, pd.StringDtype) and isinstance(right.dtype, pd.StringDtype)):
        # other columns as Python objects, compared as pandas compares them
        left = pd.Series(left.to_numpy(dtype=object))
        right = pd.Series(right.to_numpy(dtype=object))
    return (left == right).fillna(False).to_numpy(dtype=bool)


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values of a whole-number array, sorted: what ``np.unique`` gives, by a
    sort (numpy's own road for integers hashes them, several times slower)."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def _first_periods(
    numbers: np.ndarray, order: np.ndarray, period: np.ndarray, n: int
) -> np.ndarray:
    """The period of each story's first dated copy (-1: none dated), from the story
    ``numbers`` of the dated articles, their ``order`` in time and their ``period``."""
    numbers = numbers[order]
    first = first_places(numbers)
    found = np.full(n, -1, dtype=np.intp)
    found[numbers[first]] = period[order][first]
    return found


def _story_numbers(stories: _Stories) -> np.ndarray:
    """:attr:`_Stories.codes` with the articles without a story as one more story, as the
    counts over time have always taken them."""
    return np.where(stories.codes >= 0, stories.codes, len(stories.ids))


def _by_position(articles: pd.DataFrame) -> pd.DataFrame:
    """The articles' topics, indexed by position (so :func:`_topic_rows` gives positions)."""
    return articles[["topics"]].reset_index(drop=True)


def summarize_stories(articles: pd.DataFrame) -> pd.DataFrame:
    """Articles and stories side by side.

    Returns
    -------
    DataFrame
        One row: ``n_articles``, ``n_stories``, ``n_copies`` (articles that are not their
        story's first copy), ``share_copies`` (of the articles), ``n_syndicated`` (stories
        with more than one article). No row for no articles.
    """
    columns = {
        "n_articles": "int64",
        "n_stories": "int64",
        "n_copies": "int64",
        "share_copies": "float64",
        "n_syndicated": "int64",
    }
    stories = _stories(articles)
    if not len(articles):
        return _empty(columns)
    codes = stories.codes
    sizes = np.bincount(codes[codes >= 0], minlength=len(stories.ids))
    n_articles, n_stories = len(articles), len(stories.ids)
    row = {
        "n_articles": n_articles,
        "n_stories": n_stories,
        "n_copies": n_articles - n_stories,
        "share_copies": (n_articles - n_stories) / n_articles,
        "n_syndicated": int((sizes > 1).sum()),
    }
    return pd.DataFrame([row]).astype(columns)


def count_stories_by_period(articles: pd.DataFrame, *, freq: str = "auto") -> pd.DataFrame:
    """Articles and stories per period; a story counts once, in the period of its first
    dated copy.

    Returns
    -------
    DataFrame
        ``period``, ``n_articles``, ``n_stories``; zero rows for empty periods inside the
        window (of the dated, not outlying, articles).
    """
    columns = {"period": "datetime64[ns]", "n_articles": "int64", "n_stories": "int64"}
    stories = _stories(articles)  # the check, on empty input too
    freq = _resolve_freq(articles, freq)
    dated_at = np.flatnonzero(_dated_rows(articles))
    if not len(dated_at):
        return _empty(columns)
    dated = articles.iloc[dated_at]
    periods = _periods(dated["published_at"], freq)
    span = _period_range(periods, freq)
    period = span.get_indexer(periods)
    order = dated["published_at"].argsort(kind="stable").to_numpy()
    numbers = _story_numbers(stories)
    firsts = _first_periods(numbers[dated_at], order, period, len(stories.ids) + 1)
    frame = pd.DataFrame(
        {
            "period": span,
            "n_articles": np.bincount(period, minlength=len(span)),
            "n_stories": np.bincount(firsts[firsts >= 0], minlength=len(span)),
        }
    )
    return frame.astype(columns)


def count_topic_stories(articles: pd.DataFrame, *, n: int | None = None) -> pd.DataFrame:
    """Articles and stories per topic (a story has a topic when any of its copies has it).

    Returns
    -------
    DataFrame
        ``topic``, ``n_articles``, ``n_stories``, ``share_stories`` (of all stories); most
        stories first.
    """
    columns = {
        "topic": "string",
        "n_articles": "int64",
        "n_stories": "int64",
        "share_stories": "float64",
    }
    stories = _stories(articles)
    rows = _topic_rows(_by_position(articles))
    if rows.empty:
        return _empty(columns)
    topic, topics = pd.factorize(rows["topic"])
    story = stories.codes[rows["row"].to_numpy(dtype=np.intp)]
    # each (topic, story) once
    pairs = _distinct(topic[story >= 0] * len(stories.ids) + story[story >= 0])
    pair_topic = pairs // max(len(stories.ids), 1)
    table = pd.DataFrame(
        {
            "topic": np.asarray(topics, dtype=object),
            "n_articles": np.bincount(topic, minlength=len(topics)),
            "n_stories": np.bincount(pair_topic, minlength=len(topics)),
        }
    )
    table["share_stories"] = table["n_stories"] / len(stories.ids)
    table = table.sort_values(["n_stories", "n_articles", "topic"], ascending=[False, False, True])
    table = table[list(columns)].astype(columns).reset_index(drop=True)
    return table if n is None else table.head(n)


def count_topic_stories_by_period(
    articles: pd.DataFrame, *, freq: str = "auto", n: int | None = 5
) -> pd.DataFrame:
    """Stories per topic and period: each story once, in the period of its first dated copy,
    in every topic any of its copies has.

    Parameters
    ----------
    freq : {"auto", "week", "month", "quarter", "year"}
        Period length.
    n : int, optional, default 5
        Only the ``n`` topics with the most dated stories (None: all).

    Returns
    -------
    DataFrame
        ``period``, ``topic``, ``n_stories``, ``n_articles`` (the topic's articles published
        in the period, as :func:`count_topics_by_period` counts them); every period of the
        window for every topic kept, most stories first.
    """
    check_count("n", n, optional=True)
    columns = {
        "period": "datetime64[ns]",
        "topic": STRING,
        "n_stories": "int64",
        "n_articles": "int64",
    }
    stories = _stories(articles)  # the check, on empty input too
    freq = _resolve_freq(articles, freq)
    dated_at = np.flatnonzero(_dated_rows(articles))
    rows = _topic_rows(_by_position(articles))
    if not len(dated_at) or rows.empty:
        return _empty(columns)
    dated = articles.iloc[dated_at]
    periods = _periods(dated["published_at"], freq)
    span = _period_range(periods, freq)
    period = np.full(len(articles), -1, dtype=np.intp)
    period[dated_at] = span.get_indexer(periods)
    order = np.argsort(_hours(dated["published_at"]), kind="stable")
    numbers = _story_numbers(stories)
    n_numbers = len(stories.ids) + 1
    firsts = _first_periods(numbers[dated_at], order, period[dated_at], n_numbers)
    row = rows["row"].to_numpy(dtype=np.intp)
    topic, names = pd.factorize(rows["topic"])
    # each (topic, story) once, in the period of the story's first dated copy
    pairs = _distinct(topic * n_numbers + numbers[row])
    pair_topic, pair_period = pairs // n_numbers, firsts[pairs % n_numbers]
    pair_topic = pair_topic[pair_period >= 0]
    pair_period = pair_period[pair_period >= 0]
    if not len(pair_topic):
        return _empty(columns)
    sizes = np.bincount(pair_topic, minlength=len(names))
    kept = sorted(np.flatnonzero(sizes), key=lambda t: (-sizes[t], names[t]))
    kept = kept if n is None else kept[:n]
    place = np.full(len(names), -1, dtype=np.intp)
    place[kept] = np.arange(len(kept))
    cells = len(kept) * len(span)

    def count(topics: np.ndarray, periods: np.ndarray) -> np.ndarray:
        at = place[topics]
        keep = (at >= 0) & (periods >= 0)
        return np.bincount(at[keep] * len(span) + periods[keep], minlength=cells)

    frame = pd.DataFrame(
        {
            "period": np.tile(span.to_numpy(), len(kept)),
            "topic": np.repeat(np.asarray(names, dtype=object)[kept], len(span)),
            "n_stories": count(pair_topic, pair_period),
            "n_articles": count(topic, period[row]),
        }
    )
    return frame.astype(columns)


def count_story_sizes(articles: pd.DataFrame) -> pd.DataFrame:
    """How many stories have 1, 2, 3-4, 5-8, ... articles (doubling ranges past 2, as
    :func:`count_related_bins` bins, so a story of 10,000 copies gives 15 rows).

    Returns
    -------
    DataFrame
        ``story_size`` (a label such as ``"3-4"``), ``n_stories``, ``share_stories`` (of all
        stories), ``n_articles`` (the articles of these stories); empty ranges inside the
        span are kept as zeros.
    """
    columns = {
        "story_size": STRING,
        "n_stories": "int64",
        "share_stories": "float64",
        "n_articles": "int64",
    }
    stories = _stories(articles)
    if not len(articles):
        return _empty(columns)
    codes = stories.codes
    sizes = np.bincount(codes[codes >= 0], minlength=len(stories.ids)).astype("int64")
    labels, which = _doubling_bins(sizes, start=1)
    table = pd.DataFrame(
        {
            "story_size": labels,
            "n_stories": np.bincount(which, minlength=len(labels))[: len(labels)],
            "n_articles": np.bincount(which, weights=sizes, minlength=len(labels))[
                : len(labels)
            ].astype("int64"),
        }
    )
    table["share_stories"] = table["n_stories"] / len(sizes)
    return table[list(columns)].astype(columns)


def _count_distinct(groups: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """How many distinct ``values`` (whole numbers >= 0) each of ``n_groups`` groups has."""
    if not len(values):
        return np.zeros(n_groups, dtype="int64")
    pairs = _distinct(groups * (int(values.max()) + 1) + values)
    return np.bincount(pairs // (int(values.max()) + 1), minlength=n_groups)


def _medians(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """The median of ``values`` in each of ``n_groups`` groups; NaN for none."""
    medians = pd.Series(values, dtype="float64").groupby(groups).median()
    return medians.reindex(range(n_groups)).to_numpy(dtype="float64")


def _publisher_counts(
    articles: pd.DataFrame, stories: _Stories, provider: np.ndarray, n_providers: int
) -> dict[str, np.ndarray]:
    """Per provider number: ``n_articles``, ``n_stories``, ``n_first``, ``n_copies`` and
    ``median_lag_hours``, as :func:`find_first_publishers` gives them."""
    codes, has = stories.codes, stories.codes >= 0
    hours = _hours(articles["published_at"])
    first = stories.first_of()
    first_provider = np.where(first >= 0, provider[first], -1)
    lag = hours - np.where(first >= 0, hours[first], np.nan)
    later = ~stories.is_first
    return {
        "n_articles": np.bincount(provider, minlength=n_providers),
        "n_stories": _count_distinct(provider[has], codes[has], n_providers),
        "n_first": np.bincount(provider[stories.is_first], minlength=n_providers),
        # a copy: an article of a story another provider (or no article) published first
        "n_copies": np.bincount(provider[first_provider != provider], minlength=n_providers),
        "median_lag_hours": _medians(lag[later], provider[later], n_providers),
    }


def find_first_publishers(articles: pd.DataFrame, *, n: int | None = None) -> pd.DataFrame:
    """Who publishes first: per provider, the stories it carried, those it published first,
    and how far behind the first copy its other articles came.

    Returns
    -------
    DataFrame
        ``provider``, ``n_articles``, ``n_stories`` (stories it carried), ``n_first``
        (stories it published first), ``share_first`` (of its stories), ``n_copies`` (its
        articles of stories another provider published first), ``syndication_rate``
        (``n_copies`` over ``n_articles``), ``median_lag_hours`` (of its articles that are
        not a story's first copy, behind that copy; NaN when none is dated); most first
        publications first.
    """
    columns = {
        "provider": "string",
        "n_articles": "int64",
        "n_stories": "int64",
        "n_first": "int64",
        "share_first": "float64",
        "n_copies": "int64",
        "syndication_rate": "float64",
        "median_lag_hours": "float64",
    }
    stories = _stories(articles)
    if not len(articles):
        return _empty(columns)
    provider, labels = _provider_keys(articles)
    table = pd.DataFrame(
        {"provider": labels, **_publisher_counts(articles, stories, provider, len(labels))}
    )
    table["share_first"] = table["n_first"] / table["n_stories"]
    table["syndication_rate"] = table["n_copies"] / table["n_articles"]
    table = table.sort_values(["n_first", "n_articles", "provider"], ascending=[False, False, True])
    table = table[list(columns)].astype(columns).reset_index(drop=True)
    return table if n is None else table.head(n)


def build_pickup_lag(articles: pd.DataFrame, *, include_self: bool = False) -> pd.DataFrame:
    """How long each provider takes to carry the stories another published first.

    Parameters
    ----------
    include_self : bool, default False
        Keep a provider's re-posts of its own stories.

    Returns
    -------
    DataFrame
        ``first_provider``, ``provider``, ``n_stories``, ``median_lag_hours`` (NaN when no
        pair is dated); most stories first.
    """
    columns = {
        "first_provider": "string",
        "provider": "string",
        "n_stories": "int64",
        "median_lag_hours": "float64",
    }
    stories = _stories(articles)
    provider, labels = _provider_keys(articles)
    first = stories.first_of()
    first_provider = np.where(first >= 0, provider[first], -1)
    later = ~stories.is_first
    if not include_self:
        later &= provider != first_provider
    if not later.any():
        return _empty(columns)
    # articles of a story without a first copy have no first provider: no pair
    later &= first >= 0
    hours = _hours(articles["published_at"])
    pair = first_provider[later] * len(labels) + provider[later]
    pairs, group = np.unique(pair, return_inverse=True)
    table = pd.DataFrame(
        {
            "first_provider": labels[pairs // max(len(labels), 1)],
            "provider": labels[pairs % max(len(labels), 1)],
            "n_stories": _count_distinct(group, stories.codes[later], len(pairs)),
            "median_lag_hours": _medians(hours[later] - hours[first[later]], group, len(pairs)),
        }
    )
    table = table.sort_values(
        ["n_stories", "first_provider", "provider"], ascending=[False, True, True]
    )
    return table[list(columns)].astype(columns).reset_index(drop=True)


def find_largest_stories(
    articles: pd.DataFrame, *, n: int = 10, min_articles: int = 1
) -> pd.DataFrame:
    """The stories with the most articles, and who carried them.

    Parameters
    ----------
    n : int, default 10
        Keep the ``n`` largest.
    min_articles : int, default 1
        Leave out stories with fewer articles (2: only stories carried more than once).

    Returns
    -------
    DataFrame
        ``story_id``, ``title`` (of the first copy), ``n_articles``, ``n_providers``,
        ``providers`` (in the order they published, joined with ``", "``),
        ``first_published_at``, ``last_published_at``.
    """
    columns = {
        "story_id": "string",
        "title": "string",
        "n_articles": "int64",
        "n_providers": "int64",
        "providers": "string",
        "first_published_at": "datetime64[ns, UTC]",
        "last_published_at": "datetime64[ns, UTC]",
    }
    check_count("n", n)
    check_count("min_articles", min_articles)
    stories = _stories(articles)
    if not len(articles):
        return _empty(columns)
    codes, has = stories.codes, stories.codes >= 0
    provider, labels = _provider_keys(articles)
    sizes = np.bincount(codes[has], minlength=len(stories.ids))
    spread = _count_distinct(codes[has], provider[has], len(stories.ids))
    # the n largest by size and providers, with every story tied with the n-th, for the sort
    # by story_id to choose among
    chosen = np.flatnonzero(sizes >= min_articles)
    ranked = chosen[np.lexsort((-spread[chosen], -sizes[chosen]))]
    if 0 < n < len(ranked):
        size, most = sizes[ranked[n - 1]], spread[ranked[n - 1]]
        chosen = chosen[
            (sizes[chosen] > size) | ((sizes[chosen] == size) & (spread[chosen] >= most))
        ]
    table = pd.DataFrame(
        {
            "story": chosen,
            "story_id": np.asarray(stories.ids, dtype=object)[chosen],
            "n_articles": sizes[chosen],
            "n_providers": spread[chosen],
        }
    )
    table = table.sort_values(
        ["n_articles", "n_providers", "story_id"], ascending=[False, False, True]
    ).head(n)
    table = table.reset_index(drop=True)
    place = np.full(len(stories.ids), -1, dtype=np.intp)
    place[table["story"].to_numpy()] = np.arange(len(table))
    at = np.flatnonzero(has)
    at = at[place[codes[at]] >= 0]
    # their articles in the order they published (undated last, then by article_id)
    when = pd.DataFrame(
        {
            "hours": _hours(articles["published_at"])[at],
            "article_id": articles["article_id"].iloc[at].astype(object).to_numpy(),
        }
    )
    at = at[when.sort_values(["hours", "article_id"], na_position="last", kind="stable").index]
    story = place[codes[at]]
    # each provider at its story's first article of it, in that order
    firsts = first_places(story * len(labels) + provider[at])
    names: list[list[str]] = [[] for _ in range(len(table))]
    for which, label in zip(story[firsts], labels[provider[at[firsts]]], strict=True):
        names[which].append(label)
    table["providers"] = [", ".join(found) for found in names]
    published = articles["published_at"].iloc[at].reset_index(drop=True).groupby(story)
    for column, found in (
        ("first_published_at", published.min()),
        ("last_published_at", published.max()),
    ):
        table[column] = pd.to_datetime(found.reindex(table.index), utc=True)
    title = np.full(len(table), None, dtype=object)
    first = stories.first[table["story"].to_numpy()]
    title[first >= 0] = articles["title"].iloc[first[first >= 0]].to_numpy(dtype=object)
    table["title"] = title
    return table[list(columns)].astype(columns)


# --------------------------------------------------------------------------- distinctive words


#: Bytes of ASCII text lower-cased as ``str.lower`` does it (A-Z only).
_ASCII_LOWER = np.arange(256, dtype=np.uint8)
_ASCII_LOWER[ord("A") : ord("Z") + 1] += ord("a") - ord("A")


def _distinct_titles(
    titles: pd.Series,
) -> tuple[np.ndarray, int, np.ndarray, pa.Array, np.ndarray, list[str]]:
    """Each distinct title once: the id of each row's title (-1: missing), the number of ids,
    the ids and text of the plain titles (:data:`_PLAIN` once ``’`` is written ``'`` and the
    separators spaces; so written), and the ids and text of the other text titles (as they
    are)."""
    if isinstance(titles.dtype, pd.StringDtype) and titles.dtype.storage == "pyarrow":
        text = pa.array(titles.array)
        text = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
        encoded = pc.dictionary_encode(text.cast(pa.large_string()))
        straight = pc.replace_substring(encoded.dictionary, "’", "'")
        is_ascii = pc.string_is_ascii(straight).to_numpy(zero_copy_only=False)
        ids = np.arange(len(is_ascii))
        # the others, with their separators spaces: those then plain take the plain road too
        spaced = pc.replace_substring_regex(straight.filter(pa.array(~is_ascii)), _SEPARATORS, " ")
        now_plain = pc.match_substring_regex(spaced, _PLAIN_RE2).to_numpy(zero_copy_only=False)
        other_ids = ids[~is_ascii]
        return (
            encoded.indices.fill_null(-1).to_numpy().astype(np.int64),
            len(is_ascii),
            np.concatenate([ids[is_ascii], other_ids[now_plain]]),
            pa.concat_arrays(
                [straight.filter(pa.array(is_ascii)), spaced.filter(pa.array(now_plain))]
            ),
            other_ids[~now_plain],
            encoded.dictionary.filter(pa.array(~is_ascii)).filter(pa.array(~now_plain)).to_pylist(),
        )
    # what is not text has no words (and may not even hash)
    text = [t if isinstance(t, str) else None for t in titles.to_numpy(dtype=object)]
    row_title, uniques = pd.factorize(np.array(text, dtype=object))
    plain_ids, plain_text, other_ids, others = [], [], [], []
    for i, title in enumerate(uniques):
        straight = title.replace("’", "'")
        if not straight.isascii():
            straight = _SEPARATOR.sub(" ", straight)
        if straight.isascii() or _PLAIN_TITLE.fullmatch(straight):
            plain_ids.append(i)
            plain_text.append(straight)
        else:
            other_ids.append(i)
            others.append(title)
    return (
        row_title.astype(np.int64),
        len(uniques),
        np.array(plain_ids, dtype=np.int64),
        pa.array(plain_text, pa.large_string()),
        np.array(other_ids, dtype=np.int64),
        others,
    )


def _plain_words(titles: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """The words :data:`_WORD` finds in plain titles lower-cased, in order, and the position
    of the title of each. In plain titles, ``[^\\W\\d_]`` is ``[A-Za-z]`` and the Latin-1
    letters: a word is a run of letters and of apostrophes that each stand between two
    letters."""
    titles = titles.cast(pa.large_string())
    if (found := plain_words(titles)) is not None:  # the same in C, in one pass
        return found
    # one text, the titles apart by a byte no word holds
    joined = pc.binary_join(
        pa.LargeListArray.from_arrays(pa.array([0, len(titles)], pa.int64()), titles),
        pa.scalar("\x00", pa.large_string()),
    )
    _, offsets, data = joined.buffers()
    start, end = np.frombuffer(offsets, dtype=np.int64)[:2]
    if end == start:
        return np.empty(0, dtype=np.int64), pa.array([], pa.large_string())
    text = np.frombuffer(data, dtype=np.uint8)[start:end]
    # an ASCII letter (32 is the case bit; no byte past ASCII lands in a-z with it)
    letter = ((text | 32) - ord("a")) < 26
    # a Latin-1 letter: 0xC3 then its second byte (U+00C0-U+00FF; × and ÷, separators, are
    # spaces by now)
    second = np.zeros(len(text), dtype=bool)
    second[1:] = text[:-1] == 0xC3
    first = np.zeros(len(text), dtype=bool)
    first[:-1] = second[1:]
    # lower-cased: ASCII letters and the second bytes of À-Þ (0x80-0x9E) get the case bit
    lower = text.copy()
    lower[letter | (second & (text < 0x9F))] |= 32
    inner = letter | first | second
    apostrophe = np.flatnonzero(text[1:-1] == ord("'")) + 1
    inner[apostrophe[inner[apostrophe - 1] & inner[apostrophe + 1]]] = True
    # where a run of inner bytes begins, then ends, then the next begins...
    edges = np.flatnonzero(np.diff(inner, prepend=False, append=False))
    begins, lengths = edges[0::2], edges[1::2] - edges[0::2]
    word_offsets = np.zeros(len(begins) + 1, dtype=np.int64)
    np.cumsum(lengths, out=word_offsets[1:])
    # the words are the runs of inner bytes, so their bytes in a row are those bytes
    words = pa.LargeStringArray.from_buffers(
        len(begins), pa.py_buffer(word_offsets), pa.py_buffer(lower[inner])
    )
    # where each title begins in the text: its offset, and one separator per title before it
    starts = np.frombuffer(titles.buffers()[1], dtype=np.int64)
    starts = starts[titles.offset : titles.offset + len(titles) + 1]
    starts = starts - starts[0] + np.arange(len(titles) + 1)
    return np.searchsorted(starts, begins, side="right") - 1, words


#: Titles tokenised at a time, and (title, term) pairs counted at a time: what a step takes
#: beside its result stays small.
_TITLES_AT_A_TIME = 1 << 16
_TERMS_AT_A_TIME = 1 << 22


class _TitleTerms:
    """The terms of every distinct title (its :func:`tokenize` words and, with ``bigrams``,
    each pair of consecutive ones) as integer codes, each term once per title: a word is
    ``words[code]``, a pair ``pairs[code - len(words)]`` (``first * len(words) + second``).

    ``row_title`` is the title of each row (of ``n_titles``), whose terms are
    ``term[start[t] : start[t + 1]]``; a missing title has none.
    """

    def __init__(self, titles: pd.Series, *, bigrams: bool) -> None:
        row_title, n_titles, plain_ids, plain_text, other_ids, others = _distinct_titles(titles)
        self.n_titles = n_titles + 1
        self.row_title = np.where(row_title < 0, n_titles, row_title)
        del row_title
        # each word's code, in order of first appearance: the plain titles' words (by bytes,
        # a slice of titles at a time, so that what a slice's bytes take stays small), then the
        # other titles' (by tokenize itself)
        vocabulary: dict[str, int] = {}
        title_parts, word_parts = [], []
        for lo in range(0, len(plain_text), _TITLES_AT_A_TIME):
            part = plain_text.slice(lo, _TITLES_AT_A_TIME)
            at, words = _plain_words(part)
            encoded = pc.dictionary_encode(words)
            local = np.array(
                [
                    vocabulary.setdefault(w, len(vocabulary))
                    if len(w) > 1 and w not in STOPWORDS
                    else -1
                    for w in encoded.dictionary.to_pylist()
                ],
                dtype=np.int32,
            )
            code = local[encoded.indices.to_numpy(zero_copy_only=False)]
            keep = code >= 0
            title_parts.append(plain_ids[lo + at[keep]].astype(np.int32))
            word_parts.append(code[keep])
            del at, words, encoded, code, keep
        del plain_text
        tokens = [tokenize(title) for title in others]
        lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        title_parts.append(np.repeat(other_ids, lengths).astype(np.int32))
        word_parts.append(
            np.fromiter(
                (vocabulary.setdefault(w, len(vocabulary)) for words in tokens for w in words),
                dtype=np.int32,
                count=int(lengths.sum()),
            )
        )
        del tokens, others
        self.words = np.array(list(vocabulary), dtype=object)
        del vocabulary
        title = np.concatenate(title_parts)
        word = np.concatenate(word_parts)
        del title_parts, word_parts
        n_words = len(self.words)
        self.pairs = np.empty(0, dtype=np.int64)
        pair_title = pair = np.empty(0, dtype=np.int32)
        if bigrams:
            # consecutive words of one title (a title's words are together, in order)
            same = np.flatnonzero(title[1:] == title[:-1])
            codes, self.pairs = pd.factorize(word[same].astype(np.int64) * n_words + word[same + 1])
            pair_title, pair = title[same], (codes + n_words).astype(np.int32)
            del same, codes
        self.n_terms = n_words + len(self.pairs)
        # each (title, term) once, sorted by title
        key = np.empty(len(title) + len(pair_title), dtype=np.int64)
        np.multiply(title, self.n_terms, out=key[: len(title)], dtype=np.int64)
        key[: len(title)] += word
        np.multiply(pair_title, self.n_terms, out=key[len(title) :], dtype=np.int64)
        key[len(title) :] += pair
        del title, word, pair_title, pair
        # in runs already (titles in order, a few words each): a stable sort (timsort) follows
        # them, 4x as fast as the default quicksort here
        key.sort(kind="stable")
        key = key[np.concatenate([[True], key[1:] != key[:-1]])]
        self.title = np.empty(len(key), dtype=np.int32)
        self.term = np.empty(len(key), dtype=np.int32)
        step = max(self.n_terms, 1)
        for lo in range(0, len(key), _TITLES_AT_A_TIME * 16):
            hi = lo + _TITLES_AT_A_TIME * 16
            self.title[lo:hi], self.term[lo:hi] = np.divmod(key[lo:hi], step)
        del key
        self.start = np.searchsorted(self.title, np.arange(n_titles + 2))

    def text(self, terms: np.ndarray) -> pa.Array:
        """The text of terms: a word, or two joined by a space."""
        words = pa.array(self.words, pa.large_string())
        is_word = terms < len(self.words)
        first, second = np.divmod(self.pairs[terms[~is_word] - len(self.words)], len(self.words))
        joined = pc.binary_join_element_wise(
            words.take(first), words.take(second), pa.scalar(" ", pa.large_string())
        )
        where = np.empty(len(terms), dtype=np.int64)
        where[is_word] = np.arange(is_word.sum())
        where[~is_word] = np.arange(len(terms) - is_word.sum()) + is_word.sum()
        return pa.concat_arrays([words.take(terms[is_word]), joined]).take(where)

    def of_titles(self, titles: np.ndarray) -> np.ndarray:
        """Positions in ``term`` of the terms of ``titles``."""
        first = self.start[titles]
        n = self.start[titles + 1] - first
        return np.repeat(first - (np.cumsum(n) - n), n) + np.arange(n.sum())


def _positions(index: pd.Index, labels: pd.Series) -> np.ndarray:
    """The positions of row labels in ``index``."""
    if not index.is_unique:
        # only labels held once reach here (one held twice fails the story lookup before)
        once = ~index.duplicated(keep=False)
        return np.flatnonzero(once)[index[once].get_indexer(labels)]
    return index.get_indexer(labels)


def _distinctive_groups(articles: pd.DataFrame, by: str) -> pd.DataFrame:
    """(row, group) pairs for any grouping :func:`find_distinctive_words` takes."""
    if by in ("type", "category", "provider", "topic"):
        return _group_keys(articles, by)
    if by == "period":
        dated = _dated(articles, ("published_at",))
        if dated.empty:
            return pd.DataFrame({"row": [], "group": pd.Series(dtype=object)})
        periods = _periods(dated["published_at"], choose_freq(articles))
        return pd.DataFrame(
            {"row": dated.index, "group": periods.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)}
        )
    keys = articles[by].astype(object)
    keys = keys.where(keys.notna(), UNKNOWN).astype(str)
    return pd.DataFrame({"row": articles.index, "group": keys.to_numpy(dtype=object)})


def find_distinctive_words(
    articles: pd.DataFrame,
    *,
    by: str = "topic",
    n_words: int = 10,
    n_groups: int | None = 6,
    bigrams: bool = True,
    prior: float = 0.1,
    min_count: int = 2,
) -> pd.DataFrame:
    """The title words that set each group apart from the rest: weighted log-odds ratios
    with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words").

    Each title is tokenised as :func:`count_title_words` does and each word (and, with
    ``bigrams``, each pair of consecutive words) counted once per title; with a ``story_id``
    column, once per story and group, so syndicated copies do not count again. For a word
    ``w`` with count ``y_g`` in the group (total ``n_g``) and ``y_r`` in the rest (total
    ``n_r``), and prior ``a_w = prior * y_w`` (``y_w`` its count in the corpus, ``a_0`` the sum
    of the ``a_w``)::

        delta = log((y_g + a_w) / (n_g + a_0 - y_g - a_w))
              - log((y_r + a_w) / (n_r + a_0 - y_r - a_w))
        z     = delta / sqrt(1 / (y_g + a_w) + 1 / (y_r + a_w))

    Parameters
    ----------
    by : str, default "topic"
        ``"topic"`` (an article counts in each of its topics), ``"provider"``, ``"type"``,
        ``"category"``, ``"period"`` (:func:`choose_freq` periods) or any column of
        ``articles``.
    n_words : int, default 10
        Words kept per group, highest z first (only words with z > 0).
    n_groups : int, optional, default 6
        Only the largest groups (None: all).
    bigrams : bool, default True
        Count pairs of consecutive title words as well.
    prior : float, default 0.1
        Weight of the corpus-wide counts as the prior (``a_w = prior * y_w``).
    min_count : int, default 2
        Leave out words seen fewer times in the group.

    Returns
    -------
    DataFrame
        ``group``, ``word``, ``n_group``, ``n_rest``, ``log_odds`` (delta), ``z``; groups
        largest first.
    """
    if by not in ("type", "category", "provider", "topic", "period") and by not in articles:
        raise ValueError(
            "by must be 'topic', 'provider', 'type', 'category', 'period' or a column of "
            f"articles, not {by!r}"
        )
    if not prior > 0:
        raise ValueError(f"prior must be > 0, not {prior!r}")
    columns = {
        "group": "string",
        "word": "string",
        "n_group": "int64",
        "n_rest": "int64",
        "log_odds": "float64",
        "z": "float64",
    }
    keys = _distinctive_groups(articles, by)
    if keys.empty:
        return _empty(columns)
    # numbers for rows, groups and stories (a row is its own story without story_id)
    at = _positions(articles.index, keys["row"])
    group_codes, groups = pd.factorize(keys["group"])
    del keys
    if "story_id" in articles:
        story = pd.factorize(articles["story_id"], use_na_sentinel=False)[0][at]
    else:
        story = at
    # each (story, group) once, its first row
    once = ~pd.Series(story * (len(groups) + 1) + group_codes + 1).duplicated().to_numpy()
    at, story, group_codes = at[once], story[once], group_codes[once]
    terms = _TitleTerms(articles["title"], bigrams=bigrams)
    title = terms.row_title[at]
    # the corpus: each story once (its first row here)
    first = ~pd.Series(story).duplicated().to_numpy()
    in_corpus = np.bincount(title[first], minlength=terms.n_titles)
    y_terms = np.zeros(terms.n_terms)
    for lo in range(0, len(terms.term), _TERMS_AT_A_TIME):
        part = slice(lo, lo + _TERMS_AT_A_TIME)
        y_terms += np.bincount(
            terms.term[part], weights=in_corpus[terms.title[part]], minlength=terms.n_terms
        )
    vocabulary = np.flatnonzero(y_terms)
    if not len(vocabulary):
        return _empty(columns)
    # sorted as Python sorts str: UTF-8 bytes sort in code point order
    text = terms.text(vocabulary)
    by_text = pc.sort_indices(text).to_numpy()
    vocabulary, text = vocabulary[by_text], text.take(by_text)
    rank = np.full(terms.n_terms, len(vocabulary), dtype=np.int32)
    rank[vocabulary] = np.arange(len(vocabulary))
    term_rank = rank[terms.term]
    y_all = y_terms[vocabulary]
    alpha = prior * y_all
    n_all, alpha0 = y_all.sum(), alpha.sum()
    sizes = np.bincount(group_codes[group_codes >= 0], minlength=len(groups))
    n_stories = int(first.sum())
    # a group holding every story has no rest to be set apart from
    order = sorted(
        (k for k in range(len(groups)) if sizes[k] < n_stories),
        key=lambda k: (-sizes[k], str(groups[k])),
    )
    if n_groups is not None:
        order = order[:n_groups]
    out = []
    for code in order:
        group = groups[code]
        rows = np.flatnonzero(group_codes == code)
        counts = np.bincount(term_rank[terms.of_titles(title[rows])], minlength=len(y_all) + 1)
        y_g = counts[:-1].astype("float64")
        # a story in the group counts once there; the rest is every other story
        y_r = np.maximum(y_all - y_g, 0)
        n_g, n_r = y_g.sum(), n_all - y_g.sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            delta = np.log((y_g + alpha) / (n_g + alpha0 - y_g - alpha)) - np.log(
                (y_r + alpha) / (n_r + alpha0 - y_r - alpha)
            )
            z = delta / np.sqrt(1 / (y_g + alpha) + 1 / (y_r + alpha))
        keep = np.flatnonzero((y_g >= min_count) & (z > 0) & np.isfinite(z))
        # highest z first, ties in vocabulary (word) order
        keep = keep[np.lexsort((keep, -z[keep]))][:n_words]
        words = text.take(keep).to_pylist()
        out += [
            (group, word, int(y_g[i]), int(y_r[i]), float(delta[i]), float(z[i]))
            for word, i in zip(words, keep.tolist(), strict=True)
        ]
    return pd.DataFrame(out, columns=list(columns)).astype(columns)
