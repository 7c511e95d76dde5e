"""newskit: load, validate, explore and report on corpora of news-article records."""

__version__ = "0.1.0"

#: Where each public name lives. Modules are imported on first use: ``import newskit`` stays
#: cheap (the CLI's ``--help``; pool workers, which import only the loader), and
#: ``newskit.load_corpus`` or ``from newskit import count_topics`` import what they need.
_STATS = frozenset(
    [
        "build_completeness",
        "build_coverage_lag",
        "build_coverage_pairs",
        "build_missing_matrix",
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
        "count_title_words",
        "count_topics",
        "count_topics_by_period",
        "count_types",
        "count_values",
        "describe_lag",
        "describe_outlying_dates",
        "describe_scores",
        "find_alerts",
        "find_outlying_dates",
        "find_top_scored",
        "find_topic_trends",
        "measure_concentration",
        "tokenize",
    ]
)
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
    "read_dataset",
    "write_dataset",
    "clear_cache",
    "compare",
    "Comparison",
    "normalize_url",
    "build_completeness",
    "build_coverage_lag",
    "build_coverage_pairs",
    "build_missing_matrix",
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
    "count_title_words",
    "count_topics",
    "count_topics_by_period",
    "count_types",
    "count_values",
    "describe_lag",
    "describe_outlying_dates",
    "describe_scores",
    "find_alerts",
    "find_outlying_dates",
    "find_top_scored",
    "find_topic_trends",
    "measure_concentration",
    "tokenize",
    *sorted(_PLOTS),
    "note",
    "render_numbers",
    "render_table",
    "render_reports",
]


_MODULES = {
    "Corpus": "corpus",
    "load_corpus": "corpus",
    "clear_cache": "cache",
    "read_dataset": "dataset",
    "write_dataset": "dataset",
    "compare": "compare",
    "Comparison": "compare",
    "normalize_url": "urls",
    "CorpusError": "errors",
    "NewskitError": "errors",
    "ReportError": "errors",
    "note": "display",
    "render_numbers": "display",
    "render_table": "display",
    "render_reports": "report",
    **dict.fromkeys(_STATS, "stats"),
    **dict.fromkeys(_PLOTS, "plots"),
}


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
