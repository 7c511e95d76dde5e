"""The ``newskit`` command: the only place that turns errors into exit codes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from newskit import __version__
from newskit.corpus import Corpus, load_corpus
from newskit.errors import NewskitError


def main(argv: list[str] | None = None) -> int:
    """Run the ``newskit`` command line; return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except NewskitError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"Error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Error: interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newskit",
        description="Load, validate, explore and report on corpora of news-article records.",
    )
    parser.add_argument("--version", action="version", version=f"newskit {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    summary = commands.add_parser(
        "summary",
        help="print the headline numbers of a corpus",
        description="Print the headline numbers of a corpus.",
    )
    summary.add_argument("path", help="corpus folder or record file")
    summary.set_defaults(run=run_summary)

    validate = commands.add_parser(
        "validate",
        help="list every problem found loading a corpus",
        description="List every problem found loading a corpus, one line each: "
        "'path: severity: field: message'. Exit status 1 when there is an error.",
    )
    validate.add_argument("path", help="corpus folder or record file")
    validate.add_argument(
        "--strict", action="store_true", help="exit with status 1 on warnings too"
    )
    validate.set_defaults(run=run_validate)

    export = commands.add_parser(
        "export",
        help="write the articles table to a .parquet or .csv file",
        description="Write the articles table to FILE; the format follows its extension.",
    )
    export.add_argument("path", help="corpus folder or record file")
    export.add_argument("--out", required=True, metavar="FILE", help="a .parquet or .csv file")
    export.set_defaults(run=run_export)

    report = commands.add_parser(
        "report",
        help="execute the notebooks and write self-contained HTML reports",
        description="Execute every notebook in notebooks/ on a corpus and write one HTML report "
        "each, and index.html linking them. Reports open offline: no external "
        "reference, figures embedded. Exit status 1 when a notebook fails; the "
        "other reports are still written.",
    )
    report.add_argument(
        "--corpus",
        default=None,
        metavar="PATH",
        help="corpus folder or record file (default: the project's seeds/)",
    )
    report.add_argument(
        "--out",
        default="reports",
        metavar="DIR",
        help="folder to write the HTML files to (default: reports)",
    )
    report.add_argument("--start", metavar="DATE", help="first publication date to include")
    report.add_argument("--end", metavar="DATE", help="last publication date to include")
    report.add_argument("--topic", help="only articles with this topic")
    report.add_argument("--provider", help="only articles from this provider (domain or name)")
    report.add_argument(
        "--with-code", action="store_true", help="show the notebooks' code, not only their results"
    )
    report.add_argument(
        "--notebooks",
        default=None,
        metavar="DIR",
        help="folder of notebooks to render (default: the project's notebooks/)",
    )
    report.set_defaults(run=run_report)

    cache = commands.add_parser(
        "cache",
        help="manage the cache of parsed corpora",
        description="Manage the cache of parsed corpora that makes repeated loads fast. It "
        "lives in $NEWSKIT_CACHE_DIR, else $XDG_CACHE_HOME/newskit, else "
        "~/.cache/newskit.",
    )
    cache_commands = cache.add_subparsers(dest="cache_command", required=True, metavar="ACTION")
    clear = cache_commands.add_parser(
        "clear",
        help="delete every cached corpus",
        description="Delete every cached corpus; the next load "
        "of each corpus parses its files again.",
    )
    clear.add_argument(
        "--cache-dir",
        default=None,
        metavar="DIR",
        help="cache folder (default: as described above)",
    )
    clear.set_defaults(run=run_cache_clear)
    return parser


def run_summary(args: argparse.Namespace) -> int:
    corpus = load_corpus(args.path)
    print(format_summary(corpus))
    return 0


def run_validate(args: argparse.Namespace) -> int:
    corpus = load_corpus(args.path)
    problems = corpus.problems
    for row in problems.itertuples(index=False):
        field = "-" if pd.isna(row.field) else row.field
        print(f"{row.path}: {row.severity}: {field}: {row.message}")
    print(
        f"{len(corpus)} articles, {corpus.n_errors} errors, {corpus.n_warnings} warnings",
        file=sys.stderr,
    )
    failed = corpus.n_errors > 0 or (args.strict and corpus.n_warnings > 0)
    return 1 if failed else 0


def run_export(args: argparse.Namespace) -> int:
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise NewskitError(
            f"{out}: unknown export format {suffix or '(none)'!r}; use .parquet or .csv"
        )
    if out.parent.exists() and not out.parent.is_dir():
        raise NewskitError(f"{out}: cannot write: {out.parent} is not a folder")
    corpus = load_corpus(args.path)
    articles = corpus.articles
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            articles = articles.assign(topics=articles["topics"].map("; ".join))
            articles.to_csv(out, index=False)
        else:
            articles.to_parquet(out, index=False)
    except OSError as exc:
        raise NewskitError(f"{out}: cannot write: {exc.strerror or exc}") from exc
    print(f"wrote {len(articles)} articles to {out}")
    return 0


def run_report(args: argparse.Namespace) -> int:
    from newskit.report import NOTEBOOKS, SEEDS, Interrupted, render_reports  # slow: only here

    try:
        written = render_reports(
            args.corpus or SEEDS,
            args.out,
            start=args.start,
            end=args.end,
            topic=args.topic,
            provider=args.provider,
            with_code=args.with_code,
            notebooks_dir=args.notebooks or NOTEBOOKS,
        )
    except ValueError as exc:
        raise NewskitError(str(exc)) from exc
    except Interrupted as exc:
        # The shell's convention: 128 + the signal's number (130 for SIGINT, 143 for SIGTERM).
        print("Error: interrupted", file=sys.stderr)
        return 128 + exc.signum
    print(f"wrote {len(written) - 1} reports and {written[-1]}")
    return 0


def run_cache_clear(args: argparse.Namespace) -> int:
    from newskit.cache import clear_cache, default_cache_dir

    folder = Path(args.cache_dir) if args.cache_dir else default_cache_dir()
    removed = clear_cache(folder)
    print(f"removed {len(removed)} cache file{'' if len(removed) == 1 else 's'} from {folder}")
    return 0


def format_summary(corpus: Corpus) -> str:
    """The text ``newskit summary`` prints."""
    s = corpus.summary()

    def day(stamp: object) -> str:
        return "-" if stamp is None else stamp.strftime("%Y-%m-%d")

    def ranked(counts: dict[str, int]) -> str:
        return ", ".join(f"{key} ({value})" for key, value in counts.items()) or "-"

    lines = [
        f"corpus:     {s['root']}",
        f"files:      {s['n_files']}",
        f"articles:   {s['n_articles']} ({s['n_duplicates']} duplicates)",
        f"published:  {day(s['first_published_at'])} to {day(s['last_published_at'])}",
        f"types:      {ranked(s['types'])}",
        f"providers:  {s['n_providers']}; top: {ranked(s['top_providers'])}",
        f"topics:     {s['n_topics']}; top: {ranked(s['top_topics'])}",
        f"problems:   {s['n_errors']} errors, {s['n_warnings']} warnings",
    ]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
