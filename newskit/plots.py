"""Matplotlib figures of the tables :mod:`newskit.stats` builds.

Every function takes its data first, everything else keyword-only, draws on ``ax`` (a new,
modestly sized figure when ``ax`` is None) and returns the Axes; none calls ``plt.show()``.
Each draws a bounded number of artists whatever the corpus size (bars of the top N, one line
per series, one image or hexbin for many points), so figures stay small and fast. Empty data
gives labelled, empty axes.
"""

from __future__ import annotations

import functools
import warnings
from contextlib import contextmanager

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.category import StrCategoryFormatter
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import FixedLocator, MaxNLocator

from newskit._deprecation import renamed
from newskit.display import cut_text, escape_controls
from newskit.stats import (
    OTHER,
    OTHER_REST,
    check_argument,
    check_count,
    count_lag_bins,
    count_score_bins,
    describe_score_groups,
    fold_label,
)

#: Characters a tick label shows before it is cut with an ellipsis.
MAX_LABEL = 32
#: The colour of every bar and of a chart's first series; the second series (heat, a falling
#: topic, a median) is drawn in :data:`ACCENT_COLOR`.
COLOR = "#1f77b4"
ACCENT_COLOR = "#d62728"
#: Old names of :data:`COLOR` and :data:`ACCENT_COLOR`, kept for one release.
QUALITY_COLOR = COLOR
HEAT_COLOR = ACCENT_COLOR
#: Bars (boxes, matrix rows and columns) a chart draws at most, and lines a chart over
#: time, whatever ``n`` asks.
MAX_BARS = 40
MAX_LINES = 12
#: Rows a missing-value matrix draws at most: past it, each is a block of articles.
MATRIX_ROWS = 1000
#: The margin of a chart's figure around what it draws, in inches: what a bounding box made
#: tight keeps (matplotlib's ``savefig.pad_inches``).
MARGIN = 0.1
#: Fonts tried in order for each character: Latin first, then CJK (Debian's fonts-noto-cjk,
#: or the Noto fonts of PyPI) where installed; matplotlib falls back per glyph.
FONTS = [
    "DejaVu Sans",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Noto Sans CJK TC",
    "Noto Sans CJK KR",
    "Noto Sans JP",
    "Noto Sans SC",
    "Noto Sans",
]


@functools.cache
def _installed_fonts() -> tuple[str, ...]:
    """The :data:`FONTS` this machine has (asking for a missing one logs a findfont line),
    without those whose every character the fonts before them have: matplotlib falls back
    per glyph to the first font that has it, so such a font draws nothing, yet is looked up
    for every text laid out (Debian's four Noto CJK faces hold the same characters)."""
    names = {font.name for font in font_manager.fontManager.ttflist}
    kept, covered = [], set()
    for name in FONTS:
        if name not in names:
            continue
        path = font_manager.findfont(
            font_manager.FontProperties(family=name), fallback_to_default=False
        )
        characters = set(font_manager.get_font(path).get_charmap())
        if not characters <= covered:
            kept.append(name)
            covered |= characters
    return tuple(kept) or ("sans-serif",)


def figure_style() -> dict[str, object]:
    """The rc settings every figure of newskit is drawn with: :data:`FONTS` as installed."""
    return {"font.family": list(_installed_fonts())}


#: A glyph no installed font has is drawn as a box; the warning says nothing a reader of a
#: report can act on (and names local paths), so newskit's figures never let it through.
_GLYPH_WARNING = r"(?s).*Glyph \d+ .*missing from (current )?font"


@contextmanager
def _quiet():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_GLYPH_WARNING, category=UserWarning)
        yield


def _quiet_draws(figure) -> None:
    """Draw ``figure`` (later, by ``plt.show`` or ``savefig``) without glyph warnings."""
    if getattr(figure, "_newskit_quiet", False):
        return
    draw = figure.draw

    @functools.wraps(draw)
    def quiet_draw(renderer):
        with _quiet():
            return draw(renderer)

    figure.draw = quiet_draw
    figure._newskit_quiet = True


def _styled(plot):
    """Draw ``plot`` with :func:`figure_style` (the texts keep its fonts when drawn later);
    its figure never lets a glyph warning through, whenever it is drawn."""

    @functools.wraps(plot)
    def wrapper(*args, **kwargs):
        with plt.rc_context(figure_style()), _quiet():
            ax = plot(*args, **kwargs)
        _quiet_draws(ax.figure)
        return ax

    return wrapper


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout=_layout())
    return ax


def _layout() -> ConstrainedLayoutEngine:
    """A constrained layout with :data:`MARGIN` around the chart: its figure is then the
    chart as a tight bounding box would crop it, and is rendered as it is, without measuring
    one (:func:`newskit.notebook.show_chart`)."""
    return ConstrainedLayoutEngine(w_pad=MARGIN, h_pad=MARGIN)


def _label(text: object, limit: int = MAX_LABEL) -> str:
    """Corpus text as a label: control characters escaped, cut to ``limit`` characters,
    ``$`` kept literal (no mathtext), a leading ``_`` kept (matplotlib hides such legend
    labels) by a zero-width space before it."""
    if text == OTHER_REST:
        return OTHER + " (the rest)"
    text = escape_controls(str(text)).replace("\n", " ")
    text = cut_text(text, limit)
    text = text.replace("$", r"\$")
    return "\u200b" + text if text.startswith("_") else text


def _decorate(ax: Axes, *, title: str, xlabel: str, ylabel: str) -> Axes:
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def _date_axis(ax: Axes, periods: pd.Series | None = None) -> None:
    if periods is not None and pd.Series(periods).nunique() < 2:
        # A single date gives the locator no range to place ticks in.
        middle = pd.Timestamp(pd.Series(periods).iloc[0])
        ax.set_xlim(middle - pd.Timedelta(days=20), middle + pd.Timedelta(days=20))
    elif periods is not None:
        # The axis spans every period of the table: periods without a value at either end
        # (NaN, which autoscaling skips) show as the blank they are.
        ends = mdates.date2num(pd.to_datetime(pd.Series(periods)).agg(["min", "max"]))
        ax.update_datalim([(ends[0], 0), (ends[1], 0)], updatey=False)
        ax.autoscale_view(scaley=False)
    locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _percent_tick(value: float, _position: object = None) -> str:
    return _percent(value, "g")


def _percent_axis(axis) -> None:
    """Tick labels of shares (0 to 1) as percentages: what ``percent=True`` means everywhere."""
    axis.set_major_formatter(_percent_tick)


def _percent(value: float, spec: str) -> str:
    return f"{value * 100:{spec}}%"


def _bar_width(periods: pd.Series) -> float:
    """Bar width in days: most of the usual gap between periods."""
    days = pd.Series(pd.to_datetime(periods).sort_values().unique()).diff().dt.days.dropna()
    return 0.8 * float(days.median()) if len(days) else 20.0


@_styled
def plot_period_counts(
    data: pd.DataFrame,
    *,
    x: str = "period",
    y: str = "n_articles",
    title: str = "Articles per period",
    ylabel: str = "articles",
    color: str = COLOR,
    ax: Axes | None = None,
) -> Axes:
    """One bar per period.

    Parameters
    ----------
    data : DataFrame
        As :func:`newskit.stats.count_by_period` returns: a date column ``x`` and a count ``y``.
    x, y : str
        Column names.
    title, ylabel : str
        Figure title and y-axis label.
    color : str
        Bar colour.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (7, 3))
    _decorate(ax, title=title, xlabel="period", ylabel=ylabel)
    if data.empty:
        return ax
    periods = pd.to_datetime(data[x])
    ax.bar(
        periods, data[y].to_numpy(dtype=float), width=_bar_width(periods), color=color, align="edge"
    )
    _date_axis(ax)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return ax


@_styled
def plot_period_lines(
    data: pd.DataFrame,
    *,
    x: str = "period",
    y: str = "n_articles",
    hue: str = "topic",
    title: str = "Articles per period",
    ylabel: str = "articles",
    percent: bool = False,
    ax: Axes | None = None,
) -> Axes:
    """One line per value of ``hue`` over time (the data should hold few such values).

    Parameters
    ----------
    data : DataFrame
        Long form, as :func:`newskit.stats.count_topics_by_period` or
        :func:`newskit.stats.count_providers_by_period` return.
    x, y, hue : str
        Date column, value column and the column naming each line, drawn in order of first
        appearance.
    title, ylabel : str
        Figure title and y-axis label.
    percent : bool, default False
        ``y`` holds shares (0 to 1): label the axis in percent (the data is drawn as it is).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (7, 3.5))
    _decorate(ax, title=title, xlabel="period", ylabel=ylabel)
    if data.empty:
        return ax
    keys = pd.unique(data[hue])
    if len(keys) > MAX_LINES:
        data = data[data[hue].isin(keys[:MAX_LINES])]
        ax.set_title(f"{title} (first {MAX_LINES} of {len(keys):,})")
    for key, group in data.groupby(hue, sort=False):
        group = group.sort_values(x)
        folded = key in (OTHER, OTHER_REST) and key == keys[-1]
        style = {"color": "0.6", "linestyle": "--"} if folded else {}
        ax.plot(
            pd.to_datetime(group[x]),
            group[y].to_numpy(dtype=float),
            marker="o" if len(group) <= 40 else None,
            markersize=3,
            label=_label(key),
            **style,
        )
    _date_axis(ax, data[x])
    ax.set_ylim(bottom=0)
    if percent:
        _percent_axis(ax.yaxis)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small", frameon=False)
    return ax


@renamed(top="n")
@_styled
def plot_counts(
    data: pd.DataFrame,
    *,
    x: str | None = None,
    y: str = "n_articles",
    n: int = 10,
    other: bool = True,
    sort: bool = True,
    title: str = "Articles",
    xlabel: str = "articles",
    ylabel: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars of the ``n`` largest counts, largest on top.

    Parameters
    ----------
    data : DataFrame
        A label column ``x`` and a count column ``y``, as the ``count_*`` functions of
        :mod:`newskit.stats` return.
    x : str, optional
        The label column; by default the first column, where every ``count_*`` function
        and :func:`newskit.stats.build_provider_leaderboard` put it.
    y : str, default "n_articles"
        The count column.
    n : int, default 10
        Bars shown at most.
    other : bool, default True
        Add one ``other`` bar summing the rows past ``n`` (use False when rows overlap,
        as topics do).
    sort : bool, default True
        Largest first; False keeps the order of ``data`` (for ordered labels such as counts).
    title, xlabel, ylabel : str
        Figure title and axis labels.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_count("n", n)
    top = min(n, MAX_BARS)
    if x is None:
        x = data.columns[0]
    shown = data.sort_values(y, ascending=False, kind="stable") if sort else data
    shown = shown.head(top)
    labels = [_label(value) for value in shown[x]]
    values = shown[y].to_numpy(dtype=float).tolist()
    rest = data[y].to_numpy(dtype=float).sum() - sum(values)
    if other and len(data) > top and rest > 0:
        labels.append(f"{OTHER} ({len(data) - top})")
        values.append(rest)
    ax = _axes(ax, (7, 0.35 * max(len(values), 2) + 1.2))
    _decorate(ax, title=title, xlabel=xlabel, ylabel=ylabel)
    if not values:
        return ax
    positions = np.arange(len(values))
    colors = [COLOR] * len(shown) + ["0.6"] * (len(values) - len(shown))
    bars = ax.barh(positions, values, color=colors)
    ax.set_yticks(positions, labels)
    ax.invert_yaxis()
    ax.bar_label(bars, labels=[f"{value:,.0f}" for value in values], padding=2, fontsize="small")
    ax.margins(x=0.12)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return ax


@_styled
def plot_missing_matrix(
    data: pd.DataFrame,
    *,
    title: str = "Missing fields (dark = missing)",
    ax: Axes | None = None,
) -> Axes:
    """A missing-value matrix: one row per article, one column per field, dark = missing.

    Past :data:`MATRIX_ROWS` articles, each row of the image is a block of consecutive
    articles, as dark as the share of them missing the field (a chart is a few hundred pixels
    high: one article per row would only show some of them, and take memory by the article).

    Parameters
    ----------
    data : DataFrame
        Booleans, True where missing, as :func:`newskit.stats.build_missing_matrix` returns.
    title : str
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Drawn as a single image, whatever the number of articles; the y axis counts articles.
    """
    ax = _axes(ax, (7, 4))
    _decorate(ax, title=title, xlabel="field", ylabel="articles (oldest at the top)")
    if data.empty:
        return ax
    missing = data.to_numpy(dtype=bool)
    n = len(missing)
    if n > MATRIX_ROWS:
        starts = np.arange(MATRIX_ROWS) * n // MATRIX_ROWS
        sizes = np.diff(np.append(starts, n))
        shares = np.add.reduceat(missing, starts, axis=0, dtype=np.int64) / sizes[:, None]
    else:
        shares = missing.astype(float)
    ax.imshow(
        shares,
        aspect="auto",
        interpolation="nearest",
        cmap=LinearSegmentedColormap.from_list("missing", ["#e8eef4", "#2b3a55"]),
        vmin=0,
        vmax=1,
        extent=(-0.5, missing.shape[1] - 0.5, n - 0.5, -0.5),
    )
    ax.set_xticks(
        np.arange(data.shape[1]),
        [_label(c) for c in data.columns],
        rotation=60,
        ha="right",
        rotation_mode="anchor",
        fontsize="small",
    )
    if len(data) > 1:
        ax.yaxis.set_major_locator(MaxNLocator(5, integer=True))
    else:
        ax.set_yticks([])
    return ax


@_styled
def plot_matrix(
    data: pd.DataFrame,
    *,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    annotate: bool = True,
    percent: bool = False,
    cmap: str = "Blues",
    ax: Axes | None = None,
) -> Axes:
    """A heatmap of a small table (co-occurrence, topic mix, coverage).

    Parameters
    ----------
    data : DataFrame
        Numbers, labelled by index (rows) and columns, e.g. from
        :func:`newskit.stats.build_topic_cooccurrence`.
    title, xlabel, ylabel : str
    annotate : bool, default True
        Write each non-zero value in its cell (only when the table has at most 400 cells).
    percent : bool, default False
        Values are shares (0 to 1): write them in percent.
    cmap : str
        Colour map.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One image, plus one text per cell when annotated.
    """
    data = data.iloc[:MAX_BARS, :MAX_BARS]  # the first rows and columns: ticks stay legible
    rows, cols = data.shape
    ax = _axes(ax, (min(max(2.5 + 0.55 * cols, 5.5), 9), min(max(1.8 + 0.4 * rows, 3), 7)))
    _decorate(ax, title=title, xlabel=xlabel, ylabel=ylabel)
    if data.empty:
        return ax
    values = data.to_numpy(dtype=float)
    image = ax.imshow(values, aspect="auto", interpolation="nearest", cmap=cmap, vmin=0)
    ax.set_xticks(
        np.arange(cols),
        [_label(c, 24) for c in data.columns],
        rotation=45,
        ha="right",
        rotation_mode="anchor",
        fontsize="small",
    )
    ax.set_yticks(np.arange(rows), [_label(r, 28) for r in data.index], fontsize="small")
    if annotate and values.size <= 400:
        high = np.nanmax(values) if np.isfinite(values).any() else 0
        for (i, j), value in np.ndenumerate(values):
            if np.isnan(value) or value == 0:  # blank zeros keep the non-zero cells legible
                continue
            text = _percent(value, ".0f") if percent else f"{value:,.0f}"
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize="x-small",
                color="white" if high and value > 0.6 * high else "black",
                in_layout=False,  # inside its cell: never moves the axes (nor costs a layout)
            )
    ax.figure.colorbar(image, ax=ax, shrink=0.8)
    return ax


@renamed(top="n")
@_styled
def plot_topic_trends(
    data: pd.DataFrame,
    *,
    n: int = 12,
    title: str = "Topics rising and falling (second half vs first half)",
    ax: Axes | None = None,
) -> Axes:
    """Bars of the change in each topic's share, rising in one colour, falling in another.

    Parameters
    ----------
    data : DataFrame
        As :func:`newskit.stats.find_topic_trends` returns (``topic``, ``change``).
    n : int, default 12
        The ``n`` topics with the largest change either way.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_count("n", n)
    shown = data.reindex(data["change"].abs().sort_values(ascending=False).index).head(n)
    shown = shown.sort_values("change", ascending=False)
    ax = _axes(ax, (7, 0.35 * max(len(shown), 2) + 1.2))
    _decorate(ax, title=title, xlabel="change in share of articles (percentage points)", ylabel="")
    if shown.empty:
        return ax
    change = shown["change"].to_numpy(dtype=float) * 100
    colors = [ACCENT_COLOR if value < 0 else COLOR for value in change]
    positions = np.arange(len(shown))
    ax.barh(positions, change, color=colors)
    ax.set_yticks(positions, [_label(topic) for topic in shown["topic"]])
    ax.invert_yaxis()
    ax.axvline(0, color="0.3", linewidth=0.8)
    return ax


@_styled
def plot_score_histogram(
    data: pd.DataFrame,
    *,
    bins: int = 20,
    title: str = "Distribution of quality and heat",
    ax: Axes | None = None,
) -> Axes:
    """Histograms of quality (filled) and heat (outline) on shared bins.

    Parameters
    ----------
    data : DataFrame
        ``corpus.articles`` (columns ``quality`` and ``heat``).
    bins : int, default 20
        The bins of :func:`newskit.stats.count_score_bins`, whose table this draws.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One patch per score that has values.
    """
    ax = _axes(ax, (7, 3))
    _decorate(ax, title=title, xlabel="score", ylabel="articles")
    table = count_score_bins(data, bins=bins)
    edges = np.append(table["score_from"].to_numpy(), table["score_to"].to_numpy()[-1:])
    quality, heat = table["n_quality"].to_numpy(), table["n_heat"].to_numpy()
    if not quality.sum() and not heat.sum():
        return ax
    if quality.sum():
        ax.stairs(quality, edges, fill=True, alpha=0.45, color=COLOR, label="quality")
    if heat.sum():
        ax.stairs(heat, edges, linewidth=1.6, linestyle="--", color=ACCENT_COLOR, label="heat")
    ax.legend(frameon=False)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return ax


@_styled
def plot_score_hexbin(
    data: pd.DataFrame,
    *,
    gridsize: int = 25,
    title: str = "Quality vs heat",
    ax: Axes | None = None,
) -> Axes:
    """Quality against heat as a hexbin (count per cell), with the line quality = heat.

    Parameters
    ----------
    data : DataFrame
        ``corpus.articles``; rows missing either score are left out.
    gridsize : int, default 25
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One hexbin collection and one reference line, whatever the number of articles.
    """
    ax = _axes(ax, (5.5, 4.5))
    _decorate(ax, title=title, xlabel="quality", ylabel="heat")
    both = (
        pd.DataFrame(
            {
                "quality": pd.to_numeric(data["quality"], errors="coerce"),
                "heat": pd.to_numeric(data["heat"], errors="coerce"),
            }
        )
        .dropna()
        .astype(float)
    )
    if both.empty:
        return ax
    low = float(min(both.min()))
    high = float(max(both.max()))
    if high == low:
        low, high = low - 1, high + 1
    cells = ax.hexbin(
        both["quality"],
        both["heat"],
        gridsize=gridsize,
        mincnt=1,
        cmap="viridis",
        extent=(low, high, low, high),
    )
    ax.plot(
        [low, high], [low, high], color="0.4", linewidth=0.8, linestyle=":", label="quality = heat"
    )
    ax.figure.colorbar(cells, ax=ax, label="articles", shrink=0.8)
    ax.legend(loc="upper left", frameon=False, fontsize="small")
    return ax


@_styled
def plot_score_boxes(
    data: pd.DataFrame,
    *,
    score: str = "quality",
    title: str | None = None,
    ylabel: str = "",
    ax: Axes | None = None,
) -> Axes:
    """One horizontal box per group (no outlier points), groups in the order given.

    Parameters
    ----------
    data : DataFrame
        ``group`` and ``value`` columns, as :func:`newskit.stats.build_score_groups` returns
        (already limited to the top groups); each box is the row of
        :func:`newskit.stats.describe_score_groups` for its group.
    score : str
        Name of the score, for the axis label and default title.
    title, ylabel : str, optional
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    groups = pd.unique(data["group"]).tolist()[:MAX_BARS]  # in the order they come
    ax = _axes(ax, (7, 0.4 * max(len(groups), 2) + 1.2))
    _decorate(ax, title=title or f"{score.capitalize()} by group", xlabel=score, ylabel=ylabel)
    if not groups:
        return ax
    boxes = describe_score_groups(data[data["group"].isin(groups)])
    ax.bxp(
        [
            {
                "med": box.median,
                "q1": box.q1,
                "q3": box.q3,
                "whislo": box.low_whisker,
                "whishi": box.high_whisker,
                "fliers": [],
            }
            for box in boxes.itertuples()
        ],
        orientation="horizontal",
        showfliers=False,
        widths=0.6,
        medianprops={"color": ACCENT_COLOR},
    )
    ax.set_yticks(
        np.arange(1, len(boxes) + 1),
        [f"{_label(box.group)} ({box.n_articles:,})" for box in boxes.itertuples()],
    )
    ax.invert_yaxis()
    return ax


@_styled
def plot_score_trend(
    data: pd.DataFrame,
    *,
    statistic: str = "median",
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Quality and heat per period: two lines.

    Parameters
    ----------
    data : DataFrame
        As :func:`newskit.stats.build_score_trend` returns.
    statistic : {"median", "mean"}
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_argument("statistic", ("median", "mean"), statistic)
    ax = _axes(ax, (7, 3))
    _decorate(
        ax,
        title=title or f"{statistic.capitalize()} scores per period",
        xlabel="period",
        ylabel=f"{statistic} score",
    )
    if data.empty:
        return ax
    periods = pd.to_datetime(data["period"])
    marker = "o" if len(data) <= 40 else None
    ax.plot(
        periods,
        data[f"{statistic}_quality"].to_numpy(dtype=float),
        marker=marker,
        markersize=3,
        color=COLOR,
        label="quality",
    )
    ax.plot(
        periods,
        data[f"{statistic}_heat"].to_numpy(dtype=float),
        marker=marker,
        markersize=3,
        linestyle="--",
        color=ACCENT_COLOR,
        label="heat",
    )
    _date_axis(ax, periods)
    ax.legend(frameon=False)
    return ax


@_styled
def plot_stories_by_period(
    data: pd.DataFrame,
    *,
    title: str = "Articles and stories per period",
    ax: Axes | None = None,
) -> Axes:
    """Articles and stories per period: two lines, the gap between them the copies.

    Parameters
    ----------
    data : DataFrame
        As :func:`newskit.stats.count_stories_by_period` returns.
    title : str
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (7, 3))
    _decorate(ax, title=title, xlabel="period", ylabel="count")
    if data.empty:
        return ax
    periods = pd.to_datetime(data["period"])
    marker = "o" if len(data) <= 40 else None
    for column, label, style in (
        ("n_articles", "articles", {"color": COLOR}),
        ("n_stories", "stories", {"color": ACCENT_COLOR, "linestyle": "--"}),
    ):
        values = data[column].to_numpy(dtype=float)
        ax.plot(periods, values, marker=marker, markersize=3, label=label, **style)
    _date_axis(ax, periods)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(frameon=False)
    return ax


@_styled
def plot_weekday_hours(
    data: pd.DataFrame,
    *,
    title: str = "Articles by weekday and hour (UTC)",
    ax: Axes | None = None,
) -> Axes:
    """A heatmap of articles by weekday (rows) and hour of the day in UTC (columns).

    Parameters
    ----------
    data : DataFrame
        As :func:`newskit.stats.count_by_weekday_and_hour` returns.
    title : str
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One image, a number in each non-zero cell.
    """
    if ax is None:
        ax = _axes(None, (9, 3.4))
    ax = plot_matrix(data, title=title, xlabel="hour of the day (UTC)", ylabel="weekday", ax=ax)
    if not data.empty:
        ax.tick_params(axis="x", labelrotation=0)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("center")
    return ax


@_styled
def plot_lag_histogram(
    data: pd.DataFrame,
    *,
    bins: int = 20,
    title: str = "Lag between an article and its related stories",
    ax: Axes | None = None,
) -> Axes:
    """Histogram of the lag in days (negative: the related story came first), a line at 0.

    Parameters
    ----------
    data : DataFrame
        As :func:`newskit.stats.build_coverage_lag` returns (``lag_hours``).
    bins : int, default 20
        The bins of :func:`newskit.stats.count_lag_bins`, whose table this draws.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (7, 3))
    _decorate(
        ax,
        title=title,
        xlabel="days from the article to the related story",
        ylabel="related stories",
    )
    table = count_lag_bins(data, bins=bins)
    if table.empty:
        return ax
    ax.bar(
        table["days_from"],
        table["n_stories"],
        width=table["days_to"] - table["days_from"],
        align="edge",
        color=COLOR,
    )
    ax.axvline(0, color="0.3", linewidth=0.8, linestyle=":")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return ax


@renamed(top="n")
@_styled
def plot_coverage_pairs(
    data: pd.DataFrame,
    *,
    n: int = 10,
    other: bool = True,
    title: str = "Related stories by provider",
    ax: Axes | None = None,
) -> Axes:
    """A heatmap of related-story counts: article provider (rows) by related provider.

    Parameters
    ----------
    data : DataFrame
        As :func:`newskit.stats.build_coverage_pairs` returns.
    n : int, default 10
        Rows and columns for the ``n`` largest providers each way.
    other : bool, default True
        Fold the rest into an ``other`` row and column; False leaves them out.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_count("n", n)
    if data.empty:
        ax = _axes(ax, (6, 4))
        return _decorate(
            ax, title=title, xlabel="related story's provider", ylabel="article's provider"
        )

    def fold(column: str) -> pd.Series:
        totals = data.groupby(column)["n_stories"].sum().sort_values(ascending=False)
        keep = totals.index[:n]
        return data[column].where(data[column].isin(keep), folded)

    folded = fold_label(pd.concat([data["provider"], data["related_provider"]]))
    rows, cols = fold("provider"), fold("related_provider")
    kept = (rows != folded) & (cols != folded) if not other else rows.notna()
    table = pd.crosstab(
        rows[kept], cols[kept], values=data["n_stories"][kept], aggfunc="sum"
    ).fillna(0)
    rows = table.sum(axis=1).sort_values(ascending=False).index
    cols = table.sum(axis=0).sort_values(ascending=False).index
    table = table.reindex(
        index=[r for r in rows if r != folded] + [r for r in rows if r == folded],
        columns=[c for c in cols if c != folded] + [c for c in cols if c == folded],
    )
    return plot_matrix(
        table, title=title, xlabel="related story's provider", ylabel="article's provider", ax=ax
    )


# --------------------------------------------------------------------------- alt text

#: Series a description names before it says "and N more".
MAX_NAMED = 6


def describe_chart(ax: Axes) -> str:
    """What a drawn chart shows, in one or two sentences: its alternative text.

    Reads the Axes as drawn: its title and axis labels, the kind of chart (bars, lines, heat
    matrix, histogram, hexbin or boxes), its series and their legend labels, the span of a
    time axis and the largest value with its label.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        A drawn chart, by the functions of this module or any other.

    Returns
    -------
    str
        For example "Bar chart: Articles per topic. 15 bars; the largest is Power Apps with
        120 articles."
    """
    for kind, describe in _DESCRIBERS:
        facts = describe(ax)
        if facts is not None:
            return _sentence(kind, ax, facts)
    return _sentence("Chart", ax, "It shows no data")


def _sentence(kind: str, ax: Axes, facts: str) -> str:
    title = _plain(ax.get_title())
    head = f"{kind}: {title}" if title else kind
    return f"{head.rstrip('.')}. {facts}."


def _plain(text: str) -> str:
    """A label as a reader reads it: without the escapes :func:`_label` adds for matplotlib."""
    return text.replace("\u200b", "").replace(r"\$", "$").strip()


def _number(value: float, *, percent: bool = False) -> str:
    if percent:
        return _percent(value, ".1f").replace(".0%", "%")
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _names(labels: list[str]) -> str:
    shown = ", ".join(labels[:MAX_NAMED])
    rest = len(labels) - MAX_NAMED
    return f"{shown} and {rest:,} more" if rest > 0 else shown


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _is_date_axis(axis) -> bool:
    formatter = axis.get_major_formatter()
    date_formatters = (mdates.ConciseDateFormatter, mdates.AutoDateFormatter, mdates.DateFormatter)
    return isinstance(formatter, date_formatters)


def _dates(values: np.ndarray, among: np.ndarray | None = None) -> list[str]:
    """Dates as short as the precision of ``among`` (default: themselves): ``2024`` when all
    are years, ``2024-03`` when all are months."""

    def when(numbers) -> pd.DatetimeIndex:
        numbers = np.asarray(numbers, dtype=float)
        numbers = numbers[np.isfinite(numbers)]
        return pd.DatetimeIndex(mdates.num2date(numbers)).tz_convert(None)

    every = when(values if among is None else among)
    pattern = "%Y-%m-%d"
    if (every.day == 1).all() and (every == every.normalize()).all():
        pattern = "%Y" if (every.month == 1).all() else "%Y-%m"
    return list(when(values).strftime(pattern))


def _ticks(axis) -> dict[float, str]:
    return {
        float(tick.get_position()[axis.axis_name == "y"]): _plain(tick.get_text())
        for tick in axis.get_ticklabels()
        if tick.get_text()
    }


def _named(axis) -> bool:
    """Whether the ticks are names (labels set at fixed places, or categories), not numbers."""
    fixed = isinstance(axis.get_major_locator(), FixedLocator)
    return fixed or isinstance(axis.get_major_formatter(), StrCategoryFormatter)


def _tick_at(ticks: dict[float, str], position: float) -> str | None:
    for where, text in ticks.items():
        if abs(where - position) < 0.25:
            return text
    return None


def _is_percent(axis) -> bool:
    return getattr(axis.get_major_formatter(), "func", None) is _percent_tick


def _short_unit(label: str) -> bool:
    """A label that reads after a number: "120 articles", "3 related stories"."""
    return bool(label) and len(label.split()) <= 3 and "(" not in label and label.endswith("s")


def _span(axis, values: np.ndarray) -> str:
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if not len(values):
        return ""
    low, high = values.min(), values.max()
    if _is_date_axis(axis):
        first, last = _dates(np.array([low, high]), values)
        return f"from {first} to {last}" if first != last else f"in {first}"
    return f"from {_number(low)} to {_number(high)}"


def _describe_hexbin(ax: Axes) -> str | None:
    cells = [
        c
        for c in ax.collections
        if type(c).__name__ == "PolyCollection" and c.get_array() is not None
    ]
    if not cells:
        return None
    counts = np.asarray(cells[0].get_array(), dtype=float)
    centres = cells[0].get_offsets()
    if not len(counts):
        return "It shows no data"
    colorbar = getattr(cells[0], "colorbar", None)
    unit = _plain(colorbar.ax.get_ylabel() or colorbar.ax.get_xlabel()) if colorbar else ""
    x, y = _plain(ax.get_xlabel()) or "x", _plain(ax.get_ylabel()) or "y"
    top = int(np.argmax(counts))
    # A cell's centre is no data value: whole numbers say "around" well enough on a wide axis.
    wide = np.ptp(ax.get_xlim()) > 10 and np.ptp(ax.get_ylim()) > 10
    cx, cy = (np.round(centres[top]) if wide else centres[top]).tolist()
    things = f"{_number(counts.sum())} {unit}".strip()
    return (
        f"{things} by {x} (across) and {y} (up) in {len(counts):,} cells; the fullest, "
        f"around {x} {_number(cx)} and {y} {_number(cy)}, holds {_number(counts[top])}"
    )


def _describe_matrix(ax: Axes) -> str | None:
    if not ax.images:
        return None
    values = np.asarray(ax.images[0].get_array(), dtype=float)
    if values.ndim != 2 or not values.size:
        return "It shows no data"
    rows, cols = values.shape
    if not _named(ax.yaxis):  # rows of articles, maybe drawn a block a row: as many as it spans
        left, right, bottom, top = ax.images[0].get_extent()
        rows = round(abs(bottom - top))
    columns = list(_ticks(ax.xaxis).values()) if _named(ax.xaxis) else []
    labels = list(_ticks(ax.yaxis).values()) if _named(ax.yaxis) else []
    xlabel, ylabel = _plain(ax.get_xlabel()), _plain(ax.get_ylabel())
    shape = f"{_plural(rows, 'row')}{f' ({ylabel})' if ylabel else ''} by "
    shape += f"{_plural(cols, 'column')}{f' ({xlabel})' if xlabel else ''}"
    if len(columns) != cols:
        return shape
    if len(labels) != rows:
        # Rows without labels (of articles: each marked 1, or a block its share marked): say
        # which column is most often marked.
        marked = np.nanmean(values, axis=0)
        top = int(np.nanargmax(marked))
        most = f"{columns[top]} ({marked[top]:.0%} of rows)"
        return f"{shape}; the column most often marked (dark) is {most}"
    if not np.isfinite(values).any():
        return shape
    i, j = np.unravel_index(np.nanargmax(values), values.shape)
    percent = any(text.get_text().endswith("%") for text in ax.texts)
    value = _number(values[i, j], percent=percent)
    return f"{shape}; the largest cell is {labels[i]} by {columns[j]}, {value}"


def _box_lines(ax: Axes) -> list:
    """The boxes of a box plot: closed, axis-aligned rectangles drawn as lines."""
    boxes = []
    for line in ax.lines:
        x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
        sides = sorted((len(set(x)), len(set(y))))
        # A box of equal values is flat (one of its sides has no length), still a box.
        if len(x) == 5 and x[0] == x[-1] and y[0] == y[-1] and sides in ([1, 2], [2, 2]):
            boxes.append((x.min(), x.max(), y.min(), y.max()))
    return boxes


def _describe_boxes(ax: Axes) -> str | None:
    boxes = _box_lines(ax)
    if not boxes:
        return None
    centres_y = {round((b[2] + b[3]) / 2, 6) for b in boxes}
    horizontal = len(centres_y) > 1 or (len(boxes) == 1 and bool(_ticks(ax.yaxis)))
    axis = ax.yaxis if horizontal else ax.xaxis
    ticks = _ticks(axis)
    score = _plain(ax.get_xlabel() if horizontal else ax.get_ylabel())
    medians = []
    for x0, x1, y0, y1 in boxes:
        low, high, centre = (x0, x1, (y0 + y1) / 2) if horizontal else (y0, y1, (x0 + x1) / 2)
        for line in ax.lines:
            x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
            value, across = (x, y) if horizontal else (y, x)
            if (
                len(x) == 2
                and value[0] == value[1]
                and low <= value[0] <= high
                and abs(across.mean() - centre) < 1e-6
                and np.ptp(across) >= 0.9 * ((y1 - y0) if horizontal else (x1 - x0))
            ):
                medians.append((value[0], _tick_at(ticks, centre) or _number(centre)))
                break
    names = [_tick_at(ticks, (b[2] + b[3]) / 2 if horizontal else (b[0] + b[1]) / 2) for b in boxes]
    facts = f"{_plural(len(boxes), 'box')}".replace("boxs", "boxes")
    if score:
        facts += f" of {score}"
    if all(names):
        facts += f" ({_names(names)})"
    if medians:
        high, low = max(medians), min(medians)
        if len(medians) == 1:
            facts += f"; the median is {_number(high[0])}"
        elif high[0] == low[0]:
            facts += f"; every median is {_number(high[0])}"
        else:
            facts += f"; the highest median is {high[1]} at {_number(high[0])}"
            facts += f", the lowest {low[1]} at {_number(low[0])}"
    return facts


def _histogram(ax: Axes) -> list[tuple[str, np.ndarray, np.ndarray]] | None:
    """The series of a histogram: (label, counts, edges), from steps or touching bars."""
    steps = [patch for patch in ax.patches if type(patch).__name__ == "StepPatch"]
    if steps:
        series = []
        for patch in steps:
            counts, edges, _ = patch.get_data()
            series.append((_plain(patch.get_label()), np.asarray(counts), np.asarray(edges)))
        return series
    series = []
    for container in ax.containers:
        if getattr(container, "orientation", "vertical") != "vertical" or len(container) < 2:
            continue
        left = np.array([bar.get_x() for bar in container])
        width = np.array([bar.get_width() for bar in container])
        if not np.allclose(left[:-1] + width[:-1], left[1:]):
            continue
        counts = np.array([bar.get_height() for bar in container])
        edges = np.append(left, left[-1] + width[-1])
        series.append((_plain(container.get_label() or ""), counts, edges))
    return series or None


def _describe_histogram(ax: Axes) -> str | None:
    series = _histogram(ax)
    if series is None:
        return None
    named = [label for label, _, _ in series if label and not label.startswith("_")]
    edges = series[0][2]
    x, unit = _plain(ax.get_xlabel()), _plain(ax.get_ylabel())
    facts = f"{_plural(len(edges) - 1, 'bin')}"
    if x:
        facts += f" of {x}"
    facts += f" {_span(ax.xaxis, edges)}"
    if len(named) > 1:
        facts = f"{len(named)} series ({_names(named)}) in {facts}"
    peaks = []
    for label, counts, edges in series:
        top = int(np.argmax(counts))
        bin_ = f"{_number(edges[top])} to {_number(edges[top + 1])}"
        who = f"{label} " if len(named) > 1 else ""
        peaks.append(f"{who}peaks at {bin_} with {_number(counts[top])} {unit}".rstrip())
    return f"{facts}; {', '.join(peaks)}"


def _describe_bars(ax: Axes) -> str | None:
    bars = [bar for container in ax.containers for bar in container if hasattr(bar, "get_x")]
    if not bars:
        return None
    horizontal = getattr(ax.containers[0], "orientation", "vertical") == "horizontal"
    if horizontal:
        values = np.array([bar.get_width() for bar in bars])
        positions = np.array([bar.get_y() + bar.get_height() / 2 for bar in bars])
        ticks, axis, unit = _ticks(ax.yaxis), ax.yaxis, _plain(ax.get_xlabel())
    else:
        values = np.array([bar.get_height() for bar in bars])
        positions = np.array([bar.get_x() + bar.get_width() / 2 for bar in bars])
        ticks, axis, unit = _ticks(ax.xaxis), ax.xaxis, _plain(ax.get_ylabel())
    if _is_date_axis(axis):
        starts = [bar.get_y() if horizontal else bar.get_x() for bar in bars]
        labels = _dates(np.array(starts))
        span = f" {_span(axis, np.array(starts))}"
    else:
        labels = [_tick_at(ticks, p) or _number(p) for p in positions]
        span = ""
    facts = f"{_plural(len(bars), 'bar')}{span}"
    short = _short_unit(unit)
    if unit and not short:
        facts += f" of {unit}"
    top = int(np.argmax(values))
    facts += f"; the largest is {labels[top]} " + (
        f"with {_number(values[top])} {unit}" if short else f"at {_number(values[top])}"
    )
    if values.min() < 0:
        low = int(np.argmin(values))
        facts += f", the smallest {labels[low]} at {_number(values[low])}"
    return facts


def _series_lines(ax: Axes) -> list:
    """The lines that carry data: labelled ones, else any with two or more points."""
    lines = [line for line in ax.lines if len(np.atleast_1d(line.get_xdata())) >= 2]
    labelled = [line for line in lines if not line.get_label().startswith("_")]
    return labelled or lines


def _describe_lines(ax: Axes) -> str | None:
    lines = _series_lines(ax)
    if not lines:
        return None
    labels = [_plain(line.get_label()) for line in lines if not line.get_label().startswith("_")]
    xs = [np.asarray(line.get_xdata(orig=False), dtype=float) for line in lines]
    ys = [np.asarray(line.get_ydata(orig=False), dtype=float) for line in lines]
    facts = f"{_plural(len(lines), 'line')}"
    if labels:
        facts += f" ({_names(labels)})"
    facts += f" {_span(ax.xaxis, np.concatenate(xs))}".rstrip()
    finite = [(y[np.isfinite(y)].max(), i) for i, y in enumerate(ys) if np.isfinite(y).any()]
    if finite:
        value, i = max(finite)
        where = xs[i][int(np.nanargmax(ys[i]))]
        every = np.concatenate(xs)
        at = _dates(np.array([where]), every)[0] if _is_date_axis(ax.xaxis) else _number(where)
        unit = _plain(ax.get_ylabel())
        amount = _number(value, percent=_is_percent(ax.yaxis))
        amount += f" {unit}" if _short_unit(unit) else ""
        who = f"{labels[i]}, " if len(lines) > 1 and i < len(labels) else ""
        facts += f"; the highest point is {who}{amount} in {at}"
    gaps = sum(int((~np.isfinite(y)).sum()) for y in ys)
    if gaps:
        facts += f". {_plural(gaps, 'point')} {'is' if gaps == 1 else 'are'} missing, drawn as gaps"
    return facts


#: Tried in order: the first that recognises the Axes describes it (a hexbin's reference
#: line is no line chart, a histogram's touching bars no bar chart).
_DESCRIBERS = (
    ("Hexbin", _describe_hexbin),
    ("Heat matrix", _describe_matrix),
    ("Box plot", _describe_boxes),
    ("Histogram", _describe_histogram),
    ("Bar chart", _describe_bars),
    ("Line chart", _describe_lines),
)
