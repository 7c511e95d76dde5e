"""Tables declared once: their pandas and Arrow forms, and the conversions between them."""

from __future__ import annotations

import pytest

from newskit.files import scan_files


def test_rows_go_to_arrow_as_the_pandas_road_takes_them(mixed_corpus):
    """Record rows become the Arrow tables that building frames of them and converting gives."""
    from newskit.columnar import record_rows
    from newskit.load import read_record
    from newskit.records import build_record
    from newskit.schema import FILE_TABLES, build_frame, frame_to_table, rows_to_table

    relpaths = [entry[0] for entry in scan_files(mixed_corpus)]
    reads = [read_record(str(mixed_corpus / relpath)) for relpath in relpaths]
    records = [
        build_record(read.meta, read.body, article_id=relpath, path=str(mixed_corpus / relpath))
        for relpath, read in zip(relpaths, reads, strict=True)
        if read.meta is not None
    ]
    rows = record_rows(records)
    rows["problems"] = [
        {**read.problem, "relpath": relpath}
        for relpath, read in zip(relpaths, reads, strict=True)
        if read.problem is not None
    ] + [
        {
            "path": r.article["path"],
            "severity": "warning",
            "field": name,
            "message": message,
            "relpath": r.article["article_id"],
        }
        for r in records
        for name, message in r.warnings
    ]
    for name in rows:  # the tables of records (story_keys are made of the articles table)
        columns = FILE_TABLES[name][0]
        direct = rows_to_table(rows[name], columns)
        assert direct.equals(frame_to_table(build_frame(rows[name], columns), columns)), name
        assert direct.num_rows > 0, name


def test_a_load_allocates_from_the_system_pool_and_puts_the_default_back(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow as pa

    from newskit import load_corpus
    from newskit.schema import system_allocator

    def pool() -> str:
        return pa.default_memory_pool().backend_name

    before = pool()
    assert before != "system"  # pyarrow's own default (mimalloc or jemalloc)
    with system_allocator():
        assert pool() == "system"
        with system_allocator():  # another load meanwhile shares the switch
            assert pool() == "system"
        assert pool() == "system"
    assert pool() == before
    for name in "abcd":
        (tmp_path / f"{name}.md").write_text(f"---\ntitle: {name}\n---\n", encoding="utf-8")
    with ThreadPoolExecutor(4) as threads:  # loads in several threads at once
        loaded = list(threads.map(lambda _: load_corpus(tmp_path, cache=False), range(8)))
    assert [len(corpus) for corpus in loaded] == [4] * 8
    assert pool() == before


def test_text_array_is_pyarrows_conversion_of_text_and_none(monkeypatch):
    """newskit's C lists write each str's UTF-8 (ASCII, Latin-1, two- and four-byte kinds)
    into the array's buffer: the array pyarrow makes of the same list."""
    import random

    import pyarrow as pa
    from conftest import BUILT, require_built

    import newskit.schema
    from newskit.schema import text_array

    require_built(BUILT["_lists"], "_lists")
    rng = random.Random(11)
    pieces = ["a", "Power Apps ", "", "é", "ÿ", "’", "—", "日本", "😀", "\x00", "\u07ff", "\uffff"]
    cases = [[], [None], [None, None], [""], ["a" * 1000, None, "b"]]
    for _ in range(300):
        cases.append(
            [
                None
                if rng.random() < 0.2
                else "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
                for _ in range(rng.randint(0, 30))
            ]
        )
    for values in cases:
        made = text_array(values)
        made.validate(full=True)
        assert made.equals(pa.array(values, pa.large_string()))
        assert made.null_count == values.count(None)
        monkeypatch.setattr(newskit.schema, "_lists", None)  # pyarrow alone
        assert text_array(values).equals(made)
        monkeypatch.setattr(newskit.schema, "_lists", BUILT["_lists"])
    for wrong in ([1], ["a", b"b"], [type("Text", (str,), {})("x")]):
        with pytest.raises(TypeError):
            text_array(wrong)
    with pytest.raises(UnicodeEncodeError):  # as str.encode and pyarrow refuse it
        text_array(["fine", "a\ud800b"])


def test_text_list_array_is_pyarrows_conversion_of_lists_of_text():
    """Lists and tuples of str and None, and None, as pyarrow converts them; any other column
    is left to the caller (None)."""
    import random

    import numpy as np
    import pyarrow as pa
    from conftest import BUILT, require_built

    from newskit.schema import text_list_array

    require_built(BUILT["_lists"], "_lists")
    rng = random.Random(5)
    pieces = ["AI", "Power Apps", "", "é", "日本", "😀", "\x00", None]
    cases = [[], [None], [[]], [()], [[None]], [["a"], None, ("b", None)]]
    for _ in range(300):
        cases.append(
            [
                None
                if rng.random() < 0.1
                else (list if rng.random() < 0.8 else tuple)(
                    rng.choice(pieces) for _ in range(rng.randint(0, 5))
                )
                for _ in range(rng.randint(0, 40))
            ]
        )
    for values in cases:
        made = text_list_array(values)
        made.validate(full=True)
        assert made.equals(pa.array(values, pa.list_(pa.large_string())))
        assert made.null_count == values.count(None)
    odd = [["a", 1]], [["a"], "ab"], [np.array(["a"])], [[["a"]]], [["a\ud800"]], [[b"a"]]
    for values in odd:
        assert text_list_array(list(values)) is None


def test_stamp_array_is_pyarrows_conversion_of_aware_datetimes(monkeypatch):
    """newskit's C lists turn datetimes with a fixed offset into UTC nanoseconds as pyarrow
    does, across the range of nanoseconds, leap days and offsets either side of UTC."""
    import datetime as dt
    import random

    import pyarrow as pa
    from conftest import BUILT, require_built

    import newskit.schema
    from newskit.schema import stamp_array

    require_built(BUILT["_lists"], "_lists")
    stamp = pa.timestamp("ns", tz="UTC")
    rng = random.Random(5)
    zones = [dt.UTC, dt.timezone(dt.timedelta(hours=5, minutes=30))]
    zones += [
        dt.timezone(dt.timedelta(hours=-11)),
        dt.timezone(dt.timedelta(seconds=-1, microseconds=7)),
    ]

    def when() -> dt.datetime:
        year = rng.choice([1678, 1900, 1969, 1970, 2000, 2024, 2261, rng.randint(1679, 2260)])
        return dt.datetime(
            year, rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59),
            rng.randint(0, 59), rng.choice([0, 1, 999_999, rng.randint(0, 999_999)]),
            tzinfo=rng.choice(zones),
        )  # fmt: skip

    cases = [[], [None], [dt.datetime(2024, 2, 29, 23, 59, 59, tzinfo=dt.UTC)]]
    cases.append([dt.datetime(1970, 1, 1, tzinfo=dt.UTC), None])
    cases += [[None if rng.random() < 0.2 else when() for _ in range(50)] for _ in range(200)]
    for values in cases:
        made = stamp_array(values, stamp)
        made.validate(full=True)
        assert made.equals(pa.array(values, stamp))
        monkeypatch.setattr(newskit.schema, "_lists", None)  # pyarrow alone
        assert stamp_array(values, stamp).equals(made)
        monkeypatch.setattr(newskit.schema, "_lists", BUILT["_lists"])
    naive = dt.datetime(2020, 1, 1)
    for wrong in ([naive], [dt.date(2020, 1, 1)], ["2020-01-01"], [pa.scalar(1)]):
        with pytest.raises(TypeError):
            stamp_array(wrong, stamp)
    with pytest.raises(OverflowError):
        stamp_array([dt.datetime(1677, 12, 31, tzinfo=dt.UTC)], stamp)


def test_text_lists_are_to_pylist_with_each_text_one_object(monkeypatch):
    import random

    import pyarrow as pa
    from conftest import BUILT, require_built

    import newskit.schema
    from newskit.schema import _LIST_CHUNKS, text_lists

    require_built(BUILT["_lists"], "_lists")
    rng = random.Random(7)
    kind = pa.list_(pa.large_string())

    def lists(n: int) -> list:
        names = ["Power Apps", "AI", "", "é ü", None]
        return [
            None if rng.random() < 0.1 else [rng.choice(names) for _ in range(rng.randint(0, 4))]
            for _ in range(n)
        ]

    for _ in range(200):
        rows = lists(rng.randint(0, 40))
        whole = pa.array(rows, kind)
        cuts = sorted({0, len(rows), *(rng.randint(0, len(rows)) for _ in range(3))})
        pieces = [whole.slice(a, b - a) for a, b in zip(cuts, cuts[1:], strict=False)]
        for column in (
            pa.chunked_array([whole], kind),
            pa.chunked_array(pieces, kind),  # slices of one array, as a merged load has
            pa.chunked_array([whole.slice(i, 1) for i in range(len(rows))], kind),  # many
        ):
            found = text_lists(column)
            assert found == rows
            if column.num_chunks <= _LIST_CHUNKS:  # one object per distinct text of a chunk
                texts = [t for one in found if one for t in one if t is not None]
                assert len({id(t) for t in texts}) <= len(set(texts)) * max(column.num_chunks, 1)
            monkeypatch.setattr(newskit.schema, "_lists", None)  # pyarrow alone
            assert text_lists(column) == rows
            monkeypatch.setattr(newskit.schema, "_lists", BUILT["_lists"])
