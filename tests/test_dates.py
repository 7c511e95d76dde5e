"""dates: one rule for a date bound, whatever its type, in select and on the command line."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from conftest import record

from newskit import load_corpus
from newskit.cli import main
from newskit.dates import parse_bound

DAY_START = pd.Timestamp("2021-02-10T00:00:00Z")
DAY_END = pd.Timestamp("2021-02-10T23:59:59.999999999Z")

CALENDAR_DATES = [
    "2021-02-10",
    "2021-2-10",
    " 2021-02-10 ",
    dt.date(2021, 2, 10),
    np.datetime64("2021-02-10"),
]


@pytest.mark.parametrize("value", CALENDAR_DATES, ids=repr)
def test_a_calendar_date_is_its_whole_day_whatever_its_type(value):
    assert parse_bound(value, end=False) == DAY_START
    assert parse_bound(value, end=True) == DAY_END
    assert str(parse_bound(value, end=True).tz) == "UTC"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-02-10T10:00", "2021-02-10T10:00Z"),
        ("2021-2-10 10:00Z", "2021-02-10T10:00Z"),
        ("2021-02-10T10:00+02:00", "2021-02-10T08:00Z"),
        ("2021-02-10T00:00:00", "2021-02-10T00:00Z"),
        (dt.datetime(2021, 2, 10), "2021-02-10T00:00Z"),
        (
            dt.datetime(2021, 2, 10, 10, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
            "2021-02-10T15:00Z",
        ),
        (pd.Timestamp("2021-02-10 10:00"), "2021-02-10T10:00Z"),
        (pd.Timestamp("2021-02-10", tz="Europe/Paris"), "2021-02-09T23:00Z"),
        (np.datetime64("2021-02-10T05:00"), "2021-02-10T05:00Z"),
    ],
    ids=repr,
)
def test_an_instant_is_that_moment_naive_as_utc(value, expected):
    # An instant is the same bound at either end: midnight given with its time is midnight.
    assert parse_bound(value, end=True) == pd.Timestamp(expected)
    assert parse_bound(value, end=False) == pd.Timestamp(expected)


def test_none_is_no_bound():
    assert parse_bound(None, end=True) is None


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("", "empty date"),
        ("   ", "empty date"),
        ("NaT", "not a date"),
        ("now", "not a date"),
        ("today", "not a date"),
        ("yesterday", "not a date"),
        ("10/02/2021", "not a date"),
        ("2021-02-30", "day is out of range"),
        ("2021-02-10x", "not a date"),
        ("2021-02-10T25:00", "not a date"),
        (pd.NaT, "not a date"),
        (np.datetime64("NaT"), "not a date"),
    ],
    ids=repr,
)
def test_empty_unparseable_nat_and_words_are_a_value_error_naming_the_argument(value, why):
    with pytest.raises(ValueError, match=why) as info:
        parse_bound(value, end=False, name="--start")
    assert str(info.value).startswith("--start: ")
    assert str(info.value).endswith(repr(value))


@pytest.mark.parametrize("value", [5, 1.5, True, float("nan")], ids=repr)
def test_other_types_are_a_type_error(value):
    with pytest.raises(TypeError, match="^end: expected a date"):
        parse_bound(value, end=True)


@pytest.fixture
def two_days(make_corpus):
    root = make_corpus(
        {
            "a.md": record(title="A", publishedDateTime="2021-02-10T23:00:00Z"),
            "b.md": record(title="B", publishedDateTime="2021-02-11T01:00:00Z"),
        }
    )
    return load_corpus(root)


@pytest.mark.parametrize("value", CALENDAR_DATES, ids=repr)
def test_select_end_includes_the_whole_day_whatever_its_type(two_days, value):
    assert two_days.select(end=value).articles["title"].tolist() == ["A"]
    assert two_days.select(start=value).articles["title"].tolist() == ["A", "B"]


@pytest.mark.parametrize("value", ["", "NaT", "now", "today", pd.NaT], ids=repr)
def test_select_refuses_what_would_silently_select_nothing(two_days, value):
    with pytest.raises(ValueError, match="^start: "):
        two_days.select(start=value)
    with pytest.raises(ValueError, match="^end: "):
        two_days.select(end=value)


@pytest.mark.parametrize("value", ["", "NaT", "now", "today", "2021-13-01"])
def test_report_refuses_a_bad_date_before_loading_anything(capsys, tmp_path, value):
    with pytest.raises(SystemExit) as info:
        main(["report", str(tmp_path / "missing"), "--start", value])
    out, err = capsys.readouterr()
    assert info.value.code == 2
    assert out == ""
    assert err.splitlines()[-1] == (
        f"newskit report: error: argument --start: {parse_error('--start', value)}"
    )
    assert err.splitlines()[-1].startswith("newskit report: error: argument --start: ")
    assert err.count("--start:") == 1


def parse_error(name: str, value: str) -> str:
    with pytest.raises(ValueError) as info:
        parse_bound(value, end=False, name=name)
    return str(info.value).removeprefix(f"{name}: ")
