"""newskit.plots: each function returns its Axes, labels it, and draws a bounded set of artists."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_hex
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

from newskit import plots, stats


def bars(ax) -> list[Rectangle]:
    return [patch for patch in ax.patches if isinstance(patch, Rectangle)]


def texts_in_cells(ax) -> list[str]:
    return [text.get_text() for text in ax.texts]


@pytest.fixture
def ax():
    return plt.subplots()[1]


def synthetic_articles(n: int, *, seed: int = 0) -> pd.DataFrame:
    """An articles-like frame of ``n`` rows: 40 providers, 12 topics, two years of dates."""
    rng = np.random.default_rng(seed)
    quality = rng.integers(0, 200, n)
    topics = [f"topic {i}" for i in range(12)]
    return pd.DataFrame(
        {
            "article_id": [f"{i}.md" for i in range(n)],
            "title": [f"title number {i} about robots" for i in range(n)],
            "type": pd.Categorical(rng.choice(["article", "video"], n)),
            "published_at": pd.Timestamp("2020-01-01", tz="UTC")
            + pd.to_timedelta(rng.integers(0, 730 * 24, n), unit="h"),
            "quality": pd.array(quality, dtype="Int64"),
            "heat": pd.array(quality + rng.integers(-20, 20, n), dtype="Int64"),
            "provider_domain": pd.array(
                [f"p{i}.com" for i in rng.integers(0, 40, n)], dtype="string"
            ),
            "provider_name": pd.array([None] * n, dtype="string"),
            "topics": [list(rng.choice(topics, 2, replace=False)) for _ in range(n)],
            "n_related": rng.integers(0, 4, n),
        }
    )


def test_plot_period_counts(ax):
    data = pd.DataFrame(
        {
            "period": pd.to_datetime(["2021-01-01", "2021-02-01", "2021-03-01"]),
            "n_articles": [3, 0, 5],
        }
    )
    result = plots.plot_period_counts(data, ax=ax, title="Per month")
    assert result is ax
    assert len(bars(ax)) == 3
    assert [bar.get_height() for bar in bars(ax)] == [3, 0, 5]
    assert ax.get_xlabel() == "period" and ax.get_ylabel() == "articles"
    assert ax.get_title() == "Per month"


def test_plot_period_lines_one_line_per_hue(ax):
    data = pd.DataFrame(
        {
            "period": pd.to_datetime(["2021-01-01", "2021-02-01"] * 3),
            "topic": ["a", "a", "b", "b", "other", "other"],
            "share": [0.5, 0.25, 0.5, 0.75, 0.1, 0.2],
        }
    )
    result = plots.plot_period_lines(data, y="share", percent=True, ax=ax)
    assert result is ax
    assert len(ax.lines) == 3
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["a", "b", "other"]
    assert ax.lines[1].get_ydata().tolist() == [0.5, 0.75]  # the data as it is
    assert ax.yaxis.get_major_formatter()(0.5, 0) == "50%"
    assert ax.get_ylabel() == "articles"


def test_percent_means_the_same_in_every_plot(ax):
    """``percent=True``: the values are shares (0 to 1), written in percent."""
    shares = pd.DataFrame([[0.5, 0.25]], index=["a.com"], columns=["X", "Y"])
    plots.plot_matrix(shares, percent=True, ax=ax)
    lines = plt.subplots()[1]
    long = shares.T.reset_index().set_axis(["topic", "share"], axis=1)
    long = pd.concat([long.assign(period=pd.Timestamp(day)) for day in ("2021-01", "2021-02")])
    plots.plot_period_lines(long, y="share", percent=True, ax=lines)
    written = [lines.yaxis.get_major_formatter()(value, 0) for value in (0.5, 0.25)]
    assert texts_in_cells(ax) == written == ["50%", "25%"]


def test_plot_period_lines_single_date_does_not_warn(ax, recwarn):
    data = pd.DataFrame(
        {"period": pd.to_datetime(["2021-01-04"]), "topic": ["a"], "n_articles": [1]}
    )
    plots.plot_period_lines(data, ax=ax)
    ax.figure.canvas.draw()
    assert not [w for w in recwarn if "AutoDateLocator" in str(w.message)]


def test_plot_counts_top_and_other(ax):
    data = pd.DataFrame({"value": list("abcdefghijkl"), "n_articles": range(12, 0, -1)})
    result = plots.plot_counts(data, n=5, ax=ax, title="Providers")
    assert result is ax
    assert len(bars(ax)) == 6
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels == ["a", "b", "c", "d", "e", "other (7)"]
    assert bars(ax)[-1].get_width() == sum(range(1, 8))
    assert ax.get_xlabel() == "articles" and ax.get_title() == "Providers"


def test_plot_counts_without_other_and_unsorted(ax):
    data = pd.DataFrame({"n_related": ["0", "1", "2"], "n_articles": [1, 5, 2]})
    plots.plot_counts(data, x="n_related", n=2, other=False, sort=False, ax=ax)
    assert [tick.get_text() for tick in ax.get_yticklabels()] == ["0", "1"]


def test_plot_counts_cuts_long_labels(ax):
    data = pd.DataFrame({"value": ["x" * 100], "n_articles": [1]})
    plots.plot_counts(data, ax=ax)
    label = ax.get_yticklabels()[0].get_text()
    assert len(label) == plots.MAX_LABEL and label.endswith("\u2026")


def test_corpus_text_is_not_read_as_mathtext(ax):
    data = pd.DataFrame({"value": ["$x^$", r"$\alpha$ rises"], "n_articles": [2, 1]})
    plots.plot_counts(data, ax=ax)
    ax.figure.canvas.draw()  # "$x^$" as mathtext raises a parse error here
    assert [tick.get_text() for tick in ax.get_yticklabels()] == [r"\$x^\$", r"\$\alpha\$ rises"]


def test_plot_missing_matrix_is_one_image(ax):
    matrix = pd.DataFrame({"title": [False, True], "webUrl": [True, True]}, index=["a", "b"])
    result = plots.plot_missing_matrix(matrix, ax=ax)
    assert result is ax
    assert len(ax.images) == 1 and isinstance(ax.images[0], AxesImage)
    assert ax.images[0].get_array().shape == (2, 2)
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["title", "webUrl"]
    assert ax.get_xlabel() == "field"


def test_a_large_missing_matrix_draws_blocks_shaded_by_the_share_missing(ax):
    rng = np.random.default_rng(3)
    n = 2_503
    missing = rng.random((n, 3)) < [0.1, 0.5, 0.9]
    matrix = pd.DataFrame(missing, columns=["title", "webUrl", "excerpt"])
    plots.plot_missing_matrix(matrix, ax=ax)
    image = ax.images[0]
    shares = np.asarray(image.get_array())
    assert shares.shape == (plots.MATRIX_ROWS, 3)
    for k in (0, 1, 500, plots.MATRIX_ROWS - 1):  # block k: rows k*n//1000 up to the next one's
        rows = missing[k * n // plots.MATRIX_ROWS : (k + 1) * n // plots.MATRIX_ROWS]
        np.testing.assert_allclose(shares[k], rows.mean(axis=0))
    assert list(image.get_extent()) == [-0.5, 2.5, n - 0.5, -0.5]  # the y axis counts articles
    light, dark = image.cmap(0.0), image.cmap(1.0)
    assert to_hex(light) == "#e8eef4" and to_hex(dark) == "#2b3a55"
    share = missing[:, 2].mean()
    assert plots.describe_chart(ax).endswith(
        f"{n:,} rows (articles (oldest at the top)) by 3 columns (field); the column most "
        f"often marked (dark) is excerpt ({share:.0%} of rows)."
    )
    # up to MATRIX_ROWS articles, one row each, 0 or 1
    _, small = plt.subplots()
    plots.plot_missing_matrix(matrix.head(plots.MATRIX_ROWS), ax=small)
    drawn = np.asarray(small.images[0].get_array())
    assert (drawn == missing[: plots.MATRIX_ROWS]).all()


def test_plot_matrix_annotates_non_zero_cells(ax):
    data = pd.DataFrame([[3, 1], [1, 0]], index=["X", "Y"], columns=["X", "Y"])
    result = plots.plot_matrix(data, title="Co-occurrence", ax=ax)
    assert result is ax
    assert len(ax.images) == 1
    assert sorted(texts_in_cells(ax)) == ["1", "1", "3"]
    assert ax.get_title() == "Co-occurrence"
    # the numbers sit inside their cells: the layout leaves them out (they cost it time)
    assert ax.texts and not any(text.get_in_layout() for text in ax.texts)
    inside = ax.get_window_extent(ax.figure.canvas.get_renderer())
    for text in ax.texts:
        box = text.get_window_extent(ax.figure.canvas.get_renderer())
        assert inside.x0 <= box.x0 and box.x1 <= inside.x1
        assert inside.y0 <= box.y0 and box.y1 <= inside.y1


def test_plot_matrix_percent(ax):
    data = pd.DataFrame([[0.5, 0.25]], index=["a.com"], columns=["X", "Y"])
    plots.plot_matrix(data, percent=True, ax=ax)
    assert texts_in_cells(ax) == ["50%", "25%"]


def test_plot_topic_trends_colours_by_direction(ax):
    data = pd.DataFrame({"topic": ["up", "flat", "down"], "change": [0.2, 0.0, -0.1]})
    result = plots.plot_topic_trends(data, ax=ax)
    assert result is ax
    assert len(bars(ax)) == 3
    assert [bar.get_width() for bar in bars(ax)] == pytest.approx([20, 0, -10])
    assert bars(ax)[0].get_facecolor() != bars(ax)[2].get_facecolor()
    assert "percentage points" in ax.get_xlabel()


def test_plot_score_histogram_two_patches(ax):
    articles = synthetic_articles(50)
    result = plots.plot_score_histogram(articles, ax=ax)
    assert result is ax
    assert len(ax.patches) == 2
    assert ax.get_xlabel() == "score" and ax.get_ylabel() == "articles"


def test_plot_score_hexbin_one_collection_and_a_line(ax):
    articles = synthetic_articles(50)
    result = plots.plot_score_hexbin(articles, ax=ax)
    assert result is ax
    assert len(ax.collections) == 1 and isinstance(ax.collections[0], PolyCollection)
    assert len(ax.lines) == 1
    assert ax.get_xlabel() == "quality" and ax.get_ylabel() == "heat"
    assert ax.collections[0].get_array().sum() == 50


def test_plot_score_hexbin_single_point(ax):
    articles = synthetic_articles(1)
    plots.plot_score_hexbin(articles, ax=ax)
    ax.figure.canvas.draw()
    assert ax.collections[0].get_array().sum() == 1


def test_plot_score_boxes_one_box_per_group(ax):
    data = pd.DataFrame({"group": ["a", "a", "a", "b", "b"], "value": [1, 2, 3, 4, 5.0]})
    result = plots.plot_score_boxes(data, score="heat", ax=ax)
    assert result is ax
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels == ["a (3)", "b (2)"]
    # per box: 2 whiskers, 2 caps, 1 box, 1 median; no outlier points
    assert len(ax.lines) == 2 * 6
    assert ax.get_xlabel() == "heat"


def test_plot_score_trend_two_lines(ax):
    trend = stats.build_score_trend(synthetic_articles(200), freq="month")
    result = plots.plot_score_trend(trend, ax=ax)
    assert result is ax
    assert len(ax.lines) == 2
    assert ax.lines[0].get_ydata().tolist() == trend["median_quality"].tolist()
    assert ax.get_ylabel() == "median score"
    with pytest.raises(ValueError, match="statistic"):
        plots.plot_score_trend(trend, statistic="mode")


def test_plot_stories_by_period_two_lines(ax):
    data = pd.DataFrame(
        {
            "period": pd.to_datetime(["2021-01-01", "2021-02-01", "2021-03-01"]),
            "n_articles": [5, 0, 3],
            "n_stories": [3, 0, 3],
        }
    )
    result = plots.plot_stories_by_period(data, ax=ax, title="Per month")
    assert result is ax
    assert len(ax.lines) == 2
    assert [line.get_ydata().tolist() for line in ax.lines] == [[5, 0, 3], [3, 0, 3]]
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["articles", "stories"]
    assert ax.get_title() == "Per month" and ax.get_xlabel() == "period"


def test_plot_weekday_hours_one_image_in_utc(ax):
    table = pd.DataFrame(0, index=pd.Index(stats.WEEKDAYS, name="weekday"), columns=stats.HOURS)
    table.loc["Monday", "08"] = 9
    table.loc["Sunday", "23"] = 1
    result = plots.plot_weekday_hours(table, ax=ax)
    assert result is ax
    assert len(ax.images) == 1 and ax.images[0].get_array().shape == (7, 24)
    x_ticks, y_ticks = tick_labels(ax)
    assert x_ticks == list(stats.HOURS) and y_ticks == list(stats.WEEKDAYS)
    assert ax.get_xlabel() == "hour of the day (UTC)" and ax.get_ylabel() == "weekday"
    assert "UTC" in ax.get_title()
    assert sorted(texts_in_cells(ax)) == ["1", "9"]  # zero cells stay blank


def test_plot_lag_histogram(ax):
    data = pd.DataFrame({"lag_hours": [-48.0, 6.0, 24.0]})
    result = plots.plot_lag_histogram(data, bins=5, ax=ax)
    assert result is ax
    assert len(bars(ax)) == 5
    assert sum(bar.get_height() for bar in bars(ax)) == 3
    assert len(ax.lines) == 1  # the line at zero
    assert ax.get_xlabel().startswith("days")


def test_plot_coverage_pairs_folds_into_other(ax):
    pairs = pd.DataFrame(
        {
            "provider": ["a", "a", "b", "c"],
            "related_provider": ["b", "c", "a", "a"],
            "n_stories": [5, 1, 2, 1],
        }
    )
    result = plots.plot_coverage_pairs(pairs, n=1, ax=ax)
    assert result is ax
    assert [tick.get_text() for tick in ax.get_yticklabels()] == ["a", "other"]
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["b", "other"]
    assert ax.images[0].get_array().sum() == 9
    assert ax.get_ylabel() == "article's provider"


def test_plot_coverage_pairs_can_leave_the_rest_out(ax):
    pairs = pd.DataFrame(
        {
            "provider": ["a", "a", "b", "c"],
            "related_provider": ["b", "c", "a", "a"],
            "n_stories": [5, 1, 2, 1],
        }
    )
    plots.plot_coverage_pairs(pairs, n=1, other=False, ax=ax)
    assert [tick.get_text() for tick in ax.get_yticklabels()] == ["a"]
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["b"]
    assert ax.images[0].get_array().sum() == 5


#: Every stats function whose table plot_counts draws, with what it counts.
COUNTED = {
    "count_types": lambda a: stats.count_types(a),
    "count_values": lambda a: stats.count_values(a, column="provider_domain"),
    "count_published": lambda a: stats.count_published(a),
    "count_topics": lambda a: stats.count_topics(a),
    "count_related": lambda a: stats.count_related(a),
    "count_related_bins": lambda a: stats.count_related_bins(a),
    "build_provider_leaderboard": lambda a: stats.build_provider_leaderboard(a),
    "build_scores_by": lambda a: stats.build_scores_by(a, by="provider"),
}


@pytest.mark.parametrize("name", sorted(COUNTED))
def test_plot_counts_needs_no_x_for_any_count(ax, name):
    table = COUNTED[name](synthetic_articles(50).assign(is_published=True))
    plots.plot_counts(table, n=len(table), sort=False, ax=ax)
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels == [str(value) for value in table.iloc[:, 0]][: plots.MAX_BARS]
    assert [bar.get_width() for bar in bars(ax)] == table["n_articles"].tolist()[: plots.MAX_BARS]


def tick_labels(ax) -> list[list[str]]:
    return [[tick.get_text() for tick in axis.get_ticklabels()] for axis in (ax.xaxis, ax.yaxis)]


OLD_NAMES = [
    ("plot_counts", lambda: stats.count_topics(synthetic_articles(50)), {"top": 3}, {"n": 3}),
    (
        "plot_topic_trends",
        lambda: stats.find_topic_trends(synthetic_articles(50)),
        {"top": 3},
        {"n": 3},
    ),
    (
        "plot_coverage_pairs",
        lambda: pd.DataFrame(
            {"provider": ["a", "b"], "related_provider": ["b", "c"], "n_stories": [2, 1]}
        ),
        {"top": 1},
        {"n": 1},
    ),
]


@pytest.mark.parametrize(("name", "data", "old", "new"), OLD_NAMES, ids=[o[0] for o in OLD_NAMES])
def test_old_argument_names_warn_and_draw_the_same(name, data, old, new):
    with pytest.warns(DeprecationWarning, match="is now n="):
        before = getattr(plots, name)(data(), **old)
    after = getattr(plots, name)(data(), **new)
    assert tick_labels(before) == tick_labels(after)
    assert count_artists(before) == count_artists(after)


def test_old_colour_names_stay_for_one_release():
    assert plots.QUALITY_COLOR == plots.COLOR and plots.HEAT_COLOR == plots.ACCENT_COLOR


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda d: plots.plot_score_trend(d["trend"], statistic="mode"), ValueError),
        (lambda d: plots.plot_counts(d["counts"], n=-1), ValueError),
        (lambda d: plots.plot_topic_trends(d["trends"], n=1.5), TypeError),
        (lambda d: plots.plot_coverage_pairs(d["pairs"], n=None), TypeError),
    ],
)
def test_bad_arguments_fail_on_empty_data_too(call, error):
    for size in (0, 50):
        articles = synthetic_articles(size)
        data = {
            "trend": stats.build_score_trend(articles),
            "counts": stats.count_types(articles),
            "trends": stats.find_topic_trends(articles),
            "pairs": pd.DataFrame(
                {"provider": ["a"] * size, "related_provider": ["b"] * size, "n_stories": 1}
            ),
        }
        with pytest.raises(error):
            call(data)


EMPTY_PLOTS = {
    "plot_period_counts": lambda: stats.count_by_period(synthetic_articles(0)),
    "plot_period_lines": lambda: stats.count_topics_by_period(synthetic_articles(0)),
    "plot_counts": lambda: pd.DataFrame({"value": [], "n_articles": []}),
    "plot_missing_matrix": lambda: pd.DataFrame(),
    "plot_matrix": lambda: pd.DataFrame(),
    "plot_topic_trends": lambda: pd.DataFrame({"topic": [], "change": []}),
    "plot_score_histogram": lambda: synthetic_articles(0),
    "plot_score_hexbin": lambda: synthetic_articles(0),
    "plot_score_boxes": lambda: pd.DataFrame({"group": [], "value": []}),
    "plot_score_trend": lambda: stats.build_score_trend(synthetic_articles(0)),
    "plot_lag_histogram": lambda: pd.DataFrame({"lag_hours": []}),
    "plot_coverage_pairs": lambda: pd.DataFrame(
        {"provider": [], "related_provider": [], "n_stories": []}
    ),
    "plot_stories_by_period": lambda: stats.count_stories_by_period(
        synthetic_articles(0).assign(story_id=pd.Series(dtype="string"))
    ),
    "plot_weekday_hours": lambda: stats.count_by_weekday_and_hour(synthetic_articles(0)),
}


@pytest.mark.parametrize("name", sorted(EMPTY_PLOTS))
def test_empty_data_gives_empty_labelled_axes(name, ax):
    result = getattr(plots, name)(EMPTY_PLOTS[name](), ax=ax)
    assert result is ax
    assert not ax.patches and not ax.lines and not ax.collections and not ax.images
    assert ax.get_title() or name == "plot_matrix"  # a generic heatmap has no default title


def test_every_plot_function_is_tested_on_empty_data():
    public = {name for name in dir(plots) if name.startswith("plot_")}
    assert public == set(EMPTY_PLOTS)


def test_new_figure_when_no_axes_given():
    before = plt.get_fignums()
    ax = plots.plot_counts(pd.DataFrame({"value": ["a"], "n_articles": [1]}))
    assert ax.figure.number not in before


def count_artists(ax) -> int:
    # Cell annotations are left out: zero cells are not written, so they vary with the data.
    return len(ax.patches) + len(ax.lines) + len(ax.collections) + len(ax.images)


def test_artists_stay_bounded_on_a_large_corpus():
    """20,000 articles draw no more artists than 200 do."""
    drawn = {}
    for n in (200, 20_000):
        articles = synthetic_articles(n)
        axes = [
            plots.plot_period_counts(stats.count_by_period(articles, freq="month")),
            plots.plot_period_lines(stats.count_topics_by_period(articles, n=6)),
            plots.plot_counts(stats.build_provider_leaderboard(articles)),
            plots.plot_matrix(stats.build_topic_cooccurrence(articles)),
            plots.plot_matrix(stats.build_provider_topics(articles)),
            plots.plot_period_lines(stats.count_providers_by_period(articles), hue="provider"),
            plots.plot_score_histogram(articles),
            plots.plot_score_hexbin(articles),
            plots.plot_score_boxes(stats.build_score_groups(articles, by="provider")),
            plots.plot_score_trend(stats.build_score_trend(articles)),
            plots.plot_stories_by_period(
                stats.count_stories_by_period(articles.assign(story_id=articles["article_id"]))
            ),
            plots.plot_weekday_hours(stats.count_by_weekday_and_hour(articles)),
        ]
        drawn[n] = [count_artists(ax) for ax in axes]
        texts = max(len(ax.texts) for ax in axes)
        plt.close("all")
    assert drawn[20_000] == drawn[200]
    assert max(drawn[20_000]) < 200
    assert texts <= 400


# --------------------------------------------------------------------------- issue 8


def pixels(ax) -> tuple[int, int]:
    width, height = ax.figure.get_size_inches() * ax.figure.dpi
    return int(width), int(height)


def test_one_record_with_many_related_gives_a_bounded_figure():
    articles = pd.DataFrame({"n_related": [0, 1, 2, 100_000]})
    per_article = stats.count_related_bins(articles)
    assert len(per_article) < 25
    ax = plots.plot_counts(per_article, other=False, sort=False, n=100_001)
    ax.figure.canvas.draw()
    width, height = pixels(ax)
    assert width < 2000 and height < 2000
    assert len(bars(ax)) <= plots.MAX_BARS
    # even the unbinned table of 100,001 rows draws at most MAX_BARS bars
    plt.close("all")
    many = stats.count_related(articles).astype({"n_related": str})
    ax = plots.plot_counts(many, other=False, sort=False, n=len(many))
    assert len(bars(ax)) <= plots.MAX_BARS and pixels(ax)[1] < 2000


def test_many_series_give_a_bounded_number_of_lines(ax):
    data = pd.DataFrame(
        {
            "period": pd.Timestamp("2021-01-04"),
            "topic": [f"t{i}" for i in range(500)],
            "n_articles": 1,
        }
    )
    plots.plot_period_lines(data, ax=ax)
    assert len(ax.lines) == plots.MAX_LINES
    assert len(ax.get_legend().get_texts()) == plots.MAX_LINES


def test_cjk_names_draw_without_a_glyph_warning(recwarn):
    data = pd.DataFrame({"value": ["南华早报.hk", "東京新聞.jp"], "n_articles": [3, 2]})
    ax = plots.plot_counts(data)
    ax.figure.canvas.draw()
    assert not [w for w in recwarn if "Glyph" in str(w.message)]
    fonts = {tuple(text.get_fontfamily()) for text in ax.get_yticklabels()}
    assert fonts == {tuple(plots.figure_style()["font.family"])}
    assert plots.figure_style()["font.family"][0] == "DejaVu Sans"


def test_legend_shows_names_starting_with_underscore_and_escapes_controls(ax):
    data = pd.DataFrame(
        {
            "period": pd.Timestamp("2021-01-04"),
            "topic": ["_private", "esc\x1b[2Jx", "nul\x00"],
            "n_articles": 1,
        }
    )
    plots.plot_period_lines(data, ax=ax)
    texts = [text.get_text() for text in ax.get_legend().get_texts()]
    assert texts == ["\u200b_private", "esc\\x1b[2Jx", "nul\\x00"]


def test_a_provider_named_other_keeps_its_own_row_in_coverage_pairs(ax):
    data = pd.DataFrame(
        {
            "provider": ["other", "a.com", "b.com"],
            "related_provider": ["a.com", "other", "c.com"],
            "n_stories": [5, 4, 1],
        }
    )
    plots.plot_coverage_pairs(data, n=2, ax=ax)
    rows = [text.get_text() for text in ax.get_yticklabels()]
    assert "other" in rows and "other (the rest)" in rows


def test_a_glyph_no_font_has_draws_without_a_warning():
    data = pd.DataFrame({"value": ["\U00013000 hieroglyph"], "n_articles": [1]})
    ax = plots.plot_counts(data)
    with warnings.catch_warnings(record=True) as caught:
        ax.figure.canvas.draw()
    assert not [w for w in caught if "Glyph" in str(w.message)]


def test_many_groups_or_cells_stay_bounded():
    groups = pd.DataFrame({"group": [f"g{i}" for i in range(2000)], "value": 1.0})
    ax = plots.plot_score_boxes(groups)
    assert len(ax.get_yticklabels()) <= plots.MAX_BARS
    assert pixels(ax)[1] < 2000
    table = pd.DataFrame(np.ones((500, 500)), index=range(500), columns=range(500))
    ax = plots.plot_matrix(table)
    assert len(ax.get_xticklabels()) <= plots.MAX_BARS
    assert len(ax.get_yticklabels()) <= plots.MAX_BARS
    assert len(ax.texts) <= 400
    assert max(pixels(ax)) < 2000


def test_cjk_names_are_drawn_with_a_font_that_has_their_glyphs():
    """Where Noto CJK is installed (`.ci/run` installs it), the figure style names it, and it
    holds the glyphs of Chinese and Japanese provider names: they draw legibly, not as boxes."""
    import os

    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    cjk = [name for name in plots.figure_style()["font.family"] if "CJK" in name]
    if not cjk:
        if os.environ.get("CI") == "true":
            pytest.fail("no Noto CJK font: .ci/run installs Debian's fonts-noto-cjk")
        pytest.skip("no Noto CJK font installed (Debian: apt-get install fonts-noto-cjk)")
    font = FT2Font(font_manager.findfont(cjk[0], fallback_to_default=False))
    assert all(font.get_char_index(ord(char)) for char in "南华早报東京新聞한국일보")


def test_fonts_left_out_of_the_style_have_no_character_the_kept_ones_lack():
    """A font whose characters the fonts before it all have draws nothing (matplotlib falls
    back per glyph to the first font that has it): it is left out, not looked up for every
    text. What the style keeps draws every character any installed font of FONTS has."""
    from matplotlib import font_manager

    def characters(name):
        path = font_manager.findfont(
            font_manager.FontProperties(family=name), fallback_to_default=False
        )
        return set(font_manager.get_font(path).get_charmap())

    installed = {font.name for font in font_manager.fontManager.ttflist}
    kept = plots.figure_style()["font.family"]
    assert len(set(kept)) == len(kept)
    assert kept == [name for name in plots.FONTS if name in kept]
    covered = set().union(*(characters(name) for name in kept))
    for name in plots.FONTS:
        if name in installed:
            assert characters(name) <= covered, name
    for i, name in enumerate(kept[1:], 1):  # each kept font adds characters
        assert not characters(name) <= set().union(*(characters(k) for k in kept[:i])), name


# --------------------------------------------------------------------------- alt text


def months(*values: str) -> pd.Series:
    return pd.to_datetime(pd.Series(values))


def related_pairs() -> pd.DataFrame:
    return pd.DataFrame(
        {"provider": ["a", "a", "b"], "related_provider": ["b", "c", "a"], "n_stories": [5, 1, 2]}
    )


#: One drawn chart per plot function, and the words its alt text must hold.
DESCRIBED = {
    "plot_period_counts": (
        lambda: plots.plot_period_counts(
            pd.DataFrame(
                {
                    "period": months("2021-01-01", "2021-02-01", "2021-03-01"),
                    "n_articles": [3, 0, 7],
                }
            ),
            title="Articles per month",
        ),
        [
            "Bar chart: Articles per month.",
            "3 bars from 2021-01 to 2021-03",
            "the largest is 2021-03 with 7 articles",
        ],
    ),
    "plot_period_lines": (
        lambda: plots.plot_period_lines(
            pd.DataFrame(
                {
                    "period": months("2021-01-01", "2021-02-01", "2021-03-01").tolist() * 2,
                    "topic": ["AI"] * 3 + ["Robots"] * 3,
                    "share": [0.5, np.nan, 0.25, 0.5, np.nan, 0.75],
                }
            ),
            y="share",
            percent=True,
            ylabel="share of the period's articles",
            title="Share per month",
        ),
        [
            "Line chart: Share per month.",
            "2 lines (AI, Robots) from 2021-01 to 2021-03",
            "the highest point is Robots, 75% in 2021-03",
            "2 points are missing, drawn as gaps",
        ],
    ),
    "plot_counts": (
        lambda: plots.plot_counts(
            pd.DataFrame(
                {
                    "topic": [f"t{i}" for i in range(14)] + ["Power Apps"],
                    "n_articles": list(range(1, 15)) + [120],
                }
            ),
            n=15,
            other=False,
            title="Articles per topic",
        ),
        ["Bar chart: Articles per topic. 15 bars; the largest is Power Apps with 120 articles."],
    ),
    "plot_missing_matrix": (
        lambda: plots.plot_missing_matrix(
            pd.DataFrame(
                {"title": [False, False, False, False], "excerpt": [True, True, True, False]}
            )
        ),
        [
            "Heat matrix: Missing fields (dark = missing).",
            "4 rows (articles (oldest at the top)) by 2 columns (field)",
            "most often marked (dark) is excerpt (75% of rows)",
        ],
    ),
    "plot_matrix": (
        lambda: plots.plot_matrix(
            pd.DataFrame([[4, 1], [1, 2]], index=["AI", "Robots"], columns=["AI", "Robots"]),
            title="Articles sharing two topics",
        ),
        [
            "Heat matrix: Articles sharing two topics.",
            "2 rows by 2 columns",
            "the largest cell is AI by AI, 4",
        ],
    ),
    "plot_topic_trends": (
        lambda: plots.plot_topic_trends(
            pd.DataFrame({"topic": ["AI", "Robots", "Cars"], "change": [0.1, -0.05, 0.02]})
        ),
        [
            "Bar chart: Topics rising and falling",
            "3 bars of change in share of articles (percentage points)",
            "the largest is AI at 10, the smallest Robots at -5",
        ],
    ),
    "plot_score_histogram": (
        lambda: plots.plot_score_histogram(
            pd.DataFrame({"quality": [0, 10, 10, 10, 100], "heat": [0, 90, 90, 100, 100]}),
            bins=10,
        ),
        [
            "Histogram: Distribution of quality and heat.",
            "2 series (quality, heat) in 10 bins of score from 0 to 100",
            "quality peaks at 10 to 20 with 3 articles",
            "heat peaks at 90 to 100 with 4 articles",
        ],
    ),
    "plot_score_hexbin": (
        lambda: plots.plot_score_hexbin(
            pd.DataFrame({"quality": [10, 10, 10, 50], "heat": [20, 20, 20, 90]})
        ),
        [
            "Hexbin: Quality vs heat.",
            "4 articles by quality (across) and heat (up) in 2 cells",
            "the fullest, around quality 10 and heat 21, holds 3",
        ],
    ),
    "plot_score_boxes": (
        lambda: plots.plot_score_boxes(
            pd.DataFrame({"group": ["a"] * 3 + ["b"] * 2, "value": [1, 2, 3, 40, 50.0]}),
            title="Quality by type",
        ),
        [
            "Box plot: Quality by type.",
            "2 boxes of quality (a (3), b (2))",
            "the highest median is b (2) at 45, the lowest a (3) at 2",
        ],
    ),
    "plot_score_trend": (
        lambda: plots.plot_score_trend(
            pd.DataFrame(
                {
                    "period": months("2021-01-01", "2021-02-01", "2021-03-01"),
                    "median_quality": [10, np.nan, 30],
                    "median_heat": [20, np.nan, 60],
                }
            ),
            title="Median scores per month",
        ),
        [
            "Line chart: Median scores per month.",
            "2 lines (quality, heat) from 2021-01 to 2021-03",
            "the highest point is heat, 60 in 2021-03",
            "2 points are missing, drawn as gaps",
        ],
    ),
    "plot_lag_histogram": (
        lambda: plots.plot_lag_histogram(
            pd.DataFrame({"lag_hours": [-48.0, 24.0, 24.0, 72.0]}), bins=5
        ),
        [
            "Histogram: Lag between an article and its related stories.",
            "5 bins of days from the article to the related story from -2 to 3",
            "peaks at 1 to 2 with 2 related stories",
        ],
    ),
    "plot_stories_by_period": (
        lambda: plots.plot_stories_by_period(
            pd.DataFrame(
                {
                    "period": months("2021-01-01", "2021-02-01", "2021-03-01"),
                    "n_articles": [4, 0, 9],
                    "n_stories": [2, 0, 5],
                }
            ),
            title="Articles and stories per month",
        ),
        [
            "Line chart: Articles and stories per month.",
            "2 lines (articles, stories) from 2021-01 to 2021-03",
            "the highest point is articles, 9 in 2021-03",
        ],
    ),
    "plot_weekday_hours": (
        lambda: plots.plot_weekday_hours(
            pd.DataFrame(
                np.arange(7 * 24).reshape(7, 24) % 5,
                index=pd.Index(stats.WEEKDAYS, name="weekday"),
                columns=stats.HOURS,
            ).assign(**{"08": [0, 12, 0, 0, 0, 0, 0]})
        ),
        [
            "Heat matrix: Articles by weekday and hour (UTC).",
            "7 rows (weekday) by 24 columns (hour of the day (UTC))",
            "the largest cell is Tuesday by 08, 12",
        ],
    ),
    "plot_coverage_pairs": (
        lambda: plots.plot_coverage_pairs(related_pairs()),
        [
            "Heat matrix: Related stories by provider.",
            "2 rows (article's provider) by 3 columns (related story's provider)",
            "the largest cell is a by b, 5",
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(DESCRIBED))
def test_describe_chart_says_what_each_chart_shows(name):
    draw, words = DESCRIBED[name]
    alt = plots.describe_chart(draw())
    for phrase in words:
        assert phrase in alt
    assert alt.endswith(".") and alt.count(". ") <= 2


@pytest.mark.parametrize("name", sorted(DESCRIBED))
def test_every_chart_draws_inside_its_figure_with_its_margin(name):
    # what newskit.notebook.show_chart relies on to render a chart without cropping it
    figure = DESCRIBED[name][0]().figure
    figure.canvas.draw()
    drawn = figure.get_tightbbox()
    width, height = figure.get_size_inches()
    margin = plots.MARGIN * 0.9  # constrained layout places things to a few hundredths
    assert drawn.x0 >= margin and drawn.y0 >= margin
    assert drawn.x1 <= width - margin and drawn.y1 <= height - margin


def test_every_plot_function_has_its_alt_text_tested():
    assert set(DESCRIBED) == set(EMPTY_PLOTS)


@pytest.mark.parametrize("name", sorted(EMPTY_PLOTS))
def test_describe_chart_of_an_empty_chart_says_so(name, ax):
    alt = plots.describe_chart(getattr(plots, name)(EMPTY_PLOTS[name](), ax=ax))
    assert alt.endswith("It shows no data.")
    assert alt.startswith(f"Chart: {ax.get_title()}." if ax.get_title() else "Chart. ")


def test_describe_chart_names_a_few_series_and_counts_the_rest(ax):
    data = pd.DataFrame(
        {
            "period": months("2021-01-04", "2021-01-11").tolist() * 9,
            "topic": [f"t{i}" for i in range(9) for _ in range(2)],
            "n_articles": 1,
        }
    )
    alt = plots.describe_chart(plots.plot_period_lines(data, ax=ax))
    assert "9 lines (t0, t1, t2, t3, t4, t5 and 3 more) from 2021-01-04 to 2021-01-11" in alt


def test_describe_chart_reads_labels_as_a_reader_does(ax):
    counts = pd.DataFrame({"value": ["_private", "$5 apps"], "n_articles": [3, 9]})
    alt = plots.describe_chart(plots.plot_counts(counts, title="Costs in $", ax=ax))
    assert "Costs in $." in alt and "the largest is $5 apps with 9 articles" in alt
    assert "\u200b" not in alt and "\\$" not in alt


def test_describe_chart_reads_any_matplotlib_chart(ax):
    ax.bar(["red", "green"], [2, 5])
    ax.set_ylabel("votes")
    assert plots.describe_chart(ax) == "Bar chart. 2 bars; the largest is green with 5 votes."
