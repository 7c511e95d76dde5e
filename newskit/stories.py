"""Stories: which articles are copies of one piece (wire copy, syndication, re-posts).

:func:`build_stories` links articles on evidence, strongest first, and takes the connected
groups (union-find) as stories:

1. **Same address**: the same :func:`newskit.urls.normalize_url` key of any of an article's
   ``original_url``, ``web_url``, ``amp_url``, ``cdn_amp_url``.
2. **Related link**: a ``related`` entry whose address is another article of the corpus, when
   the two titles agree (same title key, or at least ``related_threshold`` of their words in
   common): a related list also holds other stories about the same event, which stay apart.
3. **Same title**: the same title key (:func:`title_key`: case, punctuation, quotes and
   whitespace ignored; the outlet's name after `` - ``/`` | ``, and section prefixes such as
   ``Opinion |``, removed), published within ``window_days`` of the first such copy.
   An undated article joins the earliest dated article with its title. A trimmed title
   (``...``) of at least :data:`TRIMMED_MIN_WORDS` words joins the titles that start with its
   words within ``window_days`` of it, when they are all one title.
4. **Same excerpt** (``excerpts``): the same first or last :data:`EXCERPT_KEY_BYTES` bytes of
   the excerpt (a copy may put its source first, or cut the text short), from another
   provider, published within ``window_days`` of the first such copy, with titles sharing at
   least ``related_threshold`` of their words.
5. **Near-duplicate** (needs scikit-learn, ``pip install 'newskit[stories]'``), between articles
   published within ``window_days``: TF-IDF cosine of the title keys at least ``threshold``; or
   excerpts with a TF-IDF cosine of at least ``excerpt_threshold`` and titles sharing at least
   ``related_threshold`` of their words (a rewritten headline over edited wire text).

Rules 2, 4 and 5 also need the two titles to carry the same numbers, month and weekday names
(:func:`title_markers`), so the next issue of a series ("... Update - October 2019" and "... -
February 2020") and a template with another date stay apart; a trimmed title (ending in
``...``) only needs its markers to be among the other's.

A story is named by the ``article_id`` of its earliest copy (earliest ``published_at``, undated
last, ties by ``article_id``), so ids are stable across loads and readable.
"""

from __future__ import annotations

import html
import importlib.util
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from newskit.schema import (
    KEY_MADE,
    MEMORY_POOL,
    STORY_COLUMNS,
    STORY_KEY_COLUMNS,
    STRING,
    arrow_schema,
    as_text,
    first_places,
    frame_to_table,
    plain_keys,
    table_to_frame,
)
from newskit.urls import normalize_text_urls

#: The article columns whose addresses identify a story.
URL_COLUMNS = ("original_url", "web_url", "amp_url", "cdn_amp_url")


_MONTHS = (
    "january february march april june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
_DAYS = "monday tuesday wednesday thursday friday saturday sunday"
#: Words that tell one issue of a series from the next (with any token holding a digit).
#: "may" is left out: it is more often the verb.
MARKER_WORDS = frozenset((_MONTHS + " " + _DAYS).split())

#: Section names cut from the start of a title with the ``|`` or ``:`` after them ("Opinion |
#: ...", "Watch: ..."); newskit/_keys.c holds the same list (the tests check it).
SECTION_NAMES = (
    "opinion", "analysis", "editorial", "commentary", "comment", "exclusive", "breaking news",
    "breaking", "updated", "update", "watch", "video", "live", "podcast", "re-transmission",
    "retransmission", "correction", "corrected", "press release", "sponsored", "review",
    "explainer",
)  # fmt: skip
_SECTION_PREFIX = re.compile(
    r"^\s*(?:" + "|".join(map(re.escape, SECTION_NAMES)) + r")\s*[|:]\s*", re.IGNORECASE
)
_SUFFIX_SEPARATOR = re.compile(r"\s+(?:[-|–—·•]|::)\s+")
_TRAILING_SEPARATOR = re.compile(r"\s+(?:[-|–—·•]|::)\s*$")
_TRIMMED = re.compile(r"\s*(?:\.\.\.|…)\s*$")
#: Quote marks dropped from titles before splitting words ("Flow’s" is one word).
_QUOTES = ("’", "‘", "'", "`", "´")
_TOKEN = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class StoryOptions:
    """How :func:`build_stories` links articles (see the module docstring for the rules).

    Parameters
    ----------
    enabled : bool, default True
        False: every article is its own story.
    window_days : float, default 3
        Same-title and near-duplicate copies must be published within this many days.
    threshold : float, default 0.8
        TF-IDF cosine of two titles from which they are near-duplicates.
    excerpt_threshold : float, default 0.8
        Excerpt cosine that, with titles sharing ``related_threshold`` of their words, makes
        a pair.
    related_threshold : float, default 0.5
        Share of the shorter title's words the other must have, with other evidence (a
        related link, alike excerpts).
    excerpts : bool, default True
        Use rule 4 (the same excerpt opening or ending).
    near_duplicates : bool or None, default False
        Use rule 5 (it costs several times a cold load of the files: see the README); None:
        when scikit-learn is installed. True without it raises ImportError.
    """

    enabled: bool = True
    window_days: float = 3.0
    threshold: float = 0.8
    excerpt_threshold: float = 0.8
    related_threshold: float = 0.5
    excerpts: bool = True
    near_duplicates: bool | None = False

    def __post_init__(self) -> None:
        if not np.isfinite(self.window_days) or self.window_days < 0:
            raise ValueError(f"window_days must be a number >= 0, not {self.window_days!r}")
        for name in ("threshold", "excerpt_threshold", "related_threshold"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 < value <= 1:
                raise ValueError(f"{name} must be in (0, 1], not {value!r}")
        if self.excerpts not in (True, False):
            raise ValueError(f"excerpts must be True or False, not {self.excerpts!r}")
        if self.near_duplicates not in (None, True, False):
            raise ValueError(
                f"near_duplicates must be True, False or None, not {self.near_duplicates!r}"
            )

    def resolved(self) -> StoryOptions:
        """These options with ``near_duplicates`` decided (True or False): what a cache key
        should hold, since None depends on what is installed."""
        if self.near_duplicates is not None:
            return self
        return replace(self, near_duplicates=_has_sklearn())


class Stories(NamedTuple):
    """What :func:`build_stories` returns."""

    #: The story of each article: a ``string`` Series aligned with ``articles``.
    story_id: pd.Series
    #: One row per story (:data:`STORY_COLUMNS`), earliest first (Arrow with ``as_arrow``).
    stories: pd.DataFrame | pa.Table
    #: The story of each related entry whose address is an article of the corpus (else
    #: ``<NA>``): a ``string`` Series aligned with ``related``.
    related_story_id: pd.Series
    #: Whether each related entry is a copy of the article that lists it (same address, or
    #: titles that rule 3 or 5 would link): a ``bool`` Series aligned with ``related``.
    related_is_copy: pd.Series


def _has_sklearn() -> bool:
    return importlib.util.find_spec("sklearn") is not None


def _title_keys(
    titles: pd.Series | pa.ChunkedArray, outlets: frozenset[str]
) -> tuple[pa.Array, np.ndarray, pa.Array]:
    """:func:`title_key` of each title: its key, whether it was trimmed, and the name key of
    its last `` - ``/`` | `` part (``None`` when it has none), the part an outlet name in
    ``outlets`` would be cut from.

    Plain titles (see ``newskit/_keys.c``: printable ASCII, with Latin-1 letters and a few
    dashes and quotes there; no entity, section name, ``...``, and no last `` - `` part that is
    an outlet in ``outlets``) have their key made over the whole column, by newskit's C keys or
    else (ASCII titles with no `` - `` part) Arrow string kernels, which give what
    :func:`title_key` gives there; every other distinct title goes through :func:`title_key`
    once.
    """
    text = pa.large_string()
    values = as_text(titles)
    made = plain_keys("title", values)
    if made is not None:  # by newskit's C keys, which give what title_key gives there
        keys, status, suffix = made
        quick = pa.array(status == KEY_MADE)
        if outlets:  # an outlet's name is cut from a title's end by title_key
            cut = pc.is_in(suffix, value_set=pa.array(sorted(outlets), text))
            quick = pc.and_not(quick, cut)
        keys = keys.fill_null("")
    else:
        quick = pc.and_(
            pc.match_substring_regex(values, r"^[ -~]*$"),
            pc.invert(pc.match_substring_regex(values, r"[&|:]| - |\.\.\. *$")),
        ).fill_null(False)
        words = pc.replace_substring_regex(
            pc.replace_substring_regex(pc.ascii_lower(values), pattern="['`]", replacement=""),
            pattern="[^a-z0-9_]+",
            replacement=" ",
        )
        keys = pc.if_else(quick, pc.ascii_trim(words, characters=" "), pa.scalar("", text))
        suffix = pa.nulls(len(values), text)
    trimmed = np.zeros(len(values), dtype=bool)
    other = pc.and_(pc.invert(quick), pc.is_valid(values)).fill_null(False)
    if pc.any(other).as_py():
        rows = np.flatnonzero(other.to_numpy(zero_copy_only=False))
        rest = pc.filter(values, other).to_pylist()
        known = {title: _title_parts(title, outlets) for title in dict.fromkeys(rest)}
        keys = pc.replace_with_mask(keys, other, pa.array([known[t][0] for t in rest], text))
        trimmed[rows] = [known[t][1] for t in rest]
        suffix = pc.replace_with_mask(suffix, other, pa.array([known[t][2] for t in rest], text))
    return keys, trimmed, suffix


def article_keys(articles: pd.DataFrame | pa.Table) -> pa.Table:
    """What the story rules compare of each article, made without the rest of the corpus, so
    that a load makes it as it parses each file and a cache keeps it
    (:data:`newskit.schema.STORY_KEY_COLUMNS`): each URL column's
    :func:`newskit.urls.normalize_url` (missing where an earlier URL column of the article has
    the same), the title's :func:`title_key` with no outlet names,
    whether it was trimmed, and the name key of its last `` - ``/`` | `` part, from which
    :func:`build_stories` cuts an outlet name of the corpus."""
    n = articles.num_rows if isinstance(articles, pa.Table) else len(articles)
    names = articles.column_names if isinstance(articles, pa.Table) else articles.columns
    text = pa.large_string()

    def column(name: str) -> pa.Array:
        if name not in names:
            return pa.nulls(n, text)
        return as_text(articles[name] if isinstance(articles, pd.DataFrame) else articles[name])

    keys, trimmed, suffix = _title_keys(column("title"), frozenset())
    table = {"article_id": column("article_id")}
    # an address an earlier URL column of the same article has is left out (missing): it links
    # nothing more, and is never where an address first appears
    earlier: list[pa.Array] = []
    written: list[pa.Array] = []
    for name in URL_COLUMNS:
        raw = column(name)
        for before in written:  # the same text: the same address, normalised once
            raw = _unless_equal(raw, before)
        address = normalize_text_urls(raw)
        for before in earlier:
            address = _unless_equal(address, before)
        table[name] = address
        earlier.append(address)
        written.append(column(name))
    table |= {"title_key": keys, "title_trimmed": pa.array(trimmed), "title_suffix": suffix}
    return pa.table(table, schema=arrow_schema(STORY_KEY_COLUMNS))


def _unless_equal(values: pa.Array, other: pa.Array) -> pa.Array:
    """``values``, missing where ``other`` holds the same value."""
    return pc.if_else(pc.equal(values, other).fill_null(False), None, values)


def _keys_of(keys: pd.DataFrame | pa.Table, articles: pd.DataFrame) -> bool:
    """Whether ``keys`` are article keys of ``articles``, row for row."""
    if len(keys) != len(articles) or "article_id" not in articles:
        return False
    # chunk by chunk: the two columns are cut differently, and joining them would copy both
    ids = as_text(keys["article_id"], chunked=True)
    return ids.equals(as_text(articles["article_id"], chunked=True))


def _cut_outlets(
    titles: pd.Series, keys: pa.Table, outlets: frozenset[str]
) -> tuple[pa.Array, np.ndarray]:
    """The title keys (Arrow text) and trimmed flags of :func:`title_key` with ``outlets``,
    from :func:`article_keys` (made with none): only a title whose last part is an outlet
    name is keyed again."""
    title_keys = keys["title_key"].combine_chunks().cast(pa.large_string())
    trimmed = keys["title_trimmed"].to_numpy().copy()
    again = pc.is_in(keys["title_suffix"], value_set=pa.array(sorted(outlets), pa.large_string()))
    again = again.fill_null(False).combine_chunks() if len(keys) else pa.array([], pa.bool_())
    if pc.any(again).as_py():
        rows = np.flatnonzero(again.to_numpy(zero_copy_only=False))
        rest = pc.filter(as_text(titles), again).to_pylist()
        known = {title: title_key(title, outlets) for title in dict.fromkeys(rest)}
        title_keys = pc.replace_with_mask(
            title_keys, again, pa.array([known[t][0] for t in rest], pa.large_string())
        )
        trimmed[rows] = [known[t][1] for t in rest]
    return title_keys, trimmed


class _Markers:
    """:func:`title_markers` of each row's title key, made when a rule first compares it."""

    def __init__(self, keys: np.ndarray) -> None:
        self.keys = keys
        self.known: dict[int, frozenset[str]] = {}

    def __getitem__(self, row: int) -> frozenset[str]:
        found = self.known.get(row)
        if found is None:
            found = self.known[row] = title_markers(self.keys[row])
        return found


# --------------------------------------------------------------------------- titles


def _without_quotes(text: str) -> str:
    # str.replace per mark: str.translate looks every character up in a dict (20x slower)
    for mark in _QUOTES:
        if mark in text:
            text = text.replace(mark, "")
    return text


def _name_key(text: str) -> str:
    text = _without_quotes(unicodedata.normalize("NFKC", text).casefold())
    words = _TOKEN.findall(text)
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def outlet_names(
    articles: pd.DataFrame | pa.Table, related: pd.DataFrame | pa.Table | None = None
) -> frozenset[str]:
    """The outlet names a title may end with, as :func:`title_key` compares them: every
    provider name and domain of the articles (and related entries), and each domain's first
    label (``yahoo`` for ``yahoo.com``). Frames or Arrow tables."""
    names: set[str] = set()
    for frame in (articles, related):
        if frame is None or not len(frame):
            continue
        columns = frame.column_names if isinstance(frame, pa.Table) else frame.columns
        for column in ("provider_name", "provider_domain"):
            if column not in columns:
                continue
            # the column's chunks as they are (a merged load's are many: no copy into one)
            found = pc.unique(as_text(frame[column], chunked=True), memory_pool=MEMORY_POOL)
            found = found.drop_null().to_pylist()
            names.update(found)
            if column == "provider_domain":
                names.update(domain.removeprefix("www.").split(".")[0] for domain in found)
    return frozenset(key for key in map(_name_key, names) if key)


def title_key(title: object, outlets: frozenset[str] = frozenset()) -> tuple[str, bool]:
    """The key two copies of a title share, and whether the title was trimmed (``...``).

    Parameters
    ----------
    title : str
        A title, HTML entities decoded or not.
    outlets : frozenset of str
        Outlet names (from :func:`outlet_names`) removed when a title ends with
        `` - NAME`` or `` | NAME``.

    Returns
    -------
    (str, bool)
        Lower-case words joined by spaces (``""`` for no title), and the trimmed flag.

    Examples
    --------
    >>> title_key("Opinion | Robots &amp; Us - The New York Times", frozenset({"new york times"}))
    ('robots us', False)
    """
    key, trimmed, _ = _title_parts(title, outlets)
    return key, trimmed


def _title_parts(title: object, outlets: frozenset[str]) -> tuple[str, bool, str | None]:
    """:func:`title_key`, and the name key of the title's last `` - ``/`` | `` part before
    anything is cut (None when it has none): outlet names can only change a key whose
    last part is one of them."""
    if not isinstance(title, str):
        return "", False, None
    text = html.unescape(title) if "&" in title else title
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = text.strip()
    trimmed = text.endswith(("...", "…"))
    if trimmed:
        text = _TRIMMED.sub("", text)
        # the last word of a trimmed title may be cut short
        text = text.rsplit(None, 1)[0] if len(text.split()) > 1 else text
    suffix = None
    for _ in range(2):  # "Opinion | ... | The Star - Yahoo"
        before = text
        parts = _SUFFIX_SEPARATOR.split(text)
        if len(parts) > 1:
            name = _name_key(parts[-1])
            suffix = name if suffix is None else suffix
            if name in outlets:
                text = text[: text.rfind(parts[-1])]
                text = _TRAILING_SEPARATOR.sub("", text)
        text = _SECTION_PREFIX.sub("", text)
        if text == before:
            break
    words = _TOKEN.findall(_without_quotes(text.casefold()))
    return " ".join(words), trimmed, suffix


def title_markers(key: str) -> frozenset[str]:
    """The words of a title key that tell one issue of a series from another: tokens with a
    digit, and month and weekday names (:data:`MARKER_WORDS`)."""
    words = set(key.split())
    found = words & MARKER_WORDS
    if _DIGIT.search(key):
        found |= {word for word in words if _DIGIT.search(word)}
    return frozenset(found)


def _markers_agree(a: frozenset, a_trimmed: bool, b: frozenset, b_trimmed: bool) -> bool:
    return a == b or (a_trimmed and a <= b) or (b_trimmed and b <= a)


def _overlap(a: str, b: str) -> float:
    """Share of words in common (of the shorter title: a trimmed or shortened copy keeps
    most of its words)."""
    sa, sb = set(a.split()), set(b.split())
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / min(len(sa), len(sb))


# --------------------------------------------------------------------------- union-find


class _Groups:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        parent = self.parent
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)

    def link(self, first: np.ndarray, second: np.ndarray) -> None:
        for i, j in zip(first.tolist(), second.tolist(), strict=True):
            self.union(i, j)

    def roots(self) -> np.ndarray:
        """Each element's root (the smallest element of its group: a union keeps the
        smaller root), by following parents until nothing changes."""
        parent = np.array(self.parent, dtype="int64")
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                return parent
            parent = grand


# --------------------------------------------------------------------------- the rules


def _hours(when: pd.Series) -> np.ndarray:
    nanos = _nanoseconds(when)
    return np.where(nanos == _NAT, np.nan, nanos.astype("float64") / 3.6e12)


#: What :func:`_nanoseconds` gives for a missing date (the smallest int64: never a maximum).
_NAT = np.iinfo("int64").min


def _nanoseconds(when: pd.Series) -> np.ndarray:
    """Dates as nanoseconds since the epoch (UTC), :data:`_NAT` where missing."""
    when = pd.to_datetime(when, utc=True).astype("datetime64[ns, UTC]")
    return when.astype("int64").to_numpy()


def _title_edges(keys: pa.Array, hours: np.ndarray, window: float) -> tuple[np.ndarray, np.ndarray]:
    """Rule 3: the same title key within ``window`` hours of the first copy of a run (so a
    daily series with one title is not chained into one story); an undated copy joins the
    earliest dated one. (Copies with one key carry the same markers.)"""
    code = _codes(pc.dictionary_encode(pa.chunked_array([keys]), memory_pool=MEMORY_POOL))
    # one-word titles are too weak
    code[~pc.match_substring(keys, " ").fill_null(False).to_numpy(zero_copy_only=False)] = -1
    return _run_pairs(code, hours, window)


def _run_pairs(code: np.ndarray, hours: np.ndarray, window: float) -> tuple[np.ndarray, np.ndarray]:
    """Rows that share a ``code`` (``-1``: none), each with the row it joins: the first row
    of its run (the rows within ``window`` hours of the run's first), or, for an undated row,
    the earliest row of its code. The first rows of runs join nothing."""
    first: list[int] = []
    second: list[int] = []
    shared = np.bincount(code[code >= 0], minlength=1)
    rows = np.flatnonzero((code >= 0) & (shared[np.maximum(code, 0)] > 1))
    when = hours[rows]
    # by code, then date (undated last), then row
    rows = rows[np.lexsort((rows, np.where(np.isnan(when), np.inf, when), code[rows]))]
    previous = None
    anchor, start, target = -1, np.nan, -1
    for key, hour, row in zip(
        code[rows].tolist(), hours[rows].tolist(), rows.tolist(), strict=True
    ):
        if key != previous:  # undated rows sort last within their code
            previous, anchor, target = key, -1, row
        if hour != hour:  # undated
            if row != target:
                first.append(row)
                second.append(target)
        elif anchor < 0 or hour - start > window:
            anchor, start = row, hour
        else:
            first.append(row)
            second.append(anchor)
    return np.array(first, dtype="int64"), np.array(second, dtype="int64")


#: A trimmed title's key needs this many words to join a title that starts with them.
TRIMMED_MIN_WORDS = 3


def _trimmed_edges(
    keys: np.ndarray, key_text: pa.Array, trimmed: np.ndarray, hours: np.ndarray, window: float
) -> tuple[np.ndarray, np.ndarray]:
    """Rule 3, trimmed titles (``key_text``: ``keys`` as Arrow): a trimmed title (``...``)
    joins the untrimmed titles that start with its words (and so carry its markers),
    published within ``window`` hours of it, when they are all one title (a start that
    several titles share stays apart)."""
    first: list[int] = []
    second: list[int] = []
    for row, found in titles_started(keys, key_text, trimmed):
        lag = np.abs(hours[found] - hours[row])
        found = found[~(lag > window)]  # an undated title is within any window
        if len(found) and (keys[found] == keys[found[0]]).all():
            first.append(row)
            second.append(int(found[0]))
    return np.array(first, dtype="int64"), np.array(second, dtype="int64")


def titles_started(
    keys: np.ndarray, key_text: pa.Array | pa.ChunkedArray, trimmed: np.ndarray
) -> Iterator[tuple[int, np.ndarray]]:
    """Each trimmed title key of at least :data:`TRIMMED_MIN_WORDS` words (its row), with the
    rows of the untrimmed titles that start with its words (``key_text``: ``keys`` as Arrow)."""
    cut = [
        row
        for row in np.flatnonzero(trimmed).tolist()
        if keys[row].count(" ") + 1 >= TRIMMED_MIN_WORDS
    ]
    if not cut:
        return
    # the untrimmed titles in key order (Arrow sorts text several times faster than numpy
    # sorts str objects, in the same order)
    order = pc.sort_indices(key_text).to_numpy()
    whole = order[~trimmed[order] & (keys[order] != "")]
    ordered = keys[whole]
    for row in cut:
        start = keys[row] + " "
        lo, hi = np.searchsorted(ordered, [start, start + "\U0010ffff"])
        yield row, whole[lo:hi]


#: Rule 4 compares the first and the last this many bytes of excerpts at least as long (in
#: UTF-8: 64 characters of English text).
EXCERPT_KEY_BYTES = 64


def _excerpt_edges(
    excerpts: pa.ChunkedArray,
    keys: np.ndarray,
    markers: _Markers,
    trimmed: np.ndarray,
    hours: np.ndarray,
    providers: np.ndarray,
    roots: np.ndarray,
    options: StoryOptions,
) -> tuple[np.ndarray, np.ndarray]:
    """Rule 4: the same excerpt opening or ending (its first or last
    :data:`EXCERPT_KEY_BYTES` bytes: a copy may add a source before the text, or cut it
    short) within ``window_days`` of the first copy of a run, from another provider
    (``providers``: a number per provider, -1 unknown), when the titles share
    ``related_threshold`` of their words and their markers agree. Rows of one story
    (``roots``) are not compared again."""
    window = options.window_days * 24
    # bytes, not characters: keys only need to be equal where the texts' ends are
    raw = excerpts.cast(pa.large_binary())
    ends = [pc.binary_slice(raw, 0, EXCERPT_KEY_BYTES), pc.binary_slice(raw, -EXCERPT_KEY_BYTES)]
    ends = pa.chunked_array([chunk for end in ends for chunk in end.chunks])
    code = _codes(pc.dictionary_encode(ends, memory_pool=MEMORY_POOL))
    n = len(excerpts)
    long = pc.greater_equal(pc.binary_length(raw), EXCERPT_KEY_BYTES).fill_null(False)
    short = ~long.to_numpy(zero_copy_only=False)
    code[:n][short] = -1
    code[n:][short] = -1
    pairs = [_run_pairs(code[:n], hours, window), _run_pairs(code[n:], hours, window)]
    a = np.concatenate([pairs[0][0], pairs[1][0]])
    b = np.concatenate([pairs[0][1], pairs[1][1]])
    # an outlet's own articles sharing an opening are more often a template (a series of
    # videos, a newsletter) than copies, which rules 1 and 3 find within one outlet anyway
    keep = (roots[a] != roots[b]) & ((providers[a] != providers[b]) | (providers[a] < 0))
    a, b = a[keep], b[keep]
    agree = np.array(
        [
            bool(keys[x])
            and bool(keys[y])
            and _overlap(keys[x], keys[y]) >= options.related_threshold
            and _markers_agree(markers[x], trimmed[x], markers[y], trimmed[y])
            for x, y in zip(a.tolist(), b.tolist(), strict=True)
        ],
        dtype=bool,
    )
    return a[agree], b[agree]


def _tfidf(texts: list[str]):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        token_pattern=r"(?u)\b\w+\b",
        stop_words="english",
        sublinear_tf=True,
        dtype=np.float32,
    )
    try:
        return vectorizer.fit_transform(texts).tocsr()
    except ValueError:  # nothing but stop words
        return None


def _near_pairs(
    matrix, hours: np.ndarray, window: float, floor: float, chunk: int = 1000
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (i < j, rows in date order) within ``window`` hours whose cosine (rows of
    ``matrix`` are L2-normalised) is at least ``floor``: each block of ``chunk`` rows against
    the rows up to ``window`` after its last, so the work grows with the articles per window,
    not with the square of the corpus."""
    firsts = [np.array([], dtype="int64")]
    seconds = [np.array([], dtype="int64")]
    scores = [np.array([], dtype="float32")]
    n = 0 if matrix is None else matrix.shape[0]
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        reach = int(np.searchsorted(hours, hours[stop - 1] + window, side="right"))
        block = (matrix[start:stop] @ matrix[start:reach].T).tocoo()
        rows = block.row.astype("int64") + start
        cols = block.col.astype("int64") + start
        keep = (cols > rows) & (block.data >= floor - 1e-6)
        rows, cols, data = rows[keep], cols[keep], block.data[keep]
        near = hours[cols] - hours[rows] <= window
        firsts.append(rows[near])
        seconds.append(cols[near])
        scores.append(data[near])
    return np.concatenate(firsts), np.concatenate(seconds), np.concatenate(scores)


def _near_edges(
    keys: np.ndarray,
    excerpts: list[str],
    markers: _Markers,
    trimmed: np.ndarray,
    hours: np.ndarray,
    options: StoryOptions,
) -> tuple[np.ndarray, np.ndarray]:
    """Rule 5 over the dated articles with a title."""
    rows = np.flatnonzero(~np.isnan(hours) & (keys != ""))
    rows = rows[np.argsort(hours[rows], kind="stable")]
    when = hours[rows]
    window = options.window_days * 24
    i, j, _ = _near_pairs(_tfidf([keys[r] for r in rows]), when, window, options.threshold)
    texts = [excerpts[r] for r in rows]
    if sum(1 for text in texts if text) > 1:
        ei, ej, _ = _near_pairs(_tfidf(texts), when, window, options.excerpt_threshold)
        agree = np.array(
            [
                _overlap(keys[rows[x]], keys[rows[y]]) >= options.related_threshold
                for x, y in zip(ei.tolist(), ej.tolist(), strict=True)
            ],
            dtype=bool,
        )
        i, j = np.concatenate([i, ei[agree]]), np.concatenate([j, ej[agree]])
    a, b = rows[i], rows[j]
    agree = np.array(
        [
            _markers_agree(markers[x], trimmed[x], markers[y], trimmed[y])
            for x, y in zip(a.tolist(), b.tolist(), strict=True)
        ],
        dtype=bool,
    )
    return a[agree], b[agree]


def _excerpt_text(value: object) -> str:
    return html.unescape(value) if isinstance(value, str) else ""


# --------------------------------------------------------------------------- the stories


def build_stories(
    articles: pd.DataFrame,
    related: pd.DataFrame | None = None,
    *,
    topics: pd.DataFrame | None = None,
    options: StoryOptions | None = None,
    keys: pd.DataFrame | pa.Table | None = None,
    outlets: frozenset[str] | None = None,
    as_arrow: bool = False,
) -> Stories:
    """Group the articles that are copies of one piece into stories.

    Parameters
    ----------
    articles : DataFrame
        ``corpus.articles`` (``article_id``, ``title``, ``excerpt``, ``published_at``, the URL
        columns, ``provider_name``, ``provider_domain``; ``topics`` when no ``topics`` table).
    related : DataFrame, optional
        ``corpus.related`` (``article_id``, ``title``, ``published_at``, ``web_url``,
        ``provider_name``, ``provider_domain``).
    topics : DataFrame, optional
        ``corpus.topics`` (``article_id``, ``topic``); default the ``topics`` lists of
        ``articles``.
    options : StoryOptions, optional
        The rules' settings; default ``StoryOptions()``.
    keys : DataFrame or pyarrow.Table, optional
        :func:`article_keys` of ``articles``, row for row, when known (a load makes them as
        it parses each file); made here otherwise.
    outlets : frozenset of str, optional
        The outlet names cut from the end of titles (:func:`title_key`); default
        :func:`outlet_names` of ``articles`` and ``related`` (a part of a corpus grouped again
        takes the whole corpus's).
    as_arrow : bool, default False
        Give the stories table as a :class:`pyarrow.Table` of the same columns (as a load
        keeps it, making a frame of it only when ``corpus.stories`` is first asked for).

    Returns
    -------
    Stories
        ``story_id`` (aligned with ``articles``), ``stories`` (one row per story),
        ``related_story_id`` and ``related_is_copy`` (aligned with ``related``).
    """
    options = (options or StoryOptions()).resolved()
    text = pa.large_string()
    if options.near_duplicates and not _has_sklearn():
        raise ImportError(
            "near-duplicate stories need scikit-learn: pip install 'newskit[stories]' "
            "(or StoryOptions(near_duplicates=False))"
        )
    related = related if related is not None else _empty_related()
    n = len(articles)
    ids = as_text(articles["article_id"])
    hours = _hours(articles["published_at"]) if n else np.array([], dtype="float64")
    groups = _Groups(n)
    if keys is None or not _keys_of(keys, articles):
        keys = article_keys(articles)
    elif isinstance(keys, pd.DataFrame):
        keys = frame_to_table(keys, STORY_KEY_COLUMNS)
    if options.enabled:
        outlets = outlet_names(articles, related) if outlets is None else outlets
        key_text, trimmed = _cut_outlets(articles["title"], keys, outlets)
    else:  # no rule compares titles
        outlets = frozenset()
        key_text, trimmed = pa.repeat(pa.scalar("", text), n), np.zeros(n, bool)
    title_keys = key_text.to_numpy(zero_copy_only=False) if n else np.array([], object)
    markers = _Markers(title_keys)

    # rule 1: one address (the URL columns one after another, then the rows), encoded as
    # one column with one dictionary, without joining the columns first
    address = pc.dictionary_encode(
        pa.chunked_array(
            [chunk for c in URL_COLUMNS for chunk in keys[c].cast(text).chunks], type=text
        ),
        memory_pool=MEMORY_POOL,
    )
    codes = _codes(address)
    dictionary = address.chunk(0).dictionary if address.num_chunks else pa.array([], text)
    rows = np.tile(np.arange(n, dtype="int64"), len(URL_COLUMNS))
    valid = np.flatnonzero(codes >= 0)
    # the row where each address first appears: codes are numbered in order of first
    # appearance, so a code's first place is where it exceeds every code before it
    found = codes[valid]
    new = found > np.maximum.accumulate(np.concatenate(([-1], found[:-1])))
    first_row = np.full(len(dictionary), -1, dtype="int64")
    first_row[found[new]] = rows[valid[new]]
    if options.enabled and len(valid):
        linked = first_row[codes[valid]]
        apart = rows[valid] != linked
        groups.link(rows[valid][apart], linked[apart])

    # rule 2: a related entry that is another article of the corpus
    listing = pc.index_in(as_text(related["article_id"]), value_set=ids)
    listing = listing.fill_null(-1).to_numpy(zero_copy_only=False).astype("int64")
    related_keys = normalize_text_urls(as_text(related["web_url"]))
    where = pc.index_in(related_keys, value_set=dictionary, memory_pool=MEMORY_POOL).fill_null(-1)
    where = where.to_numpy(zero_copy_only=False).astype("int64")
    target = np.where(where >= 0, first_row[np.maximum(where, 0)] if len(first_row) else -1, -1)
    if options.enabled:
        for a, b in zip(listing.tolist(), target.tolist(), strict=True):
            if a < 0 or b < 0 or a == b:
                continue
            same = (
                title_keys[a] == title_keys[b]
                or _overlap(title_keys[a], title_keys[b]) >= options.related_threshold
            )
            if (
                same
                and title_keys[a]
                and _markers_agree(markers[a], trimmed[a], markers[b], trimmed[b])
            ):
                groups.union(a, b)

    if options.enabled and n > 1:
        window = options.window_days * 24
        groups.link(*_title_edges(key_text, hours, window))  # rule 3
        groups.link(*_trimmed_edges(title_keys, key_text, trimmed, hours, window))
        if options.excerpts and "excerpt" in articles:  # rule 4
            excerpts = as_text(articles["excerpt"], chunked=True)  # no copy of the texts
            providers = _provider_numbers(articles)
            groups.link(
                *_excerpt_edges(
                    excerpts,
                    title_keys,
                    markers,
                    trimmed,
                    hours,
                    providers,
                    groups.roots(),
                    options,
                )
            )
        if options.near_duplicates:  # rule 5
            excerpts = [_excerpt_text(v) for v in articles["excerpt"].astype(object)]
            first, second = _near_edges(title_keys, excerpts, markers, trimmed, hours, options)
            groups.link(first, second)

    by_time = _by_time(ids, hours)
    roots = groups.roots()
    first_copy = _first_copies(roots, by_time)
    story_ids = pc.take(ids, first_copy)
    story_codes = pd.factorize(roots)[0]  # the codes pd.factorize gives story_id, on integers
    listed = pa.array(first_copy[np.maximum(target, 0)] if n else target, mask=target < 0)
    related_story = pc.take(ids, listed)
    related_copy = _related_copies(
        related, listing, target, title_keys, trimmed, markers, hours, outlets, options
    )
    table = _story_table(articles, story_ids, topics, by_time, story_codes)
    return Stories(
        story_id=_text_series(story_ids, articles.index, "story_id"),
        stories=table if as_arrow else table_to_frame(table, STORY_COLUMNS),
        related_story_id=_text_series(related_story, related.index, "story_id"),
        related_is_copy=pd.Series(related_copy, index=related.index, dtype=bool, name="is_copy"),
    )


def _provider_numbers(articles: pd.DataFrame) -> np.ndarray:
    """A number per provider (its domain, else its name) for each article; -1 unknown."""
    names = [
        as_text(articles[column])
        if column in articles
        else pa.nulls(len(articles), pa.large_string())
        for column in ("provider_domain", "provider_name")
    ]
    return _codes(pc.dictionary_encode(pa.chunked_array([pc.coalesce(*names)])))


def _codes(encoded: pa.ChunkedArray) -> np.ndarray:
    """The dictionary codes of an encoded column as int64, -1 where missing (one kernel over
    every chunk: a column merged from a cache arrives in thousands)."""
    if not encoded.num_chunks:
        return np.array([], dtype="int64")
    indices = pa.chunked_array(
        [chunk.indices for chunk in encoded.chunks], type=encoded.type.index_type
    )
    return pc.fill_null(indices, -1).to_numpy().astype("int64")


def _empty_related() -> pd.DataFrame:
    return pd.DataFrame(
        {
            c: pd.Series(dtype="string")
            for c in ("article_id", "title", "web_url", "provider_name", "provider_domain")
        }
        | {"published_at": pd.Series(dtype="datetime64[ns, UTC]")}
    )


def _by_time(ids: pa.Array, hours: np.ndarray) -> np.ndarray:
    """The rows earliest first, undated last, ties by article_id (``ids``; the smaller
    first)."""
    if len(ids) < 2 or pc.all(pc.greater_equal(ids[1:], ids[:-1])).as_py():
        id_rank = np.arange(len(ids))  # in order already, as a load gives them (sort: stable)
    else:
        id_rank = pd.factorize(pd.Series(ids.to_numpy(zero_copy_only=False)), sort=True)[0]
    return np.lexsort((id_rank, np.where(np.isnan(hours), np.inf, hours)))


def _first_copies(roots: np.ndarray, by_time: np.ndarray) -> np.ndarray:
    """For each row, the row of its group's earliest copy (the first of the group's rows in
    ``by_time``, see :func:`_by_time`): the copy that names the story."""
    if not len(roots):
        return np.array([], dtype="int64")
    firsts = by_time[first_places(roots[by_time])]
    first_of = np.empty(int(roots.max()) + 1, dtype="int64")
    first_of[roots[firsts]] = firsts
    return first_of[roots]


def _text_series(values: pa.Array | pa.ChunkedArray, index: pd.Index, name: str) -> pd.Series:
    """Arrow text as a ``string`` Series on ``index``, without a copy."""
    values = values.cast(pa.large_string())
    if isinstance(values, pa.Array):
        values = pa.chunked_array([values])
    array = pd.arrays.ArrowStringArray(values)
    return pd.Series(array, index=index, dtype=STRING, name=name)


def _related_copies(
    related: pd.DataFrame,
    listing: np.ndarray,
    target: np.ndarray,
    keys: np.ndarray,
    trimmed: np.ndarray,
    markers: _Markers,
    hours: np.ndarray,
    outlets: frozenset[str],
    options: StoryOptions,
) -> np.ndarray:
    """Whether each related entry is the listing article itself, copied by another outlet."""
    out = np.zeros(len(related), dtype=bool)
    if not options.enabled or related.empty:
        return out
    entry_hours = _hours(related["published_at"])
    window = options.window_days * 24
    listed = listing >= 0
    out[listed & (target == listing)] = True
    todo = np.flatnonzero(listed & (target != listing))
    # entries of an untitled article, or published outside the window, are not its copies
    lag = np.abs(entry_hours[todo] - hours[listing[todo]])
    todo = todo[(keys[listing[todo]] != "") & ~(lag > window)]
    titles = related["title"].reset_index(drop=True).take(todo)
    entry_keys, entry_cut, _ = _title_keys(titles, outlets)
    entry_keys = entry_keys.to_numpy(zero_copy_only=False)
    for k, key, cut in zip(todo.tolist(), entry_keys, entry_cut.tolist(), strict=True):
        row = listing[k]
        if not key:
            continue
        alike = key == keys[row] or (
            (cut or trimmed[row]) and _overlap(key, keys[row]) >= options.threshold
        )
        out[k] = alike and _markers_agree(title_markers(key), cut, markers[row], trimmed[row])
    return out


def build_story_table(
    articles: pd.DataFrame, *, topics: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The stories table (:data:`STORY_COLUMNS`) of articles that carry a ``story_id``, such
    as a selection of a corpus: each story as its copies among these articles show it.

    Parameters
    ----------
    articles : DataFrame
        ``corpus.articles`` with ``story_id``.
    topics : DataFrame, optional
        ``corpus.topics``; default the ``topics`` lists of ``articles``.
    """
    if "story_id" not in articles:
        raise ValueError("articles has no story_id column: add it with build_stories")
    hours = _hours(articles["published_at"]) if len(articles) else np.array([], "float64")
    table = _story_table(
        articles,
        as_text(articles["story_id"]),
        topics,
        _by_time(as_text(articles["article_id"]), hours),
    )
    return table_to_frame(table, STORY_COLUMNS)


def _story_table(
    articles: pd.DataFrame,
    story_id: pa.Array,
    topics: pd.DataFrame | None,
    by_time: np.ndarray,
    codes: np.ndarray | None = None,
) -> pa.Table:
    """The stories table as Arrow (a load keeps it so, and makes a frame of it when first
    asked for), from each article's ``story_id`` and the rows in time order
    (:func:`_by_time`); ``codes``, when given, are what ``pd.factorize(story_id)`` gives
    (stories numbered in order of first appearance)."""
    schema = arrow_schema(STORY_COLUMNS)
    if articles.empty:
        return schema.empty_table()
    if codes is None:
        codes = pd.factorize(story_id.to_numpy(zero_copy_only=False))[0]
    n_stories = int(codes.max()) + 1
    # each story's first copy, and the stories in the order of their first copies
    first = by_time[first_places(codes[by_time])]
    stories = codes[first]
    domain = as_text(articles["provider_domain"])
    provider = _provider_numbers(articles)
    known = provider >= 0
    width = int(provider.max()) + 1 if len(provider) else 1
    pairs = codes[known].astype("int64") * width + provider[known]
    pairs = pairs[first_places(pairs)]
    n_providers = np.bincount(pairs // width, minlength=n_stories)
    published = _nanoseconds(articles["published_at"])
    last = np.full(n_stories, _NAT, dtype="int64")
    np.maximum.at(last, codes, published)
    when = schema.field("first_published_at").type
    first_rows = pa.array(first)
    columns = {
        "story_id": pc.take(story_id, first_rows),
        "n_articles": pa.array(np.bincount(codes, minlength=n_stories)[stories]),
        "n_providers": pa.array(n_providers[stories]),
        "title": pc.take(as_text(articles["title"]), first_rows),
        "first_published_at": _timestamps(published[first], when),
        "first_provider_domain": pc.take(domain, first_rows),
        "last_published_at": _timestamps(last[stories], when),
        "topics": _story_topics(articles, codes, n_stories, topics).take(pa.array(stories)),
    }
    return pa.Table.from_arrays(
        [columns[name].cast(schema.field(name).type) for name in schema.names], schema=schema
    )


def _timestamps(values: np.ndarray, kind: pa.DataType) -> pa.Array:
    """Nanoseconds since the epoch as Arrow timestamps, NaT (the smallest int64) missing."""
    return pa.array(values, type=pa.int64(), mask=values == _NAT).cast(kind)


def _story_topics(
    articles: pd.DataFrame, codes: np.ndarray, n_stories: int, topics: pd.DataFrame | None
) -> pa.ListArray:
    """Each story's topics (those of any copy), most copies first, then alphabetical: an
    Arrow list per story, by story code (``codes``: each article's)."""
    if topics is None:
        pairs = [
            (article_id, topic)
            for article_id, values in zip(
                articles["article_id"].astype(object), articles["topics"], strict=True
            )
            if isinstance(values, (list, tuple, np.ndarray))
            for topic in dict.fromkeys(values)
        ]
        topics = pd.DataFrame(pairs, columns=["article_id", "topic"], dtype=STRING)
    row = pc.index_in(as_text(topics["article_id"]), value_set=as_text(articles["article_id"]))
    row = np.asarray(row.fill_null(-1).to_numpy(zero_copy_only=False), dtype="int64")
    topic, names = pd.factorize(topics["topic"], sort=True)
    keep = (row >= 0) & (topic >= 0)
    width = max(len(names), 1)
    pairs, counts = np.unique(
        codes[row[keep]].astype("int64") * width + topic[keep], return_counts=True
    )
    story, topic = pairs // width, pairs % width
    order = np.lexsort((topic, -counts, story))
    # one list per story (empty for a story without topics)
    offsets = np.concatenate([[0], np.cumsum(np.bincount(story, minlength=n_stories))])
    values = pa.array(np.asarray(names, dtype=object), pa.large_string()).take(topic[order])
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), values)
