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
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

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
  display: block; float: none; width: auto; margin: 0; padding: 0; overflow-wrap: anywhere; }
table.newskit-table td, table.newskit-table th,
.jp-RenderedHTMLCommon table.newskit-table td, .jp-RenderedHTMLCommon table.newskit-table th {
  text-align: left; }
table.newskit-table td.num, table.newskit-table th.num,
.jp-RenderedHTMLCommon table.newskit-table td.num,
.jp-RenderedHTMLCommon table.newskit-table th.num { text-align: right; }
table.newskit-table td { max-width: 40em; overflow-wrap: anywhere; }
p.newskit-more, p.newskit-caption { font-size: 0.9em; color: #555; }
p.newskit-note { font-style: italic; color: #555; }
@media print {
  dl.newskit-numbers, table.newskit-table tr { break-inside: avoid; }
  h1, h2, h3, h4, p.newskit-caption { break-after: avoid; }
  .jp-MarkdownCell:has(h1, h2, h3, h4), .jp-Cell:has(p.newskit-caption) { break-after: avoid; }
}
"""
_STYLE = f'<style type="text/css">{CSS}</style>'

#: Rows a table shows unless told otherwise.
MAX_ROWS = 20
#: Characters a cell shows before it is cut with an ellipsis.
MAX_CHARS = 160
#: What each headline number of ``Corpus.summary()`` is called wherever it is shown (the
#: command line, the reports' index page, the overview notebook).
SUMMARY_LABELS = {
    "root": "corpus",
    "n_files": "files read",
    "n_articles": "articles",
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
) -> Rendered:
    """Show the first ``max_rows`` rows of a table, every cell escaped.

    Parameters
    ----------
    data : pandas.DataFrame or pandas.Series
        The table; a Series is shown as one column.
    max_rows : int
        Rows shown at most; a line below the table says how many were left out.
    max_chars : int
        Characters a cell shows at most; longer text is cut and ends with an ellipsis.
    index : bool
        Show the index as the first column(s).
    caption : str, optional
        Text shown above the table.
    digits : int
        Decimals shown for floats (trailing zeros dropped).

    Returns
    -------
    Rendered
        The table as HTML (``<table class="newskit-table">``, numeric columns marked
        ``class="num"``) and as plain text.
    """
    if max_rows < 0:
        raise ValueError(f"max_rows must be >= 0, got {max_rows}")
    if max_chars < 1:
        raise ValueError(f"max_chars must be >= 1, got {max_chars}")
    if isinstance(data, pd.Series):
        data = data.to_frame(name=data.name if data.name is not None else "value")
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"render_table needs a DataFrame or Series, got {type(data).__name__}")
    if index:
        names = [n if n is not None else "" for n in data.index.names]
        data = data.reset_index(names=names if len(set(names)) == len(names) else None)

    n_total = len(data)
    shown = data.iloc[:max_rows]
    columns = [cut_text(format_value(c, digits=digits), max_chars) for c in shown.columns]
    rows = [
        [cut_text(format_value(v, digits=digits), max_chars) for v in row]
        for row in shown.itertuples(index=False, name=None)
    ]
    left_out = n_total - len(rows)
    more = f"{left_out:,} more rows not shown ({n_total:,} in all)" if left_out > 0 else ""

    parts = []
    if caption:
        parts.append(f'<p class="newskit-caption">{_esc(caption)}</p>')
    parts.append('<table class="newskit-table">')
    # Numbers align right so their digits line up; everything else reads left to right.
    numeric = [
        pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
        for dtype in shown.dtypes
    ]
    opens = ['<th class="num">' if n else "<th>" for n in numeric]
    cells = ['<td class="num">' if n else "<td>" for n in numeric]
    header = "".join(f"{o}{_esc(c)}</th>" for o, c in zip(opens, columns, strict=True))
    parts.append(f"<thead><tr>{header}</tr></thead>")
    parts.append("<tbody>")
    parts.extend(
        "<tr>" + "".join(f"{o}{_esc(v)}</td>" for o, v in zip(cells, row, strict=True)) + "</tr>"
        for row in rows
    )
    parts.append("</tbody></table>")
    if more:
        parts.append(f'<p class="newskit-more">{_esc(more)}</p>')
    html_text = "\n".join(parts)

    text_lines = [caption] if caption else []
    text_lines.append(_plain_table(columns, rows))
    if more:
        text_lines.append(more)
    return Rendered(html=html_text, text="\n".join(text_lines))


def render_numbers(numbers: Mapping[str, object], *, digits: int = 3) -> Rendered:
    """Show headline numbers as a two-column key/value list.

    Parameters
    ----------
    numbers : Mapping[str, object]
        Label to value, shown in order; values are formatted like table cells.
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
        (escape_controls(str(k)), format_value(v, digits=digits) or "-") for k, v in numbers.items()
    ]
    body = "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v in items)
    text = "\n".join(f"{k}: {v}" for k, v in items)
    return Rendered(html=f'<dl class="newskit-numbers">{body}</dl>', text=text)


def corpus_numbers(corpus) -> dict[str, object]:
    """The headline numbers of a :class:`~newskit.Corpus`, as reports and JupyterLab show them."""
    s = corpus.summary()
    first, last = s["first_published_at"], s["last_published_at"]
    numbers = {key: s[key] for key in ("n_articles", "n_duplicates")}
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
    decimals, timestamps a date (and a time when it is not midnight), lists their items joined
    by ``", "``.
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
        return value.strftime("%Y-%m-%d %H:%M")
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
    return "".join(
        char
        if char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cs")
        else char.encode("unicode_escape", "backslashreplace").decode("ascii")
        for char in text
    )


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
