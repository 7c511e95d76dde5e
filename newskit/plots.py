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
from matplotlib.colors import ListedColormap
from matplotlib.ticker import MaxNLocator

from newskit._deprecation import renamed
from newskit.display import cut_text, escape_controls
from newskit.stats import OTHER, OTHER_REST, check_argument, check_count, fold_label

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
    """The :data:`FONTS` this machine has (asking for a missing one logs a findfont line)."""
    names = {font.name for font in font_manager.fontManager.ttflist}
    return tuple(name for name in FONTS if name in names) or ("sans-serif",)


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
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


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
    locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _percent_axis(axis) -> None:
    """Tick labels of shares (0 to 1) as percentages: what ``percent=True`` means everywhere."""
    axis.set_major_formatter(lambda value, _: _percent(value, "g"))


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

    Parameters
    ----------
    data : DataFrame
        Booleans, True where missing, as :func:`newskit.stats.build_missing_matrix` returns.
    title : str
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Drawn as a single image, whatever the number of articles.
    """
    ax = _axes(ax, (7, 4))
    _decorate(ax, title=title, xlabel="field", ylabel="articles (oldest at the top)")
    if data.empty:
        return ax
    cmap = ListedColormap(["#e8eef4", "#2b3a55"])
    ax.imshow(
        data.to_numpy(dtype=float),
        aspect="auto",
        interpolation="nearest",
        cmap=cmap,
        vmin=0,
        vmax=1,
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
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One patch per score that has values.
    """
    ax = _axes(ax, (7, 3))
    _decorate(ax, title=title, xlabel="score", ylabel="articles")
    series = {
        score: pd.to_numeric(data[score], errors="coerce").dropna().to_numpy(dtype=float)
        for score in ("quality", "heat")
        if score in data
    }
    present = [values for values in series.values() if len(values)]
    if not present:
        return ax
    edges = np.histogram_bin_edges(np.concatenate(present), bins=bins)
    if "quality" in series and len(series["quality"]):
        ax.hist(
            series["quality"],
            bins=edges,
            histtype="stepfilled",
            alpha=0.45,
            color=COLOR,
            label="quality",
        )
    if "heat" in series and len(series["heat"]):
        ax.hist(
            series["heat"],
            bins=edges,
            histtype="step",
            linewidth=1.6,
            linestyle="--",
            color=ACCENT_COLOR,
            label="heat",
        )
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
        (already limited to the top groups).
    score : str
        Name of the score, for the axis label and default title.
    title, ylabel : str, optional
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    groups = list(dict.fromkeys(data["group"]))[:MAX_BARS]
    ax = _axes(ax, (7, 0.4 * max(len(groups), 2) + 1.2))
    _decorate(ax, title=title or f"{score.capitalize()} by group", xlabel=score, ylabel=ylabel)
    if not groups:
        return ax
    values = [data.loc[data["group"] == group, "value"].to_numpy(dtype=float) for group in groups]
    ax.boxplot(
        values,
        orientation="horizontal",
        showfliers=False,
        widths=0.6,
        medianprops={"color": ACCENT_COLOR},
    )
    ax.set_yticks(
        np.arange(1, len(groups) + 1),
        [f"{_label(group)} ({len(v):,})" for group, v in zip(groups, values, strict=True)],
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
    days = data["lag_hours"].dropna().to_numpy(dtype=float) / 24
    if not len(days):
        return ax
    ax.hist(days, bins=bins, color=COLOR)
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
