"""Stories after some files changed: only the stories the changes can affect are grouped again.

Every story rule (see :mod:`newskit.stories`) decides within a group of articles that share a
key: an address (of the article or of one of its related entries), a title key, an excerpt's
opening or ending, a trimmed title and the titles it starts. An article added, edited or
removed can change the groups of its keys (its new keys and its old ones), and through them
the stories of the articles in those groups; a story that changes can take in or give up any
article of its groups. So the articles to group again are found by following keys and earlier
stories from the changed files until nothing is added: every key group that holds one of them
holds only such articles, and every earlier story either lies among them or is untouched.
Grouping them with the whole corpus's outlet names gives what grouping the whole corpus gives,
and every other article keeps its story. Options whose result a few articles cannot decide
(rule 5's TF-IDF vocabulary is the corpus's) group everything again.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from newskit.schema import (
    ARTICLE_COLUMNS,
    MEMORY_POOL,
    as_text,
    table_to_frame,
    take_as_slices,
    text_hashes,
)
from newskit.stories import (
    _SUFFIX_SEPARATOR,
    EXCERPT_KEY_BYTES,
    URL_COLUMNS,
    Stories,
    StoryOptions,
    _codes,
    _cut_outlets,
    _hours,
    _text_series,
    build_stories,
    outlet_names,
    titles_started,
)
from newskit.urls import normalize_text_urls

#: Past this share of the articles to group again, all of them are grouped again.
MAX_SHARE = 0.5
#: The article columns the story rules read.
READ_BY_STORIES = (
    "article_id", "title", "excerpt", "published_at", "provider_name", "provider_domain",
    *URL_COLUMNS,
)  # fmt: skip


class Earlier(NamedTuple):
    """The stories an earlier load found, as its cache kept them (Arrow)."""

    #: Its articles (the columns the story rules read) and their story keys.
    articles: pa.Table
    keys: pa.Table
    #: Each of its articles' story, row for row.
    story_ids: pa.ChunkedArray
    #: Its related entries (``article_id``), and each one's story and copy flag.
    related: pa.Table
    related_ids: pa.ChunkedArray
    related_copies: pa.ChunkedArray
    #: Its stories table.
    stories: pa.Table
    #: The outlet names its titles were keyed with.
    outlets: frozenset[str]


def update_stories(
    articles: pd.DataFrame,
    related: pd.DataFrame,
    *,
    topics: pd.DataFrame,
    options: StoryOptions | None,
    earlier: Earlier,
    parsed: dict[str, pa.Table],
) -> Stories | None:
    """:func:`newskit.stories.build_stories` of the articles (with ``as_arrow``), grouping
    again only the articles that the files parsed since ``earlier`` (``parsed``: their
    ``articles`` and ``story_keys`` tables) and the earlier articles no longer there can
    affect; ``None`` when the whole corpus is to be grouped again (rule 5, most articles
    affected).

    The keys are read from the earlier tables and the parsed ones, each in a few pieces,
    rather than from the corpus's merged columns, which are in thousands.
    """
    options = (options or StoryOptions()).resolved()
    n = len(articles)
    if not options.enabled or options.near_duplicates or not n:
        return None
    outlets = outlet_names(articles, related)
    old, new = earlier.articles, parsed["articles"]
    old_keys, new_keys = earlier.keys, parsed["story_keys"]
    # one number per article id: where each earlier and each parsed article, and the article
    # of each related entry, is now (one hash of the ids)
    ids = as_text(articles["article_id"], chunked=True)
    parts = [
        ids,
        old["article_id"],
        new["article_id"],
        as_text(related["article_id"]),
        earlier.related["article_id"],
    ]
    codes = _codes(pc.dictionary_encode(_joined(*parts), memory_pool=MEMORY_POOL))
    now_c, old_c, new_c, entry_c, old_entry_c = np.split(
        codes, np.cumsum([len(part) for part in parts])[:-1]
    )
    now = np.full(int(codes.max(initial=-1)) + 1, -1, dtype=np.int64)
    now[now_c] = np.arange(n)
    old_at, new_at, listing = now[old_c], now[new_c], now[entry_c]
    kept = (old_at >= 0) & ~_among(old_c, new_c, len(now))
    gone = np.flatnonzero(~kept)  # earlier articles removed or changed since
    is_fresh = np.zeros(n, dtype=bool)
    is_fresh[new_at[new_at >= 0]] = True
    reused, old_rows = np.flatnonzero(~is_fresh), np.flatnonzero(kept)
    entry_reused = (listing >= 0) & ~is_fresh[np.maximum(listing, 0)]
    old_listed = _among(old_entry_c, old_c[kept], len(now))
    if (
        (new_at < 0).any()
        or len(reused) != len(old_rows)
        or (listing < 0).any()  # an entry of no article: its story is its target's alone
        or entry_reused.sum() != old_listed.sum()
    ):
        return None
    nodes = n + len(gone)  # the articles now, then the earlier ones gone
    old_node = old_at.copy()
    old_node[gone] = np.arange(n, nodes)

    # title keys: the articles' now; the gone ones' as they were keyed (the earlier outlet
    # names); and, where the outlet names changed, the earlier keys of the titles ending in
    # one of those names, which are grouped again
    old_title, old_trimmed = _cut_outlets(old["title"], old_keys, outlets)
    new_title, new_trimmed = _cut_outlets(new["title"], new_keys, outlets)
    recut = np.array([], dtype=np.int64)  # earlier rows whose key the outlet names changed
    if outlets != earlier.outlets:
        before, before_trimmed = _cut_outlets(old["title"], old_keys, earlier.outlets)
        old_title = pc.if_else(pa.array(kept), old_title, before)
        old_trimmed = np.where(kept, old_trimmed, before_trimmed)
        changed = pa.array(sorted(outlets ^ earlier.outlets), pa.large_string())
        recut = np.flatnonzero(kept & _flags(pc.is_in(old_keys["title_suffix"], value_set=changed)))
        before, before_trimmed = before.take(pa.array(recut)), before_trimmed[recut]
    else:
        before, before_trimmed = pa.array([], pa.large_string()), np.zeros(0, dtype=bool)
    title_nodes = np.concatenate([old_node, new_at, old_node[recut]])
    titles = _joined(old_title, new_title, before)
    trimmed = np.concatenate([old_trimmed, new_trimmed, before_trimmed])
    seeds = old_node[recut]
    if outlets != earlier.outlets and len(related):  # an entry's title ending in one of them
        ends = pc.match_substring_regex(as_text(related["title"]), _SUFFIX_SEPARATOR.pattern)
        seeds = np.union1d(seeds, listing[_flags(ends)])
    linked = [
        _shared(titles, title_nodes, words=2),
        _shared(
            _joined(
                *[old_keys[c] for c in URL_COLUMNS],
                *[new_keys[c] for c in URL_COLUMNS],
                normalize_text_urls(as_text(related["web_url"])),
            ),
            np.concatenate(
                [
                    np.tile(old_node, len(URL_COLUMNS)),
                    np.tile(new_at, len(URL_COLUMNS)),
                    listing,
                ]
            ),
        ),
        # the earlier stories
        (_key_codes(earlier.story_ids), old_node),
    ]
    if options.excerpts and "excerpt" in articles:
        excerpts = _joined(old["excerpt"], new["excerpt"])
        at = np.concatenate([old_node, new_at])
        head, tail, short = _excerpt_ends(excerpts)
        linked += [_shared(head, at, without=short), _shared(tail, at, without=short)]
    first, second = (title_nodes[pair] for pair in _trimmed_pairs(titles, trimmed))

    chosen = np.concatenate([is_fresh, np.ones(nodes - n, dtype=bool)])
    chosen[seeds] = True
    while True:
        count = chosen.sum()
        for values, at in linked:
            hit = np.zeros(int(values.max(initial=-1)) + 2, dtype=bool)
            hit[values[chosen[at]]] = True  # -1 (no key) lands on the last, unused slot
            hit[-1] = False
            chosen[at[hit[values]]] = True
        either = chosen[first] | chosen[second]
        chosen[first[either]] = chosen[second[either]] = True
        if chosen.sum() == count:
            break
        if chosen[:n].sum() > MAX_SHARE * n:
            return None

    # the articles grouped again, in corpus order, from the earlier and the parsed tables
    again_old = old_rows[chosen[old_at[old_rows]]]
    again_new = np.flatnonzero(chosen[new_at])
    at = np.concatenate([old_node[again_old], new_at[again_new]])
    order = pa.array(np.argsort(at, kind="stable"))
    columns = [c for c in READ_BY_STORIES if c in old.column_names]
    part_articles = pa.concat_tables(
        [
            _rows(old.select(columns), again_old),
            _rows(new.select(columns), again_new),
        ]
    ).take(order)
    part_keys = pa.concat_tables([_rows(old_keys, again_old), _rows(new_keys, again_new)]).take(
        order
    )
    rows = np.sort(at)
    entries = np.flatnonzero(chosen[:n][listing])
    chosen_ids = as_text(part_articles["article_id"])
    part = build_stories(
        table_to_frame(part_articles, {c: ARTICLE_COLUMNS[c] for c in columns}),
        related.iloc[entries],
        topics=topics.iloc[
            np.flatnonzero(
                _flags(pc.is_in(as_text(topics["article_id"], chunked=True), value_set=chosen_ids))
            )
        ],
        options=options,
        keys=part_keys,
        outlets=outlets,
        as_arrow=True,
    )
    # each article's story: the earlier one, or the one just found for those grouped again
    source = np.full(n, -1, dtype=np.int64)
    source[old_at[old_rows]] = old_rows
    source[rows] = len(earlier.story_ids) + np.arange(len(rows))
    stories = _joined(earlier.story_ids, as_text(part.story_id)).take(pa.array(source))
    # each related entry's, likewise (entries of unchanged articles are the earlier ones, in order)
    source = np.full(len(listing), -1, dtype=np.int64)
    source[entry_reused] = np.flatnonzero(old_listed)
    source[entries] = len(earlier.related) + np.arange(len(entries))
    related_story = _joined(earlier.related_ids, as_text(part.related_story_id))
    related_story = related_story.take(pa.array(source))
    copies = pa.chunked_array(
        [*earlier.related_copies.chunks, pa.array(part.related_is_copy.to_numpy())]
    ).take(pa.array(source))
    # the earlier stories none of whose articles were grouped again, and the new ones, in
    # order: slices of the earlier table with the new rows between them
    regrouped = pc.filter(earlier.story_ids, pa.array(chosen[old_node])).unique()
    keep = ~_flags(pc.is_in(earlier.stories["story_id"], value_set=regrouped))
    table = pa.concat_tables([earlier.stories, part.stories.cast(earlier.stories.schema)])
    listed = np.concatenate(
        [np.flatnonzero(keep), len(keep) + np.arange(part.stories.num_rows, dtype=np.int64)]
    )
    listed = _in_time_order(table, listed, int(keep.sum()))
    return Stories(
        story_id=_text_series(stories, articles.index, "story_id"),
        stories=take_as_slices(table, listed),
        related_story_id=_text_series(related_story, related.index, "story_id"),
        related_is_copy=pd.Series(
            copies.to_numpy(), index=related.index, dtype=bool, name="is_copy"
        ),
    )


def _in_time_order(table: pa.Table, rows: np.ndarray, kept: int) -> np.ndarray:
    """``rows`` of a stories table in the order :func:`newskit.stories.build_stories` gives
    its stories (by their first copy's date, undated last, then id), when the first ``kept``
    rows are in that order and the others too."""
    hours = _hours(table["first_published_at"].to_pandas())[rows]
    hours = np.where(np.isnan(hours), np.inf, hours)
    order = np.argsort(hours, kind="stable")
    # runs of one date keep their order but where a new story joins one: then by id
    ordered = hours[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    ends = np.append(starts[1:], len(order))
    runs = np.unique(np.searchsorted(starts, np.flatnonzero(order >= kept), side="right") - 1)
    runs = runs[ends[runs] - starts[runs] > 1]
    for start, end in zip(starts[runs].tolist(), ends[runs].tolist(), strict=True):
        run = order[start:end]
        names = table["story_id"].take(pa.array(rows[run])).to_numpy(zero_copy_only=False)
        order[start:end] = run[np.argsort(names, kind="stable")]
    return rows[order]


def _rows(table: pa.Table, rows: np.ndarray) -> pa.Table:
    """``table.take(rows)`` for rows in order, batch by batch (``Table.take`` joins each
    column's chunks first: a copy of the whole table)."""
    batches = table.to_batches()
    bounds = np.cumsum([0] + [batch.num_rows for batch in batches])
    parts = []
    for k, batch in enumerate(batches):
        lo, hi = np.searchsorted(rows, bounds[k : k + 2])
        if hi > lo:
            parts.append(batch.take(pa.array(rows[lo:hi] - bounds[k])))
    return pa.Table.from_batches(parts, schema=table.schema)


def _joined(*parts: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    """Text columns one after another, as one chunked column (no copy)."""
    text = pa.large_string()
    return pa.chunked_array(
        [
            chunk
            for part in parts
            for chunk in (part.chunks if isinstance(part, pa.ChunkedArray) else [part])
        ],
        type=text,
    ).cast(text)


def _among(values: np.ndarray, wanted: np.ndarray, size: int) -> np.ndarray:
    """Whether each of ``values`` (numbers below ``size``) is one of ``wanted``."""
    found = np.zeros(size, dtype=bool)
    found[wanted] = True
    return found[values]


def _flags(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(values.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _flags_index(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(values.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _shared(
    values: pa.ChunkedArray, at: np.ndarray, *, words: int = 1, without: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """A number per distinct value (-1: missing or empty, fewer than ``words`` words, or where
    ``without``), and the article (node) each value is of: articles with one number share a
    key group."""
    codes = _key_codes(values)
    if pa.types.is_large_string(values.type):
        empty = _flags(pc.equal(values, ""))
        if words > 1:
            empty |= ~_flags(pc.match_substring(values, " "))
        codes[empty] = -1
    if without is not None:
        codes[without] = -1
    keep = at >= 0
    return codes[keep], at[keep]


def _key_codes(values: pa.ChunkedArray) -> np.ndarray:
    """A number per distinct value, from 0 up (-1: missing). Where newskit's C keys are built,
    the number of a 64-bit hash of each value: two values may then share one, which can only
    add articles to those grouped again (grouped with their exact keys all the same), never
    leave one out; without them, of the value itself."""
    hashes = text_hashes(values) if len(values) else None
    if hashes is None:
        return _codes(pc.dictionary_encode(values, memory_pool=MEMORY_POOL))
    if not values.null_count:
        return pd.factorize(hashes)[0].astype(np.int64, copy=False)
    # only the values there are numbered (most of the address keys are missing: the same
    # address as an earlier column's)
    valid = _flags(values.is_valid())
    codes = np.full(len(values), -1, dtype=np.int64)
    codes[valid] = pd.factorize(hashes[valid])[0]
    return codes


def _excerpt_ends(excerpts: pa.ChunkedArray) -> tuple[pa.ChunkedArray, pa.ChunkedArray, np.ndarray]:
    """The first and the last :data:`~newskit.stories.EXCERPT_KEY_BYTES` bytes of each excerpt
    (rule 4's keys), and which excerpts are too short (or missing) to have them."""
    raw = excerpts.cast(pa.large_binary())
    long = pc.greater_equal(pc.binary_length(raw), EXCERPT_KEY_BYTES)
    head = pc.binary_slice(raw, 0, EXCERPT_KEY_BYTES)
    return head, pc.binary_slice(raw, -EXCERPT_KEY_BYTES), ~_flags(long)


def _trimmed_pairs(titles: pa.ChunkedArray, trimmed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each trimmed title of at least :data:`~newskit.stories.TRIMMED_MIN_WORDS` words with
    every untrimmed title that starts with its words (whatever their dates)."""
    first: list[int] = []
    if not trimmed.any():  # no title to look for (the titles as str objects are not made)
        return np.array(first, dtype=np.int64), np.array(first, dtype=np.int64)
    keys = titles.to_numpy(zero_copy_only=False)
    second: list[int] = []
    for row, found in titles_started(keys, titles, trimmed):
        first.extend([row] * len(found))
        second.extend(found.tolist())
    return np.array(first, dtype=np.int64), np.array(second, dtype=np.int64)
