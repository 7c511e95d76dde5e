"""What notebooks show: bounded, escaped tables, notes and headline numbers.

Every function here returns a :class:`Rendered` object, which Jupyter displays through its
``_repr_html_`` (and a plain-text ``repr`` everywhere else). Text from a corpus is data, not
markup: every value, column name and caption is HTML-escaped, URLs stay inert text (no ``<a>``),
and tables show at most ``max_rows`` rows, so a report stays small whatever the corpus size.

Notebooks use these instead of ``Markdown(f"...")`` or ``df.style``, which both let a hostile
title through as live HTML.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlsplit

import pandas as pd

#: How the helpers' output looks, the same in JupyterLab, in a report and in print. Every
#: output carries it (JupyterLab has no other way in), and reports have it in their head too.
#: JupyterLab's own rules are beaten by specificity, not by order: ``.jp-OutputArea-output dl
#: {display: block}`` and its floated ``dt`` by ``.jp-OutputArea-output dl.newskit-numbers``,
#: ``:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td {text-align: right}`` by
#: ``.jp-RenderedHTMLCommon table.newskit-table td``; the plain selectors serve elsewhere.
CSS = """\
dl.newskit-numbers, .jp-OutputArea-output dl.newskit-numbers {
  display: grid; grid-template-columns: max-content auto; gap: 0.15em 1em;
  width: auto; margin: 0.4em 0; padding: 0; overflow: visible; }
dl.newskit-numbers dt, .jp-OutputArea-output dl.newskit-numbers dt {
  display: block; float: none; width: auto; font-weight: bold; margin: 0; padding: 0; }
dl.newskit-numbers dd, .jp-OutputArea-output dl.newskit-numbers dd {
  display: block; float: none; width: auto; margin: 0; padding: 0; overflow-wrap: break-word; }
table.newskit-table td, table.newskit-table th,
.jp-RenderedHTMLCommon table.newskit-table td, .jp-RenderedHTMLCommon table.newskit-table th {
  text-align: left; }
table.newskit-table td.num, table.newskit-table th.num,
.jp-RenderedHTMLCommon table.newskit-table td.num,
.jp-RenderedHTMLCommon table.newskit-table th.num { text-align: right; }
table.newskit-table td { max-width: 40em; overflow-wrap: break-word; vertical-align: top; }
div.newskit-scroll { max-height: 36em; overflow: auto; margin: 0.2em 0 0.8em; }
table.newskit-table thead th { position: sticky; top: 0; background: #fff; }
table.newskit-table thead tr.newskit-filters th { top: 1.9em; }
table.newskit-table button.newskit-sort { all: unset; cursor: pointer; }
table.newskit-table th[aria-sort=ascending] button.newskit-sort::after { content: " \\25B2"; }
table.newskit-table th[aria-sort=descending] button.newskit-sort::after { content: " \\25BC"; }
table.newskit-table tr.newskit-filters input { width: 100%; min-width: 4em;
  box-sizing: border-box; font: inherit; font-size: 0.85em; }
div.newskit-tools { display: flex; flex-wrap: wrap; gap: 0.5em; align-items: center;
  margin: 0.3em 0; font-size: 0.9em; }
p.newskit-count, p.newskit-caption, span.newskit-status { font-size: 0.9em; color: #555; }
p.newskit-count { margin: 0.2em 0; }
p.newskit-note { font-style: italic; color: #555; }
details.newskit-details > summary { cursor: pointer; color: #555; font-size: 0.9em; }
@media print {
  div.newskit-scroll { max-height: none; overflow: visible; }
  div.newskit-tools, tr.newskit-filters { display: none; }
  details.newskit-details { display: none; }
  dl.newskit-numbers, table.newskit-table tr { break-inside: avoid; }
  h1, h2, h3, h4, p.newskit-caption { break-after: avoid; }
  .jp-MarkdownCell:has(h1, h2, h3, h4), .jp-Cell:has(p.newskit-caption) { break-after: avoid; }
}
"""
_STYLE = f'<style type="text/css">{CSS}</style>'

#: Rows a table holds unless told otherwise; beyond them it says how many were left out.
MAX_ROWS = 1_000
#: Characters of a cut cell kept whole for sorting and the CSV download.
MAX_KEPT_CHARS = 2_000
#: Characters a cell shows before it is cut with an ellipsis.
MAX_CHARS = 160
#: What each headline number of ``Corpus.summary()`` is called wherever it is shown (the
#: command line, the reports' index page, the overview notebook).
SUMMARY_LABELS = {
    "root": "corpus",
    "n_files": "files read",
    "n_articles": "articles",
    "n_stories": "stories",
    "share_copies": "share of articles that are copies",
    "first_published_at": "first published",
    "last_published_at": "last published",
    "types": "types",
    "n_providers": "providers",
    "top_providers": "top providers",
    "n_topics": "topics",
    "top_topics": "top topics",
    "n_duplicates": "duplicates",
    "n_errors": "load errors",
    "n_warnings": "load warnings",
    "fingerprint": "fingerprint",
}


@dataclass(frozen=True)
class Rendered:
    """Something to display: the same content as HTML and as plain text."""

    html: str
    text: str

    def _repr_html_(self) -> str:
        return _STYLE + self.html

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def render_table(
    data: pd.DataFrame | pd.Series,
    *,
    max_rows: int = MAX_ROWS,
    max_chars: int = MAX_CHARS,
    index: bool = False,
    caption: str | None = None,
    digits: int = 3,
    name: str | None = None,
    links: Mapping[str, Sequence[str | None]] | None = None,
    details: str | None = None,
) -> Rendered:
    """Show a table, every cell escaped: up to ``max_rows`` rows in a scrolling box.

    In a report, newskit's script makes the table sortable (click a header), searchable,
    filterable column by column and downloadable as CSV (the rows that pass the filters, in
    the order shown); without JavaScript it is a plain, complete table.

    Parameters
    ----------
    data : pandas.DataFrame or pandas.Series
        The table; a Series is shown as one column.
    max_rows : int
        Rows the page holds at most; a line above the table says how many rows there are, and
        when some were left out, that the page and its download hold only the first ones.
    max_chars : int
        Characters a cell shows at most; longer text is cut and ends with an ellipsis (the
        whole text is kept for sorting and the CSV, up to :data:`MAX_KEPT_CHARS`).
    index : bool
        Show the index as the first column(s).
    caption : str, optional
        Text shown above the table.
    digits : int
        Decimals shown for floats (trailing zeros dropped).
    name : str, optional
        The CSV download's file name, without ``.csv`` (default: made from the caption, else
        ``table``).
    links : Mapping[str, Sequence[str | None]], optional
        Column -> one link per row of ``data`` (``None`` for none). An ``http``/``https``
        address opens in a new tab, without referrer; a report page (``NAME.html`` or
        ``NAME.html#...``) in the same tab; anything else leaves the cell as text.
    details : str, optional
        Put the table in a closed ``<details>`` block with this summary (for the data behind
        a chart).

    Returns
    -------
    Rendered
        The table as HTML (``<table class="newskit-table">``, numeric columns marked
        ``class="num"``, shares shown as percentages) and as plain text.
    """
    if max_rows < 0:
        raise ValueError(f"max_rows must be >= 0, got {max_rows}")
    if max_chars < 1:
        raise ValueError(f"max_chars must be >= 1, got {max_chars}")
    if isinstance(data, pd.Series):
        data = data.to_frame(name=data.name if data.name is not None else "value")
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"render_table needs a DataFrame or Series, got {type(data).__name__}")
    links = dict(links or {})
    for column, hrefs in links.items():
        if column not in data.columns:
            raise ValueError(f"links: no column {column!r} in the table")
        if len(hrefs) != len(data):
            raise ValueError(f"links[{column!r}]: {len(hrefs)} links for {len(data)} rows")
    if index:
        names = [n if n is not None else "" for n in data.index.names]
        data = data.reset_index(names=names if len(set(names)) == len(names) else None)

    n_total = len(data)
    shown = data.iloc[:max_rows]
    columns = [cut_text(format_value(c, digits=digits), max_chars) for c in shown.columns]
    kinds = [_kind(shown[c], c) for c in shown.columns]
    hrefs = [list(links[c][: len(shown)]) if c in links else None for c in shown.columns]
    # a column repeats its values (a provider, a type, a score, topics): each distinct one
    # without a link is made a cell once
    made: list[dict] = [{} for _ in kinds]
    cells = []
    for i, row in enumerate(shown.itertuples(index=False, name=None)):
        line = []
        for value, kind, h, cache in zip(row, kinds, hrefs, made, strict=True):
            href = None if h is None else h[i]
            key = _cell_key(value) if href is None else None
            if key is None:
                line.append(_cell(value, kind, digits, max_chars, href))
                continue
            cell = cache.get(key)
            if cell is None:
                cell = cache[key] = _cell(value, kind, digits, max_chars, None)
            line.append(cell)
        cells.append(line)
    count = _count_line(len(cells), n_total)
    stem = name or (caption and _slug(caption)) or "table"

    parts = [f'<div class="newskit-table-box" data-name="{_esc(_slug(stem) or "table")}">']
    if caption:
        parts.append(f'<p class="newskit-caption">{_esc(escape_controls(caption))}</p>')
    cut = ' data-cut=""' if len(cells) < n_total else ""
    parts.append(f'<p class="newskit-count"{cut}>{_esc(count)}</p>')
    parts.append('<div class="newskit-scroll"><table class="newskit-table">')
    header = "".join(
        f"<th{_NUM if kind in _NUMERIC else ''}>{_esc(c)}</th>"
        for c, kind in zip(columns, kinds, strict=True)
    )
    parts.append(f"<thead><tr>{header}</tr></thead>")
    parts.append("<tbody>")
    parts.extend("<tr>" + "".join(c.html for c in row) + "</tr>" for row in cells)
    parts.append("</tbody></table></div></div>")
    html_text = "\n".join(parts)
    if details is not None:
        summary = _esc(escape_controls(details))
        html_text = (
            f'<details class="newskit-details"><summary>{summary}</summary>\n'
            f"{html_text}\n</details>"
        )

    text_lines = [escape_controls(caption)] if caption else []
    text_lines.append(_plain_table(columns, [[c.text for c in row] for row in cells]))
    if len(cells) < n_total:
        text_lines.append(count)
    return Rendered(html=html_text, text="\n".join(text_lines))


_NUM = ' class="num"'
_NUMERIC = ("number", "percent")
#: A link to another page of the same report folder: ``NAME.html`` or ``NAME.html#...``.
_PAGE_LINK = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.html(#[A-Za-z0-9._~:=&%+-]*)?")


class _Cell(NamedTuple):
    html: str
    text: str


def _kind(column: pd.Series, name: object) -> str:
    """How a column's cells are shown: number, percent, date, list, or text."""
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "text"
    if pd.api.types.is_numeric_dtype(dtype):
        label = str(name)
        share = label == "share" or label.startswith("share_") or label.endswith("_share")
        return "percent" if share and pd.api.types.is_float_dtype(dtype) else "number"
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        return "date"
    if pd.api.types.is_object_dtype(dtype) and any(map(_is_list, column.head(50))):
        return "list"
    return "text"


def _cell(value: object, kind: str, digits: int, max_chars: int, href: object) -> _Cell:
    """One ``<td>``: its shown text escaped, and in ``data-v`` what sorting and the CSV use
    when that differs from the text (a raw number, an ISO timestamp, a cut text whole)."""
    sort_value = None
    missing = _is_missing(value)
    if type(value) is str:  # most cells: the text as it is (what format_value gives)
        text = escape_controls(value)
    elif kind == "percent" and not missing:
        text = f"{float(value) * 100:.{max(digits - 2, 0)}f}%" if math.isfinite(value) else ""
        sort_value = repr(float(value))
    else:
        text = format_value(value, digits=digits)
        if kind == "number" and not missing:
            sort_value = str(value.item() if hasattr(value, "item") else value)
        elif kind == "date" and not missing:
            sort_value = pd.Timestamp(value).isoformat()
    opening = '<td class="num"' if kind in _NUMERIC else "<td"
    if kind == "list" and _is_list(value):
        items = [format_value(v, digits=digits) for v in _items(value)]
        kept, used = [], 0
        for item in items:
            used += len(item) + 2
            if kept and used > max_chars:
                break
            kept.append(cut_text(item, max_chars))
        inner = ", ".join(f'<span class="newskit-item">{_esc(i)}</span>' for i in kept)
        text = ", ".join(kept)
        if len(kept) < len(items):
            inner += ", \u2026"
            text += ", \u2026"
            sort_value = cut_text(", ".join(items), MAX_KEPT_CHARS)
    else:
        shown = cut_text(text, max_chars)
        if shown != text:
            sort_value = cut_text(text, MAX_KEPT_CHARS)
        inner = _esc(shown)
        text = shown
    link = _safe_link(href)
    if link is not None and inner:
        outside = _PAGE_LINK.fullmatch(link) is None
        extra = ' rel="noopener noreferrer" target="_blank"' if outside else ""
        inner = f'<a href="{_esc(link)}"{extra}>{inner}</a>'
    attribute = "" if sort_value in (None, text) else f' data-v="{_esc(sort_value)}"'
    return _Cell(f"{opening}{attribute}>{inner}</td>", text)


_KEYED_TYPES = frozenset([str, int, bool, type(None), type(pd.NA)])


def _cell_key(value: object) -> tuple | None:
    """What a cell of ``value`` is made of, as a key equal only for values shown alike (its
    type too: ``1``, ``True`` and ``1.0`` are equal keys in a dict, not alike cells); None for
    values not worth keeping (floats, timestamps, anything else)."""
    kind = type(value)
    if kind in _KEYED_TYPES:
        return (kind, value)
    if (kind is list or kind is tuple) and all(type(item) is str for item in value):
        return (kind, *value)
    return None


def _is_list(value: object) -> bool:
    return isinstance(value, list | tuple) or getattr(value, "ndim", 0) == 1


def _items(value: object) -> list:
    return list(value.tolist() if hasattr(value, "tolist") else value)


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _safe_link(href: object) -> str | None:
    """``href`` when it is an ``http``/``https`` address or a page of the report folder."""
    if not isinstance(href, str) or not href:
        return None
    if _PAGE_LINK.fullmatch(href):
        return href
    # No whitespace or control character anywhere: browsers strip or skip some of them,
    # which lets "java\tscript:" through a check of the scheme alone. (Printable ASCII
    # other than space has none.)
    if not _PRINTABLE_ASCII.fullmatch(href) and any(
        c.isspace() or unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in href
    ):
        return None
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    if (
        parts.scheme.lower() in ("http", "https")
        and parts.netloc
        and href[:5].lower()
        in (
            "http:",
            "https",
        )
    ):
        return href
    return None


def _count_line(shown: int, total: int) -> str:
    if shown < total:
        return (
            f"The first {shown:,} of {total:,} rows; the page and its CSV download hold only these."
        )
    return f"{total:,} row" if total == 1 else f"{total:,} rows"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")[:60]


def render_numbers(numbers: Mapping[str, object], *, digits: int = 3) -> Rendered:
    """Show headline numbers as a two-column key/value list.

    Parameters
    ----------
    numbers : Mapping[str, object]
        Label to value, shown in order; values are formatted like table cells, and a float
        whose label starts with the word "share" as a percentage.
    digits : int
        Decimals shown for floats (trailing zeros dropped).

    Returns
    -------
    Rendered
        A ``<dl class="newskit-numbers">`` and its plain-text form, one ``label: value`` a line.
    """
    if not isinstance(numbers, Mapping):
        raise TypeError(f"render_numbers needs a mapping, got {type(numbers).__name__}")
    items = [
        (escape_controls(str(k)), _number_text(str(k), v, digits) or "-")
        for k, v in numbers.items()
    ]
    body = "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v in items)
    text = "\n".join(f"{k}: {v}" for k, v in items)
    return Rendered(html=f'<dl class="newskit-numbers">{body}</dl>', text=text)


def _number_text(label: str, value: object, digits: int) -> str:
    # A share ("share of the top 10") reads as a percentage, as share columns do in tables.
    if label.split(" ", 1)[0] == "share" and isinstance(value, float) and math.isfinite(value):
        return f"{value * 100:.{max(digits - 2, 0)}f}%"
    return format_value(value, digits=digits)


def corpus_numbers(corpus) -> dict[str, object]:
    """The headline numbers of a :class:`~newskit.Corpus`, as reports and JupyterLab show them."""
    s = corpus.summary()
    first, last = s["first_published_at"], s["last_published_at"]
    numbers = {key: s[key] for key in ("n_articles", "n_stories", "share_copies", "n_duplicates")}
    numbers["published"] = f"{first:%Y-%m-%d} to {last:%Y-%m-%d}" if first is not None else "-"
    numbers |= {key: s[key] for key in ("n_providers", "n_topics", "n_errors", "n_warnings")}
    return {SUMMARY_LABELS.get(key, key): value for key, value in numbers.items()}


def render_corpus(corpus) -> Rendered:
    """Show a corpus: its folder and headline numbers (what ``Corpus`` shows in JupyterLab).

    Parameters
    ----------
    corpus : newskit.Corpus
        A loaded corpus.

    Returns
    -------
    Rendered
        A caption naming the corpus and a ``<dl class="newskit-numbers">``.
    """
    caption = f"Corpus {corpus.summary()['root']}"
    numbers = render_numbers(corpus_numbers(corpus))
    html_text = f'<p class="newskit-caption">{_esc(escape_controls(caption))}</p>{numbers.html}'
    return Rendered(html=html_text, text=f"{escape_controls(caption)}\n{numbers.text}")


def note(text: str) -> Rendered:
    """Show one sentence, escaped: for example why a section cannot be computed.

    Parameters
    ----------
    text : str
        The sentence.

    Returns
    -------
    Rendered
        A ``<p class="newskit-note">`` and the text itself.
    """
    text = escape_controls(str(text))
    return Rendered(html=f'<p class="newskit-note">{_esc(text)}</p>', text=text)


def format_value(value: object, *, digits: int = 3) -> str:
    """The text a table cell or headline number shows for ``value``.

    Missing values give ``""``, integers get thousands separators, floats at most ``digits``
    decimals, timestamps a date (and a time with its zone when it is not midnight), lists their
    items joined by ``", "``.
    """
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(format_value(v, digits=digits) for v in value)
    if hasattr(value, "tolist") and getattr(value, "ndim", 0) == 1:  # numpy/arrow arrays
        return format_value(list(value.tolist()), digits=digits)
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, pd.Timestamp):
        if value.hour == value.minute == value.second == value.microsecond == 0:
            return value.strftime("%Y-%m-%d")
        shown = value.strftime("%Y-%m-%d %H:%M")
        if value.tzinfo is None:
            return shown
        zone = value.tzname() or value.strftime("%z")
        return f"{shown} {zone}"
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        try:
            return format_value(value.item(), digits=digits)
        except (TypeError, ValueError):
            pass
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        text = f"{value:,.{digits}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    return escape_controls(str(value))


def escape_controls(text: str) -> str:
    """``text`` with control characters (NUL, ESC, DEL, C1, lone surrogates) shown as escapes
    such as ``\\x1b``; newlines and tabs are kept."""
    if not _CONTROL.search(text):  # most text: nothing to escape
        return text
    return "".join(
        char
        if char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cs")
        else char.encode("unicode_escape", "backslashreplace").decode("ascii")
        for char in text
    )


# Unicode's control characters (category Cc) and lone surrogates (Cs), less newline and tab.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_PRINTABLE_ASCII = re.compile("[!-~]*")


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def cut_text(text: str, max_chars: int) -> str:
    """``text`` cut to ``max_chars`` characters, the last of them an ellipsis when cut."""
    return text if len(text) <= max_chars else text[: max_chars - 1] + "\u2026"


def _plain_table(columns: list[str], rows: list[list[str]]) -> str:
    # Newlines inside a cell would break the plain-text grid.
    columns = [c.replace("\n", " ") for c in columns]
    rows = [[v.replace("\n", " ") for v in row] for row in rows]
    widths = [len(c) for c in columns]
    for row in rows:
        widths = [max(w, len(v)) for w, v in zip(widths, row, strict=True)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines += [
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    return "\n".join(lines)
