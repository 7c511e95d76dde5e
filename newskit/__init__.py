"""newskit: load, validate, explore and report on corpora of news-article records."""

from newskit.cache import clear_cache
from newskit.corpus import Corpus, load_corpus
from newskit.display import note, render_numbers, render_table
from newskit.errors import CorpusError, NewskitError, ReportError
from newskit.stats import (
    build_completeness,
    build_coverage_lag,
    build_coverage_pairs,
    build_missing_matrix,
    build_pickup_lag,
    build_provider_leaderboard,
    build_provider_topics,
    build_score_groups,
    build_score_trend,
    build_scores_by,
    build_topic_cooccurrence,
    choose_freq,
    correlate_scores,
    count_by_period,
    count_providers_by_period,
    count_published,
    count_related,
    count_related_bins,
    count_stories_by_period,
    count_title_words,
    count_topic_stories,
    count_topics,
    count_topics_by_period,
    count_types,
    count_values,
    describe_lag,
    describe_outlying_dates,
    describe_scores,
    find_alerts,
    find_distinctive_words,
    find_first_publishers,
    find_largest_stories,
    find_outlying_dates,
    find_top_scored,
    find_topic_trends,
    measure_concentration,
    summarize_stories,
    tokenize,
)
from newskit.stories import Stories, StoryOptions, build_stories, build_story_table

__version__ = "0.1.0"

#: Plot functions, imported on first use: loading newskit should not load matplotlib.
_PLOTS = frozenset(
    [
        "plot_counts",
        "plot_coverage_pairs",
        "plot_lag_histogram",
        "plot_matrix",
        "plot_missing_matrix",
        "plot_period_counts",
        "plot_period_lines",
        "plot_score_boxes",
        "plot_score_hexbin",
        "plot_score_histogram",
        "plot_score_trend",
        "plot_topic_trends",
    ]
)


__all__ = [
    "Corpus",
    "CorpusError",
    "NewskitError",
    "ReportError",
    "__version__",
    "load_corpus",
    "clear_cache",
    "Stories",
    "StoryOptions",
    "build_stories",
    "build_story_table",
    "build_completeness",
    "build_coverage_lag",
    "build_coverage_pairs",
    "build_missing_matrix",
    "build_pickup_lag",
    "build_provider_leaderboard",
    "build_provider_topics",
    "build_score_groups",
    "build_score_trend",
    "build_scores_by",
    "build_topic_cooccurrence",
    "choose_freq",
    "correlate_scores",
    "count_by_period",
    "count_providers_by_period",
    "count_published",
    "count_related",
    "count_related_bins",
    "count_stories_by_period",
    "count_title_words",
    "count_topic_stories",
    "count_topics",
    "count_topics_by_period",
    "count_types",
    "count_values",
    "describe_lag",
    "describe_outlying_dates",
    "describe_scores",
    "find_alerts",
    "find_distinctive_words",
    "find_first_publishers",
    "find_largest_stories",
    "find_outlying_dates",
    "find_top_scored",
    "find_topic_trends",
    "measure_concentration",
    "summarize_stories",
    "tokenize",
    *sorted(_PLOTS),
    "note",
    "render_numbers",
    "render_table",
    "render_reports",
]


def __getattr__(name: str) -> object:
    if name in _PLOTS:
        from newskit import plots

        return getattr(plots, name)
    if name == "render_reports":  # nbclient and nbconvert load slowly; kernels never need them
        from newskit.report import render_reports

        return render_reports
    raise AttributeError(f"module 'newskit' has no attribute {name!r}")
