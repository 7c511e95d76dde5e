"""Column-wise building gives exactly the tables that one build_record per record gives."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from conftest import SEED_TEXT

from newskit.columnar import build_tables, record_rows
from newskit.parse import parse_record
from newskit.records import build_record, clean_topics
from newskit.schema import FILE_TABLES, rows_to_table

NAMES = ("articles", "topics", "images", "related")
UTC = dt.UTC
PLUS2 = dt.timezone(dt.timedelta(hours=2))

# Per field: values build_record keeps as they are, then values it must coerce or warn about.
CLEAN_TEXT = [
    None,
    "",
    "Power Apps",
    "  padded  ",
    "ünï ✓ 😀",
    "x" * 300,
    "What&#8217;s &amp; &lt;b&gt;",
]
BAD_TEXT = [12, 1.5, True, dt.date(2021, 1, 2), ["a"], {"a": 1}]
CLEAN_COUNT = [None, 0, 7, 2**62]
BAD_COUNT = [-1, 2**62 + 1, 3.0, 2.5, "46", " 12 ", "many", True, [1]]
CLEAN_FLAG = [None, True, False]
BAD_FLAG = ["yes", "off", 1, 0, "maybe", [True]]
CLEAN_STAMP = [
    None,
    dt.datetime(2020, 9, 9, 16, 40, 29, tzinfo=UTC),
    dt.datetime(2021, 2, 28, 23, 59, 59, 999999, tzinfo=PLUS2),
    dt.datetime(1700, 1, 1, tzinfo=UTC),
]
# an article dated before 1990 (in UTC) warns; a related story's date does not
CLEAN_PUBLISHED = [*CLEAN_STAMP[:3], dt.datetime(1990, 1, 1, 0, 30, tzinfo=dt.UTC)]
OLD_PUBLISHED = [CLEAN_STAMP[3], dt.datetime(1990, 1, 1, 0, 30, tzinfo=PLUS2)]
BAD_STAMP = [
    dt.datetime(2020, 9, 9, 16, 40, 29),  # no time zone
    dt.date(2020, 9, 9),
    dt.datetime(1000, 1, 1, tzinfo=UTC),  # out of pandas' range
    dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.timezone(-dt.timedelta(hours=5))),
    "2020-09-09T16:40:29Z",
    "2020-09-09",
    "now",
    12,
]
CLEAN_PROVIDER = [
    None,
    {},
    {"name": "Microsoft", "domain": "Microsoft.COM "},
    {"domain": "  "},
    {"name": "X", "publishers": ["a"]},
]
BAD_PROVIDER = ["Microsoft", ["x"], {"name": 3}, {"domain": ["a"]}]
CLEAN_TOPICS = [None, [], ["Power Apps"], [" A ", "B", "A", "", "b"]]
UNKNOWN = {
    "wordCount": [3, "3", None],
    "path": ["/a/b", ["x", {"y": dt.date(2020, 1, 2)}]],
    "seen": [dt.datetime(2020, 9, 9, 16, 40, tzinfo=UTC), True, 0.5, {1: "a", "b": [None]}],
}
CLEAN_SECURED = [None, "abc;def==", "", "  ", True, False]
BAD_SECURED = [1, 2.5, ["a"], {"a": 1}, dt.date(2020, 1, 1)]
BAD_TOPICS = ["a, b", [1, "a"], [None], [["x"]], {"a": 1}, 5]


def image(rng: random.Random, clean: bool) -> object:
    if not clean and rng.random() < 0.3:
        return rng.choice(["https://img/x.png", 5, None, ["u"]])  # a bare URL is coerced too
    item = {
        "url": rng.choice(CLEAN_TEXT),
        "width": rng.choice(CLEAN_COUNT),
        "height": rng.choice(CLEAN_COUNT),
        "isCached": rng.choice(CLEAN_FLAG),
    }
    if not clean:
        key = rng.choice(list(item))
        item[key] = rng.choice(BAD_TEXT if key == "url" else BAD_COUNT + BAD_FLAG)
    return item


def story(rng: random.Random, clean: bool) -> object:
    if not clean and rng.random() < 0.2:
        return rng.choice(["a story", 3, None])
    item = {
        "title": rng.choice(CLEAN_TEXT),
        "excerpt": rng.choice(CLEAN_TEXT),
        "publishedDateTime": rng.choice(CLEAN_STAMP),
        "webUrl": rng.choice(CLEAN_TEXT),
        "type": rng.choice(["article", "video", None]),
        "provider": rng.choice(CLEAN_PROVIDER),
        "quality": rng.choice(CLEAN_COUNT),
    }
    if not clean:
        key = rng.choice(list(item))
        bad = {"publishedDateTime": BAD_STAMP, "provider": BAD_PROVIDER, "quality": BAD_COUNT}
        item[key] = rng.choice(bad.get(key, BAD_TEXT))
    return item


def meta(rng: random.Random, clean: bool) -> dict:
    fields = {
        "title": rng.choice(CLEAN_TEXT[2:]),
        "excerpt": rng.choice(CLEAN_TEXT),
        "originalUrl": rng.choice(CLEAN_TEXT),
        "webUrl": rng.choice(CLEAN_TEXT),
        "featuredContent": rng.choice(CLEAN_TEXT),
        "category": rng.choice(["news", None]),
        "type": rng.choice(["article", "video"]),
        "quality": rng.choice(CLEAN_COUNT),
        "heat": rng.choice(CLEAN_COUNT),
        "publishedDateTime": rng.choice(CLEAN_PUBLISHED),
        "published": rng.choice(CLEAN_FLAG),
        "provider": rng.choice(CLEAN_PROVIDER),
        "topics": rng.choice(CLEAN_TOPICS),
        "images": [image(rng, True) for _ in range(rng.randrange(3))],
        "related": [story(rng, True) for _ in range(rng.randrange(3))],
        "secured": rng.choice(CLEAN_SECURED),
        "updatedDateTime": rng.choice(CLEAN_PUBLISHED),
        "locale": rng.choice(["en-us", None, ""]),
        "categories": rng.choice(CLEAN_TOPICS),
        "tags": rng.choice(CLEAN_TOPICS),
    }
    for key in rng.sample(list(UNKNOWN), rng.randrange(3)):  # keys without a typed column
        fields[key] = rng.choice(UNKNOWN[key])
    if rng.random() < 0.3 and isinstance(fields["provider"], dict):
        fields["provider"] = {**fields["provider"], "images": [image(rng, True)]}
    for key in rng.sample(list(fields), rng.randrange(4)):  # missing fields
        del fields[key]
    if not clean:
        key = rng.choice(
            ["title", "quality", "publishedDateTime", "published", "provider"]
            + ["topics", "images", "related", "webUrl", "updatedDateTime", "locale"]
            + ["categories", "tags", "secured", "provider.images"]
        )
        bad = {
            "quality": BAD_COUNT,
            "publishedDateTime": BAD_STAMP + OLD_PUBLISHED,
            "published": BAD_FLAG,
            "provider": BAD_PROVIDER,
            "topics": BAD_TOPICS,
            "images": [[image(rng, False)], "x.png", {"url": "x"}],
            "related": [[story(rng, False)], "a story"],
            "updatedDateTime": BAD_STAMP + OLD_PUBLISHED,
            "categories": BAD_TOPICS,
            "tags": BAD_TOPICS,
            "secured": BAD_SECURED,
        }
        if key == "provider.images":
            logos = rng.choice([[image(rng, False)], "x.png", {"url": "x"}])
            fields["provider"] = {"name": "P", "images": logos}
        else:
            fields[key] = rng.choice(bad.get(key, BAD_TEXT))
    return fields


def one_by_one(metas: list[dict]) -> tuple[dict, list]:
    """The tables and warnings as build_record gives them, a record at a time."""
    records = [
        build_record(m, f"body {i}", article_id=f"a/{i:04d}.md", path=f"/c/a/{i:04d}.md")
        for i, m in enumerate(metas)
    ]
    rows = record_rows(records)
    tables = {name: rows_to_table(rows[name], FILE_TABLES[name][0]) for name in NAMES}
    return tables, [r.warnings for r in records]


def column_wise(metas: list[dict]) -> tuple[dict, dict]:
    n = len(metas)
    return build_tables(
        metas,
        [f"body {i}" for i in range(n)],
        [f"a/{i:04d}.md" for i in range(n)],
        [f"/c/a/{i:04d}.md" for i in range(n)],
    )


@pytest.mark.parametrize("seed", range(8))
def test_mixed_records_give_the_tables_of_one_build_record_each(seed):
    rng = random.Random(seed)
    metas = [meta(rng, clean=rng.random() < 0.7) for _ in range(300)]
    expected, warnings = one_by_one(metas)
    tables, slow = column_wise(metas)
    for name in NAMES:
        assert tables[name].equals(expected[name]), name
    # every record that warns was built by build_record, with the same warnings
    assert {i: w for i, w in enumerate(warnings) if w} == {
        i: r.warnings for i, r in slow.items() if r.warnings
    }
    assert 0 < len(slow) < len(metas)


def test_clean_records_are_all_built_column_wise():
    rng = random.Random(99)
    metas = [meta(rng, clean=True) for _ in range(300)]
    seed_meta, _ = parse_record(SEED_TEXT.encode())
    metas.append(seed_meta)
    expected, warnings = one_by_one(metas)
    tables, slow = column_wise(metas)
    assert slow == {} and not any(warnings)
    for name in NAMES:
        assert tables[name].equals(expected[name]), name


@pytest.mark.parametrize(
    "field, value",
    [
        ("title", 12),
        ("quality", -1),
        ("quality", "46"),
        ("published", "yes"),
        ("publishedDateTime", dt.datetime(2020, 9, 9)),
        ("publishedDateTime", "2020-09-09T16:40:29Z"),
        ("publishedDateTime", dt.datetime(1720, 4, 12, 13, 30, tzinfo=UTC)),
        ("publishedDateTime", dt.datetime(1990, 1, 1, 0, 30, tzinfo=PLUS2)),
        ("provider", "Microsoft"),
        ("topics", ["a", 1]),
        ("tags", ["a", None]),
        ("categories", "a, b"),
        ("updatedDateTime", dt.datetime(2020, 9, 9)),
        ("updatedDateTime", dt.datetime(1980, 9, 9, tzinfo=UTC)),
        ("secured", 5),
        ("provider", {"images": [{"width": -1}]}),
        ("images", ["https://img/x.png"]),
        ("images", [{"width": "800"}]),
        ("related", [{"provider": {"domain": 5}}]),
        ("related", [{"publishedDateTime": dt.date(2020, 1, 1)}]),
    ],
)
def test_a_value_to_coerce_sends_its_record_to_build_record(field, value):
    metas = [{"title": "A"}, {"title": "B", field: value}, {"title": "C"}]
    expected, _ = one_by_one(metas)
    tables, slow = column_wise(metas)
    assert list(slow) == [1]
    for name in NAMES:
        assert tables[name].equals(expected[name]), name


def _clean_topics_by_list(items: list[str]) -> list[str]:
    """Topic clean-up as first specified: trim, drop empty ones, keep each first occurrence."""
    topics: list[str] = []
    for item in items:
        item = item.strip()
        if item and item not in topics:
            topics.append(item)
    return topics


@pytest.mark.parametrize("seed", range(20))
def test_clean_topics_keeps_the_first_of_each_trimmed_topic(seed):
    rng = random.Random(seed)
    pool = ["", " ", "a", " a", "a ", "A", "b", "\tb\n", "ü", " ü ", "a b", "😀", "x" * 70]
    items = [rng.choice(pool) for _ in range(rng.randrange(0, 60))]
    assert clean_topics(items) == _clean_topics_by_list(items)


@pytest.mark.parametrize("bad_topic", [False, True])
def test_a_record_with_100000_distinct_topics_loads(bad_topic):
    # clean-up was quadratic: this took minutes; one int topic sends it through build_record
    topics = [f" topic {i} " for i in range(100_000)] + ["topic 5", "", "topic 99999"]
    if bad_topic:
        topics.append(7)
    metas = [{"title": "A", "topics": topics}]
    tables, slow = column_wise(metas)
    assert list(slow) == ([0] if bad_topic else [])
    expected = [f"topic {i}" for i in range(100_000)] + (["7"] if bad_topic else [])
    assert tables["topics"]["topic"].to_pylist() == expected


def test_values_of_reads_each_key_of_each_mapping_as_dict_get_does(monkeypatch):
    """newskit's C lists and the Python road give ``o.get(key)`` for a dict, None for
    anything else (a subclass of dict, a list, None), objects and keys in order."""
    from conftest import BUILT, require_built

    import newskit.schema
    from newskit.columnar import values_of

    require_built(BUILT["_lists"], "_lists")

    class Mapping(dict):
        pass

    when = dt.datetime(2021, 5, 1, tzinfo=dt.UTC)
    shared = ["a list", "kept as it is"]
    objects = [
        {"title": "A", "quality": 3, "topics": shared},
        None,
        {"title": None, 1: "one", (2, 3): "tuple", "when": when},
        Mapping(title="a subclass"),
        ["title"],
        {},
        "title",
        {"title": "B", "topics": shared, "quality": 0},
    ]
    keys = ("title", "quality", 1, (2, 3), "topics", "when", "absent")
    expected = [[o.get(k) if type(o) is dict else None for o in objects] for k in keys]
    for road in (BUILT["_lists"], None):
        monkeypatch.setattr(newskit.schema, "_lists", road)
        found = values_of(objects, keys)
        assert found == expected
        assert found[4][0] is shared and found[4][7] is shared  # the values themselves
        assert values_of(objects, ()) == []
        assert values_of([], keys) == [[] for _ in keys]
        assert values_of([{"title": "x"}] * 3, ("title",)) == [["x", "x", "x"]]


def test_items_of_lists_are_their_items_in_order_with_the_list_each_came_from(monkeypatch):
    from conftest import BUILT, require_built

    import newskit.schema
    from newskit.columnar import _items

    require_built(BUILT["_lists"], "_lists")

    class Items(list):
        pass

    item = {"url": "u"}
    lists = [["a", "b"], None, [], [item], "ab", ("t",), Items(["s"]), [["nested"], None, 3]]
    expected = ([0, 0, 3, 7, 7, 7], ["a", "b", item, ["nested"], None, 3])
    for road in (BUILT["_lists"], None):
        monkeypatch.setattr(newskit.schema, "_lists", road)
        owners, items = _items(lists)
        assert (list(owners), list(items)) == expected
        assert items[2] is item
        assert tuple(map(list, _items([]))) == ([], [])
        assert tuple(map(list, _items([None, "x"]))) == ([], [])
