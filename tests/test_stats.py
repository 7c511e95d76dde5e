"""newskit.stats: values on small hand-built corpora and on the real corpus."""

from __future__ import annotations

import copy
import inspect
import itertools
import math
from collections import Counter

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import yaml
from conftest import SEEDS, record, require_shared

import newskit
from newskit import stats


def story(
    date: str | None = "2021-01-04T10:00:00Z",
    *,
    title: str = "A story",
    quality: int | None = 50,
    heat: int | None = 50,
    domain: str | None = "a.com",
    topics: tuple[str, ...] = ("X",),
    kind: str = "article",
    published: str = "true",
    url: str | None = None,
    related: str | None = None,
) -> str:
    """The text of one record; ``None`` leaves a field out."""
    fields: dict[str, object] = {"title": f'"{title}"', "type": kind, "published": published}
    if date is not None:
        fields["publishedDateTime"] = date
    if url is not None:
        fields["originalUrl"] = f'"{url}"'
    if quality is not None:
        fields["quality"] = quality
    if heat is not None:
        fields["heat"] = heat
    if domain is not None:
        fields["provider"] = f"{{name: {domain.split('.')[0].upper()}, domain: {domain}}}"
    if topics:
        fields["topics"] = "[" + ", ".join(topics) + "]"
    if related is not None:
        fields["related"] = related
    return record(**fields)


@pytest.fixture
def small(make_corpus):
    """Six articles over two months, three providers, topics X/Y/Z, one duplicate."""
    root = make_corpus(
        {
            "1.md": story(
                "2021-01-04T10:00:00Z",
                title="Robots build cars",
                quality=10,
                heat=20,
                domain="a.com",
                topics=("X", "Y"),
                url="https://a.com/1",
            ),
            "2.md": story(
                "2021-01-05T10:00:00Z",
                title="Robots and the law",
                quality=20,
                heat=20,
                domain="a.com",
                topics=("X",),
                kind="video",
                published="false",
            ),
            "3.md": story(
                "2021-01-20T10:00:00Z",
                title="Cars of tomorrow",
                quality=30,
                heat=10,
                domain="b.com",
                topics=("Y",),
            ),
            "4.md": story(
                "2021-02-25T10:00:00Z",
                title="Robots everywhere",
                quality=40,
                heat=50,
                domain="a.com",
                topics=("X", "Z"),
            ),
            "5.md": story(
                "2021-02-27T10:00:00Z",
                title="Cars, cars, cars",
                quality=50,
                heat=40,
                domain="c.com",
                topics=("Z",),
                url="https://a.com/1",
            ),
            "6.md": story(
                "2021-02-28T10:00:00Z",
                title="The law of robots",
                quality=None,
                heat=None,
                domain="a.com",
                topics=("X",),
            ),
        }
    )
    return newskit.load_corpus(root)


@pytest.fixture
def empty_articles(small):
    return small.articles.iloc[0:0]


# --------------------------------------------------------------------------- overview


def test_count_by_period_month_fills_every_month(small):
    counts = stats.count_by_period(small.articles, freq="month")
    assert counts["period"].tolist() == [pd.Timestamp("2021-01-01"), pd.Timestamp("2021-02-01")]
    assert counts["n_articles"].tolist() == [3, 3]


def test_count_by_period_week_has_zero_weeks(small):
    counts = stats.count_by_period(small.articles, freq="week")
    assert counts["period"].iloc[0] == pd.Timestamp("2021-01-04")  # a Monday
    assert counts["n_articles"].sum() == 6
    assert len(counts) == 8  # 4 Jan .. 22 Feb, every week present
    assert (counts["n_articles"] == 0).sum() == 5
    assert counts["period"].diff().dropna().eq(pd.Timedelta(weeks=1)).all()


def test_count_by_period_leaves_out_undated(make_corpus):
    corpus = newskit.load_corpus(make_corpus({"a.md": story(None), "b.md": story()}))
    assert stats.count_by_period(corpus.articles)["n_articles"].tolist() == [1]


def test_count_by_period_rejects_unknown_freq(small):
    with pytest.raises(ValueError, match="freq"):
        stats.count_by_period(small.articles, freq="fortnight")


def test_choose_freq(small):
    assert stats.choose_freq(small.articles) == "week"
    far = small.articles.assign(
        published_at=pd.to_datetime(
            ["2001-01-01", "2010-01-01", "2020-01-01", "2020-01-01", "2020-01-01", "2020-01-01"],
            utc=True,
        )
    )
    assert stats.choose_freq(far) == "year"
    assert stats.choose_freq(far.iloc[2:]) == "week"


def test_count_types_and_published(small):
    types = stats.count_types(small.articles)
    assert types[["type", "n_articles"]].values.tolist() == [["article", 5], ["video", 1]]
    assert types["share"].tolist() == pytest.approx([5 / 6, 1 / 6])
    published = stats.count_published(small.articles)
    assert dict(zip(published["status"], published["n_articles"], strict=True)) == {
        "published": 5,
        "not published": 1,
    }


def test_count_values_folds_the_rest_into_other(small):
    counts = stats.count_values(small.articles, column="provider_domain", n=1)
    assert counts[["provider_domain", "n_articles"]].values.tolist() == [["a.com", 4], ["other", 2]]


def test_build_completeness(small):
    table = stats.build_completeness(small.articles).set_index("field")
    assert table.loc["title", "n_present"] == 6
    assert table.loc["quality", "n_missing"] == 1
    assert table.loc["originalUrl", "n_present"] == 2
    assert table.loc["related", "n_present"] == 0
    assert table.loc["excerpt", "share_present"] == 0
    assert list(table.index) == list(stats.FIELDS)


def test_missing_matrix_is_in_date_order_and_boolean(small):
    matrix = stats.build_missing_matrix(small.articles)
    assert matrix.shape == (6, len(stats.FIELDS))
    assert matrix.dtypes.eq(bool).all()
    assert matrix.index[-1] == "6.md"
    assert matrix.loc["6.md", "quality"] and not matrix.loc["1.md", "quality"]


def test_blank_text_counts_as_missing(make_corpus):
    corpus = newskit.load_corpus(make_corpus({"a.md": record(title='"   "', originalUrl='"u"')}))
    assert stats.build_missing_matrix(corpus.articles).loc["a.md", "title"]


@pytest.mark.parametrize("dtype", ["string", object, "category"])
def test_text_is_missing_when_str_strip_leaves_nothing(small, dtype):
    titles = ["", "  ", "\u2003\u3000", "\x1c\x1f", "\t\n", " a ", "é", "\u200b", None]
    articles = pd.concat([small.articles.iloc[:1]] * len(titles), ignore_index=True)
    articles["article_id"] = [f"{i}.md" for i in range(len(titles))]
    articles["published_at"] = pd.to_datetime(
        ["2021-01-02", None, "2021-01-01", "2021-01-01", None, "2021-01-03", "2020-12-31",
         "2021-01-01", "2021-01-05"], utc=True,
    )  # fmt: skip
    articles["title"] = pd.Series(titles, dtype=dtype)
    if dtype is object:
        articles.loc[8, "title"] = 7  # not text: present
    matrix = stats.build_missing_matrix(articles)
    # date order, ties as they come, undated last
    assert matrix.index.tolist() == [f"{i}.md" for i in (6, 2, 3, 7, 0, 5, 8, 1, 4)]
    # text: blank when strip leaves nothing; missing: missing; a number: present
    expected = {i: not t.strip() if isinstance(t, str) else i != 8 for i, t in enumerate(titles)}
    expected[8] = dtype is not object
    assert matrix["title"].to_dict() == {f"{i}.md": v for i, v in expected.items()}


def test_find_alerts(small):
    alerts = stats.find_alerts(small.articles, now="2021-02-26")
    found = dict(zip(alerts["alert"], alerts["detail"], strict=True))
    assert "quality equals heat" not in found
    assert found["dates in the future"].startswith("2 of 6 articles")
    assert found["duplicates"].startswith("1 of 6")
    assert found["providers with a single article"] == (
        "2 of 3 providers have a single article: b.com, c.com."
    )
    assert "excerpt" in found["fields always empty"]


def test_find_alerts_quality_equals_heat_and_nothing_else(make_corpus):
    root = make_corpus(
        {
            "a.md": story(quality=5, heat=5, domain="a.com"),
            "b.md": story(quality=7, heat=7, domain="a.com", url="https://a.com/2"),
        }
    )
    articles = newskit.load_corpus(root).articles
    alerts = stats.find_alerts(articles, now="2030-01-01")
    assert alerts["alert"].tolist() == ["quality equals heat", "fields always empty"]
    assert "all 2 articles" in alerts["detail"].iloc[0]


def _frame_functions() -> list[str]:
    """Every public function of newskit.stats that returns a DataFrame, found by inspection."""
    return [
        name
        for name, function in inspect.getmembers(stats, inspect.isfunction)
        if not name.startswith("_")
        and function.__module__ == stats.__name__
        and inspect.signature(function).return_annotation in ("pd.DataFrame", pd.DataFrame)
    ]


def _call(name: str, corpus: newskit.Corpus) -> pd.DataFrame:
    """Call ``stats.<name>`` with the corpus's tables for its data and any required argument."""
    data = {
        "articles": corpus.articles,
        "related": corpus.related,
        "lags": stats.build_coverage_lag(corpus.articles, corpus.related),
        "groups": stats.build_score_groups(corpus.articles, by="provider"),
    }
    required = {"column": "type"}
    args, kwargs = [], {}
    for param in inspect.signature(getattr(stats, name)).parameters.values():
        if param.kind is param.POSITIONAL_OR_KEYWORD:
            args.append(data[param.name])
        elif param.kind is param.KEYWORD_ONLY and param.default is param.empty:
            kwargs[param.name] = required[param.name]
    return getattr(stats, name)(*args, **kwargs)


def test_every_frame_function_is_found():
    found = _frame_functions()
    assert len(found) >= 27
    assert {"count_by_period", "describe_lag", "count_values", "build_coverage_lag"} <= set(found)


@pytest.mark.parametrize("name", _frame_functions())
def test_functions_do_not_mutate_their_input(small, name):
    articles = small.articles.copy(deep=True)
    related = small.related.copy(deep=True)
    assert isinstance(_call(name, small), pd.DataFrame)
    pd.testing.assert_frame_equal(small.articles, articles)
    pd.testing.assert_frame_equal(small.related, related)


@pytest.mark.parametrize("name", _frame_functions())
def test_naive_dates_count_as_utc(small, name):
    """A frame built elsewhere may carry dates without a zone: taken as UTC, as the loader
    takes a record's, they give what the same dates in UTC give."""
    naive = copy.copy(small)
    naive.articles = small.articles.assign(
        published_at=small.articles["published_at"].dt.tz_localize(None)
    )
    naive.related = small.related.assign(
        published_at=small.related["published_at"].dt.tz_localize(None)
    )
    found, expected = _call(name, naive), _call(name, small)
    for column in ("published_at", "first_published_at", "last_published_at"):
        if column in expected:  # passed through as given
            found[column] = pd.to_datetime(found[column], utc=True)
    pd.testing.assert_frame_equal(found, expected)


@pytest.mark.parametrize("name", _frame_functions())
def test_text_comes_back_as_string_dtype(small, name):
    result = _call(name, small)
    for column in [*result.columns, *result.index.names]:
        values = result[column] if column in result.columns else result.index
        if values.dtype == object:
            assert not values.map(lambda v: isinstance(v, str)).any(), f"{name}: {column}"


#: Old argument names (one release with a DeprecationWarning) -> the new ones.
RENAMES = [
    ("count_values", {"column": "type", "top": 1}, {"column": "type", "n": 1}),
    ("count_topics", {"top": 2}, {"n": 2}),
    ("count_topics_by_period", {"top": 1}, {"n": 1}),
    ("build_topic_cooccurrence", {"top": 2}, {"n": 2}),
    ("count_title_words", {"top": 1, "topics": 2}, {"n_words": 1, "n_topics": 2}),
    ("build_provider_leaderboard", {"top": 2}, {"n": 2}),
    ("measure_concentration", {"top": 1}, {"n": 1}),
    ("build_provider_topics", {"providers": 1, "topics": 2}, {"n_providers": 1, "n_topics": 2}),
    ("count_providers_by_period", {"top": 1}, {"n": 1}),
    ("build_scores_by", {"top": 1}, {"n": 1}),
    ("build_score_groups", {"top": 1}, {"n": 1}),
]


@pytest.mark.parametrize(("name", "old", "new"), RENAMES, ids=[r[0] for r in RENAMES])
def test_old_argument_names_warn_and_give_the_same_result(small, name, old, new):
    function = getattr(stats, name)
    with pytest.warns(DeprecationWarning, match="is now"):
        before = function(small.articles, **old)
    pd.testing.assert_frame_equal(before, function(small.articles, **new))


def test_count_values_column_was_positional(small):
    with pytest.warns(DeprecationWarning, match="column as a keyword"):
        before = stats.count_values(small.articles, "type")
    pd.testing.assert_frame_equal(before, stats.count_values(small.articles, column="type"))
    with pytest.raises(TypeError, match="both"), pytest.warns(DeprecationWarning):
        stats.count_values(small.articles, column="type", top=1, n=1)


def test_the_same_thing_counted_has_the_same_label(small):
    pd.testing.assert_frame_equal(
        stats.count_types(small.articles), stats.count_values(small.articles, column="type")
    )


def test_count_values_can_leave_the_rest_out(small):
    counts = stats.count_values(small.articles, column="provider_domain", n=1, other=False)
    assert counts[["provider_domain", "n_articles"]].values.tolist() == [["a.com", 4]]
    assert counts["share"].tolist() == [4 / 6]


def test_count_providers_by_period_can_leave_the_rest_out(small):
    frame = stats.count_providers_by_period(small.articles, freq="month", n=1, other=False)
    assert set(frame["provider"]) == {"a.com"}
    folded = stats.count_providers_by_period(small.articles, freq="month", n=1)
    assert frame["period"].tolist() == folded.loc[folded["provider"] == "a.com", "period"].tolist()


BAD_ARGUMENTS = [
    ("count_by_period", {"freq": "fortnight"}, ValueError, "freq"),
    ("count_topics_by_period", {"freq": "fortnight"}, ValueError, "freq"),
    ("count_providers_by_period", {"freq": "day"}, ValueError, "freq"),
    ("build_score_trend", {"freq": "fortnight"}, ValueError, "freq"),
    ("build_scores_by", {"by": "colour"}, ValueError, "by"),
    ("build_score_groups", {"by": "colour"}, ValueError, "by"),
    ("build_score_groups", {"score": "speed"}, ValueError, "score"),
    ("find_top_scored", {"score": "speed"}, ValueError, "score"),
    ("count_topics", {"n": -1}, ValueError, "n must be >= 0"),
    ("count_topics", {"n": 2.5}, TypeError, "n must be"),
    ("count_title_words", {"n_words": None}, TypeError, "n_words"),
    ("build_provider_topics", {"n_topics": -2}, ValueError, "n_topics"),
    ("count_values", {"column": "colour"}, ValueError, "column"),
    ("find_alerts", {"examples": -1}, ValueError, "examples"),
    ("measure_provider_cadence", {"n": -1}, ValueError, "n must be >= 0"),
    ("count_topic_stories_by_period", {"freq": "fortnight"}, ValueError, "freq"),
    ("find_largest_stories", {"min_articles": -1}, ValueError, "min_articles"),
    ("build_provider_leaderboard", {"n": 1.5, "stories": True}, TypeError, "n must be"),
]


@pytest.mark.parametrize(("name", "kwargs", "error", "match"), BAD_ARGUMENTS)
def test_bad_arguments_fail_the_same_way_on_empty_and_full_data(
    small, empty_articles, name, kwargs, error, match
):
    for articles in (small.articles, empty_articles):
        with pytest.raises(error, match=match):
            getattr(stats, name)(articles, **kwargs)


EMPTY_CASES = {
    "count_by_period": ["period", "n_articles"],
    "count_types": ["type", "n_articles", "share"],
    "count_published": ["status", "n_articles", "share"],
    "build_completeness": ["field", "n_present", "n_missing", "share_present"],
    "find_alerts": ["alert", "detail"],
    "count_topics": ["topic", "n_articles", "share"],
    "count_topics_by_period": ["period", "topic", "n_articles", "n_period_articles", "share"],
    "find_topic_trends": [
        "topic",
        "n_first",
        "n_second",
        "share_first",
        "share_second",
        "change",
        "direction",
    ],
    "count_title_words": ["topic", "word", "n_titles"],
    "build_provider_leaderboard": [
        "provider",
        "provider_name",
        "n_articles",
        "share",
        "mean_quality",
        "median_quality",
        "mean_heat",
        "median_heat",
    ],
    "measure_concentration": [
        "n_articles",
        "n_providers",
        "top_n",
        "top_share",
        "herfindahl",
        "effective_providers",
    ],
    "count_providers_by_period": ["period", "provider", "n_articles"],
    "build_scores_by": [
        "group",
        "n_articles",
        "mean_quality",
        "median_quality",
        "mean_heat",
        "median_heat",
    ],
    "build_score_groups": ["group", "value"],
    "build_score_trend": [
        "period",
        "n_articles",
        "mean_quality",
        "median_quality",
        "mean_heat",
        "median_heat",
    ],
    "find_top_scored": ["article_id", "title", "provider", "published_at", "quality", "heat"],
    "count_related": ["n_related", "n_articles", "share"],
    "count_score_bins": ["score_from", "score_to", "n_quality", "n_heat"],
    "count_score_cells": ["quality_from", "quality_to", "heat_from", "heat_to", "n_articles"],
    "count_by_weekday_and_hour": list(stats.HOURS),
    "measure_provider_cadence": [
        "provider",
        "n_articles",
        "first_week",
        "last_week",
        "n_weeks",
        "n_active_weeks",
        "articles_per_active_week",
        "n_gap_weeks",
        "longest_gap_weeks",
    ],
    "count_countries": [
        "country",
        "country_name",
        "n_providers",
        "n_articles",
        "share",
        "suffixes",
    ],
}


@pytest.mark.parametrize("name", sorted(EMPTY_CASES))
def test_empty_input_gives_empty_frame_with_columns(name, empty_articles):
    result = getattr(stats, name)(empty_articles)
    assert result.empty
    assert list(result.columns) == EMPTY_CASES[name]


def test_empty_input_for_matrices_and_coverage(empty_articles, small):
    assert stats.build_topic_cooccurrence(empty_articles).empty
    assert stats.build_provider_topics(empty_articles).empty
    assert stats.build_missing_matrix(empty_articles).shape == (0, len(stats.FIELDS))
    assert list(stats.build_coverage_pairs(empty_articles, small.related).columns) == [
        "provider",
        "related_provider",
        "n_stories",
    ]
    lag = stats.build_coverage_lag(empty_articles, small.related)
    assert lag.empty and "lag_hours" in lag
    assert stats.describe_lag(lag).empty
    described = stats.describe_scores(empty_articles)
    assert described["n"].tolist() == [0, 0]
    relation = stats.correlate_scores(empty_articles).iloc[0]
    assert relation["n_pairs"] == 0 and math.isnan(relation["share_equal"])


# --------------------------------------------------------------------------- topics


def test_count_topics(small):
    topics = stats.count_topics(small.articles)
    assert topics[["topic", "n_articles"]].values.tolist() == [["X", 4], ["Y", 2], ["Z", 2]]
    assert topics["share"].iloc[0] == pytest.approx(4 / 6)
    assert stats.count_topics(small.articles, n=1)["topic"].tolist() == ["X"]


def test_topic_counted_once_per_article(make_corpus):
    corpus = newskit.load_corpus(make_corpus({"a.md": story(topics=("X", "X"))}))
    assert stats.count_topics(corpus.articles)["n_articles"].tolist() == [1]


def _topic_lists(count: int, seed: int) -> list[object]:
    """Topics cells as frames may hold them: lists, tuples and arrays of text with repeats,
    blanks (Unicode spaces too) and missing entries; missing cells and empty lists."""
    rng = np.random.default_rng(seed)
    names = ["a", "B", "b", "é", " ", "", "\u2003", "\x1c", "x y", "Power Apps", None]
    cells: list[object] = []
    for _ in range(count):
        kind = rng.integers(6)
        picked = [names[i] for i in rng.integers(len(names), size=rng.integers(5))]
        if kind == 0:
            cells.append(None)
        elif kind == 1:
            cells.append(tuple(picked))
        elif kind == 2:
            cells.append(np.array(picked, dtype=object))
        else:
            cells.append(picked)
    return cells


@pytest.mark.parametrize(
    "odd",
    [None, ["a", 1, "1", True], "a bare string", ["a", float("nan")], [pd.NA, "a"], [("a", "b")]],
)
def test_topic_rows_at_once_are_the_rows_one_by_one(odd):
    cells = _topic_lists(3000, seed=3)
    if odd is not None:  # any cell Arrow cannot take sends the whole column the other road
        cells[1500] = odd
    articles = pd.DataFrame(
        {"topics": pd.Series(cells, dtype=object, index=range(100, 100 + len(cells)))}
    )
    found = stats._topic_rows(articles)
    assert len(found) > 2000
    pd.testing.assert_frame_equal(found, stats._topic_rows_one_by_one(articles))
    empty = articles.assign(topics=[None] * len(articles))
    pd.testing.assert_frame_equal(stats._topic_rows(empty), stats._topic_rows_one_by_one(empty))


def test_count_topics_by_period(small):
    table = stats.count_topics_by_period(small.articles, freq="month", n=None, min_articles=1)
    cell = table.set_index(["topic", "period"])
    assert len(table) == 3 * 2
    assert cell.loc[("X", pd.Timestamp("2021-01-01")), "n_articles"] == 2
    assert cell.loc[("X", pd.Timestamp("2021-01-01")), "share"] == pytest.approx(2 / 3)
    assert cell.loc[("Z", pd.Timestamp("2021-01-01")), "n_articles"] == 0
    assert cell.loc[("Z", pd.Timestamp("2021-02-01")), "share"] == pytest.approx(2 / 3)
    assert cell.loc[("Z", pd.Timestamp("2021-02-01")), "n_period_articles"] == 3
    assert set(stats.count_topics_by_period(small.articles, n=1)["topic"]) == {"X"}


def test_build_topic_cooccurrence(small):
    matrix = stats.build_topic_cooccurrence(small.articles)
    assert list(matrix.index) == ["X", "Y", "Z"] == list(matrix.columns)
    assert np.diag(matrix).tolist() == [4, 2, 2]
    assert matrix.loc["X", "Y"] == matrix.loc["Y", "X"] == 1
    assert matrix.loc["X", "Z"] == 1
    assert matrix.loc["Y", "Z"] == 0


def test_find_topic_trends(small):
    # The window 4 Jan .. 28 Feb is cut on 31 Jan: three articles on each side.
    trends = stats.find_topic_trends(small.articles).set_index("topic")
    assert trends.loc["X", ["n_first", "n_second"]].tolist() == [2, 2]
    assert trends.loc["Y", "change"] == pytest.approx(-2 / 3)
    assert trends.loc["Z", "change"] == pytest.approx(2 / 3)
    assert trends.loc["Z", "direction"] == "rising"
    assert trends.loc["Y", "direction"] == "falling"
    assert trends.loc["X", "direction"] == "steady"
    assert trends.index[0] == "Z"


def test_find_topic_trends_needs_two_halves(make_corpus):
    corpus = newskit.load_corpus(make_corpus({"a.md": story(), "b.md": story()}))
    assert stats.find_topic_trends(corpus.articles).empty


def test_tokenize():
    assert stats.tokenize("What's new in Power Apps? 3 things, 3D") == ["power", "apps", "things"]
    assert stats.tokenize("China’s AI") == ["china's", "ai"]
    assert stats.tokenize(None) == []


def test_count_title_words(small):
    words = stats.count_title_words(small.articles, n_words=2)
    x_words = words[words["topic"] == "X"]
    # X titles: robots build cars / robots and the law / robots everywhere / the law of robots
    assert x_words[["word", "n_titles"]].values.tolist() == [["robots", 4], ["law", 2]]
    z_words = words[words["topic"] == "Z"]
    assert z_words.iloc[0].tolist() == ["Z", "cars", 1]  # once per title, not three times


def test_count_title_words_drops_topic_names(make_corpus):
    root = make_corpus(
        {
            "a.md": story(title="Power Apps portals", topics=("Power Apps", "Portals")),
            "b.md": story(title="Power Apps news", topics=("Power Apps",), url="https://b"),
        }
    )
    words = stats.count_title_words(newskit.load_corpus(root).articles)
    assert "power" not in set(words["word"])
    assert words[words["topic"] == "Portals"]["word"].tolist() == []  # its own name dropped
    kept = stats.count_title_words(newskit.load_corpus(root).articles, drop_topic_words=False)
    assert "power" in set(kept["word"])


# --------------------------------------------------------------------------- providers


def test_build_provider_leaderboard(small):
    board = stats.build_provider_leaderboard(small.articles)
    assert board["provider"].tolist() == ["a.com", "b.com", "c.com"]
    a = board.iloc[0]
    assert a["provider_name"] == "A"
    assert a["n_articles"] == 4
    assert a["share"] == pytest.approx(4 / 6)
    assert a["mean_quality"] == pytest.approx((10 + 20 + 40) / 3)  # one article has no score
    assert a["median_heat"] == pytest.approx(20)
    assert len(stats.build_provider_leaderboard(small.articles, n=2)) == 2


def test_unknown_provider_is_grouped(make_corpus):
    corpus = newskit.load_corpus(make_corpus({"a.md": story(domain=None)}))
    board = stats.build_provider_leaderboard(corpus.articles)
    assert board["provider"].tolist() == [stats.UNKNOWN]


def test_measure_concentration(small):
    row = stats.measure_concentration(small.articles, n=1).iloc[0]
    shares = np.array([4, 1, 1]) / 6
    assert row["n_providers"] == 3
    assert row["top_share"] == pytest.approx(4 / 6)
    assert row["herfindahl"] == pytest.approx((shares**2).sum())
    assert row["effective_providers"] == pytest.approx(1 / (shares**2).sum())


def test_build_provider_topics(small):
    mix = stats.build_provider_topics(small.articles)
    assert list(mix.index) == ["a.com", "b.com", "c.com"]
    assert mix.loc["a.com"].tolist() == [4, 1, 1]
    assert mix.loc["c.com"].tolist() == [0, 0, 1]
    shares = stats.build_provider_topics(small.articles, normalize=True)
    assert shares.loc["a.com", "Y"] == pytest.approx(1 / 4)


def test_count_providers_by_period(small):
    table = stats.count_providers_by_period(small.articles, freq="month", n=1)
    assert list(dict.fromkeys(table["provider"])) == ["a.com", "other"]
    cell = table.set_index(["provider", "period"])["n_articles"]
    assert cell[("a.com", pd.Timestamp("2021-01-01"))] == 2
    assert cell[("other", pd.Timestamp("2021-02-01"))] == 1
    assert table["n_articles"].sum() == 6


# --------------------------------------------------------------------------- scores


def test_describe_scores(small):
    described = stats.describe_scores(small.articles).set_index("score")
    assert described.loc["quality", "n"] == 5
    assert described.loc["quality", "mean"] == pytest.approx(30)
    assert described.loc["heat", "median"] == pytest.approx(20)
    assert described.loc["heat", "max"] == 50


def test_correlate_scores(small):
    row = stats.correlate_scores(small.articles).iloc[0]
    quality = pd.Series([10, 20, 30, 40, 50], dtype=float)
    heat = pd.Series([20, 20, 10, 50, 40], dtype=float)
    assert row["n_pairs"] == 5
    # Spearman = Pearson of average ranks: computed here by hand.
    rq, rh = quality.rank(), heat.rank()
    expected = ((rq - rq.mean()) * (rh - rh.mean())).sum() / math.sqrt(
        ((rq - rq.mean()) ** 2).sum() * ((rh - rh.mean()) ** 2).sum()
    )
    assert row["spearman"] == pytest.approx(expected)
    assert row["pearson"] == pytest.approx(np.corrcoef(quality, heat)[0, 1])
    assert row["share_equal"] == pytest.approx(1 / 5)


def test_correlate_scores_undefined_for_constant_scores(make_corpus):
    root = make_corpus({"a.md": story(quality=3, heat=3), "b.md": story(quality=3, heat=3)})
    row = stats.correlate_scores(newskit.load_corpus(root).articles).iloc[0]
    assert math.isnan(row["spearman"]) and row["share_equal"] == 1


def test_build_scores_by(small):
    by_type = stats.build_scores_by(small.articles, by="type").set_index("group")
    assert by_type.loc["article", "n_articles"] == 5
    assert by_type.loc["video", "mean_quality"] == 20
    by_topic = stats.build_scores_by(small.articles, by="topic").set_index("group")
    assert by_topic.loc["Z", "mean_heat"] == pytest.approx(45)
    assert by_topic.loc["X", "n_articles"] == 4
    assert stats.build_scores_by(small.articles, by="provider", min_articles=2)[
        "group"
    ].tolist() == ["a.com"]
    with pytest.raises(ValueError, match="by must be"):
        stats.build_scores_by(small.articles, by="colour")


def test_build_score_groups(small):
    groups = stats.build_score_groups(small.articles, by="provider", score="heat")
    assert groups["group"].tolist() == ["a.com", "a.com", "a.com", "b.com", "c.com"]
    assert sorted(groups.loc[groups["group"] == "a.com", "value"]) == [20, 20, 50]
    with pytest.raises(ValueError, match="score"):
        stats.build_score_groups(small.articles, score="speed")


@pytest.mark.parametrize("by", ["type", "provider", "topic"])
@pytest.mark.parametrize("n", [None, 2, 1])
def test_build_score_groups_is_each_shown_group_s_scores_in_row_order(small, by, n):
    """The groups build_scores_by shows, in its order; in each, the scores of its articles in
    row order (an article in each of its topics); articles without the score left out; row
    labels in any order."""
    articles = small.articles.assign(quality=small.articles["quality"].mask([False, True] * 3))
    articles.index = articles.index[::-1]
    shown = stats.build_scores_by(articles, by=by, n=n)["group"].tolist()
    of = {
        "type": lambda row: [row["type"]],
        "provider": lambda row: [row["provider_domain"]],
        "topic": lambda row: list(row["topics"]),
    }[by]
    expected = [
        (group, float(row["quality"]))
        for group in shown
        for _, row in articles.iterrows()
        if group in of(row) and not pd.isna(row["quality"])
    ]
    groups = stats.build_score_groups(articles, by=by, score="quality", n=n)
    assert list(zip(groups["group"], groups["value"], strict=True)) == expected
    assert groups.index.equals(pd.RangeIndex(len(expected)))


def test_build_score_trend(small):
    trend = stats.build_score_trend(small.articles, freq="month")
    assert trend["n_articles"].tolist() == [3, 3]
    assert trend["mean_quality"].tolist() == pytest.approx([20, 45])
    assert trend["median_heat"].tolist() == pytest.approx([20, 45])


def test_count_score_bins_are_the_histogram_bins(small):
    bins = stats.count_score_bins(small.articles, bins=4)
    assert bins["score_from"].tolist() == [10, 20, 30, 40]
    assert bins["score_to"].tolist() == [20, 30, 40, 50]
    # quality 10, 20, 30, 40, 50 and heat 20, 20, 10, 50, 40; the last bin holds its top edge
    assert bins["n_quality"].tolist() == [1, 1, 1, 2]
    assert bins["n_heat"].tolist() == [1, 2, 0, 2]
    values = np.concatenate([small.articles[s].dropna().to_numpy(float) for s in stats.SCORES])
    counts, edges = np.histogram(
        small.articles["quality"].dropna().to_numpy(float), 4, range=(values.min(), values.max())
    )
    assert bins["n_quality"].tolist() == counts.tolist()
    with pytest.raises(ValueError, match="bins must be >= 1"):
        stats.count_score_bins(small.articles.iloc[0:0], bins=0)


def test_count_score_cells_counts_each_pair_once(small):
    cells = stats.count_score_cells(small.articles, bins=4)
    assert cells["n_articles"].sum() == 5  # 6.md has no scores
    first = cells.iloc[0]
    assert (first["quality_from"], first["heat_from"], first["n_articles"]) == (10, 20, 1)
    assert (cells["quality_to"] > cells["quality_from"]).all()
    assert cells[["quality_from", "heat_from"]].duplicated().sum() == 0


def test_describe_score_groups_matches_matplotlib_boxes():
    from matplotlib.cbook import boxplot_stats

    rng = np.random.default_rng(3)
    values = np.append(rng.normal(50, 10, 60), [150, -40])  # two points past the whiskers
    groups = pd.DataFrame(
        {"group": ["b"] * 62 + ["a"] * 3, "value": np.append(values, [1.0, 2.0, 9.0])}
    )
    boxes = stats.describe_score_groups(groups)
    assert boxes["group"].tolist() == ["b", "a"]  # in the order given
    assert boxes["n_articles"].tolist() == [62, 3]
    for row, data in zip(boxes.itertuples(), (values, [1.0, 2.0, 9.0]), strict=True):
        (expected,) = boxplot_stats(data)
        assert row.q1 == pytest.approx(expected["q1"])
        assert row.median == pytest.approx(expected["med"])
        assert row.q3 == pytest.approx(expected["q3"])
        assert row.low_whisker == pytest.approx(expected["whislo"])
        assert row.high_whisker == pytest.approx(expected["whishi"])
    assert boxes["high_whisker"].iloc[0] < 150
    assert stats.describe_score_groups(groups.iloc[0:0]).columns.tolist() == [
        "group",
        "n_articles",
        "low_whisker",
        "q1",
        "median",
        "q3",
        "high_whisker",
    ]


# --------------------------------------------------------------------------- gaps over time


@pytest.fixture
def gap_month(make_corpus):
    """Articles in January and March 2021, none in February."""
    files = {
        f"{i}.md": story(
            f"2021-{month}-{day:02d}T10:00:00Z",
            quality=10 * (i + 1),
            heat=5,
            topics=("X",) if i % 2 else ("X", "Y"),
            domain=("a.com", "b.com")[i % 2],
            url=f"https://a.com/{i}",
        )
        for i, (month, day) in enumerate([("01", 4), ("01", 11), ("03", 1), ("03", 8), ("03", 15)])
    }
    return newskit.load_corpus(make_corpus(files), cache=False).articles


FEBRUARY = pd.Timestamp("2021-02-01")


def test_counts_over_time_carry_the_empty_month_as_zero(gap_month):
    counts = stats.count_by_period(gap_month, freq="month").set_index("period")
    assert counts.loc[FEBRUARY, "n_articles"] == 0
    topics = stats.count_topics_by_period(gap_month, freq="month", min_articles=1)
    february = topics[topics["period"] == FEBRUARY]
    assert february["n_articles"].tolist() == [0, 0]
    assert february["n_period_articles"].tolist() == [0, 0]
    assert february["share"].isna().all()  # no article: no share, a gap
    providers = stats.count_providers_by_period(gap_month, freq="month")
    assert providers[providers["period"] == FEBRUARY]["n_articles"].tolist() == [0, 0]


def test_score_trend_has_the_empty_month_without_scores(gap_month):
    trend = stats.build_score_trend(gap_month, freq="month")
    assert trend["period"].tolist() == [
        pd.Timestamp("2021-01-01"),
        FEBRUARY,
        pd.Timestamp("2021-03-01"),
    ]
    assert trend["n_articles"].tolist() == [2, 0, 3]
    february = trend.iloc[1]
    for column in ("mean_quality", "median_quality", "mean_heat", "median_heat"):
        assert math.isnan(february[column])
    assert trend["median_quality"].iloc[2] == 40


def test_shares_need_enough_articles_in_their_period(gap_month):
    assert stats.MIN_PERIOD_ARTICLES == 5
    default = stats.count_topics_by_period(gap_month, freq="month")
    assert default["share"].isna().all()  # no month has five articles
    three = stats.count_topics_by_period(gap_month, freq="month", min_articles=3)
    march = three[three["period"] == pd.Timestamp("2021-03-01")].set_index("topic")
    assert march.loc["X", "share"] == 1 and march.loc["Y", "share"] == pytest.approx(2 / 3)
    assert three[three["period"] < pd.Timestamp("2021-03-01")]["share"].isna().all()
    assert (
        three["n_articles"].tolist()
        == stats.count_topics_by_period(gap_month, freq="month", min_articles=0)[
            "n_articles"
        ].tolist()
    )
    with pytest.raises(TypeError, match="min_articles"):
        stats.count_topics_by_period(gap_month, min_articles=None)


def test_describe_thin_periods_says_how_many_and_why(gap_month):
    table = stats.count_topics_by_period(gap_month, freq="month", min_articles=3)
    said = stats.describe_thin_periods(table, freq="month", min_articles=3)
    assert said == (
        "2 of the 3 months have fewer than 3 articles (1 of them none): too few for a share "
        "to mean much, so their shares are left out (gaps in the lines)."
    )
    assert stats.describe_thin_periods(table, freq="month", min_articles=2).startswith(
        "1 of the 3 months has fewer than 2 articles (none at all)"
    )
    assert stats.describe_thin_periods(table, freq="month", min_articles=1).startswith(
        "1 of the 3 months has no article, so no share (gaps in the lines)."
    )
    enough = table[table["period"] != FEBRUARY]
    assert stats.describe_thin_periods(enough, freq="month", min_articles=2) == ""
    with pytest.raises(ValueError, match="freq"):
        stats.describe_thin_periods(table, freq="auto")


def test_count_lag_bins():
    lags = pd.DataFrame({"lag_hours": [-48.0, 24.0, 24.0, 72.0, np.nan]})
    bins = stats.count_lag_bins(lags, bins=5)
    assert bins["days_from"].tolist() == [-2, -1, 0, 1, 2]
    assert bins["days_to"].tolist() == [-1, 0, 1, 2, 3]
    assert bins["n_stories"].tolist() == [1, 0, 0, 2, 1]
    assert stats.count_lag_bins(lags.iloc[0:0]).columns.tolist() == [
        "days_from",
        "days_to",
        "n_stories",
    ]


def test_find_top_scored(small):
    top = stats.find_top_scored(small.articles, n=2)
    assert top["article_id"].tolist() == ["5.md", "4.md"]
    low = stats.find_top_scored(small.articles, score="heat", n=3, lowest=True)
    # heat 10, then the two 20s ordered by quality (10 before 20)
    assert low["article_id"].tolist() == ["3.md", "1.md", "2.md"]
    assert "6.md" not in stats.find_top_scored(small.articles, n=10)["article_id"].tolist()


# --------------------------------------------------------------------------- coverage

RELATED = (
    "[{title: r1, publishedDateTime: 2021-01-04T16:00:00Z, provider: {name: B, domain: b.com}},"
    " {title: r2, publishedDateTime: 2021-01-03T10:00:00Z, provider: {name: C, domain: c.com}},"
    " {title: r3, publishedDateTime: 2021-01-05T10:00:00Z, provider: {name: B, domain: b.com}}]"
)


@pytest.fixture
def covered(make_corpus):
    root = make_corpus(
        {
            "1.md": story("2021-01-04T10:00:00Z", domain="a.com", related=RELATED),
            "2.md": story(
                "2021-01-06T10:00:00Z",
                domain="b.com",
                related="[{title: r4, provider: {name: A, domain: a.com}}]",
            ),
            "3.md": story("2021-01-07T10:00:00Z", domain="c.com"),
        }
    )
    return newskit.load_corpus(root)


def test_count_related(covered):
    counts = stats.count_related(covered.articles)
    assert counts["n_related"].tolist() == [0, 1, 2, 3]
    assert counts["n_articles"].tolist() == [1, 1, 0, 1]


def test_build_coverage_pairs(covered):
    pairs = stats.build_coverage_pairs(covered.articles, covered.related)
    assert pairs.values.tolist() == [
        ["a.com", "b.com", 2],
        ["a.com", "c.com", 1],
        ["b.com", "a.com", 1],
    ]


def test_build_coverage_pairs_without_self(make_corpus):
    related = "[{title: r, provider: {name: A, domain: a.com}}]"
    corpus = newskit.load_corpus(make_corpus({"1.md": story(domain="a.com", related=related)}))
    assert len(stats.build_coverage_pairs(corpus.articles, corpus.related)) == 1
    assert stats.build_coverage_pairs(corpus.articles, corpus.related, include_self=False).empty


def test_build_coverage_lag(covered):
    lag = stats.build_coverage_lag(covered.articles, covered.related)
    assert lag["lag_hours"].tolist() == pytest.approx([6, -24, 24])  # r4 has no date
    summary = stats.describe_lag(lag).iloc[0]
    assert summary["n_stories"] == 3
    assert summary["share_before"] == pytest.approx(1 / 3)
    assert summary["median_hours"] == pytest.approx(6)


def test_seed_corpus_coverage():
    seed = newskit.load_corpus(SEEDS)
    lag = stats.build_coverage_lag(seed.articles, seed.related)
    # article 2021-04-12 13:30; related 2021-04-10 09:34 and 2021-04-13 05:39
    assert lag["lag_hours"].tolist() == pytest.approx([-(2 * 24 + 3 + 56 / 60), 16 + 9 / 60])
    pairs = stats.build_coverage_pairs(seed.articles, seed.related)
    assert set(pairs["related_provider"]) == {"cgtn.com", "thestar.com.my"}


# --------------------------------------------------------------------------- real corpus


@pytest.fixture(scope="module")
def real():

    root = require_shared()
    fronts = []
    for path in sorted(root.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        fronts.append(yaml.safe_load(text.split("---", 2)[1]))
    return newskit.load_corpus(root).articles, fronts


def test_real_corpus_counts_match_the_files(real):
    articles, fronts = real
    assert stats.count_types(articles).set_index("type")["n_articles"].to_dict() == dict(
        Counter(front["type"] for front in fronts)
    )
    topics = Counter(topic for front in fronts for topic in set(front["topics"]))
    assert stats.count_topics(articles).set_index("topic")["n_articles"].to_dict() == dict(topics)
    domains = Counter(front["provider"]["domain"] for front in fronts)
    board = stats.build_provider_leaderboard(articles)
    assert board.set_index("provider")["n_articles"].to_dict() == dict(domains)
    shares = np.array(list(domains.values())) / len(fronts)
    row = stats.measure_concentration(articles).iloc[0]
    assert row["herfindahl"] == pytest.approx((shares**2).sum())
    assert row["top_share"] == pytest.approx(np.sort(shares)[::-1][:10].sum())


def test_real_corpus_scores_match_the_files(real):
    articles, fronts = real
    quality = np.array([front["quality"] for front in fronts], dtype=float)
    relation = stats.correlate_scores(articles).iloc[0]
    assert relation["n_pairs"] == len(fronts)
    assert relation["share_equal"] == pytest.approx(
        np.mean([front["quality"] == front["heat"] for front in fronts])
    )
    described = stats.describe_scores(articles).set_index("score")
    assert described.loc["quality", "mean"] == pytest.approx(quality.mean())
    assert described.loc["quality", "median"] == pytest.approx(np.median(quality))
    top = stats.find_top_scored(articles, n=1).iloc[0]
    assert top["quality"] == quality.max()


def test_real_corpus_months_and_alerts(real):
    articles, fronts = real
    months = Counter(pd.Timestamp(front["publishedDateTime"]).strftime("%Y-%m") for front in fronts)
    counts = stats.count_by_period(articles, freq="month")
    nonzero = counts[counts["n_articles"] > 0]
    assert dict(
        zip(nonzero["period"].dt.strftime("%Y-%m"), nonzero["n_articles"], strict=True)
    ) == dict(months)
    alerts = set(stats.find_alerts(articles)["alert"])
    assert {"quality equals heat", "providers with a single article", "duplicates"} <= alerts
    assert "dates in the future" not in alerts
    completeness = stats.build_completeness(articles).set_index("field")
    assert completeness.loc["webUrl", "n_present"] == sum("webUrl" in f for f in fronts)
    assert completeness.loc["related", "n_present"] == 0


# --------------------------------------------------------------------------- issue 8


@pytest.mark.parametrize(
    "strays", [("1720-04-12T13:30:00Z",), ("1678-01-01T00:00:00Z", "2261-12-31T00:00:00Z")]
)
def test_dates_pandas_can_hold_never_break_stats(make_corpus, strays):
    files = {f"{i}.md": story(f"2021-0{i}-04T10:00:00Z", related=None) for i in range(1, 7)}
    files.update({f"stray{i}.md": story(date) for i, date in enumerate(strays)})
    files["r.md"] = story(
        "2021-03-04T10:00:00Z",
        related="[{title: Old, publishedDateTime: " + strays[0] + ", provider: {domain: b.com}}]",
    )
    corpus = newskit.load_corpus(make_corpus(files), cache=False)
    articles = corpus.articles
    # the bulk (2021) decides the period, and outlying dates stay out of the counts over time
    assert stats.choose_freq(articles) == "week"
    counts = stats.count_by_period(articles)
    assert counts["period"].min() >= pd.Timestamp("2020-12-28")
    assert counts["n_articles"].sum() == 7
    assert len(counts) < 30
    for frame in (
        stats.count_topics_by_period(articles),
        stats.count_providers_by_period(articles),
        stats.build_score_trend(articles),
        stats.find_topic_trends(articles),
    ):
        assert not frame.empty
    lags = stats.build_coverage_lag(articles, corpus.related)
    assert lags["lag_hours"].iloc[0] < -300 * 365 * 24
    alerts = dict(stats.find_alerts(articles, now="2022-01-01").to_numpy().tolist())
    assert alerts["dates before 1990"].startswith(f"{len(strays) if len(strays) == 1 else 1} of")
    if len(strays) == 2:
        assert alerts["dates in the future"].startswith("1 of")


def test_only_outlying_dates_give_empty_counts(make_corpus):
    root = make_corpus(
        {"a.md": story("1678-01-01T00:00:00Z"), "b.md": story("2261-12-31T00:00:00Z")}
    )
    articles = newskit.load_corpus(root, cache=False).articles
    assert stats.count_by_period(articles).empty
    assert stats.find_topic_trends(articles).empty
    assert stats.choose_freq(articles) == "month"


def test_one_provider_name_rule_in_every_table(make_corpus):
    def named(name: str) -> str:
        return record(
            title='"t"',
            publishedDateTime="2021-01-04T10:00:00Z",
            provider=f"{{name: {name}, domain: p.com}}",
        )

    root = make_corpus({"1.md": named("Zeta Paper"), "2.md": named("Alpha Paper")})
    corpus = newskit.load_corpus(root, cache=False)
    board = stats.build_provider_leaderboard(corpus.articles)
    assert board["provider_name"].tolist() == ["Zeta Paper"]
    assert corpus.providers["provider_name"].tolist() == ["Zeta Paper"]
    # the most frequent name wins over file order
    root = make_corpus(
        {"1.md": named("Zeta Paper"), "2.md": named("Alpha Paper"), "3.md": named("Alpha Paper")}
    )
    corpus = newskit.load_corpus(root, cache=False)
    assert stats.build_provider_leaderboard(corpus.articles)["provider_name"].tolist() == [
        "Alpha Paper"
    ]
    assert corpus.providers["provider_name"].tolist() == ["Alpha Paper"]


def test_a_provider_named_other_is_not_folded_into_other():
    articles = pd.DataFrame(
        {
            "provider_domain": ["other"] * 3 + ["a.com"] * 2 + ["b.com", "c.com"],
            "provider_name": [None] * 7,
            "published_at": pd.Timestamp("2021-01-04", tz="UTC"),
            "type": ["article"] * 7,
        }
    )
    frame = stats.count_providers_by_period(articles, n=1)
    totals = frame.groupby("provider", sort=False)["n_articles"].sum()
    assert totals["other"] == 3
    assert totals[stats.OTHER_REST] == 4
    values = stats.count_values(
        articles.assign(type=articles["provider_domain"]), column="type", n=1
    )
    assert dict(zip(values["type"], values["n_articles"], strict=True)) == {
        "other": 3,
        stats.OTHER_REST: 4,
    }


def test_outlying_dates_are_described_for_the_charts(make_corpus):
    root = make_corpus({"a.md": story("1720-04-12T13:30:00Z"), "b.md": story()})
    articles = newskit.load_corpus(root, cache=False).articles
    assert stats.describe_outlying_dates(articles).startswith("1 article is dated before 1990")
    assert stats.describe_outlying_dates(articles.iloc[1:]) == ""


# --------------------------------------------------------------------------- publishing rhythm


def test_count_by_weekday_and_hour_in_utc(make_corpus):
    files = {
        "mon.md": story("2021-01-04T10:15:00Z"),  # a Monday
        "mon2.md": story("2021-01-11T10:59:00Z", url="https://a.com/2"),
        "zone.md": story("2021-01-05T01:00:00+05:00", url="https://a.com/3"),  # Monday 20:00
        "sun.md": story("2021-01-10T23:30:00Z", url="https://a.com/4"),
        "undated.md": story(None, url="https://a.com/5"),
        "odd.md": story("1720-01-01T10:00:00Z", url="https://a.com/6"),  # outlying
    }
    articles = newskit.load_corpus(make_corpus(files), cache=False).articles
    table = stats.count_by_weekday_and_hour(articles)
    assert table.shape == (7, 24)
    assert table.index.tolist() == list(stats.WEEKDAYS) and table.index.name == "weekday"
    assert table.columns.tolist() == [f"{hour:02d}" for hour in range(24)]
    assert int(table.to_numpy().sum()) == 4
    assert table.loc["Monday", "10"] == 2
    assert table.loc["Monday", "20"] == 1
    assert table.loc["Sunday", "23"] == 1
    assert (table.dtypes == "int64").all()


def test_measure_provider_cadence(make_corpus):
    files = {
        "1.md": story("2021-01-04T10:00:00Z", url="https://a.com/1"),  # week of 4 January
        "2.md": story("2021-01-06T10:00:00Z", url="https://a.com/2"),
        "3.md": story("2021-01-10T23:30:00-05:00", url="https://a.com/3"),  # 11 Jan in UTC
        "4.md": story("2021-02-01T10:00:00Z", url="https://a.com/4"),  # two weeks missed
        "5.md": story("2021-01-10T10:00:00Z", domain="b.com"),  # a Sunday: week of 4 Jan
        "6.md": story(None, domain="b.com", url="https://b.com/6"),  # undated: left out
    }
    articles = newskit.load_corpus(make_corpus(files), cache=False).articles
    cadence = stats.measure_provider_cadence(articles).set_index("provider")
    a, b = cadence.loc["a.com"], cadence.loc["b.com"]
    assert cadence.index.tolist() == ["a.com", "b.com"]
    assert a["first_week"] == pd.Timestamp("2021-01-04")
    assert a["last_week"] == pd.Timestamp("2021-02-01")
    assert (a["n_articles"], a["n_weeks"], a["n_active_weeks"]) == (4, 5, 3)
    assert a["articles_per_active_week"] == pytest.approx(4 / 3)
    assert (a["n_gap_weeks"], a["longest_gap_weeks"]) == (2, 2)
    assert (b["n_articles"], b["n_weeks"], b["n_gap_weeks"], b["longest_gap_weeks"]) == (1, 1, 0, 0)
    assert stats.measure_provider_cadence(articles, n=1).index.tolist() == [0]


def test_count_countries(make_corpus):
    files = {
        "1.md": story(domain="thestar.com.my", url="https://thestar.com.my/1"),
        "2.md": story(domain="thestar.com.my", url="https://thestar.com.my/2"),
        "3.md": story(domain="bbc.co.uk", url="https://bbc.co.uk/3"),
        "4.md": story(domain="news.bbc.co.uk", url="https://news.bbc.co.uk/4"),
        "5.md": story(domain="a.com", url="https://a.com/5"),
        "6.md": story(domain="b.io", url="https://b.io/6"),
        "7.md": story(domain="c.com", url="https://c.com/7"),
        "8.md": story(domain=None, url="https://nowhere/8"),
    }
    articles = newskit.load_corpus(make_corpus(files), cache=False).articles
    table = stats.count_countries(articles)
    assert table.to_dict("list") == {
        "country": ["unknown", "GB", "MY"],
        "country_name": [None, "United Kingdom", "Malaysia"],
        "n_providers": [4, 2, 1],
        "n_articles": [4, 2, 2],
        "share": [0.5, 0.25, 0.25],
        "suffixes": [".com, (unknown), .io", ".uk", ".my"],
    }
    assert table["country_name"].isna().tolist() == [True, False, False]


# --------------------------------------------------------------------------- stories


def with_stories(corpus: newskit.Corpus) -> pd.DataFrame:
    from newskit.stories import StoryOptions, build_stories

    result = build_stories(
        corpus.articles,
        corpus.related,
        topics=corpus.topics,
        options=StoryOptions(near_duplicates=False),
    )
    return corpus.articles.assign(story_id=result.story_id)


@pytest.fixture
def syndicated(make_corpus):
    """Two stories first published by a.com, picked up by b.com and c.com; one of b.com's."""
    root = make_corpus(
        {
            "1.md": story("2021-01-04T10:00:00Z", title="Robots build cars", topics=("X",)),
            "2.md": story("2021-01-04T16:00:00Z", title="Robots build cars - B", domain="b.com"),
            "3.md": story(
                "2021-01-05T10:00:00Z", title="Robots build cars", domain="c.com", topics=("Y",)
            ),
            "4.md": story("2021-02-01T10:00:00Z", title="Cars of tomorrow today"),
            "5.md": story("2021-02-01T12:00:00Z", title="Cars of tomorrow today", domain="b.com"),
            "6.md": story("2021-02-03T10:00:00Z", title="Boats of yesterday", domain="b.com"),
        }
    )
    return with_stories(newskit.load_corpus(root, cache=False))


def test_summarize_stories(syndicated):
    row = stats.summarize_stories(syndicated).iloc[0].to_dict()
    assert row == {
        "n_articles": 6,
        "n_stories": 3,
        "n_copies": 3,
        "share_copies": 0.5,
        "n_syndicated": 2,
    }


def test_count_stories_by_period(syndicated):
    frame = stats.count_stories_by_period(syndicated, freq="month")
    assert frame["n_articles"].tolist() == [3, 3]
    assert frame["n_stories"].tolist() == [1, 2]


def test_count_topic_stories(syndicated):
    frame = stats.count_topic_stories(syndicated)
    by_topic = frame.set_index("topic")
    assert by_topic.loc["X", "n_articles"] == 5 and by_topic.loc["X", "n_stories"] == 3
    assert by_topic.loc["Y", "n_articles"] == 1 and by_topic.loc["Y", "n_stories"] == 1
    assert by_topic.loc["Y", "share_stories"] == pytest.approx(1 / 3)


def test_find_first_publishers(syndicated):
    frame = stats.find_first_publishers(syndicated).set_index("provider")
    assert frame.loc["a.com", "n_first"] == 2 and frame.loc["a.com", "n_copies"] == 0
    assert frame.loc["b.com", "n_first"] == 1
    assert frame.loc["b.com", "n_copies"] == 2
    assert frame.loc["b.com", "syndication_rate"] == pytest.approx(2 / 3)
    assert frame.loc["b.com", "median_lag_hours"] == pytest.approx(4.0)  # 6 h and 2 h
    assert frame.loc["c.com", "median_lag_hours"] == pytest.approx(24.0)
    assert math.isnan(frame.loc["a.com", "median_lag_hours"])
    assert list(frame.index) == ["a.com", "b.com", "c.com"]


def test_build_pickup_lag(syndicated):
    frame = stats.build_pickup_lag(syndicated)
    assert frame.to_dict("list") == {
        "first_provider": ["a.com", "a.com"],
        "provider": ["b.com", "c.com"],
        "n_stories": [2, 1],
        "median_lag_hours": [4.0, 24.0],
    }


def test_find_largest_stories(syndicated):
    frame = stats.find_largest_stories(syndicated, n=2)
    assert frame["story_id"].tolist() == ["1.md", "4.md"]
    assert frame["providers"].tolist() == ["a.com, b.com, c.com", "a.com, b.com"]
    assert frame["title"].tolist() == ["Robots build cars", "Cars of tomorrow today"]
    assert frame["n_providers"].tolist() == [3, 2]


def test_build_provider_leaderboard_with_stories(syndicated):
    plain = stats.build_provider_leaderboard(syndicated)
    board = stats.build_provider_leaderboard(syndicated, stories=True)
    assert board.columns.tolist() == [
        *plain.columns[:4],
        "n_stories",
        "n_first",
        "syndication_rate",
        *plain.columns[4:],
    ]
    pd.testing.assert_frame_equal(board[plain.columns], plain)
    by = board.set_index("provider")
    assert by[["n_stories", "n_first"]].to_dict("list") == {
        "n_stories": [3, 2, 1],  # b.com, a.com, c.com: most articles first
        "n_first": [1, 2, 0],
    }
    assert by["syndication_rate"].tolist() == pytest.approx([2 / 3, 0, 1])
    first = stats.find_first_publishers(syndicated).set_index("provider")
    assert by.loc["b.com", "syndication_rate"] == first.loc["b.com", "syndication_rate"]
    assert len(stats.build_provider_leaderboard(syndicated, n=1, stories=True)) == 1
    with pytest.raises(ValueError, match="story_id"):
        stats.build_provider_leaderboard(syndicated.drop(columns="story_id"), stories=True)


def test_count_topic_stories_by_period(syndicated):
    frame = stats.count_topic_stories_by_period(syndicated, freq="month")
    assert frame["period"].dt.strftime("%Y-%m").tolist() == ["2021-01", "2021-02"] * 2
    assert frame["topic"].tolist() == ["X", "X", "Y", "Y"]  # most stories first
    # X: the robots story (1.md and 2.md have X) in January, two stories in February
    assert frame["n_stories"].tolist() == [1, 2, 1, 0]
    assert frame["n_articles"].tolist() == [2, 3, 1, 0]
    assert stats.count_topic_stories_by_period(syndicated, freq="month", n=1)[
        "topic"
    ].unique().tolist() == ["X"]


def test_a_story_counts_in_the_period_of_its_first_dated_copy(make_corpus):
    files = {
        "a.md": story("2021-01-30T10:00:00Z", title="Robots build cars", topics=("X",)),
        "b.md": story("2021-02-01T10:00:00Z", title="Robots build cars", domain="b.com"),
        "c.md": story(None, title="Robots build cars", domain="c.com", topics=("Z",)),
    }
    articles = with_stories(newskit.load_corpus(make_corpus(files), cache=False))
    assert articles["story_id"].nunique() == 1  # the undated copy joins the dated ones
    frame = stats.count_topic_stories_by_period(articles, freq="month")
    frame = frame.set_index(["topic", "period"])
    january, february = pd.Timestamp("2021-01-01"), pd.Timestamp("2021-02-01")
    assert frame["n_stories"].to_dict() == {
        ("X", january): 1,
        ("X", february): 0,
        ("Z", january): 1,  # the topic of the undated copy, in its story's first period
        ("Z", february): 0,
    }
    assert frame.loc[("X", february), "n_articles"] == 1
    assert frame.loc[("Z", january), "n_articles"] == 0


def test_count_story_sizes(syndicated, make_corpus):
    sizes = stats.count_story_sizes(syndicated)
    assert sizes.to_dict("list") == {
        "story_size": ["1", "2", "3-4"],
        "n_stories": [1, 1, 1],
        "share_stories": [1 / 3, 1 / 3, 1 / 3],
        "n_articles": [1, 2, 3],
    }
    files = {
        f"{i}.md": story(f"2021-01-0{1 + i % 3}T10:00:00Z", domain=f"p{i}.com") for i in range(9)
    }
    files["lone.md"] = story(title="Something else")
    articles = with_stories(newskit.load_corpus(make_corpus(files), cache=False))
    sizes = stats.count_story_sizes(articles)
    assert sizes["story_size"].tolist() == ["1", "2", "3-4", "5-8", "9-16"]
    assert sizes["n_stories"].tolist() == [1, 0, 0, 0, 1]
    assert sizes["n_articles"].sum() == 10


def test_find_largest_stories_can_leave_single_articles_out(syndicated):
    assert len(stats.find_largest_stories(syndicated)) == 3
    kept = stats.find_largest_stories(syndicated, min_articles=2)
    assert kept["n_articles"].tolist() == [3, 2]
    assert stats.find_largest_stories(syndicated, min_articles=4).empty


STORY_STATS = [
    stats.summarize_stories,
    stats.count_stories_by_period,
    stats.count_topic_stories,
    stats.count_topic_stories_by_period,
    stats.count_story_sizes,
    stats.find_first_publishers,
    stats.build_pickup_lag,
    stats.find_largest_stories,
]


@pytest.mark.parametrize("function", STORY_STATS)
def test_story_stats_on_empty_input_and_without_stories(function, syndicated):
    empty = function(syndicated.iloc[:0])
    assert empty.empty and len(empty.columns) == len(function(syndicated).columns)
    assert list(empty.columns) == list(function(syndicated).columns)
    with pytest.raises(ValueError, match="story_id"):
        function(syndicated.drop(columns="story_id"))
    before = syndicated.copy()
    function(syndicated)
    pd.testing.assert_frame_equal(syndicated, before)


def test_story_stats_on_the_real_corpus():
    corpus = newskit.load_corpus(require_shared(), cache=False, progress=False)
    articles = with_stories(corpus)
    summary = stats.summarize_stories(articles).iloc[0]
    assert summary["n_articles"] == 192 and summary["n_stories"] < 192
    assert stats.find_first_publishers(articles)["n_first"].sum() == summary["n_stories"]


# --------------------------------------------------------------------------- stories, by hand

#: Three stories and an article without one: ties in date, an undated copy, a story without
#: its first copy (r3.md), providers known only by name or not at all.
STORY_ROWS = [
    # article_id, story_id, published_at, provider_domain, provider_name, title, topics
    ("s1.md", "s1.md", "2021-01-01T10:00:00Z", "b.com", "B", "One", ["X"]),
    ("t1.md", "s1.md", "2021-02-03T10:00:00Z", "b.com", "B", "One", ["X"]),
    ("u1.md", "s1.md", "2021-01-02T10:00:00Z", "a.com", "A", "One", ["Y"]),
    ("s2.md", "s2.md", "2021-01-02T10:00:00Z", "a.com", "A", "Two", ["X"]),
    ("c2.md", "s2.md", "2021-01-02T10:00:00Z", "c.com", "C", "Two", []),
    ("x2.md", "s2.md", None, "d.com", "D", "Two", ["Z"]),
    ("r3a.md", "r3.md", "2021-01-05T10:00:00Z", None, "Nameonly", "Three", ["X"]),
    ("r3b.md", "r3.md", "2021-01-04T10:00:00Z", None, None, "Three", None),
    ("r3c.md", "r3.md", "2021-01-06T10:00:00Z", "e.com", "E", "Three", ["X"]),
    ("lone.md", None, "2021-01-07T10:00:00Z", "a.com", "A", "Lone", ["X"]),
]
RELATED_ROWS = [
    # article_id (of the article listing it), published_at, provider_domain, provider_name
    ("s2.md", "2021-01-02T16:00:00Z", "b.com", "B"),
    ("s1.md", "2021-01-01T04:00:00Z", None, "Nameonly"),
    ("nosuch.md", "2021-01-01T04:00:00Z", "e.com", "E"),
    ("s2.md", None, "c.com", "C"),
    ("s1.md", "2021-01-02T10:00:00Z", "b.com", "B"),
]
TEXT = ["article_id", "story_id", "provider_domain", "provider_name", "title"]


@pytest.fixture(params=["text columns", "object columns"])
def stories_by_hand(request) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:data:`STORY_ROWS` and :data:`RELATED_ROWS` with text columns as a load types them,
    or as Python objects: the story tables take a quicker road for the first."""
    articles = pd.DataFrame(STORY_ROWS, columns=[*TEXT[:2], "published_at", *TEXT[2:], "topics"])
    related = pd.DataFrame(RELATED_ROWS, columns=["article_id", "published_at", *TEXT[2:4]])
    articles["published_at"] = pd.to_datetime(articles["published_at"], utc=True)
    related["published_at"] = pd.to_datetime(related["published_at"], utc=True)
    articles = articles.assign(quality=pd.array([50] * len(articles), dtype="Int64"))
    articles = articles.assign(heat=articles["quality"])
    dtype = "string" if request.param == "text columns" else object
    articles = articles.astype({c: dtype for c in TEXT})
    related = related.astype({c: dtype for c in ["article_id", *TEXT[2:4]]})
    if dtype is object:  # missing text as None, as Python would hold it
        articles[TEXT] = articles[TEXT].astype(object).where(articles[TEXT].notna(), None)
    return articles, related


def test_largest_stories_break_ties_by_story_id_and_dates_by_article_id(stories_by_hand):
    articles, _ = stories_by_hand
    frame = stats.find_largest_stories(articles, n=2)
    assert frame["story_id"].tolist() == ["r3.md", "s2.md"]  # 3 articles, 3 providers each
    assert frame["title"].isna().tolist() == [True, False]  # r3.md has no first copy
    assert frame["title"].iloc[1] == "Two"
    # r3b.md is the earliest; c2.md and s2.md share a date (c2.md first); x2.md is undated
    assert frame["providers"].tolist() == ["(unknown), Nameonly, e.com", "c.com, a.com, d.com"]
    assert frame["first_published_at"].tolist() == [
        pd.Timestamp("2021-01-04T10:00:00Z"),
        pd.Timestamp("2021-01-02T10:00:00Z"),
    ]
    assert frame["last_published_at"].tolist() == [
        pd.Timestamp("2021-01-06T10:00:00Z"),
        pd.Timestamp("2021-01-02T10:00:00Z"),
    ]
    assert stats.find_largest_stories(articles, n=1)["story_id"].tolist() == ["r3.md"]
    every = stats.find_largest_stories(articles, n=10)  # lone.md has no story: left out
    assert every[["story_id", "n_providers", "providers"]].values.tolist() == [
        ["r3.md", 3, "(unknown), Nameonly, e.com"],
        ["s2.md", 3, "c.com, a.com, d.com"],
        ["s1.md", 2, "b.com, a.com"],
    ]
    none = stats.find_largest_stories(articles, min_articles=4)
    assert none.empty and none.dtypes.equals(every.dtypes)
    assert stats.find_largest_stories(articles, n=0).empty


def test_story_summary_and_sizes_leave_articles_without_a_story_out(stories_by_hand):
    articles, _ = stories_by_hand
    assert stats.summarize_stories(articles).iloc[0].to_dict() == {
        "n_articles": 10,
        "n_stories": 3,
        "n_copies": 7,
        "share_copies": 0.7,
        "n_syndicated": 3,
    }
    sizes = stats.count_story_sizes(articles)
    assert sizes[["story_size", "n_stories", "n_articles"]].values.tolist() == [
        ["1", 0, 0],
        ["2", 0, 0],
        ["3-4", 3, 9],
    ]


def test_first_publishers_with_missing_providers_and_first_copies(stories_by_hand):
    articles, _ = stories_by_hand
    frame = stats.find_first_publishers(articles)
    assert frame["provider"].tolist() == [
        "a.com",
        "b.com",
        "(unknown)",
        "Nameonly",
        "c.com",
        "d.com",
        "e.com",
    ]
    by = frame.set_index("provider")
    # a.com: u1.md copies b.com's story, lone.md has no story, s2.md is a first copy
    assert by.loc["a.com"].to_dict() == {
        "n_articles": 3,
        "n_stories": 2,
        "n_first": 1,
        "share_first": 0.5,
        "n_copies": 2,
        "syndication_rate": 2 / 3,
        "median_lag_hours": 24.0,
    }
    assert by.loc["b.com", "median_lag_hours"] == 33 * 24  # its own later copy, t1.md
    assert by.loc["b.com", "n_copies"] == 0
    assert by.loc["c.com", "median_lag_hours"] == 0.0  # the same hour as the first copy
    # a story without a first copy: every article of it is a copy, with no lag
    assert by.loc[["e.com", "Nameonly", "(unknown)"], "n_copies"].tolist() == [1, 1, 1]
    assert by.loc[["d.com", "e.com"], "median_lag_hours"].isna().all()
    lag = stats.build_pickup_lag(articles)  # r3.md has no first provider: no pair
    assert lag[["first_provider", "provider", "n_stories"]].values.tolist() == [
        ["a.com", "c.com", 1],
        ["a.com", "d.com", 1],
        ["b.com", "a.com", 1],
    ]
    assert lag["median_lag_hours"].isna().tolist() == [False, True, False]  # x2.md undated
    assert lag["median_lag_hours"].tolist()[::2] == [0.0, 24.0]
    assert len(stats.build_pickup_lag(articles, include_self=True)) == 4  # b.com -> b.com


def test_leaderboard_story_columns_by_hand(stories_by_hand):
    articles, _ = stories_by_hand
    board = stats.build_provider_leaderboard(articles, stories=True)
    assert board["provider"].tolist() == [
        "a.com",
        "b.com",
        "(unknown)",
        "Nameonly",
        "c.com",
        "d.com",
        "e.com",
    ]
    assert board["provider_name"].tolist()[:2] == ["A", "B"]
    assert board["provider_name"].isna().tolist()[2:4] == [True, False]
    assert board["n_stories"].tolist() == [2, 1, 1, 1, 1, 1, 1]
    assert board["n_first"].tolist() == [1, 1, 0, 0, 0, 0, 0]
    assert board["syndication_rate"].tolist() == [2 / 3, 0, 1, 1, 1, 1, 1]
    plain = stats.build_provider_leaderboard(articles)
    pd.testing.assert_frame_equal(board[plain.columns], plain)


def test_topic_stories_by_hand(stories_by_hand):
    articles, _ = stories_by_hand
    topics = stats.count_topic_stories(articles)
    assert topics[["topic", "n_articles", "n_stories"]].values.tolist() == [
        ["X", 6, 3],  # lone.md counts as an article of X, not as a story
        ["Y", 1, 1],
        ["Z", 1, 1],  # a tie with Y: by name
    ]
    assert topics["share_stories"].tolist() == [1, 1 / 3, 1 / 3]
    with_story = articles[articles["story_id"].notna()]
    frame = stats.count_topic_stories_by_period(with_story, freq="month", n=None)
    assert frame["topic"].tolist() == ["X", "X", "Y", "Y", "Z", "Z"]
    assert frame["period"].dt.strftime("%Y-%m").tolist() == ["2021-01", "2021-02"] * 3
    # r3.md counts in X though its first dated copy, r3b.md, has no topic; x2.md is undated
    assert frame["n_stories"].tolist() == [3, 0, 1, 0, 1, 0]
    assert frame["n_articles"].tolist() == [4, 1, 1, 0, 0, 0]
    assert stats.count_topic_stories_by_period(with_story, freq="month", n=0).empty
    periods = stats.count_stories_by_period(with_story, freq="month")
    assert periods[["n_articles", "n_stories"]].values.tolist() == [[7, 3], [1, 0]]


def test_coverage_by_hand(stories_by_hand):
    articles, related = stories_by_hand
    pairs = stats.build_coverage_pairs(articles, related)
    assert pairs.values.tolist() == [
        ["a.com", "b.com", 1],
        ["a.com", "c.com", 1],
        ["b.com", "Nameonly", 1],  # the undated related story counts here
        ["b.com", "b.com", 1],
    ]
    assert len(stats.build_coverage_pairs(articles, related, include_self=False)) == 3
    lag = stats.build_coverage_lag(articles, related)  # in the order of the related stories
    assert lag.values.tolist() == [
        ["s2.md", "a.com", "b.com", 6.0],
        ["s1.md", "b.com", "Nameonly", -6.0],
        ["s1.md", "b.com", "b.com", 24.0],
    ]
    twice = stats.build_coverage_pairs(articles, pd.concat([related, related]))
    assert twice["n_stories"].tolist() == [2, 2, 2, 2]


STORY_FUNCTIONS = [
    *STORY_STATS,
    lambda articles: stats.build_provider_leaderboard(articles, stories=True),
]


@pytest.mark.parametrize("function", STORY_FUNCTIONS)
def test_story_stats_by_position_whatever_the_index(function, stories_by_hand):
    articles, _ = stories_by_hand
    expected = function(articles)
    for index in (np.arange(len(articles))[::-1], [f"row{i}" for i in range(len(articles))]):
        pd.testing.assert_frame_equal(function(articles.set_axis(index)), expected)
    # a label repeated (as pd.concat gives) is no longer looked up by label
    pd.testing.assert_frame_equal(function(articles.set_axis([0] * len(articles))), expected)
    empty = function(articles.iloc[:0])
    assert empty.empty and empty.dtypes.equals(expected.dtypes)


@pytest.mark.parametrize("function", STORY_FUNCTIONS)
def test_a_story_with_two_first_copies_is_an_error(function, stories_by_hand):
    articles, _ = stories_by_hand
    twice = pd.concat([articles, articles.iloc[:1]], ignore_index=True)
    with pytest.raises(pd.errors.InvalidIndexError, match="first copy"):
        function(twice)


def test_provider_keys_are_the_provider_labels_on_either_road(stories_by_hand):
    articles, related = stories_by_hand
    for frame in (articles, related, articles.iloc[:0], articles.assign(provider_domain="other")):
        codes, labels = stats._provider_keys(frame)
        expected = stats._provider_labels(frame) if len(frame) else pd.Series([], dtype=object)
        assert labels[codes].tolist() == expected.tolist()
        assert len(set(labels)) == len(labels)
        assert labels.dtype == object


# --------------------------------------------------------------------------- distinctive words


def grouped_titles(titles: dict[str, list[str]]) -> pd.DataFrame:
    """An articles-like frame: one row per title, its group in ``side``."""
    rows = [(side, title) for side, group in titles.items() for title in group]
    return pd.DataFrame(
        {
            "article_id": [f"{i}.md" for i in range(len(rows))],
            "side": [side for side, _ in rows],
            "title": pd.array([title for _, title in rows], dtype="string"),
            "published_at": pd.Series(pd.NaT, index=range(len(rows)), dtype="datetime64[ns, UTC]"),
        }
    )


def test_distinctive_words_match_the_formula_by_hand():
    articles = grouped_titles({"A": ["Robots cars", "Robots law"], "B": ["Cars law", "Cars boats"]})
    found = stats.find_distinctive_words(
        articles, by="side", bigrams=False, prior=0.5, min_count=1, n_words=10
    )

    # counts (once per title): robots 2/0, cars 1/2, law 1/1, boats 0/1; 4 words per side;
    # prior a_w = 0.5 * corpus count: robots 1, cars 1.5, law 1, boats 0.5; a_0 = 4
    def z(y_g, y_r, a, n_g=4, n_r=4, a0=4):
        delta = math.log((y_g + a) / (n_g + a0 - y_g - a)) - math.log(
            (y_r + a) / (n_r + a0 - y_r - a)
        )
        return delta, delta / math.sqrt(1 / (y_g + a) + 1 / (y_r + a))

    a_side = found[found["group"] == "A"].set_index("word")
    b_side = found[found["group"] == "B"].set_index("word")
    assert list(a_side.index) == ["robots"]  # law: z = 0 (not > 0); cars: negative
    delta, expected = z(2, 0, 1.0)
    assert a_side.loc["robots", "log_odds"] == pytest.approx(delta)
    assert a_side.loc["robots", "z"] == pytest.approx(expected)
    assert a_side.loc["robots", "n_group"] == 2 and a_side.loc["robots", "n_rest"] == 0
    assert list(b_side.index) == ["boats", "cars"]  # 0.76 against 0.65
    assert b_side.loc["cars", "z"] == pytest.approx(z(2, 1, 1.5)[1])
    assert b_side.loc["boats", "z"] == pytest.approx(z(1, 0, 0.5)[1])
    assert expected == pytest.approx(math.log(21 / 5) / math.sqrt(1 / 3 + 1))


def test_a_word_only_in_one_group_gets_a_positive_z_there():
    import random

    generator = random.Random(4)
    vocabulary = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
    for _ in range(25):
        titles = {
            side: [
                " ".join(generator.sample(vocabulary, 3)) + (" zulu" if side == "A" else "")
                for _ in range(generator.randint(1, 6))
            ]
            for side in ("A", "B")
        }
        found = stats.find_distinctive_words(
            grouped_titles(titles), by="side", min_count=1, n_words=100, n_groups=None
        )
        zulu = found[found["word"] == "zulu"]
        assert zulu["group"].tolist() == ["A"]
        assert (zulu["z"] > 0).all()


def test_distinctive_words_count_a_story_once(make_corpus):
    files = {
        f"{i}.md": story(
            f"2021-01-0{1 + i}T10:00:00Z", title="Robots build cars", domain=f"p{i}.com"
        )
        for i in range(4)
    } | {
        "x.md": story(title="Boats sail home", topics=("Y",)),
        "y.md": story(title="Robots sail home", topics=("Y",)),
    }
    corpus = newskit.load_corpus(make_corpus(files), cache=False)
    files_only = corpus.articles.drop(columns="story_id")  # without stories: files counted
    by_file = stats.find_distinctive_words(files_only, min_count=1, bigrams=False)
    by_story = stats.find_distinctive_words(with_stories(corpus), min_count=1, bigrams=False)
    file_x = by_file[by_file["group"] == "X"].set_index("word")
    story_x = by_story[by_story["group"] == "X"].set_index("word")
    assert file_x.loc["cars", "n_group"] == 4 and story_x.loc["cars", "n_group"] == 1


def test_distinctive_words_bigrams_groups_and_arguments(syndicated):
    found = stats.find_distinctive_words(syndicated, by="provider", min_count=1)
    assert {"robots build", "build cars"} <= set(found["word"]) or "cars tomorrow" in set(
        found["word"]
    )
    assert stats.find_distinctive_words(syndicated, by="period", min_count=1)["group"].nunique()
    with pytest.raises(ValueError, match="by must be"):
        stats.find_distinctive_words(syndicated, by="nope")
    with pytest.raises(ValueError, match="prior"):
        stats.find_distinctive_words(syndicated, prior=0)
    empty = stats.find_distinctive_words(syndicated.iloc[:0])
    assert empty.empty and list(empty.columns) == [
        "group",
        "word",
        "n_group",
        "n_rest",
        "log_odds",
        "z",
    ]


def reference_terms(title: object, bigrams: bool) -> set[str]:
    """A title's terms as find_distinctive_words counted them title by title (28b423d)."""
    words = stats.tokenize(title)
    terms = set(words)
    if bigrams:
        terms.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
    return terms


def reference_distinctive_words(
    articles: pd.DataFrame,
    *,
    by: str,
    n_words: int,
    n_groups: int | None,
    bigrams: bool,
    prior: float,
    min_count: int,
) -> pd.DataFrame:
    """find_distinctive_words as it was (28b423d): each title tokenised, counts in dicts."""
    columns = {
        "group": "string",
        "word": "string",
        "n_group": "int64",
        "n_rest": "int64",
        "log_odds": "float64",
        "z": "float64",
    }
    keys = stats._distinctive_groups(articles, by)
    if keys.empty:
        return stats._empty(columns)
    story = (
        articles["story_id"].astype(object)
        if "story_id" in articles
        else pd.Series(articles.index, index=articles.index, dtype=object)
    )
    keys = keys.assign(story=story.loc[keys["row"]].to_numpy())
    keys = keys.drop_duplicates(["story", "group"])
    terms = {row: reference_terms(title, bigrams) for row, title in articles["title"].items()}
    corpus_rows = keys.drop_duplicates("story")["row"]
    corpus = Counter(term for row in corpus_rows for term in terms[row])
    if not corpus:
        return stats._empty(columns)
    vocabulary = sorted(corpus)
    index = {term: i for i, term in enumerate(vocabulary)}
    y_all = np.array([corpus[term] for term in vocabulary], dtype="float64")
    alpha = prior * y_all
    n_all, alpha0 = y_all.sum(), alpha.sum()
    sizes = keys["group"].value_counts()
    order = sorted(
        (g for g in sizes.index if sizes[g] < len(corpus_rows)), key=lambda g: (-sizes[g], str(g))
    )[:n_groups]
    out = []
    for group in order:
        y_g = np.zeros(len(vocabulary))
        for row in keys.loc[keys["group"] == group, "row"]:
            for term in terms[row]:
                if term in index:
                    y_g[index[term]] += 1
        y_r = np.maximum(y_all - y_g, 0)
        n_g, n_r = y_g.sum(), n_all - y_g.sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            delta = np.log((y_g + alpha) / (n_g + alpha0 - y_g - alpha)) - np.log(
                (y_r + alpha) / (n_r + alpha0 - y_r - alpha)
            )
            z = delta / np.sqrt(1 / (y_g + alpha) + 1 / (y_r + alpha))
        keep = np.flatnonzero((y_g >= min_count) & (z > 0) & np.isfinite(z))
        keep = sorted(keep.tolist(), key=lambda i: (-z[i], vocabulary[i]))[:n_words]
        out += [
            (group, vocabulary[i], int(y_g[i]), int(y_r[i]), float(delta[i]), float(z[i]))
            for i in keep
        ]
    return pd.DataFrame(out, columns=list(columns)).astype(columns)


#: Pieces of generated titles: ASCII and other letters, both apostrophes where they join words
#: and where they do not, digits, underscores, stopwords, one-letter words, separators, and
#: what str.lower changes by context or into several characters (final sigma, İ, the Kelvin
#: sign), each alone or run together with its neighbours.
TITLE_PIECES = (
    "Robots", "robots", "CARS", "law", "Power", "Apps", "data", "Cloud", "build", "tomorrow",
    "café", "Café", "naïve", "straße", "STRASSE", "ΟΔΟΣ", "οδός", "Σ", "ΣΑΣ", "İstanbul",
    "\u212aelvin", "ǅungla", "ﬁle", "日本語", "Ĳssel", "Ⓐpps", "e\u0301t\u0301e",
    "don't", "Don’t", "it's", "It’s", "rock'n'roll", "rock’n’roll", "’tis", "'quoted'",
    "o'", "a''b", "l’été", "x'y", "'", "’",
    "3d", "2021", "4K", "word9", "snake_case", "_under", "__",
    "the", "of", "and", "new", "what's", "What’s", "us", "a", "I", "x", "Q", "é",
    "—", "–", "“", "”", "...", "?", "!", ":", "-", "&", "/", "\t", "\n", "\x00", "\u00a0",
    "…", "«", "»", "•", "™", "·", "€", "\u2009", "²", "x²", "½", "µ",
    "ÀÉÎÕÜÝÞ", "àéîõüýþ", "Øre", "ÿ", "ßÿ", "Ÿ", "Œuvre", "ª", "º", "×", "÷", "3×4", "a÷b",
    "Ñandú", "ÇA", "é'", "'é", "é'é", "Ä’Ö",
)  # fmt: skip
TOPIC_NAMES = ("Apps", "AI", "Data", "Power", "Cloud", "other", " ")


def generated_articles(
    seed: int, *, n: int = 2000, stories: bool = True, titles: str = "string[pyarrow]"
) -> pd.DataFrame:
    """An articles-like frame of ``n`` rows with random titles (a third repeated, some empty
    or missing), topics, providers, types, dates, a plain ``side`` column and, with
    ``stories``, story ids some of which span rows of several groups. ``titles``: the
    dtype of the title column, or ``object`` with values that are not text among them."""
    rng = np.random.default_rng(seed)

    def pick(options, size=None):
        if size is None:
            return options[rng.integers(0, len(options))]
        return [options[i] for i in rng.integers(0, len(options), size=size)]

    def new_title() -> str:
        pieces = pick(TITLE_PIECES, int(rng.integers(1, 12)))
        joins = pick((" ", " ", " ", "", ", "), len(pieces))
        return "".join(p + j for p, j in zip(pieces, joins, strict=True)).strip(" ")

    # the ASCII titles take the byte road, the others tokenize: both often
    ascii_pieces = tuple(p for p in TITLE_PIECES if p.isascii())
    pool = [new_title() for _ in range(n // 10)]
    title = []
    for _ in range(n):
        draw = rng.random()
        if draw < 0.03:
            title.append("")
        elif draw < 0.06:
            title.append(None)
        elif draw < 0.35:
            title.append(pick(pool))
        elif draw < 0.65:
            title.append(" ".join(pick(ascii_pieces, int(rng.integers(1, 10)))))
        else:
            title.append(new_title())
    if titles == "object":
        title = [
            pick((np.nan, 5, 2.5, b"bytes", ("a", "tuple"))) if rng.random() < 0.03 else t
            for t in title
        ]
        title_column = pd.Series(title, dtype=object)
    else:
        title_column = pd.Series(title, dtype=titles)
    topics = [
        None if rng.random() < 0.05 else pick(TOPIC_NAMES, int(rng.integers(0, 4)))
        for _ in range(n)
    ]
    days = rng.integers(0, 700, size=n)
    published = pd.Series(pd.Timestamp("2021-01-01", tz="UTC") + pd.to_timedelta(days, "D"))
    frame = pd.DataFrame(
        {
            "article_id": [f"{i}.md" for i in range(n)],
            "title": title_column,
            "type": pd.Categorical(pick(("article", "video", "slideshow", None), n)),
            "published_at": published.where(rng.random(n) > 0.05),
            "provider_name": pd.array(pick(("A", "B", "C", None), n), dtype="string"),
            "provider_domain": pd.array(pick(("a.com", "b.com", "c.org", None), n), dtype="string"),
            "topics": pd.Series(topics, dtype=object),
            "side": pick(("left", "right", "centre", None), n),
        }
    )
    if stories:
        # about half the rows share their story with others, in any of their groups
        story = rng.integers(0, int(n * 0.6), size=n).astype(str)
        frame["story_id"] = pd.array(np.char.add("s", story), dtype="string")
    else:
        # row labels that are not positions
        frame.index = rng.permutation(n) * 3 + 7
    return frame


def test_separators_past_ascii_are_never_part_of_a_word():
    separators = [chr(code) for lo, hi in stats._SEPARATOR_RANGES for code in range(lo, hi + 1)]
    assert len(separators) > 150 and "’" not in separators
    for c in separators:
        assert not c.isalnum() and c.lower() == c, hex(ord(c))
        assert stats.tokenize(f"ab{c}cd e{c}'fg hi'{c}jk") == ["ab", "cd", "fg", "hi", "jk"]
        assert stats._SEPARATOR.fullmatch(c)
        found = pc.replace_substring_regex(pa.array([f"x{c}y"]), stats._SEPARATORS, " ")
        assert found.to_pylist() == ["x y"], hex(ord(c))
    # letters and numbers past ASCII are words, or parts of them: they are not separators
    for c in "é²½µ’ªº":
        assert not stats._SEPARATOR.search(c)
    # a title whose only characters past ASCII are separators (× and ÷ among them) or Latin-1
    # letters takes the plain road; one with other letters or numbers, tokenize's
    titles = ["“Power” Apps — new…", "café", "x² plain", "plain", "Straße — Ÿ", "3×4 Ñandú"]
    for dtype in ("string[pyarrow]", object):
        _, _, plain_ids, _, _, others = stats._distinct_titles(pd.Series(titles, dtype=dtype))
        assert sorted(plain_ids) == [0, 1, 3, 5] and others == ["x² plain", "Straße — Ÿ"]
    # the Latin-1 letters of the plain road: letters, lower-cased by the case bit, alone
    for code in range(0xC0, 0x100):
        c = chr(code)
        assert c.isalpha() == (c not in "×÷") == bool(stats._PLAIN_TITLE.fullmatch(c))
        if c.isalpha():
            assert len(c.lower()) == 1 and c.lower().encode()[0] == 0xC3
            assert c.lower().encode()[1] == c.encode()[1] | (32 if code < 0xDF else 0)


@pytest.fixture(params=["whole", "in small steps"])
def steps(request, monkeypatch):
    """Titles and their terms taken as they come (one step at these sizes) or a few at a time."""
    if request.param == "in small steps":
        monkeypatch.setattr(stats, "_TITLES_AT_A_TIME", 7)
        monkeypatch.setattr(stats, "_TERMS_AT_A_TIME", 5)
    return request.param


def test_plain_words_in_c_are_those_numpy_finds(monkeypatch):
    """newskit's C keys find the words of plain titles as the NumPy road does: random titles
    of ASCII, Latin-1 letters (both cases, ß, ÿ), apostrophes anywhere and other characters,
    whole and sliced (an Arrow offset)."""
    import random

    from conftest import BUILT, require_built

    import newskit.schema

    require_built(BUILT["_keys"], "_keys")
    rng = random.Random(11)
    pieces = [*"aZqy'' -.,;:!?0123\t", "é", "É", "ß", "Þ", "ÿ", "À", "Ñ", "€", "ō", "x'", "'y"]
    titles = ["", "'", "''", "a'", "'a", "é'é", "ÿ'", "Ab'Cd'Ef", *("" for _ in range(3))]
    titles += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    array = pa.array(titles, pa.large_string())
    for part in (array, array.slice(5, 2000), array.slice(0, 0)):
        at, words = stats._plain_words(part)
        monkeypatch.setattr(newskit.schema, "_keys", None)
        plain_at, plain_words = stats._plain_words(part)
        monkeypatch.undo()
        assert at.tolist() == plain_at.tolist()
        assert words.to_pylist() == plain_words.to_pylist()
    assert len(words) == 0 and len(stats._plain_words(array)[1]) > 5000


@pytest.mark.parametrize("titles", ["string[pyarrow]", "string[python]", "object"])
def test_title_terms_are_the_words_and_pairs_of_tokenize(titles, steps, key_road):
    articles = generated_articles(1, titles=titles)
    for bigrams in (True, False):
        terms = stats._TitleTerms(articles["title"], bigrams=bigrams)
        for row, title in enumerate(articles["title"]):
            t = terms.row_title[row]
            found = terms.text(terms.term[terms.start[t] : terms.start[t + 1]]).to_pylist()
            assert len(found) == len(set(found))
            assert set(found) == reference_terms(title, bigrams), title


@pytest.mark.parametrize("titles", ["string[pyarrow]", "object"])
@pytest.mark.parametrize("stories", [True, False])
@pytest.mark.parametrize("by", ["topic", "provider", "period", "type", "side"])
def test_distinctive_words_are_as_counted_title_by_title(by, stories, titles, steps):
    articles = generated_articles(sum(map(ord, by)), stories=stories, titles=titles)
    for bigrams, min_count, n_groups, prior in itertools.product(
        (True, False), (1, 2), (None, 2), (0.1, 1.0)
    ):
        arguments = dict(
            by=by, n_words=12, n_groups=n_groups, bigrams=bigrams, prior=prior, min_count=min_count
        )
        expected = reference_distinctive_words(articles, **arguments)
        assert not expected.empty
        pd.testing.assert_frame_equal(stats.find_distinctive_words(articles, **arguments), expected)
