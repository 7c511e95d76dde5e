"""What the report notebooks share: opening the selection and the sections they repeat.

Each ``show_*`` function displays its section (notes, tables, a figure) in the running
notebook and returns what it displayed, so that it can be tested outside a kernel.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Mapping

import matplotlib.pyplot as plt
import pandas as pd
from IPython.core.pylabtools import print_figure
from IPython.display import Image, display
from matplotlib.layout_engine import ConstrainedLayoutEngine

from newskit import dataset, listing, plots, stats
from newskit.corpus import SNAPSHOT_ENV, Corpus, load_corpus
from newskit.display import SUMMARY_LABELS, Rendered, note, render_numbers, render_table

#: What ``show_scores_by`` says, per grouping, when there is no group, one, or no spread.
SCORES_BY_NOTES = {
    "type": (
        "There is no article, so there is no type to compare.",
        "All articles have the same type, so there is nothing to compare.",
        "Every type has a single article, so there is no spread to draw.",
    ),
    "provider": (
        "There is no article, so there is no provider to compare.",
        "All articles come from one provider, so there is nothing to compare.",
        "Every provider has a single article, so there is no spread to draw.",
    ),
    "topic": (
        "No article has a topic, so there is no topic to compare.",
        "All articles share one topic, so there is nothing to compare.",
        "Every topic has a single article, so there is no spread to draw.",
    ),
}

#: The headline numbers of the overview notebook, in order.
HEADLINE_KEYS = (
    "n_articles",
    "n_stories",
    "share_copies",
    "n_files",
    "first_published_at",
    "last_published_at",
    "n_providers",
    "n_topics",
    "n_duplicates",
    "n_errors",
    "n_warnings",
    "fingerprint",
)


def _show(items: list) -> list:
    """Display ``items`` in order; return them."""
    for item in items:
        display(item)
    return items


def show_chart(
    ax: plt.Axes,
    data: pd.DataFrame | None,
    *,
    alt: str | None = None,
    name: str | None = None,
    links: Mapping[str, list] | None = None,
) -> list:
    """Show a chart with its alternative text, then the table it was drawn from.

    The figure is rendered to PNG at its dpi and closed, so it is shown once. A figure laid
    out by newskit's charts (constrained, with :data:`newskit.plots.MARGIN` around) is the
    chart as Jupyter's inline backend would crop it, and is rendered as it is; any other
    figure is cropped to a tight bounding box, as the inline backend does (measuring the box
    lays every text out once more: 15% of the time the report's charts take to render).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The drawn chart.
    data : DataFrame or None
        What the chart shows, aggregated: the counts, bins or statistics it draws (not one
        row per article). ``None`` when the table shown just before the chart is its data,
        so it is not shown twice.
    alt : str, optional
        The image's alternative text; by default :func:`newskit.plots.describe_chart`.
    name : str, optional
        The stem of the table's CSV download; by default from the chart's title.
    links : mapping, optional
        Links of the table's cells (:func:`newskit.display.render_table`), as
        :func:`article_links` gives them.

    Returns
    -------
    list
        The image (its alternative text in ``metadata["alt"]``) and the table, as shown.
    """
    alt = alt or plots.describe_chart(ax)
    name = name or ax.get_title() or None
    png = print_figure(ax.figure, "png", bbox_inches="tight" if _cropped(ax.figure) else None)
    plt.close(ax.figure)
    if data is None:
        return _show([Image(png, metadata={"alt": alt})])
    n = len(data)
    rows = f"{n:,} row" if n == 1 else f"{n:,} rows"
    # A matrix is labelled by its index (topics, providers): the table keeps it.
    index = not isinstance(data.index, pd.RangeIndex)
    table = render_table(
        data, details=f"Data behind this chart ({rows})", name=name, index=index, links=links
    )
    return _show([Image(png, metadata={"alt": alt}), table])


def _cropped(figure: plt.Figure) -> bool:
    """Whether :func:`show_chart` crops ``figure`` to a tight bounding box: unless it is laid
    out as newskit's charts are (constrained, at least :data:`newskit.plots.MARGIN` around
    what it draws)."""
    engine = figure.get_layout_engine()
    if not isinstance(engine, ConstrainedLayoutEngine):
        return True
    pads = engine.get()
    return min(pads["w_pad"], pads["h_pad"]) < plots.MARGIN


#: The articles columns a report notebook needs unless it shows the long text or how complete
#: each field is: all but ``body``, ``featured_content`` and ``excerpt``.
REPORT_COLUMNS = dataset.REPORT_COLUMNS


def open_selection(
    corpus_path: str,
    *,
    start: object = None,
    end: object = None,
    topic: object = None,
    provider: object = None,
    columns: list[str] | tuple[str, ...] | None = None,
) -> Corpus:
    """Load the corpus at ``corpus_path`` and select what the notebook's parameters ask.

    Shows a note when no article matches. The arguments are those of every notebook's
    ``parameters`` cell; see :meth:`newskit.Corpus.select`. ``columns`` are the articles columns
    to keep (:func:`newskit.load_corpus`'s; for instance :data:`REPORT_COLUMNS`). A dataset
    (``newskit export``) reads only those, and for a date window alone only the partitions of
    its months.
    """
    if topic is None and provider is None and dataset.is_dataset(corpus_path):
        corpus = dataset.read_dataset(corpus_path, columns=columns, start=start, end=end)
    else:
        corpus = load_corpus(corpus_path, columns=columns)
        corpus = corpus.select(start=start, end=end, topic=topic, provider=provider)
    if os.environ.get(SNAPSHOT_ENV):  # in a report's kernel (see newskit.report)
        _out_of_the_collectors_way()
    if corpus.articles.empty:
        _show([note("No article matches the selection, so every section below is empty.")])
    return corpus


def _out_of_the_collectors_way() -> None:
    """Move every object this process holds now out of the reach of Python's cyclic garbage
    collector (:func:`gc.freeze`), once a report's kernel has loaded its corpus: each full
    collection would go over them all again (the topic lists are an object per article: a
    full collection took 49 ms at 100,000 articles, and collections 0.12-0.25 s of each
    notebook's 1-2 s of CPU). The garbage already there is collected first, so that only
    what is held is frozen. Only in a report's kernel, which runs its notebook once and exits:
    an object frozen that later becomes cyclic garbage is never collected."""
    gc.collect()
    gc.freeze()


def choose_freq(articles: pd.DataFrame) -> str:
    """:func:`newskit.stats.choose_freq`, showing first the note on the articles a chart over
    time leaves out for their date (:func:`newskit.stats.describe_outlying_dates`)."""
    if left_out := stats.describe_outlying_dates(articles):
        _show([note(left_out)])
    return stats.choose_freq(articles)


def show_over_time(
    table: pd.DataFrame,
    *,
    freq: str,
    plot: Callable[..., plt.Axes],
    empty: str,
    single: str | None = None,
    with_table: bool = False,
    **options: object,
) -> list:
    """A chart over time, or why there is none: no period, or a single one.

    Parameters
    ----------
    table : DataFrame
        A table with a ``period`` column, as the ``count_*_by_period`` functions and
        :func:`newskit.stats.build_score_trend` return.
    freq : str
        The period length, for the note on a single period.
    plot : callable
        The plot function of :mod:`newskit.plots` that draws ``table``; ``options`` are
        passed to it.
    empty : str
        The note shown when ``table`` is empty.
    single : str, optional
        The note shown when all rows fall in one period (default: "All dated articles fall
        in one {freq}, so there is no change over time.").
    with_table : bool, default False
        With a single period, show ``table`` below the note.

    Returns
    -------
    list
        What was shown: notes and tables, or the chart and its table
        (:func:`show_chart`).
    """
    if table.empty:
        return _show([note(empty)])
    if table["period"].nunique() < 2:
        single = (
            single or f"All dated articles fall in one {freq}, so there is no change over time."
        )
        return _show([note(single), *([render_table(table)] if with_table else [])])
    return show_chart(plot(table, **options), table, links=period_links(table, freq=freq))


#: Columns of the tables over time that link into the browser, and the browser's column.
_LINKED = {"topic": "topics", "provider": "provider"}


def article_links(table: pd.DataFrame, **columns: str) -> dict[str, list] | None:
    """Links from a table's cells into the article browser, for ``render_table(links=...)``.

    Parameters
    ----------
    table : DataFrame
        The table shown.
    **columns
        Column of ``table`` -> column of the browser (:data:`newskit.listing.COLUMNS`):
        ``provider="provider"`` links each provider cell to that provider's articles.

    Returns
    -------
    dict or None
        Column -> one link per row (None for a missing value). None outside a report that
        renders the browser (``newskit report`` says so through :data:`newskit.listing.PAGE_ENV`):
        in JupyterLab there is no page to open.
    """
    if not os.environ.get(listing.PAGE_ENV):
        return None
    return {
        column: [
            None if pd.isna(value) else listing.article_link(**{target: value})
            for value in table[column]
        ]
        for column, target in columns.items()
    }


def period_links(table: pd.DataFrame, *, freq: str) -> dict[str, list] | None:
    """Links from a table over time into the article browser: each period to its articles,
    and a topic or provider beside it to its articles of that period (None outside a report,
    as :func:`article_links`)."""
    if not os.environ.get(listing.PAGE_ENV) or "period" not in table.columns:
        return None
    code = {"week": "W", "month": "M", "quarter": "Q", "year": "Y", "day": "D"}.get(freq)
    if code is None:
        return None
    periods = [pd.Period(p, freq=code) if pd.notna(p) else None for p in table["period"]]
    links = {"period": [p and listing.article_link(published=p) for p in periods]}
    for column, target in _LINKED.items():
        if column in table.columns:
            links[column] = [
                None
                if p is None or pd.isna(value)
                else listing.article_link(published=p, **{target: value})
                for p, value in zip(periods, table[column], strict=True)
            ]
    return links


def show_shares_over_time(
    table: pd.DataFrame,
    *,
    freq: str,
    min_articles: int = stats.MIN_PERIOD_ARTICLES,
    **options: object,
) -> list:
    """Each topic's share of its period's articles over time, where a period has enough.

    Parameters
    ----------
    table : DataFrame
        As :func:`newskit.stats.count_topics_by_period` returns, built with the same
        ``min_articles``: a period with fewer articles has no share.
    freq : str
        The period length, for the notes.
    min_articles : int, default :data:`newskit.stats.MIN_PERIOD_ARTICLES`
        The minimum the table was built with, for the notes.
    **options
        Passed to :func:`newskit.plots.plot_period_lines` (``title``, ``ylabel``, ...).

    Returns
    -------
    list
        What was shown: a note on the periods left out, then the chart and its table; or a
        note saying why there is no chart.
    """
    shared = table.dropna(subset=["share"])["period"].nunique()
    if shared < 2:
        enough = f"{min_articles:,} articles or more" if min_articles > 1 else "an article"
        return _show(
            [note(f"Fewer than two {freq}s have {enough}, so there are no shares to compare.")]
        )
    shown = []
    if thin := stats.describe_thin_periods(table, freq=freq, min_articles=min_articles):
        shown = _show([note(thin)])
    ax = plots.plot_period_lines(table, y="share", percent=True, **options)
    return shown + show_chart(ax, table, links=period_links(table, freq=freq))


def show_scores_by(articles: pd.DataFrame, *, by: str, n: int = 10) -> list:
    """Scores per type, provider or topic: the table, then quality's spread as boxes.

    Parameters
    ----------
    articles : DataFrame
        ``corpus.articles``.
    by : {"type", "provider", "topic"}
        The grouping (see :func:`newskit.stats.build_scores_by`).
    n : int, default 10
        The largest groups shown.

    Returns
    -------
    list
        What was shown.
    """
    stats.check_argument("by", SCORES_BY_NOTES, by)
    none, one, no_spread = SCORES_BY_NOTES[by]
    table = stats.build_scores_by(articles, by=by, n=n)
    if table.empty:
        return _show([note(none)])
    shown: list = [render_table(table, name=f"scores-by-{by}")]
    if len(table) < 2:
        shown.append(note(one))
    elif table["n_articles"].max() < 2:
        shown.append(note(no_spread))
    else:
        groups = stats.build_score_groups(articles, by=by, n=n)
        ax = plots.plot_score_boxes(groups, score="quality", title=f"Quality by {by}")
        return _show(shown) + show_chart(ax, stats.describe_score_groups(groups))
    return _show(shown)


def list_title_words(words: pd.DataFrame) -> pd.DataFrame:
    """One row per topic listing its words with their counts, ``"app (3), flow (2)"``.

    Parameters
    ----------
    words : DataFrame
        As :func:`newskit.stats.count_title_words` returns.

    Returns
    -------
    DataFrame
        ``topic``, ``most frequent title words (titles)``; topics in the order given.
    """
    listed = words.assign(word=words["word"] + " (" + words["n_titles"].astype(str) + ")")
    listed = listed.groupby("topic", sort=False)["word"].agg(", ".join).reset_index()
    return listed.rename(columns={"word": "most frequent title words (titles)"})


def list_distinctive_words(words: pd.DataFrame, *, label: str = "group") -> pd.DataFrame:
    """One row per group listing its distinctive words, most distinctive first, each with
    the number of the group's stories whose titles use it: ``"portals (12), pages (3)"``.

    Parameters
    ----------
    words : DataFrame
        As :func:`newskit.stats.find_distinctive_words` returns.
    label : str, default "group"
        The name of the first column (``topic``, ``provider``).

    Returns
    -------
    DataFrame
        ``label``, ``distinctive title words (stories)``; groups in the order given.
    """
    listed = words.assign(word=words["word"] + " (" + words["n_group"].astype(str) + ")")
    listed = listed.groupby("group", sort=False)["word"].agg(", ".join).reset_index()
    return listed.rename(columns={"group": label, "word": "distinctive title words (stories)"})


def show_distinctive_words(
    articles: pd.DataFrame, *, by: str, n_words: int = 8, n_groups: int = 6
) -> list:
    """The title words that set each of the largest groups apart, then every word's score.

    Parameters
    ----------
    articles : DataFrame
        ``corpus.articles``.
    by : str
        The grouping of :func:`newskit.stats.find_distinctive_words` (``"topic"``,
        ``"provider"``, ...).
    n_words, n_groups : int
        Words per group, and groups (the largest).

    Returns
    -------
    list
        What was shown: a listing per group and the scores (in a closed block), or a note
        saying why there is none.
    """
    words = stats.find_distinctive_words(articles, by=by, n_words=n_words, n_groups=n_groups)
    if words.empty:
        return _show(
            [
                note(
                    f"No {by} stands apart by its title words: there are fewer than two "
                    f"{by}s, or no title word is used in two stories of one {by} more "
                    "than elsewhere."
                )
            ]
        )
    listed = list_distinctive_words(words, label=by)
    scores = words.rename(columns={"group": by})
    # a topic or provider links to its articles in the browser
    linked = {by: _LINKED[by]} if by in _LINKED else {}
    return _show(
        [
            render_table(
                listed,
                max_chars=300,
                name=f"distinctive-words-per-{by}",
                links=article_links(listed, **linked) if linked else None,
            ),
            render_table(
                scores,
                details=f"Scores of every word listed ({len(scores):,} rows)",
                name=f"distinctive-word-scores-per-{by}",
                links=article_links(scores, **linked) if linked else None,
            ),
        ]
    )


def headline_numbers(corpus: Corpus) -> Rendered:
    """The overview's headline numbers of ``corpus``, labelled by :data:`SUMMARY_LABELS`."""
    summary = corpus.summary()
    return render_numbers({SUMMARY_LABELS[key]: summary[key] for key in HEADLINE_KEYS})
