"""The ``newskit`` command: the only place that turns errors into exit codes."""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import sys
import tempfile
from pathlib import Path

import pandas as pd

from newskit import __version__
from newskit.compare import Comparison, compare
from newskit.corpus import Corpus, load_corpus
from newskit.dates import parse_bound
from newskit.display import SUMMARY_LABELS
from newskit.errors import Interrupted, NewskitError

# What a terminal would act on rather than show: C0 controls (ESC starts clipboard, title and
# screen-clearing sequences; a newline would split a line), DEL, C1 controls, the bidi
# controls that reorder what follows, and the line and paragraph separators.
_UNSAFE = [*range(0x00, 0x20), *range(0x7F, 0xA0), 0x061C, 0x200E, 0x200F]
_UNSAFE += [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029]
_ESCAPES = {code: ascii(chr(code))[1:-1] for code in _UNSAFE}
# Surrogates from undecodable bytes in names or arguments (os.fsdecode): shown as \xNN.
_ESCAPES.update({code: f"\\x{code - 0xDC00:02x}" for code in range(0xDC80, 0xDD00)})
_ESCAPES.update({code: f"\\u{code:04x}" for code in range(0xD800, 0xE000) if code not in _ESCAPES})
# 141 = 128 + SIGPIPE, the status of a command whose reader went away (`yes | head -1`).
BROKEN_PIPE = 141


def printable(text: object) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``, ``\\n``)."""
    return str(text).translate(_ESCAPES)


def say(text: object, *, file=None) -> None:
    """Print one line of corpus-derived text, its control characters escaped."""
    print(printable(text), file=file or sys.stdout)


def main(argv: list[str] | None = None) -> int:
    """Run the ``newskit`` command line; return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _interrupt)  # SIGTERM stops a run as Ctrl-C does
    try:
        status = args.run(args)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # The reader (`head`, a pager) has gone: stop quietly, as other command-line tools do.
        # Python would flush stdout again at exit and complain; point it at /dev/null.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return BROKEN_PIPE
    except NewskitError as exc:
        say(f"Error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        say(f"Error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        # The shell's convention: 128 + the signal's number (130 for SIGINT, 143 for SIGTERM).
        print("Error: interrupted", file=sys.stderr)
        return 128 + getattr(exc, "signum", signal.SIGINT)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise Interrupted(signum)


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
    _add_format_options(summary)
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
    _add_format_options(validate)
    validate.set_defaults(run=run_validate)

    export = commands.add_parser(
        "export",
        help="write every table of a corpus as a Parquet dataset",
        description="Write every table of a corpus to the folder DIR as a hive-partitioned "
        "Parquet dataset (articles by year and month of publication) with a manifest; DuckDB, "
        "Polars, Spark and pandas read it, and so does newskit as a corpus. With --format csv, "
        "write the articles table to the file DIR instead (topics joined with '; ').",
    )
    export.add_argument("path", help="corpus folder or record file")
    export.add_argument(
        "--out", required=True, metavar="DIR", help="the dataset folder (a .csv file for CSV)"
    )
    export.add_argument(
        "--format",
        choices=["dataset", "csv"],
        default="dataset",
        help="dataset (default): every table as Parquet; csv: the articles table",
    )
    export.add_argument(
        "--overwrite",
        action="store_true",
        help="replace DIR even when it is a folder of something other than a newskit dataset",
    )
    export.add_argument(
        "--dask",
        nargs="?",
        const="",
        default=None,
        metavar="ADDRESS",
        help="parse the files on a Dask cluster: the scheduler at ADDRESS, or a local cluster "
        "when none is given (needs newskit[dask])",
    )
    export.set_defaults(run=run_export)

    report = commands.add_parser(
        "report",
        help="execute the notebooks and write self-contained HTML reports",
        description="Execute every notebook (those with a cell tagged 'parameters') on a "
        "corpus and write one HTML report each, the executed notebook beside it, and "
        "index.html linking them. Reports open offline: no external reference, figures "
        "embedded. Exit status 1 when a notebook fails (the other reports are still "
        "written), or when the corpus or the selection holds no article.",
    )
    report.add_argument(
        "path",
        nargs="?",
        default=None,
        metavar="PATH",
        help="corpus folder or record file (default: the sample corpus shipped with newskit)",
    )
    report.add_argument(
        "--corpus",
        default=None,
        metavar="PATH",
        help="the corpus, as PATH (the older form; it will go in a later release)",
    )
    report.add_argument(
        "--out",
        default="reports",
        metavar="DIR",
        help="folder to write the HTML files to (default: reports)",
    )
    report.add_argument(
        "--start",
        type=_date_argument("--start", end=False),
        metavar="DATE",
        help="first publication date to include (YYYY-MM-DD or an ISO 8601 date and time, UTC)",
    )
    report.add_argument(
        "--end",
        type=_date_argument("--end", end=True),
        metavar="DATE",
        help="last publication date to include; a date includes its whole day",
    )
    report.add_argument(
        "--topic",
        action="append",
        metavar="TOPIC",
        help="only articles with this topic (repeat for any of several)",
    )
    report.add_argument(
        "--provider",
        action="append",
        metavar="PROVIDER",
        help="only articles from this provider, a domain or a name (repeat for any of several)",
    )
    report.add_argument(
        "--with-code", action="store_true", help="show the notebooks' code, not only their results"
    )
    report.add_argument(
        "--notebooks",
        default=None,
        metavar="DIR",
        help="folder of notebooks to render (default: the notebooks shipped with newskit; "
        "'newskit init' copies them to edit)",
    )
    report.add_argument(
        "--kernel",
        default=None,
        metavar="NAME",
        help="Jupyter kernel to run the notebooks in (default: the Python running newskit)",
    )
    report.add_argument(
        "--jobs",
        type=_count_argument,
        default=None,
        metavar="N",
        help="notebooks run at the same time (default: one more than the CPUs, fewer where "
        "the memory would not hold them)",
    )
    report.set_defaults(run=run_report)

    compare = commands.add_parser(
        "compare",
        help="say what changed between two snapshots of a corpus",
        description="Say what changed between two snapshots of a corpus: articles added (newly "
        "published or backfill), removed, changed (and in which fields) and moved, and how "
        "dates, providers, topics, scores, field completeness, load problems and duplicates "
        "moved. Articles are matched by normalised URL, then by their path.",
    )
    compare.add_argument("old", help="the earlier snapshot: corpus folder or record file")
    compare.add_argument("new", help="the later snapshot: corpus folder or record file")
    compare.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="also write the comparison as an HTML report, DIR/compare.html",
    )
    compare.add_argument(
        "--json", action="store_true", help="print the whole comparison as JSON instead"
    )
    compare.set_defaults(run=run_compare)

    init = commands.add_parser(
        "init",
        help="copy the notebooks and the sample corpus into a folder, to edit",
        description="Copy the notebooks newskit reports with into DIR/notebooks and its "
        "sample corpus into DIR/seeds, to edit and run there (in JupyterLab, or with "
        "'newskit report --notebooks DIR/notebooks'). Files that exist are kept as they are.",
    )
    init.add_argument("folder", metavar="DIR", help="folder to fill (created when missing)")
    init.set_defaults(run=run_init)

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


def _add_format_options(command: argparse.ArgumentParser) -> None:
    formats = command.add_mutually_exclusive_group()
    formats.add_argument(
        "--json", dest="format", action="store_const", const="json", help="print JSON"
    )
    formats.add_argument(
        "--csv", dest="format", action="store_const", const="csv", help="print CSV, with a header"
    )


def _count_argument(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if count < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return count


def _date_argument(name: str, *, end: bool):
    """An argparse ``type`` checking a date by `parse_bound`; the text itself is kept, so that
    notebooks receive what the user typed and read it by the same rule."""

    def check(text: str) -> str:
        try:
            parse_bound(text, end=end, name=name)
        except ValueError as exc:
            # argparse names the argument itself: "argument --start: empty date: ''".
            raise argparse.ArgumentTypeError(str(exc).removeprefix(f"{name}: ")) from exc
        return text.strip()

    return check


def run_summary(args: argparse.Namespace) -> int:
    corpus = load_corpus(args.path)
    _warn_if_empty(corpus)
    if args.format == "json":
        print(to_json(summary_record(corpus)))
    elif args.format == "csv":
        rows = [
            (key, value if isinstance(value, str | int) else json.dumps(value, ensure_ascii=True))
            for key, value in summary_record(corpus).items()
        ]
        write_csv(["field", "value"], rows)
    else:
        print(format_summary(corpus))
    return 0


def run_validate(args: argparse.Namespace) -> int:
    corpus = load_corpus(args.path)
    _warn_if_empty(corpus)
    problems = corpus.problems
    columns = ["path", "severity", "field", "message"]
    rows = [
        [None if pd.isna(value) else str(value) for value in row]
        for row in problems[columns].itertuples(index=False, name=None)
    ]
    if args.format == "json":
        print(to_json([dict(zip(columns, row, strict=True)) for row in rows]))
    elif args.format == "csv":
        write_csv(columns, rows)
    else:
        for path, severity, field, message in rows:
            say(f"{path}: {severity}: {field or '-'}: {message}")
    print(
        f"{len(corpus)} articles, {corpus.n_errors} errors, {corpus.n_warnings} warnings",
        file=sys.stderr,
    )
    failed = corpus.n_errors > 0 or (args.strict and corpus.n_warnings > 0)
    return 1 if failed else 0


def _warn_if_empty(corpus: Corpus) -> None:
    summary = corpus.summary()
    if summary["n_files"] == 0:
        say(f"Warning: {summary['root']}: no record files (*.txt, *.md) found", file=sys.stderr)


def summary_record(corpus: Corpus) -> dict:
    """``corpus.summary()`` with its timestamps as ISO 8601 text: what ``--json`` prints."""
    return {
        key: value.isoformat() if isinstance(value, pd.Timestamp) else value
        for key, value in corpus.summary().items()
    }


def to_json(value: object) -> str:
    """JSON for the terminal: every character past ASCII escaped, so none can drive it."""
    return json.dumps(value, ensure_ascii=True, indent=2)


def write_csv(header: list[str], rows) -> None:
    """CSV on stdout; control characters in a cell shown as escapes (one record a line)."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[None if v is None else printable(v) for v in row] for row in rows])


def run_export(args: argparse.Namespace) -> int:
    from newskit import dataset

    out = Path(args.out)
    if args.format == "csv":
        return _export_csv(args)
    if out.suffix.lower() == ".csv":
        raise NewskitError(f"{out}: a dataset is a folder; for the articles as CSV: --format csv")
    dataset.check_target(out, overwrite=args.overwrite)  # before the corpus is loaded
    if args.dask is None:
        corpus = load_corpus(args.path)
    else:
        from newskit.load import dask_client, parsing_on

        with dask_client(args.dask or None) as client, parsing_on(client):
            corpus = load_corpus(args.path, cache=False)  # parsed on the cluster
    dataset.write_dataset(corpus, out, overwrite=args.overwrite)
    say(f"wrote {len(corpus)} articles and every table to {out}")
    return 0


def _export_csv(args: argparse.Namespace) -> int:
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix != ".csv":
        raise NewskitError(f"{out}: --format csv writes a .csv file")
    if out.parent.exists() and not out.parent.is_dir():
        raise NewskitError(f"{out}: cannot write: {out.parent} is not a folder")
    # Written under a temporary name beside FILE, then renamed: a full disk or a killed run
    # never leaves a truncated FILE (nor destroys a good one), and an unwritable folder is
    # found before the corpus is loaded.
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    except OSError as exc:
        raise NewskitError(f"{out}: cannot write: {_reason(exc)}") from exc
    temporary = Path(name)
    try:
        os.close(fd)
        corpus = load_corpus(args.path)
        articles = corpus.articles
        try:
            articles = articles.assign(topics=articles["topics"].map("; ".join))
            articles.to_csv(temporary, index=False)
            os.chmod(temporary, _new_file_mode(out))
            os.replace(temporary, out)
        except OSError as exc:
            raise NewskitError(f"{out}: cannot write: {_reason(exc)}") from exc
    finally:
        temporary.unlink(missing_ok=True)
    say(f"wrote {len(articles)} articles to {out}")
    return 0


def _reason(exc: OSError) -> str:
    """What went wrong, as the system says it (Arrow's errors wrap it in their own words)."""
    return os.strerror(exc.errno) if exc.errno else str(exc.strerror or exc)


def _new_file_mode(path: Path) -> int:
    """The permissions ``open(path, "w")`` would give: those of the file replaced, else the
    umask's (mkstemp creates its file readable by its owner only)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def run_report(args: argparse.Namespace) -> int:
    from newskit.report import SEEDS, render_reports  # slow: only here

    path = args.path
    if args.corpus is not None:
        if path is not None and path != args.corpus:
            raise NewskitError(f"two corpora given: {path} and --corpus {args.corpus}")
        path = args.corpus
        say(
            "Note: 'newskit report --corpus PATH' is the older form and will go in a later "
            f"release; write 'newskit report {args.corpus}'",
            file=sys.stderr,
        )
    options = {"notebooks_dir": args.notebooks} if args.notebooks else {}
    # Dates were checked as arguments: a ValueError from here on is a bug, with its traceback.
    written = render_reports(
        path or SEEDS,
        args.out,
        start=args.start,
        end=args.end,
        topic=args.topic,
        provider=args.provider,
        with_code=args.with_code,
        kernel=args.kernel,
        jobs=args.jobs,
        **options,
    )
    say(f"wrote {len(written) - 1} reports and {written[-1]}")
    return 0


def run_compare(args: argparse.Namespace) -> int:
    if args.out is not None:
        from newskit.report import check_writable  # slow: only here

        check_writable(Path(args.out))  # before the corpora are loaded
    comparison = compare(args.old, args.new)
    if args.json:
        # ASCII only: no corpus text can reach the terminal as a control or bidi character.
        print(json.dumps(comparison.to_dict(), indent=2, ensure_ascii=True))
    else:
        print(format_comparison(comparison))
    if args.out is not None:
        from newskit.report import write_comparison_report

        written = write_comparison_report(comparison, Path(args.out))
        say(f"wrote {written}", file=sys.stderr if args.json else sys.stdout)
    return 0


def run_init(args: argparse.Namespace) -> int:
    from newskit.workspace import init_workspace

    result = init_workspace(args.folder)
    for path in result.created:
        say(f"created {path}")
    for path in result.kept:
        say(f"kept {path} (it exists)")
    notebooks = result.folder / "notebooks"
    say(f"next: jupyter lab {notebooks}, or newskit report --notebooks {notebooks}")
    return 0


def run_cache_clear(args: argparse.Namespace) -> int:
    from newskit.cache import clear_cache, default_cache_dir

    folder = Path(args.cache_dir) if args.cache_dir else default_cache_dir()
    removed = clear_cache(folder)
    say(f"removed {len(removed)} cache file{'' if len(removed) == 1 else 's'} from {folder}")
    return 0


def format_summary(corpus: Corpus) -> str:
    """The text ``newskit summary`` prints."""
    s = corpus.summary()

    def day(stamp: object) -> str:
        return "-" if stamp is None else stamp.strftime("%Y-%m-%d")

    def ranked(counts: dict[str, int]) -> str:
        return ", ".join(f"{key} ({value})" for key, value in counts.items()) or "-"

    def label(key: str) -> str:
        return f"{SUMMARY_LABELS[key] + ':':<12}"

    lines = [
        f"{label('root')}{s['root']}",
        f"{label('n_files')}{s['n_files']}",
        f"{label('n_articles')}{s['n_articles']} ({s['n_duplicates']} duplicates)",
        f"{label('n_stories')}{s['n_stories']}"
        + (
            ""
            if s["share_copies"] is None
            else f" ({s['share_copies']:.1%} of articles are copies)"
        ),
        f"published:  {day(s['first_published_at'])} to {day(s['last_published_at'])}",
        f"{label('types')}{ranked(s['types'])}",
        f"{label('n_providers')}{s['n_providers']}; top: {ranked(s['top_providers'])}",
        f"{label('n_topics')}{s['n_topics']}; top: {ranked(s['top_topics'])}",
        f"problems:   {s['n_errors']} errors, {s['n_warnings']} warnings",
    ]
    return "\n".join(printable(line) for line in lines)


#: Lines each list of articles (added, removed, changed, moved) shows in the text summary.
COMPARE_LINES = 5


def format_comparison(comparison: Comparison) -> str:
    """The text ``newskit compare`` prints: one screen, whatever the size of the corpora."""
    counts = comparison.counts()
    headline = comparison.headline.set_index("measure")

    def row(measure: str) -> tuple[object, object]:
        return headline.at[measure, "old"], headline.at[measure, "new"]

    def arrow(measure: str) -> str:
        old, new = row(measure)
        change = headline.at[measure, "change"]
        return f"{old} -> {new} ({change:+d})" if isinstance(change, int) else f"{old} -> {new}"

    def span(side: str) -> str:
        first, last = headline.at["first published", side], headline.at["last published", side]
        return "-" if first is None else f"{first} to {last}"

    def named(table: pd.DataFrame, label: str, status: str) -> str:
        values = table.loc[table["status"] == status, label].tolist()
        shown = ", ".join(map(str, values[:COMPARE_LINES])) or "-"
        return shown + (
            f" and {len(values) - COMPARE_LINES} more" if len(values) > COMPARE_LINES else ""
        )

    def news(table: pd.DataFrame, label: str) -> str:
        return f"new: {named(table, label, 'new')}; vanished: {named(table, label, 'vanished')}"

    def score(row: pd.Series) -> str:
        return (
            f"{row['score']} {row['n_changed']} changed ({row['n_up']} up, {row['n_down']} down), "
            f"mean {_number(row['old_mean'])} -> {_number(row['new_mean'])}"
        )

    def concentration(measure: str) -> str:
        found = comparison.concentration.set_index("measure")
        return f"{_number(found.at[measure, 'old'])} -> {_number(found.at[measure, 'new'])}"

    completeness = comparison.completeness[comparison.completeness["change"] != 0]
    problems = comparison.problems["status"].value_counts()
    duplicates = comparison.duplicates["status"].value_counts()
    fields = ", ".join(
        f"{r.field} ({r.n_articles})" for r in comparison.field_counts.itertuples(index=False)
    )
    lines = [
        f"old:           {comparison.old_root}",
        f"new:           {comparison.new_root}",
        f"articles:      {arrow('articles')}: {counts['added']} added ({counts['added_new']} new, "
        f"{counts['added_backfill']} backfill, {counts['added_undated']} undated), "
        f"{counts['removed']} removed, {counts['changed']} changed, {counts['moved']} moved, "
        f"{counts['unchanged']} unchanged",
        f"published:     {span('old')} -> {span('new')}",
        f"providers:     {arrow('providers')}; {news(comparison.providers, 'provider')}",
        f"topics:        {arrow('topics')}; {news(comparison.topics, 'topic')}",
        f"fields:        {fields or '-'}",
        "scores:        " + "; ".join(score(r) for _, r in comparison.scores.iterrows()),
        f"concentration: top-10 share {concentration('top_share')}, "
        f"Herfindahl {concentration('herfindahl')}",
        "completeness:  "
        + (
            ", ".join(
                f"{r.key} {_percent(r.old_share)} -> {_percent(r.new_share)}"
                for r in completeness.head(3).itertuples(index=False)
            )
            + (f" and {len(completeness) - 3} more" if len(completeness) > 3 else "")
            if len(completeness)
            else "no change"
        ),
        f"problems:      {problems.get('new', 0)} new, {problems.get('resolved', 0)} resolved "
        f"(errors {arrow('load errors')}, warnings {arrow('load warnings')})",
        f"duplicates:    {duplicates.get('new', 0)} new, {duplicates.get('resolved', 0)} resolved, "
        f"{duplicates.get('kept', 0)} kept",
        f"fingerprint:   {arrow('fingerprint')}",
    ]
    changed = comparison.changed.groupby("article_id", sort=False)["field"].agg(", ".join)
    lists = [
        ("added", [f"+ {r.article_id} ({r.when})" for r in comparison.added.itertuples()]),
        ("removed", [f"- {r.article_id}" for r in comparison.removed.itertuples()]),
        ("changed", [f"~ {article}: {names}" for article, names in changed.items()]),
        (
            "moved",
            [f"> {r.old_article_id} -> {r.new_article_id}" for r in comparison.moved.itertuples()],
        ),
    ]
    for name, items in lists:
        if not items:
            continue
        for i, item in enumerate(items[:COMPARE_LINES]):
            lines.append(f"{name + ':' if i == 0 else '':<15}{item}")
        if len(items) > COMPARE_LINES:
            lines.append(f"{'':<15}{len(items) - COMPARE_LINES} more not shown")
    lines += [f"note:          {text}" for text in comparison.notes]
    return "\n".join(printable(line) for line in lines)


def _number(value: float) -> str:
    return "-" if value != value else f"{value:.3g}"


def _percent(value: float) -> str:
    return f"{value:.1%}"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
