"""Many front-matter mappings -> Arrow tables, a column at a time.

:func:`newskit.records.build_record` normalises one mapping and says what it had to change.
Most records of a corpus need no change: every field is missing or already of its type. For
those, taking each column across all records at once gives the same values several times
faster than building a dict per record. :func:`build_tables` finds the records that need
:func:`~newskit.records.build_record` (a value of another type, a date with no time zone or out
of range, a negative score, ...), builds the rest column-wise and puts the rows back in order.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pyarrow as pa

from newskit import schema
from newskit.records import (
    Record,
    build_record,
    clean_domain,
    clean_topics,
    decode_texts,
    extra_fields,
)
from newskit.schema import (
    CATEGORY_FIELDS,
    EARLIEST,
    FILE_TABLES,
    LARGEST_COUNT,
    LATEST,
    LIST_FIELDS,
    PLAUSIBLE_SINCE,
    READER_TEXT_FIELDS,
    SCORE_FIELDS,
    TEXT_FIELDS,
    arrow_schema,
    rows_to_table,
    stamp_array,
    text_array,
)

_NONE = type(None)
_TEXT_TYPES = {str, _NONE}
_COUNT_TYPES = {int, _NONE}  # bool is not int here: type(True) is bool
_FLAG_TYPES = {bool, _NONE}
_TOKEN_TYPES = {str, bool, _NONE}
_STAMP_TYPES = {dt.datetime, _NONE}
_MAPPING_TYPES = {dict, _NONE}
_LIST_TYPES = {list, _NONE}
# The years of dates a table holds, but for its first and last: a date in those goes to
# build_record, which applies the exact range.
_FIRST_YEAR, _LAST_YEAR = EARLIEST.year + 1, LATEST.year - 1
_EARLIEST = dt.datetime(_FIRST_YEAR, 1, 1, tzinfo=dt.UTC)
_PLAUSIBLE = PLAUSIBLE_SINCE.to_pydatetime()

#: The front-matter keys both :func:`_needing_coercion` and :func:`_fast_rows` read of every
#: record, gathered once.
_READ_KEYS = (
    *TEXT_FIELDS, *CATEGORY_FIELDS, *SCORE_FIELDS, "publishedDateTime", "updatedDateTime",
    "published", "secured", "provider", *LIST_FIELDS, "images", "related",
)  # fmt: skip
_NAMES = ("articles", "topics", "images", "related")
_SCHEMAS = {name: arrow_schema(FILE_TABLES[name][0]) for name in _NAMES}
_IMAGE_COUNTS = ("width", "height")
_RELATED_TEXT = ("title", "excerpt", "webUrl", "type")
_TEXT = pa.large_string()


def build_tables(
    metas: list[dict], bodies: list[str], article_ids: list[str], paths: list[str]
) -> tuple[dict[str, pa.Table], dict[int, Record]]:
    """The ``articles``, ``topics``, ``images`` and ``related`` tables of these records.

    Parameters
    ----------
    metas, bodies, article_ids, paths : list
        Per record: its front-matter mapping, body, id and path.

    Returns
    -------
    tables, slow : dict, dict
        The tables, rows in record order (children in item order within a record), and the
        records :func:`~newskit.records.build_record` built, by index: the only ones that can
        carry warnings.
    """
    extras = [extra_fields(m) for m in metas]
    values = dict(zip(_READ_KEYS, values_of(metas, _READ_KEYS), strict=True))
    # a value too large for extra warns
    slow_rows = sorted(_needing_coercion(values) | {i for i, e in enumerate(extras) if e[1]})
    slow = {
        i: build_record(metas[i], bodies[i], article_id=article_ids[i], path=paths[i])
        for i in slow_rows
    }
    fast_rows = [i for i in range(len(metas)) if i not in slow] if slow else range(len(metas))

    def pick(values: list) -> list:
        return [values[i] for i in fast_rows] if slow else values

    texts = pick([text for text, _ in extras])
    fast = _fast_rows(
        {key: pick(column) for key, column in values.items()},
        pick(bodies),
        pick(article_ids),
        pick(paths),
        texts,
    )
    tables = {name: _to_table(fast[name], _SCHEMAS[name]) for name in _NAMES}
    if not slow:
        return tables, slow
    rows = record_rows(list(slow.values()))
    positions = {
        "articles": slow_rows,
        "topics": [i for i, r in slow.items() for _ in r.article["topics"]],
        "images": [i for i, r in slow.items() for _ in r.images],
        "related": [i for i, r in slow.items() for _ in r.related],
    }
    fast_at = np.asarray(fast_rows, dtype=np.int64)
    for name, table in tables.items():
        slow_table = rows_to_table(rows[name], FILE_TABLES[name][0])
        owners = fast_at[fast["_owner"][name]] if name != "articles" else fast_at
        at = np.concatenate([owners, np.asarray(positions[name], dtype=np.int64)])
        order = np.argsort(at, kind="stable")  # by record; items keep their order
        tables[name] = pa.concat_tables([table, slow_table]).take(pa.array(order))
    return tables, slow


def values_of(objects: list, keys: tuple[str, ...]) -> list[list]:
    """Each object's value for each key, a list per key: ``o.get(key)`` where ``o`` is a dict,
    None where it is anything else (newskit's C lists do it where built)."""
    if schema._lists is not None:
        return schema._lists.values_of(objects, keys)
    if not set(map(type, objects)) <= {dict}:
        objects = [o if type(o) is dict else {} for o in objects]
    return [list(map(dict.get, objects, itertools.repeat(key))) for key in keys]


def record_rows(records: list[Record]) -> dict[str, list[dict]]:
    """The rows of the ``articles``, ``topics``, ``images`` and ``related`` tables of records."""
    return {
        "articles": [r.article for r in records],
        "topics": [
            {"article_id": r.article["article_id"], "topic": topic}
            for r in records
            for topic in r.article["topics"]
        ],
        "images": [image for r in records for image in r.images],
        "related": [story for r in records for story in r.related],
    }


def _needing_coercion(values: dict[str, list]) -> set[int]:
    """Indexes of the records :func:`build_record` would change or warn about, from the
    values of :data:`_READ_KEYS` of each (missing: None)."""
    slow: set[int] = set()

    def check(values: list, allowed: set, rows: list[int] | None = None) -> None:
        if not set(map(type, values)) <= allowed:
            slow.update(
                (i if rows is None else rows[i])
                for i, value in enumerate(values)
                if type(value) not in allowed
            )

    def check_counts(values: list, rows: list[int] | None = None) -> None:
        check(values, _COUNT_TYPES, rows)
        slow.update(
            (i if rows is None else rows[i])
            for i, value in enumerate(values)
            if type(value) is int and not 0 <= value <= LARGEST_COUNT
        )

    def check_stamps(
        values: list, rows: list[int] | None = None, earliest: dt.datetime = _EARLIEST
    ) -> None:
        check(values, _STAMP_TYPES, rows)
        slow.update(
            (i if rows is None else rows[i])
            for i, value in enumerate(values)
            if type(value) is dt.datetime
            and (
                type(value.tzinfo) is not dt.timezone
                or not _FIRST_YEAR <= value.year <= _LAST_YEAR
                or value < earliest
            )
        )

    for key in (*TEXT_FIELDS, *CATEGORY_FIELDS):
        check(values[key], _TEXT_TYPES)
    for key in SCORE_FIELDS:
        check_counts(values[key])
    # an article dated before PLAUSIBLE_SINCE warns
    for key in ("publishedDateTime", "updatedDateTime"):
        check_stamps(values[key], earliest=_PLAUSIBLE)
    check(values["published"], _FLAG_TYPES)
    check(values["secured"], _TOKEN_TYPES)
    providers = values["provider"]
    check(providers, _MAPPING_TYPES)
    names, domains, provider_images = values_of(providers, ("name", "domain", "images"))
    check(names, _TEXT_TYPES)
    check(domains, _TEXT_TYPES)

    for key in LIST_FIELDS:
        check(values[key], _LIST_TYPES)
        owners, items = _items(values[key])
        check(items, {str}, owners)

    for images in (values["images"], provider_images):
        check(images, _LIST_TYPES)
        owners, items = _items(images)
        check(items, {dict}, owners)
        urls, widths, heights, cached = values_of(items, ("url", *_IMAGE_COUNTS, "isCached"))
        check(urls, _TEXT_TYPES, owners)
        check_counts(widths, owners)
        check_counts(heights, owners)
        check(cached, _FLAG_TYPES, owners)

    related = values["related"]
    check(related, _LIST_TYPES)
    owners, items = _items(related)
    check(items, {dict}, owners)
    *texts, stamps, qualities, providers = values_of(
        items, (*_RELATED_TEXT, "publishedDateTime", "quality", "provider")
    )
    for column in texts:
        check(column, _TEXT_TYPES, owners)
    check_stamps(stamps, owners)
    check_counts(qualities, owners)
    check(providers, _MAPPING_TYPES, owners)
    for column in values_of(providers, ("name", "domain")):
        check(column, _TEXT_TYPES, owners)
    return slow


def _items(lists: list) -> tuple[list[int], list]:
    """The items of the lists among ``lists``, and the index of the list each came from (by
    newskit's C lists where built)."""
    if schema._lists is not None:
        return schema._lists.items_of(lists)
    owners = [i for i, values in enumerate(lists) if type(values) is list for _ in values]
    items = [item for values in lists if type(values) is list for item in values]
    return owners, items


def _fast_rows(
    values: dict[str, list],
    bodies: list[str],
    article_ids: list[str],
    paths: list[str],
    extras: list,
) -> dict:
    """Columns of records that need no coercion, as :func:`build_record` would give them,
    from the values of :data:`_READ_KEYS` of each (missing: None).

    ``_owner`` maps each child table to the index of the record each of its rows belongs to.
    """
    articles: dict[str, list] = {"article_id": article_ids, "path": paths}
    for key, column in (TEXT_FIELDS | CATEGORY_FIELDS).items():
        articles[column] = values[key]
    for key in READER_TEXT_FIELDS:
        articles[TEXT_FIELDS[key]] = decode_texts(articles[TEXT_FIELDS[key]])
    for key, column in SCORE_FIELDS.items():
        articles[column] = values[key]
    articles["published_at"] = values["publishedDateTime"]
    articles["updated_at"] = values["updatedDateTime"]
    articles["is_published"] = values["published"]
    articles["is_secured"] = [
        v if v is None or type(v) is bool else bool(v.strip()) for v in values["secured"]
    ]
    names, domains, provider_images = values_of(values["provider"], ("name", "domain", "images"))
    articles["provider_name"] = decode_texts(names)
    articles["provider_domain"] = [clean_domain(domain) for domain in domains]
    articles["n_provider_images"] = [len(images or ()) for images in provider_images]
    for key, column in LIST_FIELDS.items():
        articles[column] = [clean_topics(v) if v else [] for v in values[key]]
    topics = articles["topics"]
    image_lists = [v or [] for v in values["images"]]
    related_lists = [v or [] for v in values["related"]]
    articles["n_images"] = [len(values) for values in image_lists]
    articles["n_related"] = [len(values) for values in related_lists]
    articles["has_featured_content"] = [bool(v) for v in articles["featured_content"]]
    articles["extra"] = extras
    articles["body"] = bodies
    articles["is_duplicate"] = [False] * len(bodies)

    topic_owner, topic_items = _items(topics)
    image_owner, images = _items(image_lists)
    related_owner, related = _items(related_lists)
    urls, widths, heights, cached = values_of(images, ("url", *_IMAGE_COUNTS, "isCached"))
    titles, excerpts, stamps, web_urls, types, qualities, providers = values_of(
        related, ("title", "excerpt", "publishedDateTime", "webUrl", "type", "quality", "provider")
    )
    related_names, related_domains = values_of(providers, ("name", "domain"))
    return {
        "articles": articles,
        "topics": {
            "article_id": [article_ids[i] for i in topic_owner],
            "topic": topic_items,
        },
        "images": {
            "article_id": [article_ids[i] for i in image_owner],
            "url": urls,
            "width": widths,
            "height": heights,
            "is_cached": cached,
        },
        "related": {
            "article_id": [article_ids[i] for i in related_owner],
            "title": decode_texts(titles),
            "excerpt": decode_texts(excerpts),
            "published_at": stamps,
            "web_url": web_urls,
            "type": types,
            "provider_name": decode_texts(related_names),
            "provider_domain": [clean_domain(domain) for domain in related_domains],
            "quality": qualities,
        },
        "_owner": {"topics": topic_owner, "images": image_owner, "related": related_owner},
    }


def _to_table(columns: dict[str, list], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_arrays(
        [
            text_array(columns[field.name])
            if field.type == _TEXT
            else stamp_array(columns[field.name], field.type)
            if pa.types.is_timestamp(field.type)
            else pa.array(columns[field.name], type=field.type)
            for field in schema
        ],
        schema=schema,
    )
