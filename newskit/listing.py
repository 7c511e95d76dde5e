"""Which articles the article browser lists, and how: its columns, its sample, links into it.

The browser is the report page ``06-articles.html``: one row per article, its title a link to
the article when the record gives a web address. A page holds at most :data:`MAX_ARTICLES`
rows; beyond that it lists a reproducible sample (:func:`sample_articles`), stratified by
topic and month, and says so (:func:`describe_sample`). Other pages link into it filtered with
:func:`article_link`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shlex
from urllib.parse import quote, urlsplit

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from newskit.schema import DATETIME, STRING
from newskit.stats import _provider_labels, _text_lists, check_argument, check_count
from newskit.stories import URL_COLUMNS

#: The report page of the browser.
PAGE = "06-articles.html"
#: The environment variable ``newskit report`` sets in kernels when it renders the browser:
#: its page, which links from the other reports lead to (outside a report there is none).
PAGE_ENV = "NEWSKIT_ARTICLES_PAGE"
#: The browser's columns, in order; ``story`` only when some story has several articles.
COLUMNS = ("title", "provider", "published", "type", "topics", "quality", "heat", "story")
NUMERIC_COLUMNS = ("quality", "heat")
#: Rows the page lists in full, so that it stays under the 5 MB a report page may take. A row
#: takes about 470 bytes of the page on the real corpus and 500 on the generated one of the
#: benchmarks (the title's address is written out whole), around 280 KB for the rest of the
#: page: 5,000 rows make a page of 2.8 MB, and rows half as long again would still fit.
MAX_ARTICLES = 5_000
#: Characters a cell of the browser shows: a story id is a file name (up to 255 characters on
#: most file systems), and a filter's ``=x`` matches the text a cell shows, so it must be whole.
MAX_CHARS = 255
#: A web address longer than this gets no link: browsers and servers cap addresses near 2,000
#: characters, and an unbounded one would let a single record swell the page.
MAX_URL_CHARS = 2_048
#: The cell of an article without topics, or without a date, when the sample is stratified.
NO_TOPIC = "(no topic)"
UNDATED = "undated"


def build_article_list(
    articles: pd.DataFrame, *, stories: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per article, newest first, as the browser lists them.

    Parameters
    ----------
    articles : DataFrame
        ``corpus.articles`` (or a sample of it, :func:`sample_articles`).
    stories : DataFrame, optional
        ``corpus.stories``: how many articles each story has. Default: counted in ``articles``
        (pass the corpus' own when ``articles`` is a sample, so that copies left out of the
        sample still count).

    Returns
    -------
    DataFrame
        :data:`COLUMNS`: ``title``, ``provider`` (the domain, else the name, as every table
        names a provider), ``published`` (UTC timestamp), ``type``, ``topics`` (a list),
        ``quality``, ``heat``, and ``story`` (the ``story_id`` of an article whose story has
        several articles, else missing) only when some story has several; then ``url``, the
        article's first web address (:data:`newskit.stories.URL_COLUMNS` in order,
        :func:`web_href`), for the title's link and not meant to be shown. Newest first,
        undated last, ties by ``article_id``.
    """
    articles = articles.sort_values("article_id", kind="stable")
    articles = articles.sort_values(
        "published_at", ascending=False, na_position="last", kind="stable"
    )
    listed = pd.DataFrame(
        {
            "title": articles["title"].astype(STRING),
            "provider": _provider_labels(articles).astype(STRING),
            "published": articles["published_at"].astype(DATETIME),
            "type": articles["type"].astype(STRING),
            "topics": [_as_list(t) for t in articles["topics"]],
            "quality": articles["quality"].astype("Int64"),
            "heat": articles["heat"].astype("Int64"),
        },
        index=articles.index,
    )
    story_id = articles["story_id"].astype(STRING)
    if stories is None:
        sizes = story_id.value_counts()
    else:
        sizes = stories.set_index(stories["story_id"].astype(STRING))["n_articles"]
    several = story_id.map(sizes).fillna(1).to_numpy() > 1
    if several.any():
        listed["story"] = story_id.where(several)
    listed["url"] = _first_web_address(articles).astype(STRING)
    return listed.reset_index(drop=True)


def sample_articles(
    articles: pd.DataFrame, *, n: int = MAX_ARTICLES, seed: int = 0
) -> pd.DataFrame:
    """At most ``n`` articles: all of them, or a sample stratified by topic and month.

    Each article falls in one cell per topic it has (:data:`NO_TOPIC` when none) and the
    month it was published (:data:`UNDATED` when it was not). Every cell keeps at least one
    article while there are no more cells than ``n``; the rest of the sample is shared among
    the cells in proportion to their size. Within a cell articles are drawn in the order of a
    hash of their ``article_id`` and ``seed``: the same corpus gives the same sample whatever
    its row order, and a corpus that grows keeps most of its sample.

    Parameters
    ----------
    articles : DataFrame
        ``corpus.articles``.
    n : int, default MAX_ARTICLES
        The size of the sample.
    seed : int, default 0
        Another seed draws another sample.

    Returns
    -------
    DataFrame
        The rows of ``articles`` kept, in their order; ``articles`` itself (a copy) when it
        has no more than ``n`` rows.
    """
    check_count("n", n)
    check_count("seed", seed)
    if len(articles) <= n:
        return articles.copy()
    ids = articles["article_id"].astype(str)
    # SipHash of each id's UTF-8, keyed by the seed (pandas' hashing of a column at once)
    seed_key = hashlib.blake2b(str(seed).encode(), digest_size=8).hexdigest()
    key = pd.util.hash_pandas_object(ids, index=False, hash_key=seed_key, categorize=False)
    key = key.to_numpy()
    rows, topic = _topic_cells(articles["topics"])
    when = pd.DatetimeIndex(articles["published_at"])
    dated = ~when.isna()
    month = np.full(len(when), -1, dtype=np.int64)
    month[dated] = when[dated].year * 12 + when[dated].month
    # one number per (topic, month) cell of each (article, topic) entry
    cell = topic * (int(month.max(initial=0)) + 2) + (month[rows] + 1)
    # entries in the order of the draw (by key, then row), each one's place in its cell
    drawn = np.lexsort((rows, key[rows]))
    cell = cell[drawn]
    by_cell = np.argsort(cell, kind="stable")
    sorted_cells = cell[by_cell]
    starts = np.flatnonzero(np.concatenate(([True], sorted_cells[1:] != sorted_cells[:-1])))
    sizes = np.diff(np.append(starts, len(cell)))
    group = np.cumsum(np.concatenate(([False], sorted_cells[1:] != sorted_cells[:-1])))
    place = np.empty(len(cell), dtype=np.int64)
    place[by_cell] = np.arange(len(cell)) - starts[group]
    size = np.empty(len(cell), dtype=np.int64)
    size[by_cell] = sizes[group]
    # An article's place in the draw: the smallest share of one of its cells drawn before it.
    # Taking every article below a share f takes about f of each cell, and the first of every
    # cell (share 0) before any second one.
    share = np.full(len(articles), np.inf)
    np.minimum.at(share, rows[drawn], place / size)
    order = np.lexsort((key, share))
    if ((np.diff(share[order]) == 0) & (np.diff(key[order]) == 0)).any():
        order = np.lexsort((ids.to_numpy(), key, share))  # equal hashes: the ids decide
    kept = np.sort(order[:n])
    return articles.iloc[kept].copy()


def describe_sample(n_listed: int, n_articles: int, *, corpus_path: str | None = None) -> str:
    """What the browser says when it lists a sample: how many, how drawn, where the rest is.

    Parameters
    ----------
    n_listed, n_articles : int
        The articles listed, and those of the selection.
    corpus_path : str, optional
        The corpus, for the command that writes every article (default: ``CORPUS``).

    Returns
    -------
    str
        ``""`` when every article is listed.
    """
    if n_listed >= n_articles:
        return ""
    corpus = shlex.quote(str(corpus_path)) if corpus_path is not None else "CORPUS"
    return (
        f"{n_listed:,} of {n_articles:,} articles are listed: a sample stratified by topic and "
        "month (every topic-month keeps at least one article, the rest in proportion), drawn "
        "by a hash of each article's id, so the same corpus lists the same articles on every "
        f"run. Every article as CSV: newskit export {corpus} --format csv --out articles.csv "
        "(the whole corpus, whatever the selection of this report)."
    )


def article_link(**filters: object) -> str:
    """A link to the article browser showing only the articles that match ``filters``.

    Parameters
    ----------
    **filters
        Column of :data:`COLUMNS` -> value. A string matches exactly (case-insensitive; an
        item of ``topics``): ``provider="microsoft.com"``, ``topics="Portals"``,
        ``story=story_id``. For ``published``, a date as text (``"2021-03"``,
        ``"2021-03-04"``), a date, a timestamp or a :class:`pandas.Period` matches that
        month, day or period. A number matches exactly; a pair ``(low, high)`` matches the
        inclusive range, either side None for open.

    Returns
    -------
    str
        ``06-articles.html#filter:COLUMN=VALUE&...``, each value in the browser's filter
        syntax and percent-encoded; just the page with no filter.

    Examples
    --------
    >>> article_link(provider="microsoft.com", published="2021-03")
    '06-articles.html#filter:provider=%3Dmicrosoft.com&published=2021-03..2021-03'
    """
    parts = []
    for column, value in filters.items():
        check_argument("column", COLUMNS, column)
        text = _filter_text(column, value)
        parts.append(f"{quote(column, safe='')}={quote(text, safe='')}")
    return f"{PAGE}#filter:{'&'.join(parts)}" if parts else PAGE


def web_href(value: object) -> str | None:
    """``value`` when it is an absolute ``http`` or ``https`` address, else None.

    Anything a browser could run or resolve elsewhere gets no link: other schemes
    (``javascript:``, ``data:``, ``file:``), relative and scheme-relative (``//host``)
    addresses, addresses without a host, and any with whitespace or control characters
    (browsers drop tabs and newlines inside an address, so ``java\\tscript:`` runs), or
    longer than :data:`MAX_URL_CHARS`.
    """
    if not isinstance(value, str) or not value or len(value) > MAX_URL_CHARS:
        return None
    if not _PRINTABLE_ASCII.fullmatch(value) and any(
        char.isspace() or ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in value
    ):
        return None
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:  # such as an unclosed IPv6 bracket
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    return value


# Printable ASCII other than space: no whitespace or control character to look for.
_PRINTABLE_ASCII = re.compile("[!-~]*")


def title_hrefs(listed: pd.DataFrame) -> list[str | None]:
    """The link of each title of :func:`build_article_list`: its ``url`` (:func:`web_href`)."""
    return [web_href(value) for value in listed["url"].astype(object)]


def _first_web_address(articles: pd.DataFrame) -> pd.Series:
    found = np.full(len(articles), None, dtype=object)
    todo = np.arange(len(articles))  # the articles with no address found yet
    for column in URL_COLUMNS:
        if column not in articles or not len(todo):
            continue
        hrefs = np.array([web_href(v) for v in articles[column].iloc[todo].astype(object)] + [""])
        hit = np.flatnonzero(hrefs[:-1] != None)  # noqa: E711 - element-wise
        found[todo[hit]] = hrefs[hit]
        todo = np.delete(todo, hit)
    return pd.Series(found, index=articles.index, dtype=object)


def _filter_text(column: str, value: object) -> str:
    if isinstance(value, tuple):
        if len(value) != 2:
            raise ValueError(f"a range for {column} is a pair (low, high), not {value!r}")
        low, high = (_bound_text(column, v) for v in value)
        return f"{low}..{high}"
    if column == "published":
        if isinstance(value, pd.Period):
            return f"{value.start_time:%Y-%m-%d}..{value.end_time:%Y-%m-%d}"
        day = _bound_text(column, value)
        return f"{day}..{day}"  # the high side matches as a prefix: the whole day or month
    if isinstance(value, str):
        return f"={value}"
    if column in NUMERIC_COLUMNS and _is_number(value):
        # "=" matches the text shown ("1,234"); a range compares the number itself
        return f"{value}..{value}"
    raise TypeError(
        f"{column} filters by {'a number, ' if column in NUMERIC_COLUMNS else ''}a string "
        f"or a (low, high) pair, not {value!r}"
    )


def _bound_text(column: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date | pd.Timestamp | np.datetime64):
        # the browser compares dates as ISO text in UTC: a day alone, else date and time
        stamp = pd.Timestamp(value)
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        if stamp == stamp.normalize():
            return f"{stamp:%Y-%m-%d}"
        return stamp.isoformat()
    if _is_number(value):
        return str(value)
    raise TypeError(f"a bound for {column} is text, a date or a number, not {value!r}")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def _topic_cells(topics: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each article's topics (:data:`NO_TOPIC` for none; case-folded, as ``str`` gives them,
    repeats kept) as two arrays: the article's position and a number per distinct topic.

    Lists of text (what a load gives) go through Arrow at once; any other values article by
    article (:func:`_topic_cells_one_by_one`), which gives the same cells."""
    lists = _text_lists(topics)
    flat = None if lists is None else lists.flatten()
    if flat is None or flat.null_count:  # str(None) is a topic there
        return _topic_cells_one_by_one(topics)
    counts = pc.list_value_length(lists).fill_null(0).to_numpy(zero_copy_only=False)
    none = counts == 0
    counts = np.where(none, 1, counts).astype(np.int64)
    encoded = flat.dictionary_encode()
    names = encoded.dictionary.to_pylist() + [NO_TOPIC]
    codes = np.full(int(counts.sum()), len(names) - 1, dtype=np.int64)
    codes[np.repeat(~none, counts)] = encoded.indices.to_numpy(zero_copy_only=False)
    folded = pd.factorize(np.array([name.casefold() for name in names], dtype=object))[0]
    return np.repeat(np.arange(len(topics)), counts), folded[codes]


def _topic_cells_one_by_one(topics: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_topic_cells`, article by article."""
    lists = [_as_list(value) or [NO_TOPIC] for value in topics]
    counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    rows = np.repeat(np.arange(len(lists)), counts)
    codes, names = pd.factorize(np.array([t for items in lists for t in items], dtype=object))
    folded = pd.factorize(np.array([name.casefold() for name in names], dtype=object))[0]
    return rows, folded[codes] if len(codes) else codes.astype(np.int64)


def _as_list(value: object) -> list:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [str(item) for item in value]
