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

from newskit.schema import MEMORY_POOL, as_text
from newskit.stories import (
    _SUFFIX_SEPARATOR,
    EXCERPT_KEY_BYTES,
    TRIMMED_MIN_WORDS,
    URL_COLUMNS,
    Stories,
    StoryOptions,
    _codes,
    _cut_outlets,
    _hours,
    _text_series,
    build_stories,
    outlet_names,
)
from newskit.urls import normalize_text_urls

#: Past this share of the articles to group again, all of them are grouped again.
MAX_SHARE = 0.5
#: The article columns the story rules read.
_READ = ("article_id", "title", "excerpt", "published_at", "provider_name", "provider_domain")
_READ += URL_COLUMNS


class Earlier(NamedTuple):
    """The stories an earlier load found, as its cache kept them (Arrow)."""

    #: Its articles (``article_id``, ``title``, ``excerpt``) and their story keys.
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
    keys: pa.Table,
    options: StoryOptions | None,
    earlier: Earlier,
    fresh: pa.Array,
) -> Stories | None:
    """:func:`newskit.stories.build_stories` of the articles (with ``as_arrow``), grouping
    again only the articles the files in ``fresh`` (their article ids: parsed since
    ``earlier``) and the earlier articles no longer there can affect; ``None`` when the whole
    corpus is to be grouped again (rule 5, most articles affected)."""
    options = (options or StoryOptions()).resolved()
    n = len(articles)
    if not options.enabled or options.near_duplicates or not n:
        return None
    outlets = outlet_names(articles, related)
    ids = as_text(articles["article_id"])
    old_ids = as_text(earlier.articles["article_id"])
    fresh = fresh.cast(pa.large_string())
    is_fresh = _flags(pc.is_in(ids, value_set=fresh))
    kept = _flags(pc.is_in(old_ids, value_set=ids)) & ~_flags(pc.is_in(old_ids, value_set=fresh))
    reused, old_rows = np.flatnonzero(~is_fresh), np.flatnonzero(kept)
    related_ids = as_text(related["article_id"])
    listing = _flags_index(pc.index_in(related_ids, value_set=ids))
    old_related = as_text(earlier.related["article_id"])
    old_listed = _flags(pc.is_in(old_related, value_set=old_ids.filter(pa.array(kept))))
    entry_reused = (listing >= 0) & ~is_fresh[np.maximum(listing, 0)]
    if (
        len(reused) != len(old_rows)
        or (listing < 0).any()  # an entry of no article: its story is its target's alone
        or entry_reused.sum() != old_listed.sum()
    ):
        return None
    gone = np.flatnonzero(~kept)  # earlier articles removed or changed since
    nodes = n + len(gone)  # the articles now, then the earlier ones gone

    # title keys: the articles' now; the gone ones' as they were keyed (the earlier outlet
    # names); and, where the outlet names changed, the earlier keys of the titles ending in
    # one of those names, which are grouped again
    title, trimmed = _cut_outlets(articles["title"], keys, outlets)
    gone_keys = earlier.keys.take(pa.array(gone))
    gone_title, gone_trimmed = _cut_outlets(
        earlier.articles["title"].take(pa.array(gone)), gone_keys, earlier.outlets
    )
    recut = np.array([], dtype=np.int64)
    if outlets != earlier.outlets:
        changed = pa.array(sorted(outlets ^ earlier.outlets), pa.large_string())
        recut = np.flatnonzero(_flags(pc.is_in(keys["title_suffix"], value_set=changed)))
        if len(related):  # an entry's title ending in one: its copy flag may change
            ends = pc.match_substring_regex(as_text(related["title"]), _SUFFIX_SEPARATOR.pattern)
            recut = np.union1d(recut, listing[_flags(ends)])
    recut_title, recut_trimmed = _cut_outlets(
        as_text(articles["title"]).take(pa.array(recut)),
        keys.take(pa.array(recut)),
        earlier.outlets,
    )
    all_titles = _joined(title, gone_title, recut_title)
    all_trimmed = np.concatenate([trimmed, gone_trimmed, recut_trimmed])
    everyone = np.arange(nodes, dtype=np.int64)
    title_nodes = np.concatenate([everyone, recut])
    linked = [
        _shared(all_titles, title_nodes, words=2),
        _shared(
            _joined(
                *[keys[c] for c in URL_COLUMNS],
                normalize_text_urls(as_text(related["web_url"])),
                *[gone_keys[c] for c in URL_COLUMNS],
            ),
            np.concatenate(
                [
                    np.tile(np.arange(n, dtype=np.int64), len(URL_COLUMNS)),
                    listing,
                    np.tile(np.arange(n, nodes, dtype=np.int64), len(URL_COLUMNS)),
                ]
            ),
        ),
    ]
    if options.excerpts and "excerpt" in articles:
        excerpts = _joined(
            as_text(articles["excerpt"], chunked=True),
            earlier.articles["excerpt"].take(pa.array(gone)),
        )
        linked += [_shared(end, everyone) for end in _excerpt_ends(excerpts)]
    earlier_stories = pc.dictionary_encode(
        _joined(earlier.story_ids.take(pa.array(old_rows)), earlier.story_ids.take(pa.array(gone)))
    )
    story_codes = _codes(earlier_stories)
    story_nodes = np.concatenate([reused, np.arange(n, nodes, dtype=np.int64)])
    linked.append((story_codes, story_nodes))
    first, second = (title_nodes[pair] for pair in _trimmed_pairs(all_titles, all_trimmed))

    chosen = np.concatenate([is_fresh, np.ones(nodes - n, dtype=bool)])
    chosen[recut] = True
    while True:
        count = chosen.sum()
        for codes, at in linked:
            hit = np.zeros(int(codes.max(initial=-1)) + 2, dtype=bool)
            hit[codes[chosen[at]]] = True  # code -1 (no key) lands on the last, unused slot
            hit[-1] = False
            chosen[at[hit[codes]]] = True
        either = chosen[first] | chosen[second]
        chosen[first[either]] = chosen[second[either]] = True
        if chosen.sum() == count:
            break
        if chosen[:n].sum() > MAX_SHARE * n:
            return None

    rows = np.flatnonzero(chosen[:n])
    entries = np.flatnonzero(chosen[:n][listing])
    topic_ids, chosen_ids = as_text(topics["article_id"]), ids.take(pa.array(rows))
    part = build_stories(
        articles[[c for c in _READ if c in articles]].iloc[rows],
        related.iloc[entries],
        topics=topics.iloc[np.flatnonzero(_flags(pc.is_in(topic_ids, value_set=chosen_ids)))],
        options=options,
        keys=keys.take(pa.array(rows)),
        outlets=outlets,
        as_arrow=True,
    )
    # each article's story: the earlier one, or the one just found for those grouped again
    source = np.full(n, -1, dtype=np.int64)
    source[reused] = old_rows
    source[rows] = len(earlier.story_ids) + np.arange(len(rows))
    stories = _joined(earlier.story_ids, as_text(part.story_id)).take(pa.array(source))
    # each related entry's, likewise (entries of unchanged articles are the earlier ones, in order)
    source = np.full(len(listing), -1, dtype=np.int64)
    source[entry_reused] = np.flatnonzero(old_listed)
    source[entries] = len(old_related) + np.arange(len(entries))
    related_story = _joined(earlier.related_ids, as_text(part.related_story_id))
    related_story = related_story.take(pa.array(source))
    copies = pa.chunked_array(
        [*earlier.related_copies.chunks, pa.array(part.related_is_copy.to_numpy())]
    ).take(pa.array(source))
    # the earlier stories none of whose articles were grouped again, and the new ones
    regrouped = np.unique(story_codes[chosen[story_nodes]])
    dropped = (
        earlier_stories.chunk(0).dictionary.take(pa.array(regrouped)) if len(regrouped) else None
    )
    table = earlier.stories
    if dropped is not None:
        table = table.filter(pc.invert(pc.is_in(table["story_id"], value_set=dropped)))
    table = pa.concat_tables([table, part.stories.cast(table.schema)])
    order = _in_time_order(table, len(table) - part.stories.num_rows)
    return Stories(
        story_id=_text_series(stories, articles.index, "story_id"),
        stories=table.take(pa.array(order)),
        related_story_id=_text_series(related_story, related.index, "story_id"),
        related_is_copy=pd.Series(
            copies.to_numpy(), index=related.index, dtype=bool, name="is_copy"
        ),
    )


def _in_time_order(table: pa.Table, kept: int) -> np.ndarray:
    """The order of a stories table whose first ``kept`` rows are in order and the rest too:
    by their first copy's date (undated last), then ``story_id``, as the stories table of
    :func:`newskit.stories.build_stories` is."""
    hours = _hours(table["first_published_at"].to_pandas())
    hours = np.where(np.isnan(hours), np.inf, hours)
    order = np.argsort(hours, kind="stable")
    # runs of one date keep their order but where a new story joins one: then by id
    ordered = hours[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    ends = np.append(starts[1:], len(order))
    runs = np.unique(np.searchsorted(starts, np.flatnonzero(order >= kept), side="right") - 1)
    runs = runs[ends[runs] - starts[runs] > 1]
    if len(runs):
        ids = table["story_id"].to_numpy(zero_copy_only=False)
        for start, end in zip(starts[runs].tolist(), ends[runs].tolist(), strict=True):
            run = order[start:end]
            order[start:end] = run[np.argsort(ids[run], kind="stable")]
    return order


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


def _flags(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(values.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _flags_index(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(values.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _shared(
    values: pa.ChunkedArray, at: np.ndarray, *, words: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """A number per distinct value (-1: missing or empty, or fewer than ``words`` words), and
    the article (node) each value is of: articles with one number share a key group."""
    codes = _codes(pc.dictionary_encode(values, memory_pool=MEMORY_POOL))
    if pa.types.is_large_string(values.type):
        empty = _flags(pc.equal(values, ""))
        if words > 1:
            empty |= ~_flags(pc.match_substring(values, " "))
        codes[empty] = -1
    keep = at >= 0
    return codes[keep], at[keep]


def _excerpt_ends(excerpts: pa.ChunkedArray) -> list[pa.ChunkedArray]:
    """The first and the last :data:`~newskit.stories.EXCERPT_KEY_BYTES` bytes of each excerpt
    as long (rule 4's keys), missing for shorter ones."""
    raw = excerpts.cast(pa.large_binary())
    long = pc.greater_equal(pc.binary_length(raw), EXCERPT_KEY_BYTES).fill_null(False)
    return [
        pc.if_else(long, pc.binary_slice(raw, 0, EXCERPT_KEY_BYTES), None),
        pc.if_else(long, pc.binary_slice(raw, -EXCERPT_KEY_BYTES), None),
    ]


def _trimmed_pairs(titles: pa.ChunkedArray, trimmed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each trimmed title of at least :data:`~newskit.stories.TRIMMED_MIN_WORDS` words with
    every untrimmed title that starts with its words (whatever their dates)."""
    keys = titles.to_numpy(zero_copy_only=False)
    cut = [
        row
        for row in np.flatnonzero(trimmed).tolist()
        if keys[row] and keys[row].count(" ") + 1 >= TRIMMED_MIN_WORDS
    ]
    first: list[int] = []
    second: list[int] = []
    if cut:
        order = pc.sort_indices(titles).to_numpy()
        whole = order[~trimmed[order] & (keys[order] != "")]
        ordered = keys[whole]
        for row in cut:
            start = keys[row] + " "
            lo, hi = np.searchsorted(ordered, [start, start + "\U0010ffff"])
            first.extend([row] * int(hi - lo))
            second.extend(whole[lo:hi].tolist())
    return np.array(first, dtype=np.int64), np.array(second, dtype=np.int64)
