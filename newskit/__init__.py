"""newskit: load, validate, explore and report on corpora of news-article records."""

from newskit._version import __version__

#: Every public name, by the module it lives in. Modules are imported on first use:
#: ``import newskit`` stays cheap (the CLI's ``--help``; pool workers, which need only the
#: loader), and ``newskit.load_corpus`` or ``from newskit import count_topics`` import what
#: they need (``plot_*`` matplotlib, ``render_reports`` nbclient and nbconvert).
_PUBLIC = {
    "corpus": ["Corpus", "load_corpus"],
    "errors": ["CorpusError", "NewskitError", "ReportError"],
    "cache": ["clear_cache"],
    "compare": ["compare", "Comparison"],
    "urls": ["normalize_url"],
    "stories": ["StoryOptions", "build_stories"],
    "countries": ["country_of_domain"],
    "dataset": ["read_dataset", "write_dataset"],
    "stats": [
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
        "count_by_weekday_and_hour",
        "count_countries",
        "count_providers_by_period",
        "count_published",
        "count_related",
        "count_lag_bins",
        "count_related_bins",
        "count_score_bins",
        "count_score_cells",
        "count_stories_by_period",
        "count_story_sizes",
        "count_title_words",
        "count_topic_stories",
        "count_topic_stories_by_period",
        "count_topics",
        "count_topics_by_period",
        "count_types",
        "count_values",
        "describe_lag",
        "describe_outlying_dates",
        "describe_score_groups",
        "describe_scores",
        "describe_thin_periods",
        "find_alerts",
        "find_distinctive_words",
        "find_first_publishers",
        "find_largest_stories",
        "find_outlying_dates",
        "find_top_scored",
        "find_topic_trends",
        "measure_concentration",
        "measure_provider_cadence",
        "summarize_stories",
        "tokenize",
    ],
    "plots": [
        "describe_chart",
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
        "plot_stories_by_period",
        "plot_topic_trends",
        "plot_weekday_hours",
    ],
    "display": ["note", "render_numbers", "render_table"],
    "report": ["render_reports"],
}
_MODULES = {name: module for module, names in _PUBLIC.items() for name in names}

__all__ = ["__version__", *_MODULES]


def __getattr__(name: str) -> object:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'newskit' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"newskit.{module}"), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
